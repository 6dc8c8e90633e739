// MultiHeadAttention (Keras 3.15: keras/src/layers/attention/multi_head_attention.py).
//
// Attributes:
//   num_heads, key_dim, value_dim (int; value_dim defaults to key_dim),
//   dropout (double, inference ignores it), use_bias, use_gate (bool),
//   output_shape (ints; empty = the query's last dimension),
//   sliding_window (int; absent when null),
//   attention_axes (ints: as in the config until the first build, then the
//     resolved non-negative axes of the projected (batch, ..., heads, dim)
//     tensors, as Keras's _build_attention stores them),
//   and per projection the einsum Keras builds: query_equation, key_equation,
//   value_equation, output_equation, gate_equation (string).
// Call: query, value[, key] positionally; key, attention_mask, query_mask,
// value_mask, key_mask as keyword tensors; return_attention_scores and
// use_causal_mask in node.call_args.
// Variables (Keras's layer.weights order; group = the sublayer's save path):
//   query_dense/{kernel (d_q, heads, key_dim), bias (heads, key_dim)},
//   key_dense/{kernel (d_k, heads, key_dim), bias},
//   [_gate_dense/{kernel (d_q, heads, value_dim), bias} if use_gate],
//   value_dense/{kernel (d_v, heads, value_dim), bias (heads, value_dim)},
//   output_dense/{kernel (heads, value_dim, out...), bias (out...)}
// (biases only with use_bias).
// Outputs: query.shape[:-1] + output_shape (or query.shape), and with
// return_attention_scores the scores (batch, heads, <query attention dims>,
// <key attention dims>). Keras's symbolic spec for the scores reuses the
// query length for the key length, which is wrong whenever they differ;
// kgate gives the shape the computation actually produces.
#include <algorithm>

#include "keras/layers/common_shapes.h"
#include "keras/layers/families.h"
#include "util/rules.h"
#include "util/status_macros.h"
#include "util/strings.h"

