#!/usr/bin/env bash
# Measures the performance targets recorded in benchmarks/README.md, each against one server
# instance shared by the library and its baseline within the same run:
#   1. retrieve over TLS at C=64: wrk -c64 vs intercom-bench retrieve (target: >= 50 % of wrk)
#   2. paginate N contacts over TLS: bare Beast loop vs intercom-bench paginate (target: <= 1.5x)
#   3. peak RSS of the client while paginating 20k and 100k contacts (target: flat)
#   4. typed decode vs raw boost::json::parse MB/s (target: >= 40 %)
# The servers are `intercom-bench serve` processes, so RSS numbers are the client's alone.
#
#   tools/bench-targets.sh [build-dir]        (default build/release; build it first:
#   cmake --preset release -DINTERCOM_BUILD_BENCHMARKS=ON && cmake --build --preset release
#         --target intercom-bench intercom-microbench)
# Env: WRK_SECONDS (10), RETRIEVE_REQUESTS (40000), CLIENT_THREADS (1), SERVER_THREADS (1),
#      PAGINATE_CONTACTS (20000), REPEAT (3), SKIP_RETRIEVE, SKIP_PAGINATE, SKIP_RSS, SKIP_MICRO.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build/release}
bench=$build/benchmarks/intercom-bench
micro=$build/benchmarks/intercom-microbench
wrk_seconds=${WRK_SECONDS:-10}
retrieve_requests=${RETRIEVE_REQUESTS:-40000}
client_threads=${CLIENT_THREADS:-1}
server_threads=${SERVER_THREADS:-1}
paginate_contacts=${PAGINATE_CONTACTS:-20000}
repeat=${REPEAT:-3}
[ -x "$bench" ] || { echo "missing $bench (build the intercom-bench target first)" >&2; exit 2; }
command -v wrk >/dev/null || { echo "wrk is not installed (Debian: apt-get install wrk)" >&2; exit 2; }

tmp=$(mktemp -d)
server_pid=""
stop_server() {
    if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
    server_pid=""
}
trap 'stop_server; rm -rf "$tmp"' EXIT

# Starts `intercom-bench serve` with the given flags; sets url, ca, contact_id.
servers=0
start_server() {
    stop_server
    servers=$((servers + 1))
    local out="$tmp/serve$servers.out"
    "$bench" serve --scheme=https --server-threads="$server_threads" --ca-out="$tmp/ca$servers.pem" "$@" >"$out" &
    server_pid=$!
    for _ in $(seq 1 1200); do grep -q '^READY' "$out" 2>/dev/null && break; sleep 0.1; done
    grep -q '^READY' "$out" || { echo "server did not start" >&2; cat "$out" >&2; exit 1; }
    url=$(sed -n 's/^URL=//p' "$out")
    ca=$(sed -n 's/^CA_FILE=//p' "$out")
    contact_id=$(sed -n 's/^CONTACT_ID=//p' "$out")
}

field() { sed -n "s/.* $1=\([^ ]*\).*/\1/p" | tail -1; }

echo "== machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), load $(cut -d' ' -f1-3 /proc/loadavg)"
summary=()

if [ -z "${SKIP_RETRIEVE:-}" ]; then
echo "== 1. retrieve over TLS at C=64, one server for both tools"
start_server --contacts=1000
echo "server $url (pid $server_pid), contact $contact_id"
target_url="$url/contacts/$contact_id"
headers=(-H "Authorization: Bearer bench-token" -H "Intercom-Version: 2.11" -H "Accept: application/json")
# wrk's own CPU time per request is measured too: on a shared machine it says more than req/s.
/usr/bin/time -f "wrk_cpu_seconds=%U+%S" -o "$tmp/wrk.time" \
    wrk -t2 -c64 -d"${wrk_seconds}s" --latency "${headers[@]}" "$target_url" | tee "$tmp/wrk.out"
