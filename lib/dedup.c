/*
 * dedup.c - dedup.json and the repeat-caller key (dedup.h).
 */
#include <math.h>
#include <stdio.h>

#include <json-c/json.h>

#include "dedup.h"
#include "geoindex.h"
#include "text.h"

static void gf__load_repeat(gf__dedup *d, gf__problems *pr,
			    struct json_object *v)
{
	static const char *const keys[] = { "window", "match", NULL };
	struct json_object *f;
	if (!json_object_is_type(v, json_type_object)) {
		gf__problem_expected(pr, "$.repeat_caller",
				     "an object {\"window\": ..., \"match\": "
				     "...}",
				     v);
		return;
	}
	gf__problem_unknown_keys(pr, "$.repeat_caller", v, keys);
	int ok = 1;
	if (!json_object_object_get_ex(v, "window", &f)) {
		gf__problem_report(pr, "$.repeat_caller.window",
				   "required field is missing");
		ok = 0;
	} else if (!json_object_is_type(f, json_type_string) ||
		   gf__duration_parse(&d->repeat_window,
				      json_object_get_string(f),
				      (size_t)json_object_get_string_len(f))) {
		gf__problem_expected(pr, "$.repeat_caller.window",
				     "a duration such as \"72h\" or \"3wd\"",
				     f);
		ok = 0;
	} else if ((d->repeat_window.unit == GF__DUR_WORK_HOURS ||
		    d->repeat_window.unit == GF__DUR_WORK_DAYS) &&
		   !d->cal) {
		gf__problem_report(pr, "$.repeat_caller.window",
				   "\"%s\" counts working time: working "
				   "durations need calendar.json",
				   json_object_get_string(f));
		ok = 0;
	}
	d->repeat_match = GF__MATCH_FAMILY;
	if (json_object_object_get_ex(v, "match", &f)) {
		const char *s = json_object_is_type(f, json_type_string)
					? json_object_get_string(f)
					: NULL;
		if (s && strcmp(s, "category") == 0) {
			d->repeat_match = GF__MATCH_CATEGORY;
		} else if (s && strcmp(s, "family") == 0) {
			d->repeat_match = GF__MATCH_FAMILY;
		} else {
			gf__problem_expected(pr, "$.repeat_caller.match",
					     "\"category\" or \"family\"", f);
			ok = 0;
		}
	}
	d->repeat_on = ok;
}

/* A natural duration in ms ("30m", "2h", "1d"), or -1 after reporting. */
static int64_t gf__natural_ms(gf__problems *pr, const char *path,
			      struct json_object *v)
{
	gf__duration d;
	if (!json_object_is_type(v, json_type_string) ||
	    gf__duration_parse(&d, json_object_get_string(v),
			       (size_t)json_object_get_string_len(v))) {
		gf__problem_expected(pr, path, "a duration such as \"2h\"", v);
		return -1;
	}
	static const int64_t unit[] = { 0, 60000, 3600000, 86400000 };
	if (d.unit > GF__DUR_DAYS) {
		gf__problem_report(pr, path,
				   "\"%s\": a near-duplicate window is natural "
				   "time (m, h, d)",
				   json_object_get_string(v));
		return -1;
	}
	return unit[d.unit] * (int64_t)d.n;
}

/* A number in [lo, hi], or -1 after reporting. */
static double gf__number(gf__problems *pr, const char *path,
			 struct json_object *v, double lo, double hi)
{
	if ((!json_object_is_type(v, json_type_double) &&
	     !json_object_is_type(v, json_type_int)) ||
	    !(json_object_get_double(v) >= lo &&
	      json_object_get_double(v) <= hi)) {
		char want[64];
		snprintf(want, sizeof(want), "a number from %g to %g", lo, hi);
		gf__problem_expected(pr, path, want, v);
		return -1;
	}
	return json_object_get_double(v);
}

static int gf__prefix_ok(const char *s)
{
	if (!*s || *s == '.')
		return 0;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') ||
		      *s == '_' || *s == '.' || *s == '-'))
			return 0;
	return s[-1] != '.';
}

static char *gf__prefix(gf__problems *pr, const char *path,
			struct json_object *v, int *oom)
{
	if (!json_object_is_type(v, json_type_string) ||
	    !gf__prefix_ok(json_object_get_string(v))) {
		gf__problem_expected(pr, path,
				     "a category prefix such as "
				     "\"city.environment\"",
				     v);
		return NULL;
	}
	char *c = gf__strdup(json_object_get_string(v));
	if (!c)
		*oom = 1;
	return c;
}

static void gf__load_weights(gf__near *n, gf__problems *pr,
			     struct json_object *v)
{
	static const char *const keys[] = { "distance", "time", "category",
					    "text", "caller", "place",
					    "problem", NULL };
	double *w[] = { &n->w_distance, &n->w_time, &n->w_category,
			&n->w_text, &n->w_caller, &n->w_place,
			&n->w_problem };
	if (!json_object_is_type(v, json_type_object)) {
		gf__problem_expected(pr, "$.near.weights", "an object", v);
		return;
	}
	gf__problem_unknown_keys(pr, "$.near.weights", v, keys);
	for (size_t i = 0; keys[i]; i++) {
		struct json_object *f;
		char path[64];
		snprintf(path, sizeof(path), "$.near.weights.%s", keys[i]);
		if (json_object_object_get_ex(v, keys[i], &f)) {
			double x = gf__number(pr, path, f, 0, 10);
			if (x >= 0)
				*w[i] = x;
		}
	}
	if (n->w_distance + n->w_time + n->w_category + n->w_text <= 0)
		gf__problem_report(pr, "$.near.weights",
				   "distance, time, category and text weigh "
				   "nothing together");
}

