/*
 * check_rules.c - rules.json (docs/formats.md): every condition, hit
 * policy and target kind, filling across tables, returns, explain, every
 * load problem with its exact path, the check-time warnings, the example
 * directory, and allocation failures.
 *
 * Rule and directory texts are written with single quotes and turned
 * into JSON by dq(), so that they stay readable.
 */
#include <string.h>
#include <sys/stat.h>

#include <json-c/json.h>

#include "testutil.h"
#include "rules.h"
#include "config.h"
#include "calendar.h"

/* Regions in this order decide the examples of the role warnings. */
static const char DIR_Q[] =
	"{'version': 't-1',"
	" 'regions': ["
	"  {'code': '320500000000', 'name': '苏州市'},"
	"  {'code': '320506000000', 'name': '吴中区'},"
	"  {'code': '320505000000', 'name': '虎丘区'},"
	"  {'code': '320506001000', 'name': '长桥街道'},"
	"  {'code': '320506103000', 'name': '木渎镇'},"
	"  {'code': '320505001000', 'name': '横塘街道'},"
	"  {'code': '320506001003', 'name': '某社区'},"
	"  {'code': '320506001012', 'name': '另一社区'},"
	"  {'code': '320506103201', 'name': '木渎村'},"
	"  {'code': '320505001002', 'name': '横塘社区'}"
	" ],"
	" 'departments': ["
	"  {'id': 'sz-zhzx', 'name': '指挥中心', 'region': '320500000000', 'function': 'command_centre'},"
	"  {'id': 'sz-cg', 'name': '市城管局', 'region': '320500000000', 'function': 'urban_mgmt'},"
	"  {'id': 'sz-hb', 'name': '市生态环境局', 'region': '320500000000', 'function': 'environment'},"
	"  {'id': 'wz-ga', 'name': '吴中公安分局', 'region': '320506000000', 'function': 'police'},"
	"  {'id': 'hq-ga', 'name': '虎丘公安分局', 'region': '320505000000', 'function': 'police'},"
	"  {'id': 'wz-rs', 'name': '吴中人社局', 'region': '320506000000', 'function': 'labour'},"
	"  {'id': 'cq-cg', 'name': '长桥城管', 'region': '320506001000', 'function': 'urban_mgmt'},"
	"  {'id': 'cq-cg2', 'name': '长桥城管二中队', 'region': '320506001000', 'function': 'urban_mgmt'},"
	"  {'id': 'md-cg', 'name': '木渎城管', 'region': '320506103000', 'function': 'urban_mgmt'},"
	"  {'id': 'ht-cg', 'name': '横塘城管', 'region': '320505001000', 'function': 'urban_mgmt'},"
	"  {'id': 'cq-fire', 'name': '长桥消防站', 'region': '320506001000', 'function': 'fire'},"
	"  {'id': 'cq-yj', 'name': '长桥应急', 'region': '320506001000', 'function': 'emergency'},"
	"  {'id': 'md-yj', 'name': '木渎应急', 'region': '320506103000', 'function': 'emergency'},"
	"  {'id': 'v003-jw', 'name': '某社区居委会', 'region': '320506001003', 'function': 'village_committee'},"
	"  {'id': 'v201-jw', 'name': '木渎村委会', 'region': '320506103201', 'function': 'village_committee'}"
	" ],"
	" 'categories': ["
	"  {'code': 'city', 'name': '城市管理'},"
	"  {'code': 'city.env', 'name': '环境'},"
	"  {'code': 'city.env.garbage', 'name': '垃圾'},"
	"  {'code': 'city.environment', 'name': '市容环境'},"
	"  {'code': 'city.environment.garbage', 'name': '垃圾堆积'},"
	"  {'code': 'city.construction', 'name': '施工管理'},"
	"  {'code': 'city.construction.night_noise', 'name': '夜间施工'},"
	"  {'code': 'dispute', 'name': '矛盾纠纷'},"
	"  {'code': 'dispute.07', 'name': '劳动人事'},"
	"  {'code': 'safety', 'name': '安全'},"
	"  {'code': 'safety.gas', 'name': '燃气'}"
	" ]}";

/* Village codes of the small directory. */
#define V_CQ "320506001003"     /* 长桥街道 某社区: has a committee */
#define V_CQ2 "320506001012"    /* 长桥街道 另一社区: has none */
#define V_MD "320506103201"     /* 木渎镇 木渎村 */
#define V_HT "320505001002"     /* 虎丘区 横塘街道 横塘社区 */

static gf__dir dir;

/* ---- helpers -------------------------------------------------------- */

/* s with every ' turned into ", in memory the caller frees. */
static char *dq(const char *s)
{
	size_t n = strlen(s);
	char *d = malloc(n + 1);
	ck_assert_ptr_nonnull(d);
	for (size_t i = 0; i <= n; i++)
		d[i] = s[i] == '\'' ? '"' : s[i];
	return d;
}

static struct json_object *parse_q(const char *q)
{
	char *j = dq(q);
	struct json_object *root = json_tokener_parse(j);
	ck_assert_msg(root != NULL, "test JSON does not parse: %s", j);
	free(j);
	return root;
}

static void dir_problem(void *ud, const char *path, const char *msg)
{
	(void)ud;
	ck_abort_msg("directory problem %s: %s", path, msg);
}

static void load_dir(gf__dir *d, struct json_object *root)
{
	gf__dir_init(d);
	ck_assert_int_eq(gf__dir_load(d, root, dir_problem, NULL), 0);
	json_object_put(root);
}

static void setup(void)
{
	load_dir(&dir, parse_q(DIR_Q));
}

static void teardown(void)
{
	gf__dir_free(&dir);
}

#define MAX_PROBLEMS 64

typedef struct problems {
	size_t n;
	struct {
		char path[160];
		char msg[640];
		int warning;
	} p[MAX_PROBLEMS];
	int errors, warnings;
} problems;

static void collect(void *ud, const char *path, const char *msg, int warning)
{
	problems *ps = ud;
	if (warning)
		ps->warnings++;
	else
		ps->errors++;
	if (ps->n == MAX_PROBLEMS)
		return;
	snprintf(ps->p[ps->n].path, sizeof(ps->p[0].path), "%s", path);
	snprintf(ps->p[ps->n].msg, sizeof(ps->p[0].msg), "%s", msg);
	ps->p[ps->n].warning = warning;
	ps->n++;
}

static const char *dump(const problems *ps)
{
	static char out[16384];
	size_t o = 0;
	out[0] = '\0';
	for (size_t i = 0; i < ps->n; i++) {
		int w = snprintf(out + o, sizeof(out) - o, "  %s %s: %s\n",
				 ps->p[i].warning ? "warning" : "error",
				 ps->p[i].path, ps->p[i].msg);
		if (w < 0 || (size_t)w >= sizeof(out) - o)
			break;
		o += (size_t)w;
	}
	return out;
}

static int has_problem(const problems *ps, int warning, const char *path,
		       const char *needle)
{
	for (size_t i = 0; i < ps->n; i++)
		if (ps->p[i].warning == warning &&
		    strcmp(ps->p[i].path, path) == 0 &&
		    strstr(ps->p[i].msg, needle))
			return 1;
	return 0;
}

#define EXPECT_ERROR(ps, path, needle)                                     \
	ck_assert_msg(has_problem(ps, 0, path, needle),                     \
		      "expected error %s: ...%s...; got:\n%s", path, needle, \
		      dump(ps))
#define EXPECT_WARNING(ps, path, needle)                                   \
	ck_assert_msg(has_problem(ps, 1, path, needle),                     \
		      "expected warning %s: ...%s...; got:\n%s", path,       \
		      needle, dump(ps))

static const char *const SLAS[] = { "emergency", "consult" };

static gf__ruleset *load_with(const gf__dir *d, const char *q, int sla_present,
			      problems *ps, int *rc)
{
	struct json_object *root = parse_q(q);
	gf__ruleset *rs = NULL;
	memset(ps, 0, sizeof(*ps));
	*rc = gf__rules_load(&rs, root, d, NULL, SLAS, 2, sla_present, collect, ps);
	json_object_put(root);
	ck_assert_int_ne(*rc, GF_ENOMEM);
	ck_assert_ptr_nonnull(rs);
	ck_assert_int_eq(*rc, ps->errors);
	return rs;
}

/* Rules that must load without errors (warnings allowed). */
static gf__ruleset *rules_ok(const char *q)
{
	problems ps;
	int rc;
	gf__ruleset *rs = load_with(&dir, q, 1, &ps, &rc);
	ck_assert_msg(rc == 0, "rules should load; got:\n%s", dump(&ps));
	return rs;
}

/* Rules with exactly `errors` errors; the problems are left in ps. */
static void rules_bad(const char *q, int errors, problems *ps)
{
	int rc;
	gf__ruleset *rs = load_with(&dir, q, 1, ps, &rc);
	ck_assert_msg(rc == errors, "expected %d errors, got %d:\n%s", errors,
		      rc, dump(ps));
	gf__rules_free(rs);
}

/* One table of one policy around the given rules. */
#define TABLE(policy, rules)                                               \
	"{'tables': [{'id': 't', 'hit_policy': '" policy "', 'rules': ["   \
	rules "]}]}"

/* An event under construction; never copied (in.attrs points inside). */
typedef struct tev {
	gf__route_in in;
	gf__attr attrs[8];
	const char *exclude[4];
} tev;

static void set_time(tev *e, const char *rfc3339)
{
	ck_assert_int_eq(gf_time_parse(&e->in.received_at, &e->in.offset_min,
				       rfc3339, strlen(rfc3339)),
			 GF_OK);
}

static void tev_init(tev *e, const char *channel, const char *category,
		     const char *region)
{
	memset(e, 0, sizeof(*e));
	e->in.channel = gf_channel_from_name(channel, strlen(channel));
	ck_assert_int_ne(e->in.channel, GF_CHANNEL_NONE);
	e->in.urgency = GF_URGENCY_NORMAL;
	e->in.category = category;
	e->in.region = region;
	e->in.attrs = e->attrs;
	e->in.exclude = e->exclude;
	set_time(e, "2026-11-22T14:05:00+08:00");
}

static gf__attr *add_attr(tev *e, const char *key, gf__attr_kind kind)
{
	ck_assert_uint_lt(e->in.nattrs, 8);
	gf__attr *a = &e->attrs[e->in.nattrs++];
	memset(a, 0, sizeof(*a));
	a->key = (char *)key;
	a->kind = kind;
	return a;
}

static void add_num(tev *e, const char *key, double v)
{
	add_attr(e, key, GF__ATTR_NUMBER)->num = v;
}

static void add_str(tev *e, const char *key, const char *v)
{
	add_attr(e, key, GF__ATTR_STRING)->str = (char *)v;
}

static void add_bool(tev *e, const char *key, int v)
{
	add_attr(e, key, GF__ATTR_BOOL)->num = v ? 1 : 0;
}

static void exclude(tev *e, const char *dept)
{
	ck_assert_uint_lt(e->in.nexclude, 4);
	e->exclude[e->in.nexclude++] = dept;
}

static gf__route_out route_in(const gf__ruleset *rs, const gf__dir *d,
			      const tev *e)
{
	gf__route_out out;
	gf__route_scratch s = { NULL, 0 };
	ck_assert_int_eq(gf__rules_route(rs, d, &e->in, &out, &s, NULL), GF_OK);
	gf__route_scratch_free(&s);
	return out;
}

static gf__route_out route(const gf__ruleset *rs, const tev *e)
{
	return route_in(rs, &dir, e);
}

static const char *lead_of(const gf__route_out *o)
{
	return o->lead ? o->lead->id : "(desk)";
}

#define EXPECT_LEAD(out, want)                                             \
	ck_assert_msg((out).lead && strcmp((out).lead->id, want) == 0,     \
		      "lead %s, expected %s (why: %s)", lead_of(&(out)),     \
		      want, (out).why)

#define EXPECT_DESK(out, why_text)                                         \
	do {                                                               \
		ck_assert_msg(!(out).lead, "lead %s, expected the desk",   \
			      lead_of(&(out)));                            \
		ck_assert_str_eq((out).rule, "fallback");                  \
		ck_assert_ptr_null((out).table);                           \
		ck_assert_str_eq((out).why, why_text);                     \
	} while (0)

/* Whether a single-rule table with condition `when` routes e. */
static int matches(const char *when, const tev *e)
{
	char q[2048];
	snprintf(q, sizeof(q),
		 TABLE("first", "{'id': 'r', 'when': %s, "
				"'then': {'lead': 'dept:sz-cg'}}"),
		 when);
	gf__ruleset *rs = rules_ok(q);
	gf__route_out out = route(rs, e);
	gf__rules_free(rs);
	return out.lead != NULL;
}

/* ---- conditions ----------------------------------------------------- */

