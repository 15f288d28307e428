// POSIX implementation of BlockDevice. With O_DIRECT, a second descriptor reopened through
// /proc/self/fd carries the aligned requests; unaligned ones (a source whose size is not a multiple
// of 4 KiB has an unaligned tail) use the buffered descriptor, and fdatasync covers both.
#include "libsan/blockcopy/file_device.h"

#include <fcntl.h>
#include <linux/falloc.h>
#include <linux/fs.h>
#include <linux/loop.h>
#include <linux/major.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/uio.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstring>
#include <fstream>

namespace san::blockcopy {
namespace {

Status ErrnoStatus(int err, const std::string& what) {
  std::string m = what + ": " + std::strerror(err);
  switch (err) {
    case ENOENT:
    case ENOTDIR:
      return Status::NotFound(m);
    case EACCES:
    case EPERM:
    case EROFS:
      return Status::Permission(m);
    case EBUSY:
    case EWOULDBLOCK:
    case EEXIST:
      return Status::Busy(m);
    case EISDIR:
      return Status::InvalidConfig(m);
    default:
      return Status::Internal(m);
  }
}

uint64_t Nanoseconds(const statx_timestamp& t) {
  return static_cast<uint64_t>(t.tv_sec) * 1000000000u + t.tv_nsec;
}

// statx of an open descriptor or a path; false when it fails.
bool StatX(int fd, const char* path, struct statx* out) {
  int flags = path[0] == '\0' ? AT_EMPTY_PATH : 0;
  return statx(fd, path, flags | AT_STATX_SYNC_AS_STAT, STATX_BASIC_STATS | STATX_BTIME, out) == 0;
}

// First line of a small sysfs attribute, or "" when it is absent or empty.
std::string ReadAttribute(const std::string& path) {
  std::ifstream in(path);
  std::string line;
  if (!in || !std::getline(in, line)) return {};
  while (!line.empty() && (line.back() == ' ' || line.back() == '\n')) line.pop_back();
  return line.substr(0, kMaxStableId);
}

// The backing file of a loop device (LOOP_GET_STATUS64), or false for other devices.
bool LoopBacking(int fd, uint64_t rdev, loop_info64* info) {
  if (major(rdev) != LOOP_MAJOR) return false;
  *info = {};
  return ioctl(fd, LOOP_GET_STATUS64, info) == 0;
}

// An id of a block device that survives reboots (where dm-N and sdX numbers may change) but not
// re-creation: device-mapper UUID (LVM puts the VG and LV UUIDs there), the backing file of a
// loop device (with its birth time when the path still names it), or the disk's WWID (with the
// partition number). "" when the kernel offers none.
std::string StableId(int fd, uint64_t rdev) {
  std::string base =
      "/sys/dev/block/" + std::to_string(major(rdev)) + ":" + std::to_string(minor(rdev));
  if (std::string uuid = ReadAttribute(base + "/dm/uuid"); !uuid.empty()) return "dm:" + uuid;
  loop_info64 loop;
  if (LoopBacking(fd, rdev, &loop)) {
    std::string id = "loop:" + std::to_string(loop.lo_device) + ":" +
                     std::to_string(loop.lo_inode) + ":" + std::to_string(loop.lo_offset) + ":" +
                     std::to_string(loop.lo_sizelimit);
    struct statx st;
    const char* file = reinterpret_cast<const char*>(loop.lo_file_name);
    if (StatX(AT_FDCWD, file, &st) && st.stx_ino == loop.lo_inode && (st.stx_mask & STATX_BTIME)) {
      id += ":" + std::to_string(Nanoseconds(st.stx_btime));
    }
    return id;
  }
  for (const char* wwid : {"/wwid", "/device/wwid"}) {
    if (std::string w = ReadAttribute(base + wwid); !w.empty()) return "wwid:" + w;
  }
  if (std::string part = ReadAttribute(base + "/partition"); !part.empty()) {
    for (const char* wwid : {"/../wwid", "/../device/wwid"}) {
      if (std::string w = ReadAttribute(base + wwid); !w.empty()) {
        return "wwid:" + w + ":part" + part;
      }
    }
  }
  return {};
}

bool Aligned(uint64_t v) { return v % kDirectAlignment == 0; }
bool Aligned(const void* p) { return reinterpret_cast<uintptr_t>(p) % kDirectAlignment == 0; }

class FileDevice : public BlockDevice {
 public:
  FileDevice(std::string name, int fd, int direct_fd, DeviceInfo info, uint64_t block_size)
      : name_(std::move(name)),
        fd_(fd),
        direct_fd_(direct_fd),
        info_(info),
        block_size_(block_size) {}
  ~FileDevice() override {
    if (direct_fd_ >= 0) close(direct_fd_);
    close(fd_);
  }

