// Times the stages of one TF Serving predict request inside kgate, without
// the network, so bench/serve_vs_fastapi.py can state what share of a
// request the input validation takes. The stages are the ones `kgate serve`
// runs, called through the same functions:
//   handle   - Router::Handle: everything after the HTTP parse (route, JSON
//              parse, decode, validate, predict, write the reply)
//   parse    - ParseJsonBody under the server's default caps
//   decode   - the "instances" rows flattened into a RequestInput (FlattenRows)
//   validate - ValidateInputs: the schema checks and the float32 tensor they build
//   predict  - engine::Model::Predict on the validated tensor
//   validate_outputs - ValidateOutputs on the predicted tensors, with the
//              `outputs:` spec from --config (only when one is given)
// Stages are timed in interleaved blocks of calls (so load from other
// processes hits each stage alike); each block's time / calls is one sample,
// and the median and p99 of the samples are printed as JSON in nanoseconds.
//
//   kgate_serve_stage_bench MODEL.keras REQUEST.json [--config KGATE.json] [--blocks N] [--calls N]
// REQUEST.json is a one-input TF Serving row-form body {"instances": [...]};
// KGATE.json is a kgate.yaml written as JSON, of which `outputs:` is read.
//
// With --concurrent THREADS it instead runs Router::Handle on the request
// from THREADS threads at once (--calls each) and counts the replies that
// differ from the single-threaded one: concurrent requests must not change
// an answer. Exit 1 when any did.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "engine/model.h"
#include "keras/model_loader.h"
#include "serve/inference.h"
#include "serve/json_tensor.h"
#include "schema/output_spec.h"
#include "serve/model_repository.h"
#include "serve/output_validation.h"
#include "serve/router.h"

namespace {

using kgate::serve::RequestInput;

int Fail(const std::string& what) {
  std::fprintf(stderr, "kgate_serve_stage_bench: %s\n", what.c_str());
  return 2;
}

struct Stage {
  const char* name;
  std::function<bool()> run;  // false = the stage failed (the bench stops)
  std::vector<double> ns_per_call;
};

std::optional<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

double Percentile(std::vector<double> v, double p) {
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<size_t>(p * static_cast<double>(v.size())))];
}

