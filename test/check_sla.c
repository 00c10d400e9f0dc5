/*
 * check_sla.c - SLA policies (lib/sla.c): the spec's example with its
 * defaults filled in, every load problem at its exact JSON path (one
 * table row per rule), several problems in one pass, snapshots that
 * rebuild the same set byte for byte, damaged snapshots, and allocation
 * failures.
 */
#include <string.h>

#include <json-c/json.h>

#include "testutil.h"
#include "sla.h"
#include "sha256.h"
#include "loadutil.h"

/* ---- helpers -------------------------------------------------------- */


static const char *dump(const problems *ps)
{
	static char out[16384];
	size_t o = 0;
	out[0] = '\0';
	for (size_t i = 0; i < ps->n; i++) {
		int n = snprintf(out + o, sizeof(out) - o, "  %s: %s\n",
				 ps->p[i].path, ps->p[i].msg);
		if (n < 0 || (size_t)n >= sizeof(out) - o)
			break;
		o += (size_t)n;
	}
	return out;
}

static long find(const problems *ps, const char *path, const char *needle)
{
	for (size_t i = 0; i < ps->n; i++)
		if (strcmp(ps->p[i].path, path) == 0 &&
		    strstr(ps->p[i].msg, needle))
			return (long)i;
	return -1;
}

#define EXPECT(ps, path, needle)                                        \
	ck_assert_msg(find((ps), (path), (needle)) >= 0,                \
		      "expected %s: ...%s...; got:\n%s", (path), (needle), \
		      dump(ps))

static void no_problem(void *ud, const char *path, const char *msg)
{
	(void)ud;
	ck_abort_msg("unexpected problem %s: %s", path, msg);
}

/* A small calendar: enough for working durations to be allowed. */
static const char CALENDAR[] =
	"{'version': 't-cal', 'utc_offset': '+08:00',"
	" 'working_periods': [['09:00', '12:00'], ['13:30', '17:30']],"
	" 'weekend': ['saturday', 'sunday'], 'years': [2026],"
	" 'holidays': ['2026-10-01/2026-10-07'], 'workdays': ['2026-10-10']}";

static struct json_object *calroot;
static gf__calendar *cal;

static void setup(void)
{
	calroot = parse_q(CALENDAR);
	ck_assert_int_eq(gf__cal_load(&cal, calroot, no_problem, NULL), 0);
}

static void teardown(void)
{
	gf__cal_free(cal);
	cal = NULL;
	json_object_put(calroot);
	calroot = NULL;
}

/* Loads q (single quotes for double) against the calendar when with_cal;
 * problems go to ps. Returns the set; *rc the result. */
static gf__sla *load(const char *q, int with_cal, problems *ps, int *rc)
{
	struct json_object *root = parse_q(q);
	gf__sla *s = NULL;
	memset(ps, 0, sizeof(*ps));
	*rc = gf__sla_load(&s, root, with_cal ? cal : NULL,
			   with_cal ? calroot : NULL, collect, ps);
	json_object_put(root);
	ck_assert_int_ne(*rc, GF_ENOMEM);
	ck_assert_ptr_nonnull(s);
	ck_assert_int_eq(*rc, (int)ps->n);
	return s;
}

static gf__sla *load_ok(const char *q, int with_cal)
{
	static problems ps;
	int rc;
	gf__sla *s = load(q, with_cal, &ps, &rc);
	ck_assert_msg(rc == 0, "problems:\n%s", dump(&ps));
	return s;
}

static const gf__sla_clock *clock_of(const gf__sla *s, const char *policy,
				     const char *name)
{
	const gf__sla_policy *p = gf__sla_policy_get(s, policy);
	ck_assert_msg(p != NULL, "no policy %s", policy);
	for (size_t i = 0; i < p->nclocks; i++)
		if (strcmp(p->clocks[i].name, name) == 0)
			return &p->clocks[i];
	ck_abort_msg("policy %s has no clock %s", policy, name);
	return NULL;
}

static void expect_dur(gf__duration d, gf__dur_unit unit, unsigned n)
{
	ck_assert_int_eq(d.unit, unit);
	ck_assert_uint_eq(d.n, n);
}

static void expect_step(const gf__sla_step *st, gf__step_when when,
			const char *text, gf__step_kind kind, gf__step_to to,
			int copy)
{
	ck_assert_int_eq(st->when, when);
	ck_assert_str_eq(st->text, text);
	ck_assert_int_eq(st->kind, kind);
	ck_assert_int_eq(st->to, to);
	ck_assert_int_eq(st->copy, copy);
}

/* The example of the spec (docs/formats.md). */
static const char SPEC_EXAMPLE[] =
	"{'version': '2026-11-23.1',\n"
	" 'defaults': {\n"
	"   'warn_ratio': 0.8,\n"
	"   'ladder': [\n"
	"     {'at': 'warning',  'do': 'notify',    'to': 'handler'},\n"
	"     {'at': 'due',      'do': 'urge',      'to': 'handler'},\n"
	"     {'at': 'due+1wd',  'do': 'supervise', 'to': 'supervisor'},\n"
	"     {'at': 'due+3wd',  'do': 'escalate',  'mode': 'reassign'}\n"
	"   ]\n"
	" },\n"
	" 'policies': {\n"
	"   'complaint': {\n"
	"     'name': '投诉举报类：15个工作日内办结（受理次日起算）',\n"
	"     'clocks': {\n"
	"       'sign':    {'due': '2wh'},\n"
	"       'resolve': {'due': '15wd',\n"
	"                   'extension': {'max': 1, 'longest': '15wd', "
	"'ask_before': '1wd',\n"
	"                                 'approver': 'command_centre'}}\n"
	"     }\n"
	"   },\n"
	"   'petition': {\n"
	"     'name': '信访事项：15日内决定是否受理，受理后60日内办结，可延长30日',\n"
	"     'clocks': {\n"
	"       'accept':  {'due': '15d'},\n"
	"       'resolve': {'due': '60d', 'from': 'signed',\n"
	"                   'extension': {'max': 1, 'longest': '30d', "
	"'approver': 'command_centre'}}\n"
	"     }\n"
	"   }\n"
	" }}";

static void expect_default_ladder(const gf__sla_clock *c)
{
	ck_assert_uint_eq(c->nsteps, 4);
	expect_step(&c->steps[0], GF__AT_WARNING, "warning", GF__STEP_NOTIFY,
		    GF__TO_HANDLER, 0);
	expect_step(&c->steps[1], GF__AT_DUE, "due", GF__STEP_URGE,
		    GF__TO_HANDLER, 0);
	expect_step(&c->steps[2], GF__AT_AFTER_DUE, "due+1wd",
		    GF__STEP_SUPERVISE, GF__TO_SUPERVISOR, 0);
	expect_dur(c->steps[2].after, GF__DUR_WORK_DAYS, 1);
	expect_step(&c->steps[3], GF__AT_AFTER_DUE, "due+3wd",
		    GF__STEP_ESCALATE, GF__TO_SUPERVISOR, 0);
	expect_dur(c->steps[3].after, GF__DUR_WORK_DAYS, 3);
}

