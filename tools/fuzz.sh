#!/usr/bin/env bash
# Fuzzing (issue 8, item 2): builds the libFuzzer targets with clang (ASan+UBSan, build/fuzz), writes
# a seed corpus from real fake-server responses (build/fuzz/run/seeds, never committed), runs each
# target for a bounded time and prints the executions and crashes per target.
#
#   tools/fuzz.sh [-t SECONDS_PER_TARGET] [-j BUILD_JOBS] [TARGET...]
#
# Defaults: 60 s per target, 2 build jobs, all four targets. The working corpus of each target is
# kept in build/fuzz/run/corpus/<target> (runs build on it); crash inputs go to
# build/fuzz/run/crashes/<target>/. Exit status 1 if any target crashed.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=60
jobs=2
while getopts "t:j:h" opt; do
    case $opt in
    t) seconds=$OPTARG ;;
    j) jobs=$OPTARG ;;
    *) sed -n '2,12p' "$0"; exit 2 ;;
    esac
done
shift $((OPTIND - 1))
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(fuzz_models fuzz_error_body fuzz_http_response fuzz_search_query)

clang=${CLANGXX:-clang++-14}
# libFuzzer ships with clang's runtime: install both (and the rest) when missing.
INTERCOM_EXTRA_PACKAGES="clang-14 libclang-rt-14-dev" bash tools/install-deps.sh
launcher=()
command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)

echo "== building the fuzz targets ($clang, build/fuzz)"
cmake -S fuzz -B build/fuzz -G Ninja -DCMAKE_CXX_COMPILER="$clang" "${launcher[@]}" >/dev/null
cmake --build build/fuzz -j "$jobs" --target "${targets[@]}"

echo "== building the seed-corpus generator (g++, sanitize preset)"
cmake --preset sanitize "${launcher[@]}" -DINTERCOM_BUILD_HARDENING_TOOLS=ON >/dev/null
cmake --build build/sanitize -j "$jobs" --target fuzz_seed_corpus

run=build/fuzz/run
rm -rf "$run/seeds"
echo "== writing the seed corpus ($run/seeds)"
build/sanitize/test/fuzz_seeds/fuzz_seed_corpus "$run/seeds"

seeds_of() {
    case $1 in
    fuzz_models) echo models ;;
    fuzz_error_body) echo error ;;
    fuzz_http_response) echo http ;;
    fuzz_search_query) echo search ;;
    esac
}

status=0
summary=()
for t in "${targets[@]}"; do
    corpus=$run/corpus/$t
    crashes=$run/crashes/$t
    mkdir -p "$corpus" "$crashes"
    log=$run/$t.log
    echo "== $t: ${seconds} s"
    set +e
    ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
        "build/fuzz/$t" -max_total_time="$seconds" -print_final_stats=1 -artifact_prefix="$crashes/" \
        -max_len=65536 "$corpus" "$run/seeds/$(seeds_of "$t")" >"$log" 2>&1
    rc=$?
    set -e
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 || true)
    found=$(find "$crashes" -type f | wc -l)
    line=$(printf '%-20s %12s executions  %-10s corpus %5s  crash files %s  exit %s' "$t" "${execs:-?}" "$cov" \
        "$(find "$corpus" -type f | wc -l)" "$found" "$rc")
    summary+=("$line")
    if [ "$rc" -ne 0 ] || [ "$found" -ne 0 ]; then
        status=1
        echo "!! $t crashed; see $log and $crashes/"
        grep -m1 -A12 -E '^==[0-9]+==ERROR|runtime error|deadly signal' "$log" || true
    fi
done

echo
echo "== fuzz summary (${seconds} s per target)"
printf '%s\n' "${summary[@]}"
exit $status
