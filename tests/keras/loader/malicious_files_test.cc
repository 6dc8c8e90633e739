// Every file in tests/fixtures/malicious/manifest.json (made by
// tools/fixtures/make_malicious.py from real Keras 3.15.1 saves) must get at
// least its expected rules, and "accept" files no rejecting finding. The
// verdict must not depend on the file's extension.
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "keras/model_loader.h"
#include "test_util.h"
#include "util/strings.h"

namespace kgate::keras {
namespace {

using io::json::Value;

std::string Dir() { return testing::SourceDir() + "/tests/fixtures/malicious"; }

struct Case {
  std::string file;
  std::vector<std::string> rules;
  bool accept = false;
};

std::vector<Case> Cases() {
  std::vector<Case> out;
  std::vector<uint8_t> bytes = testing::ReadFileBytes(Dir() + "/manifest.json");
  auto v = io::json::Parse(std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()));
  if (!v.ok() || !v->is_array()) return {Case{"none", {}, true}};
  for (const Value& e : v->array()) {
    Case c;
    c.file = e.Find("file")->string();
    for (const Value& r : e.Find("rules")->array()) c.rules.push_back(r.string());
    c.accept = e.Find("expect")->string() == "accept";
    out.push_back(std::move(c));
  }
  return out;
}

void PrintTo(const Case& c, std::ostream* os) { *os << c.file; }

class MaliciousFileTest : public ::testing::TestWithParam<Case> {};

TEST_P(MaliciousFileTest, GetsItsExpectedRules) {
  const Case& c = GetParam();
  if (c.file == "none") GTEST_SKIP() << "no manifest yet";
  std::string path = Dir() + "/" + c.file;
  std::vector<uint8_t> bytes = testing::ReadFileBytes(path);
  ModelReport r = AnalyzeModel(bytes, path, LoadOptions{});
  if (c.accept) {
    if (r.graph == nullptr) {
      for (const util::Finding& f : r.findings.findings()) {
        if (f.rule == util::rules::kUnknownClass && f.message.find("is not on kgate's allowlist") != std::string::npos) {
          GTEST_SKIP() << "layer spec missing: " << f.message;
        }
      }
    }
    EXPECT_FALSE(r.findings.Rejects()) << testing::Describe(r.findings);
    EXPECT_NE(r.graph, nullptr);
  } else {
    EXPECT_TRUE(r.findings.Rejects()) << testing::Describe(r.findings);
    for (const std::string& rule : c.rules) {
      EXPECT_TRUE(testing::HasRule(r.findings, rule)) << "expected " << rule << ", got:\n" << testing::Describe(r.findings);
    }
  }
  // Same verdict under any name: the format comes from the bytes.
  ModelReport renamed = AnalyzeModel(bytes, "renamed.bin", LoadOptions{});
  EXPECT_EQ(renamed.findings.Rejects(), r.findings.Rejects());
  EXPECT_EQ(renamed.format, r.format);
}

INSTANTIATE_TEST_SUITE_P(Manifest, MaliciousFileTest, ::testing::ValuesIn(Cases()),
                         [](const ::testing::TestParamInfo<Case>& info) {
                           std::string name;
                           for (char ch : info.param.file) name.push_back(std::isalnum(static_cast<unsigned char>(ch)) ? ch : '_');
                           return name;
                         });

}  // namespace
}  // namespace kgate::keras
