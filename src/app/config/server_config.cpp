// load_server_config(): layers defaults < TOML file < environment < flags into a
// ServerConfig, then reads the RS256 key file and cross-checks the result. Flags are
// parsed by CLI11; every value, whatever its source, goes through the Setting table.
// Nothing escapes as an exception: every failure becomes a ConfigError naming its
// flag, variable or key (exit code 2), and --help one with exit code 0.
#include <herald/app/server_config.hpp>
#include <herald/gateway/jwt.hpp>

#include "setting.hpp"
#include "toml_config.hpp"

#include <CLI/CLI.hpp>

#include <unistd.h>  // environ

#include <cerrno>
#include <cstdio>
#include <memory>
#include <system_error>

namespace herald::app {
namespace {

using detail::ConfigDraft;
using detail::printable;
using detail::Problem;

// Config files and PEM keys are small; refusing big ones keeps a wrong path (a log
// file, /dev/zero) from eating memory at start-up.
constexpr std::size_t max_file_bytes = 1 << 20;

// errno as text; thread-safe, unlike strerror.
std::string errno_text() {
  return std::generic_category().message(errno);
}

// Reads the whole of `path` (at most max_file_bytes); why not on failure.
Problem read_file(const std::string& path, std::string& out) {
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> f(std::fopen(path.c_str(), "rb"), &std::fclose);
  if (!f) return "cannot read " + printable(path) + ": " + errno_text();
  std::string text;
  char buf[8192];
  std::size_t n = 0;
  while ((n = std::fread(buf, 1, sizeof buf, f.get())) > 0) {
    text.append(buf, n);
    if (text.size() > max_file_bytes) return printable(path) + " is larger than 1 MiB";
  }
  if (std::ferror(f.get())) return "cannot read " + printable(path) + ": " + errno_text();
  out = std::move(text);
  return std::nullopt;
}

std::string help_text() {
  std::string out =
      "Usage: herald serve [flags]\n\n"
      "Runs the Herald real-time gateway. Every flag also has an environment variable and\n"
      "a key in the TOML file given by --config (the flag's name with '-' -> '_').\n"
      "Precedence: flag > environment > file > default.\n\nFlags:\n";
  auto row = [&](std::string_view flag, std::string_view value, std::string_view help,
                 std::string_view env, std::string_view def) {
    std::string left = "  " + std::string(flag) + (value.empty() ? "" : " ") + std::string(value);
    left.resize(std::max<std::size_t>(left.size() + 2, 34), ' ');
    out += left + std::string(help) + "\n" + std::string(34, ' ') + "env " + std::string(env) +
           "; default: " + std::string(def) + "\n";
  };
  for (const auto& s : detail::settings()) row(s.flag, s.value_name, s.help, s.env, s.default_text);
  row("--config", "FILE", "TOML config file; also holds [[channel]] rules", "HERALD_CONFIG",
      "none");
  out +=
      "  -h, --help                      print this help and exit\n\n"
      "Channel rules (config file only), tried in order, first match wins:\n"
      "  [[channel]]\n"
      "  match = \"chat:*\"                  # glob: * (any run, ':' included), ?, [set]\n"
      "  subscribe = [\"authenticated\"]     # any | authenticated | role:<r> | none\n"
      "  publish = [\"role:admin\"]          # default none: publish via the HTTP API\n"
      "  presence = [\"authenticated\"]      # default: whoever may subscribe\n"
      "  history_size = 10                 # default: --history-size; 0 disables\n"
      "user:<id> channels are private to user <id>; $... and herald:... are internal.\n\n"
      "Route rules for --upstream (config file only), tried in order, first match wins:\n"
      "  [[route]]\n"
      "  match = \"/api/products/{id}\"      # segments: literal, {name}, *, ** (last)\n"
      "  methods = [\"GET\", \"PUT\"]          # default: every method\n"
      "  ttl = 60                          # seconds, for answers that give no lifetime\n"
      "  negative_ttl = 10                 # the same for 404 / 410 answers\n"
      "  ignore_query = [\"utm_*\"]          # query parameters left out of the key\n"
      "  cache = true                      # false: GET/HEAD go to the app uncached\n"
      "  tags = [\"product:{id}\"]           # added to the answer's own tags\n"
      "  invalidate = [\"products\"]         # dropped after a 2xx to a non-GET/HEAD\n";
  return out;
}

// Cross-checks and file reads that need every layer in place.
std::optional<ConfigError> finish(ConfigDraft& draft) {
  ServerConfig& c = draft.config;
  if (!c.jwt_secret.empty() && !draft.jwt_public_key_path.empty()) {
    return ConfigError{2, draft.origin_of("jwt_secret") + " and " +
                              draft.origin_of("jwt_public_key") +
                              ": set either an HS256 secret or an RS256 public key, not both"};
  }
  if (!draft.jwt_public_key_path.empty()) {
    std::string where = draft.origin_of("jwt_public_key");
    if (auto problem = read_file(draft.jwt_public_key_path, c.jwt_public_key_pem)) {
      return ConfigError{2, where + ": " + *problem};
    }
    if (!gateway::JwtVerifier::rs256(c.jwt_public_key_pem)) {
      return ConfigError{2, where + ": " + printable(draft.jwt_public_key_path) +
                                " is not a PEM RSA public key (BEGIN PUBLIC KEY) of at "
                                "least 2048 bits"};
    }
  }
  return std::nullopt;
}

std::variant<ServerConfig, ConfigError> load(const std::vector<std::string>& args,
                                             const std::map<std::string, std::string>& env) {
  CLI::App app{"Herald real-time gateway", "herald serve"};
  app.set_help_flag("-h,--help");
  const auto all = detail::settings();
  std::vector<std::string> flag_values(all.size());
  std::vector<CLI::Option*> options(all.size());
  for (std::size_t i = 0; i < all.size(); ++i) {
    options[i] = app.add_option(std::string(all[i].flag), flag_values[i])
                     ->type_name(std::string(all[i].value_name))
                     ->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
  }
  std::string config_flag;
  CLI::Option* config_option = app.add_option("--config", config_flag)
                                   ->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
  try {
    std::vector<std::string> reversed(args.rbegin(), args.rend());  // CLI11 pops from the back
    app.parse(reversed);
  } catch (const CLI::CallForHelp&) {
    return ConfigError{0, help_text()};
  } catch (const CLI::ParseError& e) {
    return ConfigError{2, e.what()};
  }

  // An empty environment variable counts as unset (compose files often write `X=`).
  auto env_value = [&](std::string_view name) -> const std::string* {
    auto it = env.find(std::string(name));
    return it == env.end() || it->second.empty() ? nullptr : &it->second;
  };

  ConfigDraft draft;
  std::string config_source;
  if (config_option->count() > 0) {
    draft.config.config_file = config_flag;
    config_source = "--config";
  } else if (const std::string* v = env_value("HERALD_CONFIG")) {
    draft.config.config_file = *v;
    config_source = "HERALD_CONFIG";
  }
  if (!draft.config.config_file.empty()) {
    std::string text;
    if (auto problem = read_file(draft.config.config_file, text)) {
      return ConfigError{2, config_source + ": " + *problem};
    }
    if (auto e = detail::apply_toml_config(text, draft.config.config_file, draft)) return *e;
  }

  for (const auto& s : all) {
    const std::string* v = env_value(s.env);
    if (v == nullptr) continue;
    if (auto problem = s.apply(*v, draft))
      return ConfigError{2, std::string(s.env) + ": " + *problem};
    draft.origin[std::string(s.key)] = std::string(s.env);
  }
  for (std::size_t i = 0; i < all.size(); ++i) {
    if (options[i]->count() == 0) continue;
    if (auto problem = all[i].apply(flag_values[i], draft)) {
      return ConfigError{2, std::string(all[i].flag) + ": " + *problem};
    }
    draft.origin[std::string(all[i].key)] = std::string(all[i].flag);
  }

  if (auto e = finish(draft)) return *e;
  return std::move(draft.config);
}

}  // namespace

std::variant<ServerConfig, ConfigError> load_server_config(
    const std::vector<std::string>& args, const std::map<std::string, std::string>& env) {
  try {
    return load(args, env);
  } catch (const std::exception& e) {  // bad_alloc, or a CLI11 construction error
    return ConfigError{2, std::string("herald serve: ") + e.what()};
  }
}

std::map<std::string, std::string> environment_map() {
  std::map<std::string, std::string> out;
  for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
    std::string_view entry(*e);
    auto eq = entry.find('=');
    if (eq == std::string_view::npos) continue;
    out.emplace(entry.substr(0, eq), entry.substr(eq + 1));
  }
  return out;
}

}  // namespace herald::app
