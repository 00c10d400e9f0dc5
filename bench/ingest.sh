#!/bin/sh
# make bench: ingestion against json-c, side by side in one process.
set -eu
build=$1
input=$2
"$build/bench/ingest" "$input" "${BENCH_EVENTS:-200000}" "${BENCH_ROUNDS:-7}" examples/config
