/*
 * directory.c - regions, departments and the category taxonomy loaded
 * from directory.json (docs/formats.md), and the lookups made on them.
 */
#include <inttypes.h>
#include <stdio.h>

#include <json-c/json.h>

#include "directory.h"

/*
 * Each entry remembers its index in the file so that a problem found
 * later (a duplicate, a missing parent) can point back at it. The public
 * struct comes first, so the entry is freed through the pointer the
 * vectors and maps hold.
 */
typedef struct region_entry {
	gf__region pub;
	size_t index;
} region_entry;

typedef struct dept_entry {
	gf__dept pub;
	size_t index;
} dept_entry;

typedef struct category_entry {
	gf__category pub;
	size_t index;
	int has_urgency; /* given in the file, not inherited */
} category_entry;

/* Digits of the 12-digit code that a level keeps; the rest are zeros. */
static const size_t gf__level_digits[] = { 0, 2, 4, 6, 9, 12, 12 };

#define GF__CODE_DIGITS 12
#define GF__GRID_SUFFIX_MAX 16
#define GF__DEPT_ID_MAX 64
#define GF__FUNCTION_MAX 32
#define GF__CATEGORY_MAX 128

/* How much of a value a message quotes: enough to recognise it. */
#define GF__SHOW_MAX 64
_Static_assert(GF__JSON_SHOW_SIZE >= GF__SHOW_MAX * 6 + 6,
	       "a quoted value fits gf__json_show's buffer");

const char *gf_level_name(gf_level level)
{
	switch (level) {
	case GF_LEVEL_PROVINCE: return "province";
	case GF_LEVEL_CITY: return "city";
	case GF_LEVEL_DISTRICT: return "district";
	case GF_LEVEL_TOWN: return "town";
	case GF_LEVEL_VILLAGE: return "village";
	case GF_LEVEL_GRID: return "grid";
	case GF_LEVEL_NONE: break;
	}
	return NULL;
}

static gf_level gf__level_from_name(const char *s, size_t len)
{
	for (int l = GF_LEVEL_PROVINCE; l <= GF_LEVEL_GRID; l++) {
		const char *n = gf_level_name((gf_level)l);
		if (strlen(n) == len && memcmp(n, s, len) == 0)
			return (gf_level)l;
	}
	return GF_LEVEL_NONE;
}

/* ---- lifetime and lookups ------------------------------------------- */

void gf__dir_init(gf__dir *d)
{
	d->version = NULL;
	gf__vec_init(&d->regions);
	gf__vec_init(&d->depts);
	gf__vec_init(&d->categories);
	gf__map_init(&d->region_by_code);
	gf__map_init(&d->dept_by_id);
	gf__map_init(&d->category_by_code);
	gf__map_init(&d->dept_by_role);
	gf__map_init(&d->function_ids);
	d->nfunctions = 0;
}

void gf__dir_free(gf__dir *d)
{
	if (!d)
		return;
	for (size_t i = 0; i < d->regions.len; i++) {
		gf__region *r = d->regions.v[i];
		gf__free(r->code);
		gf__free(r->name);
		gf__free((void *)r->by_function);
		gf__free(r);
	}
	for (size_t i = 0; i < d->depts.len; i++) {
		gf__dept *p = d->depts.v[i];
		gf__free(p->id);
		gf__free(p->name);
		gf__free(p->function);
		gf__free(p);
	}
	for (size_t i = 0; i < d->categories.len; i++) {
		gf__category *c = d->categories.v[i];
		gf__free(c->code);
		gf__free(c->name);
		gf__free(c);
	}
	gf__vec_free(&d->regions);
	gf__vec_free(&d->depts);
	gf__vec_free(&d->categories);
	gf__map_free(&d->region_by_code);
	gf__map_free(&d->dept_by_id);
	gf__map_free(&d->category_by_code);
	size_t it = 0;
	const char *key;
	size_t klen;
	void *val;
	while (gf__map_next(&d->dept_by_role, &it, &key, &klen, &val))
		gf__free((char *)key);
	gf__map_free(&d->dept_by_role);
	gf__map_free(&d->function_ids);
	gf__free(d->version);
	gf__dir_init(d);
}

const gf__region *gf__dir_region(const gf__dir *d, const char *code,
				 size_t len)
{
	if (!d || !code)
		return NULL;
	return gf__map_get(&d->region_by_code, code, len);
}

const gf__dept *gf__dir_dept(const gf__dir *d, const char *id, size_t len)
{
	if (!d || !id)
		return NULL;
	return gf__map_get(&d->dept_by_id, id, len);
}

