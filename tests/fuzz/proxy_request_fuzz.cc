// Fuzz target: the stonith proxy's request (libsan/fence/proxy_server), the text an SSH peer sends
// as SSH_ORIGINAL_COMMAND. The key "k1" may fence node1 only; whatever the peer sends, no PDU but
// node1's is ever contacted, and a refused request contacts none.
#include <cstdint>
#include <string>
#include <vector>

#include "libsan/fence/agent.h"
#include "libsan/fence/options.h"
#include "libsan/fence/proxy_server.h"
#include "libsan/host/fake_host.h"
#include "libsan/util/logger.h"
#include "libsan/util/strings.h"
#include "tests/fuzz/fuzz_check.h"

namespace {

using namespace san::fence;
using san::fuzz::Check;

constexpr char kConfig[] =
    "node node1 ip=192.0.2.1 plug=1 community=c1\n"
    "node node2 ip=192.0.2.2 plug=2 community=c2\n"
    "allow k1 node1\n"
    "allow k2 node2\n";

struct Setup {
  std::vector<OptionSpec> specs;
  ProxyConfig config;
};

const Setup& Fixture() {
  static const Setup* s = [] {
    auto* setup = new Setup;
    auto specs = ParseOptionSpecs(AgentMetadataXml());
    Check(specs.ok(), "the embedded metadata does not parse");
    setup->specs = std::move(*specs);
    auto config = ParseProxyConfig(kConfig, setup->specs);
    Check(config.ok(), "the fixed proxy config does not parse", config.status().message());
    setup->config = std::move(*config);
    return setup;
  }();
  return *s;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const Setup& s = Fixture();
  san::FakeHost host;
  san::NullLogger log;
  std::vector<std::string> contacted;
  AgentDeps deps;
  deps.host = &host;
  deps.log = &log;
  deps.snmp =
      [&](const san::snmp::Target& t) -> san::Result<std::unique_ptr<san::snmp::SnmpClient>> {
    contacted.push_back(t.host);
    return san::Status::Timeout("fuzz: no PDU answers");
  };
  std::string_view request = san::fuzz::AsText(data, size);
  AgentResult r = ServeProxyRequest(s.config, "k1", request, s.specs, deps);
  for (const std::string& h : contacted) {
    Check(h == "192.0.2.1", "the proxy contacted a PDU the key may not fence", h);
  }
  if (!contacted.empty()) {
    // Only the well-formed requests for node1 (or monitor) may reach a PDU.
    std::vector<std::string> words = san::SplitList(request, " ");
    bool node_action =
        words.size() == 2 && words[1] == "node1" &&
        (words[0] == "on" || words[0] == "off" || words[0] == "reboot" || words[0] == "status");
    bool monitor = words.size() == 1 && words[0] == "monitor";
    Check(node_action || monitor, "a malformed request reached a PDU", request);
    Check(!san::HasControlChars(request), "a request with control characters reached a PDU",
          request);
    Check(r.exit_code != 0, "success although no PDU answered", request);
  }
  return 0;
}
