#!/usr/bin/env bash
# Side-by-side cost of a request: direct to a stub upstream, through a plain nginx reverse-proxy hop, and through
# the Ensemble gateway (set up as a production node), interleaved in one run. Server side (stub, nginx, gateway)
# pinned to one core, load (wrk, h2load, FirstEvent) to another. 127.0.0.1 only; stops everything it starts.
#
#   bench/side-by-side.sh            # the run: tables on stdout and in bench/results/side-by-side-<UTC>.md
#   bench/side-by-side.sh profile    # JFR of the gateway at c=PROFILE_C (100; non-streamed + SSE), top frames as Markdown
#   bench/side-by-side.sh levels     # own user/system CPU per request of each hop at LEVELS_C ("100 1000")
#   bench/side-by-side.sh soak       # SOAK_SECONDS (3600) of steady h2c load; RSS and live heap sampled each minute
#
# Needs: java 17 (with jfr), nginx, wrk, h2load (Debian: apt-get install -y nginx wrk nghttp2-client), taskset,
# curl, and target/ensemble.jar (built when missing: mvn -q -B package -DskipTests). See bench/README.md.
# Environment: DURATION (s per phase, 10), LEVELS ("1 100 1000"), SERVER_CPU (0), LOAD_CPU (1),
# GATEWAY_JVM (the JVM options of the gateway), BASE_PORT (random in 20000..39999), JAR (target/ensemble.jar),
# BEFORE_JAR (a second gateway jar, e.g. the parent commit's, measured as target "before" in the same run),
# CASES (which phases: "h1 h2c sse anthropic first", all by default); PROFILE_KINDS / THREADS_KINDS for the profile
# and threads modes (a kind ending in -h2c, e.g. openai-h2c, goes over h2c through h2load; see bench/README.md).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
MODE="${1:-run}"
DURATION="${DURATION:-10}"
LEVELS="${LEVELS:-1 100 1000}"
SERVER_CPU="${SERVER_CPU:-0}"
LOAD_CPU="${LOAD_CPU:-1}"
JAR="${JAR:-$ROOT/target/ensemble.jar}"
BEFORE_JAR="${BEFORE_JAR:-}"
CASES="${CASES:-h1 h2c sse anthropic first}"
TARGETS="direct nginx vertx gateway"
[[ -n "$BEFORE_JAR" ]] && TARGETS="direct nginx vertx before gateway"
has_case() { [[ " $CASES " == *" $1 "* ]]; }
# What a production node runs with (docs/operations.md, "JVM options for a production node"), at 1 GiB.
GATEWAY_JVM="${GATEWAY_JVM:--Xms1g -Xmx1g -XX:+UseG1GC -XX:+AlwaysPreTouch -XX:+ExitOnOutOfMemoryError -XX:+HeapDumpOnOutOfMemoryError -XX:-OmitStackTraceInFastThrow}"
BASE_PORT="${BASE_PORT:-$((20000 + RANDOM % 20000))}"
STUB_PORTS=("$BASE_PORT" "$((BASE_PORT + 1))" "$((BASE_PORT + 2))" "$((BASE_PORT + 3))")
NGINX_H1=$((BASE_PORT + 10))
NGINX_H2=$((BASE_PORT + 11))
VERTX_HOP=$((BASE_PORT + 12))
GATEWAY=$((BASE_PORT + 20))
BEFORE=$((BASE_PORT + 21))
ADMIN_KEY="bench-admin-$RANDOM$RANDOM"

for tool in java javac jfr nginx wrk h2load taskset curl; do
  command -v "$tool" >/dev/null || { echo "missing $tool (apt-get install -y nginx wrk nghttp2-client; see bench/README.md)" >&2; exit 2; }
done
if [[ ! -f "$JAR" ]]; then
  (cd "$ROOT" && mvn -q -B package -DskipTests)
fi
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"

TMP="$(mktemp -d /tmp/ensemble-side-by-side.XXXXXX)"
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
    kill -9 "$pid" 2>/dev/null || true
  done
  rm -rf "$TMP"
}
trap cleanup EXIT INT TERM

