#!/bin/sh
# make check, step by step: every step runs even if an earlier one
# failed, and the last line adds up every suite's "N passed, N failed".
set -u
make=$1
build=$2
log="$build/check.log"
mkdir -p "$build"
: > "$log"
failed_steps=""
for step in test-unit test-shared test-headers test-symbols test-install \
	    test-crash test-crash-pg test-cli test-asan test-valgrind; do
	echo "== $step"
	if ! $make --no-print-directory "$step" > "$log.step" 2>&1; then
		failed_steps="$failed_steps $step"
	fi
	# the suites' lines, not the compiler's
	grep -E 'passed, [0-9]+ failed$|^FAIL|^crash: |^crash-pg: |^takeover: |^cli: |^symbols: |error:' "$log.step" || true
	cat "$log.step" >> "$log"
done
rm -f "$log.step"
total=$(grep -E '^([a-z-]+: )?[0-9]+ passed, [0-9]+ failed$' "$log" |
	sed -E 's/^[a-z-]+: //' |
	awk '{ p += $1; f += $3 } END { printf "%d passed, %d failed\n", p, f }')
if [ -n "$failed_steps" ]; then
	echo "make check: failed:$failed_steps (full output in $log)"
	f=$(echo "$total" | awk '{ print $3 }')
	[ "$f" -eq 0 ] && total=$(echo "$total" | awk '{ printf "%d passed, 1 failed\n", $1 }')
	echo "check: $total"
	exit 1
fi
echo "check: $total"
