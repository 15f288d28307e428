// iscsi-firewall: block=start adds DROP rules and stop removes them; unblock is the reverse. Every
// change is read back before the action reports success.
#include "libsan/agents/iscsi_firewall.h"

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

// Makes the rules present (block=true) or absent, then reads them back.
Status Apply(ocf::Context& ctx, const Config& cfg, bool block) {
  SAN_ASSIGN_OR_RETURN(auto backend, OpenBackend(ctx, cfg));
  SAN_RETURN_IF_ERROR(block ? backend->Block(cfg.spec) : backend->Unblock(cfg.spec));
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
  ctx.log().Info(std::string(block ? "blocked " : "unblocked ") +
                 DescribeRules(state.present.empty() ? state.missing : state.present) + " (" +
                 std::string(backend->Name()) + ")");
  return Status::Ok();
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
  SAN_RETURN_IF_ERROR(Apply(ctx, cfg, cfg.block_on_start));
  return ctx.SetStarted(true);
}

Status Stop(ocf::Context& ctx) {
  SAN_ASSIGN_OR_RETURN(Config cfg, LoadConfig(ctx.params()));
  SAN_RETURN_IF_ERROR(Apply(ctx, cfg, !cfg.block_on_start));
  return ctx.SetStarted(false);
}

Result<ocf::RunState> Monitor(ocf::Context& ctx) {
  SAN_ASSIGN_OR_RETURN(Config cfg, LoadConfig(ctx.params()));
  SAN_ASSIGN_OR_RETURN(auto backend, OpenBackend(ctx, cfg));
  SAN_ASSIGN_OR_RETURN(firewall::BlockState state, backend->Inspect(cfg.spec));
  const bool marked = ctx.IsMarkedStarted();
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

}  // namespace san::agents::iscsi_firewall
