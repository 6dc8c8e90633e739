// File: sweep_sampling.h
// How densely the corruption sweeps (every byte flipped, every length cut)
// sample a file. CI runs every unit test twice, in Release and under
// ASan+UBSan, where each parse costs about 20x more. Under the sanitizers a
// sweep visits every kSweepThinning-th offset it would otherwise visit, so the
// suite fits CI's time; the Release run visits them all, and the fuzz targets
// keep exploring corrupted files under the sanitizers.
#pragma once

#include <cstddef>

namespace kgate::testing {

#if defined(__SANITIZE_ADDRESS__)
inline constexpr size_t kSweepThinning = 4;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
inline constexpr size_t kSweepThinning = 4;
#else
inline constexpr size_t kSweepThinning = 1;
#endif
#else
inline constexpr size_t kSweepThinning = 1;
#endif

}  // namespace kgate::testing
