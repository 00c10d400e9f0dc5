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
echo "== one order's audit trail and clocks (a department returned it, the rules re-routed it, and the ladder urged)"
python3 - "$build/demo.dump" <<'PY'
import json, sys
pick = None
for line in open(sys.argv[1], encoding="utf-8"):
    if '"type":"order"' not in line or '"returns":1' not in line:
        continue
    o = json.loads(line)
    whats = [a["what"] for a in o["audit"]]
    if "urge" in whats and "escalate" not in whats and len(whats) <= 16:
        pick = o
        break
if pick:
    o = pick
    r = o["reports"][0]
    print("   %s  %s  %s" % (o["id"], o["state"], r.get("title", "")))
    for a in o["audit"]:
        print("   %s  %-19s %-16s %-11s -> %-11s %s %s" % (a["at"][11:16], a["what"], a["dept"],
              a["from"] or "", a["to"], ("[" + a["lead"] + "]") if a["lead"] else "", a["reason"]))
    for c in o["clocks"]:
        print("   clock %-8s %-8s started %s  due %s  stopped %s  runs %d" % (
            c["name"], c["state"], (c["started"] or "-")[5:16], (c["due"] or "-")[5:16],
            (c["stopped"] or "-")[5:16], c["runs"]))
PY
echo
echo "NDJSON results: $out   state dump: $build/demo.dump"
