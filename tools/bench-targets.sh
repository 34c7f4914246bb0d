#!/usr/bin/env bash
# Measures the hot-path targets of issue #15 (recorded in benchmarks/README.md). Each section starts
# ONE `intercom-bench serve --scheme=https` process and runs every side of its comparisons against
# that same server within the same run, so the tools differ only in the client. The servers are
# other processes, so CPU, allocation and RSS figures are the client's alone.
#
#   1. retrieve, TLS, C=64, one client thread, limiter off: wrk -t2 -c64 (req/s and wrk's own CPU per
#      request), retrieve-beast (bare Beast), retrieve typed --threading=one and --threading=any,
#      retrieve --raw --threading=one.
#      Targets: typed CPU per request / bare Beast <= 1.5; typed req/s / wrk req/s >= 0.6;
#               typed allocations per request / bare Beast <= 2 (typed = --threading=one).
#   2. retrieve at C=8 and C=1 (retrieve-beast vs typed --threading=one, limiter off).
#      Target: C=1 p50 latency typed / bare Beast <= 1.3. CPU ratios reported.
#   3. paginate PAGINATE_CONTACTS contacts: paginate-beast vs paginate (typed, --no-limiter
#      --threading=one), alternating REPEAT times, best-of client CPU.
#      Target: client CPU typed / bare Beast <= 1.2. Peak RSS of both reported.
#   4. client threads: retrieve typed at C=64 (limiter off) with --threads=1 --threading=one and
#      --threads=2 --threading=any against one server: req/s of each and the ratio.
#   5. (SKIP_RSS) client peak RSS of the typed pager over RSS_CONTACTS contacts vs section 3's
#      (target: flat).
#   6. (SKIP_MICRO) typed decode vs raw boost::json::parse MB/s from intercom-microbench (target
#      >= 0.40), only when that binary was built.
# Every RESULT line is echoed as it is measured and again, all together, at the end (for pasting
# into benchmarks/README.md), followed by a summary: each target, the measured value, met/missed.
#
#   tools/bench-targets.sh [build-dir]        (default build/release; build it first:
#   cmake --preset release && cmake --build --preset release --target intercom-bench [intercom-microbench])
# Env: WRK_SECONDS (10), RETRIEVE_REQUESTS (40000: C=64, C=8 and the threads section),
#      C1_REQUESTS (RETRIEVE_REQUESTS / 4), SERVER_THREADS (1), PAGINATE_CONTACTS (20000), REPEAT (3),
#      RSS_CONTACTS (100000), SKIP_RETRIEVE, SKIP_LOWC, SKIP_PAGINATE, SKIP_THREADS, SKIP_RSS,
#      SKIP_MICRO (any non-empty value skips that section).
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build/release}
bench=$build/benchmarks/intercom-bench
micro=$build/benchmarks/intercom-microbench
wrk_seconds=${WRK_SECONDS:-10}
retrieve_requests=${RETRIEVE_REQUESTS:-40000}
c1_requests=${C1_REQUESTS:-$((retrieve_requests / 4))}
server_threads=${SERVER_THREADS:-1}
paginate_contacts=${PAGINATE_CONTACTS:-20000}
repeat=${REPEAT:-3}
rss_contacts=${RSS_CONTACTS:-100000}
[ -x "$bench" ] || { echo "missing $bench (build the intercom-bench target first)" >&2; exit 2; }
command -v wrk >/dev/null || { echo "wrk is not installed (Debian: apt-get install wrk)" >&2; exit 2; }
[ -x /usr/bin/time ] || { echo "/usr/bin/time is not installed (Debian: apt-get install time)" >&2; exit 2; }

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
    echo "server $url (pid $server_pid), contact $contact_id"
}

results=()   # every RESULT line, in order
targets=()   # "target | measured | verdict"
infos=()     # measured values without a target

# Runs intercom-bench against the current server; prints its table and RESULT line and sets `line`.
run() {
    local out="$tmp/run.out"
    if ! "$bench" "$1" --base-url="$url" --ca-file="$ca" "${@:2}" >"$out"; then
        cat "$out"
        echo "FAILED: intercom-bench $*" >&2
        exit 1
    fi
    cat "$out"
    line=$(grep '^RESULT' "$out" | tail -1)
    results+=("$line")
}

