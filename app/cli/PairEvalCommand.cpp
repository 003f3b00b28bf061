// jezero-cli pair-eval: the CaSSIS chain scored at 4.6 m on synthetic pairs (ml::evaluateSyntheticPairs):
// per fusion method the carbonate model's average precision against the 4.6 m label and the FAL model's
// fusion scores against the 4.6 m truth, beside bicubic; then the harmonisation check.
#include "Commands.h"
#include "jezero/core/Error.h"
#include "jezero/core/Resources.h"
#include "jezero/core/Task.h"
#include "jezero/io/BrowseReader.h"
#include "jezero/ml/LearnedFusion.h"
#include "jezero/ml/PairEvaluation.h"
#include "jezero/ml/Predictor.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <iostream>
#include <memory>
#include <optional>

namespace jezero::cli {
namespace {

struct Options {
    std::string carbonateModel = "carbonate", falModel = "fal", methods = "bicubic,guided,hpf,gs", device = "auto", fusionModel = "fusion";
    ml::PairEvaluationOptions evaluation;
    bool noHarmonisation = false, json = false;
};

nlohmann::json number(double v) { return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(nullptr); }

void evaluatePairs(const Options& o) {
    ml::PairEvaluationOptions options = o.evaluation;
    options.methods.clear();
    for (const std::string& name : splitList(o.methods)) options.methods.push_back(parseFusionMethod(name));
    options.harmonisation = !o.noHarmonisation;
    if (options.size < 64) throw Error("--size must be at least 64 fine pixels (16 at the model's scale)");
    std::optional<ml::Predictor> carbonate, fal;
    if (o.carbonateModel != "none") carbonate.emplace(ml::Predictor::load(resolveModel(o.carbonateModel), o.device));
    if (o.falModel != "none") fal.emplace(ml::Predictor::load(resolveModel(o.falModel), o.device));
    std::optional<ml::Predictor> fusion;
    if (std::find(options.methods.begin(), options.methods.end(), FusionMethod::Learned) != options.methods.end()) {
        fusion.emplace(ml::Predictor::load(resolveModel(o.fusionModel), o.device));
        ml::requireFusionModel(*fusion);
        options.fusionModel = &*fusion;
    }
    const SynthesisInputs inputs = defaultSynthesisInputs(io::readSynthesisStructure());
    TaskControl control;
    control.setProgressCallback([&](double, const std::string& message) {
        if (!o.json) std::cerr << "scored " << message << '\n';
    });
    const ml::PairEvaluation r = ml::evaluateSyntheticPairs(inputs, carbonate ? &*carbonate : nullptr, fal ? &*fal : nullptr, options, &control);
    if (o.json) {
        nlohmann::json methods = nlohmann::json::array();
        for (const auto& m : r.methods)
            methods.push_back({{"method", m.method},
                               {"carbonate_ap", number(m.carbonateAp)},
                               {"fal", fal ? nlohmann::json{{"rmse", m.fal.rmse}, {"ergas", m.fal.ergas}, {"sam_deg", m.fal.samDeg},
                                                            {"ssim", m.fal.ssim}, {"psnr", m.fal.psnr}}
                                           : nlohmann::json(nullptr)}});
        nlohmann::json j{{"scenes", r.scenes},          {"carbonate_scenes", r.carbonateScenes}, {"labelled_pixels", r.labelledPixels},
                         {"base_rate", r.baseRate},     {"factor", r.factor},                    {"fine_size", options.size},
                         {"methods", methods},          {"carbonate_model", carbonate ? o.carbonateModel : "none"},
                         {"fal_model", fal ? o.falModel : "none"}};
        if (r.harmonisation) {
            const auto& h = *r.harmonisation;
            j["harmonisation"] = {{"method", h.method},
                                  {"miscalibration", {{"gain", 1.1}, {"offset", 0.01}}},
                                  {"carbonate_ap", {{"true", number(h.apTrue)}, {"miscalibrated", number(h.apMiscalibrated)}, {"calibrated", number(h.apCalibrated)}}},
                                  {"fal_rmse", {{"true", number(h.falRmseTrue)}, {"miscalibrated", number(h.falRmseMiscalibrated)}, {"calibrated", number(h.falRmseCalibrated)}}},
                                  {"fitted_gain", number(h.meanGain)},
                                  {"fitted_offset", number(h.meanOffset)}};
        }
        std::cout << j.dump(2) << '\n';
        return;
    }
    std::printf("%zu synthetic pair(s) (%d carbonate-bearing), %d² at 4.6 m vs %.3f× coarser; carbonate base rate at 4.6 m %.4f\n", r.scenes.size(),
                r.carbonateScenes, options.size, r.factor, r.baseRate);
    std::printf("%-8s %12s %10s %8s %9s %8s %8s\n", "method", "carbonateAP", "FAL RMSE", "ERGAS", "SAM(deg)", "SSIM", "PSNR");
    for (const auto& m : r.methods) {
        if (fal) std::printf("%-8s %12.4f %10.5f %8.3f %9.3f %8.4f %8.2f\n", m.method.c_str(), m.carbonateAp, m.fal.rmse, m.fal.ergas, m.fal.samDeg, m.fal.ssim, m.fal.psnr);
        else std::printf("%-8s %12.4f %10s %8s %9s %8s %8s\n", m.method.c_str(), m.carbonateAp, "-", "-", "-", "-", "-");
    }
    if (r.harmonisation) {
        const auto& h = *r.harmonisation;
        std::printf("harmonisation (%s; view ×1.1 + 0.01): carbonate AP %.4f true, %.4f miscalibrated, %.4f calibrated (fitted gain %.3f, offset %.4f); "
                    "FAL RMSE %.5f / %.5f / %.5f\n",
                    h.method.c_str(), h.apTrue, h.apMiscalibrated, h.apCalibrated, h.meanGain, h.meanOffset, h.falRmseTrue, h.falRmseMiscalibrated,
                    h.falRmseCalibrated);
    }
}

} // namespace

std::vector<Command> addPairEvalCommands(CLI::App& app) {
    auto o = std::make_shared<Options>();
    auto* cmd = app.add_subcommand("pair-eval", "Score predicting on CaSSIS images at 4.6 m on synthetic pairs (fusion methods, carbonate AP, harmonisation)");
    cmd->add_option("--count", o->evaluation.count, "Pairs (default 4)");
    cmd->add_option("--size", o->evaluation.size, "Fine grid size in 4.6 m pixels (default 384)");
    cmd->add_option("--seed", o->evaluation.seed, "Synthesis seed (default 11)");
    cmd->add_option("--carbonate-fraction", o->evaluation.carbonateFraction, "Share of carbonate-bearing pairs (default 0.5)");
    cmd->add_option("--model", o->carbonateModel, "Carbonate-probability model (default carbonate; none to skip)");
    cmd->add_option("--fal-model", o->falModel, "FAL model (default fal; none to skip)");
    cmd->add_option("--methods", o->methods, "Fusion methods (default bicubic,guided,hpf,gs; also sr; the first is used for the harmonisation check)");
    cmd->add_option("--fusion-model", o->fusionModel, "sr: the fusion checkpoint, or a shipped one: fusion (U-Net, default), fusion-diffusion");
    cmd->add_option("--fusion-samples", o->evaluation.fusionSampling.samples, "sr with a diffusion fusion model: samples per tile (default 4)")
        ->check(CLI::Range(1, 1024));
    cmd->add_flag("--no-harmonisation", o->noHarmonisation, "Skip the miscalibration check");
    cmd->add_option("--device", o->device, "auto, cpu, cuda, cuda:N (default auto)");
    cmd->add_flag("--json", o->json, "Print JSON");
    return {{cmd, [o] { evaluatePairs(*o); }}};
}

} // namespace jezero::cli
