// AdminStatsFeed: the admin console's one-second snapshots and the node registry.
#include "gateway/admin_stats_feed.hpp"

#include <herald/protocol/server_frame.hpp>

#include "gateway/server_context.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/parse.hpp>

#include <algorithm>
#include <array>
#include <cmath>

namespace herald::gateway {
namespace {

namespace asio = boost::asio;
using asio::awaitable;
using Clock = std::chrono::steady_clock;

std::int64_t unix_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// A rate or quantile as JSON: one decimal, `null` when unknown (negative).
std::string number(double v) {
  if (v < 0) return "null";
  return fmt::format("{:.1f}", v);
}

struct ChannelRow {
  std::string channel;
  std::size_t subscribers = 0;
  double per_s = 0;
  long long history = -1;  // unknown on engines that do not say
};

}  // namespace

AdminStatsFeed::AdminStatsFeed(ServerContext& ctx)
    : ctx_(ctx), timer_(ctx.shards.front()->context()) {}

double AdminStatsFeed::quantile_ms(
    const std::array<std::uint64_t, latency_buckets.size() + 1>& counts, double p) {
  std::uint64_t total = 0;
  for (auto c : counts) total += c;
  if (total == 0) return -1;
  const auto want = static_cast<std::uint64_t>(std::ceil(p * static_cast<double>(total)));
  std::uint64_t seen = 0;
  for (std::size_t i = 0; i < counts.size(); ++i) {
    seen += counts[i];
    if (seen >= want && seen > 0)
      return latency_buckets[std::min(i, latency_buckets.size() - 1)] * 1000.0;
  }
  return latency_buckets.back() * 1000.0;
}

awaitable<std::vector<Shard::ChannelFigures>> AdminStatsFeed::gather_channels() {
  std::vector<Shard::ChannelFigures> all;
  for (auto& shard : ctx_.shards) {
    Shard* s = shard.get();
    auto part = co_await asio::co_spawn(
        s->context(),
        [s]() -> awaitable<std::vector<Shard::ChannelFigures>> { co_return s->channel_figures(); },
        asio::use_awaitable);
    all.insert(all.end(), std::make_move_iterator(part.begin()),
               std::make_move_iterator(part.end()));
  }
  co_return all;
}

std::string AdminStatsFeed::node_figures(const MetricsTotals& now, double seconds) const {
  (void)seconds;
  std::string out = R"({"node":)";
  protocol::append_json_string(out, ctx_.node_name);
  out += R"(,"engine":)";
  protocol::append_json_string(out, ctx_.engine->name());
  out += fmt::format(
      R"(,"at":{},"connections":{},"subscriptions":{},"publications_per_s":{},"deliveries_per_s":{}}})",
      unix_ms(), now.connections, now.subscriptions, number(publications_per_s_),
      number(deliveries_per_s_));
  return out;
}

awaitable<void> AdminStatsFeed::refresh_nodes(const std::string& own) {
  const auto every = ctx_.options.admin_nodes_interval;
  auto announced = co_await ctx_.engine->announce_node(ctx_.node_name, own, every * 3);
  std::vector<std::string> nodes;
  if (announced) {
    auto live = co_await ctx_.engine->live_nodes();
    if (live) {
      for (std::string& n : *live) {
        boost::system::error_code ec;
        auto v = boost::json::parse(n, ec);  // another node's text: checked before reuse
        if (!ec && v.is_object()) nodes.push_back(std::move(n));
      }
    }
  }
  nodes_ = std::move(nodes);
}

awaitable<void> AdminStatsFeed::run() {
  last_ = ctx_.metrics.totals();
  last_at_ = Clock::now();
  std::string own_latest;
  while (!ctx_.stopping.load()) {
    boost::system::error_code ec;
    timer_.expires_after(interval);
    co_await timer_.async_wait(asio::redirect_error(asio::use_awaitable, ec));
    if (ec || ctx_.stopping.load()) break;
    try {
      const auto at = Clock::now();
      const double seconds = std::max(std::chrono::duration<double>(at - last_at_).count(), 0.001);
      const MetricsTotals now = ctx_.metrics.totals();
      std::array<std::uint64_t, latency_buckets.size() + 1> window{};
      std::uint64_t delivered = 0;
      for (std::size_t i = 0; i < window.size(); ++i) {
        window[i] = now.latency[i] - last_.latency[i];
        delivered += window[i];
      }
      publications_per_s_ = static_cast<double>(now.publications - last_.publications) / seconds;
      deliveries_per_s_ = static_cast<double>(delivered) / seconds;

      // Channels: summed over shards, without the console's own.
      std::unordered_map<std::string, ChannelRow> rows;
      std::unordered_map<std::string, std::uint64_t> delivered_now;
      for (auto& f : co_await gather_channels()) {
        if (f.channel.starts_with(admin_channel_prefix)) continue;
        ChannelRow& r = rows[f.channel];
        r.channel = f.channel;
        r.subscribers += f.subscribers;
        delivered_now[f.channel] += f.delivered;
      }
      for (auto& [name, r] : rows) {
        auto before = last_delivered_.find(name);
        std::uint64_t d = delivered_now[name];
        // Counted per shard with subscribers; a channel new since the last tick counts
        // from zero.
        std::uint64_t prev =
            before == last_delivered_.end() || before->second > d ? 0 : before->second;
        r.per_s = static_cast<double>(d - prev) / seconds;
      }
      last_delivered_ = std::move(delivered_now);
      std::vector<ChannelRow> table;
      table.reserve(rows.size());
      for (auto& [name, r] : rows) table.push_back(std::move(r));
      const std::size_t channel_count = table.size();
      const std::size_t shown = std::min(table.size(), max_channels);
      std::partial_sort(table.begin(), table.begin() + static_cast<std::ptrdiff_t>(shown),
                        table.end(), [](const ChannelRow& a, const ChannelRow& b) {
                          if (a.per_s != b.per_s) return a.per_s > b.per_s;
                          if (a.subscribers != b.subscribers) return a.subscribers > b.subscribers;
                          return a.channel < b.channel;
                        });
      table.resize(shown);
      {
        std::vector<std::string> names;
        names.reserve(table.size());
        for (const ChannelRow& r : table) names.push_back(r.channel);
        const std::vector<std::int64_t> lengths =
            co_await ctx_.engine->history_lengths(std::move(names));
        for (std::size_t i = 0; i < table.size() && i < lengths.size(); ++i)
          table[i].history = lengths[i];
      }

      std::string own = node_figures(now, seconds);
      if (at >= next_announce_) {
        next_announce_ = at + ctx_.options.admin_nodes_interval;
        co_await refresh_nodes(own);
      }

      std::string out = R"({"node":)";
      protocol::append_json_string(out, ctx_.node_name);
      out += R"(,"engine":)";
      protocol::append_json_string(out, ctx_.engine->name());
      out += fmt::format(
          R"(,"at":{},"connections":{},"subscriptions":{},"publications_per_s":{},)"
          R"("deliveries_per_s":{},"latency_p50_ms":{},"latency_p99_ms":{},)"
          R"("slow_consumers":{},"auth_disconnects":{},"rejected_connections":{},"channel_count":{})",
          unix_ms(), now.connections, now.subscriptions, number(publications_per_s_),
          number(deliveries_per_s_), number(quantile_ms(window, 0.5)),
          number(quantile_ms(window, 0.99)), now.slow_consumers, now.auth_disconnects,
          now.rejected_connections, channel_count);
      if (ctx_.options.admin_figures) {
        std::string extra = ctx_.options.admin_figures();
        if (!extra.empty()) {
          out += R"(,"extra":)";
          out += extra;
        }
      }
      out += R"(,"channels":[)";
      for (std::size_t i = 0; i < table.size(); ++i) {
        if (i != 0) out += ',';
        out += R"({"channel":)";
        protocol::append_json_string(out, table[i].channel);
        out += fmt::format(
            R"(,"subscribers":{},"per_s":{},"history":{}}})", table[i].subscribers,
            number(table[i].per_s),
            table[i].history < 0 ? std::string("null") : std::to_string(table[i].history));
      }
      out += R"(],"nodes":[)";
      // The memory engine has no registry: the one node is this one.
      if (nodes_.empty()) {
        out += own;
      } else {
        for (std::size_t i = 0; i < nodes_.size(); ++i) {
          if (i != 0) out += ',';
          out += nodes_[i];
        }
      }
      out += "]}";
      last_ = now;
      last_at_ = at;
      auto r = co_await ctx_.engine->publish(ctx_.admin_channel, std::move(out));
      if (!r) spdlog::debug("admin figures not published: {}", r.error().message());
    } catch (const std::exception& e) {
      spdlog::warn("admin figures: {}", e.what());
    }
  }
}

}  // namespace herald::gateway
