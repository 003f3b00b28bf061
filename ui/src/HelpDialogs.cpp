#include "jezero/ui/HelpDialogs.h"

#include "jezero/core/Resources.h"

#include <QAction>
#include <QCoreApplication>
#include <QDialog>
#include <QDialogButtonBox>
#include <QFile>
#include <QHeaderView>
#include <QKeySequence>
#include <QTableWidget>
#include <QTextBrowser>
#include <QVBoxLayout>

#include <utility>
#include <vector>

namespace jezero::ui {
namespace {

QDialog* helpDialog(QWidget* parent, const QString& name, const QString& title, QWidget* content, QSize size) {
    auto* dialog = new QDialog(parent);
    dialog->setObjectName(name);
    dialog->setWindowTitle(title);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Close);
    QObject::connect(buttons, &QDialogButtonBox::rejected, dialog, &QDialog::close);
    auto* layout = new QVBoxLayout(dialog);
    layout->addWidget(content, 1);
    layout->addWidget(buttons);
    dialog->resize(size);
    dialog->show();
    return dialog;
}

} // namespace

QDialog* showKeyboardAndMouse(QWidget* parent, const QList<QAction*>& actions) {
    std::vector<std::pair<QString, QString>> rows;
    for (QAction* action : actions)
        if (!action->shortcut().isEmpty())
            rows.push_back({action->shortcut().toString(QKeySequence::NativeText), action->text().remove('&').remove(QStringLiteral("..."))});
    const std::pair<const char*, const char*> fixed[] = {
        {QT_TRANSLATE_NOOP("Help", "Click (map)"), QT_TRANSLATE_NOOP("Help", "the pixel's spectrum and parameters")},
        {QT_TRANSLATE_NOOP("Help", "Shift+click (map)"), QT_TRANSLATE_NOOP("Help", "keep several spectra")},
        {QT_TRANSLATE_NOOP("Help", "Wheel (map)"), QT_TRANSLATE_NOOP("Help", "zoom at the cursor (both maps, side by side)")},
        {QT_TRANSLATE_NOOP("Help", "Drag (map)"), QT_TRANSLATE_NOOP("Help", "pan; with a ROI tool: draw the ROI")},
        {QT_TRANSLATE_NOOP("Help", "Double-click or Enter (polygon ROI)"), QT_TRANSLATE_NOOP("Help", "close the polygon")},
        {QT_TRANSLATE_NOOP("Help", "Esc (drawing a ROI)"), QT_TRANSLATE_NOOP("Help", "cancel it")},
        {QT_TRANSLATE_NOOP("Help", "Drag (spectrum plot)"), QT_TRANSLATE_NOOP("Help", "zoom a range; double-click or Reset: whole range")},
        {QT_TRANSLATE_NOOP("Help", "Drag / wheel (3D cube)"), QT_TRANSLATE_NOOP("Help", "rotate / zoom; middle button: pan; R: reset the view")},
        {QT_TRANSLATE_NOOP("Help", "Right-click (comparison panel)"), QT_TRANSLATE_NOOP("Help", "export the panel as a figure")},
    };
    for (const auto& [keys, what] : fixed) {
        QString does = QCoreApplication::translate("Help", what);
        does[0] = does[0].toUpper(); // as the menus' entries
        rows.push_back({QCoreApplication::translate("Help", keys), does});
    }
    auto* table = new QTableWidget(static_cast<int>(rows.size()), 2);
    table->setObjectName("shortcutTable");
    table->setHorizontalHeaderLabels({QObject::tr("Keys or mouse"), QObject::tr("Does")});
    table->verticalHeader()->setVisible(false);
    table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    table->horizontalHeader()->setSectionResizeMode(0, QHeaderView::ResizeToContents);
    table->horizontalHeader()->setStretchLastSection(true);
    for (int r = 0; r < static_cast<int>(rows.size()); ++r) {
        table->setItem(r, 0, new QTableWidgetItem(rows[r].first));
        table->setItem(r, 1, new QTableWidgetItem(rows[r].second));
    }
    return helpDialog(parent, "keyboardAndMouse", QObject::tr("Keyboard and mouse"), table, {620, 460});
}

QDialog* showModelCards(QWidget* parent) {
    auto* text = new QTextBrowser;
    text->setObjectName("modelCardsText");
    QFile file(QString::fromStdString(resourcePath("models/MODEL_CARD.md")));
    if (file.open(QIODevice::ReadOnly)) text->setMarkdown(QString::fromUtf8(file.readAll()));
    else text->setPlainText(QObject::tr("The model cards (%1) cannot be read.").arg(file.fileName()));
    return helpDialog(parent, "modelCards", QObject::tr("Model cards: what the shipped models can and cannot do"), text, {900, 700});
}

} // namespace jezero::ui
