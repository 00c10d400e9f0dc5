#!/bin/sh
# make demo: replay a sample day for Suzhou on the journal store, then
# show what the engine made of it. Run from the repository root.
set -eu
tool=$1
config=$2
input=$3
build=$4
journal="$build/demo.journal"
out="$build/demo.ndjson"
rm -f "$journal"
# A demo key: production keys come from the host's secret store.
export GRIDFLOW_REPORTER_KEY="demo-only-reporter-key"

echo "== configuration: $config"
"$tool" check --config "$config"
lines=$(wc -l < "$input")
echo
echo "== replaying $input ($lines lines: events and actions of one day)"
echo "   store journal:$journal, event clock, fsync every 100 ms"
"$tool" replay --config "$config" --store "journal:$journal" \
	--clock event --sync 100 --progress --text --output "$out" "$input"
echo
echo "== restart: the journal replays to the same state"
"$tool" dump --config "$config" --store "journal:$journal" > "$build/demo.dump"
orders=$(grep -c '"type":"order"' "$build/demo.dump")
open=$(grep -c '"type":"quarantine"' "$build/demo.dump" || true)
echo "   $(stat -c %s "$journal") bytes of journal -> $orders orders, $open open quarantine entries"
echo
echo "== one order's audit trail (the first that a department returned: the rules re-routed it)"
grep -m1 '"returns":1' "$build/demo.dump" | python3 -c '
import json, sys
o = json.loads(sys.stdin.read())
r = o["reports"][0]
print("   %s  %s  %s" % (o["id"], o["state"], r.get("title", "")))
for a in o["audit"]:
    print("   %s  %-19s %-16s %-11s -> %-11s %s %s" % (a["at"][11:16], a["what"], a["dept"],
          a["from"] or "", a["to"], ("[" + a["lead"] + "]") if a["lead"] else "", a["reason"]))
'
echo
echo "NDJSON results: $out   state dump: $build/demo.dump"
