// File: sweep_sampling.h
// How densely the corruption sweeps (every byte flipped, every length cut)
// sample a file. Under ASan+UBSan, where CI runs the unit tests, each parse
// costs about 20x more than in Release; there a sweep visits every
// kSweepThinning-th offset it would otherwise visit, so the suite fits CI's
// time. A Release run (KGATE_RELEASE_UNIT_TESTS=1 scripts/test.sh, or ctest
// in any Release build) visits them all, and the fuzz targets keep exploring
// corrupted files under the sanitizers.
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
