/*
 * event.c - events: the gf_event builder, strict validation of JSON and
 * built events into the normalised gf__ev, its JSON rendering and its
 * binary encoding for store records.
 *
 * Both ways in (JSON text and the builder) end in the same per-field
 * checks (the v_* functions below), so an event is accepted or refused
 * identically however the host delivers it. Fields are checked in a
 * fixed order and the first error wins, so a given bad input always
 * yields the same code and field path.
 *
 * Ingestion is the hot path: the JSON object is walked once to pick out
 * the known fields and notice unknown ones, each kept string costs one
 * allocation, and only unknown fields are ever re-serialised.
 */
#include <json-c/json.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "event.h"
#include "evscan.h"
#include "text.h"

/* ---- names ------------------------------------------------------------ */

static const char *const channel_names[] = {
	NULL, "12345", "110", "petition", "grid", "mediation"
};
static const char *const urgency_names[] = { "normal", "urgent", "critical" };

const char *gf_channel_name(gf_channel c)
{
	if (c <= GF_CHANNEL_NONE || c > GF_CHANNEL_MEDIATION)
		return NULL;
	return channel_names[c];
}

gf_channel gf_channel_from_name(const char *s, size_t len)
{
	if (!s)
		return GF_CHANNEL_NONE;
	for (int c = GF_CHANNEL_12345; c <= GF_CHANNEL_MEDIATION; c++)
		if (strlen(channel_names[c]) == len &&
		    memcmp(channel_names[c], s, len) == 0)
			return (gf_channel)c;
	return GF_CHANNEL_NONE;
}

const char *gf_urgency_name(gf_urgency u)
{
	if (u < GF_URGENCY_NORMAL || u > GF_URGENCY_CRITICAL)
		return NULL;
	return urgency_names[u];
}

/* ---- the builder -------------------------------------------------------- */

struct gf_event {
	char *channel;
	char *source_id;
	char *received_at;      /* text form, checked at ingestion */
	int has_time;           /* set_received_time was the last word */
	gf_time time;
	int offset_min;
	char *region;
	char *grid;
	int has_location;
	double lat, lon;
	char *address;
	char *category;
	char *urgency;
	char *title;
	char *content;
	char *phone;
	gf__attr *attrs;        /* in the order first set */
	size_t nattrs;
	size_t attrs_cap;
};

int gf_event_new(gf_event **out)
{
	if (!out)
		return GF_EINVAL;
	*out = gf__calloc(1, sizeof(**out));
	return *out ? GF_OK : GF_ENOMEM;
}

static void attr_clear(gf__attr *a)
{
	gf__free(a->key);
	gf__free(a->str);
	memset(a, 0, sizeof(*a));
}

void gf_event_reset(gf_event *ev)
{
	if (!ev)
		return;
	char **strs[] = { &ev->channel, &ev->source_id, &ev->received_at,
			  &ev->region, &ev->grid, &ev->address,
			  &ev->category, &ev->urgency, &ev->title,
			  &ev->content, &ev->phone };
	for (size_t i = 0; i < sizeof(strs) / sizeof(strs[0]); i++) {
		gf__free(*strs[i]);
		*strs[i] = NULL;
	}
	for (size_t i = 0; i < ev->nattrs; i++)
		attr_clear(&ev->attrs[i]);
	ev->nattrs = 0;
	ev->has_time = 0;
	ev->time = 0;
	ev->offset_min = 0;
	ev->has_location = 0;
	ev->lat = ev->lon = 0;
}

void gf_event_free(gf_event *ev)
{
	if (!ev)
		return;
	gf_event_reset(ev);
	gf__free(ev->attrs);
	gf__free(ev);
}

static int set_str(gf_event *ev, char **dst, const char *s)
{
	if (!ev)
		return GF_EINVAL;
	char *d = NULL;
	if (s && !(d = gf__strdup(s)))
		return GF_ENOMEM;
	gf__free(*dst);
	*dst = d;
	return GF_OK;
}

int gf_event_set_channel(gf_event *ev, const char *channel)
{
	return set_str(ev, ev ? &ev->channel : NULL, channel);
}

int gf_event_set_source_id(gf_event *ev, const char *source_id)
{
	return set_str(ev, ev ? &ev->source_id : NULL, source_id);
}

int gf_event_set_received_at(gf_event *ev, const char *rfc3339)
{
	int rc = set_str(ev, ev ? &ev->received_at : NULL, rfc3339);
	if (rc == GF_OK)
		ev->has_time = 0;
	return rc;
}

int gf_event_set_received_time(gf_event *ev, gf_time t, int offset_min)
{
	if (!ev)
		return GF_EINVAL;
	gf__free(ev->received_at);
	ev->received_at = NULL;
	ev->has_time = 1;
	ev->time = t;
	ev->offset_min = offset_min;
	return GF_OK;
}

int gf_event_set_region(gf_event *ev, const char *region)
{
	return set_str(ev, ev ? &ev->region : NULL, region);
}

int gf_event_set_grid(gf_event *ev, const char *grid)
{
	return set_str(ev, ev ? &ev->grid : NULL, grid);
}

int gf_event_set_location(gf_event *ev, double lat, double lon)
{
	if (!ev)
		return GF_EINVAL;
	ev->has_location = 1;
	ev->lat = lat;
	ev->lon = lon;
	return GF_OK;
}

int gf_event_set_address(gf_event *ev, const char *address)
{
	return set_str(ev, ev ? &ev->address : NULL, address);
}

int gf_event_set_category(gf_event *ev, const char *category)
{
	return set_str(ev, ev ? &ev->category : NULL, category);
}

int gf_event_set_urgency(gf_event *ev, const char *urgency)
{
	return set_str(ev, ev ? &ev->urgency : NULL, urgency);
}

int gf_event_set_title(gf_event *ev, const char *title)
{
	return set_str(ev, ev ? &ev->title : NULL, title);
}

int gf_event_set_content(gf_event *ev, const char *content)
{
	return set_str(ev, ev ? &ev->content : NULL, content);
}

int gf_event_set_reporter_phone(gf_event *ev, const char *phone)
{
	return set_str(ev, ev ? &ev->phone : NULL, phone);
}

/* The attribute named key, creating an empty slot at the end when absent
 * (create) or returning NULL. */
static gf__attr *attr_slot(gf_event *ev, const char *key, int create)
{
	for (size_t i = 0; i < ev->nattrs; i++)
		if (strcmp(ev->attrs[i].key, key) == 0)
			return &ev->attrs[i];
	if (!create)
		return NULL;
	if (ev->nattrs == ev->attrs_cap) {
		size_t cap = ev->attrs_cap ? ev->attrs_cap * 2 : 8;
		gf__attr *a = gf__realloc(ev->attrs, cap * sizeof(*a));
		if (!a)
			return NULL;
		ev->attrs = a;
		ev->attrs_cap = cap;
	}
	gf__attr *a = &ev->attrs[ev->nattrs];
	memset(a, 0, sizeof(*a));
	if (!(a->key = gf__strdup(key)))
		return NULL;
	ev->nattrs++;
	return a;
}

int gf_event_set_attr_string(gf_event *ev, const char *key,
			     const char *value)
{
	if (!ev || !key)
		return GF_EINVAL;
	if (!value) {
		/* NULL clears, as for every other setter: the key goes. */
		gf__attr *a = attr_slot(ev, key, 0);
		if (a) {
			size_t i = (size_t)(a - ev->attrs);
			attr_clear(a);
			memmove(a, a + 1, (ev->nattrs - i - 1) * sizeof(*a));
			ev->nattrs--;
		}
		return GF_OK;
	}
	char *v = gf__strdup(value);
	gf__attr *a = v ? attr_slot(ev, key, 1) : NULL;
	if (!a) {
		gf__free(v);
		return GF_ENOMEM;
	}
	gf__free(a->str);
	a->kind = GF__ATTR_STRING;
	a->str = v;
	a->num = 0;
	return GF_OK;
}

static int set_attr_num(gf_event *ev, const char *key, gf__attr_kind kind,
			double value)
{
	if (!ev || !key)
		return GF_EINVAL;
	gf__attr *a = attr_slot(ev, key, 1);
	if (!a)
		return GF_ENOMEM;
	gf__free(a->str);
	a->str = NULL;
	a->kind = kind;
	a->num = value;
	return GF_OK;
}

int gf_event_set_attr_number(gf_event *ev, const char *key, double value)
{
	return set_attr_num(ev, key, GF__ATTR_NUMBER, value);
}

int gf_event_set_attr_bool(gf_event *ev, const char *key, int value)
{
	return set_attr_num(ev, key, GF__ATTR_BOOL, value ? 1.0 : 0.0);
}

/* ---- gf__ev ------------------------------------------------------------ */

void gf__ev_free(gf__ev *ev)
{
	if (!ev)
		return;
	gf__free(ev->mem);
	memset(ev, 0, sizeof(*ev));
}

/* ---- field checks shared by JSON and the builder ------------------------ */

/* A string seen in the input; p is NULL when absent. */
typedef struct sv {
	const char *p;
	size_t n;
} sv;

typedef struct vattr {
	const char *key;
	size_t keylen;
	gf__attr_kind kind;
	sv str;
	double num;
} vattr;

/*
 * Validation keeps views of the input's strings and copies nothing;
 * commit() then puts every kept string of an accepted event into one
 * allocation. A rejected event costs no allocation at all.
 */
