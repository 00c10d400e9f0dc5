#!/usr/bin/env python3
"""Generate the 1,000-rule decision table of the routing benchmark.

    python3 tools/gen1000.py --config examples/config \\
        --out build/bench/rules1000.json [--out-jdm build/bench/rules1000.jdm.json] \\
        [--events examples/data/suzhou-day.ndjson]

One "first" table of 1,000 rules over channel, category, region and urgency
(docs/formats.md, "rules.json"), drawn with a fixed seed from the taxonomy,
the Suzhou region codes and the departments of directory.json; every lead is
a "dept:" target. The table runs from narrow to broad, so that the events of
a day in Suzhou match in its middle or near its end, not at its first rules:

    rules    0-599  a town or two, one to three leaf categories, one or two
                    channels, sometimes urgencies      (rarely match)
    rules  600-899  a district, one or two second-level families, sometimes
                    channels or urgencies              (often match)
    rules  900-989  a district and a top-level family, or a district and a
                    channel                            (match the rest)
    rules  990-999  one channel anywhere               (the catch-all)

No rule is unreachable behind an earlier one (checked as tools/mkrules.py
checks). --out-jdm writes the same table as a GoRules JSON Decision Model
(one decisionTableNode, hitPolicy "first", inputs region, category, channel,
urgency as unary zen expressions; outputs rule and lead), for bench/zen.
--events prints where the events of that file hit (stderr).
Deterministic; Python 3 standard library only.
"""

import argparse
import json
import os
import random
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import suzhou_routing as sr  # noqa: E402

SEED = 1000
N = 1000
CHANNELS = list(sr.CHANNELS)
URGENCY_SETS = [["urgent", "critical"], ["critical"], ["normal"],
                ["normal", "urgent"]]
# the function that usually owns a family, by level
OWNER = {
    "city": {"town": "urban_mgmt", "district": "urban_mgmt"},
    "police": {"town": "police", "district": "police"},
    "petition": {"town": "petition", "district": "petition"},
    "grid": {"town": "grid_office", "district": "grid_office"},
    "dispute": {"town": "justice", "district": "justice"},
    "service": {"town": "grid_office", "district": "command_centre"},
}
FAMILY_CHANNELS = {"city": ["12345", "grid"], "police": ["110"],
                   "petition": ["petition"], "grid": ["grid"],
                   "dispute": ["mediation"], "service": ["12345"]}


def build(d):
    rng = random.Random(SEED)
    cats = sorted(d.cats)
    leaves = sr.leaf_categories(d)
    tops = [c for c in cats if "." not in c]
    seconds = [c for c in cats if c.count(".") == 1]
    districts = sorted(c[:6] for c in d.regions
                       if sr.level_of(c) == "district")
    towns = sorted(c[:9] for c in d.regions if sr.level_of(c) == "town")
    depts_at = {}
    for x in d.doc["departments"]:
        depts_at.setdefault(x["region"], []).append(x)

    def lead_for(region_prefix, family):
        code = region_prefix + "0" * (12 - len(region_prefix))
        level = sr.level_of(code)
        fn = OWNER[family].get(level)
        cands = depts_at.get(code, [])
        for x in cands:
            if x["function"] == fn:
                return "dept:" + x["id"]
        return "dept:" + cands[0]["id"]

    rules = []

    def add(rule):
        for other in rules:
            if sr.subsumes(other, rule):
                return False
        rule["id"] = "r%04d" % len(rules)
        rules.append(rule)
        return True

    while len(rules) < 600:
        cs = sorted(rng.sample(leaves, rng.randint(1, 3)))
        fam = cs[0].split(".")[0]
        ts = sorted(rng.sample(towns, rng.choice([1, 1, 2])))
        when = {"channel": sorted(set(rng.sample(CHANNELS, rng.randint(1, 2))
                                      + FAMILY_CHANNELS[fam][:1])),
                "category": cs, "region": ts}
        if rng.random() < 0.5:
            when["urgency"] = rng.choice(URGENCY_SETS)
        add({"id": None, "when": when,
             "then": {"lead": lead_for(ts[0], fam)}})
    while len(rules) < 900:
        cs = sorted(rng.sample(seconds, rng.choice([1, 1, 2])))
        fam = cs[0].split(".")[0]
        dist = rng.choice(districts)
        when = {}
        r = rng.random()
        if r < 0.35:
            when["channel"] = sorted(set(FAMILY_CHANNELS[fam] + rng.sample(
                CHANNELS, rng.randint(0, 1))))
        when["category"] = cs
        when["region"] = [dist]
        if rng.random() < 0.3:
            when["urgency"] = rng.choice(URGENCY_SETS)
        add({"id": None, "when": when,
             "then": {"lead": lead_for(dist, fam)}})
    for dist in districts:
        for top in tops:
            add({"id": None, "when": {"category": [top], "region": [dist]},
                 "then": {"lead": lead_for(dist, top)}})
    pairs = [(ch, dist) for dist in districts for ch in CHANNELS]
    rng.shuffle(pairs)
    for ch, dist in pairs:
        if len(rules) >= 990:
            break
        fam = {"12345": "service", "110": "police", "petition": "petition",
               "grid": "grid", "mediation": "dispute"}[ch]
        add({"id": None, "when": {"channel": [ch], "region": [dist]},
             "then": {"lead": lead_for(dist, fam)}})
    for ch in CHANNELS:
        add({"id": None, "when": {"channel": [ch],
                                  "urgency": ["urgent", "critical"]},
             "then": {"lead": "dept:sz-yj"}})
        add({"id": None, "when": {"channel": [ch]},
             "then": {"lead": "dept:sz-zhzx"}})
    assert len(rules) == N, len(rules)
    for r in rules:                    # id first, for readers
        r["id"] = r.pop("id")
        r["when"] = r.pop("when")
        r["then"] = r.pop("then")
    return {"version": "bench-1000.1", "fallback": "sz-zhzx",
            "tables": [{"id": "bench", "hit_policy": "first",
                        "rules": rules}]}