START_TEST(channel_condition)
{
	gf__ruleset *rs = rules_ok(TABLE(
		"first", "{'id': 'r1', 'when': {'channel': ['110', 'grid']},"
			 " 'then': {'lead': 'dept:sz-cg'}}"));
	tev e;
	tev_init(&e, "110", "city", V_CQ);
	gf__route_out out = route(rs, &e);
	EXPECT_LEAD(out, "sz-cg");
	ck_assert_str_eq(out.rule, "r1");
	ck_assert_str_eq(out.table, "t");
	tev_init(&e, "grid", "safety.gas", V_HT);
	out = route(rs, &e);
	EXPECT_LEAD(out, "sz-cg");
	tev_init(&e, "12345", "city", V_CQ);
	out = route(rs, &e);
	EXPECT_DESK(out, "no rule matched");
	tev_init(&e, "petition", "city", V_CQ);
	out = route(rs, &e);
	EXPECT_DESK(out, "no rule matched");
	gf__rules_free(rs);
}
END_TEST

START_TEST(urgency_condition)
{
	tev e;
	tev_init(&e, "12345", "city", V_CQ);
	const char *when = "{'urgency': ['urgent', 'critical']}";
	ck_assert(!matches(when, &e));
	e.in.urgency = GF_URGENCY_URGENT;
	ck_assert(matches(when, &e));
	e.in.urgency = GF_URGENCY_CRITICAL;
	ck_assert(matches(when, &e));
	ck_assert(matches("{'urgency': ['critical']}", &e));
	ck_assert(!matches("{'urgency': ['normal']}", &e));
}
END_TEST

START_TEST(category_prefix)
{
	gf__ruleset *rs = rules_ok(TABLE(
		"first",
		"{'id': 'env', 'when': {'category': ['city.env']},"
		" 'then': {'lead': 'dept:sz-cg'}},"
		"{'id': 'environment', 'when': {'category': ['dispute', "
		"'city.environment']}, 'then': {'lead': 'dept:sz-hb'}}"));
	static const struct {
		const char *category, *lead;
	} cases[] = {
		{ "city.env", "sz-cg" },
		{ "city.env.garbage", "sz-cg" },
		/* a segment boundary, not a byte prefix */
		{ "city.environment", "sz-hb" },
		{ "city.environment.garbage", "sz-hb" },
		{ "dispute.07", "sz-hb" },
		{ "city", NULL },
		{ "city.construction", NULL },
		/* outside the taxonomy: the same prefix rules, checked one
		 * by one rather than through the index */
		{ "city.env.not_in_taxonomy", "sz-cg" },
		{ "city.envy", NULL },
		{ "nothing", NULL },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		tev e;
		tev_init(&e, "12345", cases[i].category, V_CQ);
		gf__route_out out = route(rs, &e);
		if (cases[i].lead)
			ck_assert_msg(out.lead &&
					      !strcmp(out.lead->id, cases[i].lead),
				      "%s: lead %s, expected %s",
				      cases[i].category, lead_of(&out),
				      cases[i].lead);
		else
			ck_assert_msg(!out.lead, "%s: lead %s, expected desk",
				      cases[i].category, lead_of(&out));
	}
	gf__rules_free(rs);
}
END_TEST

START_TEST(region_prefix)
{
	gf__ruleset *rs = rules_ok(TABLE(
		"first",
		"{'id': 'village', 'when': {'region': ['" V_CQ2 "']},"
		" 'then': {'lead': 'dept:sz-hb'}},"
		"{'id': 'town', 'when': {'region': ['320506001']},"
		" 'then': {'lead': 'dept:cq-cg'}},"
		"{'id': 'district', 'when': {'region': ['320505', '99']},"
		" 'then': {'lead': 'dept:hq-ga'}},"
		"{'id': 'city', 'when': {'region': ['3205']},"
		" 'then': {'lead': 'dept:sz-cg'}}"));
	tev e;
	tev_init(&e, "12345", "city", V_CQ2);
	gf__route_out out = route(rs, &e);
	EXPECT_LEAD(out, "sz-hb");
	tev_init(&e, "12345", "city", V_CQ);
	out = route(rs, &e);
	EXPECT_LEAD(out, "cq-cg");
	tev_init(&e, "12345", "city", V_HT);
	out = route(rs, &e);
	EXPECT_LEAD(out, "hq-ga");
	tev_init(&e, "12345", "city", V_MD);
	out = route(rs, &e);
	EXPECT_LEAD(out, "sz-cg");
	tev_init(&e, "12345", "city", "110101001001");
	out = route(rs, &e);
	EXPECT_DESK(out, "no rule matched");
	gf__rules_free(rs);
}
END_TEST

START_TEST(keywords)
{
	gf__ruleset *rs = rules_ok(TABLE(
		"first",
		"{'id': 'gas', 'when': {'keywords_any': ['燃气', 'ＬＰＧ'],"
		" 'keywords_none': ['咨询']}, 'then': {'lead': 'dept:cq-yj'}},"
		"{'id': 'straddle', 'when': {'keywords_any': ['堆积小区']},"
		" 'then': {'lead': 'dept:sz-cg'}},"
		"{'id': 'punct', 'when': {'keywords_any': ['垃圾，臭']},"
		" 'then': {'lead': 'dept:sz-hb'}},"
		"{'id': 'space', 'when': {'keywords_any': ['噪音\u3000\u3000扰民']},"
		" 'then': {'lead': 'dept:md-cg'}},"
		"{'id': 'one-byte', 'when': {'keywords_any': ['Q']},"
		" 'then': {'lead': 'dept:ht-cg'}}"));
	static const struct {
		const char *title, *content, *lead;
	} cases[] = {
		{ "小区燃气泄漏", NULL, "cq-yj" },
		{ "燃气", NULL, "cq-yj" },
		{ NULL, "abc燃气", "cq-yj" },
		{ "Q", NULL, "ht-cg" },
		{ "标题", "xyzQ", "ht-cg" },
		{ NULL, "楼道里有燃气味", "cq-yj" },
		/* the full-width letters of the keyword were normalised */
		{ "LPG罐倒了", NULL, "cq-yj" },
		{ "燃气", "咨询燃气费", NULL },
		{ "咨询", "燃气", NULL },
		/* no match across the title/content boundary */
		{ "垃圾堆积", "小区门口", NULL },
		{ "门口堆积小区", NULL, "sz-cg" },
		/* full-width punctuation is kept, on both sides */
		{ "垃圾，臭气熏天", NULL, "sz-hb" },
		{ "垃圾,臭气熏天", NULL, NULL },
		/* the ideographic spaces became one ASCII space */
		{ NULL, "夜间噪音 扰民", "md-cg" },
		{ NULL, NULL, NULL },
		{ "", "", NULL },
	};
	/* one scratch for every event: what one evaluation learnt about
	 * its text must not leak into the next */
	gf__route_scratch s = { NULL, 0 };
	for (int round = 0; round < 2; round++) {
		for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
			tev e;
			tev_init(&e, "12345", "city", V_CQ);
			e.in.title = cases[i].title;
			e.in.content = cases[i].content;
			gf__route_out out;
			ck_assert_int_eq(gf__rules_route(rs, &dir, &e.in, &out,
							 &s, NULL),
					 GF_OK);
			if (cases[i].lead)
				ck_assert_msg(out.lead && !strcmp(out.lead->id,
								  cases[i].lead),
					      "case %zu: lead %s, expected %s",
					      i, lead_of(&out), cases[i].lead);
			else
				ck_assert_msg(!out.lead,
					      "case %zu: lead %s, expected "
					      "the desk",
					      i, lead_of(&out));
		}
	}
	/* the same scratch with a rule set of fewer keywords */
	gf__ruleset *rs2 = rules_ok(TABLE(
		"first", "{'id': 'k', 'when': {'keywords_any': ['漏水']},"
			 " 'then': {'lead': 'dept:sz-cg'}}"));
	tev e;
	tev_init(&e, "12345", "city", V_CQ);
	e.in.title = "燃气";
	gf__route_out out;
	ck_assert_int_eq(gf__rules_route(rs2, &dir, &e.in, &out, &s, NULL),
			 GF_OK);
	ck_assert_ptr_null(out.lead);
	e.in.title = "楼上漏水";
	ck_assert_int_eq(gf__rules_route(rs2, &dir, &e.in, &out, &s, NULL),
			 GF_OK);
	EXPECT_LEAD(out, "sz-cg");
	gf__route_scratch_free(&s);
	gf__rules_free(rs2);
	gf__rules_free(rs);
}
END_TEST

/* Keyword matching against strstr, on random texts over a few
 * characters, so that matches, near misses and straddles are common. */
START_TEST(keywords_random)
{
	static const char *const alphabet[] = { "燃", "气", "漏", "a", "b",
						"，", "Q" };
	enum { NKW = 40, NA = 7 };
	char kws[NKW][16], q[8192];
	uint32_t seed = 7;
	size_t o = 0;
	for (int i = 0; i < NKW; i++) {
		seed = seed * 1103515245u + 12345u;
		size_t len = (seed >> 16) % 3 + 1;
		kws[i][0] = '\0';
		for (size_t k = 0; k < len; k++) {
			seed = seed * 1103515245u + 12345u;
			strcat(kws[i], alphabet[(seed >> 16) % NA]);
		}
		o += (size_t)snprintf(q + o, sizeof(q) - o,
				      "%s{'id': 'k%d', 'when': {'keywords_any': "
				      "['%s']}, 'then': {'assist': "
				      "['dept:sz-hb']}}",
				      i ? "," : "", i, kws[i]);
	}
	char full[9000];
	snprintf(full, sizeof(full), TABLE("collect", "%s"), q);
	gf__ruleset *rs = rules_ok(full);
	gf__route_scratch s = { NULL, 0 };
	gf__buf b;
	gf__buf_init(&b);
	for (int round = 0; round < 300; round++) {
		char title[64] = "", content[64] = "";
		char *texts[2] = { title, content };
		for (int t = 0; t < 2; t++) {
			seed = seed * 1103515245u + 12345u;
			size_t len = (seed >> 16) % 10;
			for (size_t k = 0; k < len; k++) {
				seed = seed * 1103515245u + 12345u;
				strcat(texts[t], alphabet[(seed >> 16) % NA]);
			}
		}
		tev e;
		tev_init(&e, "12345", "city", V_CQ);
		e.in.title = round % 5 == 0 ? NULL : title;
		e.in.content = content;
		gf__buf_reset(&b);
		gf__route_out out;
		ck_assert_int_eq(gf__rules_route(rs, &dir, &e.in, &out, &s, &b),
				 GF_OK);
		struct json_object *arr = json_tokener_parse(gf__buf_cstr(&b));
		ck_assert_int_eq(json_object_array_length(arr), NKW);
		for (int i = 0; i < NKW; i++) {
			struct json_object *v;
			json_object_object_get_ex(
				json_object_array_get_idx(arr, (size_t)i), "hit",
				&v);
			int want = (e.in.title && strstr(title, kws[i])) ||
				   strstr(content, kws[i]);
			ck_assert_msg(json_object_get_boolean(v) == want,
				      "keyword \"%s\" in \"%s\" / \"%s\": %d, "
				      "expected %d",
				      kws[i], e.in.title ? title : "(null)",
				      content, json_object_get_boolean(v), want);
		}
		json_object_put(arr);
	}
	gf__buf_free(&b);
	gf__route_scratch_free(&s);
	gf__rules_free(rs);
}
END_TEST

START_TEST(many_keywords)
{
	/* more keywords than an evaluation remembers one by one */
	char rules[16384], q[17000];
	size_t o = 0;
	for (int i = 0; i < 100; i++)
		o += (size_t)snprintf(rules + o, sizeof(rules) - o,
				      "%s{'id': 'k%d', 'when': {'keywords_any': "
				      "['词%d号']}, 'then': {'lead': "
				      "'dept:sz-cg'}}",
				      i ? "," : "", i, i);
	snprintf(q, sizeof(q), TABLE("first", "%s"), rules);
	gf__ruleset *rs = rules_ok(q);
	gf__route_scratch s = { NULL, 0 };
	for (int round = 0; round < 3; round++) {
		tev e;
		tev_init(&e, "12345", "city", V_CQ);
		e.in.title = round == 1 ? "有词99号在此" : "没有";
		gf__route_out out;
		ck_assert_int_eq(gf__rules_route(rs, &dir, &e.in, &out, &s,
						 NULL),
				 GF_OK);
		if (round == 1) {
			EXPECT_LEAD(out, "sz-cg");
			ck_assert_str_eq(out.rule, "k99");
		} else {
			ck_assert_ptr_null(out.lead);
		}
	}
	gf__route_scratch_free(&s);
	gf__rules_free(rs);
}
END_TEST