# The bench's own small classes (stub, first-event probe, JFR summary) need only Vert.x and the JDK: compile them
# against the gateway jar, which has Vert.x shaded in.
mkdir -p "$TMP/classes"
javac -nowarn -d "$TMP/classes" -cp "$JAR" "$ROOT"/bench/src/main/java/dev/ensemble/bench/hop/*.java
CP="$TMP/classes:$JAR"

wait_port() { # port, what
  for _ in $(seq 1 300); do
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
    sleep 0.2
  done
  echo "$2 did not listen on $1" >&2; return 1
}

# --- stub upstream ---
taskset -c "$SERVER_CPU" java -Xms256m -Xmx256m -XX:+UseParallelGC -cp "$CP" dev.ensemble.bench.hop.StubUpstream "${STUB_PORTS[@]}" \
  > "$TMP/stub.log" 2>&1 &
PIDS+=($!)
STUB_PID=$!
for p in "${STUB_PORTS[@]}"; do wait_port "$p" stub; done

# --- the gateway, as a production node: client keys required, pricing (cost + ledger rows), responses persisted,
# metrics on (they always are; scraped once per phase), session affinity over four keys/endpoints ---
GATEWAY_EXTRA=()
# The soak keeps the JVM's stop-the-world pauses (GC and safepoints) to tell a paused JVM from a blocked event loop.
[[ "$MODE" == soak ]] && GATEWAY_EXTRA=("-Xlog:safepoint=info,gc=info:file=$TMP/gw-pauses.log:uptime,level,tags")
if [[ "$MODE" == profile ]]; then
  GATEWAY_EXTRA=(-XX:+FlightRecorder -XX:+UnlockDiagnosticVMOptions -XX:+DebugNonSafepoints)
fi
# The Vert.x hop is profiled (PROFILE_TARGET=vertx) with the same options.
HOP_EXTRA=(-Dbench.hop=vertx)
if [[ "$MODE" == profile ]]; then
  HOP_EXTRA=(-XX:+FlightRecorder -XX:+UnlockDiagnosticVMOptions -XX:+DebugNonSafepoints)
fi
start_gateway() { # name, jar, port -> sets GW_PID and GW_KEY
  local name="$1" jar="$2" port="$3" dir="$TMP/$1"
  mkdir -p "$dir"
  {
    echo "server:"
    echo "  host: 127.0.0.1"
    echo "  port: $port"
    echo "  admin_key: $ADMIN_KEY"
    echo "  require_client_keys: true"
    echo "storage:"
    echo "  sqlite_path: $dir/ensemble.db"
    echo "responses:"
    echo "  store: local"
    echo "  local_dir: $dir/responses"
    echo "providers:"
    for kind in openai anthropic; do
      base="http://127.0.0.1:${STUB_PORTS[0]}"; [[ $kind == openai ]] && base="$base/v1"
      echo "  stub_$kind:"
      echo "    type: $kind"
      echo "    base_url: $base"
      echo "    strategy: session_affinity"
      echo "    timeout_ms: 60000"
      echo "    keys:"
      for i in 0 1 2 3; do
        url="http://127.0.0.1:${STUB_PORTS[$i]}"; [[ $kind == openai ]] && url="$url/v1"
        echo "      - { name: k$i, api_key: sk-stub-$i, endpoints: [ { id: $kind-$i, base_url: \"$url\" } ] }"
      done
    done
    echo "models:"
    echo "  bench-gpt:"
    echo "    pricing: { input: 2.5, output: 10 }"
    echo "    providers: [ { provider: stub_openai, model: stub-fast } ]"
    echo "  bench-claude:"
    echo "    pricing: { input: 3, output: 15 }"
    echo "    providers: [ { provider: stub_anthropic, model: stub-fast } ]"
  } > "$dir/ensemble.yaml"
  # shellcheck disable=SC2086
  (cd "$dir" && exec taskset -c "$SERVER_CPU" java $GATEWAY_JVM "${GATEWAY_EXTRA[@]}" -jar "$jar" serve --config "$dir/ensemble.yaml") \
    > "$dir.log" 2>&1 &
  PIDS+=($!)
  GW_PID=$!
  for _ in $(seq 1 300); do
    curl -fs "http://127.0.0.1:$port/api/v1/health" >/dev/null 2>&1 && break
    kill -0 "$GW_PID" 2>/dev/null || { cat "$dir.log" >&2; exit 1; }
    sleep 0.2
  done
  GW_KEY="$(curl -fs -X POST "http://127.0.0.1:$port/admin/clients" -H "Authorization: Bearer $ADMIN_KEY" \
    -H 'content-type: application/json' -d '{"name":"bench","monthly_budget_usd":1000000000}' | sed -n 's/.*"key" *: *"\([^"]*\)".*/\1/p')"
  [[ -n "$GW_KEY" ]] || { echo "could not create a client key on $name" >&2; cat "$dir.log" >&2; exit 1; }
}
start_gateway gw "$JAR" "$GATEWAY"
GATEWAY_PID=$GW_PID
CLIENT_KEY=$GW_KEY
BEFORE_KEY=""
if [[ -n "$BEFORE_JAR" ]]; then
  start_gateway before "$BEFORE_JAR" "$BEFORE"
  BEFORE_KEY=$GW_KEY
  BEFORE_PID=$GW_PID
fi
key_of() { if [[ "$1" == before ]]; then echo "$BEFORE_KEY"; else echo "$CLIENT_KEY"; fi; }

# --- nginx, a plain reverse-proxy hop (keep-alive upstream, no buffering so SSE passes through) ---
mkdir -p "$TMP/nginx/logs"
{
  [[ "$(id -u)" == 0 ]] && echo "user root;"
  echo "daemon off; worker_processes 1; pid $TMP/nginx/nginx.pid; error_log $TMP/nginx/logs/error.log warn;"
  echo "events { worker_connections 16384; }"
  echo "http {"
  echo "  access_log off; client_body_temp_path $TMP/nginx/body; proxy_temp_path $TMP/nginx/proxy;"
  echo "  fastcgi_temp_path $TMP/nginx/fcgi; uwsgi_temp_path $TMP/nginx/uwsgi; scgi_temp_path $TMP/nginx/scgi;"
  echo "  keepalive_requests 1000000;"
  echo "  upstream stub { $(for p in "${STUB_PORTS[@]}"; do printf 'server 127.0.0.1:%s; ' "$p"; done) keepalive 1024; keepalive_requests 1000000; }"
  for listen in "$NGINX_H1" "$NGINX_H2 http2"; do
    echo "  server { listen 127.0.0.1:$listen;"
    echo "    location / { proxy_pass http://stub; proxy_http_version 1.1; proxy_set_header Connection \"\"; proxy_buffering off; } }"
  done
  echo "}"
} > "$TMP/nginx/nginx.conf"
taskset -c "$SERVER_CPU" nginx -p "$TMP/nginx" -c "$TMP/nginx/nginx.conf" -e "$TMP/nginx/logs/error.log" &
PIDS+=($!)
NGINX_PID=$!
wait_port "$NGINX_H1" nginx
wait_port "$NGINX_H2" nginx

# --- a plain hop on the gateway's own stack (Vert.x HTTP server + client, nothing else), same JVM options ---
# shellcheck disable=SC2086
taskset -c "$SERVER_CPU" java $GATEWAY_JVM "${HOP_EXTRA[@]}" -cp "$CP" dev.ensemble.bench.hop.VertxHop "$VERTX_HOP" "${STUB_PORTS[@]}" > "$TMP/vertx.log" 2>&1 &
PIDS+=($!)
VERTX_PID=$!
wait_port "$VERTX_HOP" "vertx hop"

