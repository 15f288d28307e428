// Syntax checks for the names and values a target file carries: iSCSI names (IQN/EUI), SCSI
// identities, account users and secrets, option names and values. Pure; shared by the parser and
// the backends so a value that passed here is safe in an argv or a tgt config file.
#pragma once

#include <string>
#include <string_view>

#include "libsan/util/status.h"

namespace san::target {

// The one character class of every value a target file carries (names, paths, users, secrets,
// identities, options): ASCII letters, digits and the punctuation in kValuePunctuation. None of
// these means anything to a shell word, to tgt-admin's config reader (Config::General: '#'
// comments, '<' '>' blocks, quotes, '\\' escapes, '$' variables) or to the records file (blank
// separated), so a value can be written into any of them without quoting. Single fields narrow
// it further (IQNs, users, identities; paths refuse ',' and '=', tgtadm's --params separators).
inline constexpr std::string_view kValuePunctuation = "._:@%+=,/-";
bool IsValueChar(char c);
// InvalidConfig "WHAT: character 'C' is not allowed (...)" for the first character outside it.
Status CheckValueChars(std::string_view what, std::string_view value);

// RFC 3720 iqn. (lower-case "iqn.YYYY-MM.authority[:unique]", [a-z0-9.:-]) or eui. (16 hex
// digits; returned upper-case). At most 223 bytes. InvalidConfig saying what is wrong otherwise.
Result<std::string> CanonicalIscsiName(std::string_view text);

// A short target name joined to an IQN prefix: [a-z0-9.-]+, 1..64 characters.
bool IsShortTargetName(std::string_view text);

// SCSI identity values (scsi_id, scsi_sn, vendor, product): 1..max_len of [A-Za-z0-9._:-].
Status CheckIdentity(std::string_view what, std::string_view value, size_t max_len);

// CHAP user: 1..64 of [A-Za-z0-9._:@-]. Secret: 12..64 characters of the value class (so '#',
// quotes, '$', blanks and shell operators never reach tgt-admin). Messages never contain the
// secret.
Status CheckUser(std::string_view user);
Status CheckSecret(std::string_view user, std::string_view secret);

// Option names [A-Za-z][A-Za-z0-9_]* up to 64; values [A-Za-z0-9._:-] up to 64.
Status CheckOptionName(std::string_view name);
Status CheckOptionValue(std::string_view name, std::string_view value);

inline constexpr size_t kMaxScsiIdLength = 36;  // tgt truncates longer values silently
inline constexpr size_t kMaxVendorLength = 8;
inline constexpr size_t kMaxProductLength = 16;
inline constexpr size_t kMinSecretLength = 12;
inline constexpr size_t kMaxSecretLength = 64;

}  // namespace san::target
