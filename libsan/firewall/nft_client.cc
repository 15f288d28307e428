// The libnftables client: the only file including <nftables/libnftables.h>.
#include "libsan/firewall/nft_client.h"

#include <nftables/libnftables.h>

#include <cerrno>
#include <cstring>

namespace san::firewall {

namespace {

class LibNftClient : public NftClient {
 public:
  explicit LibNftClient(nft_ctx* ctx) : ctx_(ctx) {}
  ~LibNftClient() override { nft_ctx_free(ctx_); }

  Result<NftResult> Run(std::string_view script) override {
    std::string text(script);  // libnftables wants a NUL-terminated buffer
    errno = 0;
    int rc = nft_run_cmd_from_buffer(ctx_, text.c_str());
    NftResult r;
    r.ok = rc == 0;
    r.out = nft_ctx_get_output_buffer(ctx_);
    r.err = nft_ctx_get_error_buffer(ctx_);
    // Re-arm the buffers so the next call starts empty.
    nft_ctx_unbuffer_output(ctx_);
    nft_ctx_unbuffer_error(ctx_);
    nft_ctx_buffer_output(ctx_);
    nft_ctx_buffer_error(ctx_);
    if (!r.ok && (r.err.find("Operation not permitted") != std::string::npos)) {
      return Status::Permission("nft: operation not permitted (netlink needs CAP_NET_ADMIN)");
    }
    return r;
  }

 private:
  nft_ctx* ctx_;
};

}  // namespace

Result<std::unique_ptr<NftClient>> MakeLibNftClient() {
  nft_ctx* ctx = nft_ctx_new(NFT_CTX_DEFAULT);
  if (!ctx) return Status::NotInstalled("libnftables could not create a context");
  nft_ctx_output_set_flags(ctx, NFT_CTX_OUTPUT_HANDLE);
  nft_ctx_buffer_output(ctx);
  nft_ctx_buffer_error(ctx);
  return std::unique_ptr<NftClient>(new LibNftClient(ctx));
}

}  // namespace san::firewall