# --- request bodies; the same body goes to every target (the stub ignores the model) ---
PROMPT='You are a concise assistant. Answer in one short sentence.'
printf '{"model":"bench-gpt","messages":[{"role":"system","content":"%s"},{"role":"user","content":"Say ok."}]}' "$PROMPT" > "$TMP/openai.json"
printf '{"model":"bench-gpt","stream":true,"messages":[{"role":"system","content":"%s"},{"role":"user","content":"Say ok."}]}' "$PROMPT" > "$TMP/openai-stream.json"
printf '{"model":"bench-claude","max_tokens":64,"system":"%s","messages":[{"role":"user","content":"Say ok."}]}' "$PROMPT" > "$TMP/anthropic.json"
printf '{"model":"bench-claude","max_tokens":64,"stream":true,"system":"%s","messages":[{"role":"user","content":"Say ok."}]}' "$PROMPT" > "$TMP/anthropic-stream.json"
for f in openai openai-stream anthropic anthropic-stream; do
  for suffix in "" -before; do
    key="$CLIENT_KEY"; [[ -n "$suffix" ]] && key="$BEFORE_KEY"
    cat > "$TMP/$f$suffix.lua" <<EOF
local f = io.open("$TMP/$f.json", "rb"); local body = f:read("*a"); f:close()
wrk.method = "POST"; wrk.body = body
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer $key"
wrk.headers["x-api-key"] = "$key"
wrk.headers["anthropic-version"] = "2023-06-01"
EOF
  done
done
lua() { # target, body name
  [[ "$1" == before ]] && echo "$TMP/$2-before.lua" || echo "$TMP/$2.lua"
}
route_of() { # body name: where that kind of request goes (Anthropic Messages or OpenAI Chat Completions)
  case "$1" in anthropic*) echo /v1/messages ;; *) echo /v1/chat/completions ;; esac
}
# A kind of the profile and threads modes is a body name (openai, openai-stream, anthropic, anthropic-stream), sent
# over HTTP/1.1 by wrk, or that name with "-h2c" (e.g. openai-h2c), sent over h2c by h2load.
body_of() { echo "${1%-h2c}"; }
protocol_of() { [[ "$1" == *-h2c ]] && echo h2c || echo HTTP/1.1; }

url() { # target, path
  case "$1" in
    direct) echo "http://127.0.0.1:${STUB_PORTS[0]}$2" ;;
    nginx) echo "http://127.0.0.1:$NGINX_H1$2" ;;
    vertx) echo "http://127.0.0.1:$VERTX_HOP$2" ;;
    gateway) echo "http://127.0.0.1:$GATEWAY$2" ;;
    before) echo "http://127.0.0.1:$BEFORE$2" ;;
  esac
}
h2url() {
  case "$1" in
    direct) echo "http://127.0.0.1:${STUB_PORTS[0]}$2" ;;
    nginx) echo "http://127.0.0.1:$NGINX_H2$2" ;;
    vertx) echo "http://127.0.0.1:$VERTX_HOP$2" ;;
    gateway) echo "http://127.0.0.1:$GATEWAY$2" ;;
    before) echo "http://127.0.0.1:$BEFORE$2" ;;
  esac
}
drive() { # target, kind, c, seconds -> "rps p50ms p99ms errors"
  local body
  body="$(body_of "$2")"
  if [[ "$(protocol_of "$2")" == h2c ]]; then
    run_h2load "$3" "$(h2url "$1" "$(route_of "$body")")" "$TMP/$body.json" "$4" "$(key_of "$1")"
  else
    run_wrk "$3" "$(url "$1" "$(route_of "$body")")" "$(lua "$1" "$body")" "$4"
  fi
}
to_ms() { # wrk latency ("812.00us", "1.20ms", "2.01s") -> ms
  awk -v v="$1" 'BEGIN { n = v + 0; if (v ~ /us$/) n /= 1000; else if (v ~ /ms$/) n *= 1; else if (v ~ /s$/) n *= 1000; printf "%.3f", n }'
}

# wrk: prints "rps p50ms p99ms errors"
run_wrk() { # c, url, lua, seconds
  local threads=1 out
  out="$(taskset -c "$LOAD_CPU" wrk -t"$threads" -c"$1" -d"$4"s --latency -s "$3" "$2" 2>&1)" || true
  echo "$out" >> "$TMP/wrk.log"
  local rps p50 p99 errors non2xx
  rps="$(echo "$out" | awk '/Requests\/sec/ { print $2 }')"
  p50="$(to_ms "$(echo "$out" | awk '$1 == "50%" { print $2 }')")"
  p99="$(to_ms "$(echo "$out" | awk '$1 == "99%" { print $2 }')")"
  errors="$(echo "$out" | awk '/Socket errors/ { gsub(",", ""); print $4 + $6 + $8 + $10 }')"
  non2xx="$(echo "$out" | awk '/Non-2xx/ { print $NF }')"
  echo "${rps:-0} $p50 $p99 $(( ${errors:-0} + ${non2xx:-0} ))"
}

