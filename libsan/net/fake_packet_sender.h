// FakePacketSender (tests only): records every packet instead of sending it, or fails on demand.
#pragma once

#include <string>
#include <vector>

#include "libsan/net/tickle.h"

namespace san::net {

class FakePacketSender : public PacketSender {
 public:
  struct Sent {
    Endpoint to;
    std::string packet;
  };
  Status Send(const Endpoint& to, std::string_view packet) override;
  const std::vector<Sent>& sent() const { return sent_; }
  // Every later Send fails with `status` (e.g. Permission without CAP_NET_RAW).
  void FailWith(Status status) { fail_ = std::move(status); }

 private:
  std::vector<Sent> sent_;
  Status fail_;
};

}  // namespace san::net
