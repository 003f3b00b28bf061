#include "jezero/ui/CarbonateOverlay.h"

#include "jezero/core/DetectionMask.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QSignalBlocker>
#include <QSpinBox>

namespace jezero::ui {

CarbonateOverlay::CarbonateOverlay(QWidget* parent)
    : QWidget(parent), mShow(new QCheckBox(tr("Carbonate overlay"))), mSource(new QComboBox), mThreshold(new QDoubleSpinBox),
      mMinimumBlob(new QSpinBox), mSummary(new QLabel) {
    setObjectName("carbonateOverlay");
    mShow->setObjectName("carbonateOverlayShown");
    mShow->setToolTip(tr("Draw where the chosen map exceeds the threshold, over the scene"));
    mSource->setObjectName("carbonateOverlaySource");
    mSource->setMinimumContentsLength(18);
    mThreshold->setObjectName("carbonateOverlayThreshold");
    mThreshold->setDecimals(6); // band depths of real carbonates are ~0.01–0.05
    mThreshold->setRange(-10, 10);
    mThreshold->setSingleStep(0.005);
    mThreshold->setToolTip(tr("Pixels strictly above this value count"));
    mMinimumBlob->setObjectName("carbonateOverlayMinimumBlob");
    mMinimumBlob->setRange(1, 100000);
    mMinimumBlob->setValue(4);
    mMinimumBlob->setSuffix(tr(" px"));
    mMinimumBlob->setToolTip(tr("Smallest connected group of pixels shown (8-connected); single noisy pixels are not a deposit"));
    auto* layout = new QHBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(mShow);
    layout->addWidget(mSource);
    layout->addWidget(new QLabel(tr("above")));
    layout->addWidget(mThreshold);
    layout->addWidget(new QLabel(tr("blobs ≥")));
    layout->addWidget(mMinimumBlob);
    layout->addWidget(mSummary);
    mSummary->setMinimumWidth(mSummary->fontMetrics().horizontalAdvance(tr("9999 blobs, 9999999 px")));
    setEnabled(false);
    connect(mShow, &QCheckBox::toggled, this, &CarbonateOverlay::update);
    connect(mThreshold, &QDoubleSpinBox::valueChanged, this, &CarbonateOverlay::update);
    connect(mMinimumBlob, &QSpinBox::valueChanged, this, &CarbonateOverlay::update);
    connect(mSource, &QComboBox::currentTextChanged, this, [this](const QString& name) {
        const auto found = mSources.find(name);
        if (found == mSources.end()) return;
        const QSignalBlocker block(mThreshold);
        mThreshold->setValue(found->second.second);
        update();
    });
}

void CarbonateOverlay::setSource(const QString& name, const ImageStack& map, double defaultThreshold) {
    mSources[name] = {map, defaultThreshold};
    if (mSource->findText(name) < 0) mSource->addItem(name);
    setEnabled(true);
    if (mSource->currentText() == name) update();
}

void CarbonateOverlay::clearSources() {
    mSources.clear();
    mSource->clear();
    setEnabled(false);
    update();
}

void CarbonateOverlay::setSourceShown(const QString& name) { mSource->setCurrentText(name); }
void CarbonateOverlay::setThreshold(double threshold) { mThreshold->setValue(threshold); }
void CarbonateOverlay::setMinimumBlob(int pixels) { mMinimumBlob->setValue(pixels); }
void CarbonateOverlay::setEnabledOverlay(bool on) { mShow->setChecked(on); }
bool CarbonateOverlay::overlayEnabled() const { return mShow->isChecked(); }
QString CarbonateOverlay::currentSource() const { return mSource->currentText(); }
double CarbonateOverlay::threshold() const { return mThreshold->value(); }

void CarbonateOverlay::update() {
    mImage = QImage();
    mBlobs = 0;
    mPixels = 0;
    const auto found = mSources.find(mSource->currentText());
    if (mShow->isChecked() && found != mSources.end()) {
        const ImageStack& map = found->second.first;
        const DetectionMask mask = detectionMask(map, 0, mThreshold->value(), mMinimumBlob->value());
        mImage = QImage(mask.width, mask.height, QImage::Format_ARGB32);
        mImage.fill(Qt::transparent);
        const QRgb magenta = qRgba(255, 0, 220, 170);
        for (int y = 0; y < mask.height; ++y) {
            auto* row = reinterpret_cast<QRgb*>(mImage.scanLine(y));
            for (int x = 0; x < mask.width; ++x)
                if (mask.mask[static_cast<std::size_t>(y) * mask.width + x]) row[x] = magenta;
        }
        mBlobs = mask.blobs;
        mPixels = mask.pixels;
        mSummary->setText(tr("%1 blobs, %2 px").arg(mask.blobs).arg(mask.pixels));
    } else {
        mSummary->clear();
    }
    emit overlayChanged(mImage);
}

} // namespace jezero::ui
