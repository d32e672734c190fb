#pragma once
// The SQLite implementations of the store interfaces, all over one connection.

#include "common/stores.hpp"
#include "retention_impl.hpp"
#include "sqlite/admin_store.hpp"
#include "sqlite/carbon_stores.hpp"
#include "sqlite/certificate_store.hpp"
#include "sqlite/charging_profile_store.hpp"
#include "sqlite/dialect.hpp"
#include "sqlite/energy_store.hpp"
#include "sqlite/firmware_stores.hpp"
#include "sqlite/monitor_store.hpp"
#include "sqlite/operations_store.hpp"
#include "sqlite/reservation_stores.hpp"
#include "sqlite/statement.hpp"
#include "storage/sqlite_database.hpp"
#include "storage/stores.hpp"

namespace storage::sqlite {

using SqliteStationStore = common::StationStoreT<Dialect>;

using SqliteTokenStore = common::TokenStoreT<Dialect>;

using SqliteTransactionStore = common::TransactionStoreT<Dialect>;

class SqliteMeterStore final : public MeterStore {
 public:
  explicit SqliteMeterStore(SqliteDatabase& db) : db_(db) {}
  std::size_t insert(const std::vector<MeterSample>& samples) override;
  std::vector<MeterSample> for_transaction(std::int64_t transaction_id) override;
  std::vector<MeterSample> first_and_last(std::int64_t transaction_id,
                                          const std::string& measurand) override;
  std::vector<MeterSample> for_transaction(std::int64_t transaction_id,
                                           const std::string& measurand) override;
  std::vector<SignedMeterValue> signed_for_transaction(std::int64_t transaction_id) override;

 private:
  void insert_signed(const std::vector<MeterSample>& samples);
  SqliteDatabase& db_;
};

class SqliteMessageLogStore final : public MessageLogStore {
 public:
  explicit SqliteMessageLogStore(SqliteDatabase& db) : db_(db) {}
  void append(const LoggedFrame& frame) override;
  void append_all(const std::vector<LoggedFrame>& frames) override;
  std::vector<LoggedFrame> recent(const std::string& station_id, std::size_t limit) override;
  std::size_t prune(const DateTime& before) override;

 private:
  SqliteDatabase& db_;
};

using SqliteEventStore = common::EventStoreT<Dialect>;

class SqliteDeviceModelStore final : public DeviceModelStore {
 public:
  explicit SqliteDeviceModelStore(SqliteDatabase& db) : db_(db) {}
  void put(const std::vector<DeviceVariable>& variables) override;
  void put_values(const std::vector<DeviceVariable>& variables) override;
  std::vector<DeviceVariable> variables(const std::string& station_id) override;
  bool add_report_part(const std::string& station_id, std::int64_t request_id, std::int64_t seq_no,
                       bool tbc, std::int64_t variables, const DateTime& generated_at,
                       const DateTime& received_at) override;
  std::vector<DeviceReport> reports(const std::string& station_id) override;
  void clear(const std::string& station_id) override;

 private:
  SqliteDatabase& db_;
};

using SqliteNotificationStore = common::NotificationStoreT<Dialect>;

/// Every store over one connection, lent out as a Session.
class SqliteStores {
 public:
  explicit SqliteStores(SqliteDatabase& db)
      : stations_(db),
        tokens_(db),
        transactions_(db),
        meters_(db),
        messages_(db),
        events_(db),
        device_model_(db),
        notifications_(db),
        charging_profiles_(db),
        firmware_(db),
        uploads_(db),
        reservations_(db),
        local_lists_(db),
        monitors_(db),
        sites_(db),
        carbon_(db),
        energy_(db),
        certificates_(db),
        admin_(db),
        operations_(db),
        retention_(db),
        session_{stations_,     tokens_,        transactions_,
                 meters_,       messages_,      events_,
                 device_model_, notifications_, charging_profiles_,
                 firmware_,     uploads_,       reservations_,
                 local_lists_,  monitors_,      sites_,
                 carbon_,       energy_,        certificates_,
                 admin_,        operations_,    retention_} {}
  SqliteStores(const SqliteStores&) = delete;
  SqliteStores& operator=(const SqliteStores&) = delete;

  Session& session() { return session_; }

 private:
  SqliteStationStore stations_;
  SqliteTokenStore tokens_;
  SqliteTransactionStore transactions_;
  SqliteMeterStore meters_;
  SqliteMessageLogStore messages_;
  SqliteEventStore events_;
  SqliteDeviceModelStore device_model_;
  SqliteNotificationStore notifications_;
  SqliteChargingProfileStore charging_profiles_;
  SqliteFirmwareStore firmware_;
  SqliteUploadStore uploads_;
  SqliteReservationStore reservations_;
  SqliteLocalListStore local_lists_;
  SqliteMonitorStore monitors_;
  SqliteSiteStore sites_;
  SqliteCarbonStore carbon_;
  SqliteEnergyStore energy_;
  SqliteCertificateStore certificates_;
  SqliteAdminStore admin_;
  SqliteOperationsStore operations_;
  storage::detail::BackendRetentionStore<Statement, SqliteDatabase> retention_;
  Session session_;
};

}  // namespace storage::sqlite

extern template class storage::common::StationStoreT<storage::sqlite::Dialect>;
extern template class storage::common::TokenStoreT<storage::sqlite::Dialect>;
extern template class storage::common::TransactionStoreT<storage::sqlite::Dialect>;
extern template class storage::common::EventStoreT<storage::sqlite::Dialect>;
extern template class storage::common::NotificationStoreT<storage::sqlite::Dialect>;
