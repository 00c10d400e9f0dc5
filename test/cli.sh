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
cp "$config/directory.json" "$config/sla.json" "$tmp/bad/"
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
cp "$config/directory.json" "$config/sla.json" "$tmp/new/"
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

# calendar add: deadlines on the working calendar (docs/calendar.md)
cal() { "$tool" calendar --config "$config" add "$1" "$2" 2>&1; }
[ "$(cal 2026-09-18T17:00:00+08:00 5wd)" = "2026-09-24T17:30:00+08:00" ] && ok || bad "5wd over a make-up Sunday: $(cal 2026-09-18T17:00:00+08:00 5wd)"
[ "$(cal 2026-09-30T10:00:00+08:00 2wd)" = "2026-10-09T17:30:00+08:00" ] && ok || bad "2wd over National Day: $(cal 2026-09-30T10:00:00+08:00 2wd)"
[ "$(cal 2026-11-23T11:30:00+08:00 4wh)" = "2026-11-23T17:00:00+08:00" ] && ok || bad "4wh over lunch: $(cal 2026-11-23T11:30:00+08:00 4wh)"
[ "$(cal 2026-11-23T11:30:00+08:00 90m)" = "2026-11-23T13:00:00+08:00" ] && ok || bad "90m natural"
"$tool" calendar --config "$config" add 2026-11-23T11:30:00+08:00 5 > /dev/null 2>&1; [ $? -eq 2 ] && ok || bad "a bad duration did not exit 2"
"$tool" calendar --config "$config" add 2026-12-30T10:00:00+08:00 5wd > /dev/null 2>&1; [ $? -eq 1 ] && ok || bad "a deadline beyond the calendar's years did not exit 1"

# replay --explain: decisions carry the rules looked at
head -n 200 "$day" | "$tool" replay --config "$config" --clock event --explain > "$tmp/x.out" 2>/dev/null
grep -q '"explain":\[{"table":' "$tmp/x.out" && ok || bad "no explanation in decisions"
# usage errors exit 2, rejected input does not fail
"$tool" replay > /dev/null 2>&1; [ $? -eq 2 ] && ok || bad "usage error did not exit 2"
printf 'not json\n' | "$tool" replay --config "$config" > /dev/null 2>&1 && ok || bad "a rejected line made replay fail"

echo "cli: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