static void gf__load_families(gf__near *n, gf__problems *pr,
			      struct json_object *v, int *oom)
{
	static const char *const keys[] = { "categories", "window",
					    "radius_m", NULL };
	if (!json_object_is_type(v, json_type_array)) {
		gf__problem_expected(pr, "$.near.families", "an array", v);
		return;
	}
	size_t len = json_object_array_length(v);
	for (size_t i = 0; i < len; i++) {
		struct json_object *e = json_object_array_get_idx(v, i), *f;
		char path[96], fp[128];
		snprintf(path, sizeof(path), "$.near.families[%zu]", i);
		if (!json_object_is_type(e, json_type_object)) {
			gf__problem_expected(pr, path,
					     "an object {\"categories\": [...], "
					     "...}",
					     e);
			continue;
		}
		gf__problem_unknown_keys(pr, path, e, keys);
		int64_t window = n->window_ms;
		double radius = n->radius_m;
		snprintf(fp, sizeof(fp), "%s.window", path);
		if (json_object_object_get_ex(e, "window", &f))
			window = gf__natural_ms(pr, fp, f);
		snprintf(fp, sizeof(fp), "%s.radius_m", path);
		if (json_object_object_get_ex(e, "radius_m", &f))
			radius = gf__number(pr, fp, f, 1, 100000);
		snprintf(fp, sizeof(fp), "%s.categories", path);
		if (!json_object_object_get_ex(e, "categories", &f) ||
		    !json_object_is_type(f, json_type_array) ||
		    !json_object_array_length(f)) {
			gf__problem_report(pr, fp,
					   "a non-empty array of category "
					   "prefixes is required");
			continue;
		}
		if (window < 0 || radius < 0)
			continue;
		for (size_t k = 0; k < json_object_array_length(f); k++) {
			char cp[160];
			snprintf(cp, sizeof(cp), "%s[%zu]", fp, k);
			if (n->nfamilies == GF__NEAR_MAX_FAMILIES) {
				gf__problem_report(pr, cp,
						   "at most %d family prefixes",
						   GF__NEAR_MAX_FAMILIES);
				return;
			}
			char *c = gf__prefix(pr, cp,
					     json_object_array_get_idx(f, k),
					     oom);
			if (!c)
				continue;
			gf__near_family *nf = &n->families[n->nfamilies++];
			nf->prefix = c;
			nf->window_ms = window;
			nf->radius_m = radius;
		}
	}
}

static void gf__load_equivalent(gf__near *n, gf__problems *pr,
				struct json_object *v, int *oom)
{
	if (!json_object_is_type(v, json_type_array)) {
		gf__problem_expected(pr, "$.near.equivalent", "an array", v);
		return;
	}
	size_t len = json_object_array_length(v);
	for (size_t i = 0; i < len; i++) {
		struct json_object *e = json_object_array_get_idx(v, i);
		char path[96], cp[128];
		snprintf(path, sizeof(path), "$.near.equivalent[%zu]", i);
		if (!json_object_is_type(e, json_type_array) ||
		    json_object_array_length(e) != 2) {
			gf__problem_expected(pr, path,
					     "a pair of category prefixes", e);
			continue;
		}
		if (n->neq == GF__NEAR_MAX_EQUIVALENT) {
			gf__problem_report(pr, path, "at most %d pairs",
					   GF__NEAR_MAX_EQUIVALENT);
			return;
		}
		char *pair[2];
		for (size_t k = 0; k < 2; k++) {
			snprintf(cp, sizeof(cp), "%s[%zu]", path, k);
			pair[k] = gf__prefix(pr, cp,
					     json_object_array_get_idx(e, k),
					     oom);
		}
		if (pair[0] && pair[1]) {
			n->eq[n->neq][0] = pair[0];
			n->eq[n->neq][1] = pair[1];
			n->neq++;
		} else {
			gf__free(pair[0]);
			gf__free(pair[1]);
		}
	}
}

/* A term of a problem, normalised as titles and contents are; NULL
 * after reporting (or on *oom). */
static char *gf__term(gf__problems *pr, const char *path,
		      struct json_object *v, size_t *len, int *oom)
{
	if (!json_object_is_type(v, json_type_string)) {
		gf__problem_expected(pr, path, "a string", v);
		return NULL;
	}
	const char *s = json_object_get_string(v);
	size_t n = (size_t)json_object_get_string_len(v);
	if (!gf__utf8_valid(s, n)) {
		gf__problem_report(pr, path, "is not valid UTF-8");
		return NULL;
	}
	gf__buf b;
	gf__buf_init(&b);
	if (gf__text_normalize(s, n, &b) != GF_OK) {
		gf__buf_free(&b);
		*oom = 1;
		return NULL;
	}
	if (b.len == 0 || b.len > GF__NEAR_MAX_TERM) {
		char show[GF__JSON_SHOW_SIZE];
		gf__problem_report(pr, path,
				   "%s is %zu bytes once normalised: 1 to %d "
				   "are allowed",
				   gf__json_show(v, show, sizeof(show)), b.len,
				   GF__NEAR_MAX_TERM);
		gf__buf_free(&b);
		return NULL;
	}
	char *t = gf__malloc(b.len + 1);
	if (t) {
		memcpy(t, b.p, b.len);
		t[b.len] = '\0';
		*len = b.len;
	} else {
		*oom = 1;
	}
	gf__buf_free(&b);
	return t;
}

