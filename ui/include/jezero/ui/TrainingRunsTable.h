#pragma once
// The Training dialog's list of runs (those started from this workstation, RecentPaths::trainingRuns):
// per run its model, the epochs done and the last epoch's validation loss and RMSE, read from the run
// folder's config.json and training_log.csv.
#include "jezero/ui/TrainingCurves.h"

#include <QTableWidget>

namespace jezero::ui {

// What a run folder holds.
struct TrainingRunSummary {
    QString directory;
    QString model;              // unet, resnet34, diffusion; empty when no config could be read
    int baseWidth = 0, depth = 0;
    int epochs = 0;             // as configured
    TrainingLog log;
    bool hasLatest = false;     // latest.pt: the run can go on from there
    bool hasBest = false;       // best.pt: the checkpoint for prediction
    static TrainingRunSummary read(const QString& runDirectory);
    bool resumable() const { return hasLatest && log.epochsDone < epochs; }
};

class TrainingRunsTable : public QTableWidget {
    Q_OBJECT
public:
    enum Column { Run, Model, Epochs, ValLoss, ValRmse, Columns };
    explicit TrainingRunsTable(QWidget* parent = nullptr);

    // Shows these runs (most recent first), keeping the selection; runningRun is marked as running.
    void setRuns(const QStringList& runs, const QString& runningRun);
    void updateRun(const QString& run, bool running); // re-reads one run's folder
    int rowOf(const QString& run) const;               // -1 when not listed
    QString selectedRun() const;                        // empty when none
    void selectRun(const QString& run);

signals:
    void runSelected(const QString& run); // empty when the selection is cleared

private:
    void fillRow(int row, const QString& run, bool running);
};

} // namespace jezero::ui
