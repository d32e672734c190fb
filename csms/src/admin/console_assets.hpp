#pragma once
// The console's static files (console/dist), embedded into the binary at build
// time (scripts/embed_files.py writes the table), so csms serves them from any
// working directory.

#include <cstddef>
#include <string_view>

namespace csms::admin {

/// One embedded file: its path under console/dist ("index.html", "app.js").
struct ConsoleAsset {
  std::string_view path;
  std::string_view body;
};

/// The embedded files; `count` receives their number.
const ConsoleAsset* console_assets(std::size_t& count);

}  // namespace csms::admin
