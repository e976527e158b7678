#include "handlers/lambda.h"

#include <cstdio>
#include <ctime>
#include <nlohmann/json.hpp>
#include <random>
#include <vector>

namespace sluice::handlers::lambda {
namespace {

std::vector<std::string_view> Split(std::string_view text, char separator) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  while (true) {
    size_t end = text.find(separator, start);
    parts.push_back(text.substr(start, end == std::string_view::npos ? end : end - start));
    if (end == std::string_view::npos) return parts;
    start = end + 1;
  }
}

// Lambda function names: letters, digits, hyphens and underscores.
bool IsFunctionName(std::string_view name) {
  if (name.empty()) return false;
  for (char c : name) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_';
    if (!ok) return false;
  }
  return true;
}

// Versions are digits; aliases are names; $LATEST is itself.
bool IsQualifier(std::string_view qualifier) {
  return qualifier == kLatest || IsFunctionName(qualifier);
}

std::mt19937_64& Rng() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  return rng;
}

std::string Hex(uint64_t value, int digits) {
  std::string out(digits, '0');
  for (int i = digits - 1; i >= 0; --i, value >>= 4) out[i] = "0123456789abcdef"[value & 0xf];
  return out;
}

// Appends `code_point` as a JSON \uXXXX escape, with a surrogate pair above the BMP.
void AppendUnicodeEscape(std::string& out, uint32_t code_point) {
  char buf[16];
  if (code_point >= 0x10000) {
    code_point -= 0x10000;
    std::snprintf(buf, sizeof buf, "\\u%04x\\u%04x", 0xD800 + (code_point >> 10),
                  0xDC00 + (code_point & 0x3FF));
  } else {
    std::snprintf(buf, sizeof buf, "\\u%04x", code_point);
  }
  out += buf;
}

// Decodes one UTF-8 sequence at text[i]; advances i. Invalid bytes decode as themselves.
uint32_t DecodeUtf8(const std::string& text, size_t& i) {
  auto byte = static_cast<unsigned char>(text[i++]);
  int extra = byte >= 0xF0 ? 3 : byte >= 0xE0 ? 2 : byte >= 0xC0 ? 1 : 0;
  uint32_t code_point = extra == 3 ? byte & 0x07 : extra == 2 ? byte & 0x0F : byte & 0x1F;
  if (extra == 0) return byte;
  for (int k = 0; k < extra && i < text.size(); ++k) {
    code_point = (code_point << 6) | (static_cast<unsigned char>(text[i++]) & 0x3F);
  }
  return code_point;
}

void AppendPythonString(std::string& out, const std::string& text) {
  out += '"';
  for (size_t i = 0; i < text.size();) {
    char c = text[i];
    switch (c) {
      case '"':
        out += "\\\"";
        ++i;
        continue;
      case '\\':
        out += "\\\\";
        ++i;
        continue;
      case '\n':
        out += "\\n";
        ++i;
        continue;
      case '\r':
        out += "\\r";
        ++i;
        continue;
      case '\t':
        out += "\\t";
        ++i;
        continue;
      case '\b':
        out += "\\b";
        ++i;
        continue;
      case '\f':
        out += "\\f";
        ++i;
        continue;
      default:
        break;
    }
    auto byte = static_cast<unsigned char>(c);
    if (byte >= 0x20 && byte < 0x7F) {
      out += c;
      ++i;
      continue;
    }
    AppendUnicodeEscape(out, DecodeUtf8(text, i));
  }
  out += '"';
}

void AppendPython(std::string& out, const Json& value) {
  if (value.is_string()) {
    AppendPythonString(out, value.get_ref<const std::string&>());
  } else if (value.is_array()) {
    out += '[';
    for (size_t i = 0; i < value.size(); ++i) {
      if (i > 0) out += ", ";
      AppendPython(out, value[i]);
    }
    out += ']';
  } else if (value.is_object()) {
    out += '{';
    bool first = true;
    for (const auto& [key, item] : value.items()) {
      if (!first) out += ", ";
      first = false;
      AppendPythonString(out, key);
      out += ": ";
      AppendPython(out, item);
    }
    out += '}';
  } else {
    out += value.dump();  // null, booleans and numbers print alike
  }
}

}  // namespace

