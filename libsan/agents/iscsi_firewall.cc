// iscsi-firewall: block=start adds DROP rules and stop removes them; unblock is the reverse. Every
// change is read back before the action reports success. The block/unblock pair meets through
// hold records in HA_RSCTMP (docs/firewall.md); tickles live in iscsi_firewall_tickle.cc.
#include "libsan/agents/iscsi_firewall.h"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <optional>

#include "libsan/agents/iscsi_firewall_tickle.h"
#include "libsan/firewall/hold_state.h"
#include "libsan/firewall/nft_client.h"
#include "libsan/util/strings.h"

namespace san::agents::iscsi_firewall {

std::string DescribeRules(const std::vector<firewall::Rule>& rules) {
  std::vector<std::string> parts;
  for (const auto& r : rules) parts.push_back(r.Describe());
  constexpr size_t kMaxShown = 4;
  std::string text;
  for (size_t i = 0; i < parts.size() && i < kMaxShown; ++i) {
    if (i) text += "; ";
    text += parts[i];
  }
  if (parts.size() > kMaxShown)
    text += "; and " + std::to_string(parts.size() - kMaxShown) + " more";
  return text;
}

// FNV-1a over everything that defines the rules, so a changed parameter never reuses a verdict.
uint64_t SpecKey(const firewall::BlockSpec& spec) {
  std::string text = spec.chain;
  for (const auto& rule : firewall::ExpandRules(spec)) text += "\n" + rule.Describe();
  uint64_t h = 1469598103934665603ull;
  for (unsigned char c : text) h = (h ^ c) * 1099511628211ull;
  return h;
}

namespace {

Result<std::unique_ptr<firewall::Backend>> OpenBackend(ocf::Context& ctx, const Config& cfg) {
  return firewall::MakeBackend(ctx.host(), ctx.log(), cfg.backend, cfg.spec);
}

// A verdict of an exact nft check, valid while the ruleset generation stays `generation`.
struct CachedVerdict {
  uint32_t generation = 0;
  uint64_t spec_key = 0;
  bool all_present = false;
};

std::string VerdictPath(ocf::Context& ctx) { return ctx.StateFile("nftgen"); }

std::optional<CachedVerdict> ReadVerdict(ocf::Context& ctx) {
  Result<std::string> text = ctx.host().ReadFile(VerdictPath(ctx));
  if (!text.ok()) return std::nullopt;
  std::vector<std::string> f = SplitList(*text, " \n");
  if (f.size() != 3) return std::nullopt;
  Result<int64_t> gen = ParseInt64(f[0]);
  if (!gen.ok() || (f[2] != "all" && f[2] != "none")) return std::nullopt;
  CachedVerdict v;
  v.generation = static_cast<uint32_t>(*gen);
  v.spec_key = std::strtoull(f[1].c_str(), nullptr, 16);
  v.all_present = f[2] == "all";
  return v;
}

void WriteVerdict(ocf::Context& ctx, const CachedVerdict& v) {
  char key[32];
  std::snprintf(key, sizeof key, "%016llx", static_cast<unsigned long long>(v.spec_key));
  std::string path = VerdictPath(ctx);
  // A cache: failing to write it only costs the next monitor a full check.
  ctx.host().MakeDirectories(path.substr(0, path.rfind('/'))).IgnoreError();
  ctx.host()
      .WriteFileAtomically(path, std::to_string(v.generation) + " " + key + " " +
                                     (v.all_present ? "all" : "none") + "\n")
      .IgnoreError();
}

// Makes the rules present (block=true) or absent, then reads them back. With `record`, an nft
// read-back taken while the ruleset generation stood still is kept as the monitor's verdict.
Status Apply(ocf::Context& ctx, const Config& cfg, bool block, bool record) {
  SAN_ASSIGN_OR_RETURN(auto backend, OpenBackend(ctx, cfg));
  SAN_RETURN_IF_ERROR(block ? backend->Block(cfg.spec) : backend->Unblock(cfg.spec));
  std::optional<uint32_t> before;
  if (record && backend->Name() == "nft") {
    if (Result<uint32_t> g = firewall::ReadRulesetGeneration(); g.ok()) before = *g;
  }
  SAN_ASSIGN_OR_RETURN(firewall::BlockState state, backend->Inspect(cfg.spec));
  if (block && !state.AllPresent()) {
    return Status::CommandFailed(
        std::string(backend->Name()) +
        " accepted the rules but they are not in place: " + DescribeRules(state.missing));
  }
  if (!block && !state.NonePresent()) {
    return Status::CommandFailed(
        std::string(backend->Name()) +
        " removed the rules but some remain: " + DescribeRules(state.present));
  }
  if (before) {
    if (Result<uint32_t> after = firewall::ReadRulesetGeneration();
        after.ok() && *after == *before) {
      WriteVerdict(ctx, {*before, SpecKey(cfg.spec), block});
    }
  }
  ctx.log().Info(std::string(block ? "blocked " : "unblocked ") +
                 DescribeRules(state.present.empty() ? state.missing : state.present) + " (" +
                 std::string(backend->Name()) + ")");
  return Status::Ok();
}

// --- The pair's records in HA_RSCTMP (see hold_state.h) ---------------------------------------

constexpr char kBootIdPath[] = "/proc/sys/kernel/random/boot_id";
constexpr char kStatePrefix[] = "sanha-iscsi-firewall-";
constexpr char kStateSuffix[] = ".state";

std::string BootId(Host& host) {
  Result<std::string> id = host.ReadFile(kBootIdPath);
  std::string text = id.ok() ? *id : "";
  if (!text.empty() && text.back() == '\n') text.pop_back();
  if (text.empty() || text.size() > 64 || HasControlChars(text) ||
      text.find(' ') != std::string::npos) {
    return "unknown";
  }
  return text;
}

int64_t NowNs(Host& host) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(host.Now().time_since_epoch())
      .count();
}

std::string OwnPath(ocf::Context& ctx) { return ctx.StateFile("state"); }
std::string StateDir(ocf::Context& ctx) {
  std::string path = OwnPath(ctx);
  return path.substr(0, path.rfind('/'));
}
// Shared by every instance of this node on the same chain and rules: the block and unblock
// halves of a pair meet here.
std::string LiftPath(ocf::Context& ctx, const Config& cfg) {
  char key[32];
  std::snprintf(key, sizeof key, "%016llx", static_cast<unsigned long long>(SpecKey(cfg.spec)));
  return StateDir(ctx) + "/" + kStatePrefix + "lift." + cfg.spec.chain + "." + key;
}

// A record of this boot, nullopt when absent, stale (another boot) or not a record. Not OK only
// when the state directory cannot be read (a broken HA_RSCTMP).
Result<std::optional<firewall::HoldRecord>> ReadRecord(ocf::Context& ctx, const std::string& path,
                                                       const std::string& boot) {
  Result<std::string> text = ctx.host().ReadFile(path);
  if (!text.ok()) {
    if (text.status().code() == Code::kNotFound) return std::optional<firewall::HoldRecord>();
    return text.status();
  }
  Result<firewall::HoldRecord> record = firewall::ParseHoldRecord(*text);
  if (!record.ok()) {
    ctx.log().Warning("ignoring " + path + ": " + record.status().message());
    return std::optional<firewall::HoldRecord>();
  }
  if (record->boot_id != boot) {
    ctx.log().Info("ignoring " + path + ": written before the last reboot");
    return std::optional<firewall::HoldRecord>();
  }
  return std::optional<firewall::HoldRecord>(*record);
}

Status WriteRecord(ocf::Context& ctx, const std::string& path, const firewall::HoldRecord& r) {
  Status s = ctx.host().MakeDirectories(StateDir(ctx), 0700);
  if (s.ok()) s = ctx.host().WriteFileAtomically(path, firewall::FormatHoldRecord(r));
  if (!s.ok()) {
    // Before any rule changes: a start that cannot keep its state changes nothing.
    return Status::CommandFailed("cannot keep state in " + StateDir(ctx) +
                                 " (HA_RSCTMP): " + s.message());
  }
  return Status::Ok();
}

// A legitimate lift of `cfg`'s rules by a started unblock partner of this boot, if any.
std::optional<firewall::HoldRecord> LivePartnerLift(ocf::Context& ctx, const Config& cfg,
                                                    const std::string& boot,
                                                    std::string* partner_path) {
  Result<std::optional<firewall::HoldRecord>> lift = ReadRecord(ctx, LiftPath(ctx, cfg), boot);
  if (!lift.ok() || !*lift) return std::nullopt;
  const std::string& path = (*lift)->partner;
  if (!firewall::IsPartnerPath(path, StateDir(ctx), kStatePrefix, kStateSuffix)) {
    ctx.log().Warning("ignoring the lift record " + LiftPath(ctx, cfg) + ": bad partner path");
    return std::nullopt;
  }
  Result<std::optional<firewall::HoldRecord>> partner = ReadRecord(ctx, path, boot);
  if (!partner.ok() || !*partner || (*partner)->since_ns > (*lift)->since_ns) return std::nullopt;
  if (partner_path) *partner_path = path;
  return *lift;
}

// Removes a file of ours; a failure (broken HA_RSCTMP) is a warning: a stop whose rules are in
// the wanted state must succeed, or the node gets fenced for a file.
void RemoveQuietly(ocf::Context& ctx, const std::string& path) {
  Status s = ctx.host().RemoveFile(path);
  if (s.ok()) return;
  std::string warning = "stopped, but the state file stays: " + s.message();
  ctx.log().Warning(warning);
  ctx.SetWarning(warning);
}

// Turns what is in place into the resource's state (see Monitor). `own` is this instance's
// record (nullopt: not started here), `own_status` not OK when it could not be read.
Result<ocf::RunState> Decide(ocf::Context& ctx, const Config& cfg,
                             const firewall::BlockState& state,
                             const std::optional<firewall::HoldRecord>& own,
                             const Status& own_status, const std::string& boot) {
  if (cfg.block_on_start) {
    if (state.AllPresent()) return ocf::RunState::kRunning;
    if (!state.NonePresent()) {
      return Status::CommandFailed("partially blocked: missing " + DescribeRules(state.missing));
    }
    if (!own_status.ok()) {
      if (ctx.is_probe()) return ocf::RunState::kStopped;
      return Status::CommandFailed("no block rule in place and the state is unreadable: " +
                                   own_status.message());
    }
    if (!own) return ocf::RunState::kStopped;
    std::string partner;
    std::optional<firewall::HoldRecord> lift = LivePartnerLift(ctx, cfg, boot, &partner);
    std::optional<firewall::HoldRecord> partner_record;
    if (lift) {
      Result<std::optional<firewall::HoldRecord>> p = ReadRecord(ctx, partner, boot);
      if (p.ok()) partner_record = *p;
    }
    if (firewall::LiftCoversBlock(*own, lift, partner_record, boot)) {
      ctx.log().Debug("block lifted legitimately by the started unblock instance (" + partner +
                      ")");
      return ocf::RunState::kRunning;
    }
    if (ctx.is_probe()) return ocf::RunState::kStopped;
    return Status::CommandFailed("the block rules were removed behind our back: " +
                                 DescribeRules(state.missing));
  }
  // unblock: running means "started here and traffic flows".
  if (!own_status.ok()) {
    if (ctx.is_probe()) return ocf::RunState::kStopped;
    return Status::CommandFailed("cannot read the unblock state: " + own_status.message());
  }
  if (!own) return ocf::RunState::kStopped;
  if (!state.NonePresent()) {
    return Status::CommandFailed("traffic is blocked although unblock is active: " +
                                 DescribeRules(state.present));
  }
  return ocf::RunState::kRunning;
}

}  // namespace

