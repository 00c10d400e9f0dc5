#!/bin/sh
# make bench: routing throughput on one core, ours against GoRules zen-engine.
#
#   bench/route.sh [BUILD] [EVENTS] [CONFIG]
#
# 1. tools/gen1000.py writes the generated 1,000-rule table (and the same
#    table as a GoRules JDM) under BUILD/bench;
# 2. BUILD/bench/route (bench/route.c) routes the events of EVENTS with
#    CONFIG's rules.json and with the 1,000 rules, and writes their inputs
#    and its decisions for zen;
# 3. bench/zen/route.mjs evaluates the JDM on the same inputs with
#    @gorules/zen-engine, installed by npm into BUILD/zen (never a dependency
#    of the library), and counts how often it agrees with us.
# Prints both, the ratio, and whether the targets are met (>= 1,000,000
# evaluations/s on 1,000 rules, >= 10x zen). A missed target prints MISSED
# and does not fail the script; neither does a zen-engine that cannot be
# installed (no network): our part runs anyway.
#
# Environment: BENCH_ROUTE_EVALS (1000000), BENCH_ROUTE_ROUNDS (3),
# BENCH_ZEN_EVALS (10000: zen is slow), ZEN_ENGINE_VERSION (0.54), PYTHON.
set -eu
build=${1:-build}
events=${2:-examples/data/suzhou-day.ndjson}
config=${3:-examples/config}
evals=${BENCH_ROUTE_EVALS:-1000000}
rounds=${BENCH_ROUTE_ROUNDS:-3}
zen_evals=${BENCH_ZEN_EVALS:-10000}
zen_version=${ZEN_ENGINE_VERSION:-0.54}
python=${PYTHON:-python3}
out=$build/bench

if [ ! -x "$out/route" ]; then
	echo "route.sh: $out/route is missing: make $out/route" >&2
	exit 1
fi
mkdir -p "$out"
"$python" tools/gen1000.py --config "$config" --out "$out/rules1000.json" \
	--out-jdm "$out/rules1000.jdm.json"
"$out/route" "$events" "$config" "$out/rules1000.json" "$evals" "$rounds" \
	"$out/route-inputs.ndjson" | tee "$out/route.txt"
ours=$(sed -n 's/^{"bench":"route".*"rules1000":{[^}]*"evals_per_s":\([0-9]*\).*$/\1/p' \
	"$out/route.txt")

# zen-engine, installed on first use into $build/zen
zen_dir=$build/zen
if [ ! -f "$zen_dir/node_modules/@gorules/zen-engine/package.json" ]; then
	if command -v npm >/dev/null 2>&1 && command -v node >/dev/null 2>&1; then
		mkdir -p "$zen_dir"
		echo "route.sh: npm install --prefix $zen_dir @gorules/zen-engine@$zen_version"
		if ! npm install --prefix "$zen_dir" --no-audit --no-fund \
			"@gorules/zen-engine@$zen_version" >"$zen_dir/npm.log" 2>&1; then
			echo "route.sh: zen-engine could not be installed (see $zen_dir/npm.log; no network?): no comparison"
			exit 0
		fi
	else
		echo "route.sh: node and npm are needed for zen-engine: no comparison"
		exit 0
	fi
fi
if ! node bench/zen/route.mjs "$zen_dir" "$out/rules1000.jdm.json" \
	"$out/route-inputs.ndjson" "$zen_evals" "$rounds" >"$out/route-zen.txt"; then
	cat "$out/route-zen.txt"
	echo "route.sh: zen-engine failed to run: no comparison"
	exit 0
fi
cat "$out/route-zen.txt"
zen=$(sed -n 's/^{"bench":"route-zen".*"evals_per_s":\([0-9]*\),.*$/\1/p' \
	"$out/route-zen.txt")
agree=$(sed -n 's/^{"bench":"route-zen".*"agree":\([0-9]*\),"compared":\([0-9]*\)}$/\1 of \2/p' \
	"$out/route-zen.txt")
awk -v ours="$ours" -v zen="$zen" -v agree="$agree" 'BEGIN {
	ratio = zen > 0 ? ours / zen : 0
	printf "  1,000 rules: ours %.0f evals/s, zen-engine %.0f evals/s: %.1fx (target >= 10x: %s); decisions agree on %s events\n",
	    ours, zen, ratio, (ratio >= 10 ? "met" : "MISSED"), agree
	printf "{\"bench\":\"route-compare\",\"ours_evals_per_s\":%.0f,\"zen_evals_per_s\":%.0f,\"ratio\":%.1f}\n",
	    ours, zen, ratio
}'
