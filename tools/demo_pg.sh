#!/bin/sh
# make demo-pg: the demo day on the PostgreSQL store. Starts a throwaway
# PostgreSQL 15 server (test/pgtmp.sh), replays the day into partition
# "3205" (Suzhou) with group commit, shows what a host reads from the
# tables, reopens the engine from the database, and stops the server.
# Run from the repository root.
set -eu
tool=$1
config=$2
input=$3
build=$4
dir="$build/demo-pg"
out="$build/demo-pg.ndjson"
test/pgtmp.sh stop "$dir"
conninfo=$(test/pgtmp.sh start "$dir")
trap 'test/pgtmp.sh stop "$dir"' EXIT
export GRIDFLOW_REPORTER_KEY="demo-only-reporter-key"
# show times as the city's clock reads them
q() { PGTZ=Asia/Shanghai psql -X -q -P pager=off -d "$conninfo" "$@"; }

lines=$(wc -l < "$input")
echo "== a throwaway PostgreSQL 15: $conninfo"
"$tool" migrate --store "pg:$conninfo"
echo
echo "== replaying $input ($lines lines) into partition 3205,"
echo "   group commit of up to 200 records per transaction, event clock"
"$tool" replay --config "$config" --store "pg:$conninfo" --partition 3205 \
	--batch 200 --clock event --progress --text --output "$out" "$input"
echo
echo "== what a host reads: orders by state"
q -c "SELECT state, count(*) AS orders FROM gf_order WHERE part = '3205'
      GROUP BY state ORDER BY count(*) DESC"
echo "== the five departments with most orders open"
q -c "SELECT lead, count(*) AS open_orders FROM gf_order
      WHERE part = '3205' AND state NOT IN ('closed', 'cancelled', 'merged')
      GROUP BY lead ORDER BY count(*) DESC LIMIT 5"
echo "== overdue clocks, oldest first (the day's event clock is in the past, so many are)"
q -c "SELECT order_id, lead, clock, clock_due FROM gf_overdue
      WHERE part = '3205' ORDER BY clock_due LIMIT 5"
echo "== the outbox a notification service consumes (gf_outbox_take)"
q -c "SELECT kind, count(*) FROM gf_outbox WHERE part = '3205'
      GROUP BY kind ORDER BY count(*) DESC"
echo "== the open quarantine"
q -c "SELECT id, error, field, left(message, 60) AS message FROM gf_quarantine
      WHERE part = '3205' AND open ORDER BY id"
echo "== one order's audit trail"
q -c "SELECT n, to_char(at, 'HH24:MI') AS at, what, actor_dept, from_state,
             to_state, lead
      FROM gf_audit WHERE part = '3205' AND order_id = (
        SELECT order_id FROM gf_order WHERE part = '3205'
        AND state = 'closed' ORDER BY order_id LIMIT 1)
      ORDER BY n"
echo "== restart: a new engine replays the partition's records"
"$tool" dump --config "$config" --store "pg:$conninfo" --partition 3205 \
	> "$build/demo-pg.dump"
orders=$(grep -c '"type":"order"' "$build/demo-pg.dump")
rows=$(q -t -A -c "SELECT count(*) FROM gf_order WHERE part = '3205'")
echo "   $orders orders rebuilt from gf_record; gf_order holds $rows rows"
echo
echo "NDJSON results: $out"
