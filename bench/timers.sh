#!/bin/sh
# make bench: SLA clocks, our timing wheel against libuv's timer heap, side
# by side in one process (bench/timers.c says how each side is driven and
# measured).
#
#   bench/timers.sh [BUILD] [CLOCKS] [ROUNDS]
#
# Builds nothing: BUILD/bench/timers is made by the Makefile from
# bench/timers.c, with -Iinclude -Ilib, BUILD/libgridflow.a and
# `pkg-config --libs libuv` (Debian: libuv1-dev).
#
# Prints ops/s (start + cancel + expire) and bytes per running clock for
# both, the ratio, whether the targets are met (>= 3x libuv's throughput,
# <= 64 bytes per clock; a miss prints MISSED and does not fail the
# script), the peak RSS, and a JSON line at the end.
#
# CLOCKS defaults to 10,000,000 (BENCH_TIMERS), ROUNDS to 1
# (BENCH_TIMERS_ROUNDS). The 10M run needs about 1.5 GB, most of it
# libuv's 152-byte handles, and some 30 s.
set -eu
build=${1:-build}
clocks=${2:-${BENCH_TIMERS:-10000000}}
rounds=${3:-${BENCH_TIMERS_ROUNDS:-1}}

if [ ! -x "$build/bench/timers" ]; then
	echo "timers.sh: $build/bench/timers is missing: make $build/bench/timers" >&2
	exit 1
fi
"$build/bench/timers" "$clocks" "$rounds"
