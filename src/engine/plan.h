// File: plan.h
// A Program made concrete for one set of input shapes: every value's shape
// (re-inferred with the loader's Keras shape rules), each step's PreparedOp,
// and where each value lives in one arena. Values whose lifetimes do not
// overlap share arena bytes (greedy best-fit by size, as TFLite's arena
// planner does); aliasing ops (Reshape, Dropout) get views, not copies.
// A Plan is immutable and shared by concurrent runs; each run takes an arena
// from the plan's small pool so that steady-state runs allocate nothing.
#pragma once

#include <memory>
#include <mutex>
#include <vector>

#include "absl/status/statusor.h"
#include "engine/model.h"
#include "engine/program.h"

namespace kgate::engine {

struct Plan {
  std::vector<Dims> input_shapes;
  std::vector<Dims> shapes;           // per value
  std::vector<util::DType> dtypes;    // per value, engine storage types
  // Per value: the program input index whose caller memory it uses (>= 0),
  // or -1 when it lives in the arena at `offsets[value]`.
  std::vector<int> external;
  std::vector<int64_t> offsets;
  std::vector<std::unique_ptr<PreparedOp>> prepared;  // per step; null for aliasing steps
  PlanStats stats;

  // Builds the plan. Not thread-safe with respect to the program's graph
  // (shape inference re-runs layer builds): callers serialise creation.
  static absl::StatusOr<std::unique_ptr<Plan>> Create(const Program& program, std::vector<Dims> input_shapes);

  // Arena memory for one run: arena_bytes + scratch_bytes, 64-byte aligned.
  AlignedBuffer AcquireArena() const;
  void ReleaseArena(AlignedBuffer buffer) const;

 private:
  mutable std::mutex pool_mu_;
  mutable std::vector<AlignedBuffer> pool_;
};

}  // namespace kgate::engine
