/*
 * sla.c - SLA policies from sla.json (docs/formats.md): every problem at
 * its JSON path, the defaults filled in, and the snapshot
 * {"sla":...,"calendar":...} by which a replay finds the policies its
 * clocks started under.
 *
 * The loader never stops at the first problem: a clock with a bad due is
 * still read for its other fields, and a step with a bad "do" still
 * takes part in the check of the ladder's time order, so that one pass
 * shows the author everything to fix.
 */
#include <limits.h>
#include <stdio.h>

#include <json-c/json.h>

#include "sla.h"
#include "directory.h" /* gf__json_show */
#include "sha256.h"

#define SHOW_BUF GF__JSON_SHOW_SIZE
#define PATH_BUF 400
#define CLOCK_NAME_MAX 32
#define EXT_MAX_MAX 255

/* ---- names ---------------------------------------------------------- */

static const char *const gf__ms_names[] = {
	NULL,          "received", "dispatched", "signed",
	"in_progress", "resolved", "verified",   "closed",
};

#define MS_LIST \
	"received, dispatched, signed, in_progress, resolved, verified or " \
	"closed"

const char *gf__milestone_name(gf__milestone m)
{
	if ((int)m <= (int)GF__MS_NONE || (int)m > (int)GF__MS_CLOSED)
		return NULL;
	return gf__ms_names[m];
}

static const char *const gf__step_names[] = {
	NULL, "notify", "urge", "supervise", "escalate",
};

const char *gf__step_name(gf__step_kind k)
{
	if ((int)k < (int)GF__STEP_NOTIFY || (int)k > (int)GF__STEP_ESCALATE)
		return NULL;
	return gf__step_names[k];
}

/* The index of s (n bytes) in names[1..count), or 0. */
static int gf__lookup(const char *const *names, int count, const char *s,
		      size_t n)
{
	for (int i = 1; i < count; i++)
		if (strlen(names[i]) == n && memcmp(names[i], s, n) == 0)
			return i;
	return 0;
}

/* The milestones a clock of a well-known name runs between. */
static const struct {
	const char *name;
	gf__milestone from, until;
} gf__clock_defaults[] = {
	{ "sign", GF__MS_DISPATCHED, GF__MS_SIGNED },
	{ "accept", GF__MS_RECEIVED, GF__MS_SIGNED },
	{ "respond", GF__MS_DISPATCHED, GF__MS_IN_PROGRESS },
	{ "resolve", GF__MS_RECEIVED, GF__MS_RESOLVED },
};

/* ---- freeing -------------------------------------------------------- */

static void gf__clock_clear(gf__sla_clock *c)
{
	gf__free(c->name);
	gf__free(c->due_text);
	gf__free(c->approver);
	for (size_t i = 0; i < c->nsteps; i++)
		gf__free(c->steps[i].text);
	memset(c, 0, sizeof(*c));
}

void gf__sla_free(gf__sla *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->npolicies; i++) {
		gf__sla_policy *p = &s->policies[i];
		gf__free(p->id);
		gf__free(p->name);
		for (size_t k = 0; k < p->nclocks; k++)
			gf__clock_clear(&p->clocks[k]);
	}
	gf__free(s->policies);
	gf__map_free(&s->by_id);
	gf__free(s->version);
	gf__free(s->text);
	gf__cal_free(s->own_cal);
	gf__free(s);
}

const gf__sla_policy *gf__sla_policy_get(const gf__sla *s, const char *id)
{
	if (!s || !id)
		return NULL;
	return gf__map_get(&s->by_id, id, strlen(id));
}

/* ---- loading: problems and paths ------------------------------------ */

typedef struct gf__sla_loader {
	gf__sla *s;
	const gf__calendar *cal;
	gf__problems pr;
	int oom;
	/* $.defaults, for the clocks that do not set their own */
	int has_dratio;
	double dratio;
	gf__sla_step dsteps[GF__SLA_MAX_STEPS];
	size_t ndsteps;
	long dwarning; /* $.defaults.ladder's first "warning" step, or -1 */
} gf__sla_loader;

static void gf__missing(gf__sla_loader *l, const char *path)
{
	gf__problem_report(&l->pr, path, "required field is missing");
}

static void gf__path_field(char *out, size_t size, const char *base,
			   const char *field)
{
	gf__json_pathf(out, size, "%s.%s", base, field);
}

