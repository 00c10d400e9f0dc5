"""Routing by decision tables, in Python, exactly as docs/formats.md
("rules.json") specifies it: the model that tools/gendemo.py uses to know,
for every event of the demo day, which department the engine will route it
to (and where it goes after a return), and that tools/mkrules.py uses to
validate the rule set it writes.  Python 3 standard library only.

    d = Directory.load("examples/config/directory.json")
    rs = Ruleset(json.load(open("examples/config/rules.json")), d)
    dec = rs.route(event_dict)                  # a new event
    dec = rs.route(event_dict, exclude=["t320506001-cg"])   # after a return
    dec.lead        # department id, or None: the fallback desk
    dec.rule, dec.table, dec.sla, dec.level, dec.priority, dec.assist

What it implements (docs/formats.md):
- tables in order; "first": the first rule whose conditions hold,
  "priority": the matching rule with the highest "priority" (default 0,
  ties to the earlier rule), "collect": every matching rule;
- a hit whose lead resolves to a department that returned the order
  (exclude) does not count, and evaluation goes on;
- the first hit (in table order) naming a lead decides lead, rule, and
  sla/level/priority if it gives them; later hits fill what is unset;
  assist departments from every hit, without repeats and without the lead;
- a role resolves to the department of that function whose region is the
  event region's ancestor at that level (first in directory.json order);
  a lead role that resolves to nothing sends the order to the desk;
- conditions: channel, urgency (the event's, or its category's default),
  category (itself and descendants, on segment boundaries), region (code
  prefix), keywords_any / keywords_none (substrings of the normalised title
  or content), attributes (=, !=, <, <=, >, >=, in; numbers as numbers,
  strings as byte strings, booleans with = and != only; a missing attribute
  or a value of another type fails), time (local time of day at the
  offset the report was written with; from inclusive, to exclusive;
  from > to crosses midnight).
"""

import json
import re
import unicodedata

LEVELS = ("city", "district", "town", "village")
CHANNELS = ("12345", "110", "petition", "grid", "mediation")
URGENCIES = ("normal", "urgent", "critical")
ATTR_OPS = ("=", "!=", "<", "<=", ">", ">=", "in")


# ------------------------------------------------------------- directory


def level_of(code):
    """The level a region code denotes by its shape (docs/formats.md)."""
    if "-" in code:
        return "grid"
    if code.endswith("0000000000"):
        return "province"
    if code.endswith("00000000"):
        return "city"
    if code.endswith("000000"):
        return "district"
    if code.endswith("000"):
        return "town"
    return "village"


def ancestor(region12, level):
    """The 12-digit code of region12's ancestor at level, or None when the
    region is above that level."""
    keep = {"city": 4, "district": 6, "town": 9, "village": 12}[level]
    code = region12[:keep] + "0" * (12 - keep)
    order = ("province", "city", "district", "town", "village")
    if order.index(level_of(region12)) < order.index(level):
        return None
    return code


class Directory:
    """What routing needs from directory.json."""

    def __init__(self, doc):
        self.doc = doc
        self.regions = {r["code"]: r for r in doc["regions"]}
        self.depts = {x["id"]: x for x in doc["departments"]}
        self.dept_order = [x["id"] for x in doc["departments"]]
        self.cats = {c["code"]: c for c in doc["categories"]}
        self.by_rf = {}
        for x in doc["departments"]:
            self.by_rf.setdefault((x["region"], x["function"]), x["id"])
        # functions present at each level
        self.functions = {}
        for x in doc["departments"]:
            lv = level_of(x["region"])
            self.functions.setdefault(lv, set()).add(x["function"])

    @classmethod
    def load(cls, path):
        with open(path, encoding="utf-8") as f:
            return cls(json.load(f))

    def dept_level(self, dept_id):
        return level_of(self.depts[dept_id]["region"])

    def default_urgency(self, cat):
        c = cat
        while True:
            u = self.cats[c].get("urgency")
            if u:
                return u
            if "." not in c:
                return "normal"
            c = c.rsplit(".", 1)[0]

    def role(self, region12, level, function):
        code = ancestor(region12, level)
        if code is None:
            return None
        return self.by_rf.get((code, function))

    def resolve(self, target, region12):
        """'dept:ID' or 'role:LEVEL.FUNCTION' -> department id or None."""
        kind, _, rest = target.partition(":")
        if kind == "dept":
            return rest if rest in self.depts else None
        level, _, fn = rest.partition(".")
        return self.role(region12, level, fn)


