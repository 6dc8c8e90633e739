#include "trust/dsse.h"

#include "util/strings.h"

namespace kgate::trust {
namespace {

// Python's bytes.__repr__: single quotes unless the bytes hold a single quote
// and no double quote; \\, the quote, \t, \n, \r escaped; other bytes outside
// printable ASCII as \xhh.
std::string PythonBytesRepr(std::string_view bytes) {
  const bool has_single = bytes.find('\'') != std::string_view::npos;
  const bool has_double = bytes.find('"') != std::string_view::npos;
  const char quote = has_single && !has_double ? '"' : '\'';
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out = "b";
  out += quote;
  for (const char ch : bytes) {
    const auto c = static_cast<unsigned char>(ch);
    if (c == static_cast<unsigned char>(quote) || c == '\\') {
      out += '\\';
      out += ch;
    } else if (c == '\t') {
      out += "\\t";
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\r') {
      out += "\\r";
    } else if (c < 0x20 || c >= 0x7f) {
      out += "\\x";
      out += kHex[c >> 4];
      out += kHex[c & 0xf];
    } else {
      out += ch;
    }
  }
  out += quote;
  return out;
}

}  // namespace

std::string Pae(std::string_view payload_type, std::string_view payload) {
  return util::StrCat("DSSEv1 ", payload_type.size(), " ", payload_type, " ", payload.size(), " ", payload);
}

std::string PaeCompat(std::string_view payload_type, std::string_view payload) {
  return util::StrCat("DSSEV1 ", payload_type.size(), " ", payload_type, " ", payload.size(), " ",
                      PythonBytesRepr(payload));
}

}  // namespace kgate::trust