/* A string without NUL, or NULL after reporting. */
static const char *gf__str(gf__sla_loader *l, const char *path,
			   struct json_object *v, size_t *len)
{
	if (!json_object_is_type(v, json_type_string)) {
		gf__problem_expected(&l->pr, path, "a string", v);
		return NULL;
	}
	const char *s = json_object_get_string(v);
	*len = (size_t)json_object_get_string_len(v);
	if (strlen(s) != *len) {
		gf__problem_report(&l->pr, path, "must not contain a NUL character");
		return NULL;
	}
	return s;
}

/* A copy into *dst; sets oom when it cannot. */
static void gf__keep(gf__sla_loader *l, char **dst, const char *s, size_t n)
{
	gf__free(*dst);
	*dst = gf__strndup(s, n);
	if (!*dst)
		l->oom = 1;
}

/* ---- loading: values ------------------------------------------------ */

#define DUR_HELP \
	"N then a unit, N from 1 to 100000: m, h, d (natural minutes, " \
	"hours, days), wh or wd (working hours, days)"

enum { DUR_OK = 0, DUR_BAD = 1, DUR_NO_CALENDAR = 2 };

static int gf__dur_check(const gf__sla_loader *l, const char *s, size_t n,
			 gf__duration *d)
{
	if (gf__duration_parse(d, s, n) != GF_OK)
		return DUR_BAD;
	if (!l->cal && (d->unit == GF__DUR_WORK_HOURS ||
			d->unit == GF__DUR_WORK_DAYS))
		return DUR_NO_CALENDAR;
	return DUR_OK;
}

static const char *gf__work_unit(const gf__duration *d)
{
	return d->unit == GF__DUR_WORK_HOURS ? "working hours" : "working days";
}

/* A duration string: 1 with *d (and its text in *text when text is not
 * NULL), or 0 after reporting. */
static int gf__load_duration(gf__sla_loader *l, const char *path,
			struct json_object *v, gf__duration *d, char **text)
{
	char show[SHOW_BUF];
	size_t n;
	const char *s = gf__str(l, path, v, &n);
	if (!s)
		return 0;
	switch (gf__dur_check(l, s, n, d)) {
	case DUR_BAD:
		gf__problem_report(&l->pr, path, "bad duration %s: expected " DUR_HELP,
				gf__json_show(v, show, sizeof(show)));
		return 0;
	case DUR_NO_CALENDAR:
		gf__problem_report(&l->pr, path,
				"%s counts %s: working durations need "
				"calendar.json",
				gf__json_show(v, show, sizeof(show)),
				gf__work_unit(d));
		return 0;
	}
	if (text)
		gf__keep(l, text, s, n);
	return 1;
}

/* A milestone name: 1 with *m, or 0 after reporting. */
static int gf__load_milestone(gf__sla_loader *l, const char *path,
			 struct json_object *v, gf__milestone *m)
{
	char show[SHOW_BUF];
	size_t n;
	const char *s = gf__str(l, path, v, &n);
	if (!s)
		return 0;
	int k = gf__lookup(gf__ms_names, (int)GF__MS_CLOSED + 1, s, n);
	if (!k) {
		gf__problem_report(&l->pr, path,
				"unknown milestone %s: expected " MS_LIST,
				gf__json_show(v, show, sizeof(show)));
		return 0;
	}
	*m = (gf__milestone)k;
	return 1;
}

/* A warn_ratio: 1 with *r (0 for null), or 0 after reporting. */
static int gf__load_ratio(gf__sla_loader *l, const char *path,
		     struct json_object *v, double *r)
{
	if (!v) {
		*r = 0;
		return 1;
	}
	if (json_object_is_type(v, json_type_double) ||
	    json_object_is_type(v, json_type_int)) {
		double x = json_object_get_double(v);
		if (x > 0 && x < 1) {
			*r = x;
			return 1;
		}
	}
	gf__problem_expected(&l->pr, path,
		  "a number between 0 and 1 (both excluded), or null for no "
		  "warning time",
		  v);
	return 0;
}

/* ---- loading: ladders ----------------------------------------------- */

/*
 * One step. Returns 1 when it is valid, with st filled and st->text
 * owned by the caller; else 0 after reporting. Either way st->when (and
 * st->after) are set when "at" is valid, for the ladder's order check.
 * has_ratio: whether the clock has a warning time; -1 when not known
 * (the defaults' ladder, checked for each clock that takes it).
 */
