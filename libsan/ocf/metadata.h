// An agent's OCF meta-data, read from its embedded metadata/<agent>.xml with pugixml. The XML is
// the single source of the agent's parameters: names, types, defaults, required, and (by order of
// declaration) the positional arguments of heartbeat v1 mode.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "libsan/util/status.h"

namespace san::ocf {

enum class ParamType { kString, kInteger, kBoolean, kTime };

struct ParamSpec {
  std::string name;
  ParamType type = ParamType::kString;
  bool required = false;
  bool unique = false;
  std::optional<std::string> default_value;
};

struct ActionSpec {
  std::string name;
  std::string timeout;
  std::string interval;
  std::string depth;
};

struct Metadata {
  std::string agent;  // resource-agent name attribute
  std::vector<ParamSpec> params;
  std::vector<ActionSpec> actions;
  std::string xml;  // the text, printed verbatim by meta-data

  const ParamSpec* FindParam(std::string_view name) const;
  bool HasAction(std::string_view name) const;
};

// Parses meta-data XML. Corruption when it is not well-formed or lacks names/types.
Result<Metadata> ParseMetadata(std::string_view xml);

// The embedded meta-data of `agent` (built from metadata/<agent>.xml). NotFound when absent.
Result<Metadata> LoadEmbeddedMetadata(std::string_view agent);

}  // namespace san::ocf