field() { sed -n "s/.* $1=\([^ ]*\).*/\1/p" | tail -1; }
# a / b with two decimals, "na" when either is missing or not a number, or b is 0.
ratio() {
    awk -v a="$1" -v b="$2" 'BEGIN {
        if (a !~ /^-?[0-9.]+$/ || b !~ /^-?[0-9.]+$/ || b + 0 == 0) print "na"; else printf "%.2f", a / b }'
}
# Records a target: name, measured value, operator (<= or >=), bound.
target() {
    local verdict
    verdict=$(awk -v v="$2" -v op="$3" -v t="$4" 'BEGIN {
        if (v !~ /^-?[0-9.]+$/) print "n/a"; else if ((op == "<=" && v + 0 <= t + 0) || (op == ">=" && v + 0 >= t + 0)) print "met"; else print "missed" }')
    targets+=("$1: $2 (target $3 $4) -> $verdict")
}
min() { awk -v a="$1" -v m="$2" 'BEGIN { print (m == "" || a + 0 < m + 0) ? a : m }'; }
max() { awk -v a="$1" -v m="$2" 'BEGIN { print (m == "" || a + 0 > m + 0) ? a : m }'; }

echo "== $(date -u '+%F %T') UTC; machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), load $(cut -d' ' -f1-3 /proc/loadavg)"

# The library's default headers (beast_common.hpp make_get sends the same for the Beast baselines).
wrk_headers=(-H "Authorization: Bearer bench-token" -H "Intercom-Version: 2.11" -H "Accept: application/json"
             -H "User-Agent: intercom-cpp/0.1" -H "Accept-Encoding: gzip")

if [ -z "${SKIP_RETRIEVE:-}" ]; then
    echo "== 1. retrieve, TLS, C=64, one client thread, limiter off: wrk, bare Beast, typed (one/any), raw"
    start_server --contacts=1000
    # wrk's own CPU time per request too: on a shared machine it says more than req/s.
    /usr/bin/time -f "wrk_cpu_seconds=%U+%S" -o "$tmp/wrk.time" \
        wrk -t2 -c64 -d"${wrk_seconds}s" --latency "${wrk_headers[@]}" "$url/contacts/$contact_id" | tee "$tmp/wrk.out"
    wrk_rps=$(awk '/^Requests\/sec:/ {print $2}' "$tmp/wrk.out")
    wrk_total=$(awk '/requests in/ {print $1}' "$tmp/wrk.out")
    wrk_cpu=$(sed -n 's/^wrk_cpu_seconds=//p' "$tmp/wrk.time" | awk -F+ -v n="$wrk_total" '{ printf "%.1f", ($1 + $2) * 1e6 / n }')
    line="RESULT tool=wrk op=retrieve scheme=https c=64 threads=2 rps=$wrk_rps requests=$wrk_total client_cpu_us_per_req=$wrk_cpu"
    echo "$line"
    results+=("$line")
    common=(--id="$contact_id" --concurrency=64 --requests="$retrieve_requests" --threads=1)
    run retrieve-beast "${common[@]}"; bare=$line
    run retrieve "${common[@]}" --no-limiter --threading=one; one=$line
    run retrieve "${common[@]}" --no-limiter --threading=any; any=$line
    run retrieve "${common[@]}" --no-limiter --threading=one --raw; raw=$line
    cpu() { echo "$1" | field client_cpu_us_per_req; }
    target "C=64 TLS: client CPU per request, typed (one) / bare Beast ($(cpu "$one") / $(cpu "$bare") us)" \
        "$(ratio "$(cpu "$one")" "$(cpu "$bare")")" "<=" 1.5
    target "C=64 TLS: req/s, typed (one) / wrk -t2 ($(echo "$one" | field rps) / $wrk_rps)" \
        "$(ratio "$(echo "$one" | field rps)" "$wrk_rps")" ">=" 0.6
    target "C=64 TLS: allocations per request, typed (one) / bare Beast ($(echo "$one" | field allocs_per_req) / $(echo "$bare" | field allocs_per_req))" \
        "$(ratio "$(echo "$one" | field allocs_per_req)" "$(echo "$bare" | field allocs_per_req)")" "<=" 2
    infos+=("C=64 TLS: client CPU per request (us): wrk $wrk_cpu, bare Beast $(cpu "$bare"), typed one $(cpu "$one"), typed any $(cpu "$any"), raw one $(cpu "$raw"); typed any / bare $(ratio "$(cpu "$any")" "$(cpu "$bare")"), raw / bare $(ratio "$(cpu "$raw")" "$(cpu "$bare")")")
    infos+=("C=64 TLS: req/s: wrk $wrk_rps, bare Beast $(echo "$bare" | field rps), typed one $(echo "$one" | field rps), typed any $(echo "$any" | field rps), raw one $(echo "$raw" | field rps); bare / wrk $(ratio "$(echo "$bare" | field rps)" "$wrk_rps")")
    infos+=("C=64 TLS: allocations per request: bare Beast $(echo "$bare" | field allocs_per_req), typed one $(echo "$one" | field allocs_per_req), typed any $(echo "$any" | field allocs_per_req), raw one $(echo "$raw" | field allocs_per_req)")
    stop_server
