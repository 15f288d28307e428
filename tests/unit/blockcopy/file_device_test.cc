// The real BlockDevice on temporary files: reads, gathered writes, O_DIRECT with an unaligned
// tail, hole punching, locking, and refusal of things that are not files or block devices.
#include "libsan/blockcopy/file_device.h"

#include <fcntl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "libsan/blockcopy/aligned_buffer.h"

namespace san::blockcopy {
namespace {

using ::testing::HasSubstr;

class FileDeviceTest : public ::testing::Test {
 protected:
  FileDeviceTest() {
    char tmpl[] = "/tmp/sanha-filedev.XXXXXX";
    dir_ = mkdtemp(tmpl);
  }
  ~FileDeviceTest() override { std::filesystem::remove_all(dir_); }
  std::string Path(const std::string& name) { return dir_ + "/" + name; }
  void Write(const std::string& name, const std::string& data) {
    std::ofstream(Path(name), std::ios::binary) << data;
  }
  std::string ReadBack(const std::string& name) {
    std::ifstream in(Path(name), std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
  }
  std::string dir_;
};

TEST_F(FileDeviceTest, ReadsAndWritesARegularFile) {
  Write("f", std::string(100000, 'a'));
  OpenOptions o;
  o.writable = true;
  Result<std::unique_ptr<BlockDevice>> dev = OpenFile(Path("f"), o);
  ASSERT_TRUE(dev.ok()) << dev.status().ToString();
  EXPECT_EQ((*dev)->size(), 100000u);
  EXPECT_EQ((*dev)->info().kind, DeviceInfo::Kind::kRegularFile);
  std::string x = "xyz", y = "12";
  ConstPiece pieces[] = {{reinterpret_cast<const std::byte*>(x.data()), 3},
                         {reinterpret_cast<const std::byte*>(y.data()), 2}};
  ASSERT_TRUE(WriteFull(**dev, 10, pieces).ok());
  ASSERT_TRUE((*dev)->Flush().ok());
  std::string back(5, '\0');
  ASSERT_TRUE(ReadFull(**dev, 10, std::as_writable_bytes(std::span(back))).ok());
  EXPECT_EQ(back, "xyz12");
  Status past = ReadFull(**dev, 99998, std::as_writable_bytes(std::span(back)));
  EXPECT_EQ(past.code(), Code::kCorruption);
  EXPECT_THAT(past.message(), HasSubstr("did it shrink?"));
}

TEST_F(FileDeviceTest, DirectIoWithAnUnalignedTail) {
  std::string data(3 * 4096 + 100, 'q');
  Write("d", data);
  OpenOptions o;
  o.writable = true;
  o.direct = true;
  Result<std::unique_ptr<BlockDevice>> dev = OpenFile(Path("d"), o);
  if (dev.status().code() == Code::kInvalidConfig) GTEST_SKIP() << "no O_DIRECT on /tmp";
  ASSERT_TRUE(dev.ok()) << dev.status().ToString();
  AlignedBuffer buf(4 * 4096);
  ASSERT_TRUE(ReadFull(**dev, 0, buf.span().first(data.size())).ok());  // unaligned length
  std::memset(buf.data(), 'Z', buf.size());
  ASSERT_TRUE(WriteFull(**dev, 4096, buf.span().first(4096)).ok());     // aligned: direct
  ASSERT_TRUE(WriteFull(**dev, 3 * 4096, buf.span().first(100)).ok());  // tail: buffered
  ASSERT_TRUE((*dev)->Flush().ok());
  std::string expect = data;
  expect.replace(4096, 4096, std::string(4096, 'Z'));
  expect.replace(3 * 4096, 100, std::string(100, 'Z'));
  EXPECT_EQ(ReadBack("d"), expect);
}

TEST_F(FileDeviceTest, PunchMakesZerosAndResizeGrows) {
  Write("p", std::string(1 << 20, 'a'));
  OpenOptions o;
  o.writable = true;
  Result<std::unique_ptr<BlockDevice>> dev = OpenFile(Path("p"), o);
  ASSERT_TRUE(dev.ok());
  Status s = (*dev)->PunchZeros(65536, 65536);
  if (s.code() == Code::kNotInstalled) GTEST_SKIP() << s.message();
  ASSERT_TRUE(s.ok()) << s.ToString();
  ASSERT_TRUE((*dev)->Resize(2 << 20).ok());
  std::string back = ReadBack("p");
  ASSERT_EQ(back.size(), 2u << 20);
  EXPECT_EQ(back.substr(65536, 65536), std::string(65536, '\0'));
  EXPECT_EQ(back.substr(0, 10), "aaaaaaaaaa");
  EXPECT_EQ(back.substr(1 << 20, 10), std::string(10, '\0'));
}

TEST_F(FileDeviceTest, CreateMustCreateAndLock) {
  OpenOptions o;
  o.writable = o.create = o.lock = true;
  Result<std::unique_ptr<BlockDevice>> a = OpenFile(Path("new"), o);
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  struct stat st;
  ASSERT_EQ(stat(Path("new").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_EQ(OpenFile(Path("new"), o).status().code(), Code::kBusy);  // locked
  OpenOptions must;
  must.writable = must.must_create = true;
  EXPECT_EQ(OpenFile(Path("new"), must).status().code(), Code::kBusy);  // exists
  EXPECT_EQ(OpenFile(Path("absent"), OpenOptions{}).status().code(), Code::kNotFound);
}

TEST_F(FileDeviceTest, DirectoriesAndCharacterDevicesAreRefused) {
  EXPECT_EQ(OpenFile(dir_, OpenOptions{}).status().code(), Code::kInvalidConfig);
  Result<std::unique_ptr<BlockDevice>> null = OpenFile("/dev/null", OpenOptions{});
  EXPECT_EQ(null.status().code(), Code::kInvalidConfig);
  EXPECT_THAT(null.status().message(), HasSubstr("neither a regular file nor a block device"));
  OpenOptions regular;
  regular.regular_only = true;
  Write("r", "x");
  EXPECT_TRUE(OpenFile(Path("r"), regular).ok());
}

TEST_F(FileDeviceTest, SameObjectFollowsTheInodeNotThePath) {
  Write("a", "x");
  ASSERT_EQ(symlink(Path("a").c_str(), Path("link").c_str()), 0);
  Write("b", "x");
  auto a = OpenFile(Path("a"), OpenOptions{});
  auto link = OpenFile(Path("link"), OpenOptions{});
  auto b = OpenFile(Path("b"), OpenOptions{});
  ASSERT_TRUE(a.ok() && link.ok() && b.ok());
  EXPECT_TRUE((*a)->info().SameObject((*link)->info()));
  EXPECT_FALSE((*a)->info().SameObject((*b)->info()));
}

// Before O_NONBLOCK, opening a FIFO read-only waited for a writer for ever (--verify, -s).
TEST_F(FileDeviceTest, AFifoIsRefusedWithoutWaitingForAWriter) {
  ASSERT_EQ(mkfifo(Path("fifo").c_str(), 0600), 0);
  for (bool writable : {false, true}) {
    OpenOptions o;
    o.writable = writable;
    Result<std::unique_ptr<BlockDevice>> dev = OpenFile(Path("fifo"), o);
    EXPECT_EQ(dev.status().code(), Code::kInvalidConfig);
    EXPECT_THAT(dev.status().message(), HasSubstr("neither a regular file nor a block device"));
  }
  OpenOptions regular;
  regular.regular_only = true;
  EXPECT_THAT(OpenFile(Path("fifo"), regular).status().message(), HasSubstr("not a regular file"));
}

TEST_F(FileDeviceTest, NoFollowRefusesASymlinkEvenWhenCreating) {
  Write("victim", "precious");
  ASSERT_EQ(symlink(Path("victim").c_str(), Path("link").c_str()), 0);
  OpenOptions o;
  o.writable = o.create = o.no_follow = true;
  Result<std::unique_ptr<BlockDevice>> dev = OpenFile(Path("link"), o);
  EXPECT_EQ(dev.status().code(), Code::kInvalidConfig);
  EXPECT_THAT(dev.status().message(), HasSubstr("is a symbolic link"));
  EXPECT_EQ(ReadBack("victim"), "precious");
}

TEST_F(FileDeviceTest, IdentifyTracksReCreationAndModification) {
  Write("t", std::string(8192, 'a'));
  OpenOptions o;
  o.writable = true;
  auto dev = OpenFile(Path("t"), o);
  ASSERT_TRUE(dev.ok());
  DeviceIdentity first = (*dev)->Identify();
  EXPECT_EQ(first.kind, DeviceIdentity::Kind::kRegularFile);
  EXPECT_EQ(first.size, 8192u);
  EXPECT_EQ(IdentityChange(first, (*dev)->Identify(), true), "");
  // Force a different modification time than the coarse clock might give.
  timespec times[2] = {{0, UTIME_OMIT}, {12345, 0}};
  ASSERT_EQ(utimensat(AT_FDCWD, Path("t").c_str(), times, 0), 0);
  EXPECT_THAT(IdentityChange(first, (*dev)->Identify(), true), HasSubstr("modified"));
  dev->reset();
  std::filesystem::remove(Path("t"));
  Write("t", std::string(8192, 'a'));
  auto again = OpenFile(Path("t"), o);
  ASSERT_TRUE(again.ok());
  EXPECT_THAT(IdentityChange(first, (*again)->Identify(), false), HasSubstr("re-created"));
}

TEST(DeviceInfoTest, ALoopDeviceIsTheSameObjectAsItsBackingFile) {
  DeviceInfo file{DeviceInfo::Kind::kRegularFile, 0x803, 77, 0, 0, 0};
  DeviceInfo loop{DeviceInfo::Kind::kBlockDevice, 5, 300, (7 << 8) | 1, 0x803, 77};
  DeviceInfo loop2{DeviceInfo::Kind::kBlockDevice, 5, 301, (7 << 8) | 2, 0x803, 77};
  DeviceInfo other{DeviceInfo::Kind::kRegularFile, 0x803, 78, 0, 0, 0};
  EXPECT_TRUE(loop.SameObject(file));
  EXPECT_TRUE(file.SameObject(loop));
  EXPECT_TRUE(loop.SameObject(loop2));
  EXPECT_FALSE(loop.SameObject(other));
  EXPECT_FALSE(other.SameObject(loop));
}

TEST_F(FileDeviceTest, OpenerRenamesAndChecksExistence) {
  RealDeviceOpener opener;
  Write("from", "x");
  EXPECT_TRUE(opener.Exists(Path("from")));
  ASSERT_TRUE(opener.Rename(Path("from"), Path("to")).ok());
  EXPECT_FALSE(opener.Exists(Path("from")));
  EXPECT_TRUE(opener.Exists(Path("to")));
}

TEST(FormatBytesTest, Units) {
  EXPECT_EQ(FormatBytes(512), "512 B");
  EXPECT_EQ(FormatBytes(16384), "16 KiB");
  EXPECT_EQ(FormatBytes(1536ull << 20), "1.5 GiB");
  EXPECT_EQ(FormatBytes(15ull << 40), "15 TiB");
}

}  // namespace
}  // namespace san::blockcopy
