// Shard: an io_context thread with its pinned connections and local fan-out table.
#include "gateway/shard.hpp"

#include "gateway/connection.hpp"

#include <spdlog/spdlog.h>
#include <boost/asio/post.hpp>

#include <algorithm>

namespace herald::gateway {

Shard::Shard(std::size_t index, ShardMetrics& metrics, std::chrono::milliseconds write_delay)
    : index_(index),
      metrics_(metrics),
      work_(boost::asio::make_work_guard(context_)),
      write_delay_(write_delay) {}

Shard::~Shard() {
  stop();
  join();
}

void Shard::start() {
  thread_ = std::thread([this] {
    // Exceptions never cross the event loop: coroutine tops catch theirs; this is
    // the last line of defence so one bad handler does not kill the process.
    while (true) {
      try {
        context_.run();
        return;
      } catch (const std::exception& e) {
        spdlog::error("shard {}: handler threw: {}", index_, e.what());
      }
    }
  });
}

void Shard::stop() {
  work_.reset();
  context_.stop();
}

void Shard::join() {
  if (thread_.joinable()) thread_.join();
}

void Shard::add_subscriber(const std::string& channel, Connection* connection) {
  subscribers_[channel].connections.push_back(connection);
}

void Shard::remove_subscriber(const std::string& channel, Connection* connection) {
  auto it = subscribers_.find(channel);
  if (it == subscribers_.end()) return;
  auto& list = it->second.connections;
  auto pos = std::find(list.begin(), list.end(), connection);
  if (pos != list.end()) {
    *pos = list.back();  // order among subscribers does not matter
    list.pop_back();
  }
  if (list.empty()) subscribers_.erase(it);
}

void Shard::deliver(const realtime::PublicationPtr& publication) {
  auto it = subscribers_.find(publication->channel);
  if (it == subscribers_.end()) return;
  if (publication->kind == realtime::Publication::Kind::lost) {
    // The engine could not fill a gap in this channel: its subscribers reconnect and
    // their recovery reports the loss (never a silent gap). close() may edit the table.
    std::vector<Connection*> affected = it->second.connections;
    spdlog::warn("channel {}: publications lost, closing {} subscriber(s) with 3010",
                 publication->channel, affected.size());
    for (Connection* c : affected) {
      if (connections_.contains(c)) c->close(3010, "insufficient state", true);
    }
    return;
  }
  // Invariant: on_publication() never edits the shard's tables synchronously (a slow
  // consumer is only marked closing; its cleanup runs later), so iterate in place.
  ++it->second.delivered;
  for (Connection* c : it->second.connections) c->on_publication(publication);
}

std::vector<Shard::ChannelFigures> Shard::channel_figures() const {
  std::vector<ChannelFigures> out;
  out.reserve(subscribers_.size());
  for (const auto& [name, local] : subscribers_)
    out.push_back({name, local.connections.size(), local.delivered});
  return out;
}

void Shard::enqueue_delivery(realtime::PublicationPtr publication) {
  {
    std::lock_guard lock(inbox_mutex_);
    inbox_.push_back(std::move(publication));
    if (drain_posted_) return;
    drain_posted_ = true;
  }
  boost::asio::post(context_, [this] {
    {
      std::lock_guard lock(inbox_mutex_);
      draining_.swap(inbox_);  // inbox_ takes the storage of the last drain: no allocation
      drain_posted_ = false;
    }
    for (const auto& p : draining_) deliver(p);
    draining_.clear();  // releases the publications, keeps the storage
  });
}

void Shard::schedule_write(std::shared_ptr<Connection> connection) {
  writes_.push_back(std::move(connection));
  if (writes_posted_) return;
  writes_posted_ = true;
  if (write_delay_.count() == 0) {
    boost::asio::post(context_, [this] { write_pass(); });
    return;
  }
  write_timer_.expires_after(write_delay_);
  write_timer_.async_wait([this](boost::system::error_code ec) {
    if (!ec) write_pass();  // cancelled only when the shard goes
  });
}

void Shard::write_pass() {
  writes_posted_ = false;
  writing_.swap(writes_);  // connections scheduled during the pass go to the next one
  for (const auto& c : writing_) c->write_pending();
  writing_.clear();  // releases them; the storage stays for the next pass
}

void Shard::close_all(int code, std::string_view reason, bool reconnect) {
  std::vector<Connection*> all(connections_.begin(), connections_.end());
  for (Connection* c : all) {
    if (connections_.contains(c)) c->close(code, reason, reconnect);
  }
}

std::size_t Shard::close_user(const std::string& user, int code, std::string_view reason,
                              bool reconnect) {
  std::vector<Connection*> matching;
  for (Connection* c : connections_) {
    if (c->user() == user) matching.push_back(c);
  }
  for (Connection* c : matching) c->close(code, reason, reconnect);
  return matching.size();
}

void Shard::exclude_stalled(std::chrono::steady_clock::duration stall) {
  auto now = std::chrono::steady_clock::now();
  for (Connection* c : connections_) c->exclude_if_stalled(now, stall);
}

}  // namespace herald::gateway