const gf__category *gf__dir_category(const gf__dir *d, const char *code,
				     size_t len)
{
	if (!d || !code)
		return NULL;
	return gf__map_get(&d->category_by_code, code, len);
}

/* ---- code shapes ---------------------------------------------------- */

static int gf__all_zeros(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] != '0')
			return 0;
	return 1;
}

static int gf__is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static int gf__is_lower_or_digit(char c)
{
	return (c >= 'a' && c <= 'z') || gf__is_digit(c);
}

static int gf__is_alnum(char c)
{
	return gf__is_lower_or_digit(c) || (c >= 'A' && c <= 'Z');
}

/* The level of 12 digits already known to be digits. */
static gf_level gf__level12(const char *c)
{
	/* no province is numbered 00, and "000000000000" names nothing */
	if (c[0] == '0' && c[1] == '0')
		return GF_LEVEL_NONE;
	for (int l = GF_LEVEL_PROVINCE; l < GF_LEVEL_VILLAGE; l++) {
		size_t keep = gf__level_digits[l];
		if (gf__all_zeros(c + keep, GF__CODE_DIGITS - keep))
			return (gf_level)l;
	}
	return GF_LEVEL_VILLAGE;
}

gf_level gf__region_code_level(const char *code, size_t len)
{
	if (!code || len < GF__CODE_DIGITS)
		return GF_LEVEL_NONE;
	for (size_t i = 0; i < GF__CODE_DIGITS; i++)
		if (!gf__is_digit(code[i]))
			return GF_LEVEL_NONE;
	gf_level level = gf__level12(code);
	if (len == GF__CODE_DIGITS)
		return level;
	if (len < GF__CODE_DIGITS + 2 ||
	    len > GF__CODE_DIGITS + 1 + GF__GRID_SUFFIX_MAX ||
	    code[GF__CODE_DIGITS] != '-')
		return GF_LEVEL_NONE;
	for (size_t i = GF__CODE_DIGITS + 1; i < len; i++)
		if (!gf__is_alnum(code[i]))
			return GF_LEVEL_NONE;
	/* grids divide a village or community, nothing larger */
	return level == GF_LEVEL_VILLAGE ? GF_LEVEL_GRID : GF_LEVEL_NONE;
}

static gf_level gf__region_level(const gf__region *r)
{
	if (r->level != GF_LEVEL_NONE)
		return r->level;
	return gf__region_code_level(r->code, r->code_len);
}

int gf__region_covers(const gf__region *a, const gf__region *b)
{
	if (!a || !b)
		return 0;
	if (a == b)
		return 1;
	gf_level la = gf__region_level(a), lb = gf__region_level(b);
	if (la == GF_LEVEL_NONE || lb == GF_LEVEL_NONE)
		return 0;
	if (la >= lb)
		return a->code_len == b->code_len &&
		       memcmp(a->code, b->code, a->code_len) == 0;
	/* The code's own digits, not its trailing zeros: the town 320506010000
	 * keeps "320506010", which "320506011000" does not start with. */
	size_t keep = gf__level_digits[la];
	return b->code_len >= keep && memcmp(a->code, b->code, keep) == 0;
}

/* "<12 digits>|<function>": the key of dept_by_role. */
#define GF__ROLE_KEY_MAX (GF__CODE_DIGITS + 1 + GF__FUNCTION_MAX)

const gf__dept *gf__dir_role(const gf__dir *d, const char *region12,
			     gf_level level, const char *function,
			     size_t function_len)
{
	if (!d || !region12 || !function || level < GF_LEVEL_CITY ||
	    level > GF_LEVEL_VILLAGE || function_len > GF__FUNCTION_MAX ||
	    memchr(region12, '\0', GF__CODE_DIGITS))
		return NULL;
	/* a region has no ancestor below its own level: a town asked for a
	 * village role has none, rather than its own department */
	gf_level own = gf__region_code_level(region12, GF__CODE_DIGITS);
	if (own == GF_LEVEL_NONE || own < level)
		return NULL;
	char key[GF__ROLE_KEY_MAX];
	size_t keep = gf__level_digits[level];
	memcpy(key, region12, keep);
	memset(key + keep, '0', GF__CODE_DIGITS - keep);
	key[GF__CODE_DIGITS] = '|';
	memcpy(key + GF__CODE_DIGITS + 1, function, function_len);
	const gf__dept *p = gf__map_get(&d->dept_by_role, key,
					GF__CODE_DIGITS + 1 + function_len);
	/* the padded code may name a region of another level: a town
	 * straight under a city without districts (441900003000) has no
	 * district, and 441900000000 is the city, whose departments serve
	 * city roles only (as gf__dir_role_at finds by the parents) */
	return p && p->level == level ? p : NULL;
}

