#pragma once
// An OCPP 2.0.1 charging station: TransactionEvent sessions, the device model
// and the provisioning, remote-control and availability commands, on top of the
// version-neutral station pieces (StationCore, meter, messenger).

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "ocpp/v201/messages.hpp"
#include "simulator/events.hpp"
#include "simulator/link.hpp"
#include "simulator/log.hpp"
#include "simulator/maintenance.hpp"
#include "simulator/messenger.hpp"
#include "simulator/meter.hpp"
#include "simulator/reservations.hpp"
#include "simulator/scheduler.hpp"
#include "simulator/smart_charging.hpp"
#include "simulator/station.hpp"
#include "simulator/station_core.hpp"
#include "simulator/v201/certificates.hpp"
#include "simulator/v201/device_model.hpp"
#include "simulator/v201/display_messages.hpp"
#include "simulator/v201/monitoring.hpp"

namespace simulator::v201 {

/// A simulated OCPP 2.0.1 charging station with `connectors` EVSEs of one
/// connector each. Speaks through a Link, keeps time with a Scheduler, reports
/// through an EventSink.
class ChargingStation : public StationCore {
 public:
  ChargingStation(StationSettings settings, Link& link, Scheduler& scheduler, EventSink& events,
                  Logger log);

  // Station
  std::optional<std::string> check_step(const Step& step) const override;
  void run_step(const Step& step, StepDone done) override;

  std::optional<double> offered_power_w(int connector) const override;
  void set_drawn_power_w(int connector, std::optional<double> watts) override;

  // CallHandler
  CallAnswer handle_call(const ocpp::Frame& call) override;

  // Inspection, for tests and statistics.
  const DeviceModel& device_model() const { return model_; }
  /// Tests adjust read-only variables (ItemsPerMessage) through force().
  DeviceModel& device_model() { return model_; }
  ocpp::v201::ConnectorStatusEnumType status(int evse) const;
  bool has_transaction(int evse) const;
  /// The station-chosen transactionId of the transaction on `evse`.
  std::optional<std::string> transaction_id(int evse) const;
  double energy_wh(int evse) const;
  int evse_count() const { return static_cast<int>(evses_.size()) - 1; }
  /// Reservations held and the local authorization list (reservations.cpp).
  const Reservations& reservations() const { return reservations_; }
  const LocalAuthList& local_list() const { return local_list_; }
  /// Firmware, publishing and log upload state (maintenance.cpp).
  const Maintenance& maintenance() const { return maintenance_; }
  /// The installed charging profiles (SetChargingProfile).
  const ProfileSet& charging_profiles() const { return charging_profiles_; }
  /// Monitors, cost updates and network profiles (monitoring.cpp).
  const MonitoringState& monitoring() const { return monitoring_; }
  /// The display messages held (SetDisplayMessage).
  const DisplayMessages& display_messages() const { return display_messages_; }
  /// The reason the next (or last) BootNotification gives.
  ocpp::v201::BootReasonEnumType boot_reason() const { return boot_reason_; }

 private:
  struct Transaction {
    std::int64_t local_id = 0;  // CallQueue session number
    std::string id;             // transactionInfo.transactionId
    ocpp::v201::IdTokenType id_token;
    std::optional<std::int64_t> remote_start_id;
    std::int64_t next_seq_no = 0;
    bool charging = false;  // what the last event said (ChargingStateChanged)
    std::unique_ptr<Timer> sample_timer;
  };
  struct Evse {
    ocpp::v201::ConnectorStatusEnumType status = ocpp::v201::ConnectorStatusEnumType::Available;
    bool operative = true;
    std::optional<bool> scheduled_operative;  // ChangeAvailability answered Scheduled
    bool starting = false;                    // a start is authorizing
    // What the CSMS was last told, so a reconnect reports only changes.
    std::optional<ocpp::v201::ConnectorStatusEnumType> reported;
    Meter meter;
    std::unique_ptr<Transaction> tx;
    std::optional<double> car_draw_w;  // set_drawn_power_w: what a car draws
  };
  enum class AuthOutcome { Accepted, Refused, NoAnswer };
  /// What starts a transaction: who, and whether the CSMS asked.
  struct StartRequest {
    ocpp::v201::IdTokenType id_token;
    std::optional<std::int64_t> remote_start_id;
    int repeat = 1;
    std::string expect = "Accepted";
  };

