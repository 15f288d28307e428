// Helpers of the SnmpClient seam that need no SNMP library.
#include "libsan/snmp/snmp_client.h"

#include <algorithm>

namespace san::snmp {

std::string Target::Address() const {
  bool v6 = host.find(':') != std::string::npos && host.front() != '[';
  return (v6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

Result<RequestBudget> BudgetFor(const Target& target, std::chrono::steady_clock::time_point now,
                                const std::string& what) {
  using std::chrono::milliseconds;
  RequestBudget b{std::max(target.timeout, milliseconds(1)), std::max(target.retries, 0), false};
  if (!target.deadline) return b;
  if (now >= *target.deadline) {
    return Status::Timeout("operation deadline reached before " + what + " to " + target.Address() +
                           " was sent");
  }
  const milliseconds left = std::chrono::floor<milliseconds>(*target.deadline - now);
  if (left < milliseconds(1)) {
    return Status::Timeout("operation deadline reached before " + what + " to " + target.Address() +
                           " was sent");
  }
  // The tries that fit in what is left, stretched to end at the deadline (not before it, so that
  // a caller seeing the failure also sees the deadline passed); one shortened try when none fits.
  const int64_t fit = left / b.timeout;
  if (fit < b.retries + 1) {
    b.cut = true;
    const int64_t tries = std::max<int64_t>(fit, 1);
    b.timeout = milliseconds((left.count() + tries - 1) / tries + 1);
    b.retries = static_cast<int>(tries - 1);
  }
  return b;
}

std::string DescribeWait(const RequestBudget& b) {
  std::string s = "within " + std::to_string(b.timeout.count()) + " ms x " +
                  std::to_string(b.retries + 1) + " tries";
  if (b.cut) s += " (all that was left before the operation deadline)";
  return s;
}

bool OidUnder(const std::string& oid, const std::string& prefix) {
  return oid.size() > prefix.size() + 1 && oid.compare(0, prefix.size(), prefix) == 0 &&
         oid[prefix.size()] == '.';
}

}  // namespace san::snmp