/* One problem: a non-empty array of terms. */
static void gf__load_problem(gf__near *n, gf__problems *pr,
			     const char *path, struct json_object *v,
			     int *oom)
{
	size_t len = json_object_is_type(v, json_type_array)
			     ? json_object_array_length(v)
			     : 0;
	if (!len || len > GF__NEAR_MAX_TERMS) {
		char want[80];
		snprintf(want, sizeof(want), "an array of 1 to %d terms",
			 GF__NEAR_MAX_TERMS);
		gf__problem_expected(pr, path, want, v);
		return;
	}
	if (n->nproblems == GF__NEAR_MAX_PROBLEMS) {
		gf__problem_report(pr, path, "at most %d problems in all",
				   GF__NEAR_MAX_PROBLEMS);
		return;
	}
	gf__near_problem *p = &n->problems[n->nproblems];
	memset(p, 0, sizeof(*p));
	for (size_t k = 0; k < len; k++) {
		char tp[192];
		snprintf(tp, sizeof(tp), "%s[%zu]", path, k);
		char *t = gf__term(pr, tp, json_object_array_get_idx(v, k),
				   &p->tlen[p->nterms], oom);
		if (t)
			p->terms[p->nterms++] = t;
	}
	if (p->nterms == len) {
		n->nproblems++;
		return;
	}
	for (size_t k = 0; k < p->nterms; k++)
		gf__free(p->terms[k]);
	memset(p, 0, sizeof(*p));
}

static void gf__load_problems(gf__near *n, gf__problems *pr,
			      struct json_object *v, int *oom)
{
	static const char *const keys[] = { "categories", "terms", NULL };
	if (!json_object_is_type(v, json_type_array)) {
		gf__problem_expected(pr, "$.near.problems", "an array", v);
		return;
	}
	n->problems = gf__calloc(GF__NEAR_MAX_PROBLEMS, sizeof(*n->problems));
	if (!n->problems) {
		*oom = 1;
		return;
	}
	size_t len = json_object_array_length(v);
	for (size_t i = 0; i < len; i++) {
		struct json_object *e = json_object_array_get_idx(v, i), *f;
		char path[96], fp[128];
		snprintf(path, sizeof(path), "$.near.problems[%zu]", i);
		if (!json_object_is_type(e, json_type_object)) {
			gf__problem_expected(pr, path,
					     "an object {\"terms\": [[...], "
					     "...], ...}",
					     e);
			continue;
		}
		if (n->npentries == GF__NEAR_MAX_PENTRIES) {
			gf__problem_report(pr, path, "at most %d entries",
					   GF__NEAR_MAX_PENTRIES);
			return;
		}
		gf__problem_unknown_keys(pr, path, e, keys);
		gf__near_pentry *pe = &n->pentries[n->npentries++];
		pe->first = n->nproblems;
		snprintf(fp, sizeof(fp), "%s.categories", path);
		if (json_object_object_get_ex(e, "categories", &f)) {
			size_t nc = json_object_is_type(f, json_type_array)
					    ? json_object_array_length(f)
					    : 0;
			if (!nc || nc > GF__NEAR_MAX_PCATS) {
				char want[80];
				snprintf(want, sizeof(want),
					 "an array of 1 to %d category "
					 "prefixes",
					 GF__NEAR_MAX_PCATS);
				gf__problem_expected(pr, fp, want, f);
			}
			for (size_t k = 0; k < nc && k < GF__NEAR_MAX_PCATS;
			     k++) {
				char cp[160];
				snprintf(cp, sizeof(cp), "%s[%zu]", fp, k);
				char *c = gf__prefix(
					pr, cp, json_object_array_get_idx(f, k),
					oom);
				if (c)
					pe->cats[pe->ncats++] = c;
			}
		}
		snprintf(fp, sizeof(fp), "%s.terms", path);
		size_t nt = 0;
		if (json_object_object_get_ex(e, "terms", &f) &&
		    json_object_is_type(f, json_type_array))
			nt = json_object_array_length(f);
		if (!nt) {
			gf__problem_report(pr, fp,
					   "a non-empty array of problems "
					   "(each an array of terms) is "
					   "required");
			continue;
		}
		for (size_t k = 0; k < nt; k++) {
			char tp[160];
			snprintf(tp, sizeof(tp), "%s[%zu]", fp, k);
			gf__load_problem(n, pr, tp,
					 json_object_array_get_idx(f, k), oom);
		}
		pe->n = n->nproblems - pe->first;
	}
}

/* FNV-1a of a category's first segment. */
static uint32_t gf__seg_hash(const char *category)
{
	uint32_t h = 2166136261u;
	for (const char *c = category; *c && *c != '.'; c++)
		h = (h ^ (unsigned char)*c) * 16777619u;
	return h;
}

/* Is side k of pair j the segment of either side of pair i? */
static int gf__joined(const gf__near *n, size_t i, size_t j, int k)
{
	return n->eq_seg[j][k] == n->eq_seg[i][0] ||
	       n->eq_seg[j][k] == n->eq_seg[i][1];
}

/* The tag of every first segment of an equivalent pair: the least hash
 * among the segments the pairs join, directly or through others (the
 * same segment in another pair). Tags only fall, so this ends. */
