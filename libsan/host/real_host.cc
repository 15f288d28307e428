// RealHost: POSIX file operations, flock and the steady clock; Run() resolves the program and
// hands it to RunSubprocess (subprocess.h).
#include "libsan/host/real_host.h"

#include <dirent.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <future>
#include <memory>
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
  info.device = static_cast<uint64_t>(st.st_dev);
  info.inode = static_cast<uint64_t>(st.st_ino);
  info.rdev = S_ISBLK(st.st_mode) || S_ISCHR(st.st_mode) ? static_cast<uint64_t>(st.st_rdev) : 0;
  info.mode = static_cast<unsigned>(st.st_mode & 07777);
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
  Fd fd(open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOCTTY | O_NOFOLLOW, 0600));
  if (!fd.valid() && errno == ENOENT && path.rfind('/') != std::string::npos &&
      path.rfind('/') > 0) {
    // /run/lock may be missing in a minimal namespace or container.
    SAN_RETURN_IF_ERROR(MakeDirectories(path.substr(0, path.rfind('/')), 0755));
    fd = Fd(open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOCTTY | O_NOFOLLOW, 0600));
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

namespace {

// Open + fstat + bounded read of a regular file; runs on a helper thread so that a hung mount
// cannot hold the caller past its deadline.
Result<std::string> ReadRegularNow(const std::string& path, uint64_t max_bytes,
                                   std::optional<Clock::time_point> deadline) {
  // O_NONBLOCK: opening a FIFO without a writer, or a tty, returns at once.
  Fd fd(open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY));
  if (!fd.valid()) return ErrnoStatus(errno, "cannot open " + path);
  struct stat st;
  if (fstat(fd.get(), &st) != 0) return ErrnoStatus(errno, "cannot stat " + path);
  if (S_ISDIR(st.st_mode)) return Status::NotFound(path + " is a directory, not a file");
  if (!S_ISREG(st.st_mode)) {
    return Status::InvalidConfig(path + " is not a regular file (a FIFO, socket or device)");
  }
  if (static_cast<uint64_t>(st.st_size) > max_bytes) {
    return Status::InvalidConfig(path + " is larger than " + std::to_string(max_bytes) + " bytes");
  }
  std::string data;
  char buf[65536];
  while (true) {
    if (deadline && Clock::now() >= *deadline) {
      return Status::Timeout("reading " + path + " ran past the deadline");
    }
    ssize_t n = read(fd.get(), buf, sizeof(buf));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return ErrnoStatus(errno, "cannot read " + path);
    if (n == 0) return data;
    data.append(buf, static_cast<size_t>(n));
    // The file may grow while it is read (or lie about its size).
    if (data.size() > max_bytes) {
      return Status::InvalidConfig(path + " is larger than " + std::to_string(max_bytes) +
                                   " bytes");
    }
  }
}

std::string DirectoryOf(const std::string& path) {
  size_t slash = path.find_last_of('/');
  return slash == std::string::npos ? "." : slash == 0 ? "/" : path.substr(0, slash);
}

Status WriteAllAndSync(int fd, std::string_view data, const std::string& what) {
  size_t done = 0;
  while (done < data.size()) {
    ssize_t n = write(fd, data.data() + done, data.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return ErrnoStatus(errno, "cannot write " + what);
    done += static_cast<size_t>(n);
  }
  if (fsync(fd) != 0) return ErrnoStatus(errno, "cannot fsync " + what);
  return Status::Ok();
}

}  // namespace

Result<std::string> RealHost::ReadRegularFile(const std::string& path, uint64_t max_bytes) {
  if (!deadline_) return ReadRegularNow(path, max_bytes, std::nullopt);
  if (Now() >= *deadline_) return Status::Timeout("deadline passed before reading " + path);
  // A thread of its own: open() or read() on a hung NFS mount blocks in the kernel. On timeout
  // the thread is left behind (it owns copies of everything it touches) and the caller goes on.
  auto task = std::make_shared<std::packaged_task<Result<std::string>()>>(
      [path, max_bytes, d = deadline_] { return ReadRegularNow(path, max_bytes, d); });
  std::future<Result<std::string>> result = task->get_future();
  std::thread([task] { (*task)(); }).detach();
  if (result.wait_for(TimeLeft()) != std::future_status::ready) {
    return Status::Timeout("reading " + path + " did not finish before the deadline (hung mount?)");
  }
  return result.get();
}

