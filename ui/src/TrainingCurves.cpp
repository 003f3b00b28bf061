#include "jezero/ui/TrainingCurves.h"

#include <QFile>
#include <QVBoxLayout>

#include <qcustomplot.h>

#include <algorithm>
#include <cmath>
#include <limits>

namespace jezero::ui {

TrainingLog TrainingLog::read(const QString& csvPath) {
    TrainingLog log;
    QFile file(csvPath);
    if (!file.open(QIODevice::ReadOnly | QIODevice::Text)) return log;
    const QStringList header = QString::fromUtf8(file.readLine()).trimmed().split(',');
    const int event = header.indexOf("event"), epoch = header.indexOf("epoch"), step = header.indexOf("step"), loss = header.indexOf("loss"),
              valLoss = header.indexOf("val_loss"), valRmse = header.indexOf("val_rmse");
    if (std::min({event, epoch, step, loss, valLoss, valRmse}) < 0) return log; // not a training log
    const int columns = std::max({event, epoch, step, loss, valLoss, valRmse}) + 1;
    while (!file.atEnd()) {
        const QStringList row = QString::fromUtf8(file.readLine()).trimmed().split(',');
        if (row.size() < columns) continue; // a line being written as we read
        log.canceled = row[event] == "canceled";
        if (row[event] != "epoch") continue;
        const double s = row[step].toDouble();
        log.epochsDone = row[epoch].toInt();
        // No validation: an empty field (-1 in logs written before the CSV mirrored the JSON lines).
        log.valLoss = row[valLoss].isEmpty() ? -1 : row[valLoss].toDouble();
        log.valRmse = row[valRmse].isEmpty() ? -1 : row[valRmse].toDouble();
        log.training.append({s, row[loss].toDouble()});
        if (log.valLoss >= 0) log.validation.append({s, log.valLoss});
    }
    return log;
}

TrainingCurves::TrainingCurves(QWidget* parent) : QWidget(parent), mPlot(new QCustomPlot(this)) {
    setObjectName("trainingCurves");
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(mPlot);
    mPlot->setMinimumSize(360, 220);
    mPlot->plotLayout()->insertRow(0);
    mPlot->plotLayout()->addElement(0, 0, new QCPTextElement(mPlot, QString(), QFont(font().family(), 9, QFont::Bold)));
    mPlot->xAxis->setLabel(tr("Optimizer step"));
    mPlot->yAxis->setLabel(tr("Loss (normalised units)"));
    // Losses fall over orders of magnitude in a run: a log axis keeps the late epochs readable.
    mPlot->yAxis->setScaleType(QCPAxis::stLogarithmic);
    mPlot->yAxis->setTicker(QSharedPointer<QCPAxisTickerLog>(new QCPAxisTickerLog));
    mPlot->yAxis->setNumberFormat("gb");
    mTraining = mPlot->addGraph();
    mTraining->setName(tr("Training loss"));
    mTraining->setPen(QPen(QColor(31, 119, 180), 1.5));
    mTraining->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssDisc, 3)); // a short run has few step events
    mValidation = mPlot->addGraph();
    mValidation->setName(tr("Validation loss (per epoch)"));
    mValidation->setPen(QPen(QColor(214, 39, 40), 1.5));
    mValidation->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssDisc, 6));
    mPlot->legend->setVisible(true);
    mPlot->legend->setFont(QFont(font().family(), 8));
    mPlot->axisRect()->insetLayout()->setInsetAlignment(0, Qt::AlignTop | Qt::AlignRight);
    mPlot->setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);
    clear(tr("No run selected"));
}

void TrainingCurves::clear(const QString& title) { setCurves(title, {}, {}); }

void TrainingCurves::setCurves(const QString& title, const QVector<QPointF>& training, const QVector<QPointF>& validation) {
    mTitle = title;
    static_cast<QCPTextElement*>(mPlot->plotLayout()->element(0, 0))->setText(title);
    mTraining->data()->clear();
    mValidation->data()->clear();
    for (const QPointF& p : training)
        if (p.y() > 0) mTraining->addData(p.x(), p.y());
    for (const QPointF& p : validation)
        if (p.y() > 0) mValidation->addData(p.x(), p.y());
    rescale();
}

void TrainingCurves::addTraining(double step, double loss) {
    if (!(loss > 0)) return;
    mTraining->addData(step, loss);
    rescale();
}

void TrainingCurves::addValidation(double step, double loss) {
    if (!(loss > 0)) return;
    mValidation->addData(step, loss);
    rescale();
}

int TrainingCurves::trainingPointCount() const { return mTraining->dataCount(); }
int TrainingCurves::validationPointCount() const { return mValidation->dataCount(); }

void TrainingCurves::rescale() {
    double lastStep = 1, low = std::numeric_limits<double>::max(), high = 0;
    for (QCPGraph* graph : {mTraining, mValidation})
        for (auto it = graph->data()->constBegin(); it != graph->data()->constEnd(); ++it) {
            lastStep = std::max(lastStep, it->key);
            low = std::min(low, it->value);
            high = std::max(high, it->value);
        }
    mPlot->xAxis->setRange(0, lastStep * 1.02);
    if (high > 0) mPlot->yAxis->setRange(low / 1.5, high * 1.5); // a margin of a factor on the log axis
    else mPlot->yAxis->setRange(0.01, 10);
    mPlot->replot(QCustomPlot::rpQueuedReplot); // many events in a burst draw once
}

} // namespace jezero::ui