typedef struct vstate {
	gf__ev *ev;
	const gf__ev_ctx *ctx;
	gf__err *err;
	int check_utf8; /* strings did not pass the whole-input check */
	int normalize;  /* free text still needs normalising */
	sv source_id, grid, category, address, title, content, phone, extra;
	gf__buf xbuf;   /* the unknown fields' text, until commit */
	char phone_buf[GF__MAX_PHONE + 1];
	size_t nattrs;
	vattr attrs[GF__MAX_ATTRS];
} vstate;

static void vstate_init(vstate *v, gf__ev *ev, const gf__ev_ctx *ctx,
			gf__err *err, int check_utf8)
{
	/* Not a memset: attrs is large and only its used prefix is read. */
	static const sv none = { NULL, 0 };
	v->ev = ev;
	v->ctx = ctx;
	v->err = err;
	v->check_utf8 = check_utf8;
	v->normalize = 1;
	v->source_id = v->grid = v->category = v->address = none;
	v->title = v->content = v->phone = v->extra = none;
	v->nattrs = 0;
	gf__buf_init(&v->xbuf);
}

static size_t sv_size(sv x)
{
	return x.p ? x.n + 1 : 0;
}

static char *put(char **at, sv x)
{
	if (!x.p)
		return NULL;
	char *s = *at;
	memcpy(s, x.p, x.n);
	s[x.n] = '\0';
	*at += x.n + 1;
	return s;
}

/* Free text is normalised straight into its final place; text that
 * normalises to nothing is absent. */
static char *put_text(char **at, sv x, int normalize)
{
	if (!x.p || !normalize)
		return put(at, x);
	char *s = *at;
	size_t n = gf__text_normalize_to(x.p, x.n, s);
	if (n == 0)
		return NULL;
	s[n] = '\0';
	*at += n + 1;
	return s;
}

static int oom(vstate *v);

/* Copy what validation kept into ev, in one allocation. */
static int commit(vstate *v)
{
	gf__ev *ev = v->ev;
	const char *cn = gf_channel_name(ev->channel);
	size_t cl = strlen(cn);
	size_t need = v->nattrs * sizeof(gf__attr) + cl + 1 + v->source_id.n +
		      1 + sv_size(v->grid) + sv_size(v->category) +
		      sv_size(v->address) + sv_size(v->title) +
		      sv_size(v->content) + sv_size(v->phone) +
		      sv_size(v->extra);
	for (size_t i = 0; i < v->nattrs; i++)
		need += v->attrs[i].keylen + 1 + sv_size(v->attrs[i].str);
	char *mem = gf__malloc(need);
	if (!mem)
		return oom(v);
	ev->mem = mem;
	/* the attrs array first: malloc's alignment suits it */
	gf__attr *attrs = (gf__attr *)(void *)mem;
	char *p = mem + v->nattrs * sizeof(gf__attr);
	ev->ref = p;
	memcpy(p, cn, cl);
	p[cl] = ':';
	p += cl + 1;
	ev->source_id = put(&p, v->source_id);
	ev->grid = put(&p, v->grid);
	ev->category = put(&p, v->category);
	ev->address = put_text(&p, v->address, v->normalize);
	ev->title = put_text(&p, v->title, v->normalize);
	ev->content = put_text(&p, v->content, v->normalize);
	ev->phone = put(&p, v->phone);
	for (size_t i = 0; i < v->nattrs; i++) {
		const vattr *va = &v->attrs[i];
		gf__attr *a = &attrs[i];
		a->key = put(&p, (sv){ va->key, va->keylen });
		a->kind = va->kind;
		a->str = put(&p, va->str);
		a->num = va->num;
	}
	ev->attrs = v->nattrs ? attrs : NULL;
	ev->nattrs = v->nattrs;
	ev->extra = put(&p, v->extra);
	return GF_OK;
}

/* Bytes of s fit to quote in a message: at most 40, whole characters,
 * so a message never carries broken UTF-8 into JSON output. */
static int quote_len(const char *s, size_t n)
{
	return gf__utf8_quote_len(s, n, 40);
}

static int oom(vstate *v)
{
	return gf__err_set(v->err, GF_ENOMEM, NULL, "out of memory");
}

static int v_channel(vstate *v, const char *s, size_t n)
{
	gf_channel c = gf_channel_from_name(s, n);
	if (c == GF_CHANNEL_NONE)
		return gf__err_set(v->err, GF_EUNKNOWN, "$.channel",
				   "unknown channel \"%.*s\"; expected 12345, "
				   "110, petition, grid or mediation",
				   quote_len(s, n), s);
	v->ev->channel = c;
	return GF_OK;
}

static int v_source_id(vstate *v, const char *s, size_t n)
{
	if (n == 0)
		return gf__err_set(v->err, GF_EVALUE, "$.source_id",
				   "is empty");
	if (n > GF__MAX_SOURCE_ID)
		return gf__err_set(v->err, GF_ETOOBIG, "$.source_id",
				   "is %zu bytes, over the limit of %d", n,
				   GF__MAX_SOURCE_ID);
	/* ':' is allowed: a ref splits at its first ':', and no channel
	 * name holds one. */
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] <= 0x20 || (unsigned char)s[i] >= 0x7F)
			return gf__err_set(v->err, GF_EVALUE, "$.source_id",
					   "may hold only printable ASCII "
					   "without spaces (byte %zu)", i);
	v->source_id = (sv){ s, n };
	return GF_OK;
}

/* Can s be shown as part of a ref in a rejection? */
static int ref_part_ok(const char *s, size_t n, size_t max)
{
	if (n == 0 || n > max || !gf__utf8_valid(s, n))
		return 0;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7F)
			return 0;
	return 1;
}

/*
 * The ref of a possibly bad event: given whenever both parts are strings
 * that can be shown (valid UTF-8, no control characters, not huge), even
 * when the channel is unknown, so that a rejection can still be named.
 */
static void make_ref_out(char **ref_out, const char *ch, size_t chn,
			 const char *sid, size_t sidn)
{
	if (!ref_out || !ch || !sid || !ref_part_ok(ch, chn, 32) ||
	    !ref_part_ok(sid, sidn, GF__MAX_SOURCE_ID))
		return;
	char *r = gf__malloc(chn + 1 + sidn + 1);
	if (!r)
		return;
	memcpy(r, ch, chn);
	r[chn] = ':';
	memcpy(r + chn + 1, sid, sidn);
	r[chn + 1 + sidn] = '\0';
	*ref_out = r;
}

/* The earliest and one past the latest local time gf_time_parse
 * accepts: 1970-01-01T00:00:00 and 10000-01-01T00:00:00. */
#define LOCAL_MIN INT64_C(0)
#define LOCAL_END INT64_C(253402300800000)
#define MAX_OFFSET_MIN (23 * 60 + 59)

static int v_time_value(vstate *v, gf_time t, int off)
{
	if (off < -MAX_OFFSET_MIN || off > MAX_OFFSET_MIN)
		return gf__err_set(v->err, GF_ETIME, "$.received_at",
				   "offset of %d minutes is beyond +-23:59",
				   off);
	if (t < LOCAL_MIN - INT64_C(86400000) || t > LOCAL_END ||
	    t + (int64_t)off * 60000 < LOCAL_MIN ||
	    t + (int64_t)off * 60000 >= LOCAL_END)
		return gf__err_set(v->err, GF_ETIME, "$.received_at",
				   "is outside the years 1970 to 9999");
	v->ev->received_at = t;
	v->ev->offset_min = off;
	return GF_OK;
}

static int v_time_text(vstate *v, const char *s, size_t n)
{
	gf_time t;
	int off;
	if (gf_time_parse(&t, &off, s, n) == GF_OK)
		return v_time_value(v, t, off);
	/* The most common mistake gets its own message: a local time with
	 * no offset. It parses once a "Z" is added. */
	char tmp[64];
	if (n + 1 < sizeof(tmp)) {
		memcpy(tmp, s, n);
		tmp[n] = 'Z';
		if (gf_time_parse(&t, &off, tmp, n + 1) == GF_OK)
			return gf__err_set(v->err, GF_ETIME, "$.received_at",
					   "has no UTC offset; RFC 3339 needs "
					   "Z or +HH:MM, e.g. "
					   "2026-11-22T09:15:00+08:00");
	}
	return gf__err_set(v->err, GF_ETIME, "$.received_at",
			   "\"%.*s\" is not an RFC 3339 timestamp with a "
			   "valid date and time, e.g. "
			   "2026-11-22T09:15:00+08:00",
			   quote_len(s, n), s);
}

static int all_digits(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return 1;
}

/*
 * Region codes: 12 digits. Six (a county) and nine (a town) digits are
 * accepted too and padded with zeros, because source systems commonly
 * drop the trailing zeros of codes above village level; the stored code
 * is always the 12-digit form.
 */
static int v_region(vstate *v, const char *s, size_t n)
{
	if ((n != 12 && n != 9 && n != 6) || !all_digits(s, n))
		return gf__err_set(v->err, GF_EVALUE, "$.region",
				   "\"%.*s\" is not a 12-digit region code",
				   quote_len(s, n), s);
	memcpy(v->ev->region, s, n);
	memset(v->ev->region + n, '0', 12 - n);
	v->ev->region[12] = '\0';
	if (!v->ctx->dir)
		return GF_OK;
	v->ev->region_node = gf__dir_region(v->ctx->dir, v->ev->region, 12);
	if (!v->ev->region_node)
		return gf__err_set(v->err, GF_EUNKNOWN, "$.region",
				   "unknown region %s", v->ev->region);
	return GF_OK;
}

static int is_alnum(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
	       (c >= 'A' && c <= 'Z');
}

/*
 * A grid is "<village code>-<suffix>". It need not be in the directory:
 * grids are redrawn far more often than configurations are reloaded.
 * It must sit under the event's own region, or routing by region and
 * by grid would disagree.
 */