static int gf__load_step(gf__sla_loader *l, const char *path,
			 struct json_object *v, int has_ratio,
			 gf__sla_step *st)
{
	char fp[PATH_BUF], show[SHOW_BUF];
	memset(st, 0, sizeof(*st));
	if (!json_object_is_type(v, json_type_object)) {
		gf__problem_expected(&l->pr, path,
			  "a step object {\"at\": ..., \"do\": ...}", v);
		return 0;
	}
	static const char *const keys[] = { "at", "do", "to", "mode", NULL };
	gf__problem_unknown_keys(&l->pr, path, v, keys);
	int ok = 1;
	struct json_object *f;
	const char *at = NULL;
	size_t atn = 0;

	gf__path_field(fp, sizeof(fp), path, "at");
	if (!json_object_object_get_ex(v, "at", &f)) {
		gf__missing(l, fp);
		ok = 0;
	} else if ((at = gf__str(l, fp, f, &atn)) == NULL) {
		ok = 0;
	} else if (atn == 7 && memcmp(at, "warning", 7) == 0) {
		st->when = GF__AT_WARNING;
		if (has_ratio == 0) {
			gf__problem_report(&l->pr, fp,
					"\"warning\" is when warn_ratio of the "
					"time is used, and this clock has no "
					"warn_ratio (its own or "
					"$.defaults.warn_ratio)");
			ok = 0;
		}
	} else if (atn == 3 && memcmp(at, "due", 3) == 0) {
		st->when = GF__AT_DUE;
	} else if (atn > 4 && memcmp(at, "due+", 4) == 0) {
		switch (gf__dur_check(l, at + 4, atn - 4, &st->after)) {
		case DUR_OK:
			st->when = GF__AT_AFTER_DUE;
			break;
		case DUR_BAD:
			gf__problem_report(&l->pr, fp,
					"bad time %s: after \"due+\" comes a "
					"duration: " DUR_HELP,
					gf__json_show(f, show, sizeof(show)));
			ok = 0;
			break;
		case DUR_NO_CALENDAR:
			/* a time all the same, for the order check */
			st->when = GF__AT_AFTER_DUE;
			gf__problem_report(&l->pr, fp,
					"%s counts %s: working durations need "
					"calendar.json",
					gf__json_show(f, show, sizeof(show)),
					gf__work_unit(&st->after));
			ok = 0;
			break;
		}
	} else {
		gf__problem_report(&l->pr, fp,
				"bad time %s: expected \"warning\", \"due\" or "
				"\"due+DURATION\" (e.g. \"due+1wd\")",
				gf__json_show(f, show, sizeof(show)));
		ok = 0;
	}

	gf__path_field(fp, sizeof(fp), path, "do");
	const char *s;
	size_t n;
	if (!json_object_object_get_ex(v, "do", &f)) {
		gf__missing(l, fp);
		ok = 0;
	} else if ((s = gf__str(l, fp, f, &n)) == NULL) {
		ok = 0;
	} else if ((st->kind = (gf__step_kind)gf__lookup(
			    gf__step_names, (int)GF__STEP_ESCALATE + 1, s,
			    n)) == 0) {
		gf__problem_report(&l->pr, fp,
				"unknown step %s: expected notify, urge, "
				"supervise or escalate",
				gf__json_show(f, show, sizeof(show)));
		ok = 0;
	}

	/* the command centre supervises and escalates; the lead department
	 * is the one told and urged */
	st->to = st->kind == GF__STEP_SUPERVISE || st->kind == GF__STEP_ESCALATE
			 ? GF__TO_SUPERVISOR
			 : GF__TO_HANDLER;
	gf__path_field(fp, sizeof(fp), path, "to");
	if (json_object_object_get_ex(v, "to", &f)) {
		if ((s = gf__str(l, fp, f, &n)) == NULL) {
			ok = 0;
		} else if (n == 7 && memcmp(s, "handler", 7) == 0) {
			st->to = GF__TO_HANDLER;
		} else if (n == 10 && memcmp(s, "supervisor", 10) == 0) {
			st->to = GF__TO_SUPERVISOR;
		} else {
			gf__problem_report(&l->pr, fp,
					"unknown target %s: expected "
					"\"handler\" (the lead department) or "
					"\"supervisor\" (the command centre)",
					gf__json_show(f, show, sizeof(show)));
			ok = 0;
		}
	}

	gf__path_field(fp, sizeof(fp), path, "mode");
	if (json_object_object_get_ex(v, "mode", &f)) {
		if (st->kind && st->kind != GF__STEP_ESCALATE) {
			gf__problem_report(&l->pr, fp,
					"mode is for \"escalate\" steps only, "
					"and this step is \"%s\"",
					gf__step_name(st->kind));
			ok = 0;
		} else if ((s = gf__str(l, fp, f, &n)) == NULL) {
			ok = 0;
		} else if (n == 4 && memcmp(s, "copy", 4) == 0) {
			st->copy = 1;
		} else if (!(n == 8 && memcmp(s, "reassign", 8) == 0)) {
			gf__problem_report(&l->pr, fp,
					"unknown mode %s: expected "
					"\"reassign\" (the upper level takes "
					"the lead) or \"copy\" (it assists)",
					gf__json_show(f, show, sizeof(show)));
			ok = 0;
		}
	}

	if (!ok)
		return 0;
	st->text = gf__strndup(at, atn);
	if (!st->text) {
		l->oom = 1;
		return 0;
	}
	return 1;
}

