// Writer: exact compact and pretty output, escaping, numbers, and that what
// it writes reads back through the strict parser.

#include "io/json/json_writer.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>

#include "io/json/json.h"

namespace kgate::io::json {
namespace {

void WriteSample(Writer& w) {
  w.BeginObject();
  w.Key("files").BeginArray();
  w.BeginObject();
  w.Key("path").String("m.keras");
  w.Key("findings").BeginArray().EndArray();
  w.Key("meta").BeginObject().EndObject();
  w.Key("n").Int(-3);
  w.Key("u").UInt(std::numeric_limits<uint64_t>::max());
  w.Key("x").Double(0.5);
  w.Key("ok").Bool(true);
  w.Key("none").Null();
  w.EndObject();
  w.Int(2);
  w.EndArray();
  w.Key("raw").Raw("{\"a\":[1,2]}");
  w.EndObject();
}

TEST(WriterTest, Compact) {
  Writer w;
  WriteSample(w);
  EXPECT_EQ(w.str(),
            "{\"files\":[{\"path\":\"m.keras\",\"findings\":[],\"meta\":{},\"n\":-3,\"u\":18446744073709551615,"
            "\"x\":0.5,\"ok\":true,\"none\":null},2],\"raw\":{\"a\":[1,2]}}");
  EXPECT_TRUE(Parse(w.str()).ok());
}

TEST(WriterTest, PrettyTwoSpaceIndent) {
  Writer w(/*pretty=*/true);
  WriteSample(w);
  EXPECT_EQ(w.str(),
            "{\n"
            "  \"files\": [\n"
            "    {\n"
            "      \"path\": \"m.keras\",\n"
            "      \"findings\": [],\n"
            "      \"meta\": {},\n"
            "      \"n\": -3,\n"
            "      \"u\": 18446744073709551615,\n"
            "      \"x\": 0.5,\n"
            "      \"ok\": true,\n"
            "      \"none\": null\n"
            "    },\n"
            "    2\n"
            "  ],\n"
            "  \"raw\": {\"a\":[1,2]}\n"
            "}");
  // Pretty and compact output hold the same document.
  Writer compact;
  WriteSample(compact);
  auto a = Parse(w.str());
  auto b = Parse(compact.str());
  ASSERT_TRUE(a.ok()) << a.status();
  ASSERT_TRUE(b.ok()) << b.status();
  EXPECT_EQ(Serialize(*a), Serialize(*b));
}

TEST(WriterTest, TopLevelScalarsAndEmptyContainers) {
  EXPECT_EQ(Writer().String("s").str(), "\"s\"");
  EXPECT_EQ(Writer(true).Int(5).str(), "5");
  EXPECT_EQ(Writer(true).BeginArray().EndArray().str(), "[]");
  EXPECT_EQ(Writer(true).BeginObject().EndObject().str(), "{}");
  EXPECT_EQ(Writer(true).BeginArray().BeginArray().EndArray().EndArray().str(), "[\n  []\n]");
  EXPECT_EQ(Writer().BeginArray().Null().Bool(false).EndArray().str(), "[null,false]");
}

TEST(WriterTest, NumbersAndNonFinite) {
  Writer w;
  w.BeginArray()
      .Double(0.1)
      .Double(1e300)
      .Double(-0.0)
      .Double(std::nan(""))
      .Double(std::numeric_limits<double>::infinity())
      .Int(std::numeric_limits<int64_t>::min())
      .UInt(0)
      .EndArray();
  EXPECT_EQ(w.str(), "[0.1,1e+300,-0.0,null,null,-9223372036854775808,0]");
  EXPECT_TRUE(Parse(w.str()).ok());
}

TEST(WriterTest, EscapesKeysAndStrings) {
  Writer w;
  w.BeginObject().Key("a\"b\n").String("tab\t\\ \xE2\x82\xAC bad\xFF").EndObject();
  EXPECT_EQ(w.str(), "{\"a\\\"b\\n\":\"tab\\t\\\\ \xE2\x82\xAC bad\xEF\xBF\xBD\"}");
  auto v = Parse(w.str());
  ASSERT_TRUE(v.ok()) << v.status();
  EXPECT_EQ(v->Find("a\"b\n")->string(), "tab\t\\ \xE2\x82\xAC bad\xEF\xBF\xBD");
}

// JSON allows these raw; the writer escapes them so its output is also YAML
// (found by yaml_fuzzer: a C1 control written raw did not read back as YAML)
// and carries no terminal control codes into logs.
TEST(WriterTest, EscapesDelC1SeparatorsAndNoncharacters) {
  std::string quoted;
  AppendQuoted("\x7F|\xC2\x80|\xC2\x91|\xC2\x9F|\xC2\xA0|\xE2\x80\xA8|\xE2\x80\xA9|\xEF\xBB\xBF|\xEF\xBF\xBE|\xEF\xBF\xBF|\xEF\xBF\xBD",
               &quoted);
  EXPECT_EQ(quoted,
            "\"\\u007f|\\u0080|\\u0091|\\u009f|\xC2\xA0|\\u2028|\\u2029|\\ufeff|\\ufffe|\\uffff|\xEF\xBF\xBD\"");
  auto v = Parse(quoted);
  ASSERT_TRUE(v.ok()) << v.status();
  EXPECT_EQ(v->string(), "\x7F|\xC2\x80|\xC2\x91|\xC2\x9F|\xC2\xA0|\xE2\x80\xA8|\xE2\x80\xA9|\xEF\xBB\xBF|\xEF\xBF\xBE|\xEF\xBF\xBF|\xEF\xBF\xBD");
}

TEST(WriterTest, TakeMovesTheOutput) {
  Writer w;
  w.BeginArray().Int(1).EndArray();
  std::string s = w.Take();
  EXPECT_EQ(s, "[1]");
}

TEST(WriterTest, DeepNestingIndents) {
  Writer w(true);
  for (int i = 0; i < 3; ++i) w.BeginObject().Key("k");
  w.Int(1);
  for (int i = 0; i < 3; ++i) w.EndObject();
  EXPECT_EQ(w.str(), "{\n  \"k\": {\n    \"k\": {\n      \"k\": 1\n    }\n  }\n}");
}

#ifdef NDEBUG
TEST(WriterTest, UnbalancedEndIsIgnoredInReleaseBuilds) {
  Writer w;
  w.EndArray().EndObject();
  EXPECT_EQ(w.str(), "");
}
#else
TEST(WriterDeathTest, MisuseIsCaughtInDebugBuilds) {
  EXPECT_DEATH(Writer().EndObject(), "EndObject");
  EXPECT_DEATH(Writer().BeginObject().Int(1), "key is due");
  EXPECT_DEATH(Writer().BeginArray().Key("k"), "key outside an object");
  EXPECT_DEATH(Writer().Int(1).Int(2), "second top-level value");
}
#endif

}  // namespace
}  // namespace kgate::io::json
