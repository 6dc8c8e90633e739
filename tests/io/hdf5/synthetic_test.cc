// Hand-built files for the parts of the format h5py does not write (or not
// in the shape an attacker would): superblock v1, user-defined links,
// superblock extensions, unusual messages and datatypes, deep nesting.
#include <cstdio>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "io/hdf5/hdf5.h"
#include "io/hdf5/internal/checksum.h"
#include "test_util.h"

namespace kgate::io::hdf5::testing {
namespace {

using ::testing::HasSubstr;
constexpr uint64_t kUndef = ~uint64_t{0};

struct Msg {
  uint16_t type;
  std::vector<uint8_t> body;
  uint8_t flags = 0;
};

// Little-endian byte assembly.
struct Bytes {
  std::vector<uint8_t> b;
  Bytes& U(uint64_t v, unsigned width) {
    for (unsigned i = 0; i < width; ++i) b.push_back(i < 8 ? static_cast<uint8_t>(v >> (8 * i)) : 0);
    return *this;
  }
  Bytes& U8(uint64_t v) { return U(v, 1); }
  Bytes& U16(uint64_t v) { return U(v, 2); }
  Bytes& U32(uint64_t v) { return U(v, 4); }
  Bytes& U64(uint64_t v) { return U(v, 8); }
  Bytes& Str(std::string_view s) {
    b.insert(b.end(), s.begin(), s.end());
    return *this;
  }
  Bytes& Raw(const std::vector<uint8_t>& v) {
    b.insert(b.end(), v.begin(), v.end());
    return *this;
  }
};

// Builds a file with 8-byte offsets: superblock v0, v1, v2 or v3, then
// objects appended one after the other.
class Builder {
 public:
  explicit Builder(uint8_t sb_version) : version_(sb_version) {
    out_.b.resize(sb_version <= 1 ? 104 : 48, 0);
  }
  uint64_t Here() const { return out_.b.size(); }
  uint64_t Append(const std::vector<uint8_t>& data) {
    while (out_.b.size() % 8) out_.b.push_back(0);
    const uint64_t at = Here();
    out_.Raw(data);
    return at;
  }
  // A version 2 object header ("OHDR") holding `msgs` in one chunk.
  uint64_t ObjectV2(const std::vector<Msg>& msgs) {
    Bytes body;
    for (const Msg& m : msgs) body.U8(m.type).U16(m.body.size()).U8(m.flags).Raw(m.body);
    Bytes h;
    h.Str("OHDR").U8(2).U8(0x02).U32(body.b.size()).Raw(body.b);
    h.U32(internal::Lookup3(h.b));
    return Append(h.b);
  }
  // A version 1 object header holding `msgs` (bodies padded to 8).
  uint64_t ObjectV1(const std::vector<Msg>& msgs) {
    Bytes body;
    for (const Msg& m : msgs) {
      std::vector<uint8_t> padded = m.body;
      while (padded.size() % 8) padded.push_back(0);
      body.U16(m.type).U16(padded.size()).U8(m.flags).U(0, 3).Raw(padded);
    }
    Bytes h;
    h.U8(1).U8(0).U16(msgs.size()).U32(1).U32(body.b.size()).U32(0).Raw(body.b);
    return Append(h.b);
  }
  void SetExtension(uint64_t address) { extension_ = address; }
  std::vector<uint8_t> Finish(uint64_t root) {
    Bytes sb;
    sb.Raw({0x89, 'H', 'D', 'F', '\r', '\n', 0x1a, '\n'});
    const uint64_t eof = out_.b.size();
    if (version_ <= 1) {
      sb.U8(version_).U8(0).U8(0).U8(0).U8(0).U8(8).U8(8).U8(0).U16(4).U16(16).U32(0);
      if (version_ == 1) sb.U16(32).U16(0);
      sb.U64(0).U64(kUndef).U64(eof).U64(kUndef);
      sb.U64(0).U64(root).U32(0).U32(0).U(0, 16);  // root symbol table entry
    } else {
      sb.U8(version_).U8(8).U8(8).U8(0).U64(0).U64(extension_).U64(eof).U64(root);
      sb.U32(internal::Lookup3(sb.b));
    }
    std::copy(sb.b.begin(), sb.b.end(), out_.b.begin());
    return out_.b;
  }

