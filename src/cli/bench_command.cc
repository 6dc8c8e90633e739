#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/numbers.h"
#include "cli/args.h"
#include "cli/commands.h"
#include "cli/engine_model.h"
#include "io/json/json_writer.h"
#include "util/checked_math.h"
#include "util/strings.h"

namespace kgate::cli {
namespace {

// 1 GiB of float32 per input: far beyond any benchmark, far below a bad alloc.
constexpr uint64_t kMaxInputElements = uint64_t{1} << 28;

struct BatchResult {
  int64_t batch = 0;
  int iterations = 0;
  double p50_ms = 0, p99_ms = 0, mean_ms = 0, min_ms = 0, throughput = 0;
  engine::PlanStats plan;
};

// Random inputs of `batch` rows: floats uniform in [0, 1), integers in
// {0, 1} (valid for any Embedding), bools at random. Fixed seed.
std::vector<engine::HostTensor> MakeInputs(const std::vector<graph::TensorSpec>& specs,
                                           const std::vector<graph::Dims>& shapes) {
  std::mt19937 rng(42);
  std::uniform_real_distribution<float> uniform(0.f, 1.f);
  std::vector<engine::HostTensor> out;
  for (size_t i = 0; i < specs.size(); ++i) {
    const util::DType dtype = engine::StorageType(specs[i].dtype);
    engine::HostTensor t = engine::HostTensor::Allocate(dtype, shapes[i]);
    const int64_t n = t.view().num_elements();
    for (int64_t k = 0; k < n; ++k) {
      if (dtype == util::DType::kFloat32) {
        t.buffer.f32()[k] = uniform(rng);
      } else if (dtype == util::DType::kInt32) {
        static_cast<int32_t*>(t.buffer.data())[k] = static_cast<int32_t>(rng() & 1);
      } else {
        static_cast<uint8_t*>(t.buffer.data())[k] = static_cast<uint8_t>(rng() & 1);
      }
    }
    out.push_back(std::move(t));
  }
  return out;
}

// Input shapes for one batch size: the model's shapes with the batch set and
// unknown dims from --input-shape NAME=d1,d2,... (dims after the batch).
absl::StatusOr<std::vector<graph::Dims>> InputShapes(const engine::Model& model, int64_t batch,
                                                     const std::vector<std::string>& overrides) {
  std::vector<graph::Dims> shapes;
  const auto specs = model.input_specs();
  for (size_t i = 0; i < specs.size(); ++i) {
    graph::Dims d = specs[i].shape;
    for (const std::string& o : overrides) {
      const size_t eq = o.find('=');
      if (eq == std::string::npos || o.substr(0, eq) != model.input_names()[i]) continue;
      graph::Dims rest;
      std::string list = o.substr(eq + 1);
      for (size_t pos = 0; pos <= list.size();) {
        size_t comma = list.find(',', pos);
        if (comma == std::string::npos) comma = list.size();
        const std::string part = list.substr(pos, comma - pos);
        pos = comma + 1;
        int64_t v = 0;
        if (!absl::SimpleAtoi(part, &v) || v < 1) {
          return absl::InvalidArgumentError(util::StrCat("--input-shape ", o, ": expected positive integers"));
        }
        rest.push_back(v);
      }
      if (rest.size() + 1 != d.size()) {
        return absl::InvalidArgumentError(util::StrCat("--input-shape ", o, ": input '", model.input_names()[i],
                                                       "' has ", d.size() - 1, " dims after the batch"));
      }
      std::copy(rest.begin(), rest.end(), d.begin() + 1);
    }
    if (!d.empty()) d[0] = batch;
    for (size_t k = 1; k < d.size(); ++k) {
      if (d[k] < 0) {
        return absl::InvalidArgumentError(util::StrCat("input '", model.input_names()[i], "' has unknown dimension ",
                                                       k, "; give it with --input-shape ", model.input_names()[i],
                                                       "=d1,d2,..."));
      }
    }
    // Every dim is positive here; refuse what would not fit in memory before
    // allocating it (a typo in --input-shape or --batch).
    std::vector<uint64_t> dims(d.begin(), d.end());
    const std::optional<uint64_t> elements = util::CheckedProduct(dims);
    if (!elements || *elements > kMaxInputElements) {
      return absl::InvalidArgumentError(util::StrCat("input '", model.input_names()[i], "' of shape ",
                                                     graph::ShapeString(d), " has more than ", kMaxInputElements,
                                                     " elements; use a smaller --batch or --input-shape"));
    }
    shapes.push_back(std::move(d));
  }
  return shapes;
}

absl::StatusOr<BatchResult> BenchBatch(const engine::Model& model, int64_t batch, int iterations, int warmup,
                                       double max_seconds, const std::vector<std::string>& overrides) {
  absl::StatusOr<std::vector<graph::Dims>> shapes = InputShapes(model, batch, overrides);
  if (!shapes.ok()) return shapes.status();
  std::vector<engine::HostTensor> inputs = MakeInputs(model.input_specs(), *shapes);
  std::vector<engine::Tensor> feed;
  for (const auto& t : inputs) feed.push_back(t.view());
  for (int i = 0; i < warmup; ++i) {
    absl::StatusOr<std::vector<engine::HostTensor>> r = model.Predict(feed);
    if (!r.ok()) return r.status();
  }
  std::vector<double> ms;
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < iterations; ++i) {
    const auto t0 = std::chrono::steady_clock::now();
    absl::StatusOr<std::vector<engine::HostTensor>> r = model.Predict(feed);
    const auto t1 = std::chrono::steady_clock::now();
    if (!r.ok()) return r.status();
    ms.push_back(std::chrono::duration<double, std::milli>(t1 - t0).count());
    // Stop early on slow models, keeping enough samples for a median.
    if (ms.size() >= 5 && std::chrono::duration<double>(t1 - start).count() > max_seconds) break;
  }
  BatchResult r;
  r.batch = batch;
  r.iterations = static_cast<int>(ms.size());
  std::vector<double> sorted = ms;
  std::sort(sorted.begin(), sorted.end());
  auto pct = [&](double p) {
    const size_t idx = std::min(sorted.size() - 1, static_cast<size_t>(p * (sorted.size() - 1) + 0.5));
    return sorted[idx];
  };
  r.p50_ms = pct(0.5);
  r.p99_ms = pct(0.99);
  r.min_ms = sorted.front();
  double sum = 0;
  for (double v : ms) sum += v;
  r.mean_ms = sum / ms.size();
  r.throughput = batch * 1000.0 / r.mean_ms;
  absl::StatusOr<engine::PlanStats> stats = model.Stats(*shapes);
  if (stats.ok()) r.plan = *stats;
  return r;
}

// The process's own high-water mark (VmHWM). getrusage's ru_maxrss is not:
// Linux charges the parent's peak to a child at exec, so a kgate started
// from a large process (a Python benchmark) would report the parent's size.
int64_t PeakRssBytes() {
  std::FILE* f = std::fopen("/proc/self/status", "r");
  if (f != nullptr) {
    char line[256];
    long long kib = -1;
    while (std::fgets(line, sizeof line, f) != nullptr) {
      if (std::sscanf(line, "VmHWM: %lld kB", &kib) == 1) break;
    }
    std::fclose(f);
    if (kib >= 0) return kib * 1024;
  }
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<int64_t>(u.ru_maxrss) * 1024;
}

}  // namespace

