// Status and Result<T>: how every libsan function reports success or what went wrong on the host.
// No exception crosses a module boundary; callers must look at the value ([[nodiscard]]).
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace san {

// What went wrong, in host terms. "Not running" is never an error: it is a value.
enum class Code {
  kOk,
  kNotFound,       // an object (file, rule, target, VG) that was expected does not exist
  kInvalidConfig,  // a parameter or configuration value is wrong; nothing was changed
  kNotInstalled,   // a required program or kernel feature is missing
  kPermission,     // EACCES/EPERM, or not root
  kCommandFailed,  // a program ran and failed
  kTimeout,        // a deadline passed; the command was killed
  kCorruption,     // on-disk or parsed state is inconsistent
  kBusy,           // in use (open LV, locked, sessions active)
  kInternal,       // a bug or an unexpected OS error
};

std::string_view CodeName(Code code);

class [[nodiscard]] Status {
 public:
  Status() = default;  // OK
  Status(Code code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status Ok() { return Status(); }
  static Status NotFound(std::string m) { return {Code::kNotFound, std::move(m)}; }
  static Status InvalidConfig(std::string m) { return {Code::kInvalidConfig, std::move(m)}; }
  static Status NotInstalled(std::string m) { return {Code::kNotInstalled, std::move(m)}; }
  static Status Permission(std::string m) { return {Code::kPermission, std::move(m)}; }
  static Status CommandFailed(std::string m) { return {Code::kCommandFailed, std::move(m)}; }
  static Status Timeout(std::string m) { return {Code::kTimeout, std::move(m)}; }
  static Status Corruption(std::string m) { return {Code::kCorruption, std::move(m)}; }
  static Status Busy(std::string m) { return {Code::kBusy, std::move(m)}; }
  static Status Internal(std::string m) { return {Code::kInternal, std::move(m)}; }

  bool ok() const { return code_ == Code::kOk; }
  Code code() const { return code_; }
  const std::string& message() const { return message_; }
  // "InvalidConfig: port 70000 is out of range"; "OK" for success.
  std::string ToString() const;
  // Returns a copy whose message is "context: message" (same code). OK stays OK.
  Status WithContext(std::string_view context) const;

  void IgnoreError() const {}

 private:
  Code code_ = Code::kOk;
  std::string message_;
};

// Either a T or a non-OK Status.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}        // NOLINT: implicit by design
  Result(Status status) : v_(std::move(status)) {  // NOLINT: implicit by design
    if (std::get<Status>(v_).ok()) v_ = Status::Internal("Result built from an OK Status");
  }

  bool ok() const { return std::holds_alternative<T>(v_); }
  // OK when a value is held.
  Status status() const { return ok() ? Status::Ok() : std::get<Status>(v_); }
  T& value() & { return std::get<T>(v_); }
  const T& value() const& { return std::get<T>(v_); }
  T&& value() && { return std::get<T>(std::move(v_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

 private:
  std::variant<T, Status> v_;
};

}  // namespace san

// Early return of a failed Status (or the Status of a failed Result).
#define SAN_RETURN_IF_ERROR(expr)              \
  do {                                         \
    ::san::Status san_status_ = (expr);        \
    if (!san_status_.ok()) return san_status_; \
  } while (0)

#define SAN_CONCAT_INNER_(a, b) a##b
#define SAN_CONCAT_(a, b) SAN_CONCAT_INNER_(a, b)
// SAN_ASSIGN_OR_RETURN(auto x, Foo()); returns Foo()'s Status on failure.
#define SAN_ASSIGN_OR_RETURN(lhs, expr) \
  SAN_ASSIGN_OR_RETURN_IMPL_(SAN_CONCAT_(san_result_, __LINE__), lhs, expr)
#define SAN_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                               \
  if (!tmp.ok()) return tmp.status();              \
  lhs = std::move(tmp).value()
