#include "exporter/server/web_config.h"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>

namespace fue {
namespace {

std::string where(const std::string& path, const YAML::Node& node) {
  const auto mark = node.Mark();
  if (mark.line < 0) return path;
  return path + ":" + std::to_string(mark.line + 1);
}

[[noreturn]] void fail(const std::string& path, const YAML::Node& node, const std::string& key,
                       const std::string& message) {
  throw WebConfigError("web config " + where(path, node) + ": " + key + ": " + message);
}

std::string scalar(const std::string& path, const YAML::Node& node, const std::string& key) {
  if (node.IsNull()) return "";
  if (!node.IsScalar()) fail(path, node, key, "expected a string");
  return node.Scalar();
}

ClientAuthType parse_client_auth(const std::string& path, const YAML::Node& node,
                                 const std::string& key) {
  const std::string v = scalar(path, node, key);
  static const std::pair<const char*, ClientAuthType> kTypes[] = {
      {"NoClientCert", ClientAuthType::kNoClientCert},
      {"RequestClientCert", ClientAuthType::kRequestClientCert},
      {"RequireAnyClientCert", ClientAuthType::kRequireAnyClientCert},
      {"VerifyClientCertIfGiven", ClientAuthType::kVerifyClientCertIfGiven},
      {"RequireAndVerifyClientCert", ClientAuthType::kRequireAndVerifyClientCert},
  };
  if (v.empty()) return ClientAuthType::kNoClientCert;
  for (const auto& [name, type] : kTypes)
    if (v == name) return type;
  fail(path, node, key,
       "unknown client auth type \"" + v +
           "\"; expected NoClientCert, RequestClientCert, RequireAnyClientCert, "
           "VerifyClientCertIfGiven or RequireAndVerifyClientCert");
}

TlsVersion parse_version(const std::string& path, const YAML::Node& node, const std::string& key) {
  const std::string v = scalar(path, node, key);
  if (v == "TLS10") return TlsVersion::kTls10;
  if (v == "TLS11") return TlsVersion::kTls11;
  if (v == "TLS12") return TlsVersion::kTls12;
  if (v == "TLS13") return TlsVersion::kTls13;
  fail(path, node, key, "unknown TLS version \"" + v + "\"; expected TLS10, TLS11, TLS12 or TLS13");
}

std::string resolve(const std::string& config_path, const std::string& file) {
  if (file.empty()) return file;
  std::filesystem::path p(file);
  if (p.is_absolute()) return file;
  return (std::filesystem::path(config_path).parent_path() / p).string();
}

// bcrypt: "$2a$", "$2b$" or "$2y$", a two-digit cost, "$", then 53 characters of salt and hash.
bool looks_like_bcrypt(const std::string& h) {
  if (h.size() != 60 || h[0] != '$' || h[1] != '2' || h[3] != '$' || h[6] != '$') return false;
  if (h[2] != 'a' && h[2] != 'b' && h[2] != 'y') return false;
  if (h[4] < '0' || h[4] > '9' || h[5] < '0' || h[5] > '9') return false;
  const int cost = (h[4] - '0') * 10 + (h[5] - '0');
  if (cost < 4 || cost > 31) return false;
  for (size_t i = 7; i < h.size(); ++i) {
    const char c = h[i];
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '.' || c == '/';
    if (!ok) return false;
  }
  return true;
}

std::vector<std::string> string_list(const std::string& path, const YAML::Node& node,
                                     const std::string& key) {
  if (!node.IsSequence()) fail(path, node, key, "expected a list");
  std::vector<std::string> out;
  for (const auto& item : node) out.push_back(scalar(path, item, key));
  return out;
}

bool boolean(const std::string& path, const YAML::Node& node, const std::string& key) {
  const std::string v = scalar(path, node, key);
  if (v == "true") return true;
  if (v == "false") return false;
  fail(path, node, key, "expected true or false");
}

// Go's crypto/tls names of the cipher suites exporter-toolkit accepts, in OpenSSL's words. Like
// Go's, they apply to TLS 1.2 and below; TLS 1.3's suites are not configurable.
const std::map<std::string, std::string>& go_cipher_suites() {
  static const std::map<std::string, std::string> m = {
      {"TLS_RSA_WITH_AES_128_CBC_SHA", "AES128-SHA"},
      {"TLS_RSA_WITH_AES_256_CBC_SHA", "AES256-SHA"},
      {"TLS_RSA_WITH_AES_128_CBC_SHA256", "AES128-SHA256"},
      {"TLS_RSA_WITH_AES_128_GCM_SHA256", "AES128-GCM-SHA256"},
      {"TLS_RSA_WITH_AES_256_GCM_SHA384", "AES256-GCM-SHA384"},
      {"TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA", "ECDHE-ECDSA-AES128-SHA"},
      {"TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA", "ECDHE-ECDSA-AES256-SHA"},
      {"TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA", "ECDHE-RSA-AES128-SHA"},
      {"TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA", "ECDHE-RSA-AES256-SHA"},
      {"TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256", "ECDHE-ECDSA-AES128-SHA256"},
      {"TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256", "ECDHE-RSA-AES128-SHA256"},
      {"TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "ECDHE-RSA-AES128-GCM-SHA256"},
      {"TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "ECDHE-ECDSA-AES128-GCM-SHA256"},
      {"TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", "ECDHE-RSA-AES256-GCM-SHA384"},
      {"TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", "ECDHE-ECDSA-AES256-GCM-SHA384"},
      {"TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256", "ECDHE-RSA-CHACHA20-POLY1305"},
      {"TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256", "ECDHE-ECDSA-CHACHA20-POLY1305"},
      {"TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305", "ECDHE-RSA-CHACHA20-POLY1305"},
      {"TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305", "ECDHE-ECDSA-CHACHA20-POLY1305"},
  };
  return m;
}

// Go's curve names (exporter-toolkit's curve_preferences) in OpenSSL's.
const std::map<std::string, std::string>& go_curves() {
  static const std::map<std::string, std::string> m = {
      {"CurveP256", "P-256"}, {"CurveP384", "P-384"}, {"CurveP521", "P-521"}, {"X25519", "X25519"}};
  return m;
}

std::string joined_names(const std::string& path, const YAML::Node& node, const std::string& key,
                         const std::map<std::string, std::string>& names) {
  std::string out;
  for (const auto& name : string_list(path, node, key)) {
    const auto it = names.find(name);
    if (it == names.end()) fail(path, node, key, "unknown name \"" + name + "\"");
    out += (out.empty() ? "" : ":") + it->second;
  }
  return out;
}

// exporter-toolkit's headers and the values it allows for three of them.
void parse_http(const std::string& path, const YAML::Node& node, HttpServerConfig& http) {
  if (!node.IsMap()) fail(path, node, "http_server_config", "expected a mapping");
  for (const auto& item : node) {
    const std::string k = item.first.as<std::string>();
    const std::string key = "http_server_config." + k;
    if (k == "http2") {
      http.http2 = boolean(path, item.second, key);
    } else if (k == "headers") {
      if (item.second.IsNull()) continue;
      if (!item.second.IsMap()) fail(path, item.second, key, "expected a mapping of header: value");
      static const std::map<std::string, std::vector<std::string>> allowed = {
          {"Strict-Transport-Security", {}},
          {"Content-Security-Policy", {}},
          {"X-Content-Type-Options", {"nosniff"}},
          {"X-Frame-Options", {"deny", "sameorigin"}},
          {"X-XSS-Protection", {"0", "1", "1; mode=block"}}};
      for (const auto& h : item.second) {
        const std::string name = h.first.as<std::string>();
        const std::string hkey = key + "." + name;
        const auto it = allowed.find(name);
        if (it == allowed.end())
          fail(path, h.first, hkey,
               "this header cannot be configured; exporter-toolkit allows "
               "Strict-Transport-Security, Content-Security-Policy, X-Content-Type-Options, "
               "X-Frame-Options and X-XSS-Protection");
        const std::string value = scalar(path, h.second, hkey);
        if (!it->second.empty() &&
            std::find(it->second.begin(), it->second.end(), value) == it->second.end())
          fail(path, h.second, hkey, "value \"" + value + "\" is not allowed");
        if (value.find_first_of("\r\n") != std::string::npos)
          fail(path, h.second, hkey, "a header value must be one line");
        http.headers.emplace_back(name, value);
      }
    } else {
      fail(path, item.first, key, "unsupported key; this exporter knows http2 and headers");
    }
  }
}

TlsServerConfig parse_tls(const std::string& path, const YAML::Node& node) {
  if (!node.IsMap()) fail(path, node, "tls_server_config", "expected a mapping");
  TlsServerConfig tls;
  for (const auto& item : node) {
    const std::string k = item.first.as<std::string>();
    const std::string key = "tls_server_config." + k;
    const YAML::Node& v = item.second;
    if (k == "cert_file") {
      tls.cert_file = resolve(path, scalar(path, v, key));
    } else if (k == "key_file") {
      tls.key_file = resolve(path, scalar(path, v, key));
    } else if (k == "client_ca_file") {
      tls.client_ca_file = resolve(path, scalar(path, v, key));
    } else if (k == "client_auth_type") {
      tls.client_auth_type = parse_client_auth(path, v, key);
    } else if (k == "min_version") {
      tls.min_version = parse_version(path, v, key);
    } else if (k == "max_version") {
      tls.max_version = parse_version(path, v, key);
    } else if (k == "cipher_suites") {
      tls.cipher_list = joined_names(path, v, key, go_cipher_suites());
    } else if (k == "curve_preferences") {
      tls.groups_list = joined_names(path, v, key, go_curves());
    } else if (k == "prefer_server_cipher_suites") {
      tls.prefer_server_cipher_suites = boolean(path, v, key);
    } else if (k == "client_allowed_sans") {
      tls.client_allowed_sans = string_list(path, v, key);
    } else {
      fail(path, item.first, key,
           "unsupported key; this exporter knows cert_file, key_file, client_ca_file, "
           "client_auth_type, min_version, max_version, cipher_suites, curve_preferences, "
           "prefer_server_cipher_suites and client_allowed_sans");
    }
  }
  if (tls.cert_file.empty()) fail(path, node, "tls_server_config.cert_file", "missing");
  if (tls.key_file.empty()) fail(path, node, "tls_server_config.key_file", "missing");
  const bool verifies = tls.client_auth_type == ClientAuthType::kVerifyClientCertIfGiven ||
                        tls.client_auth_type == ClientAuthType::kRequireAndVerifyClientCert;
  if (verifies && tls.client_ca_file.empty())
    fail(path, node, "tls_server_config.client_ca_file",
         std::string("required when client_auth_type is ") + to_string(tls.client_auth_type));
  if (!tls.client_ca_file.empty() && tls.client_auth_type == ClientAuthType::kNoClientCert)
    fail(path, node, "tls_server_config.client_auth_type",
         "client_ca_file is set but client_auth_type is NoClientCert; set "
         "VerifyClientCertIfGiven or RequireAndVerifyClientCert");
  if (tls.max_version && *tls.max_version < tls.min_version)
    fail(path, node, "tls_server_config.max_version", "is lower than min_version");
  if (!tls.client_allowed_sans.empty() && !verifies)
    fail(path, node, "tls_server_config.client_allowed_sans",
         "needs a verified client certificate: client_auth_type VerifyClientCertIfGiven or "
         "RequireAndVerifyClientCert");
  return tls;
}

std::string openssl_error() {
  std::string out;
  while (const unsigned long e = ERR_get_error()) {
    char buf[256];
    ERR_error_string_n(e, buf, sizeof buf);
    if (!out.empty()) out += "; ";
    out += buf;
  }
  return out.empty() ? "unknown OpenSSL error" : out;
}

int openssl_version(TlsVersion v) {
  switch (v) {
    case TlsVersion::kTls10:
      return TLS1_VERSION;
    case TlsVersion::kTls11:
      return TLS1_1_VERSION;
    case TlsVersion::kTls12:
      return TLS1_2_VERSION;
    case TlsVersion::kTls13:
      return TLS1_3_VERSION;
  }
  return TLS1_2_VERSION;
}

// RequestClientCert and RequireAnyClientCert take whatever certificate the client sends.
int accept_any_certificate(int, X509_STORE_CTX*) { return 1; }

// client_allowed_sans, kept on the SSL_CTX for the verify callback (freed with the context).
int sans_index() {
  static const int index = SSL_CTX_get_ex_new_index(
      0, nullptr, nullptr, nullptr, [](void*, void* p, CRYPTO_EX_DATA*, int, long, void*) {
        delete static_cast<std::vector<std::string>*>(p);
      });
  return index;
}

// A verified client certificate must also name one of client_allowed_sans (DNS, IP or e-mail).
int verify_allowed_sans(int preverified, X509_STORE_CTX* store) {
  if (!preverified || X509_STORE_CTX_get_error_depth(store) != 0) return preverified;
  auto* ssl =
      static_cast<SSL*>(X509_STORE_CTX_get_ex_data(store, SSL_get_ex_data_X509_STORE_CTX_idx()));
  const auto* sans = static_cast<const std::vector<std::string>*>(
      SSL_CTX_get_ex_data(SSL_get_SSL_CTX(ssl), sans_index()));
  X509* cert = X509_STORE_CTX_get_current_cert(store);
  if (!sans || sans->empty()) return 1;
  for (const auto& san : *sans) {
    if (X509_check_host(cert, san.c_str(), san.size(), 0, nullptr) == 1 ||
        X509_check_ip_asc(cert, san.c_str(), 0) == 1 ||
        X509_check_email(cert, san.c_str(), san.size(), 0) == 1)
      return 1;
  }
  X509_STORE_CTX_set_error(store, X509_V_ERR_CERT_REJECTED);
  return 0;
}

}  // namespace

const char* to_string(ClientAuthType type) {
  switch (type) {
    case ClientAuthType::kNoClientCert:
      return "NoClientCert";
    case ClientAuthType::kRequestClientCert:
      return "RequestClientCert";
    case ClientAuthType::kRequireAnyClientCert:
      return "RequireAnyClientCert";
    case ClientAuthType::kVerifyClientCertIfGiven:
      return "VerifyClientCertIfGiven";
    case ClientAuthType::kRequireAndVerifyClientCert:
      return "RequireAndVerifyClientCert";
  }
  return "?";
}

const char* to_string(TlsVersion version) {
  switch (version) {
    case TlsVersion::kTls10:
      return "TLS10";
    case TlsVersion::kTls11:
      return "TLS11";
    case TlsVersion::kTls12:
      return "TLS12";
    case TlsVersion::kTls13:
      return "TLS13";
  }
  return "?";
}

void configure_ssl_ctx(ssl_ctx_st* ctx, const TlsServerConfig& tls,
                       const std::string& config_path) {
  const std::string prefix = "web config " + config_path + ": tls_server_config.";
  ERR_clear_error();
  SSL_CTX_set_options(ctx, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION);
  if (tls.prefer_server_cipher_suites) SSL_CTX_set_options(ctx, SSL_OP_CIPHER_SERVER_PREFERENCE);
  if (!tls.cipher_list.empty() && SSL_CTX_set_cipher_list(ctx, tls.cipher_list.c_str()) != 1)
    throw WebConfigError(prefix + "cipher_suites: not supported: " + openssl_error());
  if (!tls.groups_list.empty() && SSL_CTX_set1_groups_list(ctx, tls.groups_list.c_str()) != 1)
    throw WebConfigError(prefix + "curve_preferences: not supported: " + openssl_error());
  if (SSL_CTX_set_min_proto_version(ctx, openssl_version(tls.min_version)) != 1)
    throw WebConfigError(prefix + "min_version: not supported: " + openssl_error());
  if (tls.max_version && SSL_CTX_set_max_proto_version(ctx, openssl_version(*tls.max_version)) != 1)
    throw WebConfigError(prefix + "max_version: not supported: " + openssl_error());
  if (SSL_CTX_use_certificate_chain_file(ctx, tls.cert_file.c_str()) != 1)
    throw WebConfigError(prefix + "cert_file: cannot load " + tls.cert_file + ": " +
                         openssl_error());
  if (SSL_CTX_use_PrivateKey_file(ctx, tls.key_file.c_str(), SSL_FILETYPE_PEM) != 1)
    throw WebConfigError(prefix + "key_file: cannot load " + tls.key_file + ": " + openssl_error());
  if (SSL_CTX_check_private_key(ctx) != 1)
    throw WebConfigError(prefix + "key_file: does not match the certificate in cert_file");
  if (!tls.client_ca_file.empty()) {
    if (SSL_CTX_load_verify_locations(ctx, tls.client_ca_file.c_str(), nullptr) != 1)
      throw WebConfigError(prefix + "client_ca_file: cannot load " + tls.client_ca_file + ": " +
                           openssl_error());
    // The CA names go into the CertificateRequest so clients pick the right certificate.
    if (STACK_OF(X509_NAME)* names = SSL_load_client_CA_file(tls.client_ca_file.c_str()))
      SSL_CTX_set_client_CA_list(ctx, names);
  }
  switch (tls.client_auth_type) {
    case ClientAuthType::kNoClientCert:
      SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, nullptr);
      break;
    case ClientAuthType::kRequestClientCert:
      SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, accept_any_certificate);
      break;
    case ClientAuthType::kRequireAnyClientCert:
      SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT,
                         accept_any_certificate);
      break;
    case ClientAuthType::kVerifyClientCertIfGiven:
      SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, verify_allowed_sans);
      break;
    case ClientAuthType::kRequireAndVerifyClientCert:
      SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT,
                         verify_allowed_sans);
      break;
  }
  if (!tls.client_allowed_sans.empty())
    SSL_CTX_set_ex_data(ctx, sans_index(), new std::vector<std::string>(tls.client_allowed_sans));
}

