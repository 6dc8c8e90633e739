// File: npy_internal.h
// Private to src/io/npy: the header dictionary grammar and the descr table
// (npy_header.cc), used by the reader and writer in npy.cc.
//
// The grammar accepts the Python literals NumPy writes and nothing that would
// need evaluation:
//
//   header := dict ' '* '\n'                         (the '\n' is the last byte)
//   dict   := '{' ws [item (ws ',' ws item)* [ws ',']] ws '}'
//   item   := string ws ':' ws value
//   value  := string | 'True' | 'False' | tuple
//   tuple  := '(' ws ')' | '(' ws int ws ',' ws ')' | '(' ws int (ws ',' ws int)+ [ws ','] ws ')'
//   string := "'" printable-ASCII-but-quote-or-backslash* "'"   (or the same with '"')
//   int    := '0' | [1-9][0-9]*                    (at most INT64_MAX)
//   ws     := ' '*
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "util/dtype.h"

namespace kgate::io::npy::internal {

struct Header {
  std::string descr;
  bool fortran_order = false;
  std::vector<int64_t> shape;
};

// Parses the header text (everything between the length field and the
// data). `base` is the file offset of text[0], for messages.
absl::StatusOr<Header> ParseHeader(std::string_view text, uint64_t base, uint32_t max_rank);

// The dtype for a NumPy descr ('<f4', '|b1', ...); an error naming the descr
// and why it is refused otherwise.
absl::StatusOr<util::DType> DTypeFromDescr(std::string_view descr);

// The descr NumPy writes for `dtype`; nullopt for kBFloat16 and kString,
// which have none.
std::optional<std::string_view> DescrForDType(util::DType dtype);

// "(2, 3)", "(5,)", "()": the shape as Python's repr of a tuple.
std::string ShapeRepr(std::span<const int64_t> shape);

}  // namespace kgate::io::npy::internal
