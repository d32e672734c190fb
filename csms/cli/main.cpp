// csmsctl: the admin CLI, a client of the csms admin API (see cli.hpp for the
// command table, `csmsctl --help` for usage).
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include "cli.hpp"
#include "csms/version.hpp"
#include "http_client.hpp"

namespace {

std::string env(const char* name) {
  const char* v = std::getenv(name);
  return v ? v : "";
}

}  // namespace

int main(int argc, char** argv) {
  using namespace csms::cli;
  Invocation inv;
  try {
    inv = parse_command_line(std::vector<std::string>(argv + 1, argv + argc), env("CSMS_URL"),
                             env("CSMS_TOKEN"), env("CSMS_CA_FILE"));
  } catch (const UsageError& e) {
    std::cerr << "csmsctl: " << e.what() << "\n";
    return 2;
  } catch (const InputError& e) {
    std::cerr << "csmsctl: " << e.what() << "\n";
    return 1;
  }
  if (inv.help) {
    std::cout << inv.help_text;
    return 0;
  }
  if (inv.version_only) {
    std::cout << "csmsctl " << csms::kVersion << "\n";
    return 0;
  }
  if (inv.format == Format::Version && !inv.json)
    std::cout << "csmsctl " << csms::kVersion << std::endl;

  try {
    // Commands wait for the station (the server's own timeout applies first).
    const auto answer = send_request(inv.url, parse_base_url(inv.url), inv.token, inv.method,
                                     inv.target, inv.body, std::chrono::seconds(300), inv.ca_file);
    if (answer.status >= 300) {
      std::cerr << "csmsctl: " << error_message(inv, answer.status, answer.reason, answer.body)
                << "\n";
      return 1;
    }
    if (inv.format == Format::Raw && !inv.output_file.empty()) {
      // Written whole, then renamed: an interrupted download leaves no partial file.
      const std::string temp = inv.output_file + ".part";
      {
        std::ofstream file(temp, std::ios::binary | std::ios::trunc);
        // Before the first byte: a database copy holds password hashes and id tags.
        if (inv.private_output && file) ::chmod(temp.c_str(), 0600);
        file << answer.body;
        if (!file.flush()) {
          std::cerr << "csmsctl: cannot write " << temp << "\n";
          return 1;
        }
      }
      if (std::rename(temp.c_str(), inv.output_file.c_str()) != 0) {
        std::cerr << "csmsctl: cannot write " << inv.output_file << "\n";
        return 1;
      }
      std::cout << "wrote " << answer.body.size() << " bytes to " << inv.output_file << "\n";
      return 0;
    }
    if (inv.format == Format::Files) {
      const auto files = answer_files(answer.body);
      std::error_code ec;
      std::filesystem::create_directories(inv.output_file, ec);
      for (const auto& [name, content] : files) {
        const auto path = std::filesystem::path(inv.output_file) / name;
        // Private keys (server.key) are the owner's only, from the first byte.
        const bool secret = path.extension() == ".key";
        const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW,
                              secret ? 0600 : 0644);
        if (fd < 0 || (secret && ::fchmod(fd, 0600) != 0)) {
          if (fd >= 0) ::close(fd);
          std::cerr << "csmsctl: cannot write " << path.string() << "\n";
          return 1;
        }
        ::close(fd);
        std::ofstream file(path, std::ios::binary | std::ios::trunc);
        file << content;
        if (!file.flush()) {
          std::cerr << "csmsctl: cannot write " << path.string() << "\n";
          return 1;
        }
      }
      std::cout << "wrote " << files.size() << " files to " << inv.output_file << "\n";
      return 0;
    }
    if (inv.format == Format::Raw) {
      std::cout << answer.body;
      std::cout.flush();
      return std::cout ? 0 : 1;
    }
    if (inv.json) {
      if (!answer.body.empty()) std::cout << answer.body << "\n";
    } else {
      print_answer(inv, answer.body, std::cout);
    }
    std::cout.flush();
    return std::cout ? 0 : 1;
  } catch (const std::exception& e) {
    std::cerr << "csmsctl: " << e.what() << "\n";
    return 1;
  }
}
