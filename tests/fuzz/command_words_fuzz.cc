// Fuzz target: ddless' -i CMD word splitting (libsan/blockcopy/command_words), the one place
// where sanha reads quoting. Words never carry control characters, and quoting each word again
// (a backslash before every character, '' for an empty word) splits back into the same words.
#include <cstdint>
#include <string>
#include <vector>

#include "libsan/blockcopy/command_words.h"
#include "libsan/util/strings.h"
#include "tests/fuzz/fuzz_check.h"

using san::fuzz::Check;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text = san::fuzz::AsText(data, size);
  san::Result<std::vector<std::string>> words = san::blockcopy::SplitCommandWords(text);
  if (!words.ok()) {
    Check(!san::HasControlChars(words.status().message()), "error is not printable",
          words.status().message());
    return 0;
  }
  Check(!words->empty(), "an empty argv accepted", text);
  std::string requoted;
  for (const std::string& w : *words) {
    Check(!san::HasControlChars(w), "a word with control characters", w);
    if (!requoted.empty()) requoted += ' ';
    if (w.empty()) requoted += "''";
    for (char c : w) {
      requoted += '\\';
      requoted += c;
    }
  }
  san::Result<std::vector<std::string>> again = san::blockcopy::SplitCommandWords(requoted);
  Check(again.ok() && *again == *words, "words change when quoted again", requoted);
  return 0;
}
