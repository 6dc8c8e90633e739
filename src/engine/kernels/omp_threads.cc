#include "engine/kernels/omp_threads.h"

#include <strings.h>

#include <charconv>
#include <cstdlib>
#include <cstring>

namespace kgate::engine::kernels {

int64_t ChooseParallelGrainMacs(const char* grain_setting, const char* wait_policy) {
  if (grain_setting != nullptr) {
    int64_t grain = 0;
    const char* end = grain_setting + std::strlen(grain_setting);
    auto [ptr, ec] = std::from_chars(grain_setting, end, grain);
    if (ec == std::errc() && ptr == end && grain > 0) return grain;
  }
  const bool sleeping = wait_policy != nullptr && strcasecmp(wait_policy, "passive") == 0;
  return sleeping ? kSleepingGrainMacs : kSpinningGrainMacs;
}

int64_t ParallelGrainMacs() {
  static const int64_t grain =
      ChooseParallelGrainMacs(std::getenv("KGATE_PARALLEL_GRAIN_MACS"), std::getenv("OMP_WAIT_POLICY"));
  return grain;
}

}  // namespace kgate::engine::kernels
