#!/bin/sh
# The gridflow tool end to end: check reports problems with file and path
# and exits 1; simulate shows what a rule change moves; replay --explain
# carries explanations; exit statuses are as documented.
set -u
tool=$1
config=$2
day=$3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0
fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "cli: FAIL: $*" >&2; }

# check: the example is clean
"$tool" check --config "$config" > "$tmp/check.out" 2>&1 && ok || bad "check of the example failed"
grep -q 'ok: .* regions' "$tmp/check.out" && ok || bad "check did not say ok"

# check: a broken copy names file and path, and exits 1
mkdir -p "$tmp/bad"
cp "$config/directory.json" "$config/sla.json" "$config/calendar.json" "$tmp/bad/"
python3 - "$config/rules.json" "$tmp/bad/rules.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1], encoding="utf-8"))
r["tables"][1]["rules"][0]["then"]["lead"] = "dept:no-such-dept"
r["tables"][0]["rules"].append(dict(r["tables"][0]["rules"][0]))  # duplicate id
json.dump(r, open(sys.argv[2], "w", encoding="utf-8"), ensure_ascii=False)
PY
"$tool" check --config "$tmp/bad" > "$tmp/bad.out" 2>&1
[ $? -eq 1 ] && ok || bad "check of a broken rule set did not exit 1"
grep -q '^rules.json: \$\.tables\[1\]\.rules\[0\]\.then\.lead: unknown department' "$tmp/bad.out" && ok || bad "no path for the unknown department"
grep -q 'duplicate' "$tmp/bad.out" && ok || bad "duplicate rule id not reported"
"$tool" check --config "$tmp/bad" --json | grep -q '"type":"summary","problems":[1-9]' && ok || bad "check --json summary"

# simulate: send one category family elsewhere, and see it move
mkdir -p "$tmp/new"
cp "$config/directory.json" "$config/sla.json" "$config/calendar.json" "$tmp/new/"
python3 - "$config/rules.json" "$tmp/new/rules.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1], encoding="utf-8"))
r["version"] = r["version"] + "-candidate"
first = {"id": "all-police-to-district", "when": {"category": ["police"]},
         "then": {"lead": "role:district.police"}}
r["tables"].insert(0, {"id": "candidate", "hit_policy": "first", "rules": [first]})
json.dump(r, open(sys.argv[2], "w", encoding="utf-8"), ensure_ascii=False)
PY
"$tool" simulate --config "$config" --against "$tmp/new" "$day" > "$tmp/sim.out" 2>&1 && ok || bad "simulate failed"
grep -q 'would go to another department' "$tmp/sim.out" && ok || bad "simulate printed no summary"
grep -q 'all-police-to-district' "$tmp/sim.out" && ok || bad "simulate did not count the new rule"
moved=$(sed -n 's/.*; \([0-9]*\) orders (.*would go to another department/\1/p' "$tmp/sim.out")
[ -n "$moved" ] && [ "$moved" -gt 100 ] && ok || bad "simulate moved '$moved' orders, expected the police ones"
"$tool" simulate --config "$config" --against "$tmp/new" --json "$day" > "$tmp/sim.json" && ok || bad "simulate --json failed"
python3 -c "import json,sys; d=json.load(open(sys.argv[1])); assert d['moved']>100 and d['by_rule']['all-police-to-district'][0]==0 and d['by_rule']['all-police-to-district'][1]>100" "$tmp/sim.json" && ok || bad "simulate --json content"
# against itself nothing moves
"$tool" simulate --config "$config" --against "$config" --json "$day" | python3 -c "import json,sys; assert json.load(sys.stdin)['moved']==0" && ok || bad "simulate against itself moved orders"
# simulate leaves out actions, not events that carry an "op" attribute
cat > "$tmp/op.in" <<'EOF2'
{"channel":"12345","source_id":"OP1","received_at":"2026-11-23T09:00:00+08:00","region":"320506001012","category":"city.environment.garbage","title":"小区门口垃圾堆积","attributes":{"op":"夜间施工"}}
{"op":"sign","ref":"12345:OP1","actor":"t320506001-cg"}
EOF2
"$tool" simulate --config "$config" --against "$config" --json "$tmp/op.in" | python3 -c "import json,sys; d=json.load(sys.stdin); assert d['events']==1 and d['skipped']==0, d" && ok || bad "simulate left out an event with an op attribute"

