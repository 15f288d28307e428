// FakePacketSender: see the header.
#include "libsan/net/fake_packet_sender.h"

namespace san::net {

Status FakePacketSender::Send(const Endpoint& to, std::string_view packet) {
  if (!fail_.ok()) return fail_;
  sent_.push_back({to, std::string(packet)});
  return Status::Ok();
}

}  // namespace san::net
