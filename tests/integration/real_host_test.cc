// RealHost against the real machine: real programs, pipes, timeouts, files and flock.
#include "libsan/host/real_host.h"

#include <dirent.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <thread>

namespace san {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

// A fresh directory under $TMPDIR, removed with its contents.
class TempDir {
 public:
  TempDir() {
    std::string templ = (std::filesystem::temp_directory_path() / "sanha-host-XXXXXX").string();
    if (mkdtemp(templ.data()) == nullptr) ADD_FAILURE() << "mkdtemp failed";
    path_ = templ;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  std::string operator/(const std::string& name) const { return path_ + "/" + name; }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

Command Cmd(std::vector<std::string> argv, std::string input = {},
            milliseconds timeout = milliseconds(30'000)) {
  Command cmd;
  cmd.argv = std::move(argv);
  cmd.input = std::move(input);
  cmd.timeout = timeout;
  return cmd;
}

// True when pid is gone or a zombie (killed, but not reaped by whichever process inherited it).
bool DeadOrZombie(pid_t pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  if (!stat) return true;
  std::string line;
  std::getline(stat, line);
  size_t paren = line.rfind(')');
  return paren == std::string::npos || line.size() < paren + 3 || line[paren + 2] == 'Z';
}

class RealHostTest : public ::testing::Test {
 protected:
  RealHost host_{ProgramTable()};
  TempDir tmp_;
};

TEST_F(RealHostTest, ExitCodesOfTrueAndFalse) {
  Result<Output> t = host_.Run(Cmd({"/bin/true"}));
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ(t->exit_code, 0);
  Result<Output> f = host_.Run(Cmd({"false"}));  // resolved through the search path
  ASSERT_TRUE(f.ok()) << f.status().ToString();
  EXPECT_EQ(f->exit_code, 1);
}

TEST_F(RealHostTest, CatEchoesStdin) {
  Result<Output> r = host_.Run(Cmd({"cat"}, "hello\nworld\n"));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->out, "hello\nworld\n");
  EXPECT_EQ(r->err, "");
}

TEST_F(RealHostTest, LargeInputAndOutputDoNotDeadlock) {
  std::string input(3'000'000, 'a');
  for (size_t i = 0; i < input.size(); i += 997) input[i] = '\n';
  Result<Output> r = host_.Run(Cmd({"cat"}, input));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->out, input);
}

TEST_F(RealHostTest, LargeOutput) {
  Result<Output> r = host_.Run(Cmd({"head", "-c", "5000000", "/dev/zero"}));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->exit_code, 0);
  EXPECT_EQ(r->out.size(), 5'000'000u);
}

TEST_F(RealHostTest, ProgramThatIgnoresStdinDoesNotHurtUs) {
  Result<Output> r = host_.Run(Cmd({"/bin/true"}, std::string(4'000'000, 'x')));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->exit_code, 0);
}

TEST_F(RealHostTest, StderrIsCapturedAndRunCheckedReportsIt) {
  Result<Output> r = RunChecked(host_, {"ls", tmp_ / "missing"});
  EXPECT_EQ(r.status().code(), Code::kCommandFailed);
  EXPECT_THAT(r.status().message(), HasSubstr("ls exited 2: "));
  EXPECT_THAT(r.status().message(), HasSubstr(tmp_ / "missing"));
  EXPECT_THAT(r.status().message(), Not(HasSubstr("\n")));
}

TEST_F(RealHostTest, KilledBySignalIs128PlusSignal) {
  Result<Output> r = host_.Run(Cmd({"sh", "-c", "kill -TERM $$"}));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->exit_code, 128 + SIGTERM);
}

TEST_F(RealHostTest, TimeoutKillsTheCommand) {
  Clock::time_point start = Clock::now();
  Result<Output> r = host_.Run(Cmd({"sleep", "30"}, "", milliseconds(200)));
  EXPECT_EQ(r.status().code(), Code::kTimeout);
  EXPECT_EQ(r.status().message(), "sleep did not finish within 200 ms");
  EXPECT_LT(Clock::now() - start, std::chrono::seconds(5));
}

TEST_F(RealHostTest, TimeoutKillsTheWholeProcessGroup) {
  // The shell records its own pid (the group id) and its background child's pid, then waits.
  std::string pids = tmp_ / "pids";
  std::string script = "sleep 30 & echo $! > " + pids + "; echo $$ >> " + pids + "; sleep 30";
  Result<Output> r = host_.Run(Cmd({"sh", "-c", script}, "", milliseconds(500)));
  ASSERT_EQ(r.status().code(), Code::kTimeout);

  std::ifstream in(pids);
  pid_t background = 0, shell = 0;
  ASSERT_TRUE(in >> background >> shell) << "the shell did not record its pids in time";
  Clock::time_point give_up = Clock::now() + std::chrono::seconds(5);
  while ((!DeadOrZombie(background) || !DeadOrZombie(shell)) && Clock::now() < give_up) {
    std::this_thread::sleep_for(milliseconds(10));
  }
  EXPECT_TRUE(DeadOrZombie(background));
  EXPECT_TRUE(DeadOrZombie(shell));
  // Nothing alive is left in the group (zombies may remain when nothing reaps orphans).
  if (kill(-shell, 0) == 0) {
    EXPECT_TRUE(DeadOrZombie(background));
  } else {
    EXPECT_EQ(errno, ESRCH);
  }
}

