// File: yaml_writer.h
// The little YAML output kgate writes (`kgate schema infer`): scalars that
// read back, through io/yaml's reader, as exactly what was written. Strings
// are always double-quoted with every character YAML does not allow raw
// escaped; numbers are written in a form the core schema resolves to the
// same number. Layout (indentation, keys) is the caller's.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace kgate::io::yaml {

// Appends `s` as a double-quoted YAML scalar: '"' and '\' escaped, C0 and C1
// controls, DEL, U+2028/2029, U+FEFF and U+FFFE/FFFF as \u escapes,
// everything else as UTF-8. Invalid UTF-8 bytes become U+FFFD.
void AppendQuoted(std::string_view s, std::string* out);

// Appends a finite double in its shortest round-trip form ("0.5", "1e-07",
// "3"; -0.0 as "-0.0"). The reader refuses non-finite numbers, so callers
// must not pass one (a debug check aborts; release builds write 0).
void AppendNumber(double d, std::string* out);
void AppendInteger(int64_t i, std::string* out);

}  // namespace kgate::io::yaml
