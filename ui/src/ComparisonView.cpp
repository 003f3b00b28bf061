#include "jezero/ui/ComparisonView.h"

#include "jezero/core/AtomicFile.h"
#include "jezero/core/CsvText.h"
#include "jezero/core/Dataset.h"
#include "jezero/core/Error.h"
#include "jezero/core/Statistics.h"
#include "jezero/io/ImageWriter.h"
#include "jezero/ui/ColourScaleStrip.h"
#include "jezero/ui/FigureFile.h"
#include "jezero/ui/HarmonisationDialog.h"
#include "jezero/ui/QtImages.h"
#include "jezero/ui/SceneView.h"
#include "jezero/ui/SpectrumPlot.h"
#include <QMenu>

#include <QDoubleSpinBox>
#include <QFile>
#include <QFileDialog>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QMessageBox>
#include <QPushButton>
#include <QResizeEvent>
#include <QSplitter>
#include <QTableWidget>
#include <QTimer>
#include <QVBoxLayout>

#include <cmath>
#include <sstream>

namespace jezero::ui {
namespace {

const char* kPanelNames[ComparisonView::kPanels] = {"Input", "Ground truth", "Prediction", "|Error|", "Uncertainty"};

QString names(const ImageStack& image) {
    QStringList list;
    for (const auto& name : image.channelNames) list << QString::fromStdString(name);
    return list.join(" / ");
}

QString number(double v) { return std::isfinite(v) ? QString::number(v, 'g', 4) : QStringLiteral("—"); }

// Metric rows: name, value, what it means (tooltip).
struct MetricRow {
    QString name, value, help;
};

std::vector<MetricRow> metricRows(const ComparisonResult& r) {
    std::vector<MetricRow> rows;
    if (!r.evaluation) {
        rows.push_back({QObject::tr("Ground truth"), QObject::tr("not available"),
                        QObject::tr("The scene lacks the wavelengths of the target parameters, so nothing to compare with.")});
    } else {
        const ImageEvaluation& e = *r.evaluation;
        rows.push_back({"RMSE", number(e.physical.rmse), QObject::tr("Root-mean-square error in the target's units")});
        rows.push_back({"RMSE (0–255)", number(e.rmse255), QObject::tr("After mapping both by the truth's per-channel min–max onto 0–255")});
        rows.push_back({"PCC", number(e.physical.pcc), QObject::tr("Pearson correlation, mean over channels")});
        rows.push_back({QObject::tr("Cosine"), number(e.physical.cosine), QObject::tr("Cosine similarity, mean over channels")});
        if (r.prediction.mean.channels() > 1) // one channel has no spectral angle
            rows.push_back({"SAM (°)", number(e.physical.samDeg), QObject::tr("Mean spectral angle between the predicted and true pixel vectors")});
        rows.push_back({"SSIM", number(e.ssim255), QObject::tr("Structural similarity on the 0–255 renderings")});
        rows.push_back({"LPIPS", QObject::tr("not configured"), QObject::tr("Needs a TorchScript LPIPS network (jezero-cli evaluate --lpips)")});
        if (e.hasCarbonateChannel) {
            const QString at = QObject::tr(" (> %1)").arg(r.threshold);
            rows.push_back({QObject::tr("Carbonate precision") + at, number(e.detection.precision), {}});
            rows.push_back({QObject::tr("Carbonate recall") + at, number(e.detection.recall), {}});
            rows.push_back({QObject::tr("Carbonate F1") + at, number(e.detection.f1), {}});
            rows.push_back({QObject::tr("Carbonate IoU") + at, number(e.detection.iou), {}});
            rows.push_back({QObject::tr("Carbonate pixels, truth"), QString::number(100 * e.truthCarbonateFraction, 'f', 2) + " %", {}});
            rows.push_back({QObject::tr("Carbonate pixels, predicted"), QString::number(100 * e.predictedCarbonateFraction, 'f', 2) + " %", {}});
        }
        rows.push_back({QObject::tr("Valid pixels"), QString::number(e.physical.validPixels), {}});
    }
    if (r.prediction.stddev)
        rows.push_back({QObject::tr("Mean ensemble std"), number(finiteMean(r.prediction.stddev->values)), QObject::tr("Spread of the diffusion samples")});
    for (const ChainRow& step : r.chain) rows.push_back({step.name, step.value, step.help});
    return rows;
}

} // namespace

ComparisonView::ComparisonView(QWidget* parent)
    : QWidget(parent), mHeading(new QLabel), mLow(new QDoubleSpinBox), mHigh(new QDoubleSpinBox), mMetrics(new QTableWidget),
      mPixelValues(new QTableWidget), mSpectrum(new SpectrumPlot) {
    setObjectName("comparisonView");
    auto* top = new QHBoxLayout;
    mHeading->setObjectName("comparisonHeading");
    QFont bold = mHeading->font();
    bold.setBold(true);
    mHeading->setFont(bold);
    top->addWidget(mHeading, 1);
    top->addWidget(new QLabel(tr("Stretch")));
    for (QDoubleSpinBox* box : {mLow, mHigh}) {
        box->setRange(0, 100);
        box->setDecimals(1);
        box->setSuffix(" %");
        box->setToolTip(tr("Truth and prediction share this percentile stretch of the ground truth"));
        top->addWidget(box);
        connect(box, &QDoubleSpinBox::editingFinished, this, &ComparisonView::render);
    }
    mLow->setValue(2);
    mHigh->setValue(98);
    const auto addButton = [&](const QString& text, const QString& name, auto onClick) {
        auto* button = new QPushButton(text);
        button->setObjectName(name);
        connect(button, &QPushButton::clicked, this, onClick);
        top->addWidget(button);
        return button;
    };
    mHarmonisationButton = addButton(tr("Harmonisation…"), "showHarmonisation", [this] { showHarmonisation(); });
    addButton(tr("Save panels…"), "savePanels", [this] { choosePath(tr("Save panels"), tr("PNG images (*.png)"), "png", &ComparisonView::savePanelsPng); });
    addButton(tr("Save metrics…"), "saveMetrics", [this] { choosePath(tr("Save metrics"), tr("CSV tables (*.csv)"), "csv", &ComparisonView::saveMetricsCsv); });
    addButton(tr("Save prediction…"), "savePrediction",
              [this] { choosePath(tr("Save prediction"), tr("GeoTIFF (*.tif *.tiff)"), "tif", &ComparisonView::savePredictionGeoTiff); });
    mHarmonisationButton->setToolTip(
        tr("A CaSSIS image's harmonisation step by step: as loaded, calibrated, and as the network was given it, on one stretch"));
    mHarmonisationButton->setVisible(false); // a CaSSIS prediction's

    auto* panels = new QWidget;
    auto* grid = mPanelGrid = new QGridLayout(panels);
    grid->setContentsMargins(0, 0, 0, 0);
    for (int i = 0; i < kPanels; ++i) {
        mTitles[i] = new QLabel(tr(kPanelNames[i]));
        mTitles[i]->setAlignment(Qt::AlignCenter);
        mTitles[i]->setWordWrap(true);
        // Long titles must not widen their column: linked views only line up in equal panels.
        mTitles[i]->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
        grid->setColumnStretch(i, 1);
        mViews[i] = new SceneView;
        mViews[i]->setObjectName(QString("comparisonPanel%1").arg(i));
        mViews[i]->setMinimumSize(120, 120);
        grid->addWidget(mTitles[i], 0, i);
        grid->addWidget(mViews[i], 1, i);
        // Under the panel, what its colours mean: a grey scale, or one line for R, G and B.
        auto* key = new QWidget;
        auto* keyLayout = new QVBoxLayout(key);
        keyLayout->setContentsMargins(0, 0, 0, 0);
        mScales[i] = new ColourScaleStrip;
        mScales[i]->setObjectName(QString("comparisonScale%1").arg(i));
        mChannelKeys[i] = new QLabel;
        mChannelKeys[i]->setObjectName(QString("comparisonChannels%1").arg(i));
        mChannelKeys[i]->setWordWrap(true);
        mChannelKeys[i]->setAlignment(Qt::AlignCenter);
        mChannelKeys[i]->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
        keyLayout->addWidget(mScales[i]);
        keyLayout->addWidget(mChannelKeys[i]);
        mScales[i]->hide();
        mChannelKeys[i]->hide();
        grid->addWidget(key, 2, i);
        connect(mViews[i], &SceneView::viewChanged, this, [this, i] { follow(i); });
        mViews[i]->setContextMenuPolicy(Qt::CustomContextMenu);
        connect(mViews[i], &QWidget::customContextMenuRequested, this, [this, i](const QPoint& at) {
            if (!mHasResult) return;
            QMenu menu;
            menu.addAction(tr("Export this panel as a figure (PNG, SVG, PDF)…"), this, [this, i] {
                const QString path = askFigurePath(this, tr("Export panel figure"));
                if (path.isEmpty()) return;
                try {
                    savePanelFigure(i, path);
                } catch (const std::exception& e) {
                    QMessageBox::warning(this, tr("Export panel figure"), QString::fromStdString(e.what()));
                }
            });
            menu.exec(mViews[i]->viewport()->mapToGlobal(at));
        });
        connect(mViews[i], &SceneView::pixelClicked, this, [this](QPoint pixel, Qt::KeyboardModifiers) {
            selectPixel(pixel);
            emit pixelSelected(pixel);
        });
    }
    grid->setRowStretch(1, 1);

    mMetrics->setObjectName("comparisonMetrics");
    mMetrics->setColumnCount(2);
    mMetrics->setHorizontalHeaderLabels({tr("Metric"), tr("Value")});
    mPixelValues->setObjectName("comparisonPixelValues");
    for (QTableWidget* table : {mMetrics, mPixelValues}) {
        table->verticalHeader()->setVisible(false);
        table->setEditTriggers(QAbstractItemView::NoEditTriggers);
        table->horizontalHeader()->setSectionResizeMode(QHeaderView::Stretch);
    }
    auto* tables = mTables = new QSplitter(Qt::Horizontal);
    tables->addWidget(mMetrics);
    tables->addWidget(mPixelValues);
    mSpectrum->setObjectName("comparisonSpectrum");
    tables->addWidget(mSpectrum);
    mPixelValues->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    // Each table a quarter, the spectrum half (shared out in resizeEvent; without minimum widths, so a
    // laptop's screen still holds the whole window).
    tables->setStretchFactor(0, 1);
    tables->setStretchFactor(1, 1);
    tables->setStretchFactor(2, 2);
    connect(tables, &QSplitter::splitterMoved, this, [this] { mTablesMoved = true; });
    auto* split = new QSplitter(Qt::Vertical);
    split->addWidget(panels);
    split->addWidget(tables);
    split->setStretchFactor(0, 3);
    split->setStretchFactor(1, 2);

    auto* layout = new QVBoxLayout(this);
    layout->addLayout(top);
    layout->addWidget(split, 1);
}

void ComparisonView::setResult(ComparisonResult result) {
    mResult = std::move(result);
    mHasResult = true;
    mHeading->setText(mResult.title);
    mHarmonisationButton->setVisible(HarmonisationDialog::hasSteps(mResult));
    // It showed the previous prediction's steps (and points into them): made again when asked for.
    delete mHarmonisation;
    mHarmonisation = nullptr;
    render();
    fitPanels();
    fillMetrics();
    mPixelValues->clear();
    mPixelValues->setRowCount(0);
    mPixelValues->setColumnCount(0);
    // The pixel chosen before stays chosen: its values in the new prediction (was an empty table).
    if (mSelected.x() >= 0) selectPixel(mSelected);
}

HarmonisationDialog* ComparisonView::showHarmonisation() {
    if (!mHasResult || !HarmonisationDialog::hasSteps(mResult)) return nullptr;
    if (!mHarmonisation) mHarmonisation = new HarmonisationDialog(this);
    try {
        mHarmonisation->setResult(mResult);
    } catch (const std::exception& e) {
        QMessageBox::warning(this, tr("Harmonisation"), QString::fromStdString(e.what()));
        return nullptr;
    }
    mHarmonisation->show();
    mHarmonisation->raise();
    return mHarmonisation;
}

void ComparisonView::fitPanels() {
    // Fit the first panel; the others follow it (viewChanged). Hidden panels have no size yet: fit
    // again when the view is first shown.
    mFitPending = !isVisible();
    mViews[0]->fitToWindow();
}

void ComparisonView::resizeEvent(QResizeEvent* event) {
    QWidget::resizeEvent(event);
    // The tables a quarter each, the spectrum half, until the user moves the divider (a splitter alone
    // would give each its size hint, leaving the tables too narrow for their names).
    if (!mTablesMoved) {
        const int width = std::max(0, event->size().width() - 2 * layout()->contentsMargins().left());
        mTables->setSizes({width / 4, width / 4, width - 2 * (width / 4)});
    }
}

void ComparisonView::showEvent(QShowEvent* event) {
    QWidget::showEvent(event);
    if (mFitPending && mHasResult) QTimer::singleShot(0, this, [this] { fitPanels(); });
}

void ComparisonView::render() {
    if (!mHasResult) return;
    const Stretch stretch{mLow->value(), std::max(mHigh->value(), mLow->value() + 0.1)};
    // Without a truth, a CaSSIS prediction's model-scale version takes its place (same stretch; the error
    // panel then shows what fusing it back to the image's grid changed).
    const ImageStack* second = mResult.truth ? &*mResult.truth : mResult.modelScale ? &*mResult.modelScale : nullptr;
    mImages = renderComparison(mResult.input, second, mResult.prediction.mean, mResult.prediction.stddev ? &*mResult.prediction.stddev : nullptr, stretch,
                               !mResult.truth && mResult.modelScale);
    const CompositeImage* images[kPanels] = {&mImages.input, &mImages.truth, &mImages.prediction, &mImages.error, &mImages.uncertainty};
    for (int i = 0; i < kPanels; ++i) mViews[i]->setImage(toQImage(*images[i]), true);
    mTitles[0]->setText(tr("Input: %1").arg(names(mResult.input)));
    const bool modelScale = !mResult.truth && mResult.modelScale;
    mTitles[1]->setText(mResult.truth  ? tr("Ground truth: %1").arg(names(*mResult.truth))
                        : modelScale ? tr("Prediction at the model's scale (%1× coarser), before fusion").arg(mResult.modelScaleFactor, 0, 'f', 1)
                                     : tr("Ground truth: not available"));
    const bool probability = mResult.prediction.mean.channelNames == std::vector<std::string>{kCarbonateLabelChannel};
    mTitles[2]->setText(probability ? tr("Prediction%1: probability, black 0 – white %2").arg(modelScale ? tr(" fused to the image's grid") : QString())
                                                                                          .arg(mImages.prediction.channels[0].high, 0, 'g', 2)
                                    : tr("Prediction%1%2").arg(modelScale ? tr(" fused to the image's grid") : QString(),
                                                               mResult.prediction.stddev ? tr(" (ensemble mean)") : QString()));
    mTitles[3]->setText(mResult.truth  ? tr("|Error| (white ≥ 50 % of range)")
                        : modelScale ? tr("|Fused − model scale|: what fusion added (white ≥ 50 % of range)")
                                     : tr("|Error|: no truth"));
    mTitles[4]->setText(mResult.prediction.stddev ? tr("Uncertainty (ensemble std)") : tr("Uncertainty: deterministic model"));
    for (int i = 0; i < kPanels; ++i) {
        const PanelKey key = panelKey(i);
        mScales[i]->setScale(key.bar ? std::optional<MapScale>(key.bar->scale) : std::nullopt, i >= 3 ? "%" : QString());
        mScales[i]->setToolTip(key.bar ? key.bar->name : QString());
        mScales[i]->setVisible(key.bar.has_value());
        mChannelKeys[i]->setText(channelKeyText(i));
        mChannelKeys[i]->setVisible(key.channels.has_value());
    }
    // A deterministic model has no spread to show: its panel gives the others the room.
    mViews[4]->setVisible(mResult.prediction.stddev.has_value());
    mTitles[4]->setVisible(mResult.prediction.stddev.has_value());
    mPanelGrid->setColumnStretch(4, mResult.prediction.stddev ? 1 : 0);
    mPanelGrid->invalidate(); // the columns are shared out again now, not at the next resize
}

void ComparisonView::fillMetrics() {
    const auto rows = metricRows(mResult);
    mMetrics->setRowCount(static_cast<int>(rows.size()));
    for (int r = 0; r < static_cast<int>(rows.size()); ++r) {
        auto* name = new QTableWidgetItem(rows[r].name);
        name->setToolTip(rows[r].help);
        mMetrics->setItem(r, 0, name);
        mMetrics->setItem(r, 1, new QTableWidgetItem(rows[r].value));
    }
    mMetrics->resizeRowsToContents(); // wrapped metric names ("Carbonate precision (> 0.01)") get their lines
}

void ComparisonView::follow(int leader) {
    if (mFollowing) return;
    mFollowing = true;
    for (int i = 0; i < kPanels; ++i)
        if (i != leader) mViews[i]->setView(mViews[leader]->viewTransform(), mViews[leader]->viewCentre());
    mFollowing = false;
}

void ComparisonView::selectPixel(QPoint pixel) {
    if (!mHasResult || pixel.x() < 0 || pixel.y() < 0 || pixel.x() >= mResult.input.width || pixel.y() >= mResult.input.height) return;
    mSelected = pixel;
    for (SceneView* view : mViews) {
        view->clearMarkers();
        view->addMarker(pixel, Qt::yellow);
    }
    const ImageStack& p = mResult.prediction.mean;
    QStringList columns{tr("x %1, y %2").arg(pixel.x()).arg(pixel.y())};
    for (const auto& name : p.channelNames) columns << QString::fromStdString(name);
    mPixelValues->clear();
    mPixelValues->setColumnCount(columns.size());
    mPixelValues->setHorizontalHeaderLabels(columns);
    std::vector<std::pair<QString, std::vector<QString>>> rows;
    const auto valuesOf = [&](const ImageStack& s) {
        std::vector<QString> v;
        for (int c = 0; c < s.channels(); ++c) v.push_back(number(s.at(pixel.x(), pixel.y(), c)));
        return v;
    };
    // Input channels are not the prediction's: each cell names its channel.
    const auto namedValuesOf = [&](const ImageStack& s) {
        std::vector<QString> v;
        for (int c = 0; c < s.channels(); ++c) v.push_back(QString("%1 %2").arg(QString::fromStdString(s.channelNames[c]), number(s.at(pixel.x(), pixel.y(), c))));
        return v;
    };
    rows.push_back({tr("Input"), namedValuesOf(mResult.input)});
    if (mResult.calibratedInput) rows.push_back({tr("Input, calibrated"), namedValuesOf(*mResult.calibratedInput)});
    if (mResult.modelInput) rows.push_back({tr("Input, as the network was given it"), namedValuesOf(*mResult.modelInput)});
    if (mResult.truth) rows.push_back({tr("Ground truth"), valuesOf(*mResult.truth)});
    else if (mResult.modelScale) rows.push_back({tr("At the model's scale"), valuesOf(*mResult.modelScale)});
    rows.push_back({tr("Prediction"), valuesOf(p)});
    if (mResult.truth) {
        std::vector<QString> error;
        for (int c = 0; c < p.channels(); ++c) error.push_back(number(std::abs(p.at(pixel.x(), pixel.y(), c) - mResult.truth->at(pixel.x(), pixel.y(), c))));
        rows.push_back({tr("|Error|"), error});
    }
    if (mResult.prediction.stddev) rows.push_back({tr("Uncertainty (std)"), valuesOf(*mResult.prediction.stddev)});
    // A calibrated probability model's own value is the probability: its "P(CARBONATE > 0.5)" (the value
    // thresholded at 0.5, above what such a model ever gives) would only read 0.
    const bool probabilityModel = !mResult.prediction.stddev && p.channelNames == std::vector<std::string>{kCarbonateLabelChannel};
    if (mResult.prediction.probability && !probabilityModel)
        rows.push_back({QString::fromStdString(mResult.prediction.probabilityName), valuesOf(*mResult.prediction.probability)});
    // The input rows may have more channels than the prediction (PAN, NIR, RED beside one probability):
    // every value gets its cell (input cells name their channel).
    std::size_t widest = 0;
    for (const auto& row : rows) widest = std::max(widest, row.second.size());
    while (columns.size() < static_cast<int>(widest) + 1) columns << QString();
    mPixelValues->setColumnCount(columns.size());
    mPixelValues->setHorizontalHeaderLabels(columns);
    mPixelValues->setRowCount(static_cast<int>(rows.size()));
    for (int r = 0; r < static_cast<int>(rows.size()); ++r) {
        mPixelValues->setItem(r, 0, new QTableWidgetItem(rows[r].first));
        for (int c = 0; c < static_cast<int>(rows[r].second.size()); ++c) mPixelValues->setItem(r, c + 1, new QTableWidgetItem(rows[r].second[c]));
    }
}

void ComparisonView::choosePath(const QString& title, const QString& filter, const QString& suffix, void (ComparisonView::*save)(const QString&) const) {
    if (!mHasResult) return;
    QFileDialog dialog(this, title, {}, filter);
    dialog.setAcceptMode(QFileDialog::AcceptSave);
    dialog.setDefaultSuffix(suffix);
    if (dialog.exec() != QDialog::Accepted || dialog.selectedFiles().isEmpty()) return;
    try {
        (this->*save)(dialog.selectedFiles().first());
    } catch (const std::exception& e) {
        QMessageBox::warning(this, tr("Jezero"), QString::fromStdString(e.what()));
    }
}

void ComparisonView::savePanelsPng(const QString& path) const {
    if (!mHasResult) throw Error("no comparison to save");
    io::writePng(path.toStdString(), sideBySide({&mImages.input, &mImages.truth, &mImages.prediction, &mImages.error, &mImages.uncertainty}, 4));
}

ComparisonView::PanelKey ComparisonView::panelKey(int panel) const {
    if (!mHasResult || panel < 0 || panel >= kPanels) return {};
    const CompositeImage* images[kPanels] = {&mImages.input, &mImages.truth, &mImages.prediction, &mImages.error, &mImages.uncertainty};
    const ImageStack* second = mResult.truth ? &*mResult.truth : mResult.modelScale ? &*mResult.modelScale : nullptr;
    const ImageStack* stacks[kPanels] = {&mResult.input, second, &mResult.prediction.mean, second ? &mResult.prediction.mean : nullptr,
                                         mResult.prediction.stddev ? &*mResult.prediction.stddev : nullptr};
    const ImageStack* stack = stacks[panel];
    const CompositeImage& image = *images[panel];
    if (!stack || image.rgba.empty()) return {};
    PanelKey key;
    if (panel >= 3) { // grey: the largest share of a channel's display range, white at half of it
        const QString what = panel == 3 ? (mResult.truth ? tr("|error|") : tr("|fused − model scale|")) : tr("ensemble std");
        key.bar = MapFigureContent::ColourBar{MapScale{0, 50, ColourTable::Grey}, tr("%1, % of the channel's range").arg(what)};
        return key;
    }
    const auto name = [&](int band) {
        return band >= 0 && band < stack->channels() ? QString::fromStdString(stack->channelNames[static_cast<std::size_t>(band)]) : QString();
    };
    const auto& c = image.channels;
    if (c[0].band == c[1].band && c[1].band == c[2].band)
        key.bar = MapFigureContent::ColourBar{MapScale{c[0].low, c[0].high, ColourTable::Grey}, name(c[0].band)};
    else
        key.channels = MapFigureContent::ChannelKey{{name(c[0].band), name(c[1].band), name(c[2].band)}, c};
    return key;
}

QString ComparisonView::channelKeyText(int panel) const {
    const PanelKey key = panelKey(panel);
    if (!key.channels) return {};
    static const char* colours[3] = {"#d62728", "#2ca02c", "#1f77b4"};
    QStringList parts;
    for (int k = 0; k < 3; ++k)
        parts << QString("<b style='color:%1'>%2</b> %3 %4–%5")
                     .arg(colours[k], QString("RGB")[k], key.channels->names[k].toHtmlEscaped())
                     .arg(key.channels->channels[k].low, 0, 'g', 3)
                     .arg(key.channels->channels[k].high, 0, 'g', 3);
    return parts.join("&nbsp; ");
}

MapFigureLayout ComparisonView::savePanelFigure(int panel, const QString& path) const {
    if (!mHasResult) throw Error("no comparison to save");
    if (panel < 0 || panel >= kPanels) throw Error("no panel " + std::to_string(panel));
    const CompositeImage* images[kPanels] = {&mImages.input, &mImages.truth, &mImages.prediction, &mImages.error, &mImages.uncertainty};
    MapFigureContent figure;
    figure.map = toQImage(*images[panel]);
    figure.title = mHeading->text() + " — " + mTitles[panel]->text();
    figure.geolocator = mGeolocator;
    const PanelKey key = panelKey(panel);
    figure.colourBar = key.bar;
    figure.channelKey = key.channels;
    return writeMapFigure(path, figure);
}

void ComparisonView::saveMetricsCsv(const QString& path) const {
    if (!mHasResult) throw Error("no comparison to save");
    std::ostringstream csv;
    csv << "metric,value\n";
    for (const MetricRow& row : metricRows(mResult)) csv << csvField(row.name.toStdString()) << ',' << csvField(row.value.toStdString()) << '\n';
    writeTextFileAtomically(path.toStdString(), csv.str());
}

void ComparisonView::savePredictionGeoTiff(const QString& path) const {
    if (!mHasResult) throw Error("no comparison to save");
    // A byte copy of what jezero-cli predict wrote: every band, its description, the georeference and
    // the model and sampling settings go out unchanged.
    writeFileAtomically(path.toStdString(), [&](const std::string& temp) {
        QFile::remove(QString::fromStdString(temp));
        if (!QFile::copy(mResult.predictionPath, QString::fromStdString(temp)))
            throw Error("cannot copy " + mResult.predictionPath.toStdString() + " to " + path.toStdString());
    });
}

} // namespace jezero::ui
