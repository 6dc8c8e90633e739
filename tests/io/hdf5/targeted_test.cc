// Targeted attacks on h5py-written files: one structure changed at a time,
// each refused with the right rule and a message that says what and where.
#include <zlib.h>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "io/hdf5/hdf5.h"
#include "io/hdf5/internal/chunks.h"
#include "io/hdf5/internal/object.h"
#include "test_util.h"

namespace kgate::io::hdf5::testing {
namespace {

using ::testing::HasSubstr;
using internal::Message;

// The status of opening `path` in `bytes` (Open errors included).
absl::Status OpenStatus(std::span<const uint8_t> bytes, const std::string& path) {
  auto file = File::Open(bytes);
  if (!file.ok()) return file.status();
  return file->OpenPath(path).status();
}

absl::Status ReadStatus(std::span<const uint8_t> bytes, const std::string& path) {
  auto file = File::Open(bytes);
  if (!file.ok()) return file.status();
  auto object = file->OpenPath(path);
  if (!object.ok()) return object.status();
  return file->ReadData(std::get<Dataset>(*object)).status();
}

#define EXPECT_RULE(status, rule, text)                         \
  do {                                                          \
    const absl::Status s_ = (status);                           \
    EXPECT_FALSE(s_.ok());                                      \
    EXPECT_EQ(Rule(s_), rule) << s_;                            \
    EXPECT_THAT(std::string(s_.message()), HasSubstr(text)); \
  } while (false)

// A v1 object header with a continuation message, in earliest_basic.h5.
std::pair<uint64_t, Message> FindContinuation(std::span<const uint8_t> bytes) {
  for (uint64_t address : AllObjects(bytes)) {
    for (const Message& m : HeaderAt(bytes, address).messages) {
      if (m.type == internal::kMsgContinuation) return {address, m};
    }
  }
  throw std::runtime_error("no continuation");
}

TEST(Hdf5TargetedTest, ContinuationCycleIsRefused) {
  auto bytes = Fixture("earliest_basic.h5");
  auto [header, cont] = FindContinuation(bytes);
  Put(bytes, cont.offset, header + 16, 8);  // back to chunk 0
  Exercise(bytes);
  const auto r = Exercise(bytes);
  bool found = !r.open.ok() && std::string(r.open.message()).find("continuation cycle") != std::string::npos;
  for (const auto& [s, rule] : r.errors) {
    if (std::string(s.message()).find("continuation cycle") != std::string::npos) {
      found = true;
      EXPECT_EQ(rule, "KG-H001");
    }
  }
  EXPECT_TRUE(found);
}

TEST(Hdf5TargetedTest, ContinuationOutsideTheFileIsRefused) {
  auto bytes = Fixture("earliest_basic.h5");
  auto [header, cont] = FindContinuation(bytes);
  Put(bytes, cont.offset, uint64_t{1} << 40, 8);
  const auto r = Exercise(bytes);
  bool found = !r.open.ok();
  for (const auto& [s, rule] : r.errors) found |= rule == "KG-H001";
  EXPECT_TRUE(found);
}

TEST(Hdf5TargetedTest, ContinuationCycleInV2HeaderIsRefusedAfterChecksum) {
  auto bytes = Fixture("links_latest.h5");
  const auto ranges = ChecksummedRanges(bytes);
  const uint64_t root = AddressOf(bytes, "/");
  Message cont{};
  bool have = false;
  for (const Message& m : HeaderAt(bytes, root).messages) {
    if (m.type == internal::kMsgContinuation) {
      cont = m;
      have = true;
    }
  }
  if (!have) GTEST_SKIP() << "root header has no continuation";
  const uint64_t target = Get(bytes, cont.offset, 8);
  // Point the continuation at itself... (the chunk's own start).
  Put(bytes, cont.offset, root, 8);
  Reseal(bytes, ranges);
  EXPECT_RULE(File::Open(bytes).status(), "KG-H001", "continuation");
  (void)target;
}

TEST(Hdf5TargetedTest, DimensionProductOverflowIsAShapeBomb) {
  auto bytes = Fixture("earliest_basic.h5");
  const Message space = FindMessage(bytes, "/floats/rank5", internal::kMsgDataspace);
  ASSERT_EQ(bytes[space.offset], 1);  // dataspace v1: dims at +8
  Put(bytes, space.offset + 8, uint64_t{1} << 33, 8);
  Put(bytes, space.offset + 16, uint64_t{1} << 33, 8);
  // Maximum dimensions (h5py writes them) follow the dims; keep them >= dims.
  for (int i = 0; i < 5; ++i) Put(bytes, space.offset + 8 + 40 + 8 * i, ~uint64_t{0}, 8);
  EXPECT_RULE(OpenStatus(bytes, "/floats/rank5"), "KG-H007", "overflows 64 bits");
}

TEST(Hdf5TargetedTest, DeclaredSizeOverTheCapIsRefusedAtOpen) {
  auto bytes = Fixture("earliest_basic.h5");
  const Message space = FindMessage(bytes, "/floats/float64", internal::kMsgDataspace);
  Put(bytes, space.offset + 8, uint64_t{1} << 31, 8);  // 2^31 doubles = 16 GiB
  Put(bytes, space.offset + 16, ~uint64_t{0}, 8);
  const absl::Status s = OpenStatus(bytes, "/floats/float64");
  EXPECT_RULE(s, "KG-H007", "exceeds max_dataset_bytes");
  EXPECT_EQ(s.code(), absl::StatusCode::kResourceExhausted);
  EXPECT_THAT(std::string(s.message()), HasSubstr("/floats/float64"));
}

TEST(Hdf5TargetedTest, ContiguousSizeMismatchIsRefused) {
  auto bytes = Fixture("earliest_basic.h5");
  const Message layout = FindMessage(bytes, "/floats/float32", internal::kMsgLayout);
  ASSERT_EQ(bytes[layout.offset], 3);
  ASSERT_EQ(bytes[layout.offset + 1], 1);  // contiguous: address at +2, size at +10
  Put(bytes, layout.offset + 10, 36, 8);
  EXPECT_RULE(OpenStatus(bytes, "/floats/float32"), "KG-H007", "contiguous storage holds 36 bytes");
}

TEST(Hdf5TargetedTest, ContiguousDataOutsideTheFileIsRefused) {
  auto bytes = Fixture("earliest_basic.h5");
  const Message layout = FindMessage(bytes, "/floats/float32", internal::kMsgLayout);
  Put(bytes, layout.offset + 2, bytes.size() - 8, 8);
  EXPECT_RULE(OpenStatus(bytes, "/floats/float32"), "KG-H007", "extends past the end of the file");
}

TEST(Hdf5TargetedTest, GroupBTreeCycleIsRefused) {
  auto bytes = Fixture("big_group.h5");
  const Message stab = FindMessage(bytes, "/layers", internal::kMsgSymbolTable);
  const uint64_t btree = Get(bytes, stab.offset, 8);
  ASSERT_EQ(bytes[btree + 5], 1);  // level 1: children are nodes
  // First child pointer: after the 24-byte node prefix and key 0.
  Put(bytes, btree + 24 + 8, btree, 8);
  EXPECT_RULE(OpenStatus(bytes, "/layers"), "KG-H001", "reached twice");
}

TEST(Hdf5TargetedTest, GroupBTreeLevelMismatchIsRefused) {
  auto bytes = Fixture("big_group.h5");
  const Message stab = FindMessage(bytes, "/layers", internal::kMsgSymbolTable);
  const uint64_t btree = Get(bytes, stab.offset, 8);
  bytes[btree + 5] = 2;  // claims level 2 above level-0 children
  EXPECT_RULE(OpenStatus(bytes, "/layers"), "KG-H001", "below a node of level 2");
}

TEST(Hdf5TargetedTest, LinkNameOutsideTheLocalHeapIsRefused) {
  auto bytes = Fixture("earliest_basic.h5");
  const Message stab = FindMessage(bytes, "/ints", internal::kMsgSymbolTable);
  const uint64_t btree = Get(bytes, stab.offset, 8);
  const uint64_t snod = Get(bytes, btree + 24 + 8, 8);
  Put(bytes, snod + 8, 1u << 20, 8);  // first entry's name offset
  EXPECT_RULE(OpenStatus(bytes, "/ints"), "KG-H001", "outside the heap data");
}

TEST(Hdf5TargetedTest, SlashInALinkNameIsRefused) {
  auto bytes = Fixture("earliest_basic.h5");
  const Message stab = FindMessage(bytes, "/ints", internal::kMsgSymbolTable);
  const uint64_t heap = Get(bytes, stab.offset + 8, 8);
  const uint64_t data = Get(bytes, heap + 24, 8);
  const uint64_t size = Get(bytes, heap + 8, 8);
  // Turn the first character of every name into '/'.
  for (uint64_t i = 1; i + 1 < size; ++i) {
    if (bytes[data + i - 1] == 0 && bytes[data + i] != 0) bytes[data + i] = '/';
  }
  EXPECT_RULE(OpenStatus(bytes, "/ints"), "KG-H001", "not a valid path component");
}

// The vlen element of the root attribute "backend" (a scalar vlen string).
uint64_t VlenElement(std::span<const uint8_t> bytes) {
  for (const Message& m : HeaderAt(bytes, AddressOf(bytes, "/")).messages) {
    if (m.type != internal::kMsgAttribute) continue;
    const std::string name(reinterpret_cast<const char*>(m.body.data()) + 8, 7);
    if (name == "backend") return m.offset + m.body.size() - 16;  // v1: data is last, 16 bytes
  }
  throw std::runtime_error("no backend attribute");
}

TEST(Hdf5TargetedTest, VlenStringWithAMissingHeapObjectIsRefused) {
  auto bytes = Fixture("earliest_basic.h5");
  const uint64_t element = VlenElement(bytes);
  ASSERT_EQ(Get(bytes, element, 4), 5u);  // "numpy"
  Put(bytes, element + 12, 999, 4);
  EXPECT_RULE(File::Open(bytes).status(), "KG-H001", "has no object 999");
}

TEST(Hdf5TargetedTest, VlenStringLongerThanItsHeapObjectIsRefused) {
  auto bytes = Fixture("earliest_basic.h5");
  const uint64_t element = VlenElement(bytes);
  Put(bytes, element, 4000, 4);
  EXPECT_RULE(File::Open(bytes).status(), "KG-H001", "has length 4000");
}

TEST(Hdf5TargetedTest, VlenStringInANonHeapIsRefused) {
  auto bytes = Fixture("earliest_basic.h5");
  const uint64_t element = VlenElement(bytes);
  Put(bytes, element + 4, 0, 8);  // the superblock is not a "GCOL"
  EXPECT_RULE(File::Open(bytes).status(), "KG-H001", "GCOL");
}

TEST(Hdf5TargetedTest, GlobalHeapObjectOverrunningItsCollectionIsRefused) {
  auto bytes = Fixture("earliest_basic.h5");
  const uint64_t element = VlenElement(bytes);
  const uint64_t gcol = Get(bytes, element + 4, 8);
  Put(bytes, gcol + 16 + 8, uint64_t{1} << 32, 8);  // first object's size
  EXPECT_RULE(File::Open(bytes).status(), "KG-H001", "overruns the collection");
}

TEST(Hdf5TargetedTest, SharedMessagesAreRefused) {
  auto bytes = Fixture("earliest_basic.h5");
  const Message type = FindMessage(bytes, "/floats/float32", internal::kMsgDatatype);
  bytes[type.offset - 4] |= internal::kMsgFlagShared;  // v1 message header: flags at +4
  EXPECT_RULE(OpenStatus(bytes, "/floats/float32"), "KG-H006", "shared");
}

TEST(Hdf5TargetedTest, UnknownMessageTypesAreRefused) {
  auto bytes = Fixture("earliest_basic.h5");
  const Message fill = FindMessage(bytes, "/floats/float32", internal::kMsgFillValue);
  Put(bytes, fill.offset - 8, 0x0099, 2);
  EXPECT_RULE(OpenStatus(bytes, "/floats/float32"), "KG-H006", "message type 0x0099 (unknown)");
}

TEST(Hdf5TargetedTest, BogusAndSharedTableMessagesAreRefused) {
  for (uint16_t type : {internal::kMsgBogus, internal::kMsgSharedMessageTable}) {
    auto bytes = Fixture("earliest_basic.h5");
    const Message fill = FindMessage(bytes, "/floats/float32", internal::kMsgFillValue);
    Put(bytes, fill.offset - 8, type, 2);
    EXPECT_RULE(OpenStatus(bytes, "/floats/float32"), "KG-H006", "is not supported");
  }
}

TEST(Hdf5TargetedTest, HarmlessMessagesAreIgnored) {
  auto bytes = Fixture("earliest_basic.h5");
  const Message fill = FindMessage(bytes, "/floats/float32", internal::kMsgFillValue);
  Put(bytes, fill.offset - 8, internal::kMsgComment, 2);
  EXPECT_TRUE(OpenStatus(bytes, "/floats/float32").ok());
}

// Chunk list of a chunked dataset of a pristine file.
internal::ChunkList Chunks(std::span<const uint8_t> bytes, const std::string& path, const Limits& limits = {}) {
  internal::Context ctx = MakeContext(bytes);
  ctx.limits = limits;
  auto info = internal::ParseObject(ctx, AddressOf(bytes, path));
  if (!info.ok()) throw std::runtime_error("parse");
  auto chunks = internal::ListChunks(ctx, info->dataset);
  if (!chunks.ok()) throw std::runtime_error("chunks");
  return *chunks;
}

TEST(Hdf5TargetedTest, DeflateOutputBeyondTheChunkIsRefused) {
  auto bytes = Fixture("chunked_earliest.h5");
  const auto chunks = Chunks(bytes, "/gzip");
  const auto& e = chunks.entries.at(0);
  std::vector<uint8_t> zeros(1 << 18, 0), packed(compressBound(zeros.size()));
  uLongf packed_size = packed.size();
  ASSERT_EQ(compress2(packed.data(), &packed_size, zeros.data(), zeros.size(), 9), Z_OK);
  ASSERT_LE(packed_size, e.size);  // fits in the chunk's slot
  std::copy(packed.begin(), packed.begin() + packed_size, bytes.begin() + e.address);
  EXPECT_RULE(ReadStatus(bytes, "/gzip"), "KG-H007", "inflates beyond the chunk size 512");
}

TEST(Hdf5TargetedTest, CorruptDeflateStreamIsRefused) {
  auto bytes = Fixture("chunked_earliest.h5");
  const internal::ChunkEntry e = Chunks(bytes, "/gzip").entries.at(0);
  for (uint64_t i = 2; i < e.size; ++i) bytes[e.address + i] ^= 0x5A;
  const absl::Status s = ReadStatus(bytes, "/gzip");
  EXPECT_FALSE(s.ok());
  EXPECT_THAT(Rule(s), ::testing::AnyOf("KG-H001", "KG-H007")) << s;
}

TEST(Hdf5TargetedTest, Fletcher32IsRefusedUnlessAccepted) {
  auto bytes = Fixture("chunked_earliest.h5");
  EXPECT_RULE(OpenStatus(bytes, "/fletcher"), "KG-H006", "filter 3 (fletcher32) is not supported");
  Limits accept;
  accept.accept_fletcher32 = true;
  auto read = [&]() -> absl::Status {
    auto file = File::Open(bytes, accept);
    if (!file.ok()) return file.status();
    auto object = file->OpenPath("/fletcher");
    if (!object.ok()) return object.status();
    return file->ReadData(std::get<Dataset>(*object)).status();
  };
  EXPECT_TRUE(read().ok());
  const internal::ChunkEntry e = Chunks(bytes, "/fletcher", accept).entries.at(1);
  bytes[e.address + 3] ^= 1;
  EXPECT_RULE(read(), "KG-H001", "fletcher32 checksum mismatch");
}

// The offset of chunk key `k` of a one-level chunk B-tree of rank `rank`.
uint64_t ChunkKey(std::span<const uint8_t> bytes, const std::string& path, int k, int rank) {
  const Message layout = FindMessage(bytes, path, internal::kMsgLayout);
  const uint64_t btree = Get(bytes, layout.offset + 3, 8);
  EXPECT_EQ(bytes[btree + 5], 0);
  return btree + 24 + k * (8 + 8 * (rank + 1) + 8);
}

TEST(Hdf5TargetedTest, DuplicateChunkCoordinatesAreRefused) {
  auto bytes = Fixture("chunked_earliest.h5");
  const uint64_t key0 = ChunkKey(bytes, "/shuffle_gzip", 0, 1);
  const uint64_t key1 = ChunkKey(bytes, "/shuffle_gzip", 1, 1);
  Put(bytes, key1 + 8, Get(bytes, key0 + 8, 8), 8);
  EXPECT_RULE(ReadStatus(bytes, "/shuffle_gzip"), "KG-H001", "a second chunk for the same coordinates");
}

TEST(Hdf5TargetedTest, MisalignedChunkCoordinatesAreRefused) {
  auto bytes = Fixture("chunked_earliest.h5");
  const uint64_t key1 = ChunkKey(bytes, "/shuffle_gzip", 1, 1);
  Put(bytes, key1 + 8, 65, 8);
  EXPECT_RULE(ReadStatus(bytes, "/shuffle_gzip"), "KG-H001", "is not a multiple of the chunk size 64");
}

TEST(Hdf5TargetedTest, ChunkOutsideTheDataspaceIsRefused) {
  auto bytes = Fixture("chunked_earliest.h5");
  const uint64_t key1 = ChunkKey(bytes, "/shuffle_gzip", 1, 1);
  Put(bytes, key1 + 8, 64 * 100, 8);
  EXPECT_RULE(ReadStatus(bytes, "/shuffle_gzip"), "KG-H001", "inside the dataspace (1000)");
}

TEST(Hdf5TargetedTest, ChunksSharingBytesAreRefused) {
  auto bytes = Fixture("chunked_earliest.h5");
  const Message layout = FindMessage(bytes, "/shuffle_gzip", internal::kMsgLayout);
  const uint64_t btree = Get(bytes, layout.offset + 3, 8);
  const uint64_t key = 8 + 8 * 2;  // size, mask, 2 offsets
  const uint64_t child0 = btree + 24 + key, child1 = child0 + 8 + key;
  Put(bytes, child1, Get(bytes, child0, 8), 8);  // chunk 1 aliases chunk 0's bytes
  EXPECT_RULE(ReadStatus(bytes, "/shuffle_gzip"), "KG-H001", "overlap");
}

TEST(Hdf5TargetedTest, ChunkSizeBeyondTheFileIsRefused) {
  auto bytes = Fixture("chunked_earliest.h5");
  const uint64_t key0 = ChunkKey(bytes, "/shuffle_gzip", 0, 1);
  Put(bytes, key0, 0xFFFFFFF0u, 4);
  EXPECT_RULE(ReadStatus(bytes, "/shuffle_gzip"), "KG-H001", "is outside the file");
}

TEST(Hdf5TargetedTest, UnfilteredChunkOfTheWrongSizeIsRefused) {
  auto bytes = Fixture("chunked_earliest.h5");
  const auto key = ChunkKey(bytes, "/resizable", 0, 1);
  Put(bytes, key, 12, 4);  // 3 floats stored for a 4-float chunk
  EXPECT_RULE(ReadStatus(bytes, "/resizable"), "KG-H007", "decodes to 12 bytes, expected the chunk size 16");
}

TEST(Hdf5TargetedTest, SuperblockChecksumIsVerified) {
  auto bytes = Fixture("latest_basic.h5");
  bytes[20] ^= 1;  // inside the end-of-file address
  EXPECT_RULE(File::Open(bytes).status(), "KG-H001", "superblock: checksum mismatch");
}

TEST(Hdf5TargetedTest, ObjectHeaderChecksumIsVerified) {
  auto bytes = Fixture("latest_basic.h5");
  const Message type = FindMessage(bytes, "/floats/float32", internal::kMsgDatatype);
  bytes[type.offset + 4] ^= 1;  // datatype size, inside the checksummed chunk
  EXPECT_RULE(OpenStatus(bytes, "/floats/float32"), "KG-H001", "checksum mismatch");
}

TEST(Hdf5TargetedTest, ResealedHeaderChangeIsCaughtByTheDecoder) {
  auto bytes = Fixture("latest_basic.h5");
  const auto ranges = ChecksummedRanges(bytes);
  const Message type = FindMessage(bytes, "/floats/float32", internal::kMsgDatatype);
  bytes[type.offset + 1] |= 0x01;  // big-endian
  Reseal(bytes, ranges);
  EXPECT_RULE(OpenStatus(bytes, "/floats/float32"), "KG-H006", "big-endian");
}

TEST(Hdf5TargetedTest, NonZeroBaseAddressIsAUserBlock) {
  auto bytes = Fixture("earliest_basic.h5");
  Put(bytes, 24, 512, 8);
  EXPECT_RULE(File::Open(bytes).status(), "KG-H008", "base address 512");
}

TEST(Hdf5TargetedTest, SignatureAfterAUserBlockIsReported) {
  auto bytes = Fixture("userblock.h5");
  EXPECT_FALSE(LooksLikeHdf5(bytes));
  EXPECT_TRUE(HasHdf5SignatureAfterUserBlock(bytes));
  EXPECT_RULE(File::Open(bytes).status(), "KG-H008", "user block");
  std::vector<uint8_t> junk(4096, 0x41);
  EXPECT_RULE(File::Open(junk).status(), "KG-H001", "no HDF5 signature");
  EXPECT_FALSE(HasHdf5SignatureAfterUserBlock(junk));
}

TEST(Hdf5TargetedTest, DriverInfoBlockIsRefused) {
  auto bytes = Fixture("earliest_basic.h5");
  Put(bytes, 48, 96, 8);
  EXPECT_RULE(File::Open(bytes).status(), "KG-H006", "driver info block");
}

TEST(Hdf5TargetedTest, TruncatedFileIsRefused) {
  auto bytes = Fixture("earliest_basic.h5");
  bytes.resize(bytes.size() - 1);
  EXPECT_RULE(File::Open(bytes).status(), "KG-H001", "truncated");
}

TEST(Hdf5TargetedTest, OpenPathFollowsOnlyHardLinks) {
  const auto bytes = Fixture("links_earliest.h5");
  auto file = File::Open(bytes);
  ASSERT_TRUE(file.ok()) << file.status();
  EXPECT_RULE(file->OpenPath("/soft").status(), "KG-H003", "soft link to \"/g/w\" is not followed");
  EXPECT_RULE(file->OpenPath("/ext/x").status(), "KG-H002", "external link to \"/etc/passwd:/x\"");
  EXPECT_RULE(file->OpenPath("/dangling").status(), "KG-H003", "/nowhere");
  auto through_cycle = file->OpenPath("/g/loop/loop/w");
  ASSERT_TRUE(through_cycle.ok()) << through_cycle.status();
  EXPECT_TRUE(std::holds_alternative<Dataset>(*through_cycle));
  EXPECT_EQ(file->OpenPath("/missing").status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(file->OpenPath("/g/w/x").status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(file->OpenPath("g").status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(file->OpenPath("/g/../g").status().code(), absl::StatusCode::kInvalidArgument);
  auto root = file->OpenPath("/");
  ASSERT_TRUE(root.ok());
  EXPECT_TRUE(std::holds_alternative<Group>(*root));
  auto double_slash = file->OpenPath("//g//w/");
  EXPECT_TRUE(double_slash.ok()) << double_slash.status();
}

TEST(Hdf5TargetedTest, VisitReportsLinksAndVisitsSharedObjectsOnce) {
  const auto bytes = Fixture("links_earliest.h5");
  auto file = File::Open(bytes);
  ASSERT_TRUE(file.ok());
  std::vector<std::string> paths, links;
  ASSERT_TRUE(file->Visit([&](std::string_view p, const absl::StatusOr<Object>& o) {
                    EXPECT_TRUE(o.ok()) << p;
                    paths.emplace_back(p);
                  },
                  [&](std::string_view g, const Link& l) { links.push_back(std::string(g) + " " + l.name); })
                  .ok());
  // /g/loop and /hard_again point at objects already visited.
  EXPECT_THAT(paths, ::testing::ElementsAre("/", "/g", "/g/w"));
  EXPECT_THAT(links, ::testing::ElementsAre("/ dangling", "/ ext", "/ soft"));
}

TEST(Hdf5TargetedTest, ReadDataOfAGroupAddressIsRefused) {
  const auto bytes = Fixture("links_earliest.h5");
  auto file = File::Open(bytes);
  ASSERT_TRUE(file.ok());
  Dataset fake;
  fake.path = "/g";
  fake.address = AddressOf(bytes, "/g");
  EXPECT_THAT(std::string(file->ReadData(fake).status().message()), HasSubstr("is a group, not a dataset"));
  fake.address = 3;
  EXPECT_FALSE(file->ReadData(fake).ok());
}

TEST(Hdf5TargetedTest, ReadStringsNeedsAStringDataset) {
  const auto bytes = Fixture("earliest_basic.h5");
  auto file = File::Open(bytes);
  ASSERT_TRUE(file.ok());
  auto numbers = file->OpenPath("/floats/float32");
  ASSERT_TRUE(numbers.ok());
  EXPECT_EQ(file->ReadStrings(std::get<Dataset>(*numbers)).status().code(), absl::StatusCode::kInvalidArgument);
  auto strings = file->OpenPath("/strings/vlen_ascii_2d");
  ASSERT_TRUE(strings.ok());
  auto values = file->ReadStrings(std::get<Dataset>(*strings));
  ASSERT_TRUE(values.ok()) << values.status();
  EXPECT_THAT(*values, ::testing::ElementsAre("a", "bc", "", "def"));
}

TEST(Hdf5TargetedTest, OwnedBuffersCopyTheirBytes) {
  const auto bytes = Fixture("chunked_earliest.h5");
  auto file = File::Open(bytes);
  ASSERT_TRUE(file.ok());
  auto d = file->OpenPath("/gzip");
  ASSERT_TRUE(d.ok());
  auto data = file->ReadData(std::get<Dataset>(*d));
  ASSERT_TRUE(data.ok());
  EXPECT_TRUE(data->owned());
  DataBuffer copy = *data;
  EXPECT_NE(copy.bytes().data(), data->bytes().data());
  EXPECT_TRUE(std::equal(copy.bytes().begin(), copy.bytes().end(), data->bytes().begin(), data->bytes().end()));
  const uint8_t* before = data->bytes().data();
  DataBuffer moved = std::move(*data);
  EXPECT_EQ(moved.bytes().data(), before);
  EXPECT_TRUE(data->bytes().empty());
  const DataBuffer view = DataBuffer::View(bytes);
  DataBuffer view_copy = view;
  EXPECT_EQ(view_copy.bytes().data(), bytes.data());
  EXPECT_FALSE(view_copy.owned());
}

TEST(Hdf5TargetedTest, ShapeBombIsRefusedBeforeAllocating) {
  const auto bytes = Fixture("shape_bomb.h5");
  EXPECT_RULE(ReadStatus(bytes, "/ratio"), "KG-H007", "(more than 1000x; shape bomb)");
  EXPECT_RULE(OpenStatus(bytes, "/huge"), "KG-H007", "declared size 4398046511104 bytes exceeds");
  EXPECT_RULE(OpenStatus(bytes, "/unwritten_contiguous"), "KG-H007", "never written");
}

}  // namespace
}  // namespace kgate::io::hdf5::testing