# h2load (h2c, prior knowledge, one stream per connection at a time): "rps p50ms p99ms errors"
run_h2load() { # c, url, body file, seconds, client key
  local log="$TMP/h2load-$RANDOM.tsv" out
  out="$(taskset -c "$LOAD_CPU" h2load -t1 -c"$1" -m1 -D"$4" --warm-up-time=1 --log-file="$log" -d "$3" \
    -H "content-type: application/json" -H "authorization: Bearer ${5:-$CLIENT_KEY}" \
    $( [[ "$2" == */v1/messages ]] && echo "-H anthropic-version:2023-06-01 -H x-api-key:${5:-$CLIENT_KEY}" ) "$2" 2>&1)" || true
  echo "$out" >> "$TMP/h2load.log"
  local rps errors
  rps="$(echo "$out" | awk '/^finished in/ { for (i = 1; i <= NF; i++) if ($i == "req/s,") print $(i - 1) }')"
  errors="$(echo "$out" | awk '/^requests:/ { print $10 + $12 + $14 }')"
  local pcts
  pcts="$(awk -F'\t' '$2 == 200 { print $3 }' "$log" 2>/dev/null | sort -n | awk '{ a[NR] = $1 } END {
    if (NR == 0) { print "0 0"; exit } printf "%.3f %.3f", a[int(NR * 0.50) + 1] / 1000, a[int(NR * 0.99) + 1] / 1000 }')"
  rm -f "$log"
  echo "${rps:-0} $pcts ${errors:-0}"
}

run_first_event() { # port, seconds, client key -> "count ttfe50 ttfe99 total50 total99" (ms)
  taskset -c "$LOAD_CPU" java -Xmx128m -XX:TieredStopAtLevel=1 -cp "$CP" dev.ensemble.bench.hop.FirstEvent "$1" /v1/chat/completions \
    "$TMP/openai-stream.json" "$2" "Authorization: Bearer ${3:-$CLIENT_KEY}" \
    | sed -E 's/[a-z0-9_]+=//g' | awk '{ printf "%d %.3f %.3f %.3f %.3f", $1, $2 / 1000, $3 / 1000, $4 / 1000, $5 / 1000 }'
}

