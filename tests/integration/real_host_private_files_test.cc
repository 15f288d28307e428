// RealHost's additions for files that carry secrets or configuration, on the real file system:
// bounded reads that never block on a FIFO or a device, private atomic replacement that follows
// no symlink and keeps no old mode, exclusive creation, and lock files that refuse symlinks.
#include <fcntl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "libsan/host/real_host.h"

namespace san {
namespace {

using ::testing::HasSubstr;

class PrivateFilesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string templ = (std::filesystem::temp_directory_path() / "sanha-priv-XXXXXX").string();
    ASSERT_NE(mkdtemp(templ.data()), nullptr);
    dir_ = templ;
  }
  void TearDown() override {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  std::string P(const std::string& name) const { return dir_ + "/" + name; }
  static void Write(const std::string& path, const std::string& text) {
    std::ofstream(path) << text;
  }
  static std::string Read(const std::string& path) {
    std::ifstream in(path);
    return std::string(std::istreambuf_iterator<char>(in), {});
  }
  static unsigned Mode(const std::string& path) {
    struct stat st;
    return lstat(path.c_str(), &st) == 0 ? (st.st_mode & 07777) : 0;
  }

  std::string dir_;
  RealHost host_{ProgramTable()};
};

TEST_F(PrivateFilesTest, ReadRegularFileRefusesFifoDeviceDirectoryAndHugeFiles) {
  ASSERT_EQ(mkfifo(P("fifo").c_str(), 0600), 0);
  host_.SetDeadline(host_.Now() + std::chrono::seconds(20));
  // No writer on the FIFO: a blocking open would hang here until the deadline.
  Result<std::string> fifo = host_.ReadRegularFile(P("fifo"), 1 << 20);
  EXPECT_EQ(fifo.status().code(), Code::kInvalidConfig);
  EXPECT_THAT(fifo.status().message(), HasSubstr("not a regular file"));
  EXPECT_EQ(host_.ReadRegularFile("/dev/zero", 1 << 20).status().code(), Code::kInvalidConfig);
  EXPECT_EQ(host_.ReadRegularFile(dir_, 1 << 20).status().code(), Code::kNotFound);
  EXPECT_EQ(host_.ReadRegularFile(P("missing"), 1 << 20).status().code(), Code::kNotFound);
  Write(P("big"), std::string(4097, 'x'));
  EXPECT_THAT(host_.ReadRegularFile(P("big"), 4096).status().message(), HasSubstr("larger than"));
  Write(P("ok"), "target x\n");
  ASSERT_TRUE(host_.ReadRegularFile(P("ok"), 4096).ok());
  EXPECT_EQ(*host_.ReadRegularFile(P("ok"), 4096), "target x\n");
  // Through a symlink to a regular file is fine (the administrator's own layout).
  ASSERT_EQ(symlink(P("ok").c_str(), P("link").c_str()), 0);
  EXPECT_TRUE(host_.ReadRegularFile(P("link"), 4096).ok());
  // Without a deadline too (no helper thread).
  host_.SetDeadline(std::nullopt);
  EXPECT_EQ(host_.ReadRegularFile(P("fifo"), 1 << 20).status().code(), Code::kInvalidConfig);
}

TEST_F(PrivateFilesTest, PrivateReplaceIs0600FollowsNoLinkAndCleansTemporaries) {
  const mode_t old_umask = umask(0);  // the mode must not depend on the caller's umask
  Write(P("out"), "old");
  chmod(P("out").c_str(), 0644);
  ASSERT_TRUE(host_.WritePrivateFileAtomically(P("out"), "secret-1").ok());
  EXPECT_EQ(Read(P("out")), "secret-1");
  EXPECT_EQ(Mode(P("out")), 0600u) << "never the replaced file's 0644";
  // A planted symlink to a world-writable file: replaced, never written through.
  Write(P("victim"), "keep");
  chmod(P("victim").c_str(), 0666);
  unlink(P("out").c_str());
  ASSERT_EQ(symlink(P("victim").c_str(), P("out").c_str()), 0);
  ASSERT_TRUE(host_.WritePrivateFileAtomically(P("out"), "secret-2").ok());
  EXPECT_EQ(Read(P("victim")), "keep");
  struct stat st;
  ASSERT_EQ(lstat(P("out").c_str(), &st), 0);
  EXPECT_TRUE(S_ISREG(st.st_mode));
  EXPECT_EQ(Mode(P("out")), 0600u);
  // A temporary of a killed run is removed by the next write.
  Write(P("out.tmp.0123abcd"), "half");
  ASSERT_TRUE(host_.WritePrivateFileAtomically(P("out"), "secret-3").ok());
  EXPECT_FALSE(std::filesystem::exists(P("out.tmp.0123abcd")));
  umask(old_umask);
}

TEST_F(PrivateFilesTest, CreatePrivateFileIsExclusiveAndLocksRefuseSymlinks) {
  ASSERT_TRUE(host_.CreatePrivateFile(P("key"), "k1\n").ok());
  EXPECT_EQ(Mode(P("key")), 0600u);
  EXPECT_EQ(host_.CreatePrivateFile(P("key"), "k2\n").code(), Code::kBusy);
  EXPECT_EQ(Read(P("key")), "k1\n");
  ASSERT_EQ(symlink(P("elsewhere").c_str(), P("planted").c_str()), 0);
  EXPECT_FALSE(host_.CreatePrivateFile(P("planted"), "x").ok());
  EXPECT_FALSE(std::filesystem::exists(P("elsewhere")));
  ASSERT_EQ(symlink(P("elsewhere").c_str(), P("lock").c_str()), 0);
  EXPECT_FALSE(host_.Lock(P("lock"), std::chrono::milliseconds(10)).ok());
  EXPECT_FALSE(std::filesystem::exists(P("elsewhere"))) << "no file created through the link";
  Result<std::string> r = host_.RandomBytes(16);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->size(), 16u);
  EXPECT_NE(*r, *host_.RandomBytes(16));
}

}  // namespace
}  // namespace san
