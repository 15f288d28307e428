// The libnftables client: the only file that knows libnftables. The library (with libnftnl,
// libxtables, libgmp and libjansson behind it) costs ~4 ms to load and relocate on every process
// start, so it is opened with dlopen only when an nft backend is actually used: meta-data,
// validation and the iptables backend never pay for it.
#include "libsan/firewall/nft_client.h"

#include <arpa/inet.h>
#include <dlfcn.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netlink.h>
#include <nftables/libnftables.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace san::firewall {

namespace {

// The entry points we use, resolved once per process.
struct NftApi {
  decltype(&nft_ctx_new) ctx_new;
  decltype(&nft_ctx_free) ctx_free;
  decltype(&nft_ctx_output_set_flags) output_set_flags;
  decltype(&nft_ctx_buffer_output) buffer_output;
  decltype(&nft_ctx_buffer_error) buffer_error;
  decltype(&nft_ctx_unbuffer_output) unbuffer_output;
  decltype(&nft_ctx_unbuffer_error) unbuffer_error;
  decltype(&nft_ctx_get_output_buffer) get_output_buffer;
  decltype(&nft_ctx_get_error_buffer) get_error_buffer;
  decltype(&nft_run_cmd_from_buffer) run_cmd_from_buffer;
};

Result<const NftApi*> LoadApi() {
  static NftApi api;
  static std::string error;
  static const bool loaded = [] {
    void* lib = dlopen("libnftables.so.1", RTLD_NOW | RTLD_LOCAL);
    if (!lib) {
      error = dlerror();
      return false;
    }
    bool ok = true;
    auto get = [&](auto& fn, const char* name) {
      fn = reinterpret_cast<std::remove_reference_t<decltype(fn)>>(dlsym(lib, name));
      if (!fn) {
        ok = false;
        error = std::string("missing symbol ") + name;
      }
    };
    get(api.ctx_new, "nft_ctx_new");
    get(api.ctx_free, "nft_ctx_free");
    get(api.output_set_flags, "nft_ctx_output_set_flags");
    get(api.buffer_output, "nft_ctx_buffer_output");
    get(api.buffer_error, "nft_ctx_buffer_error");
    get(api.unbuffer_output, "nft_ctx_unbuffer_output");
    get(api.unbuffer_error, "nft_ctx_unbuffer_error");
    get(api.get_output_buffer, "nft_ctx_get_output_buffer");
    get(api.get_error_buffer, "nft_ctx_get_error_buffer");
    get(api.run_cmd_from_buffer, "nft_run_cmd_from_buffer");
    return ok;
  }();
  if (!loaded) return Status::NotInstalled("libnftables.so.1 cannot be used: " + error);
  return &api;
}

class LibNftClient : public NftClient {
 public:
  LibNftClient(const NftApi* api, nft_ctx* ctx) : api_(api), ctx_(ctx) {}
  ~LibNftClient() override { api_->ctx_free(ctx_); }

  Result<NftResult> Run(std::string_view script) override {
    std::string text(script);  // libnftables wants a NUL-terminated buffer
    int rc = api_->run_cmd_from_buffer(ctx_, text.c_str());
    NftResult r;
    r.ok = rc == 0;
    r.out = api_->get_output_buffer(ctx_);
    r.err = api_->get_error_buffer(ctx_);
    // Re-arm the buffers so the next call starts empty.
    api_->unbuffer_output(ctx_);
    api_->unbuffer_error(ctx_);
    api_->buffer_output(ctx_);
    api_->buffer_error(ctx_);
    return r;
  }

 private:
  const NftApi* api_;
  nft_ctx* ctx_;
};

}  // namespace

Result<std::unique_ptr<NftClient>> MakeLibNftClient() {
  SAN_ASSIGN_OR_RETURN(const NftApi* api, LoadApi());
  nft_ctx* ctx = api->ctx_new(NFT_CTX_DEFAULT);
  if (!ctx) return Status::NotInstalled("libnftables could not create a context");
  api->output_set_flags(ctx, NFT_CTX_OUTPUT_HANDLE);
  api->buffer_output(ctx);
  api->buffer_error(ctx);
  return std::unique_ptr<NftClient>(new LibNftClient(api, ctx));
}

Result<uint32_t> ReadRulesetGeneration() {
  int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_NETFILTER);
  if (fd < 0) {
    return Status::NotInstalled(std::string("netlink netfilter socket: ") + std::strerror(errno));
  }
  struct {
    nlmsghdr header;
    nfgenmsg gen;
  } request{};
  request.header.nlmsg_len = sizeof request;
  request.header.nlmsg_type = (NFNL_SUBSYS_NFTABLES << 8) | NFT_MSG_GETGEN;
  request.header.nlmsg_flags = NLM_F_REQUEST;
  request.header.nlmsg_seq = 1;
  request.gen.nfgen_family = AF_UNSPEC;
  request.gen.version = NFNETLINK_V0;
  sockaddr_nl kernel{};
  kernel.nl_family = AF_NETLINK;
  alignas(nlmsghdr) char reply[1024];
  ssize_t n = -1;
  if (sendto(fd, &request, sizeof request, 0, reinterpret_cast<sockaddr*>(&kernel),
             sizeof kernel) == static_cast<ssize_t>(sizeof request)) {
    n = recv(fd, reply, sizeof reply, 0);
  }
  int saved = errno;
  close(fd);
  if (n < static_cast<ssize_t>(NLMSG_HDRLEN)) {
    return Status::CommandFailed(std::string("nf_tables generation: ") + std::strerror(saved));
  }
  const auto* header = reinterpret_cast<const nlmsghdr*>(reply);
  if (header->nlmsg_type == NLMSG_ERROR || header->nlmsg_len > static_cast<size_t>(n)) {
    return Status::CommandFailed("nf_tables generation: the kernel refused the request");
  }
  // Attributes follow the nfgenmsg; NFTA_GEN_ID is a big-endian u32.
  size_t offset = NLMSG_HDRLEN + NLMSG_ALIGN(sizeof(nfgenmsg));
  while (offset + NLA_HDRLEN <= header->nlmsg_len) {
    nlattr attr;
    std::memcpy(&attr, reply + offset, sizeof attr);
    if (attr.nla_len < NLA_HDRLEN || offset + attr.nla_len > header->nlmsg_len) break;
    if ((attr.nla_type & NLA_TYPE_MASK) == NFTA_GEN_ID && attr.nla_len >= NLA_HDRLEN + 4) {
      uint32_t id;
      std::memcpy(&id, reply + offset + NLA_HDRLEN, sizeof id);
      return ntohl(id);
    }
    offset += NLA_ALIGN(attr.nla_len);
  }
  return Status::CommandFailed("nf_tables generation: no NFTA_GEN_ID in the reply");
}

}  // namespace san::firewall
