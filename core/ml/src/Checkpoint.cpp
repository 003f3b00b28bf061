#include "Checkpoint.h"

#include "jezero/core/AtomicFile.h"
#include "jezero/core/Dataset.h"
#include "jezero/core/Error.h"
#include "jezero/core/Fnv1a.h"

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <sstream>
#include <type_traits>

namespace jezero::ml::detail {
namespace {

torch::Tensor doubles(const std::vector<double>& v) { return torch::tensor(v, torch::kFloat64); }
std::vector<double> doubles(const torch::Tensor& t) {
    const auto c = t.to(torch::kFloat64).contiguous();
    return std::vector<double>(c.data_ptr<double>(), c.data_ptr<double>() + c.numel());
}

// LibTorch keys Adam's state by the parameter's address: as text up to 1.x, as the pointer itself since.
template <class Optimizer>
auto adamStateKey(Optimizer& optimizer, const torch::Tensor& parameter) {
    using Key = typename std::decay_t<decltype(optimizer.state())>::key_type;
    if constexpr (std::is_same_v<Key, std::string>) {
        std::ostringstream text;
        text << static_cast<const void*>(parameter.unsafeGetTensorImpl());
        return text.str();
    } else {
        return static_cast<Key>(parameter.unsafeGetTensorImpl());
    }
}

std::string hex(std::uint64_t value) {
    char text[17];
    std::snprintf(text, sizeof text, "%016llx", static_cast<unsigned long long>(value));
    return text;
}

// The checkpoint's content archive: format 3 unwrapped and verified, format 2 as it is.
void openContent(const std::string& path, torch::serialize::InputArchive& content, std::string& bytes) {
    torch::serialize::InputArchive file;
    file.load_from(path, torch::Device(torch::kCPU)); // a GPU-trained checkpoint loads on a machine without one
    torch::Tensor version;
    file.read("format_version", version);
    const int64_t format = version.item<int64_t>();
    if (format == 2) {
        content.load_from(path, torch::Device(torch::kCPU));
        return;
    }
    if (format != kCheckpointFormat)
        throw Error("checkpoint " + path + " has format " + std::to_string(format) + "; this Jezero reads 2 and " + std::to_string(kCheckpointFormat));
    torch::Tensor stored;
    c10::IValue hash;
    file.read("content", stored);
    file.read("content_fnv1a", hash);
    stored = stored.contiguous();
    bytes.assign(reinterpret_cast<const char*>(stored.data_ptr<uint8_t>()), static_cast<std::size_t>(stored.numel()));
    if (!hash.isString() || hex(fnv1a64(bytes)) != hash.toStringRef())
        throw Error("checkpoint " + path + " is damaged: its content does not match its hash");
    content.load_from(bytes.data(), bytes.size(), torch::Device(torch::kCPU));
}

} // namespace

std::string firstLine(const c10::Error& e) {
    std::string text = e.what_without_backtrace();
    text = text.substr(0, text.find('\n'));
    return text.size() > 160 ? text.substr(0, 160) + "…" : text;
}

void writeNormalisation(torch::serialize::OutputArchive& archive, const Normalisation& n) {
    archive.write("input_mean", doubles(n.inputMean));
    archive.write("input_std", doubles(n.inputStd));
    archive.write("target_mean", doubles(n.targetMean));
    archive.write("target_std", doubles(n.targetStd));
}

// A fresh tensor per key: reading into a defined tensor set_()s it and keeps its old dtype.
static torch::Tensor readTensor(torch::serialize::InputArchive& archive, const char* key) {
    torch::Tensor t;
    archive.read(key, t);
    return t;
}

Normalisation readNormalisation(torch::serialize::InputArchive& archive) {
    return {doubles(readTensor(archive, "input_mean")), doubles(readTensor(archive, "input_std")), doubles(readTensor(archive, "target_mean")),
            doubles(readTensor(archive, "target_std"))};
}

ModelShape CheckpointInfo::shape() const {
    ModelShape shape{static_cast<int>(inputChannels.size()), static_cast<int>(targetChannels.size()), locations, normalisation};
    shape.probability = targetChannels == std::vector<std::string>{kCarbonateLabelChannel};
    return shape;
}

void saveCheckpoint(const std::string& path, Model& model, torch::optim::Adam* optimizer, const CheckpointInfo& info) {
    std::string content;
    {
        torch::serialize::OutputArchive archive;
        archive.write("format_version", torch::tensor(static_cast<int64_t>(kCheckpointFormat)));
        archive.write("config", c10::IValue(info.configJson));
        archive.write("input_kind", c10::IValue(info.inputKind));
        archive.write("target", c10::IValue(info.target));
        archive.write("input_channels", c10::IValue(joinedLines(info.inputChannels)));
        archive.write("target_channels", c10::IValue(joinedLines(info.targetChannels)));
        archive.write("locations", c10::IValue(joinedLines(info.locations)));
        archive.write("tile", torch::tensor(static_cast<int64_t>(info.tile)));
        archive.write("fusion_factor", torch::tensor(info.fusionFactor, torch::kFloat64));
        writeNormalisation(archive, info.normalisation);
        const Position& p = info.position;
        archive.write("epoch", torch::tensor(static_cast<int64_t>(p.epoch)));
        archive.write("batch", torch::tensor(static_cast<int64_t>(p.batch)));
        archive.write("step", torch::tensor(static_cast<int64_t>(p.step)));
        archive.write("best_val_loss", torch::tensor(p.bestValLoss, torch::kFloat64));
        model.save(archive);
        if (optimizer) {
            // Adam's state per parameter, in parameter order (LibTorch keys it by tensor address,
            // which does not survive a restart).
            torch::serialize::OutputArchive state;
            const auto params = optimizer->param_groups().at(0).params();
            for (std::size_t i = 0; i < params.size(); ++i) {
                const auto it = optimizer->state().find(adamStateKey(*optimizer, params[i]));
                if (it == optimizer->state().end()) continue; // no step taken yet
                const auto& adam = static_cast<const torch::optim::AdamParamState&>(*it->second);
                state.write(std::to_string(i) + ".step", torch::tensor(static_cast<int64_t>(adam.step())));
                state.write(std::to_string(i) + ".exp_avg", adam.exp_avg());
                state.write(std::to_string(i) + ".exp_avg_sq", adam.exp_avg_sq());
            }
            archive.write("adam", state);
        }
        std::ostringstream bytes;
        archive.save_to(bytes);
        content = bytes.str();
    }
    // The content's bytes and their hash; serialised in memory too, so that a write failure is ours to
    // report (LibTorch's file writer throws from its destructor when the disk fills).
    torch::serialize::OutputArchive file;
    file.write("format_version", torch::tensor(static_cast<int64_t>(kCheckpointFormat)));
    file.write("content", torch::from_blob(content.data(), {static_cast<int64_t>(content.size())}, torch::kUInt8).clone());
    file.write("content_fnv1a", c10::IValue(hex(fnv1a64(content))));
    content.clear();
    std::ostringstream bytes;
    file.save_to(bytes);
    writeTextFileAtomically(path, bytes.str());
}

CheckpointInfo readCheckpoint(const std::string& path) {
    if (std::filesystem::is_directory(path))
        throw Error("cannot read checkpoint " + path + ": it is a folder, not a checkpoint (a run folder holds best.pt and latest.pt)");
    if (!std::filesystem::is_regular_file(path)) throw Error("cannot read checkpoint " + path + ": no such file");
    CheckpointInfo c;
    try {
        torch::serialize::InputArchive archive;
        std::string bytes;
        openContent(path, archive, bytes);
        const auto text = [&](const char* key) {
            c10::IValue value;
            archive.read(key, value);
            if (!value.isString()) throw Error("cannot read checkpoint " + path + ": its " + key + " is not text");
            return value.toStringRef();
        };
        const auto integer = [&](const char* key) {
            const torch::Tensor t = readTensor(archive, key);
            if (t.numel() != 1 || t.is_floating_point()) throw Error("cannot read checkpoint " + path + ": its " + key + " is not one whole number");
            return static_cast<long long>(t.item<int64_t>());
        };
        CheckpointRecords records;
        records.configJson = text("config");
        records.inputKind = text("input_kind");
        records.target = text("target");
        records.inputChannels = text("input_channels");
        records.targetChannels = text("target_channels");
        records.locations = text("locations");
        records.tile = integer("tile");
        records.normalisation = readNormalisation(archive);
        records.epoch = integer("epoch");
        records.batch = integer("batch");
        records.step = integer("step");
        const torch::Tensor best = readTensor(archive, "best_val_loss");
        if (best.numel() != 1) throw Error("cannot read checkpoint " + path + ": its best_val_loss is not one number");
        records.bestValLoss = best.item<double>();
        if (torch::Tensor factor; archive.try_read("fusion_factor", factor)) {
            if (factor.numel() != 1) throw Error("cannot read checkpoint " + path + ": its fusion_factor is not one number");
            records.fusionFactor = factor.item<double>();
        }
        c = checkpointInfoFrom(records, path);
    } catch (const c10::Error& e) {
        throw Error("cannot read checkpoint " + path + ": not a Jezero checkpoint (" + firstLine(e) + ")");
    }
    return c;
}

void loadCheckpointState(const std::string& path, Model& model, torch::optim::Adam* optimizer) {
    try {
        torch::serialize::InputArchive archive;
        std::string bytes;
        openContent(path, archive, bytes);
        // LibTorch reads every tensor onto the CPU and swaps it into the parameter, so a model already on
        // a GPU would silently be back on the CPU: it goes back to where it was.
        const std::vector<torch::Tensor> before = model.predictionTensors();
        const torch::Device device = before.empty() ? torch::Device(torch::kCPU) : before.front().device();
        model.load(archive);
        model.to(device);
        for (const auto& t : model.predictionTensors())
            if (t.is_floating_point() && !torch::isfinite(t).all().item<bool>())
                throw Error("checkpoint " + path + " holds non-finite weights (NaN or infinity)");
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
                optimizer->state()[adamStateKey(*optimizer, params[i])] = std::move(adam);
            }
        }
    } catch (const c10::Error& e) {
        throw Error("cannot load checkpoint " + path + ": " + firstLine(e));
    }
}

} // namespace jezero::ml::detail