  // StationCore
  OutgoingCall boot_request() const override;
  std::optional<BootAnswer> read_boot_answer(const rapidjson::Value& payload,
                                             std::string& error) const override;
  void send_heartbeat() override;
  std::int64_t heartbeat_interval_s() const override;
  void adopt_heartbeat_interval(std::int64_t interval_s) override;
  void report_statuses(bool all) override;
  void on_transaction_reply(const OutgoingCall& call, const CallReply& reply) override;
  void stop_activity() override;
  void reset_state() override;
  /// After a reset: connect per NetworkConfigurationPriority (SetNetworkProfile slots).
  void select_network_profile();
  void security_profile_changed(int profile) override;

  // Status and availability.
  void set_status(int evse, ocpp::v201::ConnectorStatusEnumType status,
                  std::function<void(const CallReply&)> on_reply = {});
  void report_status(int evse, std::function<void(const CallReply&)> on_reply = {},
                     bool triggered = false);
  bool operative(int evse) const;
  ocpp::v201::ConnectorStatusEnumType idle_status(int evse) const;
  void update_meter(int evse);
  void publish_availability(int evse);
  /// Brings a free EVSE's status in line with its availability.
  void refresh_availability(int evse);
  void apply_availability(int evse, bool operative);
  void apply_station_availability(bool operative);
  bool any_transaction() const;

  // Authorization and transactions.
  static ocpp::v201::IdTokenType id_token(const std::string& text);
  void authorize(const ocpp::v201::IdTokenType& token, bool remote,
                 std::function<void(AuthOutcome, std::string)> done);
  bool token_cached(const std::string& token) const;
  void remember(const ocpp::v201::IdTokenType& token, const ocpp::v201::IdTokenInfoType& info);
  std::string new_transaction_id();
  void start_transaction(int evse, StartRequest request, StepDone done);
  void begin_transaction(int evse, const StartRequest& request, StepDone done);
  /// A start that authorizing turned down: what waited for the EVSE goes ahead.
  void start_abandoned(int evse);
  void stop_transaction(int evse, ocpp::v201::ReasonEnumType reason,
                        ocpp::v201::TriggerReasonEnumType trigger, int repeat, StepDone done);
  /// A TransactionEvent of the transaction on `evse` as it stands now (meter
  /// values from the SampledDataCtrlr list `measurands`; nullptr: none).
  ocpp::v201::TransactionEventRequest transaction_event(int evse,
                                                        ocpp::v201::TransactionEventEnumType type,
                                                        ocpp::v201::TriggerReasonEnumType trigger,
                                                        ocpp::v201::ReadingContextEnumType context,
                                                        const char* measurands);
  /// Gives `event` the transaction's next seqNo and queues it `repeat` times.
  void send_transaction_event(int evse, ocpp::v201::TransactionEventRequest event, int repeat = 1);
  void schedule_sample(int evse);
  void send_periodic_update(int evse);
  /// The event's Energy.Active.Import.Register reading, added (the register
  /// now, with `context`) when its measurands have none.
  ocpp::v201::SampledValueType& energy_sample(int evse, ocpp::v201::TransactionEventRequest& event,
                                              ocpp::v201::ReadingContextEnumType context) const;
  /// With --signed-meter, signs the event's energy reading: OCMF in its signedMeterValue.
  void sign_reading(int evse, ocpp::v201::TransactionEventRequest& event, SignedMeter::Kind kind,
                    ocpp::v201::ReadingContextEnumType context);
  void charging_state_changed(int evse);
  std::vector<ocpp::v201::SampledValueType> sample(int evse,
                                                   ocpp::v201::ReadingContextEnumType context,
                                                   const char* measurands) const;
  void on_started_reply(const OutgoingCall& call, const ocpp::v201::TransactionEventRequest& req,
                        const CallReply& reply);
  void on_ended_reply(const OutgoingCall& call, const ocpp::v201::TransactionEventRequest& req,
                      const CallReply& reply);
  void check_token_info(const OutgoingCall& call, const ocpp::v201::TransactionEventRequest& req,
                        const ocpp::v201::TransactionEventResponse& resp);
  /// When no transaction is left: a Scheduled station availability or OnIdle reset goes ahead.
  void transaction_ended();
  /// Ends every transaction (ImmediateReset), then resets; the next boot says RemoteReset.
  void reset_now(const std::string& type);
  /// TransactionEvents in the offline queue, of one transaction or all.
  std::size_t queued_events(const std::optional<std::string>& transaction_id) const;