START_TEST(attribute_numbers)
{
	static const struct {
		const char *op;
		double have;
		int want;
	} cases[] = {
		{ "=", 5, 1 },   { "=", 5.0000001, 0 }, { "!=", 6, 1 },
		{ "!=", 5, 0 },  { "<", 4.5, 1 },       { "<", 5, 0 },
		{ "<=", 5, 1 },  { "<=", 6, 0 },        { ">", 6, 1 },
		{ ">", 5, 0 },   { ">=", 5, 1 },        { ">=", 4, 0 },
		{ ">=", 5.5, 1 },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char when[256];
		snprintf(when, sizeof(when),
			 "{'attributes': [{'key': 'people', 'op': '%s', "
			 "'value': 5}]}",
			 cases[i].op);
		tev e;
		tev_init(&e, "12345", "city", V_CQ);
		add_num(&e, "other", 5);
		add_num(&e, "people", cases[i].have);
		ck_assert_msg(matches(when, &e) == cases[i].want,
			      "people %g %s 5 should be %d", cases[i].have,
			      cases[i].op, cases[i].want);
	}
	/* missing, and of another type: every comparison fails */
	static const char *const ops[] = { "=", "!=", "<", "<=", ">", ">=" };
	for (size_t i = 0; i < 6; i++) {
		char when[256];
		snprintf(when, sizeof(when),
			 "{'attributes': [{'key': 'people', 'op': '%s', "
			 "'value': 5}]}",
			 ops[i]);
		tev e;
		tev_init(&e, "12345", "city", V_CQ);
		ck_assert_msg(!matches(when, &e), "missing people %s 5", ops[i]);
		add_str(&e, "people", "5");
		ck_assert_msg(!matches(when, &e), "\"5\" %s 5", ops[i]);
		tev_init(&e, "12345", "city", V_CQ);
		add_bool(&e, "people", 1);
		ck_assert_msg(!matches(when, &e), "true %s 5", ops[i]);
	}
	/* all comparisons of a rule must hold */
	tev e;
	tev_init(&e, "12345", "city", V_CQ);
	add_num(&e, "people", 40);
	add_str(&e, "place", "factory");
	ck_assert(matches("{'attributes': [{'key': 'people', 'op': '>=', "
			  "'value': 30}, {'key': 'place', 'op': '=', "
			  "'value': 'factory'}]}",
			  &e));
	ck_assert(!matches("{'attributes': [{'key': 'people', 'op': '>=', "
			   "'value': 30}, {'key': 'place', 'op': '=', "
			   "'value': 'school'}]}",
			   &e));
}
END_TEST

START_TEST(attribute_strings_bools_in)
{
	static const struct {
		const char *cond;
		const char *have;
		int want;
	} strs[] = {
		{ "'op': '=', 'value': 'factory'", "factory", 1 },
		{ "'op': '=', 'value': 'factory'", "Factory", 0 },
		{ "'op': '!=', 'value': 'factory'", "school", 1 },
		{ "'op': '<', 'value': 'm'", "apple", 1 },
		{ "'op': '<', 'value': 'm'", "m", 0 },
		{ "'op': '<=', 'value': 'm'", "m", 1 },
		{ "'op': '>', 'value': 'm'", "mm", 1 },
		{ "'op': '>=', 'value': 'b'", "a", 0 },
		{ "'op': '>=', 'value': '工厂'", "工厂", 1 },
		{ "'op': 'in', 'value': [1, 'x', 'y']", "y", 1 },
		{ "'op': 'in', 'value': [1, 'x', 'y']", "1", 0 },
		{ "'op': '=', 'value': 5", "5", 0 },
	};
	for (size_t i = 0; i < sizeof(strs) / sizeof(strs[0]); i++) {
		char when[256];
		snprintf(when, sizeof(when),
			 "{'attributes': [{'key': 'k', %s}]}", strs[i].cond);
		tev e;
		tev_init(&e, "12345", "city", V_CQ);
		add_str(&e, "k", strs[i].have);
		ck_assert_msg(matches(when, &e) == strs[i].want,
			      "\"%s\" with %s should be %d", strs[i].have,
			      strs[i].cond, strs[i].want);
	}
	static const struct {
		const char *cond;
		int have;
		int want;
	} bools[] = {
		{ "'op': '=', 'value': true", 1, 1 },
		{ "'op': '=', 'value': true", 0, 0 },
		{ "'op': '!=', 'value': true", 0, 1 },
		{ "'op': '!=', 'value': false", 0, 0 },
		{ "'op': '=', 'value': false", 0, 1 },
	};
	for (size_t i = 0; i < sizeof(bools) / sizeof(bools[0]); i++) {
		char when[256];
		snprintf(when, sizeof(when),
			 "{'attributes': [{'key': 'k', %s}]}", bools[i].cond);
		tev e;
		tev_init(&e, "12345", "city", V_CQ);
		add_bool(&e, "k", bools[i].have);
		ck_assert_msg(matches(when, &e) == bools[i].want,
			      "%d with %s should be %d", bools[i].have,
			      bools[i].cond, bools[i].want);
	}
	/* a number never equals a boolean */
	tev e;
	tev_init(&e, "12345", "city", V_CQ);
	add_num(&e, "k", 1);
	ck_assert(!matches("{'attributes': [{'key': 'k', 'op': '=', "
			   "'value': true}]}",
			   &e));
	ck_assert(matches("{'attributes': [{'key': 'k', 'op': 'in', "
			  "'value': [3, 1]}]}",
			  &e));
	ck_assert(!matches("{'attributes': [{'key': 'k', 'op': 'in', "
			   "'value': [3, '1']}]}",
			   &e));
	ck_assert(!matches("{'attributes': [{'key': 'absent', 'op': 'in', "
			   "'value': [1]}]}",
			   &e));
}
END_TEST

static int in_window(const char *from, const char *to, const char *at)
{
	char when[128];
	snprintf(when, sizeof(when), "{'time': {'from': '%s', 'to': '%s'}}",
		 from, to);
	tev e;
	tev_init(&e, "12345", "city", V_CQ);
	set_time(&e, at);
	return matches(when, &e);
}

START_TEST(time_window)
{
	ck_assert(!in_window("09:00", "17:00", "2026-11-22T08:59:00+08:00"));
	ck_assert(in_window("09:00", "17:00", "2026-11-22T09:00:00+08:00"));
	ck_assert(in_window("09:00", "17:00", "2026-11-22T16:59:59+08:00"));
	ck_assert(!in_window("09:00", "17:00", "2026-11-22T17:00:00+08:00"));
	/* crossing midnight */
	ck_assert(!in_window("22:00", "06:00", "2026-11-22T21:59:00+08:00"));
	ck_assert(in_window("22:00", "06:00", "2026-11-22T22:00:00+08:00"));
	ck_assert(in_window("22:00", "06:00", "2026-11-22T23:59:00+08:00"));
	ck_assert(in_window("22:00", "06:00", "2026-11-23T00:00:00+08:00"));
	ck_assert(in_window("22:00", "06:00", "2026-11-23T05:59:00+08:00"));
	ck_assert(!in_window("22:00", "06:00", "2026-11-23T06:00:00+08:00"));
	ck_assert(!in_window("22:00", "06:00", "2026-11-23T12:00:00+08:00"));
	/* the same instant, local time at the offset it was written with */
	ck_assert(in_window("09:00", "10:00", "2026-11-22T09:30:00+08:00"));
	ck_assert(!in_window("09:00", "10:00", "2026-11-22T01:30:00Z"));
	ck_assert(in_window("22:00", "06:00", "2026-11-22T23:30:00-05:00"));
	ck_assert(!in_window("22:00", "06:00", "2026-11-23T12:30:00+08:00"));
	/* an instant before 1970 (a host may pass one): the day still
	 * starts at midnight */
	tev e;
	tev_init(&e, "12345", "city", V_CQ);
	e.in.received_at = -30 * 60000;
	e.in.offset_min = 0;
	ck_assert(matches("{'time': {'from': '23:00', 'to': '23:59'}}", &e));
	e.in.received_at = 0;
	e.in.offset_min = -60;
	ck_assert(matches("{'time': {'from': '23:00', 'to': '23:59'}}", &e));
	ck_assert(in_window("00:00", "23:59", "2026-11-22T00:00:00+14:00"));
	ck_assert(!in_window("00:00", "23:59", "2026-11-22T23:59:00-12:00"));
}
END_TEST

/* ---- hit policies and filling --------------------------------------- */

START_TEST(first_policy)
{
	gf__ruleset *rs = rules_ok(TABLE(
		"first",
		"{'id': 'no', 'when': {'channel': ['110']},"
		" 'then': {'lead': 'dept:hq-ga'}},"
		"{'id': 'r1', 'when': {'category': ['city']},"
		" 'then': {'lead': 'dept:sz-cg', 'assist': ['dept:sz-hb']}},"
		"{'id': 'r2', 'when': {'category': ['city.env']},"
		" 'then': {'lead': 'dept:md-cg', 'assist': ['dept:wz-ga'],"
		" 'sla': 'consult'}}"));
	tev e;
	tev_init(&e, "12345", "city.env.garbage", V_MD);
	gf__route_out out = route(rs, &e);
	EXPECT_LEAD(out, "sz-cg");
	ck_assert_str_eq(out.rule, "r1");
	/* the first hit ends the table: nothing of r2 */
	ck_assert_uint_eq(out.nassist, 1);
	ck_assert_str_eq(out.assist[0]->id, "sz-hb");
	ck_assert_ptr_null(out.sla);
	ck_assert_int_eq(out.level, GF_LEVEL_NONE);
	ck_assert_int_eq(out.priority, 0);
	gf__rules_free(rs);
}
END_TEST

START_TEST(priority_policy)
{
	gf__ruleset *rs = rules_ok(TABLE(
		"priority",
		"{'id': 'low', 'priority': 1, 'then': {'lead': 'dept:sz-cg'}},"
		"{'id': 'neg', 'priority': -3, 'then': {'lead': 'dept:wz-ga'}},"
		"{'id': 'five-a', 'priority': 5, 'when': {'category': ['city']},"
		" 'then': {'lead': 'dept:sz-hb'}},"
		"{'id': 'five-b', 'priority': 5, 'then': {'lead': 'dept:md-cg'}},"
		"{'id': 'high-miss', 'priority': 9.5, 'when': {'channel': "
		"['110']}, 'then': {'lead': 'dept:hq-ga'}},"
		"{'id': 'none', 'then': {'lead': 'dept:cq-cg'}}"));
	tev e;
	tev_init(&e, "12345", "city.env", V_MD);
	gf__route_out out = route(rs, &e);
	/* 9.5 does not match; of the two fives the earlier wins */
	EXPECT_LEAD(out, "sz-hb");
	ck_assert_str_eq(out.rule, "five-a");
	tev_init(&e, "12345", "dispute", V_MD);
	out = route(rs, &e);
	EXPECT_LEAD(out, "md-cg");
	tev_init(&e, "110", "dispute", V_MD);
	out = route(rs, &e);
	EXPECT_LEAD(out, "hq-ga");
	ck_assert_str_eq(out.rule, "high-miss");
	gf__rules_free(rs);
}
END_TEST

START_TEST(collect_policy)
{
	gf__ruleset *rs = rules_ok(TABLE(
		"collect",
		"{'id': 'c1', 'then': {'assist': ['dept:sz-hb', 'dept:wz-ga']}},"
		"{'id': 'c2', 'when': {'channel': ['110']},"
		" 'then': {'assist': ['dept:hq-ga']}},"
		"{'id': 'c3', 'then': {'lead': 'dept:sz-cg', 'assist': "
		"['dept:wz-ga', 'dept:sz-cg', 'role:town.urban_mgmt']}},"
		"{'id': 'c4', 'then': {'lead': 'dept:sz-hb', 'assist': "
		"['dept:sz-hb', 'role:town.fire', 'dept:cq-yj']}},"
		"{'id': 'c5', 'then': {'assist': ['role:town.fire']}}"));
	tev e;
	tev_init(&e, "12345", "city", V_MD);
	gf__route_out out = route(rs, &e);
	EXPECT_LEAD(out, "sz-cg");
	ck_assert_str_eq(out.rule, "c3");
	/* in order, no repeats, not the lead */
	static const char *const want[] = { "sz-hb", "wz-ga", "md-cg",
					    "cq-yj" };
	ck_assert_uint_eq(out.nassist, 4);
	for (size_t i = 0; i < 4; i++)
		ck_assert_str_eq(out.assist[i]->id, want[i]);
	/* 木渎镇 has no fire station: listed once, as written */
	ck_assert_uint_eq(out.nunresolved, 1);
	ck_assert_str_eq(out.unresolved[0], "role:town.fire");
	/* 长桥 has one */
	tev_init(&e, "12345", "city", V_CQ);
	out = route(rs, &e);
	ck_assert_uint_eq(out.nunresolved, 0);
	ck_assert_uint_eq(out.nassist, 5);
	ck_assert_str_eq(out.assist[2]->id, "cq-cg");
	ck_assert_str_eq(out.assist[3]->id, "cq-fire");
	gf__rules_free(rs);
}
END_TEST

