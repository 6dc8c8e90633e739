// File: align.h
// The alignment of every area the engine carves out of an arena or a scratch
// buffer (a cache line, one AVX-512 vector, as AlignedBuffer allocates): each
// area's size is rounded up so that the next one starts aligned too.
#pragma once

#include <cstdint>

namespace kgate::engine {

inline constexpr int64_t kAlign = 64;

inline int64_t AlignUp(int64_t bytes) { return (bytes + kAlign - 1) / kAlign * kAlign; }

}  // namespace kgate::engine
