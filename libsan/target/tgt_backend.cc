// tgtd through tgtadm. Idempotence lives here too: deleting what is gone or binding what is bound
// is success, so a rerun after a crash never fails on a half-done step.
#include "libsan/target/tgt_backend.h"

#include <algorithm>
#include <set>

#include "libsan/target/tgtadm_show.h"
#include "libsan/util/strings.h"

namespace san::target::tgt {

namespace {

constexpr milliseconds kTgtadmTimeout{10'000};
constexpr milliseconds kBusyWait{10'000};
constexpr milliseconds kPoll{100};

const char* BsType(IoMode mode) { return mode == IoMode::kBlockio ? "aio" : "rdwr"; }

const std::set<std::string>& TargetOptionNames() {
  static const std::set<std::string> names = {"MaxRecvDataSegmentLength",
                                              "HeaderDigest",
                                              "DataDigest",
                                              "InitialR2T",
                                              "MaxOutstandingR2T",
                                              "ImmediateData",
                                              "FirstBurstLength",
                                              "MaxBurstLength",
                                              "DataPDUInOrder",
                                              "DataSequenceInOrder",
                                              "ErrorRecoveryLevel",
                                              "IFMarker",
                                              "OFMarker",
                                              "DefaultTime2Wait",
                                              "DefaultTime2Retain",
                                              "OFMarkInt",
                                              "IFMarkInt",
                                              "MaxConnections",
                                              "RDMAExtensions",
                                              "TargetRecvDataSegmentLength",
                                              "InitiatorRecvDataSegmentLength",
                                              "MaxOutstandingUnexpectedPDUs",
                                              "MaxXmitDataSegmentLength",
                                              "MaxQueueCmd",
                                              "nop_interval",
                                              "nop_count"};
  return names;
}

}  // namespace

bool IsTgtTargetOption(const std::string& name) { return TargetOptionNames().count(name) > 0; }

TgtError ClassifyTgtadm(const Output& out) {
  if (out.exit_code == 0) return TgtError::kNone;
  const std::string& e = out.err;
  if (e.find("tgt daemon") != std::string::npos || out.exit_code == 107) {
    return TgtError::kDaemonDown;
  }
  if (e.find("can't find") != std::string::npos || e.find("does not exist") != std::string::npos) {
    return TgtError::kNotFound;
  }
  if (e.find("already exists") != std::string::npos ||
      e.find("already has an outgoing account") != std::string::npos) {
    return TgtError::kExists;
  }
  if (e.find("still active") != std::string::npos) return TgtError::kBusy;
  if (e.find("invalid request") != std::string::npos ||
      e.find("unknown parameter") != std::string::npos ||
      e.find("not allowed/supported") != std::string::npos ||
      e.find("not supported") != std::string::npos) {
    return TgtError::kInvalid;
  }
  return TgtError::kOther;
}

TgtBackend::TgtBackend(Host& host, Logger& log, BackendOptions options)
    : host_(host), log_(log), options_(std::move(options)) {}

std::vector<std::string> TgtBackend::Argv(std::vector<std::string> args) {
  std::vector<std::string> argv = {"tgtadm", "--lld", "iscsi"};
  for (auto& a : args) argv.push_back(std::move(a));
  return argv;
}

uint64_t (*TgtBackend::SizeUnits() const)(uint64_t) { return &TgtSizeMb; }

Status TgtBackend::CheckConfig(const TargetConfig& config) const {
  for (const auto& t : config.targets) {
    const std::string at = config.path + ":" + std::to_string(t.line) + ": ";
    for (const auto& [k, v] : t.options) {
      if (!IsTgtTargetOption(k)) {
        return Status::InvalidConfig(at + "option " + k + " is not a tgt target parameter");
      }
    }
    for (const auto& lun : t.luns) {
      const std::string where = config.path + ":" + std::to_string(lun.line) + ": lun " +
                                std::to_string(lun.number) + ": ";
      if (lun.number == 0) {
        return Status::InvalidConfig(where +
                                     "LUN 0 is tgt's controller LUN; number data LUNs "
                                     "from 1");
      }
      if (lun.number > 255) {
        return Status::InvalidConfig(where + "tgt LUN numbers here are 1..255");
      }
    }
  }
  return Status::Ok();
}

Result<Output> TgtBackend::Tgtadm(std::vector<std::string> args, int secret) {
  Command cmd;
  cmd.argv = Argv(std::move(args));
  cmd.timeout = kTgtadmTimeout;
  if (secret >= 0) cmd.secret_args.push_back(static_cast<size_t>(secret) + 3);
  if (!options_.socket.empty()) cmd.extra_env.push_back("TGT_IPC_SOCKET=" + options_.socket);
  return host_.Run(cmd);
}

Status TgtBackend::Change(std::vector<std::string> args, std::initializer_list<TgtError> ok_if,
                          std::string_view what, int secret) {
  SAN_ASSIGN_OR_RETURN(Output out, Tgtadm(args, secret));
  const TgtError kind = ClassifyTgtadm(out);
  if (kind == TgtError::kNone) return Status::Ok();
  if (std::find(ok_if.begin(), ok_if.end(), kind) != ok_if.end()) {
    log_.Debug(std::string(what) + ": " + out.FirstErrorLine() + " (fine)");
    return Status::Ok();
  }
  const std::string message = std::string(what) + ": tgtadm exited " +
                              std::to_string(out.exit_code) + ": " + out.FirstErrorLine();
  switch (kind) {
    case TgtError::kDaemonDown:
      return Status::NotFound(message + " (tgtd is not running)");
    case TgtError::kBusy:
      return Status::Busy(message);
    case TgtError::kInvalid:
      return Status::InvalidConfig(message);
    case TgtError::kNotFound:
      return Status::NotFound(message);
    default:
      return Status::CommandFailed(message);
  }
}

Status TgtBackend::ChangeWhileBusy(std::vector<std::string> args,
                                   std::initializer_list<TgtError> ok_if, std::string_view what) {
  const Clock::time_point give_up = host_.Now() + kBusyWait;
  while (true) {
    Status s = Change(args, ok_if, what);
    if (s.code() != Code::kBusy || host_.Now() >= give_up || host_.TimeLeft() < 2 * kPoll) {
      return s;
    }
    host_.SleepFor(kPoll);
  }
}

Result<TargetListing> TgtBackend::ListTargets(std::string_view text) {
  SAN_ASSIGN_OR_RETURN(TargetListing listing, ParseShowTargets(text));
  if (listing.unverified_tids.empty()) return listing;
  // A "Target N:" line printed after an initiator name may be that initiator's own text: tgt
  // lists targets by increasing tid, so a forged line either repeats a tid or names one that does
  // not exist. Ask for each one; the missing ones are parsed as part of the target before them.
  std::set<int> forged;
  for (int tid : listing.unverified_tids) {
    SAN_ASSIGN_OR_RETURN(
        Output o, Tgtadm({"--op", "show", "--mode", "target", "--tid", std::to_string(tid)}));
    if (ClassifyTgtadm(o) == TgtError::kNotFound) forged.insert(tid);
  }
  if (forged.empty()) return listing;
  SAN_ASSIGN_OR_RETURN(TargetListing again, ParseShowTargets(text, forged));
  for (const auto& a : again.anomalies) log_.Warning("tgtd listing: " + a);
  return again;
}

Result<RunningState> TgtBackend::ReadState(bool with_accounts) {
  RunningState state;
  SAN_ASSIGN_OR_RETURN(Output targets, Tgtadm({"--op", "show", "--mode", "target"}));
  if (ClassifyTgtadm(targets) == TgtError::kDaemonDown) {
    return Status::NotFound("tgtd is not running (" + targets.FirstErrorLine() + ")");
  }
  if (targets.exit_code != 0) {
    return Status::CommandFailed("tgtadm --op show --mode target exited " +
                                 std::to_string(targets.exit_code) + ": " +
                                 targets.FirstErrorLine());
  }
  SAN_ASSIGN_OR_RETURN(TargetListing listing, ListTargets(targets.out));
  state.targets = std::move(listing.targets);
  state.anomalies = std::move(listing.anomalies);
  state.shadowed = std::move(listing.shadowed);
  for (auto& t : state.targets) {
    for (auto& l : t.luns) {
      l.controller = l.type == "controller";
      if (l.backing_type == "rdwr") l.mode = IoMode::kFileio;
      if (l.backing_type == "aio") l.mode = IoMode::kBlockio;
    }
  }
  if (!with_accounts) return state;
  SAN_ASSIGN_OR_RETURN(Output accounts, Tgtadm({"--op", "show", "--mode", "account"}));
  if (accounts.exit_code != 0) {
    return Status::CommandFailed("tgtadm --op show --mode account: " + accounts.FirstErrorLine());
  }
  SAN_ASSIGN_OR_RETURN(state.accounts, ParseShowAccounts(accounts.out));
  SAN_ASSIGN_OR_RETURN(Output sys, Tgtadm({"--op", "show", "--mode", "system"}));
  if (sys.exit_code != 0) {
    return Status::CommandFailed("tgtadm --op show --mode system: " + sys.FirstErrorLine());
  }
  SAN_ASSIGN_OR_RETURN(DiscoveryAccounts discovery, ParseShowSystemAccounts(sys.out));
  state.discovery_incoming = std::move(discovery.incoming);
  state.discovery_outgoing = std::move(discovery.outgoing);
  return state;
}

Result<std::map<std::string, std::string>> TgtBackend::ReadTargetOptions(int tid) {
  SAN_ASSIGN_OR_RETURN(Output out,
                       Tgtadm({"--op", "show", "--mode", "target", "--tid", std::to_string(tid)}));
  if (out.exit_code != 0) {
    return Status::CommandFailed("tgtadm --op show --tid " + std::to_string(tid) + ": " +
                                 out.FirstErrorLine());
  }
  return ParseShowTargetParams(out.out);
}

Status TgtBackend::CloseSessions(int tid) {
  // Closes every connection of the target until none is left to close. A session may stay
  // listed for a while after its last connection went (tgt frees it when its commands finish);
  // deleting the LU or target then retries while tgt calls it busy.
  const std::string t = std::to_string(tid);
  const Clock::time_point give_up = host_.Now() + kBusyWait;
  std::set<std::pair<uint64_t, int>> asked;  // (sid, cid) already told to close
  while (true) {
    SAN_ASSIGN_OR_RETURN(Output out, Tgtadm({"--op", "show", "--mode", "target"}));
    if (out.exit_code != 0) {
      return Status::CommandFailed("tgtadm --op show --mode target: " + out.FirstErrorLine());
    }
    SAN_ASSIGN_OR_RETURN(TargetListing listing, ListTargets(out.out));
    bool closed = false;
    for (const auto& rt : listing.targets) {
      if (rt.tid != tid) continue;
      for (const auto& s : rt.sessions) {
        std::vector<std::pair<int, std::string>> conns = s.connections;
        // An initiator name with embedded lines can make tgt's own connection lines look like
        // another (forged) nexus's: a session listed without connections, or an odd one, also
        // gets its first connection (cid 0) closed; a forged sid is merely "not found".
        if (s.connections.empty() || s.suspect || !listing.anomalies.empty()) {
          bool has0 = false;
          for (const auto& c : conns) has0 = has0 || c.first == 0;
          if (!has0) conns.push_back({0, "?"});
        }
        for (const auto& [cid, address] : conns) {
          // A connection still closing stays listed; asking again would only spin.
          if (!asked.insert({s.id, cid}).second) continue;
          SAN_ASSIGN_OR_RETURN(Output r,
                               Tgtadm({"--op", "delete", "--mode", "conn", "--tid", t, "--sid",
                                       std::to_string(s.id), "--cid", std::to_string(cid)}));
          const TgtError kind = ClassifyTgtadm(r);
          if (kind == TgtError::kNone) {
            log_.Info("closed session " + std::to_string(s.id) + " of " + s.initiator + " (" +
                      address + ") on target " + t);
            closed = true;
          } else if (kind != TgtError::kNotFound) {
            return Status::CommandFailed("close session " + std::to_string(s.id) +
                                         ": tgtadm exited " + std::to_string(r.exit_code) + ": " +
                                         r.FirstErrorLine());
          }
        }
      }
    }
    if (!closed) return Status::Ok();
    if (host_.Now() >= give_up) {
      return Status::Busy("initiators of target " + t + " keep logging back in");
    }
    host_.SleepFor(kPoll);
  }
}

Status TgtBackend::AddLun(const Step& step) {
  const std::string t = std::to_string(step.tid);
  const std::string n = std::to_string(step.lun.number);
  SAN_RETURN_IF_ERROR(Change({"--op", "new", "--mode", "logicalunit", "--tid", t, "--lun", n,
                              "--backing-store", step.lun.path, "--bstype", BsType(step.lun.mode)},
                             {}, "add lun " + n + " to target " + t));
  std::vector<std::string> params;
  if (!step.lun.scsi_id.empty()) params.push_back("scsi_id=" + step.lun.scsi_id);
  if (!step.lun.scsi_sn.empty()) params.push_back("scsi_sn=" + step.lun.scsi_sn);
  if (!step.lun.vendor.empty()) params.push_back("vendor_id=" + step.lun.vendor);
  if (!step.lun.product.empty()) params.push_back("product_id=" + step.lun.product);
  if (step.lun.readonly) params.push_back("readonly=1");
  if (params.empty()) return Status::Ok();
  return Change({"--op", "update", "--mode", "logicalunit", "--tid", t, "--lun", n, "--params",
                 Join(params, ",")},
                {}, "set identity of lun " + n + " of target " + t);
}

Status TgtBackend::Execute(const Step& s) {
  const std::string t = std::to_string(s.tid);
  std::vector<std::string> out_flag;
  if (s.outgoing) out_flag.push_back("--outgoing");
  auto with = [](std::vector<std::string> a, const std::vector<std::string>& b) {
    a.insert(a.end(), b.begin(), b.end());
    return a;
  };
  switch (s.kind) {
    case StepKind::kCreateAccount:
      return Change({"--op", "new", "--mode", "account", "--user", s.name, "--password", s.value},
                    {}, "create account " + s.name, /*secret=*/7);
    case StepKind::kDeleteAccount:
      return Change({"--op", "delete", "--mode", "account", "--user", s.name},
                    {TgtError::kNotFound}, "delete account " + s.name);
    case StepKind::kBindDiscovery:
      return Change(with({"--op", "bind", "--mode", "account", "--user", s.name}, out_flag),
                    {TgtError::kExists}, "bind discovery account " + s.name);
    case StepKind::kUnbindDiscovery:
      return Change(with({"--op", "unbind", "--mode", "account", "--user", s.name}, out_flag),
                    {TgtError::kNotFound}, "unbind discovery account " + s.name);
    case StepKind::kAddTarget:
      return Change({"--op", "new", "--mode", "target", "--tid", t, "--targetname", s.target}, {},
                    "add target " + s.target);
    case StepKind::kDeleteTarget: {
      // Its sessions were closed; one lingering without a connection must not keep it alive.
      Status st = ChangeWhileBusy({"--op", "delete", "--mode", "target", "--tid", t},
                                  {TgtError::kNotFound}, "delete target " + s.target);
      if (st.code() != Code::kBusy) return st;
      log_.Warning("target " + t + " stays busy; deleting it with --force");
      return Change({"--op", "delete", "--mode", "target", "--force", "--tid", t},
                    {TgtError::kNotFound}, "delete target " + s.target);
    }
    case StepKind::kSetOption:
      return Change(
          {"--op", "update", "--mode", "target", "--tid", t, "--name", s.name, "--value", s.value},
          {}, "set option " + s.name + " of target " + t);
    case StepKind::kBindAddress:
    case StepKind::kBindInitiator:
      return Change(
          {"--op", "bind", "--mode", "target", "--tid", t,
           s.kind == StepKind::kBindAddress ? "--initiator-address" : "--initiator-name", s.name},
          {TgtError::kExists}, "allow " + s.name + " on target " + t);
    case StepKind::kUnbindAddress:
    case StepKind::kUnbindInitiator:
      return Change(
          {"--op", "unbind", "--mode", "target", "--tid", t,
           s.kind == StepKind::kUnbindAddress ? "--initiator-address" : "--initiator-name", s.name},
          {TgtError::kNotFound}, "disallow " + s.name + " on target " + t);
    case StepKind::kBindUser:
      return Change(
          with({"--op", "bind", "--mode", "account", "--tid", t, "--user", s.name}, out_flag),
          {TgtError::kExists}, "bind account " + s.name + " to target " + t);
    case StepKind::kUnbindUser:
      return Change(
          with({"--op", "unbind", "--mode", "account", "--tid", t, "--user", s.name}, out_flag),
          {TgtError::kNotFound}, "unbind account " + s.name + " from target " + t);
    case StepKind::kAddLun:
      return AddLun(s);
    case StepKind::kDeleteLun:
      return ChangeWhileBusy({"--op", "delete", "--mode", "logicalunit", "--tid", t, "--lun",
                              std::to_string(s.lun.number)},
                             {TgtError::kNotFound},
                             "delete lun " + std::to_string(s.lun.number) + " of target " + t);
    case StepKind::kCloseSessions:
      return CloseSessions(s.tid);
    case StepKind::kHold:
    case StepKind::kRelease:
      break;
  }
  return Status::Internal("tgt backend cannot execute: " + s.Describe());
}

}  // namespace san::target::tgt
