/*
 * dedup.c - dedup.json and the repeat-caller key (dedup.h).
 */
#include <stdio.h>

#include <json-c/json.h>

#include "dedup.h"

/* Every key of v must be one of keys: a typo is a problem, not a
 * silent default (as in rules.json and sla.json). */
static void gf__known(gf__problems *pr, const char *path,
		      struct json_object *v, const char *const *keys)
{
	json_object_object_foreach(v, key, val) {
		(void)val;
		size_t i = 0;
		while (keys[i] && strcmp(keys[i], key) != 0)
			i++;
		if (keys[i])
			continue;
		char fp[160], want[120];
		size_t n = 0;
		want[0] = '\0';
		for (i = 0; keys[i] && n < sizeof(want); i++)
			n += (size_t)snprintf(want + n, sizeof(want) - n,
					      "%s%s", i ? ", " : "", keys[i]);
		snprintf(fp, sizeof(fp), "%s.%.64s", path, key);
		gf__problem_report(pr, fp, "unknown field: expected %s",
				   want);
	}
}

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
	gf__known(pr, "$.repeat_caller", v, keys);
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

int gf__dedup_load(gf__dedup **out, struct json_object *root,
		   const gf__calendar *cal, gf__problem_fn report, void *ud)
{
	static const char *const keys[] = { "version", "repeat_caller", NULL };
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
		gf__known(&pr, "$", root, keys);
		if (json_object_object_get_ex(root, "version", &v)) {
			if (json_object_is_type(v, json_type_string))
				version = json_object_get_string(v);
			else
				gf__problem_expected(&pr, "$.version",
						     "a string", v);
		}
		if (json_object_object_get_ex(root, "repeat_caller", &v))
			gf__load_repeat(d, &pr, v);
	}
	d->version = gf__strdup(version);
	if (!d->version) {
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

int gf__dedup_window_end(const gf__dedup *d, gf_time last, gf_time *until)
{
	return gf__cal_add(d->cal, last, d->repeat_window, until);
}