START_TEST(assist_limit)
{
	char dq_dir[8192], rules[4096];
	size_t o = 0, r = 0;
	o += (size_t)snprintf(dq_dir + o, sizeof(dq_dir) - o,
			      "{'regions': [{'code': '320500000000', 'name': "
			      "'苏州市'}], 'departments': [");
	r += (size_t)snprintf(rules + r, sizeof(rules) - r,
			      TABLE("collect", "{'id': 'all', 'then': {'lead': "
					       "'dept:d00', 'assist': ["));
	/* TABLE closed the rules list too early: cut its tail */
	r -= strlen("]}]}");
	for (int i = 0; i < 24; i++) {
		o += (size_t)snprintf(dq_dir + o, sizeof(dq_dir) - o,
				      "%s{'id': 'd%02d', 'name': 'D', 'region': "
				      "'320500000000', 'function': 'f'}",
				      i ? "," : "", i);
		r += (size_t)snprintf(rules + r, sizeof(rules) - r,
				      "%s'dept:d%02d'", i ? "," : "", i);
	}
	snprintf(dq_dir + o, sizeof(dq_dir) - o, "], 'categories': []}");
	snprintf(rules + r, sizeof(rules) - r, "]}}]}]}");
	gf__dir big;
	load_dir(&big, parse_q(dq_dir));
	problems ps;
	int rc;
	gf__ruleset *rs = load_with(&big, rules, 1, &ps, &rc);
	ck_assert_msg(rc == 0, "%s", dump(&ps));
	tev e;
	tev_init(&e, "12345", "city", "320500000000");
	gf__route_out out = route_in(rs, &big, &e);
	EXPECT_LEAD(out, "d00");
	ck_assert_uint_eq(out.nassist, GF__MAX_ASSIST);
	ck_assert_str_eq(out.assist[0]->id, "d01");
	ck_assert_str_eq(out.assist[GF__MAX_ASSIST - 1]->id, "d16");
	gf__rules_free(rs);
	gf__dir_free(&big);
}
END_TEST

START_TEST(fill_unset_across_tables)
{
	gf__ruleset *rs = rules_ok(
		"{'tables': ["
		" {'id': 'pre', 'hit_policy': 'first', 'rules': ["
		"  {'id': 'sla-only', 'when': {'category': ['city']},"
		"   'then': {'sla': 'consult', 'priority': 3}}]},"
		" {'id': 'main', 'hit_policy': 'first', 'rules': ["
		"  {'id': 'lead', 'then': {'lead': 'dept:sz-cg', 'sla': "
		"'emergency', 'level': 'district', 'priority': 1}}]},"
		" {'id': 'post', 'hit_policy': 'collect', 'rules': ["
		"  {'id': 'late-lead', 'then': {'lead': 'dept:sz-hb', "
		"'level': 'town', 'assist': ['dept:wz-ga']}}]}"
		"]}");
	tev e;
	tev_init(&e, "12345", "city.env", V_CQ);
	gf__route_out out = route(rs, &e);
	EXPECT_LEAD(out, "sz-cg");
	ck_assert_str_eq(out.rule, "lead");
	ck_assert_str_eq(out.table, "main");
	/* what the earlier hit gave stays; the lead's hit fills the rest */
	ck_assert_str_eq(out.sla, "consult");
	ck_assert_int_eq(out.priority, 3);
	ck_assert_int_eq(out.level, GF_LEVEL_DISTRICT);
	ck_assert_uint_eq(out.nassist, 1);
	ck_assert_str_eq(out.assist[0]->id, "wz-ga");
	/* without the first hit, the lead's hit gives everything */
	tev_init(&e, "12345", "dispute", V_CQ);
	out = route(rs, &e);
	ck_assert_str_eq(out.sla, "emergency");
	ck_assert_int_eq(out.priority, 1);
	gf__rules_free(rs);

	/* a hit whose lead resolves to nothing still gives its sla */
	rs = rules_ok("{'tables': ["
		      " {'id': 'a', 'hit_policy': 'first', 'rules': ["
		      "  {'id': 'fire', 'then': {'lead': 'role:town.fire', "
		      "'sla': 'emergency', 'priority': 1}}]},"
		      " {'id': 'b', 'hit_policy': 'first', 'rules': ["
		      "  {'id': 'any', 'then': {'lead': 'dept:sz-cg', 'sla': "
		      "'consult'}}]}]}");
	tev_init(&e, "12345", "safety.gas", V_MD);
	out = route(rs, &e);
	EXPECT_LEAD(out, "sz-cg");
	ck_assert_str_eq(out.rule, "any");
	ck_assert_str_eq(out.table, "b");
	ck_assert_str_eq(out.sla, "emergency");
	ck_assert_int_eq(out.priority, 1);
	tev_init(&e, "12345", "safety.gas", V_CQ);
	out = route(rs, &e);
	EXPECT_LEAD(out, "cq-fire");
	ck_assert_str_eq(out.table, "a");
	gf__rules_free(rs);
}
END_TEST

/* ---- targets -------------------------------------------------------- */

static void expect_role(const char *role, const char *region,
			const char *lead)
{
	char q[512];
	snprintf(q, sizeof(q),
		 TABLE("first", "{'id': 'r', 'then': {'lead': '%s'}}"), role);
	gf__ruleset *rs = rules_ok(q);
	tev e;
	tev_init(&e, "12345", "city", region);
	gf__route_out out = route(rs, &e);
	if (lead) {
		ck_assert_msg(out.lead && !strcmp(out.lead->id, lead),
			      "%s in %s: lead %s, expected %s", role, region,
			      lead_of(&out), lead);
		ck_assert_str_eq(out.rule, "r");
	} else {
		char why[160];
		snprintf(why, sizeof(why), "%s resolves to nothing in %s",
			 role, region);
		EXPECT_DESK(out, why);
	}
	gf__rules_free(rs);
}

START_TEST(role_levels)
{
	expect_role("role:city.urban_mgmt", V_MD, "sz-cg");
	expect_role("role:city.urban_mgmt", V_HT, "sz-cg");
	expect_role("role:district.police", V_CQ, "wz-ga");
	expect_role("role:district.police", V_MD, "wz-ga");
	expect_role("role:district.police", V_HT, "hq-ga");
	expect_role("role:district.labour", V_CQ2, "wz-rs");
	expect_role("role:district.labour", V_HT, NULL);
	/* the first of two in file order */
	expect_role("role:town.urban_mgmt", V_CQ, "cq-cg");
	expect_role("role:town.urban_mgmt", V_CQ2, "cq-cg");
	expect_role("role:town.urban_mgmt", V_MD, "md-cg");
	expect_role("role:town.urban_mgmt", V_HT, "ht-cg");
	expect_role("role:town.fire", V_CQ, "cq-fire");
	expect_role("role:town.fire", V_MD, NULL);
	expect_role("role:village.village_committee", V_CQ, "v003-jw");
	expect_role("role:village.village_committee", V_MD, "v201-jw");
	expect_role("role:village.village_committee", V_CQ2, NULL);
	expect_role("dept:ht-cg", V_CQ, "ht-cg");
	/* an event on a town's own code */
	expect_role("role:town.urban_mgmt", "320506103000", "md-cg");
}
END_TEST

START_TEST(dir_role_lookup)
{
	const gf__dept *p = gf__dir_role(&dir, V_CQ, GF_LEVEL_TOWN,
					 "urban_mgmt", 10);
	ck_assert_ptr_nonnull(p);
	ck_assert_str_eq(p->id, "cq-cg");
	/* the function is given by length: no NUL needed after it */
	p = gf__dir_role(&dir, V_HT, GF_LEVEL_DISTRICT, "policeXYZ", 6);
	ck_assert_ptr_nonnull(p);
	ck_assert_str_eq(p->id, "hq-ga");
	ck_assert_ptr_null(gf__dir_role(&dir, V_HT, GF_LEVEL_DISTRICT,
					"polic", 5));
	ck_assert_ptr_null(gf__dir_role(&dir, V_CQ, GF_LEVEL_PROVINCE,
					"urban_mgmt", 10));
	ck_assert_ptr_null(gf__dir_role(&dir, V_CQ, GF_LEVEL_GRID,
					"urban_mgmt", 10));
	ck_assert_ptr_null(gf__dir_role(&dir, "3205", GF_LEVEL_CITY,
					"urban_mgmt", 10));
	ck_assert_ptr_null(gf__dir_role(&dir, NULL, GF_LEVEL_CITY,
					"urban_mgmt", 10));
	ck_assert_ptr_null(gf__dir_role(NULL, V_CQ, GF_LEVEL_CITY,
					"urban_mgmt", 10));
	char longfn[64];
	memset(longfn, 'a', sizeof(longfn));
	ck_assert_ptr_null(gf__dir_role(&dir, V_CQ, GF_LEVEL_CITY, longfn,
					sizeof(longfn)));
}
END_TEST

/* A city without districts (东莞 4419) has its towns straight under it,
 * and a village may sit straight under a district: the code of the
 * missing level, padded with zeros, is then the code of the region
 * above. That region's departments serve its own level's roles, not the
 * missing level's: by code, as by the parents, a district role resolves
 * to nothing there. */