Result<Config> LoadConfig(const ocf::Params& params) {
  Config cfg;
  const std::string& action = params.String("action");
  if (action == "block") {
    cfg.block_on_start = true;
  } else if (action == "unblock") {
    cfg.block_on_start = false;
  } else {
    return Status::InvalidConfig("action: '" + Printable(action) +
                                 "' is neither 'block' nor 'unblock'");
  }
  firewall::BlockSpecText text;
  text.ip = params.String("ip");
  text.source = params.String("source");
  text.port = params.String("port");
  text.protocol = params.String("protocol");
  text.chain = params.String("chain");
  text.direction = params.String("direction");
  if (text.direction.empty()) text.direction = "in";  // empty means the default
  SAN_ASSIGN_OR_RETURN(cfg.spec, firewall::ParseBlockSpec(text));
  Result<firewall::BackendKind> kind = firewall::ParseBackendKind(params.String("backend"));
  if (!kind.ok()) return kind.status().WithContext("backend");
  cfg.backend = *kind;

  cfg.tickle_dir = params.String("tickle_dir");
  if (!cfg.tickle_dir.empty()) {
    const std::string& d = cfg.tickle_dir;
    if (d.front() != '/' || d.size() > 1024 || HasControlChars(d) ||
        d.find("/../") != std::string::npos || d.find("/./") != std::string::npos ||
        d.ends_with("/..") || d.ends_with("/.")) {
      return Status::InvalidConfig("tickle_dir: '" + Printable(d) +
                                   "' is not an absolute path without '.' or '..' parts");
    }
    while (cfg.tickle_dir.size() > 1 && cfg.tickle_dir.back() == '/') cfg.tickle_dir.pop_back();
    if (cfg.block_on_start) {
      return Status::InvalidConfig("tickle_dir: only meaningful with action=unblock");
    }
    if (cfg.spec.protocol != firewall::Protocol::kTcp) {
      return Status::InvalidConfig("tickle_dir: tickle ACKs need protocol=tcp");
    }
    if (cfg.spec.destinations.empty()) {
      return Status::InvalidConfig("tickle_dir: needs ip (the service address to tickle from)");
    }
    for (const net::Network& d : cfg.spec.destinations) {
      if (!d.IsHost()) {
        return Status::InvalidConfig("tickle_dir: ip must list single addresses, not " +
                                     d.ToString());
      }
    }
  }
  const std::string& reset = params.String("reset_local_on_unblock_stop");
  if (!reset.empty()) {  // empty means the default, as everywhere
    Result<bool> b = ParseBool(reset);
    if (!b.ok()) {
      return Status::InvalidConfig("reset_local_on_unblock_stop: '" + Printable(reset) +
                                   "' is not a boolean");
    }
    cfg.reset_local_on_unblock_stop = *b;
  }
  if (cfg.reset_local_on_unblock_stop && cfg.block_on_start) {
    return Status::InvalidConfig(
        "reset_local_on_unblock_stop: only meaningful with action=unblock");
  }
  if (cfg.reset_local_on_unblock_stop && cfg.spec.protocol != firewall::Protocol::kTcp) {
    return Status::InvalidConfig("reset_local_on_unblock_stop: needs protocol=tcp");
  }
  if (cfg.reset_local_on_unblock_stop && cfg.spec.destinations.empty()) {
    return Status::InvalidConfig("reset_local_on_unblock_stop: needs ip (the service address)");
  }
  return cfg;
}

