#pragma once
// The PostgreSQL OperationsStore (alerts, availability history, operator
// closures; migration 0002).

#include "postgres/statement.hpp"
#include "storage/operations.hpp"

namespace storage::pg {

/// Alerts, availability history and operator closures on PostgreSQL, all appended.
class PgOperationsStore final : public OperationsStore {
 public:
  explicit PgOperationsStore(PgConnection& db) : db_(db) {}
  std::int64_t open_alert(const Alert& alert) override;
  std::optional<std::int64_t> close_alert(const std::string& kind, const std::string& station_id,
                                          int connector_id, const DateTime& at,
                                          const std::string& reason) override;
  std::vector<Alert> alerts(const AlertFilter& filter) override;
  void add_status(const StatusChange& change) override;
  void add_link(const StationLink& link) override;
  void add_operator_availability(const OperatorAvailability& change) override;
  AvailabilityHistory history(const std::string& station_id, const DateTime& from,
                              const DateTime& to) override;
  bool add_transaction_closure(const TransactionClosure& closure) override;
  std::optional<TransactionClosure> transaction_closure(std::int64_t transaction_id) override;

 private:
  PgConnection& db_;
};

}  // namespace storage::pg