int gf__dir_function_id(const gf__dir *d, const char *function, size_t len)
{
	void *v = gf__map_get(&d->function_ids, function, len);
	return v ? (int)((uintptr_t)v - 1) : -1;
}

const gf__dept *gf__dir_role_at(const gf__region *r, gf_level level,
				int function_id)
{
	while (r && r->level > level)
		r = r->parent;
	if (!r || r->level != level || !r->by_function || function_id < 0)
		return NULL;
	return r->by_function[function_id];
}

/* Function ids, and each region's departments by function: what
 * gf__dir_role_at reads. */
static int gf__index_functions(gf__dir *d)
{
	for (size_t i = 0; i < d->depts.len; i++) {
		const gf__dept *p = d->depts.v[i];
		size_t fl = strlen(p->function);
		if (gf__map_get(&d->function_ids, p->function, fl))
			continue;
		d->nfunctions++;
		if (gf__map_put(&d->function_ids, p->function, fl,
				(void *)(uintptr_t)d->nfunctions))
			return GF_ENOMEM;
	}
	for (size_t i = 0; i < d->depts.len; i++) {
		const gf__dept *p = d->depts.v[i];
		gf__region *r = (gf__region *)p->region;
		if (!r)
			continue;
		if (!r->by_function) {
			r->by_function = gf__calloc(d->nfunctions,
						    sizeof(*r->by_function));
			if (!r->by_function)
				return GF_ENOMEM;
		}
		int fid = gf__dir_function_id(d, p->function,
					      strlen(p->function));
		/* the first in file order serves the role */
		if (!r->by_function[fid])
			r->by_function[fid] = p;
	}
	return GF_OK;
}

/* Fills dept_by_role once every department is loaded. Only levels a role
 * can name are indexed; a department on a grid serves no role. */
static int gf__index_roles(gf__dir *d)
{
	if (gf__map_reserve(&d->dept_by_role, d->depts.len) != GF_OK)
		return GF_ENOMEM;
	for (size_t i = 0; i < d->depts.len; i++) {
		const gf__dept *p = d->depts.v[i];
		if (p->level < GF_LEVEL_CITY || p->level > GF_LEVEL_VILLAGE ||
		    p->region->code_len != GF__CODE_DIGITS)
			continue;
		char key[GF__ROLE_KEY_MAX];
		size_t fl = strlen(p->function);
		memcpy(key, p->region->code, GF__CODE_DIGITS);
		key[GF__CODE_DIGITS] = '|';
		memcpy(key + GF__CODE_DIGITS + 1, p->function, fl);
		size_t klen = GF__CODE_DIGITS + 1 + fl;
		/* the first in file order serves the role */
		if (gf__map_get(&d->dept_by_role, key, klen))
			continue;
		char *own = gf__strndup(key, klen);
		if (!own)
			return GF_ENOMEM;
		/* reserved above: this put cannot fail */
		(void)gf__map_put(&d->dept_by_role, own, klen, (void *)p);
	}
	return GF_OK;
}

int gf__dept_is_command_centre(const gf__dept *dept)
{
	return dept && dept->function &&
	       strcmp(dept->function, GF__FUNCTION_COMMAND_CENTRE) == 0;
}

static int gf__dept_id_ok(const char *s, size_t n)
{
	if (n == 0 || n > GF__DEPT_ID_MAX)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!gf__is_alnum(s[i]) && s[i] != '.' && s[i] != '_' &&
		    s[i] != '-')
			return 0;
	return 1;
}

static int gf__function_ok(const char *s, size_t n)
{
	if (n == 0 || n > GF__FUNCTION_MAX)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!gf__is_lower_or_digit(s[i]) && s[i] != '_')
			return 0;
	return 1;
}

static int gf__category_code_ok(const char *s, size_t n)
{
	if (n == 0 || n > GF__CATEGORY_MAX)
		return 0;
	size_t seg = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '.') {
			if (seg == 0)
				return 0;
			seg = 0;
		} else if (gf__is_lower_or_digit(s[i]) || s[i] == '_') {
			seg++;
		} else {
			return 0;
		}
	}
	return seg > 0;
}

static int gf__urgency_from_name(const char *s, size_t n, gf_urgency *out)
{
	static const struct {
		const char *name;
		gf_urgency u;
	} names[] = {
		{ "normal", GF_URGENCY_NORMAL },
		{ "urgent", GF_URGENCY_URGENT },
		{ "critical", GF_URGENCY_CRITICAL },
	};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (strlen(names[i].name) == n &&
		    memcmp(names[i].name, s, n) == 0) {
			*out = names[i].u;
			return 1;
		}
	}
	return 0;
}

