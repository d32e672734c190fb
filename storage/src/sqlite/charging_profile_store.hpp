#pragma once
// The SQLite charging profile store (table charging_profiles).

#include "storage/charging_profiles.hpp"
#include "storage/sqlite_database.hpp"

namespace storage::sqlite {

class SqliteChargingProfileStore final : public ChargingProfileStore {
 public:
  explicit SqliteChargingProfileStore(SqliteDatabase& db) : db_(db) {}
  bool put(const ChargingProfile& profile) override;
  std::size_t remove(const std::string& station_id, const ProfileFilter& filter) override;
  std::vector<ChargingProfile> profiles(const std::string& station_id) override;

 private:
  SqliteDatabase& db_;
};

}  // namespace storage::sqlite
