#include "Communicator.h"

#include "jezero/core/Error.h"

#include <algorithm>
#include <cstdlib>
#include <string>

#include <exception>
#include <set>
#include <sstream>

#if defined(JEZERO_HAVE_C10D_GLOO) || defined(JEZERO_HAVE_C10D_NCCL)
#define JEZERO_HAVE_C10D 1
#include <torch/csrc/distributed/c10d/FileStore.hpp>
#include <torch/csrc/distributed/c10d/PrefixStore.hpp>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>

#include <unistd.h>
#endif
#ifdef JEZERO_HAVE_C10D_GLOO
#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#endif
#include "NcclBackend.h"

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
    // A single process ignores a meeting point unless JEZERO_WORLD_SIZE=1 asks for a group of one.
    if (!setup.distributed() && environment("JEZERO_WORLD_SIZE").empty()) setup.rendezvous.clear();
    setup.backend = environment("JEZERO_BACKEND").empty() ? "auto" : environment("JEZERO_BACKEND");
    if (setup.backend != "auto" && setup.backend != "gloo" && setup.backend != "nccl")
        throw Error("JEZERO_BACKEND=" + setup.backend + " is not auto, gloo or nccl");
    if (setup.worldSize < 1) throw Error("the world size must be at least 1");
    if (setup.rank >= setup.worldSize)
        throw Error("rank " + std::to_string(setup.rank) + " is outside a world of " + std::to_string(setup.worldSize) + " ranks");
    if (setup.distributed() && setup.rendezvous.empty()) throw Error("a run of several ranks needs a rendezvous (JEZERO_RENDEZVOUS or --rendezvous)");
    return setup;
}

std::string chooseBackend(const std::vector<RankPlacement>& ranks, const std::string& requested) {
    if (requested == "gloo") return "gloo";
    if (requested != "auto" && requested != "nccl") throw Error("backend " + requested + " is not auto, gloo or nccl");
    // NCCL allows one rank per GPU: two ranks naming the same GPU of the same host cannot share it.
    std::string why;
    std::set<std::pair<std::string, std::string>> taken;
    for (std::size_t r = 0; r < ranks.size() && why.empty(); ++r) {
        const RankPlacement& p = ranks[r];
        if (!p.ncclAvailable) why = "rank " + std::to_string(r) + "'s LibTorch has no NCCL";
        else if (p.gpu.empty()) why = "rank " + std::to_string(r) + " trains on the CPU";
        else if (!taken.insert({p.host, p.gpu}).second) why = "rank " + std::to_string(r) + " shares GPU " + p.gpu + " of " + p.host + " with another rank";
    }
    if (why.empty()) return "nccl";
    if (requested == "nccl") throw Error("NCCL needs every rank on a GPU of its own: " + why + " (use the gloo backend)");
    return "gloo";
}



