#include "io/hdf5/internal/values.h"

#include <cmath>
#include <cstring>

#include "util/status_macros.h"

namespace kgate::io::hdf5::internal {
namespace {

using util::StrCat;

constexpr uint64_t kStringOverhead = 32;  // charged per decoded string
constexpr uint64_t kNumberCost = sizeof(double);

absl::Status Charge(uint64_t* budget, uint64_t cost) {
  if (cost > *budget) {
    return OverLimit(util::rules::kHdf5ShapeBomb,
                     "decoded attribute values exceed max_attribute_bytes for this object");
  }
  *budget -= cost;
  return absl::OkStatus();
}

template <typename T>
T Load(const uint8_t* p) {
  T v;
  std::memcpy(&v, p, sizeof(T));
  return v;
}

}  // namespace

absl::Status GlobalHeapCache::Load(uint64_t address) {
  // "GCOL", version 1, 3 reserved bytes, collection size (header included),
  // padded to a multiple of 8 bytes.
  const uint64_t header = (8 + ctx_.length_size + 7) & ~uint64_t{7};
  KGATE_ASSIGN_OR_RETURN(Cursor h, Cursor::At(ctx_, address, header, "global heap collection"));
  KGATE_RETURN_IF_ERROR(ExpectSignature(h, "GCOL"));
  KGATE_ASSIGN_OR_RETURN(uint8_t version, h.U8());
  if (version != 1) return h.UnsupportedError(StrCat("version ", version, " (supported: 1)"));
  KGATE_RETURN_IF_ERROR(h.Skip(3));
  KGATE_ASSIGN_OR_RETURN(uint64_t size, h.Length());

  if (size < header) return h.Error(StrCat("collection size ", size, " is smaller than its header"));
  KGATE_ASSIGN_OR_RETURN(Cursor c, Cursor::At(ctx_, address, size, "global heap collection"));
  KGATE_RETURN_IF_ERROR(c.Skip(header));
  auto& objects = collections_[address];
  // Objects: index, reference count, reserved, size (the header padded to a
  // multiple of 8), then the data padded to 8. Index 0 is the free space.
  const uint64_t object_header = (8 + ctx_.length_size + 7) & ~uint64_t{7};
  while (c.remaining() >= object_header) {
    KGATE_RETURN_IF_ERROR(ctx_.Charge(1));
    KGATE_ASSIGN_OR_RETURN(uint16_t index, c.U16());
    KGATE_RETURN_IF_ERROR(c.Skip(6));
    KGATE_ASSIGN_OR_RETURN(uint64_t object_size, c.Length());
    KGATE_RETURN_IF_ERROR(c.Skip(object_header - 8 - ctx_.length_size));
    if (index == 0) break;
    const uint64_t data_offset = c.offset();
    if (object_size > c.remaining()) {
      return c.Error(StrCat("object ", index, " of ", object_size, " bytes overruns the collection"));
    }
    KGATE_ASSIGN_OR_RETURN(auto data, c.Bytes(object_size));
    if (!objects.emplace(index, data).second) {
      return Malformed(StrCat("global heap collection at offset ", address, ": duplicate object index ", index,
                              " at offset ", data_offset));
    }
    const uint64_t pad = (8 - object_size % 8) % 8;
    KGATE_RETURN_IF_ERROR(c.Skip(pad < c.remaining() ? pad : c.remaining()));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::span<const uint8_t>> GlobalHeapCache::Object(uint64_t address, uint32_t index) {
  auto it = collections_.find(address);
  if (it == collections_.end()) {
    absl::Status s = Load(address);
    if (!s.ok()) {
      collections_.erase(address);
      return s;
    }
    it = collections_.find(address);
  }
  auto obj = it->second.find(index);
  if (obj == it->second.end()) {
    return Malformed(StrCat("global heap collection at offset ", address, " has no object ", index));
  }
  return obj->second;
}

absl::Status DecodeNumbers(const DecodedType& type, std::span<const uint8_t> raw, uint64_t count,
                           uint64_t* budget, std::vector<double>* out) {
  auto cost = util::CheckedMul(count, kNumberCost);
  if (!cost) return SizeError("attribute element count overflows");
  KGATE_RETURN_IF_ERROR(Charge(budget, *cost));
  out->reserve(count);
  const Datatype& t = type.type;
  for (uint64_t i = 0; i < count; ++i) {
    const uint8_t* p = raw.data() + i * t.size;
    double v = 0;
    switch (t.type_class) {
      case TypeClass::kFloat:
        if (t.size == 2) v = HalfToDouble(Load<uint16_t>(p));
        else if (t.size == 4) v = Load<float>(p);
        else v = Load<double>(p);
        break;
      case TypeClass::kBool:
        v = *p;
        break;
      case TypeClass::kInteger:
        switch (t.size) {
          case 1: v = t.is_signed ? static_cast<double>(static_cast<int8_t>(*p)) : *p; break;
          case 2: v = t.is_signed ? static_cast<double>(Load<int16_t>(p)) : Load<uint16_t>(p); break;
          case 4: v = t.is_signed ? static_cast<double>(Load<int32_t>(p)) : Load<uint32_t>(p); break;
          default:
            v = t.is_signed ? static_cast<double>(Load<int64_t>(p)) : static_cast<double>(Load<uint64_t>(p));
        }
        break;
      default:
        return Malformed("numeric decode of a string type");
    }
    out->push_back(v);
  }
  return absl::OkStatus();
}

absl::Status DecodeStrings(const Context& ctx, const DecodedType& type, std::span<const uint8_t> raw,
                           uint64_t count, uint64_t* budget, std::vector<std::string>* out) {
  const Datatype& t = type.type;
  GlobalHeapCache heap(ctx);
  for (uint64_t i = 0; i < count; ++i) {
    const uint8_t* p = raw.data() + i * t.size;
    std::string_view value;
    if (t.type_class == TypeClass::kFixedString) {
      value = std::string_view(reinterpret_cast<const char*>(p), t.size);
      if (type.pad == StringPad::kNullTerm) {
        value = value.substr(0, value.find('\0'));
      } else {
        const char pad = type.pad == StringPad::kSpacePad ? ' ' : '\0';
        const size_t last = value.find_last_not_of(pad);
        value = last == std::string_view::npos ? std::string_view() : value.substr(0, last + 1);
      }
    } else if (t.type_class == TypeClass::kVlenString) {
      Cursor c(ctx, std::span<const uint8_t>(p, t.size), 0, "variable-length string");
      KGATE_ASSIGN_OR_RETURN(uint32_t length, c.U32());
      KGATE_ASSIGN_OR_RETURN(uint64_t collection, c.Offset());
      KGATE_ASSIGN_OR_RETURN(uint32_t index, c.U32());
      if (length > 0) {
        KGATE_ASSIGN_OR_RETURN(auto object, heap.Object(collection, index));
        if (object.size() < length) {
          return Malformed(StrCat("variable-length string ", i, " has length ", length, " but its heap object ",
                                  index, " at collection ", collection, " holds ", object.size(), " bytes"));
        }
        value = std::string_view(reinterpret_cast<const char*>(object.data()), length);
      }
    } else {
      return Malformed("string decode of a numeric type");
    }
    KGATE_RETURN_IF_ERROR(Charge(budget, kStringOverhead + value.size()));
    out->emplace_back(value);
  }
  return absl::OkStatus();
}

}  // namespace kgate::io::hdf5::internal
