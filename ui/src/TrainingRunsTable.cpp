#include "jezero/ui/TrainingRunsTable.h"

#include "jezero/core/Error.h"
#include "jezero/core/TrainingConfig.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QHeaderView>

namespace jezero::ui {
namespace {

constexpr int kPathRole = Qt::UserRole;

QString number(double v) { return v >= 0 ? QString::number(v, 'g', 4) : QStringLiteral("—"); } // -1: no val split

} // namespace

TrainingRunSummary TrainingRunSummary::read(const QString& runDirectory) {
    TrainingRunSummary s;
    s.directory = runDirectory;
    // config.json is what the trainer runs with; until it has written one, the dialog's request.
    for (const char* name : {"config.json", "requested_config.json"}) {
        const QString path = runDirectory + "/" + name;
        if (!QFileInfo::exists(path)) continue;
        try {
            const TrainingConfig config = TrainingConfig::read(QFile::encodeName(path).toStdString());
            s.model = QString::fromStdString(config.model);
            s.baseWidth = config.baseWidth;
            s.depth = config.depth;
            s.epochs = config.epochs;
            break;
        } catch (const Error&) {
            // an unreadable config: the run is listed without its model
        }
    }
    s.log = TrainingLog::read(runDirectory + "/training_log.csv");
    s.hasLatest = QFileInfo::exists(runDirectory + "/latest.pt");
    s.hasBest = QFileInfo::exists(runDirectory + "/best.pt");
    return s;
}

TrainingRunsTable::TrainingRunsTable(QWidget* parent) : QTableWidget(0, Columns, parent) {
    setObjectName("trainingRuns");
    setHorizontalHeaderLabels({tr("Run"), tr("Model"), tr("Epochs"), tr("Val loss"), tr("Val RMSE")});
    horizontalHeaderItem(ValLoss)->setToolTip(tr("Validation loss of the last epoch (normalised units)"));
    horizontalHeaderItem(ValRmse)->setToolTip(tr("Validation RMSE of the last epoch, in the target's units (mean over channels)"));
    setSelectionBehavior(QAbstractItemView::SelectRows);
    setSelectionMode(QAbstractItemView::SingleSelection);
    setEditTriggers(QAbstractItemView::NoEditTriggers);
    verticalHeader()->setVisible(false);
    horizontalHeader()->setSectionResizeMode(Run, QHeaderView::Stretch);
    for (int c = Model; c < Columns; ++c) horizontalHeader()->setSectionResizeMode(c, QHeaderView::ResizeToContents);
    connect(this, &QTableWidget::itemSelectionChanged, this, [this] { emit runSelected(selectedRun()); });
}

void TrainingRunsTable::setRuns(const QStringList& runs, const QString& runningRun) {
    const QString selected = selectedRun();
    {
        const QSignalBlocker quiet(this); // refilling is not a change of selection
        setRowCount(0);
        setRowCount(static_cast<int>(runs.size()));
        for (int row = 0; row < rowCount(); ++row) fillRow(row, runs[row], runs[row] == runningRun);
        clearSelection();
        const int row = rowOf(selected);
        if (row >= 0) selectRow(row);
    }
    if (selectedRun() != selected) emit runSelected(selectedRun()); // the selected run left the list
}

void TrainingRunsTable::updateRun(const QString& run, bool running) {
    const int row = rowOf(run);
    if (row >= 0) fillRow(row, run, running);
}

void TrainingRunsTable::fillRow(int row, const QString& run, bool running) {
    const TrainingRunSummary s = TrainingRunSummary::read(run);
    const QString model = s.model.isEmpty() ? QStringLiteral("?") : tr("%1 (width %2, depth %3)").arg(s.model).arg(s.baseWidth).arg(s.depth);
    QString epochs = tr("%1 / %2").arg(s.log.epochsDone).arg(s.epochs);
    if (running) epochs += tr(", running");
    else if (s.log.canceled) epochs += tr(", stopped");
    const QString cells[Columns] = {QFileInfo(run).fileName(), model, epochs, number(s.log.valLoss), number(s.log.valRmse)};
    for (int c = 0; c < Columns; ++c) {
        auto* item = new QTableWidgetItem(cells[c]);
        item->setData(kPathRole, run);
        item->setToolTip(QDir::toNativeSeparators(run));
        if (c >= Epochs) item->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
        setItem(row, c, item);
    }
}

int TrainingRunsTable::rowOf(const QString& run) const {
    for (int row = 0; row < rowCount(); ++row)
        if (item(row, Run) && item(row, Run)->data(kPathRole).toString() == run) return row;
    return -1;
}

QString TrainingRunsTable::selectedRun() const {
    const QList<QTableWidgetItem*> items = selectedItems();
    return items.isEmpty() ? QString() : items.first()->data(kPathRole).toString();
}

void TrainingRunsTable::selectRun(const QString& run) {
    const int row = rowOf(run);
    if (row < 0) return;
    if (row == currentRow() && selectedRun() == run) emit runSelected(run); // already selected: show it again
    else selectRow(row);
}

} // namespace jezero::ui
