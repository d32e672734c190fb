#pragma once
// The PostgreSQL reservation store (table reservations, migration 0002).

#include "postgres/statement.hpp"
#include "storage/reservations.hpp"

namespace storage::pg {

/// Reservations on PostgreSQL; ids from an identity column, never reused.
class PgReservationStore final : public ReservationStore {
 public:
  explicit PgReservationStore(PgConnection& db) : db_(db) {}
  std::int64_t insert(const Reservation& r) override;
  bool update(const Reservation& r) override;
  std::optional<Reservation> get(std::int64_t id) override;
  std::vector<Reservation> list(const ReservationFilter& filter) override;
  std::size_t expire(const DateTime& now) override;

 private:
  PgConnection& db_;
};

}  // namespace storage::pg
