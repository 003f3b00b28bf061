#include "jezero/ui/CassisChainReport.h"

#include <QJsonArray>
#include <cmath>
#include <QObject>

namespace jezero::ui {
namespace {

QString fusionName(const QString& method) {
    if (method == "gs") return QObject::tr("Gram–Schmidt substitution (gs)");
    if (method == "guided") return QObject::tr("guided filter");
    if (method == "hpf") return QObject::tr("high-pass injection (hpf)");
    if (method == "bicubic") return QObject::tr("bicubic upsampling");
    if (method == "sr") return QObject::tr("learned network (sr)");
    return method;
}

QString line(const QJsonObject& fit) {
    const double offset = fit.value("offset").toDouble();
    return QString("× %1 %2 %3").arg(fit.value("gain").toDouble(), 0, 'f', 4).arg(offset < 0 ? "−" : "+").arg(std::abs(offset), 0, 'f', 4);
}

} // namespace

std::vector<ChainRow> cassisChainRows(const QJsonObject& done) {
    std::vector<ChainRow> rows;
    const QJsonObject report = done.value("filter_image").toObject();
    if (report.isEmpty()) return rows;
    const double factor = done.value("scale_factor").toDouble(1);
    if (!done.value("fusion").isNull() && factor > 1) {
        rows.push_back({QObject::tr("Fusion"), fusionName(done.value("fusion").toString()),
                        QObject::tr("How the prediction made at the model's pixel came back to the image's grid")});
        rows.push_back({QObject::tr("Model pixel / image pixel"), QString::number(factor, 'f', 2),
                        QObject::tr("The image was degraded by this factor to the model's training pixel before predicting")});
        rows.push_back({QObject::tr("PSF σ (image pixels)"), QString::number(done.value("psf_sigma_px").toDouble(), 'f', 2),
                        QObject::tr("The Gaussian between the grids: MTF 0.3 at the model grid's Nyquist frequency")});
    }
    const QJsonObject noise = report.value("noise_sigma").toObject();
    for (const auto& filter : report.value("filters").toArray()) {
        const QJsonValue sigma = noise.value(filter.toString());
        rows.push_back({QObject::tr("Noise σ, %1").arg(filter.toString()), sigma.isDouble() ? QString::number(sigma.toDouble(), 'g', 3) : QObject::tr("unknown"),
                        QObject::tr("Immerkær's estimate of the image's noise in this filter (its units)")});
    }
    for (const auto& f : report.value("calibration").toArray()) {
        const QJsonObject fit = f.toObject();
        rows.push_back({QObject::tr("Calibrated %1").arg(fit.value("band").toString()),
                        QObject::tr("%1 (r² %2)").arg(line(fit)).arg(fit.value("r2").toDouble(), 0, 'f', 3),
                        QObject::tr("Line fitted to the overlapping CRISM scene's simulated filter values, applied before predicting")});
    }
    const bool logUnits = report.value("training_match_units").toString() == "ln I/F";
    for (const auto& f : report.value("training_match").toArray()) {
        const QJsonObject fit = f.toObject();
        // A log-input model's match is an offset in ln I/F: shown as the gain on I/F it is.
        const QString value = logUnits && fit.value("gain").toDouble() == 1.0
                                  ? QObject::tr("I/F × %1 (ln I/F %2 %3)")
                                        .arg(std::exp(fit.value("offset").toDouble()), 0, 'f', 4)
                                        .arg(fit.value("offset").toDouble() < 0 ? "−" : "+")
                                        .arg(std::abs(fit.value("offset").toDouble()), 0, 'f', 4)
                                  : line(fit);
        rows.push_back({QObject::tr("Matched %1").arg(fit.value("band").toString()), value,
                        QObject::tr("Gain on I/F bringing this band's mean to the training inputs' (shown in the network's units: an offset in ln I/F), "
                                    "applied at the model's scale")});
    }
    return rows;
}

std::vector<BandFit> calibrationFits(const QJsonObject& done) {
    std::vector<BandFit> fits;
    for (const auto& f : done.value("filter_image").toObject().value("calibration").toArray()) {
        const QJsonObject fit = f.toObject();
        BandFit b;
        b.band = fit.value("band").toString().toStdString();
        b.gain = fit.value("gain").toDouble(1);
        b.offset = fit.value("offset").toDouble(0);
        b.pixels = static_cast<std::size_t>(fit.value("pixels").toDouble());
        b.r2 = fit.value("r2").toDouble();
        fits.push_back(b);
    }
    return fits;
}

} // namespace jezero::ui