TEST_F(RealHostTest, ExitIsNotDelayedByABackgroundChildHoldingThePipes) {
  // Like a daemon that forks without closing its inherited stdout: the shell exits at once.
  std::string pid_file = tmp_ / "bg";
  Clock::time_point start = Clock::now();
  Result<Output> r =
      host_.Run(Cmd({"sh", "-c", "sleep 30 & echo $! > " + pid_file + "; echo done; exit 4"}));
  std::chrono::nanoseconds took = Clock::now() - start;
  pid_t background = 0;
  std::ifstream(pid_file) >> background;
  if (background > 0) kill(background, SIGKILL);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->exit_code, 4);
  EXPECT_EQ(r->out, "done\n");
  EXPECT_LT(took, std::chrono::seconds(5));
}

TEST_F(RealHostTest, MissingProgramIsNotInstalled) {
  Result<Output> r = host_.Run(Cmd({"sanha-no-such-program"}));
  EXPECT_EQ(r.status().code(), Code::kNotInstalled);
  EXPECT_THAT(r.status().message(), HasSubstr("'sanha-no-such-program' not found"));
  EXPECT_THAT(r.status().message(), HasSubstr("SANHA_PROG_SANHA_NO_SUCH_PROGRAM"));

  Result<Output> abs = host_.Run(Cmd({tmp_ / "absent"}));
  EXPECT_EQ(abs.status().code(), Code::kNotInstalled);
  EXPECT_THAT(abs.status().message(), HasSubstr(tmp_ / "absent"));
}

TEST_F(RealHostTest, NonExecutableFileIsPermission) {
  std::string script = tmp_ / "script";
  std::ofstream(script) << "#!/bin/sh\nexit 0\n";
  chmod(script.c_str(), 0644);
  Result<Output> r = host_.Run(Cmd({script}));
  EXPECT_EQ(r.status().code(), Code::kPermission);
  EXPECT_THAT(r.status().message(), HasSubstr(script));
}

TEST_F(RealHostTest, ProgramTableOverridesAreUsed) {
  ProgramTable table;
  table.Set("my-true", "/bin/true");
  RealHost host(table);
  Result<Output> r = host.Run(Cmd({"my-true"}));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->exit_code, 0);
}

