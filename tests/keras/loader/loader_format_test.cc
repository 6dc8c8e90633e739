
// Container-level behaviour of AnalyzeModel / LoadModelFile: format by magic
// bytes, .keras member rules, metadata, polyglots, and robustness against
// truncation and byte flips at every position.
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "io/zip/zip_reader.h"
#include "keras/model_loader.h"
#include "sweep_sampling.h"
#include "test_util.h"
#include "util/strings.h"

namespace kgate::keras {
namespace {

using testing::Bytes;
using testing::Describe;
using testing::HasRule;
using Members = std::vector<std::pair<std::string, std::vector<uint8_t>>>;

std::string BasePath() { return testing::SourceDir() + "/tests/fixtures/malicious/benign_base.keras"; }

class LoaderFormatTest : public ::testing::Test {
 protected:
  void SetUp() override {
    base_ = testing::ReadFileBytes(BasePath());
    if (base_.empty()) GTEST_SKIP() << "benign_base.keras not generated yet";
    ModelReport r = AnalyzeModel(base_, "benign_base.keras");
    if (r.graph == nullptr) GTEST_SKIP() << "base model does not build yet:\n" << Describe(r.findings);
    members_ = testing::ReadZip(base_);
    ASSERT_EQ(members_.size(), 3u);
  }
  const std::vector<uint8_t>& Member(std::string_view name) {
    for (const auto& m : members_) {
      if (m.first == name) return m.second;
    }
    static std::vector<uint8_t> none;
    return none;
  }
  ModelReport Analyze(const Members& members) { return AnalyzeModel(testing::MakeZip(members), "x.keras"); }

