// Every metadata/*.xml is valid against resource-agents' ra-api-1.dtd (what ocf-tester checks) or,
// for OCF 1.1 meta-data, against that DTD with exactly the two OCF 1.1 additions sanha uses (the
// reload-agent action, the reloadable parameter attribute: resource-agents 4.12's DTD predates
// them); and the embedded copy equals the file.
#include <gtest/gtest.h>
#include <libxml/parser.h>
#include <libxml/valid.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "libsan/ocf/embedded_metadata.h"

namespace {

constexpr char kDtd[] = "/usr/share/resource-agents/ra-api-1.dtd";

std::string Slurp(const std::filesystem::path& path) {
  std::ifstream f(path);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

void CollectErrors(void* ctx, const char* fmt, ...) {
  char buf[1024];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(buf, sizeof buf, fmt, ap);
  va_end(ap);
  static_cast<std::string*>(ctx)->append(buf);
}

// ra-api-1.dtd plus OCF 1.1's reload-agent action and reloadable attribute (the same edit
// tests/agents/iet_target_ocf.sh makes for ocf-tester).
xmlDtdPtr Ocf11Dtd() {
  std::string text = Slurp(kDtd);
  const std::string reload = "|reload|";
  size_t at = text.find(reload);
  if (at == std::string::npos) return nullptr;
  text.insert(at + reload.size(), "reload-agent|");
  text += "<!ATTLIST parameter reloadable (1|0) \"0\">\n";
  xmlParserInputBufferPtr in = xmlParserInputBufferCreateMem(
      text.data(), static_cast<int>(text.size()), XML_CHAR_ENCODING_NONE);
  return xmlIOParseDTD(nullptr, in, XML_CHAR_ENCODING_NONE);
}

TEST(MetadataDtdTest, EveryAgentValidatesAgainstRaApiDtd) {
  ASSERT_TRUE(std::filesystem::exists(kDtd))
      << kDtd << " is missing: install the resource-agents package (README's command does)";
  xmlDtdPtr dtd10 = xmlParseDTD(nullptr, reinterpret_cast<const xmlChar*>(kDtd));
  ASSERT_NE(dtd10, nullptr);
  xmlDtdPtr dtd11 = Ocf11Dtd();
  ASSERT_NE(dtd11, nullptr);
  int checked = 0;
  for (const auto& entry :
       std::filesystem::directory_iterator(std::string(SANHA_SOURCE_DIR) + "/metadata")) {
    if (entry.path().extension() != ".xml") continue;
    std::string xml = Slurp(entry.path());
    xmlDocPtr doc = xmlReadMemory(xml.data(), static_cast<int>(xml.size()), "metadata.xml", nullptr,
                                  XML_PARSE_NONET);
    ASSERT_NE(doc, nullptr) << entry.path();
    std::string errors;
    xmlValidCtxtPtr ctx = xmlNewValidCtxt();
    ctx->userData = &errors;
    ctx->error = CollectErrors;
    ctx->warning = CollectErrors;
    const bool ocf11 = xml.find("<version>1.1</version>") != std::string::npos;
    EXPECT_EQ(xmlValidateDtd(ctx, doc, ocf11 ? dtd11 : dtd10), 1) << entry.path() << ": " << errors;
    if (ocf11) {
      // Honest about the difference: the 1.1 file does need the additions.
      EXPECT_NE(xmlValidateDtd(ctx, doc, dtd10), 1) << entry.path() << " needs no OCF 1.1";
    }
    xmlFreeValidCtxt(ctx);
    xmlFreeDoc(doc);

    const auto& table = san::ocf::EmbeddedMetadataTable();
    auto it = table.find(entry.path().stem().string());
    ASSERT_NE(it, table.end()) << entry.path() << " is not embedded";
    EXPECT_EQ(it->second, xml);
    ++checked;
  }
  xmlFreeDtd(dtd10);
  xmlFreeDtd(dtd11);
  EXPECT_GE(checked, 1);
}

}  // namespace
