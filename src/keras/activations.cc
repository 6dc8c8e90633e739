#include "keras/activations.h"

#include <algorithm>
#include <array>
#include <utility>

#include "util/strings.h"
#include "util/rules.h"

namespace kgate::keras {
namespace {

// keras.activations exports (Keras 3.15), with aliases mapped to the function
// they resolve to. Sorted by name.
constexpr std::array<std::pair<std::string_view, std::string_view>, 31> kActivations = {{
    {"celu", "celu"},
    {"elu", "elu"},
    {"exponential", "exponential"},
    {"gelu", "gelu"},
    {"glu", "glu"},
    {"hard_shrink", "hard_shrink"},
    {"hard_sigmoid", "hard_sigmoid"},
    {"hard_silu", "hard_silu"},
    {"hard_swish", "hard_silu"},
    {"hard_tanh", "hard_tanh"},
    {"leaky_relu", "leaky_relu"},
    {"linear", "linear"},
    {"log_sigmoid", "log_sigmoid"},
    {"log_softmax", "log_softmax"},
    {"mish", "mish"},
    {"relu", "relu"},
    {"relu6", "relu6"},
    {"selu", "selu"},
    {"sigmoid", "sigmoid"},
    {"silu", "silu"},
    {"soft_shrink", "soft_shrink"},
    {"softmax", "softmax"},
    {"softplus", "softplus"},
    {"softsign", "softsign"},
    {"sparse_plus", "sparse_plus"},
    {"sparse_sigmoid", "sparse_sigmoid"},
    {"sparsemax", "sparsemax"},
    {"squareplus", "squareplus"},
    {"swish", "silu"},
    {"tanh", "tanh"},
    {"tanh_shrink", "tanh_shrink"},
}};

const std::pair<std::string_view, std::string_view>* Lookup(std::string_view name) {
  auto it = std::lower_bound(kActivations.begin(), kActivations.end(), name,
                             [](const auto& e, std::string_view v) { return e.first < v; });
  return it != kActivations.end() && it->first == name ? &*it : nullptr;
}

}  // namespace

bool IsKerasActivation(std::string_view name) { return Lookup(name) != nullptr; }

std::string_view CanonicalActivation(std::string_view name) {
  const auto* e = Lookup(name);
  return e ? e->second : std::string_view();
}

std::vector<std::string_view> KerasActivationNames() {
  std::vector<std::string_view> out;
  for (const auto& e : kActivations) out.push_back(e.first);
  return out;
}

absl::StatusOr<std::string> ReadActivation(const ConfigView& config, std::string_view key) {
  const io::json::Value* v = config.Find(key);
  if (v == nullptr || v->is_null()) return std::string("linear");
  std::string_view name;
  if (v->is_string()) {
    name = v->string();
  } else if (v->is_object()) {
    const io::json::Value* cls = v->Find("class_name");
    const io::json::Value* module = v->Find("module");
    const io::json::Value* fn = v->Find("config");
    if (cls != nullptr && cls->is_string() && cls->string() == "__lambda__") {
      return util::RuleError(util::rules::kLambda,
                             util::StrCat(config.Location(key), ": activation is a __lambda__ (Python bytecode)"));
    }
    const bool is_keras_fn = cls != nullptr && cls->is_string() && cls->string() == "function" &&
                             module != nullptr && module->is_string() &&
                             module->string() == "keras.activations" && fn != nullptr && fn->is_string();
    if (!is_keras_fn) {
      return util::RuleError(util::rules::kFunctionReference,
                             util::StrCat(config.Location(key),
                                          ": activation must be a keras.activations name, got an object"));
    }
    name = fn->string();
  } else {
    return config.Error(key, util::StrCat("expected an activation name, got ",
                                          io::json::Value::KindName(v->kind())));
  }
  std::string_view canonical = CanonicalActivation(name);
  if (canonical.empty()) {
    return config.Error(key, util::StrCat("unknown activation '", name, "'; expected one of keras.activations"));
  }
  return std::string(canonical);
}

}  // namespace kgate::keras
