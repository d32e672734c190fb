#pragma once
// The SQLite reservation and local-list stores.

#include "storage/reservations.hpp"
#include "storage/sqlite_database.hpp"

namespace storage::sqlite {

class SqliteReservationStore final : public ReservationStore {
 public:
  explicit SqliteReservationStore(SqliteDatabase& db) : db_(db) {}
  std::int64_t insert(const Reservation& r) override;
  bool update(const Reservation& r) override;
  std::optional<Reservation> get(std::int64_t id) override;
  std::vector<Reservation> list(const ReservationFilter& filter) override;
  std::size_t expire(const DateTime& now) override;

 private:
  SqliteDatabase& db_;
};

class SqliteLocalListStore final : public LocalListStore {
 public:
  explicit SqliteLocalListStore(SqliteDatabase& db) : db_(db) {}
  std::optional<LocalList> get(const std::string& station_id) override;
  void accepted(const std::string& station_id, std::int64_t version,
                const std::vector<LocalListEntry>& entries, const DateTime& at) override;
  void require_full(const std::string& station_id) override;
  void reported(const std::string& station_id, std::int64_t version, const DateTime& at) override;

 private:
  SqliteDatabase& db_;
};

}  // namespace storage::sqlite
