// The catalogue of pipeline event types: every type some part of Sluice records in the events
// table (the lifecycle handlers, the daemon's triggers and watchdog, reruns, dry runs). One list,
// so the alerts file's `events:` filters, `sluice events --type` and the docs agree with what is
// emitted. docs/pipelines.md documents each type.
#pragma once

#include <span>
#include <string>
#include <string_view>

namespace sluice::pipeline {

// In catalogue order: lifecycle, dry run, daemon (late data, reruns, post-run), watchdog.
std::span<const std::string_view> EventTypes();

bool IsEventType(std::string_view type);

// "A, B, C": for messages that list what is accepted.
std::string JoinedEventTypes();

}  // namespace sluice::pipeline
