// Parameter checking against meta-data. Values are validated here for form only; each agent's
// domain code validates meaning (an address, a path) before touching anything.
#include "libsan/ocf/params.h"

#include "libsan/util/strings.h"

namespace san::ocf {

Result<Params> Params::Parse(const Metadata& md, const std::map<std::string, std::string>& raw) {
  Params params;
  for (const ParamSpec& spec : md.params) {
    auto it = raw.find(spec.name);
    // Empty means the default everywhere: Pacemaker passes an attribute set to "" (crm_resource
    // --set-parameter x --parameter-value "") as an empty OCF_RESKEY_x, and heartbeat v1 an empty
    // "::" field. Reading it as false/0 once activated a VG with no ownership claim.
    bool given = it != raw.end() && it->second.find_first_not_of(' ') != std::string::npos;
    std::string value = given ? it->second : spec.default_value.value_or("");
    if (value.size() > kMaxParamLength) {
      return Status::InvalidConfig("parameter '" + spec.name + "' is longer than " +
                                   std::to_string(kMaxParamLength) + " characters");
    }
    if (HasControlChars(value)) {
      return Status::InvalidConfig("parameter '" + spec.name +
                                   "' contains control characters (newline, tab, NUL...): '" +
                                   Printable(value) + "'");
    }
    if (spec.required && Trim(value).empty()) {
      return Status::InvalidConfig("required parameter '" + spec.name + "' is not set");
    }
    if (!value.empty()) {
      Status st;
      switch (spec.type) {
        case ParamType::kString:
          break;
        case ParamType::kInteger:
          st = ParseInt64(value).status();
          break;
        case ParamType::kBoolean:
          st = ParseBool(value).status();
          break;
        case ParamType::kTime:
          st = ParseDuration(value).status();
          break;
      }
      if (!st.ok()) return st.WithContext("parameter '" + spec.name + "'");
    }
    params.values_[spec.name] = std::move(value);
    params.set_[spec.name] = given;
  }
  return params;
}

const std::string& Params::String(std::string_view name) const {
  static const std::string kEmpty;
  auto it = values_.find(name);
  return it == values_.end() ? kEmpty : it->second;
}

int64_t Params::Integer(std::string_view name) const {
  auto v = ParseInt64(String(name));
  return v.ok() ? *v : 0;
}

bool Params::Boolean(std::string_view name) const {
  auto v = ParseBool(String(name));
  return v.ok() ? *v : false;
}

std::chrono::milliseconds Params::Time(std::string_view name) const {
  auto v = ParseDuration(String(name));
  return v.ok() ? *v : std::chrono::milliseconds(0);
}

bool Params::IsSet(std::string_view name) const {
  auto it = set_.find(name);
  return it != set_.end() && it->second;
}

}  // namespace san::ocf
