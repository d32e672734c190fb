#pragma once
// An OCPP 1.6J charge point: the Core profile and RemoteTrigger, on top of the
// version-neutral station pieces (meter, configuration store, messenger).

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "ocpp/v16/messages.hpp"
#include "simulator/config_store.hpp"
#include "simulator/events.hpp"
#include "simulator/link.hpp"
#include "simulator/log.hpp"
#include "simulator/messenger.hpp"
#include "simulator/meter.hpp"
#include "simulator/scheduler.hpp"
#include "simulator/station.hpp"

namespace simulator::v16 {

/// The 1.6 configuration keys of a simulated charger, with their rules.
ConfigStore default_configuration(const StationSettings& settings);

/// A simulated OCPP 1.6 charge point. Speaks through a Link (no sockets of its
/// own), keeps time with a Scheduler, reports through an EventSink.
class ChargePoint : public Station, public LinkObserver, public CallHandler {
 public:
  ChargePoint(StationSettings settings, Link& link, Scheduler& scheduler, EventSink& events,
              Logger log);
  ~ChargePoint() override;
  ChargePoint(const ChargePoint&) = delete;
  ChargePoint& operator=(const ChargePoint&) = delete;

  /// Loads (and from now on keeps) the offline queue in settings.queue_file.
  bool open_queue_file(std::string* error);

  // Station
  void start() override;
  void set_ready_handler(std::function<void()> handler) override {
    ready_handler_ = std::move(handler);
  }
  void set_fatal_handler(std::function<void(const std::string&)> handler) override {
    fatal_handler_ = std::move(handler);
  }
  bool online() const override { return messenger_.connected(); }
  bool ready() const override { return online() && booted_; }
  std::size_t pending_transaction_messages() const override {
    return messenger_.pending_transactional();
  }
  std::optional<std::string> check_step(const Step& step) const override;
  void run_step(const Step& step, StepDone done) override;
  void go_offline(std::optional<Duration> duration) override;
  void go_online() override;
  void shutdown(bool drain, std::function<void()> done) override;

  // LinkObserver
  void on_link_up() override;
  void on_link_message(std::string_view text) override;
  void on_link_down() override;
  void on_link_failure(const LinkFailure& failure) override;

  // CallHandler
  CallAnswer handle_call(const ocpp::Frame& call) override;

  // Inspection, for tests and statistics.
  const ConfigStore& configuration() const { return config_; }
  ocpp::v16::ChargePointStatus status(int connector) const;
  bool has_session(int connector) const;
  /// The CSMS's id for the session on `connector`, once its StartTransaction is answered.
  std::optional<std::int64_t> transaction_id(int connector) const;
  double energy_wh(int connector) const;
  bool booted() const { return booted_; }
  int connector_count() const { return static_cast<int>(connectors_.size()) - 1; }
  Messenger& messenger() { return messenger_; }

 private:
  struct Session {
    std::int64_t local_id = 0;  // CallQueue session number
    std::string id_tag;
    std::int64_t meter_start = 0;
    ocpp::DateTime started_at;
    std::unique_ptr<Timer> sample_timer;
  };
  struct Connector {
    ocpp::v16::ChargePointStatus status = ocpp::v16::ChargePointStatus::Available;
    ocpp::v16::ChargePointErrorCode error = ocpp::v16::ChargePointErrorCode::NoError;
    std::optional<std::string> info;
    bool operative = true;
    std::optional<bool> scheduled_operative;  // ChangeAvailability answered Scheduled
    bool starting = false;                    // a start is authorizing
    // What the CSMS was last told, so a reconnect reports only changes.
    std::optional<std::pair<ocpp::v16::ChargePointStatus, ocpp::v16::ChargePointErrorCode>>
        reported;
    Meter meter;
    std::unique_ptr<Session> session;
  };
  /// A step waiting for the answers to its (possibly repeated) message.
  struct Waiter {
    StepDone done;
    int pending = 0;
    std::optional<StepResult> result;  // from the first answer
    std::string expect;                // start: the idTag status that counts as success
  };
  enum class AuthOutcome { Accepted, Refused, NoAnswer };

