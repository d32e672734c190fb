#pragma once
// Version-neutral pieces of reservations and the local authorization list a
// simulated station keeps: which connector/EVSE is reserved for whom until
// when, and the list the CSMS sent with its version rules.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "ocpp/common/datetime.hpp"

namespace simulator {

/// One reservation held by the station.
struct HeldReservation {
  std::int64_t id = 0;
  int where = 0;  ///< 1.6 connectorId or 2.0.1 evseId.
  std::string id_tag;
  std::optional<std::string> parent_id_tag;  ///< 1.6 parentIdTag / 2.0.1 groupIdToken.
  ocpp::DateTime expiry;
};

/// The reservations a station holds, at most one per connector/EVSE.
class Reservations {
 public:
  /// Adds `r`, replacing one with the same id (the CSMS may update it).
  void hold(HeldReservation r);
  /// Removes and returns reservation `id`.
  std::optional<HeldReservation> release(std::int64_t id);
  const HeldReservation* on(int where) const;
  const HeldReservation* find(std::int64_t id) const;
  /// Whether `id_tag` (whose parent is `parent`, if known) may start on `where`:
  /// free, or reserved for that tag or its group (case-insensitive).
  bool may_start(int where, const std::string& id_tag,
                 const std::optional<std::string>& parent) const;
  /// Removes and returns the reservation on `where` that `id_tag` uses by starting.
  std::optional<HeldReservation> use(int where, const std::string& id_tag,
                                     const std::optional<std::string>& parent);
  /// Removes and returns the reservations whose expiry is at or before `now`.
  std::vector<HeldReservation> expire(const ocpp::DateTime& now);
  std::optional<ocpp::DateTime> next_expiry() const;
  bool empty() const { return held_.empty(); }

 private:
  std::map<std::int64_t, HeldReservation> held_;
};

/// One local authorization list entry (1.6 idTagInfo / 2.0.1 idTokenInfo).
struct LocalAuthEntry {
  std::string status = "Accepted";  ///< AuthorizationStatus name.
  std::optional<ocpp::DateTime> expiry;
  std::optional<std::string> parent_id_tag;
};

/// One item of a SendLocalList: no entry means "remove the tag".
struct LocalListUpdateItem {
  std::string id_tag;
  std::optional<LocalAuthEntry> entry;
};

/// The local authorization list with its version.
class LocalAuthList {
 public:
  enum class Result { Accepted, VersionMismatch, Failed };

  /// Applies a SendLocalList. Full replaces everything; a differential must
  /// follow the current version (version == current + 1), else VersionMismatch.
  /// A version below 1, or a list longer than `max_entries`, is Failed.
  Result apply(bool full, std::int64_t version, const std::vector<LocalListUpdateItem>& items,
               std::size_t max_entries);
  std::int64_t version() const { return version_; }
  std::size_t size() const { return entries_.size(); }
  /// The entry for `id_tag` (case-insensitive), if listed.
  const LocalAuthEntry* find(const std::string& id_tag) const;
  /// Listed as Accepted and not expired at `now`.
  bool accepts(const std::string& id_tag, const ocpp::DateTime& now) const;

 private:
  std::int64_t version_ = 0;
  std::map<std::string, LocalAuthEntry> entries_;  // by lower-case id tag
};

}  // namespace simulator
