#pragma once
// The PostgreSQL implementations of the store interfaces, all over one
// connection.

#include "common/stores.hpp"
#include "postgres/admin_store.hpp"
#include "postgres/carbon_stores.hpp"
#include "postgres/certificate_store.hpp"
#include "postgres/charging_profile_store.hpp"
#include "postgres/dialect.hpp"
#include "postgres/energy_store.hpp"
#include "postgres/firmware_stores.hpp"
#include "postgres/monitor_store.hpp"
#include "postgres/operations_store.hpp"
#include "postgres/reservation_store.hpp"
#include "postgres/statement.hpp"
#include "retention_impl.hpp"
#include "storage/stores.hpp"

namespace storage::pg {

using PgStationStore = common::StationStoreT<Dialect>;

using PgTokenStore = common::TokenStoreT<Dialect>;

using PgTransactionStore = common::TransactionStoreT<Dialect>;

class PgMeterStore final : public MeterStore {
 public:
  explicit PgMeterStore(PgConnection& db) : db_(db) {}
  std::size_t insert(const std::vector<MeterSample>& samples) override;
  std::vector<MeterSample> for_transaction(std::int64_t transaction_id) override;
  std::vector<MeterSample> first_and_last(std::int64_t transaction_id,
                                          const std::string& measurand) override;
  std::vector<MeterSample> for_transaction(std::int64_t transaction_id,
                                           const std::string& measurand) override;
  std::vector<SignedMeterValue> signed_for_transaction(std::int64_t transaction_id) override;

 private:
  void insert_signed(const std::vector<MeterSample>& samples);
  PgConnection& db_;
};

class PgMessageLogStore final : public MessageLogStore {
 public:
  explicit PgMessageLogStore(PgConnection& db) : db_(db) {}
  void append(const LoggedFrame& frame) override;
  std::vector<LoggedFrame> recent(const std::string& station_id, std::size_t limit) override;
  std::size_t prune(const DateTime& before) override;

 private:
  PgConnection& db_;
};

using PgEventStore = common::EventStoreT<Dialect>;

class PgDeviceModelStore final : public DeviceModelStore {
 public:
  explicit PgDeviceModelStore(PgConnection& db) : db_(db) {}
  void put(const std::vector<DeviceVariable>& variables) override;
  void put_values(const std::vector<DeviceVariable>& variables) override;
  std::vector<DeviceVariable> variables(const std::string& station_id) override;
  bool add_report_part(const std::string& station_id, std::int64_t request_id, std::int64_t seq_no,
                       bool tbc, std::int64_t variables, const DateTime& generated_at,
                       const DateTime& received_at) override;
  std::vector<DeviceReport> reports(const std::string& station_id) override;
  void clear(const std::string& station_id) override;

 private:
  PgConnection& db_;
};

using PgNotificationStore = common::NotificationStoreT<Dialect>;

class PgLocalListStore final : public LocalListStore {
 public:
  explicit PgLocalListStore(PgConnection& db) : db_(db) {}
  std::optional<LocalList> get(const std::string& station_id) override;
  void accepted(const std::string& station_id, std::int64_t version,
                const std::vector<LocalListEntry>& entries, const DateTime& at) override;
  void require_full(const std::string& station_id) override;
  void reported(const std::string& station_id, std::int64_t version, const DateTime& at) override;

 private:
  PgConnection& db_;
};

/// Every store over one connection, lent out as a Session.
class PgStores {
 public:
  explicit PgStores(PgConnection& db)
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
  PgStores(const PgStores&) = delete;
  PgStores& operator=(const PgStores&) = delete;

  Session& session() { return session_; }

 private:
  PgStationStore stations_;
  PgTokenStore tokens_;
  PgTransactionStore transactions_;
  PgMeterStore meters_;
  PgMessageLogStore messages_;
  PgEventStore events_;
  PgDeviceModelStore device_model_;
  PgNotificationStore notifications_;
  PgChargingProfileStore charging_profiles_;
  PgFirmwareStore firmware_;
  PgUploadStore uploads_;
  PgReservationStore reservations_;
  PgLocalListStore local_lists_;
  PgMonitorStore monitors_;
  PgSiteStore sites_;
  PgCarbonStore carbon_;
  PgEnergyStore energy_;
  PgCertificateStore certificates_;
  PgAdminStore admin_;
  PgOperationsStore operations_;
  storage::detail::BackendRetentionStore<Statement, PgConnection> retention_;
  Session session_;
};

}  // namespace storage::pg

extern template class storage::common::StationStoreT<storage::pg::Dialect>;
extern template class storage::common::TokenStoreT<storage::pg::Dialect>;
extern template class storage::common::TransactionStoreT<storage::pg::Dialect>;
extern template class storage::common::EventStoreT<storage::pg::Dialect>;
extern template class storage::common::NotificationStoreT<storage::pg::Dialect>;
