#include "admin/station_reports.hpp"

#include <algorithm>
#include <map>
#include <set>

#include "admin/json_out.hpp"
#include "ocpp/common/json.hpp"

namespace csms::admin {

namespace {

/// One stored part: its payload parsed, in arrival order.
struct Part {
  const storage::StationNotification* note = nullptr;
  rapidjson::Document payload;
};

std::optional<std::int64_t> int_member(const rapidjson::Value& v, const char* name) {
  if (!v.IsObject()) return std::nullopt;
  auto it = v.FindMember(name);
  if (it == v.MemberEnd() || !it->value.IsInt64()) return std::nullopt;
  return it->value.GetInt64();
}

bool tbc_of(const rapidjson::Value& v) {
  auto it = v.FindMember("tbc");
  return it != v.MemberEnd() && it->value.IsBool() && it->value.GetBool();
}

// Parts by requestId, each group in arrival order (oldest first).
std::map<std::int64_t, std::vector<Part>> by_request(
    const std::vector<storage::StationNotification>& notes) {
  std::vector<const storage::StationNotification*> ordered;
  for (const auto& n : notes) ordered.push_back(&n);
  std::sort(ordered.begin(), ordered.end(),
            [](const auto* a, const auto* b) { return a->id < b->id; });
  std::map<std::int64_t, std::vector<Part>> out;
  for (const auto* n : ordered) {
    Part part;
    part.note = n;
    if (ocpp::parse_json(n->payload, part.payload).IsError()) continue;
    auto id = int_member(part.payload, "requestId");
    if (!id) continue;
    out[*id].push_back(std::move(part));
  }
  return out;
}

// The request whose newest part arrived last.
std::optional<std::int64_t> newest(const std::map<std::int64_t, std::vector<Part>>& groups) {
  std::optional<std::int64_t> best;
  std::int64_t best_note = -1;
  for (const auto& [id, parts] : groups) {
    if (parts.back().note->id > best_note) {
      best_note = parts.back().note->id;
      best = id;
    }
  }
  return best;
}

void copy_member(JsonOut& out, const rapidjson::Value& from, const char* name) {
  out.key(name);
  auto it = from.IsObject() ? from.FindMember(name) : from.MemberEnd();
  if (!from.IsObject() || it == from.MemberEnd()) {
    out.null();
  } else {
    out.value(it->value);
  }
}

}  // namespace

std::string display_messages_json(const std::vector<storage::StationNotification>& notes,
                                  std::optional<std::int64_t> request_id) {
  const auto groups = by_request(notes);
  if (!request_id) request_id = newest(groups);
  const auto group = request_id ? groups.find(*request_id) : groups.end();
  JsonOut out;
  out.object();
  out.key("requestId");
  if (request_id && group != groups.end()) {
    out.num(*request_id);
  } else {
    out.null();
  }
  std::size_t parts = 0;
  bool complete = false;
  if (group != groups.end()) {
    parts = group->second.size();
    for (const auto& p : group->second) complete = complete || !tbc_of(p.payload);
  }
  out.key("parts").num(static_cast<std::int64_t>(parts));
  out.key("complete").flag(complete);
  out.key("receivedAt");
  if (group != groups.end()) {
    out.time(group->second.back().note->received_at);
  } else {
    out.null();
  }
  out.key("messages").array();
  if (group != groups.end()) {
    std::set<std::int64_t> seen;  // a retried part repeats its messages
    for (const auto& p : group->second) {
      auto infos = p.payload.FindMember("messageInfo");
      if (infos == p.payload.MemberEnd() || !infos->value.IsArray()) continue;
      for (const auto& m : infos->value.GetArray()) {
        auto id = int_member(m, "id");
        if (!id || !seen.insert(*id).second) continue;
        out.object();
        out.key("id").num(*id);
        copy_member(out, m, "priority");
        copy_member(out, m, "state");
        copy_member(out, m, "startDateTime");
        copy_member(out, m, "endDateTime");
        copy_member(out, m, "transactionId");
        const auto msg = m.FindMember("message");
        const rapidjson::Value empty(rapidjson::kObjectType);
        const rapidjson::Value& content = msg != m.MemberEnd() ? msg->value : empty;
        copy_member(out, content, "format");
        copy_member(out, content, "language");
        copy_member(out, content, "content");
        out.end_object();
      }
    }
  }
  out.end_array();
  out.end_object();
  return out.text();
}

std::string customer_information_json(const std::vector<storage::StationNotification>& notes,
                                      std::optional<std::int64_t> request_id) {
  const auto groups = by_request(notes);
  // Newest request first: by the arrival of each request's last part.
  std::vector<std::pair<std::int64_t, const std::vector<Part>*>> order;
  for (const auto& [id, parts] : groups) {
    if (!request_id || *request_id == id) order.emplace_back(id, &parts);
  }
  std::sort(order.begin(), order.end(), [](const auto& a, const auto& b) {
    return a.second->back().note->id > b.second->back().note->id;
  });
  JsonOut out;
  out.array();
  for (const auto& [id, parts] : order) {
    std::map<std::int64_t, const Part*> by_seq;  // the first copy of each seqNo
    for (const auto& p : *parts) {
      auto seq = int_member(p.payload, "seqNo");
      if (seq) by_seq.emplace(*seq, &p);
    }
    bool last_seen = false;
    bool gapless = true;
    std::int64_t expect = 0;
    std::string data;
    for (const auto& [seq, p] : by_seq) {
      if (seq != expect) gapless = false;
      expect = seq + 1;
      if (!tbc_of(p->payload)) last_seen = true;
      auto d = p->payload.FindMember("data");
      if (d != p->payload.MemberEnd() && d->value.IsString())
        data.append(d->value.GetString(), d->value.GetStringLength());
    }
    out.object();
    out.key("requestId").num(id);
    out.key("parts").num(static_cast<std::int64_t>(by_seq.size()));
    out.key("complete").flag(last_seen && gapless);
    if (!by_seq.empty()) {
      copy_member(out, by_seq.begin()->second->payload, "generatedAt");
    } else {
      out.key("generatedAt").null();
    }
    out.key("receivedAt").time(parts->back().note->received_at);
    out.key("data").str(data);
    out.end_object();
  }
  out.end_array();
  return out.text();
}

}  // namespace csms::admin
