// The rules that decide whether a checksum file still describes its target: a file re-created
// (even under a reused inode number), replaced, resized or modified; a block device re-created or
// swapped (stable id), and the reboot case where only the dm-N number changed.
#include "libsan/blockcopy/device_identity.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace san::blockcopy {
namespace {

using ::testing::HasSubstr;

DeviceIdentity File() {
  DeviceIdentity id;
  id.kind = DeviceIdentity::Kind::kRegularFile;
  id.size = 16 << 20;
  id.dev = 0x803;
  id.ino = 131;
  id.btime_ns = 1700000000000000001;
  id.mtime_ns = 1700000005000000000;
  return id;
}

DeviceIdentity Lv() {
  DeviceIdentity id;
  id.kind = DeviceIdentity::Kind::kBlockDevice;
  id.size = 1ull << 40;
  id.rdev = (253 << 8) | 3;  // dm-3
  id.stable_id = "dm:LVM-vguuid-lvuuid";
  return id;
}

TEST(DeviceIdentityTest, TheSameFileFits) {
  EXPECT_EQ(IdentityChange(File(), File(), true), "");
  EXPECT_EQ(IdentityChange(Lv(), Lv(), true), "");
}

TEST(DeviceIdentityTest, AReCreatedFileIsNoticedEvenUnderTheSameInodeNumber) {
  DeviceIdentity now = File();
  now.ino = 140;
  EXPECT_THAT(IdentityChange(File(), now, true), HasSubstr("inode 131 -> 140"));
  now = File();
  now.btime_ns += 1;  // the file system reused the inode number
  EXPECT_THAT(IdentityChange(File(), now, true), HasSubstr("new birth time"));
}

TEST(DeviceIdentityTest, WithoutABirthTimeTheFileSystemMustMatch) {
  DeviceIdentity old = File(), now = File();
  old.btime_ns = now.btime_ns = 0;
  now.dev = 0x811;
  EXPECT_THAT(IdentityChange(old, now, true),
              HasSubstr("another file system (device 8:3 -> 8:17)"));
  // With birth times, a new device number alone (dm-N after a reboot) is the same file.
  EXPECT_EQ(IdentityChange(
                File(),
                [] {
                  DeviceIdentity n = File();
                  n.dev = 0xfd05;
                  return n;
                }(),
                true),
            "");
}

TEST(DeviceIdentityTest, SizeAndModificationTime) {
  DeviceIdentity now = File();
  now.size = 0;
  EXPECT_THAT(IdentityChange(File(), now, true), HasSubstr("changed size (16 MiB -> 0 B)"));
  now = File();
  now.mtime_ns += 1;
  EXPECT_THAT(IdentityChange(File(), now, true), HasSubstr("modified since ddless last wrote it"));
  // An interrupted run wrote after the identity was recorded: its mtime proves nothing.
  EXPECT_EQ(IdentityChange(File(), now, false), "");
}

TEST(DeviceIdentityTest, BlockDevicesByStableIdThenDeviceNumber) {
  DeviceIdentity now = Lv();
  now.rdev = (253 << 8) | 7;  // dm-7 after a reboot: the same LV
  EXPECT_EQ(IdentityChange(Lv(), now, true), "");
  now.stable_id = "dm:LVM-vguuid-newlv";  // lvremove + lvcreate under the same name
  EXPECT_THAT(IdentityChange(Lv(), now, true),
              HasSubstr("is another device (dm:LVM-vguuid-lvuuid"));
  DeviceIdentity old = Lv();
  old.stable_id.clear();
  now = old;
  EXPECT_EQ(IdentityChange(old, now, true), "");
  now.rdev = (8 << 8) | 32;
  EXPECT_THAT(IdentityChange(old, now, true), HasSubstr("is another device (253:3 -> 8:32)"));
  now = Lv();
  now.size -= 4096;
  EXPECT_THAT(IdentityChange(Lv(), now, true), HasSubstr("changed size"));
}

TEST(DeviceIdentityTest, KindAndMissingRecord) {
  EXPECT_THAT(IdentityChange(File(), Lv(), true),
              HasSubstr("was a regular file, now it is a block device"));
  EXPECT_THAT(IdentityChange(DeviceIdentity{}, File(), true), HasSubstr("no recorded identity"));
}

}  // namespace
}  // namespace san::blockcopy
