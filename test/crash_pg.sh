#!/bin/sh
# Crash test of the PostgreSQL store.
#
#   test/crash_pg.sh TOOL CONFIG DAYFILE BUILD [TAKEOVER]
#
# a. A slice of the day (CRASH_PG_LINES lines) is replayed uninterrupted
#    into partition "ref", and its state read back BY QUERY, partition
#    column left out: orders, reports, audit entries (and their count per
#    order), SLA clocks, quarantine, outbox, records by type and a digest
#    of the record log (with the event clock the engine decides the same
#    records in the same order, however often it restarts). Feeding the
#    slice again changes nothing; --batch 50 gives the same state.
# b. In each round (odd ones without group commit, even ones with
#    --batch 50) a replay into partition "crashN" is killed with SIGKILL
#    at random points of what is left to do and restarted, re-feeding the
#    whole slice, then run to completion: the queries must print exactly
#    what they print for "ref". While a killed engine's lease is live a
#    restart is refused (exit 1, "is held by engine"). Without group
#    commit a decision is printed only once stored, so the lines whose
#    decisions reached the output before a kill, fed again, must store
#    nothing new.
# c. The server is restarted (test/pgtmp.sh restart) several times under
#    a running replay, with and without group commit, and once while a
#    batch waits on a paused input: the replay must finish on its own
#    (the engine reconnects) with the reference's state.
# d. test/takeover.c: two engines share the database, one is killed, the
#    other takes its partition over when the lease lapses
#    (BUILD/test/takeover, compiled if missing, or TAKEOVER).
# Every partition also passes invariants (unique order ids, audit and
# record numbering without gaps, report counts as in gf_report, the lease
# released) and its tables agree with the orders `gridflow dump` rebuilds
# from its records.
#
# The server: GF_TEST_PG (a libpq conninfo) and GF_TEST_PGDIR (its
# test/pgtmp.sh directory, needed for c) from the environment, or a
# throwaway one started here with test/pgtmp.sh and stopped on exit. The
# partitions used here are emptied first, and left for a look afterwards.
#
# The tool has no --lease option, and a killed engine's lease (30 s by
# default) outlives it: after each kill, once the process is reaped and
# a restart has been seen refused, the script expires the lease in
# gf_partition by hand, as an operator who knows the holder is dead
# would. (takeover.c waits for real leases of 1.5 s.)
#
# CRASH_SEED, CRASH_PG_LINES (3000), CRASH_PG_ROUNDS (6), CRASH_PG_KILLS
# (3 per round), CRASH_PG_RESTARTS (5 per replay) and CRASH_VERBOSE=1
# (show the tools' stderr) tune it. About 25 s on two cores.
set -eu
tool=$1
config=$2
day=$3
build=$4
takeover=${5:-}
lines=${CRASH_PG_LINES:-3000}
rounds=${CRASH_PG_ROUNDS:-6}
nkills=${CRASH_PG_KILLS:-3}
restarts=${CRASH_PG_RESTARTS:-5}
seed=${CRASH_SEED:-$(date +%s)}
# mawk's srand() folds large seeds together: keep them small
sd=$((seed % 1000003))
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
own=""
pid=""
cleanup() {
	# a replay of ours still running (the script stopped early)
	if [ -n "$pid" ]; then
		kill -9 "$pid" 2>/dev/null || true
	fi
	if [ "${CRASH_VERBOSE:-0}" = 1 ] && [ -s "$tmp/stderr" ]; then
		cat "$tmp/stderr" >&2
	fi
	if [ -n "$own" ]; then
		"$here/pgtmp.sh" stop "$own" || true
	fi
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
export GRIDFLOW_REPORTER_KEY=crash-test-key

pass=0
fail=0
ok() { pass=$((pass + 1)); }
bad() {
	fail=$((fail + 1))
	echo "crash-pg: FAIL: $*" >&2
}
ms() { date +%s%N | cut -c1-13; }

if [ -n "${GF_TEST_PG:-}" ]; then
	pg=$GF_TEST_PG
	pgdir=${GF_TEST_PGDIR:-}
else
	# its own directory: pgtmp.sh gives it to the server's user, who
	# could not enter $tmp
	own=$(mktemp -d)
	pg=$("$here/pgtmp.sh" start "$own")
	pgdir=$own
fi

sql() {
	psql -X -q -A -t -F '|' -v ON_ERROR_STOP=1 -d "$pg" "$@"
}

# The state of partition $1 as hosts read it, in a stable order, without
# the partition column or wall-clock columns (stored_at, created_at,
# consumed_*). Keep it in step with the queries of test/takeover.c.
state() {
	sql -v p="$1" <<'SQL'
\echo == orders
SELECT order_id, state, lead, level, region, category, urgency, priority,
       scale, rule, sla, rules_version, report_count, caller_count,
       merged_into, suspected_of, created_at, updated_at, due_at
  FROM gf_order WHERE part = :'p' ORDER BY order_id;
\echo == orders: count, distinct ids
SELECT count(*), count(DISTINCT order_id) FROM gf_order WHERE part = :'p';
\echo == reports
SELECT channel, source_id, order_id, n, received_at, region, category,
       md5(concat_ws('|', title, content, address, grid, lat, lon,
                     reporter, event))
  FROM gf_report WHERE part = :'p' ORDER BY channel, source_id;
\echo == audit entries per order
SELECT order_id, count(*) FROM gf_audit WHERE part = :'p'
 GROUP BY order_id ORDER BY order_id;
\echo == audit
SELECT order_id, n, at, what, actor_dept, actor_role, from_state,
       to_state, reason, lead
  FROM gf_audit WHERE part = :'p' ORDER BY order_id, n;
\echo == clocks
SELECT order_id, name, state, started, due, warning, stopped, paused_ms,
       extensions, runs, steps_fired
  FROM gf_clock WHERE part = :'p' ORDER BY order_id, name;
\echo == quarantine
SELECT id, at, code, field, message, ref, md5(raw), encode(digest, 'hex'),
       open, closed_reason, closed_at
  FROM gf_quarantine WHERE part = :'p' ORDER BY id;
\echo == outbox
SELECT id, at, kind, order_id, dept, message, clock, step, due
  FROM gf_outbox WHERE part = :'p' ORDER BY id;
\echo == records by type
SELECT type, count(*) FROM gf_record WHERE part = :'p'
 GROUP BY type ORDER BY type;
\echo == the record log: a digest of the bodies in order
SELECT md5(string_agg(type || ':' || md5(body), ',' ORDER BY seq))
  FROM gf_record WHERE part = :'p';
SQL
}

# What must hold within one partition, whatever its history: each line
# printed is a broken rule.
invariants() {
	sql -v p="$1" <<'SQL'
SELECT 'order ids not unique' FROM gf_order WHERE part = :'p'
HAVING count(*) <> count(DISTINCT order_id);
SELECT 'audit of ' || order_id || ' not numbered 0..n-1' FROM gf_audit
 WHERE part = :'p' GROUP BY order_id
HAVING count(*) <> max(n) + 1 OR min(n) <> 0;
SELECT 'audit of ' || a.order_id || ', which is not an order'
  FROM gf_audit a LEFT JOIN gf_order o
    ON o.part = a.part AND o.order_id = a.order_id
 WHERE a.part = :'p' AND o.order_id IS NULL GROUP BY a.order_id;
SELECT 'report ' || r.channel || ':' || r.source_id || ' of no order'
  FROM gf_report r LEFT JOIN gf_order o
    ON o.part = r.part AND o.order_id = r.order_id
 WHERE r.part = :'p' AND o.order_id IS NULL;
SELECT 'order ' || o.order_id || ' counts ' || o.report_count ||
       ' reports, gf_report has ' || coalesce(r.c, 0)
  FROM gf_order o LEFT JOIN (SELECT order_id, count(*) AS c FROM gf_report
                              WHERE part = :'p' GROUP BY order_id) r
    ON r.order_id = o.order_id
 WHERE o.part = :'p' AND o.report_count <> coalesce(r.c, 0);
SELECT 'records are not numbered 1..n' FROM gf_record WHERE part = :'p'
HAVING count(*) <> coalesce(max(seq), 0) OR min(seq) <> 1;
SELECT 'outbox ids are not 1..n' FROM gf_outbox WHERE part = :'p'
HAVING count(*) <> coalesce(max(id), 0) OR min(id) <> 1;
SELECT 'the partition is still held by ' || owner FROM gf_partition
 WHERE part = :'p' AND owner IS NOT NULL;
SQL
}

# Orders as the engine rebuilds them from the records (gridflow dump)
# against the tables: id, state, lead, reports, audit entries, clocks.
agree() {
	"$tool" dump --config "$config" --store "pg:$pg" --partition "$1" \
		> "$tmp/$1.dump" 2>>"$tmp/stderr" || return 1
	sql -v p="$1" > "$tmp/$1.tables" <<'SQL'
SELECT o.order_id, o.state, coalesce(o.lead, ''), o.report_count,
       (SELECT count(*) FROM gf_audit a
         WHERE a.part = o.part AND a.order_id = o.order_id),
       (SELECT count(*) FROM gf_clock c
         WHERE c.part = o.part AND c.order_id = o.order_id)
  FROM gf_order o WHERE o.part = :'p' ORDER BY o.order_id;
SQL
	python3 - "$tmp/$1.dump" "$tmp/$1.tables" <<'PY'
import json, sys
rows = []
for l in open(sys.argv[1], encoding="utf-8"):
    o = json.loads(l)
    if o.get("type") != "order":
        continue
    rows.append("|".join(str(x) for x in (
        o["id"], o["state"], o["lead"] or "", len(o["reports"]),
        len(o["audit"]), len(o["clocks"]))))
rows.sort()
tables = open(sys.argv[2], encoding="utf-8").read().split("\n")
tables = [t for t in tables if t]
if rows != tables:
    a, b = set(rows), set(tables)
    print("dump only:", sorted(a - b)[:5], "tables only:", sorted(b - a)[:5],
          file=sys.stderr)
    sys.exit(1)
if not rows:
    print("no orders", file=sys.stderr)
    sys.exit(1)
PY
}

# replay PART [options...]: the whole slice, to completion
replay() {
	rp=$1
	shift
	"$tool" replay --config "$config" --store "pg:$pg" --partition "$rp" \
		--clock event --output /dev/null "$@" "$tmp/slice.ndjson" \
		2>>"$tmp/stderr"
}

compare() {
	state "$1" > "$tmp/$1.state"
	if cmp -s "$tmp/ref.state" "$tmp/$1.state"; then
		ok
	else
		bad "$2: partition $1 differs from the reference:"
		diff "$tmp/ref.state" "$tmp/$1.state" | head -n 20 >&2
	fi
	invariants "$1" > "$tmp/$1.inv"
	if [ -s "$tmp/$1.inv" ]; then
		bad "$2: partition $1 breaks invariants:"
		head -n 10 "$tmp/$1.inv" >&2
	else
		ok
	fi
	if agree "$1"; then
		ok
	else
		bad "$2: in partition $1 the tables disagree with the records"
	fi
}

expire_lease() {
	sql -v p="$1" <<'SQL'
UPDATE gf_partition SET lease_until = clock_timestamp() - interval '1 ms'
 WHERE part = :'p' AND owner IS NOT NULL;
SQL
}

lease_live() {
	sql -v p="$1" <<'SQL'
SELECT count(*) FROM gf_partition
 WHERE part = :'p' AND owner IS NOT NULL
   AND lease_until > clock_timestamp() + interval '2 s';
SQL
}

# ---- set-up -----------------------------------------------------------

head -n "$lines" "$day" > "$tmp/slice.ndjson"
# The takeover slices: the same lines by district, urban districts of
# Suzhou (3205 0x) in A, the county-level cities and the industrial park
# (3205 7x, 8x) in B; an action goes with the event it refers to, a line
# naming no region (malformed) to A.
LC_ALL=C awk -v a="$tmp/a.ndjson" -v b="$tmp/b.ndjson" '
function field(name,   v) {
	if (!match($0, "\"" name "\":\"[^\"]*\""))
		return ""
	v = substr($0, RSTART, RLENGTH)
	return substr(v, length(name) + 5, length(v) - length(name) - 5)
}
{
	side = a
	if (index($0, "{\"op\":\"") == 1) {
		ref = field("ref")
		if (ref in sideof)
			side = sideof[ref]
	} else {
		d = substr(field("region"), 1, 6)
		if (d >= "320570")
			side = b
		sideof[field("channel") ":" field("source_id")] = side
	}
	print > side
}' "$tmp/slice.ndjson"

"$tool" migrate --store "pg:$pg" > /dev/null
parts="'ref','refbatch','restart','restartbatch','restartidle'"
r=1
while [ "$r" -le "$rounds" ]; do
	parts="$parts,'crash$r'"
	r=$((r + 1))
done
for t in gf_record gf_order gf_report gf_audit gf_clock gf_quarantine \
	 gf_outbox gf_partition; do
	echo "DELETE FROM $t WHERE part IN ($parts);"
done | sql

# ---- a. the reference ------------------------------------------------

t0=$(ms)
replay ref || bad "the reference replay failed"
t1=$(ms)
span=$((t1 - t0))
state ref > "$tmp/ref.state"
orders=$(sql -c "SELECT count(*) FROM gf_order WHERE part = 'ref'")
records=$(sql -c "SELECT count(*) FROM gf_record WHERE part = 'ref'")
invariants ref > "$tmp/ref.inv"
if [ -s "$tmp/ref.inv" ]; then
	bad "the reference breaks invariants:"
	head -n 10 "$tmp/ref.inv" >&2
else
	ok
fi
if [ "$orders" -gt 0 ] && [ "$records" -gt 0 ]; then
	ok
else
	bad "the reference has no orders"
	echo "crash-pg: $pass passed, $fail failed"
	exit 1
fi
# feeding it again stores nothing and changes nothing
t0=$(ms)
replay ref || bad "re-feeding the reference failed"
t1=$(ms)
refeed=$((t1 - t0))
state ref > "$tmp/ref2.state"
if cmp -s "$tmp/ref.state" "$tmp/ref2.state"; then
	ok
else
	bad "feeding the input again changed the reference:"
	diff "$tmp/ref.state" "$tmp/ref2.state" | head -n 20 >&2
fi
# (gridflow dump opens an engine on the partition, which may write to
# it: a warning in the outbox for want of a reporter key; so dumps
# come after the states compared are read)
if agree ref; then
	ok
else
	bad "in the reference the tables disagree with the records"
fi
# group commit decides the same
t0=$(ms)
replay refbatch --batch 50 || bad "the --batch 50 reference replay failed"
t1=$(ms)
bspan=$((t1 - t0))
compare refbatch "group commit"
echo "crash-pg: reference: $lines lines, $orders orders in $span ms" \
	"($bspan ms with --batch 50), re-fed in $refeed ms; seed $seed"

# ---- b. crash rounds -------------------------------------------------

kills=0
busy=0
acked=0
r=1
while [ "$r" -le "$rounds" ]; do
	part=crash$r
	if [ $((r % 2)) -eq 0 ]; then
		set -- --batch 50
		window=$bspan
		mode="--batch 50"
	else
		set --
		window=$span
		mode="no batch"
	fi
	k=1
	at=""
	delays=""
	while [ "$k" -le "$nkills" ]; do
		# a random point of what is left to do, from the seed:
		# reproducible. A restart first re-reads the records and
		# re-feeds what is stored, quickly.
		stored=$(sql -c "SELECT coalesce(max(seq), 0) FROM gf_record
			WHERE part = '$part'")
		delay=$(awk -v s="$sd" -v r="$r" -v k="$k" -v w="$window" \
			-v f="$refeed" -v n="$stored" -v all="$records" 'BEGIN {
			srand(s * 100 + r * 10 + k)
			left = 1 - n / all
			if (left < 0.05)
				left = 0.05
			d = f * n / all + (0.02 + 0.9 * rand()) * w * left
			printf "%.3f", d / 1000
		}')
		delays="$delays $delay"
		out="$tmp/$part.$k.out"
		# the tool itself, not a subshell, so the kill reaches it
		"$tool" replay --config "$config" --store "pg:$pg" \
			--partition "$part" --clock event --output "$out" "$@" \
			"$tmp/slice.ndjson" 2>>"$tmp/stderr" &
		pid=$!
		sleep "$delay"
		if kill -9 "$pid" 2>/dev/null; then
			kills=$((kills + 1))
		fi
		wait "$pid" 2>/dev/null || true
		pid=""
		at="$at $(sql -c "SELECT coalesce(max(seq), 0) FROM gf_record
			WHERE part = '$part'")"
		# while the dead engine's lease lasts, a restart is refused
		if [ "$k" -eq 1 ] && [ "$(lease_live "$part")" = 1 ]; then
			if "$tool" replay --config "$config" --store "pg:$pg" \
				--partition "$part" --clock event --output /dev/null \
				"$@" "$tmp/slice.ndjson" 2>"$tmp/busy.err"; then
				bad "round $r: a restart under a live lease was not refused"
			elif grep -q "partition \"$part\" is held by engine .* for another [0-9]* ms" \
				"$tmp/busy.err"; then
				busy=$((busy + 1))
				ok
			else
				bad "round $r: a restart under a live lease failed otherwise:"
				cat "$tmp/busy.err" >&2
			fi
		fi
		expire_lease "$part"
		# without group commit a decision is printed after it is
		# stored: the lines whose decisions reached the output
		# (complete lines only), fed again, must store nothing new
		if [ -z "$*" ] && [ -s "$out" ]; then
			n=$(wc -l < "$out")
			last=$(head -n "$n" "$out" |
				sed -n 's/^{"type":"[a-z]*","line":\([0-9]*\),.*/\1/p' |
				tail -n 1)
			if [ -n "$last" ] && [ "$last" -gt 0 ]; then
				head -n "$last" "$tmp/slice.ndjson" > "$tmp/acked.ndjson"
				"$tool" replay --config "$config" --store "pg:$pg" \
					--partition "$part" --clock event \
					--output "$tmp/acked.out" "$tmp/acked.ndjson" \
					2>>"$tmp/stderr" || true
				sum=$(tail -n 1 "$tmp/acked.out")
				case $sum in
				*'"created":0,"linked":0,"suspected":0,'*'"applied":0,'*)
					acked=$((acked + 1))
					ok ;;
				*)
					bad "round $r, kill $k: acknowledged lines 1-$last were not all stored: $sum" ;;
				esac
			fi
		fi
		k=$((k + 1))
	done
	replay "$part" "$@" || bad "round $r: the last replay failed"
	before=$fail
	compare "$part" "round $r ($mode)"
	[ "$fail" -eq "$before" ] && same="same state" || same="DIFFERENT state"
	echo "crash-pg: round $r ($mode): kills after${delays} s;" \
		"records then:$at of $records; $same as the reference"
	r=$((r + 1))
