// Fuzzes the config half of the loader without the container: JSON text ->
// config audit -> graph building (layer parsing, topology, shape inference),
// the way AnalyzeModel runs them for config.json. Inputs never pass a ZIP
// CRC, so mutations reach deep into the audit and the builder. Every input
// must end in findings or a graph, never a crash, a hang or a huge
// allocation.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "io/json/json.h"
#include "keras/config_audit.h"
#include "keras/model_builder.h"
#include "util/finding.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto json = kgate::io::json::Parse(text);
  if (!json.ok()) return 0;
  kgate::util::FindingList findings;
  kgate::keras::AuditConfig(*json, "config.json:", &findings);
  // Build even when the audit rejects, to reach the builder with hostile configs.
  auto graph = kgate::keras::BuildModel(*json, "config.json:", &findings);
  if (graph != nullptr) (void)graph->ParamCount();
  return 0;
}
