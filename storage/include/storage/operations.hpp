#pragma once
// Smart O&M storage: alerts (opened and closed, append-only), the status and
// connection history availability reports are computed from, and transactions
// closed by the operator.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "storage/model.hpp"

namespace storage {

/// An alert: something an operator should look at, open until closed.
struct Alert {
  std::int64_t id = 0;
  std::string kind;  ///< e.g. "connector_faulted" (docs/operations.md lists them).
  std::string station_id;
  int connector_id = 0;  ///< 0: the station as a whole.
  DateTime opened_at;
  std::string details;
  std::optional<DateTime> closed_at;  ///< Unset while open.
  std::string close_reason;
};

/// Which alerts to list; unset fields do not filter.
struct AlertFilter {
  bool open_only = false;
  std::optional<std::string> station_id;
  std::size_t limit = 1000;
};

/// One connector status as received.
struct StatusChange {
  std::string station_id;
  int evse_id = 0;
  int connector_id = 0;
  ConnectorStatus status = ConnectorStatus::Unknown;
  std::string error_code;
  std::string vendor_error_code;
  std::string info;
  DateTime at;
};

/// A station's connection came up (online) or went down.
struct StationLink {
  std::string station_id;
  bool online = false;
  DateTime at;
};

/// An operator's ChangeAvailability the station accepted; evse 0 and
/// connector 0 mean the whole station.
struct OperatorAvailability {
  std::string station_id;
  int evse_id = 0;
  int connector_id = 0;
  bool operative = true;
  DateTime at;
};

/// The status, link and operator history of one period: the last record of
/// each before `from` (the state at the start) and every record in it.
struct AvailabilityHistory {
  std::vector<StatusChange> statuses;
  std::vector<StationLink> links;
  std::vector<OperatorAvailability> operator_changes;
};

/// A transaction the operator closed.
struct TransactionClosure {
  std::int64_t transaction_id = 0;
  DateTime closed_at;
  std::string reason;
};

/// Alerts, availability history and operator closures.
class OperationsStore {
 public:
  virtual ~OperationsStore() = default;
  /// Appends an alert; returns its id.
  virtual std::int64_t open_alert(const Alert& alert) = 0;
  /// Closes the open alert of this kind, station and connector; returns its
  /// id, or nullopt if none is open.
  virtual std::optional<std::int64_t> close_alert(const std::string& kind,
                                                  const std::string& station_id, int connector_id,
                                                  const DateTime& at,
                                                  const std::string& reason) = 0;
  /// Newest first.
  virtual std::vector<Alert> alerts(const AlertFilter& filter) = 0;
  virtual void add_status(const StatusChange& change) = 0;
  virtual void add_link(const StationLink& link) = 0;
  virtual void add_operator_availability(const OperatorAvailability& change) = 0;
  /// Each list in time order; `station_id` empty: every station.
  virtual AvailabilityHistory history(const std::string& station_id, const DateTime& from,
                                      const DateTime& to) = 0;
  /// False when the transaction already has a closure.
  virtual bool add_transaction_closure(const TransactionClosure& closure) = 0;
  virtual std::optional<TransactionClosure> transaction_closure(std::int64_t transaction_id) = 0;
};

}  // namespace storage