# ------------------------------------------------------------ normalising


def normalize_text(s):
    """The library's normalisation of free text (lib/text.h), as far as it
    matters for substring matching: full-width digits and Latin letters
    become ASCII, every Unicode space and control character but newline
    becomes a space, runs of spaces fold, lines and the whole are trimmed."""
    if s is None:
        return None
    out = []
    for ch in s:
        o = ord(ch)
        if 0xFF10 <= o <= 0xFF19 or 0xFF21 <= o <= 0xFF3A or \
                0xFF41 <= o <= 0xFF5A:
            out.append(chr(o - 0xFEE0))
        elif ch == "\n":
            out.append("\n")
        elif o < 0x20 or 0x7F <= o <= 0x9F or \
                unicodedata.category(ch) == "Zs":
            out.append(" ")
        else:
            out.append(ch)
    text = re.sub(r" {2,}", " ", "".join(out))
    lines = [ln.strip(" ") for ln in text.split("\n")]
    text = re.sub(r"\n{3,}", "\n\n", "\n".join(lines))
    return text.strip(" \n")


def local_seconds(received_at):
    """Seconds since local midnight of an RFC 3339 time, at the offset it
    was written with."""
    m = re.match(r"^\d{4}-\d{2}-\d{2}[Tt ](\d{2}):(\d{2}):(\d{2})",
                 received_at)
    if not m:
        raise ValueError("bad time %r" % received_at)
    return int(m.group(1)) * 3600 + int(m.group(2)) * 60 + int(m.group(3))


def hhmm(s):
    h, m = s.split(":")
    return int(h) * 3600 + int(m) * 60


# ------------------------------------------------------------- the rules


def _num(v):
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def compare(have, op, want):
    """One attribute comparison (docs/formats.md)."""
    if op == "in":
        return any(compare(have, "=", w) for w in want)
    if isinstance(want, bool) or isinstance(have, bool):
        if not (isinstance(want, bool) and isinstance(have, bool)):
            return False
        if op == "=":
            return have == want
        if op == "!=":
            return have != want
        return False
    if _num(want):
        if not _num(have):
            return False
        a, b = float(have), float(want)
    elif isinstance(want, str):
        if not isinstance(have, str):
            return False
        a, b = have.encode("utf-8"), want.encode("utf-8")
    else:
        return False
    return {"=": a == b, "!=": a != b, "<": a < b, "<=": a <= b,
            ">": a > b, ">=": a >= b}[op]


def cat_covers(prefix, cat):
    return cat == prefix or cat.startswith(prefix + ".")


class Event:
    """The fields routing looks at, taken from an event object."""

    def __init__(self, ev, directory):
        self.channel = ev["channel"]
        self.category = ev["category"]
        region = ev["region"]
        if len(region) in (6, 9):
            region = region + "0" * (12 - len(region))
        self.region = region
        self.urgency = ev.get("urgency") or directory.default_urgency(
            self.category)
        self.title = normalize_text(ev.get("title"))
        self.content = normalize_text(ev.get("content"))
        self.attributes = ev.get("attributes") or {}
        self.tod = local_seconds(ev["received_at"])

    def has(self, kw):
        return (self.title is not None and kw in self.title) or \
            (self.content is not None and kw in self.content)


