#pragma once
// Scenario files: a JSON list of steps a station plays after it has booted.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace simulator {

/// What a step does (the `"do"` member).
enum class StepKind {
  Authorize,
  Start,
  Charge,
  Stop,
  Status,
  Wait,
  Offline,
  Online,
  WaitFor,
  Heartbeat,
  DataTransfer,
  Exit,
};

std::string_view to_string(StepKind kind);

/// One step, version-neutral: statuses, reasons and error codes stay strings
/// that the protocol adapter checks (Station::check_step).
struct Step {
  StepKind kind = StepKind::Wait;
  std::size_t index = 0;  ///< 0-based position in "steps", for messages.
  std::int64_t connector = 1;
  std::optional<std::string> id_tag;  ///< Absent: the station's default (--idtag).
  int repeat = 1;                     ///< start/stop: send the identical message N times.
  std::optional<double> seconds;      ///< charge/wait (required), offline (absent: until online).
  std::string reason = "Local";       ///< stop
  std::string status;                 ///< status
  std::string error_code = "NoError";
  std::optional<std::string> info;
  std::string event;      ///< wait_for
  double timeout = 30;    ///< wait_for, seconds
  std::string vendor_id;  ///< data_transfer
  std::optional<std::string> message_id;
  std::optional<std::string> data;
  /// authorize/start: the idTag status expected (default Accepted for start);
  /// data_transfer: the status expected (default: any).
  std::optional<std::string> expect;
};

/// A parsed scenario.
struct Scenario {
  std::vector<Step> steps;
};

/// Parses and validates a scenario. On failure returns nullopt and sets
/// `error` to `<path>: <problem>`, e.g. `steps[2].connector: must be an integer >= 1`.
std::optional<Scenario> parse_scenario(std::string_view json, std::string& error);
/// Reads and parses a file; errors name the file.
std::optional<Scenario> load_scenario_file(const std::string& path, std::string& error);

/// "step 3 (start)": how messages refer to a step (1-based).
std::string describe(const Step& step);

}  // namespace simulator