static int v_grid(vstate *v, const char *s, size_t n)
{
	if (n > GF__MAX_GRID)
		return gf__err_set(v->err, GF_ETOOBIG, "$.grid",
				   "is %zu bytes, over the limit of %d", n,
				   GF__MAX_GRID);
	int ok = n >= 14 && n <= 12 + 1 + 16 && all_digits(s, 12) &&
		 s[12] == '-';
	for (size_t i = 13; ok && i < n; i++)
		ok = is_alnum(s[i]);
	if (!ok)
		return gf__err_set(v->err, GF_EVALUE, "$.grid",
				   "\"%.*s\" is not a grid code "
				   "(12 digits, '-', 1 to 16 letters or "
				   "digits)", quote_len(s, n), s);
	if (memcmp(s, v->ev->region, 12) != 0)
		return gf__err_set(v->err, GF_EVALUE, "$.grid",
				   "grid %.*s belongs to another region than "
				   "%s", (int)n, s, v->ev->region);
	v->grid = (sv){ s, n };
	return GF_OK;
}

static int v_coord(vstate *v, const char *path, double x, double lim)
{
	if (!isfinite(x))
		return gf__err_set(v->err, GF_ERANGE, path,
				   "not a finite number");
	if (x < -lim || x > lim)
		return gf__err_set(v->err, GF_ERANGE, path,
				   "%.10g is outside -%g..%g", x, lim, lim);
	return GF_OK;
}

static int v_location(vstate *v, double lat, double lon)
{
	if (v_coord(v, "$.location.lat", lat, 90) ||
	    v_coord(v, "$.location.lon", lon, 180))
		return v->err->code;
	v->ev->has_location = 1;
	v->ev->lat = lat;
	v->ev->lon = lon;
	return GF_OK;
}

static int v_category(vstate *v, const char *s, size_t n)
{
	if (n > GF__MAX_CATEGORY)
		return gf__err_set(v->err, GF_ETOOBIG, "$.category",
				   "is %zu bytes, over the limit of %d", n,
				   GF__MAX_CATEGORY);
	int ok = n > 0 && s[0] != '.' && s[n - 1] != '.';
	for (size_t i = 0; ok && i < n; i++) {
		char c = s[i];
		if (c == '.')
			ok = s[i + 1] != '.';
		else
			ok = (c >= 'a' && c <= 'z') ||
			     (c >= '0' && c <= '9') || c == '_';
	}
	if (!ok)
		return gf__err_set(v->err, GF_EVALUE, "$.category",
				   "\"%.*s\" is not a category code (dotted "
				   "segments of a-z, 0-9 and _)",
				   quote_len(s, n), s);
	const gf__category *cat = NULL;
	if (v->ctx->dir && !(cat = gf__dir_category(v->ctx->dir, s, n)))
		return gf__err_set(v->err, GF_EUNKNOWN, "$.category",
				   "unknown category %.*s", (int)n, s);
	v->category = (sv){ s, n };
	v->ev->urgency = cat ? cat->urgency : GF_URGENCY_NORMAL;
	return GF_OK;
}

static int v_urgency(vstate *v, const char *s, size_t n)
{
	for (int u = GF_URGENCY_NORMAL; u <= GF_URGENCY_CRITICAL; u++)
		if (strlen(urgency_names[u]) == n &&
		    memcmp(urgency_names[u], s, n) == 0) {
			v->ev->urgency = (gf_urgency)u;
			return GF_OK;
		}
	return gf__err_set(v->err, GF_EVALUE, "$.urgency",
			   "\"%.*s\" is not normal, urgent or critical",
			   quote_len(s, n), s);
}

/*
 * Free text: the limit applies to the text as given, so that whether an
 * event fits does not depend on the normaliser's details. Text that
 * normalises to nothing is absent.
 */
static int v_text(vstate *v, const char *path, const char *s, size_t n,
		  size_t max, sv *dst)
{
	if (n > max)
		return gf__err_set(v->err, GF_ETOOBIG, path,
				   "is %zu bytes, over the limit of %zu", n,
				   max);
	if (v->check_utf8) {
		size_t bad = gf__utf8_valid_prefix(s, n);
		if (bad != n)
			return gf__err_set(v->err, GF_EUTF8, path,
					   "invalid UTF-8 at byte %zu", bad);
	}
	*dst = (sv){ s, n };
	return GF_OK;
}

/*
 * Phone numbers are normalised before hashing so that one caller gets
 * one hash however the source system wrote the number: separators
 * (spaces, '-', '(', ')') go, full-width digits become ASCII, and the
 * country prefix of China (+86, 0086) is dropped; other countries keep
 * a leading '+'. What remains must be 3 to 20 digits: short service
 * numbers (110, 12345) are legitimate callers. An empty phone is absent.
 * The number is never quoted in a message: it is personal data.
 */
static int v_phone(vstate *v, const char *str, size_t n)
{
	const unsigned char *s = (const unsigned char *)str;
	char *d = v->phone_buf;
	size_t k = 0;
	if (n > 4 * GF__MAX_PHONE)
		return gf__err_set(v->err, GF_ETOOBIG, "$.reporter.phone",
				   "is %zu bytes, over the limit of %d", n,
				   4 * GF__MAX_PHONE);
	for (size_t i = 0; i < n;) {
		unsigned c = s[i++];
		if (c == 0xEF && n - i >= 2 && s[i] == 0xBC && s[i + 1] >= 0x81 &&
		    s[i + 1] <= 0xBF) {
			c = (unsigned)s[i + 1] - 0x60; /* U+FF01..U+FF3F */
			i += 2;
		} else if (c == 0xE3 && n - i >= 2 && s[i] == 0x80 &&
			   s[i + 1] == 0x80) {
			c = ' '; /* U+3000 */
			i += 2;
		}
		if (c == ' ' || c == '-' || c == '(' || c == ')' || c == '\t')
			continue;
		if (!((c >= '0' && c <= '9') || (c == '+' && k == 0)))
			return gf__err_set(v->err, GF_EVALUE,
					   "$.reporter.phone",
					   "may hold only digits, spaces, "
					   "'-', '(', ')' and a leading '+'");
		if (k == GF__MAX_PHONE)
			return gf__err_set(v->err, GF_EVALUE,
					   "$.reporter.phone",
					   "has too many digits");
		d[k++] = (char)c;
	}
	if (k == 0)
		return GF_OK;
	const char *p = d;
	if (k >= 3 && memcmp(d, "+86", 3) == 0)
		p += 3;
	else if (k >= 4 && memcmp(d, "0086", 4) == 0)
		p += 4;
	size_t len = k - (size_t)(p - d);
	size_t digits = len && p[0] == '+' ? len - 1 : len;
	if (digits < 3 || digits > 20)
		return gf__err_set(v->err, GF_EVALUE, "$.reporter.phone",
				   "must have 3 to 20 digits after "
				   "normalisation, has %zu", digits);
	if (v->ctx->reporter_key) {
		uint8_t mac[32];
		gf__hmac_run(v->ctx->reporter_key, p, len, mac);
		gf__hex(mac, sizeof(mac), v->ev->reporter);
	}
	if (v->ctx->keep_phone)
		v->phone = (sv){ p, len };
	return GF_OK;
}

static int v_attr_count(vstate *v, size_t count)
{
	if (count > GF__MAX_ATTRS)
		return gf__err_set(v->err, GF_ETOOBIG, "$.attributes",
				   "has %zu keys, over the limit of %d", count,
				   GF__MAX_ATTRS);
	return GF_OK;
}

/* Checks an attribute's key and writes its path for the value's errors. */
static int v_attr_key(vstate *v, const char *key, size_t n, char *path,
		      size_t pathsize)
{
	if (n == 0)
		return gf__err_set(v->err, GF_EVALUE, "$.attributes",
				   "has an empty key");
	if (n > GF__MAX_ATTR_KEY)
		return gf__err_set(v->err, GF_ETOOBIG, "$.attributes",
				   "key \"%.*s...\" is %zu bytes, over the "
				   "limit of %d", quote_len(key, n), key, n,
				   GF__MAX_ATTR_KEY);
	if (v->check_utf8 && !gf__utf8_valid(key, n))
		return gf__err_set(v->err, GF_EUTF8, "$.attributes",
				   "a key is not valid UTF-8");
	/* Every attribute needs its path ready; memcpy is far cheaper
	 * than snprintf here. The sizes are checked above. */
	static const char prefix[] = "$.attributes.";
	if (sizeof(prefix) + n > pathsize)
		return gf__err_set(v->err, GF_EINVAL, "$.attributes",
				   "internal: path buffer too small");
	memcpy(path, prefix, sizeof(prefix) - 1);
	memcpy(path + sizeof(prefix) - 1, key, n);
	path[sizeof(prefix) - 1 + n] = '\0';
	return GF_OK;
}

static int v_attr_add(vstate *v, const char *path, const char *key,
		      size_t keylen, gf__attr_kind kind, const char *s,
		      size_t n, double x)
{
	vattr *a = &v->attrs[v->nattrs];
	if (kind == GF__ATTR_STRING) {
		if (n > GF__MAX_ATTR_VALUE)
			return gf__err_set(v->err, GF_ETOOBIG, path,
					   "is %zu bytes, over the limit of %d",
					   n, GF__MAX_ATTR_VALUE);
		/* Checked even for JSON input: an escaped \u0000 passes
		 * the whole-input check but has no place in a C string. */
		if (!gf__utf8_valid(s, n))
			return gf__err_set(v->err, GF_EUTF8, path,
					   "not valid UTF-8 or holds a NUL "
					   "character");
		a->str = (sv){ s, n };
		a->num = 0;
	} else {
		if (!isfinite(x))
			return gf__err_set(v->err, GF_ERANGE, path,
					   "not a finite number");
		a->str = (sv){ NULL, 0 };
		a->num = x;
	}
	a->key = key;
	a->keylen = keylen;
	a->kind = kind;
	v->nattrs++;
	return GF_OK;
}