wrk_rps=$(awk '/^Requests\/sec:/ {print $2}' "$tmp/wrk.out")
wrk_total=$(awk '/requests in/ {print $1}' "$tmp/wrk.out")
wrk_cpu=$(sed -n 's/^wrk_cpu_seconds=//p' "$tmp/wrk.time" | awk -F+ -v n="$wrk_total" '{ printf "%.1f", ($1 + $2) * 1e6 / n }')
echo "RESULT tool=wrk op=retrieve scheme=https c=64 rps=$wrk_rps requests=$wrk_total client_cpu_us_per_req=$wrk_cpu"
for mode in typed raw; do
    flag=""; [ "$mode" = raw ] && flag="--raw"
    "$bench" retrieve --base-url="$url" --ca-file="$ca" --id="$contact_id" --concurrency=64 $flag \
        --requests="$retrieve_requests" --threads="$client_threads" | tee "$tmp/retrieve.out"
    line=$(grep '^RESULT' "$tmp/retrieve.out")
    lib_rps=$(echo "$line" | field rps)
    ratio=$(awk -v a="$lib_rps" -v b="$wrk_rps" 'BEGIN { printf "%.2f", a / b }')
    summary+=("retrieve TLS C=64 ($mode, $client_threads client thread(s)): intercom-cpp $lib_rps req/s, wrk -t2 $wrk_rps req/s, ratio $ratio (target >= 0.50); CPU per request: intercom-cpp $(echo "$line" | field client_cpu_us_per_req) us, wrk $wrk_cpu us")
done
stop_server
fi

if [ -z "${SKIP_PAGINATE:-}" ]; then
echo "== 2. paginate $paginate_contacts contacts over TLS: bare Beast loop vs typed pager, alternating x$repeat"
start_server --contacts="$paginate_contacts"
beast_best="" lib_best=""
for i in $(seq 1 "$repeat"); do
    b=$("$bench" paginate-beast --base-url="$url" --ca-file="$ca" | tee -a "$tmp/pag.out" | grep '^RESULT' | field seconds)
    l=$("$bench" paginate --base-url="$url" --ca-file="$ca" | tee -a "$tmp/pag.out" | grep '^RESULT' | field seconds)
    echo "run $i: beast ${b}s, intercom-cpp ${l}s"
    beast_best=$(awk -v a="$b" -v m="$beast_best" 'BEGIN { print (m == "" || a < m) ? a : m }')
    lib_best=$(awk -v a="$l" -v m="$lib_best" 'BEGIN { print (m == "" || a < m) ? a : m }')
done
grep '^RESULT' "$tmp/pag.out"
ratio=$(awk -v a="$lib_best" -v b="$beast_best" 'BEGIN { printf "%.2f", a / b }')
summary+=("paginate $paginate_contacts TLS (best of $repeat): intercom-cpp ${lib_best}s, bare Beast ${beast_best}s, ratio ${ratio}x (target <= 1.5)")
rss20=$("$bench" paginate --base-url="$url" --ca-file="$ca" | grep '^RESULT')
echo "$rss20"
stop_server

fi

if [ -z "${SKIP_RSS:-}" ] && [ -z "${SKIP_PAGINATE:-}" ]; then
    echo "== 3. client peak RSS while paginating 100000 contacts"
    start_server --contacts=100000
    rss100=$("$bench" paginate --base-url="$url" --ca-file="$ca" | grep '^RESULT')
    echo "$rss100"
    stop_server
    summary+=("peak RSS paginating: 20k $(echo "$rss20" | field peak_rss_mb) MiB, 100k $(echo "$rss100" | field peak_rss_mb) MiB")
fi

if [ -z "${SKIP_MICRO:-}" ] && [ -x "$micro" ]; then
    echo "== 4. typed decode vs raw parse (Google Benchmark)"
    "$micro" --benchmark_filter='decode' --benchmark_min_time=1 --benchmark_color=false | tee "$tmp/micro.out"
    line=$(grep '^RESULT tool=intercom-cpp op=decode' "$tmp/micro.out")
    summary+=("decode: typed $(echo "$line" | field typed_mb_s) MB/s, raw $(echo "$line" | field raw_mb_s) MB/s, ratio $(echo "$line" | field ratio) (target >= 0.40)")
fi

echo
echo "== summary (load now: $(cut -d' ' -f1-3 /proc/loadavg))"
printf '  %s\n' "${summary[@]}"