Status Validate(ocf::Context& ctx) { return LoadConfig(ctx.params()).status(); }

Status Start(ocf::Context& ctx) { return StartWith(ctx, net::MakeRawPacketSender); }

Status StartWith(ocf::Context& ctx, const SenderFactory& sender) {
  SAN_ASSIGN_OR_RETURN(Config cfg, LoadConfig(ctx.params()));
  const std::string boot = BootId(ctx.host());
  firewall::HoldRecord own{boot, NowNs(ctx.host()), ""};
  if (cfg.block_on_start) {
    std::string partner;
    if (std::optional<firewall::HoldRecord> lift = LivePartnerLift(ctx, cfg, boot, &partner)) {
      // Our record was lost (refresh after a wiped state) while the unblock half still runs:
      // the service behind the block is up, so blocking now would stall it for nothing.
      own.since_ns = lift->since_ns;
      SAN_RETURN_IF_ERROR(WriteRecord(ctx, OwnPath(ctx), own));
      ctx.log().Info("traffic was released by the started unblock instance (" + partner +
                     "); not blocking under a running service");
      return Status::Ok();
    }
    SAN_RETURN_IF_ERROR(WriteRecord(ctx, OwnPath(ctx), own));
    return Apply(ctx, cfg, /*block=*/true, /*record=*/true);
  }
  SAN_RETURN_IF_ERROR(WriteRecord(ctx, OwnPath(ctx), own));
  // The lift is recorded before it happens, so a block partner never sees rules gone without it.
  SAN_RETURN_IF_ERROR(WriteRecord(ctx, LiftPath(ctx, cfg), {boot, own.since_ns, OwnPath(ctx)}));
  SAN_RETURN_IF_ERROR(Apply(ctx, cfg, /*block=*/false, /*record=*/true));
  if (!cfg.tickle_dir.empty()) {
    // Traffic flows again: initiators that were connected to another node (or to this one
    // before) answer the tickle, meet this kernel's RST and reconnect at once.
    SendRecordedTickles(ctx, cfg, sender);
    RecordConnections(ctx, cfg);
  }
  return Status::Ok();
}

