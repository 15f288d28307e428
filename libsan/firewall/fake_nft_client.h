// FakeNftClient (tests only): answers exact nft scripts with scripted results (outputs captured
// from nftables 1.0.6) and records every script it was given, like FakeHost does for argv.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "libsan/firewall/nft_client.h"

namespace san::firewall {

class FakeNftClient : public NftClient {
 public:
  // The result for exactly `script` (e.g. "list chain inet sanha sanha-iscsi").
  void Reply(std::string script, Result<NftResult> result) {
    replies_.insert_or_assign(std::move(script), std::move(result));
  }
  // The result for any other script (typically the change batches); without it they fail.
  void SetDefault(NftResult result) { default_ = std::move(result); }

  // Called before every run (e.g. to check a lock is held).
  void OnRun(std::function<void(const std::string&)> hook) { on_run_ = std::move(hook); }

  Result<NftResult> Run(std::string_view script) override;
  // Every script run, in order (shared with the test after the client moved into a backend).
  const std::vector<std::string>& scripts() const { return *scripts_; }
  std::shared_ptr<std::vector<std::string>> shared_scripts() const { return scripts_; }

 private:
  std::map<std::string, Result<NftResult>, std::less<>> replies_;
  std::function<void(const std::string&)> on_run_;
  std::optional<NftResult> default_;
  std::shared_ptr<std::vector<std::string>> scripts_ = std::make_shared<std::vector<std::string>>();
};

}  // namespace san::firewall