static void gf__near_tags(gf__near *n)
{
	for (size_t i = 0; i < n->neq; i++)
		for (int k = 0; k < 2; k++)
			n->eq_tag[i][k] = n->eq_seg[i][k] =
				gf__seg_hash(n->eq[i][k]);
	for (int changed = 1; changed;) {
		changed = 0;
		for (size_t i = 0; i < n->neq; i++) {
			uint32_t least = UINT32_MAX;
			for (size_t j = 0; j < n->neq; j++)
				for (int k = 0; k < 2; k++)
					if (gf__joined(n, i, j, k) &&
					    n->eq_tag[j][k] < least)
						least = n->eq_tag[j][k];
			for (size_t j = 0; j < n->neq; j++)
				for (int k = 0; k < 2; k++)
					if (gf__joined(n, i, j, k) &&
					    n->eq_tag[j][k] != least) {
						n->eq_tag[j][k] = least;
						changed = 1;
					}
		}
	}
}

uint32_t gf__near_tag(const gf__near *n, const char *category)
{
	uint32_t h = gf__seg_hash(category);
	for (size_t i = 0; i < n->neq; i++)
		for (int k = 0; k < 2; k++)
			if (n->eq_seg[i][k] == h)
				return n->eq_tag[i][k];
	return h;
}

static void gf__load_near(gf__dedup *d, gf__problems *pr,
			  struct json_object *v, int *oom)
{
	static const char *const keys[] = { "window", "radius_m", "link_at",
					    "suspect_at", "weights",
					    "families", "equivalent",
					    "problems", NULL };
	gf__near *n = &d->near;
	struct json_object *f;
	if (!json_object_is_type(v, json_type_object)) {
		gf__problem_expected(pr, "$.near",
				     "an object {\"window\": ..., ...}", v);
		return;
	}
	int before = pr->count;
	gf__problem_unknown_keys(pr, "$.near", v, keys);
	n->window_ms = 2 * 3600000;
	n->radius_m = 250;
	n->link_at = 0.75;
	n->suspect_at = 0.5;
	n->w_distance = 0.3;
	n->w_time = 0.15;
	n->w_category = 0.15;
	n->w_text = 0.4;
	n->w_caller = 0.2;
	n->w_place = 0;
	n->w_problem = 0;
	if (json_object_object_get_ex(v, "window", &f))
		n->window_ms = gf__natural_ms(pr, "$.near.window", f);
	if (json_object_object_get_ex(v, "radius_m", &f))
		n->radius_m = gf__number(pr, "$.near.radius_m", f, 1, 100000);
	if (json_object_object_get_ex(v, "link_at", &f))
		n->link_at = gf__number(pr, "$.near.link_at", f, 0, 1);
	if (json_object_object_get_ex(v, "suspect_at", &f))
		n->suspect_at = gf__number(pr, "$.near.suspect_at", f, 0, 1);
	if (n->link_at >= 0 && n->suspect_at >= 0 &&
	    n->suspect_at > n->link_at)
		gf__problem_report(pr, "$.near.suspect_at",
				   "%g is above link_at %g: the grey band "
				   "lies below the confident threshold",
				   n->suspect_at, n->link_at);
	if (json_object_object_get_ex(v, "weights", &f))
		gf__load_weights(n, pr, f);
	if (n->window_ms < 0 || n->radius_m < 0)
		return;
	if (json_object_object_get_ex(v, "families", &f))
		gf__load_families(n, pr, f, oom);
	if (json_object_object_get_ex(v, "equivalent", &f))
		gf__load_equivalent(n, pr, f, oom);
	int said = pr->count;
	if (json_object_object_get_ex(v, "problems", &f))
		gf__load_problems(n, pr, f, oom);
	/* (a list whose every entry is wrong has said so already) */
	if (n->w_problem > 0 && !n->nproblems && pr->count == said)
		gf__problem_report(pr, "$.near.weights.problem",
				   "weighs problems but near.problems names "
				   "none");
	gf__near_tags(n);
	n->max_window_ms = n->window_ms;
	n->max_radius_m = n->radius_m;
	for (size_t i = 0; i < n->nfamilies; i++) {
		if (n->families[i].window_ms > n->max_window_ms)
			n->max_window_ms = n->families[i].window_ms;
		if (n->families[i].radius_m > n->max_radius_m)
			n->max_radius_m = n->families[i].radius_m;
	}
	n->on = pr->count == before;
}

static void gf__load_crowd(gf__dedup *d, gf__problems *pr,
			   struct json_object *v)
{
	static const char *const keys[] = { "group", "major", NULL };
	struct json_object *g, *m;
	if (!json_object_is_type(v, json_type_object)) {
		gf__problem_expected(pr, "$.crowd",
				     "an object {\"group\": 5, \"major\": 30}",
				     v);
		return;
	}
	gf__problem_unknown_keys(pr, "$.crowd", v, keys);
	int ok = 1;
	unsigned val[2] = { 0, 0 };
	struct json_object *f[2];
	f[0] = json_object_object_get_ex(v, "group", &g) ? g : NULL;
	f[1] = json_object_object_get_ex(v, "major", &m) ? m : NULL;
	for (int i = 0; i < 2; i++) {
		const char *path = i ? "$.crowd.major" : "$.crowd.group";
		if (!f[i]) {
			gf__problem_report(pr, path,
					   "required field is missing");
			ok = 0;
		} else if (!json_object_is_type(f[i], json_type_int) ||
			   json_object_get_int64(f[i]) < 2 ||
			   json_object_get_int64(f[i]) > 100000) {
			gf__problem_expected(pr, path,
					     "a number of callers from 2 to "
					     "100000",
					     f[i]);
			ok = 0;
		} else {
			val[i] = (unsigned)json_object_get_int64(f[i]);
		}
	}
	if (ok && val[1] <= val[0]) {
		gf__problem_report(pr, "$.crowd.major",
				   "%u is not above group %u", val[1], val[0]);
		ok = 0;
	}
	if (ok) {
		d->crowd_group = val[0];
		d->crowd_major = val[1];
	}
}