static const char *gf__when_text(const gf__sla_step *st, char *buf,
				 size_t size)
{
	static const char *const units[] = { "", "m", "h", "d", "wh", "wd" };
	switch (st->when) {
	case GF__AT_WARNING:
		return "warning";
	case GF__AT_DUE:
		return "due";
	case GF__AT_AFTER_DUE:
		snprintf(buf, size, "due+%u%s", st->after.n,
			 units[st->after.unit]);
		return buf;
	}
	return "";
}

/*
 * A ladder: the valid steps go to steps[] (at most GF__SLA_MAX_STEPS;
 * their texts owned by the caller), *first_warning is the index of the
 * first valid "warning" step or -1. Steps must come in time order:
 * warning, then due, then due+N with N growing for each unit (steps in
 * different units are not compared: without a start time, 1wd and 20h
 * have no order).
 */
static void gf__load_ladder(gf__sla_loader *l, const char *path,
			    struct json_object *arr, int has_ratio,
			    gf__sla_step *steps, size_t *nsteps,
			    long *first_warning)
{
	*first_warning = -1;
	if (!json_object_is_type(arr, json_type_array)) {
		gf__problem_expected(&l->pr, path, "an array of steps", arr);
		return;
	}
	size_t n = json_object_array_length(arr);
	if (n > GF__SLA_MAX_STEPS)
		gf__problem_report(&l->pr, path, "at most %d steps, got %zu",
				GF__SLA_MAX_STEPS, n);
	/* the latest step so far, and the latest due+N of each unit */
	gf__sla_step last = { 0 }, last_u[GF__DUR_WORK_DAYS + 1];
	size_t last_i = 0, last_ui[GF__DUR_WORK_DAYS + 1];
	memset(last_u, 0, sizeof(last_u));
	memset(last_ui, 0, sizeof(last_ui));
	for (size_t i = 0; i < n && !l->oom; i++) {
		char sp[PATH_BUF], ap[PATH_BUF], b1[32], b2[32];
		gf__sla_step st;
		gf__json_pathf(sp, sizeof(sp), "%s[%zu]", path, i);
		gf__path_field(ap, sizeof(ap), sp, "at");
		int ok = gf__load_step(l, sp, json_object_array_get_idx(arr, i),
				       has_ratio, &st);
		if (st.when && st.when < last.when) {
			gf__problem_report(&l->pr, ap,
					"\"%s\" comes after %s[%zu] at \"%s\": "
					"steps must be in time order: warning, "
					"due, then due+...",
					gf__when_text(&st, b1, sizeof(b1)),
					path, last_i,
					gf__when_text(&last, b2, sizeof(b2)));
			ok = 0;
		} else if (st.when == GF__AT_AFTER_DUE) {
			gf__sla_step *u = &last_u[st.after.unit];
			size_t ui = last_ui[st.after.unit];
			if (u->when && st.after.n <= u->after.n) {
				gf__problem_report(
					&l->pr, ap,
					"\"%s\" is not later than %s[%zu] at "
					"\"%s\": due+N steps in the same unit "
					"must have growing N",
					gf__when_text(&st, b1, sizeof(b1)),
					path, ui,
					gf__when_text(u, b2, sizeof(b2)));
				ok = 0;
			} else {
				*u = st;
				u->text = NULL;
				last_ui[st.after.unit] = i;
			}
		}
		if (st.when && st.when >= last.when) {
			last = st;
			last.text = NULL;
			last_i = i;
		}
		if (ok && st.when == GF__AT_WARNING && *first_warning < 0)
			*first_warning = (long)i;
		if (ok && *nsteps < GF__SLA_MAX_STEPS)
			steps[(*nsteps)++] = st;
		else
			gf__free(st.text);
	}
}

/* ---- loading: clocks and policies ----------------------------------- */

