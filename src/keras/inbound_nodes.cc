#include "keras/inbound_nodes.h"

#include <algorithm>
#include <functional>
#include <queue>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "keras/model_builder.h"
#include "util/rules.h"
#include "util/status_macros.h"
#include "util/strings.h"

namespace kgate::keras {
namespace {

using io::json::Value;
namespace rules = util::rules;

// Nesting of call-argument structures (lists of lists of tensors); Keras
// writes at most 2 levels.
constexpr int kMaxArgDepth = 16;

using Ref = TensorReference;
using Call = CallReference;

absl::Status GraphError(std::string_view location, std::string_view message) {
  return util::RuleError(rules::kGraphInvalid, util::StrCat(location, ": ", message));
}
absl::Status ConfigError(std::string_view location, std::string_view message) {
  return util::RuleError(rules::kConfigInvalid, util::StrCat(location, ": ", message));
}

std::optional<int64_t> IntOf(const Value& v) {
  if (v.is_number() && v.number().integer) return *v.number().integer;
  return std::nullopt;
}

// [name, node_index, tensor_index] (legacy: optionally a 4th kwargs element).
bool IsTriple(const Value& v) {
  return v.is_array() && v.array().size() >= 3 && v.array().size() <= 4 && v.array()[0].is_string() &&
         IntOf(v.array()[1]) && IntOf(v.array()[2]);
}

absl::StatusOr<Ref> ParseTriple(const Value& v, const std::string& location) {
  if (!IsTriple(v)) return GraphError(location, "expected a [layer_name, node_index, tensor_index] reference");
  Ref r;
  r.layer = v.array()[0].string();
  r.node = *IntOf(v.array()[1]);
  r.tensor = *IntOf(v.array()[2]);
  r.location = location;
  if (r.node < 0 || r.tensor < 0 || r.node > static_cast<int64_t>(kMaxModelNodes) ||
      r.tensor > static_cast<int64_t>(kMaxModelNodes)) {
    return GraphError(location, "node and tensor indices must be small non-negative integers");
  }
  return r;
}

bool IsKerasTensor(const Value& v) {
  const Value* cls = v.is_object() ? v.Find("class_name") : nullptr;
  return cls != nullptr && cls->is_string() && cls->string() == "__keras_tensor__";
}

absl::StatusOr<Ref> ParseKerasTensor(const Value& v, const std::string& location) {
  const Value* config = v.Find("config");
  if (config == nullptr || !config->is_object()) return ConfigError(location, "__keras_tensor__ without a config");
  const Value* history = config->Find("keras_history");
  if (history == nullptr) return GraphError(location, "__keras_tensor__ without keras_history");
  KGATE_ASSIGN_OR_RETURN(Ref r, ParseTriple(*history, util::StrCat(location, "/config/keras_history")));
  r.location = location;
  if (const Value* shape = config->Find("shape"); shape != nullptr && !shape->is_null()) {
    KGATE_ASSIGN_OR_RETURN(r.shape, model_internal::ParseShape(*shape, util::StrCat(location, "/config/shape")));
    r.has_shape = true;
  }
  if (const Value* dtype = config->Find("dtype"); dtype != nullptr && !dtype->is_null()) {
    KGATE_ASSIGN_OR_RETURN(r.dtype, model_internal::ParseTensorDType(*dtype, util::StrCat(location, "/config/dtype")));
    r.has_dtype = true;
  }
  return r;
}

// Collects the tensors of a call-argument structure, in keras.tree order
// (lists in order, dicts by sorted key). `legacy` accepts bare triples as
// tensors. Non-tensor leaves are refused unless null.
absl::Status CollectTensors(const Value& v, const std::string& location, bool legacy, int depth,
                            std::vector<Ref>* out) {
  if (depth > kMaxArgDepth) return ConfigError(location, "call arguments nest too deeply");
  if (IsKerasTensor(v)) {
    KGATE_ASSIGN_OR_RETURN(Ref r, ParseKerasTensor(v, location));
    out->push_back(std::move(r));
    return absl::OkStatus();
  }
  if (legacy && IsTriple(v)) {
    KGATE_ASSIGN_OR_RETURN(Ref r, ParseTriple(v, location));
    out->push_back(std::move(r));
    return absl::OkStatus();
  }
  if (v.is_null()) return absl::OkStatus();
  if (v.is_array()) {
    for (size_t i = 0; i < v.array().size(); ++i) {
      KGATE_RETURN_IF_ERROR(CollectTensors(v.array()[i], util::StrCat(location, "/", i), legacy, depth + 1, out));
    }
    return absl::OkStatus();
  }
  if (v.is_object() && v.Find("class_name") == nullptr) {
    std::vector<const io::json::Member*> members;
    for (const auto& m : v.object()) members.push_back(&m);
    std::sort(members.begin(), members.end(), [](auto* a, auto* b) { return a->first < b->first; });
    for (const auto* m : members) {
      KGATE_RETURN_IF_ERROR(CollectTensors(m->second, util::StrCat(location, "/", io::json::PointerToken(m->first)),
                                           legacy, depth + 1, out));
    }
    return absl::OkStatus();
  }
  return ConfigError(location, util::StrCat("a ", Value::KindName(v.kind()),
                                            " where a tensor was expected; non-tensor positional call arguments "
                                            "are not supported"));
}

bool ContainsTensor(const Value& v, bool legacy, int depth) {
  if (depth > kMaxArgDepth) return true;  // CollectTensors reports it
  if (IsKerasTensor(v) || (legacy && IsTriple(v))) return true;
  if (v.is_array()) {
    for (const Value& e : v.array()) {
      if (ContainsTensor(e, legacy, depth + 1)) return true;
    }
  }
  if (v.is_object() && v.Find("class_name") == nullptr) {
    for (const auto& m : v.object()) {
      if (ContainsTensor(m.second, legacy, depth + 1)) return true;
    }
  }
  return false;
}

// A plain (non-tensor) keyword argument as an attribute value.
absl::Status SetCallArg(const std::string& key, const Value& v, const std::string& location, graph::Attributes* out) {
  if (v.is_null()) return absl::OkStatus();
  if (v.is_bool()) return out->Set(key, v.bool_value()), absl::OkStatus();
  if (v.is_string()) return out->Set(key, v.string()), absl::OkStatus();
  if (v.is_number()) {
    if (v.number().integer) return out->Set(key, *v.number().integer), absl::OkStatus();
    return out->Set(key, v.number().value), absl::OkStatus();
  }
  if (v.is_array()) {
    bool all_int = true, all_num = true, all_str = true;
    for (const Value& e : v.array()) {
      all_int = all_int && IntOf(e).has_value();
      all_num = all_num && e.is_number();
      all_str = all_str && e.is_string();
    }
    if (all_int) {
      std::vector<int64_t> ints;
      for (const Value& e : v.array()) ints.push_back(*IntOf(e));
      return out->Set(key, std::move(ints)), absl::OkStatus();
    }
    if (all_num) {
      std::vector<double> nums;
      for (const Value& e : v.array()) nums.push_back(e.number().value);
      return out->Set(key, std::move(nums)), absl::OkStatus();
    }
    if (all_str) {
      std::vector<std::string> strs;
      for (const Value& e : v.array()) strs.push_back(e.string());
      return out->Set(key, std::move(strs)), absl::OkStatus();
    }
  }
  return ConfigError(location, util::StrCat("call argument '", key, "' has an unsupported value (",
                                            Value::KindName(v.kind()), ")"));
}

absl::Status ParseKwargs(const Value& kwargs, const std::string& location, bool legacy, Call* call) {
  if (!kwargs.is_object()) return ConfigError(location, "kwargs must be an object");
  for (const auto& [key, v] : kwargs.object()) {
    std::string loc = util::StrCat(location, "/", io::json::PointerToken(key));
    if (ContainsTensor(v, legacy, 0)) {
      std::vector<Ref> refs;
      KGATE_RETURN_IF_ERROR(CollectTensors(v, loc, legacy, 0, &refs));
      for (Ref& r : refs) call->kwargs.emplace_back(key, std::move(r));
    } else {
      KGATE_RETURN_IF_ERROR(SetCallArg(key, v, loc, &call->call_args));
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<CallReference> ParseInboundNode(const Value& node, const std::string& location, size_t layer,
                                               bool allow_scalar) {
  Call call;
  call.layer = layer;
  call.location = location;
  if (node.is_object()) {  // Keras 3: {"args": [...], "kwargs": {...}}
    for (const auto& m : node.object()) {
      if (m.first != "args" && m.first != "kwargs") {
        return ConfigError(location, util::StrCat("unknown field '", m.first, "' in an inbound node"));
      }
    }
    const Value* args = node.Find("args");
    if (args != nullptr) {
      if (!args->is_array()) return ConfigError(location + "/args", "expected a list");
      for (size_t i = 0; i < args->array().size(); ++i) {
        const Value& a = args->array()[i];
        std::string loc = util::StrCat(location, "/args/", i);
        if (allow_scalar && a.is_number()) {  // x + 3.0 in a keras.ops node
          if (call.call_args.Has("scalar")) return ConfigError(loc, "at most one number operand is supported");
          if (a.number().integer) {
            call.call_args.Set("scalar", *a.number().integer);
          } else {
            call.call_args.Set("scalar", a.number().value);
          }
          // Which operand the number is: 3 - x and x - 3 differ.
          call.call_args.Set("scalar_index", static_cast<int64_t>(i));
          continue;
        }
        KGATE_RETURN_IF_ERROR(CollectTensors(a, loc, false, 1, &call.args));
      }
    }
    if (const Value* kwargs = node.Find("kwargs"); kwargs != nullptr) {
      KGATE_RETURN_IF_ERROR(ParseKwargs(*kwargs, location + "/kwargs", false, &call));
    }
    return call;
  }
  if (!node.is_array()) return ConfigError(location, "an inbound node must be an object or a legacy list");
  for (size_t i = 0; i < node.array().size(); ++i) {  // Keras 2: [[name, node, tensor, {kwargs}], ...]
    const Value& t = node.array()[i];
    std::string loc = util::StrCat(location, "/", i);
    KGATE_ASSIGN_OR_RETURN(Ref r, ParseTriple(t, loc));
    call.args.push_back(std::move(r));
    if (t.array().size() == 4 && i == 0) KGATE_RETURN_IF_ERROR(ParseKwargs(t.array()[3], loc + "/3", true, &call));
  }
  return call;
}

namespace {

absl::Status Endpoints(const Value& v, const std::string& location, int depth, std::vector<Ref>* out) {
  if (depth > kMaxArgDepth) return ConfigError(location, "structure nests too deeply");
  if (IsTriple(v)) {
    KGATE_ASSIGN_OR_RETURN(Ref r, ParseTriple(v, location));
    out->push_back(std::move(r));
    return absl::OkStatus();
  }
  if (v.is_array()) {
    for (size_t i = 0; i < v.array().size(); ++i) {
      KGATE_RETURN_IF_ERROR(Endpoints(v.array()[i], util::StrCat(location, "/", i), depth + 1, out));
    }
    return absl::OkStatus();
  }
  if (v.is_object()) {
    std::vector<const io::json::Member*> members;
    for (const auto& m : v.object()) members.push_back(&m);
    std::sort(members.begin(), members.end(), [](auto* a, auto* b) { return a->first < b->first; });
    for (const auto* m : members) {
      KGATE_RETURN_IF_ERROR(
          Endpoints(m->second, util::StrCat(location, "/", io::json::PointerToken(m->first)), depth + 1, out));
    }
    return absl::OkStatus();
  }
  return GraphError(location, "expected a [layer_name, node_index, tensor_index] reference or a list/dict of them");
}

}  // namespace

absl::Status CollectEndpoints(const Value& value, const std::string& location, std::vector<TensorReference>* out) {
  return Endpoints(value, location, 0, out);
}

}  // namespace kgate::keras
