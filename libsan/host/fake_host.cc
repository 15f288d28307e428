// FakeHost: scripted commands, an in-memory file system and an instant clock for unit tests.
#include "libsan/host/fake_host.h"

#include <algorithm>
#include <utility>

#include "libsan/util/strings.h"

namespace san {

namespace {

// "/a/b/" → "/a/b", so MakeDirectories("/a/b/") and Stat("/a/b") agree; "/" stays "/".
std::string StripTrailingSlashes(std::string path) {
  while (path.size() > 1 && path.back() == '/') path.pop_back();
  return path;
}

class FakeLockHandle : public LockHandle {
 public:
  FakeLockHandle(std::set<std::string>* locks, std::string path)
      : locks_(locks), path_(std::move(path)) {}
  ~FakeLockHandle() override { locks_->erase(path_); }

 private:
  std::set<std::string>* locks_;  // FakeHost::locks_; the FakeHost outlives its handles
  std::string path_;
};

}  // namespace

void FakeHost::Reply(std::vector<std::string> argv, std::string out, int exit_code,
                     std::string err) {
  Output output;
  output.exit_code = exit_code;
  output.out = std::move(out);
  output.err = std::move(err);
  replies_[std::move(argv)].replies.emplace_back(std::move(output));
}

void FakeHost::ReplyStatus(std::vector<std::string> argv, Status status) {
  replies_[std::move(argv)].replies.emplace_back(std::move(status));
}

void FakeHost::SetDefault(std::function<Result<Output>(const Command&)> handler) {
  default_ = std::move(handler);
}

Result<Output> FakeHost::Run(const Command& cmd) {
  // As RealHost: past the deadline nothing runs, so nothing is recorded either.
  if (deadline_ && Now() >= *deadline_) {
    std::string name = cmd.argv.empty() ? std::string() : cmd.argv[0];
    return Status::Timeout(name + " not run: the deadline has passed");
  }
  commands_.push_back(cmd.argv);
  full_commands_.push_back(cmd);
  if (on_run_) on_run_(cmd);

  auto it = replies_.find(cmd.argv);
  if (it != replies_.end() && !it->second.replies.empty()) {
    std::deque<Result<Output>>& queue = it->second.replies;
    if (queue.size() == 1) return queue.front();  // the last reply repeats
    Result<Output> reply = std::move(queue.front());
    queue.pop_front();
    return reply;
  }
  if (default_) return default_(cmd);
  return Status::Internal("FakeHost: unexpected command: " + Join(cmd.argv, " "));
}

namespace {

class FakeProcess : public Process {
 public:
  FakeProcess(int pid, san::Output out) : pid_(pid), out_(std::move(out)) {}
  int pid() const override { return pid_; }
  std::optional<int> ExitCode() override {
    if (out_.exit_code == 0) return std::nullopt;
    return out_.exit_code;
  }
  std::string Output() override { return out_.out + out_.err; }