START_TEST(role_of_a_missing_level)
{
	gf__dir dg;
	load_dir(&dg, parse_q(
		"{'regions': ["
		"  {'code': '440000000000', 'name': '广东省'},"
		"  {'code': '441900000000', 'name': '东莞市'},"
		"  {'code': '441900003000', 'name': '虎门镇'},"
		"  {'code': '441900003001', 'name': '某社区'},"
		"  {'code': '440300000000', 'name': '深圳市'},"
		"  {'code': '440304000000', 'name': '福田区'},"
		"  {'code': '440304000001', 'name': '区直属社区'},"
		"  {'code': '440304001000', 'name': '南园街道'},"
		"  {'code': '440304001001', 'name': '南园社区'}"
		" ],"
		" 'departments': ["
		"  {'id': 'dg-ga', 'name': '东莞市公安局', 'region': '441900000000', 'function': 'police'},"
		"  {'id': 'ft-ga', 'name': '福田公安分局', 'region': '440304000000', 'function': 'police'},"
		"  {'id': 'ft-cg', 'name': '福田城管局', 'region': '440304000000', 'function': 'urban_mgmt'},"
		"  {'id': 'ny-cg', 'name': '南园城管', 'region': '440304001000', 'function': 'urban_mgmt'}"
		" ],"
		" 'categories': [{'code': 'city', 'name': '城市管理'}]}"));
	static const struct {
		const char *region;
		gf_level level;
		const char *function;
		const char *want;
	} cases[] = {
		{ "441900003001", GF_LEVEL_DISTRICT, "police", NULL },
		{ "441900003000", GF_LEVEL_DISTRICT, "police", NULL },
		{ "441900003001", GF_LEVEL_CITY, "police", "dg-ga" },
		{ "440304001001", GF_LEVEL_DISTRICT, "police", "ft-ga" },
		{ "440304000001", GF_LEVEL_TOWN, "urban_mgmt", NULL },
		{ "440304001001", GF_LEVEL_TOWN, "urban_mgmt", "ny-cg" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *fn = cases[i].function;
		const gf__region *r = gf__dir_region(&dg, cases[i].region, 12);
		ck_assert_ptr_nonnull(r);
		const gf__dept *by_code = gf__dir_role(
			&dg, cases[i].region, cases[i].level, fn, strlen(fn));
		const gf__dept *by_node = gf__dir_role_at(
			r, cases[i].level,
			gf__dir_function_id(&dg, fn, strlen(fn)));
		ck_assert_msg(by_code == by_node,
			      "%s %s.%s: by code %s, by the parents %s",
			      cases[i].region, gf_level_name(cases[i].level),
			      fn, by_code ? by_code->id : "nothing",
			      by_node ? by_node->id : "nothing");
		if (cases[i].want)
			ck_assert_msg(by_code &&
					      !strcmp(by_code->id, cases[i].want),
				      "%s: %s", cases[i].region,
				      by_code ? by_code->id : "nothing");
		else
			ck_assert_ptr_null(by_code);
	}

	/* routing gives the same lead with and without the region's node
	 * (a re-route after a reload looks the region up by code) */
	problems ps;
	int rc;
	gf__ruleset *rs = load_with(
		&dg,
		TABLE("first", "{'id': 'r', 'then': {'lead': "
			       "'role:district.police'}}"),
		1, &ps, &rc);
	ck_assert_msg(rc == 0, "%s", dump(&ps));
	tev e;
	tev_init(&e, "12345", "city", "441900003001");
	gf__route_out a = route_in(rs, &dg, &e);
	e.in.region_node = gf__dir_region(&dg, "441900003001", 12);
	gf__route_out b = route_in(rs, &dg, &e);
	ck_assert_msg(a.lead == b.lead, "lead %s by code, %s by the parents",
		      lead_of(&a), lead_of(&b));
	EXPECT_DESK(a, "role:district.police resolves to nothing in "
		       "441900003001");
	gf__rules_free(rs);
	gf__dir_free(&dg);
}
END_TEST

/* ---- returns -------------------------------------------------------- */

START_TEST(exclusion_first)
{
	gf__ruleset *rs = rules_ok(TABLE(
		"first",
		"{'id': 'town', 'then': {'lead': 'role:town.urban_mgmt'}},"
		"{'id': 'miss', 'when': {'channel': ['110']}, 'then': {'lead': "
		"'dept:hq-ga'}},"
		"{'id': 'city', 'then': {'lead': 'dept:sz-cg', 'assist': "
		"['dept:sz-hb', 'dept:cq-cg']}}"));
	tev e;
	tev_init(&e, "12345", "city", V_CQ);
	gf__route_out out = route(rs, &e);
	EXPECT_LEAD(out, "cq-cg");
	ck_assert_str_eq(out.rule, "town");
	ck_assert_uint_eq(out.nassist, 0);

	exclude(&e, "cq-cg");
	out = route(rs, &e);
	EXPECT_LEAD(out, "sz-cg");
	ck_assert_str_eq(out.rule, "city");
	/* a department that returned the order does not assist either */
	ck_assert_uint_eq(out.nassist, 1);
	ck_assert_str_eq(out.assist[0]->id, "sz-hb");

	exclude(&e, "sz-cg");
	out = route(rs, &e);
	EXPECT_DESK(out, "every department a rule named has returned it");
	ck_assert_uint_eq(out.nassist, 1);
	gf__rules_free(rs);
}
END_TEST

START_TEST(exclusion_priority)
{
	gf__ruleset *rs = rules_ok(TABLE(
		"priority",
		"{'id': 'p1', 'priority': 1, 'then': {'lead': 'dept:sz-hb'}},"
		"{'id': 'p9', 'priority': 9, 'then': {'lead': "
		"'role:town.urban_mgmt'}},"
		"{'id': 'p5', 'priority': 5, 'then': {'lead': 'dept:sz-cg'}}"));
	tev e;
	tev_init(&e, "12345", "city", V_MD);
	gf__route_out out = route(rs, &e);
	EXPECT_LEAD(out, "md-cg");
	exclude(&e, "md-cg");
	out = route(rs, &e);
	EXPECT_LEAD(out, "sz-cg");
	ck_assert_str_eq(out.rule, "p5");
	exclude(&e, "sz-cg");
	out = route(rs, &e);
	EXPECT_LEAD(out, "sz-hb");
	ck_assert_str_eq(out.rule, "p1");
	exclude(&e, "sz-hb");
	out = route(rs, &e);
	EXPECT_DESK(out, "every department a rule named has returned it");
	gf__rules_free(rs);
}
END_TEST

START_TEST(desk_reasons)
{
	/* an unresolved role outranks the returns in the why */
	gf__ruleset *rs = rules_ok(TABLE(
		"first",
		"{'id': 'fire', 'then': {'lead': 'role:town.fire'}},"
		"{'id': 'city', 'then': {'lead': 'dept:sz-cg'}},"
		"{'id': 'village', 'then': {'lead': "
		"'role:village.village_committee'}}"));
	tev e;
	tev_init(&e, "12345", "city", V_MD);
	gf__route_out out = route(rs, &e);
	/* the fire role failed, so the table went on to the next rule */
	EXPECT_LEAD(out, "sz-cg");
	exclude(&e, "sz-cg");
	out = route(rs, &e);
	EXPECT_LEAD(out, "v201-jw");
	exclude(&e, "v201-jw");
	out = route(rs, &e);
	EXPECT_DESK(out, "role:town.fire resolves to nothing in " V_MD);
	tev_init(&e, "12345", "city", V_CQ2);
	exclude(&e, "cq-fire");
	exclude(&e, "sz-cg");
	out = route(rs, &e);
	/* the last unresolved role */
	EXPECT_DESK(out, "role:village.village_committee resolves to nothing "
			 "in " V_CQ2);
	gf__rules_free(rs);

	/* hits that name no lead */
	rs = rules_ok(TABLE("collect",
			    "{'id': 'a', 'then': {'assist': ['dept:sz-hb'], "
			    "'sla': 'consult'}}"));
	tev_init(&e, "12345", "city", V_MD);
	out = route(rs, &e);
	EXPECT_DESK(out, "no rule that matched names a lead");
	ck_assert_str_eq(out.sla, "consult");
	ck_assert_uint_eq(out.nassist, 1);
	gf__rules_free(rs);

	/* no tables at all */
	rs = rules_ok("{'version': 'x', 'fallback': 'sz-zhzx'}");
	ck_assert_uint_eq(gf__rules_count(rs), 0);
	out = route(rs, &e);
	EXPECT_DESK(out, "no rule matched");
	gf__rules_free(rs);
}
END_TEST

/* ---- explain -------------------------------------------------------- */

START_TEST(explain_output)
{
	gf__ruleset *rs = rules_ok(TABLE(
		"first",
		"{'id': 'other-cat', 'when': {'category': ['dispute']},"
		" 'then': {'lead': 'dept:sz-hb'}},"
		"{'id': 'urg', 'when': {'urgency': ['urgent', 'critical']},"
		" 'then': {'lead': 'dept:sz-hb'}},"
		"{'id': 'kw', 'when': {'keywords_any': ['燃气', '煤气']},"
		" 'then': {'lead': 'dept:sz-hb'}},"
		"{'id': 'night', 'when': {'time': {'from': '22:00', 'to': "
		"'06:00'}}, 'then': {'lead': 'dept:sz-hb'}},"
		"{'id': 'crowd', 'when': {'attributes': [{'key': 'people', "
		"'op': '>=', 'value': 5}]}, 'then': {'lead': 'dept:sz-hb'}},"
		"{'id': 'kind', 'when': {'attributes': [{'key': 'kind', "
		"'op': 'in', 'value': ['a', 'b']}]}, 'then': {'lead': "
		"'dept:sz-hb'}},"
		"{'id': 'fire', 'then': {'lead': 'role:town.fire'}},"
		"{'id': 'returned', 'then': {'lead': 'dept:md-cg'}},"
		"{'id': 'hit', 'then': {'lead': 'dept:sz-cg'}},"
		"{'id': 'after', 'then': {'lead': 'dept:wz-ga'}}"));
	tev e;
	tev_init(&e, "12345", "city", V_MD);
	e.in.title = "垃圾";
	add_str(&e, "kind", "c");
	exclude(&e, "md-cg");
	gf__buf b;
	gf__buf_init(&b);
	gf__buf_puts(&b, "prefix:");
	gf__route_scratch s = { NULL, 0 };
	gf__route_out out, plain;
	ck_assert_int_eq(gf__rules_route(rs, &dir, &e.in, &out, &s, &b), GF_OK);
	ck_assert_int_eq(gf__rules_route(rs, &dir, &e.in, &plain, &s, NULL),
			 GF_OK);
	EXPECT_LEAD(out, "sz-cg");
	ck_assert_ptr_eq(out.lead, plain.lead);
	ck_assert_str_eq(out.rule, plain.rule);

	/* appended to what the buffer held */
	const char *text = gf__buf_cstr(&b);
	ck_assert(strncmp(text, "prefix:", 7) == 0);
	struct json_object *arr = json_tokener_parse(text + 7);
	ck_assert_msg(arr && json_object_is_type(arr, json_type_array),
		      "explain is not a JSON array: %s", text);
	static const struct {
		const char *rule;
		int hit;
		const char *why;
	} want[] = {
		/* "other-cat" is not a candidate for category city */
		{ "urg", 0, "urgency normal not in [urgent, critical]" },
		{ "kw", 0, "keywords_any: none of [燃气, 煤气] in the text" },
		{ "night", 0, "time 14:05 outside 22:00-06:00" },
		{ "crowd", 0, "attribute people missing" },
		{ "kind", 0, "attribute kind \"c\" not in [\"a\", \"b\"]" },
		{ "fire", 1, "lead role:town.fire resolves to nothing" },
		{ "returned", 1, "lead md-cg has returned the order" },
		{ "hit", 1, "lead sz-cg" },
	};
	size_t n = sizeof(want) / sizeof(want[0]);
	ck_assert_msg(json_object_array_length(arr) == n, "entries: %s", text);
	for (size_t i = 0; i < n; i++) {
		struct json_object *o = json_object_array_get_idx(arr, i), *v;
		ck_assert(json_object_object_get_ex(o, "table", &v));
		ck_assert_str_eq(json_object_get_string(v), "t");
		ck_assert(json_object_object_get_ex(o, "rule", &v));
		ck_assert_str_eq(json_object_get_string(v), want[i].rule);
		ck_assert(json_object_object_get_ex(o, "hit", &v));
		ck_assert(json_object_is_type(v, json_type_boolean));
		ck_assert_int_eq(json_object_get_boolean(v), want[i].hit);
		ck_assert(json_object_object_get_ex(o, "why", &v));
		ck_assert_str_eq(json_object_get_string(v), want[i].why);
	}
	json_object_put(arr);

	/* more misses: the event's value and the rule's are named */
	gf__buf_reset(&b);
	tev_init(&e, "12345", "city", V_MD);
	add_num(&e, "people", 3);
	e.in.urgency = GF_URGENCY_URGENT;
	e.in.title = "煤气";
	ck_assert_int_eq(gf__rules_route(rs, &dir, &e.in, &out, &s, &b), GF_OK);
	EXPECT_LEAD(out, "sz-hb");
	ck_assert_str_eq(out.rule, "urg");
	arr = json_tokener_parse(gf__buf_cstr(&b));
	ck_assert_int_eq(json_object_array_length(arr), 1);
	json_object_put(arr);
	gf__rules_free(rs);

	rs = rules_ok(TABLE(
		"collect",
		"{'id': 'crowd', 'when': {'attributes': [{'key': 'people', "
		"'op': '>=', 'value': 5}]}, 'then': {'lead': 'dept:sz-hb'}},"
		"{'id': 'type', 'when': {'attributes': [{'key': 'people', "
		"'op': '=', 'value': 'many'}]}, 'then': {'lead': 'dept:sz-hb'}},"
		"{'id': 'none', 'when': {'keywords_none': ['煤气']},"
		" 'then': {'lead': 'dept:sz-hb'}},"
		"{'id': 'reg', 'when': {'region': ['320505', '3206']},"
		" 'then': {'assist': ['dept:sz-hb']}},"
		"{'id': 'cat', 'when': {'category': ['safety']},"
		" 'then': {'assist': ['dept:sz-hb']}}"));
	gf__buf_reset(&b);
	/* a category outside the taxonomy: category conditions show */
	e.in.category = "city.unknown";
	ck_assert_int_eq(gf__rules_route(rs, &dir, &e.in, &out, &s, &b), GF_OK);
	arr = json_tokener_parse(gf__buf_cstr(&b));
	ck_assert_msg(arr != NULL, "%s", gf__buf_cstr(&b));
	static const char *const whys[] = {
		"attribute people 3 not >= 5",
		"attribute people is a number, not a string",
		"keywords_none: 煤气 in the text",
		"region 320506103201 not under [320505, 3206]",
		"category city.unknown not under [safety]",
	};
	ck_assert_int_eq(json_object_array_length(arr), 5);
	for (size_t i = 0; i < 5; i++) {
		struct json_object *o = json_object_array_get_idx(arr, i), *v;
		ck_assert(json_object_object_get_ex(o, "why", &v));
		ck_assert_str_eq(json_object_get_string(v), whys[i]);
	}
	json_object_put(arr);
	EXPECT_DESK(out, "no rule matched");
	gf__route_scratch_free(&s);
	gf__buf_free(&b);
	gf__rules_free(rs);
}
END_TEST

/* ---- load problems -------------------------------------------------- */

START_TEST(problems_structure)
{
	problems ps;
	rules_bad("[1]", 1, &ps);
	EXPECT_ERROR(&ps, "$", "expected an object");
	rules_bad("{'tables': {}}", 1, &ps);
	EXPECT_ERROR(&ps, "$.tables", "expected an array");
	rules_bad("{'tables': [1, {'id': 'a', 'hit_policy': 'first', "
		  "'rules': []}, {'id': 'a', 'hit_policy': 'first', 'rules': []},"
		  " {'hit_policy': 'random', 'rules': 3}]}",
		  5, &ps);
	EXPECT_ERROR(&ps, "$.tables[0]", "expected an object, got 1");
	EXPECT_ERROR(&ps, "$.tables[2].id",
		     "duplicate table id \"a\": also at $.tables[1]");
	EXPECT_ERROR(&ps, "$.tables[3].id", "required field is missing");
	EXPECT_ERROR(&ps, "$.tables[3].hit_policy",
		     "unknown hit policy \"random\"");
	EXPECT_ERROR(&ps, "$.tables[3].rules", "expected an array, got 3");
	rules_bad(TABLE("first", "{'id': 'a b', 'then': {'lead': "
				 "'dept:sz-cg'}}, 7, {'id': 5, 'then': "
				 "{'lead': 'dept:sz-cg'}}, {'id': 'x'}"),
		  4, &ps);
	EXPECT_ERROR(&ps, "$.tables[0].rules[0].id", "bad rule id \"a b\"");
	EXPECT_ERROR(&ps, "$.tables[0].rules[1]", "expected an object, got 7");
	EXPECT_ERROR(&ps, "$.tables[0].rules[2].id",
		     "expected a string, got 5");
	EXPECT_ERROR(&ps, "$.tables[0].rules[3].then",
		     "required field is missing");
	rules_bad("{'tables': [{'id': 'a', 'hit_policy': 'first', 'rules': ["
		  "{'id': 'r1', 'then': {'lead': 'dept:sz-cg'}}]},"
		  " {'id': 'b', 'hit_policy': 'collect', 'rules': ["
		  "{'id': 'r2', 'then': {'lead': 'dept:sz-cg'}},"
		  "{'id': 'r1', 'then': {'lead': 'dept:sz-cg'}}]}]}",
		  1, &ps);
	EXPECT_ERROR(&ps, "$.tables[1].rules[1].id",
		     "duplicate rule id \"r1\": also at $.tables[0].rules[0]");
	/* a misspelt key must not widen a rule */
	rules_bad(TABLE("first", "{'id': 'r', 'whne': {'channel': ['110']},"
				 " 'then': {'lead': 'dept:sz-cg'}}"),
		  1, &ps);
	EXPECT_ERROR(&ps, "$.tables[0].rules[0].whne",
		     "unknown field \"whne\"");
	rules_bad(TABLE("first", "{'id': 'r', 'when': {'chanel': ['110'], "
				 "'day': ['weekend'], 'a b': 1},"
				 " 'then': {'leed': 'dept:sz-cg'}}"),
		  5, &ps);
	EXPECT_ERROR(&ps, "$.tables[0].rules[0].when.chanel",
		     "unknown condition \"chanel\"");
	EXPECT_ERROR(&ps, "$.tables[0].rules[0].when[\"a b\"]",
		     "unknown condition \"a b\"");
	EXPECT_ERROR(&ps, "$.tables[0].rules[0].when.day",
		     "day conditions need calendar.json, which this "
		     "configuration does not have");
	EXPECT_ERROR(&ps, "$.tables[0].rules[0].then.leed",
		     "unknown field \"leed\"");
	EXPECT_ERROR(&ps, "$.tables[0].rules[0].then",
		     "gives nothing");
	rules_bad(TABLE("first", "{'id': 'r', 'when': [], 'then': 'x'}"), 2,
		  &ps);
	EXPECT_ERROR(&ps, "$.tables[0].rules[0].when", "expected an object");
	EXPECT_ERROR(&ps, "$.tables[0].rules[0].then", "expected an object");
}
END_TEST

START_TEST(problems_conditions)
{
	problems ps;
	rules_bad(TABLE("first",
			"{'id': 'r', 'when': {"
			"'channel': ['110', '119', 3],"
			"'urgency': ['urgent', 'high'],"
			"'category': ['city', 'city.nope'],"
			"'region': ['3205', '32a5', '3', '3205060010031']},"
			" 'then': {'lead': 'dept:sz-cg'}}"),
		  7, &ps);
	EXPECT_ERROR(&ps, "$.tables[0].rules[0].when.channel[1]",
		     "unknown channel \"119\"");
	EXPECT_ERROR(&ps, "$.tables[0].rules[0].when.channel[2]",
		     "expected a string, got 3");
	EXPECT_ERROR(&ps, "$.tables[0].rules[0].when.urgency[1]",
		     "unknown urgency \"high\"");
	EXPECT_ERROR(&ps, "$.tables[0].rules[0].when.category[1]",
		     "unknown category \"city.nope\"");
	EXPECT_ERROR(&ps, "$.tables[0].rules[0].when.region[1]",
		     "bad region prefix \"32a5\"");
	EXPECT_ERROR(&ps, "$.tables[0].rules[0].when.region[2]",
		     "bad region prefix \"3\"");
	EXPECT_ERROR(&ps, "$.tables[0].rules[0].when.region[3]",
		     "bad region prefix \"3205060010031\"");

	rules_bad(TABLE("first",
			"{'id': 'r', 'when': {'channel': [], 'keywords_any': "
			"['', '\u3000 '], 'keywords_none': 'x', "
			"'attributes': []}, 'then': {'lead': 'dept:sz-cg'}}"),
		  5, &ps);
	EXPECT_ERROR(&ps, "$.tables[0].rules[0].when.channel",
		     "must not be an empty list");
	EXPECT_ERROR(&ps, "$.tables[0].rules[0].when.keywords_any[0]",
		     "keyword \"\" is empty once normalised");
	EXPECT_ERROR(&ps, "$.tables[0].rules[0].when.keywords_any[1]",
		     "is empty once normalised");
	EXPECT_ERROR(&ps, "$.tables[0].rules[0].when.keywords_none",
		     "expected an array");
	EXPECT_ERROR(&ps, "$.tables[0].rules[0].when.attributes",
		     "must not be an empty list");

	rules_bad(TABLE("first",
			"{'id': 'r', 'when': {'attributes': ["
			"{'key': 'a', 'op': '=~', 'value': 1},"
			"{'key': 'b', 'op': '<', 'value': true},"
			"{'key': 'c', 'op': 'in', 'value': 1},"
			"{'key': 'd', 'op': '=', 'value': [1]},"
			"{'kye': 'e', 'op': '=', 'value': 1},"
			"{'key': '', 'op': 'in', 'value': [true, null]},"
			"{'key': 'g', 'op': '>'},"
			"{'key': 'h', 'op': '=', 'value': {}}]},"
			" 'then': {'lead': 'dept:sz-cg'}}"),
		  11, &ps);
	const char *at = "$.tables[0].rules[0].when.attributes";
	char path[128];
	snprintf(path, sizeof(path), "%s[0].op", at);
	EXPECT_ERROR(&ps, path, "unknown op \"=~\"");
	snprintf(path, sizeof(path), "%s[1].value", at);
	EXPECT_ERROR(&ps, path, "booleans compare only with = and !=");
	snprintf(path, sizeof(path), "%s[2].value", at);
	EXPECT_ERROR(&ps, path, "expected an array, got 1");
	snprintf(path, sizeof(path), "%s[3].value", at);
	EXPECT_ERROR(&ps, path, "a list of values needs op \"in\"");
	snprintf(path, sizeof(path), "%s[4].kye", at);
	EXPECT_ERROR(&ps, path, "unknown field \"kye\"");
	snprintf(path, sizeof(path), "%s[4].key", at);
	EXPECT_ERROR(&ps, path, "required field is missing");
	snprintf(path, sizeof(path), "%s[5].key", at);
	EXPECT_ERROR(&ps, path, "must not be empty");
	snprintf(path, sizeof(path), "%s[5].value[0]", at);
	EXPECT_ERROR(&ps, path, "\"in\" takes a list of numbers or strings");
	snprintf(path, sizeof(path), "%s[5].value[1]", at);
	EXPECT_ERROR(&ps, path, "expected a number or a string, got null");
	snprintf(path, sizeof(path), "%s[6].value", at);
	EXPECT_ERROR(&ps, path, "required field is missing");
	snprintf(path, sizeof(path), "%s[7].value", at);
	EXPECT_ERROR(&ps, path, "expected a number, a string or a boolean");

	rules_bad("{'tables': [{'id': 't', 'hit_policy': 'first', 'rules': ["
		  "{'id': 'a', 'when': {'time': {'from': '24:00', 'to': '9:00'}},"
		  " 'then': {'lead': 'dept:sz-cg'}},"
		  "{'id': 'b', 'when': {'time': {'from': '08:00', 'to': '08:00'}},"
		  " 'then': {'lead': 'dept:sz-cg'}},"
		  "{'id': 'c', 'when': {'time': {'from': '08:00', 'until': "
		  "'09:00'}}, 'then': {'lead': 'dept:sz-cg'}},"
		  "{'id': 'd', 'when': {'time': '08:00-09:00'},"
		  " 'then': {'lead': 'dept:sz-cg'}}]}]}",
		  6, &ps);
	EXPECT_ERROR(&ps, "$.tables[0].rules[0].when.time.from",
		     "bad time \"24:00\"");
	EXPECT_ERROR(&ps, "$.tables[0].rules[0].when.time.to",
		     "bad time \"9:00\"");
	EXPECT_ERROR(&ps, "$.tables[0].rules[1].when.time",
		     "the window would be empty");
	EXPECT_ERROR(&ps, "$.tables[0].rules[2].when.time.until",
		     "unknown field \"until\"");
	EXPECT_ERROR(&ps, "$.tables[0].rules[2].when.time.to",
		     "required field is missing");
	EXPECT_ERROR(&ps, "$.tables[0].rules[3].when.time",
		     "expected an object");
}
END_TEST

START_TEST(problems_targets)
{
	problems ps;
	rules_bad(TABLE("first",
			"{'id': 'r', 'then': {'lead': 'dept:nobody', 'assist': "
			"['role:district.police', 'role:district.fire', "
			"'role:province.police', 'police', 'role:town.Urban', "
			"'dept:', 3], 'sla': 'slow', 'level': 'grid', "
			"'priority': 0}},"
			"{'id': 's', 'then': {'assist': [], 'priority': 2.5}}"),
		  12, &ps);
	const char *at = "$.tables[0].rules[0].then";
	char path[128];
	snprintf(path, sizeof(path), "%s.lead", at);
	EXPECT_ERROR(&ps, path, "unknown department \"nobody\"");
	snprintf(path, sizeof(path), "%s.assist[1]", at);
	EXPECT_ERROR(&ps, path,
		     "no department has function \"fire\" at level district");
	snprintf(path, sizeof(path), "%s.assist[2]", at);
	EXPECT_ERROR(&ps, path, "bad role \"role:province.police\"");
	snprintf(path, sizeof(path), "%s.assist[3]", at);
	EXPECT_ERROR(&ps, path, "bad target \"police\"");
	snprintf(path, sizeof(path), "%s.assist[4]", at);
	EXPECT_ERROR(&ps, path, "bad role \"role:town.Urban\"");
	snprintf(path, sizeof(path), "%s.assist[5]", at);
	EXPECT_ERROR(&ps, path, "bad target \"dept:\"");
	snprintf(path, sizeof(path), "%s.assist[6]", at);
	EXPECT_ERROR(&ps, path, "expected a string, got 3");
	snprintf(path, sizeof(path), "%s.sla", at);
	EXPECT_ERROR(&ps, path, "unknown SLA policy \"slow\"");
	snprintf(path, sizeof(path), "%s.level", at);
	EXPECT_ERROR(&ps, path, "unknown level \"grid\"");
	snprintf(path, sizeof(path), "%s.priority", at);
	EXPECT_ERROR(&ps, path, "expected an integer from 1 (highest) to 5, "
				"got 0");
	EXPECT_ERROR(&ps, "$.tables[0].rules[1].then.assist",
		     "must not be an empty list");
	EXPECT_ERROR(&ps, "$.tables[0].rules[1].then.priority", "got 2.5");

	/* without sla.json every sla is a problem */
	int rc;
	gf__ruleset *rs = load_with(
		&dir, TABLE("first", "{'id': 'r', 'then': {'sla': 'consult'}}"),
		0, &ps, &rc);
	ck_assert_int_eq(rc, 1);
	EXPECT_ERROR(&ps, "$.tables[0].rules[0].then.sla",
		     "sla.json is missing");
	gf__rules_free(rs);
}
END_TEST

START_TEST(returns_settings)
{
	gf__ruleset *rs = rules_ok("{'tables': []}");
	ck_assert_uint_eq(gf__rules_return_limit(rs), 2);
	ck_assert_int_eq(gf__rules_return_window(rs), 2 * 86400000LL);
	gf__rules_free(rs);
	rs = rules_ok("{'returns': {'limit': 0, 'window': '30m'}}");
	ck_assert_uint_eq(gf__rules_return_limit(rs), 0);
	ck_assert_int_eq(gf__rules_return_window(rs), 30 * 60000LL);
	gf__rules_free(rs);
	rs = rules_ok("{'returns': {'window': '36h'}}");
	ck_assert_uint_eq(gf__rules_return_limit(rs), 2);
	ck_assert_int_eq(gf__rules_return_window(rs), 36 * 3600000LL);
	gf__rules_free(rs);

	problems ps;
	rules_bad("{'returns': {'limit': -1, 'window': '5wd'}}", 2, &ps);
	EXPECT_ERROR(&ps, "$.returns.limit", "expected an integer");
	EXPECT_ERROR(&ps, "$.returns.window",
		     "working-time durations (\"5wd\") come with the calendar");
	rules_bad("{'returns': {'limit': 1.5, 'window': '4wh'}}", 2, &ps);
	EXPECT_ERROR(&ps, "$.returns.window", "working-time durations");
	static const char *const bad[] = { "2", "d", "0d", "2days", "-2d",
					   "2 d", "99999999999d" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char q[128];
		snprintf(q, sizeof(q), "{'returns': {'window': '%s'}}", bad[i]);
		rules_bad(q, 1, &ps);
		EXPECT_ERROR(&ps, "$.returns.window", "bad duration");
	}
	rules_bad("{'returns': 2}", 1, &ps);
	EXPECT_ERROR(&ps, "$.returns", "expected an object");
}
END_TEST

START_TEST(problems_keep_going)
{
	/* every problem of a file in one pass, and only its rules with
	 * problems are left out */
	problems ps;
	int rc;
	gf__ruleset *rs = load_with(
		&dir,
		"{'returns': {'window': '1wd'}, 'tables': ["
		" {'id': 'a', 'hit_policy': 'first', 'rules': ["
		"  {'id': 'good', 'then': {'lead': 'dept:sz-cg'}},"
		"  {'id': 'bad1', 'then': {'lead': 'dept:x'}}]},"
		" {'id': 'b', 'hit_policy': 'first', 'rules': ["
		"  {'id': 'bad2', 'when': {'category': ['x']}, 'then': "
		"{'sla': 'none'}}]}]}",
		1, &ps, &rc);
	ck_assert_int_eq(rc, 4);
	EXPECT_ERROR(&ps, "$.returns.window", "working-time");
	EXPECT_ERROR(&ps, "$.tables[0].rules[1].then.lead",
		     "unknown department \"x\"");
	EXPECT_ERROR(&ps, "$.tables[1].rules[0].when.category[0]",
		     "unknown category \"x\"");
	EXPECT_ERROR(&ps, "$.tables[1].rules[0].then.sla",
		     "unknown SLA policy \"none\"");
	ck_assert_uint_eq(gf__rules_count(rs), 1);
	gf__rules_free(rs);
}
END_TEST

/* ---- warnings ------------------------------------------------------- */

START_TEST(warning_shadowed)
{
	problems ps;
	int rc;
	gf__ruleset *rs = load_with(
		&dir,
		TABLE("first",
		      "{'id': 'broad', 'when': {'category': ['city', 'safety']},"
		      " 'urgency': [], 'then': {'lead': 'dept:sz-cg'}},"
		      "{'id': 'narrow', 'when': {'category': ['city.env'],"
		      " 'channel': ['110'], 'urgency': ['urgent'],"
		      " 'region': ['320506']}, 'then': {'lead': 'dept:sz-hb'}}"),
		1, &ps, &rc);
	/* the stray "urgency" at rule level is an error; start again */
	gf__rules_free(rs);
	ck_assert_int_eq(rc, 1);

	rs = load_with(
		&dir,
		TABLE("first",
		      "{'id': 'broad', 'when': {'category': ['city', 'safety'],"
		      " 'keywords_none': ['咨询']}, 'then': {'lead': "
		      "'dept:sz-cg'}},"
		      "{'id': 'narrow', 'when': {'category': ['city.env'],"
		      " 'channel': ['110'], 'urgency': ['urgent'],"
		      " 'region': ['320506'], 'keywords_none': ['咨询', '测试'],"
		      " 'attributes': [{'key': 'n', 'op': '>', 'value': 1}]},"
		      " 'then': {'lead': 'dept:sz-hb'}},"
		      "{'id': 'same-words', 'when': {'keywords_any': ['燃气']},"
		      " 'then': {'lead': 'dept:sz-hb'}},"
		      "{'id': 'fewer-words', 'when': {'keywords_any': "
		      "['燃气'], 'category': ['dispute'],"
		      " 'time': {'from': '08:00', 'to': '09:00'}},"
		      " 'then': {'lead': 'dept:sz-hb'}}"),
		1, &ps, &rc);
	ck_assert_int_eq(rc, 0);
	ck_assert_msg(ps.warnings == 2, "%s", dump(&ps));
	EXPECT_WARNING(&ps, "$.tables[0].rules[1]",
		       "shadowed: rule broad ($.tables[0].rules[0]) "
		       "matches everything it does");
	EXPECT_WARNING(&ps, "$.tables[0].rules[3]",
		       "shadowed: rule same-words ($.tables[0].rules[2])");
	gf__rules_free(rs);

	/* look-alikes that can match what the earlier rule does not */
	rs = load_with(
		&dir,
		TABLE("first",
		      "{'id': 'kw', 'when': {'category': ['city'],"
		      " 'keywords_any': ['燃气']}, 'then': {'lead': "
		      "'dept:sz-cg'}},"
		      "{'id': 'no-kw', 'when': {'category': ['city.env']},"
		      " 'then': {'lead': 'dept:sz-hb'}},"
		      "{'id': 'narrow-region', 'when': {'region': ['320506']},"
		      " 'then': {'lead': 'dept:sz-hb'}},"
		      "{'id': 'broad-region', 'when': {'region': ['3205']},"
		      " 'then': {'lead': 'dept:sz-hb'}},"
		      "{'id': 'ch', 'when': {'channel': ['110']},"
		      " 'then': {'lead': 'dept:sz-hb'}},"
		      "{'id': 'two-ch', 'when': {'channel': ['110', 'grid'],"
		      " 'category': ['dispute']}, 'then': {'lead': 'dept:sz-hb'}},"
		      "{'id': 'envir', 'when': {'category': ['city.environment'],"
		      " 'time': {'from': '08:00', 'to': '09:00'}},"
		      " 'then': {'lead': 'dept:sz-hb'}},"
		      "{'id': 'env-other-time', 'when': {'category': "
		      "['city.environment.garbage'],"
		      " 'time': {'from': '08:00', 'to': '10:00'}},"
		      " 'then': {'lead': 'dept:sz-hb'}},"
		      "{'id': 'attr', 'when': {'category': ['safety'],"
		      " 'attributes': [{'key': 'n', 'op': '>', 'value': 1}]},"
		      " 'then': {'lead': 'dept:sz-hb'}},"
		      "{'id': 'attr-other', 'when': {'category': ['safety.gas'],"
		      " 'attributes': [{'key': 'n', 'op': '>', 'value': 2}]},"
		      " 'then': {'lead': 'dept:sz-hb'}}"),
		1, &ps, &rc);
	ck_assert_int_eq(rc, 0);
	ck_assert_msg(ps.warnings == 0, "%s", dump(&ps));
	gf__rules_free(rs);

	/* priority and collect tables are not first tables */
	rs = load_with(&dir,
		       "{'tables': [{'id': 'p', 'hit_policy': 'priority', "
		       "'rules': [{'id': 'a', 'then': {'lead': 'dept:sz-cg'}},"
		       " {'id': 'b', 'priority': 2, 'then': {'lead': "
		       "'dept:sz-hb'}}]}]}",
		       1, &ps, &rc);
	ck_assert_int_eq(rc, 0);
	ck_assert_msg(ps.warnings == 0, "%s", dump(&ps));
	gf__rules_free(rs);
}
END_TEST

START_TEST(warning_role_gaps)
{
	problems ps;
	int rc;
	gf__ruleset *rs = load_with(
		&dir,
		TABLE("collect",
		      "{'id': 'all', 'then': {'lead': 'role:town.fire',"
		      " 'assist': ['role:town.urban_mgmt', "
		      "'role:village.village_committee']}},"
		      "{'id': 'wz', 'when': {'region': ['320506']},"
		      " 'then': {'assist': ['role:town.fire']}},"
		      "{'id': 'cq', 'when': {'region': ['320506001']},"
		      " 'then': {'assist': ['role:town.fire']}},"
		      "{'id': 'v', 'when': {'region': ['" V_MD "', '320505']},"
		      " 'then': {'assist': ['role:town.fire', "
		      "'role:district.labour']}},"
		      "{'id': 'nowhere', 'when': {'region': ['320599']},"
		      " 'then': {'assist': ['role:town.fire']}}"),
		1, &ps, &rc);
	ck_assert_int_eq(rc, 0);
	EXPECT_WARNING(&ps, "$.tables[0].rules[0].then.lead",
		       "role:town.fire resolves to nothing in 2 of 3 towns, "
		       "e.g. 320506103000 木渎镇, 320505001000 横塘街道");
	EXPECT_WARNING(&ps, "$.tables[0].rules[0].then.assist[1]",
		       "role:village.village_committee resolves to nothing in "
		       "2 of 4 villages, e.g. 320506001012 另一社区, "
		       "320505001002 横塘社区");
	EXPECT_WARNING(&ps, "$.tables[0].rules[1].then.assist[0]",
		       "role:town.fire resolves to nothing in 1 of 2 towns, "
		       "e.g. 320506103000 木渎镇");
	EXPECT_WARNING(&ps, "$.tables[0].rules[3].then.assist[0]",
		       "role:town.fire resolves to nothing in 2 of 2 towns");
	EXPECT_WARNING(&ps, "$.tables[0].rules[3].then.assist[1]",
		       "role:district.labour resolves to nothing in 1 of 2 "
		       "districts, e.g. 320505000000 虎丘区");
	EXPECT_WARNING(&ps, "$.tables[0].rules[4].when.region[0]",
		       "region prefix \"320599\" matches no region");
	/* urban_mgmt is everywhere; 长桥 has its fire station */
	ck_assert_msg(ps.warnings == 6, "%s", dump(&ps));
	gf__rules_free(rs);
}
END_TEST

/* docs/formats.md: unknown fields in rules.json are errors, at the top
 * and in a table and "returns" as in a rule: a misspelt "tables" would
 * send every order to the desk, a misspelt "limit" keep the default. */
START_TEST(problems_unknown_fields)
{
	problems ps;
	rules_bad("{'tabels': [{'id': 't', 'hit_policy': 'first', 'rules': ["
		  "{'id': 'r', 'then': {'lead': 'dept:sz-cg'}}]}],"
		  " 'returns': {'limt': 5, 'window': '2d'},"
		  " 'version': 'x', 'fallback': 'sz-zhzx',"
		  " 'tables': [{'id': 't', 'hit_policy': 'first', 'rulez': [],"
		  " 'rules': []}]}",
		  3, &ps);
	EXPECT_ERROR(&ps, "$.tabels", "unknown field \"tabels\"");
	EXPECT_ERROR(&ps, "$.returns.limt", "unknown field \"limt\"");
	EXPECT_ERROR(&ps, "$.tables[0].rulez", "unknown field \"rulez\"");
	/* labels must be strings, and are reported as such */
	rules_bad(TABLE("first", "{'id': 'r', 'name': 5, 'description': "
				 "'ok', 'then': {'lead': 'dept:sz-cg'}}"),
		  1, &ps);
	EXPECT_ERROR(&ps, "$.tables[0].rules[0].name",
		     "expected a string, got 5");
}
END_TEST

/* A day condition narrows a rule like any other: a rule for weekends
 * does not shadow the rule after it, which serves every day. */
START_TEST(warning_shadowed_day)
{
	struct json_object *croot = parse_q(
		"{'utc_offset': '+08:00', 'working_periods': [['09:00', "
		"'17:00']], 'weekend': ['saturday', 'sunday'], 'years': [2026],"
		" 'holidays': ['2026-10-01/2026-10-07'], 'workdays': []}");
	gf__calendar *cal = NULL;
	ck_assert_int_eq(gf__cal_load(&cal, croot, NULL, NULL), 0);
	json_object_put(croot);
	struct json_object *root = parse_q(TABLE(
		"first",
		"{'id': 'weekend', 'when': {'category': ['city'],"
		" 'day': ['weekend', 'holiday']}, 'then': {'lead': "
		"'dept:sz-cg'}},"
		"{'id': 'any-day', 'when': {'category': ['city']},"
		" 'then': {'lead': 'dept:sz-hb'}},"
		"{'id': 'holiday', 'when': {'category': ['city'],"
		" 'day': ['holiday']}, 'then': {'lead': 'dept:md-cg'}}"));
	problems ps;
	memset(&ps, 0, sizeof(ps));
	gf__ruleset *rs = NULL;
	int rc = gf__rules_load(&rs, root, &dir, cal, SLAS, 2, 1, collect,
				&ps);
	json_object_put(root);
	ck_assert_msg(rc == 0, "%s", dump(&ps));
	/* "holiday" is shadowed (by both), "any-day" is not */
	ck_assert_msg(ps.warnings == 1, "%s", dump(&ps));
	EXPECT_WARNING(&ps, "$.tables[0].rules[2]",
		       "shadowed: rule weekend ($.tables[0].rules[0])");
	/* and indeed a workday reaches it */
	tev e;
	tev_init(&e, "12345", "city", V_CQ);
	set_time(&e, "2026-11-23T10:00:00+08:00");
	gf__route_out out = route(rs, &e);
	EXPECT_LEAD(out, "sz-hb");
	gf__rules_free(rs);
	gf__cal_free(cal);
}
END_TEST

/* ---- the index against a plain scan --------------------------------- */

START_TEST(index_matches_scan)
{
	static const char *const cats[] = { "city", "city.env",
					    "city.environment", "dispute",
					    "safety.gas", "city.env.garbage" };
	static const char *const chans[] = { "12345", "110", "petition",
					     "grid", "mediation" };
	enum { NRULES = 120 };
	struct {
		unsigned chmask; /* bit i: chans[i]; 0: no condition */
		int cat;         /* -1: no condition */
		double prio;
	} spec[NRULES];
	char *q = malloc(65536);
	ck_assert_ptr_nonnull(q);
	for (int policy = 0; policy < 2; policy++) {
		uint32_t seed = 12345u + (uint32_t)policy;
		size_t o = (size_t)snprintf(
			q, 65536,
			"{'tables': [{'id': 't', 'hit_policy': '%s', "
			"'rules': [",
			policy ? "priority" : "first");
		for (int i = 0; i < NRULES; i++) {
			seed = seed * 1103515245u + 12345u;
			spec[i].chmask = (seed >> 8) % 4 == 0
						 ? 0
						 : (seed >> 12) % 31 + 1;
			spec[i].cat = (int)((seed >> 20) % 7) - 1;
			spec[i].prio = (double)((seed >> 4) % 5);
			o += (size_t)snprintf(q + o, 65536 - o,
					      "%s{'id': 'r%d', 'priority': %g, "
					      "'when': {",
					      i ? "," : "", i, spec[i].prio);
			const char *sep = "";
			if (spec[i].chmask) {
				o += (size_t)snprintf(q + o, 65536 - o,
						      "'channel': [");
				for (int c = 0; c < 5; c++)
					if ((spec[i].chmask >> c) & 1u) {
						o += (size_t)snprintf(
							q + o, 65536 - o,
							"%s'%s'", sep,
							chans[c]);
						sep = ",";
					}
				o += (size_t)snprintf(q + o, 65536 - o, "]");
				sep = ",";
			}
			if (spec[i].cat >= 0)
				o += (size_t)snprintf(q + o, 65536 - o,
						      "%s'category': ['%s']",
						      sep, cats[spec[i].cat]);
			o += (size_t)snprintf(q + o, 65536 - o,
					      "}, 'then': {'lead': "
					      "'dept:sz-cg'}}");
		}
		snprintf(q + o, 65536 - o, "]}]}");
		problems ps;
		int rc;
		gf__ruleset *rs = load_with(&dir, q, 1, &ps, &rc);
		ck_assert_msg(rc == 0, "%s", dump(&ps));
		static const char *const events[] = {
			"city", "city.env", "city.env.garbage",
			"city.environment.garbage", "dispute.07",
			"safety", "safety.gas", "city.envx.not_in_taxonomy",
		};
		for (size_t ev = 0; ev < 8; ev++) {
			for (int c = 0; c < 5; c++) {
				int best = -1;
				for (int i = 0; i < NRULES; i++) {
					int ok = !spec[i].chmask ||
						 ((spec[i].chmask >> c) & 1u);
					if (spec[i].cat >= 0) {
						const char *p =
							cats[spec[i].cat];
						size_t n = strlen(p);
						ok = ok &&
						     !strncmp(events[ev], p,
							      n) &&
						     (events[ev][n] == '\0' ||
						      events[ev][n] == '.');
					}
					if (ok && (best < 0 ||
						   (policy &&
						    spec[i].prio >
							    spec[best].prio)))
						best = i;
					if (ok && !policy)
						break;
				}
				tev e;
				tev_init(&e, chans[c], events[ev], V_CQ);
				gf__route_out out = route(rs, &e);
				char want[16];
				snprintf(want, sizeof(want), "r%d", best);
				if (best < 0)
					ck_assert_ptr_null(out.lead);
				else
					ck_assert_msg(
						!strcmp(out.rule, want),
						"%s %s: rule %s, expected %s",
						events[ev], chans[c], out.rule,
						want);
			}
		}
		gf__rules_free(rs);
	}
	free(q);
}
END_TEST

/* ---- the example directory ------------------------------------------ */

static char *read_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	ck_assert_msg(f != NULL,
		      "%s is missing: run `make example-config` and the tests "
		      "from the repository root",
		      path);
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	fseek(f, 0, SEEK_SET);
	char *s = malloc((size_t)n + 1);
	ck_assert_ptr_nonnull(s);
	ck_assert_uint_eq(fread(s, 1, (size_t)n, f), (size_t)n);
	s[n] = '\0';
	fclose(f);
	return s;
}