static void gf__load_extension(gf__sla_loader *l, const char *path,
			       struct json_object *v, gf__sla_clock *c)
{
	char fp[PATH_BUF], show[SHOW_BUF];
	struct json_object *f;
	if (!json_object_is_type(v, json_type_object)) {
		gf__problem_expected(&l->pr, path, "an object {\"longest\": ..., ...}", v);
		return;
	}
	static const char *const keys[] = { "max", "longest", "ask_before",
					    "approver", NULL };
	gf__problem_unknown_keys(&l->pr, path, v, keys);
	c->ext_max = 1;
	gf__path_field(fp, sizeof(fp), path, "max");
	if (json_object_object_get_ex(v, "max", &f)) {
		int64_t m = json_object_is_type(f, json_type_int)
				    ? json_object_get_int64(f)
				    : 0;
		if (m < 1 || m > EXT_MAX_MAX)
			gf__problem_report(&l->pr, fp,
					"expected an integer from 1 to %d, "
					"got %s",
					EXT_MAX_MAX,
					gf__json_show(f, show, sizeof(show)));
		else
			c->ext_max = (unsigned)m;
	}
	gf__path_field(fp, sizeof(fp), path, "longest");
	if (!json_object_object_get_ex(v, "longest", &f))
		gf__missing(l, fp);
	else
		(void)gf__load_duration(l, fp, f, &c->ext_longest, NULL);
	gf__path_field(fp, sizeof(fp), path, "ask_before");
	if (json_object_object_get_ex(v, "ask_before", &f))
		c->has_ask_before =
			gf__load_duration(l, fp, f, &c->ask_before, NULL);
	/* the engine checks the approver's function at run time, against
	 * the directory of that time: here it is only a name */
	gf__path_field(fp, sizeof(fp), path, "approver");
	const char *s = GF__FUNCTION_COMMAND_CENTRE;
	size_t n = strlen(s);
	if (json_object_object_get_ex(v, "approver", &f)) {
		s = gf__str(l, fp, f, &n);
		if (s && n == 0) {
			gf__problem_report(&l->pr, fp,
					"expected a department function (e.g. "
					"\"command_centre\") or \"none\", got "
					"\"\"");
			s = NULL;
		}
	}
	if (s && !(n == 4 && memcmp(s, "none", 4) == 0))
		gf__keep(l, &c->approver, s, n);
}

static int gf__clock_name_ok(const char *name)
{
	size_t n = strlen(name);
	if (n < 1 || n > CLOCK_NAME_MAX)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!((name[i] >= 'a' && name[i] <= 'z') ||
		      (name[i] >= '0' && name[i] <= '9') || name[i] == '_'))
			return 0;
	return 1;
}

/* Loads clock `name` at path into c (zeroed first; its strings are the
 * caller's to free even after problems). */
