// RunSubprocess: fork/exec with pipes and poll(), a pidfd (or waitpid polling) to notice the exit,
// and a process-group kill on timeout.
#include "libsan/host/subprocess.h"

#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <set>
#include <string_view>
#include <utility>
#include <vector>

#include "libsan/host/errno_status.h"
#include "libsan/host/fd.h"
#include "libsan/util/strings.h"

extern char** environ;

namespace san {

namespace {

// After the program exits, its pipes are read this much longer at most: a daemon it started may
// have inherited them and never close them, and the program's own output is already in the pipe.
constexpr milliseconds kDrainGrace{200};
// Without a pidfd, an exit is noticed by polling waitpid this often.
constexpr milliseconds kExitPollInterval{10};
// stderr kept in the debug log for a failed command.
constexpr size_t kMaxLoggedStderr = 4096;

bool MakePipe(Fd* read_end, Fd* write_end) {
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) return false;
  read_end->Reset(fds[0]);
  write_end->Reset(fds[1]);
  return true;
}

void SetNonBlocking(int fd) { fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK); }

// Inherited environment plus `extra`. An extra entry replaces an inherited one of the same name:
// getenv() returns the first match, so appending alone would leave the inherited value in force.
std::vector<std::string> BuildEnvironment(const std::vector<std::string>& extra) {
  std::set<std::string> names;
  for (const std::string& e : extra) names.insert(e.substr(0, e.find('=')));
  std::vector<std::string> env;
  for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
    std::string_view entry(*e);
    if (names.count(std::string(entry.substr(0, entry.find('=')))) == 0) env.emplace_back(entry);
  }
  env.insert(env.end(), extra.begin(), extra.end());
  return env;
}

std::vector<char*> CStrings(std::vector<std::string>& strings) {
  std::vector<char*> out;
  out.reserve(strings.size() + 1);
  for (std::string& s : strings) out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

// Everything the child needs, prepared before fork(): between fork and exec only async-signal-safe
// calls are allowed (another thread may hold the malloc lock).
struct ChildSetup {
  const char* path;
  char* const* argv;
  char* const* envp;
  int stdio[3];   // become fds 0, 1, 2
  int report_fd;  // CLOEXEC pipe: receives errno if exec fails
  int max_fd;     // for the close loop when close_range is unavailable
};

[[noreturn]] void ReportAndExit(int report_fd) {
  int err = errno;
  ssize_t ignored = write(report_fd, &err, sizeof(err));
  (void)ignored;
  _exit(127);
}

[[noreturn]] void ExecChild(ChildSetup s) {
  setpgid(0, 0);  // own process group, so a timeout kills its children too
  // Ignored signals and the signal mask survive exec; give the program a clean slate.
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, nullptr);
  struct sigaction dfl = {};
  dfl.sa_handler = SIG_DFL;
  for (int sig = 1; sig < NSIG; ++sig) sigaction(sig, &dfl, nullptr);  // fails for KILL/STOP: fine

  // Lift every descriptor we keep above 2 first, so dup2() onto 0..2 cannot clobber one of them
  // (the parent may have run with fd 0, 1 or 2 closed, making a pipe end land there).
  if (s.report_fd < 3 && (s.report_fd = fcntl(s.report_fd, F_DUPFD_CLOEXEC, 3)) < 0) _exit(127);
  for (int& fd : s.stdio) {
    if (fd < 3 && (fd = fcntl(fd, F_DUPFD_CLOEXEC, 3)) < 0) ReportAndExit(s.report_fd);
  }
  for (int i = 0; i < 3; ++i) {
    if (dup2(s.stdio[i], i) < 0) ReportAndExit(s.report_fd);
  }
  // Close everything else but the report pipe (CLOEXEC: it closes itself on a successful exec).
  bool closed = false;
#ifdef SYS_close_range
  closed = (s.report_fd == 3 || syscall(SYS_close_range, 3u, s.report_fd - 1u, 0u) == 0) &&
           syscall(SYS_close_range, s.report_fd + 1u, ~0u, 0u) == 0;
#endif
  if (!closed) {
    for (int fd = 3; fd < s.max_fd; ++fd) {
      if (fd != s.report_fd) close(fd);
    }
  }
  execve(s.path, s.argv, s.envp);
  ReportAndExit(s.report_fd);
}