/* What a role should find, worked out the slow way. */
static const gf__dept *slow_role(const gf__dir *d, const char *village,
				 size_t keep, const char *function)
{
	char code[13];
	memcpy(code, village, keep);
	memset(code + keep, '0', 12 - keep);
	code[12] = '\0';
	for (size_t i = 0; i < d->depts.len; i++) {
		const gf__dept *p = d->depts.v[i];
		if (!strcmp(p->region->code, code) &&
		    !strcmp(p->function, function))
			return p;
	}
	return NULL;
}

START_TEST(example_directory)
{
	char *text = read_file(GF_TEST_EXAMPLE_CONFIG "/directory.json");
	struct json_object *root = json_tokener_parse(text);
	free(text);
	ck_assert_ptr_nonnull(root);
	gf__dir ex;
	load_dir(&ex, root);

	problems ps;
	int rc;
	gf__ruleset *rs = load_with(
		&ex,
		"{'tables': [{'id': 'main', 'hit_policy': 'first', 'rules': ["
		" {'id': 'city-mgmt', 'when': {'category': ['city']},"
		"  'then': {'lead': 'role:town.urban_mgmt',"
		"           'assist': ['role:district.police']}}]}]}",
		1, &ps, &rc);
	ck_assert_msg(rc == 0, "%s", dump(&ps));

	tev e;
	tev_init(&e, "12345", "city.environment.garbage", "320505001002");
	gf__route_out out = route_in(rs, &ex, &e);
	EXPECT_LEAD(out, "t320505001-cg");
	ck_assert_uint_eq(out.nassist, 1);
	ck_assert_str_eq(out.assist[0]->id, "d320505-ga");

	/* every village of the directory, against a plain scan */
	size_t villages = 0;
	for (size_t i = 0; i < ex.regions.len; i++) {
		const gf__region *g = ex.regions.v[i];
		if (g->level != GF_LEVEL_VILLAGE)
			continue;
		villages++;
		tev_init(&e, "grid", "city.environment", g->code);
		out = route_in(rs, &ex, &e);
		const gf__dept *want = slow_role(&ex, g->code, 9, "urban_mgmt");
		const gf__dept *pol = slow_role(&ex, g->code, 6, "police");
		ck_assert_msg(out.lead == want, "%s: lead %s, expected %s",
			      g->code, lead_of(&out),
			      want ? want->id : "(desk)");
		ck_assert_uint_eq(out.nassist, pol ? 1 : 0);
		if (pol)
			ck_assert_ptr_eq(out.assist[0], pol);
	}
	ck_assert_uint_gt(villages, 100);
	gf__rules_free(rs);

	/* the example has no fire brigade at town level */
	rs = load_with(&ex,
		       TABLE("first", "{'id': 'f', 'then': {'lead': "
				      "'role:town.fire'}}"),
		       1, &ps, &rc);
	ck_assert_int_eq(rc, 1);
	EXPECT_ERROR(&ps, "$.tables[0].rules[0].then.lead",
		     "no department has function \"fire\" at level town");
	gf__rules_free(rs);
	gf__dir_free(&ex);
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

static void silent(void *ud, const char *path, const char *msg, int warning)
{
	(void)ud;
	(void)path;
	(void)msg;
	(void)warning;
}

START_TEST(out_of_memory)
{
	char *rules = dq(
		"{'returns': {'limit': 1}, 'tables': ["
		" {'id': 'a', 'hit_policy': 'first', 'rules': ["
		"  {'id': 'gas', 'when': {'category': ['safety'], 'channel': "
		"['110', 'grid'], 'keywords_any': ['燃气', '煤气'], "
		"'keywords_none': ['咨询'], 'region': ['3205'], 'attributes': "
		"[{'key': 'k', 'op': 'in', 'value': ['x', 2]}], 'time': "
		"{'from': '22:00', 'to': '06:00'}},"
		"   'then': {'lead': 'role:town.emergency', 'assist': "
		"['role:town.fire', 'dept:sz-hb'], 'sla': 'emergency'}},"
		"  {'id': 'all', 'then': {'lead': 'role:town.fire'}}]},"
		" {'id': 'b', 'hit_policy': 'priority', 'rules': ["
		"  {'id': 'p', 'priority': 2, 'then': {'lead': 'dept:sz-cg'}}]}]}");
	struct json_object *root = json_tokener_parse(rules);
	free(rules);
	ck_assert_ptr_nonnull(root);
	ck_assert_int_eq(gf_set_allocator(fail_malloc, fail_calloc,
					  fail_realloc, free),
			 GF_OK);
	for (fail_at = 0;; fail_at++) {
		alloc_count = 0;
		gf__ruleset *rs = NULL;
		int rc = gf__rules_load(&rs, root, &dir, NULL, SLAS, 2, 1, silent,
					NULL);
		int failed = alloc_count > fail_at;
		if (rc == GF_ENOMEM) {
			ck_assert(failed);
			ck_assert_ptr_null(rs);
			continue;
		}
		ck_assert_int_eq(rc, 0);
		ck_assert_msg(!failed, "allocation %ld failed unnoticed",
			      fail_at);
		/* then routing, with explain, from a cold scratch */
		for (long route_fail = 0;; route_fail++) {
			fail_at = alloc_count + route_fail;
			long start = alloc_count;
			tev e;
			tev_init(&e, "110", "safety.gas", V_CQ);
			set_time(&e, "2026-11-22T23:00:00+08:00");
			e.in.title = "燃气泄漏";
			add_str(&e, "k", "x");
			gf__route_out out;
			gf__route_scratch s = { NULL, 0 };
			gf__buf b;
			gf__buf_init(&b);
			int r = gf__rules_route(rs, &dir, &e.in, &out, &s, &b);
			gf__route_scratch_free(&s);
			gf__buf_free(&b);
			if (r == GF_ENOMEM) {
				ck_assert(alloc_count > fail_at);
				continue;
			}
			ck_assert_int_eq(r, GF_OK);
			ck_assert_msg(alloc_count <= fail_at,
				      "allocation %ld of routing failed "
				      "unnoticed",
				      fail_at - start);
			EXPECT_LEAD(out, "cq-yj");
			break;
		}
		gf__rules_free(rs);
		break;
	}
	fail_at = -1;
	ck_assert_int_eq(gf_set_allocator(malloc, calloc, realloc, free),
			 GF_OK);
	json_object_put(root);
}
END_TEST

/* The two ways to resolve a role (by code and function name, or by the
 * region's node and a function id) agree everywhere in the example
 * directory, for every function at every level. */
START_TEST(role_paths_agree)
{
	gf_config *cfg;
	gf_config_new(&cfg);
	ck_assert_int_eq(gf_config_load_dir(cfg, GF_TEST_EXAMPLE_CONFIG), GF_OK);
	ck_assert_int_eq(gf_config_compile(cfg), GF_OK);
	const gf__dir *d = &cfg->dir;
	size_t checked = 0, found = 0;
	for (size_t f = 0; f < d->depts.len; f += 19) {
		const char *fn = ((const gf__dept *)d->depts.v[f])->function;
		int fid = gf__dir_function_id(d, fn, strlen(fn));
		ck_assert_int_ge(fid, 0);
		for (size_t i = 0; i < d->regions.len; i++) {
			const gf__region *r = d->regions.v[i];
			if (r->code_len != 12)
				continue;
			for (int lv = GF_LEVEL_CITY; lv <= GF_LEVEL_VILLAGE; lv++) {
				const gf__dept *a = gf__dir_role(
					d, r->code, (gf_level)lv, fn, strlen(fn));
				const gf__dept *b = gf__dir_role_at(r, (gf_level)lv,
								    fid);
				ck_assert_ptr_eq(a, b);
				checked++;
				found += a != NULL;
			}
		}
	}
	ck_assert_uint_gt(found, 1000);
	ck_assert_int_eq(gf__dir_function_id(d, "no_such", 7), -1);
	printf("check_rules: role paths agree on %zu lookups (%zu found)\n",
	       checked, found);
	gf_config_free(cfg);
}
END_TEST

static Suite *make_suite(void)
{
	Suite *s = suite_create("rules");
	TCase *tc = tcase_create("conditions");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, channel_condition);
	tcase_add_test(tc, urgency_condition);
	tcase_add_test(tc, category_prefix);
	tcase_add_test(tc, region_prefix);
	tcase_add_test(tc, keywords);
	tcase_add_test(tc, keywords_random);
	tcase_add_test(tc, many_keywords);
	tcase_add_test(tc, attribute_numbers);
	tcase_add_test(tc, attribute_strings_bools_in);
	tcase_add_test(tc, time_window);
	tcase_add_test(tc, role_paths_agree);
	suite_add_tcase(s, tc);

	tc = tcase_create("evaluation");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, first_policy);
	tcase_add_test(tc, priority_policy);
	tcase_add_test(tc, collect_policy);
	tcase_add_test(tc, assist_limit);
	tcase_add_test(tc, fill_unset_across_tables);
	tcase_add_test(tc, role_levels);
	tcase_add_test(tc, dir_role_lookup);
	tcase_add_test(tc, role_of_a_missing_level);
	tcase_add_test(tc, exclusion_first);
	tcase_add_test(tc, exclusion_priority);
	tcase_add_test(tc, desk_reasons);
	tcase_add_test(tc, explain_output);
	tcase_add_test(tc, index_matches_scan);
	suite_add_tcase(s, tc);

	tc = tcase_create("loading");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, problems_structure);
	tcase_add_test(tc, problems_conditions);
	tcase_add_test(tc, problems_targets);
	tcase_add_test(tc, returns_settings);
	tcase_add_test(tc, problems_keep_going);
	tcase_add_test(tc, warning_shadowed);
	tcase_add_test(tc, warning_shadowed_day);
	tcase_add_test(tc, problems_unknown_fields);
	tcase_add_test(tc, warning_role_gaps);
	suite_add_tcase(s, tc);

	tc = tcase_create("example");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, example_directory);
	tcase_add_test(tc, out_of_memory);
	tcase_set_timeout(tc, 60);
	suite_add_tcase(s, tc);
	return s;
}

GF_TEST_MAIN
