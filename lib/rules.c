/*
 * rules.c - routing by decision tables (docs/formats.md, "rules.json").
 *
 * Loading turns rules.json into flat rules in one arena, reports every
 * problem by JSON path, and looks for rules that can never match and
 * roles that resolve to nothing. Each table then gets candidate lists:
 * for every (taxonomy category, channel) the rules, in evaluation order,
 * whose category and channel conditions admit it. Routing fetches the
 * event's lists and runs the remaining checks cheapest first, so a table
 * of a thousand rules costs what its few candidates cost; keywords go
 * last, behind a fingerprint of the text made once per evaluation.
 *
 * A hit whose lead resolves to nothing, or to a department that returned
 * the order, still gives what else it names (sla, level, priority,
 * assists), and a first or priority table then goes on to its next
 * match, so that "dept:" rules after a role rule serve as its fallback.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include <json-c/json.h>

#include "rules.h"
#include "calendar.h"
#include "text.h"

enum { POLICY_FIRST, POLICY_PRIORITY, POLICY_COLLECT };

enum { OP_EQ, OP_NE, OP_LT, OP_LE, OP_GT, OP_GE, OP_IN, OP_COUNT };
static const char *const op_names[OP_COUNT] = { "=",  "!=", "<", "<=",
						">",  ">=", "in" };

/* Lists are kept for every gf_channel value, 0 included, so that a
 * caller without a channel still reaches the rules that name none. */
#define NCHAN 6
/* A condition that is absent admits every channel or urgency. */
#define ANY_MASK 0xFFu
#define REAL_CHANNELS 0x3Eu
#define REAL_URGENCIES 0x07u
#define MS_PER_MINUTE 60000
#define MS_PER_DAY ((int64_t)86400000)
/* docs/formats.md: "returns" defaults */
#define DEFAULT_RETURN_LIMIT 2u
#define DEFAULT_RETURN_WINDOW (2 * MS_PER_DAY)
#define ID_MAX 64
#define FUNCTION_MAX 32
#define CODE_DIGITS 12
#define ROLE_EXAMPLES 3
#define SHOW_MAX 64
#define SHOW_SIZE (SHOW_MAX * 6 + 8)
/* Keywords whose state an evaluation remembers one by one; past that it
 * clears the whole array instead. */
#define TOUCH_MAX 64
/* The text fingerprint of an evaluation: 2^FP_LOG2 bits. */
#define FP_LOG2 11
#define FP_BITS (1u << FP_LOG2)
#define WHY_MAX 400

/* ---- the compiled form ---------------------------------------------- */

typedef struct value {
	gf__attr_kind kind;
	const char *str;  /* GF__ATTR_STRING */
	double num;       /* GF__ATTR_NUMBER; 0 or 1 for GF__ATTR_BOOL */
} value;

typedef struct acond {
	const char *key;
	int op;
	value v;          /* every op but OP_IN */
	value *list;      /* OP_IN */
	size_t nlist;
} acond;

typedef struct target {
	const char *text;        /* as written: "role:town.fire", "dept:x" */
	const gf__dept *dept;    /* dept: targets */
	gf_level level;          /* role: targets; GF_LEVEL_NONE otherwise */
	const char *function;    /* role: targets, inside text */
	size_t function_len;
	int function_id;         /* gf__dir_function_id, for gf__dir_role_at */
} target;

/* What evaluation reads comes first; the rest serves hits, messages and
 * the check-time analysis. */
typedef struct rule {
	unsigned urg_mask;
	unsigned chan_mask;
	unsigned day_mask;       /* 1 << gf__day_class; 0: no day condition */
	int has_time;
	int from, to;            /* minutes of the day */
	size_t nregion, nattr, nkw_any, nkw_none, ncat, nassist;
	const char **region;
	size_t *region_len;
	acond *attr;
	uint32_t *kw_any, *kw_none;
	const char **cat;
	size_t *cat_len;
	const char *id;
	const target *lead;
	target *assist;
	const char *sla;
	gf_level level;
	int prio;
	double priority;         /* for the priority hit policy */
	size_t index;            /* in its table in the file, for paths */
} rule;

typedef struct table {
	const char *id;
	int policy;
	rule *rules;             /* the rules without problems, file order */
	size_t nrules;
	/* [row * NCHAN + channel]: { n, rule index... } in evaluation order;
	 * row ncat is for a category outside the taxonomy, whose category
	 * conditions are then checked one by one */
	const uint32_t **lists;
} table;

struct gf__ruleset {
	gf__pool pool;
	const gf__calendar *cal;  /* the configuration's, or NULL */
	unsigned return_limit;
	gf_time return_window;
	table *tables;
	size_t ntables;
	size_t nrules;
	gf__map cat_row;         /* taxonomy code -> row + 1 */
	size_t ncat;
	const char **kw;         /* normalised keywords, by id */
	size_t *kw_len;
	size_t nkw;
};

/* ---- loading: problems and JSON access ------------------------------ */

typedef struct roleinfo {
	gf_level level;
	const char *function;
	size_t function_len;
	int exists;
	int analysed;
	const gf__region **missing; /* regions at level without one */
	size_t nmissing;
} roleinfo;

typedef struct rulepos {
	size_t t, r;
} rulepos;

typedef struct loader {
	gf__ruleset *rs;
	const gf__dir *dir;
	const gf__calendar *cal;
	const char *const *sla_names;
	size_t nsla;
	int sla_present;
	gf__rules_problem_fn report;
	void *ud;
	int errors;
	int oom;
	char base[64];            /* "$.tables[2].rules[14]" */
	size_t t;                 /* the table being read */
	gf__pool tmp;             /* what only loading needs */
	gf__map table_ids;        /* id -> rulepos */
	gf__map rule_ids;         /* id -> rulepos */
	gf__map kw_ids;           /* keyword -> id + 1 */
	gf__vec kws;
	gf__map prefixes;         /* every 2..12-digit prefix of a region */
	int have_prefixes;
	gf__map roles;            /* "town.fire" -> roleinfo */
	gf__vec at_level[GF_LEVEL_GRID + 1];
	int have_levels;
	gf__map lists;            /* candidate lists by content, shared */
} loader;

/* s quoted as in JSON, at most SHOW_MAX bytes of it, cut at a character;
 * bytes that are not UTF-8 show as '?' so a message stays valid text. */
static const char *show_str(const char *s, size_t n, char *buf, size_t size)
{
	static const char hex[] = "0123456789abcdef";
	size_t o = 0, i = 0;
	int cut = 0;
	buf[o++] = '"';
	while (i < n) {
		if (i >= SHOW_MAX || o + 12 > size) {
			cut = 1;
			break;
		}
		unsigned char ch = (unsigned char)s[i];
		if (ch >= 0x80) {
			size_t ok = gf__utf8_valid_prefix(s + i, n - i);
			if (ok == 0) {
				buf[o++] = '?';
				i++;
				continue;
			}
			/* copy one whole character */
			size_t len = ch >= 0xF0 ? 4 : ch >= 0xE0 ? 3 : 2;
			memcpy(buf + o, s + i, len);
			o += len;
			i += len;
			continue;
		}
		if (ch == '"' || ch == '\\') {
			buf[o++] = '\\';
			buf[o++] = (char)ch;
		} else if (ch < 0x20 || ch == 0x7f) {
			memcpy(buf + o, "\\u00", 4);
			o += 4;
			buf[o++] = hex[ch >> 4];
			buf[o++] = hex[ch & 15];
		} else {
			buf[o++] = (char)ch;
		}
		i++;
	}
	buf[o++] = '"';
	if (cut) {
		memcpy(buf + o, "...", 3);
		o += 3;
	}
	buf[o] = '\0';
	return buf;
}

static void prob(loader *l, int warning, const char *sub, const char *fmt,
		 ...) GF__PRINTF(4, 5);

static void prob(loader *l, int warning, const char *sub, const char *fmt,
		 ...)
{
	char path[256], msg[1536];
	if (sub)
		snprintf(path, sizeof(path), "%s.%s", l->base, sub);
	else
		snprintf(path, sizeof(path), "%s", l->base);
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (!warning)
		l->errors++;
	if (l->report)
		l->report(l->ud, path, msg, warning);
}

/* "key[i]" for a path below the base. */
static const char *subi(char *buf, size_t size, const char *key, size_t i)
{
	snprintf(buf, size, "%s[%zu]", key, i);
	return buf;
}

/* "parent.key", or parent["key"] when the key is not a plain name. */
static const char *subkey(char *buf, size_t size, const char *parent,
			  const char *key)
{
	size_t n = strlen(key);
	int plain = n > 0 && n <= SHOW_MAX;
	for (size_t i = 0; plain && i < n; i++) {
		char c = key[i];
		plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			(c >= '0' && c <= '9') || c == '_';
	}
	char show[SHOW_SIZE];
	const char *sep = parent ? "." : "";
	if (!parent)
		parent = "";
	if (plain)
		snprintf(buf, size, "%s%s%s", parent, sep, key);
	else
		snprintf(buf, size, "%s[%s]", parent,
			 show_str(key, n, show, sizeof(show)));
	return buf;
}

static void wrong_type(loader *l, const char *sub, const char *want,
		       struct json_object *got)
{
	char show[GF__JSON_SHOW_SIZE];
	prob(l, 0, sub, "expected %s, got %s", want,
	     gf__json_show(got, show, sizeof(show)));
}

static void unknown_key(loader *l, const char *parent, const char *key,
			const char *what, const char *expected)
{
	char sub[256], show[SHOW_SIZE];
	prob(l, 0, subkey(sub, sizeof(sub), parent, key),
	     "unknown %s %s: expected %s", what,
	     show_str(key, strlen(key), show, sizeof(show)), expected);
}

/* Each member of o not named in keys (NULL-terminated), as an unknown
 * field of parent. */
static void unknown_keys(loader *l, const char *parent,
			 struct json_object *o, const char *const *keys,
			 const char *expected)
{
	json_object_object_foreach(o, key, val)
	{
		(void)val;
		if (!gf__key_known(keys, key))
			unknown_key(l, parent, key, "field", expected);
	}
}