/* ---- JSON input --------------------------------------------------------- */

enum {
	F_CHANNEL, F_SOURCE_ID, F_RECEIVED_AT, F_REGION, F_GRID, F_LOCATION,
	F_CATEGORY, F_URGENCY, F_TITLE, F_CONTENT, F_ADDRESS, F_REPORTER,
	F_ATTRIBUTES, F_COUNT
};

static const char *const field_path[F_COUNT] = {
	"$.channel", "$.source_id", "$.received_at", "$.region", "$.grid",
	"$.location", "$.category", "$.urgency", "$.title", "$.content",
	"$.address", "$.reporter", "$.attributes"
};

/* The known field named k, or -1. The length narrows it to at most
 * four names, and fixed-size memcmp compiles to a compare or two. */
static int field_index(const char *k)
{
#define IS(name) (memcmp(k, name, sizeof(name)) == 0)
	switch (strlen(k)) {
	case 4:
		return IS("grid") ? F_GRID : -1;
	case 5:
		return IS("title") ? F_TITLE : -1;
	case 6:
		return IS("region") ? F_REGION : -1;
	case 7:
		return IS("channel") ? F_CHANNEL
		     : IS("urgency") ? F_URGENCY
		     : IS("content") ? F_CONTENT
		     : IS("address") ? F_ADDRESS : -1;
	case 8:
		return IS("category") ? F_CATEGORY
		     : IS("location") ? F_LOCATION
		     : IS("reporter") ? F_REPORTER : -1;
	case 9:
		return IS("source_id") ? F_SOURCE_ID : -1;
	case 10:
		return IS("attributes") ? F_ATTRIBUTES : -1;
	case 11:
		return IS("received_at") ? F_RECEIVED_AT : -1;
	default:
		return -1;
	}
#undef IS
}

static const char *type_desc(json_object *o)
{
	switch (json_object_get_type(o)) {
	case json_type_boolean: return "a boolean";
	case json_type_double:
	case json_type_int: return "a number";
	case json_type_object: return "an object";
	case json_type_array: return "an array";
	case json_type_string: return "a string";
	default: return "null";
	}
}

/*
 * A string field: 1 when present (s, n set), 0 when absent or null
 * (json-c represents a null member as a NULL pointer), or an error.
 */
static int j_str(vstate *v, json_object *o, const char *path, int required,
		 const char **s, size_t *n)
{
	if (!o) {
		if (required)
			return gf__err_set(v->err, GF_EMISSING, path,
					   "is required");
		return 0;
	}
	if (!json_object_is_type(o, json_type_string))
		return gf__err_set(v->err, GF_ETYPE, path,
				   "expected a string, got %s", type_desc(o));
	*s = json_object_get_string(o);
	*n = (size_t)json_object_get_string_len(o);
	return 1;
}

static int is_number(json_object *o)
{
	return json_object_is_type(o, json_type_double) ||
	       json_object_is_type(o, json_type_int);
}

/*
 * json-c clamps an integer beyond its 64-bit range to the nearest end
 * and says nothing: 123456789012345678901234567890, written out in
 * digits, would become 18446744073709551615. What was written cannot be
 * told from those two ends, so they are refused (an exponent, 1.2e29,
 * reads as a double and is fine).
 */
static int clamped_int(json_object *o)
{
	return json_object_is_type(o, json_type_int) &&
	       (json_object_get_int64(o) == INT64_MIN ||
		json_object_get_uint64(o) == UINT64_MAX);
}

static int clamped_err(vstate *v, const char *path)
{
	return gf__err_set(v->err, GF_ERANGE, path,
			   "an integer beyond 64 bits; write it with an "
			   "exponent");
}

static int j_coord(vstate *v, json_object *loc, const char *key,
		   const char *path, double *out)
{
	json_object *o = NULL;
	json_object_object_get_ex(loc, key, &o);
	if (!o)
		return gf__err_set(v->err, GF_EMISSING, path, "is required");
	if (!is_number(o))
		return gf__err_set(v->err, GF_ETYPE, path,
				   "expected a number, got %s", type_desc(o));
	if (clamped_int(o))
		return clamped_err(v, path);
	*out = json_object_get_double(o);
	return GF_OK;
}

static int j_location(vstate *v, json_object *o)
{
	if (!json_object_is_type(o, json_type_object))
		return gf__err_set(v->err, GF_ETYPE, "$.location",
				   "expected an object, got %s",
				   type_desc(o));
	double lat, lon;
	if (j_coord(v, o, "lat", "$.location.lat", &lat) ||
	    j_coord(v, o, "lon", "$.location.lon", &lon))
		return v->err->code;
	return v_location(v, lat, lon);
}

/* Other members of "reporter" (names, addresses, ID numbers: all
 * personal data) are dropped, not kept with the unknown fields. */
static int j_reporter(vstate *v, json_object *o)
{
	if (!json_object_is_type(o, json_type_object))
		return gf__err_set(v->err, GF_ETYPE, "$.reporter",
				   "expected an object, got %s",
				   type_desc(o));
	json_object *ph = NULL;
	json_object_object_get_ex(o, "phone", &ph);
	const char *s;
	size_t n;
	int rc = j_str(v, ph, "$.reporter.phone", 0, &s, &n);
	if (rc <= 0)
		return rc;
	return v_phone(v, s, n);
}

static int j_attributes(vstate *v, json_object *o)
{
	if (!json_object_is_type(o, json_type_object))
		return gf__err_set(v->err, GF_ETYPE, "$.attributes",
				   "expected an object, got %s",
				   type_desc(o));
	int rc = v_attr_count(v, (size_t)json_object_object_length(o));
	if (rc)
		return rc;
	char path[GF__MAX_ATTR_KEY + 16];
	json_object_object_foreach(o, key, val) {
		size_t kl = strlen(key);
		if ((rc = v_attr_key(v, key, kl, path, sizeof(path))))
			return rc;
		switch (val ? json_object_get_type(val) : json_type_null) {
		case json_type_null:
			break;
		case json_type_string:
			rc = v_attr_add(v, path, key, kl, GF__ATTR_STRING,
					json_object_get_string(val),
					(size_t)json_object_get_string_len(val),
					0);
			break;
		case json_type_int:
		case json_type_double:
			rc = clamped_int(val)
				     ? clamped_err(v, path)
				     : v_attr_add(v, path, key, kl,
						  GF__ATTR_NUMBER, NULL, 0,
						  json_object_get_double(val));
			break;
		case json_type_boolean:
			rc = v_attr_add(v, path, key, kl, GF__ATTR_BOOL, NULL,
					0, json_object_get_boolean(val) ? 1 : 0);
			break;
		default:
			rc = gf__err_set(v->err, GF_ETYPE, path,
					 "expected a string, number or "
					 "boolean, got %s", type_desc(val));
		}
		if (rc)
			return rc;
	}
	return GF_OK;
}

/* json-c reads NaN and Infinity, which no other JSON reader accepts: an
 * unknown field holding one would make the kept event unreadable. One
 * holding a clamped integer would be kept with another number. */
static int j_finite(vstate *v, json_object *o, char *path, size_t plen,
		    size_t cap)
{
	if (!o)
		return GF_OK;
	switch (json_object_get_type(o)) {
	case json_type_int:
		return clamped_int(o) ? clamped_err(v, path) : GF_OK;
	case json_type_double:
		if (!isfinite(json_object_get_double(o)))
			return gf__err_set(v->err, GF_ERANGE, path,
					   "not a finite number");
		return GF_OK;
	case json_type_object: {
		json_object_object_foreach(o, key, val) {
			snprintf(path + plen, cap - plen, ".%s", key);
			size_t l = strlen(path);
			int rc = j_finite(v, val, path, l, cap);
			if (rc)
				return rc;
			path[plen] = '\0';
		}
		return GF_OK;
	}
	case json_type_array: {
		size_t n = json_object_array_length(o);
		for (size_t i = 0; i < n; i++) {
			snprintf(path + plen, cap - plen, "[%zu]", i);
			size_t l = strlen(path);
			int rc = j_finite(v, json_object_array_get_idx(o, i),
					  path, l, cap);
			if (rc)
				return rc;
			path[plen] = '\0';
		}
		return GF_OK;
	}
	default:
		return GF_OK;
	}
}

static int j_extra(vstate *v, json_object *obj)
{
	gf__buf *b = &v->xbuf;
	gf__buf_putc(b, '{');
	int first = 1;
	json_object_object_foreach(obj, key, val) {
		if (field_index(key) >= 0)
			continue;
		char path[96];
		snprintf(path, sizeof(path), "$.%s", key);
		if (j_finite(v, val, path, strlen(path), sizeof(path)))
			return v->err->code;
		if (!first)
			gf__buf_putc(b, ',');
		first = 0;
		gf__buf_json_str(b, key, strlen(key));
		gf__buf_putc(b, ':');
		gf__buf_puts(b, val ? json_object_to_json_string_ext(
					      val, JSON_C_TO_STRING_PLAIN |
						   JSON_C_TO_STRING_NOSLASHESCAPE)
				    : "null");
		if (b->len > GF__MAX_EXTRA)
			break;
	}
	gf__buf_putc(b, '}');
	if (b->len > GF__MAX_EXTRA)
		return gf__err_set(v->err, GF_ETOOBIG, "$",
				   "unknown fields take over %d bytes",
				   GF__MAX_EXTRA);
	if (b->oom)
		return oom(v);
	v->extra = (sv){ b->p, b->len };
	return GF_OK;
}

