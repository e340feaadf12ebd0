// ConfigDraft: a ServerConfig while its sources are being layered (file, then
// environment, then flags, each overriding the last), plus what can only be finished
// once every layer is in: the public-key file to read, and where each value came from
// so the final cross-checks can name the flag, variable or key responsible.
#pragma once

#include <herald/app/server_config.hpp>

#include <map>
#include <string>

namespace herald::app::detail {

struct ConfigDraft {
  ServerConfig config;
  /// The --jwt-public-key path (resolved against the config file's directory when it
  /// came from the file); read into config.jwt_public_key_pem at the end.
  std::string jwt_public_key_path;
  /// TOML key name ("jwt_secret") -> who set it last ("--jwt-secret",
  /// "HERALD_JWT_SECRET", "herald.toml:3: jwt_secret"). Absent = default.
  std::map<std::string, std::string, std::less<>> origin;

  /// Who set `key`, for messages ("default" when nobody did).
  std::string origin_of(std::string_view key) const {
    auto it = origin.find(key);
    return it == origin.end() ? "default" : it->second;
  }
};

}  // namespace herald::app::detail
