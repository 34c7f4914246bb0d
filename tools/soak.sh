#!/usr/bin/env bash
# Soak (issue 8, item 5): builds the soak program with ASan+UBSan+LSan (sanitize preset) and runs it
# against the in-process fake server with random faults and full pagination cycles.
#
#   tools/soak.sh [-j BUILD_JOBS] [soak options]
#
# Soak options (see test/soak/soak.cpp): --requests N (default 1000000), --contacts N, --per-page N,
# --workers N, --singles N, --fault-every N, --seed N, --max-seconds N.
# Exit status: non-zero if a check failed or LSan found a leak.
set -euo pipefail
cd "$(dirname "$0")/.."

jobs=2
if [ "${1:-}" = "-j" ]; then
    jobs=$2
    shift 2
fi
launcher=()
command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)

cmake --preset sanitize "${launcher[@]}" -DINTERCOM_BUILD_HARDENING_TOOLS=ON >/dev/null
cmake --build build/sanitize -j "$jobs" --target intercom_soak
# A small ASan quarantine: the default (256 MB of freed blocks kept poisoned) would show up as RSS
# growth and hide what the soak measures. Shorter allocation stacks make a long run faster.
ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:quarantine_size_mb=16:malloc_context_size=10 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    build/sanitize/test/soak/intercom_soak "$@"