/* ---- values in messages --------------------------------------------- */

/* Quotes s the way JSON would, cut at a character boundary; size must be
 * at least 12 (an escape, the closing quote, "..." and the NUL). */
static void gf__quote(const char *s, size_t n, char *buf, size_t size)
{
	static const char hex[] = "0123456789abcdef";
	size_t o = 0;
	int cut = 0;
	if (n > GF__SHOW_MAX) {
		n = GF__SHOW_MAX;
		while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
			n--;
		cut = 1;
	}
	buf[o++] = '"';
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (o + 11 > size) {
			cut = 1;
			break;
		}
		if (c == '"' || c == '\\') {
			buf[o++] = '\\';
			buf[o++] = (char)c;
		} else if (c < 0x20 || c == 0x7f) {
			buf[o++] = '\\';
			buf[o++] = 'u';
			buf[o++] = '0';
			buf[o++] = '0';
			buf[o++] = hex[c >> 4];
			buf[o++] = hex[c & 15];
		} else {
			buf[o++] = (char)c;
		}
	}
	buf[o++] = '"';
	if (cut) {
		memcpy(buf + o, "...", 3);
		o += 3;
	}
	buf[o] = '\0';
}

void gf__problem_report(gf__problems *p, const char *path, const char *fmt,
			...)
{
	char msg[GF__JSON_SHOW_SIZE * 2 + 256];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	p->count++;
	if (p->report)
		p->report(p->ud, path, msg);
}

void gf__problem_expected(gf__problems *p, const char *path, const char *want,
			  struct json_object *got)
{
	char show[GF__JSON_SHOW_SIZE];
	gf__problem_report(p, path, "expected %s, got %s", want,
			   gf__json_show(got, show, sizeof(show)));
}

int gf__key_known(const char *const *keys, const char *key)
{
	size_t i = 0;
	while (keys[i] && strcmp(keys[i], key) != 0)
		i++;
	return keys[i] != NULL;
}

void gf__problem_unknown_keys(gf__problems *p, const char *path,
			      struct json_object *v, const char *const *keys)
{
	json_object_object_foreach(v, key, val) {
		(void)val;
		if (gf__key_known(keys, key))
			continue;
		char fp[400], want[160];
		size_t n = 0;
		want[0] = '\0';
		for (size_t i = 0; keys[i] && n < sizeof(want); i++)
			n += (size_t)snprintf(want + n, sizeof(want) - n,
					      "%s%s", i ? ", " : "", keys[i]);
		gf__json_path_key(fp, sizeof(fp), path, key);
		gf__problem_report(p, fp, "unknown field: expected %s", want);
	}
}

void gf__json_pathf(char *out, size_t size, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(out, size, fmt, ap);
	va_end(ap);
}

void gf__json_path_key(char *out, size_t size, const char *base,
		       const char *key)
{
	size_t n = strlen(key);
	int plain = n > 0;
	for (size_t i = 0; i < n && plain; i++) {
		unsigned char c = (unsigned char)key[i];
		plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			(c >= '0' && c <= '9') || c == '_' || c == '-';
	}
	if (plain) {
		size_t cut = n > GF__KEY_SHOWN ? GF__KEY_SHOWN : n;
		gf__json_pathf(out, size, "%s.%.*s%s", base, (int)cut, key,
			  cut < n ? "..." : "");
		return;
	}
	/* quoted as JSON, whole characters, at most GF__KEY_SHOWN bytes */
	char q[GF__KEY_SHOWN + 1];
	size_t o = 0, i = 0;
	while (i < n) {
		unsigned char c = (unsigned char)key[i];
		size_t in = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
		size_t enc = c < 0x20 ? 6 : c == '"' || c == '\\' ? 2 : in;
		if (in > n - i || o + enc > GF__KEY_SHOWN)
			break;
		if (c < 0x20) {
			snprintf(q + o, sizeof(q) - o, "\\u%04x", c);
		} else if (c == '"' || c == '\\') {
			q[o] = '\\';
			q[o + 1] = (char)c;
		} else {
			memcpy(q + o, key + i, in);
		}
		o += enc;
		i += in;
	}
	q[o] = '\0';
	gf__json_pathf(out, size, "%s[\"%s%s\"]", base, q, i < n ? "..." : "");
}


