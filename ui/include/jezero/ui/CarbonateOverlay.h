#pragma once
// The carbonate overlay's controls and its image: where a map (the prediction's exceedance
// probability, its carbonate parameter, or the scene's own) is above a threshold, in blobs of at least
// a minimum size, drawn in translucent magenta over the composite.
#include "jezero/core/ImageStack.h"

#include <QImage>
#include <QWidget>

#include <map>

class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QSpinBox;

namespace jezero::ui {

class CarbonateOverlay : public QWidget {
    Q_OBJECT
public:
    explicit CarbonateOverlay(QWidget* parent = nullptr);

    // A map the overlay can threshold (one channel); defaultThreshold is set when it is chosen.
    void setSource(const QString& name, const ImageStack& map, double defaultThreshold);
    void clearSources();
    void setSourceShown(const QString& name);
    void setThreshold(double threshold);
    void setMinimumBlob(int pixels);
    void setEnabledOverlay(bool on);
    bool overlayEnabled() const;
    QString currentSource() const;
    const QImage& image() const { return mImage; } // null when off or without a source
    int blobCount() const { return mBlobs; }
    std::size_t pixelCount() const { return mPixels; }
    double threshold() const;

signals:
    void overlayChanged(const QImage& image);

private:
    void update();

    QCheckBox* mShow;
    QComboBox* mSource;
    QDoubleSpinBox* mThreshold;
    QSpinBox* mMinimumBlob;
    QLabel* mSummary;
    std::map<QString, std::pair<ImageStack, double>> mSources;
    QImage mImage;
    int mBlobs = 0;
    std::size_t mPixels = 0;
};

} // namespace jezero::ui
