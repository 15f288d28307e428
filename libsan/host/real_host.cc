// RealHost: POSIX file operations, flock and the steady clock; Run() resolves the program and
// hands it to RunSubprocess (subprocess.h).
#include "libsan/host/real_host.h"

#include <dirent.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <optional>
#include <thread>
#include <utility>

#include "libsan/host/errno_status.h"
#include "libsan/host/fd.h"
#include "libsan/host/subprocess.h"

namespace san {

namespace {

constexpr milliseconds kLockPollInterval{10};

class FlockHandle : public LockHandle {
 public:
  explicit FlockHandle(Fd fd) : fd_(std::move(fd)) {}

 private:
  Fd fd_;  // closing it releases the lock
};

}  // namespace

RealHost::RealHost(ProgramTable programs, Logger* log)
    : programs_(std::move(programs)), log_(log) {}

Result<Output> RealHost::Run(const Command& cmd) {
  if (cmd.argv.empty() || cmd.argv[0].empty()) return Status::Internal("Run: empty argv");
  const std::string& name = cmd.argv[0];
  if (deadline_ && Now() >= *deadline_) {
    return Status::Timeout(name + " not run: the deadline has passed");
  }
  const milliseconds timeout = std::min(cmd.timeout, TimeLeft());
  if (timeout <= milliseconds(0)) return Status::Timeout(name + " not run: no time left");
  std::optional<std::string> path = programs_.Resolve(name);
  if (!path) {
    return Status::NotInstalled("program '" + name + "' not found (install it, or set " +
                                ProgramTable::EnvName(name) + " or SANHA_PATH)");
  }
  return RunSubprocess(*path, cmd, timeout, log_);
}

Result<std::unique_ptr<Process>> RealHost::Spawn(const Command& cmd) {
  if (cmd.argv.empty() || cmd.argv[0].empty()) return Status::Internal("Spawn: empty argv");
  const std::string& name = cmd.argv[0];
  if (deadline_ && Now() >= *deadline_) {
    return Status::Timeout(name + " not started: the deadline has passed");
  }
  std::optional<std::string> path = programs_.Resolve(name);
  if (!path) {
    return Status::NotInstalled("program '" + name + "' not found (install it, or set " +
                                ProgramTable::EnvName(name) + " or SANHA_PATH)");
  }
  return SpawnSubprocess(*path, cmd, log_);
}

Result<std::string> RealHost::ReadFile(const std::string& path) {
  Fd fd(open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) return ErrnoStatus(errno, "cannot open " + path);
  std::string data;
  char buf[65536];
  while (true) {
    ssize_t n = read(fd.get(), buf, sizeof(buf));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return ErrnoStatus(errno, "cannot read " + path);
    if (n == 0) return data;
    data.append(buf, static_cast<size_t>(n));
  }
}

Status RealHost::WriteFileAtomically(const std::string& path, std::string_view data) {
  const std::string tmp = path + ".tmp." + std::to_string(getpid());
  Fd fd(open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644));
  if (!fd.valid()) return ErrnoStatus(errno, "cannot create " + tmp);
  auto fail = [&](const std::string& what) {
    int err = errno;
    fd.Reset();
    unlink(tmp.c_str());
    return ErrnoStatus(err, what);
  };
  // Keep the mode of the file being replaced: it may hold secrets and be 0600.
  struct stat old;
  if (stat(path.c_str(), &old) == 0 && fchmod(fd.get(), old.st_mode & 07777) != 0) {
    return fail("cannot set the mode of " + tmp);
  }
  size_t done = 0;
  while (done < data.size()) {
    ssize_t n = write(fd.get(), data.data() + done, data.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return fail("cannot write " + tmp);
    done += static_cast<size_t>(n);
  }
  if (fsync(fd.get()) != 0) return fail("cannot fsync " + tmp);
  if (close(fd.Release()) != 0) return fail("cannot close " + tmp);
  if (rename(tmp.c_str(), path.c_str()) != 0) return fail("cannot rename " + tmp + " to " + path);

  // The rename is durable only once the directory is synced.
  size_t slash = path.find_last_of('/');
  std::string dir = slash == std::string::npos ? "." : slash == 0 ? "/" : path.substr(0, slash);
  Fd dir_fd(open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!dir_fd.valid()) return ErrnoStatus(errno, "cannot open directory " + dir);
  if (fsync(dir_fd.get()) != 0 && errno != EINVAL) {  // EINVAL: fs cannot sync directories
    return ErrnoStatus(errno, "cannot fsync directory " + dir);
  }
  return Status::Ok();
}

Status RealHost::RemoveFile(const std::string& path) {
  if (unlink(path.c_str()) != 0 && errno != ENOENT) {
    return ErrnoStatus(errno, "cannot remove " + path);
  }
  return Status::Ok();
}

Status RealHost::MakeDirectories(const std::string& path, unsigned mode) {
  if (path.empty()) return Status::Internal("MakeDirectories: empty path");
  for (size_t end = 1; end <= path.size(); ++end) {
    if (end < path.size() && path[end] != '/') continue;
    std::string prefix = path.substr(0, end);
    if (prefix.back() == '/') continue;  // "a//b"
    if (mkdir(prefix.c_str(), static_cast<mode_t>(mode)) == 0) continue;
    if (errno != EEXIST) return ErrnoStatus(errno, "cannot create directory " + prefix);
    struct stat st;
    if (stat(prefix.c_str(), &st) != 0) return ErrnoStatus(errno, "cannot stat " + prefix);
    if (!S_ISDIR(st.st_mode)) return Status::Internal(prefix + " exists and is not a directory");
  }
  return Status::Ok();
}

Result<FileInfo> RealHost::Stat(const std::string& path) { return StatImpl(path, false); }

Result<FileInfo> RealHost::StatFollowingLinks(const std::string& path) {
  return StatImpl(path, true);
}

Result<FileInfo> RealHost::StatImpl(const std::string& path, bool follow) {
  struct stat st;
  if ((follow ? stat(path.c_str(), &st) : lstat(path.c_str(), &st)) != 0) {
    return ErrnoStatus(errno, "cannot stat " + path);
  }
  FileInfo info;
  info.size = static_cast<uint64_t>(st.st_size);
  switch (st.st_mode & S_IFMT) {
    case S_IFREG:
      info.type = FileInfo::Type::kRegular;
      break;
    case S_IFDIR:
      info.type = FileInfo::Type::kDirectory;
      break;
    case S_IFCHR:
      info.type = FileInfo::Type::kCharDevice;
      break;
    case S_IFLNK:
      info.type = FileInfo::Type::kSymlink;
      break;
    case S_IFBLK: {
      info.type = FileInfo::Type::kBlockDevice;
      Fd fd(open(path.c_str(), O_RDONLY | O_CLOEXEC));
      if (!fd.valid()) return ErrnoStatus(errno, "cannot open block device " + path);
      uint64_t size = 0;
      if (ioctl(fd.get(), BLKGETSIZE64, &size) != 0) {
        return ErrnoStatus(errno, "cannot get the size of " + path);
      }
      info.size = size;
      break;
    }
    default:
      info.type = FileInfo::Type::kOther;
  }
  return info;
}

Result<std::unique_ptr<LockHandle>> RealHost::Lock(const std::string& path, milliseconds wait) {
  // The operation's deadline bounds the wait too: a stuck holder must not outlast the timeout.
  if (deadline_) {
    if (Now() >= *deadline_) return Status::Timeout("deadline passed before locking " + path);
    wait = std::min(wait, TimeLeft());
  }
  Fd fd(open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOCTTY, 0644));
  if (!fd.valid() && errno == ENOENT && path.rfind('/') != std::string::npos &&
      path.rfind('/') > 0) {
    // /run/lock may be missing in a minimal namespace or container.
    SAN_RETURN_IF_ERROR(MakeDirectories(path.substr(0, path.rfind('/')), 0755));
    fd = Fd(open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOCTTY, 0644));
  }
  if (!fd.valid()) return ErrnoStatus(errno, "cannot open lock file " + path);
  const Clock::time_point give_up = Now() + wait;
  while (true) {
    if (flock(fd.get(), LOCK_EX | LOCK_NB) == 0) {
      return std::unique_ptr<LockHandle>(std::make_unique<FlockHandle>(std::move(fd)));
    }
    if (errno == EINTR) continue;
    if (errno != EWOULDBLOCK) return ErrnoStatus(errno, "cannot lock " + path);
    Clock::time_point now = Now();
    if (now >= give_up) {
      return Status::Busy(path + " is locked by another process (waited " +
                          std::to_string(wait.count()) + " ms)");
    }
    SleepFor(std::min(kLockPollInterval, std::chrono::ceil<milliseconds>(give_up - now)));
  }
}

Result<std::vector<std::string>> RealHost::ListDirectory(const std::string& path) {
  DIR* dir = opendir(path.c_str());
  if (dir == nullptr) return ErrnoStatus(errno, "cannot list " + path);
  std::vector<std::string> names;
  errno = 0;
  while (struct dirent* entry = readdir(dir)) {
    std::string name = entry->d_name;
    if (name != "." && name != "..") names.push_back(std::move(name));
  }
  const int err = errno;
  closedir(dir);
  if (err != 0) return ErrnoStatus(err, "cannot list " + path);
  std::sort(names.begin(), names.end());
  return names;
}

Result<std::string> RealHost::ReadLink(const std::string& path) {
  char buf[4096];
  ssize_t n = readlink(path.c_str(), buf, sizeof(buf));
  if (n < 0) return ErrnoStatus(errno, "cannot read link " + path);
  return std::string(buf, static_cast<size_t>(n));
}

Clock::time_point RealHost::Now() { return Clock::now(); }

void RealHost::SleepFor(milliseconds d) {
  if (d > milliseconds(0)) std::this_thread::sleep_for(d);
}

}  // namespace san