/* The text of a JSON string, or NULL after reporting why not. */
static const char *str_of(loader *l, struct json_object *v, const char *sub,
			  size_t *len)
{
	if (!json_object_is_type(v, json_type_string)) {
		wrong_type(l, sub, "a string", v);
		return NULL;
	}
	const char *s = json_object_get_string(v);
	size_t n = (size_t)json_object_get_string_len(v);
	if (strlen(s) != n) {
		prob(l, 0, sub, "must not contain a NUL character");
		return NULL;
	}
	if (!gf__utf8_valid(s, n)) {
		prob(l, 0, sub, "must be valid UTF-8");
		return NULL;
	}
	*len = n;
	return s;
}

/* The length of a non-empty JSON array, or 0 after reporting why not:
 * an empty list of conditions would silently never (or always) hold. */
static size_t list_of(loader *l, struct json_object *v, const char *sub)
{
	if (!json_object_is_type(v, json_type_array)) {
		wrong_type(l, sub, "an array", v);
		return 0;
	}
	size_t n = json_object_array_length(v);
	if (n == 0)
		prob(l, 0, sub, "must not be an empty list");
	return n;
}

static void *palloc(loader *l, size_t n)
{
	void *p = gf__pool_alloc(&l->rs->pool, n ? n : 1);
	if (!p)
		l->oom = 1;
	return p;
}

static char *pstrndup(loader *l, const char *s, size_t n)
{
	char *d = palloc(l, n + 1);
	if (d) {
		memcpy(d, s, n);
		d[n] = '\0';
	}
	return d;
}

static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static int id_ok(const char *s, size_t n)
{
	if (n == 0 || n > ID_MAX)
		return 0;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      is_digit(c) || c == '.' || c == '_' || c == '-'))
			return 0;
	}
	return 1;
}

static int function_ok(const char *s, size_t n)
{
	if (n == 0 || n > FUNCTION_MAX)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || is_digit(s[i]) ||
		      s[i] == '_'))
			return 0;
	return 1;
}

/* The levels a role, a rule's "level" and a region condition's analysis
 * speak of. */
static gf_level role_level(const char *s, size_t n)
{
	for (int lv = GF_LEVEL_CITY; lv <= GF_LEVEL_VILLAGE; lv++) {
		const char *name = gf_level_name((gf_level)lv);
		if (strlen(name) == n && memcmp(name, s, n) == 0)
			return (gf_level)lv;
	}
	return GF_LEVEL_NONE;
}

static const char *level_plural(gf_level lv)
{
	switch (lv) {
	case GF_LEVEL_CITY: return "cities";
	case GF_LEVEL_DISTRICT: return "districts";
	case GF_LEVEL_TOWN: return "towns";
	default: return "villages";
	}
}

/* The digits of a 12-digit code that a level keeps. */
static size_t level_keep(gf_level lv)
{
	switch (lv) {
	case GF_LEVEL_CITY: return 4;
	case GF_LEVEL_DISTRICT: return 6;
	case GF_LEVEL_TOWN: return 9;
	default: return 12;
	}
}

/* category equals prefix or lies under it: "city.environment" holds
 * "city.environment.garbage" but not "city.environmental". */
static int cat_under(const char *code, size_t len, const char *pre,
		     size_t plen)
{
	return len >= plen && memcmp(code, pre, plen) == 0 &&
	       (len == plen || code[plen] == '.');
}

/* ---- loading: "returns" --------------------------------------------- */

static void parse_returns(loader *l, struct json_object *root)
{
	gf__ruleset *rs = l->rs;
	struct json_object *ret, *v;
	snprintf(l->base, sizeof(l->base), "$");
	if (!json_object_object_get_ex(root, "returns", &ret))
		return;
	if (!json_object_is_type(ret, json_type_object)) {
		wrong_type(l, "returns", "an object", ret);
		return;
	}
	/* a misspelt "limt" must not leave the default in place unseen */
	static const char *const keys[] = { "limit", "window", NULL };
	unknown_keys(l, "returns", ret, keys, "limit and window");
	char show[GF__JSON_SHOW_SIZE];
	if (json_object_object_get_ex(ret, "limit", &v)) {
		int64_t n = json_object_is_type(v, json_type_int)
				    ? json_object_get_int64(v)
				    : -1;
		if (n < 0 || n > 1000)
			prob(l, 0, "returns.limit",
			     "expected an integer from 0 to 1000, got %s",
			     gf__json_show(v, show, sizeof(show)));
		else
			rs->return_limit = (unsigned)n;
	}
	if (!json_object_object_get_ex(ret, "window", &v))
		return;
	size_t n;
	const char *s = str_of(l, v, "returns.window", &n);
	if (!s)
		return;
	size_t i = 0;
	int64_t num = 0;
	while (i < n && is_digit(s[i]) && i < 9)
		num = num * 10 + (s[i++] - '0');
	const char *unit = s + i;
	size_t ulen = n - i;
	int64_t scale = 0;
	if (ulen == 1 && unit[0] == 'm')
		scale = MS_PER_MINUTE;
	else if (ulen == 1 && unit[0] == 'h')
		scale = 60 * MS_PER_MINUTE;
	else if (ulen == 1 && unit[0] == 'd')
		scale = MS_PER_DAY;
	if (i > 0 && ulen == 2 && unit[0] == 'w' &&
	    (unit[1] == 'h' || unit[1] == 'd')) {
		prob(l, 0, "returns.window",
		     "working-time durations (%s) come with the calendar, "
		     "which arrives with the SLA clocks: use m, h or d",
		     show_str(s, n, show, sizeof(show)));
		return;
	}
	if (i == 0 || scale == 0 || num == 0) {
		prob(l, 0, "returns.window",
		     "bad duration %s: expected a positive number and m, h "
		     "or d (\"30m\", \"2h\", \"2d\")",
		     show_str(s, n, show, sizeof(show)));
		return;
	}
	rs->return_window = num * scale;
}

/* ---- loading: conditions -------------------------------------------- */

static void parse_channel(loader *l, struct json_object *v, rule *r)
{
	size_t n = list_of(l, v, "when.channel");
	unsigned mask = 0;
	for (size_t i = 0; i < n; i++) {
		char sub[64], show[SHOW_SIZE];
		size_t len;
		subi(sub, sizeof(sub), "when.channel", i);
		const char *s =
			str_of(l, json_object_array_get_idx(v, i), sub, &len);
		if (!s)
			continue;
		gf_channel c = gf_channel_from_name(s, len);
		if (c == GF_CHANNEL_NONE) {
			prob(l, 0, sub,
			     "unknown channel %s: expected 12345, 110, "
			     "petition, grid or mediation",
			     show_str(s, len, show, sizeof(show)));
			continue;
		}
		mask |= 1u << c;
	}
	r->chan_mask = mask;
}

static void parse_urgency(loader *l, struct json_object *v, rule *r)
{
	size_t n = list_of(l, v, "when.urgency");
	unsigned mask = 0;
	for (size_t i = 0; i < n; i++) {
		char sub[64], show[SHOW_SIZE];
		size_t len;
		subi(sub, sizeof(sub), "when.urgency", i);
		const char *s =
			str_of(l, json_object_array_get_idx(v, i), sub, &len);
		if (!s)
			continue;
		int u = -1;
		for (int k = GF_URGENCY_NORMAL; k <= GF_URGENCY_CRITICAL; k++) {
			const char *name = gf_urgency_name((gf_urgency)k);
			if (strlen(name) == len && memcmp(name, s, len) == 0)
				u = k;
		}
		if (u < 0) {
			prob(l, 0, sub,
			     "unknown urgency %s: expected normal, urgent or "
			     "critical",
			     show_str(s, len, show, sizeof(show)));
			continue;
		}
		mask |= 1u << u;
	}
	r->urg_mask = mask;
}

static void parse_category(loader *l, struct json_object *v, rule *r)
{
	size_t n = list_of(l, v, "when.category");
	r->cat = palloc(l, n * sizeof(*r->cat));
	r->cat_len = palloc(l, n * sizeof(*r->cat_len));
	if (!r->cat || !r->cat_len)
		return;
	for (size_t i = 0; i < n; i++) {
		char sub[64], show[SHOW_SIZE];
		size_t len;
		subi(sub, sizeof(sub), "when.category", i);
		const char *s =
			str_of(l, json_object_array_get_idx(v, i), sub, &len);
		if (!s)
			continue;
		if (!gf__dir_category(l->dir, s, len)) {
			prob(l, 0, sub, "unknown category %s",
			     show_str(s, len, show, sizeof(show)));
			continue;
		}
		if (!(r->cat[r->ncat] = pstrndup(l, s, len)))
			return;
		r->cat_len[r->ncat++] = len;
	}
}

/* Whether some region code in the directory starts with s. */
static int prefix_known(loader *l, const char *s, size_t n)
{
	const gf__dir *d = l->dir;
	if (!l->have_prefixes) {
		if (gf__map_reserve(&l->prefixes, d->regions.len * 4) != GF_OK) {
			l->oom = 1;
			return 1;
		}
		for (size_t i = 0; i < d->regions.len; i++) {
			const gf__region *g = d->regions.v[i];
			size_t len = g->code_len < CODE_DIGITS ? g->code_len
							       : CODE_DIGITS;
			for (size_t k = 2; k <= len; k++)
				if (gf__map_put(&l->prefixes, g->code, k,
						(void *)g) != GF_OK) {
					l->oom = 1;
					return 1;
				}
		}
		l->have_prefixes = 1;
	}
	return gf__map_get(&l->prefixes, s, n) != NULL;
}

static void parse_region(loader *l, struct json_object *v, rule *r)
{
	size_t n = list_of(l, v, "when.region");
	r->region = palloc(l, n * sizeof(*r->region));
	r->region_len = palloc(l, n * sizeof(*r->region_len));
	if (!r->region || !r->region_len)
		return;
	for (size_t i = 0; i < n; i++) {
		char sub[64], show[SHOW_SIZE];
		size_t len;
		subi(sub, sizeof(sub), "when.region", i);
		const char *s =
			str_of(l, json_object_array_get_idx(v, i), sub, &len);
		if (!s)
			continue;
		int digits = len >= 2 && len <= CODE_DIGITS;
		for (size_t k = 0; digits && k < len; k++)
			digits = is_digit(s[k]);
		show_str(s, len, show, sizeof(show));
		if (!digits) {
			prob(l, 0, sub,
			     "bad region prefix %s: expected 2 to 12 digits",
			     show);
			continue;
		}
		if (!prefix_known(l, s, len))
			prob(l, 1, sub,
			     "region prefix %s matches no region in "
			     "directory.json",
			     show);
		if (!(r->region[r->nregion] = pstrndup(l, s, len)))
			return;
		r->region_len[r->nregion++] = len;
	}
}

