#pragma once
// Child processes for end-to-end tests: spawn, read stdout lines with a
// timeout, collect stderr, terminate. Every wait is bounded.

#include <sys/types.h>

#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace e2e {

/// A running child process with its stdout and stderr captured line by line.
class Process {
 public:
  Process(const std::vector<std::string>& argv, const std::map<std::string, std::string>& env = {});
  ~Process();  // SIGKILL if still running
  Process(const Process&) = delete;
  Process& operator=(const Process&) = delete;

  /// The next stdout line, or nullopt on timeout / end of output.
  std::optional<std::string> next_line(std::chrono::milliseconds timeout);
  /// Waits for a stdout or stderr line containing `text`; returns it.
  std::optional<std::string> wait_for_output(const std::string& text,
                                             std::chrono::milliseconds timeout);
  /// All stderr seen so far.
  std::string stderr_text() const;
  std::vector<std::string> stdout_lines() const;

  void signal(int sig);
  /// Waits for exit; nullopt on timeout. The exit code, or 128+signal.
  std::optional<int> wait(std::chrono::milliseconds timeout);
  bool running();
  pid_t pid() const { return pid_; }
  /// After exit: waits until both output pipes are read to the end.
  void finish_output();

 private:
  void reader(int fd, bool is_stdout);
  pid_t pid_ = -1;
  std::optional<int> status_;
  std::thread out_thread_, err_thread_;
  mutable std::mutex mutex_;
  std::condition_variable cv_;
  std::deque<std::string> pending_;  // stdout lines not yet taken by next_line
  std::vector<std::string> out_lines_;
  std::vector<std::string> err_lines_;
  bool out_closed_ = false;
};

/// Runs a command to completion (bounded) and returns exit code and stdout.
struct RunResult {
  int code = -1;
  std::string out;
  std::string err;
};
RunResult run(const std::vector<std::string>& argv,
              const std::map<std::string, std::string>& env = {},
              std::chrono::milliseconds timeout = std::chrono::seconds(60));

}  // namespace e2e
