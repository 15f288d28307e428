// FakeNftClient (tests only): records every nft script and answers from a queue.
#pragma once

#include <string>
#include <vector>

#include "libsan/firewall/nft_client.h"

namespace san::firewall {

class FakeNftClient : public NftClient {
 public:
  Result<NftResult> Run(std::string_view script) override;
  // Replies are used in order; the last one then repeats.
  void Push(NftResult r) { replies_.push_back(std::move(r)); }
  const std::vector<std::string>& scripts() const { return scripts_; }

 private:
  std::vector<std::string> scripts_;
  std::vector<NftResult> replies_;
  size_t next_ = 0;
};

}  // namespace san::firewall
