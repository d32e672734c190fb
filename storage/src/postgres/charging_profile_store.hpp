#pragma once
// The PostgreSQL charging profile store (table charging_profiles, migration 0002).

#include "postgres/statement.hpp"
#include "storage/charging_profiles.hpp"

namespace storage::pg {

/// Charging profiles per station on PostgreSQL (see SqliteChargingProfileStore).
class PgChargingProfileStore final : public ChargingProfileStore {
 public:
  explicit PgChargingProfileStore(PgConnection& db) : db_(db) {}
  bool put(const ChargingProfile& profile) override;
  std::size_t remove(const std::string& station_id, const ProfileFilter& filter) override;
  std::vector<ChargingProfile> profiles(const std::string& station_id) override;

 private:
  PgConnection& db_;
};

}  // namespace storage::pg
