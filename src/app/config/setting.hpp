// Setting: one `herald serve` setting as it appears in every source: its flag, its
// environment variable, its TOML key, its help line, and how its text is applied to a
// ConfigDraft. The table of all settings is the single place a new setting is added;
// flags, environment, file and --help are all generated from it.
#pragma once

#include "config_draft.hpp"
#include "config_values.hpp"

#include <span>
#include <string_view>

namespace herald::app::detail {

/// The TOML types a setting accepts (flags and environment are always text).
enum class TomlKind {
  string,       ///< a TOML string
  integer,      ///< a TOML integer
  number,       ///< a TOML integer or float
  string_list,  ///< a TOML array of strings, or one string with commas
};

struct Setting {
  std::string_view key;         ///< TOML key, e.g. "history_size"
  std::string_view flag;        ///< e.g. "--history-size"
  std::string_view env;         ///< e.g. "HERALD_HISTORY_SIZE"
  std::string_view value_name;  ///< placeholder in --help, e.g. "N"
  std::string_view help;        ///< one line for --help
  std::string_view default_text;
  TomlKind kind;
  /// Parses `text` into the draft; returns why not, without naming the source.
  Problem (*apply)(std::string_view text, ConfigDraft& draft);
};

/// Every setting except --config and --help (which are not values), in --help order.
std::span<const Setting> settings();

/// The setting whose TOML key is `key`, or nullptr. Cost: O(number of settings).
const Setting* setting_for_key(std::string_view key);

}  // namespace herald::app::detail
