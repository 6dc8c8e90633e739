// File: version.h
// kgate's own version, reported by `kgate --version` and in SARIF/JSON reports.
#pragma once

namespace kgate::util {

inline constexpr char kKgateVersion[] = "0.1.0";

}  // namespace kgate::util
