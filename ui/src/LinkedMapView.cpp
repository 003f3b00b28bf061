#include "jezero/ui/LinkedMapView.h"

#include "jezero/ui/ColourScaleStrip.h"
#include "jezero/ui/ParametersPanel.h"
#include "jezero/ui/SceneView.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QVBoxLayout>

namespace jezero::ui {

LinkedMapView::LinkedMapView(QWidget* parent) : QWidget(parent), mLayer(new QComboBox), mCaption(new QLabel), mView(new SceneView) {
    setObjectName("linkedMapView");
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(2);
    auto* row = new QHBoxLayout;
    row->setContentsMargins(4, 0, 4, 0);
    row->addWidget(new QLabel(tr("Second map:")));
    mLayer->setObjectName("linkedLayerChoice");
    mLayer->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    mLayer->setMinimumContentsLength(18);
    addMapLayers(mLayer);
    row->addWidget(mLayer, 1);
    layout->addLayout(row);
    mCaption->setObjectName("linkedMapCaption");
    mCaption->setWordWrap(true);
    layout->addWidget(mCaption);
    layout->addWidget(mView, 1);
    mColourBar = new ColourScaleStrip;
    mColourBar->setObjectName("linkedMapColourBar");
    mColourBar->setToolTip(tr("The parameter's own stretch, kept per parameter: set it under the first map while that shows this parameter, "
                              "and both maps (and later scenes) use it"));
    mColourBar->hide();
    layout->addWidget(mColourBar);
    connect(mLayer, &QComboBox::currentIndexChanged, this, [this] { emit layerChosen(layer()); });
}

QString LinkedMapView::layer() const { return mLayer->currentData().toString(); }

void LinkedMapView::setLayer(const QString& id) {
    const int index = mLayer->findData(id);
    if (index >= 0) mLayer->setCurrentIndex(index);
}

void LinkedMapView::showImage(const QImage& image, const QString& caption) {
    mView->setImage(image, true);
    mCaption->setText(caption);
}

QString LinkedMapView::caption() const { return mCaption->text(); }

void LinkedMapView::setCaption(const QString& caption) { mCaption->setText(caption); }

void LinkedMapView::setColourScale(std::optional<MapScale> scale) {
    mColourBar->setScale(scale);
    mColourBar->setVisible(scale.has_value());
}

std::optional<MapScale> LinkedMapView::colourScale() const { return mColourBar->scale(); }

void LinkedMapView::link(SceneView* a, SceneView* b) {
    // setView does not emit viewChanged, so the two never chase each other.
    connect(a, &SceneView::viewChanged, b, [a, b] { b->setView(a->viewTransform(), a->viewCentre()); });
    connect(b, &SceneView::viewChanged, a, [a, b] { a->setView(b->viewTransform(), b->viewCentre()); });
    connect(a, &SceneView::pixelHovered, b, &SceneView::setCursorMarker);
    connect(b, &SceneView::pixelHovered, a, &SceneView::setCursorMarker);
}

} // namespace jezero::ui