/* The id of a normalised keyword, shared by every rule that uses it. */
static int keyword_id(loader *l, const char *s, size_t n, uint32_t *id)
{
	void *have = gf__map_get(&l->kw_ids, s, n);
	if (have) {
		*id = (uint32_t)((uintptr_t)have - 1);
		return GF_OK;
	}
	char *copy = pstrndup(l, s, n);
	if (!copy || gf__vec_push(&l->kws, copy) != GF_OK ||
	    gf__map_put(&l->kw_ids, copy, n,
			(void *)(uintptr_t)l->kws.len) != GF_OK) {
		l->oom = 1;
		return GF_ENOMEM;
	}
	*id = (uint32_t)(l->kws.len - 1);
	return GF_OK;
}

static void parse_keywords(loader *l, struct json_object *v,
			   const char *name, uint32_t **ids, size_t *nids)
{
	char where[32];
	snprintf(where, sizeof(where), "when.%s", name);
	size_t n = list_of(l, v, where);
	*ids = palloc(l, n * sizeof(**ids));
	if (!*ids)
		return;
	gf__buf norm;
	gf__buf_init(&norm);
	for (size_t i = 0; i < n && !l->oom; i++) {
		char sub[64], show[SHOW_SIZE];
		size_t len;
		subi(sub, sizeof(sub), where, i);
		const char *s =
			str_of(l, json_object_array_get_idx(v, i), sub, &len);
		if (!s)
			continue;
		/* the text an event is matched on is normalised; a keyword
		 * written with a full-width letter or a double space must
		 * match what that text became */
		gf__buf_reset(&norm);
		if (gf__text_normalize(s, len, &norm) != GF_OK) {
			l->oom = 1;
			break;
		}
		if (norm.len == 0) {
			prob(l, 0, sub, "keyword %s is empty once normalised",
			     show_str(s, len, show, sizeof(show)));
			continue;
		}
		uint32_t id;
		if (keyword_id(l, norm.p, norm.len, &id) != GF_OK)
			break;
		size_t k = 0;
		while (k < *nids && (*ids)[k] != id)
			k++;
		if (k == *nids)
			(*ids)[(*nids)++] = id;
	}
	gf__buf_free(&norm);
}

/* One attribute value; 0 after reporting a problem. in_list: an item of
 * an "in" list, where booleans have no use. */
static int parse_value(loader *l, struct json_object *v, const char *sub,
		       int op, int in_list, value *out)
{
	switch (json_object_get_type(v)) {
	case json_type_int:
	case json_type_double:
		out->kind = GF__ATTR_NUMBER;
		out->num = json_object_get_double(v);
		return 1;
	case json_type_string: {
		size_t n;
		const char *s = str_of(l, v, sub, &n);
		if (!s)
			return 0;
		out->kind = GF__ATTR_STRING;
		out->str = pstrndup(l, s, n);
		return out->str != NULL;
	}
	case json_type_boolean:
		if (in_list) {
			prob(l, 0, sub,
			     "\"in\" takes a list of numbers or strings");
			return 0;
		}
		if (op != OP_EQ && op != OP_NE) {
			prob(l, 0, sub,
			     "booleans compare only with = and !=, not %s",
			     op_names[op]);
			return 0;
		}
		out->kind = GF__ATTR_BOOL;
		out->num = json_object_get_boolean(v) ? 1 : 0;
		return 1;
	case json_type_array:
		prob(l, 0, sub, "a list of values needs op \"in\", not \"%s\"",
		     op_names[op]);
		return 0;
	default:
		wrong_type(l, sub,
			   in_list ? "a number or a string"
				   : "a number, a string or a boolean",
			   v);
		return 0;
	}
}

static void parse_attribute(loader *l, struct json_object *e, size_t i,
			    acond *a, int *ok)
{
	char at[64], sub[96];
	subi(at, sizeof(at), "when.attributes", i);
	if (!json_object_is_type(e, json_type_object)) {
		wrong_type(l, at, "an object", e);
		*ok = 0;
		return;
	}
	int before = l->errors;
	struct json_object *key = NULL, *op = NULL, *val = NULL;
	json_object_object_foreach(e, field, v)
	{
		if (strcmp(field, "key") == 0)
			key = v;
		else if (strcmp(field, "op") == 0)
			op = v;
		else if (strcmp(field, "value") == 0)
			val = v;
		else
			unknown_key(l, at, field, "field",
				    "key, op and value");
	}
	size_t n;
	const char *s;
	snprintf(sub, sizeof(sub), "%s.key", at);
	if (!key) {
		prob(l, 0, sub, "required field is missing");
	} else if ((s = str_of(l, key, sub, &n))) {
		if (n == 0)
			prob(l, 0, sub, "must not be empty");
		else
			a->key = pstrndup(l, s, n);
	}
	a->op = -1;
	snprintf(sub, sizeof(sub), "%s.op", at);
	if (!op) {
		prob(l, 0, sub, "required field is missing");
	} else if ((s = str_of(l, op, sub, &n))) {
		for (int k = 0; k < OP_COUNT; k++)
			if (strlen(op_names[k]) == n &&
			    memcmp(op_names[k], s, n) == 0)
				a->op = k;
		if (a->op < 0) {
			char show[SHOW_SIZE];
			prob(l, 0, sub,
			     "unknown op %s: expected =, !=, <, <=, >, >= or "
			     "in",
			     show_str(s, n, show, sizeof(show)));
		}
	}
	snprintf(sub, sizeof(sub), "%s.value", at);
	if (!val) {
		prob(l, 0, sub, "required field is missing");
	} else if (a->op == OP_IN) {
		size_t m = list_of(l, val, sub);
		a->list = palloc(l, m * sizeof(*a->list));
		for (size_t k = 0; a->list && k < m; k++) {
			char item[128];
			subi(item, sizeof(item), sub, k);
			if (parse_value(l, json_object_array_get_idx(val, k),
					item, OP_IN, 1, &a->list[a->nlist]))
				a->nlist++;
		}
	} else if (a->op >= 0) {
		parse_value(l, val, sub, a->op, 0, &a->v);
	}
	if (l->errors != before)
		*ok = 0;
}

static void parse_attributes(loader *l, struct json_object *v, rule *r)
{
	size_t n = list_of(l, v, "when.attributes");
	r->attr = palloc(l, n * sizeof(*r->attr));
	if (!r->attr)
		return;
	for (size_t i = 0; i < n && !l->oom; i++) {
		acond *a = &r->attr[r->nattr];
		memset(a, 0, sizeof(*a));
		int ok = 1;
		parse_attribute(l, json_object_array_get_idx(v, i), i, a, &ok);
		if (ok)
			r->nattr++;
	}
}

/* "HH:MM" from 00:00 to 23:59 as minutes, or -1. */
static int parse_hhmm(const char *s, size_t n)
{
	if (n != 5 || !is_digit(s[0]) || !is_digit(s[1]) || s[2] != ':' ||
	    !is_digit(s[3]) || !is_digit(s[4]))
		return -1;
	int h = (s[0] - '0') * 10 + (s[1] - '0');
	int m = (s[3] - '0') * 10 + (s[4] - '0');
	if (h > 23 || m > 59)
		return -1;
	return h * 60 + m;
}

static void parse_time(loader *l, struct json_object *v, rule *r)
{
	if (!json_object_is_type(v, json_type_object)) {
		wrong_type(l, "when.time", "an object", v);
		return;
	}
	struct json_object *from = NULL, *to = NULL;
	json_object_object_foreach(v, field, val)
	{
		if (strcmp(field, "from") == 0)
			from = val;
		else if (strcmp(field, "to") == 0)
			to = val;
		else
			unknown_key(l, "when.time", field, "field",
				    "from and to");
	}
	int mins[2] = { -1, -1 };
	struct json_object *ends[2] = { from, to };
	const char *subs[2] = { "when.time.from", "when.time.to" };
	for (int k = 0; k < 2; k++) {
		size_t n;
		const char *s;
		char show[SHOW_SIZE];
		if (!ends[k]) {
			prob(l, 0, subs[k], "required field is missing");
		} else if ((s = str_of(l, ends[k], subs[k], &n))) {
			mins[k] = parse_hhmm(s, n);
			if (mins[k] < 0)
				prob(l, 0, subs[k],
				     "bad time %s: expected HH:MM from 00:00 "
				     "to 23:59",
				     show_str(s, n, show, sizeof(show)));
		}
	}
	if (mins[0] < 0 || mins[1] < 0)
		return;
	if (mins[0] == mins[1]) {
		prob(l, 0, "when.time",
		     "from and to are both %02d:%02d: the window would be "
		     "empty",
		     mins[0] / 60, mins[0] % 60);
		return;
	}
	r->has_time = 1;
	r->from = mins[0];
	r->to = mins[1];
}

/* "day": ["workday", "weekend", "holiday"], by calendar.json. */
static void parse_day(loader *l, struct json_object *v, rule *r)
{
	if (!l->cal) {
		prob(l, 0, "when.day",
		     "day conditions need calendar.json, which this "
		     "configuration does not have");
		return;
	}
	if (!json_object_is_type(v, json_type_array) ||
	    json_object_array_length(v) == 0) {
		wrong_type(l, "when.day", "a non-empty array", v);
		return;
	}
	for (size_t i = 0; i < json_object_array_length(v); i++) {
		struct json_object *e = json_object_array_get_idx(v, i);
		char sub[48];
		snprintf(sub, sizeof(sub), "when.day[%zu]", i);
		const char *s = json_object_is_type(e, json_type_string)
					? json_object_get_string(e)
					: NULL;
		int cls = !s ? 0
			  : strcmp(s, "workday") == 0 ? GF__DAY_WORKDAY
			  : strcmp(s, "weekend") == 0 ? GF__DAY_WEEKEND
			  : strcmp(s, "holiday") == 0 ? GF__DAY_HOLIDAY
						      : 0;
		if (!cls) {
			char show[GF__JSON_SHOW_SIZE];
			prob(l, 0, sub,
			     "unknown day %s: expected workday, weekend or "
			     "holiday",
			     gf__json_show(e, show, sizeof(show)));
			continue;
		}
		r->day_mask |= 1u << cls;
	}
}

