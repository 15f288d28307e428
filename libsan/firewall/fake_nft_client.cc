// FakeNftClient implementation.
#include "libsan/firewall/fake_nft_client.h"

#include <algorithm>

namespace san::firewall {

Result<NftResult> FakeNftClient::Run(std::string_view script) {
  scripts_.emplace_back(script);
  if (replies_.empty()) return Status::Internal("FakeNftClient: no reply scripted");
  const NftResult& r = replies_[std::min(next_, replies_.size() - 1)];
  ++next_;
  return r;
}

}  // namespace san::firewall
