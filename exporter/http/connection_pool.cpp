#include "exporter/http/connection_pool.h"

#include <algorithm>
#include <filesystem>

namespace fue::http {
namespace {

constexpr const char* kSystemCaBundle = "/etc/ssl/certs/ca-certificates.crt";

void configure_tls(httplib::Client& client, const HttpSettings& settings) {
  if (settings.insecure_skip_verify) {
    client.enable_server_certificate_verification(false);
    return;
  }
  client.enable_server_certificate_verification(true);
  if (!settings.ca_file.empty()) {
    client.set_ca_cert_path(settings.ca_file);
  } else if (std::filesystem::exists(kSystemCaBundle)) {
    client.set_ca_cert_path(kSystemCaBundle);
  }
}

}  // namespace

ConnectionPool::ConnectionPool(HttpSettings settings, std::optional<Url> proxy)
    : settings_(std::move(settings)), proxy_(std::move(proxy)) {}

ConnectionPool::Lease ConnectionPool::borrow(const Url& url) {
  auto origin = url.origin();
  {
    std::lock_guard lock(mutex_);
    auto& idle = idle_[origin];
    if (!idle.empty()) {
      auto client = std::move(idle.back());
      idle.pop_back();
      return Lease(*this, origin, std::move(client));
    }
  }
  return Lease(*this, origin, connect(url));
}

std::unique_ptr<httplib::Client> ConnectionPool::connect(const Url& url) const {
  auto client = std::make_unique<httplib::Client>(url.origin());
  // Without it a request written in pieces waits on Nagle and the peer's delayed ACK (~40 ms).
  client->set_tcp_nodelay(true);
  client->set_keep_alive(true);
  client->set_decompress(false);  // BodyInflater (http_attempt.cpp) inflates with ISA-L
  client->set_url_encode(false);  // request targets arrive already encoded
  client->set_follow_location(false);
  if (url.scheme == "https") configure_tls(*client, settings_);
  if (proxy_) {
    client->set_proxy(proxy_->host, proxy_->port);
    if (!proxy_->user.empty()) client->set_proxy_basic_auth(proxy_->user, proxy_->password);
  }
  return client;
}

void ConnectionPool::give_back(const std::string& origin, std::unique_ptr<httplib::Client> client) {
  if (!client) return;
  std::lock_guard lock(mutex_);
  auto& idle = idle_[origin];
  if (static_cast<int>(idle.size()) < std::max(1, settings_.concurrency))
    idle.push_back(std::move(client));
}

}  // namespace fue::http