namespace kgate::keras::layers {
namespace {

using graph::kUnknownDim;
using graph::TensorSpec;
using Span = std::span<const TensorSpec>;

// _build_proj_equation(free_dims, bound_dims, output_dims).
struct Projection {
  std::string equation;
  std::string bias_axes;
};
Projection ProjEquation(int64_t free_dims, int64_t bound_dims, int64_t output_dims) {
  std::string input, kernel, output, bias;
  char c = 'a';
  for (int64_t i = 0; i < free_dims; ++i, ++c) {
    input += c;
    output += c;
  }
  for (int64_t i = 0; i < bound_dims; ++i, ++c) {
    input += c;
    kernel += c;
  }
  for (int64_t i = 0; i < output_dims; ++i, ++c) {
    kernel += c;
    output += c;
    bias += c;
  }
  return {util::StrCat(input, ",", kernel, "->", output), bias};
}

// _get_output_shape(output_rank, known_last_dims).
graph::Dims PartialShape(int64_t output_rank, const graph::Dims& last) {
  graph::Dims out(static_cast<size_t>(std::max<int64_t>(0, output_rank - static_cast<int64_t>(last.size()))),
                  kUnknownDim);
  out.insert(out.end(), last.begin(), last.end());
  return out;
}

absl::Status ParseMultiHeadAttention(const ConfigView& config, const ParseContext&, graph::Layer& layer) {
  KGATE_RETURN_IF_ERROR(config.OnlyKeys(
      {"num_heads", "key_dim", "value_dim", "dropout", "use_bias", "use_gate", "output_shape", "attention_axes",
       "sliding_window", "kernel_initializer", "bias_initializer", "kernel_regularizer",
       "bias_regularizer", "activity_regularizer", "kernel_constraint", "bias_constraint", "seed"}));
  KGATE_ASSIGN_OR_RETURN(int64_t heads, config.Int("num_heads", 1, kMaxUnits));
  KGATE_ASSIGN_OR_RETURN(int64_t key_dim, config.Int("key_dim", 1, kMaxUnits));
  KGATE_ASSIGN_OR_RETURN(std::optional<int64_t> value_dim, config.OptionalInt("value_dim", 1, kMaxUnits));
  int64_t vdim = value_dim.value_or(key_dim);
  if (heads * std::max(key_dim, vdim) > kMaxUnits) {
    return config.Error("num_heads", util::StrCat("num_heads * key_dim/value_dim exceeds kMaxUnits (", kMaxUnits,
                                                  ")"));
  }
  KGATE_ASSIGN_OR_RETURN(double dropout, config.Float("dropout", 0.0));
  if (dropout < 0 || dropout > 1) return config.Error("dropout", "expected a value in [0, 1]");
  KGATE_ASSIGN_OR_RETURN(bool use_bias, config.Bool("use_bias", true));
  KGATE_ASSIGN_OR_RETURN(bool use_gate, config.Bool("use_gate", false));
  KGATE_RETURN_IF_ERROR(config.OptionalInt("seed", INT64_MIN, INT64_MAX).status());
  std::vector<int64_t> output_shape;
  if (!config.IsNull("output_shape")) {
    KGATE_ASSIGN_OR_RETURN(output_shape, config.IntList("output_shape", kMaxRank - 1, 0, kMaxDim));
    // Python `if output_shape:` treats 0 and [] as "not given".
    if (output_shape.size() == 1 && output_shape[0] == 0 && !config.Find("output_shape")->is_array()) {
      output_shape.clear();
    }
    for (int64_t d : output_shape) {
      if (d == 0) return config.Error("output_shape", "dimensions must be positive");
    }
  }
  if (!config.IsNull("attention_axes")) {
    KGATE_ASSIGN_OR_RETURN(std::vector<int64_t> axes,
                           config.IntList("attention_axes", kMaxRank, -kMaxRank, kMaxRank - 1));
    layer.attrs.Set("attention_axes", axes);
  }
  KGATE_ASSIGN_OR_RETURN(std::optional<int64_t> window, config.OptionalInt("sliding_window", 1, kMaxDim));
  if (window) layer.attrs.Set("sliding_window", *window);
  layer.attrs.Set("num_heads", heads);
  layer.attrs.Set("key_dim", key_dim);
  layer.attrs.Set("value_dim", vdim);
  layer.attrs.Set("dropout", dropout);
  layer.attrs.Set("use_bias", use_bias);
  layer.attrs.Set("use_gate", use_gate);
  layer.attrs.Set("output_shape", output_shape);
  return absl::OkStatus();
}

// Declares one EinsumDense sublayer's variables and returns its output shape.
absl::StatusOr<graph::Dims> Project(graph::Layer& layer, std::string_view group, const graph::Dims& input,
                                    int64_t bound_dims, const graph::Dims& last_dims,
                                    std::vector<WeightDecl>* weights) {
  const int64_t free_dims = static_cast<int64_t>(input.size()) - bound_dims;
  Projection p = ProjEquation(free_dims, bound_dims, static_cast<int64_t>(last_dims.size()));
  const int64_t output_rank = free_dims + static_cast<int64_t>(last_dims.size());
  bool use_bias = layer.attrs.GetBool("use_bias", true);
  auto shapes = AnalyzeEinsum(p.equation, use_bias ? p.bias_axes : "", input, PartialShape(output_rank - 1, last_dims));
  if (!shapes.ok()) return ForLayer(layer, util::Annotate(shapes.status(), util::StrCat(group, ": ")));
  weights->push_back({"kernel", shapes->kernel, true, std::string(group)});
  if (shapes->bias) weights->push_back({"bias", *shapes->bias, true, std::string(group)});
  std::string key = std::string(group.substr(group.find_first_not_of('_')));
  layer.attrs.Set(util::StrCat(key.substr(0, key.find('_')), "_equation"), p.equation);
  return shapes->output;
}

absl::Status BuildMultiHeadAttention(graph::Layer& layer, Span inputs, const graph::Node& node,
                                     std::vector<TensorSpec>* outputs) {
  KGATE_ASSIGN_OR_RETURN(CallInputs call,
                         SplitCallInputs(layer, inputs, node, 2, 3,
                                         {"key", "attention_mask", "query_mask", "value_mask", "key_mask"}));
  const TensorSpec& query = call.positional[0];
  const TensorSpec& value = call.positional[1];
  const TensorSpec* key_kw = call.Keyword("key");
  if (key_kw != nullptr && call.positional.size() == 3) return LayerError(layer, "key given twice");
  const TensorSpec& key = call.positional.size() == 3 ? call.positional[2] : key_kw ? *key_kw : value;
  const int64_t rank = static_cast<int64_t>(query.shape.size());
  KGATE_RETURN_IF_ERROR(ForLayer(layer, CheckRank(query, 3, kMaxRank - 1, "query")));
  if (value.shape.size() != query.shape.size() || key.shape.size() != query.shape.size()) {
    return LayerError(layer, util::StrCat("query, value and key must have the same rank; got ",
                                          graph::ShapeString(query.shape), ", ", graph::ShapeString(value.shape),
                                          ", ", graph::ShapeString(key.shape)));
  }
  if (!std::equal(value.shape.begin() + 1, value.shape.end() - 1, key.shape.begin() + 1)) {
    return LayerError(layer, util::StrCat("all dimensions of value and key except the last must be equal; got ",
                                          graph::ShapeString(value.shape), " and ", graph::ShapeString(key.shape)));
  }
  const int64_t heads = layer.attrs.GetInt("num_heads", 1);
  const int64_t key_dim = layer.attrs.GetInt("key_dim", 1);
  const int64_t value_dim = layer.attrs.GetInt("value_dim", key_dim);
  std::vector<WeightDecl> w;
  KGATE_ASSIGN_OR_RETURN(graph::Dims q_proj, Project(layer, "query_dense", query.shape, 1, {heads, key_dim}, &w));
  KGATE_RETURN_IF_ERROR(Project(layer, "key_dense", key.shape, 1, {heads, key_dim}, &w).status());
  if (layer.attrs.GetBool("use_gate", false)) {
    KGATE_RETURN_IF_ERROR(Project(layer, "_gate_dense", query.shape, 1, {heads, value_dim}, &w).status());
  }
  KGATE_RETURN_IF_ERROR(Project(layer, "value_dense", value.shape, 1, {heads, value_dim}, &w).status());
  graph::Dims out_last = layer.attrs.GetInts("output_shape");
  if (out_last.empty()) out_last = {query.shape.back()};
  graph::Dims attn_in = q_proj;
  attn_in.back() = value_dim;
  KGATE_RETURN_IF_ERROR(Project(layer, "output_dense", attn_in, 2, out_last, &w).status());

  // _build_attention over the projected rank (query rank + 1).
  const int64_t prank = rank + 1;
  std::vector<int64_t> axes;
  if (!layer.built && layer.attrs.Has("attention_axes")) {
    for (int64_t a : layer.attrs.GetInts("attention_axes")) axes.push_back(a >= 0 ? a : (prank - 1) + a);
  } else if (layer.built) {
    axes = layer.attrs.GetInts("attention_axes");
  } else {
    for (int64_t a = 1; a < prank - 2; ++a) axes.push_back(a);
  }
  for (int64_t a : axes) {
    if (a < 1 || a >= prank - 2 || std::count(axes.begin(), axes.end(), a) > 1) {
      std::string given = util::StrJoin(layer.attrs.GetInts("attention_axes"), ", ");
      return LayerError(layer, util::StrCat("attention_axes [", given, "] must name distinct non-batch, ",
                                            "non-feature axes of the query ", graph::ShapeString(query.shape)));
    }
  }
  // Scores: (batch, ..., heads, <query attention dims>, <key attention dims>)
  // from the projected query (batch, q..., heads, key_dim) and key.
  graph::Dims qp(query.shape.begin(), query.shape.end() - 1), kp(key.shape.begin(), key.shape.end() - 1);
  qp.push_back(heads);
  kp.push_back(heads);
  graph::Dims scores;
  for (int64_t i = 0; i < prank - 1; ++i) {
    if (std::find(axes.begin(), axes.end(), i) == axes.end()) scores.push_back(qp[i]);
  }
  for (int64_t a : axes) scores.push_back(qp[a]);
  for (int64_t a : axes) scores.push_back(kp[a]);
  if (const TensorSpec* mask = call.Keyword("attention_mask")) {
    // _masked_softmax inserts size-1 axes before the last 2*len(axes) dims,
    // then the mask must broadcast to the scores.
    size_t tail = 2 * axes.size();
    bool ok = mask->shape.size() <= scores.size() && mask->shape.size() >= tail;
    if (ok) {
      graph::Dims expanded(mask->shape.begin(), mask->shape.end() - tail);
      expanded.insert(expanded.end(), scores.size() - mask->shape.size(), 1);
      expanded.insert(expanded.end(), mask->shape.end() - tail, mask->shape.end());
      for (size_t i = 0; ok && i < expanded.size(); ++i) {
        int64_t m = expanded[i], d = scores[i];
        ok = m == 1 || m == kUnknownDim || d == kUnknownDim || m == d;
      }
    }
    if (!ok) {
      return LayerError(layer, util::StrCat("attention_mask ", graph::ShapeString(mask->shape),
                                            " does not broadcast to the attention scores ",
                                            graph::ShapeString(scores)));
    }
  }
  KGATE_RETURN_IF_ERROR(DeclareWeights(layer, std::move(w)));
  layer.attrs.Set("attention_axes", axes);

  graph::Dims out_shape(query.shape.begin(), query.shape.end() - 1);
  out_shape.insert(out_shape.end(), out_last.begin(), out_last.end());
  util::DType dtype = ComputeDType(layer, query.dtype);
  outputs->push_back({dtype, std::move(out_shape)});
  if (node.call_args.GetBool("return_attention_scores", false)) outputs->push_back({dtype, std::move(scores)});
  return absl::OkStatus();
}

constexpr LayerSpec kSpecs[] = {
    {"MultiHeadAttention", ParseMultiHeadAttention, BuildMultiHeadAttention},
};

}  // namespace

std::span<const LayerSpec> AttentionLayerSpecs() { return kSpecs; }

}  // namespace kgate::keras::layers
