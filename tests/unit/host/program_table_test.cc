// ProgramTable: search path, explicit entries and the SANHA_PROG_* / SANHA_PATH overrides.
#include "libsan/host/program_table.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

namespace san {
namespace {

// A temporary directory with helpers to place files in it; removed with everything inside.
class TempDir {
 public:
  TempDir() {
    std::string templ = (std::filesystem::temp_directory_path() / "sanha-prog-XXXXXX").string();
    char* made = mkdtemp(templ.data());
    EXPECT_NE(made, nullptr);
    path_ = templ;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  // Creates dir/name (and dir) with `mode`; returns its path.
  std::string File(const std::string& dir, const std::string& name, mode_t mode) {
    std::filesystem::create_directories(path_ + "/" + dir);
    std::string file = path_ + "/" + dir + "/" + name;
    std::ofstream(file) << "#!/bin/sh\n";
    chmod(file.c_str(), mode);
    return file;
  }
  std::string Dir(const std::string& dir) const { return path_ + "/" + dir; }

 private:
  std::string path_;
};

// An environment block as `environ` would be.
class Env {
 public:
  explicit Env(std::vector<std::string> entries) : entries_(std::move(entries)) {
    for (std::string& e : entries_) ptrs_.push_back(e.data());
    ptrs_.push_back(nullptr);
  }
  char** get() { return ptrs_.data(); }

 private:
  std::vector<std::string> entries_;
  std::vector<char*> ptrs_;
};

TEST(ProgramTableTest, EnvNameUpperCasesAndReplacesDashesAndDots) {
  EXPECT_EQ(ProgramTable::EnvName("iptables"), "SANHA_PROG_IPTABLES");
  EXPECT_EQ(ProgramTable::EnvName("iptables-save"), "SANHA_PROG_IPTABLES_SAVE");
  EXPECT_EQ(ProgramTable::EnvName("mkfs.ext4"), "SANHA_PROG_MKFS_EXT4");
}

TEST(ProgramTableTest, NamesWithASlashAreReturnedUnchanged) {
  ProgramTable table;
  EXPECT_EQ(table.Resolve("/no/such/program"), "/no/such/program");
  EXPECT_EQ(table.Resolve("./local"), "./local");
  EXPECT_EQ(table.Resolve(""), std::nullopt);
}

TEST(ProgramTableTest, DefaultSearchPathFindsAStandardProgram) {
  std::optional<std::string> sh = ProgramTable().Resolve("sh");
  ASSERT_TRUE(sh.has_value());
  EXPECT_TRUE(sh->ends_with("/sh")) << *sh;
  EXPECT_EQ(ProgramTable().Resolve("sanha-surely-not-installed"), std::nullopt);
}

TEST(ProgramTableTest, SearchSkipsNonExecutablesAndDirectoriesAndKeepsOrder) {
  TempDir tmp;
  tmp.File("a", "tool", 0644);  // not executable
  std::filesystem::create_directories(tmp.Dir("b/tool"));
  tmp.File("c", "tool", 0755);
  tmp.File("d", "tool", 0755);
  ProgramTable table;
  table.SetSearchPath(
      {tmp.Dir("missing"), tmp.Dir("a"), tmp.Dir("b"), tmp.Dir("c") + "/", tmp.Dir("d")});
  EXPECT_EQ(table.Resolve("tool"), tmp.Dir("c") + "/tool");
  EXPECT_EQ(table.Resolve("other"), std::nullopt);
}

TEST(ProgramTableTest, ExplicitEntryWins) {
  TempDir tmp;
  tmp.File("bin", "iptables", 0755);
  ProgramTable table;
  table.SetSearchPath({tmp.Dir("bin")});
  table.Set("iptables", "/opt/fw/iptables");
  EXPECT_EQ(table.Resolve("iptables"), "/opt/fw/iptables");
}

TEST(ProgramTableTest, ExplicitBareNameIsSearched) {
  TempDir tmp;
  std::string legacy = tmp.File("bin", "iptables-legacy", 0755);
  ProgramTable table;
  table.SetSearchPath({tmp.Dir("bin")});
  table.Set("iptables", "iptables-legacy");
  EXPECT_EQ(table.Resolve("iptables"), legacy);
}

TEST(ProgramTableTest, FromEnvironmentReadsProgramOverrides) {
  Env env({"PATH=/bin", "SANHA_PROG_IPTABLES_SAVE=/opt/bin/save",
           "SANHA_PROG_TGTADM=", "SANHA_PROG_=/x", "UNRELATED"});
  ProgramTable table = ProgramTable::FromEnvironment(env.get());
  table.SetSearchPath({});
  EXPECT_EQ(table.Resolve("iptables-save"), "/opt/bin/save");
  EXPECT_EQ(table.Resolve("iptables.save"), "/opt/bin/save");
  EXPECT_EQ(table.Resolve("tgtadm"), std::nullopt);  // empty value: as if unset
}

TEST(ProgramTableTest, FromEnvironmentSanhaPathReplacesTheSearchPath) {
  TempDir tmp;
  std::string fake_sh = tmp.File("two", "sh", 0755);
  std::string tool = tmp.File("one", "tool", 0755);
  Env env({"SANHA_PATH=" + tmp.Dir("one") + "::" + tmp.Dir("two") + ":"});
  ProgramTable table = ProgramTable::FromEnvironment(env.get());
  EXPECT_EQ(table.Resolve("tool"), tool);
  EXPECT_EQ(table.Resolve("sh"), fake_sh);  // the default path is no longer searched
}

TEST(ProgramTableTest, SetTakesPrecedenceOverTheEnvironment) {
  Env env({"SANHA_PROG_LVS=/from/env"});
  ProgramTable table = ProgramTable::FromEnvironment(env.get());
  EXPECT_EQ(table.Resolve("lvs"), "/from/env");
  table.Set("lvs", "/from/set");
  EXPECT_EQ(table.Resolve("lvs"), "/from/set");
}

TEST(ProgramTableTest, FromEnvironmentAcceptsAnEmptyOrNullBlock) {
  EXPECT_TRUE(ProgramTable::FromEnvironment(nullptr).Resolve("sh").has_value());
  Env empty({});
  EXPECT_TRUE(ProgramTable::FromEnvironment(empty.get()).Resolve("sh").has_value());
}

}  // namespace
}  // namespace san
