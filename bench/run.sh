#!/usr/bin/env bash
# clefc benchmarks: compile time of generated 1k/10k/100k-line programs,
# run time of the kernels in bench/kernels/ against gcc -O2, and run time and
# peak RSS of the allocation/closure programs in bench/alloc/ against Rust.
# Prints markdown tables to stdout (progress on stderr). Needs python3, gcc
# and rustc; uses the already-built compiler (CLEFC, default
# target/release/clefc). ONLY=alloc (or compile, kernels, or a list of them)
# runs just those parts. See bench/bench.py for the other environment
# variables.
set -euo pipefail
cd "$(dirname "$0")/.."
exec python3 bench/bench.py "$@"