static void parse_when(loader *l, struct json_object *w, rule *r)
{
	if (!json_object_is_type(w, json_type_object)) {
		wrong_type(l, "when", "an object", w);
		return;
	}
	json_object_object_foreach(w, key, v)
	{
		if (l->oom)
			return;
		if (strcmp(key, "channel") == 0)
			parse_channel(l, v, r);
		else if (strcmp(key, "urgency") == 0)
			parse_urgency(l, v, r);
		else if (strcmp(key, "category") == 0)
			parse_category(l, v, r);
		else if (strcmp(key, "region") == 0)
			parse_region(l, v, r);
		else if (strcmp(key, "keywords_any") == 0)
			parse_keywords(l, v, key, &r->kw_any, &r->nkw_any);
		else if (strcmp(key, "keywords_none") == 0)
			parse_keywords(l, v, key, &r->kw_none, &r->nkw_none);
		else if (strcmp(key, "attributes") == 0)
			parse_attributes(l, v, r);
		else if (strcmp(key, "time") == 0)
			parse_time(l, v, r);
		else if (strcmp(key, "day") == 0)
			parse_day(l, v, r);
		else
			unknown_key(l, "when", key, "condition",
				    "channel, urgency, category, region, "
				    "keywords_any, keywords_none, attributes, "
				    "time or day");
	}
}

/* ---- loading: targets and "then" ------------------------------------ */

/* What the directory holds for a role: made once per (level, function). */
static roleinfo *role_info(loader *l, gf_level level, const char *fn,
			   size_t fn_len)
{
	char key[16 + FUNCTION_MAX];
	const char *lname = gf_level_name(level);
	size_t klen = (size_t)snprintf(key, sizeof(key), "%s.%.*s", lname,
				       (int)fn_len, fn);
	roleinfo *ri = gf__map_get(&l->roles, key, klen);
	if (ri)
		return ri;
	ri = gf__pool_alloc(&l->tmp, sizeof(*ri));
	char *kcopy = gf__pool_alloc(&l->tmp, klen + 1);
	if (!ri || !kcopy) {
		l->oom = 1;
		return NULL;
	}
	memcpy(kcopy, key, klen + 1);
	memset(ri, 0, sizeof(*ri));
	ri->level = level;
	ri->function = kcopy + strlen(lname) + 1;
	ri->function_len = fn_len;
	const gf__dir *d = l->dir;
	for (size_t i = 0; i < d->depts.len && !ri->exists; i++) {
		const gf__dept *p = d->depts.v[i];
		ri->exists = p->level == level &&
			     strlen(p->function) == fn_len &&
			     memcmp(p->function, fn, fn_len) == 0;
	}
	if (gf__map_put(&l->roles, kcopy, klen, ri) != GF_OK) {
		l->oom = 1;
		return NULL;
	}
	return ri;
}

/* 0 after reporting a problem. */
static int parse_target(loader *l, struct json_object *v, const char *sub,
			target *t)
{
	char show[SHOW_SIZE];
	size_t n;
	const char *s = str_of(l, v, sub, &n);
	if (!s)
		return 0;
	memset(t, 0, sizeof(*t));
	if (n > 5 && memcmp(s, "dept:", 5) == 0) {
		t->dept = gf__dir_dept(l->dir, s + 5, n - 5);
		if (!t->dept) {
			prob(l, 0, sub, "unknown department %s",
			     show_str(s + 5, n - 5, show, sizeof(show)));
			return 0;
		}
	} else if (n > 5 && memcmp(s, "role:", 5) == 0) {
		const char *lv = s + 5, *dot = memchr(lv, '.', n - 5);
		gf_level level =
			dot ? role_level(lv, (size_t)(dot - lv)) : GF_LEVEL_NONE;
		const char *fn = dot ? dot + 1 : NULL;
		size_t fn_len = dot ? n - (size_t)(fn - s) : 0;
		if (level == GF_LEVEL_NONE || !function_ok(fn, fn_len)) {
			prob(l, 0, sub,
			     "bad role %s: expected role:LEVEL.FUNCTION with "
			     "LEVEL city, district, town or village and "
			     "FUNCTION 1 to 32 of a-z 0-9 _",
			     show_str(s, n, show, sizeof(show)));
			return 0;
		}
		roleinfo *ri = role_info(l, level, fn, fn_len);
		if (!ri)
			return 0;
		if (!ri->exists) {
			prob(l, 0, sub,
			     "no department has function \"%.*s\" at level %s",
			     (int)fn_len, fn, gf_level_name(level));
			return 0;
		}
		t->level = level;
		t->function_len = fn_len;
	} else {
		prob(l, 0, sub,
		     "bad target %s: expected \"dept:ID\" or "
		     "\"role:LEVEL.FUNCTION\"",
		     show_str(s, n, show, sizeof(show)));
		return 0;
	}
	char *text = pstrndup(l, s, n);
	if (!text)
		return 0;
	t->text = text;
	if (t->level != GF_LEVEL_NONE) {
		t->function = text + (n - t->function_len);
		t->function_id = gf__dir_function_id(l->dir, t->function,
						     t->function_len);
	}
	return 1;
}

static void parse_sla(loader *l, struct json_object *v, rule *r)
{
	char show[SHOW_SIZE];
	size_t n;
	const char *s = str_of(l, v, "then.sla", &n);
	if (!s)
		return;
	show_str(s, n, show, sizeof(show));
	if (!l->sla_present) {
		prob(l, 0, "then.sla",
		     "sla.json is missing, so there is no SLA policy %s", show);
		return;
	}
	for (size_t i = 0; i < l->nsla; i++) {
		if (l->sla_names[i] && strlen(l->sla_names[i]) == n &&
		    memcmp(l->sla_names[i], s, n) == 0) {
			r->sla = pstrndup(l, s, n);
			return;
		}
	}
	prob(l, 0, "then.sla", "unknown SLA policy %s", show);
}

static void parse_then(loader *l, struct json_object *th, rule *r)
{
	if (!json_object_is_type(th, json_type_object)) {
		wrong_type(l, "then", "an object", th);
		return;
	}
	int given = 0;
	char show[GF__JSON_SHOW_SIZE];
	json_object_object_foreach(th, key, v)
	{
		if (l->oom)
			return;
		if (strcmp(key, "lead") == 0) {
			given++;
			target *t = palloc(l, sizeof(*t));
			if (t && parse_target(l, v, "then.lead", t))
				r->lead = t;
		} else if (strcmp(key, "assist") == 0) {
			given++;
			size_t n = list_of(l, v, "then.assist");
			r->assist = palloc(l, n * sizeof(*r->assist));
			for (size_t i = 0; r->assist && i < n; i++) {
				char sub[64];
				subi(sub, sizeof(sub), "then.assist", i);
				if (parse_target(l,
						 json_object_array_get_idx(v, i),
						 sub, &r->assist[r->nassist]))
					r->nassist++;
			}
		} else if (strcmp(key, "sla") == 0) {
			given++;
			parse_sla(l, v, r);
		} else if (strcmp(key, "level") == 0) {
			given++;
			size_t n;
			const char *s = str_of(l, v, "then.level", &n);
			if (s && (r->level = role_level(s, n)) == GF_LEVEL_NONE)
				prob(l, 0, "then.level",
				     "unknown level %s: expected city, "
				     "district, town or village",
				     gf__json_show(v, show, sizeof(show)));
		} else if (strcmp(key, "priority") == 0) {
			given++;
			int64_t p = json_object_is_type(v, json_type_int)
					    ? json_object_get_int64(v)
					    : 0;
			if (p < 1 || p > 5)
				prob(l, 0, "then.priority",
				     "expected an integer from 1 (highest) to "
				     "5, got %s",
				     gf__json_show(v, show, sizeof(show)));
			else
				r->prio = (int)p;
		} else {
			unknown_key(l, "then", key, "field",
				    "lead, assist, sla, level or priority");
		}
	}
	if (!given)
		prob(l, 0, "then",
		     "gives nothing: expected at least one of lead, assist, "
		     "sla, level or priority");
}

/* ---- loading: check-time analysis ----------------------------------- */

/* The regions of each role level, in file order. */
static int regions_by_level(loader *l)
{
	if (l->have_levels)
		return GF_OK;
	const gf__dir *d = l->dir;
	for (size_t i = 0; i < d->regions.len; i++) {
		gf__region *g = d->regions.v[i];
		if (g->level < GF_LEVEL_CITY || g->level > GF_LEVEL_VILLAGE ||
		    g->code_len != CODE_DIGITS)
			continue;
		if (gf__vec_push(&l->at_level[g->level], g) != GF_OK) {
			l->oom = 1;
			return GF_ENOMEM;
		}
	}
	l->have_levels = 1;
	return GF_OK;
}

/* Whether events admitted by the rule's region condition can have g as
 * their ancestor at g's level: g keeps `keep` digits, and a prefix
 * agrees with them as far as both go. */
static int region_reaches(const rule *r, const gf__region *g, size_t keep)
{
	if (!r->nregion)
		return 1;
	for (size_t i = 0; i < r->nregion; i++) {
		size_t n = r->region_len[i] < keep ? r->region_len[i] : keep;
		if (memcmp(g->code, r->region[i], n) == 0)
			return 1;
	}
	return 0;
}

static void role_gaps(loader *l, const rule *r, const target *t,
		      const char *sub)
{
	roleinfo *ri = role_info(l, t->level, t->function, t->function_len);
	if (!ri || regions_by_level(l) != GF_OK)
		return;
	const gf__vec *all = &l->at_level[t->level];
	if (!ri->analysed) {
		ri->missing = gf__pool_alloc(&l->tmp, (all->len ? all->len : 1) *
							      sizeof(*ri->missing));
		if (!ri->missing) {
			l->oom = 1;
			return;
		}
		for (size_t i = 0; i < all->len; i++) {
			const gf__region *g = all->v[i];
			if (!gf__dir_role(l->dir, g->code, t->level,
					  t->function, t->function_len))
				ri->missing[ri->nmissing++] = g;
		}
		ri->analysed = 1;
	}
	if (!ri->nmissing)
		return;
	size_t keep = level_keep(t->level), total = 0, miss = 0;
	const gf__region *ex[ROLE_EXAMPLES];
	if (!r->nregion) {
		total = all->len;
		miss = ri->nmissing;
		for (size_t i = 0; i < ROLE_EXAMPLES && i < miss; i++)
			ex[i] = ri->missing[i];
	} else {
		for (size_t i = 0; i < all->len; i++)
			total += region_reaches(r, all->v[i], keep);
		for (size_t i = 0; i < ri->nmissing; i++) {
			if (!region_reaches(r, ri->missing[i], keep))
				continue;
			if (miss < ROLE_EXAMPLES)
				ex[miss] = ri->missing[i];
			miss++;
		}
	}
	if (!miss)
		return;
	char eg[3 * (CODE_DIGITS + 2 + SHOW_SIZE)];
	size_t o = 0;
	for (size_t i = 0; i < ROLE_EXAMPLES && i < miss; i++) {
		int w = snprintf(eg + o, sizeof(eg) - o, "%s%s %s",
				 i ? ", " : "", ex[i]->code, ex[i]->name);
		if (w < 0 || (size_t)w >= sizeof(eg) - o)
			break;
		o += (size_t)w;
	}
	prob(l, 1, sub, "%s resolves to nothing in %zu of %zu %s, e.g. %s",
	     t->text, miss, total, level_plural(t->level), eg);
}

