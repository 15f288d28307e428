// RealHost::ListDirectory and ReadLink on the real file system and /proc (what the lvm-vg holder
// scan and lvm_iostat rely on).
#include <fcntl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "libsan/host/real_host.h"

namespace san {
namespace {

using ::testing::Contains;
using ::testing::ElementsAre;

class RealHostListingTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/sanha-listing.XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string dir_;
  RealHost host_{ProgramTable()};
};

TEST_F(RealHostListingTest, ListsSortedWithoutDots) {
  std::ofstream(dir_ + "/b") << "x";
  std::ofstream(dir_ + "/a") << "y";
  std::filesystem::create_directory(dir_ + "/c");
  std::filesystem::create_symlink("/dev/null", dir_ + "/l");
  EXPECT_THAT(*host_.ListDirectory(dir_), ElementsAre("a", "b", "c", "l"));
  EXPECT_TRUE(host_.ListDirectory(dir_ + "/c")->empty());
  EXPECT_EQ(host_.ListDirectory(dir_ + "/nope").status().code(), Code::kNotFound);
  EXPECT_EQ(*host_.ReadLink(dir_ + "/l"), "/dev/null");
  EXPECT_EQ(host_.ReadLink(dir_ + "/nope").status().code(), Code::kNotFound);
  EXPECT_FALSE(host_.ReadLink(dir_ + "/a").ok()) << "not a link";
}

TEST_F(RealHostListingTest, SeesOwnOpenFileInProc) {
  const std::string path = dir_ + "/held";
  std::ofstream(path) << "x";
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  ASSERT_GE(fd, 0);
  const std::string fd_dir = "/proc/" + std::to_string(getpid()) + "/fd";
  Result<std::vector<std::string>> fds = host_.ListDirectory(fd_dir);
  ASSERT_TRUE(fds.ok()) << fds.status().ToString();
  EXPECT_THAT(*fds, Contains(std::to_string(fd)));
  EXPECT_EQ(*host_.ReadLink(fd_dir + "/" + std::to_string(fd)), path);
  close(fd);
}

}  // namespace
}  // namespace san
