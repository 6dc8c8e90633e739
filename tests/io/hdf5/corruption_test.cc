// Whole-file attacks: every truncation length and every single-byte change
// of small fixtures, with checksums re-sealed so the change reaches the
// decoders. Every outcome must be a clean result or an error that carries a
// KG-H rule; crashes, hangs and sanitizer reports fail the test.
#include "gtest/gtest.h"
#include "io/hdf5/hdf5.h"
#include "sweep_sampling.h"
#include "test_util.h"

namespace kgate::io::hdf5::testing {
namespace {

// Positions to attack: every byte of a small file, an even spread of about
// kSamples positions of a larger one (keeps the suite fast under sanitizers).
constexpr uint64_t kSamples = 600;
uint64_t Stride(uint64_t size) { return size <= kSamples ? 1 : (size + kSamples - 1) / kSamples; }

// Offset of the end-of-file address in the superblock.
uint64_t EofField(std::span<const uint8_t> bytes) {
  switch (bytes[8]) {
    case 0: return 24 + 2 * uint64_t{bytes[13]};
    case 1: return 28 + 2 * uint64_t{bytes[13]};
    default: return 12 + 2 * uint64_t{bytes[9]};
  }
}

unsigned OffsetSize(std::span<const uint8_t> bytes) { return bytes[8] <= 1 ? bytes[13] : bytes[9]; }

void ExpectRuledErrors(const ExerciseResult& r, const std::string& where) {
  if (!r.open.ok()) {
    EXPECT_EQ(Rule(r.open).rfind("KG-H", 0), 0u) << where << ": " << r.open;
    return;
  }
  for (const auto& [status, rule] : r.errors) {
    EXPECT_EQ(rule.rfind("KG-H", 0), 0u) << where << ": " << status;
  }
}

// Fletcher32 is accepted here so its decoder is attacked too.
Limits Attack() {
  Limits limits;
  limits.accept_fletcher32 = true;
  return limits;
}

class Hdf5CorruptionTest : public ::testing::TestWithParam<std::string> {};

TEST_P(Hdf5CorruptionTest, TruncationAtEveryLengthIsAnError) {
  const auto pristine = Fixture(GetParam());
  const uint64_t step = Stride(pristine.size());
  for (uint64_t n = 0; n < pristine.size(); n += step) {
    std::vector<uint8_t> cut(pristine.begin(), pristine.begin() + n);
    const auto r = Exercise(cut, Attack());
    EXPECT_FALSE(r.open.ok()) << "length " << n;  // the end-of-file address is past the end
    ExpectRuledErrors(r, "length " + std::to_string(n));
  }
}

TEST_P(Hdf5CorruptionTest, TruncationWithAMatchingEndOfFileAddress) {
  const auto pristine = Fixture(GetParam());
  const auto ranges = ChecksummedRanges(pristine);
  const uint64_t field = EofField(pristine);
  const unsigned width = OffsetSize(pristine);
  const uint64_t step = Stride(pristine.size());
  uint64_t failures = 0;
  for (uint64_t n = 96; n < pristine.size(); n += step) {
    std::vector<uint8_t> cut(pristine.begin(), pristine.begin() + n);
    Put(cut, field, n, width);
    Reseal(cut, ranges);
    const auto r = Exercise(cut, Attack());
    failures += !r.open.ok() || !r.errors.empty();
    ExpectRuledErrors(r, "length " + std::to_string(n));
  }
  EXPECT_GT(failures, 0u);
}

TEST_P(Hdf5CorruptionTest, EveryByteChangedNeverCrashes) {
  const auto pristine = Fixture(GetParam());
  const auto ranges = ChecksummedRanges(pristine);
  const uint64_t step = Stride(pristine.size()) * ::kgate::testing::kSweepThinning;
  for (uint64_t i = 0; i < pristine.size(); i += step) {
    for (uint8_t delta : {uint8_t{0xFF}, uint8_t{0x01}}) {
      auto bytes = pristine;
      bytes[i] ^= delta;
      ExpectRuledErrors(Exercise(bytes, Attack()), "offset " + std::to_string(i));
      // And once more past the checksums.
      if (!ranges.empty() || bytes[8] >= 2) {
        Reseal(bytes, ranges);
        ExpectRuledErrors(Exercise(bytes, Attack()), "resealed offset " + std::to_string(i));
      }
    }
  }
}

TEST_P(Hdf5CorruptionTest, PristineFileReadsCleanly) {
  const auto r = Exercise(Fixture(GetParam()), Attack());
  ASSERT_TRUE(r.open.ok()) << r.open;
  EXPECT_TRUE(r.errors.empty()) << r.errors.front().first;
  EXPECT_GT(r.objects, 1u);
}

INSTANTIATE_TEST_SUITE_P(Fixtures, Hdf5CorruptionTest,
                         ::testing::Values("links_earliest.h5", "links_latest.h5", "compact.h5",
                                           "track_order_latest.h5", "offsets4.h5", "offsets4_latest.h5",
                                           "extension_times.h5", "utf8_names_earliest.h5", "chunked_small.h5",
                                           "chunked_small_earliest.h5", "earliest_basic.h5", "latest_basic.h5"),
                         [](const auto& info) {
                           std::string name = info.param;
                           for (char& c : name) {
                             if (!isalnum(static_cast<unsigned char>(c))) c = '_';
                           }
                           return name;
                         });

}  // namespace
}  // namespace kgate::io::hdf5::testing
