#include "jezero/core/TrainingConfig.h"

#include "StrictJson.h"
#include "jezero/core/Error.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

namespace jezero {

TrainingConfig TrainingConfig::read(const std::string& path) {
    std::ifstream in(path);
    if (!in) throw Error("cannot read config " + path + ": no such file");
    std::stringstream text;
    text << in.rdbuf();
    try {
        return fromJson(text.str(), std::filesystem::path(path).parent_path().string());
    } catch (const Error& e) {
        throw Error("config " + path + ": " + e.what());
    }
}

namespace {

std::string firstLine(const nlohmann::json::exception& e) {
    const std::string what = e.what();
    return what.substr(0, what.find('\n'));
}

void rejectUnknownKeys(const nlohmann::json& j, const std::set<std::string>& known, const std::string& where) {
    for (const auto& [key, value] : j.items())
        if (!known.count(key)) {
            const std::string name = where + key, shown = detail::plainName(name);
            throw Error("unknown key " + (shown == name ? "'" + name + "'" : shown));
        }
}

DiffusionConfig diffusionFromJson(const nlohmann::json& j) {
    if (!j.is_object()) throw Error("\"diffusion\" must be a JSON object");
    rejectUnknownKeys(j, {"mode", "regression", "sigma_data", "p_mean", "p_std", "ema_decay", "image_dropout", "metadata_dropout", "metadata", "attention"},
                      "diffusion.");
    DiffusionConfig d;
    d.mode = detail::jsonValue(j, "mode", d.mode, "diffusion.");
    d.regression = detail::jsonValue(j, "regression", d.regression, "diffusion.");
    d.sigmaData = detail::jsonValue(j, "sigma_data", d.sigmaData, "diffusion.");
    d.pMean = detail::jsonValue(j, "p_mean", d.pMean, "diffusion.");
    d.pStd = detail::jsonValue(j, "p_std", d.pStd, "diffusion.");
    d.emaDecay = detail::jsonValue(j, "ema_decay", d.emaDecay, "diffusion.");
    d.imageDropout = detail::jsonValue(j, "image_dropout", d.imageDropout, "diffusion.");
    d.metadataDropout = detail::jsonValue(j, "metadata_dropout", d.metadataDropout, "diffusion.");
    d.metadata = detail::jsonValue(j, "metadata", d.metadata, "diffusion.");
    d.attention = detail::jsonValue(j, "attention", d.attention, "diffusion.");
    return d;
}

void check(const DiffusionConfig& d) {
    if (d.mode != "residual" && d.mode != "plain") throw Error("diffusion.mode must be residual or plain, not " + detail::jsonQuoted(d.mode));
    if (d.mode == "residual" && d.regression.empty()) throw Error("diffusion.mode residual needs diffusion.regression (a regression checkpoint)");
    if (d.sigmaData < 0) throw Error("diffusion.sigma_data must be positive (or 0: measured)");
    if (!(d.pStd > 0)) throw Error("diffusion.p_std must be positive");
    if (!(d.emaDecay >= 0 && d.emaDecay < 1)) throw Error("diffusion.ema_decay must be in [0, 1)");
    for (const double p : {d.imageDropout, d.metadataDropout})
        if (!(p >= 0 && p < 1)) throw Error("diffusion.image_dropout and metadata_dropout must be in [0, 1)");
}

std::string resolved(const std::string& path, const std::string& baseDirectory) {
    if (path.empty() || std::filesystem::path(path).is_absolute() || baseDirectory.empty()) return path;
    return (std::filesystem::path(baseDirectory) / path).lexically_normal().string();
}

} // namespace

TrainingConfig TrainingConfig::fromJson(const std::string& text, const std::string& baseDirectory) {
    nlohmann::json j;
    try {
        j = nlohmann::json::parse(text);
    } catch (const nlohmann::json::exception& e) {
        throw Error("not valid JSON (" + firstLine(e) + ")");
    }
    if (!j.is_object()) throw Error("the config must be a JSON object");
    rejectUnknownKeys(j, {"dataset", "model", "base_width", "depth", "batch", "learning_rate", "epochs", "augment", "device", "seed", "threads",
                          "bf16", "positive_weight", "input_transform", "metadata", "correlation_loss", "ssim_loss", "diffusion"},
                      "");
    TrainingConfig c;
    try {
        if (!j.contains("dataset")) throw Error("the config needs \"dataset\" (the dataset folder)");
        c.dataset = detail::jsonValue(j, "dataset", c.dataset);
        c.model = detail::jsonValue(j, "model", c.model);
        c.baseWidth = detail::jsonValue(j, "base_width", c.model == "resnet34" ? 64 : c.baseWidth);
        c.depth = detail::jsonValue(j, "depth", c.depth);
        c.batch = detail::jsonValue(j, "batch", c.batch);
        c.learningRate = detail::jsonValue(j, "learning_rate", c.model == "diffusion" ? 2e-4 : c.learningRate);
        c.epochs = detail::jsonValue(j, "epochs", c.epochs);
        c.augment = detail::jsonValue(j, "augment", c.augment);
        c.device = detail::jsonValue(j, "device", c.device);
        c.seed = detail::jsonValue(j, "seed", c.seed);
        c.threads = detail::jsonValue(j, "threads", c.threads);
        c.bf16 = detail::jsonValue(j, "bf16", c.bf16);
        c.inputTransform = detail::jsonValue(j, "input_transform", c.inputTransform);
        c.metadata = detail::jsonValue(j, "metadata", c.metadata);
        c.correlationLoss = detail::jsonValue(j, "correlation_loss", c.correlationLoss);
        c.ssimLoss = detail::jsonValue(j, "ssim_loss", c.ssimLoss);
        if (j.contains("positive_weight")) {
            const auto& w = j.at("positive_weight");
            c.positiveWeight = w.is_number() ? w.dump() : w.get<std::string>();
        }
        if (j.contains("diffusion")) {
            if (c.model != "diffusion") throw Error("\"diffusion\" settings are for model \"diffusion\" only");
            c.diffusion = diffusionFromJson(j.at("diffusion"));
        }
    } catch (const nlohmann::json::exception& e) {
        throw Error("bad value (" + firstLine(e) + ")");
    }
    if (c.model != "unet" && c.model != "resnet34" && c.model != "diffusion")
        throw Error("model must be unet, resnet34 or diffusion, not " + detail::jsonQuoted(c.model));
    if (c.baseWidth < 4 || c.baseWidth > 512) throw Error("base_width must be between 4 and 512");
    if (c.depth < 1 || c.depth > 7) throw Error("depth must be between 1 and 7");
    if (c.batch < 1 || c.batch > 4096) throw Error("batch must be between 1 and 4096");
    if (!(c.learningRate > 0 && c.learningRate < 1)) throw Error("learning_rate must be in (0, 1)");
    if (c.epochs < 1 || c.epochs > 100000) throw Error("epochs must be between 1 and 100000");
    if (c.threads < 0) throw Error("threads must be 0 (one per core) or more");
    if (c.device != "auto" && c.device != "cpu" && c.device.rfind("cuda", 0) != 0) throw Error("device must be auto, cpu, cuda or cuda:N");
    if (c.model == "diffusion") check(c.diffusion);
    if (c.inputTransform != "none" && c.inputTransform != "log") throw Error("input_transform must be none or log, not " + detail::jsonQuoted(c.inputTransform));
    if (c.inputTransform != "none" && c.model == "diffusion") throw Error("input_transform is for unet and resnet34; a diffusion model takes its regression model's inputs as they are");
    if (c.metadata && c.model == "diffusion") throw Error("metadata is for unet; a diffusion model takes diffusion.metadata");
    if (c.metadata && c.model != "unet") throw Error("metadata is for unet only, not " + detail::jsonQuoted(c.model));
    for (const auto& [key, weight] : {std::pair<const char*, double>{"correlation_loss", c.correlationLoss}, {"ssim_loss", c.ssimLoss}}) {
        if (!(weight >= 0 && weight <= 100)) throw Error(std::string(key) + " must be a weight from 0 to 100");
        if (weight > 0 && c.model == "diffusion") throw Error(std::string(key) + " is for unet and resnet34; a diffusion model is trained with the EDM loss");
    }
    if (c.positiveWeight != "balanced" && c.positiveWeight != "sqrt") {
        char* end = nullptr;
        const double w = std::strtod(c.positiveWeight.c_str(), &end);
        if (end == c.positiveWeight.c_str() || *end != '\0' || !(w >= 1 && w <= 1e6)) throw Error("positive_weight must be \"balanced\", \"sqrt\" or a number from 1 to 1e6, not " + detail::jsonQuoted(c.positiveWeight));
    }
    c.dataset = resolved(c.dataset, baseDirectory);
    c.diffusion.regression = resolved(c.diffusion.regression, baseDirectory);
    return c;
}

std::string TrainingConfig::toJson() const {
    nlohmann::json j{{"dataset", dataset}, {"model", model},   {"base_width", baseWidth}, {"depth", depth},
                     {"batch", batch},     {"learning_rate", learningRate}, {"epochs", epochs}, {"augment", augment},
                     {"device", device},   {"seed", seed},     {"threads", threads}, {"bf16", bf16}};
    j["input_transform"] = inputTransform;
    // Written only when set, so that a checkpoint of a run without them stays readable by earlier versions.
    if (metadata) j["metadata"] = true;
    if (correlationLoss > 0) j["correlation_loss"] = correlationLoss;
    if (ssimLoss > 0) j["ssim_loss"] = ssimLoss;
    if (positiveWeight == "balanced" || positiveWeight == "sqrt")
        j["positive_weight"] = positiveWeight;
    else
        j["positive_weight"] = std::strtod(positiveWeight.c_str(), nullptr);
    if (model == "diffusion")
        j["diffusion"] = {{"mode", diffusion.mode},
                          {"regression", diffusion.regression},
                          {"sigma_data", diffusion.sigmaData},
                          {"p_mean", diffusion.pMean},
                          {"p_std", diffusion.pStd},
                          {"ema_decay", diffusion.emaDecay},
                          {"image_dropout", diffusion.imageDropout},
                          {"metadata_dropout", diffusion.metadataDropout},
                          {"metadata", diffusion.metadata},
                          {"attention", diffusion.attention}};
    return j.dump(2);
}

std::vector<std::string> TrainingConfig::changesFrom(const TrainingConfig& before) const {
    const nlohmann::json now = nlohmann::json::parse(toJson()).flatten(), old = nlohmann::json::parse(before.toJson()).flatten();
    std::vector<std::string> changes;
    for (const auto& [pointer, value] : now.items()) {
        const auto was = old.find(pointer);
        if (was != old.end() && *was == value) continue;
        std::string key = pointer.substr(1);
        std::replace(key.begin(), key.end(), '/', '.');
        changes.push_back(key + ": " + (was == old.end() ? std::string("(none)") : was->dump()) + " → " + value.dump());
    }
    return changes;
}

bool TrainingConfig::sameNetworkAs(const TrainingConfig& other) const {
    return model == other.model && baseWidth == other.baseWidth && depth == other.depth && metadata == other.metadata && diffusion.mode == other.diffusion.mode &&
           diffusion.attention == other.diffusion.attention && diffusion.metadata == other.diffusion.metadata;
}

} // namespace jezero
