#!/usr/bin/env bash
# Compile time (user seconds of `g++ -O2 -c`, 3 runs each) of a TU that retrieves one contact through
# the typed API vs a TU that includes only Asio + Asio SSL + Beast + JSON. Same flags as a user build
# of the library (separate compilation of Asio/Beast, C++20). Usage: bash benchmarks/compile_time/measure.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
flags=(-std=c++20 -O2 -DBOOST_ASIO_SEPARATE_COMPILATION -DBOOST_BEAST_SEPARATE_COMPILATION -DBOOST_ASIO_NO_DEPRECATED
       -Iinclude)
out=$(mktemp -d)
for tu in asio_beast_json retrieve_contact; do
    for run in 1 2 3; do
        /usr/bin/time -f "$tu run $run: %U s user" g++ "${flags[@]}" -c benchmarks/compile_time/$tu.cpp -o "$out/$tu.o"
    done
done
rm -rf "$out"