const char *gf__json_show(struct json_object *v, char *buf, size_t size)
{
	if (size < GF__JSON_SHOW_SIZE) {
		if (size)
			buf[0] = '\0';
		return buf;
	}
	switch (json_object_get_type(v)) {
	case json_type_null:
		snprintf(buf, size, "null");
		break;
	case json_type_boolean:
		snprintf(buf, size, "%s",
			 json_object_get_boolean(v) ? "true" : "false");
		break;
	case json_type_int:
		snprintf(buf, size, "%" PRId64, json_object_get_int64(v));
		break;
	case json_type_double:
		snprintf(buf, size, "%.17g", json_object_get_double(v));
		break;
	case json_type_object:
		snprintf(buf, size, "an object");
		break;
	case json_type_array:
		snprintf(buf, size, "an array");
		break;
	case json_type_string:
		gf__quote(json_object_get_string(v),
			  (size_t)json_object_get_string_len(v), buf, size);
		break;
	}
	return buf;
}

/* ---- loading -------------------------------------------------------- */

typedef struct gf__loader {
	gf__dir *d;
	gf__problem_fn report;
	void *ud;
	int problems;
} gf__loader;

#define GF__SHOW_BUF GF__JSON_SHOW_SIZE
#define GF__PATH_BUF 96

/*
 * Where a problem is: "$.regions[3].code" is { "regions", 3, "code" },
 * "$.regions[3]" has no field, "$.version" no array, "$" neither. The
 * path is only written out when there is a problem to report: loading a
 * valid directory of ten thousand regions formats none.
 */
typedef struct gf__at {
	const char *array;
	size_t i;
	const char *field;
} gf__at;

static gf__at gf__item(const char *array, size_t i, const char *field)
{
	gf__at at = { array, i, field };
	return at;
}

static gf__at gf__root(const char *field)
{
	gf__at at = { NULL, 0, field };
	return at;
}

static void gf__problem(gf__loader *l, gf__at at, const char *fmt, ...)
	GF__PRINTF(3, 4);

static void gf__problem(gf__loader *l, gf__at at, const char *fmt, ...)
{
	char path[GF__PATH_BUF], msg[GF__SHOW_BUF * 2 + 256];
	if (at.array && at.field)
		snprintf(path, sizeof(path), "$.%s[%zu].%s", at.array, at.i,
			 at.field);
	else if (at.array)
		snprintf(path, sizeof(path), "$.%s[%zu]", at.array, at.i);
	else if (at.field)
		snprintf(path, sizeof(path), "$.%s", at.field);
	else
		snprintf(path, sizeof(path), "$");
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	l->problems++;
	if (l->report)
		l->report(l->ud, path, msg);
}

static const char *gf__type_article(json_type t)
{
	switch (t) {
	case json_type_string: return "a string";
	case json_type_array: return "an array";
	case json_type_object: return "an object";
	default: return "a value";
	}
}

static void gf__wrong_type(gf__loader *l, gf__at at, json_type want,
			   struct json_object *got)
{
	char show[GF__SHOW_BUF];
	gf__problem(l, at, "expected %s, got %s", gf__type_article(want),
		    gf__json_show(got, show, sizeof(show)));
}

/*
 * The string member at.field of obj. Returns 1 with *s and *len set; 0
 * when it is absent and optional; -1 after reporting a problem (absent
 * and required, not a string, or holding a NUL that C strings would cut
 * off). Empty strings are refused too when nonempty is set.
 */
static int gf__member_str(gf__loader *l, struct json_object *obj, gf__at at,
			  int required, int nonempty, const char **s,
			  size_t *len)
{
	struct json_object *v;
	if (!json_object_object_get_ex(obj, at.field, &v)) {
		if (!required)
			return 0;
		gf__problem(l, at, "required field is missing");
		return -1;
	}
	if (!json_object_is_type(v, json_type_string)) {
		gf__wrong_type(l, at, json_type_string, v);
		return -1;
	}
	*s = json_object_get_string(v);
	*len = (size_t)json_object_get_string_len(v);
	if (strlen(*s) != *len) {
		gf__problem(l, at, "must not contain a NUL character");
		return -1;
	}
	if (nonempty && *len == 0) {
		gf__problem(l, at, "must not be empty");
		return -1;
	}
	return 1;
}

/* The array under key in the root, or NULL after reporting why not. */
static struct json_object *gf__member_array(gf__loader *l,
					    struct json_object *root,
					    const char *key)
{
	struct json_object *v;
	if (!json_object_object_get_ex(root, key, &v)) {
		gf__problem(l, gf__root(key), "required field is missing");
		return NULL;
	}
	if (!json_object_is_type(v, json_type_array)) {
		gf__wrong_type(l, gf__root(key), json_type_array, v);
		return NULL;
	}
	return v;
}

/* The entry at i if it is an object, or NULL after reporting it. */
static struct json_object *gf__entry(gf__loader *l, struct json_object *arr,
				     const char *array, size_t i)
{
	struct json_object *e = json_object_array_get_idx(arr, i);
	if (json_object_is_type(e, json_type_object))
		return e;
	gf__wrong_type(l, gf__item(array, i, NULL), json_type_object, e);
	return NULL;
}

