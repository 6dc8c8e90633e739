// Fuzzes what a client controls in a prediction request: the body of a TF
// Serving :predict and of a KServe infer (JSON, or JSON header plus binary
// tensors with Inference-Header-Content-Length), through the Router with a
// real model (the multi-input fixture), so decoding, validation, inference
// on whatever passes, and reply encoding all run. The first byte picks the
// route; for the binary form the next two give the header length.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "engine/model.h"
#include "scan/scanner.h"
#include "serve/model_repository.h"
#include "serve/router.h"

namespace {

kgate::serve::ModelRepository* repo = nullptr;

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  kgate::scan::FileResult result = kgate::scan::ScanFile(KGATE_SOURCE_DIR "/tests/fixtures/models/multi_io.keras");
  if (result.report.graph == nullptr) __builtin_trap();
  kgate::engine::EngineOptions options;
  options.intra_op_threads = 1;
  auto model = kgate::engine::Model::Create(std::move(result.report.graph), options);
  if (!model.ok()) __builtin_trap();
  repo = new kgate::serve::ModelRepository();
  if (!repo->Add("m", 1, "multi_io.keras", std::shared_ptr<const kgate::engine::Model>(*std::move(model))).ok()) {
    __builtin_trap();
  }
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 3) return 0;
  kgate::serve::ServeOptions options;
  options.json_limits.max_input_bytes = 1 << 20;
  const kgate::serve::Router router(*repo, options);
  kgate::serve::HttpRequest request;
  request.method = "POST";
  const std::string rest(reinterpret_cast<const char*>(data) + 3, size - 3);
  switch (data[0] % 3) {
    case 0:
      request.target = "/v1/models/m:predict";
      request.body = std::string(reinterpret_cast<const char*>(data) + 1, size - 1);
      break;
    case 1:
      request.target = "/v2/models/m/infer";
      request.body = std::string(reinterpret_cast<const char*>(data) + 1, size - 1);
      break;
    default:
      request.target = "/v2/models/m/versions/1/infer";
      request.inference_header_length = std::to_string(data[1] | (data[2] << 8));
      request.body = rest;
      break;
  }
  const kgate::serve::HttpResponse response = router.Handle(request);
  // 500 is legitimate (an output JSON cannot carry); anything else is a mapping bug.
  if (response.status != 200 && response.status != 400 && response.status != 404 && response.status != 500) {
    __builtin_trap();
  }
  return 0;
}
