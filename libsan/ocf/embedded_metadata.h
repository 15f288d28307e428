// The agents' meta-data XML, embedded at build time from metadata/<agent>.xml.
#pragma once

#include <map>
#include <string_view>

namespace san::ocf {

// agent name → meta-data XML text (generated source).
const std::map<std::string_view, std::string_view>& EmbeddedMetadataTable();

}  // namespace san::ocf
