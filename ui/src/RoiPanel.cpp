#include "jezero/ui/RoiPanel.h"

#include <QButtonGroup>
#include <QComboBox>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QListWidget>
#include <QPushButton>
#include <QSignalBlocker>
#include <QToolButton>
#include <QVBoxLayout>

namespace jezero::ui {

RoiPanel::RoiPanel(QWidget* parent)
    : QWidget(parent), mList(new QListWidget(this)), mNumerator(new QComboBox(this)), mDenominator(new QComboBox(this)) {
    setObjectName("roiPanel");
    auto* layout = new QVBoxLayout(this);
    auto* tools = new QHBoxLayout;
    auto* group = new QButtonGroup(this);
    const QString names[] = {tr("Inspect"), tr("Rectangle"), tr("Polygon"), tr("Freehand")};
    const QString tips[] = {tr("Click a pixel for its spectrum; drag to pan"), tr("Drag a rectangle"),
                            tr("Click the vertices; double-click or Enter closes; Esc cancels"), tr("Drag a closed outline")};
    for (int i = 0; i < 4; ++i) {
        mTools[i] = new QToolButton(this);
        mTools[i]->setText(names[i]);
        mTools[i]->setToolTip(tips[i]);
        mTools[i]->setCheckable(true);
        mTools[i]->setObjectName("roiTool" + names[i]);
        group->addButton(mTools[i], i);
        tools->addWidget(mTools[i]);
    }
    mTools[0]->setChecked(true);
    connect(group, &QButtonGroup::idClicked, this, [this](int id) { emit toolChosen(static_cast<SceneView::Tool>(id)); });
    layout->addLayout(tools);

    mList->setObjectName("roiList");
    mList->setToolTip(tr("Double-click a name to rename it"));
    layout->addWidget(mList, 1);
    connect(mList, &QListWidget::itemChanged, this, [this](QListWidgetItem* item) {
        emit renamed(mList->row(item), item->text());
    });

    auto* buttons = new QHBoxLayout;
    auto* remove = new QPushButton(tr("Delete"), this);
    auto* save = new QPushButton(tr("Save..."), this);
    auto* load = new QPushButton(tr("Load..."), this);
    remove->setObjectName("roiDelete");
    connect(remove, &QPushButton::clicked, this, [this] {
        if (mList->currentRow() >= 0) emit removeRequested(mList->currentRow());
    });
    connect(save, &QPushButton::clicked, this, &RoiPanel::saveRequested);
    connect(load, &QPushButton::clicked, this, &RoiPanel::loadRequested);
    buttons->addWidget(remove);
    buttons->addWidget(save);
    buttons->addWidget(load);
    layout->addLayout(buttons);

    auto* ratio = new QGridLayout;
    ratio->addWidget(new QLabel(tr("Ratio:"), this), 0, 0);
    mNumerator->setObjectName("ratioNumerator");
    mDenominator->setObjectName("ratioDenominator");
    ratio->addWidget(mNumerator, 0, 1);
    ratio->addWidget(new QLabel(QString::fromUtf8("÷"), this), 0, 2);
    ratio->addWidget(mDenominator, 0, 3);
    auto* show = new QPushButton(tr("Plot ratio"), this);
    show->setObjectName("ratioPlot");
    show->setToolTip(tr("Mean spectrum of the first ROI divided by that of the second (e.g. a target over a bland, dusty area)"));
    connect(show, &QPushButton::clicked, this, [this] {
        if (mNumerator->currentIndex() >= 0 && mDenominator->currentIndex() >= 0)
            emit ratioRequested(mNumerator->currentIndex(), mDenominator->currentIndex());
    });
    ratio->addWidget(show, 1, 1, 1, 3);
    ratio->setColumnStretch(1, 1);
    ratio->setColumnStretch(3, 1);
    layout->addLayout(ratio);
}

void RoiPanel::setRois(const std::vector<Roi>& rois, const std::vector<std::optional<std::size_t>>& pixelCounts) {
    const QSignalBlocker block(mList);
    const int numerator = mNumerator->currentIndex(), denominator = mDenominator->currentIndex();
    mList->clear();
    mNumerator->clear();
    mDenominator->clear();
    for (std::size_t i = 0; i < rois.size(); ++i) {
        const Roi& roi = rois[i];
        const QString name = QString::fromStdString(roi.name);
        QPixmap swatch(12, 12);
        swatch.fill(QColor(roi.colour[0], roi.colour[1], roi.colour[2]));
        auto* item = new QListWidgetItem(QIcon(swatch), name);
        const QString shape = QString::fromStdString(roiShapeName(roi.shape));
        item->setToolTip(pixelCounts[i] ? tr("%1, %2 pixels").arg(shape).arg(*pixelCounts[i]) : tr("%1, measuring…").arg(shape));
        item->setFlags(item->flags() | Qt::ItemIsEditable);
        mList->addItem(item);
        mNumerator->addItem(QIcon(swatch), name);
        mDenominator->addItem(QIcon(swatch), name);
    }
    const int n = static_cast<int>(rois.size());
    mNumerator->setCurrentIndex(numerator >= 0 && numerator < n ? numerator : (n ? 0 : -1));
    mDenominator->setCurrentIndex(denominator >= 0 && denominator < n ? denominator : n - 1);
}

void RoiPanel::setTool(SceneView::Tool tool) { mTools[static_cast<int>(tool)]->setChecked(true); }

int RoiPanel::count() const { return mList->count(); }

} // namespace jezero::ui
