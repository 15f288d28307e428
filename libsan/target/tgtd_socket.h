// tgtd's management protocol (tgt 1.0.85 usr/tgtadm.h, unchanged through 1.0.97), pure: the
// request header + parameter payload that tgtadm writes to tgtd's unix socket, and the reply
// header whose error code replaces tgtadm's stderr text. No I/O here; see tgtd_client.h.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "libsan/target/tgt_backend.h"
#include "libsan/util/status.h"

namespace san::target::tgt {

// enum tgtadm_mode and enum tgtadm_op, in tgt's order (the numbers are the wire values).
enum class TgtdMode : uint32_t {
  kSystem = 0,
  kTarget,
  kDevice,  // tgtadm's "logicalunit"
  kPortal,
  kLld,
  kSession,
  kConnection,  // tgtadm's "conn"
  kAccount,
};
enum class TgtdOp : uint32_t {
  kNew = 0,
  kDelete,
  kShow,
  kBind,
  kUnbind,
  kUpdate,
  kStats,
  kStart,
  kStop
};

// sizeof(struct tgtadm_req) and sizeof(struct tgtadm_rsp) on Linux (no padding in either).
inline constexpr size_t kTgtdRequestHeaderSize = 120;
inline constexpr size_t kTgtdReplyHeaderSize = 8;
// tgtd drops a connection whose payload exceeds MAX_MGT_BUFSIZE (mgmt.c) without replying.
inline constexpr size_t kTgtdMaxPayload = 8 * 1024;
// A reply longer than this is taken as a stream out of step (tgtd's largest listings of
// thousands of LUNs stay far below it).
inline constexpr uint64_t kTgtdMaxReply = 256ull * 1024 * 1024;
// tgtd uses the default 0 unless started with -C; the socket is "<prefix>.<port>".
inline constexpr int kTgtdDefaultControlPort = 0;
inline constexpr uint32_t kTgtdGlobalTid = ~0u;  // GLOBAL_TID: discovery account bindings

// One request, with tgtadm's defaults for everything a command does not set.
struct TgtdRequest {
  TgtdMode mode = TgtdMode::kSystem;
  TgtdOp op = TgtdOp::kShow;
  std::string lld = "iscsi";
  int32_t tid = -1;
  uint64_t sid = 0;
  uint64_t lun = UINT64_MAX;
  uint32_t cid = 0;
  uint32_t host_no = 0;
  uint32_t device_type = 0;  // TYPE_DISK
  uint32_t ac_dir = 0;       // ACCOUNT_TYPE_INCOMING; 1 = outgoing
  uint32_t force = 0;
  // "key=value,key=value" without tgtadm's trailing NUL (the encoder adds it). May hold a CHAP
  // secret: never log it (Describe() leaves it out).
  std::string payload;

  // "mode/op tid=N lun=N" and the payload keys only, for logs and error messages.
  std::string Describe() const;
};

// The bytes tgtadm would send for `req`: header (native byte order, tgtd runs on this host) and
// the payload plus its NUL. InvalidConfig when the lld name does not fit, the payload holds a NUL
// or exceeds kTgtdMaxPayload.
Result<std::string> EncodeTgtdRequest(const TgtdRequest& req);

struct TgtdReplyHeader {
  uint32_t err = 0;  // enum tgtadm_errno; 0 = success
  uint32_t len = 0;  // header + body bytes
};
// Corruption unless `bytes` is exactly kTgtdReplyHeaderSize long with a sane length.
Result<TgtdReplyHeader> DecodeTgtdReplyHeader(std::string_view bytes);

// tgtadm's message for error code `err` (tgtadm.c's table), e.g. "can't find the target".
std::string TgtdErrorText(uint32_t err);
// The backend's category for error code `err` (the same ones ClassifyTgtadm gives tgtadm's text).
TgtError ClassifyTgtdError(uint32_t err);

// The show text of a reply body: tgtd sends the text and its NUL (or nothing at all).
// Corruption when a NUL sits anywhere but at the end.
Result<std::string> TgtdReplyText(std::string_view body);

// The socket path: `prefix` is TGT_IPC_SOCKET's value ("" = tgt's /var/run/tgtd/socket).
std::string TgtdSocketPath(std::string_view prefix, int control_port = kTgtdDefaultControlPort);

// The protocol probe: OK when `system_show` (the reply to system/show) has tgt 1.0.85's layout
// ("System:", "    State: ready|running|offline", "    debug: on|off", "LLDs:" with an iscsi line
// "    iscsi: ready"), which pins the header and enum layout too. InvalidConfig naming the first
// differing line otherwise: the caller falls back to tgtadm and logs why.
Status CheckTgtdProtocol(std::string_view system_show);

}  // namespace san::target::tgt
