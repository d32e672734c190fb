#include "simulator/reservations.hpp"

#include <algorithm>
#include <cctype>

namespace simulator {

namespace {

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

bool same_tag(const std::string& a, const std::string& b) {
  return lower(a) == lower(b);
}

}  // namespace

void Reservations::hold(HeldReservation r) {
  held_[r.id] = std::move(r);
}

std::optional<HeldReservation> Reservations::release(std::int64_t id) {
  auto it = held_.find(id);
  if (it == held_.end()) return std::nullopt;
  HeldReservation r = std::move(it->second);
  held_.erase(it);
  return r;
}

const HeldReservation* Reservations::on(int where) const {
  for (const auto& [id, r] : held_) {
    if (r.where == where) return &r;
  }
  return nullptr;
}

const HeldReservation* Reservations::find(std::int64_t id) const {
  auto it = held_.find(id);
  return it == held_.end() ? nullptr : &it->second;
}

bool Reservations::may_start(int where, const std::string& id_tag,
                             const std::optional<std::string>& parent) const {
  const HeldReservation* r = on(where);
  if (!r) return true;
  if (same_tag(r->id_tag, id_tag)) return true;
  return r->parent_id_tag && parent && same_tag(*r->parent_id_tag, *parent);
}

std::optional<HeldReservation> Reservations::use(int where, const std::string& id_tag,
                                                 const std::optional<std::string>& parent) {
  const HeldReservation* r = on(where);
  if (!r || !may_start(where, id_tag, parent)) return std::nullopt;
  return release(r->id);
}

std::vector<HeldReservation> Reservations::expire(const ocpp::DateTime& now) {
  std::vector<HeldReservation> out;
  for (auto it = held_.begin(); it != held_.end();) {
    if (!(now < it->second.expiry)) {
      out.push_back(std::move(it->second));
      it = held_.erase(it);
    } else {
      ++it;
    }
  }
  return out;
}

std::optional<ocpp::DateTime> Reservations::next_expiry() const {
  std::optional<ocpp::DateTime> next;
  for (const auto& [id, r] : held_) {
    if (!next || r.expiry < *next) next = r.expiry;
  }
  return next;
}

LocalAuthList::Result LocalAuthList::apply(bool full, std::int64_t version,
                                           const std::vector<LocalListUpdateItem>& items,
                                           std::size_t max_entries) {
  if (version < 1) return Result::Failed;
  if (!full && version != version_ + 1) return Result::VersionMismatch;
  std::map<std::string, LocalAuthEntry> next =
      full ? std::map<std::string, LocalAuthEntry>{} : entries_;
  for (const auto& item : items) {
    if (item.entry) {
      next[lower(item.id_tag)] = *item.entry;
    } else {
      next.erase(lower(item.id_tag));
    }
  }
  if (next.size() > max_entries) return Result::Failed;
  entries_ = std::move(next);
  version_ = version;
  return Result::Accepted;
}

const LocalAuthEntry* LocalAuthList::find(const std::string& id_tag) const {
  auto it = entries_.find(lower(id_tag));
  return it == entries_.end() ? nullptr : &it->second;
}

bool LocalAuthList::accepts(const std::string& id_tag, const ocpp::DateTime& now) const {
  const LocalAuthEntry* e = find(id_tag);
  if (!e || e->status != "Accepted") return false;
  return !e->expiry || now < *e->expiry;
}

}  // namespace simulator
