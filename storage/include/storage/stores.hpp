#pragma once
// Store interfaces by topic. They are blocking and run only on storage threads
// (see database.hpp); a backend (SQLite now, PostgreSQL later) implements all.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "storage/admin.hpp"
#include "storage/carbon.hpp"
#include "storage/certificates.hpp"
#include "storage/charging_profiles.hpp"
#include "storage/energy.hpp"
#include "storage/firmware_stores.hpp"
#include "storage/model.hpp"
#include "storage/monitoring.hpp"
#include "storage/operations.hpp"
#include "storage/reservations.hpp"

namespace storage {

/// Stations and their connectors.
class StationStore {
 public:
  virtual ~StationStore() = default;
  virtual std::optional<Station> get(const std::string& id) = 0;
  virtual std::vector<Station> list() = 0;
  /// Inserts or replaces the whole row.
  virtual void put(const Station& station) = 0;
  /// Removes the station; its transactions and samples stay (history). Returns
  /// false if it did not exist.
  virtual bool remove(const std::string& id) = 0;
  /// Marks every station offline (at startup: no connection survives a restart).
  virtual void mark_all_offline() = 0;
  virtual void put_connector(const Connector& connector) = 0;
  virtual std::vector<Connector> connectors(const std::string& station_id) = 0;
};

/// Id tokens.
class TokenStore {
 public:
  virtual ~TokenStore() = default;
  virtual std::optional<IdToken> get(const std::string& id_tag) = 0;
  virtual std::vector<IdToken> list() = 0;
  virtual void put(const IdToken& token) = 0;
  virtual bool remove(const std::string& id_tag) = 0;
};

/// Filters for listing transactions; unset fields do not filter.
struct TransactionFilter {
  std::optional<std::string> station_id;
  std::optional<std::string> id_tag;
  std::optional<DateTime> from;  ///< start_time >= from
  std::optional<DateTime> to;    ///< start_time < to
  std::optional<bool> active;    ///< true: not stopped yet
  std::size_t limit = 1000;
};

/// A StopTransaction the CSMS could not match to a transaction (unknown id or
/// -1), kept for reconciliation.
struct OrphanStop {
  std::int64_t id = 0;
  std::string station_id;
  std::int64_t transaction_id = 0;  ///< As sent.
  std::string id_tag;
  DateTime timestamp;
  std::int64_t meter_stop = 0;
  std::string reason;
  std::string payload;  ///< The whole request as received, JSON.
};

/// Transactions. Ids are unique for the life of the database (never reused).
class TransactionStore {
 public:
  virtual ~TransactionStore() = default;
  /// Inserts and returns the new id (ignores tx.id).
  virtual std::int64_t insert(const Transaction& tx) = 0;
  /// Replaces the row with tx.id; throws std::runtime_error if there is none.
  virtual void update(const Transaction& tx) = 0;
  virtual std::optional<Transaction> get(std::int64_t id) = 0;
  /// The transaction a retried 1.6 StartTransaction refers to: same station,
  /// connector, id tag, start time and meter start.
  virtual std::optional<Transaction> find_start(const std::string& station_id, int connector_id,
                                                const std::string& id_tag,
                                                const DateTime& start_time,
                                                std::int64_t meter_start) = 0;
  /// 2.0.1: by the station's own transactionId.
  virtual std::optional<Transaction> find_by_station_tx_id(const std::string& station_id,
                                                           const std::string& station_tx_id) = 0;
  /// Newest first (by start_time, then id), at most filter.limit.
  virtual std::vector<Transaction> list(const TransactionFilter& filter) = 0;
  virtual std::int64_t count_active() = 0;
  virtual void add_orphan_stop(const OrphanStop& stop) = 0;
  virtual std::vector<OrphanStop> orphan_stops(const std::string& station_id) = 0;
  /// 2.0.1: records an event; false (and nothing changes) when an event with the
  /// same transaction_id and seq_no is already stored (a retry).
  virtual bool add_event(const TransactionEvent& event) = 0;
  /// The transaction's events by seq_no.
  virtual std::vector<TransactionEvent> events(std::int64_t transaction_id) = 0;
  /// The highest seq_no stored for the transaction, if any.
  virtual std::optional<std::int64_t> last_seq_no(std::int64_t transaction_id) = 0;
};

/// Meter samples. Inserting a sample identical to a stored one (same station,
/// connector, timestamp, measurand, phase, location, context and value) is a
/// no-op, so retried MeterValues are not counted twice.
class MeterStore {
 public:
  virtual ~MeterStore() = default;
  /// Returns how many were new.
  virtual std::size_t insert(const std::vector<MeterSample>& samples) = 0;
  virtual std::vector<MeterSample> for_transaction(std::int64_t transaction_id) = 0;
  /// The transaction's samples of one measurand (e.g. the energy register), by timestamp.
  virtual std::vector<MeterSample> for_transaction(std::int64_t transaction_id,
                                                   const std::string& measurand) = 0;
  /// The earliest and the latest sample (by timestamp) of one measurand of the
  /// transaction without a phase, in that order: none if there is none, the
  /// same sample twice if there is one.
  virtual std::vector<MeterSample> first_and_last(std::int64_t transaction_id,
                                                  const std::string& measurand) = 0;
  /// The transaction's signed meter data as sent, by timestamp (samples with
  /// signed_data are kept there too when inserted).
  virtual std::vector<SignedMeterValue> signed_for_transaction(std::int64_t transaction_id) = 0;
};

/// 2.0.1 device models and report progress.
class DeviceModelStore {
 public:
  virtual ~DeviceModelStore() = default;
  /// Inserts or replaces each attribute (by its key) with everything it holds.
  virtual void put(const std::vector<DeviceVariable>& variables) = 0;
  /// Sets only the value of each attribute (inserting it if new, without
  /// characteristics): a GetVariables or SetVariables result.
  virtual void put_values(const std::vector<DeviceVariable>& variables) = 0;
  /// Every attribute of the station, ordered by component, its instance, EVSE,
  /// connector, variable, its instance and attribute type.
  virtual std::vector<DeviceVariable> variables(const std::string& station_id) = 0;
  /// Records one NotifyReport part holding `variables` attributes; a part already
  /// recorded (same request_id and seq_no) is a retry: returns false.
  virtual bool add_report_part(const std::string& station_id, std::int64_t request_id,
                               std::int64_t seq_no, bool tbc, std::int64_t variables,
                               const DateTime& generated_at, const DateTime& received_at) = 0;
  /// The station's reports, newest request first.
  virtual std::vector<DeviceReport> reports(const std::string& station_id) = 0;
  /// Forgets the station's device model and reports (e.g. it was removed).
  virtual void clear(const std::string& station_id) = 0;
};

/// Station notifications kept as received.
class NotificationStore {
 public:
  virtual ~NotificationStore() = default;
  virtual std::int64_t append(const StationNotification& notification) = 0;
  /// Newest first; empty station_id: all stations; empty action: all actions.
  virtual std::vector<StationNotification> recent(const std::string& station_id,
                                                  const std::string& action, std::size_t limit) = 0;
};

/// The message log: every frame in and out.
class MessageLogStore {
 public:
  virtual ~MessageLogStore() = default;
  virtual void append(const LoggedFrame& frame) = 0;
  /// Appends frames in order (a backend may write them in fewer statements).
  virtual void append_all(const std::vector<LoggedFrame>& frames) {
    for (const auto& f : frames) append(f);
  }
  /// Newest first.
  virtual std::vector<LoggedFrame> recent(const std::string& station_id, std::size_t limit) = 0;
  /// Deletes frames older than `before`; returns how many.
  virtual std::size_t prune(const DateTime& before) = 0;
};

/// Security events.
class EventStore {
 public:
  virtual ~EventStore() = default;
  virtual std::int64_t append(const SecurityEvent& event) = 0;
  /// Newest first; station_id empty for all stations; only critical ones if asked.
  virtual std::vector<SecurityEvent> recent(const std::string& station_id, std::size_t limit,
                                            bool critical_only = false) = 0;
};

/// All stores, inside one database transaction.
struct Session {
  StationStore& stations;
  TokenStore& tokens;
  TransactionStore& transactions;
  MeterStore& meters;
  MessageLogStore& messages;
  EventStore& events;
  DeviceModelStore& device_model;
  NotificationStore& notifications;
  ChargingProfileStore& charging_profiles;
  FirmwareStore& firmware;
  UploadStore& uploads;
  ReservationStore& reservations;
  LocalListStore& local_lists;
  MonitorStore& monitors;
  SiteStore& sites;
  CarbonStore& carbon;
  EnergyStore& energy;
  CertificateStore& certificates;
  AdminStore& admin;
  OperationsStore& operations;
};

}  // namespace storage
