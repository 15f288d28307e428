// FakeHost (tests only): scripted replies for exact argv vectors, in-memory files, an instant
// clock, and a record of every command run, so tests can assert the exact command list.
#pragma once

#include <deque>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "libsan/host/host.h"

namespace san {

class FakeHost : public Host {
 public:
  // Replies `out`/`err`/`exit_code` the next time exactly `argv` runs. Several replies for the
  // same argv are used in order; the last one then repeats.
  void Reply(std::vector<std::string> argv, std::string out, int exit_code = 0,
             std::string err = {});
  // Makes `argv` fail to run at all with `status` (NotInstalled, Timeout, ...).
  void ReplyStatus(std::vector<std::string> argv, Status status);
  // Called for every command without a scripted reply; the default fails the run with Internal
  // ("FakeHost: unexpected command ...") so a test notices commands it did not plan for.
  void SetDefault(std::function<Result<Output>(const Command&)> handler);
  // Called before every Run (after recording); lets a test change files or state mid-sequence.
  void OnRun(std::function<void(const Command&)> hook) { on_run_ = std::move(hook); }

  // Every command run, in order, argv only; and with stdin.
  const std::vector<std::vector<std::string>>& commands_run() const { return commands_; }
  const std::vector<Command>& full_commands() const { return full_commands_; }
  void ClearCommands() {
    commands_.clear();
    full_commands_.clear();
  }

  // In-memory file system.
  void SetFile(const std::string& path, std::string content);
  void SetBlockDevice(const std::string& path, uint64_t size);
  // A symbolic link (ReadLink answers `target`; it is listed by ListDirectory).
  void SetSymlink(const std::string& path, std::string target);
  bool HasFile(const std::string& path) const { return files_.count(path) > 0; }
  std::string FileContent(const std::string& path) const;

  // Clock: starts at an arbitrary epoch; SleepFor advances it instantly.
  void Advance(milliseconds d) { now_ += d; }
  milliseconds total_slept() const { return slept_; }

  Result<Output> Run(const Command& cmd) override;
  // Recorded and answered like Run: an exit code 0 reply is a program that keeps running, any
  // other one that exited at once with that code; its out + err are the Process's output.
  Result<std::unique_ptr<Process>> Spawn(const Command& cmd) override;
  Result<std::string> ReadFile(const std::string& path) override;
  Status WriteFileAtomically(const std::string& path, std::string_view data) override;
  Status RemoveFile(const std::string& path) override;
  Status MakeDirectories(const std::string& path, unsigned mode = 0755) override;
  Result<FileInfo> Stat(const std::string& path) override;
  Result<std::unique_ptr<LockHandle>> Lock(const std::string& path, milliseconds wait) override;
  // Names of the files, devices, links and directories directly below `path`.
  Result<std::vector<std::string>> ListDirectory(const std::string& path) override;
  Result<std::string> ReadLink(const std::string& path) override;
  Clock::time_point Now() override { return now_; }
  void SleepFor(milliseconds d) override {
    now_ += d;
    slept_ += d;
  }

  // Paths currently locked (a lock is released when its handle is destroyed). Lock() on a held
  // path advances the clock by `wait` and fails with Busy. A handle refers to this FakeHost and
  // must not outlive it.
  const std::set<std::string>& held_locks() const { return locks_; }

 private:
  struct Scripted {
    std::deque<Result<Output>> replies;
  };
  std::map<std::vector<std::string>, Scripted> replies_;
  std::function<Result<Output>(const Command&)> default_;
  std::function<void(const Command&)> on_run_;
  std::vector<std::vector<std::string>> commands_;
  std::vector<Command> full_commands_;
  std::map<std::string, std::string> files_;
  std::map<std::string, FileInfo> infos_;
  std::set<std::string> dirs_;
  std::map<std::string, std::string> links_;
  std::set<std::string> locks_;
  Clock::time_point now_ = Clock::time_point(std::chrono::hours(1000));
  milliseconds slept_{0};
};

}  // namespace san