static void gf__load_clock(gf__sla_loader *l, const char *path,
			   const char *name, struct json_object *v,
			   gf__sla_clock *c)
{
	char fp[PATH_BUF];
	struct json_object *f;
	memset(c, 0, sizeof(*c));
	int name_ok = gf__clock_name_ok(name);
	if (!name_ok)
		gf__problem_report(&l->pr, path,
				"bad clock name: expected 1 to %d of a-z, 0-9 "
				"and _",
				CLOCK_NAME_MAX);
	if (!json_object_is_type(v, json_type_object)) {
		gf__problem_expected(&l->pr, path, "a clock object {\"due\": ...}", v);
		return;
	}
	static const char *const keys[] = { "due", "from", "until",
					    "warn_ratio", "pausable",
					    "extension", "ladder", NULL };
	gf__problem_unknown_keys(&l->pr, path, v, keys);
	gf__keep(l, &c->name, name, strlen(name));

	gf__path_field(fp, sizeof(fp), path, "due");
	if (!json_object_object_get_ex(v, "due", &f))
		gf__missing(l, fp);
	else
		(void)gf__load_duration(l, fp, f, &c->due, &c->due_text);

	/* from and until: given, or by the clock's name */
	char fpath[PATH_BUF], upath[PATH_BUF];
	gf__path_field(fpath, sizeof(fpath), path, "from");
	gf__path_field(upath, sizeof(upath), path, "until");
	struct json_object *fv, *uv;
	int has_from = json_object_object_get_ex(v, "from", &fv);
	int has_until = json_object_object_get_ex(v, "until", &uv);
	int from_ok = has_from && gf__load_milestone(l, fpath, fv, &c->from);
	int until_ok = has_until && gf__load_milestone(l, upath, uv, &c->until);
	if (!has_from || !has_until) {
		size_t k, nd = sizeof(gf__clock_defaults) /
			       sizeof(gf__clock_defaults[0]);
		for (k = 0; k < nd; k++)
			if (strcmp(gf__clock_defaults[k].name, name) == 0)
				break;
		if (k < nd) {
			if (!has_from) {
				c->from = gf__clock_defaults[k].from;
				from_ok = 1;
			}
			if (!has_until) {
				c->until = gf__clock_defaults[k].until;
				until_ok = 1;
			}
		} else if (name_ok) {
			gf__problem_report(&l->pr, path,
					"clock \"%s\" needs from and until: "
					"only sign, accept, respond and "
					"resolve have defaults",
					name);
		}
	}
	if (from_ok && until_ok && c->until <= c->from)
		gf__problem_report(&l->pr, has_until ? upath : fpath,
				"until \"%s\" is not after from \"%s\": a "
				"clock stops at a later milestone than it "
				"starts at "
				"(in the order " MS_LIST ")",
				gf__milestone_name(c->until),
				gf__milestone_name(c->from));

	/* has_ratio: 1 or 0 when known, -1 when warn_ratio is bad (its
	 * problem is reported; a "warning" step is not reported again) */
	int has_ratio;
	int own_ratio = json_object_object_get_ex(v, "warn_ratio", &f);
	gf__path_field(fp, sizeof(fp), path, "warn_ratio");
	if (own_ratio) {
		has_ratio = gf__load_ratio(l, fp, f, &c->warn_ratio)
				    ? c->warn_ratio > 0
				    : -1;
	} else {
		has_ratio = l->has_dratio;
		c->warn_ratio = l->has_dratio ? l->dratio : 0;
	}

	c->pausable = 1;
	if (json_object_object_get_ex(v, "pausable", &f)) {
		gf__path_field(fp, sizeof(fp), path, "pausable");
		if (!json_object_is_type(f, json_type_boolean))
			gf__problem_expected(&l->pr, fp, "true or false", f);
		else
			c->pausable = json_object_get_boolean(f) ? 1 : 0;
	}

	if (json_object_object_get_ex(v, "extension", &f)) {
		gf__path_field(fp, sizeof(fp), path, "extension");
		gf__load_extension(l, fp, f, c);
	}

	if (json_object_object_get_ex(v, "ladder", &f)) {
		long first_warning;
		gf__path_field(fp, sizeof(fp), path, "ladder");
		gf__load_ladder(l, fp, f, has_ratio, c->steps, &c->nsteps,
				&first_warning);
		return;
	}
	for (size_t i = 0; i < l->ndsteps; i++) {
		c->steps[i] = l->dsteps[i];
		c->steps[i].text = gf__strdup(l->dsteps[i].text);
		if (!c->steps[i].text) {
			l->oom = 1;
			return;
		}
		c->nsteps = i + 1;
	}
	if (has_ratio == 0 && l->dwarning >= 0) {
		gf__path_field(fp, sizeof(fp), path, "warn_ratio");
		if (own_ratio)
			gf__problem_report(&l->pr, fp,
					"null leaves this clock no warning "
					"time, but the ladder it takes from "
					"$.defaults has a \"warning\" step "
					"($.defaults.ladder[%ld]): give it a "
					"ratio or a ladder of its own",
					l->dwarning);
		else
			gf__problem_report(&l->pr, fp,
					"required by the \"warning\" step of "
					"the ladder this clock takes from "
					"$.defaults ($.defaults.ladder[%ld]), "
					"and $.defaults.warn_ratio is not set",
					l->dwarning);
	}
}

