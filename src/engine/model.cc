#include "engine/model.h"

#include <omp.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <list>
#include <mutex>
#include <utility>

#include "engine/plan.h"
#include "engine/program.h"
#include "util/status_macros.h"
#include "util/strings.h"

namespace kgate::engine {

// Plans by input shapes, least recently used first out. Creation holds the
// lock: it re-runs shape inference on the program's graph, which must not
// run concurrently, and a burst of requests with a new batch size then
// builds its plan once.
class PlanCache {
 public:
  PlanCache(const Program& program, int capacity) : program_(program), capacity_(std::max(capacity, 1)) {}

  absl::StatusOr<std::shared_ptr<const Plan>> Get(const std::vector<Dims>& shapes) {
    std::lock_guard<std::mutex> lock(mu_);
    for (auto it = plans_.begin(); it != plans_.end(); ++it) {
      if ((*it)->input_shapes == shapes) {
        plans_.splice(plans_.begin(), plans_, it);
        return plans_.front();
      }
    }
    KGATE_ASSIGN_OR_RETURN(std::unique_ptr<Plan> plan, Plan::Create(program_, shapes));
    plans_.push_front(std::shared_ptr<const Plan>(std::move(plan)));
    while (plans_.size() > static_cast<size_t>(capacity_)) plans_.pop_back();
    return plans_.front();
  }

