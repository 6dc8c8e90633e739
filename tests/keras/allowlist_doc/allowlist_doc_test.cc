// docs/allowlist.md is generated from the spec tables; this test fails when a
// class is added to (or removed from) the registry without regenerating it.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>

#include "keras/layer_registry.h"

namespace kgate::keras {
namespace {

std::string ReadDoc() {
  std::ifstream in(std::string(KGATE_SOURCE_DIR) + "/docs/allowlist.md");
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

TEST(AllowlistDocTest, EveryRegisteredClassIsDocumentedAndNoOther) {
  const std::string doc = ReadDoc();
  ASSERT_FALSE(doc.empty()) << "docs/allowlist.md is missing";
  size_t documented = 0;
  for (std::string_view cls : AllowlistedLayerClasses()) {
    std::string name(cls);
    if (name.starts_with("ops.numpy.")) name = name.substr(10);
    EXPECT_NE(doc.find("`" + name + "`"), std::string::npos)
        << cls << " is allowlisted but not in docs/allowlist.md; run tools/docs/make_allowlist_doc.py";
    ++documented;
  }
  // Count backticked names in the two layer sections of the doc.
  const size_t start = doc.find("## Layers");
  const size_t end = doc.find("## ", doc.find("## keras.ops") + 3);
  ASSERT_NE(start, std::string::npos);
  const std::string sections = doc.substr(start, end - start);
  size_t ticks = 0;
  for (size_t p = sections.find("`, `"); p != std::string::npos; p = sections.find("`, `", p + 1)) ++ticks;
  // Names per section = separators + 1; two sections; the prose mentions 3 modules in backticks.
  EXPECT_EQ(ticks + 2, documented) << "docs/allowlist.md lists classes the registry does not have";
}

TEST(AllowlistDocTest, RegistryHasNoDuplicates) {
  auto names = AllowlistedLayerClasses();
  for (size_t i = 1; i < names.size(); ++i) EXPECT_NE(names[i - 1], names[i]) << names[i];
  EXPECT_EQ(FindLayerSpec("Lambda"), nullptr);
  EXPECT_EQ(FindLayerSpec("TFSMLayer"), nullptr);
  EXPECT_EQ(FindLayerSpec("TorchModuleWrapper"), nullptr);
  EXPECT_NE(FindLayerSpec("Dense"), nullptr);
}

}  // namespace
}  // namespace kgate::keras
