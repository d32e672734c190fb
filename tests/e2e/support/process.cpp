#include "support/process.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <stdexcept>

extern char** environ;

namespace e2e {

Process::Process(const std::vector<std::string>& argv,
                 const std::map<std::string, std::string>& env) {
  int out[2], err[2];
  if (pipe2(out, O_CLOEXEC) != 0 || pipe2(err, O_CLOEXEC) != 0)
    throw std::runtime_error("pipe failed");
  std::vector<std::string> envs;
  for (char** e = environ; *e != nullptr; ++e) {
    std::string kv = *e;
    if (env.count(kv.substr(0, kv.find('='))) == 0) envs.push_back(kv);
  }
  for (const auto& [k, v] : env) envs.push_back(k + "=" + v);
  pid_ = fork();
  if (pid_ < 0) throw std::runtime_error("fork failed");
  if (pid_ == 0) {
    dup2(out[1], 1);
    dup2(err[1], 2);
    std::vector<char*> args, envp;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    for (const auto& e : envs) envp.push_back(const_cast<char*>(e.c_str()));
    envp.push_back(nullptr);
    execve(args[0], args.data(), envp.data());
    _exit(127);
  }
  close(out[1]);
  close(err[1]);
  out_thread_ = std::thread([this, fd = out[0]] { reader(fd, true); });
  err_thread_ = std::thread([this, fd = err[0]] { reader(fd, false); });
}

Process::~Process() {
  if (running()) {
    ::kill(pid_, SIGKILL);
    wait(std::chrono::seconds(10));
  }
  if (out_thread_.joinable()) out_thread_.join();
  if (err_thread_.joinable()) err_thread_.join();
}

void Process::reader(int fd, bool is_stdout) {
  std::string buf;
  char chunk[4096];
  for (;;) {
    ssize_t n = ::read(fd, chunk, sizeof chunk);
    if (n <= 0) break;
    buf.append(chunk, static_cast<std::size_t>(n));
    std::size_t pos;
    while ((pos = buf.find('\n')) != std::string::npos) {
      std::string line = buf.substr(0, pos);
      buf.erase(0, pos + 1);
      std::lock_guard<std::mutex> lock(mutex_);
      if (is_stdout) {
        out_lines_.push_back(line);
        pending_.push_back(line);
      } else {
        err_lines_.push_back(line);
      }
      cv_.notify_all();
    }
  }
  ::close(fd);
  std::lock_guard<std::mutex> lock(mutex_);
  if (is_stdout) out_closed_ = true;
  cv_.notify_all();
}

std::optional<std::string> Process::next_line(std::chrono::milliseconds timeout) {
  std::unique_lock<std::mutex> lock(mutex_);
  if (!cv_.wait_for(lock, timeout, [this] { return !pending_.empty() || out_closed_; }))
    return std::nullopt;
  if (pending_.empty()) return std::nullopt;
  std::string line = std::move(pending_.front());
  pending_.pop_front();
  return line;
}

std::optional<std::string> Process::wait_for_output(const std::string& text,
                                                    std::chrono::milliseconds timeout) {
  std::unique_lock<std::mutex> lock(mutex_);
  std::optional<std::string> found;
  auto check = [&] {
    for (const auto& l : err_lines_)
      if (l.find(text) != std::string::npos) found = l;
    for (const auto& l : out_lines_)
      if (l.find(text) != std::string::npos) found = l;
    return found.has_value();
  };
  cv_.wait_for(lock, timeout, check);
  return found;
}

std::string Process::stderr_text() const {
  std::lock_guard<std::mutex> lock(mutex_);
  std::string out;
  for (const auto& l : err_lines_) out += l + "\n";
  return out;
}

std::vector<std::string> Process::stdout_lines() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return out_lines_;
}

void Process::finish_output() {
  if (running()) return;
  if (out_thread_.joinable()) out_thread_.join();
  if (err_thread_.joinable()) err_thread_.join();
}

void Process::signal(int sig) {
  if (running()) ::kill(pid_, sig);
}

bool Process::running() {
  if (status_) return false;
  int st = 0;
  pid_t r = waitpid(pid_, &st, WNOHANG);
  if (r == pid_) {
    status_ = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
    return false;
  }
  return true;
}

std::optional<int> Process::wait(std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (running()) {
    if (std::chrono::steady_clock::now() >= deadline) return std::nullopt;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return status_;
}

RunResult run(const std::vector<std::string>& argv, const std::map<std::string, std::string>& env,
              std::chrono::milliseconds timeout) {
  Process p(argv, env);
  RunResult r;
  auto code = p.wait(timeout);
  if (!code) {
    p.signal(SIGKILL);
    code = p.wait(std::chrono::seconds(5));
    r.err = "timed out\n";
  }
  r.code = code.value_or(-1);
  p.finish_output();
  for (const auto& l : p.stdout_lines()) r.out += l + "\n";
  r.err += p.stderr_text();
  return r;
}

}  // namespace e2e
