// .npy reader and writer. The reader checks the preamble (magic, version,
// header length), the header's padding, its dictionary (npy_header.cc), the
// dtype, and that the payload is exactly shape x itemsize bytes, all before
// allocating. The writer produces what NumPy 2.x's numpy.save writes, byte
// for byte: format 1.0, header padded with spaces (plus NumPy's spare room
// for growing the first axis) so that the data starts 64-byte aligned.
#include "io/npy/npy.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstring>

#include "io/npy/npy_internal.h"
#include "util/checked_math.h"
#include "util/mapped_file.h"
#include "util/rules.h"
#include "util/status_macros.h"
#include "util/strings.h"

namespace kgate::io::npy {
namespace {

using util::StrCat;

constexpr uint8_t kMagic[6] = {0x93, 'N', 'U', 'M', 'P', 'Y'};
// Magic (6) + version (2) + header length (2 in format 1.0, 4 in 2.0/3.0).
constexpr uint64_t kPreambleV1 = 10;
constexpr uint64_t kPreambleV2 = 12;
// NumPy's reader needs no alignment; every NumPy writer pads to 16 (64
// since NumPy 1.14), so anything else was not written by NumPy.
constexpr uint64_t kMinHeaderAlignment = 16;
// What NumPy 2.x writes (numpy.lib.format.ARRAY_ALIGN, GROWTH_AXIS_MAX_DIGITS).
constexpr uint64_t kWriteAlignment = 64;
constexpr size_t kGrowthAxisMaxDigits = 21;

uint64_t ReadLe(std::span<const uint8_t> b, uint64_t at, unsigned width) {
  uint64_t v = 0;
  std::memcpy(&v, b.data() + at, width);  // little-endian host
  return v;
}

struct ElementCount {
  uint64_t nonzero_product = 1;  // product of the non-zero dimensions
  bool empty = false;            // some dimension is 0
  uint64_t count() const { return empty ? 0 : nonzero_product; }
};

// Counts elements; an error when a dimension is negative or the product of
// the non-zero dimensions does not fit in 64 bits (NumPy, too, leaves zero
// dimensions out of its overflow check).
absl::StatusOr<ElementCount> CountElements(const std::vector<int64_t>& shape) {
  ElementCount c;
  for (int64_t d : shape) {
    if (d < 0) {
      return absl::InvalidArgumentError(StrCat("npy: shape ", internal::ShapeRepr(shape), " has a negative dimension"));
    }
    if (d == 0) {
      c.empty = true;
      continue;
    }
    std::optional<uint64_t> next = util::CheckedMul(c.nonzero_product, static_cast<uint64_t>(d));
    if (!next) {
      return absl::InvalidArgumentError(
          StrCat("npy: shape ", internal::ShapeRepr(shape), " has more elements than fit in 64 bits"));
    }
    c.nonzero_product = *next;
  }
  return c;
}

// Payload bytes of `shape` x `dtype`. Like NumPy ("array is too big"), the
// non-zero dimensions times the item size must fit in a signed 64-bit size,
// even when a zero dimension makes the array empty.
absl::StatusOr<uint64_t> PayloadBytes(const std::vector<int64_t>& shape, util::DType dtype) {
  KGATE_ASSIGN_OR_RETURN(ElementCount c, CountElements(shape));
  std::optional<uint64_t> bytes = util::CheckedMul(c.nonzero_product, util::DTypeSize(dtype));
  if (!bytes || *bytes > static_cast<uint64_t>(INT64_MAX)) {
    return absl::InvalidArgumentError(StrCat("npy: shape ", internal::ShapeRepr(shape), " of ",
                                             util::DTypeName(dtype), " needs more than 2^63 - 1 bytes"));
  }
  return c.empty ? 0 : *bytes;
}

// bfloat16 has no NumPy descr; it is written as float32 (exactly).
std::vector<uint8_t> WidenBFloat16(std::span<const uint8_t> data) {
  std::vector<uint8_t> out(data.size() * 2);
  for (size_t i = 0; i + 1 < data.size(); i += 2) {
    out[2 * i + 2] = data[i];
    out[2 * i + 3] = data[i + 1];
  }
  return out;
}

// Why `array` cannot be serialized, or OK.
absl::Status CheckSerializable(const Array& array) {
  if (array.dtype == util::DType::kString) {
    return absl::InvalidArgumentError("npy: string arrays cannot be written as .npy");
  }
  KGATE_ASSIGN_OR_RETURN(const uint64_t bytes, PayloadBytes(array.shape, array.dtype));
  if (bytes != array.data.size()) {
    return absl::InvalidArgumentError(StrCat("npy: array of ", util::DTypeName(array.dtype), " with shape ",
                                             internal::ShapeRepr(array.shape), " holds ", array.data.size(),
                                             " bytes of data, not shape x itemsize = ", bytes));
  }
  return absl::OkStatus();
}

}  // namespace

uint64_t Array::NumElements() const {
  absl::StatusOr<ElementCount> c = CountElements(shape);
  return c.ok() ? c->count() : 0;
}

absl::StatusOr<Array> Parse(std::span<const uint8_t> bytes, const Limits& limits) {
  if (bytes.size() < kPreambleV1) {
    return absl::InvalidArgumentError(StrCat("npy: file is ", bytes.size(), " bytes, too short for the ",
                                             kPreambleV1, "-byte preamble (magic, version, header length)"));
  }
  if (std::memcmp(bytes.data(), kMagic, sizeof(kMagic)) != 0) {
    return absl::InvalidArgumentError("npy: not a .npy file: it does not start with \\x93NUMPY");
  }
  const uint8_t major = bytes[6];
  const uint8_t minor = bytes[7];
  if (minor != 0 || major < 1 || major > 3) {
    return absl::InvalidArgumentError(StrCat("npy: unsupported format version ", major, ".", minor,
                                             " (expected 1.0, 2.0 or 3.0)"));
  }
  const uint64_t preamble = major == 1 ? kPreambleV1 : kPreambleV2;
  if (bytes.size() < preamble) {
    return absl::InvalidArgumentError(StrCat("npy: file is ", bytes.size(), " bytes, too short for the ", preamble,
                                             "-byte preamble of format ", major, ".0"));
  }
  const uint64_t header_bytes = ReadLe(bytes, 8, major == 1 ? 2 : 4);
  if (header_bytes > limits.max_header_bytes) {
    return absl::ResourceExhaustedError(StrCat("npy: header length ", header_bytes, " exceeds the cap of ",
                                               limits.max_header_bytes, " bytes"));
  }
  if (!util::RangeFits(preamble, header_bytes, bytes.size())) {
    return absl::InvalidArgumentError(StrCat("npy: header length ", header_bytes, " at offset 8 runs past the end of the ",
                                             bytes.size(), "-byte file"));
  }
  const uint64_t data_offset = preamble + header_bytes;
  if (data_offset % kMinHeaderAlignment != 0) {
    return absl::InvalidArgumentError(StrCat("npy: data starts at offset ", data_offset, ", not a multiple of ",
                                             kMinHeaderAlignment, " (the header is not padded as NumPy pads it)"));
  }
  const std::string_view text(reinterpret_cast<const char*>(bytes.data() + preamble), header_bytes);
  KGATE_ASSIGN_OR_RETURN(internal::Header header, internal::ParseHeader(text, preamble, limits.max_rank));
  KGATE_ASSIGN_OR_RETURN(util::DType dtype, internal::DTypeFromDescr(header.descr));
  if (header.fortran_order) {
    return absl::InvalidArgumentError("npy: 'fortran_order' is True: only C-order arrays are supported");
  }
  KGATE_ASSIGN_OR_RETURN(const uint64_t data_bytes, PayloadBytes(header.shape, dtype));
  if (data_bytes > limits.max_data_bytes) {
    return absl::ResourceExhaustedError(StrCat("npy: shape ", internal::ShapeRepr(header.shape), " of ",
                                               util::DTypeName(dtype), " needs ", data_bytes,
                                               " bytes, over the cap of ", limits.max_data_bytes));
  }
  const uint64_t payload = bytes.size() - data_offset;
  if (payload != data_bytes) {
    return absl::InvalidArgumentError(
        StrCat("npy: shape ", internal::ShapeRepr(header.shape), " of ", util::DTypeName(dtype), " needs ",
               data_bytes, " bytes of data but the file has ", payload, " after the header at offset ", data_offset,
               payload > data_bytes ? " (trailing bytes)" : " (truncated)"));
  }
  Array array;
  array.dtype = dtype;
  array.shape = std::move(header.shape);
  array.data.assign(bytes.begin() + data_offset, bytes.end());
  return array;
}

std::vector<uint8_t> Serialize(const Array& array) {
  if (!CheckSerializable(array).ok()) return {};
  const bool widen = array.dtype == util::DType::kBFloat16;
  const std::string_view descr = widen ? "<f4" : *internal::DescrForDType(array.dtype);
  std::string dict = StrCat("{'descr': '", descr, "', 'fortran_order': False, 'shape': ",
                            internal::ShapeRepr(array.shape), ", }");
  if (!array.shape.empty()) {
    const size_t digits = StrCat(array.shape[0]).size();
    dict.append(kGrowthAxisMaxDigits - std::min(digits, kGrowthAxisMaxDigits), ' ');
  }
  const uint64_t text_bytes = dict.size() + 1;  // + '\n'
  uint64_t preamble = kPreambleV1;
  uint64_t pad = kWriteAlignment - (preamble + text_bytes) % kWriteAlignment;
  if (text_bytes + pad > 0xFFFF) {
    preamble = kPreambleV2;
    pad = kWriteAlignment - (preamble + text_bytes) % kWriteAlignment;
  }
  const uint64_t header_bytes = text_bytes + pad;
  std::vector<uint8_t> data = widen ? WidenBFloat16(array.data) : std::vector<uint8_t>();
  const std::span<const uint8_t> payload = widen ? std::span<const uint8_t>(data) : array.data;

  std::vector<uint8_t> out;
  out.reserve(preamble + header_bytes + payload.size());
  out.insert(out.end(), std::begin(kMagic), std::end(kMagic));
  out.push_back(preamble == kPreambleV1 ? 1 : 2);
  out.push_back(0);
  for (uint64_t i = 0; i < preamble - 8; ++i) out.push_back(static_cast<uint8_t>(header_bytes >> (8 * i)));
  out.insert(out.end(), dict.begin(), dict.end());
  out.insert(out.end(), pad, ' ');
  out.push_back('\n');
  out.insert(out.end(), payload.begin(), payload.end());
  return out;
}

absl::StatusOr<Array> ReadFile(const std::string& path, const Limits& limits) {
  absl::StatusOr<util::MappedFile> file = util::MappedFile::Open(path);
  if (!file.ok()) return file.status();
  absl::StatusOr<Array> array = Parse(file->data(), limits);
  if (!array.ok()) return util::Annotate(array.status(), StrCat(path, ": "));
  return array;
}

absl::Status WriteFile(const std::string& path, const Array& array) {
  KGATE_RETURN_IF_ERROR(util::Annotate(CheckSerializable(array), StrCat(path, ": ")));
  const std::vector<uint8_t> bytes = Serialize(array);
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return absl::ErrnoToStatus(errno, StrCat("npy: cannot create ", path));
  size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      const int err = n < 0 ? errno : EIO;
      ::close(fd);
      return absl::ErrnoToStatus(err, StrCat("npy: cannot write ", path));
    }
    done += static_cast<size_t>(n);
  }
  if (::close(fd) != 0) return absl::ErrnoToStatus(errno, StrCat("npy: cannot write ", path));
  return absl::OkStatus();
}

}  // namespace kgate::io::npy