/* ---- the spec's example ----------------------------------------------- */

START_TEST(spec_example)
{
	gf__sla *s = load_ok(SPEC_EXAMPLE, 1);
	ck_assert_str_eq(s->version, "2026-11-23.1");
	ck_assert_ptr_eq(s->cal, cal);
	ck_assert_ptr_null(s->own_cal);
	ck_assert_uint_eq(s->npolicies, 2);
	ck_assert_uint_eq(s->by_id.count, 2);
	/* file order */
	ck_assert_str_eq(s->policies[0].id, "complaint");
	ck_assert_str_eq(s->policies[1].id, "petition");
	ck_assert_ptr_eq(gf__sla_policy_get(s, "complaint"), &s->policies[0]);
	ck_assert_ptr_eq(gf__sla_policy_get(s, "petition"), &s->policies[1]);
	ck_assert_ptr_null(gf__sla_policy_get(s, "consult"));
	ck_assert_ptr_null(gf__sla_policy_get(s, ""));
	ck_assert_str_eq(s->policies[0].name,
			 "投诉举报类：15个工作日内办结（受理次日起算）");

	const gf__sla_policy *p = &s->policies[0];
	ck_assert_uint_eq(p->nclocks, 2);
	ck_assert_str_eq(p->clocks[0].name, "sign");
	ck_assert_str_eq(p->clocks[1].name, "resolve");

	const gf__sla_clock *c = clock_of(s, "complaint", "sign");
	expect_dur(c->due, GF__DUR_WORK_HOURS, 2);
	ck_assert_str_eq(c->due_text, "2wh");
	ck_assert_int_eq(c->from, GF__MS_DISPATCHED);
	ck_assert_int_eq(c->until, GF__MS_SIGNED);
	ck_assert(c->warn_ratio == 0.8);
	ck_assert_int_eq(c->pausable, 1);
	ck_assert_uint_eq(c->ext_max, 0);
	ck_assert_ptr_null(c->approver);
	ck_assert_int_eq(c->has_ask_before, 0);
	expect_default_ladder(c);

	c = clock_of(s, "complaint", "resolve");
	expect_dur(c->due, GF__DUR_WORK_DAYS, 15);
	ck_assert_str_eq(c->due_text, "15wd");
	ck_assert_int_eq(c->from, GF__MS_RECEIVED);
	ck_assert_int_eq(c->until, GF__MS_RESOLVED);
	ck_assert_uint_eq(c->ext_max, 1);
	expect_dur(c->ext_longest, GF__DUR_WORK_DAYS, 15);
	ck_assert_int_eq(c->has_ask_before, 1);
	expect_dur(c->ask_before, GF__DUR_WORK_DAYS, 1);
	ck_assert_str_eq(c->approver, "command_centre");
	expect_default_ladder(c);

	c = clock_of(s, "petition", "accept");
	expect_dur(c->due, GF__DUR_DAYS, 15);
	ck_assert_int_eq(c->from, GF__MS_RECEIVED);
	ck_assert_int_eq(c->until, GF__MS_SIGNED);
	ck_assert_uint_eq(c->ext_max, 0);
	expect_default_ladder(c);

	c = clock_of(s, "petition", "resolve");
	expect_dur(c->due, GF__DUR_DAYS, 60);
	ck_assert_int_eq(c->from, GF__MS_SIGNED);
	ck_assert_int_eq(c->until, GF__MS_RESOLVED); /* by the name */
	ck_assert_uint_eq(c->ext_max, 1);
	expect_dur(c->ext_longest, GF__DUR_DAYS, 30);
	ck_assert_int_eq(c->has_ask_before, 0);
	ck_assert_str_eq(c->approver, "command_centre");
	/* the steps' texts are each clock's own */
	ck_assert_ptr_ne(c->steps[0].text,
			 clock_of(s, "petition", "accept")->steps[0].text);

	/* the snapshot: the two roots, SHA-256 of the text */
	ck_assert_ptr_nonnull(s->text);
	ck_assert_uint_eq(strlen(s->text), s->text_len);
	ck_assert(strncmp(s->text, "{\"sla\":{\"version\":\"2026-11-23.1\"",
			  32) == 0);
	ck_assert_ptr_nonnull(strstr(s->text, ",\"calendar\":{\"version\":"
					      "\"t-cal\""));
	ck_assert_ptr_nonnull(strstr(s->text, "投诉举报类"));
	uint8_t d[32];
	gf__sha256(s->text, s->text_len, d);
	ck_assert_mem_eq(s->digest, d, 32);
	gf__sla_free(s);
}
END_TEST

