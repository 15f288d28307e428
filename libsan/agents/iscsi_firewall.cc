// iscsi-firewall: block=start adds DROP rules and stop removes them; unblock is the reverse. Every
// change is read back before the action reports success.
#include "libsan/agents/iscsi_firewall.h"

#include <cstdio>
#include <cstdlib>
#include <optional>

#include "libsan/firewall/nft_client.h"
#include "libsan/util/strings.h"

namespace san::agents::iscsi_firewall {

namespace {

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

Result<std::unique_ptr<firewall::Backend>> OpenBackend(ocf::Context& ctx, const Config& cfg) {
  return firewall::MakeBackend(ctx.host(), ctx.log(), cfg.backend, cfg.spec);
}

// A verdict of an exact nft check, valid while the ruleset generation stays `generation`.
struct CachedVerdict {
  uint32_t generation = 0;
  uint64_t spec_key = 0;
  bool all_present = false;
};

// FNV-1a over everything that defines the rules, so a changed parameter never reuses a verdict.
uint64_t SpecKey(const firewall::BlockSpec& spec) {
  std::string text = spec.chain;
  for (const auto& rule : firewall::ExpandRules(spec)) text += "\n" + rule.Describe();
  uint64_t h = 1469598103934665603ull;
  for (unsigned char c : text) h = (h ^ c) * 1099511628211ull;
  return h;
}

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

// Turns what is in place into the resource's state (see Monitor).
Result<ocf::RunState> Decide(ocf::Context& ctx, const Config& cfg,
                             const firewall::BlockState& state, bool marked) {
  if (cfg.block_on_start) {
    if (state.AllPresent()) return ocf::RunState::kRunning;
    if (!state.NonePresent()) {
      return Status::CommandFailed("partially blocked: missing " + DescribeRules(state.missing));
    }
    if (marked && !ctx.is_probe()) {
      return Status::CommandFailed("the block rules were removed behind our back: " +
                                   DescribeRules(state.missing));
    }
    return ocf::RunState::kStopped;
  }
  // unblock: running means "started here and traffic flows".
  if (!marked) return ocf::RunState::kStopped;
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
  SAN_ASSIGN_OR_RETURN(cfg.spec, firewall::ParseBlockSpec(text));
  Result<firewall::BackendKind> kind = firewall::ParseBackendKind(params.String("backend"));
  if (!kind.ok()) return kind.status().WithContext("backend");
  cfg.backend = *kind;
  return cfg;
}

Status Validate(ocf::Context& ctx) { return LoadConfig(ctx.params()).status(); }

Status Start(ocf::Context& ctx) {
  SAN_ASSIGN_OR_RETURN(Config cfg, LoadConfig(ctx.params()));
  SAN_RETURN_IF_ERROR(Apply(ctx, cfg, cfg.block_on_start, /*record=*/true));
  return ctx.SetStarted(true);
}

Status Stop(ocf::Context& ctx) {
  SAN_ASSIGN_OR_RETURN(Config cfg, LoadConfig(ctx.params()));
  SAN_RETURN_IF_ERROR(Apply(ctx, cfg, !cfg.block_on_start, /*record=*/false));
  SAN_RETURN_IF_ERROR(ctx.host().RemoveFile(VerdictPath(ctx)));
  return ctx.SetStarted(false);
}

Result<ocf::RunState> Monitor(ocf::Context& ctx) {
  return MonitorWith(ctx, firewall::ReadRulesetGeneration);
}

Result<ocf::RunState> MonitorWith(ocf::Context& ctx, const GenerationReader& generation) {
  SAN_ASSIGN_OR_RETURN(Config cfg, LoadConfig(ctx.params()));
  const bool marked = ctx.IsMarkedStarted();
  if (!cfg.block_on_start && !marked) return ocf::RunState::kStopped;

  // Depth 0 with nft: reuse the last exact verdict while nothing was committed since.
  std::optional<uint32_t> before;
  // Only for a resource started here: probes of stopped ones leave nothing behind.
  if (marked && ctx.check_level() == 0 && cfg.backend != firewall::BackendKind::kIptables) {
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
      return Decide(ctx, cfg, state, marked);
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
  return Decide(ctx, cfg, state, marked);
}

}  // namespace san::agents::iscsi_firewall
