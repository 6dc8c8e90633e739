// Methods of the public value types in hdf5.h.
#include <algorithm>
#include <cstring>

#include "io/hdf5/hdf5.h"
#include "io/hdf5/internal/format.h"

namespace kgate::io::hdf5 {

util::DType Datatype::dtype() const {
  using util::DType;
  switch (type_class) {
    case TypeClass::kFloat:
      return size == 2 ? DType::kFloat16 : size == 4 ? DType::kFloat32 : DType::kFloat64;
    case TypeClass::kBool:
      return DType::kBool;
    case TypeClass::kInteger:
      switch (size) {
        case 1: return is_signed ? DType::kInt8 : DType::kUInt8;
        case 2: return is_signed ? DType::kInt16 : DType::kUInt16;
        case 4: return is_signed ? DType::kInt32 : DType::kUInt32;
        default: return is_signed ? DType::kInt64 : DType::kUInt64;
      }
    case TypeClass::kFixedString:
    case TypeClass::kVlenString:
      return DType::kString;
  }
  return DType::kString;
}

uint64_t Dataspace::num_elements() const {
  if (is_null) return 0;
  uint64_t n = 1;
  for (uint64_t d : dims) {
    if (__builtin_mul_overflow(n, d, &n)) return ~uint64_t{0};  // never for a parsed dataspace
  }
  return n;
}

namespace {
template <typename T>
const T* FindByName(const std::vector<T>& items, std::string_view name) {
  for (const T& item : items) {
    if (item.name == name) return &item;
  }
  return nullptr;
}
}  // namespace

const Attribute* Group::FindAttribute(std::string_view name) const { return FindByName(attributes, name); }
const Attribute* Dataset::FindAttribute(std::string_view name) const { return FindByName(attributes, name); }

const Link* Group::FindLink(std::string_view name) const {
  auto it = std::lower_bound(links.begin(), links.end(), name,
                             [](const Link& l, std::string_view n) { return l.name < n; });
  return it != links.end() && it->name == name ? &*it : nullptr;
}

uint64_t Dataset::declared_bytes() const {
  const uint64_t n = space.num_elements();
  uint64_t bytes;
  if (__builtin_mul_overflow(n, uint64_t{type.size}, &bytes)) return ~uint64_t{0};
  return bytes;
}

DataBuffer DataBuffer::View(std::span<const uint8_t> bytes) {
  DataBuffer b;
  b.view_ = bytes;
  return b;
}

DataBuffer DataBuffer::Owned(std::vector<uint8_t> bytes) {
  DataBuffer b;
  b.owned_ = std::move(bytes);
  b.view_ = b.owned_;
  b.owned_flag_ = true;
  return b;
}

bool LooksLikeHdf5(std::span<const uint8_t> bytes) {
  return bytes.size() >= sizeof(internal::kSignature) &&
         std::memcmp(bytes.data(), internal::kSignature, sizeof(internal::kSignature)) == 0;
}

bool HasHdf5SignatureAfterUserBlock(std::span<const uint8_t> bytes) {
  for (uint64_t at = 512; at < bytes.size(); at *= 2) {
    if (LooksLikeHdf5(bytes.subspan(at))) return true;
  }
  return false;
}

}  // namespace kgate::io::hdf5
