#!/usr/bin/env bash
# A 3-node Ensemble fleet on this machine, for trying it by hand: Redis (exact rate-limit counts), three clustered
# nodes (Hazelcast on 127.0.0.1) and a load balancer in front that follows each node's /api/v1/ready.
#
#   mvn -B -q package -DskipTests      # builds target/ensemble.jar
#   cluster/run-local.sh                # Ctrl-C stops everything it started
#
# Then: curl http://127.0.0.1:8080/v1/chat/completions -H 'content-type: application/json' \
#         -d '{"model":"mock-1","messages":[{"role":"user","content":"hi"}]}'
# Try a rolling restart: kill -TERM <a node's pid> (printed below); it drains, exits 0, and this script starts it again.
#
# Environment: ENSEMBLE_LB_PORT (8080), ENSEMBLE_BASE_PORT (8081: nodes on 8081-8083), ENSEMBLE_ADMIN_KEY,
# REDIS_PORT (6390). Redis is the redis-server on PATH, else the one embedded-redis ships (in ~/.m2 after a build),
# else a Docker container; without either the nodes run
# with local rate limits. State goes under data/fleet/node-N. Everything runs on 127.0.0.1.
set -euo pipefail

cd "$(dirname "$0")/.."
JAR=target/ensemble.jar
[ -f "$JAR" ] || { echo "no $JAR: run 'mvn -B -q package -DskipTests' first" >&2; exit 1; }
LB_PORT=${ENSEMBLE_LB_PORT:-8080}
BASE_PORT=${ENSEMBLE_BASE_PORT:-8081}
REDIS_PORT=${REDIS_PORT:-6390}
ADMIN_KEY=${ENSEMBLE_ADMIN_KEY:-local-admin-key-0123456789}
ROOT=data/fleet
mkdir -p "$ROOT"

PIDS=()
REDIS_CONTAINER=""
STOPPING=0
cleanup() {
  STOPPING=1
  for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  if [ -n "$REDIS_CONTAINER" ]; then docker rm -f "$REDIS_CONTAINER" >/dev/null 2>&1 || true; fi
  echo "stopped everything this script started"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

REDIS_ADDRESS=""
REDIS_BIN=$(command -v redis-server || true)
EMBEDDED=$(ls "$HOME"/.m2/repository/com/github/codemonstur/embedded-redis/*/embedded-redis-*.jar 2>/dev/null | head -n 1 || true)
if [ -z "$REDIS_BIN" ] && [ -n "$EMBEDDED" ] && [ "$(uname -sm)" = "Linux x86_64" ]; then
  # the redis-server the tests use (embedded-redis, in the local Maven repository after a build)
  unzip -o -q -j "$EMBEDDED" redis-server-6.2.6-v5-linux-amd64 -d "$ROOT" && chmod +x "$ROOT/redis-server-6.2.6-v5-linux-amd64"
  REDIS_BIN="$ROOT/redis-server-6.2.6-v5-linux-amd64"
fi
if [ -n "$REDIS_BIN" ]; then
  "$REDIS_BIN" --bind 127.0.0.1 --port "$REDIS_PORT" --save "" --appendonly no >"$ROOT/redis.log" 2>&1 &
  PIDS+=($!)
  REDIS_ADDRESS="redis://127.0.0.1:$REDIS_PORT"
elif command -v docker >/dev/null && docker info >/dev/null 2>&1; then
  REDIS_CONTAINER=$(docker run -d --rm -p "127.0.0.1:$REDIS_PORT:6379" redis:7-alpine)
  REDIS_ADDRESS="redis://127.0.0.1:$REDIS_PORT"
else
  echo "no redis-server and no Docker: the nodes count rate limits each on its own" >&2
fi

MEMBERS="127.0.0.1:5701,127.0.0.1:5702,127.0.0.1:5703"
start_node() {
  local i=$1 dir="$ROOT/node-$1" port=$((BASE_PORT + $1))
  mkdir -p "$dir"
  cat >"$dir/ensemble.yaml" <<YAML
server: { host: 127.0.0.1, port: $port, admin_key: "\${ENSEMBLE_ADMIN_KEY}", drain_timeout_ms: 60000, drain_grace_ms: 2000 }
storage: { sqlite_path: $PWD/$dir/ensemble.db }
responses: { store: local, local_dir: $PWD/$ROOT/responses }
redis: { address: "$REDIS_ADDRESS" }
cluster: { enabled: true, config: $PWD/cluster/cluster.xml }
catalog: $PWD/conf/models.yaml
providers:
  mock:
    type: mock
    keys: [ { name: local, endpoints: [ { id: mock-1, rpm_limit: 6000 } ] } ]
models:
  mock-1:
    providers: [ { provider: mock, model: mock-1 } ]
YAML
  ENSEMBLE_ADMIN_KEY="$ADMIN_KEY" ENSEMBLE_CLUSTER_MEMBERS="$MEMBERS" ENSEMBLE_CLUSTER_NAME=ensemble-local \
    ENSEMBLE_CLUSTER_HOST=127.0.0.1 java -Xmx384m -jar "$JAR" serve --config "$dir/ensemble.yaml" >>"$dir/node.log" 2>&1 &
  NODE_PIDS[$i]=$!
  PIDS+=($!)
  echo "node-$i: http://127.0.0.1:$port (pid $!, log $dir/node.log)"
}

declare -a NODE_PIDS
for i in 0 1 2; do start_node "$i"; done
java -jar "$JAR" balance --port "$LB_PORT" --nodes "$BASE_PORT,$((BASE_PORT + 1)),$((BASE_PORT + 2))" >"$ROOT/balancer.log" 2>&1 &
PIDS+=($!)
echo "load balancer: http://127.0.0.1:$LB_PORT (admin key: $ADMIN_KEY)"

# Start again a node that was drained or killed (exit 0, 137, 143), until Ctrl-C; any other exit (a bad config,
# a port in use) stops the script with that node's log.
while [ "$STOPPING" = 0 ]; do
  for i in 0 1 2; do
    if ! kill -0 "${NODE_PIDS[$i]}" 2>/dev/null; then
      wait "${NODE_PIDS[$i]}" 2>/dev/null && code=0 || code=$?
      case "$code" in
        0|137|143) echo "node-$i exited with $code; starting it again"; start_node "$i" ;;
        *) echo "node-$i failed with exit code $code:" >&2; tail -n 20 "$ROOT/node-$i/node.log" >&2; exit 1 ;;
      esac
    fi
  done
  sleep 1
done