int OpenPidfd(pid_t pid) {
#ifdef SYS_pidfd_open
  return static_cast<int>(syscall(SYS_pidfd_open, pid, 0u));
#else
  (void)pid;
  return -1;
#endif
}

pid_t WaitNoIntr(pid_t pid, int* status, int options) {
  pid_t r;
  do {
    r = waitpid(pid, status, options);
  } while (r < 0 && errno == EINTR);
  return r;
}

// How many inherited descriptors the child closes before exec.
int ChildFdLimit() {
  struct rlimit nofile = {};
  getrlimit(RLIMIT_NOFILE, &nofile);
  return nofile.rlim_cur == RLIM_INFINITY
             ? 65536
             : static_cast<int>(std::min<rlim_t>(nofile.rlim_cur, 1 << 20));
}

// Waits for the child's exec report: EOF (exec succeeded: the CLOEXEC pipe closed) is OK; the
// errno of a failed exec reaps the child and is classified (ENOENT: not installed, EACCES/EPERM:
// permission).
Status AwaitExec(pid_t pid, const Fd& report_r, const std::string& path) {
  int exec_errno = 0;
  ssize_t n;
  do {
    n = read(report_r.get(), &exec_errno, sizeof(exec_errno));
  } while (n < 0 && errno == EINTR);
  if (n == static_cast<ssize_t>(sizeof(exec_errno))) {
    int status;
    WaitNoIntr(pid, &status, 0);
    std::string message = "cannot execute " + path + ": " + ErrnoText(exec_errno);
    if (exec_errno == ENOENT) return Status::NotInstalled(std::move(message));
    if (exec_errno == EACCES || exec_errno == EPERM) return Status::Permission(std::move(message));
    return Status::Internal(std::move(message));
  }
  return Status::Ok();
}

void KillGroupAndReap(pid_t pid) {
  kill(-pid, SIGKILL);
  kill(pid, SIGKILL);  // in case it has left its group
  int status;
  WaitNoIntr(pid, &status, 0);
}

// write() that cannot kill us with SIGPIPE when the program has closed its stdin: SIGPIPE is
// blocked for this thread around the write, and the one the write raised is consumed.
ssize_t WriteNoSigpipe(int fd, const char* data, size_t size) {
  sigset_t pipe_set, old_mask, pending;
  sigemptyset(&pipe_set);
  sigaddset(&pipe_set, SIGPIPE);
  pthread_sigmask(SIG_BLOCK, &pipe_set, &old_mask);
  sigpending(&pending);
  bool was_pending = sigismember(&pending, SIGPIPE) == 1;
  ssize_t n = write(fd, data, size);
  int err = errno;
  if (n < 0 && err == EPIPE && !was_pending) {
    struct timespec zero = {};
    while (sigtimedwait(&pipe_set, nullptr, &zero) < 0 && errno == EINTR) {
    }
  }
  pthread_sigmask(SIG_SETMASK, &old_mask, nullptr);
  errno = err;
  return n;
}

// Reads what is available; closes `fd` at EOF or on error.
void Drain(Fd* fd, std::string* sink) {
  char buf[65536];
  while (fd->valid()) {
    ssize_t n = read(fd->get(), buf, sizeof(buf));
    if (n > 0) {
      sink->append(buf, static_cast<size_t>(n));
    } else if (n < 0 && errno == EINTR) {
      continue;
    } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      return;
    } else {
      fd->Reset();
    }
  }
}

int PollMillis(Clock::time_point now, Clock::time_point until) {
  if (until <= now) return 0;
  auto ms = std::chrono::ceil<milliseconds>(until - now).count();
  return static_cast<int>(std::min<int64_t>(ms, 1'000'000));
}

int ExitCode(int wstatus) {
  if (WIFEXITED(wstatus)) return WEXITSTATUS(wstatus);
  if (WIFSIGNALED(wstatus)) return 128 + WTERMSIG(wstatus);
  return 255;
}

}  // namespace