static int ids_subset(const uint32_t *a, size_t na, const uint32_t *b,
		      size_t nb)
{
	for (size_t i = 0; i < na; i++) {
		size_t k = 0;
		while (k < nb && b[k] != a[i])
			k++;
		if (k == nb)
			return 0;
	}
	return 1;
}

static int value_eq(const value *a, const value *b)
{
	if (a->kind != b->kind)
		return 0;
	if (a->kind == GF__ATTR_STRING)
		return strcmp(a->str, b->str) == 0;
	return a->num == b->num;
}

static int acond_eq(const acond *a, const acond *b)
{
	if (a->op != b->op || strcmp(a->key, b->key) != 0)
		return 0;
	if (a->op != OP_IN)
		return value_eq(&a->v, &b->v);
	if (a->nlist != b->nlist)
		return 0;
	for (size_t i = 0; i < a->nlist; i++)
		if (!value_eq(&a->list[i], &b->list[i]))
			return 0;
	return 1;
}

/*
 * Whether a matches every event b matches, as far as can be proved
 * without enumerating events: each of a's conditions is absent, or
 * admits at least what b's does. Free text, attributes and time are
 * compared as written (normalised), not reasoned about.
 */
static int weaker(const rule *a, const rule *b)
{
	if (b->chan_mask & ~a->chan_mask & REAL_CHANNELS)
		return 0;
	if (b->urg_mask & ~a->urg_mask & REAL_URGENCIES)
		return 0;
	if (a->ncat) {
		if (!b->ncat)
			return 0;
		for (size_t i = 0; i < b->ncat; i++) {
			size_t k = 0;
			while (k < a->ncat &&
			       !cat_under(b->cat[i], b->cat_len[i], a->cat[k],
					  a->cat_len[k]))
				k++;
			if (k == a->ncat)
				return 0;
		}
	}
	if (a->nregion) {
		if (!b->nregion)
			return 0;
		for (size_t i = 0; i < b->nregion; i++) {
			size_t k = 0;
			while (k < a->nregion &&
			       !(b->region_len[i] >= a->region_len[k] &&
				 memcmp(b->region[i], a->region[k],
					a->region_len[k]) == 0))
				k++;
			if (k == a->nregion)
				return 0;
		}
	}
	/* any-of: fewer words in b; none-of: fewer words in a */
	if (a->nkw_any && (!b->nkw_any || !ids_subset(b->kw_any, b->nkw_any,
						      a->kw_any, a->nkw_any)))
		return 0;
	if (!ids_subset(a->kw_none, a->nkw_none, b->kw_none, b->nkw_none))
		return 0;
	for (size_t i = 0; i < a->nattr; i++) {
		size_t k = 0;
		while (k < b->nattr && !acond_eq(&a->attr[i], &b->attr[k]))
			k++;
		if (k == b->nattr)
			return 0;
	}
	if (a->has_time &&
	    (!b->has_time || a->from != b->from || a->to != b->to))
		return 0;
	/* a day condition admits only its classes of days */
	if (a->day_mask && (!b->day_mask || (b->day_mask & ~a->day_mask)))
		return 0;
	return 1;
}

static void shadowed(loader *l, const table *t)
{
	for (size_t j = 1; j < t->nrules; j++) {
		const rule *b = &t->rules[j];
		for (size_t i = 0; i < j; i++) {
			const rule *a = &t->rules[i];
			if (!weaker(a, b))
				continue;
			snprintf(l->base, sizeof(l->base),
				 "$.tables[%zu].rules[%zu]", l->t, b->index);
			prob(l, 1, NULL,
			     "shadowed: rule %s ($.tables[%zu].rules[%zu]) "
			     "matches everything it does, so this rule is "
			     "reached only when that rule's lead cannot take "
			     "the order (it returned it, or its role resolves "
			     "to nothing)",
			     a->id, l->t, a->index);
			break;
		}
	}
}

/* ---- loading: tables and rules -------------------------------------- */

static void parse_rule(loader *l, struct json_object *jr, size_t ri,
		       table *t)
{
	snprintf(l->base, sizeof(l->base), "$.tables[%zu].rules[%zu]", l->t,
		 ri);
	if (!json_object_is_type(jr, json_type_object)) {
		wrong_type(l, NULL, "an object", jr);
		return;
	}
	int before = l->errors;
	rule *r = &t->rules[t->nrules];
	memset(r, 0, sizeof(*r));
	r->chan_mask = r->urg_mask = ANY_MASK;
	r->index = ri;
	struct json_object *id = NULL, *prio = NULL, *when = NULL, *then = NULL;
	json_object_object_foreach(jr, key, v)
	{
		if (strcmp(key, "id") == 0)
			id = v;
		else if (strcmp(key, "priority") == 0)
			prio = v;
		else if (strcmp(key, "when") == 0)
			when = v;
		else if (strcmp(key, "then") == 0)
			then = v;
		else if (strcmp(key, "name") == 0 ||
			 strcmp(key, "description") == 0) {
			/* labels for people reading the rule set */
			if (!json_object_is_type(v, json_type_string))
				wrong_type(l, key, "a string", v);
		} else
			/* a misspelt "when" must not leave a rule that
			 * matches everything */
			unknown_key(l, NULL, key, "field",
				    "id, priority, when, then, name and "
				    "description");
	}

	char show[SHOW_SIZE];
	size_t n;
	const char *s;
	if (!id) {
		prob(l, 0, "id", "required field is missing");
	} else if ((s = str_of(l, id, "id", &n))) {
		if (!id_ok(s, n)) {
			prob(l, 0, "id",
			     "bad rule id %s: expected 1 to 64 of A-Z a-z 0-9 "
			     ". _ -",
			     show_str(s, n, show, sizeof(show)));
		} else {
			const rulepos *dup = gf__map_get(&l->rule_ids, s, n);
			if (dup) {
				prob(l, 0, "id",
				     "duplicate rule id \"%s\": also at "
				     "$.tables[%zu].rules[%zu]",
				     s, dup->t, dup->r);
			}
			r->id = pstrndup(l, s, n);
			rulepos *pos = gf__pool_alloc(&l->tmp, sizeof(*pos));
			if (!r->id || !pos) {
				l->oom = 1;
				return;
			}
			pos->t = l->t;
			pos->r = ri;
			if (!dup && gf__map_put(&l->rule_ids, r->id, n, pos)) {
				l->oom = 1;
				return;
			}
		}
	}
	if (prio) {
		if (json_object_is_type(prio, json_type_int) ||
		    json_object_is_type(prio, json_type_double))
			r->priority = json_object_get_double(prio);
		else
			wrong_type(l, "priority", "a number", prio);
	}
	if (when)
		parse_when(l, when, r);
	if (!then)
		prob(l, 0, "then", "required field is missing");
	else if (!l->oom)
		parse_then(l, then, r);
	if (l->oom || l->errors != before)
		return;

	if (r->lead && r->lead->level != GF_LEVEL_NONE)
		role_gaps(l, r, r->lead, "then.lead");
	for (size_t i = 0; i < r->nassist; i++) {
		char sub[64];
		if (r->assist[i].level != GF_LEVEL_NONE)
			role_gaps(l, r, &r->assist[i],
				  subi(sub, sizeof(sub), "then.assist", i));
	}
	t->nrules++;
}

static void parse_table(loader *l, struct json_object *jt, table *t)
{
	snprintf(l->base, sizeof(l->base), "$.tables[%zu]", l->t);
	if (!json_object_is_type(jt, json_type_object)) {
		wrong_type(l, NULL, "an object", jt);
		return;
	}
	char show[SHOW_SIZE];
	struct json_object *v;
	size_t n;
	const char *s;
	t->policy = POLICY_FIRST;
	static const char *const keys[] = { "id", "hit_policy", "rules",
					    NULL };
	unknown_keys(l, NULL, jt, keys, "id, hit_policy and rules");
	if (!json_object_object_get_ex(jt, "id", &v)) {
		prob(l, 0, "id", "required field is missing");
	} else if ((s = str_of(l, v, "id", &n))) {
		const rulepos *dup = gf__map_get(&l->table_ids, s, n);
		if (!id_ok(s, n)) {
			prob(l, 0, "id",
			     "bad table id %s: expected 1 to 64 of A-Z a-z 0-9 "
			     ". _ -",
			     show_str(s, n, show, sizeof(show)));
		} else if (dup) {
			prob(l, 0, "id",
			     "duplicate table id \"%s\": also at $.tables[%zu]",
			     s, dup->t);
		} else {
			rulepos *pos = gf__pool_alloc(&l->tmp, sizeof(*pos));
			t->id = pstrndup(l, s, n);
			if (!pos || !t->id ||
			    gf__map_put(&l->table_ids, t->id, n, pos)) {
				l->oom = 1;
				return;
			}
			pos->t = l->t;
			pos->r = 0;
		}
	}
	if (!json_object_object_get_ex(jt, "hit_policy", &v)) {
		prob(l, 0, "hit_policy", "required field is missing");
	} else if ((s = str_of(l, v, "hit_policy", &n))) {
		if (n == 5 && memcmp(s, "first", 5) == 0)
			t->policy = POLICY_FIRST;
		else if (n == 8 && memcmp(s, "priority", 8) == 0)
			t->policy = POLICY_PRIORITY;
		else if (n == 7 && memcmp(s, "collect", 7) == 0)
			t->policy = POLICY_COLLECT;
		else
			prob(l, 0, "hit_policy",
			     "unknown hit policy %s: expected first, priority "
			     "or collect",
			     show_str(s, n, show, sizeof(show)));
	}
	if (!json_object_object_get_ex(jt, "rules", &v)) {
		prob(l, 0, "rules", "required field is missing");
		return;
	}
	if (!json_object_is_type(v, json_type_array)) {
		wrong_type(l, "rules", "an array", v);
		return;
	}
	n = json_object_array_length(v);
	t->rules = palloc(l, n * sizeof(*t->rules));
	for (size_t i = 0; t->rules && i < n && !l->oom; i++)
		parse_rule(l, json_object_array_get_idx(v, i), i, t);
	if (!l->oom && t->policy == POLICY_FIRST)
		shadowed(l, t);
}