START_TEST(defaults_and_overrides)
{
	gf__sla *s = load_ok(
		"{'policies': {\n"
		" 'a': {'clocks': {\n"
		"  'resolve': {'due': '3d', 'warn_ratio': null, 'ladder': [],\n"
		"              'pausable': false,\n"
		"              'extension': {'max': 3, 'longest': '2d',\n"
		"                            'ask_before': '4h',\n"
		"                            'approver': 'none'}},\n"
		"  'visit': {'due': '30m', 'from': 'dispatched',\n"
		"            'until': 'in_progress', 'warn_ratio': 0.5,\n"
		"            'ladder': [\n"
		"     {'at': 'warning', 'do': 'urge', 'to': 'supervisor'},\n"
		"     {'at': 'due', 'do': 'supervise', 'to': 'handler'},\n"
		"     {'at': 'due', 'do': 'notify'},\n"
		"     {'at': 'due+1d', 'do': 'escalate', 'mode': 'copy'},\n"
		"     {'at': 'due+20h', 'do': 'escalate'},\n"
		"     {'at': 'due+2d', 'do': 'escalate', 'to': 'handler',\n"
		"      'mode': 'reassign'}]},\n"
		"  'respond': {'due': '1h', 'until': 'resolved'},\n"
		"  'closing': {'due': '100000m', 'from': 'verified',\n"
		"              'until': 'closed',\n"
		"              'extension': {'longest': '1m'}}\n"
		" }},\n"
		" 'b': {'name': 'only a name'},\n"
		" 'c': {}}}",
		0);
	ck_assert_str_eq(s->version, "");
	ck_assert_uint_eq(s->npolicies, 3);

	const gf__sla_clock *c = clock_of(s, "a", "resolve");
	expect_dur(c->due, GF__DUR_DAYS, 3);
	ck_assert(c->warn_ratio == 0);
	ck_assert_uint_eq(c->nsteps, 0);
	ck_assert_int_eq(c->pausable, 0);
	ck_assert_uint_eq(c->ext_max, 3);
	expect_dur(c->ext_longest, GF__DUR_DAYS, 2);
	ck_assert_int_eq(c->has_ask_before, 1);
	expect_dur(c->ask_before, GF__DUR_HOURS, 4);
	ck_assert_ptr_null(c->approver); /* "none": granted as asked */

	c = clock_of(s, "a", "visit");
	ck_assert_int_eq(c->from, GF__MS_DISPATCHED);
	ck_assert_int_eq(c->until, GF__MS_IN_PROGRESS);
	ck_assert(c->warn_ratio == 0.5);
	ck_assert_int_eq(c->pausable, 1);
	ck_assert_uint_eq(c->ext_max, 0);
	ck_assert_uint_eq(c->nsteps, 6);
	expect_step(&c->steps[0], GF__AT_WARNING, "warning", GF__STEP_URGE,
		    GF__TO_SUPERVISOR, 0);
	expect_step(&c->steps[1], GF__AT_DUE, "due", GF__STEP_SUPERVISE,
		    GF__TO_HANDLER, 0);
	expect_step(&c->steps[2], GF__AT_DUE, "due", GF__STEP_NOTIFY,
		    GF__TO_HANDLER, 0);
	expect_step(&c->steps[3], GF__AT_AFTER_DUE, "due+1d",
		    GF__STEP_ESCALATE, GF__TO_SUPERVISOR, 1);
	expect_dur(c->steps[3].after, GF__DUR_DAYS, 1);
	/* different units are not compared */
	expect_step(&c->steps[4], GF__AT_AFTER_DUE, "due+20h",
		    GF__STEP_ESCALATE, GF__TO_SUPERVISOR, 0);
	expect_dur(c->steps[4].after, GF__DUR_HOURS, 20);
	expect_step(&c->steps[5], GF__AT_AFTER_DUE, "due+2d",
		    GF__STEP_ESCALATE, GF__TO_HANDLER, 0);

	/* from by the name, until given */
	c = clock_of(s, "a", "respond");
	ck_assert_int_eq(c->from, GF__MS_DISPATCHED);
	ck_assert_int_eq(c->until, GF__MS_RESOLVED);
	/* no defaults: no warning time, no ladder */
	ck_assert(c->warn_ratio == 0);
	ck_assert_uint_eq(c->nsteps, 0);

	c = clock_of(s, "a", "closing");
	expect_dur(c->due, GF__DUR_MINUTES, 100000);
	ck_assert_uint_eq(c->ext_max, 1);
	ck_assert_str_eq(c->approver, "command_centre");
	ck_assert_int_eq(c->has_ask_before, 0);

	const gf__sla_policy *p = gf__sla_policy_get(s, "b");
	ck_assert_str_eq(p->name, "only a name");
	ck_assert_uint_eq(p->nclocks, 0);
	p = gf__sla_policy_get(s, "c");
	ck_assert_str_eq(p->name, "");
	ck_assert_uint_eq(p->nclocks, 0);
	/* without a calendar the snapshot says so */
	ck_assert(s->text_len > 17);
	ck_assert_str_eq(s->text + s->text_len - 17, ",\"calendar\":null}");
	gf__sla_free(s);
}
END_TEST

/* A clock's own warn_ratio with the defaults' ladder, and the defaults'
 * ratio with its own ladder. */
START_TEST(defaults_mixed)
{
	gf__sla *s = load_ok(
		"{'defaults': {'ladder': [{'at': 'warning', 'do': 'notify'},"
		"                         {'at': 'due+2wh', 'do': 'urge'}]},"
		" 'policies': {'p': {'clocks': {"
		"  'sign': {'due': '1wd', 'warn_ratio': 0.25},"
		"  'resolve': {'due': '5wd', 'warn_ratio': 0.75,"
		"              'ladder': [{'at': 'due', 'do': 'escalate'}]"
		"}}}}}",
		1);
	const gf__sla_clock *c = clock_of(s, "p", "sign");
	ck_assert(c->warn_ratio == 0.25);
	ck_assert_uint_eq(c->nsteps, 2);
	expect_step(&c->steps[0], GF__AT_WARNING, "warning", GF__STEP_NOTIFY,
		    GF__TO_HANDLER, 0);
	expect_step(&c->steps[1], GF__AT_AFTER_DUE, "due+2wh", GF__STEP_URGE,
		    GF__TO_HANDLER, 0);
	expect_dur(c->steps[1].after, GF__DUR_WORK_HOURS, 2);
	c = clock_of(s, "p", "resolve");
	ck_assert(c->warn_ratio == 0.75);
	ck_assert_uint_eq(c->nsteps, 1);
	expect_step(&c->steps[0], GF__AT_DUE, "due", GF__STEP_ESCALATE,
		    GF__TO_SUPERVISOR, 0);
	gf__sla_free(s);

	/* the defaults' ratio, and null in the defaults */
	s = load_ok("{'defaults': {'warn_ratio': 0.9}, 'policies': {'p': "
		    "{'clocks': {'sign': {'due': '1h'}}}}}",
		    0);
	ck_assert(clock_of(s, "p", "sign")->warn_ratio == 0.9);
	gf__sla_free(s);
	s = load_ok("{'defaults': {'warn_ratio': null}, 'policies': {'p': "
		    "{'clocks': {'sign': {'due': '1h'}}}}}",
		    0);
	ck_assert(clock_of(s, "p", "sign")->warn_ratio == 0);
	gf__sla_free(s);
}
END_TEST

START_TEST(names)
{
	static const char *const ms[] = { "received",    "dispatched",
					  "signed",      "in_progress",
					  "resolved",    "verified",
					  "closed" };
	for (int i = 0; i < 7; i++)
		ck_assert_str_eq(gf__milestone_name((gf__milestone)(i + 1)),
				 ms[i]);
	ck_assert_ptr_null(gf__milestone_name(GF__MS_NONE));
	ck_assert_ptr_null(gf__milestone_name((gf__milestone)8));
	ck_assert_ptr_null(gf__milestone_name((gf__milestone)-1));
	ck_assert_str_eq(gf__step_name(GF__STEP_NOTIFY), "notify");
	ck_assert_str_eq(gf__step_name(GF__STEP_URGE), "urge");
	ck_assert_str_eq(gf__step_name(GF__STEP_SUPERVISE), "supervise");
	ck_assert_str_eq(gf__step_name(GF__STEP_ESCALATE), "escalate");
	ck_assert_ptr_null(gf__step_name((gf__step_kind)0));
	ck_assert_ptr_null(gf__step_name((gf__step_kind)5));
	ck_assert_ptr_null(gf__sla_policy_get(NULL, "a"));
	gf__sla_free(NULL);
	ck_assert_int_eq(gf__sla_load(NULL, NULL, NULL, NULL, NULL, NULL),
			 GF_EINVAL);
}
END_TEST

