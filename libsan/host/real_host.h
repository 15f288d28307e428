// RealHost: the Host that touches the machine — fork/exec without a shell, POSIX files, flock, the
// steady clock. Tests use FakeHost instead; tests/integration/real_host_test.cc covers this one.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "libsan/host/host.h"
#include "libsan/host/program_table.h"
#include "libsan/util/logger.h"

namespace san {

class RealHost : public Host {
 public:
  // `log` (may be null, not owned, must outlive this) receives each command's argv and exit code
  // at debug level; never its stdin, which may hold secrets.
  explicit RealHost(ProgramTable programs, Logger* log = nullptr);

  // Resolves argv[0] through the program table, runs it in its own process group with stdin fed
  // from cmd.input, and captures stdout and stderr. The timeout is min(cmd.timeout, TimeLeft());
  // on expiry the whole process group is killed. Safe to call from several threads.
  Result<Output> Run(const Command& cmd) override;
  Result<std::unique_ptr<Process>> Spawn(const Command& cmd) override;

  Result<std::string> ReadFile(const std::string& path) override;
  // Writes path.tmp.<pid> with the mode of the file it replaces (0644 & ~umask for a new file),
  // fsyncs it, renames it over path and fsyncs the directory.
  Status WriteFileAtomically(const std::string& path, std::string_view data) override;
  Status RemoveFile(const std::string& path) override;
  Status MakeDirectories(const std::string& path, unsigned mode = 0755) override;
  // lstat; a block device's size comes from BLKGETSIZE64 (opening it read-only).
  Result<FileInfo> Stat(const std::string& path) override;
  Result<FileInfo> StatFollowingLinks(const std::string& path) override;
  // flock(LOCK_EX) on path, retried every 10 ms until `wait` passes. The handle owns the fd.
  Result<std::unique_ptr<LockHandle>> Lock(const std::string& path, milliseconds wait) override;

  // readdir; entries sorted by name.
  Result<std::vector<std::string>> ListDirectory(const std::string& path) override;
  Result<std::string> ReadLink(const std::string& path) override;

  Clock::time_point Now() override;
  void SleepFor(milliseconds d) override;

  const ProgramTable& programs() const { return programs_; }

 private:
  Result<FileInfo> StatImpl(const std::string& path, bool follow);
  ProgramTable programs_;
  Logger* log_;
};

}  // namespace san