TEST_F(RealHostTest, DeadlineCapsTheTimeout) {
  host_.SetDeadline(host_.Now() + milliseconds(300));
  Clock::time_point start = Clock::now();
  Result<Output> r = host_.Run(Cmd({"sleep", "30"}, "", milliseconds(30'000)));
  EXPECT_EQ(r.status().code(), Code::kTimeout);
  EXPECT_LT(Clock::now() - start, std::chrono::seconds(5));
}

TEST_F(RealHostTest, PastTheDeadlineNothingRuns) {
  host_.SetDeadline(host_.Now() - milliseconds(1));
  std::string marker = tmp_ / "marker";
  Result<Output> r = host_.Run(Cmd({"touch", marker}));
  EXPECT_EQ(r.status().code(), Code::kTimeout);
  EXPECT_FALSE(std::filesystem::exists(marker));
}

TEST_F(RealHostTest, ExtraEnvIsAddedAndOverridesInheritedValues) {
  setenv("SANHA_TEST_INHERITED", "old", 1);
  Command cmd = Cmd({"env"});
  cmd.extra_env = {"SANHA_TEST_NEW=hello", "SANHA_TEST_INHERITED=new"};
  Result<Output> r = host_.Run(cmd);
  unsetenv("SANHA_TEST_INHERITED");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_THAT(r->out, HasSubstr("\nSANHA_TEST_NEW=hello\n"));
  EXPECT_THAT(r->out, HasSubstr("SANHA_TEST_INHERITED=new\n"));
  EXPECT_THAT(r->out, Not(HasSubstr("SANHA_TEST_INHERITED=old")));
  EXPECT_THAT(r->out, HasSubstr("PATH="));  // inherited
}

TEST_F(RealHostTest, LogsArgvButNeverStdin) {
  MemoryLogger log;
  RealHost host(ProgramTable(), &log);
  ASSERT_TRUE(host.Run(Cmd({"cat", "-"}, "chap-secret-123")).ok());
  EXPECT_THAT(log.Text(), HasSubstr("cat -"));
  EXPECT_THAT(log.Text(), Not(HasSubstr("chap-secret-123")));
}

TEST_F(RealHostTest, ConcurrentRunsFromSeveralThreads) {
  std::vector<std::thread> threads;
  std::vector<std::string> outs(4);
  for (size_t i = 0; i < outs.size(); ++i) {
    threads.emplace_back([&, i] {
      Result<Output> r = host_.Run(Cmd({"cat"}, std::string(200'000, static_cast<char>('a' + i))));
      if (r.ok()) outs[i] = r->out;
    });
  }
  for (std::thread& t : threads) t.join();
  for (size_t i = 0; i < outs.size(); ++i) {
    EXPECT_EQ(outs[i], std::string(200'000, static_cast<char>('a' + i)));
  }
}

TEST_F(RealHostTest, WriteFileAtomicallyThenRead) {
  std::string path = tmp_ / "conf";
  ASSERT_TRUE(host_.WriteFileAtomically(path, "one\n").ok());
  EXPECT_EQ(*host_.ReadFile(path), "one\n");
  chmod(path.c_str(), 0600);
  ASSERT_TRUE(host_.WriteFileAtomically(path, "two\n").ok());
  EXPECT_EQ(*host_.ReadFile(path), "two\n");
  struct stat st;
  ASSERT_EQ(stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0600u);  // the replaced file's mode is kept
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(tmp_.path()),
                          std::filesystem::directory_iterator()),
            1);  // no temporary left behind
}

TEST_F(RealHostTest, FileErrorsNameThePath) {
  Result<std::string> r = host_.ReadFile(tmp_ / "absent");
  EXPECT_EQ(r.status().code(), Code::kNotFound);
  EXPECT_THAT(r.status().message(), HasSubstr(tmp_ / "absent"));
  Status w = host_.WriteFileAtomically(tmp_ / "no-dir/file", "x");
  EXPECT_EQ(w.code(), Code::kNotFound);
  EXPECT_THAT(w.message(), HasSubstr(tmp_ / "no-dir/file"));
  if (geteuid() != 0) {
    std::string locked = tmp_ / "locked";
    std::ofstream(locked) << "x";
    chmod(locked.c_str(), 0);
    EXPECT_EQ(host_.ReadFile(locked).status().code(), Code::kPermission);
  }
}

TEST_F(RealHostTest, RemoveFileIsIdempotent) {
  std::string path = tmp_ / "f";
  std::ofstream(path) << "x";
  EXPECT_TRUE(host_.RemoveFile(path).ok());
  EXPECT_FALSE(std::filesystem::exists(path));
  EXPECT_TRUE(host_.RemoveFile(path).ok());
}

TEST_F(RealHostTest, MakeDirectoriesAndStat) {
  std::string deep = tmp_ / "a/b/c";
  ASSERT_TRUE(host_.MakeDirectories(deep).ok());
  ASSERT_TRUE(host_.MakeDirectories(deep + "/").ok());  // existing: fine
  Result<FileInfo> dir = host_.Stat(deep);
  ASSERT_TRUE(dir.ok());
  EXPECT_EQ(dir->type, FileInfo::Type::kDirectory);

  std::string file = tmp_ / "a/file";
  std::ofstream(file) << "12345";
  EXPECT_EQ(host_.MakeDirectories(file + "/sub").code(), Code::kInternal);
  Result<FileInfo> reg = host_.Stat(file);
  ASSERT_TRUE(reg.ok());
  EXPECT_EQ(reg->type, FileInfo::Type::kRegular);
  EXPECT_EQ(reg->size, 5u);

  std::string link = tmp_ / "link";
  ASSERT_EQ(symlink(file.c_str(), link.c_str()), 0);
  EXPECT_EQ(host_.Stat(link)->type, FileInfo::Type::kSymlink);
  EXPECT_EQ(host_.Stat("/dev/null")->type, FileInfo::Type::kCharDevice);
  EXPECT_EQ(host_.Stat(tmp_ / "absent").status().code(), Code::kNotFound);
}

TEST_F(RealHostTest, StatBlockDeviceReportsItsSize) {
  // A loop device of our own over a 3 MiB file: its size must come back exactly.
  if (geteuid() != 0) {
    if (std::getenv("CI") != nullptr) FAIL() << "CI runs as root; this test must not skip";
    GTEST_SKIP() << "needs root to attach a loop device (run as root to test)";
  }
  std::string backing = tmp_ / "disk.img";
  { std::ofstream f(backing); }
  ASSERT_EQ(truncate(backing.c_str(), 3 << 20), 0);
  Result<Output> attach = RunChecked(host_, {"losetup", "--find", "--show", backing});
  ASSERT_TRUE(attach.ok()) << attach.status().ToString();
  std::string loop = attach->out.substr(0, attach->out.find('\n'));
  Result<FileInfo> info = host_.Stat(loop);
  Result<Output> detach = RunChecked(host_, {"losetup", "--detach", loop});
  ASSERT_TRUE(info.ok()) << info.status().ToString();
  EXPECT_EQ(info->type, FileInfo::Type::kBlockDevice);
  EXPECT_EQ(info->size, 3u << 20) << loop;
  EXPECT_TRUE(detach.ok()) << detach.status().ToString();
}

TEST_F(RealHostTest, SecondLockOnTheSamePathIsBusyUntilReleased) {
  std::string path = tmp_ / "lock";
  Result<std::unique_ptr<LockHandle>> first = host_.Lock(path, milliseconds(0));
  ASSERT_TRUE(first.ok()) << first.status().ToString();

  RealHost other{ProgramTable()};
  Clock::time_point start = Clock::now();
  Result<std::unique_ptr<LockHandle>> second = other.Lock(path, milliseconds(100));
  EXPECT_EQ(second.status().code(), Code::kBusy);
  EXPECT_THAT(second.status().message(), HasSubstr(path));
  EXPECT_GE(Clock::now() - start, milliseconds(100));

  first->reset();
  Result<std::unique_ptr<LockHandle>> third = other.Lock(path, milliseconds(0));
  EXPECT_TRUE(third.ok()) << third.status().ToString();
}

TEST_F(RealHostTest, TheDeadlineBoundsALockWait) {
  std::string path = tmp_ / "lock";
  Result<std::unique_ptr<LockHandle>> first = host_.Lock(path, milliseconds(0));
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  RealHost other{ProgramTable()};
  other.SetDeadline(Clock::now() + milliseconds(200));
  Clock::time_point start = Clock::now();
  Result<std::unique_ptr<LockHandle>> second = other.Lock(path, milliseconds(10'000));
  EXPECT_EQ(second.status().code(), Code::kBusy);
  EXPECT_LT(Clock::now() - start, milliseconds(2'000)) << "waited past the deadline";
}

TEST_F(RealHostTest, LockCreatesAMissingDirectory) {
  std::string path = tmp_ / "run/lock/sanha.lock";
  Result<std::unique_ptr<LockHandle>> lock = host_.Lock(path, milliseconds(0));
  ASSERT_TRUE(lock.ok()) << lock.status().ToString();
  EXPECT_TRUE(std::filesystem::exists(path));
}

TEST_F(RealHostTest, LockWaitsForARelease) {
  std::string path = tmp_ / "lock";
  Result<std::unique_ptr<LockHandle>> first = host_.Lock(path, milliseconds(0));
  ASSERT_TRUE(first.ok());
  std::thread releaser([&] {
    std::this_thread::sleep_for(milliseconds(50));
    first->reset();
  });
  Result<std::unique_ptr<LockHandle>> second = host_.Lock(path, milliseconds(5'000));
  releaser.join();
  EXPECT_TRUE(second.ok()) << second.status().ToString();
}

// Spawn: a program that keeps running is not waited for; one that exits early is seen with its
// exit code and output (iet-target starts tgtd this way to report its reason at once).
TEST(RealHostSpawnTest, EarlyExitAndOutputAreSeenAndARunningProgramIsNotWaitedFor) {
  RealHost host{ProgramTable()};
  Result<std::unique_ptr<Process>> quick =
      host.Spawn(Cmd({"sh", "-c", "echo 'cannot bind' >&2; exit 3"}));
  ASSERT_TRUE(quick.ok()) << quick.status().ToString();
  std::optional<int> code;
  for (int i = 0; i < 500 && !code; ++i) {
    code = (*quick)->ExitCode();
    if (!code) usleep(10'000);
  }
  ASSERT_TRUE(code.has_value());
  EXPECT_EQ(*code, 3);
  EXPECT_EQ((*quick)->Output(), "cannot bind\n");

  Result<std::unique_ptr<Process>> daemon = host.Spawn(Cmd({"sleep", "600"}));
  ASSERT_TRUE(daemon.ok()) << daemon.status().ToString();
  const pid_t pid = (*daemon)->pid();
  EXPECT_FALSE((*daemon)->ExitCode().has_value()) << "still running";
  EXPECT_EQ(getpgid(pid), pid) << "its own process group";
  daemon->reset();  // stops reading; the program keeps running
  EXPECT_FALSE(DeadOrZombie(pid));
  kill(pid, SIGKILL);
  int status;
  waitpid(pid, &status, 0);

  Result<std::unique_ptr<Process>> missing = host.Spawn(Cmd({"/nonexistent/tgtd"}));
  EXPECT_EQ(missing.status().code(), Code::kNotInstalled);
}

}  // namespace
}  // namespace san