 private:
  int pid_;
  san::Output out_;
};

}  // namespace

Result<std::unique_ptr<Process>> FakeHost::Spawn(const Command& cmd) {
  SAN_ASSIGN_OR_RETURN(Output out, Run(cmd));
  static int next_pid = 40000;
  return std::unique_ptr<Process>(std::make_unique<FakeProcess>(++next_pid, std::move(out)));
}

void FakeHost::SetFile(const std::string& path, std::string content) {
  infos_.erase(path);
  files_[path] = std::move(content);
}

void FakeHost::SetBlockDevice(const std::string& path, uint64_t size) {
  files_.erase(path);
  FileInfo info;
  info.type = FileInfo::Type::kBlockDevice;
  info.size = size;
  infos_[path] = info;
}

void FakeHost::SetSymlink(const std::string& path, std::string target) {
  files_.erase(path);
  infos_.erase(path);
  links_[path] = std::move(target);
}

std::string FakeHost::FileContent(const std::string& path) const {
  auto it = files_.find(path);
  return it == files_.end() ? std::string() : it->second;
}

Result<std::string> FakeHost::ReadFile(const std::string& path) {
  if (auto it = files_.find(path); it != files_.end()) return it->second;
  if (dirs_.count(StripTrailingSlashes(path)) > 0) {
    return Status::Internal("cannot read " + path + ": Is a directory");
  }
  if (infos_.count(path) > 0) {
    return Status::Internal("FakeHost: cannot read device " + path + " (only its size is set)");
  }
  return Status::NotFound("cannot open " + path + ": No such file or directory");
}

Status FakeHost::WriteFileAtomically(const std::string& path, std::string_view data) {
  if (dirs_.count(StripTrailingSlashes(path)) > 0) {
    return Status::Internal("cannot rename over " + path + ": Is a directory");
  }
  infos_.erase(path);
  files_[path] = std::string(data);
  return Status::Ok();
}

Status FakeHost::RemoveFile(const std::string& path) {
  if (dirs_.count(StripTrailingSlashes(path)) > 0) {
    return Status::Internal("cannot remove " + path + ": Is a directory");
  }
  files_.erase(path);
  infos_.erase(path);
  return Status::Ok();
}

Status FakeHost::MakeDirectories(const std::string& path, unsigned /*mode*/) {
  if (path.empty()) return Status::Internal("MakeDirectories: empty path");
  const std::string full = StripTrailingSlashes(path);
  for (size_t end = 1; end <= full.size(); ++end) {
    if (end < full.size() && full[end] != '/') continue;
    std::string prefix = full.substr(0, end);
    if (prefix.back() == '/') continue;  // "a//b"
    if (files_.count(prefix) > 0 || infos_.count(prefix) > 0) {
      return Status::Internal(prefix + " exists and is not a directory");
    }
    dirs_.insert(prefix);
  }
  return Status::Ok();
}

Result<FileInfo> FakeHost::Stat(const std::string& path) {
  FileInfo info;
  if (auto it = files_.find(path); it != files_.end()) {
    info.type = FileInfo::Type::kRegular;
    info.size = it->second.size();
    return info;
  }
  if (auto it = infos_.find(path); it != infos_.end()) return it->second;
  if (links_.count(path) > 0) {
    info.type = FileInfo::Type::kSymlink;
    return info;
  }
  if (dirs_.count(StripTrailingSlashes(path)) > 0) {
    info.type = FileInfo::Type::kDirectory;
    return info;
  }
  return Status::NotFound("cannot stat " + path + ": No such file or directory");
}

Result<std::unique_ptr<LockHandle>> FakeHost::Lock(const std::string& path, milliseconds wait) {
  if (deadline_) {  // as RealHost: the deadline bounds the wait
    if (Now() >= *deadline_) return Status::Timeout("deadline passed before locking " + path);
    wait = std::min(wait, TimeLeft());
  }
  if (locks_.count(path) > 0) {
    // RealHost would have waited this long for the holder; deadline logic should see it pass.
    Advance(wait);
    return Status::Busy(path + " is locked by another process (waited " +
                        std::to_string(wait.count()) + " ms)");
  }
  locks_.insert(path);
  return std::unique_ptr<LockHandle>(std::make_unique<FakeLockHandle>(&locks_, path));
}

Result<std::vector<std::string>> FakeHost::ListDirectory(const std::string& path) {
  const std::string dir = StripTrailingSlashes(path);
  const std::string prefix = dir == "/" ? dir : dir + "/";
  std::set<std::string> names;
  auto add = [&](const std::string& p) {
    if (p.size() <= prefix.size() || p.compare(0, prefix.size(), prefix) != 0) return;
    std::string rest = p.substr(prefix.size());
    names.insert(rest.substr(0, rest.find('/')));
  };
  for (const auto& [p, content] : files_) add(p);
  for (const auto& [p, info] : infos_) add(p);
  for (const auto& [p, target] : links_) add(p);
  for (const auto& p : dirs_) add(p);
  if (names.empty() && dirs_.count(dir) == 0) {
    return Status::NotFound("cannot list " + path + ": No such file or directory");
  }
  return std::vector<std::string>(names.begin(), names.end());
}

Result<std::string> FakeHost::ReadLink(const std::string& path) {
  if (auto it = links_.find(path); it != links_.end()) return it->second;
  return Status::NotFound("cannot read link " + path + ": No such file or directory");
}

}  // namespace san