Status Stop(ocf::Context& ctx) {
  SAN_ASSIGN_OR_RETURN(Config cfg, LoadConfig(ctx.params()));
  // The last list before the address leaves: the next node tickles these (portblock does too).
  if (!cfg.block_on_start) RecordConnections(ctx, cfg);
  if (Status applied = Apply(ctx, cfg, !cfg.block_on_start, /*record=*/false); !applied.ok()) {
    // A block stop whose rules are gone anyway has done its job, whatever failed on the way (the
    // host lock, a foreign rule in our chain): failing it would get the node fenced for nothing.
    if (!cfg.block_on_start) return applied;
    Result<std::unique_ptr<firewall::Backend>> backend = OpenBackend(ctx, cfg);
    Result<firewall::BlockState> state = backend.ok()
                                             ? (*backend)->Inspect(cfg.spec)
                                             : Result<firewall::BlockState>(backend.status());
    if (!state.ok() || !state->NonePresent()) return applied;
    std::string warning = "stopped (no block rule is in place), but: " + applied.message();
    ctx.log().Warning(warning);
    ctx.SetWarning(warning);
  }
  // Held now; connections that would linger until the address is gone are reset, and their
  // initiators' reconnects meet the block.
  if (cfg.reset_local_on_unblock_stop) ResetLocalConnections(ctx, cfg);
  // The rules are as a stopped instance leaves them; what follows is bookkeeping only.
  RemoveQuietly(ctx, VerdictPath(ctx));
  RemoveQuietly(ctx, OwnPath(ctx));
  RemoveQuietly(ctx, ctx.StatePath());  // the mark of sanha before hold records
  // The lift record goes with the unblock instance that wrote it (also when one instance name
  // served both roles); another started unblock instance's lift of the same rules stays.
  const std::string lift_path = LiftPath(ctx, cfg);
  Result<std::string> text = ctx.host().ReadFile(lift_path);
  if (text.status().code() != Code::kNotFound) {
    Result<firewall::HoldRecord> lift =
        text.ok() ? firewall::ParseHoldRecord(*text) : Result<firewall::HoldRecord>(text.status());
    if (!lift.ok() || lift->partner == OwnPath(ctx) ||
        ctx.host().Stat(lift->partner).status().code() == Code::kNotFound) {
      RemoveQuietly(ctx, lift_path);
    }
  }
  return Status::Ok();
}