static int gf__load_region(gf__loader *l, struct json_object *e, size_t i)
{
	char show[GF__SHOW_BUF];
	const char *code = NULL, *name = NULL, *lv = NULL;
	size_t code_len = 0, name_len = 0, lv_len = 0;
	gf_level level = GF_LEVEL_NONE;
	int ok = 1;
	const gf__at at_code = gf__item("regions", i, "code");
	const gf__at at_name = gf__item("regions", i, "name");
	const gf__at at_level = gf__item("regions", i, "level");

	if (gf__member_str(l, e, at_code, 1, 0, &code, &code_len) == 1) {
		level = gf__region_code_level(code, code_len);
		if (level == GF_LEVEL_NONE) {
			gf__quote(code, code_len, show, sizeof(show));
			gf__problem(l, at_code,
				    "bad region code %s: expected 12 digits, "
				    "or a village's 12 digits, \"-\" and 1 to "
				    "16 letters or digits for a grid",
				    show);
			ok = 0;
		}
	} else {
		ok = 0;
	}

	if (gf__member_str(l, e, at_name, 1, 1, &name, &name_len) != 1)
		ok = 0;

	int has = gf__member_str(l, e, at_level, 0, 0, &lv, &lv_len);
	if (has < 0) {
		ok = 0;
	} else if (has) {
		gf_level given = gf__level_from_name(lv, lv_len);
		gf__quote(lv, lv_len, show, sizeof(show));
		if (given == GF_LEVEL_NONE) {
			gf__problem(l, at_level,
				    "unknown level %s: expected province, "
				    "city, district, town, village or grid",
				    show);
			ok = 0;
		} else if (level != GF_LEVEL_NONE && given != level) {
			gf__problem(l, at_level,
				    "level %s does not match code %s, which is "
				    "a %s",
				    show, code, gf_level_name(level));
			ok = 0;
		}
	}
	if (!ok)
		return GF_OK;

	const region_entry *prev =
		gf__map_get(&l->d->region_by_code, code, code_len);
	if (prev) {
		gf__problem(l, at_code,
			    "duplicate region code \"%s\": duplicate of "
			    "$.regions[%zu]",
			    code, prev->index);
		return GF_OK;
	}

	region_entry *r = gf__calloc(1, sizeof(*r));
	if (!r)
		return GF_ENOMEM;
	r->index = i;
	r->pub.code = gf__strndup(code, code_len);
	r->pub.code_len = code_len;
	r->pub.name = gf__strndup(name, name_len);
	r->pub.level = level;
	if (!r->pub.code || !r->pub.name ||
	    gf__vec_push(&l->d->regions, r) != GF_OK) {
		gf__free(r->pub.code);
		gf__free(r->pub.name);
		gf__free(r);
		return GF_ENOMEM;
	}
	return gf__map_put(&l->d->region_by_code, r->pub.code, code_len, r);
}

/*
 * Links each region to the nearest ancestor present. Every region must
 * have one, except the top ones, which must sit at the shallowest level
 * in the file (several cities side by side are fine; a stray district
 * beside them is not).
 */
static void gf__link_regions(gf__loader *l)
{
	gf__dir *d = l->d;
	gf_level top = GF_LEVEL_GRID;
	for (size_t k = 0; k < d->regions.len; k++) {
		const gf__region *r = d->regions.v[k];
		if (r->level < top)
			top = r->level;
	}
	for (size_t k = 0; k < d->regions.len; k++) {
		region_entry *r = d->regions.v[k];
		char cand[GF__CODE_DIGITS + 1], first[GF__CODE_DIGITS + 1];
		char prev[GF__CODE_DIGITS + 1] = "";
		first[0] = '\0';
		/* a grid's first candidate is its village: the 12 digits it
		 * starts with */
		int from = r->pub.level == GF_LEVEL_GRID
				   ? GF_LEVEL_VILLAGE
				   : (int)r->pub.level - 1;
		for (int lv = from; lv >= GF_LEVEL_PROVINCE; lv--) {
			size_t keep = gf__level_digits[lv];
			memcpy(cand, r->pub.code, keep);
			memset(cand + keep, '0', GF__CODE_DIGITS - keep);
			cand[GF__CODE_DIGITS] = '\0';
			/* a town straight under a city without districts
			 * (441900003000) names the city twice */
			if (strcmp(cand, prev) == 0)
				continue;
			memcpy(prev, cand, sizeof(cand));
			if (!first[0])
				memcpy(first, cand, sizeof(cand));
			r->pub.parent = gf__map_get(&d->region_by_code, cand,
						    GF__CODE_DIGITS);
			if (r->pub.parent)
				break;
		}
		if (!r->pub.parent && r->pub.level != top) {
			gf__problem(l, gf__item("regions", r->index, "code"),
				    "no parent region: %s is missing", first);
		}
	}
}

