// Fuzzes the whole loader: container detection, ZIP/HDF5, config audit, graph
// building, weight binding. Every input must end in a report (findings), never
// a crash, a hang or an allocation beyond the caps.
#include <cstddef>
#include <cstdint>
#include <span>

#include "keras/model_loader.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  kgate::keras::LoadOptions options;
  // Keep each run's memory small; the caps themselves are what is under test.
  options.zip.max_member_bytes = uint64_t{64} << 20;
  options.zip.max_total_bytes = uint64_t{128} << 20;
  options.hdf5.max_dataset_bytes = uint64_t{64} << 20;
  kgate::keras::ModelReport report =
      kgate::keras::AnalyzeModel(std::span<const uint8_t>(data, size), "fuzz-input", options);
  (void)report.findings.Rejects();
  return 0;
}