  const std::string& name() const override { return name_; }
  DeviceInfo info() const override { return info_; }

  DeviceIdentity Identify() const override {
    DeviceIdentity id;
    struct statx st;
    if (!StatX(fd_, "", &st)) return id;  // kNone: never matches a recorded identity
    if (info_.kind == DeviceInfo::Kind::kBlockDevice) {
      id.kind = DeviceIdentity::Kind::kBlockDevice;
      id.rdev = makedev(st.stx_rdev_major, st.stx_rdev_minor);
      uint64_t bytes = 0;
      id.size = ioctl(fd_, BLKGETSIZE64, &bytes) == 0 ? bytes : 0;
      id.stable_id = StableId(fd_, id.rdev);
      return id;
    }
    id.kind = DeviceIdentity::Kind::kRegularFile;
    id.dev = makedev(st.stx_dev_major, st.stx_dev_minor);
    id.ino = st.stx_ino;
    id.size = st.stx_size;
    id.mtime_ns = Nanoseconds(st.stx_mtime);
    if (st.stx_mask & STATX_BTIME) id.btime_ns = Nanoseconds(st.stx_btime);
    return id;
  }

  uint64_t size() const override {
    if (info_.kind == DeviceInfo::Kind::kBlockDevice) return block_size_;
    struct stat st;
    if (fstat(fd_, &st) != 0) return 0;
    return static_cast<uint64_t>(st.st_size);
  }

  Result<size_t> Read(uint64_t offset, std::span<std::byte> out) override {
    int fd = (direct_fd_ >= 0 && Aligned(offset) && Aligned(out.size()) && Aligned(out.data()))
                 ? direct_fd_
                 : fd_;
    while (true) {
      ssize_t n = pread(fd, out.data(), out.size(), static_cast<off_t>(offset));
      if (n >= 0) return static_cast<size_t>(n);
      if (errno != EINTR)
        return ErrnoStatus(errno, "read " + name_ + " at " + std::to_string(offset));
    }
  }

  Result<size_t> Write(uint64_t offset, std::span<const ConstPiece> pieces) override {
    iovec iov[IOV_MAX > 1024 ? 1024 : IOV_MAX];
    size_t count = std::min(pieces.size(), std::size(iov));
    bool aligned = direct_fd_ >= 0 && Aligned(offset);
    for (size_t i = 0; i < count; ++i) {
      iov[i].iov_base = const_cast<std::byte*>(pieces[i].data);
      iov[i].iov_len = pieces[i].size;
      aligned = aligned && Aligned(pieces[i].data) && Aligned(pieces[i].size);
    }
    int fd = aligned ? direct_fd_ : fd_;
    while (true) {
      ssize_t n = pwritev(fd, iov, static_cast<int>(count), static_cast<off_t>(offset));
      if (n >= 0) return static_cast<size_t>(n);
      if (errno != EINTR) {
        return ErrnoStatus(errno, "write " + name_ + " at " + std::to_string(offset));
      }
    }
  }

  Status Flush() override {
    if (fdatasync(fd_) != 0) return ErrnoStatus(errno, "flush " + name_);
    return Status::Ok();
  }

  Status PunchZeros(uint64_t offset, uint64_t length) override {
    if (fallocate(fd_, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, static_cast<off_t>(offset),
                  static_cast<off_t>(length)) == 0) {
      return Status::Ok();
    }
    int err = errno;
    if (err == EOPNOTSUPP || err == EINVAL || err == ENODEV) {
      return Status::NotInstalled(name_ + ": cannot deallocate ranges (" + std::strerror(err) +
                                  ")");
    }
    return ErrnoStatus(err, "deallocate " + name_ + " at " + std::to_string(offset));
  }

  void DropCache(uint64_t offset, uint64_t length) override {
    posix_fadvise(fd_, static_cast<off_t>(offset), static_cast<off_t>(length),
                  POSIX_FADV_DONTNEED);  // a hint: errors ignored
  }

  Status Resize(uint64_t new_size) override {
    if (info_.kind != DeviceInfo::Kind::kRegularFile) {
      return Status::InvalidConfig(name_ + ": a block device cannot be resized by ddless");
    }
    if (ftruncate(fd_, static_cast<off_t>(new_size)) != 0) {
      return ErrnoStatus(errno, "resize " + name_);
    }
    return Status::Ok();
  }