/* ---- the candidate index -------------------------------------------- */

/* One list { n, idx... } per distinct content: many categories (all the
 * leaves no rule names, say) share the same candidates. */
static const uint32_t *intern_list(loader *l, const uint32_t *list)
{
	size_t bytes = (list[0] + 1) * sizeof(uint32_t);
	const uint32_t *have = gf__map_get(&l->lists, (const char *)list,
					   bytes);
	if (have)
		return have;
	uint32_t *copy = palloc(l, bytes);
	if (!copy)
		return NULL;
	memcpy(copy, list, bytes);
	if (gf__map_put(&l->lists, (const char *)copy, bytes, copy)) {
		l->oom = 1;
		return NULL;
	}
	return copy;
}

typedef struct ranked {
	double priority;
	uint32_t index;
} ranked;

static int by_priority(const void *pa, const void *pb)
{
	const ranked *a = pa, *b = pb;
	if (a->priority != b->priority)
		return a->priority > b->priority ? -1 : 1;
	return (a->index > b->index) - (a->index < b->index);
}

static int index_table(loader *l, table *t)
{
	gf__ruleset *rs = l->rs;
	size_t n = t->nrules, rows = rs->ncat + 1;
	t->lists = palloc(l, rows * NCHAN * sizeof(*t->lists));
	ranked *order = gf__malloc((n ? n : 1) * sizeof(*order));
	uint32_t *buf = gf__malloc((n + 1) * sizeof(*buf));
	uint8_t *cat_ok = gf__malloc(n ? n : 1);
	if (!t->lists || !order || !buf || !cat_ok) {
		l->oom = 1;
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		order[i].priority = t->rules[i].priority;
		order[i].index = (uint32_t)i;
	}
	/* a priority table is a first table over rules sorted by
	 * priority: the first match in that order is the best */
	if (t->policy == POLICY_PRIORITY)
		qsort(order, n, sizeof(*order), by_priority);
	for (size_t row = 0; row < rows; row++) {
		const gf__category *c =
			row < rs->ncat ? l->dir->categories.v[row] : NULL;
		for (size_t i = 0; i < n; i++) {
			const rule *r = &t->rules[i];
			int ok = !c || !r->ncat;
			for (size_t k = 0; !ok && k < r->ncat; k++)
				ok = cat_under(c->code, c->code_len, r->cat[k],
					       r->cat_len[k]);
			cat_ok[i] = (uint8_t)ok;
		}
		for (unsigned ch = 0; ch < NCHAN; ch++) {
			uint32_t m = 0;
			for (size_t i = 0; i < n; i++) {
				const rule *r = &t->rules[order[i].index];
				if (cat_ok[order[i].index] &&
				    ((r->chan_mask >> ch) & 1u))
					buf[1 + m++] = order[i].index;
			}
			buf[0] = m;
			const uint32_t *list = intern_list(l, buf);
			if (!list)
				goto out;
			t->lists[row * NCHAN + ch] = list;
		}
	}
out:
	gf__free(order);
	gf__free(buf);
	gf__free(cat_ok);
	return l->oom ? GF_ENOMEM : GF_OK;
}

static int build_index(loader *l)
{
	gf__ruleset *rs = l->rs;
	const gf__dir *d = l->dir;
	rs->ncat = d->categories.len;
	if (gf__map_reserve(&rs->cat_row, rs->ncat) != GF_OK) {
		l->oom = 1;
		return GF_ENOMEM;
	}
	for (size_t i = 0; i < rs->ncat; i++) {
		const gf__category *c = d->categories.v[i];
		char *code = pstrndup(l, c->code, c->code_len);
		if (!code)
			return GF_ENOMEM;
		gf__map_put(&rs->cat_row, code, c->code_len,
			    (void *)(uintptr_t)(i + 1));
	}
	for (size_t t = 0; t < rs->ntables; t++)
		if (index_table(l, &rs->tables[t]) != GF_OK)
			return GF_ENOMEM;
	rs->nkw = l->kws.len;
	rs->kw = palloc(l, (rs->nkw ? rs->nkw : 1) * sizeof(*rs->kw));
	rs->kw_len = palloc(l, (rs->nkw ? rs->nkw : 1) * sizeof(*rs->kw_len));
	if (!rs->kw || !rs->kw_len)
		return GF_ENOMEM;
	for (size_t i = 0; i < rs->nkw; i++) {
		rs->kw[i] = l->kws.v[i];
		rs->kw_len[i] = strlen(l->kws.v[i]);
	}
	return GF_OK;
}

static void loader_free(loader *l)
{
	gf__pool_free(&l->tmp);
	gf__map_free(&l->table_ids);
	gf__map_free(&l->rule_ids);
	gf__map_free(&l->kw_ids);
	gf__vec_free(&l->kws);
	gf__map_free(&l->prefixes);
	gf__map_free(&l->roles);
	for (size_t i = 0; i <= GF_LEVEL_GRID; i++)
		gf__vec_free(&l->at_level[i]);
	gf__map_free(&l->lists);
}

int gf__rules_load(gf__ruleset **out, struct json_object *root,
		   const gf__dir *dir, const gf__calendar *cal,
		   const char *const *sla_names, size_t nsla, int sla_present,
		   gf__rules_problem_fn report, void *ud)
{
	*out = NULL;
	gf__ruleset *rs = gf__calloc(1, sizeof(*rs));
	if (!rs)
		return GF_ENOMEM;
	gf__pool_init(&rs->pool);
	gf__map_init(&rs->cat_row);
	rs->return_limit = DEFAULT_RETURN_LIMIT;
	rs->return_window = DEFAULT_RETURN_WINDOW;
	rs->cal = cal;
	loader l;
	memset(&l, 0, sizeof(l));
	l.rs = rs;
	l.dir = dir;
	l.cal = cal;
	l.sla_names = sla_names;
	l.nsla = nsla;
	l.sla_present = sla_present;
	l.report = report;
	l.ud = ud;
	gf__pool_init(&l.tmp);
	gf__map_init(&l.table_ids);
	gf__map_init(&l.rule_ids);
	gf__map_init(&l.kw_ids);
	gf__vec_init(&l.kws);
	gf__map_init(&l.prefixes);
	gf__map_init(&l.roles);
	for (size_t i = 0; i <= GF_LEVEL_GRID; i++)
		gf__vec_init(&l.at_level[i]);
	gf__map_init(&l.lists);

	snprintf(l.base, sizeof(l.base), "$");
	struct json_object *tables = NULL;
	if (!json_object_is_type(root, json_type_object)) {
		wrong_type(&l, NULL, "an object", root);
	} else {
		/* "version" and "fallback" are the caller's; a misspelt
		 * "tables" must not leave a rule set that sends every order
		 * to the desk */
		static const char *const keys[] = { "version", "fallback",
						    "returns", "tables", NULL };
		unknown_keys(&l, NULL, root, keys,
			     "version, fallback, returns and tables");
		parse_returns(&l, root);
		if (json_object_object_get_ex(root, "tables", &tables) &&
		    !json_object_is_type(tables, json_type_array)) {
			snprintf(l.base, sizeof(l.base), "$");
			wrong_type(&l, "tables", "an array", tables);
			tables = NULL;
		}
	}
	size_t nt = tables ? json_object_array_length(tables) : 0;
	rs->tables = palloc(&l, (nt ? nt : 1) * sizeof(*rs->tables));
	for (size_t i = 0; rs->tables && i < nt && !l.oom; i++) {
		table *t = &rs->tables[rs->ntables++];
		memset(t, 0, sizeof(*t));
		l.t = i;
		parse_table(&l, json_object_array_get_idx(tables, i), t);
		if (!t->id)
			t->id = "";
		rs->nrules += t->nrules;
	}
	if (!l.oom)
		build_index(&l);
	loader_free(&l);
	if (l.oom) {
		gf__rules_free(rs);
		return GF_ENOMEM;
	}
	*out = rs;
	return l.errors;
}

void gf__rules_free(gf__ruleset *rs)
{
	if (!rs)
		return;
	gf__map_free(&rs->cat_row);
	gf__pool_free(&rs->pool);
	gf__free(rs);
}

unsigned gf__rules_return_limit(const gf__ruleset *rs)
{
	return rs ? rs->return_limit : DEFAULT_RETURN_LIMIT;
}

gf_time gf__rules_return_window(const gf__ruleset *rs)
{
	return rs ? rs->return_window : DEFAULT_RETURN_WINDOW;
}

size_t gf__rules_count(const gf__ruleset *rs)
{
	return rs ? rs->nrules : 0;
}

void gf__route_scratch_free(gf__route_scratch *s)
{
	if (!s)
		return;
	gf__free(s->kw);
	s->kw = NULL;
	s->kwcap = 0;
}

/* ---- evaluation ----------------------------------------------------- */

enum {
	FAIL_NONE,
	FAIL_URGENCY,
	FAIL_CATEGORY,
	FAIL_REGION,
	FAIL_TIME,
	FAIL_DAY,
	FAIL_ATTR,
	FAIL_KW_ANY,
	FAIL_KW_NONE
};

/* What a hit did about the lead. */
enum { LEAD_NONE, LEAD_GIVEN, LEAD_UNRESOLVED, LEAD_EXCLUDED };