def why_not(when, e):
    """None when every condition of `when` holds for event e, else the name
    of the first condition that fails."""
    if "channel" in when and e.channel not in when["channel"]:
        return "channel"
    if "urgency" in when and e.urgency not in when["urgency"]:
        return "urgency"
    if "category" in when and not any(cat_covers(c, e.category)
                                      for c in when["category"]):
        return "category"
    if "region" in when and not any(e.region.startswith(p)
                                    for p in when["region"]):
        return "region"
    if "keywords_any" in when and not any(e.has(k)
                                          for k in when["keywords_any"]):
        return "keywords_any"
    if "keywords_none" in when and any(e.has(k)
                                       for k in when["keywords_none"]):
        return "keywords_none"
    for a in when.get("attributes", []):
        if a["key"] not in e.attributes or \
                not compare(e.attributes[a["key"]], a["op"], a["value"]):
            return "attributes"
    if "time" in when:
        lo, hi = hhmm(when["time"]["from"]), hhmm(when["time"]["to"])
        t = e.tod
        ok = (lo <= t < hi) if lo <= hi else (t >= lo or t < hi)
        if not ok:
            return "time"
    return None


class Decision:
    __slots__ = ("lead", "rule", "table", "sla", "level", "priority",
                 "assist", "why", "hits")

    def __init__(self):
        self.lead = None        # department id; None: the fallback desk
        self.rule = "fallback"
        self.table = None
        self.sla = None
        self.level = None       # as given by the rule; None: the lead's
        self.priority = None
        self.assist = []
        self.why = "no rule matched"
        self.hits = []          # (table id, rule id)

    def __repr__(self):
        return "Decision(lead=%r, rule=%r, sla=%r, level=%r, priority=%r, " \
               "assist=%r)" % (self.lead, self.rule, self.sla, self.level,
                               self.priority, self.assist)


class Ruleset:
    def __init__(self, doc, directory):
        self.doc = doc
        self.d = directory
        self.fallback = doc["fallback"]
        self.tables = doc.get("tables", [])

    @classmethod
    def load(cls, path, directory):
        with open(path, encoding="utf-8") as f:
            return cls(json.load(f), directory)

    def route(self, ev, exclude=()):
        """Route one event (a dict as in the NDJSON). exclude: ids of the
        departments that returned the order."""
        e = ev if isinstance(ev, Event) else Event(ev, self.d)
        excl = set(exclude)
        dec = Decision()
        decided = False
        for table in self.tables:
            hp = table["hit_policy"]
            hits = []
            best = None
            for rule in table["rules"]:
                if why_not(rule.get("when", {}), e) is not None:
                    continue
                lead_t = rule.get("then", {}).get("lead")
                if lead_t and excl:
                    lead = self.d.resolve(lead_t, e.region)
                    if lead is not None and lead in excl:
                        continue        # does not count; go on
                if hp == "first":
                    hits = [rule]
                    break
                if hp == "priority":
                    if best is None or rule.get("priority", 0) > \
                            best.get("priority", 0):
                        best = rule
                else:
                    hits.append(rule)
            if hp == "priority" and best is not None:
                hits = [best]
            for rule in hits:
                then = rule.get("then", {})
                dec.hits.append((table["id"], rule["id"]))
                if then.get("lead") and not decided:
                    decided = True
                    lead = self.d.resolve(then["lead"], e.region)
                    dec.lead = lead
                    dec.rule = rule["id"]
                    dec.table = table["id"]
                    dec.why = None if lead else "%s resolves to nothing in %s" \
                        % (then["lead"], e.region)
                    if lead is None:
                        dec.rule = rule["id"]
                for k in ("sla", "level", "priority"):
                    if getattr(dec, k) is None and k in then:
                        setattr(dec, k, then[k])
                for t in then.get("assist", []):
                    a = self.d.resolve(t, e.region)
                    if a is not None and a not in dec.assist:
                        dec.assist.append(a)
        if dec.lead is not None:
            dec.assist = [a for a in dec.assist if a != dec.lead]
        return dec

    def level(self, dec):
        """The handling level of a decision: the rule's, else the lead's."""
        if dec.lead is None:
            return None
        return dec.level or self.d.dept_level(dec.lead)


# ------------------------------------------------------------ validation


def _subset_prefix(narrow, wide, covers):
    return all(any(covers(w, n) for w in wide) for n in narrow)