std::optional<FunctionRef> ParseFunctionArn(std::string_view arn) {
  std::vector<std::string_view> parts = Split(arn, ':');
  if (parts.size() != 7 && parts.size() != 8) return std::nullopt;
  if (parts[0] != "arn" || parts[1].empty() || parts[2] != "lambda" || parts[3].empty() ||
      parts[4].empty() || parts[5] != "function" || !IsFunctionName(parts[6])) {
    return std::nullopt;
  }
  FunctionRef ref{std::string(parts[1]), std::string(parts[3]), std::string(parts[4]),
                  std::string(parts[6]), ""};
  if (parts.size() == 8) {
    if (!IsQualifier(parts[7])) return std::nullopt;
    ref.qualifier = std::string(parts[7]);
  }
  return ref;
}

std::optional<FunctionRef> ParseFunctionName(std::string_view function_name) {
  if (function_name.substr(0, 4) == "arn:") return ParseFunctionArn(function_name);
  std::vector<std::string_view> parts = Split(function_name, ':');
  FunctionRef ref;
  switch (parts.size()) {
    case 1:
    case 2:
      ref.name = std::string(parts[0]);
      if (parts.size() == 2) ref.qualifier = std::string(parts[1]);
      break;
    case 3:
    case 4:
      if (parts[1] != "function" || parts[0].empty()) return std::nullopt;
      ref.account = std::string(parts[0]);
      ref.name = std::string(parts[2]);
      if (parts.size() == 4) ref.qualifier = std::string(parts[3]);
      break;
    default:
      return std::nullopt;
  }
  bool has_qualifier = parts.size() == 2 || parts.size() == 4;
  if (!IsFunctionName(ref.name)) return std::nullopt;
  if (has_qualifier && !IsQualifier(ref.qualifier)) return std::nullopt;
  return ref;
}

bool IsLambdaInvokeResource(std::string_view resource) {
  std::vector<std::string_view> parts = Split(resource, ':');
  return parts.size() == 7 && parts[0] == "arn" && !parts[1].empty() && parts[2] == "states" &&
         parts[5] == "lambda" && parts[6] == "invoke";
}

RegionAccount RegionAccountOf(std::string_view arn) {
  std::vector<std::string_view> parts = Split(arn, ':');
  if (parts.size() < 5 || parts[0] != "arn") return {};
  return {std::string(parts[3]), std::string(parts[4])};
}

std::string QualifiedArn(const FunctionRef& ref, const RegionAccount& defaults) {
  std::string arn = "arn:" + (ref.partition.empty() ? std::string("aws") : ref.partition) +
                    ":lambda:" + (ref.region.empty() ? defaults.region : ref.region) + ":" +
                    (ref.account.empty() ? defaults.account : ref.account) +
                    ":function:" + ref.name + ":";
  return arn + (ref.qualifier.empty() ? std::string(kLatest) : ref.qualifier);
}

Json EventFromPayload(const Json& payload) {
  if (payload.is_null()) return Json::object();
  if (payload.is_string()) {
    Json parsed = Json::parse(payload.get_ref<const std::string&>(), nullptr, false);
    if (!parsed.is_discarded()) return parsed;
  }
  return payload;
}

std::string PythonJsonDumps(const Json& value) {
  std::string out;
  AppendPython(out, value);
  return out;
}

Json ErrorPayload(std::string_view error_type, std::string_view error_message,
                  std::string_view request_id) {
  Json payload = Json::object();
  payload["errorMessage"] = error_message;
  payload["errorType"] = error_type;
  payload["requestId"] = request_id;
  payload["stackTrace"] = Json::array();
  return payload;
}