# ------------------------------------------------------------------ JDM


def zen_str(s):
    return json.dumps(s, ensure_ascii=False)


def jdm_cells(when):
    cells = {}
    if "channel" in when:
        cells["channel"] = ", ".join(zen_str(c) for c in when["channel"])
    if "category" in when:
        # a category code matches itself and its descendants, on segment
        # boundaries: equal, or starts with the code and a dot
        cells["category"] = " or ".join(
            "$ == %s or startsWith($, %s)" % (zen_str(c), zen_str(c + "."))
            for c in when["category"])
    if "region" in when:
        cells["region"] = " or ".join("startsWith($, %s)" % zen_str(p)
                                      for p in when["region"])
    if "urgency" in when:
        cells["urgency"] = ", ".join(zen_str(u) for u in when["urgency"])
    return cells


def to_jdm(doc):
    table = doc["tables"][0]
    # zen evaluates a row's cells left to right and stops at the first
    # that fails: the most selective column first (region) makes it about
    # twice as fast as the natural order, so that is the order it gets
    inputs = [{"id": "in-" + f, "name": f, "type": "expression", "field": f}
              for f in ("region", "category", "channel", "urgency")]
    outputs = [{"id": "out-" + f, "name": f, "type": "expression",
                "field": f} for f in ("rule", "lead")]
    rows = []
    for r in table["rules"]:
        cells = jdm_cells(r["when"])
        row = {"_id": r["id"]}
        for f in ("region", "category", "channel", "urgency"):
            row["in-" + f] = cells.get(f, "")
        row["out-rule"] = zen_str(r["id"])
        row["out-lead"] = zen_str(r["then"]["lead"][len("dept:"):])
        rows.append(row)
    return {
        "contentType": "application/vnd.gorules.decision",
        "nodes": [
            {"id": "request", "type": "inputNode", "name": "Request",
             "position": {"x": 100, "y": 100}},
            {"id": "routing", "type": "decisionTableNode",
             "name": "routing (1,000 rules)", "position": {"x": 400, "y": 100},
             "content": {"hitPolicy": table["hit_policy"],
                         "inputs": inputs, "outputs": outputs,
                         "rules": rows}},
            {"id": "response", "type": "outputNode", "name": "Response",
             "position": {"x": 700, "y": 100}},
        ],
        "edges": [
            {"id": "e1", "type": "edge", "sourceId": "request",
             "targetId": "routing"},
            {"id": "e2", "type": "edge", "sourceId": "routing",
             "targetId": "response"},
        ],
    }


# ------------------------------------------------------------------ main


def write(path, text):
    dd = os.path.dirname(path)
    if dd:
        os.makedirs(dd, exist_ok=True)
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8", newline="\n") as f:
        f.write(text)
    os.replace(tmp, path)


def hit_profile(doc, d, path):
    rs = sr.Ruleset(doc, d)
    index = {r["id"]: i for i, r in enumerate(doc["tables"][0]["rules"])}
    pos = []
    with open(path, "rb") as f:
        for line in f:
            try:
                ev = json.loads(line)
            except ValueError:
                continue
            if not isinstance(ev, dict) or "op" in ev:
                continue
            try:
                dec = rs.route(ev)
            except (KeyError, ValueError, TypeError):
                continue
            pos.append(index.get(dec.rule, N))
    pos.sort()
    bands = [(0, 600), (600, 900), (900, 990), (990, 1000), (N, N + 1)]
    names = ["0-599", "600-899", "900-989", "990-999", "none"]
    counts = [sum(1 for p in pos if lo <= p < hi) for lo, hi in bands]
    print("gen1000: %d events of %s hit rules %s; median rule %d" % (
        len(pos), path, ", ".join("%s: %d" % kv for kv in zip(names, counts)),
        pos[len(pos) // 2] if pos else -1), file=sys.stderr)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--config", required=True,
                    help="configuration directory holding directory.json")
    ap.add_argument("--out", required=True, help="rules JSON to write")
    ap.add_argument("--out-jdm", help="the same table as GoRules JDM")
    ap.add_argument("--events", help="NDJSON events to profile the hits of")
    args = ap.parse_args()
    d = sr.Directory.load(os.path.join(args.config, "directory.json"))
    doc = build(d)
    errors, warnings, _ = sr.validate(doc, {"policies": {}}, d)
    errors = [e for e in errors if not e.endswith(
        "every rule names an SLA policy")]
    if errors or warnings:
        sys.exit("gen1000: %s" % "; ".join(errors + warnings))
    write(args.out, "{\"version\": %s, \"fallback\": %s, \"tables\": [\n"
          " {\"id\": \"bench\", \"hit_policy\": \"first\", \"rules\": [\n%s\n"
          " ]}]}\n" % (json.dumps(doc["version"]), json.dumps(doc["fallback"]),
                       ",\n".join("  " + json.dumps(r, ensure_ascii=False)
                                  for r in doc["tables"][0]["rules"])))
    if args.out_jdm:
        write(args.out_jdm, json.dumps(to_jdm(doc), ensure_ascii=False,
                                       indent=1) + "\n")
    print("gen1000: %s: %d rules%s" % (
        args.out, N, (", JDM " + args.out_jdm) if args.out_jdm else ""),
        file=sys.stderr)
    if args.events:
        hit_profile(doc, d, args.events)


if __name__ == "__main__":
    main()
