#pragma once

#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>

namespace fue {

enum class LogLevel { kDebug = 0, kInfo = 1, kWarn = 2, kError = 3 };
enum class LogFormat { kLogfmt, kJson };

using LogField = std::pair<std::string_view, std::string_view>;

// Process-wide structured logger writing one line per record to stderr, in logfmt or JSON.
// Known secret values are registered and masked from every record as a last line of defence.
namespace log {
void configure(LogLevel level, LogFormat format);
bool parse_level(std::string_view text, LogLevel& out);
bool parse_format(std::string_view text, LogFormat& out);
bool enabled(LogLevel level);
void write(LogLevel level, std::string_view msg, std::initializer_list<LogField> fields = {});
// Any later record containing `value` prints "<redacted>" in its place. Values under 4 chars are
// ignored.
void register_secret(const std::string& value);
// `text` with every registered secret replaced by "<redacted>", for texts shown outside the log
// (the landing page's last errors, which may quote a vendor's error body echoing a credential).
std::string redact(std::string text);

inline void debug(std::string_view m, std::initializer_list<LogField> f = {}) {
  write(LogLevel::kDebug, m, f);
}
inline void info(std::string_view m, std::initializer_list<LogField> f = {}) {
  write(LogLevel::kInfo, m, f);
}
inline void warn(std::string_view m, std::initializer_list<LogField> f = {}) {
  write(LogLevel::kWarn, m, f);
}
inline void error(std::string_view m, std::initializer_list<LogField> f = {}) {
  write(LogLevel::kError, m, f);
}
}  // namespace log

}  // namespace fue