# calendar add: deadlines on the working calendar (docs/calendar.md)
cal() { "$tool" calendar --config "$config" add "$1" "$2" 2>&1; }
[ "$(cal 2026-09-18T17:00:00+08:00 5wd)" = "2026-09-24T17:30:00+08:00" ] && ok || bad "5wd over a make-up Sunday: $(cal 2026-09-18T17:00:00+08:00 5wd)"
[ "$(cal 2026-09-30T10:00:00+08:00 2wd)" = "2026-10-09T17:30:00+08:00" ] && ok || bad "2wd over National Day: $(cal 2026-09-30T10:00:00+08:00 2wd)"
[ "$(cal 2026-11-23T11:30:00+08:00 4wh)" = "2026-11-23T17:00:00+08:00" ] && ok || bad "4wh over lunch: $(cal 2026-11-23T11:30:00+08:00 4wh)"
[ "$(cal 2026-11-23T11:30:00+08:00 90m)" = "2026-11-23T13:00:00+08:00" ] && ok || bad "90m natural"
"$tool" calendar --config "$config" add 2026-11-23T11:30:00+08:00 5 > /dev/null 2>&1; [ $? -eq 2 ] && ok || bad "a bad duration did not exit 2"
"$tool" calendar --config "$config" add 2026-12-30T10:00:00+08:00 5wd > /dev/null 2>&1; [ $? -eq 1 ] && ok || bad "a deadline beyond the calendar's years did not exit 1"
out=$("$tool" calendar --config "$config" add 2024-06-03T10:00:00+08:00 1wd 2>&1); rc=$?
[ $rc -eq 1 ] && case "$out" in *"outside the years calendar.json covers"*) true ;; *) false ;; esac && ok || bad "a start before the calendar's years: exit $rc, $out"

# replay --explain: decisions carry the rules looked at
head -n 200 "$day" | "$tool" replay --config "$config" --clock event --explain > "$tmp/x.out" 2>/dev/null
grep -q '"explain":\[{"table":' "$tmp/x.out" && ok || bad "no explanation in decisions"
# replay --clock event: SLA ladder steps come out as "sla" lines, in time
# order, before the input that moved the clock past them, and the summary
# counts them. A city-routine order (sign 2wh, resolve 3wd) received Monday 09:00
# and left alone: notify at 80% of the sign time, urge at its due time.
cat > "$tmp/sla.in" <<'EOF2'
{"channel":"12345","source_id":"SLA1","received_at":"2026-11-23T09:00:00+08:00","region":"320506001012","category":"city.environment.garbage","title":"小区门口垃圾堆积","content":"投诉：垃圾堆积多日无人清理"}
{"channel":"12345","source_id":"SLA2","received_at":"2026-11-23T11:30:00+08:00","region":"320506001012","category":"city.environment.garbage","title":"又一处垃圾","content":"咨询垃圾清运时间"}
EOF2
"$tool" replay --config "$config" --clock event "$tmp/sla.in" > "$tmp/sla.out" 2>/dev/null
python3 - "$tmp/sla.out" <<'PY' && ok || bad "sla lines of a small replay"
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1], encoding="utf-8")]
types = [l["type"] for l in lines]
sla = [l for l in lines if l["type"] == "sla"]
assert types[0] == "decision" and types[-2] == "decision", types
assert len(sla) >= 2, sla
for l in sla:
    for k in ("order", "clock", "step", "at", "due", "dept", "message"):
        assert k in l, (k, l)
assert sla[0]["clock"] == "sign" and sla[0]["step"] == "notify", sla[0]
assert sla[1]["clock"] == "sign" and sla[1]["step"] == "urge", sla[1]
assert sla[1]["at"] == sla[1]["due"] == "2026-11-23T11:00:00+08:00", sla[1]
assert [l["at"] for l in sla] == sorted(l["at"] for l in sla)
s = lines[-1]
assert s["type"] == "summary" and s["sla"]["urge"] == sum(
    1 for l in sla if l["step"] == "urge"), s
PY
# the demo day: every sla line well formed, counted in the summary, and
# the dump shows each order's clocks and their timeline
"$tool" replay --config "$config" --clock event --store "journal:$tmp/sla.j" "$day" > "$tmp/day.out" 2>/dev/null
"$tool" dump --config "$config" --store "journal:$tmp/sla.j" > "$tmp/day.dump" 2>/dev/null
python3 - "$tmp/day.out" "$tmp/day.dump" <<'PY' && ok || bad "sla lines and clocks of the demo day"
import json, sys, collections
out = [json.loads(l) for l in open(sys.argv[1], encoding="utf-8")]
steps = collections.Counter(l["step"] for l in out if l["type"] == "sla")
assert steps["urge"] > 0 and steps["escalate"] > 0, steps
assert out[-1]["sla"] == {k: steps[k] for k in ("notify", "urge", "supervise", "escalate")}
orders = [json.loads(l) for l in open(sys.argv[2], encoding="utf-8")
          if '"type":"order"' in l]
with_clocks = [o for o in orders if o["clocks"]]
assert len(with_clocks) > 0.9 * len(orders), len(with_clocks)
audit = sum(1 for o in orders for a in o["audit"] if a["dept"] == "system"
            and a["what"] in ("notify", "urge", "supervise", "escalate"))
assert audit == sum(steps.values()), (audit, steps)
PY

