// File: internal/format.h
// Number formatting shared by Serialize and Writer: integers exactly, doubles
// in the shortest form that reads back to the same double, non-finite
// doubles (which JSON cannot express) as null, and -0.0 as "-0.0" so that
// its sign survives a round trip.
#pragma once

#include <charconv>
#include <cmath>
#include <cstdint>
#include <string>

namespace kgate::io::json::internal {

inline void AppendInt(int64_t v, std::string* out) {
  char buf[24];
  auto r = std::to_chars(buf, buf + sizeof(buf), v);
  out->append(buf, r.ptr);
}

inline void AppendUInt(uint64_t v, std::string* out) {
  char buf[24];
  auto r = std::to_chars(buf, buf + sizeof(buf), v);
  out->append(buf, r.ptr);
}

inline void AppendDouble(double v, std::string* out) {
  if (!std::isfinite(v)) {
    out->append("null");
    return;
  }
  if (v == 0 && std::signbit(v)) {
    out->append("-0.0");  // "-0" would read back as the integer 0
    return;
  }
  char buf[32];  // the shortest form of a double is at most 24 characters
  auto r = std::to_chars(buf, buf + sizeof(buf), v);
  out->append(buf, r.ptr);
}

}  // namespace kgate::io::json::internal