static int gf__load_dept(gf__loader *l, struct json_object *e, size_t i)
{
	char show[GF__SHOW_BUF];
	const char *id = NULL, *name = NULL, *region = NULL, *fn = NULL;
	size_t id_len = 0, name_len = 0, region_len = 0, fn_len = 0;
	const gf__region *reg = NULL;
	int ok = 1;
	const gf__at at_id = gf__item("departments", i, "id");
	const gf__at at_name = gf__item("departments", i, "name");
	const gf__at at_region = gf__item("departments", i, "region");
	const gf__at at_function = gf__item("departments", i, "function");

	if (gf__member_str(l, e, at_id, 1, 0, &id, &id_len) == 1) {
		if (!gf__dept_id_ok(id, id_len)) {
			gf__quote(id, id_len, show, sizeof(show));
			gf__problem(l, at_id,
				    "bad department id %s: expected 1 to 64 of "
				    "A-Z a-z 0-9 . _ -",
				    show);
			ok = 0;
		}
	} else {
		ok = 0;
	}

	if (gf__member_str(l, e, at_name, 1, 1, &name, &name_len) != 1)
		ok = 0;

	if (gf__member_str(l, e, at_region, 1, 0, &region, &region_len) == 1) {
		reg = gf__map_get(&l->d->region_by_code, region, region_len);
		if (!reg) {
			gf__quote(region, region_len, show, sizeof(show));
			gf__problem(l, at_region, "unknown region %s", show);
			ok = 0;
		}
	} else {
		ok = 0;
	}

	if (gf__member_str(l, e, at_function, 1, 0, &fn, &fn_len) == 1) {
		if (!gf__function_ok(fn, fn_len)) {
			gf__quote(fn, fn_len, show, sizeof(show));
			gf__problem(l, at_function,
				    "bad function %s: expected 1 to 32 of "
				    "a-z 0-9 _",
				    show);
			ok = 0;
		}
	} else {
		ok = 0;
	}
	if (!ok)
		return GF_OK;

	const dept_entry *prev = gf__map_get(&l->d->dept_by_id, id, id_len);
	if (prev) {
		gf__problem(l, at_id,
			    "duplicate department id \"%s\": duplicate of "
			    "$.departments[%zu]",
			    id, prev->index);
		return GF_OK;
	}

	dept_entry *p = gf__calloc(1, sizeof(*p));
	if (!p)
		return GF_ENOMEM;
	p->index = i;
	p->pub.id = gf__strndup(id, id_len);
	p->pub.id_len = id_len;
	p->pub.name = gf__strndup(name, name_len);
	p->pub.function = gf__strndup(fn, fn_len);
	p->pub.region = reg;
	p->pub.level = reg->level;
	if (!p->pub.id || !p->pub.name || !p->pub.function ||
	    gf__vec_push(&l->d->depts, p) != GF_OK) {
		gf__free(p->pub.id);
		gf__free(p->pub.name);
		gf__free(p->pub.function);
		gf__free(p);
		return GF_ENOMEM;
	}
	return gf__map_put(&l->d->dept_by_id, p->pub.id, id_len, p);
}