static int from_object(vstate *v, json_object *obj, char **ref_out)
{
	json_object *f[F_COUNT] = { NULL };
	int unknown = 0;
	json_object_object_foreach(obj, key, val) {
		int i = field_index(key);
		if (i >= 0)
			f[i] = val;
		else
			unknown = 1;
	}

	const char *s = NULL, *sid = NULL;
	size_t n = 0, sidn = 0;
	if (f[F_CHANNEL] && f[F_SOURCE_ID] &&
	    json_object_is_type(f[F_CHANNEL], json_type_string) &&
	    json_object_is_type(f[F_SOURCE_ID], json_type_string))
		make_ref_out(ref_out, json_object_get_string(f[F_CHANNEL]),
			     (size_t)json_object_get_string_len(f[F_CHANNEL]),
			     json_object_get_string(f[F_SOURCE_ID]),
			     (size_t)json_object_get_string_len(
				     f[F_SOURCE_ID]));

	int rc;
	if ((rc = j_str(v, f[F_CHANNEL], "$.channel", 1, &s, &n)) < 0 ||
	    (rc = v_channel(v, s, n)))
		return rc;
	if ((rc = j_str(v, f[F_SOURCE_ID], "$.source_id", 1, &sid, &sidn)) <
		    0 ||
	    (rc = v_source_id(v, sid, sidn)))
		return rc;
	if ((rc = j_str(v, f[F_RECEIVED_AT], "$.received_at", 1, &s, &n)) <
		    0 ||
	    (rc = v_time_text(v, s, n)))
		return rc;
	if ((rc = j_str(v, f[F_REGION], "$.region", 1, &s, &n)) < 0 ||
	    (rc = v_region(v, s, n)))
		return rc;
	if ((rc = j_str(v, f[F_GRID], "$.grid", 0, &s, &n)) < 0 ||
	    (rc == 1 && (rc = v_grid(v, s, n))))
		return rc;
	if (f[F_LOCATION] && (rc = j_location(v, f[F_LOCATION])))
		return rc;
	if ((rc = j_str(v, f[F_CATEGORY], "$.category", 1, &s, &n)) < 0 ||
	    (rc = v_category(v, s, n)))
		return rc;
	if ((rc = j_str(v, f[F_URGENCY], "$.urgency", 0, &s, &n)) < 0 ||
	    (rc == 1 && (rc = v_urgency(v, s, n))))
		return rc;
	static const struct {
		int f;
		size_t max;
		size_t off;
	} texts[] = {
		{ F_TITLE, GF__MAX_TITLE, offsetof(vstate, title) },
		{ F_CONTENT, GF__MAX_CONTENT, offsetof(vstate, content) },
		{ F_ADDRESS, GF__MAX_ADDRESS, offsetof(vstate, address) },
	};
	for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		const char *path = field_path[texts[i].f];
		sv *dst = (sv *)(void *)((char *)v + texts[i].off);
		if ((rc = j_str(v, f[texts[i].f], path, 0, &s, &n)) < 0 ||
		    (rc == 1 &&
		     (rc = v_text(v, path, s, n, texts[i].max, dst))))
			return rc;
	}
	if (f[F_REPORTER] && (rc = j_reporter(v, f[F_REPORTER])))
		return rc;
	if (f[F_ATTRIBUTES] && (rc = j_attributes(v, f[F_ATTRIBUTES])))
		return rc;
	if (unknown && (rc = j_extra(v, obj)))
		return rc;
	return commit(v);
}

static int find_bad_utf8(gf__err *err, json_object *o, char *path,
			 size_t plen, size_t cap);

int gf__ev_from_object(gf__ev *ev, struct json_object *obj,
		       const gf__ev_ctx *ctx, char **ref_out, gf__err *err)
{
	gf__err scratch;
	if (!err)
		err = &scratch;
	if (ref_out)
		*ref_out = NULL;
	if (!ev || !ctx)
		return gf__err_set(err, GF_EINVAL, NULL,
				   "no event or no context");
	memset(ev, 0, sizeof(*ev));
	if (!json_object_is_type(obj, json_type_object))
		return gf__err_set(err, GF_EJSON, "$",
				   "expected a JSON object, got %s",
				   type_desc(obj));
	/* json-c keeps whatever bytes it was given: the object's strings
	 * and keys are checked here as gf__ev_parse checks its input, and
	 * before any field, so both ways report the same error. */
	char path[96] = "$";
	if (find_bad_utf8(err, obj, path, 1, sizeof(path)))
		return GF_EUTF8;
	vstate v;
	vstate_init(&v, ev, ctx, err, 0);
	int rc = from_object(&v, obj, ref_out);
	gf__buf_free(&v.xbuf);
	if (rc)
		gf__ev_free(ev);
	return rc;
}

/* A string that is valid UTF-8 apart from NUL characters, which json-c
 * lets in through \u0000 and which are not an encoding error. */
static int utf8_ok_but_nul(const char *s, size_t n)
{
	size_t i = 0;
	while (i < n) {
		i += gf__utf8_valid_prefix(s + i, n - i);
		if (i < n && s[i] != '\0')
			return 0;
		i++;
	}
	return 1;
}

/* Find the string or key holding the bad bytes, for a precise error. */
static int find_bad_utf8(gf__err *err, json_object *o, char *path,
			 size_t plen, size_t cap)
{
	switch (o ? json_object_get_type(o) : json_type_null) {
	case json_type_string:
		if (utf8_ok_but_nul(json_object_get_string(o),
				    (size_t)json_object_get_string_len(o)))
			return 0;
		gf__err_set(err, GF_EUTF8, path, "not valid UTF-8");
		return 1;
	case json_type_object: {
		json_object_object_foreach(o, key, val) {
			if (!gf__utf8_valid(key, strlen(key))) {
				gf__err_set(err, GF_EUTF8, path,
					    "a field name is not valid UTF-8");
				return 1;
			}
			snprintf(path + plen, cap - plen, ".%s", key);
			if (find_bad_utf8(err, val, path, strlen(path), cap))
				return 1;
			path[plen] = '\0';
		}
		return 0;
	}
	case json_type_array: {
		size_t n = json_object_array_length(o);
		for (size_t i = 0; i < n; i++) {
			snprintf(path + plen, cap - plen, "[%zu]", i);
			if (find_bad_utf8(err, json_object_array_get_idx(o, i),
					  path, strlen(path), cap))
				return 1;
			path[plen] = '\0';
		}
		return 0;
	}
	default:
		return 0;
	}
}

/* s[0..n) is the start of a well-formed character cut short: what a
 * truncated input ends with, rather than an encoding error. */
static int cut_character(const char *s, size_t n)
{
	unsigned char tmp[4];
	unsigned c = (unsigned char)s[0];
	size_t need = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : 2;
	if (n == 0 || n >= need)
		return 0;
	memcpy(tmp, s, n);
	/* complete it with the smallest continuation the lead allows */
	for (size_t i = n; i < need; i++)
		tmp[i] = 0x80;
	if (n == 1 && c == 0xE0)
		tmp[1] = 0xA0;
	else if (n == 1 && c == 0xF0)
		tmp[1] = 0x90;
	return gf__utf8_valid((const char *)tmp, need);
}

/*
 * JSON nesting allowed in an event: the event itself needs three levels
 * (attributes.key), the rest is for unknown fields. json-c's default is
 * 32; 16 also keeps the tokener's stack (32 bytes a level) small enough
 * for the allocator's fast bins, which is measurable per event.
 */
#define GF__EV_MAX_DEPTH 16


/*
 * The same checks, in the same order, on what the scanner read (see
 * evscan.h). Used only to accept: on any failure the caller forgets this
 * attempt and asks the json-c path, which words the error.
 */