Status RealHost::WritePrivateFileAtomically(const std::string& path, std::string_view data) {
  const std::string dir = DirectoryOf(path);
  const std::string base = path.substr(path.find_last_of('/') + 1);
  // Temporaries of runs killed between create and rename.
  if (Result<std::vector<std::string>> names = ListDirectory(dir); names.ok()) {
    for (const auto& n : *names) {
      if (n.starts_with(base + ".tmp.")) unlink((dir + "/" + n).c_str());
    }
  }
  std::string tmp;
  Fd fd;
  for (int attempt = 0; attempt < 8 && !fd.valid(); ++attempt) {
    SAN_ASSIGN_OR_RETURN(std::string r, RandomBytes(6));
    static const char kHex[] = "0123456789abcdef";
    tmp = path + ".tmp.";
    for (unsigned char c : r) tmp += {kHex[c >> 4], kHex[c & 15]};
    fd = Fd(open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
    if (!fd.valid() && errno != EEXIST) return ErrnoStatus(errno, "cannot create " + tmp);
  }
  if (!fd.valid()) return Status::Internal("cannot create a temporary file next to " + path);
  auto fail = [&](Status s) {
    fd.Reset();
    unlink(tmp.c_str());
    return s;
  };
  // O_CREAT's mode is filtered by the umask; 0600 exactly, whatever the caller's umask.
  if (fchmod(fd.get(), 0600) != 0) return fail(ErrnoStatus(errno, "cannot chmod " + tmp));
  if (Status s = WriteAllAndSync(fd.get(), data, tmp); !s.ok()) return fail(s);
  if (close(fd.Release()) != 0) return fail(ErrnoStatus(errno, "cannot close " + tmp));
  if (rename(tmp.c_str(), path.c_str()) != 0) {
    return fail(ErrnoStatus(errno, "cannot rename " + tmp + " to " + path));
  }
  Fd dir_fd(open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!dir_fd.valid()) return ErrnoStatus(errno, "cannot open directory " + dir);
  if (fsync(dir_fd.get()) != 0 && errno != EINVAL) {
    return ErrnoStatus(errno, "cannot fsync directory " + dir);
  }
  return Status::Ok();
}

Status RealHost::CreatePrivateFile(const std::string& path, std::string_view data) {
  Fd fd(open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
  if (!fd.valid()) {
    if (errno == EEXIST) return Status::Busy(path + " exists already");
    return ErrnoStatus(errno, "cannot create " + path);
  }
  if (fchmod(fd.get(), 0600) != 0) return ErrnoStatus(errno, "cannot chmod " + path);
  if (Status s = WriteAllAndSync(fd.get(), data, path); !s.ok()) {
    fd.Reset();
    unlink(path.c_str());
    return s;
  }
  Fd dir_fd(open(DirectoryOf(path).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (dir_fd.valid()) (void)fsync(dir_fd.get());
  return Status::Ok();
}

Result<std::string> RealHost::RandomBytes(size_t n) {
  std::string out(n, '\0');
  size_t done = 0;
  while (done < n) {
    ssize_t r = getrandom(out.data() + done, n - done, 0);
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) return ErrnoStatus(errno, "getrandom");
    done += static_cast<size_t>(r);
  }
  return out;
}

Status RealHost::SetMode(const std::string& path, unsigned mode) {
  if (chmod(path.c_str(), static_cast<mode_t>(mode)) != 0) {
    return ErrnoStatus(errno, "cannot chmod " + path);
  }
  return Status::Ok();
}

Clock::time_point RealHost::Now() { return Clock::now(); }

void RealHost::SleepFor(milliseconds d) {
  if (d > milliseconds(0)) std::this_thread::sleep_for(d);
}

}  // namespace san
