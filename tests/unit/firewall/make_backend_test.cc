// MakeBackend: explicit kinds run nothing; "auto" follows where our rules already are (nft asked
// first, in process), then what is usable.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "libsan/firewall/fake_nft_client.h"
#include "libsan/firewall/firewall.h"
#include "libsan/host/fake_host.h"
#include "tests/support/test_data.h"

namespace san::firewall {
namespace {

using ::testing::ElementsAre;
using Argv = std::vector<std::string>;

std::string TestData(const std::string& name) { return testing::ReadTestData("" + name); }

const Argv kList4 = {"iptables", "-w", "-S"};
const Argv kList6 = {"ip6tables", "-w", "-S"};
const std::string kNftTable = "list table inet sanha";

class FirewallMakeBackendTest : public ::testing::Test {
 protected:
  static BlockSpec Spec(std::string ip) {
    BlockSpecText text;
    text.ip = std::move(ip);
    Result<BlockSpec> spec = ParseBlockSpec(text);
    EXPECT_TRUE(spec.ok()) << spec.status().ToString();
    return spec.ok() ? *spec : BlockSpec{};
  }

  // The nft client the factory hands out: answers "list table inet sanha" with nft_table_.
  Result<std::unique_ptr<NftClient>> MakeNft() {
    if (!nft_usable_) return Status::NotInstalled("libnftables could not create a context");
    auto client = std::make_unique<FakeNftClient>();
    client->Reply(kNftTable, nft_table_);
    nft_scripts_ = client->shared_scripts();
    return std::unique_ptr<NftClient>(std::move(client));
  }

  std::string Chosen(BackendKind kind, const BlockSpec& spec) {
    Result<std::unique_ptr<Backend>> backend =
        MakeBackend(host_, log_, kind, spec, [this] { return MakeNft(); });
    if (!backend.ok()) return backend.status().ToString();
    return std::string((*backend)->Name());
  }
  std::vector<std::string> NftScripts() const {
    return nft_scripts_ ? *nft_scripts_ : std::vector<std::string>{};
  }

  FakeHost host_;
  MemoryLogger log_;
  bool nft_usable_ = true;
  Result<NftResult> nft_table_ =
      NftResult{false, "", TestData("nft/err_no_table_list_table.txt")};  // absent
  std::shared_ptr<std::vector<std::string>> nft_scripts_;
};

TEST_F(FirewallMakeBackendTest, ExplicitKindsRunNothing) {
  EXPECT_EQ(Chosen(BackendKind::kIptables, Spec("")), "iptables");
  EXPECT_EQ(Chosen(BackendKind::kNft, Spec("")), "nft");
  EXPECT_TRUE(host_.commands_run().empty());
  EXPECT_TRUE(NftScripts().empty());
}

TEST_F(FirewallMakeBackendTest, AutoKeepsAnExistingNftTableWithoutRunningIptables) {
  nft_table_ = NftResult{true, TestData("nft/blocked_table.txt"), ""};
  EXPECT_EQ(Chosen(BackendKind::kAuto, Spec("")), "nft");
  EXPECT_THAT(NftScripts(), ElementsAre(kNftTable));
  EXPECT_TRUE(host_.commands_run().empty()) << "the common case costs no process";
}

TEST_F(FirewallMakeBackendTest, AutoKeepsAnExistingIptablesChain) {
  host_.Reply(kList4, TestData("iptables/blocked_v4.txt"));
  EXPECT_EQ(Chosen(BackendKind::kAuto, Spec("192.0.2.1")), "iptables");
  EXPECT_THAT(host_.commands_run(), ElementsAre(kList4));
}

TEST_F(FirewallMakeBackendTest, AutoLooksAtIp6tablesForAnIpv6Spec) {
  host_.Reply(kList6, TestData("iptables/mixed_v6.txt"));
  EXPECT_EQ(Chosen(BackendKind::kAuto, Spec("2001:db8::1")), "iptables");
  EXPECT_THAT(host_.commands_run(), ElementsAre(kList6));
}

TEST_F(FirewallMakeBackendTest, AutoPrefersNftWhenNothingExists) {
  host_.Reply(kList4, TestData("iptables/empty_v4.txt"));
  host_.Reply(kList6, TestData("iptables/empty_v6.txt"));
  EXPECT_EQ(Chosen(BackendKind::kAuto, Spec("")), "nft");
  EXPECT_THAT(host_.commands_run(), ElementsAre(kList4, kList6));
}

TEST_F(FirewallMakeBackendTest, AutoFallsBackToIptablesWithoutNft) {
  nft_usable_ = false;
  host_.Reply(kList4, TestData("iptables/empty_v4.txt"));
  EXPECT_EQ(Chosen(BackendKind::kAuto, Spec("192.0.2.1")), "iptables");
}

TEST_F(FirewallMakeBackendTest, AutoFallsBackToIptablesWhenTheKernelLacksNfTables) {
  nft_table_ = NftResult{false, "", "Error: Could not process rule: Protocol not supported\n"};
  host_.Reply(kList4, TestData("iptables/empty_v4.txt"));
  EXPECT_EQ(Chosen(BackendKind::kAuto, Spec("192.0.2.1")), "iptables");
}

TEST_F(FirewallMakeBackendTest, AutoUsesNftWithoutIptables) {
  host_.ReplyStatus(kList4, Status::NotInstalled("program 'iptables' not found"));
  EXPECT_EQ(Chosen(BackendKind::kAuto, Spec("")), "nft");
  EXPECT_THAT(host_.commands_run(), ElementsAre(kList4));
}

TEST_F(FirewallMakeBackendTest, AutoWithNeitherIsNotInstalled) {
  nft_usable_ = false;
  host_.ReplyStatus(kList4, Status::NotInstalled("program 'iptables' not found"));
  EXPECT_EQ(Chosen(BackendKind::kAuto, Spec("192.0.2.1")).rfind("NotInstalled", 0), 0u);
}

TEST_F(FirewallMakeBackendTest, AutoTreatsAFailingIptablesAsInstalledButEmpty) {
  nft_usable_ = false;
  host_.Reply(kList4, "", 4, TestData("iptables/err_not_root.txt"));
  EXPECT_EQ(Chosen(BackendKind::kAuto, Spec("192.0.2.1")), "iptables");
}

}  // namespace
}  // namespace san::firewall
