#include "keras/config_audit.h"

#include <string>
#include <vector>

#include "keras/keras_names.h"
#include "keras/layer_registry.h"
#include "keras/object_allowlist.h"
#include "util/dtype.h"
#include "util/rules.h"
#include "util/strings.h"

namespace kgate::keras {
namespace {

using io::json::Value;
namespace rules = util::rules;

// Names that only ever appear in a config as an attack: Keras loading APIs
// and Python builtins that read, write, fetch or execute (CVE-2025-8747,
// CVE-2025-9906, CVE-2025-1550 shapes). Reported as KG-K008 wherever they
// appear as a class_name or a function reference.
constexpr std::string_view kGadgetNames[] = {
    "__import__", "compile", "enable_unsafe_deserialization", "eval", "exec", "get_file", "import_module",
    "load_img", "load_model", "load_weights", "open", "popen", "register_keras_serializable", "run",
    "save_model", "set_global_attribute", "system",
};

// Lookup / vectorization layers whose vocabulary may be a file path and whose
// standardize/split may be callables (CVE-2025-12058).
constexpr std::string_view kLookupLayers[] = {"IntegerLookup", "StringLookup", "TextVectorization"};

template <size_t N>
bool In(const std::string_view (&table)[N], std::string_view s) {
  for (std::string_view t : table) {
    if (t == s) return true;
  }
  return false;
}

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

std::string_view StringOr(const Value* v, std::string_view fallback) {
  return v != nullptr && v->is_string() ? std::string_view(v->string()) : fallback;
}

// One open container on the walk: the value and the next child to visit.
// Only containers get frames, one per nesting level, so memory is bounded by
// the depth (at most the JSON depth cap), not by the number of elements.
struct Frame {
  const Value* value;
  size_t next = 0;
};

class Auditor {
 public:
  Auditor(std::string_view prefix, util::FindingList* findings) : prefix_(prefix), findings_(findings) {}

  void Run(const Value& root) {
    std::vector<Frame> stack;
    Enter(root, "", &stack);
    while (!stack.empty()) {
      Frame& f = stack.back();
      const Value& v = *f.value;
      size_t size = v.is_array() ? v.array().size() : v.object().size();
      if (f.next == size) {
        stack.pop_back();
        if (!path_.empty()) path_.pop_back();
        continue;
      }
      size_t i = f.next++;
      if (v.is_array()) {
        const Value& child = v.array()[i];
        if (child.is_array() || child.is_object()) {
          path_.push_back(util::StrCat(i));
          Enter(child, "", &stack);
        }
      } else {
        const io::json::Member& m = v.object()[i];
        if (m.second.is_array() || m.second.is_object()) {
          path_.push_back(m.first);
          Enter(m.second, m.first, &stack);
        }
      }
    }
  }

 private:
  // Checks a container on entry (pre-order); its path is already in path_.
  void Enter(const Value& v, std::string_view parent_key, std::vector<Frame>* stack) {
    if (v.is_object()) {
      CheckObject(v, parent_key);
    } else if (!v.is_array()) {
      return;
    }
    stack->push_back(Frame{&v});
  }

  std::string Here(std::string_view extra = {}) const {
    std::string loc(prefix_);
    for (const std::string& t : path_) util::StrAppend(&loc, "/", io::json::PointerToken(t));
    if (!extra.empty()) util::StrAppend(&loc, "/", io::json::PointerToken(extra));
    return loc;
  }

  void Add(std::string_view rule, std::string message, std::string location) {
    findings_->Add(rule, std::move(message), std::move(location));
  }