WebConfig parse_web_config(const std::string& yaml_text, const std::string& path,
                           bool check_files) {
  WebConfig config;
  config.path = path;
  YAML::Node root;
  try {
    root = YAML::Load(yaml_text);
  } catch (const YAML::Exception& e) {
    throw WebConfigError("web config " + path + ":" + std::to_string(e.mark.line + 1) +
                         ": invalid YAML: " + e.msg);
  }
  if (root.IsNull()) return config;  // an empty file: plain HTTP, no authentication
  if (!root.IsMap())
    throw WebConfigError("web config " + path + ": expected a mapping at the top level");
  try {
    for (const auto& item : root) {
      const std::string k = item.first.as<std::string>();
      const YAML::Node& v = item.second;
      if (k == "tls_server_config") {
        if (!v.IsNull()) config.tls = parse_tls(path, v);
      } else if (k == "basic_auth_users") {
        if (v.IsNull()) continue;
        if (!v.IsMap()) fail(path, v, "basic_auth_users", "expected a mapping of user: hash");
        for (const auto& user : v) {
          const std::string name = user.first.as<std::string>();
          const std::string key = "basic_auth_users." + name;
          if (name.empty() || name.find(':') != std::string::npos)
            fail(path, user.first, key, "a user name must be non-empty and contain no ':'");
          if (!user.second.IsScalar()) fail(path, user.second, key, "expected a bcrypt hash");
          const std::string hash = user.second.Scalar();
          // The message never repeats the value: it may be a password pasted by mistake.
          if (!looks_like_bcrypt(hash))
            fail(path, user.second, key,
                 "not a bcrypt hash ($2a$, $2b$ or $2y$ and 60 characters; make one with "
                 "`htpasswd -nBC 10 <user>`)");
          config.basic_auth_users[name] = hash;
        }
      } else if (k == "http_server_config") {
        if (!v.IsNull()) parse_http(path, v, config.http);
      } else {
        fail(path, item.first, k,
             "unsupported key; this exporter knows tls_server_config, http_server_config and "
             "basic_auth_users");
      }
    }
  } catch (const YAML::Exception& e) {
    throw WebConfigError("web config " + path + ":" + std::to_string(e.mark.line + 1) + ": " +
                         e.msg);
  }
  if (config.tls && check_files) {
    std::unique_ptr<SSL_CTX, decltype(&SSL_CTX_free)> ctx(SSL_CTX_new(TLS_server_method()),
                                                          SSL_CTX_free);
    if (!ctx) throw WebConfigError("web config " + path + ": cannot create a TLS context");
    configure_ssl_ctx(ctx.get(), *config.tls, path);
  }
  return config;
}

WebConfig load_web_config(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw WebConfigError("web config " + path + ": cannot read the file");
  std::ostringstream text;
  text << in.rdbuf();
  return parse_web_config(text.str(), path, true);
}

std::string describe(const WebConfig& config) {
  std::ostringstream out;
  if (config.tls) {
    out << "tls=on min_version=" << to_string(config.tls->min_version)
        << " client_auth=" << to_string(config.tls->client_auth_type);
  } else {
    out << "tls=off";
  }
  out << " basic_auth_users=" << config.basic_auth_users.size()
      << " headers=" << config.http.headers.size();
  return out.str();
}

}  // namespace fue
