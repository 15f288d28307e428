// FakeTgtd: a stateful stand-in for tgtd behind a FakeHost's tgtadm, answering `--op show` in
// tgt 1.0.85's exact layout (a unit test checks its rendering against output captured from the
// real tgtadm) and applying new/delete/bind/unbind/update like tgtd, with tgtadm's exit codes and
// stderr texts (tests/data/tgtadm/err_*.txt). Lets reconciler and agent tests run whole sequences.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "libsan/host/fake_host.h"

namespace san::testing {

class FakeTgtd {
 public:
  // Installs itself as `host`'s default handler for "tgtadm" (and "tgtd"); other programs go to
  // `others` when given (e.g. a FakeHost running FakeIptables), else fail.
  explicit FakeTgtd(FakeHost& host, FakeHost* others = nullptr);

  struct Lun {
    std::string path;
    std::string bstype = "rdwr";
    std::string scsi_id, scsi_sn, vendor, product;
    bool readonly = false;
    uint64_t size = 0;
  };
  struct Session {
    uint64_t sid;
    std::string initiator;
    std::string address;
  };
  struct Target {
    std::string name;
    std::map<int, Lun> luns;
    std::vector<std::string> acl;
    std::vector<std::string> users;
    std::optional<std::string> outgoing;
    std::vector<Session> sessions;
    std::map<std::string, std::string> params;
  };

  bool running() const { return running_; }
  void set_running(bool r) { running_ = r; }
  std::map<int, Target>& targets() { return targets_; }
  const std::map<std::string, std::string>& accounts() const { return accounts_; }
  // A logged-in initiator. With `reconnect`, a closed session comes back at once (as an initiator
  // does when nothing holds its packets) unless `held` says its address is blocked.
  void AddSession(int tid, std::string initiator, std::string address, bool reconnect = false);
  void SetHeldCheck(std::function<bool(const std::string& address)> held) {
    held_ = std::move(held);
  }
  // Number of tgtadm commands that changed something.
  int changes() const { return changes_; }

  std::string ShowTargets() const;

 private:
  Result<Output> Handle(const Command& cmd);
  Output Fail(const std::string& message, int code = 22);
  Output Ok(std::string out = {}) { return Output{0, std::move(out), {}}; }

  FakeHost& host_;
  FakeHost* others_;
  bool running_ = true;
  std::map<int, Target> targets_;
  std::map<std::string, std::string> accounts_;  // user → password
  std::vector<std::string> account_order_;       // newest first, as tgt lists them
  std::vector<std::string> discovery_in_;
  std::optional<std::string> discovery_out_;
  std::vector<std::pair<int, Session>> reconnecting_;
  std::function<bool(const std::string&)> held_;
  uint64_t next_sid_ = 1;
  int changes_ = 0;
};

}  // namespace san::testing