int gf__dedup_load(gf__dedup **out, struct json_object *root,
		   const gf__calendar *cal, gf__problem_fn report, void *ud)
{
	static const char *const keys[] = { "version", "repeat_caller", "near",
					    "crowd", NULL };
	int oom = 0;
	gf__problems pr = { report, ud, 0 };
	gf__dedup *d = gf__calloc(1, sizeof(*d));
	if (!d)
		return GF_ENOMEM;
	d->cal = cal;
	struct json_object *v;
	const char *version = "";
	if (!json_object_is_type(root, json_type_object)) {
		gf__problem_expected(&pr, "$", "an object", root);
	} else {
		gf__problem_unknown_keys(&pr, "$", root, keys);
		if (json_object_object_get_ex(root, "version", &v)) {
			if (json_object_is_type(v, json_type_string))
				version = json_object_get_string(v);
			else
				gf__problem_expected(&pr, "$.version",
						     "a string", v);
		}
		if (json_object_object_get_ex(root, "repeat_caller", &v))
			gf__load_repeat(d, &pr, v);
		if (json_object_object_get_ex(root, "near", &v))
			gf__load_near(d, &pr, v, &oom);
		if (json_object_object_get_ex(root, "crowd", &v))
			gf__load_crowd(d, &pr, v);
	}
	d->version = gf__strdup(version);
	if (!d->version || oom) {
		gf__dedup_free(d);
		return GF_ENOMEM;
	}
	*out = d;
	return pr.count;
}

void gf__dedup_free(gf__dedup *d)
{
	if (!d)
		return;
	gf__free(d->version);
	for (size_t i = 0; i < d->near.nfamilies; i++)
		gf__free(d->near.families[i].prefix);
	for (size_t i = 0; i < d->near.neq; i++) {
		gf__free(d->near.eq[i][0]);
		gf__free(d->near.eq[i][1]);
	}
	for (size_t i = 0; i < d->near.npentries; i++)
		for (size_t k = 0; k < d->near.pentries[i].ncats; k++)
			gf__free(d->near.pentries[i].cats[k]);
	for (size_t i = 0; d->near.problems && i < d->near.nproblems; i++)
		for (size_t k = 0; k < d->near.problems[i].nterms; k++)
			gf__free(d->near.problems[i].terms[k]);
	gf__free(d->near.problems);
	gf__free(d);
}

/* The first two segments of a dotted code: its length in s. */
static size_t gf__family_len(const char *s)
{
	const char *dot = strchr(s, '.');
	if (dot)
		dot = strchr(dot + 1, '.');
	return dot ? (size_t)(dot - s) : strlen(s);
}

size_t gf__dedup_caller_key(const gf__dedup *d, const gf__ev *ev,
			    char *buf)
{
	if (!d || !d->repeat_on || !ev->reporter[0] || !ev->category)
		return 0;
	size_t cl = d->repeat_match == GF__MATCH_FAMILY
			    ? gf__family_len(ev->category)
			    : strlen(ev->category);
	/* 32 hex digits (128 bits) of the caller's keyed hash suffice */
	int n = snprintf(buf, GF__CALLER_KEY_MAX, "%.32s|%.*s|%.12s",
			 ev->reporter, (int)(cl < 128 ? cl : 128),
			 ev->category, ev->region);
	return n > 0 && n < GF__CALLER_KEY_MAX ? (size_t)n : 0;
}

/* "35 min", "3 h 5 min", "2 d 4 h" */
static void gf__span_text(char *buf, size_t size, gf_time ms)
{
	long long m = ms / 60000;
	if (m < 60)
		snprintf(buf, size, "%lld min", m);
	else if (m < 24 * 60)
		snprintf(buf, size, "%lld h %lld min", m / 60, m % 60);
	else
		snprintf(buf, size, "%lld d %lld h", m / (24 * 60),
			 (m / 60) % 24);
}

void gf__dedup_repeat_reasons(const gf__dedup *d, const gf__ev *ev,
			      gf_time gap, char *why, size_t size)
{
	char span[48];
	int fam = d->repeat_match == GF__MATCH_FAMILY;
	size_t cl = fam ? gf__family_len(ev->category) : strlen(ev->category);
	gf__span_text(span, sizeof(span), gap);
	snprintf(why, size,
		 "repeated call: same caller, same %s %.*s, same village %s, "
		 "%s after the last report",
		 fam ? "family" : "category", (int)(cl < 96 ? cl : 96),
		 ev->category, ev->region, span);
}

int gf__dedup_window_end(const gf__dedup *d, gf_time last, gf_time *until)
{
	return gf__cal_add(d->cal, last, d->repeat_window, until);
}

/* ---- near duplicates ---------------------------------------------- */

/* Does code start with the dotted prefix p (whole segments)? */
static int gf__under(const char *code, const char *p)
{
	size_t n = strlen(p);
	return strncmp(code, p, n) == 0 && (code[n] == '\0' || code[n] == '.');
}

/* Keep problem id (index + 1) in it, unless it has it or is full. */
static void gf__dd_problem_put(gf__dd_item *it, uint8_t id)
{
	for (size_t k = 0; k < GF__DD_MAX_PROBLEMS; k++) {
		if (it->probs[k] == id)
			return;
		if (!it->probs[k]) {
			it->probs[k] = id;
			return;
		}
	}
}

/* The problems ev's title or content names, among those of the entries
 * whose categories take ev's (in the file's order, the first few). */
