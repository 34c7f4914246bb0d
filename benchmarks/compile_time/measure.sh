#!/usr/bin/env bash
# Compile time (user seconds of `g++ -O2 -c`, 3 runs each) of a TU that retrieves one contact through
# the typed API vs a TU that includes only Asio + Asio SSL + Beast + JSON. Same flags as a user TU of
# the default build: C++20, header-only Asio/Beast (the library exports no Asio definitions).
# INTERCOM_SEPARATE_ASIO=1 measures the opt-in mode instead (-DINTERCOM_SEPARATE_ASIO=ON exports
# BOOST_ASIO_SEPARATE_COMPILATION and BOOST_BEAST_SEPARATE_COMPILATION to every user TU).
# Usage: bash benchmarks/compile_time/measure.sh [extra g++ flags, e.g. -ftime-report]
set -euo pipefail
cd "$(dirname "$0")/../.."
flags=(-std=c++20 -O2 -Iinclude)
if [[ "${INTERCOM_SEPARATE_ASIO:-0}" == 1 ]]; then
    flags+=(-DBOOST_ASIO_SEPARATE_COMPILATION -DBOOST_BEAST_SEPARATE_COMPILATION)
fi
echo "g++ $(g++ -dumpfullversion), flags: ${flags[*]} $*"
out=$(mktemp -d)
for tu in asio_beast_json retrieve_contact; do
    for run in 1 2 3; do
        /usr/bin/time -f "$tu run $run: %U s user" g++ "${flags[@]}" "$@" -c benchmarks/compile_time/$tu.cpp -o "$out/$tu.o"
    done
done
rm -rf "$out"