Result<Output> RunSubprocess(const std::string& path, const Command& cmd, milliseconds timeout,
                             Logger* log) {
  if (cmd.argv.empty()) return Status::Internal("RunSubprocess: empty argv");
  const std::string& name = cmd.argv[0];
  if (log != nullptr) log->Debug("run: " + cmd.LoggableArgv());  // never cmd.input: secrets

  std::vector<std::string> arg_strings = cmd.argv;
  arg_strings[0] = path;
  std::vector<std::string> env_strings = BuildEnvironment(cmd.extra_env);
  std::vector<char*> argv = CStrings(arg_strings);
  std::vector<char*> envp = CStrings(env_strings);

  Fd in_r, in_w, out_r, out_w, err_r, err_w, report_r, report_w;
  if (!MakePipe(&in_r, &in_w) || !MakePipe(&out_r, &out_w) || !MakePipe(&err_r, &err_w) ||
      !MakePipe(&report_r, &report_w)) {
    return ErrnoStatus(errno, "cannot create pipes to run " + name);
  }
  ChildSetup setup = {path.c_str(),   argv.data(),
                      envp.data(),    {in_r.get(), out_w.get(), err_w.get()},
                      report_w.get(), ChildFdLimit()};

  // The real steady clock, as RealHost::Now() reads it.
  const Clock::time_point start = Clock::now();
  const Clock::time_point kill_at = start + timeout;
  pid_t pid = fork();
  if (pid < 0) return ErrnoStatus(errno, "cannot fork to run " + name);
  if (pid == 0) ExecChild(setup);
  // Also set here: whichever of parent and child runs first, the group exists before we can time
  // out and kill it. EACCES after the child's exec is harmless.
  setpgid(pid, pid);
  in_r.Reset();
  out_w.Reset();
  err_w.Reset();
  report_w.Reset();

  SAN_RETURN_IF_ERROR(AwaitExec(pid, report_r, path));
  report_r.Reset();

  Output output;
  size_t written = 0;
  if (cmd.input.empty()) in_w.Reset();
  for (Fd* fd : {&in_w, &out_r, &err_r}) {
    if (fd->valid()) SetNonBlocking(fd->get());
  }
  Fd pidfd(OpenPidfd(pid));
  bool exited = false;
  int wstatus = 0;
  Clock::time_point drain_until;

  while (!exited || out_r.valid() || err_r.valid()) {
    Clock::time_point now = Clock::now();
    if (!exited && now >= kill_at) {
      KillGroupAndReap(pid);
      std::string message =
          name + " did not finish within " + std::to_string(timeout.count()) + " ms";
      if (log != nullptr) log->Debug(message + "; process group killed");
      return Status::Timeout(std::move(message));
    }
    if (exited && now >= drain_until) break;  // something it started still holds the pipes

    struct pollfd fds[4];
    nfds_t count = 0;
    int in_idx = -1, out_idx = -1, err_idx = -1, pid_idx = -1;
    if (in_w.valid()) fds[in_idx = count++] = {in_w.get(), POLLOUT, 0};
    if (out_r.valid()) fds[out_idx = count++] = {out_r.get(), POLLIN, 0};
    if (err_r.valid()) fds[err_idx = count++] = {err_r.get(), POLLIN, 0};
    if (!exited && pidfd.valid()) fds[pid_idx = count++] = {pidfd.get(), POLLIN, 0};
    int wait_ms = PollMillis(now, exited ? drain_until : kill_at);
    if (!exited && !pidfd.valid()) {
      wait_ms = std::min(wait_ms, static_cast<int>(kExitPollInterval.count()));
    }
    if (poll(fds, count, wait_ms) < 0) {
      if (errno == EINTR) continue;
      int err = errno;
      KillGroupAndReap(pid);
      return ErrnoStatus(err, "poll while running " + name);
    }

    if (in_idx >= 0 && fds[in_idx].revents != 0) {
      ssize_t w = WriteNoSigpipe(in_w.get(), cmd.input.data() + written,
                                 std::min<size_t>(cmd.input.size() - written, 65536));
      if (w > 0) written += static_cast<size_t>(w);
      // EPIPE: the program closed stdin without reading everything, which is its business.
      if ((w < 0 && errno != EAGAIN && errno != EINTR) || written == cmd.input.size()) {
        in_w.Reset();
      }
    }
    if (out_idx >= 0 && fds[out_idx].revents != 0) Drain(&out_r, &output.out);
    if (err_idx >= 0 && fds[err_idx].revents != 0) Drain(&err_r, &output.err);
    if (!exited && (pid_idx >= 0 ? fds[pid_idx].revents != 0 : !pidfd.valid())) {
      pid_t r = WaitNoIntr(pid, &wstatus, WNOHANG);
      if (r < 0) {  // ECHILD: SIGCHLD is ignored in this process, so the kernel reaped it
        return ErrnoStatus(errno, "cannot get the exit status of " + name);
      }
      if (r == pid) {
        exited = true;
        in_w.Reset();
        drain_until = Clock::now() + kDrainGrace;
      }
    }
  }

  output.exit_code = ExitCode(wstatus);
  if (log != nullptr) {
    std::string line = name + " exited " + std::to_string(output.exit_code);
    if (output.exit_code != 0 && !output.err.empty()) {
      line += "; stderr: " + output.err.substr(0, kMaxLoggedStderr);
    }
    log->Debug(line);
  }
  return output;
}

