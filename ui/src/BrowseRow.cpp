#include "jezero/ui/BrowseRow.h"

#include <QHBoxLayout>
#include <QLineEdit>
#include <QPushButton>

namespace jezero::ui {

QHBoxLayout* browseRow(QLineEdit* edit, QWidget* parent, const std::function<QString()>& pick, const std::function<void(const QString&)>& chosen) {
    auto* browse = new QPushButton(QObject::tr("Browse…"), parent);
    browse->setObjectName(edit->objectName() + "Browse");
    browse->setAutoDefault(false);
    QObject::connect(browse, &QPushButton::clicked, parent, [pick, chosen] {
        const QString path = pick();
        if (!path.isEmpty()) chosen(path);
    });
    auto* row = new QHBoxLayout;
    row->addWidget(edit, 1);
    row->addWidget(browse);
    return row;
}

} // namespace jezero::ui