static int from_scan(vstate *v, const gf__evscan *sc, char **ref_out)
{
	const gf__jval *f = sc->f;
	int rc;
#define SCAN_STR(i) (f[i].type == GF__J_STRING)
	if (!SCAN_STR(GF__S_CHANNEL) || !SCAN_STR(GF__S_SOURCE_ID) ||
	    !SCAN_STR(GF__S_RECEIVED_AT) || !SCAN_STR(GF__S_REGION) ||
	    !SCAN_STR(GF__S_CATEGORY))
		return GF_EMISSING;
	if ((rc = v_channel(v, f[GF__S_CHANNEL].s, f[GF__S_CHANNEL].n)) ||
	    (rc = v_source_id(v, f[GF__S_SOURCE_ID].s, f[GF__S_SOURCE_ID].n)) ||
	    (rc = v_time_text(v, f[GF__S_RECEIVED_AT].s,
			      f[GF__S_RECEIVED_AT].n)) ||
	    (rc = v_region(v, f[GF__S_REGION].s, f[GF__S_REGION].n)))
		return rc;
	if (SCAN_STR(GF__S_GRID) &&
	    (rc = v_grid(v, f[GF__S_GRID].s, f[GF__S_GRID].n)))
		return rc;
	if (f[GF__S_LOCATION].type == GF__J_OBJECT &&
	    (rc = v_location(v, sc->lat.num, sc->lon.num)))
		return rc;
	if ((rc = v_category(v, f[GF__S_CATEGORY].s, f[GF__S_CATEGORY].n)))
		return rc;
	if (SCAN_STR(GF__S_URGENCY) &&
	    (rc = v_urgency(v, f[GF__S_URGENCY].s, f[GF__S_URGENCY].n)))
		return rc;
	if ((SCAN_STR(GF__S_TITLE) &&
	     (rc = v_text(v, "$.title", f[GF__S_TITLE].s, f[GF__S_TITLE].n,
			  GF__MAX_TITLE, &v->title))) ||
	    (SCAN_STR(GF__S_CONTENT) &&
	     (rc = v_text(v, "$.content", f[GF__S_CONTENT].s,
			  f[GF__S_CONTENT].n, GF__MAX_CONTENT, &v->content))) ||
	    (SCAN_STR(GF__S_ADDRESS) &&
	     (rc = v_text(v, "$.address", f[GF__S_ADDRESS].s,
			  f[GF__S_ADDRESS].n, GF__MAX_ADDRESS, &v->address))))
		return rc;
#undef SCAN_STR
	if (sc->phone.type == GF__J_STRING &&
	    (rc = v_phone(v, sc->phone.s, sc->phone.n)))
		return rc;
	if (f[GF__S_ATTRIBUTES].type == GF__J_OBJECT) {
		if ((rc = v_attr_count(v, sc->nattrs)))
			return rc;
		char path[GF__MAX_ATTR_KEY + 16];
		for (size_t i = 0; i < sc->nattrs; i++) {
			const gf__scan_attr *a = &sc->attrs[i];
			if ((rc = v_attr_key(v, a->key, a->keylen, path,
					     sizeof(path))))
				return rc;
			switch (a->val.type) {
			case GF__J_NULL:
				break;
			case GF__J_STRING:
				rc = v_attr_add(v, path, a->key, a->keylen,
						GF__ATTR_STRING, a->val.s,
						a->val.n, 0);
				break;
			case GF__J_NUMBER:
				rc = v_attr_add(v, path, a->key, a->keylen,
						GF__ATTR_NUMBER, NULL, 0,
						a->val.num);
				break;
			case GF__J_BOOL:
				rc = v_attr_add(v, path, a->key, a->keylen,
						GF__ATTR_BOOL, NULL, 0,
						a->val.num);
				break;
			default:
				return GF_ETYPE;
			}
			if (rc)
				return rc;
		}
	}
	if ((rc = commit(v)))
		return rc;
	make_ref_out(ref_out, f[GF__S_CHANNEL].s, f[GF__S_CHANNEL].n,
		     f[GF__S_SOURCE_ID].s, f[GF__S_SOURCE_ID].n);
	return GF_OK;
}

/* Accept the event through the scanner if it can: 1 done (ev filled),
 * 0 use json-c, or GF_ENOMEM. */
static int parse_fast(gf__ev *ev, const char *json, size_t len,
		      const gf__ev_ctx *ctx, char **ref_out, gf__err *err)
{
	gf__buf local;
	gf__buf *scratch = ctx->scratch;
	if (!scratch) {
		gf__buf_init(&local);
		scratch = &local;
	}
	gf__evscan sc;
	int rc = gf__evscan_run(&sc, json, len, scratch);
	if (rc < 0)
		rc = gf__err_set(err, GF_ENOMEM, NULL, "out of memory");
	if (rc == 1) {
		vstate v;
		gf__err scratch_err;
		vstate_init(&v, ev, ctx, &scratch_err, 0);
		rc = from_scan(&v, &sc, ref_out);
		gf__buf_free(&v.xbuf);
		if (rc == GF_OK) {
			rc = 1;
		} else {
			gf__ev_free(ev);
			if (ref_out) {
				gf__free(*ref_out);
				*ref_out = NULL;
			}
			rc = rc == GF_ENOMEM
				     ? gf__err_set(err, GF_ENOMEM, NULL,
						   "out of memory")
				     : 0;
		}
	}
	if (scratch == &local)
		gf__buf_free(&local);
	return rc;
}

