#include "trust/dsse.h"

#include "gtest/gtest.h"

namespace kgate::trust {
namespace {

TEST(DsseTest, PaeMatchesSpec) {
  // The example from the DSSE v1 protocol description.
  EXPECT_EQ(Pae("http://example.com/HelloWorld", "hello world"),
            "DSSEv1 29 http://example.com/HelloWorld 11 hello world");
  EXPECT_EQ(Pae(kInTotoPayloadType, ""), "DSSEv1 28 application/vnd.in-toto+json 0 ");
}

TEST(DsseTest, PaeCompatIsPythonBytesRepr) {
  // Expected strings are what Python prints for repr(b"...").
  EXPECT_EQ(PaeCompat("t", "{\"a\": 1}\n"), "DSSEV1 1 t 9 b'{\"a\": 1}\\n'");
  EXPECT_EQ(PaeCompat("t", "it's"), "DSSEV1 1 t 4 b\"it's\"");
  EXPECT_EQ(PaeCompat("t", "it's \"x\""), "DSSEV1 1 t 8 b'it\\'s \"x\"'");
  EXPECT_EQ(PaeCompat("t", std::string_view("\t\r\\\x00\x7f\xc3\xa9", 7)), "DSSEV1 1 t 7 b'\\t\\r\\\\\\x00\\x7f\\xc3\\xa9'");
}

}  // namespace
}  // namespace kgate::trust
