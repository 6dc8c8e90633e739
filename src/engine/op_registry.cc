#include "engine/op_registry.h"

#include <algorithm>
#include <map>

#include "util/strings.h"

namespace kgate::engine {
namespace {

const std::map<std::string_view, const OpSpec*, std::less<>>& Table() {
  static const auto* table = [] {
    auto* t = new std::map<std::string_view, const OpSpec*, std::less<>>();
    for (auto family : {ops::CoreOps, ops::ActivationOps, ops::MergingOps, ops::NumpyOps, ops::ReshapingOps,
                        ops::PreprocessingOps, ops::ConvolutionOps, ops::PoolingOps, ops::NormalizationOps,
                        ops::RecurrentOps, ops::AttentionOps, ops::WrapperOps}) {
      for (const OpSpec& spec : family()) t->emplace(spec.class_name, &spec);
    }
    return t;
  }();
  return *table;
}

}  // namespace

const OpSpec* FindOpSpec(std::string_view class_name) {
  auto it = Table().find(class_name);
  return it == Table().end() ? nullptr : it->second;
}

std::vector<std::string_view> SupportedClasses() {
  std::vector<std::string_view> out;
  for (const auto& [name, spec] : Table()) out.push_back(name);
  return out;
}

absl::StatusOr<std::unique_ptr<Op>> CreateOp(const OpContext& ctx) {
  const OpSpec* spec = FindOpSpec(ctx.layer.class_name);
  if (spec == nullptr) {
    return absl::UnimplementedError(util::StrCat("layer '", ctx.layer.name, "': the engine has no kernel for class ",
                                                 ctx.layer.class_name));
  }
  if (ctx.epilogue != nullptr &&
      (!spec->accepts_epilogue || (ctx.epilogue->residual && !spec->accepts_residual) ||
       (!ctx.epilogue->input_padding.empty() && !spec->accepts_input_padding))) {
    return absl::InternalError(util::StrCat("layer '", ctx.layer.name, "': an epilogue was fused into ",
                                            ctx.layer.class_name, ", which does not accept it"));
  }
  return spec->create(ctx);
}

}  // namespace kgate::engine
