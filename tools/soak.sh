#!/usr/bin/env bash
# Soak (issue 8, item 5): builds the soak program and runs it against the in-process fake server
# with random faults and full pagination cycles.
#
#   tools/soak.sh [-j BUILD_JOBS] [--release] [soak options]
#
# Default build: ASan+UBSan+LSan (sanitize preset, build/sanitize): leaks fail the run.
# --release: an optimised build with LeakSanitizer only (build/soak-release), about ten times
#            faster, for the 1,000,000-request run; leaks still fail the run.
# Soak options (see test/soak/soak.cpp): --requests N (default 1000000), --contacts N, --per-page N,
# --workers N, --singles N, --fault-every N, --seed N, --max-seconds N.
# Exit status: non-zero if a check failed or LSan found a leak.
set -euo pipefail
cd "$(dirname "$0")/.."

jobs=2
preset=sanitize
while [ $# -gt 0 ]; do
    case $1 in
    -j) jobs=$2; shift 2 ;;
    --release) preset=release; shift ;;
    *) break ;;
    esac
done
launcher=()
command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)

dir=build/$preset
extra=()
if [ "$preset" = release ]; then
    dir=build/soak-release
    extra=(-B "$dir" "-DCMAKE_CXX_FLAGS=-g -fsanitize=leak" -DCMAKE_EXE_LINKER_FLAGS=-fsanitize=leak)
fi
cmake --preset "$preset" "${extra[@]}" "${launcher[@]}" -DINTERCOM_BUILD_HARDENING_TOOLS=ON >/dev/null
cmake --build "$dir" -j "$jobs" --target intercom_soak
# A small ASan quarantine: the default (256 MB of freed blocks kept poisoned) would show up as RSS
# growth and hide what the soak measures. Shorter allocation stacks make a long run faster.
ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:quarantine_size_mb=16:malloc_context_size=10 \
UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
LSAN_OPTIONS=exitcode=23 \
    "$dir/test/soak/intercom_soak" "$@"