static void gf__load_policy(gf__sla_loader *l, const char *path,
			    const char *id, struct json_object *v)
{
	char fp[PATH_BUF];
	struct json_object *f;
	if (!*id) {
		gf__problem_report(&l->pr, path, "a policy id must not be empty");
		return;
	}
	if (!json_object_is_type(v, json_type_object)) {
		gf__problem_expected(&l->pr, path, "a policy object {\"name\": ..., "
				   "\"clocks\": {...}}", v);
		return;
	}
	static const char *const keys[] = { "name", "clocks", NULL };
	gf__problem_unknown_keys(&l->pr, path, v, keys);
	gf__sla *s = l->s;
	gf__sla_policy *p = &s->policies[s->npolicies++];
	gf__keep(l, &p->id, id, strlen(id));
	if (!p->id)
		return;
	/* reserved for every policy: cannot fail */
	if (gf__map_put(&s->by_id, p->id, strlen(p->id), p) != GF_OK) {
		l->oom = 1;
		return;
	}
	const char *name = "";
	size_t n = 0;
	if (json_object_object_get_ex(v, "name", &f)) {
		gf__path_field(fp, sizeof(fp), path, "name");
		name = gf__str(l, fp, f, &n);
		if (!name) {
			name = "";
			n = 0;
		}
	}
	gf__keep(l, &p->name, name, n);

	if (!json_object_object_get_ex(v, "clocks", &f))
		return;
	gf__path_field(fp, sizeof(fp), path, "clocks");
	if (!json_object_is_type(f, json_type_object)) {
		gf__problem_expected(&l->pr, fp, "an object of named clocks", f);
		return;
	}
	size_t nc = (size_t)json_object_object_length(f);
	if (nc > GF__SLA_MAX_CLOCKS)
		gf__problem_report(&l->pr, fp, "at most %d clocks, got %zu",
				GF__SLA_MAX_CLOCKS, nc);
	json_object_object_foreach(f, cname, cv) {
		char cp[PATH_BUF];
		gf__sla_clock c;
		if (l->oom)
			return;
		gf__json_path_key(cp, sizeof(cp), fp, cname);
		gf__load_clock(l, cp, cname, cv, &c);
		if (p->nclocks < GF__SLA_MAX_CLOCKS && c.name)
			p->clocks[p->nclocks++] = c;
		else
			gf__clock_clear(&c);
	}
}

static void gf__load_defaults(gf__sla_loader *l, struct json_object *v)
{
	struct json_object *f;
	if (!json_object_is_type(v, json_type_object)) {
		gf__problem_expected(&l->pr, "$.defaults",
			  "an object {\"warn_ratio\": ..., \"ladder\": [...]}",
			  v);
		return;
	}
	static const char *const keys[] = { "warn_ratio", "ladder", NULL };
	gf__problem_unknown_keys(&l->pr, "$.defaults", v, keys);
	if (json_object_object_get_ex(v, "warn_ratio", &f) &&
	    gf__load_ratio(l, "$.defaults.warn_ratio", f, &l->dratio))
		l->has_dratio = l->dratio > 0;
	if (json_object_object_get_ex(v, "ladder", &f))
		gf__load_ladder(l, "$.defaults.ladder", f, -1, l->dsteps,
				&l->ndsteps, &l->dwarning);
}

static void gf__load_root(gf__sla_loader *l, struct json_object *root)
{
	gf__sla *s = l->s;
	struct json_object *v;
	if (!json_object_is_type(root, json_type_object)) {
		gf__problem_expected(&l->pr, "$", "an object", root);
		return;
	}
	static const char *const keys[] = { "version", "defaults", "policies",
					    NULL };
	gf__problem_unknown_keys(&l->pr, "$", root, keys);
	if (json_object_object_get_ex(root, "version", &v)) {
		size_t n;
		const char *ver = gf__str(l, "$.version", v, &n);
		if (ver)
			gf__keep(l, &s->version, ver, n);
	}
	if (json_object_object_get_ex(root, "defaults", &v))
		gf__load_defaults(l, v);
	if (!json_object_object_get_ex(root, "policies", &v)) {
		gf__missing(l, "$.policies");
		return;
	}
	if (!json_object_is_type(v, json_type_object)) {
		gf__problem_expected(&l->pr, "$.policies", "an object of named policies", v);
		return;
	}
	size_t n = (size_t)json_object_object_length(v);
	s->policies = gf__calloc(n, sizeof(*s->policies));
	if (!s->policies || gf__map_reserve(&s->by_id, n) != GF_OK) {
		l->oom = 1;
		return;
	}
	json_object_object_foreach(v, id, pv) {
		char path[PATH_BUF];
		if (l->oom)
			return;
		gf__json_path_key(path, sizeof(path), "$.policies", id);
		gf__load_policy(l, path, id, pv);
	}
}

/* ---- snapshots ------------------------------------------------------ */

/* Adds val (a new reference) under key; the reference is dropped when
 * it cannot be added. */
static int gf__add(struct json_object *o, const char *key,
		   struct json_object *val)
{
	if (json_object_object_add_ex(o, key, val,
				      JSON_C_OBJECT_ADD_KEY_IS_NEW |
					      JSON_C_OBJECT_KEY_IS_CONSTANT) !=
	    0) {
		json_object_put(val);
		return GF_ENOMEM;
	}
	return GF_OK;
}

