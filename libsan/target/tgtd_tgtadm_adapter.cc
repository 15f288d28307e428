// tgtadm's option handling (usr/tgtadm.c main()) for the subset the backend uses, building the
// payload in tgtadm's order so the bytes equal what tgtadm itself sends.
#include "libsan/target/tgtd_tgtadm_adapter.h"

#include <map>
#include <optional>

#include "libsan/util/strings.h"

namespace san::target::tgt {

namespace {

const std::map<std::string, TgtdMode>& Modes() {
  static const std::map<std::string, TgtdMode> m = {
      {"system", TgtdMode::kSystem},         {"sys", TgtdMode::kSystem},
      {"target", TgtdMode::kTarget},         {"tgt", TgtdMode::kTarget},
      {"logicalunit", TgtdMode::kDevice},    {"lu", TgtdMode::kDevice},
      {"portal", TgtdMode::kPortal},         {"pt", TgtdMode::kPortal},
      {"session", TgtdMode::kSession},       {"sess", TgtdMode::kSession},
      {"connection", TgtdMode::kConnection}, {"conn", TgtdMode::kConnection},
      {"account", TgtdMode::kAccount},       {"lld", TgtdMode::kLld}};
  return m;
}

const std::map<std::string, TgtdOp>& Ops() {
  static const std::map<std::string, TgtdOp> m = {
      {"new", TgtdOp::kNew},     {"delete", TgtdOp::kDelete}, {"show", TgtdOp::kShow},
      {"bind", TgtdOp::kBind},   {"unbind", TgtdOp::kUnbind}, {"update", TgtdOp::kUpdate},
      {"stats", TgtdOp::kStats}, {"start", TgtdOp::kStart},   {"stop", TgtdOp::kStop}};
  return m;
}

// Options taking a value whose text lands in the payload, in tgtadm's payload order.
constexpr const char* kPayloadOrder[] = {"--backing-store",     "--bstype",         "--targetname",
                                         "--initiator-address", "--initiator-name", "--user",
                                         "--password"};
const std::map<std::string, std::string>& PayloadKeys() {
  static const std::map<std::string, std::string> m = {{"--backing-store", "path"},
                                                       {"--bstype", "bstype"},
                                                       {"--targetname", "targetname"},
                                                       {"--initiator-address", "initiator-address"},
                                                       {"--initiator-name", "initiator-name"},
                                                       {"--user", "user"},
                                                       {"--password", "password"}};
  return m;
}

Status Invalid(const std::string& what) { return Status::InvalidConfig("tgtd request: " + what); }

}  // namespace

Result<TgtdRequest> RequestFromTgtadmArgs(const std::vector<std::string>& args) {
  TgtdRequest req;
  std::optional<TgtdMode> mode;
  std::optional<TgtdOp> op;
  std::map<std::string, std::string> values;  // option -> value
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--force") {
      req.force = 1;
      continue;
    }
    if (a == "--outgoing") {
      req.ac_dir = 1;
      continue;
    }
    if (i + 1 >= args.size()) return Invalid("option " + a + " needs a value");
    const std::string& v = args[++i];
    if (a == "--op") {
      auto it = Ops().find(v);
      if (it == Ops().end()) return Invalid("unknown --op " + v);
      op = it->second;
    } else if (a == "--mode") {
      auto it = Modes().find(v);
      if (it == Modes().end()) return Invalid("unknown --mode " + v);
      mode = it->second;
    } else if (a == "--lld") {
      req.lld = v;
    } else if (a == "--tid" || a == "--lun" || a == "--sid" || a == "--cid") {
      Result<int64_t> n = ParseInt64(v);
      if (!n.ok() || *n < 0 || (a != "--lun" && a != "--sid" && *n > INT32_MAX)) {
        return Invalid(a + " '" + v + "' is not a number in range");
      }
      if (a == "--tid") req.tid = static_cast<int32_t>(*n);
      if (a == "--lun") req.lun = static_cast<uint64_t>(*n);
      if (a == "--sid") req.sid = static_cast<uint64_t>(*n);
      if (a == "--cid") req.cid = static_cast<uint32_t>(*n);
    } else if (a == "--name" || a == "--value" || a == "--params" || a == "--param" ||
               PayloadKeys().count(a)) {
      // tgtd finds each key with strstr/strchr and stops at ','; the password is last in the
      // payload and read to its end, so it alone may hold commas.
      if (a != "--password" && a != "--params" && a != "--param" &&
          v.find(',') != std::string::npos) {
        return Invalid(a + " value holds a ','");
      }
      if (v.find('\0') != std::string::npos) return Invalid(a + " value holds a NUL byte");
      // getopt_long takes "--param" as the unambiguous prefix of "--params".
      values[a == "--param" ? "--params" : a] = v;
    } else {
      return Invalid("option " + a + " is not supported over the socket");
    }
  }
  if (!mode || !op) return Invalid("--mode and --op are required");
  req.mode = *mode;
  req.op = *op;
  if (values.count("--name") != values.count("--value")) {
    return Invalid("--name and --value go together");
  }
  std::vector<std::string> parts;
  if (values.count("--name")) parts.push_back(values["--name"] + "=" + values["--value"]);
  for (const char* opt : kPayloadOrder) {
    auto it = values.find(opt);
    if (it != values.end()) parts.push_back(PayloadKeys().at(opt) + "=" + it->second);
  }
  // tgtadm: "targetOps <params>," ("portalOps" in portal mode; the trailing ',' ends the last
  // parameter for tgtd's parser).
  if (values.count("--params")) {
    parts.push_back(std::string(req.mode == TgtdMode::kPortal ? "portalOps " : "targetOps ") +
                    values["--params"] + ",");
  }
  req.payload = Join(parts, ",");
  return req;
}

