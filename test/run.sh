#!/bin/sh
# Runs each Check test binary given, and adds up "N passed, N failed".
# VALGRIND=1 runs each under valgrind (memcheck, leaks are errors), with
# Check's fork off so valgrind sees the tests themselves.
set -u
# The PostgreSQL suites need a server: without GF_TEST_PG, start a
# throwaway one for this run (test/pgtmp.sh) and stop it afterwards.
if [ -z "${GF_TEST_PG:-}" ]; then
	GF_TEST_PGDIR=$(mktemp -d /tmp/gridflow-pg.XXXXXX)
	trap 'test/pgtmp.sh stop "$GF_TEST_PGDIR"' EXIT
	if ! GF_TEST_PG=$(test/pgtmp.sh start "$GF_TEST_PGDIR"); then
		echo "FAIL: could not start the test PostgreSQL server"
		echo "0 passed, 1 failed"
		exit 1
	fi
	export GF_TEST_PG GF_TEST_PGDIR
fi
total_pass=0
total_fail=0
status=0
for t in "$@"; do
	name=$(basename "$t")
	if [ "${VALGRIND:-0}" = 1 ]; then
		out=$(CK_FORK=no valgrind -q --error-exitcode=99 \
			--leak-check=full --show-leak-kinds=definite,indirect \
			--errors-for-leak-kinds=definite,indirect \
			"$t" 2>&1)
	else
		out=$("$t" 2>&1)
	fi
	rc=$?
	line=$(printf '%s\n' "$out" | grep -E '^[0-9]+ passed, [0-9]+ failed$' | tail -n 1)
	p=$(printf '%s' "$line" | sed -n 's/^\([0-9]*\) passed.*/\1/p')
	f=$(printf '%s' "$line" | sed -n 's/.* \([0-9]*\) failed$/\1/p')
	[ -n "$p" ] || p=0
	[ -n "$f" ] || f=0
	if [ $rc -ne 0 ] || [ -z "$line" ]; then
		status=1
		[ "$f" -eq 0 ] && f=1
		# Check's own failure lines first: the tail alone can be
		# all valgrind's report of what the failed test leaked
		printf '%s\n' "$out" | grep -E ':[0-9]+:[FE]:' | head -n 20
		printf '%s\n' "$out" | tail -n 40
		echo "FAIL $name (exit $rc)"
	else
		echo "ok   $name: $line"
	fi
	total_pass=$((total_pass + p))
	total_fail=$((total_fail + f))
done
echo "${VALGRIND:+valgrind: }$total_pass passed, $total_fail failed"
exit $status
