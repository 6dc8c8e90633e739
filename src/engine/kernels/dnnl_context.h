// File: dnnl_context.h
// The one oneDNN CPU engine kgate uses, and helpers that every oneDNN-backed
// op shares: memory descriptors for plain row-major float32 tensors, and a
// status-returning wrapper around primitive creation and execution (oneDNN's
// C++ API reports errors by throwing dnnl::error, which must not escape the
// engine module).
#pragma once

#include <functional>
#include <string_view>
#include <unordered_map>

#include "absl/status/status.h"
#include "engine/tensor.h"
#include "oneapi/dnnl/dnnl.hpp"

namespace kgate::engine::kernels {

// The process-wide CPU engine (created on first use; thread-safe).
const dnnl::engine& CpuEngine();

// A plain (row-major, "abc...") float32 memory descriptor for `dims`.
dnnl::memory::desc PlainDesc(const Dims& dims, dnnl::memory::data_type type = dnnl::memory::data_type::f32);

// Runs `fn`, turning a dnnl::error (or std::bad_alloc) into a Status that
// names `what`.
absl::Status DnnlCall(std::string_view what, const std::function<void()>& fn);

// Executes `primitive` on a fresh stream of the CPU engine with `args` and
// waits for it.
absl::Status Execute(std::string_view what, const dnnl::primitive& primitive,
                     const std::unordered_map<int, dnnl::memory>& args);

// A dnnl::memory over existing bytes (no copy).
dnnl::memory Wrap(const dnnl::memory::desc& desc, void* data);

}  // namespace kgate::engine::kernels
