#pragma once
// The loss curves of a training run: the training loss as the step events of `jezero-cli train`
// report it, and the validation loss of each epoch, over the optimizer step (log-scale loss). Also
// reads a run's training_log.csv (step and epoch rows, as the JSON lines; the curves use the epoch
// rows) for runs that are not running.
#include <QPointF>
#include <QVector>
#include <QWidget>

class QCustomPlot;
class QCPGraph;

namespace jezero::ui {

// What a run's training_log.csv says (columns found by the header's names).
struct TrainingLog {
    QVector<QPointF> training;   // (step, mean training loss of the epoch) per epoch row
    QVector<QPointF> validation; // (step, validation loss) per epoch row that had a val split
    int epochsDone = 0;          // the last epoch row's epoch
    double valLoss = -1;         // of the last epoch row; -1 when none
    double valRmse = -1;
    bool canceled = false;       // the last row is a cancel (the run can be resumed)
    static TrainingLog read(const QString& csvPath); // empty when the file is missing or unreadable
};

class TrainingCurves : public QWidget {
    Q_OBJECT
public:
    explicit TrainingCurves(QWidget* parent = nullptr);

    void clear(const QString& title);
    void setCurves(const QString& title, const QVector<QPointF>& training, const QVector<QPointF>& validation);
    // Live points; losses that are not positive cannot be drawn on the log axis and are left out.
    void addTraining(double step, double loss);
    void addValidation(double step, double loss);

    int trainingPointCount() const;
    int validationPointCount() const;
    QString title() const { return mTitle; }
    QCustomPlot* plot() const { return mPlot; }

private:
    void rescale();

    QCustomPlot* mPlot;
    QCPGraph* mTraining;
    QCPGraph* mValidation;
    QString mTitle;
};

} // namespace jezero::ui