# A JVM is measured once its JIT has settled: the gateway's C2 compiler threads keep compiling for a minute or more
# of load (on one shared core, ~25 % of the gateway's CPU 40 s in). warm() drives every case in rounds of 4 s each
# until a whole round leaves the C2 threads under 2 % of the process's CPU, at most WARMUP_MAX_S (240) seconds.
WARMUP_MAX_S="${WARMUP_MAX_S:-240}"
jit_share() { # pid -> "c2ticks totalticks"
  local c2=0 all=0 t line
  for t in /proc/"$1"/task/*; do
    line="$(cat "$t/stat" 2>/dev/null)" || continue
    local name="${line#*(}"; name="${name%%)*}"
    local rest=(${line##*) })
    local ticks=$(( ${rest[11]} + ${rest[12]} ))
    all=$(( all + ticks ))
    [[ "$name" == C2* ]] && c2=$(( c2 + ticks ))
  done
  echo "$c2 $all"
}
warm() { # target, pid (empty: one round, for nginx and the stub)
  local t="$1" pid="${2:-}" start=$SECONDS before after
  while :; do
    before="$( [[ -n "$pid" ]] && jit_share "$pid" || echo "0 0")"
    run_wrk 100 "$(url "$t" /v1/chat/completions)" "$(lua "$t" openai)" 4 >/dev/null
    run_wrk 100 "$(url "$t" /v1/chat/completions)" "$(lua "$t" openai-stream)" 4 >/dev/null
    run_wrk 100 "$(url "$t" /v1/messages)" "$(lua "$t" anthropic)" 4 >/dev/null
    if [[ " ${THREADS_KINDS:-} ${PROFILE_KINDS:-} " == *anthropic-stream* ]]; then
      run_wrk 100 "$(url "$t" /v1/messages)" "$(lua "$t" anthropic-stream)" 4 >/dev/null
    fi
    run_h2load 100 "$(h2url "$t" /v1/chat/completions)" "$TMP/openai.json" 4 "$(key_of "$t")" >/dev/null
    run_wrk 1 "$(url "$t" /v1/chat/completions)" "$(lua "$t" openai)" 2 >/dev/null
    [[ -n "$pid" ]] || return 0
    after="$(jit_share "$pid")"
    local share
    share="$(awk -v b="$before" -v a="$after" 'BEGIN { split(b, x, " "); split(a, y, " "); d = y[2] - x[2]; printf "%.1f", (d > 0 ? 100 * (y[1] - x[1]) / d : 0) }')"
    echo "  $t: C2 at $share % of its CPU in the last round ($((SECONDS - start)) s)" >&2
    if awk -v s="$share" 'BEGIN { exit !(s < 2) }' || (( SECONDS - start >= WARMUP_MAX_S )); then
      WARMED[$t]="$((SECONDS - start)) s, C2 at $share % in the last round"
      return 0
    fi
  done
}
declare -A WARMED
pid_of() { case "$1" in gateway) echo "$GATEWAY_PID" ;; before) echo "${BEFORE_PID:-}" ;; vertx) echo "$VERTX_PID" ;; *) echo "" ;; esac; }
# CPU ticks (1/100 s) used so far by a target's own processes: the stub for direct, nginx's master and workers, the JVMs.
own_ticks() {
  local pids
  case "$1" in
    direct) pids="${STUB_PID}" ;;
    nginx) pids="$NGINX_PID $(pgrep -P "$NGINX_PID" | tr '\n' ' ')" ;;
    *) pids="$(pid_of "$1")" ;;
  esac
  local sum=0 p line
  for p in $pids; do
    line="$(cat "/proc/$p/stat" 2>/dev/null)" || continue
    local rest=(${line##*) })
    sum=$(( sum + ${rest[11]} + ${rest[12]} ))
  done
  echo "$sum"
}

if [[ "$MODE" == profile ]]; then
  # PROFILE_TARGET (gateway): which JVM is recorded; "vertx" records the plain Vert.x hop the same way, to set the
  # gateway's samples per request beside the bare stack's (JfrDiff).
  PROFILE_TARGET="${PROFILE_TARGET:-gateway}"
  PROFILED_PID="$(pid_of "$PROFILE_TARGET")"
  echo "warming the $PROFILE_TARGET until its JIT is quiet..." >&2
  warm "$PROFILE_TARGET" "$PROFILED_PID"
  OUTDIR="$ROOT/bench/results"; mkdir -p "$OUTDIR"
  # The JDK's default (low-overhead) settings, sampling Java stacks every JFR_PERIOD (10 ms) instead of every 20.
  # Sampling every millisecond (as earlier runs did) cuts the gateway's throughput several-fold on one core: the
  # sampler suspends the threads it samples, and each suspension waits for the one core. Use a longer DURATION
  # (30..60 s) for more samples.
  sed -E "/<event name=\"jdk.ExecutionSample\">/,/<\/event>/ s#<setting name=\"period\"[^>]*>[^<]*</setting>#<setting name=\"period\">${JFR_PERIOD:-10 ms}</setting>#" \
    "$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")/lib/jfr/default.jfc" > "$TMP/sample.jfc"
  # PROFILE_C ("100"): the concurrency levels recorded, one recording per level and kind ("100 1000" compares them).
  for conc in ${PROFILE_C:-100}; do
  for kind in ${PROFILE_KINDS:-openai openai-stream}; do
    jcmd "$PROFILED_PID" JFR.start name=hop settings="$TMP/sample.jfc" filename="$TMP/$kind.jfr" >/dev/null
    r="$(drive "$PROFILE_TARGET" "$kind" "$conc" "$DURATION")"
    jcmd "$PROFILED_PID" JFR.stop name=hop >/dev/null
    echo "### $PROFILE_TARGET at c=$conc, $(protocol_of "$kind"), $kind: rps p50ms p99ms errors = $r"
    echo
    java -cp "$CP" dev.ensemble.bench.hop.JfrTop "$TMP/$kind.jfr" 30
    cp "$TMP/$kind.jfr" "$OUTDIR/$PROFILE_TARGET-c$conc-$kind.jfr"
  done
  done
  exit 0
fi

if [[ "$MODE" == threads ]]; then
  # CPU by thread: which of the gateway's threads (event loops, workers, GC, JIT, writers) spend the core while
  # wrk drives c = each of THREADS_C ("100"; e.g. "1 100") for DURATION seconds, from /proc/<pid>/task/*/stat before and after, and the CPU per
  # request of each kind of thread; and their context switches per request (voluntary + involuntary, from
  # /proc/<pid>/task/*/status: a thread that parked and was woken counts one). With BEFORE_JAR, the "before" gateway
  # and this one are measured alternately, THREADS_ROUNDS (1) times each, so that both see the same machine.
  THREADS_TARGETS="gateway"
  [[ -n "$BEFORE_JAR" ]] && THREADS_TARGETS="before gateway"
  echo "warming the gateway until its JIT is quiet..." >&2
  for t in $THREADS_TARGETS; do warm "$t" "$(pid_of "$t")"; done
  ticks() { local task cs; for task in /proc/"$1"/task/*; do
      cs="$(awk '/^(non)?voluntary_ctxt_switches/ { s += $2 } END { print s + 0 }' "$task/status" 2>/dev/null)"
      awk -v t="${task##*/}" -v cs="${cs:-0}" '{ sub(/^[0-9]+ \(/, ""); n = index($0, ") "); name = substr($0, 1, n - 1); rest = substr($0, n + 2);
        split(rest, f, " "); gsub(/ /, "_", name); print t, name, f[12] + f[13], cs }' "$task/stat" 2>/dev/null; done; }
  THREADS_C="${THREADS_C:-100}"
  for conc in $THREADS_C; do
  for kind in ${THREADS_KINDS:-openai openai-stream}; do
    for round in $(seq 1 "${THREADS_ROUNDS:-1}"); do
      for t in $THREADS_TARGETS; do
        pid="$(pid_of "$t")"
        ticks "$pid" > "$TMP/before.ticks"
        r="$(drive "$t" "$kind" "$conc" "$DURATION")"
        ticks "$pid" > "$TMP/after.ticks"
        requests="$(awk -v r="$r" -v d="$DURATION" 'BEGIN { split(r, x, " "); printf "%d", x[1] * d }')"
        echo "### $t at c=$conc, $(protocol_of "$kind"), $kind (round $round): rps p50ms p99ms errors = $r"
        echo
        echo "| thread | CPU s | % of the gateway's CPU | µs per request | context switches per request |"
        echo "| --- | ---: | ---: | ---: | ---: |"
        awk -v n="$requests" 'NR == FNR { b[$1] = $3; bs[$1] = $4; next } { d = $3 - b[$1]; if (d < 0) d = 0; s = $4 - bs[$1]; if (s < 0) s = 0;
            g = $2; sub(/[-#]?[0-9]+$/, "", g); c[g] += d; w[g] += s; tot += d; sw += s }
          END { for (g in c) if (c[g] > 0 || w[g] > 0) printf "| %s | %.2f | %.1f %% | %.1f | %.2f |\n", g, c[g] / 100, (tot > 0 ? 100 * c[g] / tot : 0),
                  (n > 0 ? 1e4 * c[g] / n : 0), (n > 0 ? w[g] / n : 0);
                printf "| (all) | %.2f | 100 %% | %.1f | %.2f |\n", tot / 100, (n > 0 ? 1e4 * tot / n : 0), (n > 0 ? sw / n : 0) }' \
          "$TMP/before.ticks" "$TMP/after.ticks" | sort -t'|' -k3 -rn
        echo
      done
    done
  done
  done
  exit 0
fi

if [[ "$MODE" == levels ]]; then
  # What a request costs each hop at each concurrency of LEVELS_C ("100 1000"), HTTP/1.1 non-streamed OpenAI chat, as
  # user and system (kernel) CPU of the hop's own processes per request, and the stub's CPU per request in the same
  # phase: a cost that grows with the number of connections for every hop alike is the kernel's or the stub's, one
  # that grows for one hop only is that hop's own. Targets alternate, LEVELS_ROUNDS (2) times.
  echo "warming the JVMs until their JIT is quiet..." >&2
  for t in $TARGETS; do [[ "$t" == direct ]] || warm "$t" "$(pid_of "$t")"; done
  pids_of() { case "$1" in direct) echo "$STUB_PID" ;; nginx) echo "$NGINX_PID $(pgrep -P "$NGINX_PID" | tr '\n' ' ')" ;; *) pid_of "$1" ;; esac; }
  user_sys() { # pids... -> "utime stime" ticks
    local p line u=0 k=0
    for p in "$@"; do
      line="$(cat "/proc/$p/stat" 2>/dev/null)" || continue
      local rest=(${line##*) })
      u=$(( u + ${rest[11]} )); k=$(( k + ${rest[12]} ))
    done
    echo "$u $k"
  }
  echo "| round | C | target | req/s | own user µs/req | own system µs/req | own µs/req | stub µs/req (same phase) |"
  echo "| ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: |"
  for round in $(seq 1 "${LEVELS_ROUNDS:-2}"); do
    for conc in ${LEVELS_C:-100 1000}; do
      for t in $TARGETS; do
        [[ "$t" == direct ]] && continue
        # shellcheck disable=SC2046
        read -r u0 k0 <<< "$(user_sys $(pids_of "$t"))"
        read -r su0 sk0 <<< "$(user_sys "$STUB_PID")"
        r="$(run_wrk "$conc" "$(url "$t" /v1/chat/completions)" "$(lua "$t" openai)" "$DURATION")"
        # shellcheck disable=SC2046
        read -r u1 k1 <<< "$(user_sys $(pids_of "$t"))"
        read -r su1 sk1 <<< "$(user_sys "$STUB_PID")"
        awk -v round="$round" -v c="$conc" -v t="$t" -v r="$r" -v d="$DURATION" -v u=$((u1 - u0)) -v k=$((k1 - k0)) -v s=$((su1 + sk1 - su0 - sk0)) 'BEGIN {
          split(r, x, " "); n = x[1] * d; if (n <= 0) n = 1
          printf "| %d | %d | %s | %.0f | %.1f | %.1f | %.1f | %.1f |\n", round, c, t, x[1], 1e4 * u / n, 1e4 * k / n, 1e4 * (u + k) / n, 1e4 * s / n }'
      done
    done
  done
  exit 0
fi

if [[ "$MODE" == soak ]]; then
  # A steady moderate load for SOAK_SECONDS over h2c (non-streamed OpenAI chat, OpenAI SSE streams, Anthropic
  # messages, each at a fixed rate), sampling the gateway every SOAK_SAMPLE_S seconds: RSS, live heap after a full
  # GC, threads, open files, data on disk. The figures that matter are the first and last samples' difference.
  SOAK_SECONDS="${SOAK_SECONDS:-3600}"
  SOAK_SAMPLE_S="${SOAK_SAMPLE_S:-60}"
  SOAK_CLIENTS="${SOAK_CLIENTS:-10}"
  SOAK_CHAT_RPS="${SOAK_CHAT_RPS:-100}"
  SOAK_STREAM_RPS="${SOAK_STREAM_RPS:-20}"
  SOAK_ANTHROPIC_RPS="${SOAK_ANTHROPIC_RPS:-30}"
  STAMP="$(date -u +%Y-%m-%dT%H%MZ)"
  OUTDIR="$ROOT/bench/results"; mkdir -p "$OUTDIR"
  OUT="$OUTDIR/soak-$STAMP.md"
  say() { echo "$*" | tee -a "$OUT"; }
  : > "$OUT"
  say "## Soak $STAMP"
  say ""
  say "Machine: $(nproc) cores, $(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo), $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo) RAM;"
  say "$(java -version 2>&1 | head -1); $(h2load --version 2>&1 | head -1); commit $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?')."
  say "Gateway JVM: \`$GATEWAY_JVM\`; server side on CPU $SERVER_CPU, load on CPU $LOAD_CPU; $SOAK_SECONDS s, a sample every $SOAK_SAMPLE_S s."
  say "Load, h2c, $SOAK_CLIENTS connections each: OpenAI chat $SOAK_CHAT_RPS req/s, OpenAI SSE (20 chunks + usage) $SOAK_STREAM_RPS streams/s, Anthropic messages $SOAK_ANTHROPIC_RPS req/s."
  say "Load average at start: $(cut -d' ' -f1-3 /proc/loadavg)."
  say ""
  echo "warming the gateway (10 s)..." >&2
  run_wrk 20 "$(url gateway /v1/chat/completions)" "$TMP/openai.lua" 5 >/dev/null
  run_wrk 20 "$(url gateway /v1/chat/completions)" "$TMP/openai-stream.lua" 5 >/dev/null
  soak_load() { # name, rps, path, body, extra headers...
    local name="$1" rps="$2" path="$3" body="$4"; shift 4
    local per=$(( (rps + SOAK_CLIENTS - 1) / SOAK_CLIENTS ))
    taskset -c "$LOAD_CPU" h2load -t1 -c"$SOAK_CLIENTS" -m1 --rps="$per" -D"$SOAK_SECONDS" -d "$body" \
      -H "content-type: application/json" "$@" "$(h2url gateway "$path")" > "$TMP/soak-$name.log" 2>&1
  }
  soak_load chat "$SOAK_CHAT_RPS" /v1/chat/completions "$TMP/openai.json" -H "authorization: Bearer $CLIENT_KEY" &
  LOADS=($!)
  soak_load stream "$SOAK_STREAM_RPS" /v1/chat/completions "$TMP/openai-stream.json" -H "authorization: Bearer $CLIENT_KEY" &
  LOADS+=($!)
  soak_load anthropic "$SOAK_ANTHROPIC_RPS" /v1/messages "$TMP/anthropic.json" -H "x-api-key: $CLIENT_KEY" -H "anthropic-version: 2023-06-01" &
  LOADS+=($!)
  PIDS+=("${LOADS[@]}")
  say "| minute | RSS MiB | live heap MiB (class histogram after a full GC) | threads | open files | data dir MiB |"
  say "| ---: | ---: | ---: | ---: | ---: | ---: |"
  sample() {
    local rss live threads fds disk
    rss="$(awk '/VmRSS/ { printf "%.0f", $2 / 1024 }' "/proc/$GATEWAY_PID/status")"
    # The class histogram's total is the live heap: jcmd runs a full GC first and counts what survives.
    local t0=$SECONDS
    live="$(jcmd "$GATEWAY_PID" GC.class_histogram 2>/dev/null | awk '$1 == "Total" { printf "%.1f", $3 / 1048576 }')"
    (( SECONDS - t0 > 5 )) && echo "sample $1: the class histogram took $((SECONDS - t0)) s" >> "$TMP/slow-samples.log"
    threads="$(awk '/Threads/ { print $2 }' "/proc/$GATEWAY_PID/status")"
    fds="$(ls "/proc/$GATEWAY_PID/fd" 2>/dev/null | wc -l)"
    disk="$(du -sm "$TMP/gw" 2>/dev/null | cut -f1)"
    say "| $1 | $rss | ${live:-?} | $threads | $fds | $disk |"
  }
  start=$SECONDS
  sample 0
  while (( SECONDS - start < SOAK_SECONDS )); do
    sleep "$SOAK_SAMPLE_S"
    kill -0 "$GATEWAY_PID" 2>/dev/null || { say "gateway exited"; break; }
    sample "$(awk -v s=$((SECONDS - start)) 'BEGIN { printf "%.1f", s / 60 }')"
  done
  for pid in "${LOADS[@]}"; do wait "$pid" || true; done
  say ""
  for name in chat stream anthropic; do
    say "$name: $(grep -E '^requests:' "$TMP/soak-$name.log" | head -1); $(grep -E '^status codes:' "$TMP/soak-$name.log" | head -1)"
  done
  say ""
  say "Load average at end: $(cut -d' ' -f1-3 /proc/loadavg). Gateway log WARN/ERROR lines: $(grep -c -E ' (WARN|ERROR) ' "$TMP/gw.log" || true)."
  grep -E ' (WARN|ERROR) ' "$TMP/gw.log" | head -20 | sed 's/^/    /' | tee -a "$OUT" || true
  # A blocked-thread warning names the event loop; its stack (logged from 5 s on) says what held it.
  grep -A6 -E 'has been blocked' "$TMP/gw.log" | grep -E '^\s+at ' | head -12 | sed 's/^/    /' | tee -a "$OUT" || true
  say ""
  # Pauses over 1 s: a safepoint's "Total: <ns> ns" (time to reach it included) or a GC pause's "<ms>ms".
  long_pauses() {
    awk '(match($0, /Total: [0-9]+ ns/) && substr($0, RSTART + 7, RLENGTH - 10) + 0 > 1e9) ||
         (/Pause/ && match($0, /[0-9.]+ms$/) && substr($0, RSTART, RLENGTH - 2) + 0 > 1000)' "$TMP/gw-pauses.log" 2>/dev/null
  }
  say "Stop-the-world pauses over 1 s (-Xlog:safepoint,gc): $(long_pauses | wc -l)."
  long_pauses | head -10 | sed 's/^/    /' | tee -a "$OUT"
  if [[ -s "$TMP/slow-samples.log" ]]; then sed 's/^/    /' "$TMP/slow-samples.log" | tee -a "$OUT"; fi
  echo "written to $OUT" >&2
  exit 0
fi

# --- the run ---
STAMP="$(date -u +%Y-%m-%dT%H%MZ)"
OUTDIR="$ROOT/bench/results"; mkdir -p "$OUTDIR"
OUT="$OUTDIR/side-by-side-$STAMP.md"
say() { echo "$*" | tee -a "$OUT"; }
: > "$OUT"
say "## Side-by-side run $STAMP"
say ""
say "Machine: $(nproc) cores, $(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo), $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo) RAM;"
say "$(java -version 2>&1 | head -1); $(nginx -v 2>&1); $(wrk -v 2>&1 | head -1 | cut -c1-40); $(h2load --version 2>&1 | head -1)."
say "Server side (stub, nginx, gateway) on CPU $SERVER_CPU, load on CPU $LOAD_CPU; $DURATION s per phase; gateway JVM: \`$GATEWAY_JVM\`."
say "Load average at start: $(cut -d' ' -f1-3 /proc/loadavg)."
say ""

echo "warm-up (every case on every target; the gateways until their JIT is quiet; discarded)..." >&2
for t in $TARGETS; do
  warm "$t" "$(pid_of "$t")"
done
for t in gateway before; do
  [[ -n "${WARMED[$t]:-}" ]] && say "Warm-up of $t: ${WARMED[$t]}."
done
say ""

declare -A RPS P50 P99 ERR OWN
record() { # key, "rps p50 p99 errors"
  read -r RPS[$1] P50[$1] P99[$1] ERR[$1] <<< "$2"
  # the target's own CPU per request over the phase (ticks taken just before it by mark)
  local t="${1##*/}" ticks
  ticks=$(( $(own_ticks "$t") - MARK ))
  OWN[$1]="$(awk -v k="$ticks" -v r="${RPS[$1]}" -v d="$DURATION" 'BEGIN { printf "%.0f", (r > 0 ? k * 1e4 / (r * d) : 0) }')"
}
mark() { MARK="$(own_ticks "$1")"; }
for c in $LEVELS; do
  for t in $TARGETS; do
    if has_case h1; then
      echo "h1 c=$c $t" >&2; mark "$t"; record "h1/$c/$t" "$(run_wrk "$c" "$(url "$t" /v1/chat/completions)" "$(lua "$t" openai)" "$DURATION")"
    fi
    if has_case h2c; then
      echo "h2c c=$c $t" >&2; mark "$t"
      record "h2c/$c/$t" "$(run_h2load "$c" "$(h2url "$t" /v1/chat/completions)" "$TMP/openai.json" "$DURATION" "$(key_of "$t")")"
    fi
  done
done
for t in $TARGETS; do
  if has_case sse; then
    echo "sse c=100 $t" >&2; mark "$t"; record "sse/100/$t" "$(run_wrk 100 "$(url "$t" /v1/chat/completions)" "$(lua "$t" openai-stream)" "$DURATION")"
  fi
  if has_case anthropic; then
    echo "anthropic c=100 $t" >&2; mark "$t"; record "anthropic/100/$t" "$(run_wrk 100 "$(url "$t" /v1/messages)" "$(lua "$t" anthropic)" "$DURATION")"
  fi
done
declare -A FE
if has_case first; then
  for t in $TARGETS; do
    case $t in direct) port=${STUB_PORTS[0]} ;; nginx) port=$NGINX_H1 ;; vertx) port=$VERTX_HOP ;; gateway) port=$GATEWAY ;; before) port=$BEFORE ;; esac
    echo "first event c=1 $t" >&2; FE[$t]="$(run_first_event "$port" "$DURATION" "$(key_of "$t")")"
  done
