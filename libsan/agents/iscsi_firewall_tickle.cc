// Tickle ACKs: the connection lists in tickle_dir (this node's from /proc/net/tcp{,6}, the
// peers' validated as untrusted text), the raw ACKs after a takeover, and local resets on stop.
#include "libsan/agents/iscsi_firewall_tickle.h"

#include <cstdio>
#include <tuple>

#include "libsan/firewall/tickle_file.h"
#include "libsan/net/tcp_table.h"
#include "libsan/util/strings.h"

namespace san::agents::iscsi_firewall {

namespace {

std::string SpecKeyText(const Config& cfg) {
  char key[32];
  std::snprintf(key, sizeof key, "%016llx", static_cast<unsigned long long>(SpecKey(cfg.spec)));
  return key;
}

std::string NodeName(ocf::Context& ctx) {
  std::vector<std::string> words = SplitList(ctx.Env("OCF_RESKEY_CRM_meta_on_node"), " \t\r\n");
  if (words.size() != 1) {
    Result<std::string> name = ctx.host().ReadFile("/proc/sys/kernel/hostname");
    words = name.ok() ? SplitList(*name, " \t\r\n") : std::vector<std::string>{};
  }
  return words.size() == 1 ? words[0] : "node";
}

// This node's established connections to the spec, from /proc/net/tcp{,6}.
Result<std::vector<net::TcpConnection>> LocalConnections(ocf::Context& ctx, const Config& cfg) {
  std::vector<net::TcpConnection> all;
  bool v4 = false, v6 = false;
  for (const net::Network& d : cfg.spec.destinations)
    (d.family == net::Family::kIpv4 ? v4 : v6) = true;
  for (auto [path, family, wanted] : {std::tuple{"/proc/net/tcp", net::Family::kIpv4, v4},
                                      std::tuple{"/proc/net/tcp6", net::Family::kIpv6, true}}) {
    // tcp6 also lists IPv4 peers of dual-stack sockets (as ::ffff:a.b.c.d).
    if (!wanted) continue;
    Result<std::string> text = ctx.host().ReadFile(path);
    if (!text.ok()) {
      if (family == net::Family::kIpv6 && !v6) continue;  // no IPv6 in this kernel
      return text.status();
    }
    SAN_ASSIGN_OR_RETURN(std::vector<net::TcpConnection> found,
                         net::ParseProcNetTcp(*text, family));
    all.insert(all.end(), found.begin(), found.end());
  }
  return firewall::ConnectionsOf(cfg.spec, all);
}

// The connections every node recorded in tickle_dir (validated: the files come from peers).
std::vector<net::TcpConnection> RecordedConnections(ocf::Context& ctx, const Config& cfg) {
  std::vector<net::TcpConnection> all;
  Result<std::vector<std::string>> names = ctx.host().ListDirectory(cfg.tickle_dir);
  if (!names.ok()) {
    ctx.log().Warning("cannot read tickle_dir: " + names.status().message());
    return all;
  }
  const std::string key = SpecKeyText(cfg);
  for (const std::string& name : *names) {
    if (!firewall::IsTickleFileOf(name, key)) continue;
    const std::string path = cfg.tickle_dir + "/" + name;
    // lstat: a link, FIFO or device is never opened; the size is capped before reading.
    Result<FileInfo> info = ctx.host().Stat(path);
    if (!info.ok() || info->type != FileInfo::Type::kRegular ||
        info->size > firewall::kMaxTickleFileBytes) {
      ctx.log().Warning("ignoring " + path + ": not a regular file of at most " +
                        std::to_string(firewall::kMaxTickleFileBytes) + " bytes");
      continue;
    }
    Result<std::string> text = ctx.host().ReadFile(path);
    Result<firewall::TickleFile> file = text.ok() ? firewall::ParseTickleFile(*text, cfg.spec)
                                                  : Result<firewall::TickleFile>(text.status());
    if (!file.ok()) {
      ctx.log().Warning("ignoring " + path + ": " + file.status().message());
      continue;
    }
    if (file->rejected_lines > 0) {
      ctx.log().Warning(path + ": skipped " + std::to_string(file->rejected_lines) +
                        " line(s) that are not connections to " +
                        DescribeRules(firewall::ExpandRules(cfg.spec)));
    }
    all.insert(all.end(), file->connections.begin(), file->connections.end());
  }
  return firewall::ConnectionsOf(cfg.spec, all);
}

}  // namespace

// Writes this node's connection list to tickle_dir when it changed. Failures are warnings: a
// shared directory that is away must not fail the service, it only costs the next takeover its
// tickles.
void RecordConnections(ocf::Context& ctx, const Config& cfg) {
  if (cfg.tickle_dir.empty()) return;
  Result<std::vector<net::TcpConnection>> conns = LocalConnections(ctx, cfg);
  if (!conns.ok()) {
    ctx.log().Warning("cannot list established connections: " + conns.status().message());
    return;
  }
  const std::string path =
      cfg.tickle_dir + "/" + firewall::TickleFileName(SpecKeyText(cfg), NodeName(ctx));
  const std::string text = firewall::FormatTickleFile(*conns);
  if (Result<std::string> old = ctx.host().ReadFile(path); old.ok() && *old == text) return;
  if (Status s = ctx.host().WriteFileAtomically(path, text); !s.ok()) {
    ctx.log().Warning("cannot record connections for tickle ACKs: " + s.message());
    return;
  }
  ctx.log().Info("recorded " + std::to_string(conns->size()) + " connection(s) in " + path);
}

void SendRecordedTickles(ocf::Context& ctx, const Config& cfg, const SenderFactory& factory) {
  std::vector<net::TcpConnection> conns = RecordedConnections(ctx, cfg);
  if (conns.empty()) return;
  std::unique_ptr<net::PacketSender> sender = factory();
  net::TickleReport report = net::SendTickles(*sender, conns);
  std::string text = "sent " + std::to_string(report.packets_sent) + " tickle ACK(s) to " +
                     std::to_string(report.connections) + " recorded connection(s)";
  if (report.packets_failed == 0) {
    ctx.log().Info(text);
  } else {
    // Like portblock: a failed tickle only means initiators wait for their retransmission.
    ctx.log().Warning(text + "; " + std::to_string(report.packets_failed) +
                      " failed: " + report.first_error);
  }
}

// Resets this node's established connections to the spec (ss -K, sock_diag SOCK_DESTROY).
void ResetLocalConnections(ocf::Context& ctx, const Config& cfg) {
  Result<std::vector<net::TcpConnection>> conns = LocalConnections(ctx, cfg);
  if (!conns.ok()) {
    ctx.log().Warning("cannot list established connections: " + conns.status().message());
    return;
  }
  for (const net::TcpConnection& c : *conns) {
    Command cmd;
    cmd.argv = {"ss",
                "-K",
                "-t",
                "-n",
                "state",
                "established",
                "src",
                c.local.address.ToShortString(),
                "sport",
                "=",
                ":" + std::to_string(c.local.port),
                "dst",
                c.remote.address.ToShortString(),
                "dport",
                "=",
                ":" + std::to_string(c.remote.port)};
    cmd.timeout = milliseconds(5000);
    Result<Output> out = ctx.host().Run(cmd);
    if (!out.ok() || out->exit_code != 0) {
      ctx.log().Warning("cannot reset " + c.remote.ToString() + " -> " + c.local.ToString() + ": " +
                        (out.ok() ? out->FirstErrorLine() : out.status().message()));
    }
  }
  if (!conns->empty()) {
    ctx.log().Info("reset " + std::to_string(conns->size()) + " local connection(s)");
  }
}

}  // namespace san::agents::iscsi_firewall
