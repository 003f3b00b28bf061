// MainWindow's exports of what the scene tab shows: the map layer as a GeoTIFF with the scene's CRS
// and geotransform, and the spectra of the plot (selected pixels, ROI means and spreads) as CSV.
// the map as a figure (PNG, SVG, PDF with its grid, scale bar, north arrow and colour bar). All are
// written atomically.
#include "jezero/core/AtomicFile.h"
#include "jezero/core/BrowseProducts.h"
#include "jezero/core/CsvText.h"
#include "jezero/core/Comparison.h"
#include "jezero/core/Error.h"
#include "jezero/io/ImageWriter.h"
#include "jezero/ui/CompositeControls.h"
#include "jezero/ui/ChannelLegend.h"
#include "jezero/ui/FigureFile.h"
#include "jezero/ui/LinkedMapView.h"
#include "jezero/ui/MainWindow.h"
#include "jezero/ui/ParametersPanel.h"
#include "jezero/ui/MapFigure.h"
#include "jezero/ui/MapScaleBar.h"
#include "jezero/ui/QtImages.h"

#include <QFileDialog>
#include <QLabel>
#include <QStatusBar>

#include <cmath>
#include <sstream>

namespace jezero::ui {

void MainWindow::exportLayerGeoTiff(const QString& path) const {
    if (!mCube) throw Error("no scene is open");
    ImageStack layer;
    if (mLayer == "composite") {
        // The I/F of the three channels the composite controls choose (the map may still show the
        // layer before while the composite is redrawn), named by their wavelengths.
        const RgbChannels rgb = mCompositeControls->channels();
        std::vector<std::string> names;
        int bands[3];
        for (int c = 0; c < 3; ++c) {
            bands[c] = mCube->nearestBand(rgb.wavelengthsNm[c]);
            names.push_back("I/F " + std::to_string(static_cast<int>(std::lround(mCube->wavelengthsNm()[bands[c]]))) + " nm");
        }
        layer = ImageStack(mCube->width(), mCube->height(), names);
        for (int y = 0; y < mCube->height(); ++y)
            for (int x = 0; x < mCube->width(); ++x)
                for (int c = 0; c < 3; ++c) layer.at(x, y, c) = mCube->value(x, y, bands[c]);
    } else {
        if (!mParameterMaps) throw Error("the summary parameters are still being computed");
        const std::string name = mLayer.section(':', 1).toStdString();
        if (mLayer.startsWith("browse:")) {
            const auto product = browseProduct(name);
            layer = selectChannels(*mParameterMaps, {product.parameters.begin(), product.parameters.end()});
        } else {
            layer = selectChannels(*mParameterMaps, {name});
        }
    }
    io::writeGeoTiff(path.toStdString(), layer, mCube->metadata(),
                     {{"JEZERO_PRODUCT", "map layer " + mLayer.toStdString()},
                      {"JEZERO_SOURCE_SCENE", mCube->metadata().productId},
                      {"JEZERO_SOURCE_PATH", mCube->metadata().sourcePath}});
}

void MainWindow::exportSpectraCsv(const QString& path) const {
    if (!mCube) throw Error("no scene is open");
    if (mSelected.empty() && mRois.empty()) throw Error("no spectra to export: click a pixel or draw an ROI");
    if (!roisMeasured()) throw Error("an ROI is still being measured: export again in a moment");
    std::ostringstream csv;
    csv.precision(7);
    csv << "wavelength_nm";
    for (const QPoint& p : mSelected) csv << ",pixel " << p.x() << ' ' << p.y();
    for (const Roi& roi : mRois) csv << ',' << csvQuoted(roi.name + " mean") << ',' << csvQuoted(roi.name + " std");
    csv << '\n';
    const auto cell = [&csv](double v) { // an empty cell is no data
        csv << ',';
        if (std::isfinite(v)) csv << v;
    };
    for (int b = 0; b < mCube->bands(); ++b) {
        csv << mCube->wavelengthsNm()[b];
        for (const QPoint& p : mSelected) cell(mCube->value(p.x(), p.y(), b));
        for (const RoiSpectrum& s : mRoiSpectra) {
            cell(s.mean[b]);
            cell(s.stddev[b]);
        }
        csv << '\n';
    }
    writeTextFileAtomically(path.toStdString(), csv.str());
}

MapFigureLayout MainWindow::exportMapFigure(const QString& path, bool secondMap) const {
    if (secondMap && mLinked->isHidden()) throw Error("the second map is not shown (View › Side by side)");
    const CompositeImage& image = secondMap ? mLinkedComposite : mComposite;
    if (!mCube || image.rgba.empty()) throw Error(secondMap ? "the second map has nothing drawn yet (its layer is still being computed)" : "no map is shown");
    const QString layer = secondMap ? mLinked->layer() : mLayer;
    if (layer != "composite" && !mParameterMaps) throw Error("the summary parameters are still being computed: export again in a moment");
    MapFigureContent figure;
    figure.map = toQImage(image);
    figure.title = QString::fromStdString(mCube->metadata().productId) + " — " + (secondMap ? mLinkedLabel : mCompositeLabel->text().trimmed());
    figure.geolocator = mCube->geolocator();
    if (layer.startsWith("param:")) {
        // The scale the map was drawn with: the second map's own, the first's as last applied.
        const std::optional<MapScale> scale = secondMap ? mLinked->colourScale()
                                              : mMapScale->parameter() == layer.section(':', 1) ? std::optional<MapScale>(mShownScale) : std::nullopt;
        if (scale) figure.colourBar = MapFigureContent::ColourBar{*scale, parameterWithUnit(layer.section(':', 1))};
    } else {
        figure.channelKey = MapFigureContent::ChannelKey{channelNames(layer, image), image.channels};
    }
    return writeMapFigure(path, figure);
}

void MainWindow::chooseFigureExport(bool secondMap) {
    if (secondMap && mLinked->isHidden()) {
        showError(tr("The second map is not shown: View › Side by side shows it."));
        return;
    }
    const QString path = askFigurePath(this, secondMap ? tr("Export second map figure") : tr("Export map figure"));
    if (path.isEmpty()) return;
    try {
        const MapFigureLayout drawn = exportMapFigure(path, secondMap);
        statusBar()->showMessage(drawn.scaleBarDrawn ? tr("Wrote %1 (grid, %2 scale bar, north arrow)").arg(path, drawn.scaleBarLabel)
                                                     : tr("Wrote %1 (the scene has no georeference: no grid, scale bar or north arrow)").arg(path),
                                 8000);
    } catch (const std::exception& e) {
        showError(QString::fromStdString(e.what()));
    }
}

void MainWindow::chooseExport(bool layer) {
    const QString title = layer ? tr("Export map layer") : tr("Export spectra");
    const QString filter = layer ? tr("GeoTIFF (*.tif *.tiff)") : tr("CSV tables (*.csv)");
    QFileDialog dialog(this, title, {}, filter);
    dialog.setAcceptMode(QFileDialog::AcceptSave);
    dialog.setDefaultSuffix(layer ? "tif" : "csv");
    if (dialog.exec() != QDialog::Accepted || dialog.selectedFiles().isEmpty()) return;
    const QString path = dialog.selectedFiles().first();
    try {
        if (layer) exportLayerGeoTiff(path);
        else exportSpectraCsv(path);
        statusBar()->showMessage(tr("Wrote %1").arg(path), 8000);
    } catch (const std::exception& e) {
        showError(QString::fromStdString(e.what()));
    }
}

} // namespace jezero::ui
