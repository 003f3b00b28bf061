// jezero-cli fusion-eval: Wald's reduced-resolution protocol for bringing a coarse prediction back to
// CaSSIS's grid. Each scene is taken as the fine truth: its browse product's parameters degraded by
// the factor through the PSF are what a perfect model would predict at the coarse scale; bicubic,
// guided, hpf and gs bring them back with the scene's simulated CaSSIS PAN as the guide.
#include "Commands.h"
#include "jezero/core/BrowseProducts.h"
#include "jezero/core/CassisSimulator.h"
#include "jezero/core/Comparison.h"
#include "jezero/core/Error.h"
#include "jezero/core/ScaleFusion.h"
#include "jezero/core/SummaryParameters.h"
#include "jezero/io/SceneReader.h"

#include <nlohmann/json.hpp>

#include <cstdio>
#include <iostream>
#include <map>
#include <memory>

namespace jezero::cli {
namespace {

struct Options {
    std::vector<std::string> scenes;
    double factor = 18.0 / 4.6;
    std::string product = "FAL";
    bool json = false;
};

void evaluate(const Options& o) {
    const BrowseProduct product = browseProduct(o.product);
    const std::vector<std::string> names(product.parameters.begin(), product.parameters.end());
    std::map<std::string, FusionScore> sums;
    std::vector<std::string> order;
    nlohmann::json perScene = nlohmann::json::array();
    for (const std::string& path : o.scenes) {
        const SpectralCube cube = io::readScene(path);
        if (!cube.metadata().filterNames.empty()) throw Error(path + " is a filter image; fusion-eval needs spectrometer scenes to take the truth from");
        const ImageStack target = SummaryParameters(cube.wavelengthsNm(), names).compute(cube);
        const ImageStack pan = selectChannels(simulateCassis(cube, cassisFilters()), {"PAN"});
        nlohmann::json scene{{"scene", path}};
        for (const FusionScore& s : scoreFusion(target, pan, o.factor)) {
            if (!sums.count(s.method)) order.push_back(s.method);
            FusionScore& sum = sums[s.method];
            sum.rmse += s.rmse, sum.ergas += s.ergas, sum.samDeg += s.samDeg, sum.ssim += s.ssim, sum.psnr += s.psnr;
            scene[s.method] = {{"rmse", s.rmse}, {"ergas", s.ergas}, {"sam_deg", s.samDeg}, {"ssim", s.ssim}, {"psnr", s.psnr}};
        }
        perScene.push_back(scene);
        if (!o.json) std::cerr << "scored " << path << '\n';
    }
    const double n = static_cast<double>(o.scenes.size());
    nlohmann::json mean;
    for (const auto& method : order) {
        const FusionScore& s = sums[method];
        mean[method] = {{"rmse", s.rmse / n}, {"ergas", s.ergas / n}, {"sam_deg", s.samDeg / n}, {"ssim", s.ssim / n}, {"psnr", s.psnr / n}};
    }
    if (o.json) {
        std::cout << nlohmann::json{{"product", product.name}, {"parameters", names}, {"factor", o.factor},
                                    {"psf_sigma_px", psfSigmaForReduction(o.factor)}, {"scenes", o.scenes.size()},
                                    {"methods", order}, {"mean", mean}, {"per_scene", perScene}}
                         .dump(2)
                  << '\n';
        return;
    }
    std::printf("%s (%s, %s, %s), factor %.3f, PSF sigma %.2f fine px, %zu scene(s); mean over scenes:\n", product.name.c_str(), names[0].c_str(),
                names[1].c_str(), names[2].c_str(), o.factor, psfSigmaForReduction(o.factor), o.scenes.size());
    std::printf("%-8s %10s %8s %8s %8s %8s\n", "method", "RMSE", "ERGAS", "SAM(deg)", "SSIM", "PSNR");
    for (const auto& method : order) {
        const FusionScore& s = sums[method];
        std::printf("%-8s %10.5f %8.3f %8.3f %8.4f %8.2f\n", method.c_str(), s.rmse / n, s.ergas / n, s.samDeg / n, s.ssim / n, s.psnr / n);
    }
}

} // namespace

std::vector<Command> addFusionCommands(CLI::App& app) {
    auto o = std::make_shared<Options>();
    auto* cmd = app.add_subcommand("fusion-eval", "Score the fusion methods on scenes taken as fine truth (Wald's protocol)");
    cmd->add_option("scenes", o->scenes, "Spectrometer scenes (e.g. synthetic ones) taken as the fine-scale truth")->required();
    cmd->add_option("--factor", o->factor, "Coarse pixel / fine pixel (default 18 / 4.6: CRISM MTRDR over CaSSIS)")->check(CLI::Range(1.0, 64.0));
    cmd->add_option("--product", o->product, "Browse product whose parameters are the target (default FAL)");
    cmd->add_flag("--json", o->json, "The scores as JSON (mean and per scene)");
    return {{cmd, [o] { evaluate(*o); }}};
}

} // namespace jezero::cli
