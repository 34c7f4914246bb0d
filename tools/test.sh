#!/usr/bin/env bash
# Installs missing dependencies, builds the sanitizer (ASan+UBSan) configuration and runs every test.
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/install-deps.sh
source tools/ccache-env.sh
jobs=$(nproc)
cmake --preset sanitize ${INTERCOM_CMAKE_LAUNCHER:-}
cmake --build --preset sanitize -j "$jobs"
ctest --preset sanitize -j "$jobs" --no-label-summary