def subsumes(a, b):
    """1 when rule a's conditions hold whenever rule b's do (a is at least
    as permissive as b on every condition a has).  Conservative: attribute
    and time conditions must be written identically."""
    wa, wb = a.get("when", {}), b.get("when", {})
    for k, va in wa.items():
        if k not in wb:
            return False
        vb = wb[k]
        if k in ("channel", "urgency"):
            if not set(vb) <= set(va):
                return False
        elif k == "category":
            if not _subset_prefix(vb, va, cat_covers):
                return False
        elif k == "region":
            if not _subset_prefix(vb, va, lambda w, n: n.startswith(w)):
                return False
        elif k == "keywords_any":
            # every keyword of b contains one of a's
            if not all(any(x in y for x in va) for y in vb):
                return False
        elif k == "keywords_none":
            # a's forbidden words: each contains a forbidden word of b
            if not all(any(y in x for y in vb) for x in va):
                return False
        elif k == "attributes":
            if not all(c in vb for c in va):
                return False
        elif k == "time":
            if va != vb:
                return False
        else:
            return False
    return True


def validate(rules, sla, directory):
    """Check a rule set and its SLA file against docs/formats.md and the
    directory. Returns (errors, warnings, stats)."""
    d = directory
    errors, warnings = [], []

    def err(path, msg):
        errors.append("%s: %s" % (path, msg))

    fb = rules.get("fallback")
    if fb not in d.depts:
        err("$.fallback", "unknown department %r" % fb)
    elif d.depts[fb]["function"] != "command_centre":
        err("$.fallback", "%r is not a command centre" % fb)
    ret = rules.get("returns", {})
    if not isinstance(ret.get("limit", 2), int) or ret.get("limit", 2) < 0:
        err("$.returns.limit", "not a count")
    if not re.fullmatch(r"\d+[mhd]", ret.get("window", "2d")):
        err("$.returns.window", "not a duration like 30m, 2h, 2d")
    policies = sla.get("policies", {})
    for name, p in policies.items():
        if not isinstance(p, dict) or not isinstance(p.get("name"), str):
            err("sla.json $.policies.%s" % name, "needs a name")
    ids = set()
    stats = {"tables": {}, "policies": {}, "total": 0}

    def check_target(path, t, region_hint=None):
        m = re.fullmatch(r"dept:([A-Za-z0-9._-]{1,64})", t)
        if m:
            if m.group(1) not in d.depts:
                err(path, "unknown department %r" % m.group(1))
            return
        m = re.fullmatch(r"role:(city|district|town|village)\.([a-z0-9_]{1,32})",
                         t)
        if not m:
            err(path, "not a target: %r" % t)
            return
        if m.group(2) not in d.functions.get(m.group(1), set()):
            err(path, "no %s department has function %r" % (m.group(1),
                                                            m.group(2)))

    for ti, table in enumerate(rules.get("tables", [])):
        tp = "$.tables[%d]" % ti
        hp = table.get("hit_policy")
        if hp not in ("first", "priority", "collect"):
            err(tp + ".hit_policy", "unknown hit policy %r" % hp)
        if table.get("id") in ids:
            err(tp + ".id", "duplicate id %r" % table.get("id"))
        n = 0
        for ri, rule in enumerate(table.get("rules", [])):
            n += 1
            rp = "%s.rules[%d]" % (tp, ri)
            rid = rule.get("id")
            if not isinstance(rid, str) or not rid:
                err(rp + ".id", "missing")
            elif rid in ids:
                err(rp + ".id", "duplicate rule id %r" % rid)
            ids.add(rid)
            when, then = rule.get("when", {}), rule.get("then", {})
            for k in when:
                if k not in ("channel", "urgency", "category", "region",
                             "keywords_any", "keywords_none", "attributes",
                             "time"):
                    err(rp + ".when." + k, "unknown condition")
            for c in when.get("channel", []):
                if c not in CHANNELS:
                    err(rp + ".when.channel", "unknown channel %r" % c)
            for u in when.get("urgency", []):
                if u not in URGENCIES:
                    err(rp + ".when.urgency", "unknown urgency %r" % u)
            for c in when.get("category", []):
                if c not in d.cats:
                    err(rp + ".when.category", "unknown category %r" % c)
            for r in when.get("region", []):
                if not re.fullmatch(r"\d{2,12}", r):
                    err(rp + ".when.region", "not a code prefix %r" % r)
                elif not any(code.startswith(r) for code in d.regions):
                    err(rp + ".when.region", "no region starts with %r" % r)
            for k in ("keywords_any", "keywords_none"):
                for w in when.get(k, []):
                    if not isinstance(w, str) or not w or \
                            normalize_text(w) != w:
                        err(rp + ".when." + k, "bad keyword %r" % w)
            for ai, a in enumerate(when.get("attributes", [])):
                if a.get("op") not in ATTR_OPS:
                    err(rp + ".when.attributes[%d].op" % ai, "unknown op")
                if a.get("op") == "in" and not isinstance(a.get("value"),
                                                          list):
                    err(rp + ".when.attributes[%d].value" % ai,
                        "in needs a list")
                if isinstance(a.get("value"), bool) and \
                        a.get("op") not in ("=", "!="):
                    err(rp + ".when.attributes[%d].op" % ai,
                        "booleans compare with = and != only")
            if "time" in when:
                for k in ("from", "to"):
                    if not re.fullmatch(r"([01]\d|2[0-3]):[0-5]\d",
                                        when["time"].get(k, "")):
                        err(rp + ".when.time." + k, "not HH:MM")
                if when["time"].get("from") == when["time"].get("to"):
                    err(rp + ".when.time", "empty window")
            if "lead" in then:
                check_target(rp + ".then.lead", then["lead"])
            elif hp != "collect":
                err(rp + ".then.lead", "a %s rule without a lead" % hp)
            for ai, t in enumerate(then.get("assist", [])):
                check_target(rp + ".then.assist[%d]" % ai, t)
            if not then.get("lead") and not then.get("assist"):
                err(rp + ".then", "neither lead nor assist")
            if "sla" not in then:
                err(rp + ".then.sla", "every rule names an SLA policy")
            elif then["sla"] not in policies:
                err(rp + ".then.sla", "unknown SLA policy %r" % then["sla"])
            else:
                stats["policies"][then["sla"]] = \
                    stats["policies"].get(then["sla"], 0) + 1
            if "level" in then and then["level"] not in LEVELS:
                err(rp + ".then.level", "unknown level")
            if "priority" in then and then["priority"] not in (1, 2, 3, 4, 5):
                err(rp + ".then.priority", "not 1..5")
            if "priority" in rule and not _num(rule["priority"]):
                err(rp + ".priority", "not a number")
            # unreachable: an earlier (first) or stronger (priority) rule
            # holds whenever this one does
            if hp in ("first", "priority"):
                for oi, other in enumerate(table.get("rules", [])):
                    if oi == ri:
                        continue
                    if hp == "first" and oi > ri:
                        break
                    if hp == "priority":
                        po, pr = other.get("priority", 0), \
                            rule.get("priority", 0)
                        if not (po > pr or (po == pr and oi < ri)):
                            continue
                    if subsumes(other, rule):
                        warnings.append("%s: rule %r is unreachable behind %r"
                                        % (rp, rid, other.get("id")))
                        break
        stats["tables"][table.get("id")] = (hp, n)
        stats["total"] += n
    return errors, warnings, stats


def leaf_categories(directory):
    codes = set(directory.cats)
    return sorted(c for c in codes
                  if not any(o.startswith(c + ".") for o in codes))


def uncovered_leaves(rules, directory, table_id="main"):
    """Leaf categories that no rule of the table routes unconditionally
    (a rule whose only condition is a category list covering the leaf)."""
    table = [t for t in rules["tables"] if t["id"] == table_id][0]
    plain = [r["when"]["category"] for r in table["rules"]
             if set(r.get("when", {})) == {"category"}
             and r.get("then", {}).get("lead")]
    out = []
    for leaf in leaf_categories(directory):
        if not any(cat_covers(c, leaf) for cats in plain for c in cats):
            out.append(leaf)
    return out
