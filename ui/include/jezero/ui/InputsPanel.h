#pragma once
// The "Model inputs" dock: the four inputs a model would see for the open scene — PNR, 4-band, PCA
// and rectangular filters — side by side, recomputed in the background whenever the scene, the filter
// curves or the rectangular ranges change.
#include "jezero/core/FilterResponse.h"
#include "jezero/core/SpectralCube.h"

#include <QWidget>

#include <memory>

class QCheckBox;
class QLabel;
class QLineEdit;

namespace jezero::ui {

class ImageThumbnail;

class InputsPanel : public QWidget {
    Q_OBJECT
public:
    explicit InputsPanel(QWidget* parent = nullptr);

    void setScene(std::shared_ptr<const SpectralCube> cube);
    void setFilters(const FilterSet& filters);
    // Caption of preview i (0 PNR, 1 4-band, 2 PCA, 3 rect), e.g. for tests.
    QString caption(int i) const;
    bool hasImage(int i) const;
    QSize sizeHint() const override { return {900, 230}; }

signals:
    void previewsUpdated();

private:
    void recompute();

    ImageThumbnail* mImages[4];
    QLabel* mCaptions[4];
    QLineEdit* mRanges;
    QCheckBox* mNearest;
    std::shared_ptr<const SpectralCube> mCube;
    FilterSet mFilters;
    int mGeneration = 0;
};

} // namespace jezero::ui
