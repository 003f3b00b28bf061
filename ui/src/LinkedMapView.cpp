#include "jezero/ui/LinkedMapView.h"

#include "jezero/ui/ParametersPanel.h"
#include "jezero/ui/SceneView.h"

#include <QComboBox>
#include <QPainter>
#include <QHBoxLayout>
#include <QLabel>
#include <QVBoxLayout>

namespace jezero::ui {
namespace {

// The second map's colour bar: the table from low (left) to high (right), each end labelled.
class ColourScaleStrip : public QWidget {
public:
    explicit ColourScaleStrip(const std::optional<MapScale>* scale) : mScale(scale) {
        setObjectName("linkedMapColourBar");
        setFixedHeight(QFontMetrics(font()).height() + 16);
    }

protected:
    void paintEvent(QPaintEvent*) override {
        if (!*mScale) return;
        const MapScale& s = **mScale;
        QPainter painter(this);
        const QString low = QString::number(s.low, 'g', 4), high = QString::number(s.high, 'g', 4);
        const QFontMetrics metrics(font());
        const int left = metrics.horizontalAdvance(low) + 10, right = width() - metrics.horizontalAdvance(high) - 10;
        const QRect strip(left, 4, std::max(10, right - left), height() - 8);
        QLinearGradient gradient(strip.topLeft(), strip.topRight());
        for (int i = 0; i <= 16; ++i) {
            const auto c = colourAt(s.table, i / 16.0);
            gradient.setColorAt(i / 16.0, QColor(c[0], c[1], c[2]));
        }
        painter.fillRect(strip, gradient);
        painter.setPen(palette().color(QPalette::WindowText));
        painter.drawRect(strip.adjusted(0, 0, -1, -1));
        painter.drawText(QRect(0, 0, left - 4, height()), Qt::AlignRight | Qt::AlignVCenter, low);
        painter.drawText(QRect(strip.right() + 5, 0, width() - strip.right() - 5, height()), Qt::AlignLeft | Qt::AlignVCenter, high);
    }

private:
    const std::optional<MapScale>* mScale;
};

} // namespace

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
    mColourBar = new ColourScaleStrip(&mScale);
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
    mScale = scale;
    mColourBar->setVisible(scale.has_value());
    mColourBar->update();
}

void LinkedMapView::link(SceneView* a, SceneView* b) {
    // setView does not emit viewChanged, so the two never chase each other.
    connect(a, &SceneView::viewChanged, b, [a, b] { b->setView(a->viewTransform(), a->viewCentre()); });
    connect(b, &SceneView::viewChanged, a, [a, b] { a->setView(b->viewTransform(), b->viewCentre()); });
    connect(a, &SceneView::pixelHovered, b, &SceneView::setCursorMarker);
    connect(b, &SceneView::pixelHovered, a, &SceneView::setCursorMarker);
}

} // namespace jezero::ui
