// SnmpClient over the net-snmp library, in process: one single-session handle per agent, numeric
// OIDs only (no MIB files are read), no configuration or persistent files read or written. This is
// the only file that includes net-snmp headers.
// net-snmp's headers must come in this order (config first).
// clang-format off
#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>
#include <net-snmp/library/snmpusm.h>
// clang-format on

#include <cstring>
#include <mutex>

#include "libsan/snmp/snmp_client.h"
#include "libsan/util/strings.h"

namespace san::snmp {
namespace {

void InitLibraryOnce() {
  static std::once_flag once;
  std::call_once(once, [] {
    // Nothing from ~/.snmp or /etc/snmp, no engine-boots file under /var/lib/snmp, no MIB parsing
    // (numeric OIDs only), and no chatter on stderr: errors come back as Status.
    netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_DONT_READ_CONFIGS, 1);
    netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_DISABLE_PERSISTENT_LOAD, 1);
    netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_DISABLE_PERSISTENT_SAVE, 1);
    netsnmp_ds_set_string(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_MIBDIRS, "");
    netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_MIB_ERRORS, 0);
    // With no handler at all net-snmp falls back to stderr: register one that discards.
    netsnmp_register_loghandler(NETSNMP_LOGHANDLER_NONE, LOG_EMERG);
    init_snmp("fence_apc_pdu");
  });
}

Result<std::vector<oid>> ParseOid(const std::string& text) {
  std::vector<oid> out;
  for (const std::string& part : SplitList(text, ".")) {
    Result<int64_t> n = ParseInt64(part);
    if (!n.ok() || *n < 0 || *n > 0xffffffffLL) {
      return Status::InvalidConfig("not a numeric OID: " + Printable(text));
    }
    out.push_back(static_cast<oid>(*n));
  }
  if (out.size() < 2 || out.size() > MAX_OID_LEN) {
    return Status::InvalidConfig("not a numeric OID: " + Printable(text));
  }
  return out;
}

std::string FormatOid(const oid* name, size_t len) {
  std::string s;
  for (size_t i = 0; i < len; ++i) s += "." + std::to_string(name[i]);
  return s;
}

VarBind Convert(const netsnmp_variable_list* v) {
  VarBind b;
  b.oid = FormatOid(v->name, v->name_length);
  switch (v->type) {
    case ASN_INTEGER:
      b.type = VarBind::Type::kInteger;
      b.integer = *v->val.integer;
      break;
    case ASN_COUNTER:
    case ASN_GAUGE:
    case ASN_TIMETICKS:
      b.type = VarBind::Type::kInteger;
      b.integer = static_cast<uint32_t>(*v->val.integer);
      break;
    case ASN_OCTET_STR:
      b.type = VarBind::Type::kString;
      b.text.assign(reinterpret_cast<const char*>(v->val.string), v->val_len);
      break;
    case ASN_OBJECT_ID:
      b.type = VarBind::Type::kOid;
      b.text = FormatOid(v->val.objid, v->val_len / sizeof(oid));
      break;
    case SNMP_NOSUCHOBJECT:
      b.type = VarBind::Type::kNoSuchObject;
      break;
    case SNMP_NOSUCHINSTANCE:
      b.type = VarBind::Type::kNoSuchInstance;
      break;
    case SNMP_ENDOFMIBVIEW:
      b.type = VarBind::Type::kEndOfMib;
      break;
    default:
      b.type = VarBind::Type::kOther;
  }
  return b;
}

struct AuthChoice {
  const char* name;
  const oid* proto;
  size_t len;
};

