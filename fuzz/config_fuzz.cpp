// libFuzzer target: arbitrary bytes as the content of a `herald serve` TOML config
// file, through the loader's TOML layer (no file I/O). When it is accepted, the
// channel rules it produced must be valid and usable by ChannelRules.
// Inputs starting with byte 0x01 are instead one flag/variable value, given to every
// setting's parser.
#include <herald/app/server_config.hpp>
#include <herald/gateway/channel_rules.hpp>

#include "app/config/setting.hpp"
#include "app/config/toml_config.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

namespace {

void fuzz_toml(std::string_view text) {
  herald::app::detail::ConfigDraft draft;
  auto error = herald::app::detail::apply_toml_config(text, "fuzz.toml", draft);
  if (error) {
    if (error->exit_code != 2 || error->message.empty()) std::abort();
    return;
  }
  const auto& config = draft.config;
  if (herald::gateway::ChannelRules::validate(config.channels)) std::abort();
  if (config.max_message_bytes == 0 || config.ping_interval.count() <= 0) std::abort();
  herald::gateway::ChannelRules rules(config.channels, config.history_size);
  herald::gateway::Identity who{"u", {"admin"}, {"chat:*"}};
  for (const char* channel : {"chat:1", "user:u", "admin", "tag:x"}) {
    (void)rules.can_subscribe(channel, who);
    (void)rules.can_publish(channel, who);
    (void)rules.can_presence(channel, who);
    (void)rules.history_size(channel);
  }
}

// Every setting's text parser on the same value, as a flag or variable would give it.
// (Going through load_server_config() would mostly fuzz CLI11's App construction,
// ~3 ms per input under the sanitizers; CLI11 has fuzzers of its own.)
void fuzz_value(std::string_view text) {
  for (const auto& setting : herald::app::detail::settings()) {
    herald::app::detail::ConfigDraft draft;
    if (setting.apply(text, draft)) continue;
    const auto& c = draft.config;
    if (c.max_message_bytes == 0 || c.ping_interval.count() <= 0 || !(c.client_rate_limit > 0)) {
      std::abort();
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  if (!text.empty() && text.front() == '\x01') {
    fuzz_value(text.substr(1));
  } else {
    fuzz_toml(text);
  }
  return 0;
}
