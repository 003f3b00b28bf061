#include "jezero/ui/CompositeControls.h"

#include <QDoubleSpinBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QSignalBlocker>
#include <QTimer>
#include <QToolButton>

namespace jezero::ui {

CompositeControls::CompositeControls(QWidget* parent) : QWidget(parent), mDebounce(new QTimer(this)) {
    auto* layout = new QHBoxLayout(this);
    layout->setContentsMargins(4, 0, 4, 0);
    const char* names[3] = {"R", "G", "B"};
    const QColor colours[3] = {QColor(200, 30, 30), QColor(30, 140, 30), QColor(30, 60, 200)};
    for (int c = 0; c < 3; ++c) {
        auto* label = new QLabel(names[c], this);
        label->setStyleSheet(QString("color: %1; font-weight: bold;").arg(colours[c].name()));
        mRgb[c] = new QDoubleSpinBox(this);
        mRgb[c]->setObjectName(QString("compositeNm") + names[c]);
        mRgb[c]->setDecimals(1);
        mRgb[c]->setRange(300, 4000);
        mRgb[c]->setSuffix(" nm");
        mRgb[c]->setToolTip(tr("Wavelength shown in %1; the nearest channel is used").arg(names[c]));
        mRgb[c]->setKeyboardTracking(false);
        layout->addWidget(label);
        layout->addWidget(mRgb[c]);
        connect(mRgb[c], &QDoubleSpinBox::valueChanged, mDebounce, qOverload<>(&QTimer::start));
    }
    layout->addSpacing(12);
    layout->addWidget(new QLabel(tr("Stretch"), this));
    mLow = new QDoubleSpinBox(this);
    mHigh = new QDoubleSpinBox(this);
    mLow->setObjectName("stretchLow");
    mHigh->setObjectName("stretchHigh");
    for (auto* box : {mLow, mHigh}) {
        box->setDecimals(1);
        box->setSuffix(" %");
        box->setSingleStep(0.5);
        box->setKeyboardTracking(false);
        connect(box, &QDoubleSpinBox::valueChanged, mDebounce, qOverload<>(&QTimer::start));
    }
    mLow->setRange(0, 49.5);
    mHigh->setRange(50.5, 100);
    mLow->setValue(Stretch{}.lowPercent);
    mHigh->setValue(Stretch{}.highPercent);
    mDebounce->stop();
    mLow->setToolTip(tr("Lower percent clip: values below this percentile show black"));
    mHigh->setToolTip(tr("Upper percent clip: values above this percentile show white"));
    layout->addWidget(mLow);
    layout->addWidget(new QLabel(QString::fromUtf8("–"), this));
    layout->addWidget(mHigh);
    auto* reset = new QToolButton(this);
    reset->setText(tr("Default"));
    reset->setToolTip(tr("Back to the default channels and the 2–98 % stretch"));
    connect(reset, &QToolButton::clicked, this, &CompositeControls::resetRequested);
    layout->addWidget(reset);

    mDebounce->setSingleShot(true);
    mDebounce->setInterval(200);
    connect(mDebounce, &QTimer::timeout, this, &CompositeControls::changed);
    setEnabled(false);
}

void CompositeControls::setScene(const std::vector<double>& wavelengthsNm, const RgbChannels& rgb, const Stretch& stretch) {
    mDebounce->stop(); // the values set here are what is shown, not a request
    mDefault = defaultRgbChannels(wavelengthsNm);
    for (int c = 0; c < 3; ++c) {
        const QSignalBlocker block(mRgb[c]);
        mRgb[c]->setRange(wavelengthsNm.front(), wavelengthsNm.back());
        mRgb[c]->setValue(rgb.wavelengthsNm[c]);
    }
    const QSignalBlocker blockLow(mLow), blockHigh(mHigh);
    mLow->setValue(stretch.lowPercent);
    mHigh->setValue(stretch.highPercent);
    setEnabled(!wavelengthsNm.empty());
}

RgbChannels CompositeControls::channels() const {
    RgbChannels rgb;
    for (int c = 0; c < 3; ++c) rgb.wavelengthsNm[c] = mRgb[c]->value();
    rgb.name = rgb.wavelengthsNm == mDefault.wavelengthsNm ? mDefault.name : "custom";
    return rgb;
}

Stretch CompositeControls::stretch() const { return {mLow->value(), mHigh->value()}; }

bool CompositeControls::hasPendingChange() const { return mDebounce->isActive(); }

} // namespace jezero::ui