static void gf__dd_problems(gf__dd_item *it, const gf__near *n,
			    const gf__ev *ev)
{
	size_t tl = ev->title ? strlen(ev->title) : 0;
	size_t cl = ev->content ? strlen(ev->content) : 0;
	for (size_t i = 0; i < n->npentries; i++) {
		const gf__near_pentry *pe = &n->pentries[i];
		int in = !pe->ncats;
		for (size_t k = 0; !in && k < pe->ncats; k++)
			in = gf__under(ev->category, pe->cats[k]);
		for (size_t p = pe->first; in && p < pe->first + pe->n; p++) {
			const gf__near_problem *pb = &n->problems[p];
			for (size_t k = 0; k < pb->nterms; k++)
				if (gf__text_has(ev->title, tl, pb->terms[k],
						 pb->tlen[k]) ||
				    gf__text_has(ev->content, cl, pb->terms[k],
						 pb->tlen[k])) {
					gf__dd_problem_put(it,
							   (uint8_t)(p + 1));
					break;
				}
		}
	}
}

void gf__dd_item_make(gf__dd_item *it, const gf__dedup *d,
		      const gf__ev *ev)
{
	memset(it, 0, sizeof(*it));
	it->at = ev->received_at;
	it->has_loc = ev->has_location != 0;
	it->lat = ev->lat;
	it->lon = ev->lon;
	memcpy(it->region, ev->region, sizeof(it->region));
	if (ev->grid) {
		it->grid = gf__hash(ev->grid, strlen(ev->grid));
		it->grid += !it->grid;
	}
	it->category = ev->category;
	/* the first 64 bits of the caller's hash (hex); 0 for none */
	for (size_t i = 0; i < 16 && ev->reporter[i]; i++) {
		char c = ev->reporter[i];
		unsigned v = c >= 'a' ? (unsigned)(c - 'a' + 10)
				      : (unsigned)(c - '0');
		it->caller = it->caller << 4 | (v & 15u);
	}
	if (ev->reporter[0])
		it->caller |= 1u;
	/* one signature over what the citizen said; not the address: two
	 * different problems at one long address would share most bigrams,
	 * and the place is scored apart */
	char buf[2048];
	size_t n = 0;
	const char *parts[] = { ev->title, ev->content };
	for (size_t i = 0; i < 2; i++) {
		if (!parts[i])
			continue;
		size_t l = strlen(parts[i]);
		if (l > sizeof(buf) - n - 1)
			l = sizeof(buf) - n - 1;
		memcpy(buf + n, parts[i], l);
		n += l;
		if (n < sizeof(buf) - 1)
			buf[n++] = ' ';
	}
	gf__textsig_make(&it->sig[0], buf, n);
	it->nsigs = 1;
	if (d && d->near.w_problem > 0)
		gf__dd_problems(it, &d->near, ev);
	/* not weighed: not worth extracting */
	if (d && !(d->near.w_place > 0))
		return;
	/* house and building numbers: "3幢" against "5幢" is the same kind of
	 * problem next door, however alike the words */
	size_t k = 0;
	if (ev->address) {
		size_t al = strlen(ev->address);
		k = gf__text_place_numbers(ev->address, al, it->nums,
					   GF__DD_MAX_NUMBERS);
		/* an address without a number names a whole estate or
		 * village: no evidence of one spot */
		if (k)
			it->addr = gf__text_hash(ev->address, al);
	}
	for (size_t i = 0; i < 2 && k < GF__DD_MAX_NUMBERS; i++) {
		if (!parts[i])
			continue;
		uint32_t more[GF__DD_MAX_NUMBERS];
		size_t m = gf__text_place_numbers(parts[i], strlen(parts[i]),
						  more, GF__DD_MAX_NUMBERS);
		for (size_t j = 0; j < m && k < GF__DD_MAX_NUMBERS; j++) {
			size_t x = 0;
			while (x < k && it->nums[x] != more[j])
				x++;
			if (x == k)
				it->nums[k++] = more[j];
		}
	}
	it->nnums = (uint8_t)k;
}

void gf__dd_item_fold(gf__dd_item *it, const gf__dd_item *more)
{
	if (more->at > it->at)
		it->at = more->at;
	if (more->nsigs) {
		/* the first report's stays; the others turn over, oldest
		 * out */
		size_t slot = it->nsigs < GF__DD_MAX_SIGS
				      ? it->nsigs++
				      : 1 + it->nfolded % (GF__DD_MAX_SIGS - 1);
		it->sig[slot] = more->sig[0];
	}
	it->nfolded++;
	for (size_t k = 0; k < GF__DD_MAX_PROBLEMS && more->probs[k]; k++)
		gf__dd_problem_put(it, more->probs[k]);
	/* the caller is not folded: it measured no better (the repeat
	 * call path links a caller's own reports) */
	for (size_t i = 0; i < more->nnums; i++) {
		size_t x = 0;
		while (x < it->nnums && it->nums[x] != more->nums[i])
			x++;
		if (x == it->nnums && x < GF__DD_MAX_NUMBERS)
			it->nums[it->nnums++] = more->nums[i];
	}
}

/* Street numbers this close may name one spot: the pothole between 12号
 * and 14号 is reported at either. */
#define GF__NEAR_HOUSE 4

/* How the numbers of one kind (unit) in a and b compare: 1 a value
 * shared (*num gets it), -1 values that are all apart, 0 nothing to say
 * (the kind missing on a side, or street numbers only a door or two
 * apart). */
