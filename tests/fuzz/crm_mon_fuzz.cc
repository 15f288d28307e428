// Fuzz target: the readers of `crm_mon --output-as=xml` and `stonith_admin --history` output
// (libsan/lvm/fencing), which decide whether another node's VG claim may be taken over. The first
// input line is the node asked about, the rest the XML.
#include <cstdint>
#include <string>

#include "libsan/lvm/fencing.h"
#include "tests/fuzz/fuzz_check.h"

using san::fuzz::Check;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text = san::fuzz::AsText(data, size);
  size_t nl = text.find('\n');
  const std::string node(text.substr(0, nl == std::string_view::npos ? 0 : nl));
  std::string_view xml = nl == std::string_view::npos ? text : text.substr(nl + 1);
  if (auto st = san::lvm::ParseCrmMonNode(xml, node); st.ok()) {
    Check(st->known || (!st->online && !st->unclean), "state reported for an unknown node", node);
  } else {
    Check(st.status().message().find('\n') == std::string::npos, "error is not one line",
          st.status().message());
  }
  if (auto last = san::lvm::ParseLastFencing(xml, node); !last.ok()) {
    Check(last.status().message().find('\n') == std::string::npos, "error is not one line");
  }
  return 0;
}
