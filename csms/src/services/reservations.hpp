#pragma once
// Reservations and local authorization lists, version-neutral: what the
// reserve/cancel-reservation/local-list commands store, and what station
// messages (starts with a reservationId, ReservationStatusUpdate) change.
// Network thread only; every callback runs on it after the data is committed.

#include <cstdint>
#include <exception>
#include <functional>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "server/context.hpp"
#include "storage/reservations.hpp"
#include "storage/stores.hpp"

namespace csms {

/// Inside a write: a transaction started with `reservation_id` on `station_id`
/// uses it (an active one becomes Used) and is linked to `transaction_id`.
void use_reservation(storage::Session& s, const std::string& station_id,
                     std::int64_t reservation_id, std::int64_t transaction_id,
                     const storage::DateTime& now);

/// One entry of a local list update: `info` absent means "remove this tag".
struct LocalListItem {
  std::string id_tag;
  std::optional<storage::LocalListEntry> info;
};

/// What a local-list send will send, and what the station holds once it accepts.
struct LocalListPlan {
  bool full = true;
  std::int64_t version = 1;
  std::vector<LocalListItem> items;            ///< To send.
  std::vector<storage::LocalListEntry> after;  ///< The snapshot once accepted.
  std::size_t skipped = 0;  ///< Tags the station's version cannot carry (too long).
};

/// Reservations (with their expiry) and local list snapshots.
class ReservationService {
 public:
  explicit ReservationService(ServerContext& ctx);

  /// Stores a new Pending reservation; `done` gets its id.
  void create(storage::Reservation r, std::function<void(std::exception_ptr, std::int64_t)> done);
  /// The station's answer to ReserveNow (a reservation no longer Pending keeps its status).
  void answered(std::int64_t id, storage::ReservationStatus status,
                std::function<void(std::exception_ptr)> done);
  /// The reservation `id` of `station_id` if it is still active; otherwise
  /// `problem` says why not.
  void find_active(const std::string& station_id, std::int64_t id,
                   std::function<void(std::exception_ptr, std::optional<storage::Reservation>,
                                      std::string problem)>
                       done);
  /// Ends an active reservation of `station_id` with `status` (Cancelled,
  /// Expired, Removed); unknown or ended ones are left as they are.
  void end(const std::string& station_id, std::int64_t id, storage::ReservationStatus status,
           std::function<void(std::exception_ptr)> done);
  /// Expires what is due now and plans the next sweep.
  void sweep();
  /// The sweep itself, on the node that may run it.
  void sweep_now();

  /// Plans a local-list send to `station_id` from the id tags and its snapshot.
  /// `max_tag` is the longest id tag the station's version carries.
  void plan_local_list(const std::string& station_id, bool force_full, std::size_t max_tag,
                       std::function<void(std::exception_ptr, LocalListPlan)> done);
  /// The station answered a SendLocalList of `plan` with `status` (Accepted,
  /// Failed, NotSupported, VersionMismatch).
  void local_list_answered(const std::string& station_id, const LocalListPlan& plan,
                           const std::string& status, std::function<void(std::exception_ptr)> done);
  /// The station reported its list version (GetLocalListVersion).
  void local_list_reported(const std::string& station_id, std::int64_t version,
                           std::function<void(std::exception_ptr)> done);

 private:
  void schedule(const storage::DateTime& expiry);
  void arm();

  ServerContext& ctx_;
  TimerHandle timer_;
  std::set<std::int64_t> due_;  ///< Expiries (unix µs) of reservations that may be active.
};

}  // namespace csms
