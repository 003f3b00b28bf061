#pragma once
#include "jezero/core/Composite.h"

#include <QImage>

namespace jezero::ui {

// A deep copy of a core RGBA composite as a QImage.
inline QImage toQImage(const CompositeImage& composite) {
    return QImage(composite.rgba.data(), composite.width, composite.height, composite.width * 4, QImage::Format_RGBA8888).copy();
}

} // namespace jezero::ui
