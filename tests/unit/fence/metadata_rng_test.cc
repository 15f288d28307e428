// fence_apc_pdu's metadata validates against fence-agents' metadata.rng (what pcs and the
// fence-agents test suite check), and the embedded copy equals metadata/fence/fence_apc_pdu.xml.
#include <gtest/gtest.h>
#include <libxml/parser.h>
#include <libxml/relaxng.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "libsan/fence/options.h"

namespace {

// Shipped by Debian's fence-agents package (ClusterLabs/fence-agents lib/metadata.rng).
constexpr char kRng[] = "/usr/share/cluster/relaxng/metadata.rng";

void Collect(void* ctx, const char* fmt, ...) {
  char buf[1024];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(buf, sizeof buf, fmt, ap);
  va_end(ap);
  static_cast<std::string*>(ctx)->append(buf);
}

// 0 when valid; the errors otherwise.
int Validate(std::string_view xml, std::string* errors) {
  xmlRelaxNGParserCtxtPtr pctx = xmlRelaxNGNewParserCtxt(kRng);
  xmlRelaxNGPtr schema = xmlRelaxNGParse(pctx);
  xmlRelaxNGFreeParserCtxt(pctx);
  if (!schema) return -1;
  xmlRelaxNGValidCtxtPtr vctx = xmlRelaxNGNewValidCtxt(schema);
  xmlRelaxNGSetValidErrors(vctx, Collect, Collect, errors);
  xmlDocPtr doc = xmlReadMemory(xml.data(), static_cast<int>(xml.size()), "metadata.xml", nullptr,
                                XML_PARSE_NONET);
  int rc = doc ? xmlRelaxNGValidateDoc(vctx, doc) : -2;
  if (doc) xmlFreeDoc(doc);
  xmlRelaxNGFreeValidCtxt(vctx);
  xmlRelaxNGFree(schema);
  return rc;
}

TEST(FenceMetadataRngTest, ValidAgainstFenceAgentsSchema) {
  ASSERT_TRUE(std::filesystem::exists(kRng)) << kRng << " missing: install fence-agents";
  std::string errors;
  EXPECT_EQ(Validate(san::fence::AgentMetadataXml(), &errors), 0) << errors;
}

TEST(FenceMetadataRngTest, TheSchemaRejectsBrokenMetadata) {
  // The check can fail: a parameter without getopt is invalid.
  std::string xml(san::fence::AgentMetadataXml());
  size_t at = xml.find("<getopt mixed=\"-o, --action=[action]\" />");
  ASSERT_NE(at, std::string::npos);
  xml.erase(at, std::string("<getopt mixed=\"-o, --action=[action]\" />").size());
  std::string errors;
  EXPECT_NE(Validate(xml, &errors), 0);
}

TEST(FenceMetadataRngTest, EmbeddedCopyIsTheSourceFile) {
  std::ifstream f(std::string(SANHA_SOURCE_DIR) + "/metadata/fence/fence_apc_pdu.xml");
  std::stringstream ss;
  ss << f.rdbuf();
  EXPECT_EQ(ss.str(), san::fence::AgentMetadataXml());
}

}  // namespace
