// File: hdf5.h
// A strict native reader for the HDF5 subset that h5py and Keras write:
// superblock v0-v3, object headers v1 and v2 with continuation chunks,
// old-style (symbol table) and new-style (compact link message) groups,
// dataspaces, IEEE float 16/32/64 and integer datatypes, fixed and
// variable-length strings (through global heap collections), contiguous,
// compact and chunked layouts with deflate and shuffle (fletcher32 on
// request), and attributes.
//
// Only hard links are ever followed. Soft, external and user-defined links are
// listed (so a scanner can report them with their targets) but never
// resolved; external storage (EFL), virtual datasets, unknown filters, shared
// messages and dense link/attribute storage (fractal heaps) are refused. Every
// offset, size and product is checked before use, a dataset's declared size
// must match what is stored, and reading never opens another file, follows a
// path from the file, or allocates more than the dataset's checked size.
// libhdf5 is not used: it follows external links and storage silently.
//
// Errors carry a rule from util/rules.h (KG-H001..KG-H008) and name the object
// path and the file offset; caps that were hit use RESOURCE_EXHAUSTED, all
// else INVALID_ARGUMENT (NOT_FOUND for OpenPath on a missing name).
//
// A File is a view: the bytes given to Open must outlive it and everything it
// returns. The bytes need no alignment (a STORED .keras member sits at any
// offset); views returned by ReadData have the same alignment, so read
// elements with memcpy. Reads are const and thread-safe: a File keeps no
// caches and each call re-reads the object headers it needs, within a work
// budget proportional to the file's size (metadata shared between objects
// cannot multiply the work).
//
// Layouts read: contiguous and compact data are returned as views into the
// file (no copy); chunked data (v1 B-tree, single-chunk, implicit and fixed
// array indexes; extensible arrays and v2 B-trees are KG-H006) is assembled
// into an owned buffer of exactly the declared size, missing chunks filled
// with the fill value. A chunked dataset above 64 MiB that stores less than
// 1/1000 of its declared size is refused before allocation (KG-H007,
// CVE-2026-0897). Fixed-length strings decode by their padding rule
// (null-terminated: up to the first NUL; null/space padded: trailing padding
// removed); strings are returned as stored, not validated as UTF-8.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "absl/status/statusor.h"
#include "util/dtype.h"

namespace kgate::io::hdf5 {

// Caps on what one file may make the reader do. A dataset over
// max_dataset_bytes and attributes over max_attribute_bytes are KG-H007; the
// others are KG-H001 with code RESOURCE_EXHAUSTED.
struct Limits {
  uint32_t max_rank = 32;                          // the format's own maximum
  uint64_t max_dataset_bytes = uint64_t{8} << 30;  // 8 GiB declared size for one dataset
  // Decoded attribute values of one object, all attributes together (8 bytes
  // per number, 32 + length per string): vlen references can point many
  // elements at one big heap object. Legacy model_config is ~1-2 MiB.
  uint64_t max_attribute_bytes = uint64_t{64} << 20;
  uint32_t max_links_per_group = 1 << 20;
  uint32_t max_path_depth = 64;                    // group nesting
  uint32_t max_messages_per_header = 1 << 16;      // the v1 header count field's range
  uint32_t max_continuations = 1 << 12;            // continuation chunks per object header
  uint64_t max_objects_visited = uint64_t{1} << 20;  // Visit() over the whole file
  // The fletcher32 checksum filter is refused (KG-H006) by default, as the
  // malicious-fixture manifest expects: Keras never writes it. When true, its
  // checksum is verified (a mismatch is KG-H001) and stripped.
  bool accept_fletcher32 = false;
};

enum class TypeClass : uint8_t { kInteger, kFloat, kFixedString, kVlenString, kBool };

struct Datatype {
  TypeClass type_class = TypeClass::kFloat;
  uint32_t size = 0;        // bytes per element (16 for vlen strings)
  bool is_signed = false;   // integers
  bool utf8 = false;        // strings: charset UTF-8 (else ASCII)
  // The util::DType of numeric data; kString for strings.
  util::DType dtype() const;
};

struct Dataspace {
  bool is_null = false;     // H5S_NULL: no elements
  bool is_scalar = false;   // rank 0, one element
  std::vector<uint64_t> dims;
  uint64_t num_elements() const;  // 0 for null, 1 for scalar
};

// A decoded attribute value, elements in C order: numbers (integers and bools
// too) as doubles, so integers beyond 2^53 are rounded; strings as stored.
struct Attribute {
  std::string name;
  Datatype type;
  Dataspace space;
  std::vector<std::string> strings;  // string attributes
  std::vector<double> numbers;       // numeric attributes (also ints, as doubles)
};

enum class LinkKind : uint8_t { kHard, kSoft, kExternal, kUserDefined };

struct Link {
  std::string name;
  LinkKind kind = LinkKind::kHard;
  uint64_t address = 0;      // hard links: object header address
  std::string target;        // soft: path; external: "file:/path" (reported, never opened)
};

struct Group {
  std::string path;
  uint64_t address = 0;
  std::vector<Link> links;           // sorted by name; names are unique
  std::vector<Attribute> attributes; // in header order
  const Attribute* FindAttribute(std::string_view name) const;
  const Link* FindLink(std::string_view name) const;
};

enum class Layout : uint8_t { kContiguous, kCompact, kChunked };

struct Dataset {
  std::string path;
  uint64_t address = 0;
  Datatype type;
  Dataspace space;
  Layout layout = Layout::kContiguous;
  std::vector<Attribute> attributes;
  const Attribute* FindAttribute(std::string_view name) const;
  uint64_t declared_bytes() const;   // num_elements * type.size, checked at open
};

using Object = std::variant<Group, Dataset>;

// Raw dataset bytes in C order, little-endian: a view into the file for
// contiguous/compact data, an owned buffer for chunked data.
// Copies of an owned buffer own their own bytes.
class DataBuffer {
 public:
  DataBuffer() = default;
  static DataBuffer View(std::span<const uint8_t> bytes);
  static DataBuffer Owned(std::vector<uint8_t> bytes);
  std::span<const uint8_t> bytes() const { return view_; }
  bool owned() const { return owned_flag_; }