namespace {

class SpawnedProcess : public Process {
 public:
  SpawnedProcess(pid_t pid, Fd out) : pid_(pid), out_(std::move(out)) {}
  int pid() const override { return pid_; }
  std::optional<int> ExitCode() override {
    if (exit_code_) return exit_code_;
    int wstatus = 0;
    pid_t r = WaitNoIntr(pid_, &wstatus, WNOHANG);
    if (r == pid_) exit_code_ = san::ExitCode(wstatus);
    if (r < 0) exit_code_ = 255;  // not our child any more (SIGCHLD ignored): gone
    return exit_code_;
  }
  std::string Output() override {
    if (out_.valid()) Drain(&out_, &output_);
    return output_;
  }

 private:
  pid_t pid_;
  Fd out_;
  std::string output_;
  std::optional<int> exit_code_;
};

}  // namespace

Result<std::unique_ptr<Process>> SpawnSubprocess(const std::string& path, const Command& cmd,
                                                 Logger* log) {
  if (cmd.argv.empty()) return Status::Internal("SpawnSubprocess: empty argv");
  const std::string& name = cmd.argv[0];
  if (log != nullptr) log->Debug("spawn: " + cmd.LoggableArgv());
  std::vector<std::string> arg_strings = cmd.argv;
  arg_strings[0] = path;
  std::vector<std::string> env_strings = BuildEnvironment(cmd.extra_env);
  std::vector<char*> argv = CStrings(arg_strings);
  std::vector<char*> envp = CStrings(env_strings);
  Fd null_in(open("/dev/null", O_RDONLY | O_CLOEXEC));
  if (!null_in.valid()) return ErrnoStatus(errno, "cannot open /dev/null to run " + name);
  Fd out_r, out_w, report_r, report_w;
  if (!MakePipe(&out_r, &out_w) || !MakePipe(&report_r, &report_w)) {
    return ErrnoStatus(errno, "cannot create pipes to run " + name);
  }
  ChildSetup setup = {path.c_str(),   argv.data(),
                      envp.data(),    {null_in.get(), out_w.get(), out_w.get()},
                      report_w.get(), ChildFdLimit()};
  pid_t pid = fork();
  if (pid < 0) return ErrnoStatus(errno, "cannot fork to run " + name);
  if (pid == 0) ExecChild(setup);
  setpgid(pid, pid);
  null_in.Reset();
  out_w.Reset();
  report_w.Reset();
  SAN_RETURN_IF_ERROR(AwaitExec(pid, report_r, path));
  SetNonBlocking(out_r.get());
  return std::unique_ptr<Process>(std::make_unique<SpawnedProcess>(pid, std::move(out_r)));
}

}  // namespace san