/* ---- problems ------------------------------------------------------- */

/* A policy "p" with the given clocks. */
#define POL(clocks) "{'policies': {'p': {'clocks': {" clocks "}}}}"
#define CLK "$.policies.p.clocks."
/* A resolve clock with the given ladder. */
#define LADDER(steps) POL("'resolve': {'due': '1d', 'warn_ratio': 0.5, " \
			  "'ladder': [" steps "]}")
#define LAD CLK "resolve.ladder"
#define EXT(ext) POL("'resolve': {'due': '1d', 'extension': " ext "}")
#define C9                                                              \
	"'c1': {'due': '1d', 'from': 'received', 'until': 'closed'},"  \
	"'c2': {'due': '1d', 'from': 'received', 'until': 'closed'},"  \
	"'c3': {'due': '1d', 'from': 'received', 'until': 'closed'},"  \
	"'c4': {'due': '1d', 'from': 'received', 'until': 'closed'},"  \
	"'c5': {'due': '1d', 'from': 'received', 'until': 'closed'},"  \
	"'c6': {'due': '1d', 'from': 'received', 'until': 'closed'},"  \
	"'c7': {'due': '1d', 'from': 'received', 'until': 'closed'},"  \
	"'c8': {'due': '1d', 'from': 'received', 'until': 'closed'},"  \
	"'c9': {'due': '1d', 'from': 'received', 'until': 'closed'}"
#define DUE "{'at': 'due', 'do': 'urge'}"
#define X64 "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"