  DataBuffer(const DataBuffer& other) { *this = other; }
  DataBuffer& operator=(const DataBuffer& other) {
    if (this == &other) return *this;
    owned_ = other.owned_;
    owned_flag_ = other.owned_flag_;
    view_ = owned_flag_ ? std::span<const uint8_t>(owned_) : other.view_;
    return *this;
  }
  DataBuffer(DataBuffer&& other) noexcept { *this = std::move(other); }
  DataBuffer& operator=(DataBuffer&& other) noexcept {
    owned_flag_ = other.owned_flag_;
    owned_ = std::move(other.owned_);
    view_ = owned_flag_ ? std::span<const uint8_t>(owned_) : other.view_;
    other.owned_.clear();
    other.view_ = {};
    other.owned_flag_ = false;
    return *this;
  }

 private:
  std::vector<uint8_t> owned_;
  std::span<const uint8_t> view_;
  bool owned_flag_ = false;
};

class File {
 public:
  // Validates the superblock and the root object header. A user block (data
  // before the superblock) is refused with KG-H008.
  static absl::StatusOr<File> Open(std::span<const uint8_t> bytes, const Limits& limits = {});

  File(File&&) noexcept;
  File& operator=(File&&) noexcept;
  ~File();

  // The root group ("/").
  absl::StatusOr<Group> Root() const;
  // The object at an absolute path like "/layers/dense/vars/0", reached
  // through hard links only; a soft/external/user-defined link anywhere on the
  // path is refused with its rule (KG-H003/KG-H002).
  absl::StatusOr<Object> OpenPath(std::string_view path) const;
  // The object a hard link points to; `path` is used in error messages.
  absl::StatusOr<Object> OpenObject(uint64_t address, std::string_view path) const;

  // Reads a dataset's data. Refuses external storage, virtual layout and
  // unsupported filters (checked at open), and any declared/stored size
  // disagreement (KG-H007).
  absl::StatusOr<DataBuffer> ReadData(const Dataset& dataset) const;
  // The values of a string dataset (fixed or variable length), decoded as
  // attribute strings are.
  absl::StatusOr<std::vector<std::string>> ReadStrings(const Dataset& dataset) const;

  // Visits every object reachable from the root through hard links, depth
  // first with children in name order, calling `visit` with the path and the
  // opened object or the error for that object; non-hard links are reported
  // through `on_link` (which may be null) and not followed. An object reached
  // twice (hard-link cycles, shared objects) is visited once; one nested
  // deeper than max_path_depth is reported to `visit` as an error and not
  // entered. Returns an error only when the walk itself cannot continue
  // (max_objects_visited, the work budget, root unreadable).
  absl::Status Visit(const std::function<void(std::string_view path, const absl::StatusOr<Object>& object)>& visit,
                     const std::function<void(std::string_view group_path, const Link& link)>& on_link) const;

 private:
  struct Impl;
  explicit File(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// True when `bytes` start with the HDF5 signature at offset 0.
bool LooksLikeHdf5(std::span<const uint8_t> bytes);
// True when the HDF5 signature appears at 512, 1024, 2048, ... (a user block
// or polyglot), which LooksLikeHdf5 would miss.
bool HasHdf5SignatureAfterUserBlock(std::span<const uint8_t> bytes);

}  // namespace kgate::io::hdf5
