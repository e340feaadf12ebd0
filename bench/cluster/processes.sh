# shellcheck shell=bash
# bench/cluster/processes.sh: sourced by the bench scripts, for the processes they
# start: every PID in PIDS is killed when the script exits (the trap set here);
# wait_ready PORT waits for a Herald node's /readyz (10 s);
# start_redis_server DIR starts one redis-server without persistence (sets REDIS_PORT
# and REDIS_PID); start_redis_cluster DIR starts a Redis Cluster of three primaries
# (no replicas: replication is not what the benchmarks measure) on free loopback
# ports, joins it with `redis-cli --cluster create` and waits for cluster_state:ok
# (sets CLUSTER_PORTS, CLUSTER_PIDS and CLUSTER_URL, redis+cluster://...).
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

PIDS=()
CLUSTER_PORTS=()
CLUSTER_PIDS=()
kill_started() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap kill_started EXIT

wait_ready() { # PORT
  for _ in $(seq 1 200); do
    [[ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$1/readyz")" == 200 ]] && return 0
    sleep 0.05
  done
  echo "node on $1 not ready" >&2
  return 1
}

start_redis_server() { # DIR
  REDIS_PORT=$(free_port)
  redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save '' --appendonly no \
    --logfile "$1/redis.log" &
  REDIS_PID=$!
  PIDS+=("$REDIS_PID")
  until redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1; do sleep 0.05; done
}

start_redis_cluster() { # DIR
  local dir=$1 i p
  for i in 0 1 2; do
    # A port whose cluster bus port (+10000) exists and is free.
    while :; do
      p=$(free_port)
      ((p < 55000)) && ! (echo >"/dev/tcp/127.0.0.1/$((p + 10000))") 2>/dev/null && break
    done
    mkdir -p "$dir/cluster-$i"
    rm -f "$dir/cluster-$i/nodes.conf"
    redis-server --port "$p" --bind 127.0.0.1 --save '' --appendonly no --dir "$dir/cluster-$i" \
      --cluster-enabled yes --cluster-config-file nodes.conf --logfile "$dir/cluster-$i.log" &
    CLUSTER_PIDS+=($!)
    PIDS+=($!)
    CLUSTER_PORTS+=("$p")
  done
  for p in "${CLUSTER_PORTS[@]}"; do
    until redis-cli -p "$p" ping >/dev/null 2>&1; do sleep 0.05; done
  done
  redis-cli --cluster create "${CLUSTER_PORTS[@]/#/127.0.0.1:}" --cluster-yes >"$dir/cluster-create.log"
  for p in "${CLUSTER_PORTS[@]}"; do
    until redis-cli -p "$p" cluster info | grep -q cluster_state:ok; do sleep 0.1; done
  done
  # shellcheck disable=SC2034  # read by the scripts that source this file
  CLUSTER_URL="redis+cluster://$(IFS=,; echo "${CLUSTER_PORTS[*]/#/127.0.0.1:}")"
}
