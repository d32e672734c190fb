#pragma once
// Station password rotation and the remote security-profile upgrade
// (docs/security.md): the version-neutral parts of the rotate-password and
// upgrade-security commands; the per-version files send the requests.

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "handlers/command_support.hpp"
#include "storage/certificates.hpp"

namespace csms {

struct Config;

/// What is wrong with `password` as a new station password of OCPP `version`
/// ("1.6": 16-20 bytes; "2.0.1": 16-40 characters of passwordString), or empty.
std::string check_rotation_password(const std::string& version, std::string_view password);
/// A random password within `version`'s limits (letters and digits only).
std::string generate_station_password(const std::string& version);
/// Upper-case hex of `bytes` (1.6 AuthorizationKey, per the security whitepaper).
std::string hex_encode(std::string_view bytes);

/// The status a station answered (`status`, or a SetVariables/GetVariables
/// result's attributeStatus), or empty.
std::string answered_status(const std::string& response_json);

/// The password for a rotation: the operator's (checked) or a generated one;
/// fails `p` when the operator's is not allowed.
std::optional<std::string> rotation_password(Params& p);

/// Wraps `done` for a rotation's CALL: on Accepted the password replaces the
/// stored hash before the operator hears of it; on anything else the old one
/// stays. The answer never holds the password.
CommandDone after_rotation(Services& sv, const std::string& station, std::string password,
                           CommandDone done);

/// One step of an upgrade: sends its request and reports the answer.
struct UpgradeStep {
  std::string name;
  std::function<void(CommandDone)> run;
};

/// The `to` profile of an upgrade, checked against the stored one, and the
/// root certificate to install (rootCertificate, else the last certificate of
/// tls.cert_file's chain). Fails `p` when something is wrong.
struct UpgradePlan {
  int from = 0;
  int to = 0;
  std::string root_pem;
  bool force = false;  ///< `force`: skip the client-certificate check of profile 3.
  std::vector<std::string> warnings;
};
std::optional<UpgradePlan> upgrade_plan(Services& sv, const std::string& station, Params& p);

/// Why none of a station's issued `certificates` (newest first) lets it connect
/// on profile 3 at `now_micros` (revoked, expired, not valid yet, not accepted
/// by the station), or empty when one does.
std::string client_certificate_problem(const std::vector<storage::IssuedCertificate>& certificates,
                                       std::int64_t now_micros);

/// Before an upgrade to 3 (unless forced): reads the station's certificates off
/// the network thread and calls `next` on it with client_certificate_problem's
/// answer; for 2 or a forced plan at once with "".
void when_certificate_checked(Services& sv, const std::string& station, const UpgradePlan& plan,
                              std::function<void(std::string problem)> next);

/// Runs `steps` in order, stopping at the first not Accepted, and answers with
/// every step's answer: {"from","to","completed","steps":[...],"warnings":[...],"message"}.
void run_upgrade(const UpgradePlan& plan, std::vector<UpgradeStep> steps, CommandDone done);

}  // namespace csms