static const struct bad_case {
	const char *json;
	int with_cal;
	const char *path;
	const char *needle;
} bad_cases[] = {
	/* the file */
	{ "[1]", 1, "$", "expected an object, got an array" },
	{ "{}", 1, "$.policies", "required field is missing" },
	{ "{'policies': []}", 1, "$.policies",
	  "expected an object of named policies, got an array" },
	{ "{'version': 3, 'policies': {}}", 1, "$.version",
	  "expected a string, got 3" },
	{ "{'defaults': [], 'policies': {}}", 1, "$.defaults",
	  "expected an object" },
	/* unknown fields: a typo is a problem, not a silent default */
	{ "{'policies': {}, 'polices': {}}", 1, "$.polices",
	  "unknown field: expected version, defaults, policies" },
	{ "{'defaults': {'warn': 0.5}, 'policies': {}}", 1, "$.defaults.warn",
	  "unknown field" },
	{ "{'policies': {'p': {'nmae': 'x'}}}", 1, "$.policies.p.nmae",
	  "unknown field: expected name, clocks" },
	{ POL("'sign': {'due': '1d', 'pausible': false}"), 1,
	  CLK "sign.pausible", "unknown field" },
	{ EXT("{'longest': '1d', 'approve': 'none'}"), 1,
	  CLK "resolve.extension.approve",
	  "expected max, longest, ask_before, approver" },
	{ POL("'sign': {'due': '1d', 'ladder': [{'at': 'due', 'do': 'urge', "
	      "'who': 'x'}]}"), 1, CLK "sign.ladder[0].who",
	  "expected at, do, to, mode" },
	/* policies */
	{ "{'policies': {'p': 3}}", 1, "$.policies.p",
	  "expected a policy object" },
	{ "{'policies': {'p': null}}", 1, "$.policies.p", "got null" },
	{ "{'policies': {'': {}}}", 1, "$.policies[\"\"]",
	  "must not be empty" },
	{ "{'policies': {'p': {'name': 7}}}", 1, "$.policies.p.name",
	  "expected a string, got 7" },
	{ "{'policies': {'p': {'clocks': []}}}", 1, "$.policies.p.clocks",
	  "expected an object of named clocks" },
	{ "{'policies': {'p': {'clocks': null}}}", 1, "$.policies.p.clocks",
	  "expected an object of named clocks, got null" },
	{ POL(C9), 1, "$.policies.p.clocks", "at most 8 clocks, got 9" },
	/* keys that are not plain names are quoted in paths */
	{ "{'policies': {'a.b': 1}}", 1, "$.policies[\"a.b\"]",
	  "expected a policy object" },
	{ "{'policies': {'投诉': 1}}", 1, "$.policies[\"投诉\"]",
	  "expected a policy object" },
	{ "{'policies': {'a\\\"b\\\\c\\u0001': 1}}", 1,
	  "$.policies[\"a\\\"b\\\\c\\u0001\"]", "expected a policy object" },
	{ "{'policies': {'" X64 "yz': 1}}", 1, "$.policies." X64 "...",
	  "expected a policy object" },
	/* clocks */
	{ POL("'sign': 5"), 1, CLK "sign", "expected a clock object" },
	{ POL("'Sign': {'due': '1d'}"), 1, CLK "Sign", "bad clock name" },
	{ POL("'" X64 "z': {'due': '1d'}"), 1, CLK X64 "...",
	  "bad clock name" },
	{ POL("'a b': {'due': '1d'}"), 1, "$.policies.p.clocks[\"a b\"]",
	  "bad clock name" },
	{ POL("'sign': {}"), 1, CLK "sign.due", "required field is missing" },
	{ POL("'sign': {'due': 5}"), 1, CLK "sign.due",
	  "expected a string, got 5" },
	{ POL("'sign': {'due': '2wk'}"), 1, CLK "sign.due",
	  "bad duration \"2wk\": expected N then a unit" },
	{ POL("'sign': {'due': '0h'}"), 1, CLK "sign.due", "bad duration" },
	{ POL("'sign': {'due': '100001m'}"), 1, CLK "sign.due",
	  "bad duration" },
	{ POL("'sign': {'due': '1d\\u0000'}"), 1, CLK "sign.due",
	  "must not contain a NUL" },
	{ POL("'resolve': {'due': '15wd'}"), 0, CLK "resolve.due",
	  "\"15wd\" counts working days: working durations need "
	  "calendar.json" },
	{ POL("'sign': {'due': '2wh'}"), 0, CLK "sign.due",
	  "counts working hours: working durations need calendar.json" },
	{ POL("'sign': {'due': '1d', 'from': 'started'}"), 1, CLK "sign.from",
	  "unknown milestone \"started\": expected received, dispatched" },
	{ POL("'sign': {'due': '1d', 'until': 3}"), 1, CLK "sign.until",
	  "expected a string, got 3" },
	{ POL("'x': {'due': '1d', 'from': 'resolved', 'until': 'signed'}"), 1,
	  CLK "x.until",
	  "until \"signed\" is not after from \"resolved\"" },
	{ POL("'x': {'due': '1d', 'from': 'signed', 'until': 'signed'}"), 1,
	  CLK "x.until", "is not after" },
	/* until by the name: the problem is at from */
	{ POL("'resolve': {'due': '60d', 'from': 'closed'}"), 1,
	  CLK "resolve.from",
	  "until \"resolved\" is not after from \"closed\"" },
	{ POL("'visit': {'due': '1d'}"), 1, CLK "visit",
	  "clock \"visit\" needs from and until" },
	{ POL("'visit': {'due': '1d', 'from': 'received'}"), 1, CLK "visit",
	  "clock \"visit\" needs from and until" },
	{ POL("'sign': {'due': '1d', 'warn_ratio': 1}"), 1,
	  CLK "sign.warn_ratio", "between 0 and 1 (both excluded)" },
	{ POL("'sign': {'due': '1d', 'warn_ratio': 0}"), 1,
	  CLK "sign.warn_ratio", "got 0" },
	{ POL("'sign': {'due': '1d', 'warn_ratio': 1.5}"), 1,
	  CLK "sign.warn_ratio", "got 1.5" },
	{ POL("'sign': {'due': '1d', 'warn_ratio': -0.5}"), 1,
	  CLK "sign.warn_ratio", "between 0 and 1" },
	{ POL("'sign': {'due': '1d', 'warn_ratio': '0.5'}"), 1,
	  CLK "sign.warn_ratio", "got \"0.5\"" },
	{ "{'defaults': {'warn_ratio': 1.0}, 'policies': {}}", 1,
	  "$.defaults.warn_ratio", "between 0 and 1" },
	{ POL("'sign': {'due': '1d', 'pausable': 'yes'}"), 1,
	  CLK "sign.pausable", "expected true or false" },
	/* extensions */
	{ EXT("true"), 1, CLK "resolve.extension", "expected an object" },
	{ EXT("{'max': 2}"), 1, CLK "resolve.extension.longest",
	  "required field is missing" },
	{ EXT("{'max': 0, 'longest': '1d'}"), 1, CLK "resolve.extension.max",
	  "expected an integer from 1 to 255, got 0" },
	{ EXT("{'max': 256, 'longest': '1d'}"), 1,
	  CLK "resolve.extension.max", "got 256" },
	{ EXT("{'max': 1.5, 'longest': '1d'}"), 1,
	  CLK "resolve.extension.max", "got 1.5" },
	{ EXT("{'max': '2', 'longest': '1d'}"), 1,
	  CLK "resolve.extension.max", "got \"2\"" },
	{ EXT("{'longest': 'forever'}"), 1, CLK "resolve.extension.longest",
	  "bad duration \"forever\"" },
	{ EXT("{'longest': '1wd'}"), 0, CLK "resolve.extension.longest",
	  "working durations need calendar.json" },
	{ EXT("{'longest': '1d', 'ask_before': '1y'}"), 1,
	  CLK "resolve.extension.ask_before", "bad duration \"1y\"" },
	{ EXT("{'longest': '1d', 'approver': ''}"), 1,
	  CLK "resolve.extension.approver", "or \"none\"" },
	{ EXT("{'longest': '1d', 'approver': 5}"), 1,
	  CLK "resolve.extension.approver", "expected a string" },
	/* ladders */
	{ POL("'resolve': {'due': '1d', 'ladder': {}}"), 1,
	  CLK "resolve.ladder", "expected an array of steps, got an object" },
	{ LADDER(DUE "," DUE "," DUE "," DUE "," DUE "," DUE "," DUE
		 "," DUE "," DUE),
	  1, LAD, "at most 8 steps, got 9" },
	{ LADDER("3"), 1, LAD "[0]", "expected a step object" },
	{ LADDER("{'do': 'urge'}"), 1, LAD "[0].at",
	  "required field is missing" },
	{ LADDER("{'at': 'due'}"), 1, LAD "[0].do",
	  "required field is missing" },
	{ LADDER("{'at': 'later', 'do': 'urge'}"), 1, LAD "[0].at",
	  "bad time \"later\": expected \"warning\", \"due\" or "
	  "\"due+DURATION\"" },
	{ LADDER("{'at': 'due+', 'do': 'urge'}"), 1, LAD "[0].at",
	  "bad time \"due+\"" },
	{ LADDER("{'at': 'due+1wk', 'do': 'urge'}"), 1, LAD "[0].at",
	  "bad time \"due+1wk\": after \"due+\" comes a duration: N then a "
	  "unit" },
	{ LADDER("{'at': 'due+1wd', 'do': 'urge'}"), 0, LAD "[0].at",
	  "\"due+1wd\" counts working days: working durations need "
	  "calendar.json" },
	{ LADDER("{'at': 'due', 'do': 'shout'}"), 1, LAD "[0].do",
	  "unknown step \"shout\": expected notify, urge, supervise or "
	  "escalate" },
	{ LADDER("{'at': 'due', 'do': 'urge', 'to': 'boss'}"), 1,
	  LAD "[0].to", "unknown target \"boss\"" },
	{ LADDER("{'at': 'due', 'do': 'urge', 'mode': 'copy'}"), 1,
	  LAD "[0].mode",
	  "mode is for \"escalate\" steps only, and this step is \"urge\"" },
	{ LADDER("{'at': 'due', 'do': 'escalate', 'mode': 'move'}"), 1,
	  LAD "[0].mode", "unknown mode \"move\"" },
	/* time order, at the later step */
	{ LADDER(DUE ", {'at': 'warning', 'do': 'notify'}"), 1,
	  LAD "[1].at",
	  "\"warning\" comes after " LAD "[0] at \"due\": steps must be in "
	  "time order" },
	{ LADDER("{'at': 'due+1h', 'do': 'urge'}, " DUE), 1, LAD "[1].at",
	  "\"due\" comes after " LAD "[0] at \"due+1h\"" },
	{ LADDER("{'at': 'due+2wd', 'do': 'urge'}, {'at': 'due+4h', 'do': "
		 "'urge'}, {'at': 'due+1wd', 'do': 'escalate'}"),
	  1, LAD "[2].at",
	  "\"due+1wd\" is not later than " LAD "[0] at \"due+2wd\"" },
	{ LADDER("{'at': 'due+1d', 'do': 'urge'}, {'at': 'due+1d', 'do': "
		 "'escalate'}"),
	  1, LAD "[1].at", "is not later than" },
	{ "{'defaults': {'ladder': [" DUE ", {'at': 'warning', 'do': "
	  "'notify'}]}, 'policies': {}}",
	  1, "$.defaults.ladder[1].at", "comes after" },
	/* warning steps need a warning time */
	{ POL("'sign': {'due': '1d', 'ladder': [{'at': 'warning', 'do': "
	      "'notify'}]}"),
	  1, CLK "sign.ladder[0].at", "this clock has no warn_ratio" },
	{ "{'defaults': {'warn_ratio': 0.8}, 'policies': {'p': {'clocks': "
	  "{'sign': {'due': '1d', 'warn_ratio': null, 'ladder': [{'at': "
	  "'warning', 'do': 'notify'}]}}}}}",
	  1, CLK "sign.ladder[0].at", "this clock has no warn_ratio" },
	{ "{'defaults': {'ladder': [" DUE ", {'at': 'due+1h', 'do': "
	  "'escalate'}, {'at': 'warning', 'do': 'notify'}]}, 'policies': {}}",
	  1, "$.defaults.ladder[2].at", "comes after" },
	{ "{'defaults': {'ladder': [{'at': 'warning', 'do': 'notify'}]},"
	  " 'policies': {'p': {'clocks': {'sign': {'due': '1d'}}}}}",
	  1, CLK "sign.warn_ratio",
	  "the ladder this clock takes from $.defaults "
	  "($.defaults.ladder[0])" },
	{ "{'defaults': {'warn_ratio': 0.8, 'ladder': [" DUE ", {'at': "
	  "'warning', 'do': 'notify'}]}, 'policies': {'p': {'clocks': "
	  "{'sign': {'due': '1d', 'warn_ratio': null}}}}}",
	  1, "$.defaults.ladder[1].at", "comes after" },
	{ "{'defaults': {'warn_ratio': 0.8, 'ladder': [{'at': 'warning', "
	  "'do': 'notify'}]}, 'policies': {'p': {'clocks': "
	  "{'sign': {'due': '1d', 'warn_ratio': null}}}}}",
	  1, CLK "sign.warn_ratio",
	  "null leaves this clock no warning time" },
};

