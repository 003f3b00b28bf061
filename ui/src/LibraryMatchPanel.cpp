#include "jezero/ui/LibraryMatchPanel.h"

#include <QCheckBox>
#include <QComboBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QSpinBox>
#include <QTableWidget>
#include <QVBoxLayout>

namespace jezero::ui {
namespace {
enum Column { Show, Rank, Name, Correlation, Angle, Columns }; // the kind starts each name (MICA, Lab, USGS)
}

LibraryMatchPanel::LibraryMatchPanel(QWidget* parent)
    : QWidget(parent), mAgainst(new QComboBox), mFilter(new QLineEdit), mFrom(new QSpinBox), mTo(new QSpinBox), mSubject(new QLabel), mTable(new QTableWidget(0, Columns)) {
    setObjectName("libraryMatchPanel");
    auto* layout = new QVBoxLayout(this);
    auto* against = new QHBoxLayout;
    against->addWidget(new QLabel(tr("Against")));
    mAgainst->setObjectName("matchAgainst");
    mAgainst->addItem(tr("the clicked pixel"));
    mAgainst->setToolTip(tr("The clicked pixel, or the mean spectrum of an ROI"));
    connect(mAgainst, &QComboBox::currentIndexChanged, this, [this] {
        if (!mFilling) emit rangeChanged();
    });
    against->addWidget(mAgainst, 1);
    layout->addLayout(against);
    auto* range = new QHBoxLayout;
    range->addWidget(new QLabel(tr("Compare")));
    for (QSpinBox* box : {mFrom, mTo}) {
        box->setRange(350, 4000);
        box->setSingleStep(50);
        box->setSuffix(tr(" nm"));
        box->setKeyboardTracking(false); // one new ranking per edit, not per digit
        connect(box, &QSpinBox::valueChanged, this, &LibraryMatchPanel::rangeChanged);
    }
    mFrom->setObjectName("matchFrom");
    mTo->setObjectName("matchTo");
    mFrom->setValue(1000);
    mTo->setValue(2600);
    range->addWidget(mFrom);
    range->addWidget(new QLabel(tr("to")));
    range->addWidget(mTo);
    range->addStretch(1);
    layout->addLayout(range);
    mFilter->setObjectName("matchFilter");
    mFilter->setPlaceholderText(tr("Filter the library (e.g. carbonate, olivine)"));
    mFilter->setClearButtonEnabled(true);
    connect(mFilter, &QLineEdit::textChanged, this, &LibraryMatchPanel::applyFilter);
    layout->addWidget(mFilter);
    mSubject->setObjectName("matchSubject");
    mSubject->setWordWrap(true);
    layout->addWidget(mSubject);
    mTable->setObjectName("matchTable");
    mTable->setHorizontalHeaderLabels({tr("Show"), tr("#"), tr("Library spectrum"), tr("r (CR)"), tr("Angle °")});
    mTable->setWordWrap(false);
    mTable->setTextElideMode(Qt::ElideRight); // a name's start (source and mineral) says most
    mTable->horizontalHeaderItem(Correlation)->setToolTip(tr("Correlation of the continuum-removed spectra over the range: band shape, the score"));
    mTable->horizontalHeaderItem(Angle)->setToolTip(tr("Spectral angle of the spectra as they are (0° = same shape and slope)"));
    mTable->verticalHeader()->setVisible(false);
    mTable->setEditTriggers(QAbstractItemView::NoEditTriggers);
    mTable->setSelectionBehavior(QAbstractItemView::SelectRows);
    mTable->horizontalHeader()->setSectionResizeMode(Name, QHeaderView::Stretch);
    for (int c : {Show, Rank, Correlation, Angle}) mTable->horizontalHeader()->setSectionResizeMode(c, QHeaderView::ResizeToContents);
    layout->addWidget(mTable, 1);
    connect(mTable, &QTableWidget::itemChanged, this, [this](QTableWidgetItem* item) {
        if (mFilling || item->column() != Show) return;
        emit showRequested(mTable->item(item->row(), Name)->text(), item->checkState() == Qt::Checked);
    });
    setMessage(tr("Click a pixel to rank the library against its spectrum."));
}

void LibraryMatchPanel::setMatches(const QString& subject, const std::vector<LibraryMatch>& matches) {
    QStringList shown;
    for (int r = 0; r < mTable->rowCount(); ++r)
        if (mTable->item(r, Show)->checkState() == Qt::Checked) shown << mTable->item(r, Name)->text();
    mFilling = true;
    mTable->setRowCount(static_cast<int>(matches.size()));
    for (int r = 0; r < static_cast<int>(matches.size()); ++r) {
        const LibraryMatch& m = matches[r];
        auto* show = new QTableWidgetItem;
        show->setFlags(Qt::ItemIsUserCheckable | Qt::ItemIsEnabled | Qt::ItemIsSelectable);
        const QString name = QString::fromStdString(m.name);
        show->setCheckState(shown.contains(name) ? Qt::Checked : Qt::Unchecked);
        mTable->setItem(r, Show, show);
        mTable->setItem(r, Rank, new QTableWidgetItem(QString::number(r + 1)));
        mTable->setItem(r, Name, new QTableWidgetItem(name));
        mTable->setItem(r, Correlation, new QTableWidgetItem(QString::number(m.correlation, 'f', 3)));
        mTable->setItem(r, Angle, new QTableWidgetItem(QString::number(m.angleDeg, 'f', 1)));
        mTable->item(r, Name)->setToolTip(tr("%1 (%2): %3 channels compared").arg(name, QString::fromStdString(m.kind)).arg(m.channels));
    }
    mFilling = false;
    mSubject->setText(tr("%1 ranked against %2, %3–%4 nm: best band-shape match first.")
                          .arg(matches.size())
                          .arg(subject)
                          .arg(mFrom->value())
                          .arg(mTo->value()));
    applyFilter();
}

void LibraryMatchPanel::setMessage(const QString& text) {
    mFilling = true;
    mTable->setRowCount(0);
    mFilling = false;
    mSubject->setText(text);
}

void LibraryMatchPanel::setStatus(const QString& text) { mSubject->setText(text); }

void LibraryMatchPanel::setShown(const QString& name, bool shown) {
    mFilling = true;
    for (int r = 0; r < mTable->rowCount(); ++r)
        if (mTable->item(r, Name)->text() == name) mTable->item(r, Show)->setCheckState(shown ? Qt::Checked : Qt::Unchecked);
    mFilling = false;
}

int LibraryMatchPanel::subject() const { return std::max(0, mAgainst->currentIndex()); }

void LibraryMatchPanel::setRoiNames(const QStringList& names) {
    const QString current = mAgainst->currentText();
    mFilling = true;
    while (mAgainst->count() > 1) mAgainst->removeItem(1);
    for (const QString& n : names) mAgainst->addItem(tr("ROI %1 (mean)").arg(n));
    const int keep = mAgainst->findText(current);
    mAgainst->setCurrentIndex(keep >= 0 ? keep : 0);
    mFilling = false;
    if (keep < 0 && !current.isEmpty() && current != mAgainst->itemText(0)) emit rangeChanged(); // its ROI went away
}

void LibraryMatchPanel::setSubject(int subject) { mAgainst->setCurrentIndex(subject); }

double LibraryMatchPanel::fromNm() const { return mFrom->value(); }
double LibraryMatchPanel::toNm() const { return mTo->value(); }
int LibraryMatchPanel::rowCount() const { return mTable->rowCount(); }
int LibraryMatchPanel::visibleRowCount() const {
    int n = 0;
    for (int r = 0; r < mTable->rowCount(); ++r) n += !mTable->isRowHidden(r);
    return n;
}
QString LibraryMatchPanel::rowName(int row) const { return mTable->item(row, Name)->text(); }
void LibraryMatchPanel::setFilterText(const QString& text) { mFilter->setText(text); }
void LibraryMatchPanel::setRowShown(int row, bool shown) { mTable->item(row, Show)->setCheckState(shown ? Qt::Checked : Qt::Unchecked); }

bool LibraryMatchPanel::isRowShown(int row) const { return mTable->item(row, Show)->checkState() == Qt::Checked; }

void LibraryMatchPanel::applyFilter() {
    const QString text = mFilter->text().trimmed();
    for (int r = 0; r < mTable->rowCount(); ++r)
        mTable->setRowHidden(r, !text.isEmpty() && !mTable->item(r, Name)->text().contains(text, Qt::CaseInsensitive));
}

} // namespace jezero::ui
