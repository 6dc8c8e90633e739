// Caps from json::Limits, each tested at the limit and one past it, and the
// guarantees that keep hostile nesting from reaching the stack.

#include <gtest/gtest.h>

#include <pthread.h>

#include <string>

#include "io/json/json.h"
#include "json_test_util.h"
#include "util/rules.h"
#include "util/strings.h"

namespace kgate::io::json {
namespace {

using testing::IsJsonError;
using util::StrCat;
constexpr std::string_view kLimit = util::rules::kJsonLimit;

std::string NestedArrays(size_t depth) { return std::string(depth, '[') + std::string(depth, ']'); }

std::string NestedObjects(size_t depth) {
  std::string s;
  for (size_t i = 0; i < depth; ++i) s += "{\"a\":";
  s += "1";
  s += std::string(depth, '}');
  return s;
}

TEST(LimitsTest, DefaultsAreTheDocumentedOnes) {
  Limits l;
  EXPECT_EQ(l.max_depth, 128u);
  EXPECT_EQ(l.max_input_bytes, uint64_t{64} << 20);
  EXPECT_EQ(l.max_string_bytes, uint64_t{16} << 20);
  EXPECT_EQ(l.max_elements, uint64_t{8} << 20);
}

TEST(LimitsTest, DepthAtCapAndOnePast) {
  EXPECT_TRUE(Parse(NestedArrays(128)).ok());
  EXPECT_TRUE(Parse(NestedObjects(128)).ok());
  EXPECT_TRUE(IsJsonError(Parse(NestedArrays(129)).status(), kLimit,
                          "nesting deeper than the cap of 128 at byte 128 (line 1, column 129): "
                          "expected at most 128 nested arrays and objects"));
  EXPECT_TRUE(IsJsonError(Parse(NestedObjects(129)).status(), kLimit, "nesting deeper than the cap of 128"));
  // Empty containers count as a level too.
  EXPECT_TRUE(IsJsonError(Parse(std::string(128, '[') + "{}" + std::string(128, ']')).status(), kLimit,
                          "at byte 128"));
}

TEST(LimitsTest, CustomDepth) {
  Limits limits;
  limits.max_depth = 5;
  EXPECT_TRUE(Parse(NestedArrays(5), limits).ok());
  EXPECT_TRUE(IsJsonError(Parse(NestedArrays(6), limits).status(), kLimit, "cap of 5"));
  limits.max_depth = 0;  // scalars only
  EXPECT_TRUE(Parse("1", limits).ok());
  EXPECT_TRUE(IsJsonError(Parse("[]", limits).status(), kLimit, "cap of 0 at byte 0"));
}

TEST(LimitsTest, DepthNeverExceeds128WhateverLimitsSay) {
  Limits limits;
  limits.max_depth = 100000;
  EXPECT_TRUE(Parse(NestedArrays(128), limits).ok());
  EXPECT_TRUE(IsJsonError(Parse(NestedArrays(129), limits).status(), kLimit, "cap of 128"));
}

TEST(LimitsTest, HostileNestingFailsAtTheCapWithoutRecursion) {
  // 50,000 (and 5,000,000) unclosed brackets: refused at byte 128.
  for (size_t n : {size_t{50000}, size_t{5000000}}) {
    EXPECT_TRUE(IsJsonError(Parse(std::string(n, '[')).status(), kLimit, "at byte 128 ")) << n;
  }
  std::string objects;
  for (int i = 0; i < 50000; ++i) objects += "{\"a\":";
  EXPECT_TRUE(IsJsonError(Parse(objects).status(), kLimit, "at byte 640 "));  // 128 * 5
  std::string mixed;
  for (int i = 0; i < 50000; ++i) mixed += "[{\"\":";
  EXPECT_TRUE(IsJsonError(Parse(mixed).status(), kLimit, "nesting deeper"));
}

TEST(LimitsTest, MaxDepthValueDestroysAndSerializes) {
  // The deepest tree a parse can return, with siblings at every level, must
  // be copied, serialized and destroyed without trouble.
  std::string doc;
  for (int i = 0; i < 127; ++i) doc += "[1,{\"k\":\"v\"},";
  doc += "[null]";
  for (int i = 0; i < 127; ++i) doc += "]";
  auto v = Parse(doc);
  ASSERT_TRUE(v.ok()) << v.status();
  Value copy = *v;
  EXPECT_EQ(Serialize(copy), doc);
  { Value moved = std::move(*v); }
}

TEST(LimitsTest, MaxDepthValueFitsASmallThreadStack) {
  // Copying and destroying a Value recurse once per level; at the depth cap
  // that must fit a 2 MiB thread stack (a quarter of the default) even in a
  // -O0 clang ASan + libFuzzer build, the most stack-hungry one (gcc -O0 ASan
  // needs about 1.5 KiB per level, -O2 a few dozen bytes).
  std::string doc;
  for (int i = 0; i < 64; ++i) doc += "[{\"k\":";
  doc += "0";
  for (int i = 0; i < 64; ++i) doc += "}]";
  auto parsed = Parse(doc);
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  struct Job {
    Value value;
    std::string serialized;
  } job{std::move(*parsed), ""};
  pthread_attr_t attr;
  ASSERT_EQ(pthread_attr_init(&attr), 0);
  ASSERT_EQ(pthread_attr_setstacksize(&attr, 2 * 1024 * 1024), 0);
  pthread_t thread;
  auto run = [](void* arg) -> void* {
    auto* j = static_cast<Job*>(arg);
    Value copy = j->value;
    j->serialized = Serialize(copy);
    j->value = Value();  // destroys the original on this thread too
    return nullptr;
  };
  ASSERT_EQ(pthread_create(&thread, &attr, run, &job), 0);
  ASSERT_EQ(pthread_join(thread, nullptr), 0);
  pthread_attr_destroy(&attr);
  EXPECT_EQ(job.serialized, doc);
  EXPECT_TRUE(job.value.is_null());
}

TEST(LimitsTest, SerializeDoesNotRecurse) {
  // Code can build a Value deeper than any parse allows; Serialize walks it
  // with an explicit stack. (Destruction recurses, so keep this moderate.)
  Value v = Value::Int(7);
  for (int i = 0; i < 2000; ++i) {
    Array a;
    a.push_back(std::move(v));
    v = Value::MakeArray(std::move(a));
  }
  std::string s = Serialize(v);
  EXPECT_EQ(s, std::string(2000, '[') + "7" + std::string(2000, ']'));
}

TEST(LimitsTest, StringBytesAtCapAndOnePast) {
  Limits limits;
  limits.max_string_bytes = 10;
  EXPECT_TRUE(Parse("\"0123456789\"", limits).ok());
  EXPECT_TRUE(IsJsonError(Parse("[\"0123456789A\"]", limits).status(), kLimit,
                          "string longer than the cap of 10 bytes at byte 1"));
  // The cap counts decoded bytes: 5 x "\u00e9" is 30 bytes of input but 10 of text.
  auto v = Parse("\"\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\"", limits);
  ASSERT_TRUE(v.ok()) << v.status();
  EXPECT_EQ(v->string().size(), 10u);
  EXPECT_TRUE(IsJsonError(Parse("\"\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9x\"", limits).status(), kLimit, "cap of 10"));
  // ... and a multi-byte character that would cross the cap.
  EXPECT_TRUE(Parse("\"012345678\"", limits).ok());
  EXPECT_TRUE(IsJsonError(Parse("\"012345678\xC3\xA9\"", limits).status(), kLimit, "cap of 10"));
  EXPECT_TRUE(IsJsonError(Parse("\"012345678\\ud83d\\ude00\"", limits).status(), kLimit, "cap of 10"));
  EXPECT_TRUE(IsJsonError(Parse("\"0123456789\\n\"", limits).status(), kLimit, "cap of 10"));
  // Keys are strings too.
  EXPECT_TRUE(Parse("{\"0123456789\":1}", limits).ok());
  EXPECT_TRUE(IsJsonError(Parse("{\"0123456789A\":1}", limits).status(), kLimit, "at byte 1"));
  limits.max_string_bytes = 0;
  EXPECT_TRUE(Parse("\"\"", limits).ok());
  EXPECT_TRUE(IsJsonError(Parse("\"a\"", limits).status(), kLimit, "cap of 0"));
}

TEST(LimitsTest, ElementsAtCapAndOnePast) {
  Limits limits;
  limits.max_elements = 4;  // the array and three numbers
  EXPECT_TRUE(Parse("[1,2,3]", limits).ok());
  EXPECT_TRUE(IsJsonError(Parse("[1,2,3,4]", limits).status(), kLimit,
                          "more than 4 values in the document at byte 7 (line 1, column 8): expected at most 4 values"));
  // Containers, empty ones included, and object members count; keys do not.
  limits.max_elements = 3;
  EXPECT_TRUE(Parse("{\"a\":[],\"b\":{}}", limits).ok());
  EXPECT_TRUE(IsJsonError(Parse("{\"a\":[],\"b\":{},\"c\":null}", limits).status(), kLimit, "more than 3"));
  limits.max_elements = 2;
  EXPECT_TRUE(IsJsonError(Parse("{\"a\":[],\"b\":{}}", limits).status(), kLimit, "at byte 12"));
  limits.max_elements = 1;
  EXPECT_TRUE(Parse("\"x\"", limits).ok());
  EXPECT_TRUE(IsJsonError(Parse("[[]]", limits).status(), kLimit, "at byte 1"));
  limits.max_elements = 0;
  EXPECT_TRUE(IsJsonError(Parse("null", limits).status(), kLimit, "more than 0 values"));
}

TEST(LimitsTest, InputBytesAtCapAndOnePast) {
  Limits limits;
  limits.max_input_bytes = 7;
  EXPECT_TRUE(Parse("[1,2,3]", limits).ok());
  EXPECT_TRUE(IsJsonError(Parse("[1,2,3] ", limits).status(), kLimit,
                          "input of 8 bytes longer than the cap of 7 bytes at byte 7"));
  // Checked before anything is parsed: the excess need not be JSON at all.
  EXPECT_TRUE(IsJsonError(Parse(std::string(100, '\xFF'), limits).status(), kLimit, "input of 100 bytes"));
}

TEST(LimitsTest, ManyElementsWithinDefaults) {
  // A flat array of 300k values and an object of 100k members parse.
  std::string arr = "[";
  for (int i = 0; i < 300000; ++i) arr += i ? ",0" : "0";
  arr += "]";
  auto a = Parse(arr);
  ASSERT_TRUE(a.ok()) << a.status();
  EXPECT_EQ(a->array().size(), 300000u);
  std::string obj = "{";
  for (int i = 0; i < 100000; ++i) obj += StrCat(i ? "," : "", "\"", i, "\":[", i, "]");
  obj += "}";
  auto o = Parse(obj);
  ASSERT_TRUE(o.ok()) << o.status();
  EXPECT_EQ(o->object().size(), 100000u);
  EXPECT_EQ(o->object()[99999].first, "99999");
}

}  // namespace
}  // namespace kgate::io::json
