#pragma once
#include <QColor>

#include <cstddef>

namespace jezero::ui {

// The colour of the i-th spectrum or ROI (matplotlib's "tab10" categorical palette), the same on
// the map markers and in the plot.
inline QColor spectrumColour(std::size_t i) {
    static const QColor palette[] = {QColor(31, 119, 180), QColor(255, 127, 14), QColor(44, 160, 44),  QColor(214, 39, 40),
                                     QColor(148, 103, 189), QColor(140, 86, 75), QColor(227, 119, 194), QColor(23, 190, 207)};
    return palette[i % (sizeof palette / sizeof palette[0])];
}

} // namespace jezero::ui
