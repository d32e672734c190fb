#pragma once
// Plays a scenario's steps against a Station, one after the other.

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>

#include "simulator/events.hpp"
#include "simulator/log.hpp"
#include "simulator/scenario.hpp"
#include "simulator/scheduler.hpp"
#include "simulator/station.hpp"

namespace simulator {

/// Runs the steps once the station has booted, then shuts it down: exit code 0
/// when every step succeeded (after `scenario_done`), 1 when one failed (after
/// an `error` event naming the step).
class ScenarioRunner {
 public:
  ScenarioRunner(Station& station, Scheduler& scheduler, EventSink& events, Logger log,
                 Scenario scenario);

  /// Every step checked by the station before anything runs; the first problem.
  std::optional<std::string> validate() const;
  /// Feed every event the station emits here (wait_for watches them).
  void on_event(const Event& event);
  /// Starts at the first boot accepted; `done(exit_code)` after the clean close.
  void start(std::function<void(int)> done);
  bool finished() const { return finished_; }

 private:
  void next();
  void run(std::size_t index);
  void step_done(std::size_t index, const StepResult& result);
  void finish(bool ok, bool drain, const std::string& error = {});
  bool try_consume(const std::string& event);

  Station& station_;
  Scheduler& scheduler_;
  EventSink& events_;
  Logger log_;
  Scenario scenario_;
  std::function<void(int)> done_;
  std::size_t current_ = 0;
  bool started_ = false;
  bool finished_ = false;
  // wait_for: occurrences of each event since the steps began, and how many
  // earlier wait_for steps already consumed.
  std::map<std::string, std::size_t> seen_;
  std::map<std::string, std::size_t> consumed_;
  std::optional<std::string> waiting_for_;
  Timer step_timer_;
  Timer wait_timeout_;
};

}  // namespace simulator