const oid* AuthProtocol(const std::string& name, size_t* len) {
  static const AuthChoice kChoices[] = {
      {"MD5", usmHMACMD5AuthProtocol, OID_LENGTH(usmHMACMD5AuthProtocol)},
      {"SHA", usmHMACSHA1AuthProtocol, OID_LENGTH(usmHMACSHA1AuthProtocol)},
      {"SHA224", usmHMAC128SHA224AuthProtocol, OID_LENGTH(usmHMAC128SHA224AuthProtocol)},
      {"SHA256", usmHMAC192SHA256AuthProtocol, OID_LENGTH(usmHMAC192SHA256AuthProtocol)},
      {"SHA384", usmHMAC256SHA384AuthProtocol, OID_LENGTH(usmHMAC256SHA384AuthProtocol)},
      {"SHA512", usmHMAC384SHA512AuthProtocol, OID_LENGTH(usmHMAC384SHA512AuthProtocol)},
  };
  for (const auto& c : kChoices) {
    if (name == c.name) {
      *len = c.len;
      return c.proto;
    }
  }
  return nullptr;
}

const oid* PrivProtocol(const std::string& name, size_t* len) {
  static const AuthChoice kChoices[] = {
      {"DES", usmDESPrivProtocol, OID_LENGTH(usmDESPrivProtocol)},
      {"AES", usmAESPrivProtocol, OID_LENGTH(usmAESPrivProtocol)},
      {"AES192", usmAES192PrivProtocol, OID_LENGTH(usmAES192PrivProtocol)},
      {"AES256", usmAES256PrivProtocol, OID_LENGTH(usmAES256PrivProtocol)},
  };
  for (const auto& c : kChoices) {
    if (name == c.name) {
      *len = c.len;
      return c.proto;
    }
  }
  return nullptr;
}

class NetSnmpClient : public SnmpClient {
 public:
  NetSnmpClient(void* handle, Target target) : handle_(handle), target_(std::move(target)) {}
  ~NetSnmpClient() override {
    // net-snmp keeps USM users (engine, name → keys) process-wide and reuses the first keys it saw
    // for a name: drop ours so a later session with other credentials is checked afresh.
    netsnmp_session* s = snmp_sess_session(handle_);
    if (target_.version == Version::kV3 && s && s->securityEngineIDLen > 0) {
      struct usmUser* user =
          usm_get_user(s->securityEngineID, s->securityEngineIDLen, s->securityName);
      if (user) {
        usm_remove_user(user);
        usm_free_user(user);
      }
    }
    snmp_sess_close(handle_);
  }

  Result<std::vector<VarBind>> Get(const std::vector<std::string>& oids) override {
    netsnmp_pdu* pdu = snmp_pdu_create(SNMP_MSG_GET);
    for (const std::string& o : oids) {
      Result<std::vector<oid>> name = ParseOid(o);
      if (!name.ok()) {
        snmp_free_pdu(pdu);
        return name.status();
      }
      snmp_add_null_var(pdu, name->data(), name->size());
    }
    return Exchange(pdu, "GET " + oids.front());
  }

  Status Set(const std::vector<std::pair<std::string, int64_t>>& values) override {
    netsnmp_pdu* pdu = snmp_pdu_create(SNMP_MSG_SET);
    for (const auto& [o, value] : values) {
      Result<std::vector<oid>> name = ParseOid(o);
      if (!name.ok()) {
        snmp_free_pdu(pdu);
        return name.status();
      }
      long v = static_cast<long>(value);
      snmp_pdu_add_variable(pdu, name->data(), name->size(), ASN_INTEGER, &v, sizeof v);
    }
    return Exchange(pdu, "SET " + values.front().first).status();
  }

  Result<std::vector<VarBind>> Walk(const std::string& prefix, size_t limit) override {
    std::vector<VarBind> out;
    std::string cursor = prefix;
    while (out.size() < limit) {
      bool bulk = target_.version != Version::kV1;
      netsnmp_pdu* pdu = snmp_pdu_create(bulk ? SNMP_MSG_GETBULK : SNMP_MSG_GETNEXT);
      if (bulk) {
        pdu->non_repeaters = 0;
        pdu->max_repetitions = 32;
      }
      SAN_ASSIGN_OR_RETURN(std::vector<oid> name, ParseOid(cursor));
      snmp_add_null_var(pdu, name.data(), name.size());
      Result<std::vector<VarBind>> answer = Exchange(pdu, "walk " + prefix);
      // v1 ends a walk with noSuchName.
      if (!answer.ok() && answer.status().code() == Code::kNotFound && !bulk) break;
      if (!answer.ok()) return answer.status();
      if (answer->empty()) break;
      for (VarBind& b : *answer) {
        if (!b.Exists() || !OidUnder(b.oid, prefix) || out.size() >= limit) return out;
        cursor = b.oid;
        out.push_back(std::move(b));
      }
    }
    return out;
  }

