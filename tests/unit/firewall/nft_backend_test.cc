// NftBackend on FakeNftClient, fed with `nft -a list` output captured from nftables 1.0.6
// (tests/data/nft, see capture.sh there): exact listing scripts and exact batch scripts.
#include "libsan/firewall/nft_backend.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "libsan/firewall/fake_nft_client.h"
#include "libsan/host/fake_host.h"
#include "tests/support/test_data.h"

namespace san::firewall {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

std::string TestData(const std::string& name) { return testing::ReadTestData("nft/" + name); }

const std::string kListChain = "list chain inet sanha sanha-iscsi";
const std::string kListTable = "list table inet sanha";
const std::string kApply = "batch";  // what Kinds() shows for a change script

NftResult Ok(std::string out) { return NftResult{true, std::move(out), ""}; }
NftResult Fail(std::string err) { return NftResult{false, "", std::move(err)}; }
const std::string kHead =
    "add table inet sanha\n"
    "add chain inet sanha sanha-iscsi { type filter hook input priority filter - 1; policy "
    "accept; }\n";
const std::string kRule3260 =
    "ip daddr 192.0.2.1 tcp dport 3260 drop comment \"sanha ipv4 tcp 3260 s=any d=192.0.2.1/32\"";

class NftBackendTest : public ::testing::Test {
 protected:
  NftBackendTest() {
    // Change batches succeed unless a test scripts a failure; listings must be scripted.
    nft_->SetDefault(Ok(""));
    nft_->OnRun([this](const std::string& script) {
      if (script.rfind("list ", 0) != 0 && !host_.held_locks().count(kFirewallLockPath)) {
        ++unlocked_runs_;
      }
    });
  }

  static BlockSpec Spec(std::string ip, std::string port = "3260", std::string chain = "") {
    BlockSpecText text;
    text.ip = std::move(ip);
    text.port = std::move(port);
    if (!chain.empty()) text.chain = chain;
    Result<BlockSpec> spec = ParseBlockSpec(text);
    EXPECT_TRUE(spec.ok()) << spec.status().ToString();
    return spec.ok() ? *spec : BlockSpec{};
  }

  // The i-th script run.
  const std::string& Input(size_t i) { return scripts_->at(i); }
  // Scripts run, with change batches shown as kApply.
  std::vector<std::string> Kinds() const {
    std::vector<std::string> kinds;
    for (const auto& s : *scripts_) kinds.push_back(s.rfind("list ", 0) == 0 ? s : kApply);
    return kinds;
  }