 private:
  std::string name_;
  int fd_;
  int direct_fd_;
  DeviceInfo info_;
  uint64_t block_size_;
};

}  // namespace

Result<std::unique_ptr<BlockDevice>> OpenFile(const std::string& path, const OpenOptions& o) {
  // O_NONBLOCK: opening a FIFO must not wait for a writer (it is refused below); cleared again
  // once the object is known to be a file or block device.
  int flags = (o.writable ? O_RDWR : O_RDONLY) | O_CLOEXEC | O_NONBLOCK;
  if (o.create || o.must_create) flags |= O_CREAT;
  if (o.must_create) flags |= O_EXCL;  // with O_CREAT also refuses any symlink at path
  if (o.no_follow) flags |= O_NOFOLLOW;
  struct stat pre;
  if (!o.must_create && stat(path.c_str(), &pre) == 0 && S_ISBLK(pre.st_mode)) {
    flags &= ~O_CREAT;
    // On a block device O_EXCL (without O_CREAT) means an exclusive open: EBUSY when mounted or
    // held by device-mapper, md or another exclusive opener.
    if (o.exclusive) flags |= O_EXCL;
  }
  int fd = open(path.c_str(), flags, 0600);
  if (fd < 0) {
    if (errno == EEXIST) return Status::Busy(path + ": already exists");
    if (errno == ELOOP && o.no_follow) {
      return Status::InvalidConfig(path + ": is a symbolic link; give the file's real path");
    }
    return ErrnoStatus(errno, "open " + path);
  }
  struct stat st;
  if (fstat(fd, &st) != 0) {
    Status s = ErrnoStatus(errno, "stat " + path);
    close(fd);
    return s;
  }
  DeviceInfo info;
  uint64_t block_size = 0;
  if (S_ISREG(st.st_mode)) {
    info.kind = DeviceInfo::Kind::kRegularFile;
  } else if (S_ISBLK(st.st_mode) && !o.regular_only) {
    info.kind = DeviceInfo::Kind::kBlockDevice;
    if (ioctl(fd, BLKGETSIZE64, &block_size) != 0) {
      Status s = ErrnoStatus(errno, "size of " + path);
      close(fd);
      return s;
    }
  } else {
    close(fd);
    return Status::InvalidConfig(path + (o.regular_only ? ": not a regular file"
                                                        : ": neither a regular file nor a block "
                                                          "device"));
  }
  info.dev = st.st_dev;
  info.ino = st.st_ino;
  info.rdev = st.st_rdev;
  if (loop_info64 loop; S_ISBLK(st.st_mode) && LoopBacking(fd, st.st_rdev, &loop)) {
    info.backing_dev = loop.lo_device;
    info.backing_ino = loop.lo_inode;
  }
  if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK) != 0) {
    Status s = ErrnoStatus(errno, "open " + path);
    close(fd);
    return s;
  }
  if (o.lock && flock(fd, LOCK_EX | LOCK_NB) != 0) {
    int err = errno;
    close(fd);
    if (err == EWOULDBLOCK) return Status::Busy(path + ": in use by another ddless run");
    return ErrnoStatus(err, "lock " + path);
  }
  if (o.sequential) posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);  // a hint: errors ignored
  int direct_fd = -1;
  if (o.direct) {
    std::string self = "/proc/self/fd/" + std::to_string(fd);
    direct_fd = open(self.c_str(), (o.writable ? O_RDWR : O_RDONLY) | O_CLOEXEC | O_DIRECT);
    if (direct_fd < 0) {
      int err = errno;
      close(fd);
      if (err == EINVAL) {
        return Status::InvalidConfig(path + ": its file system does not support O_DIRECT (-d)");
      }
      return ErrnoStatus(err, "open " + path + " with O_DIRECT");
    }
  }
  return std::unique_ptr<BlockDevice>(
      std::make_unique<FileDevice>(path, fd, direct_fd, info, block_size));
}

bool RealDeviceOpener::Exists(const std::string& path) {
  struct stat st;
  return lstat(path.c_str(), &st) == 0;
}

Status RealDeviceOpener::Remove(const std::string& path) {
  if (unlink(path.c_str()) != 0 && errno != ENOENT) return ErrnoStatus(errno, "remove " + path);
  return Status::Ok();
}

Status RealDeviceOpener::Rename(const std::string& from, const std::string& to) {
  if (rename(from.c_str(), to.c_str()) != 0) return ErrnoStatus(errno, "rename " + from);
  // Without this a crash could bring back the file the rename replaced.
  size_t slash = to.rfind('/');
  std::string dir = slash == std::string::npos ? "." : slash == 0 ? "/" : to.substr(0, slash);
  int fd = open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return ErrnoStatus(errno, "open directory " + dir);
  int rc = fsync(fd);
  int err = errno;
  close(fd);
  if (rc != 0) return ErrnoStatus(err, "flush directory " + dir);
  return Status::Ok();
}

}  // namespace san::blockcopy
