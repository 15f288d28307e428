// Fuzz target: fence_apc_pdu's command line (fence/command_line, Boost.Program_options built
// from the metadata's <getopt> entries), then the same request building as stdin. The input is
// the argument list, one argument per line. No exception may escape, nothing may crash, and a
// value read is always one of the agent's own parameters.
#include <cstdint>
#include <string>
#include <vector>

#include "fence/command_line.h"
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

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text = san::fuzz::AsText(data, size);
  std::vector<std::string> args = {"fence_apc_pdu"};
  while (!text.empty() && args.size() < 64) {
    size_t nl = text.find('\n');
    args.emplace_back(text.substr(0, nl));
    text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
  }
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  san::fence::Values values;
  san::Status st =
      san::fence::ParseCommandLine(static_cast<int>(args.size()), argv.data(), Specs(), &values);
  if (!st.ok()) return 0;
  for (const auto& [k, v] : values) {
    bool known = false;
    for (const auto& s : Specs()) known = known || s.name == k;
    Check(known, "a value for a parameter the agent does not have", k);
  }
  san::FakeHost host;
  san::Result<san::fence::FenceRequest> req = san::fence::BuildRequest(values, Specs(), host);
  if (!req.ok()) {
    Check(req.status().message().find('\n') == std::string::npos, "error is not one line",
          req.status().message());
  }
  return 0;
}
