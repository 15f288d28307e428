// Host: the only door to the machine. Every fork/exec, file access, lock, sleep and clock read in
// libsan goes through it, so tests can substitute FakeHost and assert the exact commands.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "libsan/util/status.h"

namespace san {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

// A program run. argv[0] is a logical program name ("iptables", "tgtadm") resolved through the
// ProgramTable, or an absolute path. Never a shell string.
struct Command {
  std::vector<std::string> argv;
  std::string input;                   // written to stdin, then stdin is closed
  milliseconds timeout{30'000};        // killed (whole process group) after this
  std::vector<std::string> extra_env;  // "NAME=value" added to the inherited environment
  // Indexes of argv elements that hold a secret (a program that only takes a password as an
  // argument): logs show them as "***". Avoid: prefer `input`.
  std::vector<size_t> secret_args;
  // argv joined by blanks with the secret_args masked, for logs and messages.
  std::string LoggableArgv() const;
};

struct Output {
  int exit_code = 0;  // exit status; 128+N when killed by signal N
  std::string out;
  std::string err;
  // First non-empty line of stderr (or stdout when stderr is empty), for error messages.
  std::string FirstErrorLine() const;
};

// Metadata of a path, as far as libsan needs it.
struct FileInfo {
  enum class Type { kRegular, kDirectory, kBlockDevice, kCharDevice, kSymlink, kOther };
  Type type = Type::kRegular;
  uint64_t size = 0;
};

// An exclusive advisory lock; released when destroyed.
class LockHandle {
 public:
  virtual ~LockHandle() = default;
};

// A program started by Host::Spawn that keeps running on its own (a daemon in the foreground).
class Process {
 public:
  // Stops reading its output; the program keeps running.
  virtual ~Process() = default;
  virtual int pid() const = 0;
  // Empty while it runs; its exit code (128+N when killed by signal N) once it has exited.
  virtual std::optional<int> ExitCode() = 0;
  // What it wrote to stdout and stderr so far, without waiting.
  virtual std::string Output() = 0;
};

class Host {
 public:
  virtual ~Host() = default;

  // Runs a program and waits for it. Not OK only when it could not run to completion: the program
  // is missing (NotInstalled), not executable (Permission), or ran past its timeout or the host's
  // deadline (Timeout, process group killed). A non-zero exit is an OK Result with exit_code set.
  virtual Result<Output> Run(const Command& cmd) = 0;

  // Whole-file read. NotFound when absent, Permission on EACCES.
  virtual Result<std::string> ReadFile(const std::string& path) = 0;
  // Writes path.tmp, fsyncs, renames over path (creating parent directories is the caller's job).
  virtual Status WriteFileAtomically(const std::string& path, std::string_view data) = 0;
  // Removes a file; OK when it was already absent.
  virtual Status RemoveFile(const std::string& path) = 0;
  // mkdir -p with the given mode for created directories.
  virtual Status MakeDirectories(const std::string& path, unsigned mode = 0755) = 0;
  // lstat-like information; NotFound when absent.
  virtual Result<FileInfo> Stat(const std::string& path) = 0;
  // stat-like: follows symbolic links (/dev/VG/LV → /dev/dm-N), else as Stat. The default, for
  // Hosts without links, is Stat.
  virtual Result<FileInfo> StatFollowingLinks(const std::string& path) { return Stat(path); }
  // Takes an exclusive lock on path (created if needed), waiting at most `wait`. Busy on timeout.
  virtual Result<std::unique_ptr<LockHandle>> Lock(const std::string& path, milliseconds wait) = 0;
  // Entry names of a directory (without "." and ".."), sorted. NotFound when absent. The default
  // (for Hosts that predate it) fails with Internal.
  virtual Result<std::vector<std::string>> ListDirectory(const std::string& path);
  // Target of a symbolic link (readlink). NotFound when absent. Default: Internal.
  virtual Result<std::string> ReadLink(const std::string& path);

  virtual Clock::time_point Now() = 0;
  virtual void SleepFor(milliseconds d) = 0;

  // Starts a program that keeps running (a daemon kept in the foreground, so its early exit and
  // reason are seen at once): own process group, stdin /dev/null, stdout and stderr into a pipe
  // the returned Process reads until it is destroyed (later writes fail with EPIPE). Errors as
  // Run. The default (for Hosts that predate it) fails with Internal.
  virtual Result<std::unique_ptr<Process>> Spawn(const Command& cmd);

  // A deadline for everything that follows: Run() caps each command's timeout at the time left
  // and fails with Timeout once it has passed. Agents set it from the operation timeout.
  void SetDeadline(std::optional<Clock::time_point> deadline) { deadline_ = deadline; }
  std::optional<Clock::time_point> deadline() const { return deadline_; }
  // Time left before the deadline (a large value when none is set), never negative.
  milliseconds TimeLeft();

 protected:
  std::optional<Clock::time_point> deadline_;
};

// Convenience: runs argv and turns a non-zero exit into CommandFailed
// ("iptables exited 2: <first stderr line>"). Returns the output on success.
Result<Output> RunChecked(Host& host, std::vector<std::string> argv, std::string input = {},
                          milliseconds timeout = milliseconds(30'000));

}  // namespace san
