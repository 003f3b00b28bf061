#pragma once
// Toolbar controls for the composite: the wavelength of each of R, G, B (snapped to the cube's
// nearest channel) and the percent-clip stretch. Emits changed() once the user pauses.
#include "jezero/core/Composite.h"

#include <QWidget>

class QDoubleSpinBox;
class QTimer;

namespace jezero::ui {

class CompositeControls : public QWidget {
    Q_OBJECT
public:
    explicit CompositeControls(QWidget* parent = nullptr);

    // The cube's channels (for snapping) and the composite now shown; emits nothing.
    void setScene(const std::vector<double>& wavelengthsNm, const RgbChannels& rgb, const Stretch& stretch);

    RgbChannels channels() const;
    Stretch stretch() const;
    // A change the user made that changed() has not reported yet (the debounce still runs).
    bool hasPendingChange() const;

signals:
    void changed();
    void resetRequested();

private:
    QDoubleSpinBox* mRgb[3];
    QDoubleSpinBox* mLow;
    QDoubleSpinBox* mHigh;
    QTimer* mDebounce;
    RgbChannels mDefault; // the scene's default channels, to name an unchanged choice
};

} // namespace jezero::ui
