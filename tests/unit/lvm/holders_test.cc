// The holder scan behind "stop: which process holds an LV open", on FakeHost /proc and /sys trees.
#include "libsan/lvm/holders.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "libsan/host/fake_host.h"

namespace san::lvm {
namespace {

using ::testing::ElementsAre;

LvInfo Lv(const std::string& vg, const std::string& name, int minor) {
  LvInfo lv;
  lv.vg = vg;
  lv.name = name;
  lv.kernel_major = 253;
  lv.kernel_minor = minor;
  return lv;
}

TEST(HoldersTest, DmNamesDoubleDashes) {
  EXPECT_EQ(DmName("vgc", "data"), "vgc-data");
  EXPECT_EQ(DmName("vg-a", "lv-b"), "vg--a-lv--b");
}

TEST(HoldersTest, FindsStackedDevicesMountsAndProcessesByAnyName) {
  FakeHost host;
  host.SetSymlink("/sys/dev/block/253:2", "../../devices/virtual/block/dm-2");
  host.SetFile("/sys/dev/block/253:2/holders/dm-0", "");
  host.SetFile("/sys/block/dm-0/dm/name", "vgc-data\n");
  host.SetFile("/proc/self/mountinfo",
               "22 1 0:20 / / rw - rootfs rootfs rw\n"
               "31 22 253:2 / /srv/a rw - ext4 /dev/mapper/vg--x-lv--y rw\n"
               "32 22 253:22 / /srv/b rw - ext4 /dev/dm-22 rw\n");
  host.SetSymlink("/proc/100/fd/3", "/dev/dm-2");
  host.SetFile("/proc/100/comm", "dd\n");
  host.SetSymlink("/proc/200/fd/0", "/dev/mapper/vg--x-lv--y");
  host.SetSymlink("/proc/200/fd/1", "/dev/vg-x/lv-y");  // the same process twice: one line
  host.SetFile("/proc/200/comm", "tgtd\n");
  host.SetSymlink("/proc/300/fd/0", "/dev/dm-22");  // another device
  host.SetFile("/proc/300/comm", "cat\n");
  host.SetSymlink("/proc/400/fd/0", "/dev/vg-x/lv-y");  // comm unreadable (exited)
  host.SetFile("/proc/self/comm", "lvm-vg\n");          // not a pid directory
  EXPECT_THAT(FindHolders(host, Lv("vg-x", "lv-y", 2)),
              ElementsAre("held by dm-0 (vgc-data)", "mounted on /srv/a", "pid 100 (dd)",
                          "pid 200 (tgtd)", "pid 400 (?)"));
}

TEST(HoldersTest, InactiveLvHasNoHolders) {
  FakeHost host;
  LvInfo lv = Lv("vgc", "data", 0);
  lv.kernel_major = -1;
  EXPECT_TRUE(FindHolders(host, lv).empty());
  EXPECT_TRUE(FindHolders(host, Lv("vgc", "data", 0)).empty()) << "nothing to read: nothing found";
}

TEST(FakeHostListingTest, ListsEveryKindOfEntryOnce) {
  FakeHost host;
  host.SetFile("/a/f", "x");
  host.SetFile("/a/d/g", "y");
  host.SetSymlink("/a/l", "/target");
  host.SetBlockDevice("/a/b", 512);
  ASSERT_TRUE(host.MakeDirectories("/a/empty").ok());
  EXPECT_THAT(*host.ListDirectory("/a"), ElementsAre("b", "d", "empty", "f", "l"));
  EXPECT_TRUE(host.ListDirectory("/a/empty")->empty());
  EXPECT_EQ(host.ListDirectory("/nope").status().code(), Code::kNotFound);
  EXPECT_EQ(*host.ReadLink("/a/l"), "/target");
  EXPECT_EQ(host.ReadLink("/a/f").status().code(), Code::kNotFound);
  EXPECT_EQ(host.Stat("/a/l")->type, FileInfo::Type::kSymlink);
}

}  // namespace
}  // namespace san::lvm
