#include "Communicator.h"

#include "jezero/core/Error.h"

#include <algorithm>
#include <cstdlib>
#include <string>

#ifdef JEZERO_HAVE_C10D_GLOO
#include <torch/csrc/distributed/c10d/FileStore.hpp>
#include <torch/csrc/distributed/c10d/PrefixStore.hpp>
#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>
#endif

namespace jezero::ml {
namespace {

std::string environment(const char* name) {
    const char* value = std::getenv(name);
    return value ? value : "";
}

int environmentInt(const char* name, int fallback) {
    const std::string text = environment(name);
    if (text.empty()) return fallback;
    char* end = nullptr;
    const long value = std::strtol(text.c_str(), &end, 10);
    if (*end != '\0' || value < 0 || value > 1 << 20) throw Error(std::string(name) + "=" + text + " is not a count");
    return static_cast<int>(value);
}

} // namespace

DistributedSetup DistributedSetup::fromEnvironment(const std::string& rendezvous) {
    DistributedSetup setup;
    setup.rendezvous = rendezvous.empty() ? environment("JEZERO_RENDEZVOUS") : rendezvous;
    if (!environment("JEZERO_WORLD_SIZE").empty()) {
        setup.worldSize = environmentInt("JEZERO_WORLD_SIZE", 1);
        setup.rank = environmentInt("JEZERO_RANK", 0);
        setup.localRank = environmentInt("JEZERO_LOCAL_RANK", setup.rank);
        setup.threadsPerRank = environmentInt("JEZERO_THREADS_PER_RANK", 0);
    } else if (environmentInt("SLURM_STEP_NUM_TASKS", 1) > 1) {
        // A job step of several tasks (srun): one rank each. The batch script itself is a one-task step.
        setup.worldSize = environmentInt("SLURM_STEP_NUM_TASKS", 1);
        setup.rank = environmentInt("SLURM_PROCID", 0);
        setup.localRank = environmentInt("SLURM_LOCALID", 0);
        setup.threadsPerRank = environmentInt("SLURM_CPUS_PER_TASK", 0);
        if (setup.rendezvous.empty() && !environment("MASTER_ADDR").empty())
            setup.rendezvous = "tcp://" + environment("MASTER_ADDR") + ":" + (environment("MASTER_PORT").empty() ? "29500" : environment("MASTER_PORT"));
        if (setup.rendezvous.empty())
            throw Error("a Slurm step of " + std::to_string(setup.worldSize) +
                        " tasks needs a meeting point: set MASTER_ADDR (the first node; tools/slurm/train.sbatch does) or pass --rendezvous");
    }
    if (setup.worldSize < 1) throw Error("the world size must be at least 1");
    if (setup.rank >= setup.worldSize)
        throw Error("rank " + std::to_string(setup.rank) + " is outside a world of " + std::to_string(setup.worldSize) + " ranks");
    if (setup.distributed() && setup.rendezvous.empty()) throw Error("a run of several ranks needs a rendezvous (JEZERO_RENDEZVOUS or --rendezvous)");
    return setup;
}

namespace detail {

#ifdef JEZERO_HAVE_C10D_GLOO
namespace {

std::string firstLine(const std::exception& e) {
    const std::string what = e.what();
    return what.substr(0, what.find('\n')); // c10 errors carry a stack trace
}

class GlooCommunicator : public Communicator {
public:
    GlooCommunicator(const DistributedSetup& setup, int timeoutSeconds) : mRank(setup.rank), mSize(setup.worldSize) {
        const auto timeout = std::chrono::milliseconds(1000L * timeoutSeconds);
        c10::intrusive_ptr<c10d::Store> store;
        std::string host = "127.0.0.1";
        const std::string& where = setup.rendezvous;
        if (where.rfind("file:", 0) == 0) {
            store = c10::make_intrusive<c10d::FileStore>(where.substr(5), mSize);
        } else if (where.rfind("tcp://", 0) == 0) {
            const std::string address = where.substr(6);
            const auto colon = address.rfind(':');
            if (colon == std::string::npos || colon == 0) throw Error("rendezvous " + where + " is not tcp://HOST:PORT");
            char* end = nullptr;
            const long port = std::strtol(address.c_str() + colon + 1, &end, 10);
            if (*end != '\0' || port <= 0 || port > 65535) throw Error("rendezvous " + where + " has no valid port");
            host = address.substr(0, colon);
            c10d::TCPStoreOptions options;
            options.port = static_cast<std::uint16_t>(port);
            options.isServer = mRank == 0;
            options.numWorkers = static_cast<std::size_t>(mSize);
            options.waitWorkers = true;
            options.timeout = timeout;
            store = c10::make_intrusive<c10d::TCPStore>(host, options);
        } else {
            throw Error("rendezvous " + where + " is neither tcp://HOST:PORT nor file:PATH");
        }
        store->setTimeout(timeout);
        auto options = c10d::ProcessGroupGloo::Options::create(timeout);
        // The interface the ranks talk over: GLOO_SOCKET_IFNAME as PyTorch reads it, else this host's
        // name (several nodes), else the loopback (local ranks meeting through a file).
        const std::string interface = std::getenv("GLOO_SOCKET_IFNAME") ? std::getenv("GLOO_SOCKET_IFNAME") : "";
        if (!interface.empty())
            options->devices.push_back(c10d::ProcessGroupGloo::createDeviceForInterface(interface));
        else if (where.rfind("tcp://", 0) == 0 && host != "127.0.0.1" && host != "localhost")
            options->devices.push_back(c10d::ProcessGroupGloo::createDefaultDevice());
        else
            options->devices.push_back(c10d::ProcessGroupGloo::createDeviceForHostname("127.0.0.1"));
        mGroup = c10::make_intrusive<c10d::ProcessGroupGloo>(c10::make_intrusive<c10d::PrefixStore>("jezero", store), mRank, mSize, options);
    }

