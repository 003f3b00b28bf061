#pragma once
#include <QStringList>

namespace jezero::ui {

// The most recently opened scenes, newest first, kept in QSettings.
class RecentFiles {
public:
    static constexpr int kMaximum = 10;
    static QStringList list();
    static void add(const QString& path);
    static void clear();
};

} // namespace jezero::ui