static int is_ws(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

int gf__ev_parse_fast(gf__ev *ev, const char *json, size_t len,
		      const gf__ev_ctx *ctx, char **ref_out, gf__err *err)
{
	if (ref_out)
		*ref_out = NULL;
	memset(ev, 0, sizeof(*ev));
	size_t max = ctx->max_bytes ? ctx->max_bytes : (size_t)INT_MAX;
	size_t start = 0;
	while (start < len && is_ws(json[start]))
		start++;
	if (len > max || len > (size_t)INT_MAX || start == len ||
	    json[start] != '{' || gf__utf8_valid_prefix(json, len) != len)
		return 0;
	return parse_fast(ev, json, len, ctx, ref_out, err);
}

/*
 * json-c cuts a key at an escaped NUL ("a\u0000b" becomes "a"), so such
 * a key would silently name another field: "channel\u0000x" would be
 * the channel. Finds the first key holding \u0000 in text json-c has
 * accepted, and sets err with the path of the object that holds it, in
 * the form find_bad_utf8 writes (keys as written). 0 when there is none,
 * which a search for the escape tells at once for almost every input.
 */
int gf__ev_nul_key(gf__err *err, const char *json, size_t len)
{
	size_t i = 0;
	for (;; i++) {
		const char *e = memchr(json + i, '\\', len - i);
		if (!e)
			return 0;
		i = (size_t)(e - json);
		if (len - i >= 6 && memcmp(e, "\\u0000", 6) == 0)
			break;
	}
	char path[96] = "$";
	size_t plen[GF__EV_MAX_DEPTH + 1];
	size_t index[GF__EV_MAX_DEPTH + 1];
	char kind[GF__EV_MAX_DEPTH + 1];
	int depth = 0;
	const char *key = NULL;
	size_t keylen = 0;
	for (i = 0; i < len; i++) {
		char c = json[i];
		if (c == '"') {
			size_t start = ++i;
			int nul = 0;
			for (; i < len && json[i] != '"'; i++)
				if (json[i] == '\\') {
					nul |= len - i >= 6 &&
					       memcmp(json + i, "\\u0000", 6) == 0;
					i++;
				}
			size_t end = i, k = i + 1;
			while (k < len && is_ws(json[k]))
				k++;
			if (k >= len || json[k] != ':')
				continue; /* a value */
			if (nul) {
				gf__err_set(err, GF_EUTF8, path,
					    "a field name holds a NUL "
					    "character (\\u0000)");
				return 1;
			}
			key = json + start;
			keylen = end - start;
		} else if (c == '{' || c == '[') {
			if (depth > GF__EV_MAX_DEPTH)
				return 0; /* json-c refuses it anyway */
			size_t l = strlen(path);
			plen[depth] = l;
			if (depth > 0 && kind[depth - 1] == '{')
				snprintf(path + l, sizeof(path) - l, ".%.*s",
					 (int)keylen, key ? key : "");
			else if (depth > 0)
				snprintf(path + l, sizeof(path) - l, "[%zu]",
					 index[depth - 1]);
			kind[depth] = c;
			index[depth] = 0;
			depth++;
		} else if ((c == '}' || c == ']') && depth > 0) {
			depth--;
			path[plen[depth]] = '\0';
		} else if (c == ',' && depth > 0 && kind[depth - 1] == '[') {
			index[depth - 1]++;
		}
	}
	return 0;
}

struct json_tokener *gf__ev_tokener_new(void)
{
	json_tokener *tok = json_tokener_new_ex(GF__EV_MAX_DEPTH);
	if (tok)
		json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
	return tok;
}


int gf__ev_parse(gf__ev *ev, const char *json, size_t len,
		 const gf__ev_ctx *ctx, char **ref_out, gf__err *err)
{
	gf__err scratch;
	if (!err)
		err = &scratch;
	if (ref_out)
		*ref_out = NULL;
	if (!ev || !ctx || (!json && len))
		return gf__err_set(err, GF_EINVAL, NULL,
				   "no event, context or input");
	memset(ev, 0, sizeof(*ev));
	/* max_bytes 0 means no limit of the engine's own; json-c's int
	 * lengths are a limit anyway. */
	size_t max = ctx->max_bytes ? ctx->max_bytes : (size_t)INT_MAX;
	if (len > max || len > (size_t)INT_MAX)
		return gf__err_set(err, GF_ETOOBIG, "$",
				   "input is %zu bytes, over the limit of %zu",
				   len, max < (size_t)INT_MAX ? max
							     : (size_t)INT_MAX);
	size_t start = 0;
	while (start < len && is_ws(json[start]))
		start++;
	if (start == len)
		return gf__err_set(err, GF_EJSON, "$", "empty input");

	/* Checking the raw bytes first costs little next to the parse and
	 * spares a string-by-string check afterwards. */
	size_t bad = gf__utf8_valid_prefix(json, len);

	if (bad == len && json[start] == '{') {
		int fast = parse_fast(ev, json, len, ctx, ref_out, err);
		if (fast != 0)
			return fast == 1 ? GF_OK : fast;
		memset(ev, 0, sizeof(*ev));
	}

	json_tokener *tok = ctx->tok;
	if (tok)
		json_tokener_reset(tok);
	else if (!(tok = gf__ev_tokener_new()))
		return gf__err_set(err, GF_ENOMEM, NULL, "out of memory");
	json_object *obj = NULL;
	if (json[start] == '{')
		obj = json_tokener_parse_ex(tok, json, (int)len);
	enum json_tokener_error jerr = json_tokener_get_error(tok);
	size_t end = json_tokener_get_parse_end(tok);
	if (tok != ctx->tok)
		json_tokener_free(tok);

	int rc;
	if (bad != len && !obj && jerr == json_tokener_continue &&
	    cut_character(json + bad, len - bad))
		bad = len;
	if (bad != len) {
		char path[96] = "$";
		if (!obj || !find_bad_utf8(err, obj, path, 1, sizeof(path)))
			gf__err_set(err, GF_EUTF8, "$",
				    json[bad] ? "invalid UTF-8 at byte %zu"
					      : "a NUL byte at byte %zu",
				    bad);
		rc = GF_EUTF8;
	} else if (json[start] != '{') {
		rc = gf__err_set(err, GF_EJSON, "$",
				 "expected a JSON object at byte %zu", start);
	} else if (!obj && jerr == json_tokener_continue) {
		rc = gf__err_set(err, GF_EJSON, "$",
				 "unexpected end of input at byte %zu "
				 "(truncated JSON)", len);
	} else if (!obj) {
		rc = gf__err_set(err, GF_EJSON, "$", "%s at byte %zu",
				 json_tokener_error_desc(jerr), end);
	} else {
		while (end < len && is_ws(json[end]))
			end++;
		if (end < len)
			rc = gf__err_set(err, GF_EJSON, "$",
					 "unexpected data after the object at "
					 "byte %zu", end);
		else if (gf__ev_nul_key(err, json, len))
			rc = GF_EUTF8;
		else
			rc = GF_OK;
	}
	if (rc == GF_OK) {
		vstate v;
		vstate_init(&v, ev, ctx, err, 0);
		rc = from_object(&v, obj, ref_out);
		gf__buf_free(&v.xbuf);
		if (rc)
			gf__ev_free(ev);
	}
	json_object_put(obj);
	return rc;
}

/* ---- built events ------------------------------------------------------- */

static size_t slen(const char *s)
{
	return s ? strlen(s) : 0;
}

static int required(vstate *v, const char *s, const char *path)
{
	return s ? GF_OK
		 : gf__err_set(v->err, GF_EMISSING, path, "is required");
}

/*
 * JSON input is checked for broken UTF-8 before any field (see
 * gf__ev_parse and find_bad_utf8), so a built event is too: a broken
 * channel or source_id is an encoding error (EUTF8), the same code and
 * path as the JSON line with those bytes, not an unknown channel.
 */
static int builder_utf8(vstate *v, const gf_event *b)
{
	const struct {
		const char *s, *path;
	} f[] = {
		{ b->channel, "$.channel" },
		{ b->source_id, "$.source_id" },
		{ b->has_time ? NULL : b->received_at, "$.received_at" },
		{ b->region, "$.region" },
		{ b->grid, "$.grid" },
		{ b->address, "$.address" },
		{ b->category, "$.category" },
		{ b->urgency, "$.urgency" },
		{ b->title, "$.title" },
		{ b->content, "$.content" },
		{ b->phone, "$.reporter.phone" },
	};
	for (size_t i = 0; i < sizeof(f) / sizeof(f[0]); i++) {
		size_t n = slen(f[i].s);
		size_t bad = f[i].s ? gf__utf8_valid_prefix(f[i].s, n) : n;
		if (bad != n)
			return gf__err_set(v->err, GF_EUTF8, f[i].path,
					   "invalid UTF-8 at byte %zu", bad);
	}
	for (size_t i = 0; i < b->nattrs; i++) {
		const gf__attr *a = &b->attrs[i];
		if (!gf__utf8_valid(a->key, strlen(a->key)))
			return gf__err_set(v->err, GF_EUTF8, "$.attributes",
					   "a key is not valid UTF-8");
		if (a->str && !gf__utf8_valid(a->str, strlen(a->str))) {
			char path[96];
			snprintf(path, sizeof(path), "$.attributes.%s", a->key);
			return gf__err_set(v->err, GF_EUTF8, path,
					   "not valid UTF-8");
		}
	}
	return GF_OK;
}

static int from_builder(vstate *v, const gf_event *b)
{
	int rc;
	if ((rc = builder_utf8(v, b)))
		return rc;
	if ((rc = required(v, b->channel, "$.channel")) ||
	    (rc = v_channel(v, b->channel, strlen(b->channel))))
		return rc;
	if ((rc = required(v, b->source_id, "$.source_id")) ||
	    (rc = v_source_id(v, b->source_id, strlen(b->source_id))))
		return rc;
	if (b->has_time)
		rc = v_time_value(v, b->time, b->offset_min);
	else if (!(rc = required(v, b->received_at, "$.received_at")))
		rc = v_time_text(v, b->received_at, strlen(b->received_at));
	if (rc)
		return rc;
	if ((rc = required(v, b->region, "$.region")) ||
	    (rc = v_region(v, b->region, strlen(b->region))))
		return rc;
	if (b->grid && (rc = v_grid(v, b->grid, strlen(b->grid))))
		return rc;
	if (b->has_location && (rc = v_location(v, b->lat, b->lon)))
		return rc;
	if ((rc = required(v, b->category, "$.category")) ||
	    (rc = v_category(v, b->category, strlen(b->category))))
		return rc;
	if (b->urgency && (rc = v_urgency(v, b->urgency, strlen(b->urgency))))
		return rc;
	if ((b->title && (rc = v_text(v, "$.title", b->title, slen(b->title),
				      GF__MAX_TITLE, &v->title))) ||
	    (b->content &&
	     (rc = v_text(v, "$.content", b->content, slen(b->content),
			  GF__MAX_CONTENT, &v->content))) ||
	    (b->address &&
	     (rc = v_text(v, "$.address", b->address, slen(b->address),
			  GF__MAX_ADDRESS, &v->address))))
		return rc;
	if (b->phone && (rc = v_phone(v, b->phone, strlen(b->phone))))
		return rc;
	if (b->nattrs && (rc = v_attr_count(v, b->nattrs)))
		return rc;
	char path[GF__MAX_ATTR_KEY + 16];
	for (size_t i = 0; i < b->nattrs; i++) {
		const gf__attr *a = &b->attrs[i];
		size_t kl = strlen(a->key);
		if ((rc = v_attr_key(v, a->key, kl, path, sizeof(path))) ||
		    (rc = v_attr_add(v, path, a->key, kl, a->kind, a->str,
				     slen(a->str), a->num)))
			return rc;
	}
	return commit(v);
}

int gf__ev_from_builder(gf__ev *ev, const gf_event *b, const gf__ev_ctx *ctx,
			char **ref_out, gf__err *err)
{
	gf__err scratch;
	if (!err)
		err = &scratch;
	if (ref_out)
		*ref_out = NULL;
	if (!ev || !b || !ctx)
		return gf__err_set(err, GF_EINVAL, NULL,
				   "no event, builder or context");
	memset(ev, 0, sizeof(*ev));
	make_ref_out(ref_out, b->channel, slen(b->channel), b->source_id,
		     slen(b->source_id));
	vstate v;
	vstate_init(&v, ev, ctx, err, 1);
	int rc = from_builder(&v, b);
	gf__buf_free(&v.xbuf);
	if (rc)
		gf__ev_free(ev);
	return rc;
}

/* ---- JSON output -------------------------------------------------------- */

/* The shortest of %.15g and %.17g that reads back to x. printf follows
 * the C locale's decimal point, which a host may have changed. */
static void put_num(gf__buf *out, double x)
{
	if (!isfinite(x)) {
		gf__buf_puts(out, "null");
		return;
	}
	char tmp[40];
	snprintf(tmp, sizeof(tmp), "%.15g", x);
	if (strtod(tmp, NULL) != x)
		snprintf(tmp, sizeof(tmp), "%.17g", x);
	for (char *p = tmp; *p; p++)
		if (*p == ',')
			*p = '.';
	gf__buf_puts(out, tmp);
}

static void put_key(gf__buf *out, const char *key)
{
	gf__buf_putc(out, ',');
	gf__buf_json_str(out, key, strlen(key));
	gf__buf_putc(out, ':');
}

static void put_str_field(gf__buf *out, const char *key, const char *s)
{
	if (!s)
		return;
	put_key(out, key);
	gf__buf_json_str(out, s, strlen(s));
}

/* A number as JSON, or as the NaN/Infinity literals json-c reads, so
 * that a non-finite value given to a builder is rejected again as such
 * (a validated event holds finite numbers only). */
static void put_num_lit(gf__buf *out, double x)
{
	if (isnan(x))
		gf__buf_puts(out, "NaN");
	else if (isinf(x))
		gf__buf_puts(out, x > 0 ? "Infinity" : "-Infinity");
	else
		put_num(out, x);
}

static void put_location(gf__buf *out, double lat, double lon)
{
	put_key(out, "location");
	gf__buf_puts(out, "{\"lat\":");
	put_num_lit(out, lat);
	gf__buf_puts(out, ",\"lon\":");
	put_num_lit(out, lon);
	gf__buf_putc(out, '}');
}

static void put_attrs(gf__buf *out, const gf__attr *attrs, size_t n)
{
	if (!n)
		return;
	put_key(out, "attributes");
	gf__buf_putc(out, '{');
	for (size_t i = 0; i < n; i++) {
		const gf__attr *a = &attrs[i];
		if (i)
			gf__buf_putc(out, ',');
		gf__buf_json_str(out, a->key, strlen(a->key));
		gf__buf_putc(out, ':');
		if (a->kind == GF__ATTR_STRING)
			gf__buf_json_str(out, a->str,
					 a->str ? strlen(a->str) : 0);
		else if (a->kind == GF__ATTR_BOOL)
			gf__buf_puts(out, a->num != 0 ? "true" : "false");
		else
			put_num_lit(out, a->num);
	}
	gf__buf_putc(out, '}');
}

void gf__ev_builder_json(const gf_event *b, gf__buf *out)
{
	gf__buf_putc(out, '{');
	size_t start = out->len;
	put_str_field(out, "channel", b->channel);
	put_str_field(out, "source_id", b->source_id);
	if (b->has_time) {
		char t[40];
		gf_time_format(t, sizeof(t), b->time, b->offset_min);
		put_str_field(out, "received_at", t);
	} else {
		put_str_field(out, "received_at", b->received_at);
	}
	put_str_field(out, "region", b->region);
	put_str_field(out, "grid", b->grid);
	if (b->has_location)
		put_location(out, b->lat, b->lon);
	put_str_field(out, "address", b->address);
	put_str_field(out, "category", b->category);
	put_str_field(out, "urgency", b->urgency);
	put_str_field(out, "title", b->title);
	put_str_field(out, "content", b->content);
	if (b->phone) {
		put_key(out, "reporter");
		gf__buf_puts(out, "{\"phone\":");
		gf__buf_json_str(out, b->phone, strlen(b->phone));
		gf__buf_putc(out, '}');
	}
	put_attrs(out, b->attrs, b->nattrs);
	/* each field was written with a leading comma: drop the first */
	if (!out->oom && out->len > start && out->p[start] == ',') {
		memmove(out->p + start, out->p + start + 1,
			out->len - start - 1);
		out->len--;
	}
	gf__buf_putc(out, '}');
}

int gf__ev_to_json(const gf__ev *ev, gf__buf *out)
{
	const char *cn = gf_channel_name(ev->channel);
	gf__buf_puts(out, "{\"channel\":");
	gf__buf_json_str(out, cn ? cn : "", cn ? strlen(cn) : 0);
	put_str_field(out, "source_id", ev->source_id ? ev->source_id : "");
	char t[40];
	gf_time_format(t, sizeof(t), ev->received_at, ev->offset_min);
	put_str_field(out, "received_at", t);
	put_str_field(out, "region", ev->region);
	put_str_field(out, "grid", ev->grid);
	if (ev->has_location)
		put_location(out, ev->lat, ev->lon);
	put_str_field(out, "address", ev->address);
	put_str_field(out, "category", ev->category ? ev->category : "");
	const char *un = gf_urgency_name(ev->urgency);
	put_str_field(out, "urgency", un ? un : "normal");
	put_str_field(out, "title", ev->title);
	put_str_field(out, "content", ev->content);
	if (ev->reporter[0] || ev->phone) {
		put_key(out, "reporter");
		gf__buf_putc(out, '{');
		const char *sep = "";
		if (ev->reporter[0]) {
			gf__buf_puts(out, "\"hash\":");
			gf__buf_json_str(out, ev->reporter,
					 strlen(ev->reporter));
			sep = ",";
		}
		if (ev->phone) {
			gf__buf_puts(out, sep);
			gf__buf_puts(out, "\"phone\":");
			gf__buf_json_str(out, ev->phone, strlen(ev->phone));
		}
		gf__buf_putc(out, '}');
	}
	put_attrs(out, ev->attrs, ev->nattrs);
	/* The unknown fields join the top level, as they came. */
	size_t xl = ev->extra ? strlen(ev->extra) : 0;
	if (xl > 2 && ev->extra[0] == '{' && ev->extra[xl - 1] == '}') {
		gf__buf_putc(out, ',');
		gf__buf_put(out, ev->extra + 1, xl - 2);
	}
	gf__buf_putc(out, '}');
	return out->oom ? GF_ENOMEM : GF_OK;
}

/* ---- binary encoding ---------------------------------------------------- */

/*
 * Layout version 1: version byte, channel, source_id, received_at,
 * offset, region, grid, location flag (and lat, lon), address, category,
 * urgency, title, content, reporter, phone, attributes (count, then key,
 * kind and value each), extra. Strings are gf__buf_str (NULL-aware).
 * The ref is not stored: it follows from channel and source_id.
 */
#define EV_LAYOUT_V1 1

int gf__ev_encode(const gf__ev *ev, gf__buf *out)
{
	gf__buf_u8(out, EV_LAYOUT_V1);
	gf__buf_u8(out, (uint8_t)ev->channel);
	gf__buf_str(out, ev->source_id);
	gf__buf_svarint(out, ev->received_at);
	gf__buf_svarint(out, ev->offset_min);
	gf__buf_strn(out, ev->region, 12);
	gf__buf_str(out, ev->grid);
	gf__buf_u8(out, ev->has_location ? 1 : 0);
	if (ev->has_location) {
		gf__buf_f64(out, ev->lat);
		gf__buf_f64(out, ev->lon);
	}
	gf__buf_str(out, ev->address);
	gf__buf_str(out, ev->category);
	gf__buf_u8(out, (uint8_t)ev->urgency);
	gf__buf_str(out, ev->title);
	gf__buf_str(out, ev->content);
	gf__buf_str(out, ev->reporter);
	gf__buf_str(out, ev->phone);
	gf__buf_varint(out, ev->nattrs);
	for (size_t i = 0; i < ev->nattrs; i++) {
		const gf__attr *a = &ev->attrs[i];
		gf__buf_str(out, a->key);
		gf__buf_u8(out, (uint8_t)a->kind);
		if (a->kind == GF__ATTR_STRING)
			gf__buf_str(out, a->str);
		else if (a->kind == GF__ATTR_BOOL)
			gf__buf_u8(out, a->num != 0);
		else
			gf__buf_f64(out, a->num);
	}
	gf__buf_str(out, ev->extra);
	return out->oom ? GF_ENOMEM : GF_OK;
}

/* A string field as a view into the record (p NULL for a NULL string);
 * a NUL inside is damage, as encode never writes one. */
static sv rd_sv(gf__rd *rd)
{
	sv x = { NULL, 0 };
	if (gf__rd_strref(rd, &x.p, &x.n) && memchr(x.p, '\0', x.n)) {
		rd->bad = 1;
		x.p = NULL;
	}
	return x;
}

/* Reads views of everything, then commits them like a validated event
 * (minus normalisation, which was done before the event was stored). */
static int decode(vstate *v, gf__rd *rd)
{
	gf__ev *ev = v->ev;
	if (gf__rd_u8(rd) != EV_LAYOUT_V1)
		return GF_ECORRUPT;
	unsigned ch = gf__rd_u8(rd);
	if (ch < GF_CHANNEL_12345 || ch > GF_CHANNEL_MEDIATION)
		return GF_ECORRUPT;
	ev->channel = (gf_channel)ch;
	v->source_id = rd_sv(rd);
	ev->received_at = gf__rd_svarint(rd);
	int64_t off = gf__rd_svarint(rd);
	if (off < -MAX_OFFSET_MIN || off > MAX_OFFSET_MIN)
		return GF_ECORRUPT;
	ev->offset_min = (int)off;
	sv x = rd_sv(rd);
	if (!x.p || x.n != 12 || !all_digits(x.p, 12))
		return GF_ECORRUPT;
	memcpy(ev->region, x.p, 12);
	ev->region[12] = '\0';
	v->grid = rd_sv(rd);
	unsigned loc = gf__rd_u8(rd);
	if (loc > 1)
		return GF_ECORRUPT;
	if (loc) {
		ev->has_location = 1;
		ev->lat = gf__rd_f64(rd);
		ev->lon = gf__rd_f64(rd);
		if (!isfinite(ev->lat) || !isfinite(ev->lon))
			return GF_ECORRUPT;
	}
	v->address = rd_sv(rd);
	v->category = rd_sv(rd);
	unsigned u = gf__rd_u8(rd);
	if (u > GF_URGENCY_CRITICAL)
		return GF_ECORRUPT;
	ev->urgency = (gf_urgency)u;
	v->title = rd_sv(rd);
	v->content = rd_sv(rd);
	x = rd_sv(rd);
	if (x.p) {
		if (x.n != 0 && x.n != 64)
			return GF_ECORRUPT;
		memcpy(ev->reporter, x.p, x.n);
		ev->reporter[x.n] = '\0';
	}
	v->phone = rd_sv(rd);
	uint64_t na = gf__rd_varint(rd);
	if (rd->bad || na > GF__MAX_ATTRS || !v->source_id.p || !v->category.p)
		return GF_ECORRUPT;
	for (size_t i = 0; i < na; i++) {
		vattr *a = &v->attrs[i];
		x = rd_sv(rd);
		a->key = x.p;
		a->keylen = x.n;
		unsigned kind = gf__rd_u8(rd);
		a->str = (sv){ NULL, 0 };
		a->num = 0;
		if (kind == GF__ATTR_STRING)
			a->str = rd_sv(rd);
		else if (kind == GF__ATTR_BOOL)
			a->num = gf__rd_u8(rd) ? 1 : 0;
		else if (kind == GF__ATTR_NUMBER)
			a->num = gf__rd_f64(rd);
		else
			return GF_ECORRUPT;
		a->kind = (gf__attr_kind)kind;
		if (rd->bad || !a->key ||
		    (kind == GF__ATTR_STRING && !a->str.p) || !isfinite(a->num))
			return GF_ECORRUPT;
	}
	v->nattrs = (size_t)na;
	v->extra = rd_sv(rd);
	if (rd->bad)
		return GF_ECORRUPT;
	v->normalize = 0;
	return commit(v);
}

int gf__ev_decode(gf__ev *ev, gf__rd *rd)
{
	if (!ev || !rd)
		return GF_EINVAL;
	memset(ev, 0, sizeof(*ev));
	gf__err err;
	vstate v;
	vstate_init(&v, ev, NULL, &err, 0);
	int rc = decode(&v, rd);
	if (rc) {
		rd->bad = 1;
		gf__ev_free(ev);
	}
	return rc;
}