int CheckConcurrentReplies(const kgate::serve::Router& router, const kgate::serve::HttpRequest& request,
                           const std::string& expected, int threads, int calls) {
  std::atomic<int64_t> wrong{0};
  std::mutex first_mu;
  std::string first_wrong;
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&] {
      for (int c = 0; c < calls; ++c) {
        kgate::serve::HttpResponse r = router.Handle(request);
        if (r.status == 200 && r.body == expected) continue;
        if (wrong++ == 0) {
          std::lock_guard<std::mutex> lock(first_mu);
          first_wrong = std::to_string(r.status) + " " + r.body;
        }
      }
    });
  }
  for (std::thread& w : workers) w.join();
  std::printf("{\"threads\": %d, \"replies\": %lld, \"wrong\": %lld", threads,
              static_cast<long long>(threads) * calls, static_cast<long long>(wrong.load()));
  if (!first_wrong.empty()) {
    std::string quoted;
    kgate::io::json::AppendQuoted(first_wrong, &quoted);
    std::printf(", \"first_wrong\": %s", quoted.c_str());
  }
  std::printf("}\n");
  return wrong.load() == 0 ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3 || argc % 2 == 0) {
    return Fail("usage: kgate_serve_stage_bench MODEL.keras REQUEST.json [--config KGATE.json] [--blocks N] [--calls N]");
  }
  const std::string model_path = argv[1];
  std::optional<std::string> config_path;
  int blocks = 400;
  int calls = 50;
  int concurrent = 0;
  for (int i = 3; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    if (flag == "--config") {
      config_path = argv[i + 1];
    } else if (flag == "--blocks" || flag == "--calls" || flag == "--concurrent") {
      (flag == "--blocks" ? blocks : flag == "--calls" ? calls : concurrent) = std::max(1, std::atoi(argv[i + 1]));
    } else {
      return Fail("unknown flag " + flag);
    }
  }
  std::optional<std::string> body = ReadFile(argv[2]);
  if (!body) return Fail(std::string("cannot read ") + argv[2]);

  auto graph = kgate::keras::LoadModelFile(model_path);
  if (!graph.ok()) return Fail(model_path + ": " + std::string(graph.status().message()));
  kgate::engine::EngineOptions engine_options;
  engine_options.intra_op_threads = 1;  // as `kgate serve` compiles it
  auto model = kgate::engine::Model::Create(*std::move(graph), engine_options);
  if (!model.ok()) return Fail(model_path + ": " + std::string(model.status().message()));
  kgate::serve::ModelRepository repo;
  absl::Status added = repo.Add("mlp", 1, model_path, std::shared_ptr<const kgate::engine::Model>(*std::move(model)));
  if (!added.ok()) return Fail(std::string(added.message()));
  const kgate::serve::ServedModel* served = *repo.Find("mlp", std::nullopt);
  // The served model with the config's output spec (the repository's own
  // copy has none; only the validate_outputs stage uses this one).
  kgate::serve::ServedModel checked = *served;
  if (config_path) {
    std::optional<std::string> text = ReadFile(*config_path);
    if (!text) return Fail("cannot read " + *config_path);
    absl::StatusOr<kgate::io::json::Value> config = kgate::io::json::Parse(*text);
    if (!config.ok() || !config->is_object()) return Fail(*config_path + ": expected a JSON object");
    for (const kgate::io::json::Member& m : config->object()) {
      if (m.first != "outputs") return Fail(*config_path + ": unknown key '" + m.first + "'; expected outputs");
    }
    if (const kgate::io::json::Value* outputs = config->Find("outputs")) {
      auto spec = kgate::schema::ParseOutputSpec(*outputs, *config_path);
      if (!spec.ok()) return Fail(std::string(spec.status().message()));
      absl::Status fits = kgate::schema::CheckOutputSpec(*spec, served->model->output_names(),
                                                         served->model->output_specs(), *config_path);
      if (!fits.ok()) return Fail(std::string(fits.message()));
      auto config = std::make_shared<kgate::serve::ModelConfig>(*served->config);
      config->outputs = *std::move(spec);
      checked.config = std::move(config);
    }
  }
  const kgate::serve::ServeOptions options;
  const kgate::serve::Router router(repo, options);
  const kgate::serve::HttpRequest request{"POST", "/v1/models/mlp:predict", *body, std::nullopt};

  // The decoded forms each later stage starts from, made once up front.
  absl::StatusOr<kgate::io::json::Value> parsed = kgate::serve::ParseJsonBody(*body, options);
  if (!parsed.ok()) return Fail(std::string(parsed.status().message()));
  const kgate::io::json::Value* instances = parsed->Find("instances");
  if (instances == nullptr || !instances->is_array()) return Fail("the request has no \"instances\" list");
  std::vector<const kgate::io::json::Value*> rows;
  for (const kgate::io::json::Value& row : instances->array()) rows.push_back(&row);
  auto decode = [&](std::vector<RequestInput>* out) {
    kgate::schema::Violations violations(options.validation.max_violations);
    RequestInput& input = out->emplace_back();
    input.name = served->schema.inputs[0].name;
    return kgate::serve::FlattenRows(rows, &input, &violations) && violations.empty();
  };
  std::vector<RequestInput> inputs;
  if (!decode(&inputs)) return Fail("the request's instances do not decode");
  auto tensors = kgate::serve::ValidateInputs(served->schema, inputs, options.validation);
  if (!tensors.ok()) return Fail("the request does not validate: " + std::string(tensors.status().message()));
  std::vector<kgate::engine::Tensor> views;
  for (const kgate::engine::HostTensor& t : *tensors) views.push_back(t.view());
  auto outputs = served->model->Predict(views);
  if (!outputs.ok()) return Fail("predict failed: " + std::string(outputs.status().message()));
  auto flags = kgate::serve::ValidateOutputs(checked, *outputs);
  if (!flags.ok() || !flags->empty()) return Fail("the outputs do not pass the config's output spec");
  const kgate::serve::HttpResponse reply = router.Handle(request);
  if (reply.status != 200) return Fail("Router::Handle answered " + std::to_string(reply.status) + ": " + reply.body);

  if (concurrent > 0) return CheckConcurrentReplies(router, request, reply.body, concurrent, calls);

  std::vector<Stage> stages;
  stages.push_back({"handle", [&] { return router.Handle(request).status == 200; }, {}});
  stages.push_back({"parse", [&] { return kgate::serve::ParseJsonBody(*body, options).ok(); }, {}});
  stages.push_back({"decode", [&] {
                      std::vector<RequestInput> out;
                      return decode(&out);
                    }, {}});
  stages.push_back({"validate", [&] { return kgate::serve::ValidateInputs(served->schema, inputs, options.validation).ok(); }, {}});
  stages.push_back({"predict", [&] { return served->model->Predict(views).ok(); }, {}});
  if (!checked.config->outputs.empty()) {
    stages.push_back({"validate_outputs", [&] {
                        auto f = kgate::serve::ValidateOutputs(checked, *outputs);
                        return f.ok() && f->empty();
                      }, {}});
  }
  for (int b = 0; b < blocks; ++b) {
    for (Stage& stage : stages) {
      const auto start = std::chrono::steady_clock::now();
      for (int c = 0; c < calls; ++c) {
        if (!stage.run()) return Fail(std::string("stage ") + stage.name + " failed");
      }
      const std::chrono::duration<double, std::nano> took = std::chrono::steady_clock::now() - start;
      stage.ns_per_call.push_back(took.count() / calls);
    }
  }
  std::printf("{\"blocks\": %d, \"calls_per_block\": %d, \"reply_bytes\": %zu", blocks, calls, reply.body.size());
  for (const Stage& stage : stages) {
    std::printf(", \"%s\": {\"p50_ns\": %.1f, \"p99_ns\": %.1f}", stage.name, Percentile(stage.ns_per_call, 0.5),
                Percentile(stage.ns_per_call, 0.99));
  }
  std::printf("}\n");
  return 0;
}
