#pragma once
// A path field with its Browse… button, as every dialog of the workstation lays it out.
#include <QString>

#include <functional>

class QHBoxLayout;
class QLineEdit;
class QWidget;

namespace jezero::ui {

// edit and a Browse… button (object name: edit's + "Browse") in a row. pick asks for the path (empty:
// the user cancelled), chosen takes it. The button never becomes the dialog's default, so Enter in
// the field does not open a file dialog.
QHBoxLayout* browseRow(QLineEdit* edit, QWidget* parent, const std::function<QString()>& pick, const std::function<void(const QString&)>& chosen);

} // namespace jezero::ui
