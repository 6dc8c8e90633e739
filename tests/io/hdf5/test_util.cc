#include "test_util.h"

#include <cstdlib>
#include <fstream>
#include <iterator>
#include <stdexcept>

#include "io/hdf5/internal/checksum.h"
#include "io/hdf5/internal/superblock.h"
#include "util/rules.h"

namespace kgate::io::hdf5::testing {

std::string FixturePath(const std::string& name) {
  return std::string(KGATE_SOURCE_DIR) + "/tests/fixtures/hdf5/" + name;
}

std::vector<uint8_t> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::vector<uint8_t>((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

std::vector<uint8_t> Fixture(const std::string& name) { return ReadFile(FixturePath(name)); }

uint64_t Fnv1a64(std::span<const uint8_t> bytes) {
  uint64_t h = 0xCBF29CE484222325ull;
  for (uint8_t b : bytes) {
    h ^= b;
    h *= 0x100000001B3ull;
  }
  return h;
}

const Json* Json::Find(const std::string& key) const {
  for (const auto& [k, v] : members) {
    if (k == key) return &v;
  }
  return nullptr;
}

const Json& Json::operator[](const std::string& key) const {
  static const Json kNullJson;
  const Json* v = Find(key);
  return v ? *v : kNullJson;
}

namespace {

class Parser {
 public:
  explicit Parser(const std::string& t) : t_(t) {}
  Json Value() {
    Ws();
    Json j;
    const char c = t_.at(p_);
    if (c == '{') {
      j.kind = Json::kObject;
      ++p_;
      Ws();
      if (t_[p_] == '}') { ++p_; return j; }
      while (true) {
        Ws();
        std::string key = String();
        Ws();
        Expect(':');
        j.members.push_back(Json::Member{std::move(key), Value()});
        Ws();
        if (t_[p_] == ',') { ++p_; continue; }
        Expect('}');
        return j;
      }
    }
    if (c == '[') {
      j.kind = Json::kArray;
      ++p_;
      Ws();
      if (t_[p_] == ']') { ++p_; return j; }
      while (true) {
        j.items.push_back(Value());
        Ws();
        if (t_[p_] == ',') { ++p_; continue; }
        Expect(']');
        return j;
      }
    }
    if (c == '"') {
      j.kind = Json::kString;
      j.str = String();
      return j;
    }
    if (t_.compare(p_, 4, "true") == 0) { p_ += 4; j.kind = Json::kBool; j.b = true; return j; }
    if (t_.compare(p_, 5, "false") == 0) { p_ += 5; j.kind = Json::kBool; return j; }
    if (t_.compare(p_, 4, "null") == 0) { p_ += 4; return j; }
    char* end = nullptr;
    j.kind = Json::kNumber;
    j.number = std::strtod(t_.c_str() + p_, &end);
    if (end == t_.c_str() + p_) throw std::runtime_error("bad JSON at " + std::to_string(p_));
    p_ = end - t_.c_str();
    return j;
  }

 private:
  void Ws() { while (p_ < t_.size() && isspace(static_cast<unsigned char>(t_[p_]))) ++p_; }
  void Expect(char c) {
    if (t_.at(p_) != c) throw std::runtime_error(std::string("expected ") + c + " at " + std::to_string(p_));
    ++p_;
  }
  void Utf8(uint32_t cp, std::string* out) {
    if (cp < 0x80) { out->push_back(static_cast<char>(cp)); }
    else if (cp < 0x800) { out->push_back(static_cast<char>(0xC0 | (cp >> 6))); out->push_back(static_cast<char>(0x80 | (cp & 0x3F))); }
    else if (cp < 0x10000) { out->push_back(static_cast<char>(0xE0 | (cp >> 12))); out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F))); out->push_back(static_cast<char>(0x80 | (cp & 0x3F))); }
    else { out->push_back(static_cast<char>(0xF0 | (cp >> 18))); out->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F))); out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F))); out->push_back(static_cast<char>(0x80 | (cp & 0x3F))); }
  }
  uint32_t Hex4() {
    uint32_t v = std::stoul(t_.substr(p_, 4), nullptr, 16);
    p_ += 4;
    return v;
  }
  std::string String() {
    Expect('"');
    std::string out;
    while (t_.at(p_) != '"') {
      char c = t_[p_++];
      if (c != '\\') { out.push_back(c); continue; }
      c = t_[p_++];
      switch (c) {
        case 'n': out.push_back('\n'); break;
        case 't': out.push_back('\t'); break;
        case 'r': out.push_back('\r'); break;
        case 'b': out.push_back('\b'); break;
        case 'f': out.push_back('\f'); break;
        case 'u': {
          uint32_t cp = Hex4();
          if (cp >= 0xD800 && cp < 0xDC00 && t_.compare(p_, 2, "\\u") == 0) {
            p_ += 2;
            const uint32_t lo = Hex4();
            cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
          }
          Utf8(cp, &out);
          break;
        }
        default: out.push_back(c);
      }
    }
    ++p_;
    return out;
  }

  const std::string& t_;
  size_t p_ = 0;
};

}  // namespace

Json ParseJson(const std::string& text) { return Parser(text).Value(); }

