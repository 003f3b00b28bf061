#include "jezero/ui/MapScaleBar.h"

#include "jezero/ui/ParametersPanel.h"

#include "jezero/core/BrowseProducts.h"

#include <QComboBox>
#include <QDoubleSpinBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLinearGradient>
#include <QPainter>
#include <QSettings>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>

namespace jezero::ui {

// The colour table from its first to its last colour, under the histogram of the values between
// the limits (where the stretch puts the scene's values, and how much it clips).
class ColourStrip : public QWidget {
public:
    explicit ColourStrip(QWidget* parent) : QWidget(parent) {
        setMinimumSize(120, 30);
        setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Fixed);
    }
    void setTable(ColourTable table) {
        mTable = table;
        update();
    }
    const ValueHistogram& histogram() const { return mHistogram; }
    void setHistogram(ValueHistogram histogram) {
        mHistogram = std::move(histogram);
        update();
    }

protected:
    void paintEvent(QPaintEvent*) override {
        QPainter painter(this);
        const QRect bars(0, 0, width(), height() / 2), strip(0, height() / 2, width(), height() - height() / 2);
        painter.fillRect(bars, palette().color(QPalette::Base));
        const double tallest = mHistogram.shares.empty() ? 0 : *std::max_element(mHistogram.shares.begin(), mHistogram.shares.end());
        if (tallest > 0) {
            const double w = double(bars.width()) / mHistogram.shares.size();
            for (std::size_t i = 0; i < mHistogram.shares.size(); ++i) {
                const double h = mHistogram.shares[i] / tallest * (bars.height() - 1);
                painter.fillRect(QRectF(i * w, bars.bottom() + 1 - h, std::max(1.0, w - 0.5), h), palette().color(QPalette::Dark));
            }
        }
        QLinearGradient gradient(strip.topLeft(), strip.topRight());
        for (int i = 0; i <= 16; ++i) {
            const auto c = colourAt(mTable, i / 16.0);
            gradient.setColorAt(i / 16.0, QColor(c[0], c[1], c[2]));
        }
        painter.fillRect(strip, gradient);
        painter.setPen(palette().color(QPalette::Mid));
        painter.drawRect(rect().adjusted(0, 0, -1, -1));
    }

private:
    ColourTable mTable = ColourTable::Grey;
    ValueHistogram mHistogram;
};

namespace {
enum Mode { Percent2, Percent01, Fixed, CrismBrowse }; // stored by number: new modes go last
constexpr int kLastMode = CrismBrowse;
QString key(const QString& parameter, const char* what) { return "mapScale/" + parameter + "/" + what; }
int rememberedMode(const QString& parameter) { return std::clamp(QSettings().value(key(parameter, "mode"), Percent2).toInt(), 0, kLastMode); }
} // namespace

MapScaleBar::MapScaleBar(QWidget* parent)
    : QWidget(parent), mName(new QLabel), mStrip(new ColourStrip(this)), mLow(new QDoubleSpinBox), mHigh(new QDoubleSpinBox), mMode(new QComboBox),
      mTable(new QComboBox) {
    setObjectName("mapScaleBar");
    // Two rows, so that it fits under a narrow map: the bar with its limits, then how they are set.
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 2, 4, 2);
    layout->setSpacing(2);
    auto* bar = new QHBoxLayout;
    auto* settings = new QHBoxLayout;
    layout->addLayout(bar);
    layout->addLayout(settings);
    mName->setObjectName("mapScaleName");
    for (QDoubleSpinBox* box : {mLow, mHigh}) {
        box->setRange(-1e6, 1e6);
        box->setDecimals(4);
        box->setSingleStep(0.001);
        box->setKeyboardTracking(false);
        box->setToolTip(tr("Values at or beyond this limit take the table's end colour. Editing it fixes the limits for this parameter."));
        connect(box, &QDoubleSpinBox::valueChanged, this, [this] {
            if (mUpdating) return;
            mUpdating = true;
            mMode->setCurrentIndex(Fixed);
            mUpdating = false;
            remember();
            emit changed();
        });
    }
    mLow->setObjectName("mapScaleLow");
    mHigh->setObjectName("mapScaleHigh");
    bar->addWidget(mLow);
    bar->addWidget(mStrip, 1);
    bar->addWidget(mHigh);
    settings->addWidget(mName, 1); // the room left over (none when two maps share the width)
    settings->addStretch(1);
    settings->addWidget(new QLabel(tr("Limits")));
    mMode->setObjectName("mapScaleMode");
    mMode->addItems({tr("2–98 % of this scene"), tr("0.1–99.9 % of this scene"), tr("fixed"), tr("CRISM browse stretch")});
    mMode->setToolTip(tr("Percentiles follow each scene; fixed limits stay with the parameter for every scene; the CRISM browse "
                         "stretch is the one the CRISM team's browse products give this parameter (2–98 % for a parameter in none)"));
    settings->addWidget(mMode);
    settings->addWidget(new QLabel(tr("Colours")));
    mTable->setObjectName("mapScaleTable");
    for (const auto& name : colourTableNames()) mTable->addItem(QString::fromStdString(name));
    settings->addWidget(mTable);
    // The choices may shrink (their list still shows whole): two maps side by side share the width.
    for (QComboBox* box : {mMode, mTable}) {
        box->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
        box->setMinimumContentsLength(5);
    }
    mName->setMinimumWidth(0);
    mName->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
    for (QComboBox* box : {mMode, mTable})
        connect(box, &QComboBox::currentIndexChanged, this, [this] {
            if (mUpdating) return;
            remember();
            emit changed();
        });
}

