// The 2.0.1 monitoring commands (monitor-set, monitor-base, monitor-level,
// monitor-report, monitor-clear) and the two provisioning commands of the same
// block (cost-update, network-profile). What the station accepted about its
// monitors is stored before the operator sees the answer, so a listing that
// follows shows it.
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <memory>
#include <sstream>

#include "csms/log.hpp"
#include "handlers/v201/commands.hpp"
#include "handlers/v201/monitoring.hpp"
#include "ocpp/v201/codec.hpp"
#include "services/services.hpp"

namespace csms::v201 {

namespace w = ocpp::v201;

namespace {

using StoreWork = std::function<void(storage::Session&)>;

/// `done` after `*work` (if the answer set one) is committed; a storage
/// failure is logged and the station's answer still reported (it happened).
CommandDone after_commit(Services& sv, const std::string& station, std::shared_ptr<StoreWork> work,
                         CommandDone done) {
  return [&sv, station, work, done = std::move(done)](CommandResult r) {
    if (!*work || r.error != CommandError::None) return done(std::move(r));
    sv.ctx.db.write(*work, sv.ctx.on_io([station, done, r](std::exception_ptr e) mutable {
      if (e) {
        try {
          std::rethrow_exception(e);
        } catch (const std::exception& ex) {
          log::error("{}: monitors not stored: {}", station, ex.what());
        }
      }
      done(std::move(r));
    }));
  };
}

/// A decimal number, whole text.
std::optional<double> number(const std::string& text) {
  if (text.empty()) return std::nullopt;
  char* end = nullptr;
  errno = 0;
  const double v = std::strtod(text.c_str(), &end);
  if (errno != 0 || *end != '\0' || !std::isfinite(v)) return std::nullopt;
  return v;
}

std::vector<std::string> split_commas(const std::string& text) {
  std::vector<std::string> out;
  std::stringstream in(text);
  std::string item;
  while (std::getline(in, item, ',')) out.push_back(item);
  return out;
}

/// The reference words of a monitor command: a variable each, no attribute.
std::vector<VariableRef> monitor_refs(Params& p, bool variable_required) {
  std::vector<VariableRef> refs;
  for (const auto& word : p.strings("keys")) {
    std::string problem;
    auto ref = parse_ref(word, variable_required, problem);
    if (!ref) {
      p.fail(problem);
      return {};
    }
    if (ref->attribute) {
      p.fail("'" + word + "': a monitor watches a variable's Actual value; leave out the /" +
             std::string(w::to_string(*ref->attribute)));
      return {};
    }
    refs.push_back(std::move(*ref));
  }
  return refs;
}

void monitor_set(Services& sv, StationSession& session, Params& p, CommandDone done) {
  p.allow({"keys", "type", "value", "severity", "id", "transactionId"}, v16_only());
  const auto refs = monitor_refs(p, true);
  if (p.ok() && refs.empty())
    return p.fail("monitor-set needs at least one variable to monitor, " + std::string(kRefSyntax));
  auto type = p.enumeration<w::MonitorEnumType>(
      "type", true, "UpperThreshold, LowerThreshold, Delta, Periodic, PeriodicClockAligned");
  auto value_text = p.string("value", true);
  auto severity = p.integer("severity", true);
  auto id = p.integer("id", false);
  auto transaction = p.string("transactionId", false);
  if (!p.ok()) return;
  auto value = number(*value_text);
  if (!value) return p.fail("'value' must be a number, not '" + *value_text + "'");
  if ((*type == w::MonitorEnumType::Delta || *type == w::MonitorEnumType::Periodic ||
       *type == w::MonitorEnumType::PeriodicClockAligned) &&
      *value <= 0)
    return p.fail("'value' of a " + std::string(w::to_string(*type)) +
                  " monitor must be above 0 (a change or an interval in seconds)");
  if (*severity < 0 || *severity > 9) return p.fail("'severity' must be 0 (Danger) to 9 (Debug)");
  if (id && *id < 0) return p.fail("'id' must be 0 or more");
  if (id && refs.size() > 1)
    return p.fail("'id' names one existing monitor to replace: give one variable with it");
  if (transaction && *transaction != "true" && *transaction != "false")
    return p.fail(
        "'transactionId' of monitor-set is the monitor's transaction flag: true (active only "
        "during a transaction) or false");
  w::SetVariableMonitoringRequest req;
  for (const auto& ref : refs) {
    w::SetMonitoringDataType item;
    item.id = id;
    item.transaction = transaction ? std::optional<bool>(*transaction == "true") : std::nullopt;
    item.value = *value;
    item.type = *type;
    item.severity = *severity;
    item.component = ref.component;
    item.variable = *ref.variable;
    req.setMonitoringData.push_back(std::move(item));
  }
  const std::string station = session.station_id();
  auto work = std::make_shared<StoreWork>();
  send(session, req, after_commit(sv, station, work, std::move(done)),
       [station, req, work](const w::SetVariableMonitoringResponse& res) {
         // The answer names the monitor but not its value: that comes from the request.
         std::vector<storage::VariableMonitor> accepted;
         for (const auto& r : res.setMonitoringResult) {
           if (r.status != w::SetMonitoringStatusEnumType::Accepted || !r.id) continue;
           for (const auto& item : req.setMonitoringData) {
             if (item.component == r.component && item.variable == r.variable &&
                 item.type == r.type && item.severity == r.severity) {
               auto m = stored_monitor(station, r.component, r.variable, r.type, item.value,
                                       r.severity, item.transaction.value_or(false), *r.id);
               m.source = kSetByCsms;
               accepted.push_back(std::move(m));
               break;
             }
           }
         }
         if (accepted.empty()) return;
         *work = [accepted = std::move(accepted)](storage::Session& s) {
           if (s.stations.get(accepted.front().station_id)) s.monitors.put(accepted);
         };
       });
}

void monitor_base(Services& sv, StationSession& session, Params& p, CommandDone done) {
  p.allow({"keys", "base"});
  auto base = p.first_word_or("base");
  if (p.ok() && !base) p.fail("monitor-base needs All, FactoryDefault or HardWiredOnly");
  w::SetMonitoringBaseRequest req;
  if (base && !from_string(*base, req.monitoringBase))
    p.fail("'" + *base + "' is not a monitoring base; use All, FactoryDefault or HardWiredOnly");
  if (p.ok() && p.strings("keys").size() > 1) p.fail("monitor-base takes one base");
  if (!p.ok()) return;
  const std::string station = session.station_id();
  auto work = std::make_shared<StoreWork>();
  send(session, req, after_commit(sv, station, work, std::move(done)),
       [station, base = req.monitoringBase, work](const w::SetMonitoringBaseResponse& res) {
         // FactoryDefault and HardWiredOnly remove every custom monitor (N03.FR.04/05).
         if (res.status != w::GenericDeviceModelStatusEnumType::Accepted ||
             base == w::MonitoringBaseEnumType::All)
           return;
         *work = [station](storage::Session& s) { s.monitors.remove_from(station, kSetByCsms); };
       });
}

void monitor_level(StationSession& session, Params& p, CommandDone done) {
  p.allow({"keys", "severity"});
  auto text = p.first_word_or("severity");
  if (p.ok() && !text) p.fail("monitor-level needs a severity, 0 (Danger) to 9 (Debug)");
  if (p.ok() && p.strings("keys").size() > 1) p.fail("monitor-level takes one severity");
  if (!p.ok()) return;
  const auto level = number(*text);
  if (!level || *level != std::floor(*level) || *level < 0 || *level > 9)
    return p.fail("the monitoring level must be a whole number 0 (Danger) to 9 (Debug), not '" +
                  *text + "'");
  w::SetMonitoringLevelRequest req;
  req.severity = static_cast<std::int64_t>(*level);
  send(session, req, std::move(done));
}

void monitor_report(StationSession& session, Params& p, CommandDone done) {
  p.allow({"keys", "criteria"});
  const auto refs = monitor_refs(p, false);
  auto criteria = p.string("criteria", false);
  if (!p.ok()) return;
  w::GetMonitoringReportRequest req;
  if (criteria) {
    std::vector<w::MonitoringCriterionEnumType> list;
    for (const auto& name : split_commas(*criteria)) {
      w::MonitoringCriterionEnumType c{};
      if (!from_string(name, c))
        return p.fail("'" + name +
                      "' is not a monitoring criterion; use ThresholdMonitoring, "
                      "DeltaMonitoring, PeriodicMonitoring (comma-separated)");
      list.push_back(c);
    }
    if (list.empty()) return p.fail("'criteria' names none");
    req.monitoringCriteria = std::move(list);
  }
  if (!refs.empty()) {
    std::vector<w::ComponentVariableType> cvs;
    for (const auto& ref : refs) {
      w::ComponentVariableType cv;
      cv.component = ref.component;
      cv.variable = ref.variable;
      cvs.push_back(std::move(cv));
    }
    req.componentVariable = std::move(cvs);
  }
  req.requestId = next_request_id();
  send(session, req, with_request_id(req.requestId, std::move(done)));
}

void monitor_clear(Services& sv, StationSession& session, Params& p, CommandDone done) {
  p.allow({"keys", "id"});
  std::vector<std::string> texts = p.strings("keys");
  if (auto id = p.string("id", false)) {
    for (auto& t : split_commas(*id)) texts.push_back(t);
  }
  if (!p.ok()) return;
  w::ClearVariableMonitoringRequest req;
  for (const auto& t : texts) {
    auto n = number(t);
    if (!n || *n != std::floor(*n) || *n < 0 || t.find_first_not_of("0123456789") != t.npos)
      return p.fail("'" + t + "' is not a monitor id (a whole number, 0 or more)");
    req.id.push_back(static_cast<std::int64_t>(*n));
  }
  if (req.id.empty())
    return p.fail("monitor-clear needs the ids of the monitors to clear (words or --id N[,N...])");
  const std::string station = session.station_id();
  auto work = std::make_shared<StoreWork>();
  send(session, req, after_commit(sv, station, work, std::move(done)),
       [station, work](const w::ClearVariableMonitoringResponse& res) {
         // NotFound: the station has no such monitor, so the CSMS should not list it either.
         std::vector<std::int64_t> gone;
         for (const auto& r : res.clearMonitoringResult) {
           if (r.status != w::ClearMonitoringStatusEnumType::Rejected) gone.push_back(r.id);
         }
         if (gone.empty()) return;
         *work = [station, gone](storage::Session& s) { s.monitors.remove(station, gone); };
       });
}

void cost_update(StationSession& session, Params& p, CommandDone done) {
  p.allow({"transactionId", "totalCost"});
  w::CostUpdatedRequest req;
  auto tx = p.string("transactionId", true);
  auto cost = p.string("totalCost", true);
  if (!p.ok()) return;
  if (tx->empty() || tx->size() > 36)
    return p.fail("'transactionId' must be the station's transaction id, 1 to 36 characters");
  auto total = number(*cost);
  if (!total || *total < 0)
    return p.fail("'totalCost' must be a number, 0 or more, not '" + *cost + "'");
  req.transactionId = *tx;
  req.totalCost = *total;
  send(session, req, std::move(done));
}

void network_profile(StationSession& session, Params& p, CommandDone done) {
  p.allow({"slot", "csmsUrl", "url", "securityProfile", "interface", "ocppVersion", "transport",
           "messageTimeout", "basicAuthPassword"});
  if (p.string("basicAuthPassword", false))
    return p.fail(
        "a 2.0.1 network profile carries no password; set it with set-variables "
        "SecurityCtrlr.BasicAuthPassword=... before switching");
  w::SetNetworkProfileRequest req;
  auto slot = p.integer("slot", true);
  auto url = p.string("csmsUrl", false);
  if (!url) url = p.string("url", false);
  if (p.ok() && !url) p.fail("network-profile needs 'csmsUrl' (csmsctl: --csms-url WS_URL)");
  auto profile = p.integer("securityProfile", true);
  auto& c = req.connectionData;
  c.ocppInterface =
      p.enumeration<w::OCPPInterfaceEnumType>("interface", false,
                                              "Wired0, Wired1, Wired2, Wired3, Wireless0, "
                                              "Wireless1, Wireless2, Wireless3")
          .value_or(w::OCPPInterfaceEnumType::Wired0);
  c.ocppVersion =
      p.enumeration<w::OCPPVersionEnumType>("ocppVersion", false, "OCPP12, OCPP15, OCPP16, OCPP20")
          .value_or(w::OCPPVersionEnumType::OCPP20);
  c.ocppTransport = p.enumeration<w::OCPPTransportEnumType>("transport", false, "JSON, SOAP")
                        .value_or(w::OCPPTransportEnumType::JSON);
  c.messageTimeout = p.integer("messageTimeout", false).value_or(30);
  if (!p.ok()) return;
  if (*slot < 0) return p.fail("'slot' must be 0 or more");
  if (*profile < 0 || *profile > 3) return p.fail("'securityProfile' must be 0, 1, 2 or 3");
  if (c.messageTimeout <= 0) return p.fail("'messageTimeout' must be a number of seconds above 0");
  const bool tls = url->rfind("wss://", 0) == 0;
  if (!tls && url->rfind("ws://", 0) != 0)
    return p.fail("'csmsUrl' must be a ws:// or wss:// URL, not '" + *url + "'");
  if (url->size() > 512) return p.fail("'csmsUrl' is longer than 512 characters");
  if (tls != (*profile >= 2))
    return p.fail(*profile >= 2 ? "security profile " + std::to_string(*profile) +
                                      " needs TLS: use a wss:// URL"
                                : "security profile " + std::to_string(*profile) +
                                      " is without TLS: use a ws:// URL (or profile 2/3)");
  if (c.ocppTransport == w::OCPPTransportEnumType::SOAP)
    return p.fail("OCPP 2.0.1 runs over JSON only; leave 'transport' out or say JSON");
  req.configurationSlot = *slot;
  c.ocppCsmsUrl = *url;
  c.securityProfile = *profile;
  send(session, req, std::move(done));
}

}  // namespace

void add_monitoring_commands(CommandTable& table) {
  table["monitor-set"] = [](Services& sv, StationSession& session, Params& p, CommandDone done) {
    monitor_set(sv, session, p, std::move(done));
  };
  table["monitor-base"] = [](Services& sv, StationSession& session, Params& p, CommandDone done) {
    monitor_base(sv, session, p, std::move(done));
  };
  table["monitor-level"] = [](Services&, StationSession& session, Params& p, CommandDone done) {
    monitor_level(session, p, std::move(done));
  };
  table["monitor-report"] = [](Services&, StationSession& session, Params& p, CommandDone done) {
    monitor_report(session, p, std::move(done));
  };
  table["monitor-clear"] = [](Services& sv, StationSession& session, Params& p, CommandDone done) {
    monitor_clear(sv, session, p, std::move(done));
  };
  table["cost-update"] = [](Services&, StationSession& session, Params& p, CommandDone done) {
    cost_update(session, p, std::move(done));
  };
  table["network-profile"] = [](Services&, StationSession& session, Params& p, CommandDone done) {
    network_profile(session, p, std::move(done));
  };
  // A network profile sets the security profile the station connects with.
  table["network-profile"].role = Role::Admin;
}

}  // namespace csms::v201
