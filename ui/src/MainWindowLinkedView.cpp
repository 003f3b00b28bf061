// MainWindow's second map (View › Side by side): any layer beside the first, zoom, pan and cursor
// linked (LinkedMapView::link), drawn from the same composite and parameter maps as the first.
#include "jezero/core/ColourMap.h"
#include "jezero/ui/LinkedMapView.h"
#include "jezero/ui/MainWindow.h"
#include "jezero/ui/MapScaleBar.h"
#include "jezero/ui/QtImages.h"
#include "jezero/ui/SceneView.h"

#include <QAction>
#include <QLabel>
#include <QSplitter>
#include <QTimer>

#include <algorithm>

namespace jezero::ui {

void MainWindow::setSideBySide(bool on) {
    if (mSideBySideAction->isChecked() != on) mSideBySideAction->setChecked(on);
    if (on == !mLinked->isHidden()) return; // isHidden: a window not shown yet has nothing visible
    mLinked->setVisible(on);
    mFirstMapHeader->setVisible(on);
    auto* maps = qobject_cast<QSplitter*>(mLinked->parentWidget());
    auto* outer = maps ? qobject_cast<QSplitter*>(maps->parentWidget()) : nullptr;
    if (!on) {
        mSceneView->setCursorMarker({-1, -1});
        if (outer) outer->setSizes({outer->width() / 2, outer->width() - outer->width() / 2});
        return;
    }
    // First time: the other kind of layer than the first map's (the composite beside a parameter
    // map, or the carbonate browse product beside the composite).
    if (mLinked->layer() == "composite" && mLayer == "composite") mLinked->setLayer("browse:CAR");
    // Two maps of equal width, the first fitted again (the second follows it) — once laid out, which
    // a window not shown yet is not.
    // The spectrum plot gives up a third of its room: each map keeps the width its colour bar needs.
    QTimer::singleShot(0, this, [this, maps, outer] {
        if (outer) outer->setSizes({outer->width() * 7 / 10, outer->width() - outer->width() * 7 / 10});
        if (maps) maps->setSizes({maps->width() / 2, maps->width() - maps->width() / 2});
        fitMaps();
    });
    showLinkedLayer();
}

void MainWindow::fitMaps() {
    // The view whose fit is the tighter one fits; the other follows at the same scale, so both show
    // the whole scene.
    SceneView* tighter = mSceneView;
    if (!mLinked->isHidden() && mCube) {
        const auto fitScale = [this](const SceneView* v) {
            return std::min(v->viewport()->width() / double(mCube->width()), v->viewport()->height() / double(mCube->height()));
        };
        if (fitScale(mLinked->view()) < fitScale(mSceneView)) tighter = mLinked->view();
    }
    tighter->fitToWindow();
}

bool MainWindow::mapsFitted() const { return mSceneView->isFitted() || (!mLinked->isHidden() && mLinked->view()->isFitted()); }

void MainWindow::refitMapsIfFitted() {
    // Only one of two linked maps is the fitted one (the other follows it): when either changes size
    // while they are fitted, both are fitted again, once the layout has settled.
    if (mLinked->isHidden() || !mapsFitted() || mRefitPending) return;
    mRefitPending = true;
    QTimer::singleShot(0, this, [this] {
        mRefitPending = false;
        if (mapsFitted()) fitMaps();
    });
}

bool MainWindow::sideBySide() const { return !mLinked->isHidden(); }

void MainWindow::showLinkedLayer() {
    if (!mCube || mLinked->isHidden()) return;
    const QString id = mLinked->layer();
    const auto show = [this](const CompositeImage& image, const QString& caption, const QString& label) {
        const bool fitted = mapsFitted(); // asked before the new image moves either view
        mLinkedComposite = image, mLinkedLabel = label; // for its figure
        mLinked->showImage(toQImage(image), caption);
        // Fitted maps stay fitted (both whole); else the second starts where the first is, and from
        // then on they move together.
        if (fitted) QTimer::singleShot(0, this, &MainWindow::fitMaps);
        else QTimer::singleShot(0, mLinked, [this] { mLinked->view()->setView(mSceneView->viewTransform(), mSceneView->viewCentre()); });
    };
    if (id == "composite") {
        mLinked->setColourScale(std::nullopt);
        if (!mLastComposite.rgba.empty()) show(mLastComposite, QString::fromStdString(mLastComposite.rgb.name), QString::fromStdString(mLastComposite.rgb.name));
        return;
    }
    if (!ensureParameterMaps()) {
        mLinkedComposite = {}; // what stays on screen is the layer before: not the figure of this one
        mLinked->setCaption(tr("Computing summary parameters…")); // the image stays: the views keep their zoom
        return;
    }
    try {
        const QString name = id.section(':', 1);
        const MapScale scale = id.startsWith("param:") ? MapScaleBar::rememberedScale(name, *mParameterMaps, mParameterMaps->channelIndex(name.toStdString()))
                                                      : MapScale{};
        const auto [image, label] = layerImage(id, scale);
        mLinked->setColourScale(id.startsWith("param:") ? std::optional<MapScale>(scale) : std::nullopt);
        QString caption = label;
        if (id.startsWith("browse:")) { // what the first map's R/G/B key says, in one line
            QStringList limits;
            for (const ChannelRange& c : image.channels)
                limits << QString("%1 %2…%3").arg(QString::fromStdString(mParameterMaps->channelNames[c.band])).arg(c.low, 0, 'g', 3).arg(c.high, 0, 'g', 3);
            caption = tr("%1 browse — R %2, G %3, B %4").arg(id.section(':', 1), limits.value(0), limits.value(1), limits.value(2));
        }
        show(image, caption, label);
    } catch (const std::exception& e) {
        mLinkedComposite = {};
        showError(QString::fromStdString(e.what()));
    }
}

} // namespace jezero::ui