std::string Rule(const absl::Status& s) { return util::RuleOf(s).value_or(""); }

ExerciseResult Exercise(std::span<const uint8_t> bytes, const Limits& limits) {
  ExerciseResult r;
  auto file = File::Open(bytes, limits);
  r.open = file.status();
  if (!file.ok()) return r;
  auto note = [&](const absl::Status& s) { r.errors.emplace_back(s, Rule(s)); };
  absl::Status walk = file->Visit(
      [&](std::string_view path, const absl::StatusOr<Object>& object) {
        ++r.objects;
        if (!object.ok()) {
          note(object.status());
          return;
        }
        const Dataset* d = std::get_if<Dataset>(&*object);
        if (d == nullptr) return;
        auto data = file->ReadData(*d);
        if (!data.ok()) {
          note(data.status());
        } else {
          ++r.datasets_read;
          if (data->bytes().size() != d->declared_bytes()) note(absl::InternalError("size mismatch"));
        }
        if (d->type.type_class == TypeClass::kFixedString || d->type.type_class == TypeClass::kVlenString) {
          auto strings = file->ReadStrings(*d);
          if (!strings.ok()) note(strings.status());
        }
      },
      [&](std::string_view, const Link& link) {
        auto target = file->OpenPath("/");
        if (!target.ok()) note(target.status());
      });
  if (!walk.ok()) note(walk);
  return r;
}

internal::Context MakeContext(std::span<const uint8_t> bytes) {
  auto sb = internal::ParseSuperblock(bytes);
  if (!sb.ok()) throw std::runtime_error("bad superblock");
  internal::Context ctx;
  ctx.file = bytes.first(sb->eof_address);
  ctx.offset_size = sb->offset_size;
  ctx.length_size = sb->length_size;
  return ctx;
}

uint64_t AddressOf(std::span<const uint8_t> bytes, const std::string& path) {
  Limits limits;
  limits.accept_fletcher32 = true;
  auto file = File::Open(bytes, limits);
  if (!file.ok()) throw std::runtime_error("cannot open");
  auto object = file->OpenPath(path);
  if (!object.ok()) throw std::runtime_error("no object " + path);
  if (auto* g = std::get_if<Group>(&*object)) return g->address;
  return std::get<Dataset>(*object).address;
}

internal::ObjectHeader HeaderAt(std::span<const uint8_t> bytes, uint64_t address) {
  const internal::Context ctx = MakeContext(bytes);
  auto header = internal::ReadObjectHeader(ctx, address);
  if (!header.ok()) throw std::runtime_error("bad header");
  return *header;
}

internal::Message FindMessage(std::span<const uint8_t> bytes, const std::string& path, uint16_t type) {
  for (const auto& m : HeaderAt(bytes, AddressOf(bytes, path)).messages) {
    if (m.type == type) return m;
  }
  throw std::runtime_error("no message of that type in " + path);
}

std::vector<uint64_t> AllObjects(std::span<const uint8_t> bytes) {
  std::vector<uint64_t> out;
  Limits limits;
  limits.accept_fletcher32 = true;
  auto file = File::Open(bytes, limits);
  if (!file.ok()) return out;
  file->Visit(
           [&](std::string_view, const absl::StatusOr<Object>& o) {
             if (!o.ok()) return;
             if (auto* g = std::get_if<Group>(&*o)) out.push_back(g->address);
             else out.push_back(std::get<Dataset>(*o).address);
           },
           nullptr)
      .IgnoreError();
  return out;
}

void Put(std::vector<uint8_t>& bytes, uint64_t offset, uint64_t value, unsigned width) {
  for (unsigned i = 0; i < width; ++i) bytes.at(offset + i) = static_cast<uint8_t>(value >> (8 * i));
}

uint64_t Get(std::span<const uint8_t> bytes, uint64_t offset, unsigned width) {
  uint64_t v = 0;
  for (unsigned i = 0; i < width; ++i) v |= uint64_t{bytes[offset + i]} << (8 * i);
  return v;
}

std::vector<std::pair<uint64_t, uint64_t>> ChecksummedRanges(std::span<const uint8_t> bytes) {
  std::vector<std::pair<uint64_t, uint64_t>> out;
  for (uint64_t address : AllObjects(bytes)) {
    for (const auto& range : HeaderAt(bytes, address).checksummed) out.push_back(range);
  }
  return out;
}

void Reseal(std::vector<uint8_t>& bytes, const std::vector<std::pair<uint64_t, uint64_t>>& chunks) {
  if (bytes.size() > 9 && (bytes[8] == 2 || bytes[8] == 3)) {
    const uint64_t end = 12 + 4 * uint64_t{bytes[9]};
    if (end + 4 <= bytes.size()) {
      Put(bytes, end, internal::Lookup3(std::span<const uint8_t>(bytes).first(end)), 4);
    }
  }
  for (const auto& [offset, length] : chunks) {
    if (offset + length + 4 > bytes.size()) continue;
    Put(bytes, offset + length, internal::Lookup3(std::span<const uint8_t>(bytes).subspan(offset, length)), 4);
  }
}

}  // namespace kgate::io::hdf5::testing
