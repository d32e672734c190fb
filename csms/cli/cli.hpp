#pragma once
// csmsctl's command table: command line -> admin API request, and API answer ->
// what the operator reads. No I/O here besides reading an import file, so the
// mapping is unit-tested without a server.

#include <cstddef>
#include <cstdint>
#include <ostream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "ocpp/common/json.hpp"

namespace csms::cli {

/// A bad command line (exit status 2).
class UsageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// Bad input data, e.g. an unreadable or invalid CSV file (exit status 1).
class InputError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// The admin API's base URL, split.
struct BaseUrl {
  std::string host;
  std::uint16_t port = 80;
  std::string path;  ///< Prefix without a trailing slash ("" or "/admin").
  bool tls = false;  ///< https://: the server is verified (CA file, host name or IP).
};

/// Parses "http[s]://host[:port][/prefix]"; throws UsageError naming the problem.
BaseUrl parse_base_url(const std::string& url);

/// How a successful answer is shown (without --json).
enum class Format {
  Table,    ///< A JSON array as aligned columns (`columns`).
  Record,   ///< A JSON object as "key: value" lines, nested arrays as tables.
  Command,  ///< A command's {"action","response"}: the response as a record.
  Lines,    ///< A JSON array of strings, one a line.
  Version,  ///< GET /health: the server's version.
  Raw,      ///< The body as it came (a downloaded file): to output_file, else stdout.
  Files,    ///< {"files":[{"name","content"}]}: each written into the directory output_file.
};

/// What one command line asks for.
struct Invocation {
  bool help = false;          ///< Print help_text and exit 0; no request.
  bool version_only = false;  ///< --version: print csmsctl's version and exit 0; no request.
  std::string help_text;
  std::string url;  ///< As given (--url, $CSMS_URL or the default).
  std::string token;
  std::string ca_file;  ///< --ca-file or $CSMS_CA_FILE: trusted CAs for https:// ("": system).
  bool json = false;    ///< Print the API's JSON as-is.
  bool csv = false;     ///< Format::Table as CSV (RFC 4180), the columns' field names as header.
  std::string method;   ///< "GET", "POST", "DELETE".
  std::string target;   ///< Path and query below the base URL, percent-encoded.
  std::string body;     ///< JSON request body, or empty.
  Format format = Format::Record;
  std::vector<std::string> columns;      ///< For Format::Table.
  std::string done_message;              ///< Shown for a successful answer without a body.
  std::string input_file;                ///< idtag import: the CSV file...
  std::vector<std::size_t> input_lines;  ///< ...and the line of each array item.
  std::string output_file;               ///< Format::Raw: where to write the body ("": stdout).
  bool private_output = false;           ///< output_file is created 0600 (a database copy).
};

constexpr const char* kDefaultUrl = "http://127.0.0.1:8181";

/// Maps a command line (argv without argv[0]) to an Invocation. `env_url` and
/// `env_token` are $CSMS_URL and $CSMS_TOKEN ("" when unset). Throws UsageError
/// or InputError.
Invocation parse_command_line(const std::vector<std::string>& args, const std::string& env_url,
                              const std::string& env_token, const std::string& env_ca_file = "");

/// The usage text of all commands.
std::string usage_text();

/// Converts id tag CSV (idTag[,status[,expiry[,parentIdTag]]], optional header
/// line, '#' comments) to the JSON array of POST /api/idtags/import. `lines`
/// gets the line number of each item. Throws InputError listing every bad row
/// as "FILE:LINE: problem".
std::string idtags_csv_to_json(const std::string& csv, const std::string& file_name,
                               std::vector<std::size_t>& lines);

/// Converts station CSV (id[,password], optional header line, '#' comments) to
/// the JSON array of POST /api/stations/import, like idtags_csv_to_json.
std::string stations_csv_to_json(const std::string& csv, const std::string& file_name,
                                 std::vector<std::size_t>& lines);

/// The files of a Format::Files answer, names checked to be plain file names
/// (no directories, no "..", nothing hidden). Throws InputError naming a bad one.
std::vector<std::pair<std::string, std::string>> answer_files(const std::string& body);

/// `text` made safe for a terminal: C0 controls, DEL and C1 controls become
/// \u escapes and bytes that are not UTF-8 become \x escapes, so text a station
/// chose (vendor, model, frames) cannot drive the operator's terminal. Tables
/// and records are printed through it; --json output is escaped by JSON.
std::string terminal_safe(std::string_view text);

/// One CSV field (RFC 4180): quoted when it holds a comma, a quote or a line
/// break, quotes doubled; text starting with = + - @ (a spreadsheet formula) gets
/// a leading ' so it stays text.
std::string csv_field(std::string_view text);

/// A JSON array of objects as CSV: a header of `columns` (every field in order
/// of appearance when empty), then one CRLF-ended record per object; null is
/// empty, strings as they are, other values as JSON. The one CSV writer of csmsctl.
void print_csv(const rapidjson::Value& rows, const std::vector<std::string>& columns,
               std::ostream& out);

/// Prints a successful answer the readable way.
void print_answer(const Invocation& invocation, const std::string& body, std::ostream& out);

/// The message for an API error answer: the API's "error" (with a CALLERROR
/// code, or the CSV line an import item came from), else the HTTP status.
std::string error_message(const Invocation& invocation, unsigned status, const std::string& reason,
                          const std::string& body);

}  // namespace csms::cli
