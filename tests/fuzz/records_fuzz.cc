// Fuzz target: sanha's own state files (libsan/target/records): the records of what was applied
// and the hold journal. A crash-happy machine leaves them torn, so any text must parse or be
// refused; what parses must be a fixed point of serialise → parse.
#include <cstdint>
#include <string>

#include "libsan/target/records.h"
#include "tests/fuzz/fuzz_check.h"

using san::fuzz::Check;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text = san::fuzz::AsText(data, size);
  if (auto r = san::target::Records::Parse(text); r.ok()) {
    const std::string once = r->Serialize();
    auto again = san::target::Records::Parse(once);
    Check(again.ok(), "serialised records do not parse", again.status().message());
    Check(again->Serialize() == once, "records change on serialise → parse", once);
  }
  if (auto j = san::target::ParseJournal(text); j.ok()) {
    const std::string once = san::target::SerializeJournal(*j);
    auto again = san::target::ParseJournal(once);
    Check(again.ok(), "a serialised journal does not parse", again.status().message());
    Check(san::target::SerializeJournal(*again) == once, "journal changes on serialise → parse",
          once);
  }
  return 0;
}
