#include <memory>
#include <string>

#include "exporter/core/log.h"
#include "exporter/http/http_client.h"

namespace fue::http {
namespace {

// A pre-issued credential sent as one header; it cannot be renewed, so a 401 is final.
class StaticHeaderAuth : public Authenticator {
 public:
  StaticHeaderAuth(std::string header, std::string value)
      : header_(std::move(header)), value_(std::move(value)) {
    log::register_secret(value_);
  }
  void apply(Request& req, Client&, const Deadline&) override {
    req.headers.erase(header_);
    req.headers.emplace(header_, value_);
  }

 private:
  std::string header_;
  std::string value_;
};

}  // namespace

std::shared_ptr<Authenticator> bearer_auth(Secret token) {
  log::register_secret(token.reveal());
  return std::make_shared<StaticHeaderAuth>("Authorization", "Bearer " + token.reveal());
}

std::shared_ptr<Authenticator> static_header_auth(std::string header, Secret token) {
  return std::make_shared<StaticHeaderAuth>(std::move(header), token.reveal());
}

}  // namespace fue::http
