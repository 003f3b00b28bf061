#include "LocalRanks.h"

#include "jezero/core/Error.h"

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <random>
#include <thread>

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

namespace fs = std::filesystem;

namespace jezero::cli {
namespace {

constexpr int kMaxRanks = 256;
pid_t gRanks[kMaxRanks];
std::atomic<int> gRankCount{0};

extern "C" void forwardSignal(int) {
    for (int i = 0; i < gRankCount.load(); ++i)
        if (gRanks[i] > 0) ::kill(gRanks[i], SIGTERM); // async-signal-safe; each rank cancels (saves and stops)
}

} // namespace

int runLocalRanks(int count, const std::vector<std::string>& arguments, const std::string& logDirectory) {
    if (count < 1 || count > kMaxRanks) throw Error("--nproc must be between 1 and " + std::to_string(kMaxRanks));
    std::error_code ec;
    const std::string self = fs::read_symlink("/proc/self/exe", ec).string();
    if (ec) throw Error("cannot find this program to start its ranks: " + ec.message());
    std::random_device random;
    const fs::path store = fs::temp_directory_path() / ("jezero-ranks-" + std::to_string(::getpid()) + "-" + std::to_string(random()));
    const unsigned cores = std::max(1u, std::thread::hardware_concurrency());
    const std::string threads = std::to_string(std::max(1u, cores / static_cast<unsigned>(count)));

    std::vector<std::string> argvText{self};
    argvText.insert(argvText.end(), arguments.begin(), arguments.end());
    std::vector<char*> argv;
    for (auto& a : argvText) argv.push_back(a.data());
    argv.push_back(nullptr);

    fs::create_directories(logDirectory, ec);
    std::vector<std::string> logs(count);
    for (int rank = 1; rank < count; ++rank) logs[rank] = (fs::path(logDirectory) / ("rank-" + std::to_string(rank) + ".log")).string();

    std::signal(SIGINT, forwardSignal);
    std::signal(SIGTERM, forwardSignal);
    for (int rank = 0; rank < count; ++rank) {
        const pid_t pid = ::fork();
        if (pid < 0) {
            forwardSignal(0);
            throw Error(std::string("cannot start rank ") + std::to_string(rank) + ": " + std::strerror(errno));
        }
        if (pid == 0) {
            std::signal(SIGINT, SIG_DFL);
            std::signal(SIGTERM, SIG_DFL);
            ::setenv("JEZERO_RANK", std::to_string(rank).c_str(), 1);
            ::setenv("JEZERO_WORLD_SIZE", std::to_string(count).c_str(), 1);
            ::setenv("JEZERO_RENDEZVOUS", ("file:" + store.string()).c_str(), 1);
            ::setenv("JEZERO_THREADS_PER_RANK", threads.c_str(), 1);
            if (rank > 0) { // rank 0 speaks for the run; the others' words go to their log
                const int log = ::open(logs[rank].c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
                if (log >= 0) ::dup2(log, STDERR_FILENO), ::close(log);
            }
            ::execv(self.c_str(), argv.data());
            ::_exit(127);
        }
        gRanks[rank] = pid;
        gRankCount.store(rank + 1);
    }

    // Wait for every rank; the first failure stops the others (they would wait for it in a collective),
    // with SIGKILL for any still there 10 s later.
    int status = 0, running = count;
    std::vector<int> codes(count, 0);
    std::chrono::steady_clock::time_point stopAt = std::chrono::steady_clock::time_point::max(), killAt = stopAt;
    while (running > 0) {
        int code = 0;
        const pid_t done = ::waitpid(-1, &code, WNOHANG);
        if (done > 0) {
            --running;
            for (int i = 0; i < count; ++i)
                if (gRanks[i] == done) gRanks[i] = -1, codes[i] = code;
            const bool failed = !WIFEXITED(code) || WEXITSTATUS(code) != 0;
            if (failed && status == 0) {
                // The others usually fail alike (a bad config or dataset) and say why themselves: they
                // get 3 s to do so before they are stopped (they may be waiting for the failed rank).
                status = 1;
                stopAt = std::chrono::steady_clock::now() + std::chrono::seconds(3);
            }
            continue;
        }
        if (done < 0 && errno != EINTR) break;
        if (std::chrono::steady_clock::now() > stopAt) {
            forwardSignal(0);
            stopAt = std::chrono::steady_clock::time_point::max();
            killAt = std::chrono::steady_clock::now() + std::chrono::seconds(10);
        }
        if (std::chrono::steady_clock::now() > killAt) {
            for (int i = 0; i < count; ++i)
                if (gRanks[i] > 0) ::kill(gRanks[i], SIGKILL);
            killAt = std::chrono::steady_clock::time_point::max();
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    gRankCount.store(0);
    std::signal(SIGINT, SIG_DFL);
    std::signal(SIGTERM, SIG_DFL);
    fs::remove(store, ec);
    // Rank 0 has said why it failed when it exited with an error; otherwise (it succeeded, or was
    // stopped) the first other rank that failed is said here, from its log.
    const bool rank0Said = WIFEXITED(codes[0]) && WEXITSTATUS(codes[0]) != 0;
    bool said = rank0Said || status == 0;
    for (int rank = 1; rank < count && !said; ++rank) {
        const int code = codes[rank];
        if (WIFEXITED(code) && WEXITSTATUS(code) == 0) continue;
        std::string reason = WIFSIGNALED(code) ? "killed by signal " + std::to_string(WTERMSIG(code)) : "failed";
        std::ifstream log(logs[rank]);
        for (std::string line; std::getline(log, line);)
            if (const auto at = line.find("error: "); at != std::string::npos) reason = line.substr(at + 7);
        std::cerr << "jezero-cli: error: rank " << rank << ": " << reason << " (" << logs[rank] << ")\n";
        said = true;
    }
    if (!said) std::cerr << "jezero-cli: error: rank 0 was stopped by signal " << (WIFSIGNALED(codes[0]) ? WTERMSIG(codes[0]) : 0) << '\n';
    return status;
}

} // namespace jezero::cli
