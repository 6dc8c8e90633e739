#include "zip_test_writer.h"

#include <zlib.h>

#include <numeric>
#include <stdexcept>

namespace kgate::io::zip::testing {
namespace {

void Put16(std::string* out, uint16_t v) {
  out->push_back(static_cast<char>(v & 0xFF));
  out->push_back(static_cast<char>(v >> 8));
}

void Put32(std::string* out, uint32_t v) {
  for (int i = 0; i < 4; ++i) out->push_back(static_cast<char>((v >> (8 * i)) & 0xFF));
}

struct Written {
  uint32_t crc;
  uint32_t csize;
  uint32_t usize;
  uint32_t offset;
};

}  // namespace

uint32_t Crc(const std::string& data) {
  return static_cast<uint32_t>(
      crc32(0, reinterpret_cast<const Bytef*>(data.data()), static_cast<uInt>(data.size())));
}

std::string Deflate(const std::string& data) {
  z_stream s{};
  if (deflateInit2(&s, 9, Z_DEFLATED, -MAX_WBITS, 8, Z_DEFAULT_STRATEGY) != Z_OK) std::abort();
  std::string out(deflateBound(&s, data.size()) + 16, '\0');
  s.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  s.avail_in = static_cast<uInt>(data.size());
  s.next_out = reinterpret_cast<Bytef*>(out.data());
  s.avail_out = static_cast<uInt>(out.size());
  if (deflate(&s, Z_FINISH) != Z_STREAM_END) std::abort();
  out.resize(s.total_out);
  deflateEnd(&s);
  return out;
}

std::vector<uint8_t> Build(const TestArchive& a) {
  std::string out = a.prefix;
  const uint32_t base = a.prefix_adjusts_offsets ? 0 : static_cast<uint32_t>(a.prefix.size());
  std::vector<Written> written;
  for (const TestEntry& e : a.entries) {
    out += e.before;
    Written w;
    w.offset = static_cast<uint32_t>(out.size()) - base;
    std::string stored = e.compressed ? *e.compressed : (e.method == 8 ? Deflate(e.data) : e.data);
    w.crc = e.crc ? *e.crc : Crc(e.data);
    w.csize = e.compressed_size ? *e.compressed_size : static_cast<uint32_t>(stored.size());
    w.usize = e.uncompressed_size ? *e.uncompressed_size : static_cast<uint32_t>(e.data.size());
    const uint16_t flags = e.flags | (e.data_descriptor ? 0x0008 : 0);
    const std::string& local_name = e.local_name ? *e.local_name : e.name;
    Put32(&out, 0x04034b50);
    Put16(&out, 20);
    Put16(&out, e.local_flags ? *e.local_flags : flags);
    Put16(&out, e.local_method ? *e.local_method : e.method);
    Put16(&out, 0);       // time
    Put16(&out, 0x21);    // date 1980-01-01
    Put32(&out, e.local_crc ? *e.local_crc : (e.data_descriptor ? 0 : w.crc));
    Put32(&out, e.local_compressed_size ? *e.local_compressed_size : (e.data_descriptor ? 0 : w.csize));
    Put32(&out, e.local_uncompressed_size ? *e.local_uncompressed_size : (e.data_descriptor ? 0 : w.usize));
    Put16(&out, static_cast<uint16_t>(local_name.size()));
    Put16(&out, static_cast<uint16_t>(e.local_extra.size()));
    out += local_name;
    out += e.local_extra;
    out += stored;
    if (e.data_descriptor) {
      if (e.descriptor_signature) Put32(&out, 0x08074b50);
      Put32(&out, e.descriptor_crc ? *e.descriptor_crc : w.crc);
      Put32(&out, w.csize);
      Put32(&out, w.usize);
    }
    written.push_back(w);
  }
  out += a.before_central;
  const uint32_t cd_offset = static_cast<uint32_t>(out.size()) - base;
  std::vector<size_t> order = a.central_order;
  if (order.empty()) {
    order.resize(a.entries.size());
    std::iota(order.begin(), order.end(), 0);
  }
  for (size_t i : order) {
    const TestEntry& e = a.entries[i];
    const Written& w = written[i];
    Put32(&out, 0x02014b50);
    Put16(&out, e.version_made_by);
    Put16(&out, 20);
    Put16(&out, e.flags | (e.data_descriptor ? 0x0008 : 0));
    Put16(&out, e.method);
    Put16(&out, 0);
    Put16(&out, 0x21);
    Put32(&out, w.crc);
    Put32(&out, w.csize);
    Put32(&out, w.usize);
    Put16(&out, static_cast<uint16_t>(e.name.size()));
    Put16(&out, static_cast<uint16_t>(e.central_extra.size()));
    Put16(&out, static_cast<uint16_t>(e.comment.size()));
    Put16(&out, e.disk_start ? *e.disk_start : 0);
    Put16(&out, 0);  // internal attributes
    Put32(&out, e.external_attributes);
    Put32(&out, e.local_header_offset ? *e.local_header_offset : w.offset);
    out += e.name;
    out += e.central_extra;
    out += e.comment;
  }
  const uint32_t cd_size = static_cast<uint32_t>(out.size()) - base - cd_offset;
  out += a.before_end;
  if (a.zip64_locator) {
    Put32(&out, 0x07064b50);
    Put32(&out, 0);
    Put32(&out, 0);
    Put32(&out, 0);
    Put32(&out, 1);
  }
  const uint16_t count = static_cast<uint16_t>(order.size());
  Put32(&out, 0x06054b50);
  Put16(&out, a.disk ? *a.disk : 0);
  Put16(&out, a.cd_disk ? *a.cd_disk : 0);
  Put16(&out, a.entries_on_disk ? *a.entries_on_disk : count);
  Put16(&out, a.entries_total ? *a.entries_total : count);
  Put32(&out, a.cd_size ? *a.cd_size : cd_size);
  Put32(&out, a.cd_offset ? *a.cd_offset : cd_offset);
  Put16(&out, a.comment_length ? *a.comment_length : static_cast<uint16_t>(a.comment.size()));
  out += a.comment;
  out += a.trailing;
  return std::vector<uint8_t>(out.begin(), out.end());
}

std::vector<uint8_t> Simple(const std::vector<std::pair<std::string, std::string>>& members, uint16_t method) {
  TestArchive a;
  for (const auto& [name, data] : members) {
    TestEntry e;
    e.name = name;
    e.data = data;
    e.method = method;
    a.entries.push_back(std::move(e));
  }
  return Build(a);
}

}  // namespace kgate::io::zip::testing
