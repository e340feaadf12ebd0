// The TOML layer of `herald serve` configuration: top-level keys named like the flags
// ('-' -> '_': listen, redis, history_size, ...) and `[[channel]]` rule tables.
// Internal to herald_config; exposed so the fuzzer and the tests feed TOML text
// without touching the file system.
#pragma once

#include "config_draft.hpp"

#include <optional>
#include <string_view>

namespace herald::app::detail {

/// Applies the TOML document `text` over `draft`. `source` names the document in
/// messages (the config file's path) and anchors a relative `jwt_public_key` path to
/// the file's directory. Fails on the first problem with ConfigError{2, message}:
///   "<source>:<line>:<col>: invalid TOML: ..."      unparseable text
///   "<source>:<line>: <key>: unknown key ..."        not a setting
///   "<source>:<line>: <key>: expected ..., got ..."  wrong type or bad value
///   "<source>: [[channel]] #<n> ...: <key>: ..."     bad channel rule
/// `[[channel]]` rules replace draft.config.channels. Never throws; no I/O.
/// Cost: linear in the document (toml++ parse plus one pass over its keys).
std::optional<ConfigError> apply_toml_config(std::string_view text, std::string_view source,
                                             ConfigDraft& draft);

}  // namespace herald::app::detail
