#include "io/yaml/yaml_writer.h"

#include <cassert>
#include <charconv>
#include <cmath>

#include "io/json/json.h"

namespace kgate::io::yaml {

// A JSON string, as io/json writes it, is a YAML double-quoted scalar: its
// escapes (\", \\, \b, \f, \n, \r, \t, \uXXXX) are YAML's too, and it escapes
// every character YAML does not allow raw.
void AppendQuoted(std::string_view s, std::string* out) { json::AppendQuoted(s, out); }

void AppendNumber(double d, std::string* out) {
  assert(std::isfinite(d));
  if (!std::isfinite(d)) d = 0;
  char buf[32];
  auto r = std::to_chars(buf, buf + sizeof(buf), d);
  out->append(buf, r.ptr);
  // "-0" would read back as the integer 0; keep the sign with a fraction.
  if (d == 0 && std::signbit(d)) out->append(".0");
}

void AppendInteger(int64_t i, std::string* out) {
  char buf[24];
  auto r = std::to_chars(buf, buf + sizeof(buf), i);
  out->append(buf, r.ptr);
}

}  // namespace kgate::io::yaml