# a repeated call (examples/config/dedup.json) is linked, with its score and
# reasons, to the order it repeats
cat > "$tmp/dup.in" <<'EOF2'
{"channel":"12345","source_id":"R1","received_at":"2026-11-23T09:00:00+08:00","region":"320506001012","category":"city.environment.garbage","title":"垃圾堆积","reporter":{"phone":"13800000001"}}
{"channel":"12345","source_id":"R2","received_at":"2026-11-23T15:00:00+08:00","region":"320506001012","category":"city.environment.litter","title":"还是没人管","reporter":{"phone":"13800000001"}}
EOF2
GRIDFLOW_REPORTER_KEY=cli-key "$tool" replay --config "$config" --clock event "$tmp/dup.in" > "$tmp/dup.out" 2>/dev/null
python3 - "$tmp/dup.out" <<'PY' && ok || bad "a repeated call is not linked"
import json, sys
d = [json.loads(l) for l in open(sys.argv[1], encoding="utf-8")]
d = [l for l in d if l["type"] == "decision"]
assert d[0]["outcome"] == "created", d[0]
assert d[1]["outcome"] == "linked" and d[1]["order"] == d[0]["order"], d[1]
assert d[1]["score"] == 1 and "same caller" in d[1]["reasons"], d[1]
PY

# usage errors exit 2, rejected input does not fail
"$tool" replay > /dev/null 2>&1; [ $? -eq 2 ] && ok || bad "usage error did not exit 2"
printf 'not json\n' | "$tool" replay --config "$config" > /dev/null 2>&1 && ok || bad "a rejected line made replay fail"
for opt in --batch --lease --retry; do
	"$tool" replay --config "$config" "$opt" 0 /dev/null > /dev/null 2> "$tmp/opt.err"
	[ $? -eq 2 ] && grep -q -- "$opt" "$tmp/opt.err" && ok || bad "$opt 0 is not a usage error naming $opt"
done
# a number option takes a whole number and nothing else: atoi read "5x"
# as 5 and wrapped 4294967297 round to 1
for bad in "--lease 5x" "--retry 1e3" "--batch 4294967297" "--sync 10abc"; do
	set -- $bad
	"$tool" replay --config "$config" "$1" "$2" /dev/null > /dev/null 2> "$tmp/opt.err"
	[ $? -eq 2 ] && grep -q -- "$1 $2" "$tmp/opt.err" && ok || bad "$bad is not a usage error naming it"
done
"$tool" simulate --config "$config" --against "$config" --examples x /dev/null > /dev/null 2> "$tmp/opt.err"
[ $? -eq 2 ] && grep -q -- "--examples x" "$tmp/opt.err" && ok || bad "--examples x is not a usage error naming it"
# every output line is a JSON object in valid UTF-8, even when a refusal
# quotes a long Chinese value (cut at 64 bytes, once inside a character)
python3 - "$tmp/u8.in" <<'PY'
import sys
cn = "ab" + "中" * 21
ev = ('{"channel":"12345","source_id":"U1","received_at":"2026-11-23T09:00:00+08:00",'
      '"region":"320506001012","category":"city.environment.garbage"}')
lines = [ev,
         '{"op":"%s","ref":"12345:U1","actor":"t320506001-cg"}' % cn,
         '{"op":"callback","ref":"12345:U1","actor":"t320506001-cg","satisfaction":"%s"}' % cn,
         '{"op":"sign","ref":"12345:U1","actor":"t320506001-cg","at":"%s"}' % cn]
open(sys.argv[1], "w", encoding="utf-8").write("\n".join(lines) + "\n")
PY
"$tool" replay --config "$config" "$tmp/u8.in" > "$tmp/u8.out" 2>/dev/null
python3 - "$tmp/u8.out" <<'PY' && ok || bad "replay wrote a line that is not a JSON object in UTF-8"
import json, sys
lines = open(sys.argv[1], "rb").read().split(b"\n")[:-1]
objs = [json.loads(l.decode("utf-8")) for l in lines]
acts = [o for o in objs if o["type"] == "action"]
assert len(acts) == 3 and all(not a["ok"] for a in acts), acts
assert all("ab中中中" in a["error"]["message"] for a in acts), acts
PY
# output lost on the way to stdout is an I/O error (1), for every command
if [ -w /dev/full ]; then
	"$tool" check --config "$config" > /dev/full 2> "$tmp/full.err"
	[ $? -eq 1 ] && grep -q "writing output" "$tmp/full.err" && ok || bad "check into a full disk did not exit 1"
	"$tool" calendar --config "$config" add 2026-09-30T10:00:00+08:00 2wd > /dev/full 2> "$tmp/full.err"
	[ $? -eq 1 ] && grep -q "writing output" "$tmp/full.err" && ok || bad "calendar add into a full disk did not exit 1"
	"$tool" simulate --config "$config" --against "$config" "$tmp/op.in" > /dev/full 2> "$tmp/full.err"
	[ $? -eq 1 ] && grep -q "writing output" "$tmp/full.err" && ok || bad "simulate into a full disk did not exit 1"
fi
# a store the tool cannot open is an I/O error (1), naming PostgreSQL
"$tool" replay --config "$config" --store "pg:host=/nonexistent/gf" /dev/null > /dev/null 2> "$tmp/pg.err"
[ $? -eq 1 ] && grep -q "PostgreSQL: cannot connect" "$tmp/pg.err" && ok || bad "an unreachable pg store is not exit 1 naming PostgreSQL"

echo "cli: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
