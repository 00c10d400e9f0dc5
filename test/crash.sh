#!/bin/sh
# Crash test. Over several rounds, `gridflow replay` on a journal is killed
# with SIGKILL at random points while it writes; after some kills the
# journal is also cut at a random byte near its end, as a power loss
# mid-write leaves it. Each restart re-feeds the whole input. The final
# state (every order, report, audit entry and open quarantine entry, as
# `gridflow dump` prints it) must equal that of an uninterrupted run.
set -eu
tool=$1
config=$2
input=$3
rounds=${CRASH_ROUNDS:-6}
seed=${CRASH_SEED:-$(date +%s)}
# mawk's srand() folds large seeds together: the awk calls take it
# modulo a prime
tmp=$(mktemp -d)
trap '[ -s "$tmp/stderr" ] && [ "${CRASH_VERBOSE:-0}" = 1 ] && cat "$tmp/stderr" >&2; rm -rf "$tmp"' EXIT
export GRIDFLOW_REPORTER_KEY=crash-test-key

replay() {
	"$tool" replay --config "$config" --store "journal:$1" --clock event \
		--sync never --output /dev/null "$input" 2>>"$tmp/stderr"
}

ms() { date +%s%N | cut -c1-13; }

t0=$(ms)
replay "$tmp/ref.journal"
t1=$(ms)
span=$((t1 - t0))
[ "$span" -gt 20 ] || span=20
"$tool" dump --config "$config" --store "journal:$tmp/ref.journal" > "$tmp/ref.dump"
orders=$(grep -c '"type":"order"' "$tmp/ref.dump")
# Feeding the whole input again to a complete journal must change
# nothing; how long it takes bounds the delay of the later kills in a
# round (a restart re-feeds the prefix it already has, quickly).
t0=$(ms)
replay "$tmp/ref.journal"
t1=$(ms)
refeed=$((t1 - t0))
[ "$refeed" -gt 10 ] || refeed=10
"$tool" dump --config "$config" --store "journal:$tmp/ref.journal" > "$tmp/ref2.dump"
if ! cmp -s "$tmp/ref.dump" "$tmp/ref2.dump"; then
	echo "crash: feeding the input again changed a complete journal" >&2
	echo "crash: 0 passed, 1 failed"
	exit 1
fi
echo "crash: reference run: $orders orders in ${span} ms, re-fed in ${refeed} ms; seed $seed"

pass=0
fail=0
kills=0
cuts=0
r=1
while [ "$r" -le "$rounds" ]; do
	j="$tmp/round$r.journal"
	k=1
	while [ "$k" -le 3 ]; do
		# a delay inside the run, from the seed: reproducible
		window=$span
		[ "$k" -gt 1 ] && window=$refeed
		set -- $(awk -v s="$((seed % 1000003))" -v r="$r" -v k="$k" -v span="$window" \
			'BEGIN { srand(s * 100 + r * 10 + k);
				 printf "%.3f %d\n", 0.9 * rand() * span / 1000, int(rand() * 2) }')
		delay=$1
		cut=$2
		# the tool itself, not a subshell, so the kill reaches it
		"$tool" replay --config "$config" --store "journal:$j" \
			--clock event --sync never --output /dev/null "$input" \
			2>>"$tmp/stderr" &
		pid=$!
		sleep "$delay"
		if kill -9 "$pid" 2>/dev/null; then
			kills=$((kills + 1))
		fi
		wait "$pid" 2>/dev/null || true
		if [ "$cut" = 1 ] && [ -s "$j" ]; then
			size=$(stat -c %s "$j")
			back=$(awk -v s="$((seed % 1000003))" -v r="$r" -v k="$k" \
				'BEGIN { srand(s * 7 + r * 13 + k); print int(rand() * 300) + 1 }')
			if [ "$size" -gt $((back + 16)) ]; then
				truncate -s $((size - back)) "$j"
				cuts=$((cuts + 1))
			fi
		fi
		k=$((k + 1))
	done
	replay "$j"
	"$tool" dump --config "$config" --store "journal:$j" > "$tmp/round$r.dump"
	if cmp -s "$tmp/ref.dump" "$tmp/round$r.dump"; then
		pass=$((pass + 1))
	else
		fail=$((fail + 1))
		echo "crash: round $r differs from the uninterrupted run:" >&2
		diff "$tmp/ref.dump" "$tmp/round$r.dump" | head -n 20 >&2
	fi
	r=$((r + 1))
done
torn=$(grep -c 'torn last record' "$tmp/stderr" || true)
echo "crash: $kills kills, $cuts journal cuts ($torn torn records cut at open) over $rounds rounds"
echo "crash: $pass passed, $fail failed"
[ "$fail" -eq 0 ] && [ "$kills" -gt 0 ]
