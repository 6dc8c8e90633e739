// Every Limits field at its limit (accepted) and one past it (refused).
#include "gtest/gtest.h"
#include "io/hdf5/hdf5.h"
#include "test_util.h"

namespace kgate::io::hdf5::testing {
namespace {

absl::Status OpenAt(std::span<const uint8_t> bytes, const std::string& path, const Limits& limits) {
  auto file = File::Open(bytes, limits);
  if (!file.ok()) return file.status();
  return file->OpenPath(path).status();
}

TEST(Hdf5LimitsTest, MaxDatasetBytes) {
  const auto bytes = Fixture("earliest_basic.h5");
  Limits limits;
  limits.max_dataset_bytes = 80;  // /floats/float64 holds 10 doubles
  EXPECT_TRUE(OpenAt(bytes, "/floats/float64", limits).ok());
  limits.max_dataset_bytes = 79;
  const absl::Status s = OpenAt(bytes, "/floats/float64", limits);
  EXPECT_EQ(Rule(s), "KG-H007") << s;
  EXPECT_EQ(s.code(), absl::StatusCode::kResourceExhausted);
}

TEST(Hdf5LimitsTest, MaxAttributeBytes) {
  const auto bytes = Fixture("earliest_basic.h5");
  Limits limits;
  limits.max_attribute_bytes = 8 * 40 * (1 + 2 + 3 + 4 + 5 + 6 + 7 + 8);  // /many_attrs decoded
  EXPECT_TRUE(OpenAt(bytes, "/many_attrs", limits).ok());
  limits.max_attribute_bytes -= 1;
  const absl::Status s = OpenAt(bytes, "/many_attrs", limits);
  EXPECT_EQ(Rule(s), "KG-H007") << s;
  EXPECT_EQ(s.code(), absl::StatusCode::kResourceExhausted);
}

TEST(Hdf5LimitsTest, MaxLinksPerGroupInBothGroupEncodings) {
  const auto old_style = Fixture("big_group.h5");  // /layers: 320 + 1 + 12 links
  Limits limits;
  limits.max_links_per_group = 333;
  EXPECT_TRUE(OpenAt(old_style, "/layers", limits).ok());
  limits.max_links_per_group = 332;
  EXPECT_EQ(Rule(OpenAt(old_style, "/layers", limits)), "KG-H001");
  const auto new_style = Fixture("links_latest.h5");  // the root: 5 links
  limits.max_links_per_group = 5;
  EXPECT_TRUE(File::Open(new_style, limits).ok());
  limits.max_links_per_group = 4;
  EXPECT_EQ(Rule(File::Open(new_style, limits).status()), "KG-H001");
}

TEST(Hdf5LimitsTest, MaxPathDepth) {
  const auto bytes = Fixture("earliest_basic.h5");
  Limits limits;
  limits.max_path_depth = 4;  // /model_weights/dense/dense/kernel
  auto r = Exercise(bytes, limits);
  EXPECT_TRUE(r.open.ok());
  EXPECT_TRUE(r.errors.empty());
  EXPECT_TRUE(OpenAt(bytes, "/model_weights/dense/dense/kernel", limits).ok());
  limits.max_path_depth = 3;
  r = Exercise(bytes, limits);
  ASSERT_EQ(r.errors.size(), 2u);  // kernel and bias, reported, walk goes on
  for (const auto& [s, rule] : r.errors) EXPECT_EQ(rule, "KG-H001") << s;
  EXPECT_EQ(Rule(OpenAt(bytes, "/model_weights/dense/dense/kernel", limits)), "KG-H001");
}

TEST(Hdf5LimitsTest, MaxObjectsVisited) {
  const auto bytes = Fixture("earliest_basic.h5");
  const uint64_t objects = Exercise(bytes).objects;
  Limits limits;
  limits.max_objects_visited = objects;
  auto file = File::Open(bytes, limits);
  ASSERT_TRUE(file.ok());
  EXPECT_TRUE(file->Visit([](auto, auto&) {}, nullptr).ok());
  limits.max_objects_visited = objects - 1;
  file = File::Open(bytes, limits);
  ASSERT_TRUE(file.ok());
  const absl::Status s = file->Visit([](auto, auto&) {}, nullptr);
  EXPECT_EQ(Rule(s), "KG-H001") << s;
  EXPECT_EQ(s.code(), absl::StatusCode::kResourceExhausted);
}

TEST(Hdf5LimitsTest, MaxRank) {
  const auto bytes = Fixture("earliest_basic.h5");
  Limits limits;
  limits.max_rank = 5;
  EXPECT_TRUE(OpenAt(bytes, "/floats/rank5", limits).ok());
  limits.max_rank = 4;
  EXPECT_EQ(Rule(OpenAt(bytes, "/floats/rank5", limits)), "KG-H001");
}

// The object header with the most messages and with the most continuation
// chunks in the file, and those counts.
std::pair<uint64_t, uint64_t> MostMessages(std::span<const uint8_t> bytes, std::string* path) {
  uint64_t best = 0;
  uint64_t conts = 0;
  auto file = File::Open(bytes);
  file->Visit(
           [&](std::string_view p, const absl::StatusOr<Object>& o) {
             const uint64_t address =
                 std::holds_alternative<Group>(*o) ? std::get<Group>(*o).address : std::get<Dataset>(*o).address;
             const auto header = HeaderAt(bytes, address);
             uint64_t c = 0;
             for (const auto& m : header.messages) c += m.type == internal::kMsgContinuation;
             if (header.messages.size() > best) {
               best = header.messages.size();
               conts = c;
               *path = std::string(p);
             }
           },
           nullptr)
      .IgnoreError();
  return {best, conts};
}

TEST(Hdf5LimitsTest, MaxMessagesPerHeaderAndContinuations) {
  const auto bytes = Fixture("earliest_basic.h5");
  std::string path;
  const auto [messages, continuations] = MostMessages(bytes, &path);
  ASSERT_GT(continuations, 0u) << path;
  Limits limits;
  limits.max_messages_per_header = messages;
  limits.max_continuations = continuations;
  EXPECT_TRUE(OpenAt(bytes, path, limits).ok()) << path;
  limits.max_messages_per_header = messages - 1;
  EXPECT_EQ(Rule(OpenAt(bytes, path, limits)), "KG-H001");
  limits.max_messages_per_header = messages;
  limits.max_continuations = continuations - 1;
  EXPECT_EQ(Rule(OpenAt(bytes, path, limits)), "KG-H001");
}

}  // namespace
}  // namespace kgate::io::hdf5::testing
