// StaticFiles: the dashboard page and its assets, served from memory.
//
// Every regular file under the web root, and the JS client's modules (the *.js files
// of its directory: herald.js imports ./backoff.js and ./sse_transport.js), are read
// once at construction (start-up, not on an event loop), so serving never touches
// the disk and never blocks. Routes: "/" -> index.html, "/static/<relative path>" ->
// a file of the web root, "/client/<name>.js" -> a module of the client. A path with a ".."
// segment, a backslash or a NUL is refused (400), though lookups only ever reach files loaded from
// the web root. A symlink is loaded only if it resolves inside its directory (the web
// root, the client's directory). Thread: immutable after construction; safe from any
// thread.
#pragma once

#include <herald/gateway/app_routes.hpp>

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace herald::inventory {

class StaticFiles {
 public:
  /// Loads the files. A missing web root or client directory is not an error here:
  /// its routes answer 404 (the log says why at start-up through missing()).
  StaticFiles(const std::filesystem::path& web_root, const std::filesystem::path& client_dir);

  /// The answer for a GET of `path`, or nullopt when `path` is not a static route.
  std::optional<gateway::AppResponse> serve(std::string_view path) const;

  /// What could not be loaded (for a start-up warning); empty when all is well.
  const std::string& missing() const noexcept { return missing_; }
  /// Content type for a file name, by extension (utf-8 for text).
  static std::string content_type(std::string_view name);

 private:
  struct File {
    std::string content_type;
    std::string body;
  };
  std::map<std::string, File, std::less<>> files_;   ///< by path relative to web root
  std::map<std::string, File, std::less<>> client_;  ///< by file name ("herald.js")
  std::string missing_;
};

}  // namespace herald::inventory
