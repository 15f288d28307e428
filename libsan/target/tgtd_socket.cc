// Encoding of tgtadm's wire format. Offsets follow struct tgtadm_req field by field so the bytes
// equal tgtadm's own (the unit tests compare them with requests recorded from tgtadm).
#include "libsan/target/tgtd_socket.h"

#include <algorithm>
#include <array>
#include <cstring>

#include "libsan/util/strings.h"

namespace san::target::tgt {

namespace {

constexpr size_t kLldLen = 64;  // TGT_LLD_NAME_LEN, NUL included

template <typename T>
void Put(std::string& out, size_t offset, T value) {
  std::memcpy(out.data() + offset, &value, sizeof(value));
}

template <typename T>
T Get(std::string_view in, size_t offset) {
  T value;
  std::memcpy(&value, in.data() + offset, sizeof(value));
  return value;
}

constexpr std::array<const char*, 9> kOpNames = {"new",    "delete", "show",  "bind", "unbind",
                                                 "update", "stats",  "start", "stop"};
constexpr std::array<const char*, 8> kModeNames = {"system", "target",  "logicalunit", "portal",
                                                   "lld",    "session", "conn",        "account"};

}  // namespace

std::string TgtdRequest::Describe() const {
  const auto m = static_cast<size_t>(mode);
  const auto o = static_cast<size_t>(op);
  std::string d = std::string(m < kModeNames.size() ? kModeNames[m] : "mode?") + "/" +
                  (o < kOpNames.size() ? kOpNames[o] : "op?");
  if (tid != -1) d += " tid=" + std::to_string(tid);
  if (lun != UINT64_MAX) d += " lun=" + std::to_string(lun);
  if (sid != 0) d += " sid=" + std::to_string(sid) + " cid=" + std::to_string(cid);
  // Keys only: values may be secrets (password=) or hostile text.
  std::string keys;
  for (const auto& item : SplitList(payload, ",")) {
    const size_t eq = item.find('=');
    if (eq == std::string::npos) continue;
    keys += (keys.empty() ? "" : ",") + item.substr(0, eq);
  }
  if (!keys.empty()) d += " [" + keys + "]";
  return d;
}

Result<std::string> EncodeTgtdRequest(const TgtdRequest& req) {
  if (req.lld.size() >= kLldLen) {
    return Status::InvalidConfig("tgtd request: lld name longer than 63 bytes");
  }
  if (req.payload.find('\0') != std::string::npos) {
    return Status::InvalidConfig("tgtd request " + req.Describe() + ": a value holds a NUL byte");
  }
  // tgtadm sends the text and its NUL; an empty payload is no bytes at all.
  const size_t body = req.payload.empty() ? 0 : req.payload.size() + 1;
  if (body > kTgtdMaxPayload) {
    return Status::InvalidConfig("tgtd request " + req.Describe() + ": parameters of " +
                                 std::to_string(body) + " bytes exceed tgtd's limit of " +
                                 std::to_string(kTgtdMaxPayload));
  }
  std::string out(kTgtdRequestHeaderSize + body, '\0');
  Put<uint32_t>(out, 0, static_cast<uint32_t>(req.mode));
  Put<uint32_t>(out, 4, static_cast<uint32_t>(req.op));
  std::memcpy(out.data() + 8, req.lld.data(), req.lld.size());
  Put<uint32_t>(out, 72, static_cast<uint32_t>(kTgtdRequestHeaderSize + body));
  Put<int32_t>(out, 76, req.tid);
  Put<uint64_t>(out, 80, req.sid);
  Put<uint64_t>(out, 88, req.lun);
  Put<uint32_t>(out, 96, req.cid);
  Put<uint32_t>(out, 100, req.host_no);
  Put<uint32_t>(out, 104, req.device_type);
  Put<uint32_t>(out, 108, req.ac_dir);
  Put<uint32_t>(out, 112, 0);  // pack: unused by tgtd 1.0.85
  Put<uint32_t>(out, 116, req.force);
  if (body)
    std::memcpy(out.data() + kTgtdRequestHeaderSize, req.payload.data(), req.payload.size());
  return out;
}

Result<TgtdReplyHeader> DecodeTgtdReplyHeader(std::string_view bytes) {
  if (bytes.size() != kTgtdReplyHeaderSize) {
    return Status::Corruption("tgtd reply header of " + std::to_string(bytes.size()) +
                              " bytes (expected " + std::to_string(kTgtdReplyHeaderSize) + ")");
  }
  TgtdReplyHeader h{Get<uint32_t>(bytes, 0), Get<uint32_t>(bytes, 4)};
  if (h.len < kTgtdReplyHeaderSize || h.len > kTgtdMaxReply) {
    return Status::Corruption("tgtd reply announces " + std::to_string(h.len) +
                              " bytes: not tgt's protocol");
  }
  if (h.err != 0 && h.len != kTgtdReplyHeaderSize) {
    return Status::Corruption("tgtd error reply " + std::to_string(h.err) + " carries a body");
  }
  return h;
}

std::string TgtdErrorText(uint32_t err) {
  // tgtadm.c's tgtadm_strerror table, index = enum tgtadm_errno.
  static constexpr std::array<const char*, 25> kText = {
      "success",
      "unknown error",
      "out of memory",
      "can't find the driver",
      "can't find the target",
      "can't find the logical unit",
      "can't find the session",
      "can't find the connection",
      "can't find the binding",
      "this target already exists",
      "this logical unit number already exists",
      "this binding already exists",
      "this access control rule already exists",
      "this access control rule does not exist",
      "this account already exists",
      "can't find the account",
      "too many accounts",
      "invalid request",
      "this target already has an outgoing account",
      "this target is still active",
      "this logical unit is still active",
      "this driver is busy",
      "this operation isn't supported",
      "unknown parameter",
      "this device has Prevent Removal set"};
  if (err < kText.size()) return kText[err];
  return "unknown error code " + std::to_string(err);
}

TgtError ClassifyTgtdError(uint32_t err) {
  switch (err) {
    case 0:
      return TgtError::kNone;
    case 4:   // NO_TARGET
    case 5:   // NO_LUN
    case 6:   // NO_SESSION
    case 7:   // NO_CONNECTION
    case 8:   // NO_BINDING
    case 13:  // ACL_NOEXIST
    case 15:  // NO_USER
      return TgtError::kNotFound;
    case 9:   // TARGET_EXIST
    case 10:  // LUN_EXIST
    case 11:  // BINDING_EXIST
    case 12:  // ACL_EXIST
    case 14:  // USER_EXIST
    case 18:  // OUTACCOUNT_EXIST
      return TgtError::kExists;
    case 19:  // TARGET_ACTIVE
    case 20:  // LUN_ACTIVE
      return TgtError::kBusy;
    case 17:  // INVALID_REQUEST
    case 22:  // UNSUPPORTED_OPERATION
    case 23:  // UNKNOWN_PARAM
      return TgtError::kInvalid;
    default:  // unknown, NOMEM, NO_DRIVER, TOO_MANY_USER, DRIVER_ACTIVE, PREVENT_REMOVAL
      return TgtError::kOther;
  }
}

Result<std::string> TgtdReplyText(std::string_view body) {
  if (!body.empty() && body.back() == '\0') body.remove_suffix(1);
  if (body.find('\0') != std::string_view::npos) {
    return Status::Corruption("tgtd reply text holds a NUL byte before its end");
  }
  return std::string(body);
}

std::string TgtdSocketPath(std::string_view prefix, int control_port) {
  const std::string base = prefix.empty() ? "/var/run/tgtd/socket" : std::string(prefix);
  return base + "." + std::to_string(control_port);
}

Status CheckTgtdProtocol(std::string_view text) {
  std::vector<std::string> lines;
  for (size_t start = 0; start < text.size();) {
    const size_t end = std::min(text.find('\n', start), text.size());
    lines.emplace_back(text.substr(start, end - start));
    start = end + 1;
  }
  auto differ = [](const std::string& why) {
    return Status::InvalidConfig("tgtd's system listing is not tgt 1.0.85's (" + why + ")");
  };
  if (lines.size() < 5) return differ("too short");
  if (lines[0] != "System:") return differ("first line '" + lines[0] + "'");
  if (lines[1] != "    State: ready" && lines[1] != "    State: running" &&
      lines[1] != "    State: offline") {
    return differ("line 2 '" + lines[1] + "'");
  }
  if (lines[2] != "    debug: off" && lines[2] != "    debug: on") {
    return differ("line 3 '" + lines[2] + "'");
  }
  if (lines[3] != "LLDs:") return differ("line 4 '" + lines[3] + "'");
  for (size_t i = 4; i < lines.size() && lines[i].rfind("    ", 0) == 0; ++i) {
    if (lines[i] == "    iscsi: ready") return Status::Ok();
  }
  return differ("no '    iscsi: ready' among the LLDs");
}

}  // namespace san::target::tgt
