#include "jezero/ml/TrainingConfig.h"

#include "jezero/core/Error.h"

#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

namespace jezero::ml {

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

TrainingConfig TrainingConfig::fromJson(const std::string& text, const std::string& baseDirectory) {
    nlohmann::json j;
    try {
        j = nlohmann::json::parse(text);
    } catch (const nlohmann::json::exception& e) {
        std::string what = e.what();
        throw Error("not valid JSON (" + what.substr(0, what.find('\n')) + ")");
    }
    if (!j.is_object()) throw Error("the config must be a JSON object");
    static const std::set<std::string> known{"dataset", "model", "base_width", "depth", "batch", "learning_rate", "epochs",
                                             "augment", "device", "seed", "threads"};
    for (const auto& [key, value] : j.items())
        if (!known.count(key)) throw Error("unknown key '" + key + "'");
    TrainingConfig c;
    try {
        c.dataset = j.at("dataset").get<std::string>();
        c.model = j.value("model", c.model);
        c.baseWidth = j.value("base_width", c.baseWidth);
        c.depth = j.value("depth", c.depth);
        c.batch = j.value("batch", c.batch);
        c.learningRate = j.value("learning_rate", c.learningRate);
        c.epochs = j.value("epochs", c.epochs);
        c.augment = j.value("augment", c.augment);
        c.device = j.value("device", c.device);
        c.seed = j.value("seed", c.seed);
        c.threads = j.value("threads", c.threads);
    } catch (const nlohmann::json::exception& e) {
        std::string what = e.what();
        throw Error("bad value (" + what.substr(0, what.find('\n')) + ")");
    }
    if (c.model != "unet") throw Error("model must be \"unet\", not \"" + c.model + "\"");
    if (c.baseWidth < 4 || c.baseWidth > 512) throw Error("base_width must be between 4 and 512");
    if (c.depth < 1 || c.depth > 7) throw Error("depth must be between 1 and 7");
    if (c.batch < 1 || c.batch > 4096) throw Error("batch must be between 1 and 4096");
    if (!(c.learningRate > 0 && c.learningRate < 1)) throw Error("learning_rate must be in (0, 1)");
    if (c.epochs < 1 || c.epochs > 100000) throw Error("epochs must be between 1 and 100000");
    if (c.threads < 0) throw Error("threads must be 0 (one per core) or more");
    if (c.device != "auto" && c.device != "cpu" && c.device.rfind("cuda", 0) != 0) throw Error("device must be auto, cpu, cuda or cuda:N");
    if (std::filesystem::path(c.dataset).is_relative() && !baseDirectory.empty())
        c.dataset = (std::filesystem::path(baseDirectory) / c.dataset).lexically_normal().string();
    return c;
}

std::string TrainingConfig::toJson() const {
    const nlohmann::json j{{"dataset", dataset}, {"model", model},   {"base_width", baseWidth}, {"depth", depth},
                           {"batch", batch},     {"learning_rate", learningRate}, {"epochs", epochs}, {"augment", augment},
                           {"device", device},   {"seed", seed},     {"threads", threads}};
    return j.dump(2);
}

} // namespace jezero::ml
