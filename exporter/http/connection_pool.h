#pragma once

#include <httplib.h>

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "exporter/config/config.h"
#include "exporter/http/url.h"

namespace fue::http {

// Keep-alive httplib clients per origin, each used by one request at a time. A request borrows
// one (or gets a new one) and gives it back; at most `concurrency` idle ones are kept per origin.
class ConnectionPool {
 public:
  class Lease {
   public:
    Lease(ConnectionPool& pool, std::string origin, std::unique_ptr<httplib::Client> client)
        : pool_(pool), origin_(std::move(origin)), client_(std::move(client)) {}
    ~Lease() { pool_.give_back(origin_, std::move(client_)); }
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    httplib::Client& operator*() const { return *client_; }
    httplib::Client* operator->() const { return client_.get(); }

   private:
    ConnectionPool& pool_;
    std::string origin_;
    std::unique_ptr<httplib::Client> client_;
  };

  ConnectionPool(HttpSettings settings, std::optional<Url> proxy);
  Lease borrow(const Url& url);

 private:
  std::unique_ptr<httplib::Client> connect(const Url& url) const;
  void give_back(const std::string& origin, std::unique_ptr<httplib::Client> client);

  HttpSettings settings_;
  std::optional<Url> proxy_;
  std::mutex mutex_;
  std::map<std::string, std::vector<std::unique_ptr<httplib::Client>>> idle_;
};

}  // namespace fue::http