START_TEST(bad_input)
{
	const struct bad_case *bc = &bad_cases[_i];
	problems ps;
	int rc;
	gf__sla *s = load(bc->json, bc->with_cal, &ps, &rc);
	ck_assert_msg(ps.n == 1 && strcmp(ps.p[0].path, bc->path) == 0 &&
			      strstr(ps.p[0].msg, bc->needle) != NULL,
		      "case %d %s:\nexpected one problem %s: ...%s...\n"
		      "got:\n%s",
		      _i, bc->json, bc->path, bc->needle, dump(&ps));
	ck_assert_int_eq(rc, 1);
	/* built anyway: the caller may show it */
	ck_assert_ptr_nonnull(s->text);
	ck_assert_ptr_nonnull(s->version);
	gf__sla_free(s);
}
END_TEST

START_TEST(many_problems_one_pass)
{
	problems ps;
	int rc;
	gf__sla *s = load(
		"{'version': 1,\n"
		" 'defaults': {'warn_ratio': 2,\n"
		"   'ladder': [{'at': 'due+1wd', 'do': 'notify'},\n"
		"              {'at': 'due', 'do': 'poke', 'mode': 'copy'}]},\n"
		" 'policies': {\n"
		"  'complaint': {'clocks': {\n"
		"    'sign': {'due': '2wk', 'from': 'nowhere'},\n"
		"    'resolve': {'due': '15wd', 'warn_ratio': 0,\n"
		"      'extension': {'max': 0},\n"
		"      'ladder': [{'at': 'soon', 'do': 'urge',\n"
		"                  'mode': 'x'}]},\n"
		"    'visit': {'due': '1h'}}},\n"
		"  'bad': [],\n"
		"  'fine': {'name': 'ok'}}}",
		0, &ps, &rc);
	EXPECT(&ps, "$.version", "expected a string");
	EXPECT(&ps, "$.defaults.warn_ratio", "got 2");
	EXPECT(&ps, "$.defaults.ladder[0].at",
	       "working durations need calendar.json");
	EXPECT(&ps, "$.defaults.ladder[1].do", "unknown step \"poke\"");
	/* a working duration with no calendar is still a time to order */
	EXPECT(&ps, "$.defaults.ladder[1].at",
	       "\"due\" comes after $.defaults.ladder[0] at \"due+1wd\"");
	EXPECT(&ps, "$.policies.complaint.clocks.sign.due",
	       "bad duration \"2wk\"");
	EXPECT(&ps, "$.policies.complaint.clocks.sign.from",
	       "unknown milestone \"nowhere\"");
	EXPECT(&ps, "$.policies.complaint.clocks.resolve.due",
	       "working durations need calendar.json");
	EXPECT(&ps, "$.policies.complaint.clocks.resolve.warn_ratio",
	       "got 0");
	EXPECT(&ps, "$.policies.complaint.clocks.resolve.extension.max",
	       "got 0");
	EXPECT(&ps, "$.policies.complaint.clocks.resolve.extension.longest",
	       "required field is missing");
	EXPECT(&ps, "$.policies.complaint.clocks.resolve.ladder[0].at",
	       "bad time \"soon\"");
	EXPECT(&ps, "$.policies.complaint.clocks.resolve.ladder[0].mode",
	       "mode is for \"escalate\" steps only");
	EXPECT(&ps, "$.policies.complaint.clocks.visit",
	       "clock \"visit\" needs from and until");
	EXPECT(&ps, "$.policies.bad", "expected a policy object");
	ck_assert_msg(ps.n == 15, "got:\n%s", dump(&ps));
	ck_assert_int_eq(rc, 15);
	/* in the order of the file */
	ck_assert_str_eq(ps.p[0].path, "$.version");
	ck_assert_str_eq(ps.p[14].path, "$.policies.bad");
	/* the policies that are objects are there, for the names rules
	 * refer to */
	ck_assert_uint_eq(s->npolicies, 2);
	ck_assert_ptr_nonnull(gf__sla_policy_get(s, "complaint"));
	ck_assert_ptr_nonnull(gf__sla_policy_get(s, "fine"));
	ck_assert_ptr_null(gf__sla_policy_get(s, "bad"));
	gf__sla_free(s);

	/* no reporter: still counted */
	struct json_object *root = parse_q("{'policies': {'a': 1, 'b': 2}}");
	ck_assert_int_eq(gf__sla_load(&s, root, NULL, NULL, NULL, NULL), 2);
	gf__sla_free(s);
	json_object_put(root);
}
END_TEST

/* ---- snapshots ------------------------------------------------------ */

static void expect_same_step(const gf__sla_step *a, const gf__sla_step *b)
{
	ck_assert_int_eq(a->when, b->when);
	ck_assert_int_eq(a->after.unit, b->after.unit);
	ck_assert_uint_eq(a->after.n, b->after.n);
	ck_assert_int_eq(a->kind, b->kind);
	ck_assert_int_eq(a->to, b->to);
	ck_assert_int_eq(a->copy, b->copy);
	ck_assert_str_eq(a->text, b->text);
}

