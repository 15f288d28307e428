// FakeNftClient implementation.
#include "libsan/firewall/fake_nft_client.h"

namespace san::firewall {

Result<NftResult> FakeNftClient::Run(std::string_view script) {
  scripts_->emplace_back(script);
  if (on_run_) on_run_(scripts_->back());
  auto it = replies_.find(script);
  if (it != replies_.end()) return it->second;
  if (default_) return *default_;
  return Status::Internal("FakeNftClient: unexpected script: " + std::string(script));
}

}  // namespace san::firewall
