#pragma once
// What jezero-cli predict reports of a CaSSIS image's chain (its "done" JSON line): the fusion that
// brought the prediction to the image's grid, the factor and PSF between the grids, each filter's noise
// and the radiometric lines fitted — shown in the comparison beside the metrics, and exported with them.
#include "jezero/core/Harmonisation.h"

#include <QJsonObject>
#include <QString>

#include <vector>

namespace jezero::ui {

struct ChainRow {
    QString name, value, help;
};

// Empty for a spectrometer scene (no filter_image report).
std::vector<ChainRow> cassisChainRows(const QJsonObject& done);
// The calibration lines against an overlapping CRISM scene (I/F per filter), empty when none were fitted.
std::vector<BandFit> calibrationFits(const QJsonObject& done);

} // namespace jezero::ui
