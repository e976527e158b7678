// Internal: the XPath/XSLT F&O 3.1 picture-string functions of JSONata 2.0.6 — $formatNumber,
// $formatInteger, $parseInteger, $fromMillis, $toMillis and $now — reproducing jsonata-js's
// datetime.js / functions.js behaviour (including its quirks) so results match the reference suite.
//
// jsonata_numfmt.cpp holds $formatNumber; jsonata_datetime.cpp holds integer and date/time
// pictures plus the registration. The building blocks throw JErr (position -1; the registered
// built-ins stamp the call position) and are exposed here for unit tests.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "asl/jsonata/jsonata_eval.h"

namespace sluice::asl::jsonata::internal {

// Registers the picture-string functions into `env`, replacing same-named entries. Must run after
// the core library: $now and $toMillis read the clock only through the registered $millis.
void InstallPictureBuiltins(Env& env);

// fn:format-integer / parse-integer as jsonata-js implements them. ParseInteger returns nullopt
// when the text yields no number (JavaScript's NaN).
std::string FormatInteger(double value, const std::string& picture);
std::optional<double> ParseInteger(const std::string& text, const std::string& picture);

// fn:format-number; `options` is an object overriding the decimal format properties (or null).
std::string FormatNumber(double value, const std::string& picture, const Json& options);

// fn:format-dateTime of epoch millis; nullopt picture means ISO 8601, `timezone` is "+hhmm".
std::string FormatDateTime(double millis, const std::optional<std::string>& picture,
                           const std::optional<std::string>& timezone);

// Parses `text` with a date/time picture. Components left of those given default from `now`
// (called only when needed). nullopt when the text does not match or gives no timestamp.
std::optional<double> ParseDateTime(const std::string& text, const std::string& picture,
                                    const std::function<double()>& now);

// $toMillis without a picture: ISO 8601 text to epoch millis (D3110 when malformed).
std::optional<double> ParseIsoMillis(const std::string& text);

// Shared plumbing for the two implementation files: UTF-8 <-> code points, argument access
// (nullopt for undefined, T0410 for a wrong type) and registration.
std::u32string Utf8To32(const std::string& s);
std::string Utf32To8(const std::u32string& s);
// JavaScript String.prototype.substring(a[, b]): clamps both ends and swaps them when reversed.
std::u32string JsSubstring(const std::u32string& s, long a);
std::u32string JsSubstring(const std::u32string& s, long a, long b);
std::optional<double> OptNumArg(const std::vector<Value>& args, size_t i, const std::string& fn,
                                int64_t pos);
std::optional<std::string> OptStrArg(const std::vector<Value>& args, size_t i,
                                     const std::string& fn, int64_t pos);
void AddPictureBuiltin(Env& env, const std::string& name, int required, int max_args,
                       bool context_arg, Builtin fn);
void AddNumberFormatBuiltins(Env& env);

}  // namespace sluice::asl::jsonata::internal
