#pragma once

// The exporter-toolkit web config file (--web.config.file): TLS for the exporter's own endpoints
// and HTTP basic auth with bcrypt-hashed passwords. The same YAML format as node_exporter and the
// other Prometheus exporters, so one file serves them all:
//
//   tls_server_config:
//     cert_file: server.crt          # relative paths resolve against the file's directory
//     key_file: server.key
//     client_ca_file: ca.crt         # optional
//     client_auth_type: RequireAndVerifyClientCert
//     min_version: TLS12             # TLS10, TLS11, TLS12 (default), TLS13
//     max_version: TLS13             # optional
//     cipher_suites: [TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256]   # Go's names; TLS 1.2 and below
//     curve_preferences: [X25519, CurveP256]
//     prefer_server_cipher_suites: true
//     client_allowed_sans: [prometheus.example.com]     # with a verified client certificate
//   http_server_config:
//     http2: true                    # accepted; this exporter serves HTTP/1.1
//     headers: {X-Frame-Options: deny, Strict-Transport-Security: max-age=31536000}
//   basic_auth_users:
//     prometheus: $2b$10$...         # bcrypt hash, e.g. from `htpasswd -nBC 10 prometheus`
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

struct ssl_ctx_st;  // OpenSSL's SSL_CTX

namespace fue {

// A bad web config file; the text names the file and the key, never a password hash.
class WebConfigError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

enum class ClientAuthType {
  kNoClientCert,                // no client certificate is asked for
  kRequestClientCert,           // asked for, not required, not verified
  kRequireAnyClientCert,        // required, not verified
  kVerifyClientCertIfGiven,     // not required; verified against client_ca_file when sent
  kRequireAndVerifyClientCert,  // required and verified against client_ca_file
};

enum class TlsVersion { kTls10, kTls11, kTls12, kTls13 };

struct TlsServerConfig {
  std::string cert_file;  // absolute, or resolved against the config file's directory
  std::string key_file;
  std::string client_ca_file;  // empty: none
  ClientAuthType client_auth_type = ClientAuthType::kNoClientCert;
  TlsVersion min_version = TlsVersion::kTls12;
  std::optional<TlsVersion> max_version;
  std::string cipher_list;  // OpenSSL's names for cipher_suites; empty: OpenSSL's defaults
  std::string groups_list;  // OpenSSL's names for curve_preferences; empty: defaults
  bool prefer_server_cipher_suites = true;
  std::vector<std::string> client_allowed_sans;  // empty: any verified certificate
};

// http_server_config: response headers (exporter-toolkit's five, with its value checks) and
// http2, which is accepted for node_exporter's web.yml and has no effect (HTTP/1.1 only).
struct HttpServerConfig {
  bool http2 = true;
  std::vector<std::pair<std::string, std::string>> headers;
};

struct WebConfig {
  std::string path;                    // the file it came from, for error messages
  std::optional<TlsServerConfig> tls;  // nullopt: plain HTTP
  // user name -> bcrypt hash; empty: no authentication.
  std::map<std::string, std::string> basic_auth_users;
  HttpServerConfig http;
};

// Reads and validates the file: YAML syntax, known keys only, both cert_file and key_file,
// a client CA where the auth type verifies, bcrypt-shaped hashes, and that the certificate, key
// and CA files load and match. Throws WebConfigError naming the file and the key.
WebConfig load_web_config(const std::string& path);
// The same from text already read; `path` names the file in errors and anchors relative paths.
// `check_files` = false skips opening the certificate files (unit tests of the YAML rules).
WebConfig parse_web_config(const std::string& yaml_text, const std::string& path,
                           bool check_files = true);

// Applies `tls` to an OpenSSL server context: certificate chain and key, client CA list and
// verification per client_auth_type, protocol versions. Throws WebConfigError naming
// `config_path` and the key. The TLS web server calls it for its context.
void configure_ssl_ctx(ssl_ctx_st* ctx, const TlsServerConfig& tls, const std::string& config_path);

const char* to_string(ClientAuthType type);
const char* to_string(TlsVersion version);

// A one-line description for the startup log: "tls=on min_version=TLS12 client_auth=...
// basic_auth_users=2" (never a hash).
std::string describe(const WebConfig& config);

}  // namespace fue
