#include "Commands.h"
#include "LocalRanks.h"
#include "jezero/core/Error.h"
#include "jezero/core/Task.h"
#include "jezero/ml/Trainer.h"

#include <nlohmann/json.hpp>

#include <csignal>
#include <cstdlib>
#include <iostream>
#include <memory>

namespace jezero::cli {
namespace {

struct Options {
    std::string config, out;
    std::string rendezvous, backend;
    bool resume = false, allowConfigChange = false;
    int processes = 1;
};

TaskControl* gControl = nullptr;
extern "C" void requestCancel(int) {
    if (gControl) gControl->cancel(); // an atomic store: safe in a signal handler
}

void train(const Options& o) {
    // A config given with --resume is compared with the run's: a silent switch would make the curve
    // and the checkpoints mean something else than the config says.
    const bool changed = o.resume && !o.config.empty();
    TrainingConfig config = o.config.empty() ? TrainingConfig{} : TrainingConfig::read(o.config);
    if (changed) {
        std::string changes;
        for (const auto& c : config.changesFrom(ml::Trainer::savedConfig(o.out))) changes += (changes.empty() ? "" : "; ") + c;
        if (!changes.empty() && !o.allowConfigChange)
            throw Error("the run in " + o.out + " was trained with other settings (" + changes +
                        "); resume without --config, or pass --allow-config-change to go on with the new ones");
        if (!changes.empty()) std::cerr << "resuming with changed settings: " << changes << '\n';
    }
    const ml::DistributedSetup distributed = ml::DistributedSetup::fromEnvironment(o.rendezvous);
    ml::Trainer trainer(config, o.out, o.resume, changed, distributed);
    const bool speaks = trainer.rank() == 0; // rank 0 speaks for the run
    if (speaks && !trainer.hasValidation()) std::cerr << "warning: the dataset has no validation tiles: no validation loss, and best.pt is simply the last epoch\n";
    TaskControl control;
    gControl = &control;
    std::signal(SIGINT, requestCancel);
    std::signal(SIGTERM, requestCancel);
    if (speaks && trainer.ranks() > 1) std::cerr << trainer.ranks() << " ranks, data-parallel (c10d " << trainer.backend() << "); ";
    if (speaks) std::cerr << "training on " << trainer.device() << "; progress as JSON lines; Ctrl-C (or a file named 'cancel' in the run folder) saves and stops\n";
    trainer.run(control, [](const ml::TrainingProgress& p) {
        nlohmann::json j{{"event", p.event}, {"epoch", p.epoch}, {"step", p.step}, {"loss", p.loss}, {"learning_rate", p.learningRate},
                         {"images_per_s", p.imagesPerSecond}, {"eta_s", p.etaSeconds}};
        if (!p.weightDigests.empty()) j["weight_digests"] = p.weightDigests;
        if (p.event == "epoch") {
            j["val_loss"] = p.valLoss >= 0 ? nlohmann::json(p.valLoss) : nlohmann::json(nullptr);
            j["val_rmse"] = p.valRmse >= 0 ? nlohmann::json(p.valRmse) : nlohmann::json(nullptr);
        }
        std::cout << j.dump() << std::endl; // one line each, flushed: a GUI reads them as they come
    });
    if (speaks && trainer.ranks() > 1)
        std::cerr << "all-reduced " << trainer.bytesCommunicated() / 1e6 << " MB per rank (gradients, validation sums)\n";
    gControl = nullptr;
    std::signal(SIGINT, SIG_DFL);
    std::signal(SIGTERM, SIG_DFL);
}

} // namespace

std::vector<Command> addTrainCommands(CLI::App& app) {
    auto o = std::make_shared<Options>();
    auto* cmd = app.add_subcommand("train", "Train a model on a built dataset (JSON-lines progress on stdout)");
    cmd->add_option("--config", o->config, "Training config (JSON: dataset, model, base_width, depth, batch, learning_rate, epochs, augment, device, seed, threads)");
    cmd->add_option("--out", o->out, "Run folder (checkpoints latest.pt and best.pt, config.json, training_log.csv)")->required();
    cmd->add_flag("--resume", o->resume, "Continue the run in --out exactly where it stopped (a --config given too must match the run's)");
    cmd->add_flag("--allow-config-change", o->allowConfigChange, "With --resume and --config: go on with the new settings (e.g. more epochs)");
    cmd->add_option("--nproc", o->processes,
                    "Data-parallel ranks on this machine (c10d: NCCL with a GPU each, else Gloo), each with its share of the cores; the config's batch is the global batch")
        ->check(CLI::Range(1, 256));
    cmd->add_option("--backend", o->backend, "How the ranks all-reduce: auto (NCCL when every rank has a GPU of its own, else Gloo), gloo or nccl")
        ->check(CLI::IsMember({"auto", "gloo", "nccl"}));
    cmd->add_option("--rendezvous", o->rendezvous,
                    "Where the ranks of a Slurm step meet: tcp://HOST:PORT or file:PATH on a shared file system (default tcp://$MASTER_ADDR:$MASTER_PORT)");
    return {{cmd, [o] {
                 if (!o->resume && o->config.empty()) throw Error("train needs --config (or --resume)");
                 if (!o->backend.empty()) ::setenv("JEZERO_BACKEND", o->backend.c_str(), 1); // the local ranks inherit it
                 if (o->processes > 1 && !std::getenv("JEZERO_WORLD_SIZE")) { // the launcher, not a rank
                     std::vector<std::string> arguments{"train", "--out", o->out};
                     if (!o->config.empty()) arguments.insert(arguments.end(), {"--config", o->config});
                     if (o->resume) arguments.push_back("--resume");
                     if (o->allowConfigChange) arguments.push_back("--allow-config-change");
                     const int status = runLocalRanks(o->processes, arguments, o->out);
                     if (status != 0) std::exit(status); // the ranks have said why
                     return;
                 }
                 train(*o);
             }}};
}

} // namespace jezero::cli