 private:
  // Sends `pdu` (ownership taken) and converts the answer.
  Result<std::vector<VarBind>> Exchange(netsnmp_pdu* pdu, const std::string& what) {
    // The tries of this request end by the operation deadline: net-snmp reads timeout and
    // retries from the session when the request is sent.
    Result<RequestBudget> budget = BudgetFor(target_, std::chrono::steady_clock::now(), what);
    if (!budget.ok()) {
      snmp_free_pdu(pdu);
      return budget.status();
    }
    if (netsnmp_session* session = snmp_sess_session(handle_)) {
      session->timeout = static_cast<long>(budget->timeout.count()) * 1000;
      session->retries = budget->retries;
    }
    netsnmp_pdu* response = nullptr;
    int st = snmp_sess_synch_response(handle_, pdu, &response);
    std::unique_ptr<netsnmp_pdu, void (*)(netsnmp_pdu*)> owned(response, snmp_free_pdu);
    int liberr = 0, syserr = 0;
    std::string message = "unknown error";
    if (st != STAT_SUCCESS || response == nullptr) {
      char* text = nullptr;
      snmp_sess_error(handle_, &liberr, &syserr, &text);
      if (text) message = text;
      free(text);
    }
    if (st == STAT_TIMEOUT || liberr == SNMPERR_TIMEOUT) {
      return Status::Timeout(
          "no answer from " + target_.Address() + " to " + what + " " + DescribeWait(*budget) +
          " (PDU down or unreachable" +
          (target_.version == Version::kV3 ? std::string(")") : ", or wrong community)"));
    }
    if (st != STAT_SUCCESS || response == nullptr) {
      return Status::CommandFailed(target_.Address() + ": " + what + ": " + message);
    }
    if (response->errstat != SNMP_ERR_NOERROR) {
      std::string message = target_.Address() + " refused " + what + ": " +
                            snmp_errstring(static_cast<int>(response->errstat));
      if (response->errstat == SNMP_ERR_NOSUCHNAME) return Status::NotFound(message);
      return Status::CommandFailed(message);
    }
    std::vector<VarBind> out;
    for (netsnmp_variable_list* v = response->variables; v; v = v->next_variable) {
      out.push_back(Convert(v));
    }
    return out;
  }

  void* handle_;
  Target target_;
};

}  // namespace