    int rank() const override { return mRank; }
    int size() const override { return mSize; }

    void sum(std::vector<torch::Tensor>& tensors) override {
        guarded([&] { sumBuckets(tensors); });
    }
    void broadcast(std::vector<torch::Tensor>& tensors) override {
        guarded([&] {
            for (auto& t : tensors) {
                std::vector<torch::Tensor> one{t.detach()};
                mGroup->broadcast(one)->wait();
            }
        });
    }
    bool any(bool mine) override {
        std::vector<torch::Tensor> flag{torch::full({1}, mine ? 1.0f : 0.0f)};
        c10d::AllreduceOptions options;
        options.reduceOp = c10d::ReduceOp::MAX;
        guarded([&] { mGroup->allreduce(flag, options)->wait(); });
        return flag[0].item<float>() > 0;
    }
    std::vector<std::int64_t> gather(std::int64_t mine) override {
        std::vector<torch::Tensor> input{torch::full({1}, mine, torch::kLong)};
        std::vector<std::vector<torch::Tensor>> output(1);
        for (int r = 0; r < mSize; ++r) output[0].push_back(torch::zeros({1}, torch::kLong));
        guarded([&] { mGroup->allgather(output, input)->wait(); });
        std::vector<std::int64_t> values;
        for (const auto& t : output[0]) values.push_back(t.item<std::int64_t>());
        return values;
    }
    double bytesReduced() const override { return mBytes; }

private:
    // A collective whose peer is gone (killed, failed) ends in a c10 error with a stack trace; the
    // user gets one line.
    template <class Collective>
    void guarded(Collective&& collective) {
        try {
            collective();
        } catch (const std::exception& e) {
            throw Error("rank " + std::to_string(mRank) + " lost contact with the other ranks (one stopped or failed; see its messages): " + firstLine(e));
        }
    }

    void sumBuckets(std::vector<torch::Tensor>& tensors) {
        // Flattened into buckets of one dtype: one collective per bucket, the tensors' own memory written back after.
        std::size_t first = 0;
        while (first < tensors.size()) {
            std::size_t last = first, bytes = 0;
            while (last < tensors.size() &&
                   (last == first || (bytes + tensors[last].nbytes() <= bucketBytes && tensors[last].scalar_type() == tensors[first].scalar_type())))
                bytes += tensors[last++].nbytes();
            std::vector<torch::Tensor> views;
            for (std::size_t i = first; i < last; ++i) views.push_back(tensors[i].reshape({-1}));
            std::vector<torch::Tensor> bucket{torch::cat(views)};
            mGroup->allreduce(bucket)->wait();
            int64_t offset = 0;
            for (std::size_t i = first; i < last; ++i) {
                const int64_t n = tensors[i].numel();
                tensors[i].copy_(bucket[0].narrow(0, offset, n).view_as(tensors[i]));
                offset += n;
            }
            mBytes += 2.0 * (mSize - 1) / mSize * static_cast<double>(bytes);
            first = last;
        }
    }

    int mRank, mSize;
    c10::intrusive_ptr<c10d::ProcessGroupGloo> mGroup;
    double mBytes = 0;
};

} // namespace
#endif

std::unique_ptr<Communicator> Communicator::connect(const DistributedSetup& setup, int timeoutSeconds) {
    if (!setup.distributed()) return std::make_unique<Communicator>();
#ifdef JEZERO_HAVE_C10D_GLOO
    try {
        return std::make_unique<GlooCommunicator>(setup, timeoutSeconds);
    } catch (const Error&) {
        throw;
    } catch (const std::exception& e) {
        throw Error("rank " + std::to_string(setup.rank) + " could not meet the other ranks at " + setup.rendezvous + ": " + firstLine(e));
    }
#else
    (void)timeoutSeconds;
    throw Error("this build's LibTorch has no c10d Gloo backend: data-parallel training (" + std::to_string(setup.worldSize) + " ranks) is not available");
#endif
}

} // namespace detail
} // namespace jezero::ml
