#pragma once
// Firmware updates, firmware publishing and file uploads as a simulated station
// plays them, version-neutral: the status each is in and the timed sequences
// that move it on. The OCPP 1.6 and 2.0.1 adapters turn statuses into their
// own messages (simulator/src/v16/maintenance.cpp, v201/maintenance.cpp).

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "simulator/scheduler.hpp"

namespace simulator {

/// One activity's state: what a triggered status notification reports.
struct MaintenanceTrack {
  std::string status = "Idle";
  std::optional<std::int64_t> request_id;
  std::uint64_t run = 0;  ///< Bumped by every new sequence: older steps are void.
  bool busy() const { return status != "Idle"; }
};

/// The statuses of a sequence, each with the wait before it.
using StatusSteps = std::vector<std::pair<Duration, std::string>>;

/// Plays firmware and upload sequences on a Scheduler. Steps that fire after
/// the object is gone do nothing.
class Maintenance {
 public:
  using Report = std::function<void(const std::string& status)>;

  MaintenanceTrack firmware;
  MaintenanceTrack publish;
  MaintenanceTrack diagnostics;  ///< 1.6 GetDiagnostics.
  MaintenanceTrack log;          ///< GetLog (2.0.1 and the 1.6 security extension).
  std::string published_checksum;
  std::vector<std::string> published_locations;

  /// Time between the steps of a sequence: short, so a test sees a whole
  /// firmware update in about a second.
  static constexpr Duration kStep{150};

  /// Plays `steps` on `track`: each status becomes the track's and is reported.
  /// Replaces a sequence still running on the track. With `idle_after`, the
  /// track is Idle again once the last status went out.
  void play(Scheduler& scheduler, MaintenanceTrack& track, StatusSteps steps, Report report,
            bool idle_after);

  /// Reports "Uploading", PUTs `content` to `url` (a directory URL gets
  /// `file_name` appended), then reports "Uploaded", or `failed` when it could
  /// not; the track is Idle after that.
  void upload(Scheduler& scheduler, MaintenanceTrack& track, const std::string& url,
              const std::string& file_name, std::string content, const std::string& failed,
              Report report);

  /// Firmware steps: Downloading when `retrieve` comes (DownloadScheduled first
  /// if that is later and `scheduled_statuses`), Downloaded, SignatureVerified
  /// if `is_signed`, InstallScheduled/Installing at `install`, Installed.
  static StatusSteps firmware_steps(const ocpp::DateTime& now, const ocpp::DateTime& retrieve,
                                    const std::optional<ocpp::DateTime>& install, bool is_signed,
                                    bool scheduled_statuses);

 private:
  void step(Scheduler& scheduler, MaintenanceTrack& track, std::uint64_t run,
            std::shared_ptr<StatusSteps> steps, std::size_t index, Report report, bool idle_after);

  std::shared_ptr<int> alive_ = std::make_shared<int>(0);
};

/// A small text file for a diagnostics or log upload.
std::string sample_log(const std::string& station_id, const std::string& kind,
                       const ocpp::DateTime& now);

}  // namespace simulator