Result<std::unique_ptr<SnmpClient>> OpenNetSnmp(const Target& target) {
  InitLibraryOnce();
  netsnmp_session s;
  snmp_sess_init(&s);
  bool v6 = target.host.find(':') != std::string::npos;
  std::string host = target.host;
  if (v6 && host.front() != '[') host = "[" + host + "]";
  std::string peer = (v6 ? "udp6:" : "udp:") + host + ":" + std::to_string(target.port);
  s.peername = peer.data();
  // SNMPv3 engine discovery happens inside snmp_sess_open: it too ends by the deadline.
  SAN_ASSIGN_OR_RETURN(RequestBudget budget,
                       BudgetFor(target, std::chrono::steady_clock::now(), "the session open"));
  s.timeout = static_cast<long>(budget.timeout.count()) * 1000;
  s.retries = budget.retries;
  std::string community = target.community;
  switch (target.version) {
    case Version::kV1:
    case Version::kV2c:
      s.version = target.version == Version::kV1 ? SNMP_VERSION_1 : SNMP_VERSION_2c;
      s.community = reinterpret_cast<u_char*>(community.data());
      s.community_len = community.size();
      break;
    case Version::kV3: {
      s.version = SNMP_VERSION_3;
      if (target.username.empty()) return Status::InvalidConfig("SNMPv3 needs a username");
      s.securityName = const_cast<char*>(target.username.c_str());
      s.securityNameLen = target.username.size();
      std::string level = target.sec_level;
      if (level.empty()) {
        level = !target.priv_password.empty()   ? "authPriv"
                : !target.auth_password.empty() ? "authNoPriv"
                                                : "noAuthNoPriv";
      }
      if (level == "noAuthNoPriv") {
        s.securityLevel = SNMP_SEC_LEVEL_NOAUTH;
      } else if (level == "authNoPriv") {
        s.securityLevel = SNMP_SEC_LEVEL_AUTHNOPRIV;
      } else if (level == "authPriv") {
        s.securityLevel = SNMP_SEC_LEVEL_AUTHPRIV;
      } else {
        return Status::InvalidConfig("unknown SNMPv3 security level " + Printable(level));
      }
      if (s.securityLevel != SNMP_SEC_LEVEL_NOAUTH) {
        std::string name = target.auth_protocol.empty() ? "SHA" : target.auth_protocol;
        size_t len = 0;
        const oid* proto = AuthProtocol(name, &len);
        if (!proto) return Status::InvalidConfig("unknown SNMPv3 auth protocol " + Printable(name));
        s.securityAuthProto = snmp_duplicate_objid(proto, len);
        s.securityAuthProtoLen = len;
        s.securityAuthKeyLen = USM_AUTH_KU_LEN;
        const std::string& pass = target.auth_password;
        if (generate_Ku(s.securityAuthProto, s.securityAuthProtoLen,
                        reinterpret_cast<const u_char*>(pass.data()), pass.size(),
                        s.securityAuthKey, &s.securityAuthKeyLen) != SNMPERR_SUCCESS) {
          SNMP_FREE(s.securityAuthProto);
          return Status::InvalidConfig("unusable SNMPv3 auth password (at least 8 characters)");
        }
      }
      if (s.securityLevel == SNMP_SEC_LEVEL_AUTHPRIV) {
        std::string name = target.priv_protocol.empty() ? "AES" : target.priv_protocol;
        size_t len = 0;
        const oid* proto = PrivProtocol(name, &len);
        if (!proto) {
          SNMP_FREE(s.securityAuthProto);
          return Status::InvalidConfig("unknown SNMPv3 privacy protocol " + Printable(name));
        }
        s.securityPrivProto = snmp_duplicate_objid(proto, len);
        s.securityPrivProtoLen = len;
        s.securityPrivKeyLen = USM_PRIV_KU_LEN;
        const std::string& pass = target.priv_password;
        if (generate_Ku(s.securityAuthProto, s.securityAuthProtoLen,
                        reinterpret_cast<const u_char*>(pass.data()), pass.size(),
                        s.securityPrivKey, &s.securityPrivKeyLen) != SNMPERR_SUCCESS) {
          SNMP_FREE(s.securityAuthProto);
          SNMP_FREE(s.securityPrivProto);
          return Status::InvalidConfig("unusable SNMPv3 privacy password (at least 8 characters)");
        }
      }
      break;
    }
  }
  void* handle = snmp_sess_open(&s);
  SNMP_FREE(s.securityAuthProto);
  SNMP_FREE(s.securityPrivProto);
  // Wipe key material from the stack copy; the library keeps its own.
  memset(s.securityAuthKey, 0, sizeof s.securityAuthKey);
  memset(s.securityPrivKey, 0, sizeof s.securityPrivKey);
  if (handle == nullptr) {
    int liberr = 0, syserr = 0;
    char* text = nullptr;
    snmp_error(&s, &liberr, &syserr, &text);
    std::string message = text ? text : "cannot open session";
    free(text);
    if (liberr == SNMPERR_TIMEOUT) {
      return Status::Timeout("no answer from " + target.Address() +
                             " to SNMPv3 engine discovery (PDU down or unreachable)");
    }
    if (liberr == SNMPERR_BAD_ADDRESS) {
      return Status::NotFound("cannot resolve PDU address " + target.Address());
    }
    return Status::CommandFailed(target.Address() + ": " + message);
  }
  return std::unique_ptr<SnmpClient>(new NetSnmpClient(handle, target));
}

}  // namespace san::snmp
