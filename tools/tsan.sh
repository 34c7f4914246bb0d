#!/usr/bin/env bash
# ThreadSanitizer run of the concurrency tests (issue 8, item 1): builds the `tsan` preset (only the
# tests labelled `concurrency`) and runs them. Prints how long the build and the tests took.
#
#   tools/tsan.sh [-j BUILD_JOBS]
set -euo pipefail
cd "$(dirname "$0")/.."

jobs=$(nproc)
if [ "${1:-}" = "-j" ]; then jobs=$2; fi
launcher=()
command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)

cmake --preset tsan "${launcher[@]}" >/dev/null
# Each test executable is named after its test (intercom_add_test).
mapfile -t tests < <(cd build/tsan && ctest -N -L concurrency | sed -n 's/^ *Test *#[0-9]*: *//p')
[ ${#tests[@]} -gt 0 ] || { echo "no test labelled concurrency"; exit 1; }
echo "== building ${tests[*]} with -fsanitize=thread"
start=$(date +%s)
cmake --build build/tsan -j "$jobs" --target "${tests[@]}"
built=$(date +%s)
echo "== running them"
set +e
ctest --preset tsan --no-label-summary
rc=$?
set -e
done_at=$(date +%s)
echo "== tsan: build $((built - start)) s, tests $((done_at - built)) s, ctest exit $rc"
exit $rc
