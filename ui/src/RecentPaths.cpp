#include "jezero/ui/RecentPaths.h"

#include <QCoreApplication>
#include <QFileInfo>
#include <QSettings>
#include <QStandardPaths>

namespace jezero::ui {

QStringList RecentPaths::list() const { return QSettings().value(mKey).toStringList(); }

QStringList RecentPaths::existing() const {
    QStringList paths;
    for (const QString& path : list())
        if (QFileInfo::exists(path)) paths << path;
    return paths;
}

void RecentPaths::add(const QString& path) const {
    const QString absolute = QFileInfo(path).absoluteFilePath();
    QStringList paths = list();
    paths.removeAll(absolute);
    paths.prepend(absolute);
    while (paths.size() > mMaximum) paths.removeLast();
    QSettings().setValue(mKey, paths);
}

void RecentPaths::clear() const { QSettings().remove(mKey); }

QString defaultDataFolder(const QString& sub) {
    return QStandardPaths::writableLocation(QStandardPaths::GenericDataLocation) + "/" + QCoreApplication::organizationName() + "/" + sub;
}

} // namespace jezero::ui
