#include "engine/kernels/matmul.h"

#include <algorithm>
#include <cstring>

#include "engine/kernels/dnnl_context.h"
#include "engine/kernels/omp_threads.h"

namespace kgate::engine::kernels {

absl::StatusOr<Matmul> Matmul::Create(const MatmulShape& shape, std::optional<DnnlEltwise> post_op) {
  if (shape.k <= 0 || shape.m < 0 || shape.n < 0) {
    return absl::InvalidArgumentError("matmul: the reduction axis is empty");
  }
  Matmul mm;
  mm.shape_ = shape;
  const int64_t batch = std::max(shape.a_batch, shape.b_batch);
  if (batch * shape.m * shape.n == 0) return mm;  // nothing to compute
  // A small product runs on the calling thread: the primitive is created for
  // the team it will run with. A product with few rows (a Dense layer at
  // batch 1) is bound by reading its operands, not by arithmetic, so the
  // bytes it reads count as work too: split over two cores, each core's half
  // of a 1-2 MB kernel stays in its own L2 between requests.
  const int64_t read_bytes =
      (shape.a_batch * shape.m * shape.k + shape.b_batch * shape.k * shape.n) * static_cast<int64_t>(sizeof(float));
  mm.threads_ = ThreadsFor(std::max(batch * shape.m * shape.k * shape.n, read_bytes * kReadByteMacs));
  ScopedOmpThreads team(mm.threads_);
  absl::Status st = DnnlCall("matmul setup", [&] {
    mm.a_md_ = PlainDesc({shape.a_batch, shape.m, shape.k});
    mm.b_md_ = PlainDesc({shape.b_batch, shape.k, shape.n});
    mm.c_md_ = PlainDesc({batch, shape.m, shape.n});
    if (shape.bias) mm.bias_md_ = PlainDesc({1, 1, shape.n});
    dnnl::primitive_attr attr;
    attr.set_scratchpad_mode(dnnl::scratchpad_mode::user);
    if (post_op) {
      dnnl::post_ops ops;
      ops.append_eltwise(1.f, post_op->algorithm, post_op->alpha, post_op->beta);
      attr.set_post_ops(ops);
    }
    dnnl::matmul::desc desc = shape.bias ? dnnl::matmul::desc(mm.a_md_, mm.b_md_, mm.bias_md_, mm.c_md_)
                                         : dnnl::matmul::desc(mm.a_md_, mm.b_md_, mm.c_md_);
    const dnnl::matmul::primitive_desc pd(desc, attr, CpuEngine());
    mm.primitive_ = dnnl::matmul(pd);
    mm.scratchpad_md_ = pd.scratchpad_desc();
  });
  if (!st.ok()) return st;
  return mm;
}

absl::Status Matmul::Run(const float* a, const float* b, const float* bias, float* c, void* scratchpad) const {
  const int64_t batch = std::max(shape_.a_batch, shape_.b_batch);
  if (batch * shape_.m * shape_.n == 0) return absl::OkStatus();
  std::unordered_map<int, dnnl::memory> args;
  absl::Status st = DnnlCall("matmul memory", [&] {
    args = {{DNNL_ARG_SRC, Wrap(a_md_, const_cast<float*>(a))},
            {DNNL_ARG_WEIGHTS, Wrap(b_md_, const_cast<float*>(b))},
            {DNNL_ARG_DST, Wrap(c_md_, c)}};
    if (shape_.bias) args.emplace(DNNL_ARG_BIAS, Wrap(bias_md_, const_cast<float*>(bias)));
    if (scratchpad_bytes() > 0) args.emplace(DNNL_ARG_SCRATCHPAD, Wrap(scratchpad_md_, scratchpad));
  });
  if (!st.ok()) return st;
  ScopedOmpThreads team(threads_);
  return Execute("matmul", primitive_, args);
}

}  // namespace kgate::engine::kernels
