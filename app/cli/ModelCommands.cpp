// jezero-cli model-info and devices: what a checkpoint takes and gives, and which compute devices
// LibTorch sees — for scripts and for the workstation, which does not load LibTorch itself.
#include "Commands.h"
#include "PredictionCli.h"
#include "jezero/core/Error.h"
#include "jezero/core/Resources.h"
#include "jezero/ml/Predictor.h"

#include <nlohmann/json.hpp>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <thread>

namespace jezero::cli {
namespace {

struct Options {
    std::string model;
    bool json = false;
};

void modelInfo(const Options& o) {
    const std::string path = resolveModel(o.model);
    const auto p = ml::Predictor::load(path, "cpu");
    const nlohmann::json card = modelCard(path);
    nlohmann::json j{{"path", path},
                           {"card", card},
                           {"summary", p.summary()},
                           {"stochastic", p.stochastic()},
                           {"input", p.inputKind()},
                           {"input_channels", p.inputChannelNames()},
                           {"target", p.target()},
                           {"target_channels", p.targetChannelNames()},
                           {"tile", p.tile()},
                           {"locations", p.locations()},
                           {"uses_metadata", p.usesMetadata()},
                           {"config", nlohmann::json::parse(p.configJson())}};
    if (p.fusionFactor() > 0) j["fusion_factor"] = p.fusionFactor();
    if (o.json) {
        std::cout << j.dump() << std::endl;
        return;
    }
    std::cout << p.summary() << "\ninput " << p.inputKind() << " → target " << p.target() << ", tile " << p.tile()
              << (p.stochastic() ? ", stochastic (ensembles)" : "") << '\n';
    if (p.fusionFactor() > 0) std::cout << "learned fusion of a prediction " << p.fusionFactor() << " times coarser than the image\n";
    if (!card.is_null()) std::cout << "skill: " << card["skill"].get<std::string>() << "\nintended use: " << card["intended_use"].get<std::string>() << '\n';
}

// The GPUs' names and memory from nvidia-smi when it is installed (LibTorch's C++ API does not give
// them without CUDA headers); empty otherwise.
nlohmann::json gpuDescriptions() {
    nlohmann::json gpus = nlohmann::json::array();
    FILE* pipe = popen("nvidia-smi --query-gpu=index,name,memory.total --format=csv,noheader,nounits 2>/dev/null", "r");
    if (!pipe) return gpus;
    char line[512];
    while (std::fgets(line, sizeof line, pipe)) {
        const std::string text(line);
        const auto a = text.find(", "), b = text.rfind(", ");
        if (a == std::string::npos || a == b) continue;
        try {
            gpus.push_back({{"index", std::stoi(text.substr(0, a))},
                            {"name", text.substr(a + 2, b - a - 2)},
                            {"memory_mib", std::stod(text.substr(b + 2))}});
        } catch (const std::exception&) {
            // not a data line
        }
    }
    pclose(pipe);
    return gpus;
}

void devices(const Options& o) {
    const ml::ComputeDevices d = ml::computeDevices();
    const nlohmann::json j{{"libtorch_cuda", d.libtorchCuda},
                           {"libtorch_version", d.libtorchVersion},
                           {"cuda_devices", d.cudaDevices},
                           {"cudnn", d.cudnn},
                           {"gpus", d.cudaDevices > 0 ? gpuDescriptions() : nlohmann::json::array()},
                           {"cpu_threads", std::thread::hardware_concurrency()}};
    if (o.json) {
        std::cout << j.dump() << std::endl;
        return;
    }
    std::cout << "CPU: " << std::thread::hardware_concurrency() << " threads\n";
    std::cout << "LibTorch " << d.libtorchVersion << (d.libtorchCuda ? " with CUDA\n" : " without CUDA (a CPU-only build, as Debian's)\n");
    if (d.cudaDevices == 0) std::cout << "CUDA: none (training and prediction run on the CPU)\n";
    for (const auto& g : j["gpus"]) std::cout << "cuda:" << g["index"] << ": " << g["name"].get<std::string>() << ", " << g["memory_mib"] << " MiB\n";
}

} // namespace

std::vector<Command> addModelCommands(CLI::App& app) {
    auto o = std::make_shared<Options>();
    auto* info = app.add_subcommand("model-info", "What a checkpoint takes and predicts (input kind, target, channels, tile)");
    info->add_option("model", o->model, "Checkpoint (.pt), or a shipped model: carbonate, carbonate-pca, fal, unet, diffusion")->required();
    info->add_flag("--json", o->json, "Print JSON");
    auto* dev = app.add_subcommand("devices", "The CUDA devices LibTorch can use here, and the CPU threads");
    dev->add_flag("--json", o->json, "Print JSON");
    return {{info, [o] { modelInfo(*o); }}, {dev, [o] { devices(*o); }}};
}

} // namespace jezero::cli