int RunBench(const std::vector<std::string>& argv) {
  absl::StatusOr<Args> args =
      Args::Parse(argv, {.with_value = {"--batch", "--threads", "--iterations", "--warmup", "--max-seconds",
                                        "--format", "--input-shape"},
                         .switches = {}});
  if (!args.ok()) return UsageError("bench", util::ToStd(args.status().message()));
  if (args->positional().size() != 1) return UsageError("bench", "expected exactly one MODEL file");
  const std::string format = args->Get("--format").value_or("text");
  if (format != "text" && format != "json") return UsageError("bench", "--format must be text or json");
  std::optional<int> threads = ParseThreads("bench", *args);
  if (!threads) return kExitUsage;
  std::optional<int64_t> iterations = IntFlag("bench", *args, "--iterations", 1, 1000000, 50);
  std::optional<int64_t> warmup = IntFlag("bench", *args, "--warmup", 0, 10000, 3);
  std::optional<int64_t> max_seconds = IntFlag("bench", *args, "--max-seconds", 1, 86400, 20);
  if (!iterations || !warmup || !max_seconds) return kExitUsage;
  std::vector<int64_t> batches;
  for (const std::string& b : args->GetAll("--batch")) {
    int64_t n = 0;
    if (!absl::SimpleAtoi(b, &n) || n < 1 || n > 65536) {
      return UsageError("bench", util::StrCat("--batch must be an integer in 1..65536, got '", b, "'"));
    }
    batches.push_back(n);
  }
  if (batches.empty()) batches = {1, 8, 32};

  engine::EngineOptions options;
  options.intra_op_threads = *threads;
  LoadedModel loaded = LoadEngineModel("bench", args->positional()[0], options);
  if (loaded.model == nullptr) return loaded.exit_code;

  std::vector<BatchResult> results;
  for (int64_t b : batches) {
    absl::StatusOr<BatchResult> r = BenchBatch(*loaded.model, b, *iterations, *warmup, *max_seconds,
                                               args->GetAll("--input-shape"));
    if (!r.ok()) return UsageError("bench", util::StrCat("batch ", b, ": ", util::ToStd(r.status().message())));
    results.push_back(*r);
  }
  const int64_t rss = PeakRssBytes();
  const int used_threads = *threads > 0 ? *threads : static_cast<int>(std::thread::hardware_concurrency());
  if (format == "json") {
    io::json::Writer w;
    w.BeginObject();
    w.Key("model").String(args->positional()[0]);
    w.Key("threads").Int(used_threads);
    w.Key("weight_bytes").Int(loaded.model->weight_bytes());
    w.Key("results").BeginArray();
    for (const BatchResult& r : results) {
      w.BeginObject();
      w.Key("batch").Int(r.batch);
      w.Key("iterations").Int(r.iterations);
      w.Key("p50_ms").Double(r.p50_ms);
      w.Key("p99_ms").Double(r.p99_ms);
      w.Key("mean_ms").Double(r.mean_ms);
      w.Key("min_ms").Double(r.min_ms);
      w.Key("throughput_per_s").Double(r.throughput);
      w.Key("arena_bytes").Int(r.plan.arena_bytes);
      w.Key("scratch_bytes").Int(r.plan.scratch_bytes);
      w.EndObject();
    }
    w.EndArray();
    w.Key("peak_rss_bytes").Int(rss);
    w.EndObject();
    const std::string json = w.Take();
    std::printf("%s\n", json.c_str());
    return kExitClean;
  }
  std::printf("model %s, %d thread(s), weights %.1f MB\n", args->positional()[0].c_str(), used_threads,
              loaded.model->weight_bytes() / 1e6);
  std::printf("%8s %6s %10s %10s %10s %14s %12s\n", "batch", "iters", "p50 ms", "p99 ms", "mean ms", "samples/s",
              "arena MB");
  for (const BatchResult& r : results) {
    std::printf("%8lld %6d %10.3f %10.3f %10.3f %14.1f %12.2f\n", static_cast<long long>(r.batch), r.iterations,
                r.p50_ms, r.p99_ms, r.mean_ms, r.throughput, r.plan.arena_bytes / 1e6);
  }
  std::printf("peak RSS %.1f MB\n", rss / 1e6);
  return kExitClean;
}

}  // namespace kgate::cli