  // Steps.
  void step_authorize(const Step& step, StepDone done);
  void step_simple_call(const Step& step, StepDone done);

  // CSMS commands (dispatch.cpp).
  bool can_start(int evse) const;
  CallAnswer on_request_start(const ocpp::Frame& call);
  CallAnswer on_request_stop(const ocpp::Frame& call);
  CallAnswer on_reset(const ocpp::Frame& call);
  CallAnswer on_unlock(const ocpp::Frame& call);
  CallAnswer on_change_availability(const ocpp::Frame& call);
  CallAnswer on_trigger_message(const ocpp::Frame& call);
  CallAnswer on_clear_cache(const ocpp::Frame& call);
  CallAnswer on_get_transaction_status(const ocpp::Frame& call);
  CallAnswer on_data_transfer(const ocpp::Frame& call);
  // Firmware, publishing and logs (maintenance.cpp).
  CallAnswer on_update_firmware(const ocpp::Frame& call);
  CallAnswer on_publish_firmware(const ocpp::Frame& call);
  CallAnswer on_unpublish_firmware(const ocpp::Frame& call);
  CallAnswer on_get_log(const ocpp::Frame& call);
  /// The current status as its notification; `triggered`: allowed before the boot.
  void report_firmware_status(bool triggered);
  void report_log_status(bool triggered);
  void report_publish_status(bool triggered);
  // Smart charging (smart_charging.cpp).
  CallAnswer on_set_charging_profile(const ocpp::Frame& call);
  CallAnswer on_clear_charging_profile(const ocpp::Frame& call);
  CallAnswer on_get_composite_schedule(const ocpp::Frame& call);
  CallAnswer on_get_charging_profiles(const ocpp::Frame& call);
  Supply supply() const;
  std::optional<TxInfo> tx_info(int evse) const;
  void charging_transaction_began(int evse);
  void charging_transaction_ended(int evse);
  /// Forgets the wire form of profiles no longer installed.
  void prune_wire_profiles();
  /// Sets each EVSE's power to what the profiles allow now; again at the next change.
  void apply_charging_limits();
  // Monitoring, CostUpdated and SetNetworkProfile (monitoring.cpp).
  CallAnswer on_set_variable_monitoring(const ocpp::Frame& call);
  CallAnswer on_clear_variable_monitoring(const ocpp::Frame& call);
  CallAnswer on_set_monitoring_base(const ocpp::Frame& call);
  CallAnswer on_set_monitoring_level(const ocpp::Frame& call);
  CallAnswer on_get_monitoring_report(const ocpp::Frame& call);
  CallAnswer on_cost_updated(const ocpp::Frame& call);
  CallAnswer on_set_network_profile(const ocpp::Frame& call);
  /// Sends `data` as NotifyMonitoringReport parts of ItemsPerMessage.GetReport each.
  void send_monitoring_report(std::int64_t request_id,
                              std::vector<ocpp::v201::MonitoringDataType> data);
  /// Checks the monitors whenever a device-model value changes (constructor).
  void watch_monitored_variables();
  /// One NotifyEvent with the events the monitors raised since the last.
  void send_monitor_events();
  // Device model commands (reports.cpp).
  CallAnswer on_get_base_report(const ocpp::Frame& call);
  CallAnswer on_get_report(const ocpp::Frame& call);
  CallAnswer on_get_variables(const ocpp::Frame& call);
  CallAnswer on_set_variables(const ocpp::Frame& call);
  /// Sends `variables` as NotifyReport parts of ItemsPerMessage.GetReport each.
  void send_report(std::int64_t request_id, std::vector<const DeviceVariable*> variables);
  void variable_changed(const DeviceVariable& variable);
  /// SecurityCtrlr.BasicAuthPassword: 16-40 characters, used from the next
  /// connection (`then` applies it after the answer); never stored or logged.
  SetOutcome set_basic_auth_password(const std::string& value, std::function<void()>& then);

