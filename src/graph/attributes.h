// File: attributes.h
// Attributes are a layer's configuration after the keras module has validated
// and normalised it: every value has one C++ type (lists are always lists,
// defaults are filled in), so the engine never looks at JSON. Keys follow
// Keras's own config names ("units", "kernel_size", "padding", ...).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace kgate::graph {

using AttrValue = std::variant<bool, int64_t, double, std::string, std::vector<int64_t>,
                               std::vector<double>, std::vector<std::string>>;

class Attributes {
 public:
  void Set(std::string key, AttrValue value) { values_[std::move(key)] = std::move(value); }
  bool Has(std::string_view key) const { return values_.find(key) != values_.end(); }

  // The value under `key` if present and of type T, else nullptr.
  template <typename T>
  const T* Get(std::string_view key) const {
    auto it = values_.find(key);
    return it == values_.end() ? nullptr : std::get_if<T>(&it->second);
  }
  // Typed getters with a fallback for absent keys or other types.
  bool GetBool(std::string_view key, bool fallback) const { return Or<bool>(key, fallback); }
  int64_t GetInt(std::string_view key, int64_t fallback) const { return Or<int64_t>(key, fallback); }
  double GetFloat(std::string_view key, double fallback) const { return Or<double>(key, fallback); }
  std::string GetString(std::string_view key, std::string_view fallback) const {
    const std::string* s = Get<std::string>(key);
    return s ? *s : std::string(fallback);
  }
  std::vector<int64_t> GetInts(std::string_view key) const {
    const auto* v = Get<std::vector<int64_t>>(key);
    return v ? *v : std::vector<int64_t>{};
  }

  const std::map<std::string, AttrValue, std::less<>>& all() const { return values_; }

 private:
  template <typename T>
  T Or(std::string_view key, T fallback) const {
    const T* v = Get<T>(key);
    return v ? *v : fallback;
  }
  std::map<std::string, AttrValue, std::less<>> values_;
};

}  // namespace kgate::graph