static int gf__place_kind(const gf__dd_item *a, const gf__dd_item *b,
			  uint32_t unit, uint32_t *num)
{
	int in_a = 0, in_b = 0, near = 0;
	for (size_t i = 0; i < a->nnums; i++) {
		if (a->nums[i] >> 24 != unit)
			continue;
		in_a = 1;
		for (size_t j = 0; j < b->nnums; j++) {
			if (b->nums[j] >> 24 != unit)
				continue;
			in_b = 1;
			if (a->nums[i] == b->nums[j]) {
				*num = a->nums[i];
				return 1;
			}
			uint32_t x = a->nums[i] & GF__PLACE_VALUE_MAX;
			uint32_t y = b->nums[j] & GF__PLACE_VALUE_MAX;
			if ((unit == GF__PLACE_NO ||
			     unit == GF__PLACE_GROUP_NO ||
			     unit == GF__PLACE_LANE_NO) &&
			    (x > y ? x - y : y - x) <= GF__NEAR_HOUSE)
				near = 1;
		}
	}
	return in_a && in_b && !near ? -1 : 0;
}

/*
 * Do the place numbers of a and b agree (GF__DD_PLACE_*)? *num gets a
 * shared number. The numbers that name a spot count: the street number
 * (号), the lane (弄), the village group (组), the building (幢), and the
 * house within a group or a lane ("8组41号", "120弄3号"), which is
 * compared only with another house of a group or lane, never with a
 * street number: "滨河路120号" and "8组41号" may be one spot. An entrance
 * or a room (1单元, 302室) repeats in every building, so "27幢1单元" and
 * "26幢1单元" share nothing. Any kind that differs says "next door",
 * whatever else agrees.
 */
static int gf__place(const gf__dd_item *a, const gf__dd_item *b,
		     uint32_t *num)
{
	static const uint32_t kinds[] = { GF__PLACE_NO, GF__PLACE_LANE,
					  GF__PLACE_GROUP,
					  GF__PLACE_BUILDING,
					  GF__PLACE_GROUP_NO,
					  GF__PLACE_LANE_NO };
	*num = 0;
	if (a->addr && a->addr == b->addr)
		return GF__DD_PLACE_ADDRESS;
	int agree = 0;
	for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
		uint32_t n = 0;
		int v = gf__place_kind(a, b, kinds[k], &n);
		if (v < 0)
			return GF__DD_PLACE_OTHER;
		if (v > 0 && !agree) {
			agree = 1;
			*num = n;
		}
	}
	return agree ? GF__DD_PLACE_NUMBER : GF__DD_PLACE_UNKNOWN;
}

/* Segments two codes share from the start. */
static size_t gf__common_segments(const char *a, const char *b)
{
	size_t segs = 0;
	for (;;) {
		const char *ea = strchr(a, '.'), *eb = strchr(b, '.');
		size_t la = ea ? (size_t)(ea - a) : strlen(a);
		size_t lb = eb ? (size_t)(eb - b) : strlen(b);
		if (la != lb || memcmp(a, b, la) != 0)
			return segs;
		segs++;
		if (!ea || !eb)
			return segs;
		a = ea + 1;
		b = eb + 1;
	}
}

/* How compatible two categories are, in [0, 1]; -1: not at all. */
static double gf__category_score(const gf__near *n, const char *a,
				 const char *b, const char **how)
{
	if (strcmp(a, b) == 0) {
		*how = "same category";
		return 1.0;
	}
	if (gf__under(a, b) || gf__under(b, a)) {
		*how = "one category inside the other";
		return 0.9;
	}
	for (size_t i = 0; i < n->neq; i++)
		if ((gf__under(a, n->eq[i][0]) && gf__under(b, n->eq[i][1])) ||
		    (gf__under(a, n->eq[i][1]) && gf__under(b, n->eq[i][0]))) {
			*how = "equivalent categories";
			return 0.9;
		}
	size_t common = gf__common_segments(a, b);
	if (common >= 2) {
		*how = "same category family";
		return 0.8;
	}
	if (common == 1) {
		*how = "same category group";
		return 0.5;
	}
	return -1;
}

/* The window and radius for a category: the longest matching family
 * prefix's, else the defaults. */
static const gf__near_family *gf__family_of(const gf__near *n,
					    const char *category)
{
	const gf__near_family *best = NULL;
	for (size_t i = 0; i < n->nfamilies; i++)
		if (gf__under(category, n->families[i].prefix) &&
		    (!best ||
		     strlen(n->families[i].prefix) > strlen(best->prefix)))
			best = &n->families[i];
	return best;
}

void gf__dd_query_init(gf__dd_query *q, const gf__dedup *d,
		       const gf__dd_item *it)
{
	const gf__near_family *f = gf__family_of(&d->near, it->category);
	q->it = it;
	q->window_ms = f ? f->window_ms : d->near.window_ms;
	q->radius_m = f ? f->radius_m : d->near.radius_m;
	q->m_per_deg_lon = 111195.0 * cos(it->lat * 3.14159265358979323846 /
					  180.0);
}

/* A problem a and b both name (its id), -1 when both name problems but
 * none the same, 0 when a side names none. */
static int gf__dd_same_problem(const gf__dd_item *a, const gf__dd_item *b)
{
	if (!a->probs[0] || !b->probs[0])
		return 0;
	for (size_t i = 0; i < GF__DD_MAX_PROBLEMS && a->probs[i]; i++)
		for (size_t j = 0; j < GF__DD_MAX_PROBLEMS && b->probs[j]; j++)
			if (a->probs[i] == b->probs[j])
				return a->probs[i];
	return -1;
}

/* The distance signal without points on both sides (docs/formats.md) */
#define GF__SD_SAME_GRID 0.75
#define GF__SD_SAME_VILLAGE 0.5
#define GF__SD_OTHER_GRID 0.25