  void CheckObject(const Value& obj, std::string_view parent_key) {
    // Legacy Keras-2 lambda: {"function": [code, defaults, closure], "function_type": "lambda"}.
    if (obj.Find("function") != nullptr && obj.Find("function_type") != nullptr) {
      Add(rules::kLambda,
          util::StrCat("legacy Keras 2 serialized function (function_type '",
                       StringOr(obj.Find("function_type"), "?"),
                       "'): marshalled Python bytecode is never loaded"),
          Here());
    }
    if (const Value* cc = obj.Find("compile_config"); cc != nullptr && cc->is_object() && !cc->object().empty() &&
                                                      !reported_compile_config_) {
      reported_compile_config_ = true;
      Add(rules::kIgnoredTrainingState,
          "compile_config (optimizer, losses, metrics) is ignored at inference; it was audited like the model",
          Here("compile_config"));
    }
    const Value* cls_value = obj.Find("class_name");
    if (cls_value == nullptr) return;
    if (!cls_value->is_string()) {
      Add(rules::kConfigInvalid,
          util::StrCat("class_name must be a string, got ", Value::KindName(cls_value->kind())),
          Here("class_name"));
      return;
    }
    CheckEnvelope(obj, cls_value->string(), parent_key);
  }

  void CheckEnvelope(const Value& obj, const std::string& cls, std::string_view parent_key) {
    const Value* module_value = obj.Find("module");
    const Value* reg_value = obj.Find("registered_name");
    const Value* config = obj.Find("config");
    std::string_view module = StringOr(module_value, "");
    bool specific = false;  // a more specific finding than KG-K007 was made
    // Class and module names as they may appear in messages (file bytes are
    // escaped: reports go to terminals).
    const std::string pcls = Printable(cls);
    const std::string pmod = Printable(module);

    if (module_value != nullptr && !module_value->is_null() && !module_value->is_string()) {
      Add(rules::kConfigInvalid, "module must be a string or null", Here("module"));
      specific = true;
    }

    if (cls == "__lambda__") {
      Add(rules::kLambda, "serialized Python lambda (marshalled bytecode); kgate never loads code from a file",
          Here());
      return;
    }
    if (cls == "Lambda") {
      Add(rules::kLambda, "Lambda layer: its function is Python code; kgate never loads code from a file", Here());
      return;
    }
    if (cls.size() > 4 && cls.substr(0, 2) == "__" && EndsWith(cls, "__") && cls != "__function__") {
      CheckSpecialEncoding(obj, cls, config);
      return;
    }
    if (In(kGadgetNames, cls)) {
      Add(rules::kFunctionReference,
          util::StrCat("reference to '", module.empty() ? "" : util::StrCat(pmod, "."), pcls,
                       "', a loading/execution API that a model config has no reason to name"),
          Here());
      specific = true;
    }
    if (cls == "function" || cls == "__function__") {
      CheckFunction(obj, module, config, reg_value);
      return;
    }
    if (!module.empty() && !IsKerasModule(module)) {
      Add(rules::kForeignModule,
          util::StrCat("class '", pcls, "' from module '", pmod,
                       "': only Keras's own modules are accepted (Keras would import this module)"),
          Here("module"));
      specific = true;
    }

    std::string op_name = OpSpecName(module, cls);
    bool is_op = !op_name.empty();
    const LayerSpec* spec = FindLayerSpec(is_op ? op_name : cls);
    const AllowedObject* allowed = is_op ? nullptr : FindAllowedObject(module, cls);

    if (reg_value != nullptr && !reg_value->is_null()) {
      std::string_view reg = StringOr(reg_value, "");
      // Keras writes registered_name == class_name for its own keras.src
      // classes (ops, application layers) and "Functional" for Functional.
      bool builtin_form = reg == cls && (module.empty() || IsKerasModule(module));
      if (!reg_value->is_string() || !builtin_form) {
        Add(rules::kCustomObject,
            util::StrCat("registered_name '", reg_value->is_string() ? Printable(reg) : std::string("?"),
                         "' for class '", pcls,
                         "' names a custom (registered) object; kgate only loads Keras's own classes"),
            Here("registered_name"));
        specific = true;
      }
    }

    if (cls == "TFSMLayer") {
      Add(rules::kTfsmLayer, "TFSMLayer loads and runs an external TensorFlow SavedModel", Here());
      return;
    }
    if (cls == "TorchModuleWrapper") {
      Add(rules::kTorchModule, "TorchModuleWrapper carries a pickled torch module (arbitrary code on load)", Here());
      return;
    }
    if (In(kLookupLayers, cls) && config != nullptr && config->is_object()) {
      specific |= CheckLookupLayer(cls, *config);
    }
    if (IsQuantizedPolicyClass(cls)) {
      Add(rules::kConfigInvalid,
          util::StrCat("quantized dtype policy '", pcls, "' is not supported; kgate runs float models only"), Here());
      return;
    }

    if (spec != nullptr) {
      CheckNames(obj, config);
    } else if (allowed != nullptr) {
      CheckPosition(*allowed, cls, parent_key);
    } else {
      if (!specific) {
        Add(rules::kUnknownClass,
            is_op ? util::StrCat("keras operation class '", Printable(op_name), "' (module '", pmod,
                                 "') inside a functional graph is not on kgate's allowlist")
                  : util::StrCat("class '", pcls, "'", module.empty() ? "" : util::StrCat(" (module '", pmod, "')"),
                                 " is not on kgate's allowlist"),
            Here());
      }
      CheckNames(obj, config);  // unknown layers are still checked for path names
    }
  }

