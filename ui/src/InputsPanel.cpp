#include "jezero/ui/InputsPanel.h"

#include "jezero/core/Composite.h"
#include "jezero/core/ModelInputs.h"
#include "jezero/core/Task.h"
#include "jezero/ui/BackgroundTask.h"
#include "jezero/ui/ImageThumbnail.h"
#include "jezero/ui/QtImages.h"

#include <QCheckBox>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>

#include <array>
#include <sstream>

namespace jezero::ui {
namespace {

struct Preview {
    CompositeImage image;
    std::string caption;
    std::string error;
};

// Which three channels of each input are shown as R, G, B.
Preview preview(const SpectralCube& cube, InputKind kind, const FilterSet& filters, const RectangularRanges& ranges) {
    Preview p;
    const char* titles[] = {"4-band (RED/PAN/BLU shown)", "PNR (PAN, NIR, RED)", "PCA (PC1, PC2, PC3)", "Rectangular filters"};
    const std::string title = titles[static_cast<int>(kind)];
    try {
        std::vector<double> explained;
        const ImageStack input = makeModelInput(cube, kind, filters, ranges, &explained);
        std::array<int, 3> shown{0, 1, 2};
        if (kind == InputKind::FourBand) shown = {2, 1, 0};
        for (int& c : shown) c = std::min(c, input.channels() - 1);
        p.image = renderChannels(input, shown, Stretch{}, inputKindName(kind));
        std::ostringstream caption;
        caption << title;
        if (kind == InputKind::Pca) {
            caption << "\nexplained variance";
            caption.precision(3);
            for (double v : explained) caption << ' ' << v * 100 << '%';
        }
        if (kind == InputKind::Rectangular) {
            caption << '\n';
            for (std::size_t i = 0; i < input.channelNames.size(); ++i) caption << (i ? ", " : "") << input.channelNames[i];
        }
        p.caption = caption.str();
    } catch (const std::exception& e) {
        p.caption = title;
        p.error = e.what();
    }
    return p;
}

} // namespace

InputsPanel::InputsPanel(QWidget* parent) : QWidget(parent), mRanges(new QLineEdit(this)), mNearest(new QCheckBox(this)) {
    setObjectName("inputsPanel");
    auto* layout = new QGridLayout(this);
    for (int i = 0; i < 4; ++i) {
        mImages[i] = new ImageThumbnail(this);
        mImages[i]->setMessage(tr("No scene"));
        mCaptions[i] = new QLabel(this);
        mCaptions[i]->setAlignment(Qt::AlignHCenter | Qt::AlignTop);
        mCaptions[i]->setWordWrap(true);
        layout->addWidget(mImages[i], 0, i);
        layout->addWidget(mCaptions[i], 1, i);
        layout->setColumnStretch(i, 1);
    }
    layout->setRowStretch(0, 1);
    auto* controls = new QHBoxLayout;
    controls->addWidget(new QLabel(tr("Rectangular ranges (nm):"), this));
    mRanges->setObjectName("rectRanges");
    mRanges->setText("780-900, 860-1150, 1550-1990");
    mRanges->setToolTip(tr("Comma-separated wavelength ranges; each channel is the mean of the valid channels inside"));
    controls->addWidget(mRanges, 1);
    mNearest->setText(tr("nearest channel to each range's centre"));
    mNearest->setObjectName("rectNearest");
    controls->addWidget(mNearest);
    layout->addLayout(controls, 2, 0, 1, 4);
    connect(mRanges, &QLineEdit::editingFinished, this, &InputsPanel::recompute);
    connect(mNearest, &QCheckBox::toggled, this, &InputsPanel::recompute);
}

void InputsPanel::setScene(std::shared_ptr<const SpectralCube> cube) {
    mCube = std::move(cube);
    for (ImageThumbnail* image : mImages) image->setMessage(tr("Computing…")); // the previous scene's are gone
    recompute();
}

void InputsPanel::setFilters(const FilterSet& filters) {
    mFilters = filters;
    recompute();
}

QString InputsPanel::caption(int i) const { return mCaptions[i]->text(); }
bool InputsPanel::hasImage(int i) const { return mImages[i]->hasImage(); }

void InputsPanel::recompute() {
    if (!mCube || mFilters.filters.empty()) return;
    RectangularRanges ranges;
    try {
        ranges = parseRanges(mRanges->text().toStdString());
        mRanges->setStyleSheet({});
        mRanges->setToolTip({});
    } catch (const std::exception& e) {
        mRanges->setStyleSheet("QLineEdit { background: #ffd6d6; }");
        mRanges->setToolTip(QString::fromStdString(e.what()));
        return;
    }
    ranges.nearestToCentre = mNearest->isChecked();
    auto cube = mCube;
    const FilterSet filters = mFilters;
    auto task = std::make_shared<Task<std::array<Preview, 4>>>("model inputs", [cube, filters, ranges](TaskControl& control) {
        std::array<Preview, 4> previews;
        const InputKind kinds[] = {InputKind::Pnr, InputKind::FourBand, InputKind::Pca, InputKind::Rectangular};
        for (int i = 0; i < 4; ++i) {
            control.throwIfCanceled();
            previews[i] = preview(*cube, kinds[i], filters, ranges);
            control.setProgress((i + 1) / 4.0);
        }
        return previews;
    });
    const int generation = ++mGeneration;
    auto* runner = BackgroundTask::start(task, this);
    connect(runner, &BackgroundTask::succeeded, this, [this, task, generation] {
        if (generation != mGeneration) return;
        const auto& previews = task->result();
        for (int i = 0; i < 4; ++i) {
            mCaptions[i]->setText(QString::fromStdString(previews[i].caption));
            if (previews[i].error.empty()) mImages[i]->setImage(toQImage(previews[i].image));
            else mImages[i]->setMessage(QString::fromStdString(previews[i].error));
        }
        emit previewsUpdated();
    });
}

} // namespace jezero::ui