static void expect_same_set(const gf__sla *a, const gf__sla *b)
{
	ck_assert_str_eq(a->version, b->version);
	ck_assert_uint_eq(a->npolicies, b->npolicies);
	for (size_t i = 0; i < a->npolicies; i++) {
		const gf__sla_policy *p = &a->policies[i], *q = &b->policies[i];
		ck_assert_str_eq(p->id, q->id);
		ck_assert_str_eq(p->name, q->name);
		ck_assert_ptr_eq(gf__sla_policy_get(b, p->id), q);
		ck_assert_uint_eq(p->nclocks, q->nclocks);
		for (size_t k = 0; k < p->nclocks; k++) {
			const gf__sla_clock *c = &p->clocks[k];
			const gf__sla_clock *d = &q->clocks[k];
			ck_assert_str_eq(c->name, d->name);
			ck_assert_str_eq(c->due_text, d->due_text);
			ck_assert_int_eq(c->due.unit, d->due.unit);
			ck_assert_uint_eq(c->due.n, d->due.n);
			ck_assert_int_eq(c->from, d->from);
			ck_assert_int_eq(c->until, d->until);
			ck_assert(c->warn_ratio == d->warn_ratio);
			ck_assert_int_eq(c->pausable, d->pausable);
			ck_assert_uint_eq(c->ext_max, d->ext_max);
			ck_assert_int_eq(c->ext_longest.unit,
					 d->ext_longest.unit);
			ck_assert_uint_eq(c->ext_longest.n, d->ext_longest.n);
			ck_assert_int_eq(c->has_ask_before, d->has_ask_before);
			ck_assert_int_eq(c->ask_before.unit,
					 d->ask_before.unit);
			ck_assert_uint_eq(c->ask_before.n, d->ask_before.n);
			if (c->approver)
				ck_assert_str_eq(c->approver, d->approver);
			else
				ck_assert_ptr_null(d->approver);
			ck_assert_uint_eq(c->nsteps, d->nsteps);
			for (size_t j = 0; j < c->nsteps; j++)
				expect_same_step(&c->steps[j], &d->steps[j]);
		}
	}
	ck_assert_uint_eq(a->text_len, b->text_len);
	ck_assert_mem_eq(a->text, b->text, a->text_len);
	ck_assert_mem_eq(a->digest, b->digest, 32);
}

static gf_time T(const char *s)
{
	gf_time t;
	ck_assert_int_eq(gf_time_parse(&t, NULL, s, strlen(s)), GF_OK);
	return t;
}

START_TEST(snapshot_round_trip)
{
	gf__sla *a = load_ok(SPEC_EXAMPLE, 1);
	gf__sla *b = NULL;
	ck_assert_int_eq(gf__sla_from_snapshot(&b, a->text, a->text_len),
			 GF_OK);
	expect_same_set(a, b);
	/* the rebuilt set owns its calendar, and it counts the same */
	ck_assert_ptr_nonnull(b->own_cal);
	ck_assert_ptr_eq(b->cal, b->own_cal);
	gf_time d1, d2, t = T("2026-09-30T10:00:00+08:00");
	gf__duration dur = clock_of(b, "complaint", "resolve")->due;
	ck_assert_int_eq(gf__cal_add(cal, t, dur, &d1), GF_OK);
	ck_assert_int_eq(gf__cal_add(b->cal, t, dur, &d2), GF_OK);
	ck_assert_int_eq(d1, d2);
	ck_assert_int_eq(d1, T("2026-10-27T17:30:00+08:00"));

	/* and again from the rebuilt one */
	gf__sla *c = NULL;
	ck_assert_int_eq(gf__sla_from_snapshot(&c, b->text, b->text_len),
			 GF_OK);
	expect_same_set(a, c);
	gf__sla_free(c);
	gf__sla_free(b);

	/* json-c writes a parsed snapshot back byte for byte: what lets
	 * the configuration's set and a rebuilt one share a digest */
	struct json_object *top = json_tokener_parse(a->text), *sla, *cr;
	ck_assert_ptr_nonnull(top);
	ck_assert(json_object_object_get_ex(top, "sla", &sla));
	ck_assert(json_object_object_get_ex(top, "calendar", &cr));
	gf__calendar *cal2;
	ck_assert_int_eq(gf__cal_load(&cal2, cr, no_problem, NULL), 0);
	ck_assert_int_eq(gf__sla_load(&c, sla, cal2, cr, no_problem, NULL), 0);
	expect_same_set(a, c);
	gf__sla_free(c);
	gf__cal_free(cal2);
	json_object_put(top);
	gf__sla_free(a);

	/* without a calendar, and with numbers, escapes and a duplicate
	 * key in the source */
	a = load_ok("{'policies': {'p\\/q': {'name': 'a\\u00e9\\\"\\n\\t/',"
		    "  'clocks': {'sign': {'due': '1h', 'warn_ratio': 0.1e1,"
		    "   'warn_ratio': 0.333333333333333314829616256247,"
		    "   'extension': {'max': 2, 'longest': '1h'}}}},"
		    "  'n': {'name': 'n', 'clocks': {}}},"
		    " 'version': 'v\\u4e00'}",
		    0);
	ck_assert(clock_of(a, "p/q", "sign")->warn_ratio > 0.3333);
	ck_assert_int_eq(gf__sla_from_snapshot(&b, a->text, a->text_len),
			 GF_OK);
	ck_assert_ptr_null(b->own_cal);
	ck_assert_ptr_null(b->cal);
	expect_same_set(a, b);
	gf__sla_free(b);
	gf__sla_free(a);
}
END_TEST

/* A snapshot is known by the digest of the bytes stored: text written
 * otherwise (another json-c, spaces) is kept as it was given. */
START_TEST(snapshot_verbatim)
{
	static const char text[] =
		"{ \"sla\" : {\"policies\": {\"p\": {\"clocks\": "
		"{\"sign\": {\"due\": \"2wh\"}}}}},\n"
		"  \"calendar\": {\"utc_offset\": \"+08:00\", "
		"\"working_periods\": [[\"09:00\", \"17:00\"]], "
		"\"weekend\": [], "
		"\"years\": [2026], \"holidays\": [], \"workdays\": []} }";
	gf__sla *s;
	ck_assert_int_eq(gf__sla_from_snapshot(&s, text, strlen(text)), GF_OK);
	ck_assert_uint_eq(s->text_len, strlen(text));
	ck_assert_mem_eq(s->text, text, strlen(text));
	uint8_t d[32];
	gf__sha256(text, strlen(text), d);
	ck_assert_mem_eq(s->digest, d, 32);
	expect_dur(clock_of(s, "p", "sign")->due, GF__DUR_WORK_HOURS, 2);
	gf__sla_free(s);
}
END_TEST

