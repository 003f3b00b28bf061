// jezero-cli evaluate: a trained model on a dataset split. Per image the metrics of core/Evaluation
// (and LPIPS when the user gives its TorchScript network); carbonate detection pooled over pixels —
// against the dataset's carbonate label when it has one, never a threshold on a noisy target then —
// and reported for all images, the carbonate-bearing ones, the carbonate-free ones and the balanced
// test split (whole-image averages reward missing rare carbonates); calibration (ECE, Brier,
// reliability diagram) when the model gives a probability; the ensemble's spread–skill ratio; CSV +
// JSON per image and summary; PNG panels input | ground truth | prediction | |error| | uncertainty of
// the worst and best images.
#include "Commands.h"
#include "jezero/core/AtomicFile.h"
#include "jezero/core/Calibration.h"
#include "jezero/core/Composite.h"
#include "jezero/core/CsvText.h"
#include "jezero/core/Comparison.h"
#include "jezero/core/Dataset.h"
#include "jezero/core/Error.h"
#include "jezero/core/Evaluation.h"
#include "jezero/core/Resources.h"
#include "jezero/core/Statistics.h"
#include "jezero/io/ImageWriter.h"
#include "jezero/ml/Lpips.h"
#include "jezero/ml/Predictor.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <iostream>
#include <map>
#include <memory>
#include <numeric>
#include <optional>
#include <sstream>

namespace fs = std::filesystem;

