#pragma once
// main() for tests of windows that hold the 3D cube view: VTK needs the OpenGL surface format set
// before the QApplication exists, which QTEST_MAIN does not allow.
#include "jezero/ui/CubeView.h"

#include <QApplication>
#include <QtTest>

#define JEZERO_GUI_TEST_MAIN(TestClass)                   \
    int main(int argc, char** argv) {                     \
        jezero::ui::CubeView::setDefaultSurfaceFormat();  \
        QApplication app(argc, argv);                     \
        TestClass test;                                   \
        return QTest::qExec(&test, argc, argv);           \
    }
