#include "jezero/ui/ChannelLegend.h"

#include <QComboBox>
#include <QGridLayout>
#include <QLabel>
#include <QLinearGradient>
#include <QPainter>

namespace jezero::ui {
namespace {

// Black to the channel's full colour: how the map shows the channel's low to high limit.
class Ramp : public QWidget {
public:
    Ramp(QColor colour, QWidget* parent) : QWidget(parent), mColour(colour) {
        setMinimumSize(60, 10);
        setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Fixed);
    }

protected:
    void paintEvent(QPaintEvent*) override {
        QPainter painter(this);
        QLinearGradient gradient(rect().topLeft(), rect().topRight());
        gradient.setColorAt(0, Qt::black);
        gradient.setColorAt(1, mColour);
        painter.fillRect(rect(), gradient);
    }

private:
    QColor mColour;
};

} // namespace

ChannelLegend::ChannelLegend(QWidget* parent) : QWidget(parent), mStretchLabel(new QLabel(tr("Stretch"), this)), mStretch(new QComboBox(this)) {
    setObjectName("channelLegend");
    auto* grid = new QGridLayout(this);
    grid->setContentsMargins(4, 2, 4, 2);
    grid->setVerticalSpacing(1);
    const char* letters[3] = {"R", "G", "B"};
    const QColor colours[3] = {Qt::red, Qt::green, Qt::blue};
    for (int c = 0; c < 3; ++c) {
        auto* letter = new QLabel(letters[c], this);
        letter->setStyleSheet(QString("color: %1; font-weight: bold").arg(colours[c].darker(120).name()));
        mNames[c] = new QLabel(this);
        mNames[c]->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
        mLimits[c] = new QLabel(this);
        grid->addWidget(letter, c, 0);
        grid->addWidget(mNames[c], c, 1);
        grid->addWidget(new Ramp(colours[c], this), c, 2);
        grid->addWidget(mLimits[c], c, 3);
    }
    grid->setColumnStretch(1, 2);
    grid->setColumnStretch(2, 3);
    mStretch->setObjectName("browseStretch");
    mStretch->addItem(tr("CRISM standard limits"), CrismStandard);
    mStretch->addItem(tr("2–98 % of each channel"), Percent2);
    mStretch->addItem(tr("0.1–99.9 % of each channel"), Percent01);
    mStretch->setToolTip(tr("How the browse product's parameters map to colour: the limits of CRISM's browse products (the same on every scene, "
                            "so scenes compare), or percentiles of this scene's own values (when they sit far inside or beyond those limits)"));
    grid->addWidget(mStretchLabel, 3, 0, 1, 2);
    grid->addWidget(mStretch, 3, 2, 1, 2);
    mStretchLabel->hide();
    mStretch->hide();
    connect(mStretch, &QComboBox::activated, this, [this](int index) { emit browseStretchChosen(mStretch->itemData(index).toInt()); });
}

void ChannelLegend::showBrowseStretch(bool shown, int mode) {
    mStretchLabel->setVisible(shown);
    mStretch->setVisible(shown);
    const int index = mStretch->findData(mode);
    if (index >= 0) mStretch->setCurrentIndex(index);
}

int ChannelLegend::browseStretch() const { return mStretch->currentData().toInt(); }

void ChannelLegend::setChannels(const QStringList& names, const std::array<ChannelRange, 3>& channels) {
    for (int c = 0; c < 3; ++c) {
        mNames[c]->setText(names.value(c));
        mLimits[c]->setText(QString("%1 … %2").arg(channels[c].low, 0, 'g', 4).arg(channels[c].high, 0, 'g', 4));
    }
}

QStringList ChannelLegend::channelNames() const { return {mNames[0]->text(), mNames[1]->text(), mNames[2]->text()}; }

QString ChannelLegend::text(int channel) const {
    const char* letters[3] = {"R", "G", "B"};
    return QString("%1  %2  %3").arg(letters[channel], mNames[channel]->text(), mLimits[channel]->text());
}

} // namespace jezero::ui
