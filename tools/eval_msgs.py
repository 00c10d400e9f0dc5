#!/usr/bin/env python3
"""Near-repeat groups that text similarity joins in real Chinese messages.

    python3 tools/eval_msgs.py [--shared ../shared] [--tool build/gridflow]
                               [--examples 12] [--link-j 0.45] [--suspect-j 0.3]

The 4,326 messages of attachment3 (TipDM Cup 2020 C, see its
PROVENANCE.md: real citizen messages, unlabelled, many about the same
issue) are replayed through the engine in time order as reports of one
village without points, with a dedup.json whose only weight is the text
(score = min(1, 2 x estimated Jaccard of the character bigrams of title
and content)): linked at link_j, suspected at suspect_j, over a window
that covers the three years. The groups are the orders holding more than
one message. It prints how many groups and messages were joined, how many
joins were exact repeats (the same title or the same body), examples of
the others to read, and one JSON line {"eval": "messages", ...}.

The data stays in ../shared; the configuration and the NDJSON are written
under build/eval/msgs/.
"""
import argparse
import collections
import csv
import json
import os
import subprocess
import sys

DIRECTORY = {
    "version": "eval-msgs",
    "regions": [
        {"code": "990100000000", "name": "A市"},
        {"code": "990101000000", "name": "A区"},
        {"code": "990101001000", "name": "A街道"},
        {"code": "990101001001", "name": "A社区"},
    ],
    "departments": [
        {"id": "desk", "name": "指挥中心", "region": "990100000000",
         "function": "command_centre"},
    ],
    "categories": [{"code": "msg", "name": "留言"}],
}
RULES = {"version": "eval-msgs", "fallback": "desk", "tables": []}


def dedup(link_j, suspect_j):
    # text only: score = min(1, 2J)
    return {"version": "eval-msgs",
            "near": {"window": "1200d", "radius_m": 250,
                     "link_at": min(1.0, 2 * link_j),
                     "suspect_at": min(1.0, 2 * suspect_j),
                     "weights": {"distance": 0, "time": 0, "category": 0,
                                 "text": 1, "caller": 0}}}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--shared", default="../shared")
    ap.add_argument("--tool", default="build/gridflow")
    ap.add_argument("--out", default="build/eval/msgs")
    ap.add_argument("--examples", type=int, default=12)
    ap.add_argument("--link-j", type=float, default=0.45)
    ap.add_argument("--suspect-j", type=float, default=0.3)
    a = ap.parse_args()
    src = os.path.join(a.shared, "data/raw/tipdm2020c_gov_messages",
                       "attachment3_messages_with_votes.csv")
    if not os.path.exists(src):
        sys.exit("eval_msgs: %s is missing" % src)
    with open(src, encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    rows = [r for r in rows if r.get("留言时间_iso")]
    rows.sort(key=lambda r: (r["留言时间_iso"], r["留言编号"]))
    cfg = os.path.join(a.out, "config")
    os.makedirs(cfg, exist_ok=True)
    for name, doc in (("directory.json", DIRECTORY), ("rules.json", RULES),
                      ("dedup.json", dedup(a.link_j, a.suspect_j))):
        with open(os.path.join(cfg, name), "w", encoding="utf-8") as f:
            json.dump(doc, f, ensure_ascii=False)
    by_ref = {}
    events = os.path.join(a.out, "events.ndjson")
    with open(events, "w", encoding="utf-8") as f:
        for r in rows:
            ref = "12345:M" + r["留言编号"]
            by_ref[ref] = r
            f.write(json.dumps({
                "channel": "12345", "source_id": "M" + r["留言编号"],
                "received_at": r["留言时间_iso"] + "+08:00",
                "region": "990101001001", "category": "msg",
                "title": r["留言主题"][:500],
                "content": r["留言详情"][:4000]},
                ensure_ascii=False) + "\n")
    out = subprocess.run([a.tool, "replay", "--config", cfg, "--clock",
                          "event", events], capture_output=True, text=True,
                         check=True).stdout
    first = {}            # order -> its first message's ref
    groups = collections.defaultdict(list)
    joins, suspects = [], []
    rejected = 0
    for line in out.splitlines():
        d = json.loads(line)
        if d["type"] != "decision":
            continue
        o = d.get("outcome")
        if o == "rejected":
            rejected += 1
            continue
        groups[d["order"]].append(d["ref"])
        if o in ("created", "suspected"):
            first[d["order"]] = d["ref"]
        if o == "linked":
            joins.append((d["ref"], d["order"], d.get("score", 0)))
        if o == "suspected":
            suspects.append((d["ref"], d.get("reasons", "")))
    multi = {k: v for k, v in groups.items() if len(v) > 1}
    joined = sum(len(v) - 1 for v in multi.values())

    def same(a_ref, b_ref):
        x, y = by_ref[a_ref], by_ref[b_ref]
        return (x["留言主题"] == y["留言主题"] or
                x["留言详情"] == y["留言详情"])

    exact = sum(1 for ref, order, _ in joins if same(ref, first[order]))
    print("eval messages: %d messages of attachment3, %d rejected by the "
          "engine" % (len(rows), rejected))
    print("  text-only matching: linked at J >= %.2f, suspected at "
          "J >= %.2f (score = min(1, 2J))" % (a.link_j, a.suspect_j))
    print("  %d groups of 2 or more messages, %d messages joined to an "
          "earlier one (%d of the joins are exact repeats of the title or "
          "the body; %d are not)" % (len(multi), joined, exact,
                                     joined - exact))
    print("  %d more messages suspected (the grey band)" % len(suspects))
    sizes = collections.Counter(len(v) for v in multi.values())
    print("  group sizes: %s" % ", ".join(
        "%d x%d" % (k, sizes[k]) for k in sorted(sizes)))
    shown = 0
    print("\n  joins that are not exact repeats (to read):")
    for ref, order, score in joins:
        if same(ref, first[order]):
            continue
        if shown >= a.examples:
            break
        shown += 1
        print("   %.2f  %s\n         %s" % (score, by_ref[first[order]]["留言主题"],
                                          by_ref[ref]["留言主题"]))
    print(json.dumps({"eval": "messages", "messages": len(rows),
                      "groups": len(multi), "joined": joined,
                      "exact_repeats": exact, "suspected": len(suspects),
                      "link_j": a.link_j, "suspect_j": a.suspect_j},
                     ensure_ascii=False))


if __name__ == "__main__":
    main()
