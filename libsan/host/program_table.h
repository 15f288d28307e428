// ProgramTable: logical program names ("iptables") → absolute paths. Defaults follow Debian; the
// environment may override any entry (SANHA_PROG_IPTABLES=/opt/bin/iptables) or the search path
// (SANHA_PATH), which is how tests and odd distributions point libsan at other binaries.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace san {

class ProgramTable {
 public:
  // Searches kDefaultSearchPath for names without an explicit entry.
  ProgramTable();

  // Reads SANHA_PROG_<NAME> (name upper-cased, '-' and '.' as '_') and SANHA_PATH (colon list)
  // from an environment block (as `environ`).
  static ProgramTable FromEnvironment(char** envp);

  void Set(const std::string& name, const std::string& path) { explicit_[name] = path; }
  void SetSearchPath(std::vector<std::string> dirs) { search_path_ = std::move(dirs); }

  // Absolute path of an executable for `name`, or nullopt when none is found. A name containing
  // '/' is returned unchanged.
  std::optional<std::string> Resolve(const std::string& name) const;

  // The variable that overrides `program`: "iptables-save" → SANHA_PROG_IPTABLES_SAVE.
  static std::string EnvName(const std::string& program);

 private:
  std::map<std::string, std::string> explicit_;
  // SANHA_PROG_<NAME> values keyed by variable name: EnvName() cannot be inverted, so Resolve()
  // looks a program's variable up here. Set() entries take precedence.
  std::map<std::string, std::string> env_overrides_;
  std::vector<std::string> search_path_;
};

}  // namespace san