 private:
  uint8_t version_;
  uint64_t extension_ = kUndef;
  Bytes out_;
};

Msg LinkInfo() { return {internal::kMsgLinkInfo, Bytes().U8(0).U8(0).U64(kUndef).U64(kUndef).b}; }
Msg GroupInfo() { return {internal::kMsgGroupInfo, Bytes().U8(0).U8(0).b}; }
Msg HardLink(std::string_view name, uint64_t address) {
  return {internal::kMsgLink, Bytes().U8(1).U8(0).U8(name.size()).Str(name).U64(address).b};
}
Msg UserLink(std::string_view name, uint8_t type) {
  return {internal::kMsgLink, Bytes().U8(1).U8(0x08).U8(type).U8(name.size()).Str(name).U16(3).Str("abc").b};
}
Msg Space(std::vector<uint64_t> dims, uint8_t version = 2) {
  Bytes b;
  if (version == 1) {
    b.U8(1).U8(dims.size()).U8(0).U8(0).U32(0);
  } else {
    b.U8(2).U8(dims.size()).U8(0).U8(1);
  }
  for (uint64_t d : dims) b.U64(d);
  return {internal::kMsgDataspace, b.b};
}
std::vector<uint8_t> FloatType(uint32_t bias = 127) {
  return Bytes().U8(0x11).U8(0x20).U8(31).U8(0).U32(4).U16(0).U16(32).U8(23).U8(8).U8(0).U8(23).U32(bias).b;
}
Msg Type(std::vector<uint8_t> t) { return {internal::kMsgDatatype, std::move(t), 1}; }
Msg Contiguous(uint64_t address, uint64_t size) {
  return {internal::kMsgLayout, Bytes().U8(3).U8(1).U64(address).U64(size).b};
}

// A file whose root holds one float32 dataset "x" of 4 elements, plus the
// extra root messages and dataset messages given.
std::vector<uint8_t> OneDataset(uint8_t sb_version, const std::vector<Msg>& extra_root = {},
                                std::vector<Msg> dataset = {}) {
  Builder b(sb_version);
  const uint64_t data = b.Append(Bytes().U32(0x3f800000).U32(0x40000000).U32(0x40400000).U32(0x40800000).b);
  if (dataset.empty()) dataset = {Space({4}), Type(FloatType()), Contiguous(data, 16)};
  const uint64_t x = b.ObjectV2(dataset);
  std::vector<Msg> root = {LinkInfo(), GroupInfo(), HardLink("x", x)};
  root.insert(root.end(), extra_root.begin(), extra_root.end());
  return b.Finish(b.ObjectV2(root));
}

absl::Status OpenX(const std::vector<uint8_t>& bytes) {
  auto file = File::Open(bytes);
  if (!file.ok()) return file.status();
  auto x = file->OpenPath("/x");
  if (!x.ok()) return x.status();
  return file->ReadData(std::get<Dataset>(*x)).status();
}

TEST(Hdf5SyntheticTest, EverySuperblockVersionReadsTheSameData) {
  for (uint8_t version : {0, 1, 2, 3}) {
    const auto bytes = OneDataset(version);
    auto file = File::Open(bytes);
    ASSERT_TRUE(file.ok()) << int(version) << ": " << file.status();
    auto x = file->OpenPath("/x");
    ASSERT_TRUE(x.ok()) << x.status();
    auto data = file->ReadData(std::get<Dataset>(*x));
    ASSERT_TRUE(data.ok()) << data.status();
    ASSERT_EQ(data->bytes().size(), 16u);
    float values[4];
    std::memcpy(values, data->bytes().data(), 16);
    EXPECT_EQ(values[3], 4.0f);
  }
}

TEST(Hdf5SyntheticTest, UserDefinedLinksAreReportedNotFollowed) {
  const auto bytes = OneDataset(2, {UserLink("ud", 65)});
  auto file = File::Open(bytes);
  ASSERT_TRUE(file.ok()) << file.status();
  std::vector<std::string> seen;
  ASSERT_TRUE(file->Visit([](auto, auto&) {},
                          [&](std::string_view g, const Link& l) {
                            EXPECT_EQ(l.kind, LinkKind::kUserDefined);
                            seen.push_back(l.target);
                          })
                  .ok());
  EXPECT_THAT(seen, ::testing::ElementsAre(HasSubstr("user-defined link type 65")));
  const absl::Status s = file->OpenPath("/ud/y").status();
  EXPECT_EQ(Rule(s), "KG-H003") << s;
  EXPECT_EQ(Rule(File::Open(OneDataset(2, {UserLink("bad", 7)})).status()), "KG-H001");  // reserved type
}

TEST(Hdf5SyntheticTest, SuperblockExtensionIsChecked) {
  for (const auto& [msg, rule] : std::vector<std::pair<Msg, std::string>>{
           {{internal::kMsgBTreeK, Bytes().U8(0).U16(32).U16(16).U16(4).b}, ""},
           {{internal::kMsgSharedMessageTable, Bytes().U8(0).U64(100).U8(1).b}, "KG-H006"},
           {{internal::kMsgDriverInfo, Bytes().U8(0).Str("NCSAmult").U16(0).b}, "KG-H006"},
           {{0x0042, Bytes().U64(0).b}, "KG-H006"}}) {
    Builder b(3);
    const uint64_t ext = b.ObjectV2({msg});
    b.SetExtension(ext);
    const auto bytes = b.Finish(b.ObjectV2({LinkInfo(), GroupInfo()}));
    const absl::Status s = File::Open(bytes).status();
    EXPECT_EQ(Rule(s), rule) << s;
  }
}

TEST(Hdf5SyntheticTest, UnknownMessageIsRefusedEvenWhenMarkedIgnorable) {
  for (uint8_t flags : {uint8_t{0}, internal::kMsgFlagFailIfUnknown, internal::kMsgFlagFailIfUnknownWrite}) {
    const auto bytes = OneDataset(2, {{0x00F0, Bytes().U64(0).b, flags}});
    const absl::Status s = File::Open(bytes).status();
    EXPECT_EQ(Rule(s), "KG-H006") << s;
    EXPECT_THAT(std::string(s.message()), HasSubstr("message type 0x00f0 (unknown)"));
  }
  const auto harmless = OneDataset(2, {{internal::kMsgModificationTime, Bytes().U8(1).U(0, 3).U32(7).b},
                                       {internal::kMsgReferenceCount, Bytes().U8(0).U32(1).b}});
  EXPECT_TRUE(File::Open(harmless).ok());
}

TEST(Hdf5SyntheticTest, DenseStorageIsRefused) {
  const Msg dense_links{internal::kMsgLinkInfo, Bytes().U8(0).U8(0).U64(4096).U64(kUndef).b};
  Builder b(2);
  const auto bytes = b.Finish(b.ObjectV2({dense_links, GroupInfo()}));
  EXPECT_THAT(std::string(File::Open(bytes).status().message()), HasSubstr("dense link storage"));
  const Msg dense_attrs{internal::kMsgAttributeInfo, Bytes().U8(0).U8(0).U64(4096).U64(8192).b};
  EXPECT_EQ(Rule(OpenX(OneDataset(2, {dense_attrs}))), "KG-H006");
}

TEST(Hdf5SyntheticTest, UnsupportedDatatypesNameTheProblem) {
  const struct {
    std::vector<uint8_t> type;
    std::string text;
  } cases[] = {
      {FloatType(126), "is not IEEE"},
      {Bytes().U8(0x10).U8(0x08).U8(0).U8(0).U32(4).U16(0).U16(24).b, "padded integers"},
      {Bytes().U8(0x10).U8(0x09).U8(0).U8(0).U32(4).U16(0).U16(32).b, "big-endian"},
      {Bytes().U8(0x10).U8(0x00).U8(0).U8(0).U32(3).U16(0).U16(24).b, "size 3"},
      {Bytes().U8(0x12).U8(0).U8(0).U8(0).U32(4).U16(0).U16(32).b, "time"},
      {Bytes().U8(0x14).U8(0).U8(0).U8(0).U32(4).U16(0).U16(32).b, "bitfield"},
      {Bytes().U8(0x60 | 0x01).U8(0x20).U8(31).U8(0).U32(4).U16(0).U16(32).U8(23).U8(8).U8(0).U8(23).U32(127).b,
       "version 6"},
      {Bytes().U8(0x38).U8(2).U8(0).U8(0).U32(1).U8(0x10).U8(0x08).U8(0).U8(0).U32(1).U16(0).U16(8)
           .Str("NO").U8(0).Str("YES").U8(0).U8(0).U8(1).b, "bool"},
  };
  for (const auto& c : cases) {
    Builder b(2);
    const uint64_t x = b.ObjectV2({Space({4}), Type(c.type), Contiguous(kUndef, 0)});
    const auto bytes = b.Finish(b.ObjectV2({LinkInfo(), GroupInfo(), HardLink("x", x)}));
    const absl::Status s = OpenX(bytes);
    EXPECT_EQ(Rule(s), "KG-H006") << s;
    EXPECT_THAT(std::string(s.message()), HasSubstr(c.text));
  }
}

TEST(Hdf5SyntheticTest, LayoutProblemsCarryTheirRules) {
  const struct {
    std::vector<Msg> dataset;
    std::string rule, text;
  } cases[] = {
      {{Space({4}), Type(FloatType()), {internal::kMsgLayout, Bytes().U8(4).U8(3).U64(1).U32(0).b}},
       "KG-H005", "virtual dataset"},
      {{Space({4}), Type(FloatType()), {internal::kMsgLayout, Bytes().U8(2).U8(2).U8(1).U(0, 5).U64(0).U32(4).b}},
       "KG-H006", "layout version 2"},
      {{Space({4}), Type(FloatType()), {internal::kMsgLayout, Bytes().U8(3).U8(0).U16(8).U64(0).b}},
       "KG-H007", "compact storage holds 8 bytes"},
      {{Space({4}), Type(FloatType()), Contiguous(64, 16),
        {internal::kMsgFilterPipeline, Bytes().U8(2).U8(1).U16(1).U16(0).U16(0).b}},
       "KG-H001", "not chunked"},
      {{Space({4}), Type(FloatType()),
        {internal::kMsgLayout, Bytes().U8(3).U8(2).U8(3).U64(kUndef).U32(2).U32(2).U32(4).b}},
       "KG-H001", "rank 2 for a dataspace of rank 1"},
      {{Space({1 << 20}), Type(FloatType()),
        {internal::kMsgLayout, Bytes().U8(4).U8(2).U8(0).U8(2).U8(4).U32(1 << 30).U32(4).U8(2).U64(kUndef).b}},
       "KG-H001", "exceeds 4 GiB"},
      {{Space({4}), Type(FloatType()),
        {internal::kMsgLayout, Bytes().U8(3).U8(2).U8(2).U64(kUndef).U32(2).U32(4).b},
        {internal::kMsgFilterPipeline, Bytes().U8(2).U8(1).U16(2).U16(0).U16(1).U32(8).b}},
       "KG-H001", "shuffle filter parameters"},
      {{Space({4}), Type(FloatType()),
        {internal::kMsgLayout, Bytes().U8(3).U8(2).U8(2).U64(kUndef).U32(2).U32(4).b},
        {internal::kMsgFilterPipeline, Bytes().U8(1).U8(1).U(0, 6).U16(307).U16(8).U16(0).U16(0).Str(std::string_view("bzip2\0\0\0", 8)).b}},
       "KG-H006", "filter 307 (bzip2)"},
      {{Space({4}), Type(FloatType()), Contiguous(64, 16),
        {internal::kMsgExternalFiles, Bytes().U8(1).U(0, 3).U16(1).U16(1).U64(kUndef).U64(0).U64(0).U64(16).b}},
       "KG-H004", "external storage"},
      {{{internal::kMsgDataspace, Bytes().U8(1).U8(1).U8(3).U8(0).U32(0).U64(4).U64(4).U64(0).b},
        Type(FloatType()), Contiguous(64, 16)},
       "KG-H006", "permutation"},
      {{{internal::kMsgDataspace, Bytes().U8(2).U8(1).U8(1).U8(1).U64(8).U64(4).b}, Type(FloatType()),
        Contiguous(64, 32)},
       "KG-H001", "exceeds its maximum"},
      {{Space({4}), Type(FloatType()), Contiguous(64, 16), Space({4})}, "KG-H001", "duplicate dataspace"},
      {{Space({4}), Contiguous(64, 16)}, "KG-H001", "missing its dataspace, datatype or layout"},
  };
  for (const auto& c : cases) {
    Builder b(2);
    const uint64_t x = b.ObjectV2(c.dataset);
    const auto bytes = b.Finish(b.ObjectV2({LinkInfo(), GroupInfo(), HardLink("x", x)}));
    const absl::Status s = OpenX(bytes);
    EXPECT_EQ(Rule(s), c.rule) << s;
    EXPECT_THAT(std::string(s.message()), HasSubstr(c.text)) << c.text;
  }
}

TEST(Hdf5SyntheticTest, OldFillValueAndV1HeadersWork) {
  Builder b(0);
  const uint64_t data = b.Append(Bytes().U32(0x3f800000).U32(0).b);
  const uint64_t x = b.ObjectV1({Space({2}, 1), Type(FloatType()),
                                 {internal::kMsgFillValueOld, Bytes().U32(4).U32(0x3f800000).b},
                                 Contiguous(data, 8)});
  const auto bytes = b.Finish(b.ObjectV2({LinkInfo(), GroupInfo(), HardLink("x", x)}));
  EXPECT_TRUE(OpenX(bytes).ok()) << OpenX(bytes);
}

TEST(Hdf5SyntheticTest, DeepNestingIsReportedAndTheWalkGoesOn) {
  Builder b(2);
  uint64_t child = b.ObjectV2({LinkInfo(), GroupInfo()});
  for (int i = 0; i < 80; ++i) child = b.ObjectV2({LinkInfo(), GroupInfo(), HardLink("g", child)});
  const uint64_t sibling = b.ObjectV2({LinkInfo(), GroupInfo()});
  const auto bytes = b.Finish(b.ObjectV2({LinkInfo(), GroupInfo(), HardLink("a", child), HardLink("b", sibling)}));
  auto file = File::Open(bytes);
  ASSERT_TRUE(file.ok());
  std::vector<std::string> errors, paths;
  ASSERT_TRUE(file->Visit(
                      [&](std::string_view p, const absl::StatusOr<Object>& o) {
                        paths.emplace_back(p);
                        if (!o.ok()) errors.push_back(Rule(o.status()) + " " + std::string(o.status().message()));
                      },
                      nullptr)
                  .ok());
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_THAT(errors[0], HasSubstr("KG-H001"));
  EXPECT_THAT(errors[0], HasSubstr("nested deeper than max_path_depth 64"));
  EXPECT_EQ(paths.back(), "/b");  // the walk continued after the deep branch
}

TEST(Hdf5SyntheticTest, SelfLinkedGroupsAreVisitedOnce) {
  Builder b(2);
  // A group whose only link points back to the root: a hard-link cycle.
  const uint64_t root_guess = b.Here();  // the next object is the root
  const auto bytes = b.Finish(b.ObjectV2({LinkInfo(), GroupInfo(), HardLink("self", root_guess)}));
  auto file = File::Open(bytes);
  ASSERT_TRUE(file.ok()) << file.status();
  int visits = 0;
  ASSERT_TRUE(file->Visit([&](auto, auto&) { ++visits; }, nullptr).ok());
  EXPECT_EQ(visits, 1);
  EXPECT_TRUE(file->OpenPath("/self/self/self").ok());
}

TEST(Hdf5SyntheticTest, SharedContinuationChunksHitTheWorkBudget) {
  // 1000 groups continue into one chunk of 20000 NIL messages: 20M message
  // reads from a 150 KB file unless the walk's work budget stops it.
  Builder b(2);
  Bytes chunk;
  chunk.Str("OCHK");
  for (int i = 0; i < 20000; ++i) chunk.U8(0).U16(0).U8(0);
  chunk.U32(internal::Lookup3(chunk.b));
  const uint64_t shared = b.Append(chunk.b);
  std::vector<Msg> root = {LinkInfo(), GroupInfo()};
  for (int i = 0; i < 1000; ++i) {
    const Msg cont{internal::kMsgContinuation, Bytes().U64(shared).U64(chunk.b.size()).b};
    char name[8];
    std::snprintf(name, sizeof(name), "g%04d", i);
    root.push_back(HardLink(name, b.ObjectV2({LinkInfo(), GroupInfo(), cont})));
  }
  const auto bytes = b.Finish(b.ObjectV2(root));
  auto file = File::Open(bytes);
  ASSERT_TRUE(file.ok()) << file.status();
  uint64_t objects = 0;
  const absl::Status s = file->Visit([&](auto, auto&) { ++objects; }, nullptr);
  EXPECT_EQ(s.code(), absl::StatusCode::kResourceExhausted) << s;
  EXPECT_EQ(Rule(s), "KG-H001");
  EXPECT_THAT(std::string(s.message()), HasSubstr("work budget exhausted"));
  EXPECT_LT(objects, 1000u);
  // One such group on its own is fine.
  EXPECT_TRUE(file->OpenPath("/g0001").ok());
}

TEST(Hdf5SyntheticTest, GroupAndDatasetMessagesTogetherAreRefused) {
  Builder b(2);
  const auto bytes = b.Finish(b.ObjectV2({LinkInfo(), GroupInfo(), Space({1})}));
  EXPECT_THAT(std::string(File::Open(bytes).status().message()), HasSubstr("both group and dataset"));
}

TEST(Hdf5SyntheticTest, DuplicateLinkNamesAreRefused) {
  Builder b(2);
  const uint64_t g = b.ObjectV2({LinkInfo(), GroupInfo()});
  const auto bytes = b.Finish(b.ObjectV2({LinkInfo(), GroupInfo(), HardLink("a", g), HardLink("a", g)}));
  EXPECT_THAT(std::string(File::Open(bytes).status().message()), HasSubstr("duplicate link name"));
}

}  // namespace
}  // namespace kgate::io::hdf5::testing
