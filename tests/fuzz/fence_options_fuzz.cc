// Fuzz target: fence_apc_pdu's stdin (libsan/fence/options): Pacemaker's "key=value" lines, then
// the checked request built from them, and the duration reader. A FakeHost answers every
// *_script with a failure, so nothing runs. Any text gives a request or a one-line error.
#include <cstdint>
#include <string>
#include <vector>

#include "libsan/fence/options.h"
#include "libsan/host/fake_host.h"
#include "tests/fuzz/fuzz_check.h"

namespace {

using san::fuzz::Check;

const std::vector<san::fence::OptionSpec>& Specs() {
  static const auto* specs = [] {
    auto r = san::fence::ParseOptionSpecs(san::fence::AgentMetadataXml());
    Check(r.ok(), "the embedded metadata does not parse");
    return new std::vector<san::fence::OptionSpec>(std::move(*r));
  }();
  return *specs;
}

void CheckOneLine(const san::Status& s) {
  Check(s.message().find('\n') == std::string::npos, "error is not one line", s.message());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text = san::fuzz::AsText(data, size);
  std::vector<std::string> unknown;
  san::Result<san::fence::Values> values = san::fence::ParseStdin(text, Specs(), &unknown);
  if (!values.ok()) {
    CheckOneLine(values.status());
    return 0;
  }
  for (const auto& [k, v] : *values) {
    Check(k.find('\n') == std::string::npos && v.find('\n') == std::string::npos,
          "a value holds a newline", k);
    if (auto d = san::fence::ParseSeconds(v); d.ok()) Check(d->count() >= 0, "negative time", v);
  }
  san::fence::Canonicalize(*values, Specs());
  san::FakeHost host;
  san::Result<san::fence::FenceRequest> req = san::fence::BuildRequest(*values, Specs(), host);
  if (!req.ok()) {
    CheckOneLine(req.status());
    return 0;
  }
  Check(!req->pdus.empty() || !req->ssh_proxy_host.empty() || req->action == "metadata",
        "a request without a PDU or proxy");
  Check(req->pdus.size() == req->pdu_hosts.size(), "PDU list and host list differ in size");
  Check(req->delay.count() >= 0, "negative delay");
  for (const auto& p : req->pdus) {
    Check(!p.host.empty() && p.port != 0, "PDU without host or port", p.host);
    Check(p.timeout.count() > 0 && p.retries >= 0, "SNMP timeout or retries out of range", p.host);
  }
  return 0;
}