MapScale MapScaleBar::rememberedScale(const QString& parameter, const ImageStack& image, int channel) {
    const QSettings settings;
    MapScale scale;
    scale.table = ColourTable::Grey;
    try {
        scale.table = parseColourTable(settings.value(key(parameter, "table"), "grey").toString().toStdString());
    } catch (const std::exception&) {
    }
    const int mode = rememberedMode(parameter);
    if (mode == CrismBrowse) {
        if (const auto stretch = browseStretchOf(parameter.toStdString()); stretch && channel >= 0) {
            std::vector<float> values(image.pixelCount());
            for (std::size_t p = 0; p < values.size(); ++p) values[p] = image.values[p * image.channels() + channel];
            scale.low = stretch->low.resolve(values);
            scale.high = stretch->high.resolve(std::move(values));
            if (std::isfinite(scale.low) && std::isfinite(scale.high) && scale.high > scale.low) return scale;
        }
        const MapScale p = percentileScale(image, channel, 2, 98, scale.table); // in no browse product
        scale.low = p.low, scale.high = p.high;
    } else if (mode == Fixed) {
        scale.low = settings.value(key(parameter, "low"), 0.0).toDouble();
        scale.high = settings.value(key(parameter, "high"), 1.0).toDouble();
    } else {
        const MapScale p = mode == Percent2 ? percentileScale(image, channel, 2, 98, scale.table) : percentileScale(image, channel, 0.1, 99.9, scale.table);
        scale.low = p.low, scale.high = p.high;
    }
    return scale;
}

MapScale MapScaleBar::scaleFor(const QString& parameter, const ImageStack& image, int channel) {
    mParameter = parameter;
    const MapScale scale = rememberedScale(parameter, image, channel);
    const int mode = rememberedMode(parameter);
    mUpdating = true;
    mName->setText(parameterWithUnit(parameter));
    mName->setToolTip(parameterToolTip(parameter.toStdString()));
    mMode->setCurrentIndex(mode);
    mTable->setCurrentIndex(static_cast<int>(scale.table));
    mLow->setValue(scale.low);
    mHigh->setValue(scale.high);
    mStrip->setTable(scale.table);
    if (channel >= 0 && scale.high > scale.low) {
        const ValueHistogram histogram = channelHistogram(image, channel, scale.low, scale.high, 48);
        mStrip->setToolTip(tr("Histogram of the scene's values between the limits; %1 % of them below, %2 % above (shown as the end colours)")
                               .arg(histogram.below * 100, 0, 'f', 1)
                               .arg(histogram.above * 100, 0, 'f', 1));
        mStrip->setHistogram(histogram);
    } else {
        mStrip->setHistogram({});
    }
    mUpdating = false;
    return scale;
}

const ValueHistogram& MapScaleBar::histogram() const { return mStrip->histogram(); }

bool MapScaleBar::fixedLimits() const { return mMode->currentIndex() == Fixed; }
void MapScaleBar::setFixedLimits(double low, double high) {
    mUpdating = true;
    mLow->setValue(low);
    mHigh->setValue(high);
    mMode->setCurrentIndex(Fixed);
    mUpdating = false;
    remember();
    emit changed();
}
void MapScaleBar::setColourTable(ColourTable table) { mTable->setCurrentIndex(static_cast<int>(table)); }
ColourTable MapScaleBar::colourTable() const { return static_cast<ColourTable>(mTable->currentIndex()); }
double MapScaleBar::low() const { return mLow->value(); }
double MapScaleBar::high() const { return mHigh->value(); }

void MapScaleBar::remember() const {
    if (mParameter.isEmpty()) return;
    QSettings settings;
    settings.setValue(key(mParameter, "mode"), mMode->currentIndex());
    settings.setValue(key(mParameter, "table"), mTable->currentText());
    if (mMode->currentIndex() == Fixed) {
        settings.setValue(key(mParameter, "low"), mLow->value());
        settings.setValue(key(mParameter, "high"), mHigh->value());
    }
}

} // namespace jezero::ui