fi

if [ -z "${SKIP_LOWC:-}" ]; then
    echo "== 2. retrieve, TLS, C=8 and C=1: bare Beast vs typed --threading=one, limiter off"
    start_server --contacts=1000
    for c in 8 1; do
        n=$retrieve_requests; [ "$c" = 1 ] && n=$c1_requests
        common=(--id="$contact_id" --concurrency="$c" --requests="$n" --threads=1)
        run retrieve-beast "${common[@]}"; bare=$line
        run retrieve "${common[@]}" --no-limiter --threading=one; one=$line
        bare_cpu=$(echo "$bare" | field client_cpu_us_per_req); one_cpu=$(echo "$one" | field client_cpu_us_per_req)
        infos+=("C=$c TLS: client CPU per request typed / bare Beast = $one_cpu / $bare_cpu us = $(ratio "$one_cpu" "$bare_cpu"); p50 $(echo "$one" | field p50_ms) / $(echo "$bare" | field p50_ms) ms; req/s $(echo "$one" | field rps) / $(echo "$bare" | field rps); allocations $(echo "$one" | field allocs_per_req) / $(echo "$bare" | field allocs_per_req)")
        if [ "$c" = 1 ]; then
            target "C=1 TLS: p50 latency, typed (one) / bare Beast ($(echo "$one" | field p50_ms) / $(echo "$bare" | field p50_ms) ms)" \
                "$(ratio "$(echo "$one" | field p50_ms)" "$(echo "$bare" | field p50_ms)")" "<=" 1.3
        fi
    done
    stop_server
fi

