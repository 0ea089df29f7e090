#!/usr/bin/env bash
# clefc benchmarks: compile time of generated 1k/10k/100k-line programs and
# run time of the kernels in bench/kernels/ against gcc -O2.
# Prints markdown tables to stdout (progress on stderr). Needs python3 and gcc;
# uses the already-built compiler (CLEFC, default target/release/clefc).
# See bench/bench.py for the environment variables that tune it.
set -euo pipefail
cd "$(dirname "$0")/.."
exec python3 bench/bench.py "$@"