namespace {

// tgtadm's Output for what the client got.
Result<Output> AsTgtadmOutput(Result<TgtdReply> reply) {
  Output out;
  if (!reply.ok()) {
    // tgtadm's exit code for a daemon it cannot reach (ENOTCONN = 107); a hung or garbled
    // daemon stays a Timeout/Corruption status rather than "not running".
    if (reply.status().code() != Code::kNotFound) return reply.status();
    out.exit_code = 107;
    out.err = "tgtadm: " + reply.status().message() + "\n";
    return out;
  }
  if (reply->err != 0) {
    out.exit_code = 22;  // tgtadm exits EINVAL for every daemon error
    out.err = "tgtadm: " + TgtdErrorText(reply->err) + "\n";
    return out;
  }
  out.out = std::move(reply->text);
  return out;
}

}  // namespace

Result<Output> TgtdSocketRunner::Run(const std::vector<std::string>& args) {
  SAN_ASSIGN_OR_RETURN(TgtdRequest req, RequestFromTgtadmArgs(args));
  return AsTgtadmOutput(client_.Call(req));
}

Result<std::vector<Output>> TgtdSocketRunner::RunAll(
    const std::vector<std::vector<std::string>>& calls) {
  std::vector<TgtdRequest> reqs;
  for (const auto& args : calls) {
    SAN_ASSIGN_OR_RETURN(TgtdRequest req, RequestFromTgtadmArgs(args));
    reqs.push_back(std::move(req));
  }
  Result<std::vector<TgtdReply>> replies = client_.CallAll(reqs);
  std::vector<Output> outs;
  for (size_t i = 0; i < reqs.size(); ++i) {
    SAN_ASSIGN_OR_RETURN(Output o,
                         AsTgtadmOutput(replies.ok() ? Result<TgtdReply>((*replies)[i])
                                                     : Result<TgtdReply>(replies.status())));
    outs.push_back(std::move(o));
  }
  return outs;
}

TgtdSocketChannel::TgtdSocketChannel(std::unique_ptr<TgtdTransport> transport, Logger& log)
    : transport_(std::move(transport)), client_(*transport_), runner_(client_), log_(log) {}

bool TgtdSocketChannel::UseSocket() {
  if (decided_) return *decided_;
  Status probe = client_.Probe();
  if (probe.code() == Code::kNotFound) return true;  // no daemon yet: ask again next time
  decided_ = probe.ok();
  if (probe.ok()) {
    log_.Info("tgtd: using its management socket (tgt 1.0.85 protocol)");
  } else {
    log_.Warning("tgtd: management socket not used (" + probe.message() + "); using tgtadm");
  }
  return *decided_;
}

}  // namespace san::target::tgt
