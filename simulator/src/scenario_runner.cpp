#include "simulator/scenario_runner.hpp"

#include <fmt/format.h>

namespace simulator {

ScenarioRunner::ScenarioRunner(Station& station, Scheduler& scheduler, EventSink& events,
                               Logger log, Scenario scenario)
    : station_(station),
      scheduler_(scheduler),
      events_(events),
      log_(std::move(log)),
      scenario_(std::move(scenario)),
      step_timer_(scheduler),
      wait_timeout_(scheduler) {}

std::optional<std::string> ScenarioRunner::validate() const {
  for (const auto& step : scenario_.steps) {
    if (auto problem = station_.check_step(step)) return problem;
  }
  return std::nullopt;
}

void ScenarioRunner::start(std::function<void(int)> done) {
  done_ = std::move(done);
  station_.set_ready_handler([this] {
    if (started_) return;
    started_ = true;
    log_.info("boot accepted: running {} step(s)", scenario_.steps.size());
    run(0);
  });
}

void ScenarioRunner::on_event(const Event& event) {
  if (!started_ || finished_) return;
  ++seen_[event.name()];
  if (waiting_for_ && *waiting_for_ == event.name() && try_consume(event.name())) {
    waiting_for_.reset();
    wait_timeout_.cancel();
    // Not from inside the emitter: the step after might emit events itself.
    step_timer_.start(Duration::zero(), [this] { next(); });
  }
}

bool ScenarioRunner::try_consume(const std::string& event) {
  if (seen_[event] > consumed_[event]) {
    ++consumed_[event];
    return true;
  }
  // Nothing was queued, or it is all delivered already: nothing to wait for.
  if (event == "queue_flushed" && station_.ready() &&
      station_.pending_transaction_messages() == 0) {
    return true;
  }
  return false;
}

void ScenarioRunner::next() {
  run(current_ + 1);
}

void ScenarioRunner::run(std::size_t index) {
  if (finished_) return;
  current_ = index;
  if (index >= scenario_.steps.size()) return finish(true, true);
  const Step& step = scenario_.steps[index];
  log_.info("{}", describe(step));
  // Each step continues through a zero timer: no recursion however long the list.
  auto continue_later = [this] { step_timer_.start(Duration::zero(), [this] { next(); }); };
  switch (step.kind) {
    case StepKind::Wait:
      step_timer_.start(seconds_to_duration(step.seconds.value_or(0)), [this] { next(); });
      return;
    case StepKind::Offline:
      station_.go_offline(step.seconds ? std::optional<Duration>(seconds_to_duration(*step.seconds))
                                       : std::nullopt);
      return continue_later();
    case StepKind::Online:
      station_.go_online();
      return continue_later();
    case StepKind::WaitFor:
      if (try_consume(step.event)) return continue_later();
      waiting_for_ = step.event;
      wait_timeout_.start(seconds_to_duration(step.timeout), [this, index] {
        waiting_for_.reset();
        step_done(index, StepResult::failure(fmt::format("no \"{}\" event within {} s",
                                                         scenario_.steps[index].event,
                                                         scenario_.steps[index].timeout)));
      });
      return;
    case StepKind::Exit:
      return finish(true, false);
    default:
      station_.run_step(step, [this, index](StepResult result) { step_done(index, result); });
      return;
  }
}

void ScenarioRunner::step_done(std::size_t index, const StepResult& result) {
  if (finished_ || index != current_) return;  // late answer to an abandoned step
  if (!result.ok) {
    const Step& step = scenario_.steps[index];
    return finish(false, false, describe(step) + ": " + result.error);
  }
  step_timer_.start(Duration::zero(), [this] { next(); });
}

void ScenarioRunner::finish(bool ok, bool drain, const std::string& error) {
  if (finished_) return;
  finished_ = true;
  step_timer_.cancel();
  wait_timeout_.cancel();
  if (ok) {
    log_.info("scenario done");
    events_.emit(Event("scenario_done"));
  } else {
    log_.error("{}", error);
    events_.emit(Event("error").add("message", error).add("step", std::int64_t(current_ + 1)));
  }
  station_.shutdown(drain, [this, ok] {
    if (done_) done_(ok ? 0 : 1);
  });
}

}  // namespace simulator