  std::vector<uint8_t> base_;
  Members members_;
};

TEST(LoaderFormat, UnknownBytesAreKgF001WhateverTheName) {
  for (const std::string& data : {std::string(), std::string("hello world"), std::string(4096, '\x7f'),
                                  std::string("PK\x03"), std::string("\x89HDF\r\n\x1a")}) {
    for (const char* name : {"m.keras", "m.h5", "m"}) {
      ModelReport r = AnalyzeModel(Bytes(data), name);
      EXPECT_EQ(r.format, Format::kUnknown);
      EXPECT_TRUE(HasRule(r.findings, util::rules::kUnknownFormat)) << Describe(r.findings);
      EXPECT_TRUE(r.findings.Rejects());
      EXPECT_EQ(r.graph, nullptr);
    }
  }
  EXPECT_EQ(FormatName(Format::kKerasV3), "keras_v3");
  EXPECT_EQ(FormatName(Format::kLegacyH5), "legacy_h5");
  EXPECT_EQ(FormatName(Format::kUnknown), "unknown");
}

TEST(LoaderFormat, Hdf5AfterUserBlockIsKgH008) {
  std::string data(512, 'j');
  data += std::string("\x89HDF\r\n\x1a\n", 8) + std::string(100, '\0');
  ModelReport r = AnalyzeModel(Bytes(data), "m.h5");
  EXPECT_TRUE(HasRule(r.findings, util::rules::kHdf5UserBlock)) << Describe(r.findings);
}

TEST(LoaderFormat, EmptyArchiveMissesEverything) {
  ModelReport r = AnalyzeModel(testing::MakeZip({}), "m.keras");
  EXPECT_EQ(r.format, Format::kKerasV3);
  EXPECT_EQ(testing::CountRule(r.findings, util::rules::kMissingMember), 3u) << Describe(r.findings);
  EXPECT_TRUE(r.findings.Rejects());
}

TEST_F(LoaderFormatTest, ExtraMembersAreKgF003OnePerMember) {
  Members m = members_;
  m.emplace_back("payload.py", Bytes("print(1)"));
  m.emplace_back("assets/vocab.txt", Bytes("a\nb\n"));
  m.emplace_back("model.weights.npz", Bytes("PK"));
  m.emplace_back("dir/", Bytes(""));
  ModelReport r = Analyze(m);
  EXPECT_EQ(testing::CountRule(r.findings, util::rules::kUnexpectedMember), 4u) << Describe(r.findings);
  EXPECT_TRUE(r.findings.Rejects());
  EXPECT_NE(r.graph, nullptr);  // the model itself is intact
}

TEST_F(LoaderFormatTest, MissingMembers) {
  ModelReport no_config = Analyze({{"metadata.json", Member("metadata.json")}, {"model.weights.h5", Member("model.weights.h5")}});
  EXPECT_TRUE(HasRule(no_config.findings, util::rules::kMissingMember));
  EXPECT_EQ(no_config.graph, nullptr);
  ModelReport no_weights = Analyze({{"metadata.json", Member("metadata.json")}, {"config.json", Member("config.json")}});
  EXPECT_TRUE(HasRule(no_weights.findings, util::rules::kMissingMember));
  EXPECT_TRUE(no_weights.findings.Rejects());
  ModelReport npz = Analyze({{"metadata.json", Member("metadata.json")}, {"config.json", Member("config.json")},
                             {"model.weights.npz", Bytes("PK")}});
  EXPECT_TRUE(HasRule(npz.findings, util::rules::kMissingMember));
  EXPECT_TRUE(HasRule(npz.findings, util::rules::kUnexpectedMember));
}

TEST_F(LoaderFormatTest, MetadataIsOptionalAndInformational) {
  ModelReport r = Analyze({{"config.json", Member("config.json")}, {"model.weights.h5", Member("model.weights.h5")}});
  EXPECT_FALSE(r.findings.Rejects()) << Describe(r.findings);
  EXPECT_TRUE(HasRule(r.findings, util::rules::kMissingMember));
  EXPECT_EQ(r.keras_version, "");
  ModelReport odd = Analyze({{"metadata.json", Bytes(R"({"keras_version":3,"extra":1})")},
                             {"config.json", Member("config.json")},
                             {"model.weights.h5", Member("model.weights.h5")}});
  EXPECT_FALSE(odd.findings.Rejects()) << Describe(odd.findings);
  EXPECT_EQ(testing::CountRule(odd.findings, util::rules::kConfigInvalid), 2u);
  ModelReport bad = Analyze({{"metadata.json", Bytes(R"({"keras_version":"3","keras_version":"4"})")},
                             {"config.json", Member("config.json")},
                             {"model.weights.h5", Member("model.weights.h5")}});
  EXPECT_TRUE(HasRule(bad.findings, util::rules::kJsonDuplicateKey));
  ModelReport ok = AnalyzeModel(base_, "x");
  EXPECT_EQ(ok.keras_version, "3.15.1");
}

TEST_F(LoaderFormatTest, PrependedDataIsStillOpenedAsZip) {
  std::vector<uint8_t> data(100, 'x');
  data.insert(data.end(), base_.begin(), base_.end());
  ModelReport r = AnalyzeModel(data, "m.bin");
  EXPECT_EQ(r.format, Format::kKerasV3);
  EXPECT_TRUE(r.findings.Rejects());
  EXPECT_FALSE(HasRule(r.findings, util::rules::kUnknownFormat)) << Describe(r.findings);
}

TEST_F(LoaderFormatTest, TruncationAtEveryLengthIsRejectedWithoutCrashing) {
  size_t step = std::max<size_t>(1, base_.size() / 3000);
  for (size_t n = 0; n < base_.size(); n += step) {
    std::vector<uint8_t> cut(base_.begin(), base_.begin() + n);
    ModelReport r = AnalyzeModel(cut, "m.keras");
    ASSERT_TRUE(r.findings.Rejects()) << "length " << n;
    ASSERT_FALSE(r.findings.findings().empty());
  }
}

TEST_F(LoaderFormatTest, ByteFlipsNeverCrashAndFlipsInMemberDataAreCaught) {
  size_t step = std::max<size_t>(1, base_.size() / 3000) * ::kgate::testing::kSweepThinning;
  for (size_t i = 0; i < base_.size(); i += step) {
    std::vector<uint8_t> flipped = base_;
    flipped[i] ^= 0x5a;
    ModelReport r = AnalyzeModel(flipped, "m.keras");
    (void)r;  // ASan/UBSan are the oracle for the whole file
  }
  // Inside a STORED member the CRC catches every flip.
  auto zip = io::zip::ZipArchive::Open(base_);
  ASSERT_TRUE(zip.ok());
  for (const io::zip::Entry& e : zip->entries()) {
    std::vector<uint8_t> flipped = base_;
    flipped[e.data_offset + e.compressed_size / 2] ^= 1;
    ModelReport r = AnalyzeModel(flipped, "m.keras");
    EXPECT_TRUE(HasRule(r.findings, util::rules::kZipCrcMismatch)) << e.name << Describe(r.findings);
  }
}

TEST_F(LoaderFormatTest, LegacyH5ByteFlipsNeverCrash) {
  std::vector<uint8_t> h5 = testing::ReadFileBytes(testing::SourceDir() + "/tests/fixtures/malicious/benign_base.h5");
  size_t step = std::max<size_t>(1, h5.size() / 2000) * ::kgate::testing::kSweepThinning;
  for (size_t i = 0; i < h5.size(); i += step) {
    std::vector<uint8_t> flipped = h5;
    flipped[i] ^= 0xff;
    ModelReport r = AnalyzeModel(flipped, "m.h5");
    (void)r;
  }
  for (size_t n = 0; n < h5.size(); n += step) {
    std::vector<uint8_t> cut(h5.begin(), h5.begin() + n);
    ASSERT_TRUE(AnalyzeModel(cut, "m.h5").findings.Rejects()) << n;
  }
}

TEST_F(LoaderFormatTest, LoadModelFile) {
  auto g = LoadModelFile(BasePath());
  ASSERT_TRUE(g.ok()) << g.status();
  EXPECT_GT((*g)->ParamCount(), 0);
  auto missing = LoadModelFile("/nonexistent/kgate/model.keras");
  EXPECT_FALSE(missing.ok());
  auto lambda = LoadModelFile(testing::SourceDir() + "/tests/fixtures/malicious/lambda_layer.keras");
  ASSERT_FALSE(lambda.ok());
  EXPECT_EQ(lambda.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(std::string(lambda.status().message()).find("KG-K001"), std::string::npos) << lambda.status();
  EXPECT_NE(std::string(lambda.status().message()).find("config.json:/config/layers/"), std::string::npos);
}

}  // namespace
}  // namespace kgate::keras
