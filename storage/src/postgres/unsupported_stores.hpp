#pragma once
// The stores not yet ported to PostgreSQL (helper pg-b replaces them one by one
// with real classes in postgres/<topic>_store.cpp). Each method throws, so a
// feature that needs one fails loudly, naming what is missing, instead of
// silently doing nothing.

#include <string>

#include "postgres/statement.hpp"
#include "storage/stores.hpp"

namespace storage::pg {

[[noreturn]] inline void not_ported(const std::string& what) {
  throw PgError("", what + " is not supported on PostgreSQL yet");
}

/// ChargingProfileStore until its PostgreSQL port lands: every method throws.
class UnsupportedChargingProfileStore final : public ChargingProfileStore {
 public:
  bool put(const ChargingProfile& /*profile*/) override { not_ported("ChargingProfileStore::put"); }
  std::size_t remove(const std::string& /*station_id*/, const ProfileFilter& /*filter*/) override {
    not_ported("ChargingProfileStore::remove");
  }
  std::vector<ChargingProfile> profiles(const std::string& /*station_id*/) override {
    not_ported("ChargingProfileStore::profiles");
  }
};

/// FirmwareStore until its PostgreSQL port lands: every method throws.
class UnsupportedFirmwareStore final : public FirmwareStore {
 public:
  std::int64_t add_request(const FirmwareRequest& /*request*/) override {
    not_ported("FirmwareStore::add_request");
  }
  void set_answer(std::int64_t /*id*/, const std::string& /*answer*/) override {
    not_ported("FirmwareStore::set_answer");
  }
  std::vector<FirmwareRequest> requests(const std::string& /*station_id*/,
                                        std::size_t /*limit*/) override {
    not_ported("FirmwareStore::requests");
  }
  std::int64_t add_status(const StatusReport& /*report*/) override {
    not_ported("FirmwareStore::add_status");
  }
  std::vector<StatusReport> statuses(const std::string& /*station_id*/,
                                     std::optional<StatusTopic> /*topic*/,
                                     std::size_t /*limit*/) override {
    not_ported("FirmwareStore::statuses");
  }
};

/// UploadStore until its PostgreSQL port lands: every method throws.
class UnsupportedUploadStore final : public UploadStore {
 public:
  void add_request(const UploadRequest& /*request*/) override {
    not_ported("UploadStore::add_request");
  }
  std::optional<UploadRequest> request(const std::string& /*token*/) override {
    not_ported("UploadStore::request");
  }
  void set_answer(const std::string& /*token*/, const std::string& /*answer*/,
                  const std::string& /*file_name*/) override {
    not_ported("UploadStore::set_answer");
  }
  bool claim(const std::string& /*token*/, const DateTime& /*now*/) override {
    not_ported("UploadStore::claim");
  }
  std::int64_t add_file(const UploadedFile& /*file*/) override {
    not_ported("UploadStore::add_file");
  }
  std::optional<UploadedFile> file(std::int64_t /*id*/) override {
    not_ported("UploadStore::file");
  }
  std::vector<UploadedFile> files(const std::string& /*station_id*/,
                                  std::size_t /*limit*/) override {
    not_ported("UploadStore::files");
  }
};

/// ReservationStore until its PostgreSQL port lands: every method throws.
class UnsupportedReservationStore final : public ReservationStore {
 public:
  std::int64_t insert(const Reservation& /*r*/) override { not_ported("ReservationStore::insert"); }
  bool update(const Reservation& /*r*/) override { not_ported("ReservationStore::update"); }
  std::optional<Reservation> get(std::int64_t /*id*/) override {
    not_ported("ReservationStore::get");
  }
  std::vector<Reservation> list(const ReservationFilter& /*filter*/) override {
    not_ported("ReservationStore::list");
  }
  std::size_t expire(const DateTime& /*now*/) override { not_ported("ReservationStore::expire"); }
};

/// MonitorStore until its PostgreSQL port lands: every method throws.
class UnsupportedMonitorStore final : public MonitorStore {
 public:
  void put(const std::vector<VariableMonitor>& /*monitors*/) override {
    not_ported("MonitorStore::put");
  }
  std::size_t remove(const std::string& /*station_id*/,
                     const std::vector<std::int64_t>& /*monitor_ids*/) override {
    not_ported("MonitorStore::remove");
  }
  std::size_t remove_from(const std::string& /*station_id*/,
                          const std::string& /*source*/) override {
    not_ported("MonitorStore::remove_from");
  }
  bool event(const std::string& /*station_id*/, std::int64_t /*monitor_id*/, const DateTime& /*at*/,
             const std::string& /*actual_value*/, bool /*cleared*/) override {
    not_ported("MonitorStore::event");
  }
  std::vector<VariableMonitor> list(const std::string& /*station_id*/) override {
    not_ported("MonitorStore::list");
  }
};

/// SiteStore until its PostgreSQL port lands: every method throws.
class UnsupportedSiteStore final : public SiteStore {
 public:
  std::optional<Site> get(const std::string& /*id*/) override { not_ported("SiteStore::get"); }
  std::vector<Site> list() override { not_ported("SiteStore::list"); }
  void put(const Site& /*site*/) override { not_ported("SiteStore::put"); }
  bool remove(const std::string& /*id*/) override { not_ported("SiteStore::remove"); }
  StationCarbonSettings station(const std::string& /*station_id*/) override {
    not_ported("SiteStore::station");
  }
  void put_station(const StationCarbonSettings& /*settings*/) override {
    not_ported("SiteStore::put_station");
  }
  std::vector<StationCarbonSettings> stations_of(const std::string& /*site_id*/) override {
    not_ported("SiteStore::stations_of");
  }
};

/// CarbonStore until its PostgreSQL port lands: every method throws.
class UnsupportedCarbonStore final : public CarbonStore {
 public:
  std::int64_t add_parameter(const CarbonParameter& /*p*/) override {
    not_ported("CarbonStore::add_parameter");
  }
  std::vector<CarbonParameter> parameters(const std::string& /*kind*/,
                                          const std::optional<std::string>& /*region*/) override {
    not_ported("CarbonStore::parameters");
  }
  std::optional<CarbonParameter> parameter_at(const std::string& /*kind*/,
                                              const std::string& /*variant*/,
                                              const std::string& /*region*/,
                                              const DateTime& /*at*/) override {
    not_ported("CarbonStore::parameter_at");
  }
  std::int64_t add_record(const CarbonRecord& /*r*/) override {
    not_ported("CarbonStore::add_record");
  }
  std::optional<CarbonRecord> record(std::int64_t /*id*/) override {
    not_ported("CarbonStore::record");
  }
  std::optional<CarbonRecord> current_record(std::int64_t /*transaction_id*/) override {
    not_ported("CarbonStore::current_record");
  }
  std::vector<CarbonRecord> records_of(std::int64_t /*transaction_id*/) override {
    not_ported("CarbonStore::records_of");
  }
  std::vector<CarbonRecord> records(const CarbonRecordFilter& /*filter*/) override {
    not_ported("CarbonStore::records");
  }
  std::int64_t append_entry(const LedgerEntry& /*e*/) override {
    not_ported("CarbonStore::append_entry");
  }
  std::optional<LedgerEntry> last_entry() override { not_ported("CarbonStore::last_entry"); }
  std::vector<LedgerEntry> entries(const std::string& /*account*/,
                                   const std::optional<DateTime>& /*from*/,
                                   const std::optional<DateTime>& /*to*/) override {
    not_ported("CarbonStore::entries");
  }
  std::vector<std::string> accounts() override { not_ported("CarbonStore::accounts"); }
  std::optional<std::string> linked_account(const std::string& /*id_tag*/) override {
    not_ported("CarbonStore::linked_account");
  }
  void link_account(const std::string& /*id_tag*/, const std::string& /*account*/) override {
    not_ported("CarbonStore::link_account");
  }
  std::int64_t add_certificates(const GreenCertificateBatch& /*batch*/) override {
    not_ported("CarbonStore::add_certificates");
  }
  std::vector<GreenCertificateBatch> certificates(const std::string& /*site_id*/,
                                                  const std::string& /*month*/) override {
    not_ported("CarbonStore::certificates");
  }
};

/// EnergyStore until its PostgreSQL port lands: every method throws.
class UnsupportedEnergyStore final : public EnergyStore {
 public:
  std::optional<SiteEnergySettings> settings(const std::string& /*site_id*/) override {
    not_ported("EnergyStore::settings");
  }
  std::vector<SiteEnergySettings> all_settings() override {
    not_ported("EnergyStore::all_settings");
  }
  void put_settings(const SiteEnergySettings& /*s*/) override {
    not_ported("EnergyStore::put_settings");
  }
  std::vector<Circuit> circuits(const std::string& /*site_id*/) override {
    not_ported("EnergyStore::circuits");
  }
  void put_circuit(const Circuit& /*c*/) override { not_ported("EnergyStore::put_circuit"); }
  bool remove_circuit(const std::string& /*site_id*/, const std::string& /*id*/) override {
    not_ported("EnergyStore::remove_circuit");
  }
  std::vector<EvseEnergySettings> evses(const std::string& /*station_id*/) override {
    not_ported("EnergyStore::evses");
  }
  void put_evse(const EvseEnergySettings& /*e*/) override { not_ported("EnergyStore::put_evse"); }
  std::vector<LimitWindow> windows(const std::string& /*site_id*/) override {
    not_ported("EnergyStore::windows");
  }
  void put_windows(const std::string& /*site_id*/, const std::vector<LimitWindow>& /*w*/) override {
    not_ported("EnergyStore::put_windows");
  }
  std::vector<MeterSource> meter_sources(const std::string& /*site_id*/) override {
    not_ported("EnergyStore::meter_sources");
  }
  void put_meter_source(const MeterSource& /*m*/) override {
    not_ported("EnergyStore::put_meter_source");
  }
  bool remove_meter_source(const std::string& /*site_id*/, const std::string& /*name*/) override {
    not_ported("EnergyStore::remove_meter_source");
  }
  std::vector<SiteReading> readings(const std::string& /*site_id*/) override {
    not_ported("EnergyStore::readings");
  }
  void put_reading(const SiteReading& /*r*/) override { not_ported("EnergyStore::put_reading"); }
  void add_interval(const SiteInterval& /*i*/) override { not_ported("EnergyStore::add_interval"); }
  std::vector<SiteInterval> intervals(const std::string& /*site_id*/, const DateTime& /*from*/,
                                      const DateTime& /*to*/) override {
    not_ported("EnergyStore::intervals");
  }
  std::int64_t append_decision(const EnergyDecision& /*d*/) override {
    not_ported("EnergyStore::append_decision");
  }
  std::vector<EnergyDecision> decisions(const std::string& /*site_id*/,
                                        std::size_t /*limit*/) override {
    not_ported("EnergyStore::decisions");
  }
  std::size_t prune_decisions(const DateTime& /*before*/) override {
    not_ported("EnergyStore::prune_decisions");
  }
};

/// CertificateStore until its PostgreSQL port lands: every method throws.
class UnsupportedCertificateStore final : public CertificateStore {
 public:
  void add_issued(const IssuedCertificate& /*certificate*/) override {
    not_ported("CertificateStore::add_issued");
  }
  void add_delivery(const std::string& /*serial*/, const DateTime& /*at*/,
                    const std::string& /*status*/) override {
    not_ported("CertificateStore::add_delivery");
  }
  bool revoke(const std::string& /*serial*/, const DateTime& /*at*/,
              const std::string& /*reason*/) override {
    not_ported("CertificateStore::revoke");
  }
  std::optional<IssuedCertificate> find(const std::string& /*serial*/) override {
    not_ported("CertificateStore::find");
  }
  std::vector<IssuedCertificate> for_station(const std::string& /*station_id*/) override {
    not_ported("CertificateStore::for_station");
  }
  std::vector<IssuedCertificate> all() override { not_ported("CertificateStore::all"); }
  std::vector<std::string> revoked_serials() override {
    not_ported("CertificateStore::revoked_serials");
  }
  std::vector<std::string> keys_of_others(const std::string& /*station_id*/) override {
    not_ported("CertificateStore::keys_of_others");
  }
};

/// AdminStore until its PostgreSQL port lands: every method throws.
class UnsupportedAdminStore final : public AdminStore {
 public:
  bool add_token(const ApiToken& /*token*/) override { not_ported("AdminStore::add_token"); }
  std::vector<ApiToken> tokens() override { not_ported("AdminStore::tokens"); }
  bool revoke_token(const std::string& /*name*/, const DateTime& /*at*/) override {
    not_ported("AdminStore::revoke_token");
  }
  std::int64_t append_audit(const AuditEntry& /*entry*/) override {
    not_ported("AdminStore::append_audit");
  }
  std::vector<AuditEntry> audit(std::size_t /*limit*/,
                                const std::optional<DateTime>& /*since*/) override {
    not_ported("AdminStore::audit");
  }
};

/// OperationsStore until its PostgreSQL port lands: every method throws.
class UnsupportedOperationsStore final : public OperationsStore {
 public:
  std::int64_t open_alert(const Alert& /*alert*/) override {
    not_ported("OperationsStore::open_alert");
  }
  std::optional<std::int64_t> close_alert(const std::string& /*kind*/,
                                          const std::string& /*station_id*/, int /*connector_id*/,
                                          const DateTime& /*at*/,
                                          const std::string& /*reason*/) override {
    not_ported("OperationsStore::close_alert");
  }
  std::vector<Alert> alerts(const AlertFilter& /*filter*/) override {
    not_ported("OperationsStore::alerts");
  }
  void add_status(const StatusChange& /*change*/) override {
    not_ported("OperationsStore::add_status");
  }
  void add_link(const StationLink& /*link*/) override { not_ported("OperationsStore::add_link"); }
  void add_operator_availability(const OperatorAvailability& /*change*/) override {
    not_ported("OperationsStore::add_operator_availability");
  }
  AvailabilityHistory history(const std::string& /*station_id*/, const DateTime& /*from*/,
                              const DateTime& /*to*/) override {
    not_ported("OperationsStore::history");
  }
  bool add_transaction_closure(const TransactionClosure& /*closure*/) override {
    not_ported("OperationsStore::add_transaction_closure");
  }
  std::optional<TransactionClosure> transaction_closure(std::int64_t /*transaction_id*/) override {
    not_ported("OperationsStore::transaction_closure");
  }
};

}  // namespace storage::pg
