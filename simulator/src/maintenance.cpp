#include "simulator/maintenance.hpp"

#include <algorithm>

#include "simulator/upload.hpp"

namespace simulator {

namespace {

// How long until `at`, never negative.
Duration until(const ocpp::DateTime& now, const ocpp::DateTime& at) {
  const auto micros = at.unix_micros() - now.unix_micros();
  return micros <= 0 ? Duration::zero() : Duration(micros / 1000);
}

}  // namespace

void Maintenance::play(Scheduler& scheduler, MaintenanceTrack& track, StatusSteps steps,
                       Report report, bool idle_after) {
  const std::uint64_t run = ++track.run;
  step(scheduler, track, run, std::make_shared<StatusSteps>(std::move(steps)), 0, std::move(report),
       idle_after);
}

void Maintenance::step(Scheduler& scheduler, MaintenanceTrack& track, std::uint64_t run,
                       std::shared_ptr<StatusSteps> steps, std::size_t index, Report report,
                       bool idle_after) {
  if (index >= steps->size()) {
    if (idle_after) track.status = "Idle";
    return;
  }
  std::weak_ptr<int> alive = alive_;
  scheduler.after((*steps)[index].first,
                  [this, alive, &scheduler, &track, run, steps, index, report, idle_after] {
                    if (alive.expired() || track.run != run) return;
                    track.status = (*steps)[index].second;
                    if (report) report(track.status);
                    step(scheduler, track, run, steps, index + 1, report, idle_after);
                  });
}

void Maintenance::upload(Scheduler& scheduler, MaintenanceTrack& track, const std::string& url,
                         const std::string& file_name, std::string content,
                         const std::string& failed, Report report) {
  const std::uint64_t run = ++track.run;
  std::weak_ptr<int> alive = alive_;
  // A moment later, as a charger gathers its files first.
  scheduler.after(kStep, [this, alive, &scheduler, &track, run, url, file_name,
                          content = std::move(content), failed, report]() mutable {
    if (alive.expired() || track.run != run) return;
    track.status = "Uploading";
    if (report) report(track.status);
    http_upload(scheduler, url, file_name, std::move(content),
                [this, alive, &track, run, failed, report](UploadResult result) {
                  if (alive.expired() || track.run != run) return;
                  track.status = result.ok ? "Uploaded" : failed;
                  if (report) report(track.status);
                  track.status = "Idle";
                });
  });
}

StatusSteps Maintenance::firmware_steps(const ocpp::DateTime& now, const ocpp::DateTime& retrieve,
                                        const std::optional<ocpp::DateTime>& install,
                                        bool is_signed, bool scheduled_statuses) {
  StatusSteps steps;
  const Duration wait = until(now, retrieve);
  if (wait > kStep && scheduled_statuses) {
    steps.emplace_back(Duration::zero(), "DownloadScheduled");
    steps.emplace_back(wait, "Downloading");
  } else {
    steps.emplace_back(std::max(wait, kStep), "Downloading");
  }
  steps.emplace_back(kStep, "Downloaded");
  if (is_signed) steps.emplace_back(kStep, "SignatureVerified");
  // The install time counts from now; the download above took its share.
  Duration spent = std::max(wait, kStep) + kStep * (is_signed ? 2 : 1);
  Duration install_wait = install ? until(now, *install) : Duration::zero();
  if (install_wait > spent + kStep && scheduled_statuses) {
    steps.emplace_back(kStep, "InstallScheduled");
    spent += kStep;
    steps.emplace_back(install_wait - spent, "Installing");
  } else {
    steps.emplace_back(kStep, "Installing");
  }
  steps.emplace_back(kStep, "Installed");
  return steps;
}

std::string sample_log(const std::string& station_id, const std::string& kind,
                       const ocpp::DateTime& now) {
  const std::string t = now.to_string();
  std::string text = "ocpp-sim " + kind + " of " + station_id + "\n" + t +
                     " INFO boot: firmware ocpp-sim, all connectors available\n" + t +
                     " INFO ocpp: connected, heartbeat running\n";
  // About a kilobyte, as a real log excerpt would be at least.
  for (int i = 1; i <= 12; ++i)
    text += t + " INFO meter: sample " + std::to_string(i) + ", energy register ok\n";
  return text;
}

}  // namespace simulator
