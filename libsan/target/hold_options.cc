// Hold options: the firewall kind by the firewall module's own parser, the chain by the block
// specification parser the backends use, so nothing the journal replays can be refused later.
#include "libsan/target/hold_options.h"

#include <string>

#include "libsan/firewall/firewall.h"
#include "libsan/util/strings.h"

namespace san::target {

Status CheckHoldOptions(std::string_view firewall, std::string_view chain,
                        std::string_view firewall_name, std::string_view chain_name) {
  if (firewall != "none" && !firewall::ParseBackendKind(firewall).ok()) {
    return Status::InvalidConfig(std::string(firewall_name) + ": '" + Printable(firewall) +
                                 "' is not auto, nft, iptables or none");
  }
  firewall::BlockSpecText text;
  text.chain = std::string(chain);
  Result<firewall::BlockSpec> spec = firewall::ParseBlockSpec(text);
  if (!spec.ok()) return spec.status().WithContext(std::string(chain_name));
  return Status::Ok();
}

}  // namespace san::target
