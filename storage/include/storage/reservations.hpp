#pragma once
// Reservations and local authorization lists: the domain types and their
// store interfaces (part of every Session, see stores.hpp).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "storage/model.hpp"

namespace storage {

/// Where a reservation stands. Pending until the station answers ReserveNow;
/// then its answer (Accepted, Faulted, Occupied, Rejected, Unavailable); an
/// accepted one ends Used, Cancelled, Expired or Removed.
enum class ReservationStatus {
  Pending,
  Accepted,
  Faulted,
  Occupied,
  Rejected,
  Unavailable,
  Used,
  Cancelled,
  Expired,
  Removed,
};

/// A reservation the CSMS asked a station for; the CSMS allocates `id`.
struct Reservation {
  std::int64_t id = 0;
  std::string station_id;
  int evse_id = 0;       ///< 2.0.1 evseId (0: any EVSE); 0 for 1.6.
  int connector_id = 0;  ///< 1.6 connectorId (0: any connector); 0 for 2.0.1.
  std::string id_tag;
  std::optional<std::string> parent_id_tag;   ///< 1.6 parentIdTag / 2.0.1 groupIdToken.
  std::optional<std::string> token_type;      ///< 2.0.1 idToken type.
  std::optional<std::string> connector_type;  ///< 2.0.1 connectorType.
  DateTime expiry;
  ReservationStatus status = ReservationStatus::Pending;
  std::optional<std::int64_t> transaction_id;  ///< Transaction::id that used it.
  DateTime created_at;
  DateTime updated_at;
};

/// Pending or Accepted: the reservation still holds (until its expiry).
bool is_active(ReservationStatus status);

/// Filters for listing reservations; unset fields do not filter.
struct ReservationFilter {
  std::optional<std::string> station_id;
  /// true: Pending/Accepted and not past `now`; false: the others.
  std::optional<bool> active;
  DateTime now;
  std::size_t limit = 1000;
};

/// Reservations; ids come from AUTOINCREMENT and are never reused.
class ReservationStore {
 public:
  virtual ~ReservationStore() = default;
  /// Inserts and returns the new id (ignores r.id).
  virtual std::int64_t insert(const Reservation& r) = 0;
  /// Replaces the row with r.id; false if there is none.
  virtual bool update(const Reservation& r) = 0;
  virtual std::optional<Reservation> get(std::int64_t id) = 0;
  /// Newest first.
  virtual std::vector<Reservation> list(const ReservationFilter& filter) = 0;
  /// Marks every active reservation whose expiry is at or before `now` Expired;
  /// returns how many.
  virtual std::size_t expire(const DateTime& now) = 0;
};

/// One entry of a station's local authorization list as the station accepted it.
struct LocalListEntry {
  std::string id_tag;
  TokenStatus status = TokenStatus::Accepted;
  std::optional<DateTime> expiry;
  std::optional<std::string> parent_id_tag;

  bool operator==(const LocalListEntry& o) const {
    return id_tag == o.id_tag && status == o.status && expiry == o.expiry &&
           parent_id_tag == o.parent_id_tag;
  }
  bool operator!=(const LocalListEntry& o) const { return !(*this == o); }
};

/// What the CSMS knows of a station's local authorization list.
struct LocalList {
  std::string station_id;
  std::int64_t version = 0;  ///< Of the last list the station accepted (0: none).
  /// The next send must be Full (nothing accepted yet, or the station answered
  /// VersionMismatch or Failed).
  bool needs_full = true;
  std::optional<DateTime> updated_at;            ///< When the station last accepted one.
  std::optional<std::int64_t> reported_version;  ///< Its last GetLocalListVersion answer.
  std::optional<DateTime> reported_at;
  std::vector<LocalListEntry> entries;  ///< By id_tag.
};

/// Per-station local list snapshots; they go with the station.
class LocalListStore {
 public:
  virtual ~LocalListStore() = default;
  /// nullopt: nothing recorded for the station yet.
  virtual std::optional<LocalList> get(const std::string& station_id) = 0;
  /// The station accepted `version` holding `entries`: replaces the snapshot
  /// and clears needs_full.
  virtual void accepted(const std::string& station_id, std::int64_t version,
                        const std::vector<LocalListEntry>& entries, const DateTime& at) = 0;
  /// The next send must be full (VersionMismatch, Failed).
  virtual void require_full(const std::string& station_id) = 0;
  /// Records a GetLocalListVersion answer.
  virtual void reported(const std::string& station_id, std::int64_t version,
                        const DateTime& at) = 0;
};

std::string_view to_string(ReservationStatus v);
std::optional<ReservationStatus> reservation_status_from_string(std::string_view s);

}  // namespace storage