  // A non-layer object under a key that says what it must be.
  void CheckPosition(const AllowedObject& allowed, const std::string& cls, std::string_view parent_key) {
    struct Slot {
      std::string_view suffix;
      ObjectCategory category;
    };
    static constexpr Slot kSlots[] = {{"initializer", ObjectCategory::kInitializer},
                                      {"regularizer", ObjectCategory::kRegularizer},
                                      {"constraint", ObjectCategory::kConstraint}};
    for (const Slot& s : kSlots) {
      if (EndsWith(parent_key, s.suffix) && allowed.category != s.category) {
        Add(rules::kUnknownClass,
            util::StrCat("'", Printable(parent_key), "' must be an ", CategoryName(s.category), ", got ",
                         CategoryName(allowed.category), " '", cls, "'"),
            Here());
      }
    }
  }

  void CheckNames(const Value& obj, const Value* config) {
    if (config != nullptr && config->is_object()) {
      const Value* name = config->Find("name");
      if (name != nullptr && name->is_string() && !IsSafeName(name->string())) {
        Add(rules::kUnsafeName,
            util::StrCat("layer/model name '", Printable(name->string()), "' is refused: ",
                         UnsafeNameReason(name->string())),
            Here() + "/config/name");
      }
    }
    const Value* name = obj.Find("name");
    if (name != nullptr && name->is_string() && !IsSafeName(name->string())) {
      Add(rules::kUnsafeName,
          util::StrCat("layer name '", Printable(name->string()), "' is refused: ", UnsafeNameReason(name->string())),
          Here("name"));
    }
  }

  void CheckFunction(const Value& obj, std::string_view module, const Value* config, const Value* reg_value) {
    std::string_view name = StringOr(config, "");
    std::string qualified = util::StrCat(module.empty() ? std::string("?") : Printable(module), ".",
                                         config != nullptr && config->is_string() ? Printable(name) : "?");
    if (reg_value != nullptr && !reg_value->is_null()) {
      std::string_view reg = StringOr(reg_value, "");
      if (!reg_value->is_string() || (reg != "function" && reg != name)) {
        Add(rules::kCustomObject,
            util::StrCat("function '", qualified, "' has registered_name '", Printable(reg),
                         "': a custom registered function kgate cannot know"),
            Here("registered_name"));
      }
    }
    bool allowed = config != nullptr && config->is_string() && IsAllowedFunction(module, name);
    // Keras 3.15 writes its own functions with module "builtins"; any other
    // builtins name, and any module outside Keras, is foreign code.
    if (!module.empty() && !IsKerasModule(module) && !(module == "builtins" && allowed)) {
      Add(rules::kForeignModule,
          util::StrCat("function '", qualified, "' from a module outside Keras (Keras would import '",
                       Printable(module), "')"),
          Here("module"));
    }
    if (!allowed) {
      Add(rules::kFunctionReference,
          util::StrCat("reference to Python function '", qualified,
                       "'; only public Keras activations, losses and metrics may be named"),
          Here());
    }
  }

