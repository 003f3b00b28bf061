#include "jezero/core/Parallel.h"

#include <algorithm>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

namespace jezero {

void parallelFor(std::size_t count, const std::function<void(std::size_t, std::size_t)>& work) {
    if (count == 0) return;
    const std::size_t threads = std::min<std::size_t>(std::max(1u, std::thread::hardware_concurrency()), count);
    const std::size_t block = (count + threads - 1) / threads;
    std::exception_ptr failure;
    std::mutex failureMutex;
    const auto run = [&](std::size_t begin) {
        try {
            work(begin, std::min(count, begin + block));
        } catch (...) {
            std::lock_guard<std::mutex> lock(failureMutex);
            if (!failure) failure = std::current_exception();
        }
    };
    std::vector<std::thread> pool;
    for (std::size_t begin = block; begin < count; begin += block) pool.emplace_back(run, begin);
    run(0);
    for (auto& t : pool) t.join();
    if (failure) std::rethrow_exception(failure);
}

} // namespace jezero
