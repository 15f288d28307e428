// Helpers of the SnmpClient seam that need no SNMP library.
#include "libsan/snmp/snmp_client.h"

namespace san::snmp {

std::string Target::Address() const {
  bool v6 = host.find(':') != std::string::npos && host.front() != '[';
  return (v6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

bool OidUnder(const std::string& oid, const std::string& prefix) {
  return oid.size() > prefix.size() + 1 && oid.compare(0, prefix.size(), prefix) == 0 &&
         oid[prefix.size()] == '.';
}

}  // namespace san::snmp
