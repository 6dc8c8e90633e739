#include "util/dtype.h"

#include <array>
#include <cmath>
#include <cstring>
#include <utility>

namespace kgate::util {
namespace {

struct Entry {
  DType type;
  std::string_view name;
  size_t size;
};

constexpr std::array<Entry, 14> kTypes = {{
    {DType::kBool, "bool", 1},         {DType::kInt8, "int8", 1},
    {DType::kUInt8, "uint8", 1},       {DType::kInt16, "int16", 2},
    {DType::kUInt16, "uint16", 2},     {DType::kInt32, "int32", 4},
    {DType::kUInt32, "uint32", 4},     {DType::kInt64, "int64", 8},
    {DType::kUInt64, "uint64", 8},     {DType::kFloat16, "float16", 2},
    {DType::kBFloat16, "bfloat16", 2}, {DType::kFloat32, "float32", 4},
    {DType::kFloat64, "float64", 8},   {DType::kString, "string", 0},
}};

const Entry& Lookup(DType t) { return kTypes[static_cast<size_t>(t)]; }

}  // namespace

std::string_view DTypeName(DType t) { return Lookup(t).name; }
size_t DTypeSize(DType t) { return Lookup(t).size; }

std::optional<DType> ParseDType(std::string_view name) {
  for (const Entry& e : kTypes) {
    if (e.name == name) return e.type;
  }
  return std::nullopt;
}

bool IsFloating(DType t) {
  return t == DType::kFloat16 || t == DType::kBFloat16 || t == DType::kFloat32 || t == DType::kFloat64;
}

bool IsInteger(DType t) {
  switch (t) {
    case DType::kInt8: case DType::kUInt8: case DType::kInt16: case DType::kUInt16:
    case DType::kInt32: case DType::kUInt32: case DType::kInt64: case DType::kUInt64:
      return true;
    default:
      return false;
  }
}

double HalfToDouble(uint16_t h) {
  const int sign = (h >> 15) & 1;
  const int exp = (h >> 10) & 0x1F;
  const int mant = h & 0x3FF;
  double v;
  if (exp == 0) {
    v = std::ldexp(static_cast<double>(mant), -24);
  } else if (exp == 31) {
    v = mant ? std::nan("") : INFINITY;
  } else {
    v = std::ldexp(static_cast<double>(mant | 0x400), exp - 25);
  }
  return sign ? -v : v;
}

float BFloat16ToFloat(uint16_t b) {
  const uint32_t bits = static_cast<uint32_t>(b) << 16;
  float f;
  std::memcpy(&f, &bits, sizeof f);
  return f;
}

}  // namespace kgate::util
