#pragma once
#include <cstddef>
#include <functional>

namespace jezero {

// Splits [0, count) into contiguous blocks and runs work(begin, end) on each, on up to one thread per
// core (the calling thread takes one block). The first exception thrown by a block is rethrown after
// all blocks finish. The project's one parallel loop (std::thread; no TBB dependency in core).
void parallelFor(std::size_t count, const std::function<void(std::size_t begin, std::size_t end)>& work);

} // namespace jezero
