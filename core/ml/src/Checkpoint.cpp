#include "Checkpoint.h"

#include "jezero/core/AtomicFile.h"
#include "jezero/core/Error.h"

#include <filesystem>
#include <sstream>

namespace jezero::ml::detail {
namespace {

torch::Tensor doubles(const std::vector<double>& v) { return torch::tensor(v, torch::kFloat64); }
std::vector<double> doubles(const torch::Tensor& t) {
    const auto c = t.to(torch::kFloat64).contiguous();
    return std::vector<double>(c.data_ptr<double>(), c.data_ptr<double>() + c.numel());
}
// LibTorch's messages span lines; ours are one.
std::string firstLine(const c10::Error& e) {
    std::string text = e.what_without_backtrace();
    text = text.substr(0, text.find('\n'));
    return text.size() > 160 ? text.substr(0, 160) + "…" : text;
}

std::string joined(const std::vector<std::string>& names) {
    std::string out;
    for (const auto& n : names) out += (out.empty() ? "" : "\n") + n;
    return out;
}
std::vector<std::string> split(const std::string& text) {
    std::vector<std::string> out;
    std::stringstream ss(text);
    std::string line;
    while (std::getline(ss, line)) out.push_back(line);
    return out;
}

} // namespace

UNet makeModel(const TrainingConfig& config, int inputChannels, int outputChannels) {
    if (config.model != "unet") throw Error("unknown model '" + config.model + "'");
    return UNet(inputChannels, outputChannels, config.baseWidth, config.depth);
}

void saveCheckpoint(const std::string& path, UNet& model, torch::optim::Adam* optimizer, const std::string& configJson,
                    const Normalisation& n, const Position& p, int tile, const std::vector<std::string>& inputChannels,
                    const std::vector<std::string>& targetChannels) {
    writeFileAtomically(path, [&](const std::string& temp) {
        torch::serialize::OutputArchive archive;
        archive.write("format_version", torch::tensor(static_cast<int64_t>(kCheckpointFormat)));
        archive.write("config", c10::IValue(configJson));
        archive.write("input_channels", c10::IValue(joined(inputChannels)));
        archive.write("target_channels", c10::IValue(joined(targetChannels)));
        archive.write("tile", torch::tensor(static_cast<int64_t>(tile)));
        archive.write("input_mean", doubles(n.inputMean));
        archive.write("input_std", doubles(n.inputStd));
        archive.write("target_mean", doubles(n.targetMean));
        archive.write("target_std", doubles(n.targetStd));
        archive.write("epoch", torch::tensor(static_cast<int64_t>(p.epoch)));
        archive.write("batch", torch::tensor(static_cast<int64_t>(p.batch)));
        archive.write("step", torch::tensor(static_cast<int64_t>(p.step)));
        archive.write("best_val_loss", torch::tensor(p.bestValLoss, torch::kFloat64));
        torch::serialize::OutputArchive weights;
        model->save(weights);
        archive.write("model", weights);
        if (optimizer) {
            // Adam's state per parameter, in parameter order (LibTorch keys it by tensor address,
            // which does not survive a restart).
            torch::serialize::OutputArchive state;
            const auto params = optimizer->param_groups().at(0).params();
            for (std::size_t i = 0; i < params.size(); ++i) {
                const auto it = optimizer->state().find(c10::guts::to_string(params[i].unsafeGetTensorImpl()));
                if (it == optimizer->state().end()) continue; // no step taken yet
                const auto& adam = static_cast<const torch::optim::AdamParamState&>(*it->second);
                state.write(std::to_string(i) + ".step", torch::tensor(static_cast<int64_t>(adam.step())));
                state.write(std::to_string(i) + ".exp_avg", adam.exp_avg());
                state.write(std::to_string(i) + ".exp_avg_sq", adam.exp_avg_sq());
            }
            archive.write("adam", state);
        }
        archive.save_to(temp);
    });
}

LoadedCheckpoint readCheckpoint(const std::string& path) {
    if (!std::filesystem::is_regular_file(path)) throw Error("cannot read checkpoint " + path + ": no such file");
    LoadedCheckpoint c;
    try {
        torch::serialize::InputArchive archive;
        archive.load_from(path);
        torch::Tensor version;
        archive.read("format_version", version);
        if (version.item<int64_t>() != kCheckpointFormat)
            throw Error("checkpoint " + path + " has format " + std::to_string(version.item<int64_t>()) + "; this Jezero reads " +
                        std::to_string(kCheckpointFormat));
        c10::IValue config, inputs, targets;
        archive.read("config", config);
        archive.read("input_channels", inputs);
        archive.read("target_channels", targets);
        c.configJson = config.toStringRef();
        c.config = TrainingConfig::fromJson(c.configJson);
        c.inputChannels = split(inputs.toStringRef());
        c.targetChannels = split(targets.toStringRef());
        // A fresh tensor per key: reading into a defined tensor set_()s it and keeps its old dtype.
        const auto tensor = [&](const char* key) {
            torch::Tensor t;
            archive.read(key, t);
            return t;
        };
        c.tile = static_cast<int>(tensor("tile").item<int64_t>());
        c.normalisation.inputMean = doubles(tensor("input_mean"));
        c.normalisation.inputStd = doubles(tensor("input_std"));
        c.normalisation.targetMean = doubles(tensor("target_mean"));
        c.normalisation.targetStd = doubles(tensor("target_std"));
        c.position.epoch = static_cast<int>(tensor("epoch").item<int64_t>());
        c.position.batch = static_cast<long>(tensor("batch").item<int64_t>());
        c.position.step = static_cast<long>(tensor("step").item<int64_t>());
        c.position.bestValLoss = tensor("best_val_loss").item<double>();
    } catch (const c10::Error& e) {
        throw Error("cannot read checkpoint " + path + ": not a Jezero checkpoint (" + firstLine(e) + ")");
    }
    return c;
}

void loadCheckpointState(const std::string& path, UNet& model, torch::optim::Adam* optimizer) {
    try {
        torch::serialize::InputArchive archive;
        archive.load_from(path);
        torch::serialize::InputArchive weights;
        archive.read("model", weights);
        model->load(weights);
        if (optimizer) {
            torch::serialize::InputArchive state;
            archive.read("adam", state);
            const auto params = optimizer->param_groups().at(0).params();
            for (std::size_t i = 0; i < params.size(); ++i) {
                torch::Tensor step, average, squares;
                if (!state.try_read(std::to_string(i) + ".step", step)) continue;
                state.read(std::to_string(i) + ".exp_avg", average);
                state.read(std::to_string(i) + ".exp_avg_sq", squares);
                auto adam = std::make_unique<torch::optim::AdamParamState>();
                adam->step(step.item<int64_t>());
                adam->exp_avg(average.to(params[i].device()));
                adam->exp_avg_sq(squares.to(params[i].device()));
                optimizer->state()[c10::guts::to_string(params[i].unsafeGetTensorImpl())] = std::move(adam);
            }
        }
    } catch (const c10::Error& e) {
        throw Error("cannot load checkpoint " + path + ": " + firstLine(e));
    }
}

} // namespace jezero::ml::detail