fi

say "| test | C | target | req/s | % of nginx | errors | p50 ms | p99 ms | Δp50 ms | Δp99 ms | extra CPU µs/req | own CPU µs/req |"
say "| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
row() { # test, c, key prefix
  local k="$3" t
  [[ -n "${RPS[$k/direct]:-}" ]] || return 0
  for t in $TARGETS; do
    awk -v test="$1" -v c="$2" -v t="$t" -v rps="${RPS[$k/$t]}" -v hop="${RPS[$k/nginx]}" -v drps="${RPS[$k/direct]}" \
      -v p50="${P50[$k/$t]}" -v p99="${P99[$k/$t]}" -v d50="${P50[$k/direct]}" -v d99="${P99[$k/direct]}" -v err="${ERR[$k/$t]}" -v own="${OWN[$k/$t]}" 'BEGIN {
      if (t == "direct") { printf "| %s | %s | %s | %.0f | | %s | %.3f | %.3f | | | | %s |\n", test, c, t, rps, err, p50, p99, own; exit }
      cpu = (rps > 0 && drps > 0) ? 1e6 / rps - 1e6 / drps : 0
      pct = hop > 0 ? 100 * rps / hop : 0
      printf "| %s | %s | %s | %.0f | %.0f %% | %s | %.3f | %.3f | %+.3f | %+.3f | %.0f | %s |\n", test, c, t, rps, pct, err, p50, p99, p50 - d50, p99 - d99, cpu, own }' | tee -a "$OUT"
  done
}
for c in $LEVELS; do row "OpenAI chat, HTTP/1.1" "$c" "h1/$c"; done
for c in $LEVELS; do row "OpenAI chat, h2c" "$c" "h2c/$c"; done
row "OpenAI SSE, 20 chunks + usage (whole stream)" 100 "sse/100"
row "Anthropic messages, HTTP/1.1" 100 "anthropic/100"
say ""
if has_case first; then
say "Time to first SSE event and to the end of the stream, c = 1, HTTP/1.1 keep-alive (FirstEvent):"
say ""
say "| target | streams | first event p50 ms | p99 ms | Δp50 ms | whole stream p50 ms | p99 ms | Δp50 ms |"
say "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
for t in $TARGETS; do
  read -r n f50 f99 w50 w99 <<< "${FE[$t]}"
  read -r _ df50 _ dw50 _ <<< "${FE[direct]}"
  awk -v t="$t" -v n="$n" -v f50="$f50" -v f99="$f99" -v w50="$w50" -v w99="$w99" -v df="$df50" -v dw="$dw50" 'BEGIN {
    printf "| %s | %d | %.3f | %.3f | %+.3f | %.3f | %.3f | %+.3f |\n", t, n, f50, f99, f50 - df, w50, w99, w50 - dw }' | tee -a "$OUT"
done
say ""
fi
if [[ -n "${RPS[h1/1000/gateway]:-}" && -n "${RPS[h1/100/gateway]:-}" ]]; then
  say "Gateway throughput at c=1000 against c=100 (HTTP/1.1): $(awk -v a="${RPS[h1/1000/gateway]}" -v b="${RPS[h1/100/gateway]}" 'BEGIN { printf "%.0f %%", (b > 0 ? 100 * a / b : 0) }')."
fi
say "Load average at end: $(cut -d' ' -f1-3 /proc/loadavg). Gateway log WARN/ERROR lines: $(grep -c -E ' (WARN|ERROR) ' "$TMP/gw.log" || true);"
say "responses persisted: $(cat "$TMP"/gw/responses/*/seg-*.log 2>/dev/null | wc -l) (lines in the store's segment files)."
if [[ -n "$BEFORE_JAR" ]]; then
  say "Target \`before\`: the same gateway setup from \`$BEFORE_JAR\` (its log WARN/ERROR lines: $(grep -c -E ' (WARN|ERROR) ' "$TMP/before.log" || true))."
fi
echo "written to $OUT" >&2
