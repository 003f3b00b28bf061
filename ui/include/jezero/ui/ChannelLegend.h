#pragma once
// Under a three-channel map (the composite, a browse product): what red, green and blue show and
// between which values — "R  D2300  0.005 … 0.035" — each with its black-to-colour ramp; for a browse
// product, how its channels are stretched (CRISM's standard limits, or percentiles of its own values).
#include "jezero/core/Composite.h"

#include <QStringList>
#include <QWidget>

#include <array>

class QComboBox;
class QLabel;

namespace jezero::ui {

class ChannelLegend : public QWidget {
    Q_OBJECT
public:
    explicit ChannelLegend(QWidget* parent = nullptr);
    // names: what each channel shows ("I/F 600 nm", "D2300"); the limits are the image's own.
    void setChannels(const QStringList& names, const std::array<ChannelRange, 3>& channels);
    QString text(int channel) const; // "R  D2300  0.005 … 0.035", for tests
    QStringList channelNames() const;
    // The stretch choice under the channels (browse products): shown with mode chosen, or hidden.
    enum BrowseStretch { CrismStandard = 0, Percent2 = 1, Percent01 = 2 };
    void showBrowseStretch(bool shown, int mode = CrismStandard);
    int browseStretch() const;

signals:
    void browseStretchChosen(int mode);

private:
    std::array<QLabel*, 3> mNames{}, mLimits{};
    QLabel* mStretchLabel;
    QComboBox* mStretch;
};

} // namespace jezero::ui