static int gf__load_category(gf__loader *l, struct json_object *e, size_t i)
{
	char show[GF__SHOW_BUF];
	const char *code = NULL, *name = NULL, *urg = NULL;
	size_t code_len = 0, name_len = 0, urg_len = 0;
	gf_urgency urgency = GF_URGENCY_NORMAL;
	int ok = 1;
	const gf__at at_code = gf__item("categories", i, "code");
	const gf__at at_name = gf__item("categories", i, "name");
	const gf__at at_urgency = gf__item("categories", i, "urgency");

	if (gf__member_str(l, e, at_code, 1, 0, &code, &code_len) == 1) {
		if (!gf__category_code_ok(code, code_len)) {
			gf__quote(code, code_len, show, sizeof(show));
			gf__problem(l, at_code,
				    "bad category code %s: expected dotted "
				    "segments of a-z 0-9 _, at most 128 bytes",
				    show);
			ok = 0;
		}
	} else {
		ok = 0;
	}

	if (gf__member_str(l, e, at_name, 1, 1, &name, &name_len) != 1)
		ok = 0;

	int has = gf__member_str(l, e, at_urgency, 0, 0, &urg, &urg_len);
	if (has < 0) {
		ok = 0;
	} else if (has && !gf__urgency_from_name(urg, urg_len, &urgency)) {
		gf__quote(urg, urg_len, show, sizeof(show));
		gf__problem(l, at_urgency,
			    "unknown urgency %s: expected normal, urgent or "
			    "critical",
			    show);
		ok = 0;
	}
	if (!ok)
		return GF_OK;

	const category_entry *prev =
		gf__map_get(&l->d->category_by_code, code, code_len);
	if (prev) {
		gf__problem(l, at_code,
			    "duplicate category code \"%s\": duplicate of "
			    "$.categories[%zu]",
			    code, prev->index);
		return GF_OK;
	}

	category_entry *c = gf__calloc(1, sizeof(*c));
	if (!c)
		return GF_ENOMEM;
	c->index = i;
	c->has_urgency = has;
	c->pub.code = gf__strndup(code, code_len);
	c->pub.code_len = code_len;
	c->pub.name = gf__strndup(name, name_len);
	c->pub.urgency = urgency;
	if (!c->pub.code || !c->pub.name ||
	    gf__vec_push(&l->d->categories, c) != GF_OK) {
		gf__free(c->pub.code);
		gf__free(c->pub.name);
		gf__free(c);
		return GF_ENOMEM;
	}
	return gf__map_put(&l->d->category_by_code, c->pub.code, code_len, c);
}

/* Parents and inherited urgencies, once every category is known: a
 * parent may come later in the file than its children. */
static void gf__link_categories(gf__loader *l)
{
	gf__dir *d = l->d;
	for (size_t k = 0; k < d->categories.len; k++) {
		category_entry *c = d->categories.v[k];
		const char *dot = NULL;
		for (size_t j = c->pub.code_len; j > 0; j--) {
			if (c->pub.code[j - 1] == '.') {
				dot = c->pub.code + j - 1;
				break;
			}
		}
		if (!dot)
			continue;
		size_t plen = (size_t)(dot - c->pub.code);
		c->pub.parent = gf__map_get(&d->category_by_code, c->pub.code,
					    plen);
		/* the parent's own check covers the shorter prefixes */
		if (!c->pub.parent) {
			gf__problem(l,
				    gf__item("categories", c->index, "code"),
				    "missing parent category \"%.*s\"",
				    (int)plen, c->pub.code);
		}
	}
	/* Codes are at most 128 bytes, so a chain is at most 64 deep. */
	for (size_t k = 0; k < d->categories.len; k++) {
		category_entry *c = d->categories.v[k];
		const category_entry *a = c;
		while (a && !a->has_urgency)
			a = (const category_entry *)a->pub.parent;
		c->pub.urgency = a ? a->pub.urgency : GF_URGENCY_NORMAL;
	}
}

typedef int (*gf__load_entry_fn)(gf__loader *l, struct json_object *e,
				 size_t i);

static int gf__load_array(gf__loader *l, struct json_object *root,
			  const char *key, gf__load_entry_fn load)
{
	struct json_object *arr = gf__member_array(l, root, key);
	if (!arr)
		return GF_OK;
	size_t n = json_object_array_length(arr);
	for (size_t i = 0; i < n; i++) {
		struct json_object *e = gf__entry(l, arr, key, i);
		if (e && load(l, e, i) != GF_OK)
			return GF_ENOMEM;
	}
	return GF_OK;
}

int gf__dir_load(gf__dir *d, struct json_object *root, gf__problem_fn report,
		 void *ud)
{
	gf__loader l = { d, report, ud, 0 };
	if (!json_object_is_type(root, json_type_object)) {
		gf__wrong_type(&l, gf__root(NULL), json_type_object, root);
		return l.problems;
	}

	const char *version = "";
	size_t version_len = 0;
	if (gf__member_str(&l, root, gf__root("version"), 0, 0, &version,
			   &version_len) != 1) {
		version = "";
		version_len = 0;
	}
	d->version = gf__strndup(version, version_len);
	if (!d->version)
		return GF_ENOMEM;

	/* Regions first, in full: departments refer to them, and a region's
	 * parent may come after it in the file. */
	if (gf__load_array(&l, root, "regions", gf__load_region) != GF_OK)
		return GF_ENOMEM;
	gf__link_regions(&l);
	if (gf__load_array(&l, root, "departments", gf__load_dept) != GF_OK)
		return GF_ENOMEM;
	if (gf__index_functions(d) != GF_OK || gf__index_roles(d) != GF_OK)
		return GF_ENOMEM;
	if (gf__load_array(&l, root, "categories", gf__load_category) != GF_OK)
		return GF_ENOMEM;
	gf__link_categories(&l);
	return l.problems;
}
