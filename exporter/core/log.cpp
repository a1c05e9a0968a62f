#include "exporter/core/log.h"

#include <atomic>
#include <chrono>
#include <cstdio>
#include <mutex>
#include <string>
#include <vector>

#include "exporter/http/json_util.h"

namespace fue::log {
namespace {

struct State {
  std::mutex mutex;
  std::vector<std::string> secrets;
  std::atomic<int> level{static_cast<int>(LogLevel::kInfo)};
  std::atomic<int> format{static_cast<int>(LogFormat::kLogfmt)};
};

State& state() {
  static State s;
  return s;
}

const char* level_name(LogLevel l) {
  switch (l) {
    case LogLevel::kDebug:
      return "debug";
    case LogLevel::kInfo:
      return "info";
    case LogLevel::kWarn:
      return "warn";
    case LogLevel::kError:
      return "error";
  }
  return "info";
}

void append_logfmt_value(std::string& out, std::string_view v) {
  const bool quote = v.empty() || v.find_first_of(" =\"\\\n\t") != std::string_view::npos;
  if (!quote) {
    out += v;
    return;
  }
  out += '"';
  for (char c : v) {
    if (c == '"' || c == '\\')
      (out += '\\') += c;
    else if (c == '\n')
      out += "\\n";
    else if (c == '\t')
      out += "\\t";
    else
      out += c;
  }
  out += '"';
}

void append_json_string(std::string& out, std::string_view v) {
  out +=
      nlohmann::json(std::string(v)).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

void mask_secrets(std::string& line, const std::vector<std::string>& secrets) {
  for (const auto& s : secrets) {
    for (size_t pos = line.find(s); pos != std::string::npos; pos = line.find(s, pos))
      line.replace(pos, s.size(), "<redacted>");
  }
}

std::string now_rfc3339_millis() {
  using namespace std::chrono;
  const auto now = system_clock::now();
  const auto ms = duration_cast<milliseconds>(now.time_since_epoch()).count();
  std::string ts = timeutil::format_rfc3339(static_cast<double>(ms / 1000));
  char frac[8];
  std::snprintf(frac, sizeof frac, ".%03d", static_cast<int>(ms % 1000));
  ts.insert(ts.size() - 1, frac);
  return ts;
}

}  // namespace

void configure(LogLevel level, LogFormat format) {
  state().level = static_cast<int>(level);
  state().format = static_cast<int>(format);
}

bool parse_level(std::string_view text, LogLevel& out) {
  for (auto l : {LogLevel::kDebug, LogLevel::kInfo, LogLevel::kWarn, LogLevel::kError})
    if (text == level_name(l)) {
      out = l;
      return true;
    }
  return false;
}

bool parse_format(std::string_view text, LogFormat& out) {
  if (text == "logfmt")
    out = LogFormat::kLogfmt;
  else if (text == "json")
    out = LogFormat::kJson;
  else
    return false;
  return true;
}

bool enabled(LogLevel level) { return static_cast<int>(level) >= state().level.load(); }

void write(LogLevel level, std::string_view msg, std::initializer_list<LogField> fields) {
  if (!enabled(level)) return;
  std::string line;
  line.reserve(128);
  const auto ts = now_rfc3339_millis();
  if (state().format.load() == static_cast<int>(LogFormat::kJson)) {
    line += "{\"ts\":\"" + ts + "\",\"level\":\"" + level_name(level) + "\",\"msg\":";
    append_json_string(line, msg);
    for (const auto& [k, v] : fields) {
      line += ',';
      append_json_string(line, k);
      line += ':';
      append_json_string(line, v);
    }
    line += "}\n";
  } else {
    line += "ts=" + ts + " level=" + level_name(level) + " msg=";
    append_logfmt_value(line, msg);
    for (const auto& [k, v] : fields) {
      line += ' ';
      line += k;
      line += '=';
      append_logfmt_value(line, v);
    }
    line += '\n';
  }
  std::lock_guard lock(state().mutex);
  mask_secrets(line, state().secrets);
  std::fwrite(line.data(), 1, line.size(), stderr);
}

std::string redact(std::string text) {
  std::lock_guard lock(state().mutex);
  mask_secrets(text, state().secrets);
  return text;
}

void register_secret(const std::string& value) {
  if (value.size() < 4) return;
  std::lock_guard lock(state().mutex);
  for (const auto& s : state().secrets)
    if (s == value) return;
  state().secrets.push_back(value);
}

}  // namespace fue::log