  // Customer information (customer_information.cpp).
  CallAnswer on_customer_information(const ocpp::Frame& call);
  /// Sends `lines` as NotifyCustomerInformation parts (one line each) of `request_id`.
  void send_customer_information(std::int64_t request_id, std::vector<std::string> lines);

  DisplayMessages display_messages_;
  /// The blocks' CALL handlers by action (constructor).
  BlockHandlers block_handlers_;
  Certificates certificates_;
  DeviceModel model_;
  Maintenance maintenance_;
  std::vector<Evse> evses_;  // [0] unused: EVSE ids start at 1
  bool station_operative_ = true;
  std::optional<bool> station_scheduled_operative_;
  bool reset_scheduled_ = false;  // Reset OnIdle answered Scheduled
  ocpp::v201::BootReasonEnumType boot_reason_ = ocpp::v201::BootReasonEnumType::PowerUp;
  std::map<std::string, ocpp::v201::IdTokenInfoType> auth_cache_;
  std::set<std::int64_t> start_reported_;  // sessions whose transaction_started was emitted
  std::set<std::int64_t> stop_reported_;   // sessions whose transaction_stopped was emitted
  std::mt19937_64 random_;                 // transaction ids
  Timer idle_reset_timer_;
  MonitoringState monitoring_;
  std::unique_ptr<Timer> monitor_event_timer_;  // sends monitor events after the current answer
  /// A profile as the CSMS sent it, for ReportChargingProfiles.
  struct WireProfile {
    int evse = 0;
    ocpp::v201::ChargingProfileType profile;
  };
  ProfileSet charging_profiles_;
  std::map<std::int64_t, WireProfile> wire_profiles_;  // by profile id
  std::map<int, ocpp::DateTime> tx_started_;           // by EVSE: Relative schedules start there
  std::unique_ptr<Timer> limit_timer_;                 // the next change of a charging limit

  // Reservations and the local authorization list (reservations.cpp).
  CallAnswer on_reserve_now(const ocpp::Frame& call);
  CallAnswer on_cancel_reservation(const ocpp::Frame& call);
  CallAnswer on_send_local_list(const ocpp::Frame& call);
  CallAnswer on_get_local_list_version(const ocpp::Frame& call);
  bool local_list_enabled() const;
  /// The group of `token` as the local list or the cache knows it.
  std::optional<std::string> group_of(const std::string& token) const;
  /// The local list's entry for `token` when the list is enabled.
  const LocalAuthEntry* local_entry(const std::string& token) const;
  /// Whether `token` may start on `evse` now (free, or reserved for it).
  bool can_start_for(int evse, const std::string& token) const;
  /// The reservation on `evse` a start by `token` uses (and ends).
  std::optional<std::int64_t> use_reservation(int evse, const std::string& token);
  void reservation_ended(const HeldReservation& r, const char* how);
  void arm_reservations();

  Reservations reservations_;
  LocalAuthList local_list_;
  std::unique_ptr<Timer> reservation_timer_;
};

}  // namespace simulator::v201