Result<ocf::RunState> Monitor(ocf::Context& ctx) {
  return MonitorWith(ctx, firewall::ReadRulesetGeneration);
}

namespace {
Result<ocf::RunState> Check(ocf::Context& ctx, const Config& cfg,
                            const GenerationReader& generation);
}  // namespace

Result<ocf::RunState> MonitorWith(ocf::Context& ctx, const GenerationReader& generation) {
  SAN_ASSIGN_OR_RETURN(Config cfg, LoadConfig(ctx.params()));
  Result<ocf::RunState> state = Check(ctx, cfg, generation);
  // Recurring monitors of a running unblock keep the tickle list current (probes only look).
  if (state.ok() && *state == ocf::RunState::kRunning && !cfg.block_on_start && !ctx.is_probe()) {
    RecordConnections(ctx, cfg);
  }
  return state;
}

namespace {
// Decide, but a block that finds no rule and no lift reads the rules once more: the unblock
// partner's stop re-adds them before it removes its lift record, so a stop that ran between our
// read of the rules and our read of the record shows up as rules in place now.
Result<ocf::RunState> Settle(ocf::Context& ctx, const Config& cfg,
                             const firewall::BlockState& state,
                             const std::optional<firewall::HoldRecord>& own,
                             const Status& own_status, const std::string& boot) {
  Result<ocf::RunState> verdict = Decide(ctx, cfg, state, own, own_status, boot);
  if (verdict.ok() || !cfg.block_on_start || !own || !state.NonePresent()) return verdict;
  SAN_ASSIGN_OR_RETURN(auto backend, OpenBackend(ctx, cfg));
  SAN_ASSIGN_OR_RETURN(firewall::BlockState again, backend->Inspect(cfg.spec));
  if (again.NonePresent()) return verdict;
  ctx.log().Info("the block rules reappeared while checking (the unblock partner stopped)");
  return Decide(ctx, cfg, again, own, own_status, boot);
}

Result<ocf::RunState> Check(ocf::Context& ctx, const Config& cfg,
                            const GenerationReader& generation) {
  const std::string boot = BootId(ctx.host());
  Result<std::optional<firewall::HoldRecord>> own_read = ReadRecord(ctx, OwnPath(ctx), boot);
  const Status own_status = own_read.status();
  std::optional<firewall::HoldRecord> own;
  if (own_read.ok()) own = *own_read;
  if (own_read.ok() && !own && ctx.host().Stat(ctx.StatePath()).ok()) {
    // The bare "started" mark of sanha before hold records (an instance started before an
    // upgrade, in the same tmpfs): started, at an unknown time, so no lift can cover it.
    own = firewall::HoldRecord{boot, std::numeric_limits<int64_t>::max(), ""};
    ctx.log().Info("started before an upgrade (" + ctx.StatePath() + ")");
  }
  if (!cfg.block_on_start && (!own || !own_status.ok())) {
    firewall::BlockState none;
    return Decide(ctx, cfg, none, own, own_status, boot);
  }

  // Depth 0 with nft: reuse the last exact verdict while nothing was committed since.
  std::optional<uint32_t> before;
  // Only for a resource started here: probes of stopped ones leave nothing behind.
  if (own && ctx.check_level() == 0 && cfg.backend != firewall::BackendKind::kIptables) {
    if (Result<uint32_t> g = generation(); g.ok()) before = *g;
  }
  const uint64_t key = SpecKey(cfg.spec);
  if (before) {
    std::optional<CachedVerdict> cached = ReadVerdict(ctx);
    if (cached && cached->generation == *before && cached->spec_key == key) {
      ctx.log().Debug("nf_tables generation " + std::to_string(*before) +
                      " unchanged since the last exact check");
      firewall::BlockState state;
      (cached->all_present ? state.present : state.missing) = firewall::ExpandRules(cfg.spec);
      return Settle(ctx, cfg, state, own, own_status, boot);
    }
  }
  SAN_ASSIGN_OR_RETURN(auto backend, OpenBackend(ctx, cfg));
  SAN_ASSIGN_OR_RETURN(firewall::BlockState state, backend->Inspect(cfg.spec));
  if (before && backend->Name() == "nft" && (state.AllPresent() || state.NonePresent())) {
    // Only a verdict taken while the generation stood still proves anything.
    if (Result<uint32_t> after = generation(); after.ok() && *after == *before) {
      WriteVerdict(ctx, {*before, key, state.AllPresent()});
    }
  }
  return Settle(ctx, cfg, state, own, own_status, boot);
}

}  // namespace

}  // namespace san::agents::iscsi_firewall
