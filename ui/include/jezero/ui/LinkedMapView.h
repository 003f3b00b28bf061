#pragma once
// The second map of View › Side by side: any layer (the composite beside a parameter map, or two
// parameters) whose zoom, pan and cursor follow the first map's (MainWindow links them).
#include "jezero/core/ColourMap.h"

#include <QImage>
#include <QString>
#include <QWidget>

#include <optional>

class QComboBox;
class QLabel;

namespace jezero::ui {

class ColourScaleStrip;
class SceneView;

class LinkedMapView : public QWidget {
    Q_OBJECT
public:
    explicit LinkedMapView(QWidget* parent = nullptr);

    QString layer() const; // "composite", "browse:CAR", "param:D2300"
    void setLayer(const QString& id);
    SceneView* view() const { return mView; }
    // What the map shows and its caption ("CAR browse: …", or why the layer has no values).
    void showImage(const QImage& image, const QString& caption);
    QString caption() const;
    void setCaption(const QString& caption);
    // A parameter layer's colour bar under the map (its table from low to high, labelled); none hides it.
    void setColourScale(std::optional<MapScale> scale);
    std::optional<MapScale> colourScale() const;

    // Zoom and pan of either view follow the other's; the pixel under the cursor in one is marked
    // with a cross in the other.
    static void link(SceneView* a, SceneView* b);

signals:
    void layerChosen(const QString& id);

private:
    QComboBox* mLayer;
    QLabel* mCaption;
    SceneView* mView;
    ColourScaleStrip* mColourBar;
};

} // namespace jezero::ui
