#pragma once
// FNV-1a, 64 bit: a hash that is the same with every compiler and standard library (std::hash is
// not), for seeds derived from names and for checksums of file contents.
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace jezero {

inline std::uint64_t fnv1a64(std::string_view bytes) {
    std::uint64_t hash = 0xCBF29CE484222325ull;
    for (const char c : bytes) hash = (hash ^ static_cast<unsigned char>(c)) * 0x100000001B3ull;
    return hash;
}

} // namespace jezero