namespace detail {

#ifdef JEZERO_HAVE_C10D
namespace {

std::string firstLine(const std::exception& e) {
    const std::string what = e.what();
    return what.substr(0, what.find('\n')); // c10 errors carry a stack trace
}

// The meeting point: rank 0 serves a TCP store at tcp://HOST:PORT, or every rank opens the file store.
c10::intrusive_ptr<c10d::Store> openStore(const DistributedSetup& setup, std::chrono::milliseconds timeout, std::string& host) {
    c10::intrusive_ptr<c10d::Store> store;
    host = "127.0.0.1";
    const std::string& where = setup.rendezvous;
    if (where.rfind("file:", 0) == 0) {
        store = c10::make_intrusive<c10d::FileStore>(where.substr(5), setup.worldSize);
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
        options.isServer = setup.rank == 0;
        options.numWorkers = static_cast<std::size_t>(setup.worldSize);
        options.waitWorkers = true;
        options.timeout = timeout;
        store = c10::make_intrusive<c10d::TCPStore>(host, options);
    } else {
        throw Error("rendezvous " + where + " is neither tcp://HOST:PORT nor file:PATH");
    }
    store->setTimeout(timeout);
    // A file store on a shared file system can outlive its run (a crash, then --resume): keys of this
    // Slurm job step only, so a later step never reads an earlier one's.
    const char* job = std::getenv("SLURM_JOB_ID");
    const char* step = std::getenv("SLURM_STEP_ID");
    const std::string run = job ? std::string(job) + "." + (step ? step : "0") : "local";
    return c10::make_intrusive<c10d::PrefixStore>("jezero/" + run, store);
}

std::vector<std::uint8_t> bytes(const std::string& text) { return {text.begin(), text.end()}; }

// Every rank says what it can offer (NCCL in its LibTorch, its host, its GPU) and reads what the others
// said: all then choose the same backend.
std::string agreeOnBackend(c10d::Store& store, const DistributedSetup& setup, const torch::Device& device) {
    char hostname[256] = {};
    ::gethostname(hostname, sizeof hostname - 1);
    RankPlacement mine;
    mine.host = hostname;
#ifdef JEZERO_HAVE_C10D_NCCL
    mine.ncclAvailable = true;
    if (device.is_cuda()) mine.gpu = gpuIdentity(device.has_index() ? device.index() : 0);
#else
    if (device.is_cuda()) mine.gpu = device.str();
#endif
    // Rank 0's requested backend rules (the ranks' environments could differ).
    store.set("placement/" + std::to_string(setup.rank),
              bytes(std::string(mine.ncclAvailable ? "1" : "0") + "\n" + mine.host + "\n" + mine.gpu + "\n" + setup.backend));
    std::vector<std::string> keys;
    for (int r = 0; r < setup.worldSize; ++r) keys.push_back("placement/" + std::to_string(r));
    store.wait(keys);
    std::vector<RankPlacement> ranks;
    std::string requested;
    for (const auto& key : keys) {
        const std::vector<std::uint8_t> value = store.get(key);
        std::istringstream in(std::string(value.begin(), value.end()));
        std::string nccl, asked;
        RankPlacement p;
        std::getline(in, nccl), std::getline(in, p.host), std::getline(in, p.gpu), std::getline(in, asked);
        p.ncclAvailable = nccl == "1";
        if (ranks.empty()) requested = asked;
        ranks.push_back(p);
    }
    return chooseBackend(ranks, requested);
}

// The collectives over one c10d process group (Gloo's or NCCL's: the same calls). NCCL works on GPU
// tensors only, so there every collective runs on the training device and CPU tensors go there and back.
template <class Group>
class GroupCommunicator : public Communicator {
public:
    GroupCommunicator(c10::intrusive_ptr<Group> group, int rank, int size, std::string backend, torch::Device collectiveDevice)
        : mGroup(std::move(group)), mRank(rank), mSize(size), mBackend(std::move(backend)), mDevice(collectiveDevice) {}
    ~GroupCommunicator() override {
        try {
            // NCCL warns when its group is destroyed without shutdown; while an error unwinds (a peer
            // gone) a graceful shutdown could wait for it, so the group is aborted instead.
            if constexpr (kHasAbort<Group>) {
                if (std::uncaught_exceptions() > 0) {
                    mGroup->abort();
                    return;
                }
            }
            if constexpr (kHasShutdown<Group>) mGroup->shutdown();
        } catch (...) {
        }
    }

    int rank() const override { return mRank; }
    int size() const override { return mSize; }
    std::string backend() const override { return mBackend; }

    void sum(std::vector<torch::Tensor>& tensors) override {
        guarded([&] { sumBuckets(tensors); });
    }
    void broadcast(std::vector<torch::Tensor>& tensors) override {
        guarded([&] {
            for (auto& t : tensors) {
                std::vector<torch::Tensor> one{t.detach().to(collectiveDevice(t))};
                mGroup->broadcast(one)->wait();
                if (one[0].data_ptr() != t.data_ptr()) t.detach().copy_(one[0]); // it went to the GPU and back
            }
        });
    }
    bool any(bool mine) override {
        std::vector<torch::Tensor> flag{torch::full({1}, mine ? 1.0f : 0.0f, torch::TensorOptions().device(mDevice))};
        c10d::AllreduceOptions options;
        options.reduceOp = c10d::ReduceOp::MAX;
        guarded([&] { mGroup->allreduce(flag, options)->wait(); });
        return flag[0].item<float>() > 0;
    }
    std::vector<std::int64_t> gather(std::int64_t mine) override {
        const auto on = torch::TensorOptions().dtype(torch::kLong).device(mDevice);
        std::vector<torch::Tensor> input{torch::full({1}, mine, on)};
        std::vector<std::vector<torch::Tensor>> output(1);
        for (int r = 0; r < mSize; ++r) output[0].push_back(torch::zeros({1}, on));
        guarded([&] { mGroup->allgather(output, input)->wait(); });
        std::vector<std::int64_t> values;
        for (const auto& t : output[0]) values.push_back(t.item<std::int64_t>());
        return values;
    }
    double bytesReduced() const override { return mBytes; }

private:
    template <class G, class = void>
    struct HasShutdown : std::false_type {};
    template <class G>
    struct HasShutdown<G, std::void_t<decltype(std::declval<G&>().shutdown())>> : std::true_type {};
    template <class G>
    static constexpr bool kHasShutdown = HasShutdown<G>::value;
    template <class G, class = void>
    struct HasAbort : std::false_type {};
    template <class G>
    struct HasAbort<G, std::void_t<decltype(std::declval<G&>().abort())>> : std::true_type {};
    template <class G>
    static constexpr bool kHasAbort = HasAbort<G>::value;

