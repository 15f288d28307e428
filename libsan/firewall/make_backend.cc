// MakeBackend: the one place that decides between iptables and nft. For "auto" the backend that
// already holds our rules wins, so a spec blocked by one backend is unblocked by the same one.
#include <algorithm>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "libsan/firewall/firewall.h"
#include "libsan/firewall/iptables_backend.h"
#include "libsan/firewall/nft_backend.h"
#include "libsan/firewall/nft_client.h"

namespace san::firewall {

namespace {

enum class Probe { kHolds, kAbsent, kNotInstalled };

// Does `argv` (a listing command) show our chain/table? A program that runs but fails (no
// permission, a kernel without the tables) counts as installed and absent: the backend's own
// commands then report the real error. A run that could not complete (timeout) is an error.
Result<Probe> Ask(Host& host, std::vector<std::string> argv,
                  const std::function<bool(const Output&)>& holds) {
  Command cmd;
  cmd.argv = std::move(argv);
  Result<Output> out = host.Run(cmd);
  if (!out.ok()) {
    if (out.status().code() == Code::kNotInstalled) return Probe::kNotInstalled;
    return out.status();
  }
  return holds(*out) ? Probe::kHolds : Probe::kAbsent;
}

}  // namespace

Result<std::unique_ptr<Backend>> MakeBackend(Host& host, Logger& log, BackendKind kind,
                                             const BlockSpec& spec, NftClientFactory nft_factory) {
  if (!nft_factory) nft_factory = MakeLibNftClient;
  auto make_nft = [&]() -> Result<std::unique_ptr<Backend>> {
    SAN_ASSIGN_OR_RETURN(std::unique_ptr<NftClient> client, nft_factory());
    return std::unique_ptr<Backend>(std::make_unique<NftBackend>(host, log, std::move(client)));
  };
  auto make_iptables = [&]() -> Result<std::unique_ptr<Backend>> {
    return std::unique_ptr<Backend>(std::make_unique<IptablesBackend>(host, log));
  };
  // An explicit choice runs nothing here: a missing program shows as NotInstalled from the
  // backend's first command.
  if (kind == BackendKind::kIptables) return make_iptables();
  if (kind == BackendKind::kNft) return make_nft();

  // auto: whoever already holds our rules keeps them. nft first: it is asked in process.
  Result<std::unique_ptr<NftClient>> nft = nft_factory();
  bool nft_usable = nft.ok();
  if (nft_usable) {
    SAN_ASSIGN_OR_RETURN(NftResult r, (*nft)->Run(std::string("list table inet ") + kNftTable));
    if (r.ok) {
      log.Debug(std::string("backend auto: nft table inet ") + kNftTable + " exists");
      return std::unique_ptr<Backend>(std::make_unique<NftBackend>(host, log, std::move(*nft)));
    }
    // "No such file or directory" is the normal answer; anything else (no nf_tables in the
    // kernel) makes nft unusable here.
    nft_usable = r.err.find("No such file or directory") != std::string::npos;
  }
  const std::vector<Rule> rules = ExpandRules(spec);
  auto needs = [&rules](net::Family family) {
    return std::any_of(rules.begin(), rules.end(),
                       [family](const Rule& r) { return r.family == family; });
  };
  bool iptables_installed = true;
  for (net::Family family : {net::Family::kIpv4, net::Family::kIpv6}) {
    if (!needs(family)) continue;
    SAN_ASSIGN_OR_RETURN(
        Probe p, Ask(host, {IptablesProgram(family), "-w", "-S"}, [&](const Output& out) {
          return out.exit_code == 0 && ParseIptablesListing(out.out, spec.chain).chain_exists;
        }));
    if (p == Probe::kHolds) {
      log.Debug("backend auto: " + IptablesProgram(family) + " holds chain " + spec.chain);
      return make_iptables();
    }
    if (p == Probe::kNotInstalled) {
      iptables_installed = false;
      break;
    }
  }
  if (nft_usable) {
    return std::unique_ptr<Backend>(std::make_unique<NftBackend>(host, log, std::move(*nft)));
  }
  if (iptables_installed) return make_iptables();
  return Status::NotInstalled(
      "neither nftables (libnftables with nf_tables in the kernel) nor iptables can be used");
}

}  // namespace san::firewall
