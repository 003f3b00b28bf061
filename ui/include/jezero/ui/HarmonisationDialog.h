#pragma once
// A CaSSIS prediction's harmonisation, step by step (issue 16): the model input as the image gave it |
// calibrated against an overlapping CRISM scene (when it was) | as the network was given it, at the
// model's scale (PSF, resampling, the training match) — every panel on one stretch spanning theirs, so a
// gain, an offset or the loss of detail shows; zoom and pan linked; the chain's numbers beneath.
#include "jezero/ui/ComparisonView.h"

#include <QDialog>
#include <QString>

#include <vector>

class QCheckBox;
class QGridLayout;
class QLabel;
class QTableWidget;

namespace jezero::ui {

class SceneView;

class HarmonisationDialog : public QDialog {
    Q_OBJECT
public:
    explicit HarmonisationDialog(QWidget* parent = nullptr);

    // Whether result has a step to show (a CaSSIS prediction with its model-input sidecar).
    static bool hasSteps(const ComparisonResult& result);
    // Throws Error when the images' grids or channels differ.
    void setResult(const ComparisonResult& result);

    int panelCount() const { return static_cast<int>(mViews.size()); }
    SceneView* panel(int index) const { return mViews.at(index); }
    QString panelTitle(int index) const;
    QTableWidget* numbers() const { return mNumbers; }
    // On (the default): every panel on one stretch spanning each one's percentiles; off: each on its own.
    QCheckBox* oneStretch() const { return mOneStretch; }

private:
    void render();

    QGridLayout* mPanels;
    std::vector<SceneView*> mViews;
    std::vector<QLabel*> mTitles;
    QLabel* mNote;
    QTableWidget* mNumbers;
    QCheckBox* mOneStretch;
    std::vector<const ImageStack*> mImages; // into the comparison's result: the comparison deletes this dialog when its result changes
    QString mTitle;
};

} // namespace jezero::ui
