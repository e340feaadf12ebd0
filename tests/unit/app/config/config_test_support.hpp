// Helpers for the configuration tests: run load_server_config() expecting success or
// failure, and a scratch directory for config and key files that is removed afterwards.
#pragma once

#include <herald/app/server_config.hpp>

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

namespace herald::app::test {

using Args = std::vector<std::string>;
using Env = std::map<std::string, std::string>;

/// The loaded config; a test failure (and a default config) if loading failed.
inline ServerConfig load_ok(const Args& args, const Env& env = {}) {
  auto result = load_server_config(args, env);
  if (const auto* e = std::get_if<ConfigError>(&result)) {
    ADD_FAILURE() << "unexpected ConfigError{" << e->exit_code << ", " << e->message << "}";
    return {};
  }
  return std::get<ServerConfig>(std::move(result));
}

/// The ConfigError; a test failure (and an empty error) if loading succeeded.
inline ConfigError load_error(const Args& args, const Env& env = {}) {
  auto result = load_server_config(args, env);
  if (auto* e = std::get_if<ConfigError>(&result)) return std::move(*e);
  ADD_FAILURE() << "expected a ConfigError";
  return {-1, ""};
}

/// A fresh directory under $TMPDIR, deleted with everything in it on destruction.
class ScratchDir {
 public:
  ScratchDir() {
    std::string templ = (std::filesystem::temp_directory_path() / "herald-config-XXXXXX").string();
    if (mkdtemp(templ.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    path_ = templ;
  }
  ~ScratchDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;

  /// Writes `content` to `name` in the directory and returns the full path.
  std::string write(const std::string& name, const std::string& content) const {
    auto p = path_ / name;
    std::ofstream(p, std::ios::binary) << content;
    return p.string();
  }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

inline bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

}  // namespace herald::app::test