    // Gloo takes tensors where they are (it stages GPU tensors in host memory itself); NCCL needs them
    // on the GPU.
    torch::Device collectiveDevice(const torch::Tensor& t) const { return mDevice.is_cuda() ? mDevice : t.device(); }

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
                   (last == first || (bytes + tensors[last].nbytes() <= bucketBytes && tensors[last].scalar_type() == tensors[first].scalar_type() &&
                                      tensors[last].device() == tensors[first].device())))
                bytes += tensors[last++].nbytes();
            std::vector<torch::Tensor> views;
            for (std::size_t i = first; i < last; ++i) views.push_back(tensors[i].reshape({-1}));
            std::vector<torch::Tensor> bucket{torch::cat(views).to(collectiveDevice(tensors[first]))};
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

    c10::intrusive_ptr<Group> mGroup;
    int mRank, mSize;
    std::string mBackend;
    torch::Device mDevice;
    double mBytes = 0;
};

std::unique_ptr<Communicator> makeCommunicator(const DistributedSetup& setup, const torch::Device& device, int timeoutSeconds) {
    const auto timeout = std::chrono::milliseconds(1000L * timeoutSeconds);
    std::string host;
    const c10::intrusive_ptr<c10d::Store> store = openStore(setup, timeout, host);
    const std::string backend = agreeOnBackend(*store, setup, device);
#ifdef JEZERO_HAVE_C10D_NCCL
    if (backend == "nccl") {
        const torch::Device gpu(torch::kCUDA, device.has_index() ? device.index() : 0);
        auto group = makeNcclBackend(c10::make_intrusive<c10d::PrefixStore>("nccl", store), setup.rank, setup.worldSize, timeout, gpu.index());
        return std::make_unique<GroupCommunicator<c10d::Backend>>(std::move(group), setup.rank, setup.worldSize, "nccl", gpu);
    }
#endif
#ifdef JEZERO_HAVE_C10D_GLOO
    auto options = c10d::ProcessGroupGloo::Options::create(timeout);
    // The interface the ranks talk over: GLOO_SOCKET_IFNAME as PyTorch reads it, else this host's
    // name (several nodes), else the loopback (local ranks meeting through a file).
    const std::string interface = std::getenv("GLOO_SOCKET_IFNAME") ? std::getenv("GLOO_SOCKET_IFNAME") : "";
    if (!interface.empty())
        options->devices.push_back(c10d::ProcessGroupGloo::createDeviceForInterface(interface));
    else if (setup.rendezvous.rfind("tcp://", 0) == 0 && host != "127.0.0.1" && host != "localhost")
        options->devices.push_back(c10d::ProcessGroupGloo::createDefaultDevice());
    else
        options->devices.push_back(c10d::ProcessGroupGloo::createDeviceForHostname("127.0.0.1"));
    auto group = c10::make_intrusive<c10d::ProcessGroupGloo>(c10::make_intrusive<c10d::PrefixStore>("gloo", store), setup.rank, setup.worldSize, options);
    return std::make_unique<GroupCommunicator<c10d::ProcessGroupGloo>>(std::move(group), setup.rank, setup.worldSize, "gloo", torch::Device(torch::kCPU));
#else
    throw Error("this build's LibTorch has no c10d Gloo backend: the ranks cannot use " + backend);
#endif
}

} // namespace
#endif

std::unique_ptr<Communicator> Communicator::connect(const DistributedSetup& setup, const torch::Device& device, int timeoutSeconds) {
    if (!setup.grouped()) return std::make_unique<Communicator>();
#ifdef JEZERO_HAVE_C10D
    try {
        return makeCommunicator(setup, device, timeoutSeconds);
    } catch (const Error&) {
        throw;
    } catch (const std::exception& e) {
        throw Error("rank " + std::to_string(setup.rank) + " could not meet the other ranks at " + setup.rendezvous + ": " + firstLine(e));
    }
#else
    (void)device, (void)timeoutSeconds;
    throw Error("this build's LibTorch has no c10d Gloo backend: data-parallel training (" + std::to_string(setup.worldSize) + " ranks) is not available");
#endif
}

} // namespace detail
} // namespace jezero::ml
