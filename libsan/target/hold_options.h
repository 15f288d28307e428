// The firewall options of the target holds (which firewall, which chain), checked once for
// every front: the iet-target agent (firewall, firewall_chain) and san-target (--firewall,
// --firewall-chain). A value that passed here can be journaled and replayed by any later run.
#pragma once

#include <string_view>

#include "libsan/util/status.h"

namespace san::target {

// `firewall`: auto, nft, iptables or none. `chain`: a chain name the firewall backends accept.
// InvalidConfig "firewall: '...' is not auto, nft, iptables or none" / "firewall_chain: ..."
// otherwise; `firewall_name`/`chain_name` are how the front calls the two options.
Status CheckHoldOptions(std::string_view firewall, std::string_view chain,
                        std::string_view firewall_name = "firewall",
                        std::string_view chain_name = "firewall_chain");

}  // namespace san::target
