#include "engine/kernels/dnnl_context.h"

#include <new>

#include "util/strings.h"

namespace kgate::engine::kernels {

const dnnl::engine& CpuEngine() {
  static const dnnl::engine* engine = new dnnl::engine(dnnl::engine::kind::cpu, 0);
  return *engine;
}

dnnl::memory::desc PlainDesc(const Dims& dims, dnnl::memory::data_type type) {
  dnnl::memory::dims d(dims.begin(), dims.end());
  dnnl::memory::dims strides(d.size());
  int64_t stride = 1;
  for (size_t i = d.size(); i-- > 0;) {
    strides[i] = stride;
    stride *= d[i];
  }
  return dnnl::memory::desc(d, type, strides);
}

absl::Status DnnlCall(std::string_view what, const std::function<void()>& fn) {
  try {
    fn();
  } catch (const dnnl::error& e) {
    return absl::InternalError(util::StrCat(what, ": oneDNN error: ", e.what()));
  } catch (const std::bad_alloc&) {
    return absl::ResourceExhaustedError(util::StrCat(what, ": out of memory"));
  }
  return absl::OkStatus();
}

absl::Status Execute(std::string_view what, const dnnl::primitive& primitive,
                     const std::unordered_map<int, dnnl::memory>& args) {
  return DnnlCall(what, [&] {
    dnnl::stream stream(CpuEngine());
    primitive.execute(stream, args);
    stream.wait();
  });
}

dnnl::memory Wrap(const dnnl::memory::desc& desc, void* data) { return dnnl::memory(desc, CpuEngine(), data); }

}  // namespace kgate::engine::kernels