START_TEST(snapshot_corrupt)
{
	static const char *const bad[] = {
		"garbage",
		"{",
		"[]",
		"null",
		"{\"sla\": {\"policies\": {}}}",
		"{\"calendar\": null}",
		"{\"sla\": {\"policies\": {}}, \"calendar\": null, \"x\": 1}",
		"{\"sla\": {\"policies\": {}}, \"calendar\": null} x",
		"{\"sla\": {\"policies\": {}}, \"calendar\": null}{}",
		"{\"sla\": {\"policies\": {\"p\": 3}}, \"calendar\": null}",
		"{\"sla\": null, \"calendar\": null}",
		/* working time with no calendar */
		"{\"sla\": {\"policies\": {\"p\": {\"clocks\": {\"sign\": "
		"{\"due\": \"2wh\"}}}}}, \"calendar\": null}",
		/* a calendar with problems */
		"{\"sla\": {\"policies\": {}}, \"calendar\": {}}",
		"{\"sla\": {\"policies\": {}}, \"calendar\": 3}",
		/* not UTF-8 */
		"{\"sla\": {\"version\": \"\xff\", \"policies\": {}}, "
		"\"calendar\": null}",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		gf__sla *s = (gf__sla *)1;
		int rc = gf__sla_from_snapshot(&s, bad[i], strlen(bad[i]));
		ck_assert_msg(rc == GF_ECORRUPT, "%s: rc %d", bad[i], rc);
		ck_assert_ptr_null(s);
	}
	/* the text's length, not a NUL, ends it */
	gf__sla *a = load_ok(SPEC_EXAMPLE, 1), *s;
	ck_assert_int_eq(gf__sla_from_snapshot(&s, a->text, a->text_len - 1),
			 GF_ECORRUPT);
	ck_assert_int_eq(gf__sla_from_snapshot(&s, a->text, 0), GF_ECORRUPT);
	ck_assert_int_eq(gf__sla_from_snapshot(&s, NULL, 0), GF_ECORRUPT);
	ck_assert_int_eq(gf__sla_from_snapshot(&s, NULL, 5), GF_EINVAL);
	ck_assert_int_eq(gf__sla_from_snapshot(NULL, a->text, a->text_len),
			 GF_EINVAL);
	gf__sla_free(a);
}
END_TEST

/* ---- the example configuration --------------------------------------- */

START_TEST(example_config)
{
	struct json_object *root =
		json_object_from_file(GF_TEST_EXAMPLE_CONFIG "/sla.json");
	struct json_object *cr =
		json_object_from_file(GF_TEST_EXAMPLE_CONFIG "/calendar.json");
	ck_assert_ptr_nonnull(root);
	ck_assert_ptr_nonnull(cr);
	gf__calendar *c;
	gf__sla *s;
	ck_assert_int_eq(gf__cal_load(&c, cr, no_problem, NULL), 0);
	ck_assert_int_eq(gf__sla_load(&s, root, c, cr, no_problem, NULL), 0);
	ck_assert_uint_gt(s->npolicies, 0);
	ck_assert_ptr_nonnull(gf__sla_policy_get(s, "complaint"));
	gf__sla_free(s);
	gf__cal_free(c);
	json_object_put(root);
	json_object_put(cr);
}
END_TEST

/* ---- allocation failures -------------------------------------------- */

static long alloc_count, fail_at = -1;

static int alloc_fails(void)
{
	return alloc_count++ == fail_at;
}

static void *fail_malloc(size_t n)
{
	return alloc_fails() ? NULL : malloc(n);
}

static void *fail_calloc(size_t n, size_t s)
{
	return alloc_fails() ? NULL : calloc(n, s);
}

static void *fail_realloc(void *p, size_t n)
{
	return alloc_fails() ? NULL : realloc(p, n);
}

START_TEST(out_of_memory)
{
	/* Each allocation in turn fails: GF_ENOMEM with nothing set, or
	 * the same answer as with memory (valgrind and ASan see leaks). */
	gf__sla *want = load_ok(SPEC_EXAMPLE, 1);
	struct json_object *root = parse_q(SPEC_EXAMPLE);
	struct json_object *bad = parse_q(
		"{'policies': {'p': {'clocks': {'sign': {'due': '2x'},"
		" 'resolve': {'due': '1d', 'extension': {'max': 0}}}},"
		" 'q': 1}}");
	ck_assert_int_eq(gf_set_allocator(fail_malloc, fail_calloc,
					  fail_realloc, free),
			 GF_OK);
	long injected[3] = { 0, 0, 0 };
	for (int which = 0; which < 3; which++) {
		for (fail_at = 0;; fail_at++) {
			gf__sla *s = (gf__sla *)1;
			int rc;
			alloc_count = 0;
			if (which == 0)
				rc = gf__sla_load(&s, root, cal, calroot, NULL,
						  NULL);
			else if (which == 1)
				rc = gf__sla_load(&s, bad, NULL, NULL, NULL,
						  NULL);
			else
				rc = gf__sla_from_snapshot(&s, want->text,
							   want->text_len);
			if (rc == GF_ENOMEM) {
				ck_assert(alloc_count > fail_at);
				ck_assert_ptr_null(s);
				injected[which]++;
				continue;
			}
			ck_assert_msg(alloc_count <= fail_at,
				      "allocation %ld failed unnoticed",
				      fail_at);
			ck_assert_int_eq(rc, which == 1 ? 4 : 0);
			if (which != 1)
				expect_same_set(want, s);
			gf__sla_free(s);
			break;
		}
	}
	fail_at = -1;
	ck_assert_int_eq(gf_set_allocator(malloc, calloc, realloc, free),
			 GF_OK);
	ck_assert_int_gt(injected[0], 30);
	ck_assert_int_gt(injected[1], 5);
	ck_assert_int_gt(injected[2], injected[0]);
	json_object_put(root);
	json_object_put(bad);
	gf__sla_free(want);
}
END_TEST

static Suite *make_suite(void)
{
	Suite *s = suite_create("sla");
	TCase *tc = tcase_create("loading");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, spec_example);
	tcase_add_test(tc, defaults_and_overrides);
	tcase_add_test(tc, defaults_mixed);
	tcase_add_test(tc, names);
	tcase_add_test(tc, example_config);
	suite_add_tcase(s, tc);

	tc = tcase_create("problems");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_loop_test(tc, bad_input, 0,
			    (int)(sizeof(bad_cases) / sizeof(bad_cases[0])));
	tcase_add_test(tc, many_problems_one_pass);
	suite_add_tcase(s, tc);

	tc = tcase_create("snapshots");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, snapshot_round_trip);
	tcase_add_test(tc, snapshot_verbatim);
	tcase_add_test(tc, snapshot_corrupt);
	tcase_add_test(tc, out_of_memory);
	suite_add_tcase(s, tc);
	return s;
}

GF_TEST_MAIN