/*
 * The canonical text {"sla":root,"calendar":calroot} as json-c writes it
 * plainly: members in file order, strings as parsed, numbers as written
 * (json-c keeps a parsed double's text). Parsing it and writing it again
 * gives the same bytes, which the digest relies on.
 */
static int gf__snapshot(gf__sla *s, struct json_object *root,
			struct json_object *calroot)
{
	struct json_object *o = json_object_new_object();
	if (!o)
		return GF_ENOMEM;
	int rc = gf__add(o, "sla", json_object_get(root));
	if (rc == GF_OK)
		rc = gf__add(o, "calendar", json_object_get(calroot));
	size_t n = 0;
	const char *t = rc == GF_OK ? json_object_to_json_string_length(
					      o, JSON_C_TO_STRING_PLAIN, &n)
				    : NULL;
	if (t) {
		s->text = gf__strndup(t, n);
		s->text_len = n;
	}
	json_object_put(o);
	if (!s->text)
		return GF_ENOMEM;
	gf__sha256(s->text, s->text_len, s->digest);
	return GF_OK;
}

/* ---- entry points --------------------------------------------------- */

int gf__sla_load(gf__sla **out, struct json_object *root,
		 const gf__calendar *cal, struct json_object *calroot,
		 gf__sla_problem_fn report, void *ud)
{
	if (!out)
		return GF_EINVAL;
	*out = NULL;
	gf__sla *s = gf__calloc(1, sizeof(*s));
	if (!s)
		return GF_ENOMEM;
	gf__map_init(&s->by_id);
	s->cal = cal;
	gf__sla_loader l;
	memset(&l, 0, sizeof(l));
	l.s = s;
	l.cal = cal;
	l.pr.report = report;
	l.pr.ud = ud;
	l.dwarning = -1;
	gf__load_root(&l, root);
	for (size_t i = 0; i < l.ndsteps; i++)
		gf__free(l.dsteps[i].text);
	if (!l.oom && !s->version)
		gf__keep(&l, &s->version, "", 0);
	if (!l.oom && gf__snapshot(s, root, calroot) != GF_OK)
		l.oom = 1;
	if (l.oom) {
		gf__sla_free(s);
		return GF_ENOMEM;
	}
	*out = s;
	return l.pr.count;
}

int gf__sla_from_snapshot(gf__sla **out, const char *text, size_t len)
{
	if (!out || (!text && len))
		return GF_EINVAL;
	*out = NULL;
	if (len == 0 || len >= INT_MAX)
		return GF_ECORRUPT;
	json_tokener *tok = json_tokener_new();
	if (!tok)
		return GF_ENOMEM;
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT |
					    JSON_TOKENER_VALIDATE_UTF8);
	/* a snapshot is an object: it ends with '}' and needs no NUL to
	 * end a trailing number */
	struct json_object *top = json_tokener_parse_ex(tok, text, (int)len);
	int parsed = json_tokener_get_error(tok) == json_tokener_success &&
		     json_tokener_get_parse_end(tok) == len;
	json_tokener_free(tok);
	struct json_object *sla, *calroot;
	if (!parsed || !json_object_is_type(top, json_type_object) ||
	    json_object_object_length(top) != 2 ||
	    !json_object_object_get_ex(top, "sla", &sla) ||
	    !json_object_object_get_ex(top, "calendar", &calroot)) {
		json_object_put(top);
		return GF_ECORRUPT;
	}
	gf__calendar *cal = NULL;
	gf__sla *s = NULL;
	int rc = GF_OK;
	if (calroot) {
		rc = gf__cal_load(&cal, calroot, NULL, NULL);
		if (rc > 0)
			rc = GF_ECORRUPT;
	}
	if (rc == GF_OK) {
		rc = gf__sla_load(&s, sla, cal, calroot, NULL, NULL);
		if (rc > 0)
			rc = GF_ECORRUPT;
	}
	json_object_put(top);
	if (rc == GF_OK) {
		s->own_cal = cal;
		cal = NULL;
		/* a set is known by the digest of the bytes stored: keep
		 * them, even where another json-c would write them anew */
		if (s->text_len != len || memcmp(s->text, text, len) != 0) {
			char *t = gf__strndup(text, len);
			if (!t) {
				rc = GF_ENOMEM;
			} else {
				gf__free(s->text);
				s->text = t;
				s->text_len = len;
				gf__sha256(t, len, s->digest);
			}
		}
	}
	if (rc != GF_OK) {
		gf__sla_free(s);
		gf__cal_free(cal);
		return rc;
	}
	*out = s;
	return GF_OK;
}
