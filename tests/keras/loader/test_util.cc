#include "test_util.h"

#include <fstream>
#include <iterator>
#include <set>

#include "gtest/gtest.h"
#include "io/zip/zip_reader.h"
#include "zlib.h"
#include "keras/layer_registry.h"
#include "keras/object_allowlist.h"
#include "util/strings.h"

namespace kgate::keras::testing {

std::string SourceDir() { return KGATE_SOURCE_DIR; }

std::vector<uint8_t> ReadFileBytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in.good()) << path;
  return std::vector<uint8_t>(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

io::json::Value ParseJson(std::string_view text) {
  auto v = io::json::Parse(text);
  EXPECT_TRUE(v.ok()) << v.status() << "\n" << text.substr(0, 400);
  return v.ok() ? std::move(*v) : io::json::Value();
}

std::string Describe(const util::FindingList& findings) {
  std::string out;
  for (const util::Finding& f : findings.findings()) {
    util::StrAppend(&out, "  ", f.rule, " [", util::SeverityName(f.severity), "] ", f.location, ": ", f.message, "\n");
  }
  return out;
}

bool HasRule(const util::FindingList& findings, std::string_view rule) { return FindRule(findings, rule) != nullptr; }

size_t CountRule(const util::FindingList& findings, std::string_view rule) {
  size_t n = 0;
  for (const util::Finding& f : findings.findings()) n += f.rule == rule;
  return n;
}

const util::Finding* FindRule(const util::FindingList& findings, std::string_view rule) {
  for (const util::Finding& f : findings.findings()) {
    if (f.rule == rule) return &f;
  }
  return nullptr;
}

std::vector<std::string> MissingLayerSpecs(const io::json::Value& config) {
  std::set<std::string> missing;
  std::vector<const io::json::Value*> stack{&config};
  while (!stack.empty()) {
    const io::json::Value* v = stack.back();
    stack.pop_back();
    if (v->is_array()) {
      for (const auto& e : v->array()) stack.push_back(&e);
    } else if (v->is_object()) {
      const io::json::Value* cls = v->Find("class_name");
      if (cls != nullptr && cls->is_string()) {
        const std::string& c = cls->string();
        bool special = c.size() > 4 && c.substr(0, 2) == "__";
        if (!special && c != "function" && FindLayerSpec(c) == nullptr && FindAllowedObject("", c) == nullptr) {
          missing.insert(c);
        }
      }
      for (const auto& m : v->object()) stack.push_back(&m.second);
    }
  }
  return {missing.begin(), missing.end()};
}

namespace {
void Put16(std::vector<uint8_t>& o, uint32_t v) {
  o.push_back(v & 0xff);
  o.push_back((v >> 8) & 0xff);
}
void Put32(std::vector<uint8_t>& o, uint32_t v) {
  Put16(o, v & 0xffff);
  Put16(o, v >> 16);
}
}  // namespace

std::vector<uint8_t> Bytes(std::string_view s) { return std::vector<uint8_t>(s.begin(), s.end()); }

std::vector<uint8_t> MakeZip(const std::vector<std::pair<std::string, std::vector<uint8_t>>>& members) {
  std::vector<uint8_t> out, central;
  for (const auto& [name, data] : members) {
    uint32_t crc = crc32(0, data.data(), static_cast<uInt>(data.size()));
    uint32_t offset = static_cast<uint32_t>(out.size());
    Put32(out, 0x04034b50);
    Put16(out, 20);
    Put16(out, 0);  // flags
    Put16(out, 0);  // STORED
    Put16(out, 0);  // time
    Put16(out, 0x21);  // date 1980-01-01
    Put32(out, crc);
    Put32(out, static_cast<uint32_t>(data.size()));
    Put32(out, static_cast<uint32_t>(data.size()));
    Put16(out, static_cast<uint32_t>(name.size()));
    Put16(out, 0);
    out.insert(out.end(), name.begin(), name.end());
    out.insert(out.end(), data.begin(), data.end());
    Put32(central, 0x02014b50);
    Put16(central, 0x0314);  // made by: Unix, 2.0
    Put16(central, 20);
    Put16(central, 0);
    Put16(central, 0);
    Put16(central, 0);
    Put16(central, 0x21);
    Put32(central, crc);
    Put32(central, static_cast<uint32_t>(data.size()));
    Put32(central, static_cast<uint32_t>(data.size()));
    Put16(central, static_cast<uint32_t>(name.size()));
    Put16(central, 0);
    Put16(central, 0);
    Put16(central, 0);  // disk
    Put16(central, 0);  // internal attributes
    Put32(central, 0100600u << 16);  // regular file, 0600
    Put32(central, offset);
    central.insert(central.end(), name.begin(), name.end());
  }
  uint32_t cd_offset = static_cast<uint32_t>(out.size());
  out.insert(out.end(), central.begin(), central.end());
  Put32(out, 0x06054b50);
  Put16(out, 0);
  Put16(out, 0);
  Put16(out, static_cast<uint32_t>(members.size()));
  Put16(out, static_cast<uint32_t>(members.size()));
  Put32(out, static_cast<uint32_t>(central.size()));
  Put32(out, cd_offset);
  Put16(out, 0);
  return out;
}

std::vector<std::pair<std::string, std::vector<uint8_t>>> ReadZip(const std::vector<uint8_t>& archive) {
  std::vector<std::pair<std::string, std::vector<uint8_t>>> out;
  auto zip = io::zip::ZipArchive::Open(archive);
  EXPECT_TRUE(zip.ok()) << zip.status();
  if (!zip.ok()) return out;
  for (const io::zip::Entry& e : zip->entries()) {
    auto data = zip->Read(e);
    EXPECT_TRUE(data.ok()) << data.status();
    if (data.ok()) out.emplace_back(e.name, std::vector<uint8_t>(data->bytes().begin(), data->bytes().end()));
  }
  return out;
}

}  // namespace kgate::keras::testing
