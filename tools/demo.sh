#!/usr/bin/env bash
# Installs missing dependencies, builds the release configuration and runs the demo
# against a local server it starts itself (no token, no network).
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/install-deps.sh
source tools/ccache-env.sh
cmake --preset release ${INTERCOM_CMAKE_LAUNCHER:-} >/dev/null
cmake --build --preset release -j "$(nproc)" --target intercom-demo
./build/release/examples/intercom-demo "$@"
