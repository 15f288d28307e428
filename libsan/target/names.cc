// Strict character-class checks: everything accepted here is printed back unchanged into tgtadm
// argv vectors, tgt's config file and logs, so the classes exclude separators tgt uses (',' '=').
#include "libsan/target/names.h"

#include <cctype>

#include "libsan/util/strings.h"

namespace san::target {

namespace {

bool AllOf(std::string_view s, bool (*pred)(char)) {
  for (char c : s) {
    if (!pred(c)) return false;
  }
  return true;
}

bool IqnChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '-' || c == ':';
}
bool IdentityChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == ':' ||
         c == '-';
}
bool UserChar(char c) { return IdentityChar(c) || c == '@'; }
bool ShortNameChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '-';
}

bool Digits(std::string_view s) {
  return !s.empty() && AllOf(s, [](char c) { return c >= '0' && c <= '9'; });
}

}  // namespace

bool IsValueChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
         (c != '\0' && kValuePunctuation.find(c) != std::string_view::npos);
}

Status CheckValueChars(std::string_view what, std::string_view value) {
  for (char c : value) {
    if (!IsValueChar(c)) {
      return Status::InvalidConfig(std::string(what) + ": character '" +
                                   Printable(std::string_view(&c, 1)) +
                                   "' is not allowed (values use letters, digits and " +
                                   std::string(kValuePunctuation) + " only)");
    }
  }
  return Status::Ok();
}

Result<std::string> CanonicalIscsiName(std::string_view text) {
  const std::string shown = "'" + Printable(text) + "'";
  if (text.size() > 223) return Status::InvalidConfig(shown + " is longer than 223 bytes");
  if (text.substr(0, 4) == "eui." || text.substr(0, 4) == "EUI.") {
    std::string_view hex = text.substr(4);
    if (hex.size() != 16 ||
        !AllOf(hex, [](char c) { return std::isxdigit(static_cast<unsigned char>(c)) != 0; })) {
      return Status::InvalidConfig(shown + " is not an EUI name (eui. and 16 hex digits)");
    }
    std::string out = "eui.";
    for (char c : hex) out += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return out;
  }
  if (text.substr(0, 4) != "iqn.") {
    return Status::InvalidConfig(shown + " is not an iSCSI name (iqn.YYYY-MM.domain[:id] or eui.)");
  }
  if (!AllOf(text, IqnChar)) {
    return Status::InvalidConfig(shown +
                                 " is not a valid IQN: only lower-case letters, digits, '.', "
                                 "'-' and ':' are allowed");
  }
  // iqn.YYYY-MM.authority
  std::string_view rest = text.substr(4);
  if (rest.size() < 8 || !Digits(rest.substr(0, 4)) || rest[4] != '-' ||
      !Digits(rest.substr(5, 2)) || rest[7] != '.') {
    return Status::InvalidConfig(shown + " is not a valid IQN: expected iqn.YYYY-MM.domain");
  }
  int month = (rest[5] - '0') * 10 + (rest[6] - '0');
  if (month < 1 || month > 12) {
    return Status::InvalidConfig(shown + " is not a valid IQN: month must be 01..12");
  }
  std::string_view authority = rest.substr(8);
  authority = authority.substr(0, authority.find(':'));
  if (authority.empty() || authority.front() == '.' || authority.back() == '.' ||
      authority.find("..") != std::string_view::npos) {
    return Status::InvalidConfig(shown + " is not a valid IQN: bad naming authority");
  }
  if (text.back() == ':') {
    return Status::InvalidConfig(shown + " is not a valid IQN: ends with ':'");
  }
  return std::string(text);
}

bool IsShortTargetName(std::string_view text) {
  return !text.empty() && text.size() <= 64 && AllOf(text, ShortNameChar) && text.front() != '.' &&
         text.front() != '-';
}

Status CheckIdentity(std::string_view what, std::string_view value, size_t max_len) {
  if (value.empty()) return Status::InvalidConfig(std::string(what) + " is empty");
  if (value.size() > max_len) {
    return Status::InvalidConfig(std::string(what) + " '" + Printable(value) + "' is longer than " +
                                 std::to_string(max_len) + " characters");
  }
  if (!AllOf(value, IdentityChar)) {
    return Status::InvalidConfig(std::string(what) + " '" + Printable(value) +
                                 "' may only contain letters, digits, '.', '_', ':' and '-'");
  }
  return Status::Ok();
}

Status CheckUser(std::string_view user) {
  if (user.empty() || user.size() > 64 || !AllOf(user, UserChar)) {
    return Status::InvalidConfig("CHAP user '" + Printable(user) +
                                 "' must be 1..64 letters, digits, '.', '_', ':', '@' or '-'");
  }
  return Status::Ok();
}

Status CheckSecret(std::string_view user, std::string_view secret) {
  const std::string who = "CHAP secret of '" + Printable(user) + "'";
  if (secret.size() < kMinSecretLength) {
    return Status::InvalidConfig(who + " is shorter than " + std::to_string(kMinSecretLength) +
                                 " characters");
  }
  if (secret.size() > kMaxSecretLength) {
    return Status::InvalidConfig(who + " is longer than " + std::to_string(kMaxSecretLength) +
                                 " characters");
  }
  for (char c : secret) {
    if (!IsValueChar(c)) {
      // Never the character itself: it is part of the secret.
      return Status::InvalidConfig(who + " contains a character outside letters, digits and " +
                                   std::string(kValuePunctuation));
    }
  }
  return Status::Ok();
}

Status CheckOptionName(std::string_view name) {
  if (name.empty() || name.size() > 64 || !std::isalpha(static_cast<unsigned char>(name[0])) ||
      !AllOf(name,
             [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; })) {
    return Status::InvalidConfig("option name '" + Printable(name) + "' is not valid");
  }
  return Status::Ok();
}

Status CheckOptionValue(std::string_view name, std::string_view value) {
  if (value.empty() || value.size() > 64 || !AllOf(value, IdentityChar)) {
    return Status::InvalidConfig("option " + std::string(name) + ": value '" + Printable(value) +
                                 "' may only contain letters, digits, '.', '_', ':' and '-'");
  }
  return Status::Ok();
}

}  // namespace san::target
