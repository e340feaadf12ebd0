// admin_assets: the admin console's files (page, script, style, uPlot, the JS client),
// compiled into the binary: admin_assets.cpp is generated at build time from
// src/gateway/admin_web/ and clients/js/ (cmake/EmbedFiles.cmake), so an installed
// herald serves the console without the source tree.
// Thread: immutable data, any thread. Cost: a scan of a dozen names.
#pragma once

#include <string_view>

namespace herald::gateway {

struct AdminAsset {
  std::string_view name;  ///< file name under /admin/ ("index.html", "admin.js", ...)
  std::string_view content_type;
  std::string_view body;
};

/// The asset called `name`, or nullptr.
const AdminAsset* find_admin_asset(std::string_view name) noexcept;

}  // namespace herald::gateway