typedef struct ectx {
	const gf__ruleset *rs;
	const gf__dir *dir;
	const gf__route_in *in;
	gf__route_out *out;
	unsigned urg_bit;
	int check_cat;           /* the category is outside the taxonomy */
	size_t category_len;
	size_t region_len;
	int minute;
	int day;                  /* gf__day_class, 0 until needed */
	int have_text;            /* the lengths and fp are set */
	size_t title_len, content_len;
	uint64_t fp[FP_BITS / 64];
	uint8_t *kw;
	uint32_t touched[TOUCH_MAX];
	size_t ntouched;
	int touched_all;
	int any_hit;
	int any_excluded;
	const target *last_unresolved;
	const gf__dept *hit_dept; /* the lead a hit tried, for explain */
	const gf__dept *assist[GF__MAX_ASSIST + 1];
	size_t nassist;
	gf__buf *explain;
	size_t nexplained;
} ectx;

/*
 * A bit per hashed pair of adjacent bytes of the title and of the
 * content (never across them). A keyword with a pair that is not there
 * is not in the text: most keywords of a rule set are absent from most
 * texts, and this rejects them without a search, for one pass over the
 * text per evaluation (cheaper than searching for even a few keywords,
 * measured on the example rules).
 */
static unsigned pair_hash(unsigned char a, unsigned char b)
{
	uint32_t pair = (uint32_t)a << 8 | b;
	return (unsigned)((pair * 0x9E3779B1u) >> (32 - FP_LOG2));
}

static void fp_add(uint64_t *fp, const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;
	for (size_t i = 1; i < n; i++) {
		unsigned h = pair_hash(u[i - 1], u[i]);
		fp[h >> 6] |= (uint64_t)1 << (h & 63);
	}
}

static int fp_may_have(const uint64_t *fp, const char *k, size_t kl)
{
	const unsigned char *u = (const unsigned char *)k;
	for (size_t i = 1; i < kl; i++) {
		unsigned h = pair_hash(u[i - 1], u[i]);
		if (!((fp[h >> 6] >> (h & 63)) & 1u))
			return 0;
	}
	return 1;
}

static int kw_present(ectx *c, uint32_t id)
{
	uint8_t st = c->kw[id];
	if (st)
		return st == 2;
	if (!c->have_text) {
		c->title_len = c->in->title ? strlen(c->in->title) : 0;
		c->content_len = c->in->content ? strlen(c->in->content) : 0;
		memset(c->fp, 0, sizeof(c->fp));
		fp_add(c->fp, c->in->title, c->title_len);
		fp_add(c->fp, c->in->content, c->content_len);
		c->have_text = 1;
	}
	const char *k = c->rs->kw[id];
	size_t kl = c->rs->kw_len[id];
	/* title and content apart: a keyword must not straddle them */
	int found = fp_may_have(c->fp, k, kl) &&
		    (gf__text_has(c->in->title, c->title_len, k, kl) ||
		     gf__text_has(c->in->content, c->content_len, k, kl));
	c->kw[id] = found ? 2 : 1;
	if (c->ntouched < TOUCH_MAX)
		c->touched[c->ntouched++] = id;
	else
		c->touched_all = 1;
	return found;
}

static const gf__attr *find_attr(const gf__route_in *in, const char *key)
{
	for (size_t i = 0; i < in->nattrs; i++)
		if (strcmp(in->attrs[i].key, key) == 0)
			return &in->attrs[i];
	return NULL;
}

static int compare(int op, const value *v, const gf__attr *a)
{
	if (a->kind != v->kind)
		return 0;
	int d;
	if (a->kind == GF__ATTR_STRING) {
		d = strcmp(a->str, v->str);
	} else if (a->kind == GF__ATTR_NUMBER) {
		d = (a->num > v->num) - (a->num < v->num);
	} else {
		int x = a->num != 0, y = v->num != 0;
		if (op == OP_EQ || op == OP_IN)
			return x == y;
		return op == OP_NE && x != y;
	}
	switch (op) {
	case OP_EQ:
	case OP_IN: return d == 0;
	case OP_NE: return d != 0;
	case OP_LT: return d < 0;
	case OP_LE: return d <= 0;
	case OP_GT: return d > 0;
	case OP_GE: return d >= 0;
	}
	return 0;
}

static int attr_holds(const acond *ac, const gf__attr *a)
{
	if (!a)
		return 0;
	if (ac->op != OP_IN)
		return compare(ac->op, &ac->v, a);
	for (size_t i = 0; i < ac->nlist; i++)
		if (compare(OP_IN, &ac->list[i], a))
			return 1;
	return 0;
}

/* FAIL_NONE when every condition holds, else the first that does not
 * (*which: the attribute, or the keyword_none found). Channel and
 * category were settled by the candidate list. */
static int rule_fails(const rule *r, ectx *c, size_t *which)
{
	const gf__route_in *in = c->in;
	if (!(r->urg_mask & c->urg_bit))
		return FAIL_URGENCY;
	if (c->check_cat && r->ncat) {
		size_t k = 0;
		while (k < r->ncat &&
		       !(in->category &&
			 cat_under(in->category, c->category_len, r->cat[k],
				   r->cat_len[k])))
			k++;
		if (k == r->ncat)
			return FAIL_CATEGORY;
	}
	if (r->nregion) {
		size_t k = 0;
		while (k < r->nregion &&
		       !(c->region_len >= r->region_len[k] &&
			 memcmp(in->region, r->region[k], r->region_len[k]) ==
				 0))
			k++;
		if (k == r->nregion)
			return FAIL_REGION;
	}
	if (r->has_time) {
		int t = c->minute;
		int in_window = r->from < r->to ? t >= r->from && t < r->to
						: t >= r->from || t < r->to;
		if (!in_window)
			return FAIL_TIME;
	}
	if (r->day_mask) {
		if (!c->day)
			c->day = (int)gf__cal_day_class(c->rs->cal,
							in->received_at);
		if (!(r->day_mask & (1u << c->day)))
			return FAIL_DAY;
	}
	for (size_t i = 0; i < r->nattr; i++) {
		if (!attr_holds(&r->attr[i], find_attr(in, r->attr[i].key))) {
			*which = i;
			return FAIL_ATTR;
		}
	}
	if (r->nkw_any) {
		size_t k = 0;
		while (k < r->nkw_any && !kw_present(c, r->kw_any[k]))
			k++;
		if (k == r->nkw_any)
			return FAIL_KW_ANY;
	}
	for (size_t k = 0; k < r->nkw_none; k++) {
		if (kw_present(c, r->kw_none[k])) {
			*which = k;
			return FAIL_KW_NONE;
		}
	}
	return FAIL_NONE;
}

static const gf__dept *resolve(const target *t, const ectx *c)
{
	if (t->dept)
		return t->dept;
	/* the region's node, when the caller looked it up, makes this a walk
	 * up the parents instead of a hash of "region|function" */
	if (c->in->region_node)
		return gf__dir_role_at(c->in->region_node, t->level,
				       t->function_id);
	return gf__dir_role(c->dir, c->in->region, t->level, t->function,
			    t->function_len);
}

static int excluded(const gf__route_in *in, const gf__dept *d)
{
	for (size_t i = 0; i < in->nexclude; i++)
		if (in->exclude[i] && strcmp(in->exclude[i], d->id) == 0)
			return 1;
	return 0;
}

static void add_assist(ectx *c, const gf__dept *d)
{
	for (size_t i = 0; i < c->nassist; i++)
		if (c->assist[i] == d)
			return;
	/* one spare slot: the lead, dropped at the end, may be among them */
	if (c->nassist < GF__MAX_ASSIST + 1)
		c->assist[c->nassist++] = d;
}

static void add_unresolved(ectx *c, const char *text)
{
	gf__route_out *o = c->out;
	for (size_t i = 0; i < o->nunresolved; i++)
		if (strcmp(o->unresolved[i], text) == 0)
			return;
	if (o->nunresolved < GF__MAX_UNRESOLVED)
		o->unresolved[o->nunresolved++] = text;
}

/* A hit fills what is still unset. */
static int apply_hit(ectx *c, const table *t, const rule *r)
{
	gf__route_out *o = c->out;
	int res = LEAD_NONE;
	c->any_hit = 1;
	c->hit_dept = NULL;
	if (r->lead && !o->lead) {
		const gf__dept *d = resolve(r->lead, c);
		c->hit_dept = d;
		if (!d) {
			c->last_unresolved = r->lead;
			res = LEAD_UNRESOLVED;
		} else if (excluded(c->in, d)) {
			c->any_excluded = 1;
			res = LEAD_EXCLUDED;
		} else {
			o->lead = d;
			o->rule = r->id;
			o->table = t->id;
			res = LEAD_GIVEN;
		}
	}
	if (r->sla && !o->sla)
		o->sla = r->sla;
	if (r->level != GF_LEVEL_NONE && o->level == GF_LEVEL_NONE)
		o->level = r->level;
	if (r->prio && !o->priority)
		o->priority = r->prio;
	for (size_t i = 0; i < r->nassist; i++) {
		const gf__dept *d = resolve(&r->assist[i], c);
		if (!d)
			add_unresolved(c, r->assist[i].text);
		else if (!excluded(c->in, d))
			add_assist(c, d);
	}
	return res;
}

/* ---- explain -------------------------------------------------------- */

/* A why text that is cut at a character, never inside one: it goes
 * into JSON, which must stay valid UTF-8. */
typedef struct why {
	char p[WHY_MAX];
	size_t len;
	int cut;
} why;

static void why_put(why *w, const char *s, size_t n)
{
	if (w->cut)
		return;
	size_t room = sizeof(w->p) - 4 - w->len;
	if (n > room) {
		n = room;
		while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
			n--;
		w->cut = 1;
	}
	memcpy(w->p + w->len, s, n);
	w->len += n;
	if (w->cut) {
		memcpy(w->p + w->len, "...", 3);
		w->len += 3;
	}
}

static void why_str(why *w, const char *s)
{
	why_put(w, s, strlen(s));
}

static void why_fmt(why *w, const char *fmt, ...) GF__PRINTF(2, 3);

static void why_fmt(why *w, const char *fmt, ...)
{
	char tmp[64];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	if (n > 0)
		why_put(w, tmp, (size_t)n < sizeof(tmp) ? (size_t)n
							 : sizeof(tmp) - 1);
}

static void why_value(why *w, const value *v)
{
	if (v->kind == GF__ATTR_STRING) {
		why_str(w, "\"");
		why_str(w, v->str);
		why_str(w, "\"");
	} else if (v->kind == GF__ATTR_BOOL) {
		why_str(w, v->num != 0 ? "true" : "false");
	} else {
		why_fmt(w, "%.15g", v->num);
	}
}

