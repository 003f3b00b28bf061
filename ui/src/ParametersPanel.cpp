#include "jezero/ui/ParametersPanel.h"

#include "jezero/core/BrowseProducts.h"
#include "jezero/core/SummaryParameters.h"

#include <spdlog/spdlog.h>

#include <QComboBox>
#include <QHeaderView>
#include <QLabel>
#include <QTableWidget>
#include <QVBoxLayout>

#include <cmath>

namespace jezero::ui {

QString parameterToolTip(const std::string& name) {
    const ParameterDescription d = describeParameter(name);
    if (d.formula.empty() && d.rationale.empty()) return QString::fromStdString(name);
    return QString("<b>%1</b> = %2<br>%3")
        .arg(QString::fromStdString(name), QString::fromStdString(d.formula).toHtmlEscaped(), QString::fromStdString(d.rationale).toHtmlEscaped());
}

QString parameterWithUnit(const QString& name) {
    const std::string unit = describeParameter(name.toStdString()).unit;
    return unit.empty() ? name : QString("%1 (%2)").arg(name, QString::fromStdString(unit));
}

void addMapLayers(QComboBox* choice) {
    choice->addItem(QObject::tr("Composite (R/G/B by wavelength)"), "composite");
    try {
        choice->insertSeparator(choice->count());
        for (const BrowseProduct& p : browseProducts())
            choice->addItem(QString("%1 — %2").arg(QString::fromStdString(p.name), QString::fromStdString(p.description)),
                            QString("browse:%1").arg(QString::fromStdString(p.name)));
    } catch (const std::exception& e) {
        spdlog::warn("no browse products: {}", e.what());
    }
    choice->insertSeparator(choice->count());
    for (const std::string& name : summaryParameterNames()) {
        choice->addItem(QString::fromStdString(name), QString("param:%1").arg(QString::fromStdString(name)));
        choice->setItemData(choice->count() - 1, parameterToolTip(name), Qt::ToolTipRole);
    }
}

ParametersPanel::ParametersPanel(QWidget* parent)
    : QWidget(parent), mLayer(new QComboBox(this)), mPixelLabel(new QLabel(this)), mTable(new QTableWidget(this)) {
    setObjectName("parametersPanel");
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(new QLabel(tr("Show on the map:"), this));
    mLayer->setObjectName("layerChoice");
    // The browse products' descriptions are long: they show in the open list, not in the dock's width.
    mLayer->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    mLayer->setMinimumContentsLength(22);
    addMapLayers(mLayer);
    mLayer->setToolTip(tr("Browse products use the standard CRISM stretches; a single parameter has its own colour bar under the map"));
    layout->addWidget(mLayer);
    connect(mLayer, &QComboBox::currentIndexChanged, this, [this] { emit layerChosen(currentLayer()); });

    mPixelLabel->setText(tr("Click a pixel to list its summary parameters."));
    mPixelLabel->setWordWrap(true);
    layout->addWidget(mPixelLabel);
    mTable->setObjectName("pixelParameters");
    mTable->setColumnCount(2);
    mTable->setHorizontalHeaderLabels({tr("Parameter"), tr("Value")});
    mTable->verticalHeader()->setVisible(false);
    mTable->horizontalHeader()->setStretchLastSection(true);
    mTable->verticalHeader()->setDefaultSectionSize(fontMetrics().height() + 6);
    mTable->setEditTriggers(QAbstractItemView::NoEditTriggers);
    mTable->setSelectionBehavior(QAbstractItemView::SelectRows);
    layout->addWidget(mTable, 1);
    // Double-clicking a parameter shows it on the map.
    connect(mTable, &QTableWidget::cellDoubleClicked, this, [this](int row) {
        setCurrentLayer("param:" + mTable->item(row, 0)->text());
    });
}

QString ParametersPanel::currentLayer() const { return mLayer->currentData().toString(); }

void ParametersPanel::setCurrentLayer(const QString& id) {
    const int index = mLayer->findData(id);
    if (index >= 0) mLayer->setCurrentIndex(index);
}

QStringList ParametersPanel::layers() const {
    QStringList ids;
    for (int i = 0; i < mLayer->count(); ++i)
        if (!mLayer->itemData(i).toString().isEmpty()) ids << mLayer->itemData(i).toString();
    return ids;
}

void ParametersPanel::showPixel(QPoint pixel, const std::vector<std::string>& names, const std::vector<float>& values) {
    mPixelLabel->setText(tr("Pixel %1, %2").arg(pixel.x()).arg(pixel.y()));
    mPixelLabel->setToolTip(tr("A blank value: the scene lacks the channels that parameter needs"));
    mTable->setRowCount(static_cast<int>(names.size()));
    for (std::size_t i = 0; i < names.size(); ++i) {
        const int row = static_cast<int>(i);
        mTable->setItem(row, 0, new QTableWidgetItem(QString::fromStdString(names[i])));
        mTable->item(row, 0)->setToolTip(parameterToolTip(names[i]));
        auto* value = new QTableWidgetItem(std::isnan(values[i]) ? QString() : QString::number(values[i], 'g', 5));
        value->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
        mTable->setItem(row, 1, value);
    }
}

void ParametersPanel::clearPixel() {
    mTable->setRowCount(0);
    mPixelLabel->setText(tr("Click a pixel to list its summary parameters."));
}

QString ParametersPanel::shownValue(const QString& parameter) const {
    for (int row = 0; row < mTable->rowCount(); ++row)
        if (mTable->item(row, 0)->text() == parameter) return mTable->item(row, 1)->text();
    return {};
}

} // namespace jezero::ui
