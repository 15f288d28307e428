// tgtd's management protocol on conversations recorded from tgt 1.0.85 through tgtadm
// (tests/data/tgtd_socket/capture.sh): our requests equal tgtadm's bytes, our replies give
// tgtadm's exit code and message, and the listings parse with the existing parsers.
#include "libsan/target/tgtd_socket.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstring>

#include "libsan/target/tgtadm_show.h"
#include "libsan/target/tgtd_tgtadm_adapter.h"
#include "libsan/util/strings.h"
#include "tests/support/fake_tgtd_transport.h"
#include "tests/support/test_data.h"

namespace san::target::tgt {
namespace {

using san::testing::FakeTgtdTransport;
using san::testing::RecordedTgtdCall;
using san::testing::ToHex;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

std::vector<RecordedTgtdCall> Recorded() {
  auto calls = san::testing::ParseTgtdConversation(
      san::testing::ReadTestData("tgtd_socket/conversation.txt"));
  EXPECT_TRUE(calls.ok()) << calls.status().ToString();
  return calls.ok() ? *calls : std::vector<RecordedTgtdCall>{};
}

// The recorded call whose arguments are exactly `args` (the n-th such one).
const RecordedTgtdCall& Find(const std::vector<RecordedTgtdCall>& calls, const std::string& args,
                             int n = 0) {
  for (const auto& c : calls) {
    if (Join(c.args, " ") == args && n-- == 0) return c;
  }
  ADD_FAILURE() << "no recorded call: " << args;
  static const RecordedTgtdCall none;
  return none;
}

TEST(TgtdSocketTest, EveryRecordedRequestIsTgtadmsBytes) {
  const auto calls = Recorded();
  ASSERT_EQ(calls.size(), 48u);
  for (const auto& c : calls) {
    SCOPED_TRACE(Join(c.args, " "));
    Result<TgtdRequest> req = RequestFromTgtadmArgs(c.args);
    ASSERT_TRUE(req.ok()) << req.status().ToString();
    Result<std::string> bytes = EncodeTgtdRequest(*req);
    ASSERT_TRUE(bytes.ok()) << bytes.status().ToString();
    EXPECT_EQ(ToHex(*bytes), ToHex(c.request));
  }
}

TEST(TgtdSocketTest, RepliesGiveTgtadmsExitCodeMessageAndListing) {
  const auto calls = Recorded();
  FakeTgtdTransport transport(calls);
  TgtdClient client(transport);
  TgtdSocketRunner runner(client);
  int errors = 0;
  for (const auto& c : calls) {
    SCOPED_TRACE(Join(c.args, " "));
    Result<Output> out = runner.Run(c.args);
    ASSERT_TRUE(out.ok()) << out.status().ToString();
    EXPECT_EQ(out->exit_code, c.exit_code);
    if (c.exit_code != 0) {
      ++errors;
      EXPECT_EQ(out->FirstErrorLine(), c.first_error);
      // The header's code and tgtadm's text land in the same category.
      Result<TgtdReplyHeader> h = DecodeTgtdReplyHeader(c.reply.substr(0, kTgtdReplyHeaderSize));
      ASSERT_TRUE(h.ok());
      EXPECT_EQ(ClassifyTgtdError(h->err), ClassifyTgtadm(*out));
      EXPECT_EQ(ClassifyTgtadm(Output{c.exit_code, "", c.first_error + "\n"}),
                ClassifyTgtdError(h->err));
    }
  }
  EXPECT_EQ(errors, 15);
  EXPECT_TRUE(transport.done());
}

TEST(TgtdSocketTest, ErrorCategoriesOfRecordedReplies) {
  const auto calls = Recorded();
  auto kind = [&](const std::string& args, int n = 0) {
    const RecordedTgtdCall& c = Find(calls, args, n);
    Result<TgtdReplyHeader> h = DecodeTgtdReplyHeader(c.reply.substr(0, kTgtdReplyHeaderSize));
    return h.ok() ? ClassifyTgtdError(h->err) : TgtError::kOther;
  };
  EXPECT_EQ(kind("--op delete --mode target --tid 9"), TgtError::kNotFound);
  EXPECT_EQ(kind("--op delete --mode conn --tid 1 --sid 99 --cid 0"), TgtError::kNotFound);
  EXPECT_EQ(kind("--op delete --mode account --user nobody"), TgtError::kNotFound);
  EXPECT_EQ(kind("--op unbind --mode target --tid 1 --initiator-address 10.9.9.9"),
            TgtError::kNotFound);
  EXPECT_EQ(kind("--op bind --mode target --tid 1 --initiator-address 127.0.0.1", 1),
            TgtError::kExists);
  EXPECT_EQ(kind("--op bind --mode account --tid 1 --user disc-user --outgoing"),
            TgtError::kExists);
  EXPECT_EQ(kind("--op delete --mode logicalunit --tid 1 --lun 1"), TgtError::kBusy);
  EXPECT_EQ(kind("--op update --mode target --tid 1 --name Bogus --value 1"), TgtError::kInvalid);
  EXPECT_EQ(kind("--op delete --mode system"), TgtError::kInvalid);
  EXPECT_EQ(kind("--op delete --mode conn --tid 1 --sid 1 --cid 0"), TgtError::kNone);
}

TEST(TgtdSocketTest, ListingsParseWithTheExistingParsers) {
  const auto calls = Recorded();
  auto text = [&](const std::string& args, int n = 0) {
    const RecordedTgtdCall& c = Find(calls, args, n);
    Result<std::string> t = TgtdReplyText(std::string_view(c.reply).substr(kTgtdReplyHeaderSize));
    EXPECT_TRUE(t.ok());
    return t.ok() ? *t : std::string();
  };
  Result<TargetListing> empty = ParseShowTargets(text("--op show --mode target"));
  ASSERT_TRUE(empty.ok()) << empty.status().ToString();
  EXPECT_TRUE(empty->targets.empty());
  Result<TargetListing> t = ParseShowTargets(text("--op show --mode target", 1));
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_TRUE(t->anomalies.empty());
  ASSERT_EQ(t->targets.size(), 1u);
  const RunningTarget& alpha = t->targets[0];
  EXPECT_EQ(alpha.name, "iqn.2024-01.test.sanha:alpha");
  ASSERT_EQ(alpha.luns.size(), 3u);
  EXPECT_EQ(alpha.luns[1].scsi_sn, "AMHDSK-240101-01");
  EXPECT_EQ(alpha.luns[2].backing_type, "aio");
  EXPECT_TRUE(alpha.luns[2].readonly);
  EXPECT_THAT(alpha.acl, ElementsAre("127.0.0.1", "iqn.2024-01.test:client"));
  EXPECT_THAT(alpha.incoming_users, ElementsAre("alpha-user"));
  EXPECT_EQ(alpha.outgoing_user, "alpha-out");
  Result<TargetListing> s = ParseShowTargets(text("--op show --mode target", 2));
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_TRUE(s->anomalies.empty());
  ASSERT_EQ(s->targets.size(), 1u);
  ASSERT_EQ(s->targets[0].sessions.size(), 1u);
  EXPECT_EQ(s->targets[0].sessions[0].initiator, "iqn.2024-01.test:client");
  Result<std::vector<std::string>> a = ParseShowAccounts(text("--op show --mode account", 1));
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  EXPECT_THAT(*a, ElementsAre("disc-user", "alpha-out", "alpha-user"));
  Result<DiscoveryAccounts> d = ParseShowSystemAccounts(text("--op show --mode system", 1));
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  EXPECT_THAT(d->incoming, ElementsAre("disc-user"));
  Result<std::map<std::string, std::string>> p =
      ParseShowTargetParams(text("--op show --mode target --tid 1"));
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_EQ(p->at("MaxRecvDataSegmentLength"), "65536");
}

TEST(TgtdSocketTest, ProbeAcceptsTgt1085AndRefusesAnotherLayout) {
  const auto calls = Recorded();
  FakeTgtdTransport transport({calls[0]});  // system/show
  TgtdClient client(transport);
  EXPECT_TRUE(client.Probe().ok());
  const std::string real = TgtdReplyText(calls[0].reply.substr(kTgtdReplyHeaderSize)).value();
  EXPECT_TRUE(CheckTgtdProtocol(real).ok());
  std::string other = real;
  other.replace(other.find("LLDs:"), 5, "Drivers:");
  EXPECT_EQ(CheckTgtdProtocol(other).code(), Code::kInvalidConfig);
  std::string no_iscsi = real;
  no_iscsi.replace(no_iscsi.find("iscsi: ready"), 12, "iscsi: error");
  EXPECT_THAT(CheckTgtdProtocol(no_iscsi).message(), HasSubstr("iscsi: ready"));
  EXPECT_EQ(CheckTgtdProtocol("").code(), Code::kInvalidConfig);
  // A daemon refusing the probe (another enum numbering would do that) is not spoken to.
  RecordedTgtdCall refused = calls[0];
  refused.reply = Find(calls, "--op delete --mode system").reply;
  FakeTgtdTransport t2({refused});
  TgtdClient c2(t2);
  EXPECT_EQ(c2.Probe().code(), Code::kInvalidConfig);
}

TEST(TgtdSocketTest, SecretStaysOutOfDescriptionsAndOnlyInThePayload) {
  Result<TgtdRequest> req = RequestFromTgtadmArgs(
      {"--op", "new", "--mode", "account", "--user", "u1", "--password", "s3cr,et"});
  ASSERT_TRUE(req.ok()) << req.status().ToString();
  EXPECT_EQ(req->payload, "user=u1,password=s3cr,et");
  EXPECT_THAT(req->Describe(), Not(HasSubstr("s3cr")));
  EXPECT_EQ(req->Describe(), "account/new [user,password]");
}

TEST(TgtdSocketTest, HostileOrMalformedArgumentsAreRefused) {
  auto code = [](std::vector<std::string> a) { return RequestFromTgtadmArgs(a).status().code(); };
  // tgtd would read ",password=x" inside a user name as the password, an IQN with a comma as
  // two parameters.
  EXPECT_EQ(code({"--op", "delete", "--mode", "account", "--user", "a,password=x"}),
            Code::kInvalidConfig);
  EXPECT_EQ(code({"--op", "bind", "--mode", "target", "--tid", "1", "--initiator-name",
                  "iqn.x,initiator-address=ALL"}),
            Code::kInvalidConfig);
  EXPECT_EQ(code({"--op", "delete", "--mode", "target", "--tid", "1x"}), Code::kInvalidConfig);
  EXPECT_EQ(code({"--op", "delete", "--mode", "target", "--tid", "-2"}), Code::kInvalidConfig);
  EXPECT_EQ(code({"--op", "delete", "--mode", "target", "--tid", "4294967296"}),
            Code::kInvalidConfig);
  EXPECT_EQ(code({"--op", "show"}), Code::kInvalidConfig);
  EXPECT_EQ(code({"--op", "show", "--mode", "bogus"}), Code::kInvalidConfig);
  EXPECT_EQ(code({"--op", "show", "--mode", "target", "--bus", "1"}), Code::kInvalidConfig);
  EXPECT_EQ(code({"--op", "show", "--mode", "target", "--tid"}), Code::kInvalidConfig);
  EXPECT_EQ(code({"--op", "update", "--mode", "target", "--tid", "1", "--name", "x"}),
            Code::kInvalidConfig);
  EXPECT_EQ(code({"--op", "new", "--mode", "account", "--user", "u", "--password",
                  std::string("a\0b", 3)}),
            Code::kInvalidConfig);
}

TEST(TgtdSocketTest, EncoderLimits) {
  TgtdRequest req;
  req.payload = std::string(kTgtdMaxPayload - 1, 'x');  // + NUL = the limit
  EXPECT_TRUE(EncodeTgtdRequest(req).ok());
  req.payload += 'x';
  EXPECT_EQ(EncodeTgtdRequest(req).status().code(), Code::kInvalidConfig);
  req.payload = "a";
  req.lld = std::string(64, 'l');
  EXPECT_EQ(EncodeTgtdRequest(req).status().code(), Code::kInvalidConfig);
  req.lld = "iscsi";
  Result<std::string> ok = EncodeTgtdRequest(req);
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(ok->size(), kTgtdRequestHeaderSize + 2);  // "a" and its NUL
}

TEST(TgtdSocketTest, MalformedRepliesAreCorruption) {
  auto header = [](uint32_t err, uint32_t len) {
    std::string h(8, '\0');
    std::memcpy(h.data(), &err, 4);
    std::memcpy(h.data() + 4, &len, 4);
    return h;
  };
  EXPECT_EQ(DecodeTgtdReplyHeader("abc").status().code(), Code::kCorruption);
  EXPECT_EQ(DecodeTgtdReplyHeader(header(0, 4)).status().code(), Code::kCorruption);
  EXPECT_EQ(DecodeTgtdReplyHeader(header(4, 20)).status().code(), Code::kCorruption);
  EXPECT_EQ(DecodeTgtdReplyHeader(header(0, 0xffffffffu)).status().code(), Code::kCorruption);
  EXPECT_EQ(TgtdReplyText(std::string("a\0b\0", 4)).status().code(), Code::kCorruption);
  EXPECT_EQ(TgtdReplyText("").value(), "");
  // A reply shorter than its header announces.
  const auto calls = Recorded();
  RecordedTgtdCall cut = calls[0];
  cut.reply.resize(cut.reply.size() - 1);
  FakeTgtdTransport transport({cut});
  TgtdClient client(transport);
  EXPECT_EQ(client.Call(TgtdRequest{}).status().code(), Code::kCorruption);
}

TEST(TgtdSocketTest, NoDaemonIsTgtadmsDaemonDown) {
  auto transport = MakeUnixTgtdTransport("/nonexistent-sanha-dir/socket.0");
  TgtdClient client(*transport);
  EXPECT_EQ(client.Call(TgtdRequest{}).status().code(), Code::kNotFound);
  TgtdSocketRunner runner(client);
  Result<Output> out = runner.Run({"--op", "show", "--mode", "target"});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ(out->exit_code, 107);
  EXPECT_EQ(ClassifyTgtadm(*out), TgtError::kDaemonDown);
}

TEST(TgtdSocketTest, ListingsGoInFlightTogetherChangesNever) {
  const auto calls = Recorded();
  // The three listings a reconcile reads, as recorded after the setup.
  FakeTgtdTransport transport({Find(calls, "--op show --mode target", 1),
                               Find(calls, "--op show --mode account", 1),
                               Find(calls, "--op show --mode system", 1)});
  TgtdClient client(transport);
  TgtdSocketRunner runner(client);
  Result<std::vector<Output>> outs = runner.RunAll({{"--op", "show", "--mode", "target"},
                                                    {"--op", "show", "--mode", "account"},
                                                    {"--op", "show", "--mode", "system"}});
  ASSERT_TRUE(outs.ok()) << outs.status().ToString();
  ASSERT_EQ(outs->size(), 3u);
  EXPECT_THAT((*outs)[0].out, HasSubstr("Target 1: iqn.2024-01.test.sanha:alpha"));
  EXPECT_TRUE(ParseShowAccounts((*outs)[1].out).ok());
  EXPECT_TRUE(CheckTgtdProtocol((*outs)[2].out).ok());
  EXPECT_TRUE(transport.done());

  // tgtd orders connections arbitrarily: a change in a batch is refused before anything is sent.
  FakeTgtdTransport none({});
  TgtdClient c2(none);
  TgtdSocketRunner r2(c2);
  Result<std::vector<Output>> mixed = r2.RunAll(
      {{"--op", "show", "--mode", "target"}, {"--op", "delete", "--mode", "target", "--tid", "1"}});
  EXPECT_EQ(mixed.status().code(), Code::kInvalidConfig);
  std::vector<std::vector<std::string>> many(kTgtdMaxInFlight + 1,
                                             {"--op", "show", "--mode", "target"});
  EXPECT_EQ(r2.RunAll(many).status().code(), Code::kInvalidConfig);
  EXPECT_TRUE(none.requests().empty());
}

TEST(TgtdSocketTest, ChannelProbesOnceAndLogsTheChoice) {
  const auto calls = Recorded();
  {
    // tgt 1.0.85 answers: the socket is used, the probe is not repeated, the log says so.
    std::vector<RecordedTgtdCall> script = {calls[0], Find(calls, "--op show --mode target")};
    auto transport = std::make_unique<FakeTgtdTransport>(script);
    FakeTgtdTransport* fake = transport.get();
    MemoryLogger log;
    TgtdSocketChannel channel(std::move(transport), log);
    EXPECT_TRUE(channel.UseSocket());
    EXPECT_TRUE(channel.UseSocket());
    Result<Output> out = channel.Run({"--op", "show", "--mode", "target"});
    ASSERT_TRUE(out.ok()) << out.status().ToString();
    EXPECT_EQ(out->exit_code, 0);
    EXPECT_TRUE(fake->done());
    EXPECT_EQ(log.Text(), "tgtd: using its management socket (tgt 1.0.85 protocol)\n");
  }
  {
    // Another layout: tgtadm from then on, with the reason in the log, asked once only.
    RecordedTgtdCall other = calls[0];
    other.reply.replace(other.reply.find("LLDs:"), 5, "Lords");
    auto transport = std::make_unique<FakeTgtdTransport>(std::vector<RecordedTgtdCall>{other});
    FakeTgtdTransport* fake = transport.get();
    MemoryLogger log;
    TgtdSocketChannel channel(std::move(transport), log);
    EXPECT_FALSE(channel.UseSocket());
    EXPECT_FALSE(channel.UseSocket());
    EXPECT_EQ(fake->requests().size(), 1u);
    EXPECT_THAT(log.Text(), HasSubstr("line 4 'Lords'"));
    EXPECT_THAT(log.Text(), HasSubstr("using tgtadm"));
  }
  {
    // No daemon yet: the socket stays the choice and the probe runs again once tgtd answers.
    auto transport = std::make_unique<FakeTgtdTransport>(std::vector<RecordedTgtdCall>{});
    FakeTgtdTransport* fake = transport.get();
    MemoryLogger log;
    TgtdSocketChannel channel(std::move(transport), log);
    EXPECT_TRUE(channel.UseSocket());
    EXPECT_TRUE(channel.UseSocket());
    EXPECT_EQ(fake->requests().size(), 2u);
    EXPECT_EQ(log.Text(), "");
    Result<Output> out = channel.Run({"--op", "show", "--mode", "target"});
    ASSERT_TRUE(out.ok());
    EXPECT_EQ(ClassifyTgtadm(*out), TgtError::kDaemonDown);
  }
}

TEST(TgtdSocketTest, SocketPathFollowsTgtIpcSocket) {
  EXPECT_EQ(TgtdSocketPath(""), "/var/run/tgtd/socket.0");
  EXPECT_EQ(TgtdSocketPath("/run/x/sock"), "/run/x/sock.0");
  EXPECT_EQ(TgtdSocketPath("/run/x/sock", 2), "/run/x/sock.2");
}

TEST(TgtdSocketTest, ErrorTextsAreTgtadms) {
  EXPECT_EQ(TgtdErrorText(4), "can't find the target");
  EXPECT_EQ(TgtdErrorText(24), "this device has Prevent Removal set");
  EXPECT_EQ(TgtdErrorText(99), "unknown error code 99");
  EXPECT_EQ(ClassifyTgtdError(99), TgtError::kOther);
}

}  // namespace
}  // namespace san::target::tgt