pag_rss=""
if [ -z "${SKIP_PAGINATE:-}" ]; then
    echo "== 3. paginate $paginate_contacts contacts, TLS: bare Beast vs typed pager (--no-limiter --threading=one), alternating x$repeat"
    start_server --contacts="$paginate_contacts"
    beast_cpu="" lib_cpu="" beast_secs="" lib_secs="" beast_rss="" lib_rss="" beast_line="" lib_line=""
    for i in $(seq 1 "$repeat"); do
        run paginate-beast
        b_cpu=$(echo "$line" | field client_cpu_seconds)
        [ "$(min "$b_cpu" "$beast_cpu")" = "$b_cpu" ] && beast_line=$line
        beast_cpu=$(min "$b_cpu" "$beast_cpu")
        beast_secs=$(min "$(echo "$line" | field seconds)" "$beast_secs")
        beast_rss=$(max "$(echo "$line" | field peak_rss_mb)" "$beast_rss")
        run paginate --no-limiter --threading=one
        l_cpu=$(echo "$line" | field client_cpu_seconds)
        [ "$(min "$l_cpu" "$lib_cpu")" = "$l_cpu" ] && lib_line=$line
        lib_cpu=$(min "$l_cpu" "$lib_cpu")
        lib_secs=$(min "$(echo "$line" | field seconds)" "$lib_secs")
        lib_rss=$(max "$(echo "$line" | field peak_rss_mb)" "$lib_rss")
        echo "run $i: client CPU beast ${b_cpu}s, intercom-cpp ${l_cpu}s"
    done
    pag_rss=$lib_rss
    target "paginate $paginate_contacts TLS: client CPU, typed / bare Beast, best of $repeat (${lib_cpu} / ${beast_cpu} s)" \
        "$(ratio "$lib_cpu" "$beast_cpu")" "<=" 1.2
    infos+=("paginate $paginate_contacts TLS: peak RSS typed ${lib_rss} MiB, bare Beast ${beast_rss} MiB (highest of $repeat runs); wall best of $repeat: ${lib_secs} / ${beast_secs} s = $(ratio "$lib_secs" "$beast_secs")")
    infos+=("paginate $paginate_contacts TLS: allocations per page typed $(echo "$lib_line" | field allocs_per_page), bare Beast $(echo "$beast_line" | field allocs_per_page); per item $(echo "$lib_line" | field allocs_per_item) / $(echo "$beast_line" | field allocs_per_item) (best-CPU runs)")
    stop_server
fi

if [ -z "${SKIP_THREADS:-}" ]; then
    echo "== 4. retrieve typed, TLS, C=64, limiter off: --threads=1 --threading=one vs --threads=2 --threading=any"
    start_server --contacts=1000
    common=(--id="$contact_id" --concurrency=64 --requests="$retrieve_requests" --no-limiter)
    run retrieve "${common[@]}" --threads=1 --threading=one; t1=$line
    run retrieve "${common[@]}" --threads=2 --threading=any; t2=$line
    infos+=("client threads, C=64 TLS: req/s 1 thread (one) $(echo "$t1" | field rps), 2 threads (any) $(echo "$t2" | field rps), ratio 2/1 $(ratio "$(echo "$t2" | field rps)" "$(echo "$t1" | field rps)"); CPU per request $(echo "$t1" | field client_cpu_us_per_req) / $(echo "$t2" | field client_cpu_us_per_req) us")
    stop_server
fi

if [ -z "${SKIP_RSS:-}" ] && [ -n "$pag_rss" ]; then
    echo "== 5. client peak RSS while paginating $rss_contacts contacts (typed, --no-limiter --threading=one)"
    start_server --contacts="$rss_contacts"
    run paginate --no-limiter --threading=one
    infos+=("peak RSS paginating (typed): $paginate_contacts contacts $pag_rss MiB, $rss_contacts contacts $(echo "$line" | field peak_rss_mb) MiB (target: flat)")
    stop_server
fi

if [ -z "${SKIP_MICRO:-}" ]; then
    if [ -x "$micro" ]; then
        echo "== 6. typed decode vs raw parse (Google Benchmark)"
        "$micro" --benchmark_filter='decode' --benchmark_min_time=1 --benchmark_color=false | tee "$tmp/micro.out"
        line=$(grep '^RESULT tool=intercom-cpp op=decode' "$tmp/micro.out")
        results+=("$line")
        target "decode: typed / raw boost::json::parse MB/s ($(echo "$line" | field typed_mb_s) / $(echo "$line" | field raw_mb_s))" \
            "$(echo "$line" | field ratio)" ">=" 0.40
    else
        infos+=("decode micro-benchmark skipped: $micro not built")
    fi
fi

echo
echo "== RESULT lines (for benchmarks/README.md)"
printf '%s\n' "${results[@]}"
echo
echo "== summary ($(date -u '+%T') UTC, load now: $(cut -d' ' -f1-3 /proc/loadavg))"
[ ${#targets[@]} -gt 0 ] && printf '  %s\n' "${targets[@]}"
[ ${#infos[@]} -gt 0 ] && printf '  info: %s\n' "${infos[@]}"
exit 0