  // Boot, heartbeat, connection.
  void send_boot();
  void on_boot_reply(const CallReply& reply);
  void on_booted();
  void schedule_heartbeat();
  void on_transaction_reply(const OutgoingCall& call, const CallReply& reply);
  void on_start_reply(const OutgoingCall& call, const CallReply& reply);
  void on_stop_reply(const OutgoingCall& call, const CallReply& reply);
  void finish_waiter(std::map<std::int64_t, Waiter>& waiters, std::int64_t session,
                     std::optional<StepResult> result);
  void release_waiters();

  // Status.
  void set_status(int connector, ocpp::v16::ChargePointStatus status,
                  ocpp::v16::ChargePointErrorCode error = ocpp::v16::ChargePointErrorCode::NoError,
                  std::optional<std::string> info = std::nullopt,
                  std::function<void(const CallReply&)> on_reply = {});
  void report_status(int connector, std::function<void(const CallReply&)> on_reply = {});
  void report_changed_statuses(bool all);
  ocpp::v16::ChargePointStatus idle_status(const Connector& c) const;
  void update_meter(int connector);

  // Sessions.
  void authorize(const std::string& id_tag, bool remote,
                 std::function<void(AuthOutcome, std::string)> done);
  bool id_tag_cached(const std::string& id_tag) const;
  void start_session(int connector, const std::string& id_tag, bool remote, int repeat,
                     std::optional<std::string> expect, StepDone done);
  void begin_transaction(int connector, const std::string& id_tag, int repeat, std::string expect,
                         StepDone done);
  void stop_session(int connector, ocpp::v16::Reason reason, int repeat, StepDone done);
  void schedule_sample(int connector);
  void send_meter_values(int connector, ocpp::v16::ReadingContext context, bool transactional);
  std::vector<ocpp::v16::SampledValue> sample(int connector,
                                              ocpp::v16::ReadingContext context) const;
  void apply_availability(int connector, bool operative);
  void reboot(ocpp::v16::Reason reason);
  void complete_reboot();
  void wait_for_drain();

  // Steps.
  void step_authorize(const Step& step, StepDone done);
  void step_simple_call(const Step& step, StepDone done);

  // CSMS commands (dispatch.cpp).
  bool can_start(int connector) const;
  CallAnswer on_remote_start(const ocpp::Frame& call);
  CallAnswer on_remote_stop(const ocpp::Frame& call);
  CallAnswer on_reset(const ocpp::Frame& call);
  CallAnswer on_unlock(const ocpp::Frame& call);
  CallAnswer on_change_availability(const ocpp::Frame& call);
  CallAnswer on_change_configuration(const ocpp::Frame& call);
  CallAnswer on_get_configuration(const ocpp::Frame& call);
  CallAnswer on_clear_cache(const ocpp::Frame& call);
  CallAnswer on_data_transfer(const ocpp::Frame& call);
  CallAnswer on_trigger_message(const ocpp::Frame& call);
  void config_changed(const std::string& key);

  Clock::time_point now() const { return scheduler_.now(); }
  void emit_error(const std::string& message);

  StationSettings settings_;
  Link& link_;
  Scheduler& scheduler_;
  EventSink& events_;
  Logger log_;
  ConfigStore config_;
  Messenger messenger_;
  std::vector<Connector> connectors_;  // [0] is the charge point as a whole
  std::map<std::string, ocpp::v16::IdTagInfo> auth_cache_;
  std::map<std::int64_t, Waiter> start_waiters_;
  std::map<std::int64_t, Waiter> stop_waiters_;
  std::set<std::int64_t> stop_reported_;  // sessions whose transaction_stopped was emitted
  bool need_boot_ = true;
  bool booted_ = false;
  bool shutting_down_ = false;
  bool rebooting_ = false;
  std::uint64_t epoch_ = 0;  // bumped by a reset: callbacks from before it are void
  Timer boot_timer_;
  Timer heartbeat_timer_;
  Timer step_timer_;
  Timer reboot_timer_;
  Timer shutdown_timer_;
  std::function<void()> close_now_;   // set by shutdown()
  std::function<void()> drain_then_;  // shutdown waiting for the queue to empty
  std::function<void()> ready_handler_;
  std::function<void(const std::string&)> fatal_handler_;
};

}  // namespace simulator::v16
