#include "Commands.h"
#include "jezero/core/ImageMetrics.h"
#include "jezero/io/ImageReader.h"

#include <nlohmann/json.hpp>

#include <cmath>
#include <iostream>
#include <memory>

namespace jezero::cli {
namespace {

struct Options {
    std::string prediction, reference;
    double dataRange = 255.0;
    bool json = false;
};

void metrics(const Options& o) {
    const auto [a, aMeta] = io::readImageStack(o.prediction);
    const auto [b, bMeta] = io::readImageStack(o.reference);
    const ImageMetrics m = compareImages(a, b, o.dataRange);
    if (o.json) {
        const auto nullable = [](const std::vector<double>& v) {
            nlohmann::json out = nlohmann::json::array();
            for (double x : v) out.push_back(std::isfinite(x) ? nlohmann::json(x) : nlohmann::json(nullptr));
            return out;
        };
        const nlohmann::json j{{"rmse", m.rmse},
                               {"pcc", std::isfinite(m.pcc) ? nlohmann::json(m.pcc) : nlohmann::json(nullptr)},
                               {"cosine", std::isfinite(m.cosine) ? nlohmann::json(m.cosine) : nlohmann::json(nullptr)},
                               {"sam_deg", m.samDeg},
                               {"ssim", std::isfinite(m.ssim) ? nlohmann::json(m.ssim) : nlohmann::json(nullptr)},
                               {"data_range", o.dataRange},
                               {"valid_pixels", m.validPixels},
                               {"channels", a.channelNames},
                               {"per_channel", {{"rmse", nullable(m.rmsePerChannel)}, {"pcc", nullable(m.pccPerChannel)},
                                                {"cosine", nullable(m.cosinePerChannel)}, {"ssim", nullable(m.ssimPerChannel)}}}};
        std::cout << j.dump(2) << '\n';
        return;
    }
    std::cout << "rmse " << m.rmse << "\npcc " << m.pcc << "\ncosine " << m.cosine << "\nsam_deg " << m.samDeg << "\nssim " << m.ssim
              << " (data range " << o.dataRange << ")\n";
}

} // namespace

std::vector<Command> addMetricsCommands(CLI::App& app) {
    auto o = std::make_shared<Options>();
    auto* cmd = app.add_subcommand("metrics", "Per-image metrics of A against the reference B (same shape): RMSE, PCC, cosine, SAM, SSIM");
    cmd->add_option("A", o->prediction, "Image to judge (GeoTIFF or any raster GDAL reads)")->required();
    cmd->add_option("B", o->reference, "Reference image")->required();
    cmd->add_option("--data-range", o->dataRange, "SSIM data range L (default 255)")->check(CLI::PositiveNumber);
    cmd->add_flag("--json", o->json, "Print JSON: rmse, pcc, cosine, sam_deg, ssim (+ per channel)");
    return {{cmd, [o] { metrics(*o); }}};
}

} // namespace jezero::cli
