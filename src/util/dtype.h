// File: dtype.h
// Element types that kgate reads from model files and requests and writes to
// .npy files. Shared by io (npy, hdf5), graph and engine so a dtype has one
// name everywhere ("float32" as Keras and NumPy spell it).
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace kgate::util {

enum class DType : uint8_t {
  kBool,
  kInt8,
  kUInt8,
  kInt16,
  kUInt16,
  kInt32,
  kUInt32,
  kInt64,
  kUInt64,
  kFloat16,
  kBFloat16,
  kFloat32,
  kFloat64,
  kString,  // variable-length UTF-8; never a weight or an engine tensor
};

// Keras/NumPy name: "float32", "int64", "bool", "bfloat16", "string".
std::string_view DTypeName(DType t);
// Inverse of DTypeName; nullopt for anything else.
std::optional<DType> ParseDType(std::string_view name);
// Bytes per element; 0 for kString.
size_t DTypeSize(DType t);
bool IsFloating(DType t);
bool IsInteger(DType t);  // signed or unsigned, not bool

// IEEE binary16 bits to double (exact: every half is a double).
double HalfToDouble(uint16_t h);
// bfloat16 bits to float (exact: the upper half of a float32).
float BFloat16ToFloat(uint16_t b);

}  // namespace kgate::util