double gf__dedup_score(const gf__dedup *d, const gf__dd_query *q,
		       const gf__dd_item *b, gf__dd_parts *parts)
{
	const gf__near *n = &d->near;
	const gf__dd_item *a = q->it;
	int64_t gap = a->at > b->at ? a->at - b->at : b->at - a->at;
	if (gap > q->window_ms)
		return -1;
	double sd, dist = -1;
	int grid = 0;
	if (a->has_loc && b->has_loc) {
		/* a flat earth is exact to 0.1% within a few kilometres:
		 * first the box, then the distance */
		double dy = (a->lat - b->lat) * 111195.0;
		double dx = (a->lon - b->lon) * q->m_per_deg_lon;
		if (dy > q->radius_m || dy < -q->radius_m ||
		    dx > q->radius_m || dx < -q->radius_m)
			return -1;
		dist = sqrt(dx * dx + dy * dy);
		if (dist > q->radius_m)
			return -1;
		sd = 1.0 - dist / q->radius_m;
	} else if (memcmp(a->region, b->region, 12) == 0) {
		/* the same village, no more is known, unless both name
		 * their grid (网格: a few hundred households): the same one
		 * narrows the place, another one of the village says the
		 * report is elsewhere in it */
		grid = a->grid && b->grid ? (a->grid == b->grid ? 1 : -1) : 0;
		sd = grid > 0 ? GF__SD_SAME_GRID
		     : grid < 0 ? GF__SD_OTHER_GRID : GF__SD_SAME_VILLAGE;
	} else {
		return -1;
	}
	const char *how;
	double sc = gf__category_score(n, a->category, b->category, &how);
	if (sc < 0)
		return -1;
	double st = 1.0 - (double)gap / (double)q->window_ms;
	/* the report the new one repeats best */
	double j = 0;
	if (a->sig[0].nshingles)
		for (size_t i = 0; i < b->nsigs; i++) {
			double ji = b->sig[i].nshingles
					    ? gf__textsig_jaccard(&a->sig[0],
								  &b->sig[i])
					    : 0;
			if (ji > j)
				j = ji;
		}
	/* reworded Chinese rarely shares more than half its bigrams: half
	 * already says "the same words" */
	double sx = j * 2 > 1 ? 1 : j * 2;
	uint32_t num = 0;
	int place = GF__DD_PLACE_OFF;
	double sp = 0;
	if (n->w_place > 0) {
		place = gf__place(a, b, &num);
		sp = place == GF__DD_PLACE_ADDRESS ||
				     place == GF__DD_PLACE_NUMBER
			     ? 1.0
		     : place == GF__DD_PLACE_OTHER ? 0.0
						   : 0.5;
	}
	/* 0 when not weighed: GF__DD_PLACE_OFF is -1, which here would
	 * read as "other problems" */
	int problem = 0;
	const char *pname = NULL;
	double sq = 0;
	if (n->w_problem > 0) {
		problem = gf__dd_same_problem(a, b);
		if (problem > 0)
			pname = n->problems[problem - 1].terms[0];
		sq = problem > 0 ? 1.0 : problem < 0 ? 0.0 : 0.5;
	}
	double wsum = n->w_distance + n->w_time + n->w_category + n->w_text +
		      n->w_place + n->w_problem;
	double score = (n->w_distance * sd + n->w_time * st +
			n->w_category * sc + n->w_text * sx +
			n->w_place * sp + n->w_problem * sq) /
		       wsum;
	int caller = a->caller && a->caller == b->caller;
	if (caller)
		score += n->w_caller;
	if (score > 1)
		score = 1;
	if (parts) {
		parts->dist = dist;
		parts->gap_ms = gap;
		parts->how = how;
		parts->grid = grid;
		parts->jaccard = j;
		parts->caller = caller;
		parts->place = place;
		parts->place_num = num;
		parts->problem = problem > 0 ? 1 : problem;
		parts->problem_name = pname;
	}
	return score;
}

void gf__dd_reasons(const gf__dd_parts *p, const char *region,
		    const char *grid, char *why, size_t size)
{
	char place[64];
	if (p->dist >= 0)
		snprintf(place, sizeof(place), "%.0f m apart", p->dist);
	else if (p->grid > 0 && grid)
		snprintf(place, sizeof(place), "same grid %.29s", grid);
	else
		snprintf(place, sizeof(place), "same village %.12s%s", region,
			 p->grid < 0 ? ", another grid" : "");
	static const char *const unit[] = { "", "号", "幢", "单元", "弄",
					    "组", "室" };
	char num[48] = "";
	if (p->place == GF__DD_PLACE_ADDRESS)
		snprintf(num, sizeof(num), ", same address");
	else if (p->place == GF__DD_PLACE_NUMBER)
		snprintf(num, sizeof(num), ", same number %lu%s",
			 (unsigned long)(p->place_num & GF__PLACE_VALUE_MAX),
			 unit[(p->place_num >> 24) % 7]);
	else if (p->place == GF__DD_PLACE_OTHER)
		snprintf(num, sizeof(num), ", other numbers");
	char prob[96] = "";
	if (p->problem > 0 && p->problem_name) /* at most 64 bytes */
		snprintf(prob, sizeof(prob), ", same problem %s",
			 p->problem_name);
	else if (p->problem < 0)
		snprintf(prob, sizeof(prob), ", other problems");
	snprintf(why, size, "%s, %lld min apart, %s, text %.2f%s%s%s", place,
		 (long long)(p->gap_ms / 60000), p->how, p->jaccard,
		 p->caller ? ", same caller" : "", num, prob);
}
