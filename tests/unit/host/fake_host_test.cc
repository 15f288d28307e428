// FakeHost behaves as documented, and the shared Host helpers (RunChecked, TimeLeft,
// Output::FirstErrorLine) work on top of it.
#include "libsan/host/fake_host.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace san {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using Argv = std::vector<std::string>;

Command Cmd(Argv argv, std::string input = {}) {
  Command cmd;
  cmd.argv = std::move(argv);
  cmd.input = std::move(input);
  return cmd;
}

TEST(FakeHostTest, ReplyReturnsScriptedOutputAndRecordsCommand) {
  FakeHost host;
  host.Reply({"tgtadm", "--op", "show"}, "out\n", 3, "err\n");
  Result<Output> r = host.Run(Cmd({"tgtadm", "--op", "show"}));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->exit_code, 3);
  EXPECT_EQ(r->out, "out\n");
  EXPECT_EQ(r->err, "err\n");
  EXPECT_THAT(host.commands_run(), ElementsAre(Argv{"tgtadm", "--op", "show"}));
}

TEST(FakeHostTest, RepliesAreUsedInOrderThenTheLastRepeats) {
  FakeHost host;
  host.Reply({"lvs"}, "first");
  host.Reply({"lvs"}, "second");
  EXPECT_EQ(host.Run(Cmd({"lvs"}))->out, "first");
  EXPECT_EQ(host.Run(Cmd({"lvs"}))->out, "second");
  EXPECT_EQ(host.Run(Cmd({"lvs"}))->out, "second");
  EXPECT_EQ(host.commands_run().size(), 3u);
}

TEST(FakeHostTest, ReplyStatusMakesTheRunFail) {
  FakeHost host;
  host.ReplyStatus({"iptables", "-L"}, Status::NotInstalled("no iptables"));
  host.Reply({"iptables", "-L"}, "later");
  Result<Output> r = host.Run(Cmd({"iptables", "-L"}));
  EXPECT_EQ(r.status().code(), Code::kNotInstalled);
  EXPECT_EQ(host.Run(Cmd({"iptables", "-L"}))->out, "later");
}

TEST(FakeHostTest, MatchingIsOnTheExactArgv) {
  FakeHost host;
  host.Reply({"lvs", "-o", "name"}, "x");
  Result<Output> r = host.Run(Cmd({"lvs", "-o"}));
  EXPECT_EQ(r.status().code(), Code::kInternal);
  EXPECT_EQ(r.status().message(), "FakeHost: unexpected command: lvs -o");
  EXPECT_EQ(host.Run(Cmd({"lvs", "-o", "name", "--all"})).status().code(), Code::kInternal);
}

TEST(FakeHostTest, SetDefaultAnswersUnscriptedCommands) {
  FakeHost host;
  host.Reply({"a"}, "scripted");
  host.SetDefault([](const Command& cmd) -> Result<Output> {
    Output o;
    o.out = "default for " + cmd.argv[0];
    return o;
  });
  EXPECT_EQ(host.Run(Cmd({"a"}))->out, "scripted");
  EXPECT_EQ(host.Run(Cmd({"b"}))->out, "default for b");
}

TEST(FakeHostTest, FullCommandsKeepStdinAndClearForgetsBoth) {
  FakeHost host;
  host.Reply({"cat"}, "");
  ASSERT_TRUE(host.Run(Cmd({"cat"}, "secret")).ok());
  ASSERT_EQ(host.full_commands().size(), 1u);
  EXPECT_EQ(host.full_commands()[0].input, "secret");
  host.ClearCommands();
  EXPECT_TRUE(host.commands_run().empty());
  EXPECT_TRUE(host.full_commands().empty());
}

