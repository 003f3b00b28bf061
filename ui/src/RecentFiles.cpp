#include "jezero/ui/RecentFiles.h"

#include <QFileInfo>
#include <QSettings>

namespace jezero::ui {
namespace {
const char* kKey = "recentScenes";
}

QStringList RecentFiles::list() { return QSettings().value(kKey).toStringList(); }

void RecentFiles::add(const QString& path) {
    const QString absolute = QFileInfo(path).absoluteFilePath();
    QStringList files = list();
    files.removeAll(absolute);
    files.prepend(absolute);
    while (files.size() > kMaximum) files.removeLast();
    QSettings().setValue(kKey, files);
}

void RecentFiles::clear() { QSettings().remove(kKey); }

} // namespace jezero::ui
