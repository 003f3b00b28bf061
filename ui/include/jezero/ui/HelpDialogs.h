#pragma once
// Help › Keyboard and mouse, Help › Model cards: what a geologist needs at hand without the README.
#include <QList>

class QAction;
class QDialog;
class QWidget;

namespace jezero::ui {

// Every action among `actions` that has a shortcut (its text and keys, as the menus show them), then the
// mouse and keys of the maps, the spectrum plot and the 3D cube. Not modal; deleted when closed.
QDialog* showKeyboardAndMouse(QWidget* parent, const QList<QAction*>& actions);
// The shipped models' cards (resources/models/MODEL_CARD.md), rendered. Not modal; deleted when closed.
QDialog* showModelCards(QWidget* parent);

} // namespace jezero::ui