TEST(FakeHostTest, OnRunSeesTheRecordedCommandAndCanChangeFiles) {
  FakeHost host;
  host.Reply({"mkfs"}, "");
  size_t seen_count = 0;
  host.OnRun([&](const Command& cmd) {
    seen_count = host.commands_run().size();
    host.SetFile("/dev/made-by-" + cmd.argv[0], "x");
  });
  ASSERT_TRUE(host.Run(Cmd({"mkfs"})).ok());
  EXPECT_EQ(seen_count, 1u);
  EXPECT_TRUE(host.HasFile("/dev/made-by-mkfs"));
}

TEST(FakeHostTest, RunPastTheDeadlineTimesOutWithoutRunning) {
  FakeHost host;
  host.Reply({"true"}, "");
  host.SetDeadline(host.Now() + milliseconds(100));
  EXPECT_TRUE(host.Run(Cmd({"true"})).ok());
  host.SleepFor(milliseconds(100));
  Result<Output> r = host.Run(Cmd({"true"}));
  EXPECT_EQ(r.status().code(), Code::kTimeout);
  EXPECT_EQ(host.commands_run().size(), 1u);
}

TEST(FakeHostTest, ClockIsInstantAndCountsSleeps) {
  FakeHost host;
  Clock::time_point start = host.Now();
  host.SleepFor(milliseconds(1500));
  host.Advance(milliseconds(500));
  EXPECT_EQ(host.Now() - start, milliseconds(2000));
  EXPECT_EQ(host.total_slept(), milliseconds(1500));
}

TEST(FakeHostTest, TimeLeftFollowsTheDeadline) {
  FakeHost host;
  EXPECT_GE(host.TimeLeft(), std::chrono::hours(24));
  host.SetDeadline(host.Now() + milliseconds(250));
  EXPECT_EQ(host.TimeLeft(), milliseconds(250));
  host.Advance(milliseconds(1000));
  EXPECT_EQ(host.TimeLeft(), milliseconds(0));
  host.SetDeadline(std::nullopt);
  EXPECT_GE(host.TimeLeft(), std::chrono::hours(24));
}

TEST(FakeHostTest, FilesCanBeSetWrittenReadAndRemoved) {
  FakeHost host;
  host.SetFile("/etc/a", "alpha");
  EXPECT_EQ(*host.ReadFile("/etc/a"), "alpha");
  ASSERT_TRUE(host.WriteFileAtomically("/etc/b", "beta").ok());
  EXPECT_TRUE(host.HasFile("/etc/b"));
  EXPECT_EQ(host.FileContent("/etc/b"), "beta");
  ASSERT_TRUE(host.RemoveFile("/etc/b").ok());
  EXPECT_FALSE(host.HasFile("/etc/b"));
  EXPECT_TRUE(host.RemoveFile("/etc/b").ok());  // already absent
  Result<std::string> missing = host.ReadFile("/etc/b");
  EXPECT_EQ(missing.status().code(), Code::kNotFound);
  EXPECT_THAT(missing.status().message(), HasSubstr("/etc/b"));
}

TEST(FakeHostTest, StatReportsFilesDevicesAndDirectories) {
  FakeHost host;
  host.SetFile("/etc/ietd.conf", "12345");
  host.SetBlockDevice("/dev/vg/lv", 64 << 20);
  ASSERT_TRUE(host.MakeDirectories("/var/lib/sanha/state").ok());

  Result<FileInfo> file = host.Stat("/etc/ietd.conf");
  ASSERT_TRUE(file.ok());
  EXPECT_EQ(file->type, FileInfo::Type::kRegular);
  EXPECT_EQ(file->size, 5u);

  Result<FileInfo> dev = host.Stat("/dev/vg/lv");
  ASSERT_TRUE(dev.ok());
  EXPECT_EQ(dev->type, FileInfo::Type::kBlockDevice);
  EXPECT_EQ(dev->size, uint64_t{64} << 20);

  for (const char* dir : {"/var", "/var/lib", "/var/lib/sanha", "/var/lib/sanha/state"}) {
    Result<FileInfo> info = host.Stat(dir);
    ASSERT_TRUE(info.ok()) << dir;
    EXPECT_EQ(info->type, FileInfo::Type::kDirectory) << dir;
  }
  EXPECT_EQ(host.Stat("/nope").status().code(), Code::kNotFound);
}

