// A deliberately small subset of sh word splitting: enough for "lvcreate -s -n snap vg/lv" or a
// quoted path with spaces, and loud about anything it does not do.
#include "libsan/blockcopy/command_words.h"

#include "libsan/util/strings.h"

namespace san::blockcopy {

Result<std::vector<std::string>> SplitCommandWords(std::string_view command) {
  auto bad = [&](const std::string& why) {
    return Status::InvalidConfig("-i '" + Printable(command) + "': " + why);
  };
  if (HasControlChars(command)) return bad("control characters are not allowed");
  std::vector<std::string> words;
  std::string word;
  bool in_word = false;
  for (size_t i = 0; i < command.size(); ++i) {
    char c = command[i];
    if (c == ' ') {
      if (in_word) words.push_back(std::exchange(word, {}));
      in_word = false;
      continue;
    }
    in_word = true;
    if (c == '\'') {
      size_t end = command.find('\'', i + 1);
      if (end == std::string_view::npos) return bad("unbalanced single quote");
      word.append(command.substr(i + 1, end - i - 1));
      i = end;
    } else if (c == '"') {
      size_t j = i + 1;
      for (; j < command.size() && command[j] != '"'; ++j) {
        if (command[j] == '\\' && j + 1 < command.size() &&
            (command[j + 1] == '"' || command[j + 1] == '\\')) {
          ++j;
        } else if (command[j] == '$' || command[j] == '`') {
          return bad("a shell would expand '" + std::string(1, command[j]) +
                     "' inside double quotes, but no shell runs; use single quotes");
        }
        word += command[j];
      }
      if (j >= command.size()) return bad("unbalanced double quote");
      i = j;
    } else if (c == '\\') {
      if (i + 1 >= command.size()) return bad("trailing backslash");
      word += command[++i];
    } else if (std::string_view("|&;<>()$`").find(c) != std::string_view::npos) {
      return bad(std::string("'") + c +
                 "' is shell syntax, but the command runs without a shell; quote it, or use "
                 "-i \"sh -c '...'\" if a shell is really wanted");
    } else {
      word += c;
    }
  }
  if (in_word) words.push_back(word);
  if (words.empty()) return bad("empty command");
  return words;
}

}  // namespace san::blockcopy