namespace jezero::cli {
namespace {

struct Options {
    std::string model, data, split = "test", out, lpips, device = "auto";
    ml::SamplingOptions sampling;
    double threshold = std::nan(""); // default: 0.5 for a probability, kCarbonateThreshold for a parameter
    int panels = 3;
};

struct ImageResult {
    std::size_t tile = 0;
    TileRecord record;
    ImageEvaluation evaluation;
    double lpips = std::nan("");
    double meanStd = 0;
    ImageStack input, truth, prediction, stddev;
    std::vector<std::uint8_t> label;  // empty when the dataset has none
    std::vector<float> probability;   // carbonate probability per pixel, empty when the model gives none
    const std::uint8_t* labelOrNull() const { return label.empty() ? nullptr : label.data(); }
};

// Image-level detection needs a precision floor: a model that flags every image finds them all.
constexpr double kImagePrecisionFloor = 0.5;

ImageStack fromChw(const float* chw, int channels, int size, const std::vector<std::string>& names) {
    ImageStack image(size, size, names);
    const std::size_t plane = static_cast<std::size_t>(size) * size;
    for (int c = 0; c < channels; ++c)
        for (std::size_t p = 0; p < plane; ++p) image.values[p * channels + c] = chw[c * plane + p];
    return image;
}
std::vector<float> toChw(const ImageStack& image) {
    const std::size_t plane = image.pixelCount();
    std::vector<float> chw(plane * image.channels());
    for (int c = 0; c < image.channels(); ++c)
        for (std::size_t p = 0; p < plane; ++p) chw[c * plane + p] = image.values[p * image.channels() + c];
    return chw;
}

nlohmann::json numberOrNull(double v) { return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(nullptr); }

nlohmann::json imageJson(const ImageResult& r) {
    const auto& e = r.evaluation;
    nlohmann::json j{{"tile", r.tile},           {"scene", r.record.scene},        {"region", r.record.region},   {"x", r.record.x},
                     {"y", r.record.y},          {"carbonate_bearing", r.record.carbonateBearing},
                     {"rmse", e.physical.rmse},  {"rmse_255", e.rmse255},          {"pcc", numberOrNull(e.physical.pcc)},
                     {"cosine", numberOrNull(e.physical.cosine)}, {"sam_deg", numberOrNull(e.physical.samDeg)}, {"ssim", numberOrNull(e.ssim255)},
                     {"lpips", numberOrNull(r.lpips)}, {"mean_std", r.meanStd}};
    if (e.hasCarbonateChannel) {
        j["carbonate_precision"] = e.detection.precision;
        j["carbonate_recall"] = e.detection.recall;
        j["carbonate_f1"] = e.detection.f1;
        j["carbonate_iou"] = e.detection.iou;
        j["truth_carbonate_fraction"] = e.truthCarbonateFraction;
        j["predicted_carbonate_fraction"] = e.predictedCarbonateFraction;
    }
    return j;
}

// Image-averaged metrics and pixel-pooled carbonate detection over a group of images.
nlohmann::json groupSummary(const std::vector<const ImageResult*>& group, int carbonate, double threshold, Calibration* calibrationOut = nullptr) {
    nlohmann::json j{{"images", group.size()}};
    if (group.empty()) return j;
    const auto mean = [&](auto get) {
        double sum = 0;
        std::size_t n = 0;
        for (const auto* r : group)
            if (const double v = get(*r); std::isfinite(v)) sum += v, ++n;
        return n ? nlohmann::json(sum / n) : nlohmann::json(nullptr);
    };
    j["rmse"] = mean([](const ImageResult& r) { return r.evaluation.physical.rmse; });
    j["rmse_255"] = mean([](const ImageResult& r) { return r.evaluation.rmse255; });
    j["pcc"] = mean([](const ImageResult& r) { return r.evaluation.physical.pcc; });
    j["cosine"] = mean([](const ImageResult& r) { return r.evaluation.physical.cosine; });
    j["sam_deg"] = mean([](const ImageResult& r) { return r.evaluation.physical.samDeg; });
    j["ssim"] = mean([](const ImageResult& r) { return r.evaluation.ssim255; });
    j["lpips"] = mean([](const ImageResult& r) { return r.lpips; });
    j["mean_std"] = mean([](const ImageResult& r) { return r.meanStd; });
    {
        std::vector<float> ensembleMean, ensembleStd, ensembleTruth;
        for (const auto* r : group) {
            ensembleMean.insert(ensembleMean.end(), r->prediction.values.begin(), r->prediction.values.end());
            ensembleStd.insert(ensembleStd.end(), r->stddev.values.begin(), r->stddev.values.end());
            ensembleTruth.insert(ensembleTruth.end(), r->truth.values.begin(), r->truth.values.end());
        }
        bool anySpread = false;
        for (float v : ensembleStd) anySpread |= std::isfinite(v) && v > 0;
        if (anySpread) j["spread_skill_ratio"] = numberOrNull(spreadSkillRatio(ensembleMean, ensembleStd, ensembleTruth));
    }
    if (carbonate < 0) return j;
    std::vector<float> scores, probabilities;
    std::vector<char> truth, probabilityTruth;
    std::size_t bearing = 0, found = 0, flagged = 0, flaggedBearing = 0;
    for (const auto* r : group) {
        const std::size_t before = truth.size();
        carbonatePixels(r->prediction, r->truth, carbonate, threshold, scores, truth, r->labelOrNull());
        if (!r->probability.empty()) {
            probabilities.insert(probabilities.end(), r->probability.begin(), r->probability.end());
            probabilityTruth.insert(probabilityTruth.end(), truth.begin() + static_cast<std::ptrdiff_t>(before), truth.end());
        }
        const bool flags = r->evaluation.predictedCarbonateFraction >= kCarbonateTileFraction;
        flagged += flags;
        flaggedBearing += flags && r->record.carbonateBearing;
        if (r->record.carbonateBearing) {
            ++bearing;
            found += flags;
        }
    }
    const auto d = detectAbove(scores, truth, threshold);
    const double ap = averagePrecision(scores, truth);
    std::size_t positives = 0, valid = 0;
    for (char t : truth) positives += t == 1, valid += t >= 0;
    const double imagePrecision = flagged ? static_cast<double>(flaggedBearing) / flagged : std::nan("");
    const bool imageRecallMeaningful = bearing && std::isfinite(imagePrecision) && imagePrecision >= kImagePrecisionFloor;
    j["carbonate"] = {{"threshold", threshold},
                      {"precision", d.precision},
                      {"recall", d.recall},
                      {"f1", d.f1},
                      {"iou", d.iou},
                      {"true_positive_pixels", d.truePositives},
                      {"false_positive_pixels", d.falsePositives},
                      {"false_negative_pixels", d.falseNegatives},
                      {"average_precision", numberOrNull(ap)},
                      {"base_rate", valid ? nlohmann::json(static_cast<double>(positives) / valid) : nlohmann::json(nullptr)},
                      {"image_precision", numberOrNull(imagePrecision)},
                      {"image_recall", imageRecallMeaningful ? nlohmann::json(static_cast<double>(found) / bearing) : nlohmann::json(nullptr)},
                      {"image_recall_note", imageRecallMeaningful ? "" : "not reported: image precision below the 0.5 floor or no image flagged"},
                      {"carbonate_bearing_images", bearing}};
    if (!probabilities.empty()) {
        const Calibration c = calibrate(probabilities, probabilityTruth, 10);
        j["carbonate"]["ece"] = numberOrNull(c.ece);
        j["carbonate"]["brier"] = numberOrNull(c.brier);
        if (calibrationOut) *calibrationOut = c;
    }
    return j;
}

CompositeImage panel(const ImageResult& r) {
    const ComparisonImages images = renderComparison(r.input, &r.truth, r.prediction, &r.stddev);
    return sideBySide({&images.input, &images.truth, &images.prediction, &images.error, &images.uncertainty}, 4);
}

std::string csvOf(const nlohmann::json& rows) {
    std::ostringstream csv;
    std::vector<std::string> keys;
    for (const auto& [key, value] : rows.front().items()) keys.push_back(key);
    for (std::size_t k = 0; k < keys.size(); ++k) csv << (k ? "," : "") << keys[k];
    csv << '\n';
    for (const auto& row : rows) {
        for (std::size_t k = 0; k < keys.size(); ++k) {
            const auto& v = row.contains(keys[k]) ? row.at(keys[k]) : nlohmann::json(nullptr);
            csv << (k ? "," : "") << csvField(v.is_null() ? "" : v.is_string() ? v.get<std::string>() : v.dump());
        }
        csv << '\n';
    }
    return csv.str();
}

void evaluate(const Options& o) {
    const std::string modelPath = resolveModel(o.model);
    const auto predictor = ml::Predictor::load(modelPath, o.device);
    const TileDataset data = TileDataset::open(o.data, o.split);
    if (data.size() == 0) throw Error("the " + o.split + " split of " + o.data + " holds no tiles; nothing to evaluate");
    const DatasetManifest& m = data.manifest();
    if (m.inputChannels != predictor.inputChannelNames() || m.targetChannels != predictor.targetChannelNames() || m.tile != predictor.tile())
        throw Error("the dataset's channels or tile size differ from the model's (" + predictor.inputKind() + " → " + predictor.target() + ", tile " +
                    std::to_string(predictor.tile()) + ")");
    std::optional<ml::LpipsScorer> lpips;
    if (!o.lpips.empty()) {
        if (m.targetChannels.size() != 3) throw Error("LPIPS compares 3-channel images; this target has " + std::to_string(m.targetChannels.size()));
        lpips.emplace(ml::LpipsScorer::load(o.lpips, o.device));
    }
    const int carbonate = carbonateChannel(m.targetChannels);
    const bool probabilityModel = carbonate >= 0 && m.targetChannels[static_cast<std::size_t>(carbonate)] == kCarbonateLabelChannel;
    const double threshold = carbonateThreshold(m.targetChannels, o.threshold);
    // A diffusion ensemble of a carbonate parameter gives a probability too: the share of samples above the threshold.
    const bool exceedance = !probabilityModel && carbonate >= 0 && predictor.stochastic() && o.sampling.samples >= 2;
    const int t = m.tile, ci = static_cast<int>(m.inputChannels.size()), co = static_cast<int>(m.targetChannels.size());
    std::vector<ImageResult> results(data.size());
    for (std::size_t i = 0; i < data.size(); ++i) {
        ImageResult& r = results[i];
        r.tile = i;
        r.record = data.record(i);
        const float* input = data.input(i);
        ml::SamplingOptions sampling = o.sampling;
        sampling.seed = o.sampling.seed + i;
        const auto p = predictor.predictEnsemble(std::vector<float>(input, input + static_cast<std::size_t>(ci) * t * t),
                                                 {r.record.latitudeDeg, r.record.longitudeDeg, r.record.region}, sampling,
                                                 exceedance ? carbonate : -1, threshold);
        if (const std::uint8_t* l = data.label(i)) r.label.assign(l, l + static_cast<std::size_t>(t) * t);
        r.input = fromChw(input, ci, t, m.inputChannels);
        r.truth = fromChw(data.target(i), co, t, m.targetChannels);
        r.prediction = fromChw(p.mean.data(), co, t, m.targetChannels);
        r.stddev = fromChw(p.stddev.data(), co, t, m.targetChannels);
        for (std::size_t k = 0; k < r.prediction.values.size(); ++k)
            if (!std::isfinite(r.truth.values[k])) r.prediction.values[k] = r.stddev.values[k] = std::nanf(""); // no data stays no data
        r.evaluation = evaluateImage(r.prediction, r.truth, carbonate, threshold, r.labelOrNull());
        if (probabilityModel) {
            r.probability.resize(static_cast<std::size_t>(t) * t);
            for (std::size_t k = 0; k < r.probability.size(); ++k) r.probability[k] = r.prediction.values[k * co + carbonate];
        } else if (exceedance && !p.exceedance.empty()) {
            r.probability = p.exceedance;
        }
        for (std::size_t k = 0; k < r.probability.size(); ++k)
            if (!std::isfinite(r.prediction.values[k * co])) r.probability[k] = std::nanf("");
        const double spread = finiteMean(r.stddev.values);
        r.meanStd = std::isfinite(spread) ? spread : 0.0;
        if (lpips) r.lpips = lpips->distance(toChw(scaledTo255(r.prediction, r.truth)), toChw(scaledTo255(r.truth, r.truth)), t, t);
        std::cerr << "evaluated " << i + 1 << " / " << data.size() << '\r';
    }
    std::cerr << '\n';

    std::vector<const ImageResult*> all, bearing, free, balanced;
    for (const auto& r : results) {
        all.push_back(&r);
        (r.record.carbonateBearing ? bearing : free).push_back(&r);
    }
    if (o.split == "test" && m.splits.count("test_balanced")) {
        // The balanced split holds copies of test tiles: the same predictions, picked by position.
        const TileDataset balancedSplit = TileDataset::open(o.data, "test_balanced");
        for (std::size_t i = 0; i < balancedSplit.size(); ++i) {
            const TileRecord& b = balancedSplit.record(i);
            for (const auto& r : results)
                if (r.record.scene == b.scene && r.record.x == b.x && r.record.y == b.y) balanced.push_back(&r);
        }
    }
    fs::create_directories(o.out + "/panels");
    Calibration calibration;
    nlohmann::json perImage = nlohmann::json::array();
    for (const auto& r : results) perImage.push_back(imageJson(r));
    nlohmann::json summary{{"model", modelPath},
                           {"model_summary", predictor.summary()},
                           {"dataset", o.data},
                           {"split", o.split},
                           {"input", m.input},
                           {"target", m.target},
                           {"target_channels", m.targetChannels},
                           {"carbonate_channel", carbonate >= 0 ? nlohmann::json(m.targetChannels[carbonate]) : nlohmann::json(nullptr)},
                           {"detection_truth", data.hasLabels() ? "the dataset's carbonate label (" + m.labelRule + ")"
                                                                : "target carbonate channel above the threshold (a format-1 dataset has no label)"},
                           {"carbonate_probability", probabilityModel ? "the model's CARBONATE channel"
                                                     : exceedance     ? "share of ensemble samples above the threshold"
                                                                      : "none: calibration not computed"},
                           {"target_source", m.targetSource},
                           {"target_smoothing", m.targetSmoothing},
                           {"metrics_note", "rmse in target units; rmse_255 and ssim after mapping by the truth's per-channel min-max to 0-255 "
                                            "(SSIM Gaussian 11, sigma 1.5, data range 255); pcc, cosine, sam_deg on target units"},
                           {"lpips", o.lpips.empty() ? nlohmann::json("not computed: no LPIPS network given (--lpips NET.pt; none is shipped)")
                                                     : nlohmann::json(o.lpips)},
                           {"panel_columns", {"input", "ground truth", "prediction", "|error| (black 0, white >= 50 % of the truth's range)",
                                              "uncertainty (ensemble std, same scale)"}},
                           {"groups", {{"all", groupSummary(all, carbonate, threshold, &calibration)},
                                       {"carbonate_bearing", groupSummary(bearing, carbonate, threshold)},
                                       {"carbonate_free", groupSummary(free, carbonate, threshold)}}}};
    if (!balanced.empty()) summary["groups"]["test_balanced"] = groupSummary(balanced, carbonate, threshold);
    if (!calibration.bins.empty()) {
        io::writePng(o.out + "/reliability.png", reliabilityDiagram(calibration));
        std::ostringstream csv;
        csv << "bin_lower,bin_upper,pixels,mean_predicted,observed_frequency\n";
        for (const auto& b : calibration.bins)
            csv << b.lower << ',' << b.upper << ',' << b.count << ',' << (b.count ? std::to_string(b.meanPredicted) : "") << ','
                << (b.count ? std::to_string(b.observedFrequency) : "") << '\n';
        writeTextFileAtomically(o.out + "/reliability.csv", csv.str());
        summary["reliability"] = {{"png", "reliability.png"}, {"csv", "reliability.csv"},
                                  {"note", "x: predicted carbonate probability, y: observed carbonate frequency; bars per 0.1 bin, grey diagonal = perfect"}};
    }
    if (predictor.stochastic())
        summary["sampling"] = {{"samples", o.sampling.samples}, {"steps", o.sampling.steps}, {"sampler", o.sampling.sampler},
                               {"image_guidance", o.sampling.imageGuidance}, {"metadata_guidance", o.sampling.metadataGuidance}, {"seed", o.sampling.seed}};
    // Worst and best by RMSE on the 0–255 scale.
    std::vector<const ImageResult*> ranked = all;
    std::sort(ranked.begin(), ranked.end(), [](const auto* a, const auto* b) { return a->evaluation.rmse255 > b->evaluation.rmse255; });
    const int count = std::min<int>(o.panels, static_cast<int>(ranked.size()));
    nlohmann::json panels = nlohmann::json::array();
    const auto writePanel = [&](const ImageResult& r, const std::string& label) {
        const std::string name = "panels/" + label + "_tile" + std::to_string(r.tile) + ".png";
        io::writePng(o.out + "/" + name, panel(r));
        panels.push_back({{"file", name}, {"tile", r.tile}, {"scene", r.record.scene}, {"rmse_255", r.evaluation.rmse255}});
    };
    for (int k = 0; k < count; ++k) writePanel(*ranked[k], "worst" + std::to_string(k + 1));
    for (int k = 0; k < count; ++k) writePanel(*ranked[ranked.size() - 1 - k], "best" + std::to_string(k + 1));
    summary["panels"] = panels;

    writeTextFileAtomically(o.out + "/per_image.json", perImage.dump(2) + "\n");
    if (!perImage.empty()) writeTextFileAtomically(o.out + "/per_image.csv", csvOf(perImage));
    nlohmann::json groupRows = nlohmann::json::array();
    for (const auto& [name, g] : summary["groups"].items()) {
        nlohmann::json row = g;
        row.erase("carbonate");
        row["group"] = name;
        if (g.contains("carbonate"))
            for (const auto& [key, value] : g["carbonate"].items()) row["carbonate_" + key] = value;
        groupRows.push_back(row);
    }
    writeTextFileAtomically(o.out + "/summary.csv", csvOf(groupRows));
    writeTextFileAtomically(o.out + "/summary.json", summary.dump(2) + "\n");
    const auto& g = summary["groups"]["all"];
    std::cout << "evaluated " << results.size() << " " << o.split << " images: RMSE " << g.value("rmse", nlohmann::json(nullptr)).dump() << ", SSIM "
              << g.value("ssim", nlohmann::json(nullptr)).dump();
    if (carbonate >= 0) std::cout << ", carbonate F1 " << g["carbonate"]["f1"].dump() << " (AP " << g["carbonate"]["average_precision"].dump() << ")";
    std::cout << "; report in " << o.out << '\n';
}

} // namespace

std::vector<Command> addEvaluateCommands(CLI::App& app) {
    auto o = std::make_shared<Options>();
    o->sampling.samples = 4;
    auto* cmd = app.add_subcommand("evaluate", "Evaluate a model on a dataset split (per-image metrics, carbonate detection, panels)");
    cmd->add_option("--model", o->model, "Checkpoint (.pt), or a shipped model: carbonate, carbonate-pca, fal, unet, diffusion")->required();
    cmd->add_option("--data", o->data, "Dataset folder (jezero-cli dataset build)")->required();
    cmd->add_option("--split", o->split, "train, val, test (default; also reports test_balanced) or test_balanced");
    cmd->add_option("--out", o->out, "Report folder (per_image.csv/json, summary.csv/json, panels/)")->required();
    cmd->add_option("--samples", o->sampling.samples, "Diffusion: samples per image (default 4)")->check(CLI::Range(1, 1024));
    cmd->add_option("--steps", o->sampling.steps, "Diffusion: sampler steps (default 18)")->check(CLI::Range(1, 1000));
    cmd->add_option("--sampler", o->sampling.sampler, "Diffusion: heun (default), euler, dpm")->check(CLI::IsMember({"heun", "euler", "dpm"}));
    cmd->add_option("--image-guidance", o->sampling.imageGuidance, "Diffusion: image guidance scale (default 1)");
    cmd->add_option("--metadata-guidance", o->sampling.metadataGuidance, "Diffusion: metadata guidance scale (default 1)");
    cmd->add_option("--seed", o->sampling.seed, "Diffusion: random seed (default 0)");
    cmd->add_option("--threshold", o->threshold, "Carbonate threshold on the prediction (default 0.5 for a probability model, 0.01 for a parameter)");
    cmd->add_option("--lpips", o->lpips, "LPIPS network as a TorchScript file (none is shipped)");
    cmd->add_option("--panels", o->panels, "Worst and best images drawn as panels (default 3 each)")->check(CLI::Range(0, 1000));
    cmd->add_option("--device", o->device, "auto (default), cpu, cuda, cuda:N");
    return {{cmd, [o] { evaluate(*o); }}};
}

} // namespace jezero::cli