TEST(FakeHostTest, MakeDirectoriesFailsWhenAFileIsInTheWay) {
  FakeHost host;
  host.SetFile("/var/lib", "");
  EXPECT_EQ(host.MakeDirectories("/var/lib/sanha").code(), Code::kInternal);
}

TEST(FakeHostTest, LockIsExclusiveUntilTheHandleIsDestroyed) {
  FakeHost host;
  Result<std::unique_ptr<LockHandle>> first = host.Lock("/run/sanha.lock", milliseconds(0));
  ASSERT_TRUE(first.ok());
  EXPECT_THAT(host.held_locks(), ElementsAre("/run/sanha.lock"));

  Clock::time_point before = host.Now();
  Result<std::unique_ptr<LockHandle>> second = host.Lock("/run/sanha.lock", milliseconds(300));
  EXPECT_EQ(second.status().code(), Code::kBusy);
  EXPECT_EQ(host.Now() - before, milliseconds(300));

  first->reset();
  EXPECT_TRUE(host.held_locks().empty());
  EXPECT_TRUE(host.Lock("/run/sanha.lock", milliseconds(0)).ok());
}

TEST(RunCheckedTest, NonZeroExitBecomesCommandFailedWithTheFirstStderrLine) {
  FakeHost host;
  host.Reply({"/sbin/iptables", "-L"}, "", 2, "\n  iptables: bad rule\nmore\n");
  Result<Output> r = RunChecked(host, {"/sbin/iptables", "-L"});
  EXPECT_EQ(r.status().code(), Code::kCommandFailed);
  EXPECT_EQ(r.status().message(), "iptables exited 2: iptables: bad rule");
}

TEST(RunCheckedTest, SuccessReturnsTheOutputAndPassesStdin) {
  FakeHost host;
  host.Reply({"tgtadm"}, "ok\n");
  Result<Output> r = RunChecked(host, {"tgtadm"}, "in", milliseconds(5));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->out, "ok\n");
  EXPECT_EQ(host.full_commands()[0].input, "in");
  EXPECT_EQ(host.full_commands()[0].timeout, milliseconds(5));
}

TEST(RunCheckedTest, RunFailuresPassThrough) {
  FakeHost host;
  host.ReplyStatus({"tgtadm"}, Status::Timeout("tgtadm did not finish within 5 ms"));
  EXPECT_EQ(RunChecked(host, {"tgtadm"}).status().code(), Code::kTimeout);
}

TEST(OutputTest, FirstErrorLinePrefersStderrThenStdout) {
  Output o;
  EXPECT_EQ(o.FirstErrorLine(), "");
  o.out = "\n\nfrom stdout\r\nsecond\n";
  EXPECT_EQ(o.FirstErrorLine(), "from stdout");
  o.err = "   \n\tfrom stderr  \n";
  EXPECT_EQ(o.FirstErrorLine(), "from stderr");
}

TEST(OutputTest, FirstErrorLineIsBounded) {
  Output o;
  o.err = std::string(10000, 'x');
  EXPECT_LT(o.FirstErrorLine().size(), 1000u);
}

}  // namespace
TEST(FakeHostLockTest, TheDeadlineBoundsTheWait) {
  FakeHost host;
  auto held = host.Lock("/run/lock/x", milliseconds(10));
  ASSERT_TRUE(held.ok());
  host.SetDeadline(host.Now() + milliseconds(500));
  Clock::time_point start = host.Now();
  auto second = host.Lock("/run/lock/x", milliseconds(10'000));
  EXPECT_EQ(second.status().code(), Code::kBusy);
  EXPECT_LE(host.Now() - start, milliseconds(500));
  auto late = host.Lock("/run/lock/y", milliseconds(10));
  EXPECT_EQ(late.status().code(), Code::kTimeout);
}

}  // namespace san