std::string ErrorCause(InvokeForm form, const Json& error_payload) {
  switch (form) {
    case InvokeForm::kFunctionArn:
      return PythonJsonDumps(error_payload);
    case InvokeForm::kLambdaInvoke:
      return error_payload.dump();
  }
  return error_payload.dump();
}

std::string FunctionNotFoundCause(std::string_view qualified_arn, std::string_view request_id) {
  return "Function not found: " + std::string(qualified_arn) +
         " (Service: AWSLambda; Status Code: 404; Error Code: ResourceNotFoundException; "
         "Request ID: " +
         std::string(request_id) + "; Proxy: null)";
}

Json InvokeResponse(const Json& payload, std::string_view executed_version,
                    const InvokeMetadata& metadata) {
  const std::string length = std::to_string(PythonJsonDumps(payload).size());
  const std::string date = HttpDate(metadata.date);
  const std::string version(executed_version);
  auto list = [](const std::string& value) { return Json::array({value}); };

  Json all = Json::object();
  all["X-Amz-Executed-Version"] = list(version);
  all["x-amzn-Remapped-Content-Length"] = list("0");
  all["Connection"] = list("keep-alive");
  all["x-amzn-RequestId"] = list(metadata.request_id);
  all["Content-Length"] = list(length);
  all["Date"] = list(date);
  all["X-Amzn-Trace-Id"] = list(metadata.trace_id);
  all["Content-Type"] = list("application/json");

  Json headers = Json::object();
  headers["Connection"] = "keep-alive";
  headers["Content-Length"] = length;
  headers["Content-Type"] = "application/json";
  headers["Date"] = date;
  headers["X-Amz-Executed-Version"] = version;
  headers["x-amzn-Remapped-Content-Length"] = "0";
  headers["x-amzn-RequestId"] = metadata.request_id;
  headers["X-Amzn-Trace-Id"] = metadata.trace_id;

  Json http = Json::object();
  http["AllHttpHeaders"] = std::move(all);
  http["HttpHeaders"] = std::move(headers);
  http["HttpStatusCode"] = 200;

  Json response = Json::object();
  response["ExecutedVersion"] = version;
  response["Payload"] = payload;
  response["SdkHttpMetadata"] = std::move(http);
  response["SdkResponseMetadata"] = Json::object({{"RequestId", metadata.request_id}});
  response["StatusCode"] = 200;
  return response;
}

std::string ExecutedVersion(std::string_view qualifier) {
  bool is_version = !qualifier.empty();
  for (char c : qualifier) is_version = is_version && c >= '0' && c <= '9';
  return is_version ? std::string(qualifier) : std::string(kLatest);
}

std::string HttpDate(std::chrono::system_clock::time_point time) {
  static const char* const kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static const char* const kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                        "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  std::time_t seconds = std::chrono::system_clock::to_time_t(time);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char buf[40];
  std::snprintf(buf, sizeof buf, "%s, %02d %s %04d %02d:%02d:%02d GMT", kDays[tm.tm_wday],
                tm.tm_mday, kMonths[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min,
                tm.tm_sec);
  return buf;
}

std::string NewRequestId() {
  uint64_t high = Rng()();
  uint64_t low = Rng()();
  high = (high & ~0xF000ull) | 0x4000ull;                // version 4
  low = (low & ~(0xC000ull << 48)) | (0x8000ull << 48);  // RFC 4122 variant
  std::string hex = Hex(high, 16) + Hex(low, 16);
  return hex.substr(0, 8) + "-" + hex.substr(8, 4) + "-" + hex.substr(12, 4) + "-" +
         hex.substr(16, 4) + "-" + hex.substr(20, 12);
}

std::string NewTraceId(std::chrono::system_clock::time_point time) {
  auto seconds = std::chrono::duration_cast<std::chrono::seconds>(time.time_since_epoch());
  return "Root=1-" + Hex(static_cast<uint64_t>(seconds.count()), 8) + "-" + Hex(Rng()(), 8) +
         Hex(Rng()(), 16) + ";Parent=" + Hex(Rng()(), 16) + ";Sampled=0";
}

}  // namespace sluice::handlers::lambda
