// Meta-data parsing: the only place pugixml is included.
#include "libsan/ocf/metadata.h"

#include <pugixml.hpp>

#include "libsan/ocf/embedded_metadata.h"

namespace san::ocf {

const ParamSpec* Metadata::FindParam(std::string_view name) const {
  for (const auto& p : params) {
    if (p.name == name) return &p;
  }
  return nullptr;
}

bool Metadata::HasAction(std::string_view name) const {
  for (const auto& a : actions) {
    if (a.name == name) return true;
  }
  return false;
}

namespace {

Result<ParamType> ParseType(std::string_view type, const std::string& param) {
  if (type == "string") return ParamType::kString;
  if (type == "integer") return ParamType::kInteger;
  if (type == "boolean") return ParamType::kBoolean;
  if (type == "time") return ParamType::kTime;
  return Status::Corruption("meta-data: parameter '" + param + "' has unknown type '" +
                            std::string(type) + "'");
}

}  // namespace

Result<Metadata> ParseMetadata(std::string_view xml) {
  pugi::xml_document doc;
  pugi::xml_parse_result parsed = doc.load_buffer(xml.data(), xml.size());
  if (!parsed) {
    return Status::Corruption(std::string("meta-data is not well-formed XML: ") +
                              parsed.description());
  }
  pugi::xml_node root = doc.child("resource-agent");
  if (!root) return Status::Corruption("meta-data has no <resource-agent> element");
  Metadata md;
  md.agent = root.attribute("name").value();
  md.xml = std::string(xml);
  for (pugi::xml_node p : root.child("parameters").children("parameter")) {
    ParamSpec spec;
    spec.name = p.attribute("name").value();
    if (spec.name.empty()) return Status::Corruption("meta-data: a parameter has no name");
    spec.required = std::string_view(p.attribute("required").value()) == "1";
    spec.unique = std::string_view(p.attribute("unique").value()) == "1";
    pugi::xml_node content = p.child("content");
    if (!content)
      return Status::Corruption("meta-data: parameter '" + spec.name + "' lacks content");
    SAN_ASSIGN_OR_RETURN(spec.type, ParseType(content.attribute("type").value(), spec.name));
    if (pugi::xml_attribute d = content.attribute("default")) spec.default_value = d.value();
    md.params.push_back(std::move(spec));
  }
  for (pugi::xml_node a : root.child("actions").children("action")) {
    md.actions.push_back({a.attribute("name").value(), a.attribute("timeout").value(),
                          a.attribute("interval").value(), a.attribute("depth").value()});
  }
  return md;
}

Result<Metadata> LoadEmbeddedMetadata(std::string_view agent) {
  const auto& table = EmbeddedMetadataTable();
  auto it = table.find(agent);
  if (it == table.end()) {
    return Status::NotFound("no embedded meta-data for agent '" + std::string(agent) + "'");
  }
  return ParseMetadata(it->second);
}

}  // namespace san::ocf
