// Every metadata/*.xml is valid against resource-agents' ra-api-1.dtd (what ocf-tester checks),
// and the embedded copy equals the file.
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

TEST(MetadataDtdTest, EveryAgentValidatesAgainstRaApiDtd) {
  ASSERT_TRUE(std::filesystem::exists(kDtd))
      << kDtd << " is missing: install the resource-agents package (README's command does)";
  xmlDtdPtr dtd = xmlParseDTD(nullptr, reinterpret_cast<const xmlChar*>(kDtd));
  ASSERT_NE(dtd, nullptr);
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
    EXPECT_EQ(xmlValidateDtd(ctx, doc, dtd), 1) << entry.path() << ": " << errors;
    xmlFreeValidCtxt(ctx);
    xmlFreeDoc(doc);

    const auto& table = san::ocf::EmbeddedMetadataTable();
    auto it = table.find(entry.path().stem().string());
    ASSERT_NE(it, table.end()) << entry.path() << " is not embedded";
    EXPECT_EQ(it->second, xml);
    ++checked;
  }
  xmlFreeDtd(dtd);
  EXPECT_GE(checked, 1);
}

}  // namespace
