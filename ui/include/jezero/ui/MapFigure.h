#pragma once
// A map layer as a figure for a paper: a title, the map (its pixels kept sharp), the colour bar of a
// parameter layer, and — when the scene is georeferenced — a latitude/longitude grid, a scale bar and
// a north arrow (core/MapFigure measures them on the Mars sphere). Written as PNG (the map at an
// integer zoom, at least ~1200 px), SVG or PDF (text and decorations as vectors, the map embedded).
#include "jezero/core/ColourMap.h"
#include "jezero/core/Composite.h"

#include <QImage>
#include <QRectF>
#include <QString>
#include <QStringList>

#include <array>

#include <optional>

class QPainter;

namespace jezero {
class PixelGeolocator;
}

namespace jezero::ui {

struct MapFigureContent {
    QImage map;   // one image pixel per scene pixel
    QString title; // "syn0001_jezero — MIN2295_2480"
    const PixelGeolocator* geolocator = nullptr; // nullptr: no grid, scale bar or north arrow
    struct ColourBar {
        MapScale scale;
        QString name; // the parameter
    };
    std::optional<ColourBar> colourBar;
    // A three-channel map (composite, browse product): what R, G and B show and their limits.
    struct ChannelKey {
        QStringList names;
        std::array<ChannelRange, 3> channels;
    };
    std::optional<ChannelKey> channelKey;
    bool grid = true, scaleBar = true, northArrow = true;
};

// What paintMapFigure draws, as counted: for tests and the export's status message.
struct MapFigureLayout {
    double width = 0, height = 0; // the whole figure
    QRectF map;                   // where the map is drawn
    double zoom = 1;              // figure units per map pixel
    int gridLines = 0;            // parallels and meridians drawn
    bool scaleBarDrawn = false, northArrowDrawn = false, colourBarDrawn = false;
    QString scaleBarLabel;
    double northBearingDeg = 0;
};

// The figure's size and where the map goes (figure units: pixels of the PNG, points of the PDF/SVG).
MapFigureLayout layoutMapFigure(const MapFigureContent& content);
// Draws the figure with its top-left at the painter's origin; returns what it drew.
MapFigureLayout paintMapFigure(QPainter& painter, const MapFigureContent& content);
// Writes the figure to path by its extension (.png, .svg, .pdf), atomically; throws Error.
MapFigureLayout writeMapFigure(const QString& path, const MapFigureContent& content);

} // namespace jezero::ui
