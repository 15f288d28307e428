// ProgramTable: explicit entries, SANHA_PROG_* overrides, then a search of the program path.
#include "libsan/host/program_table.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cctype>
#include <string_view>

namespace san {

namespace {

// Debian's layout first; /usr/local last so a stray local build never shadows a packaged tool.
const char* const kDefaultSearchPath[] = {"/usr/sbin", "/usr/bin",        "/sbin",
                                          "/bin",      "/usr/local/sbin", "/usr/local/bin"};

constexpr std::string_view kProgPrefix = "SANHA_PROG_";
constexpr std::string_view kPathVar = "SANHA_PATH";

bool IsExecutableFile(const std::string& path) {
  struct stat st;
  return stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) && access(path.c_str(), X_OK) == 0;
}

std::vector<std::string> SplitColons(std::string_view list) {
  std::vector<std::string> parts;
  while (true) {
    size_t colon = list.find(':');
    std::string_view part = list.substr(0, colon);
    if (!part.empty()) parts.emplace_back(part);  // "a::b" and a trailing ':' add nothing
    if (colon == std::string_view::npos) break;
    list.remove_prefix(colon + 1);
  }
  return parts;
}

}  // namespace

ProgramTable::ProgramTable()
    : search_path_(std::begin(kDefaultSearchPath), std::end(kDefaultSearchPath)) {}

ProgramTable ProgramTable::FromEnvironment(char** envp) {
  ProgramTable table;
  for (char** e = envp; e != nullptr && *e != nullptr; ++e) {
    std::string_view entry(*e);
    size_t eq = entry.find('=');
    if (eq == std::string_view::npos) continue;
    std::string_view name = entry.substr(0, eq);
    std::string_view value = entry.substr(eq + 1);
    if (value.empty()) continue;  // an empty variable is treated as unset
    if (name == kPathVar) {
      std::vector<std::string> dirs = SplitColons(value);
      if (!dirs.empty()) table.SetSearchPath(std::move(dirs));
    } else if (name.size() > kProgPrefix.size() &&
               name.substr(0, kProgPrefix.size()) == kProgPrefix) {
      table.env_overrides_[std::string(name)] = std::string(value);
    }
  }
  return table;
}

std::optional<std::string> ProgramTable::Resolve(const std::string& name) const {
  if (name.empty()) return std::nullopt;
  if (name.find('/') != std::string::npos) return name;

  std::string target = name;
  if (auto it = explicit_.find(name); it != explicit_.end()) {
    target = it->second;
  } else if (auto env = env_overrides_.find(EnvName(name)); env != env_overrides_.end()) {
    target = env->second;
  }
  // An override naming a path is used as given, so that running it reports precisely why it
  // cannot run (missing → NotInstalled, not executable → Permission). A bare name is searched.
  if (target.find('/') != std::string::npos) return target;
  if (target.empty()) return std::nullopt;

  for (const std::string& dir : search_path_) {
    std::string candidate = dir;
    if (candidate.empty() || candidate.back() != '/') candidate += '/';
    candidate += target;
    if (IsExecutableFile(candidate)) return candidate;
  }
  return std::nullopt;
}

std::string ProgramTable::EnvName(const std::string& program) {
  std::string env(kProgPrefix);
  for (char c : program) {
    if (c == '-' || c == '.') {
      env += '_';
    } else {
      env += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    }
  }
  return env;
}

}  // namespace san
