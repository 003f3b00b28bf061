#pragma once
// Paths the tests use: the bundled resources (never ../shared) and the built executables.
#include <QString>

namespace jezero::test {

inline QString resource(const QString& relative) { return QStringLiteral(JEZERO_TEST_RESOURCES) + "/" + relative; }
inline QString sampleVnirLabel() { return resource("crism/trr3/frt0001458f_01_if156s_trr3.lbl"); }
inline QString sampleIrLabel() { return resource("crism/trr3/frt0001458f_01_if156l_trr3.lbl"); }
inline QString sampleMtrdrTiff() { return resource("crism/mtrdr/frt0000932c_07_if164j_mtr3_subsampled.tif"); }

} // namespace jezero::test