done
echo "crash-pg: $kills kills over $rounds rounds; $busy restarts refused" \
	"under a live lease; acknowledged prefix stored after $acked kills"

# ---- c. the server restarted under a running replay -------------------

if [ -z "$pgdir" ]; then
	echo "crash-pg: server restart skipped: GF_TEST_PGDIR is not set"
else
	# Restarts in the middle of a replay, each when a random share of
	# the records are stored: transactions are in flight when the
	# server goes. Several per replay, as a restart can land in
	# several places of a transaction.
	for mode in nobatch batch; do
		if [ "$mode" = batch ]; then
			set -- --batch 50
			rpart=restartbatch
		else
			set --
			rpart=restart
		fi
		targets=$(awk -v s="$sd" -v all="$records" -v n="$restarts" \
			-v m="${#mode}" 'BEGIN {
			srand(s * 100 + 90 + m)
			for (k = 1; k <= n; k++)
				t[k] = int((0.05 + 0.9 * rand()) * all)
			for (i = 1; i <= n; i++)
				for (j = i + 1; j <= n; j++)
					if (t[j] < t[i]) { x = t[i]; t[i] = t[j]; t[j] = x }
			for (k = 1; k <= n; k++)
				printf "%d ", t[k]
		}')
		: > "$tmp/restart.err"
		"$tool" replay --config "$config" --store "pg:$pg" \
			--partition "$rpart" --clock event --output /dev/null \
			"$@" "$tmp/slice.ndjson" 2>"$tmp/restart.err" &
		pid=$!
		done_at=""
		down=0
		for target in $targets; do
			while kill -0 "$pid" 2>/dev/null && [ "$(sql -c "SELECT
				count(*) FROM gf_record WHERE part = '$rpart'")" \
				-lt "$target" ]; do
				sleep 0.02
			done
			kill -0 "$pid" 2>/dev/null || break
			t0=$(ms)
			"$here/pgtmp.sh" restart "$pgdir"
			t1=$(ms)
			down=$((down + t1 - t0))
			done_at="$done_at $target"
		done
		t0=$(ms)
		rc=0
		wait "$pid" || rc=$?
		pid=""
		if [ "$rc" -eq 0 ]; then
			ok
			compare "$rpart" "server restarts (${mode})"
			echo "crash-pg: server restarted under a replay ($mode)" \
				"after${done_at:- no} of $records records" \
				"(down $down ms in all); it finished" \
				"$(($(ms) - t0)) ms after the last"
			[ -n "$done_at" ] ||
				bad "server restarts ($mode): the replay ended first"
		else
			bad "server restarts ($mode): the replay did not survive" \
				"a restart (after${done_at} of $records records):" \
				"$(tail -n 1 "$tmp/restart.err")"
			# what it stored must still be sound: finish the
			# stream with a new engine
			expire_lease "$rpart"
			if replay "$rpart" "$@"; then
				compare "$rpart" "server restarts ($mode), then finished"
			else
				bad "server restarts ($mode): could not finish the stream"
			fi
		fi
		cat "$tmp/restart.err" >> "$tmp/stderr"
	done
	# under group commit, with a batch waiting: half the slice, then
	# the server restarts while the input pauses, then the rest
	half=$((lines / 2))
	{
		head -n "$half" "$tmp/slice.ndjson"
		while [ ! -e "$tmp/go" ]; do sleep 0.05; done
		tail -n "+$((half + 1))" "$tmp/slice.ndjson"
	} | "$tool" replay --config "$config" --store "pg:$pg" \
		--partition restartidle --batch 50 --clock event \
		--output "$tmp/restartidle.out" - 2>>"$tmp/stderr" &
	pid=$!
	# until the first half is decided (its output comes in blocks)
	i=0
	while [ ! -s "$tmp/restartidle.out" ] && [ "$i" -lt 100 ]; do
		sleep 0.05
		i=$((i + 1))
	done
	sleep "$(awk -v w="$bspan" 'BEGIN { printf "%.3f", w / 1000 }')"
	held=$(sql -c "SELECT count(*) FROM gf_record WHERE part = 'restartidle'")
	"$here/pgtmp.sh" restart "$pgdir"
	touch "$tmp/go"
	rc=0
	wait "$pid" || rc=$?
	pid=""
	if [ "$rc" -eq 0 ]; then
		ok
		compare restartidle "server restart under --batch 50"
		echo "crash-pg: server restarted under --batch 50 while the" \
			"input paused after line $half ($held records stored)," \
			"the replay went on"
	else
		bad "server restart under --batch 50: the replay did not survive it"
	fi
fi

# ---- d. takeover ------------------------------------------------------

if [ -z "$takeover" ]; then
	takeover=$build/test/takeover
	if [ ! -x "$takeover" ]; then
		mkdir -p "$build/test"
		# shellcheck disable=SC2046 # pkg-config prints several words
		${CC:-cc} -std=c11 -O2 -I"$here/../include" \
			$(pkg-config --cflags libpq) -o "$takeover" \
			"$here/takeover.c" "$build/libgridflow.a" \
			-ljson-c -lpq -lm
	fi
fi
tk=0
"$takeover" "$config" "$tmp/a.ndjson" "$tmp/b.ndjson" "$pg" \
	2>>"$tmp/stderr" || tk=1
if [ "$tk" = 1 ]; then
	echo "crash-pg: FAIL: takeover failed" >&2
	[ "${CRASH_VERBOSE:-0}" = 1 ] || tail -n 20 "$tmp/stderr" >&2
fi

echo "crash-pg: $pass passed, $fail failed"
[ "$fail" -eq 0 ] && [ "$kills" -gt 0 ] && [ "$tk" = 0 ]
