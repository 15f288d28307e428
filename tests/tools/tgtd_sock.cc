// tgtd-sock: drives libsan's tgtd socket client (test tooling, not installed).
//   tgtd-sock probe            the protocol probe; prints what is spoken
//   tgtd-sock run              one tgtadm-style argument line per stdin line (so a CHAP secret
//                              comes on stdin, never in an argv); prints "= EXIT first-error"
//                              and the listing for each
//   tgtd-sock state            show target/account/system (in flight together) parsed by
//                              libsan's tgtadm_show
//   tgtd-sock listings N serial|batch   N rounds of those three listings, one after the other
//                              or in flight together (bench)
//   tgtd-sock repeat N ARGS..  N round trips of one request (bench)
// The socket is $TGT_IPC_SOCKET.0 (tgt's default when unset), as for tgtadm.
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <string>
#include <vector>

#include "libsan/target/tgtadm_show.h"
#include "libsan/target/tgtd_tgtadm_adapter.h"
#include "libsan/util/strings.h"

namespace {

using namespace san::target::tgt;

std::vector<std::string> Words(const std::string& line) { return san::SplitList(line, " \t"); }

int Fail(const san::Status& s) {
  std::cerr << "tgtd-sock: " << s.message() << "\n";
  return 1;
}

const std::vector<std::vector<std::string>> kListings = {{"--op", "show", "--mode", "target"},
                                                         {"--op", "show", "--mode", "account"},
                                                         {"--op", "show", "--mode", "system"}};

// The three listings a reconcile reads, checked: in flight together or one after the other.
san::Result<std::vector<std::string>> Listings(TgtdSocketRunner& run, bool batch) {
  std::vector<san::Output> outs;
  if (batch) {
    SAN_ASSIGN_OR_RETURN(outs, run.RunAll(kListings));
  } else {
    for (const auto& l : kListings) {
      SAN_ASSIGN_OR_RETURN(san::Output o, run.Run(l));
      outs.push_back(std::move(o));
    }
  }
  std::vector<std::string> texts;
  for (auto& o : outs) {
    if (o.exit_code != 0) return san::Status::CommandFailed(o.FirstErrorLine());
    texts.push_back(std::move(o.out));
  }
  return texts;
}

int State(TgtdSocketRunner& run) {
  auto listings = Listings(run, /*batch=*/true);
  if (!listings.ok()) return Fail(listings.status());
  auto show = [&](const char* mode) -> san::Result<std::string> {
    const std::string m = mode;
    return (*listings)[m == "target" ? 0 : m == "account" ? 1 : 2];
  };
  auto targets_text = show("target");
  if (!targets_text.ok()) return Fail(targets_text.status());
  auto listing = ParseShowTargets(*targets_text);
  if (!listing.ok()) return Fail(listing.status());
  for (const auto& a : listing->anomalies) std::cerr << "tgtd-sock: anomaly: " << a << "\n";
  for (const auto& t : listing->targets) {
    std::cout << "target " << t.tid << " " << t.name << "\n";
    for (const auto& l : t.luns) {
      std::cout << "  lun " << l.number << " " << l.type << " " << l.backing_type << " "
                << (l.path.empty() ? "-" : l.path) << " sn=" << l.scsi_sn << "\n";
    }
    for (const auto& a : t.acl) std::cout << "  acl " << a << "\n";
    for (const auto& u : t.incoming_users) std::cout << "  in " << u << "\n";
    if (t.outgoing_user) std::cout << "  out " << *t.outgoing_user << "\n";
  }
  auto accounts_text = show("account");
  if (!accounts_text.ok()) return Fail(accounts_text.status());
  auto accounts = ParseShowAccounts(*accounts_text);
  if (!accounts.ok()) return Fail(accounts.status());
  for (const auto& a : *accounts) std::cout << "account " << a << "\n";
  auto sys_text = show("system");
  if (!sys_text.ok()) return Fail(sys_text.status());
  auto sys = ParseShowSystemAccounts(*sys_text);
  if (!sys.ok()) return Fail(sys.status());
  for (const auto& a : sys->incoming) std::cout << "discovery in " << a << "\n";
  if (sys->outgoing) std::cout << "discovery out " << *sys->outgoing << "\n";
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const std::vector<std::string> args(argv + 1, argv + argc);
  const char* prefix = std::getenv("TGT_IPC_SOCKET");
  auto transport = MakeUnixTgtdTransport(TgtdSocketPath(prefix ? prefix : ""));
  TgtdClient client(*transport);
  TgtdSocketRunner run(client);
  if (args.size() == 1 && args[0] == "probe") {
    san::Status s = client.Probe();
    if (!s.ok()) return Fail(s);
    std::cout << "tgtd socket protocol: tgt 1.0.85 (system/show layout matches)\n";
    return 0;
  }
  if (args.size() == 1 && args[0] == "run") {
    std::string line;
    while (std::getline(std::cin, line)) {
      if (line.empty()) continue;
      auto out = run.Run(Words(line));
      if (!out.ok()) return Fail(out.status());
      std::cout << "= " << out->exit_code << " " << out->FirstErrorLine() << "\n" << out->out;
    }
    return 0;
  }
  if (args.size() == 1 && args[0] == "state") return State(run);
  if (args.size() >= 2 && args[0] == "repeat") {
    auto n = san::ParseInt64(args[1]);
    if (!n.ok() || *n < 1) return Fail(san::Status::InvalidConfig("repeat: N must be >= 1"));
    const std::vector<std::string> request(args.begin() + 2, args.end());
    for (int64_t i = 0; i < *n; ++i) {
      auto out = run.Run(request);
      if (!out.ok()) return Fail(out.status());
      if (out->exit_code != 0) return Fail(san::Status::CommandFailed(out->FirstErrorLine()));
    }
    return 0;
  }
  if (args.size() == 3 && args[0] == "listings" && (args[2] == "serial" || args[2] == "batch")) {
    auto n = san::ParseInt64(args[1]);
    if (!n.ok() || *n < 1) return Fail(san::Status::InvalidConfig("listings: N must be >= 1"));
    for (int64_t i = 0; i < *n; ++i) {
      auto l = Listings(run, args[2] == "batch");
      if (!l.ok()) return Fail(l.status());
      if (l->size() != 3 || !CheckTgtdProtocol((*l)[2]).ok()) {
        return Fail(san::Status::Corruption("listings: the system listing is not tgtd's"));
      }
    }
    return 0;
  }
  std::cerr << "usage: tgtd-sock probe | run | state | repeat N TGTADM-ARGS... | "
               "listings N serial|batch\n";
  return 2;
}
