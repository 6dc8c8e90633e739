// Readers of every input format, on fixtures made by the real tools (pip,
// pip freeze, uv, poetry, pipenv; see tools/deps/make_fixtures.py and
// make_lockfiles.sh) and on hand-written edge cases.
#include <algorithm>

#include "deps/environment.h"
#include "deps/lockfile.h"
#include "deps/requirement.h"
#include "deps/requirements_file.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "test_util.h"

namespace kgate::deps {
namespace {

using ::testing::HasSubstr;

const Package* FindPackage(const Inventory& inv, std::string_view normalized) {
  for (const Package& p : inv.packages) {
    if (p.normalized == normalized) return &p;
  }
  return nullptr;
}

const NotAudited* FindNotAudited(const Inventory& inv, std::string_view line_part) {
  for (const NotAudited& n : inv.not_audited) {
    if (n.line.find(line_part) != std::string::npos) return &n;
  }
  return nullptr;
}

TEST(NamesTest, Pep503) {
  EXPECT_EQ(NormalizeName("TensorFlow-CPU"), "tensorflow-cpu");
  EXPECT_EQ(NormalizeName("tensorflow_cpu"), "tensorflow-cpu");
  EXPECT_EQ(NormalizeName("tensorflow.cpu"), "tensorflow-cpu");
  EXPECT_EQ(NormalizeName("a-_.-b"), "a-b");
  EXPECT_TRUE(IsValidName("tf_keras"));
  EXPECT_FALSE(IsValidName("-keras"));
  EXPECT_FALSE(IsValidName("ker as"));
}

TEST(RequirementTest, Forms) {
  absl::StatusOr<Requirement> r = ParseRequirement("Keras[jax, tf] (>=3.0, <4) ; python_version > '3.9'");
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->name, "Keras");
  EXPECT_THAT(r->extras, ::testing::ElementsAre("jax", "tf"));
  ASSERT_EQ(r->specifiers.size(), 2u);
  EXPECT_EQ(r->specifiers[1].op, "<");
  EXPECT_EQ(r->marker, "python_version > '3.9'");
  EXPECT_FALSE(r->PinnedVersion().has_value());
  EXPECT_EQ(*ParseRequirement("keras==3.10.0")->PinnedVersion(), "3.10.0");
  EXPECT_EQ(*ParseRequirement("torch===2.6.0+cu124")->PinnedVersion(), "2.6.0+cu124");
  EXPECT_FALSE(ParseRequirement("h5py==3.*")->PinnedVersion().has_value());
  EXPECT_FALSE(ParseRequirement("a==1,==2")->PinnedVersion().has_value());  // contradictory: not guessed
  absl::StatusOr<Requirement> url = ParseRequirement("pkg @ https://x/pkg-1.2-py3-none-any.whl ; os_name=='nt'");
  ASSERT_TRUE(url.ok()) << url.status();
  EXPECT_EQ(*WheelVersionFromUrl(url->url), "1.2");
  absl::StatusOr<Requirement> bad = ParseRequirement("keras=3.0");
  ASSERT_FALSE(bad.ok());
  EXPECT_THAT(std::string(bad.status().message()), HasSubstr("at offset 5 expected a version operator"));
}

TEST(RequirementsFileTest, EveryPipForm) {
  absl::StatusOr<Inventory> inv = ReadRequirementsFile(testing::Fixture("requirements/requirements.txt"));
  ASSERT_TRUE(inv.ok()) << inv.status();
  // Pinned lines, including one from the -r include and a wheel URL.
  const Package* keras = FindPackage(*inv, "keras");
  ASSERT_NE(keras, nullptr);
  EXPECT_EQ(keras->version, "3.10.0");
  EXPECT_THAT(keras->source, HasSubstr("requirements.txt:7"));  // the first line of the continued requirement
  EXPECT_EQ(FindPackage(*inv, "tensorflow")->version, "2.12.0");
  EXPECT_THAT(FindPackage(*inv, "tensorflow")->source, HasSubstr("python_version >= \"3.9\""));
  EXPECT_EQ(FindPackage(*inv, "torch")->version, "2.6.0+cu124");
  EXPECT_EQ(FindPackage(*inv, "tf-keras")->version, "2.15.0");
  EXPECT_EQ(FindPackage(*inv, "pillow")->version, "9.0.0");
  EXPECT_EQ(FindPackage(*inv, "protobuf")->version, "3.20.1");
  EXPECT_THAT(FindPackage(*inv, "protobuf")->source, HasSubstr("base.txt:1"));
  EXPECT_EQ(inv->packages.size(), 7u);
  // Everything else is reported, never guessed.
  EXPECT_THAT(FindNotAudited(*inv, "jax>=0.4.20")->reason, HasSubstr("not pinned"));
  EXPECT_THAT(FindNotAudited(*inv, "numpy")->reason, HasSubstr("no version"));
  EXPECT_THAT(FindNotAudited(*inv, "h5py==3.*")->reason, HasSubstr("not pinned"));
  EXPECT_THAT(FindNotAudited(*inv, "internal")->reason, HasSubstr("editable"));
  EXPECT_THAT(FindNotAudited(*inv, "private-pkg")->reason, HasSubstr("direct URL"));
  EXPECT_THAT(FindNotAudited(*inv, "--unknown-flag")->reason, HasSubstr("unknown option"));
  EXPECT_THAT(FindNotAudited(*inv, "not a requirement")->reason, HasSubstr("not a requirement"));
  EXPECT_EQ(FindNotAudited(*inv, "urllib3"), nullptr);  // -c constraints do not install anything
}

TEST(RequirementsFileTest, PipFreezeOutput) {
  absl::StatusOr<Inventory> inv = ReadRequirementsFile(testing::Fixture("requirements/freeze.txt"));
  ASSERT_TRUE(inv.ok()) << inv.status();
  EXPECT_EQ(inv->packages.size(), 18u);
  EXPECT_TRUE(inv->not_audited.empty());
  EXPECT_EQ(FindPackage(*inv, "typing-extensions")->name, "typing_extensions");
  EXPECT_FALSE(inv->has_dependency_graph);
}

TEST(RequirementsFileTest, IncludeCycleAndMissingFile) {
  testing::TempDir dir;
  dir.Write("a.txt", "-r b.txt\n");
  dir.Write("b.txt", "--requirement=a.txt\n");
  absl::StatusOr<Inventory> cycle = ReadRequirementsFile(dir.path() + "/a.txt");
  ASSERT_FALSE(cycle.ok());
  EXPECT_THAT(std::string(cycle.status().message()), HasSubstr("include cycle"));
  dir.Write("c.txt", "-r missing.txt\n");
  absl::StatusOr<Inventory> missing = ReadRequirementsFile(dir.path() + "/c.txt");
  ASSERT_FALSE(missing.ok());
  EXPECT_THAT(std::string(missing.status().message()), HasSubstr("missing.txt"));
}

TEST(RequirementsFileTest, ContinuationsCommentsAndCrLf) {
  absl::StatusOr<Inventory> inv =
      ParseRequirementsText("# c\r\nkeras\\\r\n==3.1.0 # why\r\nfoo#notacomment==1\r\n\r\n", "r.txt");
  ASSERT_TRUE(inv.ok()) << inv.status();
  ASSERT_EQ(inv->packages.size(), 1u);
  EXPECT_EQ(inv->packages[0].version, "3.1.0");
  EXPECT_EQ(inv->packages[0].source, "r.txt:2");
  ASSERT_EQ(inv->not_audited.size(), 1u);  // "foo#notacomment==1" is not a valid requirement
}

TEST(EnvironmentTest, RealSitePackages) {
  absl::StatusOr<Inventory> inv = ReadEnvironment(testing::Fixture("site-packages"));
  ASSERT_TRUE(inv.ok()) << inv.status();
  EXPECT_EQ(inv->packages.size(), 18u);
  EXPECT_TRUE(inv->has_dependency_graph);
  const Package* keras = FindPackage(*inv, "keras");
  ASSERT_NE(keras, nullptr);
  EXPECT_EQ(keras->version, "3.10.0");
  EXPECT_THAT(keras->dependencies, ::testing::IsSupersetOf({"h5py", "rich", "numpy", "ml-dtypes"}));
  // The name comes from the Name header ("Pygments"), not the folder.
  EXPECT_EQ(FindPackage(*inv, "pygments")->name, "Pygments");
  EXPECT_THAT(FindPackage(*inv, "rich")->dependencies, ::testing::IsSupersetOf({"pygments", "markdown-it-py"}));
}

TEST(EnvironmentTest, MetadataHeadersEndAtBlankLine) {
  absl::StatusOr<DistMetadata> m = ParseMetadata(
      "Metadata-Version: 2.1\nName: demo\nVersion: 1.0\nRequires-Dist: numpy>=1\nRequires-Dist: rich;\n extra == 'x'\n\n"
      "Requires-Dist: not-a-header-anymore\n",
      "demo/METADATA");
  ASSERT_TRUE(m.ok()) << m.status();
  EXPECT_THAT(m->requires_dist, ::testing::ElementsAre("numpy>=1", "rich; extra == 'x'"));
  absl::StatusOr<DistMetadata> no_version = ParseMetadata("Name: demo\n", "demo/METADATA");
  ASSERT_FALSE(no_version.ok());
  EXPECT_THAT(std::string(no_version.status().message()), HasSubstr("demo/METADATA: no Version header"));
  absl::StatusOr<DistMetadata> junk = ParseMetadata("Name: demo\ngarbage line\n", "demo/METADATA");
  ASSERT_FALSE(junk.ok());
  EXPECT_THAT(std::string(junk.status().message()), HasSubstr("demo/METADATA:2: expected a 'Header: value' line"));
}

struct LockCase {
  const char* file;
  size_t packages;
  const char* not_audited;  // a line expected among the not-audited entries, or ""
};

class LockfileTest : public ::testing::TestWithParam<LockCase> {};

TEST_P(LockfileTest, ReadsRealLockfile) {
  absl::StatusOr<Inventory> inv = ReadLockfile(testing::Fixture(std::string("lockfiles/") + GetParam().file));
  ASSERT_TRUE(inv.ok()) << inv.status();
  EXPECT_EQ(inv->packages.size(), GetParam().packages);
  const Package* keras = FindPackage(*inv, "keras");
  ASSERT_NE(keras, nullptr);
  EXPECT_EQ(keras->version, "3.10.0");
  EXPECT_EQ(FindPackage(*inv, "pygments")->version, "2.14.0");
  EXPECT_EQ(FindPackage(*inv, "urllib3")->version, "1.26.17");
  if (*GetParam().not_audited != '\0') {
    EXPECT_NE(FindNotAudited(*inv, GetParam().not_audited), nullptr);
  }
  if (inv->has_dependency_graph) {
    EXPECT_THAT(keras->dependencies, ::testing::Contains("rich"));
  }
}

INSTANTIATE_TEST_SUITE_P(Formats, LockfileTest,
                         ::testing::Values(LockCase{"uv.lock", 19, "keras-service"}, LockCase{"pylock.toml", 19, ""},
                                           LockCase{"poetry.lock", 19, ""}, LockCase{"Pipfile.lock", 22, ""}),
                         [](const auto& info) {
                           std::string n = info.param.file;
                           std::replace(n.begin(), n.end(), '.', '_');
                           return n;
                         });

TEST(LockfileKindTest, ByName) {
  EXPECT_EQ(*LockKindForPath("a/pylock.dev.toml"), LockKind::kPylock);
  absl::StatusOr<LockKind> k = LockKindForPath("requirements.lock");
  ASSERT_FALSE(k.ok());
  EXPECT_THAT(std::string(k.status().message()), HasSubstr("expected poetry.lock, uv.lock"));
}

TEST(LockfileTest, MalformedEntriesNameWhere) {
  absl::StatusOr<Inventory> inv = ParseLockfile("[[package]]\nname = \"x\"\nversion = 3\n", LockKind::kPoetry, "poetry.lock");
  ASSERT_FALSE(inv.ok());
  EXPECT_THAT(std::string(inv.status().message()), HasSubstr("poetry.lock:package[0]: 'version' must be a string"));
  absl::StatusOr<Inventory> pip = ParseLockfile("{\"default\": {\"x\": {\"version\": \">=1\"}}}", LockKind::kPipfile, "Pipfile.lock");
  ASSERT_TRUE(pip.ok()) << pip.status();
  EXPECT_EQ(pip->not_audited.size(), 1u);
  absl::StatusOr<Inventory> bad_json = ParseLockfile("{", LockKind::kPipfile, "Pipfile.lock");
  ASSERT_FALSE(bad_json.ok());
  EXPECT_THAT(std::string(bad_json.status().message()), HasSubstr("Pipfile.lock: "));
}

}  // namespace
}  // namespace kgate::deps
