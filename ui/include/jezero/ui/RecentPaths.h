#pragma once
// A most-recent-first list of absolute paths kept in QSettings: the scenes opened (File ▸ Open recent)
// and the training runs started from this workstation (runs list, model choice of Predict carbonates).
#include <QString>
#include <QStringList>

namespace jezero::ui {

// Where Jezero's own outputs go by default: <user data>/<organisation>/<sub> (~/.local/share/jezero/runs),
// the organisation being "jezero" (tests set their own).
QString defaultDataFolder(const QString& sub);

class RecentPaths {
public:
    static RecentPaths scenes() { return {"recentScenes", 10}; }
    static RecentPaths trainingRuns() { return {"trainingRuns", 50}; }

    QStringList list() const;          // as stored
    QStringList existing() const;      // those still on disk
    void add(const QString& path) const; // to the front, once
    void clear() const;

private:
    RecentPaths(QString key, int maximum) : mKey(std::move(key)), mMaximum(maximum) {}
    QString mKey;
    int mMaximum;
};

} // namespace jezero::ui
