// NftClient: runs nft command scripts. The real one uses libnftables in process (no fork: a block
// or a monitor costs a few milliseconds instead of a process start per command); tests use a fake.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "libsan/util/status.h"

namespace san::firewall {

struct NftResult {
  bool ok = true;   // false when nft refused the script (nothing of it was applied)
  std::string out;  // listing output, with "# handle N" annotations
  std::string err;  // nft's error text
};

class NftClient {
 public:
  virtual ~NftClient() = default;
  // Runs `script` (nft syntax, one command per line) as one atomic transaction. Not OK only when
  // nft could not be used at all (library missing, no permission to open netlink).
  virtual Result<NftResult> Run(std::string_view script) = 0;
};

// libnftables-backed client with handle output enabled. NotInstalled when the library cannot
// create a context.
Result<std::unique_ptr<NftClient>> MakeLibNftClient();

// The nf_tables ruleset generation of this network namespace: the kernel bumps it on every
// committed change (nft and iptables-nft alike; not iptables-legacy). Equal numbers at two moments
// prove nothing changed in between. One netlink request, no library: ~0.1 ms.
Result<uint32_t> ReadRulesetGeneration();

}  // namespace san::firewall