static const char *kind_name(gf__attr_kind k)
{
	switch (k) {
	case GF__ATTR_STRING: return "a string";
	case GF__ATTR_BOOL: return "a boolean";
	default: return "a number";
	}
}

static void why_miss(why *w, const rule *r, int fail, size_t which,
		     const ectx *c)
{
	const gf__route_in *in = c->in;
	switch (fail) {
	case FAIL_URGENCY: {
		const char *u = gf_urgency_name(in->urgency);
		why_fmt(w, "urgency %s not in [", u ? u : "?");
		int first = 1;
		for (int k = GF_URGENCY_NORMAL; k <= GF_URGENCY_CRITICAL; k++) {
			if (!((r->urg_mask >> k) & 1u))
				continue;
			why_str(w, first ? "" : ", ");
			why_str(w, gf_urgency_name((gf_urgency)k));
			first = 0;
		}
		why_str(w, "]");
		break;
	}
	case FAIL_CATEGORY:
		why_str(w, "category ");
		why_str(w, in->category ? in->category : "(none)");
		why_str(w, " not under [");
		for (size_t k = 0; k < r->ncat; k++) {
			why_str(w, k ? ", " : "");
			why_str(w, r->cat[k]);
		}
		why_str(w, "]");
		break;
	case FAIL_REGION:
		why_str(w, "region ");
		why_str(w, in->region ? in->region : "(none)");
		why_str(w, " not under [");
		for (size_t k = 0; k < r->nregion; k++) {
			why_str(w, k ? ", " : "");
			why_str(w, r->region[k]);
		}
		why_str(w, "]");
		break;
	case FAIL_TIME:
		why_fmt(w, "time %02d:%02d outside %02d:%02d-%02d:%02d",
			c->minute / 60, c->minute % 60, r->from / 60,
			r->from % 60, r->to / 60, r->to % 60);
		break;
	case FAIL_DAY: {
		static const char *const names[] = { "", "workday", "weekend",
						     "holiday" };
		why_str(w, "day ");
		why_str(w, c->day > 0 && c->day < 4 ? names[c->day] : "?");
		why_str(w, " not in [");
		int first = 1;
		for (int k = 1; k < 4; k++)
			if (r->day_mask & (1u << k)) {
				why_str(w, first ? "" : ", ");
				why_str(w, names[k]);
				first = 0;
			}
		why_str(w, "]");
		break;
	}
	case FAIL_ATTR: {
		const acond *ac = &r->attr[which];
		const gf__attr *a = find_attr(in, ac->key);
		why_str(w, "attribute ");
		why_str(w, ac->key);
		if (!a) {
			why_str(w, " missing");
			break;
		}
		const value *want = ac->op == OP_IN ? ac->list : &ac->v;
		if (ac->op != OP_IN && a->kind != want->kind) {
			why_fmt(w, " is %s, not %s", kind_name(a->kind),
				kind_name(want->kind));
			break;
		}
		value got = { a->kind, a->str, a->num };
		why_str(w, " ");
		why_value(w, &got);
		why_str(w, " not ");
		why_str(w, op_names[ac->op]);
		why_str(w, " ");
		if (ac->op != OP_IN) {
			why_value(w, &ac->v);
			break;
		}
		why_str(w, "[");
		for (size_t k = 0; k < ac->nlist; k++) {
			why_str(w, k ? ", " : "");
			why_value(w, &ac->list[k]);
		}
		why_str(w, "]");
		break;
	}
	case FAIL_KW_ANY:
		why_str(w, "keywords_any: none of [");
		for (size_t k = 0; k < r->nkw_any; k++) {
			why_str(w, k ? ", " : "");
			why_str(w, c->rs->kw[r->kw_any[k]]);
		}
		why_str(w, "] in the text");
		break;
	case FAIL_KW_NONE:
		why_str(w, "keywords_none: ");
		why_str(w, c->rs->kw[r->kw_none[which]]);
		why_str(w, " in the text");
		break;
	}
}

static void explain_entry(ectx *c, const table *t, const rule *r, int hit,
			  const why *w)
{
	gf__buf *b = c->explain;
	if (c->nexplained++)
		gf__buf_putc(b, ',');
	gf__buf_puts(b, "{\"table\":");
	gf__buf_json_str(b, t->id, strlen(t->id));
	gf__buf_puts(b, ",\"rule\":");
	gf__buf_json_str(b, r->id, strlen(r->id));
	gf__buf_puts(b, hit ? ",\"hit\":true,\"why\":"
			    : ",\"hit\":false,\"why\":");
	gf__buf_json_str(b, w->p, w->len);
	gf__buf_putc(b, '}');
}

static void explain_hit(ectx *c, const table *t, const rule *r, int res)
{
	why w;
	w.len = 0;
	w.cut = 0;
	switch (res) {
	case LEAD_GIVEN:
		why_str(&w, "lead ");
		why_str(&w, c->out->lead->id);
		break;
	case LEAD_UNRESOLVED:
		why_str(&w, "lead ");
		why_str(&w, r->lead->text);
		why_str(&w, " resolves to nothing");
		break;
	case LEAD_EXCLUDED:
		why_str(&w, "lead ");
		why_str(&w, c->hit_dept->id);
		why_str(&w, " has returned the order");
		break;
	default:
		why_str(&w, r->lead ? "lead already decided" : "no lead");
		break;
	}
	explain_entry(c, t, r, 1, &w);
}

static void explain_miss(ectx *c, const table *t, const rule *r, int fail,
			 size_t which)
{
	why w;
	w.len = 0;
	w.cut = 0;
	why_miss(&w, r, fail, which, c);
	explain_entry(c, t, r, 0, &w);
}

/* ---- routing -------------------------------------------------------- */

/* Room for a flag per keyword. The flags are all zero between
 * evaluations, so one buffer serves any rule set it is used with. */
static int scratch_ready(gf__route_scratch *s, size_t nkw)
{
	if (s->kwcap >= nkw)
		return GF_OK;
	uint8_t *p = gf__calloc(nkw, 1);
	if (!p)
		return GF_ENOMEM;
	gf__free(s->kw);
	s->kw = p;
	s->kwcap = nkw;
	return GF_OK;
}

int gf__rules_route(const gf__ruleset *rs, const gf__dir *dir,
		    const gf__route_in *in, gf__route_out *out,
		    gf__route_scratch *scratch, gf__buf *explain)
{
	out->lead = NULL;
	out->rule = NULL;
	out->table = NULL;
	out->sla = NULL;
	out->level = GF_LEVEL_NONE;
	out->priority = 0;
	out->nassist = 0;
	out->nunresolved = 0;
	out->why[0] = '\0';
	if (rs && rs->nkw && scratch_ready(scratch, rs->nkw) != GF_OK)
		return GF_ENOMEM;

	ectx c;
	c.rs = rs;
	c.dir = dir;
	c.in = in;
	c.out = out;
	c.urg_bit = (unsigned)in->urgency <= GF_URGENCY_CRITICAL
			    ? 1u << in->urgency
			    : 0x80u;
	c.check_cat = 0;
	c.category_len = in->category ? strlen(in->category) : 0;
	c.region_len = in->region ? strlen(in->region) : 0;
	int64_t day = (in->received_at +
		       (int64_t)in->offset_min * MS_PER_MINUTE) %
		      MS_PER_DAY;
	if (day < 0)
		day += MS_PER_DAY;
	c.minute = (int)(day / MS_PER_MINUTE);
	c.day = 0;
	c.have_text = 0;
	c.title_len = c.content_len = 0;
	c.kw = scratch ? scratch->kw : NULL;
	c.ntouched = 0;
	c.touched_all = 0;
	c.any_hit = 0;
	c.any_excluded = 0;
	c.last_unresolved = NULL;
	c.hit_dept = NULL;
	c.nassist = 0;
	c.explain = explain;
	c.nexplained = 0;

	if (explain)
		gf__buf_putc(explain, '[');
	size_t ntables = rs ? rs->ntables : 0;
	size_t row = 0;
	if (ntables) {
		const void *v = in->category ? gf__map_get(&rs->cat_row,
							   in->category,
							   c.category_len)
					     : NULL;
		row = v ? (size_t)(uintptr_t)v - 1 : rs->ncat;
		c.check_cat = !v;
	}
	unsigned ch = (unsigned)in->channel < NCHAN ? (unsigned)in->channel : 0;
	/* Only the candidates of the event's (category, channel) are looked
	 * at, so explain lists those and not the rules the index skipped. */
	for (size_t ti = 0; ti < ntables; ti++) {
		const table *t = &rs->tables[ti];
		const uint32_t *list = t->lists[row * NCHAN + ch];
		for (uint32_t k = 1; k <= list[0]; k++) {
			const rule *r = &t->rules[list[k]];
			size_t which = 0;
			int fail = rule_fails(r, &c, &which);
			if (fail) {
				if (explain)
					explain_miss(&c, t, r, fail, which);
				continue;
			}
			int res = apply_hit(&c, t, r);
			if (explain)
				explain_hit(&c, t, r, res);
			/* a lead that resolved to nothing or has returned
			 * the order leaves first and priority tables
			 * looking for the next match */
			if (t->policy != POLICY_COLLECT &&
			    res != LEAD_UNRESOLVED && res != LEAD_EXCLUDED)
				break;
		}
	}
	if (explain)
		gf__buf_putc(explain, ']');

	if (c.touched_all)
		memset(c.kw, 0, rs->nkw);
	else
		for (size_t i = 0; i < c.ntouched; i++)
			c.kw[c.touched[i]] = 0;

	for (size_t i = 0; i < c.nassist; i++)
		if (c.assist[i] != out->lead && out->nassist < GF__MAX_ASSIST)
			out->assist[out->nassist++] = c.assist[i];
	if (!out->lead) {
		out->rule = "fallback";
		out->table = NULL;
		if (c.last_unresolved)
			snprintf(out->why, sizeof(out->why),
				 "%s resolves to nothing in %s",
				 c.last_unresolved->text,
				 in->region ? in->region : "(no region)");
		else if (c.any_excluded)
			snprintf(out->why, sizeof(out->why),
				 "every department a rule named has returned "
				 "it");
		else if (c.any_hit)
			snprintf(out->why, sizeof(out->why),
				 "no rule that matched names a lead");
		else
			snprintf(out->why, sizeof(out->why),
				 "no rule matched");
	}
	return explain && explain->oom ? GF_ENOMEM : GF_OK;
}