  FakeHost host_;
  MemoryLogger log_;
  FakeNftClient* nft_ = new FakeNftClient;  // owned by backend_
  std::shared_ptr<std::vector<std::string>> scripts_ = nft_->shared_scripts();
  NftBackend backend_{host_, log_, std::unique_ptr<NftClient>(nft_)};
  int unlocked_runs_ = 0;
};

TEST_F(NftBackendTest, BlockOnEmptyStateSendsOneBatch) {
  nft_->Reply(kListChain, Fail(TestData("err_no_table.txt")));
  ASSERT_TRUE(backend_.Block(Spec("192.0.2.1")).ok());
  EXPECT_THAT(Kinds(), ElementsAre(kListChain, kApply));
  EXPECT_EQ(Input(1), kHead + "add rule inet sanha sanha-iscsi " + kRule3260 + "\n");
  EXPECT_EQ(unlocked_runs_, 0) << "check-then-change must run under the lock";
  EXPECT_TRUE(host_.held_locks().empty());
}

TEST_F(NftBackendTest, BlockWhenFullyPresentOnlyInspects) {
  nft_->Reply(kListChain, Ok(TestData("blocked.txt")));
  ASSERT_TRUE(backend_.Block(Spec("192.0.2.1")).ok());
  EXPECT_THAT(Kinds(), ElementsAre(kListChain));
}

TEST_F(NftBackendTest, BlockPartialStateAddsOnlyTheMissingRule) {
  nft_->Reply(kListChain, Ok(TestData("blocked.txt")));
  ASSERT_TRUE(backend_.Block(Spec("192.0.2.1", "3260,3261")).ok());
  EXPECT_THAT(Kinds(), ElementsAre(kListChain, kApply));
  EXPECT_EQ(Input(1), kHead +
                          "add rule inet sanha sanha-iscsi ip daddr 192.0.2.1 tcp dport 3261 drop "
                          "comment \"sanha ipv4 tcp 3261 s=any d=192.0.2.1/32\"\n");
}

TEST_F(NftBackendTest, AnyAddressRulesOfBothFamiliesAreRecognized) {
  nft_->Reply(kListChain, Ok(TestData("any_both.txt")));
  Result<BlockState> state = backend_.Inspect(Spec(""));
  ASSERT_TRUE(state.ok());
  EXPECT_EQ(state->present.size(), 2u);
  EXPECT_TRUE(state->AllPresent());
  ASSERT_TRUE(backend_.Block(Spec("")).ok());
  EXPECT_THAT(Kinds(), ElementsAre(kListChain, kListChain));
}

TEST_F(NftBackendTest, MixedSpecMatchesWhatNftPrintsBack) {
  BlockSpecText text;
  text.ip = "192.0.2.1,2001:db8::1";
  text.source = "10.0.0.0/8,2001:db8:1::/48";
  text.port = "3260,3300-3310";
  text.protocol = "udp";
  Result<BlockSpec> spec = ParseBlockSpec(text);
  ASSERT_TRUE(spec.ok());
  nft_->Reply(kListChain, Ok(TestData("mixed.txt")));
  Result<BlockState> state = backend_.Inspect(*spec);
  ASSERT_TRUE(state.ok());
  EXPECT_EQ(state->present.size(), 4u);
  EXPECT_TRUE(state->AllPresent());
  ASSERT_TRUE(backend_.Block(*spec).ok());
  EXPECT_THAT(Kinds(), ElementsAre(kListChain, kListChain));
}

TEST_F(NftBackendTest, InspectOfAnAbsentTableIsAllMissing) {
  nft_->Reply(kListChain, Fail(TestData("err_no_table.txt")));
  Result<BlockState> state = backend_.Inspect(Spec("192.0.2.1"));
  ASSERT_TRUE(state.ok()) << state.status().ToString();
  EXPECT_TRUE(state->NonePresent());
  EXPECT_EQ(state->missing.size(), 1u);
  // The table exists (another spec's chain) but ours does not: the same answer.
  const std::string list_other = "list chain inet sanha other";
  nft_->Reply(list_other, Fail(TestData("err_no_chain.txt")));
  state = backend_.Inspect(Spec("192.0.2.1", "3260", "other"));
  ASSERT_TRUE(state.ok()) << state.status().ToString();
  EXPECT_TRUE(state->NonePresent());
}

TEST_F(NftBackendTest, RulesOfAnUnhookedChainDoNotCount) {
  nft_->Reply(kListChain, Ok(TestData("unhooked.txt")));
  Result<BlockState> state = backend_.Inspect(Spec("192.0.2.1"));
  ASSERT_TRUE(state.ok());
  EXPECT_TRUE(state->NonePresent());
  EXPECT_THAT(log_.Text(), HasSubstr("not hooked at input"));
  // Block tries to (re)declare the chain with its hook; nft refuses, and that is reported.
  nft_->SetDefault(Fail(TestData("err_chain_hook_differs.txt")));
  Status s = backend_.Block(Spec("192.0.2.1"));
  EXPECT_EQ(s.code(), Code::kCommandFailed);
  EXPECT_THAT(s.message(), HasSubstr("nft failed: /dev/stdin:2:80-92: Error: Could not process "
                                     "rule: Operation not supported"));
  EXPECT_EQ(Input(2), kHead) << "only the chain declaration: the rule is there already";
}

TEST_F(NftBackendTest, DuplicatesCountAsPresentAndAreReported) {
  nft_->Reply(kListChain, Ok(TestData("tampered.txt")));
  Result<BlockState> state = backend_.Inspect(Spec("192.0.2.1"));
  ASSERT_TRUE(state.ok());
  EXPECT_TRUE(state->AllPresent());
  EXPECT_THAT(log_.Text(), HasSubstr("is present 2 times"));
  EXPECT_THAT(log_.Text(), HasSubstr("differs from the rule sanha adds"));
  ASSERT_TRUE(backend_.Block(Spec("192.0.2.1")).ok());
  EXPECT_THAT(Kinds(), ElementsAre(kListChain, kListChain)) << "never a third copy";
}

TEST_F(NftBackendTest, AlteredBodyIsNotPresent) {
  // Only the altered rule (accept instead of drop) carries our comment: not a block.
  const std::string listing =
      "table inet sanha {\n"
      "\tchain sanha-iscsi { # handle 1\n"
      "\t\ttype filter hook input priority filter - 1; policy accept;\n"
      "\t\tip daddr 192.0.2.1 tcp dport 3260 accept comment \"sanha ipv4 tcp 3260 "
      "s=any d=192.0.2.1/32\" # handle 5\n"
      "\t}\n}\n";
  nft_->Reply(kListChain, Ok(listing));
  Result<BlockState> state = backend_.Inspect(Spec("192.0.2.1"));
  ASSERT_TRUE(state.ok());
  EXPECT_TRUE(state->NonePresent());
}

TEST_F(NftBackendTest, UnblockDeletesRuleChainAndTable) {
  nft_->Reply(kListTable, Ok(TestData("blocked_table.txt")));
  ASSERT_TRUE(backend_.Unblock(Spec("192.0.2.1")).ok());
  EXPECT_THAT(Kinds(), ElementsAre(kListTable, kApply));
  EXPECT_EQ(Input(1),
            "delete rule inet sanha sanha-iscsi handle 2\n"
            "delete chain inet sanha sanha-iscsi\n"
            "delete table inet sanha\n");
  EXPECT_EQ(unlocked_runs_, 0);
}

TEST_F(NftBackendTest, UnblockKeepsTheTableForAnotherChain) {
  nft_->Reply(kListTable, Ok(TestData("two_chains_table.txt")));
  ASSERT_TRUE(backend_.Unblock(Spec("192.0.2.1")).ok());
  EXPECT_EQ(Input(1),
            "delete rule inet sanha sanha-iscsi handle 2\n"
            "delete chain inet sanha sanha-iscsi\n");
}

TEST_F(NftBackendTest, UnblockKeepsTheTableWithASet) {
  nft_->Reply(kListTable, Ok(TestData("with_set_table.txt")));
  ASSERT_TRUE(backend_.Unblock(Spec("192.0.2.1")).ok());
  EXPECT_EQ(Input(1),
            "delete rule inet sanha sanha-iscsi handle 3\n"
            "delete chain inet sanha sanha-iscsi\n");
}

TEST_F(NftBackendTest, UnblockRemovesAllCopiesAndLeavesForeignRules) {
  nft_->Reply(kListTable, Ok(TestData("tampered_table.txt")));
  ASSERT_TRUE(backend_.Unblock(Spec("192.0.2.1")).ok());
  EXPECT_EQ(Input(1),
            "delete rule inet sanha sanha-iscsi handle 2\n"
            "delete rule inet sanha sanha-iscsi handle 4\n"
            "delete rule inet sanha sanha-iscsi handle 5\n");
  EXPECT_THAT(log_.Text(), HasSubstr("kept: it holds 1 rule(s)"));
}

TEST_F(NftBackendTest, UnblockWithNothingThereRunsOnlyTheListing) {
  nft_->Reply(kListTable, Fail(TestData("err_no_table_list_table.txt")));
  ASSERT_TRUE(backend_.Unblock(Spec("192.0.2.1")).ok());
  ASSERT_TRUE(backend_.Unblock(Spec("192.0.2.1")).ok());
  EXPECT_THAT(Kinds(), ElementsAre(kListTable, kListTable));
}

TEST_F(NftBackendTest, ChainNamedLikeAnNftKeywordIsInvalidConfig) {
  nft_->Reply("list chain inet sanha log", Fail(TestData("err_keyword_chain.txt")));
  Result<BlockState> state = backend_.Inspect(Spec("192.0.2.1", "3260", "log"));
  ASSERT_FALSE(state.ok());
  EXPECT_EQ(state.status().code(), Code::kInvalidConfig);
  EXPECT_EQ(state.status().message(),
            "chain: 'log' is a reserved word in nft syntax; choose another chain name");
}

TEST_F(NftBackendTest, ErrorsAreClassified) {
  nft_->Reply(kListChain, Fail(TestData("err_not_root.txt")));
  Result<BlockState> state = backend_.Inspect(Spec("192.0.2.1"));
  EXPECT_EQ(state.status().code(), Code::kPermission);
  EXPECT_EQ(state.status().message(), "nft failed: Operation not permitted (you must be root)");
  auto unusable = std::make_unique<FakeNftClient>();
  unusable->Reply(kListChain, Status::NotInstalled("libnftables could not create a context"));
  NftBackend missing(host_, log_, std::move(unusable));
  EXPECT_EQ(missing.Block(Spec("192.0.2.1")).code(), Code::kNotInstalled);
}

TEST_F(NftBackendTest, ParsesListingsByIndentation) {
  NftListing set = ParseNftListing(TestData("with_set_table.txt"));
  EXPECT_TRUE(set.other_objects);
  ASSERT_EQ(set.chains.count("sanha-iscsi"), 1u);
  const NftChainListing& chain = set.chains.at("sanha-iscsi");
  EXPECT_TRUE(chain.hooked_input);
  ASSERT_EQ(chain.rules.size(), 1u);
  EXPECT_EQ(chain.rules[0].handle, 3u);
  EXPECT_EQ(chain.rules[0].body, kRule3260);
  EXPECT_EQ(chain.rules[0].comment, "sanha ipv4 tcp 3260 s=any d=192.0.2.1/32");
  NftListing two = ParseNftListing(TestData("two_chains_table.txt"));
  EXPECT_FALSE(two.other_objects);
  EXPECT_EQ(two.chains.size(), 2u);
  EXPECT_TRUE(ParseNftListing("").chains.empty());
}

TEST_F(NftBackendTest, RuleTextForEachShape) {
  Rule v6{net::Family::kIpv6, "2001:db8::1/128", "2001:db8:1::/48", {3300, 3310}, Protocol::kUdp};
  EXPECT_EQ(NftRuleKey(v6), "sanha ipv6 udp 3300-3310 s=2001:db8:1::/48 d=2001:db8::1/128");
  EXPECT_EQ(NftRuleBody(v6),
            "ip6 saddr 2001:db8:1::/48 ip6 daddr 2001:db8::1 udp dport 3300-3310 drop comment "
            "\"sanha ipv6 udp 3300-3310 s=2001:db8:1::/48 d=2001:db8::1/128\"");
  Rule any{net::Family::kIpv4, "", "", {3260, 3260}, Protocol::kTcp};
  EXPECT_EQ(NftRuleBody(any),
            "meta nfproto ipv4 tcp dport 3260 drop comment \"sanha ipv4 tcp 3260 s=any d=any\"");
}

}  // namespace
}  // namespace san::firewall
