#include "services/reservations.hpp"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <map>
#include <memory>

#include "csms/log.hpp"

namespace csms {

using storage::DateTime;
using storage::ReservationStatus;

namespace {

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

}  // namespace

void use_reservation(storage::Session& s, const std::string& station_id,
                     std::int64_t reservation_id, std::int64_t transaction_id,
                     const DateTime& now) {
  auto r = s.reservations.get(reservation_id);
  if (!r || r->station_id != station_id) return;  // not ours: nothing to close
  // Expired counts too: the station's clock decides when it honoured it.
  if (storage::is_active(r->status) || r->status == ReservationStatus::Expired)
    r->status = ReservationStatus::Used;
  if (!r->transaction_id) r->transaction_id = transaction_id;
  r->updated_at = now;
  s.reservations.update(*r);
}

ReservationService::ReservationService(ServerContext& ctx) : ctx_(ctx) {
  // Reservations of an earlier run: expire what is due, time the rest.
  ctx_.executor.post([this] { sweep(); });
}

void ReservationService::create(storage::Reservation r,
                                std::function<void(std::exception_ptr, std::int64_t)> done) {
  auto id = std::make_shared<std::int64_t>(0);
  r.status = ReservationStatus::Pending;
  r.created_at = r.updated_at = ctx_.now();
  schedule(r.expiry);
  ctx_.db.write([r, id](storage::Session& s) { *id = s.reservations.insert(r); },
                ctx_.on_io([id, done = std::move(done)](std::exception_ptr e) { done(e, *id); }));
}

void ReservationService::answered(std::int64_t id, ReservationStatus status,
                                  std::function<void(std::exception_ptr)> done) {
  const auto now = ctx_.now();
  ctx_.db.write(
      [id, status, now](storage::Session& s) {
        auto r = s.reservations.get(id);
        if (!r || r->status != ReservationStatus::Pending) return;
        // Accepted after its expiry (a slow answer) is over already.
        r->status = status == ReservationStatus::Accepted && !(now < r->expiry)
                        ? ReservationStatus::Expired
                        : status;
        r->updated_at = now;
        s.reservations.update(*r);
      },
      ctx_.on_io(std::move(done)));
}

void ReservationService::find_active(
    const std::string& station_id, std::int64_t id,
    std::function<void(std::exception_ptr, std::optional<storage::Reservation>, std::string)>
        done) {
  auto found = std::make_shared<std::optional<storage::Reservation>>();
  ctx_.db.read(
      [id, found](storage::Session& s) { *found = s.reservations.get(id); },
      ctx_.on_io([this, found, station_id, id, done = std::move(done)](std::exception_ptr e) {
        if (e) return done(e, std::nullopt, "");
        const std::string name = "reservation " + std::to_string(id);
        const auto& r = *found;
        if (!r || r->station_id != station_id)
          return done(nullptr, std::nullopt, name + " is not a reservation of " + station_id);
        if (storage::is_active(r->status) && !(ctx_.now() < r->expiry))
          return done(nullptr, std::nullopt, name + " is not active (Expired)");
        if (!storage::is_active(r->status))
          return done(nullptr, std::nullopt,
                      name + " is not active (" + std::string(to_string(r->status)) + ")");
        done(nullptr, r, "");
      }));
}

void ReservationService::end(const std::string& station_id, std::int64_t id,
                             ReservationStatus status,
                             std::function<void(std::exception_ptr)> done) {
  const auto now = ctx_.now();
  ctx_.db.write(
      [station_id, id, status, now](storage::Session& s) {
        auto r = s.reservations.get(id);
        if (!r || r->station_id != station_id) return;
        // The CSMS may have expired it first; the station's word on how it ended wins.
        if (!storage::is_active(r->status) &&
            !(r->status == ReservationStatus::Expired && status != ReservationStatus::Cancelled))
          return;
        r->status = status;
        r->updated_at = now;
        s.reservations.update(*r);
      },
      ctx_.on_io(std::move(done)));
}

void ReservationService::sweep() {
  // In a cluster one node sweeps; the others look again later, so the sweep
  // moves on when its node dies.
  if (ctx_.job_lock) {
    ctx_.job_lock("reservation-expiry", [this](bool mine) {
      if (mine) return sweep_now();
      timer_ = ctx_.executor.post_after(std::chrono::seconds(10), [this] { sweep(); });
    });
    return;
  }
  sweep_now();
}

void ReservationService::sweep_now() {
  const auto now = ctx_.now();
  auto next = std::make_shared<std::vector<std::int64_t>>();
  ctx_.db.write(
      [now, next](storage::Session& s) {
        if (auto n = s.reservations.expire(now)) log::info("{} reservation(s) expired", n);
        storage::ReservationFilter f;
        f.active = true;
        f.now = now;
        for (const auto& r : s.reservations.list(f)) next->push_back(r.expiry.unix_micros());
      },
      ctx_.on_io([this, now, next](std::exception_ptr e) {
        if (e) log::warn("reservation expiry sweep failed; retrying later");
        // Keep expiries added meanwhile (reservations created during the sweep).
        for (auto it = due_.begin(); it != due_.end() && *it <= now.unix_micros();)
          it = e ? std::next(it) : due_.erase(it);
        due_.insert(next->begin(), next->end());
        arm();
      }));
}

void ReservationService::schedule(const DateTime& expiry) {
  due_.insert(expiry.unix_micros());
  arm();
}

void ReservationService::arm() {
  // In a cluster the sweep also runs with nothing due here: the node holding
  // its lock expires what other nodes reserved.
  if (due_.empty() && !ctx_.job_lock) return;
  const auto wait =
      due_.empty()
          ? std::chrono::microseconds(std::chrono::seconds(10))
          : std::chrono::microseconds(
                std::max<std::int64_t>(0, *due_.begin() - ctx_.now().unix_micros()) + 1000);
  // In a cluster, reservations made on other nodes are only seen by a sweep.
  const std::chrono::microseconds longest =
      ctx_.job_lock ? std::chrono::microseconds(std::chrono::seconds(10)) : std::chrono::hours(1);
  timer_ = ctx_.executor.post_after(std::min<std::chrono::microseconds>(wait, longest),
                                    [this] { sweep(); });
}

// ---- Local lists ------------------------------------------------------------

void ReservationService::plan_local_list(
    const std::string& station_id, bool force_full, std::size_t max_tag,
    std::function<void(std::exception_ptr, LocalListPlan)> done) {
  auto plan = std::make_shared<LocalListPlan>();
  ctx_.db.read(
      [station_id, force_full, max_tag, plan](storage::Session& s) {
        auto current = s.local_lists.get(station_id);
        plan->full = force_full || !current || current->needs_full;
        plan->version = (current ? current->version : 0) + 1;
        for (const auto& t : s.tokens.list()) {
          if (t.id_tag.size() > max_tag) {
            ++plan->skipped;
            continue;
          }
          storage::LocalListEntry e;
          e.id_tag = t.id_tag;
          e.status = t.status;
          e.expiry = t.expiry;
          if (t.parent_id_tag && t.parent_id_tag->size() <= max_tag)
            e.parent_id_tag = t.parent_id_tag;
          plan->after.push_back(std::move(e));
        }
        if (plan->full) {
          for (const auto& e : plan->after) plan->items.push_back({e.id_tag, e});
          return;
        }
        // Differential: what changed, and the removed tags without info.
        std::map<std::string, const storage::LocalListEntry*> had;
        for (const auto& e : current->entries) had[lower(e.id_tag)] = &e;
        for (const auto& e : plan->after) {
          auto it = had.find(lower(e.id_tag));
          if (it == had.end() || *it->second != e) plan->items.push_back({e.id_tag, e});
          if (it != had.end()) had.erase(it);
        }
        for (const auto& [key, e] : had) plan->items.push_back({e->id_tag, std::nullopt});
      },
      ctx_.on_io([plan, done = std::move(done)](std::exception_ptr e) { done(e, *plan); }));
}

void ReservationService::local_list_answered(const std::string& station_id,
                                             const LocalListPlan& plan, const std::string& status,
                                             std::function<void(std::exception_ptr)> done) {
  const auto now = ctx_.now();
  ctx_.db.write(
      [station_id, plan, status, now](storage::Session& s) {
        if (!s.stations.get(station_id)) return;  // removed meanwhile
        if (status == "Accepted") {
          s.local_lists.accepted(station_id, plan.version, plan.after, now);
        } else if (status == "VersionMismatch" || status == "Failed") {
          s.local_lists.require_full(station_id);
        }
      },
      ctx_.on_io(std::move(done)));
}

void ReservationService::local_list_reported(const std::string& station_id, std::int64_t version,
                                             std::function<void(std::exception_ptr)> done) {
  const auto now = ctx_.now();
  ctx_.db.write(
      [station_id, version, now](storage::Session& s) {
        if (s.stations.get(station_id)) s.local_lists.reported(station_id, version, now);
      },
      ctx_.on_io(std::move(done)));
}

}  // namespace csms
