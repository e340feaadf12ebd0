// CachePolicy: how one kind of data is cached. Every knob's default says why.
// PolicyPresets: named policies ("products", "inventory", ...) so call sites say
// what the data is, and TTLs live in one place.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace herald::cache {

using std::chrono::milliseconds;

struct CachePolicy {
  /// Logical lifetime of a value. 60 s: fresh enough for most read-mostly data once
  /// writes invalidate explicitly.
  milliseconds ttl{60'000};
  /// Each write's ttl is scaled by a random factor in [1 - jitter, 1 + jitter], so
  /// entries written together do not expire together (cache avalanche).
  double jitter = 0.2;
  /// Lifetime of a cached "not found" (loader returned nullopt). Short (10 s): it
  /// stops a flood of lookups of missing ids (penetration) without hiding a new row
  /// for long. 0 disables negative caching.
  milliseconds negative_ttl{10'000};
  /// Tags, for invalidating groups of entries at once ("products", "products:42").
  std::vector<std::string> tags;

  /// Distributed lock so one loader runs per key across all nodes (breakdown). On by
  /// default: the in-process single flight only protects one node.
  bool lock = true;
  /// Lock lifetime: a holder that dies frees the key after this. 10 s: above
  /// hard_timeout, so a live loader never loses its lock.
  milliseconds lock_ttl{10'000};
  /// How long a waiter polls for the holder's value before loading itself (fail
  /// open). 5 s: below the request timeouts of typical web stacks.
  milliseconds lock_wait{5'000};

  /// After the ttl, serve the old value for this long while one background load
  /// refreshes it (stale-while-revalidate). 0 = off: expired means miss.
  milliseconds stale_grace{0};
  /// Fail-safe: keep entries physically for this long after their ttl, and serve
  /// them (flagged stale) when the loader or Redis fails. 1 h: outlives most
  /// outages. 0 = off.
  milliseconds fail_safe_max{3'600'000};
  /// After a fail-safe answer, reuse the stale value for this long before trying the
  /// loader again, so a dead backend is not hammered. 30 s.
  milliseconds fail_safe_throttle{30'000};

  /// Soft timeout: when a stale value exists and the loader is slower than this,
  /// answer stale and let the load finish in the background. 0 = off.
  milliseconds soft_timeout{0};
  /// Hard timeout: give up on the loader after this (stale if there is one, else an
  /// error). 0 = off. 8 s: under lock_ttl.
  milliseconds hard_timeout{8'000};
  /// Eager refresh: a hit after this fraction of the ttl starts a background
  /// refresh, so hot keys never expire under load. 0 = off (e.g. 0.8).
  double eager_refresh = 0;

  /// L1 (in-process) lifetime cap: L1 copies live at most this long (and never past
  /// the entry's ttl). 0 = no L1 for this policy.
  milliseconds l1_ttl{60'000};

  /// Values that carry their own lifetime (the HTTP proxy: a response's
  /// Cache-Control): when set, a loaded or set() value lives ttl_of(value) instead of
  /// ttl (no jitter), and 0 means "answer with it, do not store it". Called on the
  /// cache's executor right after the load.
  std::function<milliseconds(const std::string& value)> ttl_of;
};

/// Named policies. Unknown names fall back to the default policy.
class PolicyPresets {
 public:
  void set(std::string name, CachePolicy policy) { presets_[std::move(name)] = std::move(policy); }
  const CachePolicy& get(const std::string& name) const {
    auto it = presets_.find(name);
    return it == presets_.end() ? default_ : it->second;
  }
  bool contains(const std::string& name) const { return presets_.count(name) != 0; }

 private:
  std::map<std::string, CachePolicy> presets_;
  CachePolicy default_;
};

}  // namespace herald::cache