 private:
  const Program& program_;
  const int capacity_;
  std::mutex mu_;
  std::list<std::shared_ptr<const Plan>> plans_;
};

namespace {

template <typename T>
T Load(const void* p, int64_t i) {
  T v;
  std::memcpy(&v, static_cast<const uint8_t*>(p) + i * static_cast<int64_t>(sizeof(T)), sizeof(T));
  return v;
}

// Element i of a numeric tensor of any dtype, as double (exact for every
// value up to 2^53; float16/bfloat16 widened).
double ElementAsDouble(const Tensor& t, int64_t i) {
  using util::DType;
  switch (t.dtype) {
    case DType::kBool: return Load<uint8_t>(t.data, i) != 0;
    case DType::kInt8: return Load<int8_t>(t.data, i);
    case DType::kUInt8: return Load<uint8_t>(t.data, i);
    case DType::kInt16: return Load<int16_t>(t.data, i);
    case DType::kUInt16: return Load<uint16_t>(t.data, i);
    case DType::kInt32: return Load<int32_t>(t.data, i);
    case DType::kUInt32: return Load<uint32_t>(t.data, i);
    case DType::kInt64: return static_cast<double>(Load<int64_t>(t.data, i));
    case DType::kUInt64: return static_cast<double>(Load<uint64_t>(t.data, i));
    case DType::kFloat16: return util::HalfToDouble(Load<uint16_t>(t.data, i));
    case DType::kBFloat16: return util::BFloat16ToFloat(Load<uint16_t>(t.data, i));
    case DType::kFloat32: return Load<float>(t.data, i);
    case DType::kFloat64: return Load<double>(t.data, i);
    case DType::kString: break;
  }
  return 0;
}

// `in` converted to `storage` (a model input's engine type), or an error
// naming the input when the conversion would change a value.
absl::StatusOr<HostTensor> ConvertInput(const Tensor& in, util::DType storage, std::string_view name) {
  if (in.dtype == util::DType::kString) {
    return absl::InvalidArgumentError(util::StrCat("input '", name, "': string tensors are not supported"));
  }
  HostTensor out = HostTensor::Allocate(storage, in.shape);
  const int64_t n = in.num_elements();
  for (int64_t i = 0; i < n; ++i) {
    const double v = ElementAsDouble(in, i);
    if (storage == util::DType::kFloat32) {
      out.buffer.f32()[i] = static_cast<float>(v);
    } else if (storage == util::DType::kInt32) {
      if (!(v == std::floor(v)) || v < std::numeric_limits<int32_t>::min() || v > std::numeric_limits<int32_t>::max()) {
        return absl::InvalidArgumentError(util::StrCat("input '", name, "': element ", i, " (", v,
                                                       ") is not an int32 value; the input is integer-typed"));
      }
      static_cast<int32_t*>(out.buffer.data())[i] = static_cast<int32_t>(v);
    } else {
      if (v != 0 && v != 1) {
        return absl::InvalidArgumentError(util::StrCat("input '", name, "': element ", i, " (", v,
                                                       ") is not a bool (0 or 1)"));
      }
      static_cast<uint8_t*>(out.buffer.data())[i] = static_cast<uint8_t>(v);
    }
  }
  return out;
}

}  // namespace

Model::Model(std::unique_ptr<Program> program, const EngineOptions& options)
    : program_(std::move(program)),
      plans_(std::make_unique<PlanCache>(*program_, options.plan_cache_size)),
      options_(options) {}

Model::~Model() = default;

absl::StatusOr<std::unique_ptr<Model>> Model::Create(std::unique_ptr<graph::Graph> graph,
                                                     const EngineOptions& options) {
  KGATE_ASSIGN_OR_RETURN(std::unique_ptr<Program> program, Program::Compile(std::move(graph), options));
  return std::unique_ptr<Model>(new Model(std::move(program), options));
}

const std::vector<std::string>& Model::input_names() const { return program_->graph().input_names; }
const std::vector<std::string>& Model::output_names() const { return program_->graph().output_names; }

std::vector<graph::TensorSpec> Model::input_specs() const {
  std::vector<graph::TensorSpec> out;
  for (int v : program_->inputs()) out.push_back(program_->values()[v].spec);
  return out;
}

std::vector<graph::TensorSpec> Model::output_specs() const {
  std::vector<graph::TensorSpec> out;
  for (int v : program_->outputs()) out.push_back(program_->values()[v].spec);
  return out;
}

int64_t Model::weight_bytes() const { return program_->weight_bytes(); }

absl::StatusOr<PlanStats> Model::Stats(std::span<const Dims> input_shapes) const {
  omp_set_num_threads(options_.intra_op_threads > 0 ? options_.intra_op_threads : omp_get_num_procs());
  KGATE_ASSIGN_OR_RETURN(std::shared_ptr<const Plan> plan,
                         plans_->Get(std::vector<Dims>(input_shapes.begin(), input_shapes.end())));
  return plan->stats;
}

absl::StatusOr<std::vector<HostTensor>> Model::Predict(std::span<const Tensor> inputs,
                                                       const RunOptions& options) const {
  const std::vector<graph::TensorSpec> specs = input_specs();
  const auto& names = input_names();
  if (inputs.size() != specs.size()) {
    return absl::InvalidArgumentError(util::StrCat("the model takes ", specs.size(), " input(s), got ", inputs.size()));
  }
  // Check shapes against the model's and convert dtypes where needed.
  std::vector<Dims> shapes;
  std::vector<HostTensor> converted(inputs.size());
  std::vector<Tensor> feed(inputs.begin(), inputs.end());
  for (size_t i = 0; i < inputs.size(); ++i) {
    const Dims& want = specs[i].shape;
    const Dims& got = inputs[i].shape;
    bool ok = want.size() == got.size();
    for (size_t d = 0; ok && d < want.size(); ++d) {
      ok = got[d] >= 0 && (want[d] == graph::kUnknownDim || want[d] == got[d]);
    }
    if (!ok || (!got.empty() && got[0] == 0)) {
      return absl::InvalidArgumentError(util::StrCat("input '", names[i], "': expected shape ",
                                                     graph::ShapeString(want), " with a batch of at least 1, got ",
                                                     graph::ShapeString(got)));
    }
    shapes.push_back(got);
    const util::DType storage = StorageType(specs[i].dtype);
    if (inputs[i].dtype != storage) {
      KGATE_ASSIGN_OR_RETURN(converted[i], ConvertInput(inputs[i], storage, names[i]));
      feed[i] = converted[i].view();
    }
  }
  // Before the plan: oneDNN primitives keep the thread count they were
  // created with (from omp_get_max_threads) for every later run.
  const int threads = options_.intra_op_threads > 0 ? options_.intra_op_threads : omp_get_num_procs();
  omp_set_num_threads(threads);
  KGATE_ASSIGN_OR_RETURN(std::shared_ptr<const Plan> plan, plans_->Get(shapes));

  RunContext ctx(options.deadline, threads);
  AlignedBuffer arena = plan->AcquireArena();
  uint8_t* base = static_cast<uint8_t*>(arena.data());
  ctx.set_scratch(base + plan->stats.arena_bytes);

  auto tensor = [&](int v) {
    void* data = plan->external[v] >= 0 ? feed[plan->external[v]].data : base + plan->offsets[v];
    return Tensor{plan->dtypes[v], plan->shapes[v], data};
  };
  absl::Status status;
  std::vector<Tensor> in, out;
  const auto& steps = program_->steps();
  for (size_t s = 0; s < steps.size() && status.ok(); ++s) {
    if (plan->prepared[s] == nullptr) continue;  // an alias: nothing to compute
    status = ctx.CheckDeadline();
    if (!status.ok()) break;
    in.clear();
    out.clear();
    for (int v : steps[s].inputs) in.push_back(tensor(v));
    for (int v : steps[s].outputs) out.push_back(tensor(v));
    status = plan->prepared[s]->Run(ctx, in, out);
    if (!status.ok()) {
      status = absl::Status(status.code(), util::StrCat("layer '", steps[s].layer->name, "': ", status.message()));
    }
  }
  std::vector<HostTensor> results;
  if (status.ok()) {
    for (int v : program_->outputs()) {
      const Tensor t = tensor(v);
      HostTensor h = HostTensor::Allocate(t.dtype, t.shape);
      std::memcpy(h.buffer.data(), t.data, static_cast<size_t>(t.num_bytes()));
      results.push_back(std::move(h));
    }
  }
  plan->ReleaseArena(std::move(arena));
  if (!status.ok()) return status;
  return results;
}

}  // namespace kgate::engine