  // Returns true when a KG-K006 finding was made.
  bool CheckLookupLayer(const std::string& cls, const Value& config) {
    bool found = false;
    if (const Value* vocab = config.Find("vocabulary"); vocab != nullptr && vocab->is_string()) {
      Add(rules::kVocabularyPath,
          util::StrCat(cls, " vocabulary is the string '", Printable(vocab->string()),
                       "': Keras reads it as a file path or URL at load time"),
          Here() + "/config/vocabulary");
      found = true;
    }
    for (std::string_view key : {std::string_view("standardize"), std::string_view("split")}) {
      const Value* v = config.Find(key);
      if (v != nullptr && !v->is_null() && !v->is_string()) {
        Add(rules::kVocabularyPath, util::StrCat(cls, " ", key, " is a callable, not one of Keras's named modes"),
            Here() + "/config/" + std::string(key));
        found = true;
      }
    }
    return found;
  }

  void CheckSpecialEncoding(const Value& obj, const std::string& cls, const Value* config) {
    if (cls == "__keras_tensor__" || cls == "__bytes__" || cls == "__slice__" || cls == "__ellipsis__") return;
    if (cls == "__tensor__" || cls == "__numpy__") {
      const Value* dtype = config != nullptr ? config->Find("dtype") : nullptr;
      std::optional<util::DType> t =
          dtype != nullptr && dtype->is_string() ? util::ParseDType(dtype->string()) : std::nullopt;
      if (!t || *t == util::DType::kString) {
        Add(rules::kConfigInvalid,
            util::StrCat(cls, " constant must have a numeric dtype, got ",
                         dtype != nullptr && dtype->is_string() ? util::StrCat("'", Printable(dtype->string()), "'")
                                                                 : std::string("none")),
            Here("config"));
      }
      const Value* value = config != nullptr ? config->Find("value") : nullptr;
      uint64_t n = CountLeaves(value);
      if (n > kMaxInlineTensorElements) {
        findings_->AddStatus(util::RuleLimitError(rules::kConfigInvalid,
                                                  util::StrCat(cls, " constant has ", n, " elements; at most ",
                                                               kMaxInlineTensorElements, " are accepted")),
                             rules::kConfigInvalid, Here("config"));
      }
      return;
    }
    if (cls == "__typespec__") {
      Add(rules::kUnknownClass, "__typespec__ (TensorFlow type spec) objects are not supported", Here());
      return;
    }
    Add(rules::kUnknownClass, util::StrCat("special object '", Printable(cls), "' is not on kgate's allowlist"),
        Here());
  }

  // Leaves of a nested list, walked with one frame per nesting level.
  static uint64_t CountLeaves(const Value* root) {
    if (root == nullptr) return 0;
    if (!root->is_array()) return 1;
    uint64_t n = 0;
    std::vector<Frame> stack{Frame{root}};
    while (!stack.empty()) {
      Frame& f = stack.back();
      if (f.next == f.value->array().size()) {
        stack.pop_back();
        continue;
      }
      const Value& child = f.value->array()[f.next++];
      if (child.is_array()) {
        stack.push_back(Frame{&child});
      } else {
        ++n;
      }
    }
    return n;
  }

  // Names from the file, made safe to print: control and non-ASCII bytes as \xNN, capped.
  static std::string Printable(std::string_view s) {
    static constexpr size_t kMaxShown = 120;
    std::string out;
    for (size_t i = 0; i < s.size() && i < kMaxShown; ++i) {
      unsigned char c = static_cast<unsigned char>(s[i]);
      if (c < 0x20 || c >= 0x7f || c == '\\') {
        util::StrAppend(&out, "\\x", "0123456789abcdef"[c >> 4], "0123456789abcdef"[c & 15]);
      } else {
        out.push_back(static_cast<char>(c));
      }
    }
    if (s.size() > kMaxShown) util::StrAppend(&out, "...(", s.size(), " bytes)");
    return out;
  }

  std::string_view prefix_;
  util::FindingList* findings_;
  std::vector<std::string> path_;
  bool reported_compile_config_ = false;
};

}  // namespace

void AuditConfig(const io::json::Value& root, std::string_view location_prefix, util::FindingList* findings) {
  Auditor(location_prefix, findings).Run(root);
}

}  // namespace kgate::keras
