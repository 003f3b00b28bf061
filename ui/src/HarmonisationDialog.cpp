#include "jezero/ui/HarmonisationDialog.h"

#include "jezero/core/Composite.h"
#include "jezero/core/Error.h"
#include "jezero/ui/LinkedMapView.h"
#include "jezero/ui/QtImages.h"
#include "jezero/ui/SceneView.h"

#include <QCheckBox>
#include <QDialogButtonBox>
#include <QHBoxLayout>
#include <QGridLayout>
#include <QHeaderView>
#include <QLabel>
#include <QPushButton>
#include <QSplitter>
#include <QTableWidget>
#include <QVBoxLayout>

namespace jezero::ui {
namespace {

QString channelList(const ImageStack& image) {
    QStringList names;
    for (const auto& name : image.channelNames) names << QString::fromStdString(name);
    return names.join(" / ");
}

bool matchedToTraining(const ComparisonResult& r) {
    return std::any_of(r.chain.begin(), r.chain.end(), [](const ChainRow& row) { return row.name.startsWith(QObject::tr("Matched")); });
}

} // namespace

HarmonisationDialog::HarmonisationDialog(QWidget* parent)
    : QDialog(parent), mPanels(new QGridLayout), mNote(new QLabel), mNumbers(new QTableWidget), mOneStretch(new QCheckBox(tr("One stretch for all panels"))) {
    setObjectName("harmonisationDialog");
    setWindowTitle(tr("Harmonisation: what the model was given"));
    mNote->setWordWrap(true);
    mNumbers->setObjectName("harmonisationNumbers");
    mNumbers->setColumnCount(2);
    mNumbers->setHorizontalHeaderLabels({tr("Step"), tr("Value")});
    mNumbers->verticalHeader()->setVisible(false);
    mNumbers->setEditTriggers(QAbstractItemView::NoEditTriggers);
    mNumbers->horizontalHeader()->setSectionResizeMode(QHeaderView::Stretch);
    auto* panels = new QWidget;
    panels->setLayout(mPanels);
    mPanels->setContentsMargins(0, 0, 0, 0);
    mPanels->setRowStretch(1, 1);
    auto* split = new QSplitter(Qt::Vertical);
    split->addWidget(panels);
    split->addWidget(mNumbers);
    split->setStretchFactor(0, 3);
    split->setStretchFactor(1, 1);
    split->setSizes({430, 170});
    mOneStretch->setObjectName("harmonisationOneStretch");
    mOneStretch->setChecked(true);
    mOneStretch->setToolTip(tr("On: one stretch for all, so a calibration's gain and offset show. Off: each its own, so its detail shows."));
    connect(mOneStretch, &QCheckBox::toggled, this, &HarmonisationDialog::render);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Close);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    auto* bottom = new QHBoxLayout;
    bottom->addWidget(mOneStretch);
    bottom->addWidget(buttons, 1);
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(mNote);
    layout->addWidget(split, 1);
    layout->addLayout(bottom);
    resize(1100, 620);
}

bool HarmonisationDialog::hasSteps(const ComparisonResult& result) { return result.modelInput.has_value() || result.calibratedInput.has_value(); }

void HarmonisationDialog::setResult(const ComparisonResult& r) {
    struct Step {
        const ImageStack* image;
        QString title;
    };
    std::vector<Step> steps{{&r.input, tr("As the image gave it: %1").arg(channelList(r.input))}};
    if (r.calibratedInput) steps.push_back({&*r.calibratedInput, tr("Calibrated against the CRISM scene (fitted lines below)")});
    if (r.modelInput) {
        QStringList how;
        if (r.modelScaleFactor > 1.05) how << tr("PSF and resampling to the model's pixel (%1× coarser)").arg(r.modelScaleFactor, 0, 'f', 1);
        if (matchedToTraining(r)) how << tr("matched to the training inputs");
        steps.push_back({&*r.modelInput, tr("As the network was given it%1").arg(how.isEmpty() ? QString() : ": " + how.join(", "))});
    }
    std::vector<const ImageStack*> images;
    for (const Step& s : steps) {
        if (s.image->width != r.input.width || s.image->height != r.input.height || s.image->channelNames != r.input.channelNames)
            throw Error("a harmonisation step's image differs from the input in its grid or channels");
        images.push_back(s.image);
    }
    mImages = images;

    for (SceneView* view : mViews) view->deleteLater();
    for (QLabel* title : mTitles) title->deleteLater();
    mViews.clear();
    mTitles.clear();
    for (std::size_t i = 0; i < steps.size(); ++i) {
        auto* title = new QLabel(steps[i].title);
        title->setWordWrap(true);
        title->setAlignment(Qt::AlignCenter);
        title->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred); // equal columns, whatever the title
        auto* view = new SceneView;
        view->setObjectName(QString("harmonisationPanel%1").arg(i));
        view->setMinimumSize(160, 160);
        mPanels->addWidget(title, 0, static_cast<int>(i));
        mPanels->addWidget(view, 1, static_cast<int>(i));
        mPanels->setColumnStretch(static_cast<int>(i), 1);
        for (SceneView* other : mViews) LinkedMapView::link(other, view); // every pair: a followed view does not lead the others
        mViews.push_back(view);
        mTitles.push_back(title);
    }
    for (int i = static_cast<int>(steps.size()); i < mPanels->columnCount(); ++i) mPanels->setColumnStretch(i, 0);
    mTitle = r.title;

    mNumbers->setRowCount(static_cast<int>(r.chain.size()));
    for (int i = 0; i < static_cast<int>(r.chain.size()); ++i) {
        auto* name = new QTableWidgetItem(r.chain[i].name);
        name->setToolTip(r.chain[i].help);
        mNumbers->setItem(i, 0, name);
        mNumbers->setItem(i, 1, new QTableWidgetItem(r.chain[i].value));
    }
    render();
    for (SceneView* view : mViews) view->fitToWindow();
}

void HarmonisationDialog::render() {
    if (mImages.empty()) return;
    const int n = mImages.front()->channels();
    const std::array<int, 3> channels{0, std::min(1, n - 1), std::min(2, n - 1)};
    std::vector<CompositeImage> composites;
    if (mOneStretch->isChecked()) {
        composites = renderOnOneStretch(mImages, channels, Stretch{});
    } else {
        for (const ImageStack* image : mImages) composites.push_back(renderChannels(*image, channels, Stretch{}, ""));
    }
    for (std::size_t i = 0; i < mViews.size() && i < composites.size(); ++i) mViews[i]->setImage(toQImage(composites[i]), true);
    mNote->setText(mOneStretch->isChecked()
                       ? tr("%1 — every panel on one stretch (spanning each one's 2–98 %), so what each step changed (brightness, contrast, detail) shows. "
                            "Zoom and pan are linked.")
                             .arg(mTitle)
                       : tr("%1 — each panel on its own 2–98 % stretch: the detail each step kept, whatever its brightness. "
                            "Zoom and pan are linked.")
                             .arg(mTitle));
}

QString HarmonisationDialog::panelTitle(int index) const { return mTitles.at(index)->text(); }

} // namespace jezero::ui
