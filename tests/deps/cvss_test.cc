#include "deps/cvss.h"

#include "test_util.h"
#include "gtest/gtest.h"
#include "io/json/json.h"

namespace kgate::deps {
namespace {

// Scores from the pinned `cvss` package (v4 also cross-checked with the
// reference cvss40.js), tools/deps/gen_cvss_oracle.py: every vector in the
// OSV snapshot plus sampled vectors over all metric values.
TEST(CvssTest, AgreesWithReferenceScores) {
  const std::string text = testing::ReadFile(testing::SourceDir() + "/tests/deps/testdata/cvss_oracle.json");
  absl::StatusOr<io::json::Value> doc = io::json::Parse(text);
  ASSERT_TRUE(doc.ok()) << doc.status();
  const io::json::Array& rows = doc->Find("vectors")->array();
  int v3 = 0, v4 = 0;
  for (const io::json::Value& row : rows) {
    const std::string& vector = row.Find("vector")->string();
    const double expected = row.Find("score")->number().value;
    const bool is_v4 = vector.rfind("CVSS:4.0/", 0) == 0;
    absl::StatusOr<double> got = is_v4 ? CvssV4Score(vector) : CvssV3BaseScore(vector);
    ASSERT_TRUE(got.ok()) << vector << ": " << got.status();
    EXPECT_DOUBLE_EQ(*got, expected) << vector;
    (is_v4 ? v4 : v3)++;
  }
  EXPECT_GT(v3, 250);  // 55 distinct snapshot v3 vectors plus sampled v3.0/v3.1 ones
  EXPECT_GT(v4, 500);  // 32 distinct snapshot v4 vectors plus 500 sampled ones
}

TEST(CvssTest, KnownScores) {
  EXPECT_DOUBLE_EQ(*CvssV3BaseScore("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"), 9.8);
  EXPECT_DOUBLE_EQ(*CvssV3BaseScore("CVSS:3.1/AV:L/AC:L/PR:N/UI:R/S:U/C:H/I:H/A:H"), 7.8);  // PYSEC-2025-75
  EXPECT_DOUBLE_EQ(*CvssV3BaseScore("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H"), 10.0);
  EXPECT_DOUBLE_EQ(*CvssV3BaseScore("CVSS:3.1/AV:P/AC:H/PR:H/UI:R/S:U/C:N/I:N/A:N"), 0.0);
  EXPECT_DOUBLE_EQ(*CvssV4Score("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:H/SI:H/SA:H"), 10.0);
  EXPECT_DOUBLE_EQ(*CvssV4Score("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:L/VI:L/VA:L/SC:N/SI:N/SA:N"), 6.9);
  EXPECT_DOUBLE_EQ(*CvssV4Score("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:N/VI:N/VA:N/SC:N/SI:N/SA:N"), 0.0);
  // The case where the older cvss_score.js rounding (5.6) and cvss40.js (5.7) differ.
  EXPECT_DOUBLE_EQ(*CvssV4Score("CVSS:4.0/AV:N/AC:H/AT:P/PR:H/UI:A/VC:L/VI:H/VA:N/SC:L/SI:L/SA:L"), 5.7);
}

TEST(CvssTest, MalformedVectorsAreErrorsNamingThePart) {
  struct Case {
    const char* vector;
    const char* message;
  } cases[] = {
      {"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H", "missing base metric 'A'"},
      {"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/A:H", "metric 'A' appears twice"},
      {"CVSS:3.1/AV:X/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", "'AV:X': the value must be one of N A L P"},
      {"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/", "trailing '/'"},
      {"CVSS:2.0/AV:N", "expected it to start with 'CVSS:3.1/'"},
      {"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/ZZ:1", "unknown metric 'ZZ'"},
  };
  for (const Case& c : cases) {
    absl::StatusOr<double> s = CvssV3BaseScore(c.vector);
    ASSERT_FALSE(s.ok()) << c.vector;
    EXPECT_NE(s.status().message().find(c.message), std::string::npos) << s.status();
  }
  absl::StatusOr<double> v4 = CvssV4Score("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:H/SI:S/SA:H");
  ASSERT_FALSE(v4.ok());  // S is only allowed for MSI/MSA
  EXPECT_NE(v4.status().message().find("'SI:S'"), std::string::npos) << v4.status();
}

}  // namespace
}  // namespace kgate::deps
