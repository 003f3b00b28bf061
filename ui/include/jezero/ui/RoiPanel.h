#pragma once
// The "ROIs" dock: tools to draw rectangle, polygon and freehand ROIs, the list of a scene's ROIs
// (name editable, pixel count), delete, save/load as GeoJSON, and a ratio spectrum of two ROIs.
#include "jezero/core/Roi.h"
#include "jezero/ui/SceneView.h"

#include <QWidget>

#include <optional>

class QComboBox;
class QListWidget;
class QToolButton;

namespace jezero::ui {

class RoiPanel : public QWidget {
    Q_OBJECT
public:
    explicit RoiPanel(QWidget* parent = nullptr);

    // Shows the ROIs with their pixel counts (none while an ROI is being measured); keeps the ratio
    // choices where they still exist.
    void setRois(const std::vector<Roi>& rois, const std::vector<std::optional<std::size_t>>& pixelCounts);
    void setTool(SceneView::Tool tool); // reflects the view's tool in the buttons
    int count() const;

signals:
    void toolChosen(jezero::ui::SceneView::Tool tool);
    void renamed(int index, const QString& name);
    void removeRequested(int index);
    void saveRequested();
    void loadRequested();
    void ratioRequested(int numerator, int denominator);

private:
    QListWidget* mList;
    QComboBox* mNumerator;
    QComboBox* mDenominator;
    QToolButton* mTools[4];
};

} // namespace jezero::ui
