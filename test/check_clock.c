/*
 * check_clock.c - SLA clocks in the engine (docs/sla.md): due and warning
 * times on the working calendar, the ladder (notify, urge, supervise,
 * escalate one level up), pause and resume, the extension workflow with
 * its refusals, new runs on re-dispatch, return and reopen, the stop at
 * the end, and clocks across a restart: a step that fell due while the
 * engine was down fires once, and orders keep the policies they started
 * under when sla.json changes.
 */
#include "failalloc.h"
#include "fixture.h"

/* the fixture directory with a district urban-management bureau, so that
 * a town's order has somewhere to escalate to */
static char *directory_with_district_bureau(void)
{
	const char *mark = "\"departments\":[";
	const char *add = "{\"id\":\"d-wz-cg\",\"name\":\"吴中区城市管理局\","
			  "\"region\":\"320506000000\",\"function\":"
			  "\"urban_mgmt\"},";
	const char *at = strstr(fx_directory, mark);
	ck_assert_ptr_nonnull(at);
	size_t head = (size_t)(at - fx_directory) + strlen(mark);
	char *d = malloc(strlen(fx_directory) + strlen(add) + 1);
	memcpy(d, fx_directory, head);
	strcpy(d + head, add);
	strcat(d, fx_directory + head);
	return d;
}

static char *read_file(const char *path, size_t *n)
{
	FILE *f = fopen(path, "rb");
	ck_assert_ptr_nonnull(f);
	char *b = malloc(1 << 16);
	*n = fread(b, 1, (1 << 16) - 1, f);
	b[*n] = '\0';
	fclose(f);
	return b;
}

static const char rules[] =
	"{\"version\":\"c-1\",\"fallback\":\"sz-zhzx\",\"tables\":["
	"{\"id\":\"main\",\"hit_policy\":\"first\",\"rules\":["
	"{\"id\":\"petition\",\"when\":{\"channel\":[\"petition\"]},"
	" \"then\":{\"lead\":\"dept:d-wz-xf\",\"sla\":\"petition\"}},"
	"{\"id\":\"garbage\",\"when\":{\"category\":[\"city.environment\"]},"
	" \"then\":{\"lead\":\"role:town.urban_mgmt\",\"sla\":\"complaint\"}},"
	"{\"id\":\"fight\",\"when\":{\"category\":[\"police\"]},"
	" \"then\":{\"lead\":\"dept:t-cq-pcs\",\"sla\":\"quick\"}}]}]}";

static const char sla_v1[] =
	"{\"version\":\"c-sla-1\","
	" \"defaults\":{\"warn_ratio\":0.5,\"ladder\":["
	"  {\"at\":\"warning\",\"do\":\"notify\"},"
	"  {\"at\":\"due\",\"do\":\"urge\"},"
	"  {\"at\":\"due+1wd\",\"do\":\"supervise\"},"
	"  {\"at\":\"due+2wd\",\"do\":\"escalate\"}]},"
	" \"policies\":{"
	"  \"complaint\":{\"name\":\"投诉\",\"clocks\":{"
	"   \"sign\":{\"due\":\"2wh\",\"ladder\":[{\"at\":\"due\",\"do\":\"urge\"}]},"
	"   \"resolve\":{\"due\":\"3wd\",\"extension\":{\"max\":1,"
	"     \"longest\":\"5wd\",\"ask_before\":\"1wd\","
	"     \"approver\":\"command_centre\"}}}},"
	"  \"quick\":{\"clocks\":{"
	"   \"resolve\":{\"due\":\"2h\",\"warn_ratio\":null,"
	"     \"extension\":{\"max\":2,\"longest\":\"1d\",\"approver\":\"none\"},"
	"     \"ladder\":[{\"at\":\"due\",\"do\":\"urge\"},"
	"      {\"at\":\"due+30m\",\"do\":\"supervise\"},"
	"      {\"at\":\"due+1h\",\"do\":\"escalate\",\"mode\":\"copy\"}]}}},"
	"  \"petition\":{\"clocks\":{"
	"   \"accept\":{\"due\":\"15d\",\"ladder\":[]},"
	"   \"resolve\":{\"due\":\"60d\",\"from\":\"signed\",\"ladder\":[],"
	"     \"extension\":{\"max\":1,\"longest\":\"30d\"}}}}}}";

/* the same policies with the complaint's resolve clock at 5wd */
static const char sla_v2[] =
	"{\"version\":\"c-sla-2\",\"policies\":{"
	"  \"complaint\":{\"clocks\":{\"sign\":{\"due\":\"2wh\"},"
	"   \"resolve\":{\"due\":\"5wd\"}}},"
	"  \"quick\":{\"clocks\":{\"resolve\":{\"due\":\"2h\"}}},"
	"  \"petition\":{\"clocks\":{\"accept\":{\"due\":\"15d\"}}}}}";

/* Clocks whose ladders test the corners: a non-pausable clock that
 * escalates (reassign) a paused order, one that runs past the resolution
 * until closed, and a ladder with a step in minutes after one in hours. */
static const char rules_more[] =
	"{\"version\":\"c-2\",\"fallback\":\"sz-zhzx\",\"tables\":["
	"{\"id\":\"main\",\"hit_policy\":\"first\",\"rules\":["
	"{\"id\":\"garbage\",\"when\":{\"category\":[\"city.environment\"]},"
	" \"then\":{\"lead\":\"role:town.urban_mgmt\",\"sla\":\"hard\"}},"
	"{\"id\":\"wage\",\"when\":{\"category\":[\"dispute.07\"]},"
	" \"then\":{\"lead\":\"dept:t-cq-cg\",\"sla\":\"long\"}},"
	"{\"id\":\"dispute\",\"when\":{\"category\":[\"dispute\"]},"
	" \"then\":{\"lead\":\"dept:t-cq-cg\",\"sla\":\"mixed\"}}]}]}";

static const char sla_more[] =
	"{\"version\":\"c-sla-3\",\"policies\":{"
	"  \"hard\":{\"clocks\":{"
	"   \"sign\":{\"due\":\"1h\",\"ladder\":[]},"
	"   \"resolve\":{\"due\":\"2h\",\"pausable\":false,"
	"     \"ladder\":[{\"at\":\"due+1h\",\"do\":\"escalate\"}]}}},"
	"  \"long\":{\"clocks\":{"
	"   \"total\":{\"due\":\"2h\",\"from\":\"received\",\"until\":\"closed\","
	"     \"ladder\":[{\"at\":\"due\",\"do\":\"escalate\"}]}}},"
	"  \"mixed\":{\"clocks\":{"
	"   \"resolve\":{\"due\":\"2h\","
	"     \"extension\":{\"longest\":\"1h\",\"approver\":\"none\"},"
	"     \"ladder\":["
	"     {\"at\":\"due\",\"do\":\"urge\"},"
	"     {\"at\":\"due+2h\",\"do\":\"supervise\"},"
	"     {\"at\":\"due+30m\",\"do\":\"notify\"}]}}}}}";

/* The example calendar with its working periods replaced by periods
 * (NULL: as they are). */
static char *calendar_with(const char *periods, size_t *n)
{
	char *cal = read_file(GF_TEST_EXAMPLE_CONFIG "/calendar.json", n);
	static const char key[] = "\"working_periods\": ";
	char *at = periods ? strstr(cal, key) : NULL;
	if (!periods)
		return cal;
	ck_assert_ptr_nonnull(at);
	char *end = strstr(at, "]],");
	ck_assert_ptr_nonnull(end);
	end += 2; /* keep the comma */
	size_t head = (size_t)(at - cal) + strlen(key);
	char *out = malloc(head + strlen(periods) + strlen(end) + 1);
	memcpy(out, cal, head);
	strcpy(out + head, periods);
	strcat(out, end);
	free(cal);
	*n = strlen(out);
	return out;
}

static gf_config *config_periods(const char *rules_json, const char *sla,
				 const char *periods)
{
	size_t n;
	char *cal = calendar_with(periods, &n);
	char *dir = directory_with_district_bureau();
	gf_config *cfg;
	ck_assert_int_eq(gf_config_new(&cfg), GF_OK);
	gf_config_set_file(cfg, "directory.json", dir, strlen(dir));
	gf_config_set_file(cfg, "rules.json", rules_json, strlen(rules_json));
	gf_config_set_file(cfg, "sla.json", sla, strlen(sla));
	gf_config_set_file(cfg, "calendar.json", cal, n);
	free(cal);
	free(dir);
	if (gf_config_compile(cfg) != GF_OK) {
		for (size_t i = 0; i < gf_config_problem_count(cfg); i++) {
			const char *f, *p, *m;
			gf_config_problem(cfg, i, &f, &p, &m);
			fprintf(stderr, "config: %s %s %s\n", f, p, m);
		}
		ck_abort_msg("the clock suite's configuration does not compile");
	}
	return cfg;
}

static gf_config *config_rules_sla(const char *rules_json, const char *sla)
{
	return config_periods(rules_json, sla, NULL);
}

static gf_config *config_with(const char *sla)
{
	return config_rules_sla(rules, sla);
}

/* SLA notices, in order, as "step clock order dept" lines. */
typedef struct seen {
	int n;
	char line[64][160];
	int escalated;
} seen;

static void on_notice(void *data, const gf_notice *n)
{
	seen *s = data;
	gf_notice_kind k = gf_notice_kind_of(n);
	if (k != GF_NOTICE_SLA && k != GF_NOTICE_ESCALATED)
		return;
	if (k == GF_NOTICE_ESCALATED)
		s->escalated++;
	if (s->n < 64) {
		char at[40];
		gf_time_format(at, sizeof(at), gf_notice_time(n), 480);
		snprintf(s->line[s->n++], 160, "%s %s %s %s %s",
			 gf_notice_step(n), gf_notice_clock(n),
			 gf_notice_order(n), gf_notice_dept(n), at);
	}
}

static gf_engine *open_cfg(gf_config *cfg, const char *store, seen *s)
{
	gf_options o = GF_OPTIONS_INIT;
	o.config = cfg;
	o.store = store;
	o.clock = GF_CLOCK_EVENT;
	o.sync = GF_SYNC_NEVER;
	o.notice = s ? on_notice : NULL;
	o.notice_data = s;
	gf_engine *eng;
	char err[256];
	int rc = gf_engine_open(&eng, &o, err, sizeof(err));
	gf_config_free(cfg);
	ck_assert_msg(rc == GF_OK, "open: %s", err);
	return eng;
}

static gf_engine *open_sla(const char *sla, const char *store, seen *s)
{
	return open_cfg(config_with(sla), store, s);
}

/* The engine of rules_more and sla_more. */
static gf_engine *open_more(const char *store, seen *s)
{
	return open_cfg(config_rules_sla(rules_more, sla_more), store, s);
}

static gf_time T(const char *s)
{
	gf_time t;
	ck_assert_int_eq(gf_time_parse(&t, NULL, s, strlen(s)), GF_OK);
	return t;
}

static void ck_time(gf_time got, const char *want)
{
	char b[40] = "none";
	if (got != GF_TIME_NONE)
		gf_time_format(b, sizeof(b), got, 480);
	ck_assert_msg(strcmp(b, want) == 0, "time %s, want %s", b, want);
}

/* An event at an RFC 3339 time; returns the order id (static). */
static const char *event(gf_engine *eng, const char *ch, const char *sid,
			 const char *at, const char *category)
{
	static char id[64];
	char buf[1024];
	const gf_result *r;
	snprintf(buf, sizeof(buf),
		 "{\"channel\":\"%s\",\"source_id\":\"%s\",\"received_at\":"
		 "\"%s\",\"region\":\"320506001001\",\"category\":\"%s\"}",
		 ch, sid, at, category);
	int rc = gf_engine_ingest_json(eng, buf, strlen(buf), &r);
	ck_assert_msg(rc == GF_OK, "%s: %s", sid, gf_engine_errmsg(eng));
	snprintf(id, sizeof(id), "%s", gf_result_order(r));
	return id;
}

/* Apply {"op":op,"ref":ref,"actor":actor,"at":at, extra...}. */
static int act(gf_engine *eng, const char *op, const char *ref,
	       const char *actor, const char *at, const char *extra)
{
	char buf[512];
	const gf_result *r;
	snprintf(buf, sizeof(buf),
		 "{\"op\":\"%s\",\"ref\":\"%s\",\"actor\":\"%s\",\"at\":\"%s\""
		 "%s%s}",
		 op, ref, actor, at, extra ? "," : "", extra ? extra : "");
	return gf_engine_apply_json(eng, buf, strlen(buf), &r);
}

/* The orders most tests start from, received Monday 2026-11-23 09:00:
 * a complaint (sign 2wh, resolve 3wd with an approved extension rule) and
 * a police call (resolve 2h natural, extension without approval). */
static void complaint(gf_engine *eng, char id[64])
{
	snprintf(id, 64, "%s",
		 event(eng, "12345", "C1", "2026-11-23T09:00:00+08:00",
		       "city.environment.garbage"));
}

static void police(gf_engine *eng, char id[64])
{
	snprintf(id, 64, "%s",
		 event(eng, "110", "P1", "2026-11-23T09:00:00+08:00",
		       "police.fight"));
}

static const gf_sla_clock *clock_of(gf_engine *eng, const char *id,
				    const char *name)
{
	const gf_order *o = gf_engine_order_find(eng, id);
	ck_assert_ptr_nonnull(o);
	const gf_sla_clock *c = gf_order_clock_named(o, name);
	ck_assert_msg(c != NULL, "order %s has no clock %s", id, name);
	return c;
}

static size_t audit_count(gf_engine *eng, const char *id, const char *what)
{
	const gf_order *o = gf_engine_order_find(eng, id);
	size_t n = 0;
	for (size_t i = 0; i < gf_order_audit_count(o); i++)
		n += strcmp(gf_audit_what(gf_order_audit(o, i)), what) == 0;
	return n;
}

/* Monday 2026-11-23 09:00: sign (2wh) is due 11:00; resolve (3wd) counts
 * Tue, Wed, Thu and is due Thu 17:30; half its working time (warn 0.5 of
 * 28 h) is used at the end of Tuesday. */
START_TEST(clocks_start_with_due_and_warning_times)
{
	gf_engine *eng = open_sla(sla_v1, NULL, NULL);
	const char *id = event(eng, "12345", "C1", "2026-11-23T09:00:00+08:00",
			       "city.environment.garbage");
	const gf_order *o = gf_engine_order_find(eng, id);
	ck_assert_uint_eq(gf_order_clock_count(o), 2);
	const gf_sla_clock *sign = clock_of(eng, id, "sign");
	const gf_sla_clock *res = clock_of(eng, id, "resolve");
	ck_assert_int_eq(gf_sla_clock_state(sign), GF_SLA_RUNNING);
	ck_time(gf_sla_clock_started(sign), "2026-11-23T09:00:00+08:00");
	ck_time(gf_sla_clock_due(sign), "2026-11-23T11:00:00+08:00");
	ck_time(gf_sla_clock_due(res), "2026-11-26T17:30:00+08:00");
	ck_time(gf_sla_clock_warning(res), "2026-11-24T17:30:00+08:00");
	ck_assert_int_eq(gf_sla_clock_on_time(res, T("2026-11-26T17:30:00+08:00")), -1);
	ck_assert_int_eq(gf_sla_clock_on_time(res, T("2026-11-26T17:31:00+08:00")), 0);
	/* a received-on-a-holiday complaint counts from the first working
	 * day after it: 2026-10-01 (national day) -> 10-08, 10-09, 10-10
	 * (a make-up Saturday) */
	id = event(eng, "12345", "C2", "2026-10-01T10:00:00+08:00",
		   "city.environment.garbage");
	ck_time(gf_sla_clock_due(clock_of(eng, id, "resolve")),
		"2026-10-10T17:30:00+08:00");
	/* the police order: natural time, no warning */
	id = event(eng, "110", "P1", "2026-11-23T09:00:00+08:00", "police.fight");
	ck_time(gf_sla_clock_due(clock_of(eng, id, "resolve")),
		"2026-11-23T11:00:00+08:00");
	ck_time(gf_sla_clock_warning(clock_of(eng, id, "resolve")), "none");
	gf_engine_close(eng);
}
END_TEST

START_TEST(the_ladder_fires_in_order_and_escalates_one_level_up)
{
	seen s;
	memset(&s, 0, sizeof(s));
	gf_engine *eng = open_sla(sla_v1, NULL, &s);
	char id[64];
	complaint(eng, id);
	ck_assert_int_eq(gf_engine_next_deadline(eng),
			 T("2026-11-23T11:00:00+08:00"));
	/* nothing before its time */
	ck_assert_int_eq(gf_engine_set_time(eng, T("2026-11-23T10:59:59+08:00")),
			 GF_OK);
	ck_assert_int_eq(s.n, 0);
	ck_assert_int_eq(gf_engine_set_time(eng, T("2026-11-23T11:00:00+08:00")),
			 GF_OK);
	ck_assert_int_eq(s.n, 1);
	ck_assert_msg(strstr(s.line[0], "urge sign") == s.line[0], "%s",
		      s.line[0]);
	ck_assert_ptr_nonnull(strstr(s.line[0], "t-cq-cg"));
	/* signing late stops the sign clock, late */
	ck_assert_int_eq(act(eng, "sign", id, "t-cq-cg",
			     "2026-11-23T11:30:00+08:00", NULL), GF_OK);
	const gf_sla_clock *sign = clock_of(eng, id, "sign");
	ck_assert_int_eq(gf_sla_clock_state(sign), GF_SLA_STOPPED);
	ck_time(gf_sla_clock_stopped(sign), "2026-11-23T11:30:00+08:00");
	ck_assert_int_eq(gf_sla_clock_on_time(sign, 0), 0);
	/* a week passes at once: warning (Tue 17:30), urge (Thu 17:30),
	 * supervise (Fri 17:30), escalate (Mon 17:30), in that order */
	ck_assert_int_eq(gf_engine_set_time(eng, T("2026-12-01T09:00:00+08:00")),
			 GF_OK);
	ck_assert_int_eq(s.n, 5);
	ck_assert_msg(strstr(s.line[1], "notify resolve") == s.line[1] &&
			      strstr(s.line[1], "2026-11-24T17:30:00"),
		      "%s", s.line[1]);
	ck_assert_msg(strstr(s.line[2], "urge resolve") == s.line[2] &&
			      strstr(s.line[2], "2026-11-26T17:30:00"),
		      "%s", s.line[2]);
	ck_assert_msg(strstr(s.line[3], "supervise resolve") == s.line[3] &&
			      strstr(s.line[3], "sz-zhzx") &&
			      strstr(s.line[3], "2026-11-27T17:30:00"),
		      "%s", s.line[3]);
	ck_assert_msg(strstr(s.line[4], "escalate resolve") == s.line[4] &&
			      strstr(s.line[4], "d-wz-cg") &&
			      strstr(s.line[4], "2026-11-30T17:30:00"),
		      "%s", s.line[4]);
	ck_assert_int_eq(s.escalated, 1);
	/* reassigned: the district bureau leads, the order awaits its
	 * signature, and the sign clock runs again for it */
	const gf_order *o = gf_engine_order_find(eng, id);
	ck_assert_str_eq(gf_order_lead(o), "d-wz-cg");
	ck_assert_int_eq(gf_order_level(o), GF_LEVEL_DISTRICT);
	ck_assert_int_eq(gf_order_state(o), GF_STATE_DISPATCHED);
	ck_assert_uint_eq(gf_sla_clock_runs(sign), 2);
	ck_assert_int_eq(gf_sla_clock_state(sign), GF_SLA_RUNNING);
	ck_assert_uint_eq(audit_count(eng, id, "urge"), 2);
	ck_assert_uint_eq(audit_count(eng, id, "supervise"), 1);
	ck_assert_uint_eq(audit_count(eng, id, "escalate"), 1);
	const gf_audit *last = gf_order_audit(o, gf_order_audit_count(o) - 1);
	ck_assert_str_eq(gf_audit_what(last), "escalate");
	ck_assert_str_eq(gf_audit_actor_dept(last), "system");
	ck_assert_str_eq(gf_audit_lead(last), "d-wz-cg");
	ck_assert_ptr_nonnull(strstr(gf_audit_reason(last), "resolve"));
	/* the ladder is spent: the resolve clock asks for nothing more */
	ck_assert_uint_eq(gf_sla_clock_steps_fired(clock_of(eng, id, "resolve")),
			  4);
	gf_engine_close(eng);
}
END_TEST

START_TEST(escalation_copy_and_no_upper_level)
{
	seen s;
	memset(&s, 0, sizeof(s));
	gf_engine *eng = open_sla(sla_v1, NULL, &s);
	char id[64];
	police(eng, id);
	/* urge 11:00, supervise 11:30, escalate (copy) 12:00; the town
	 * police station has no upper police department in this directory */
	ck_assert_int_eq(gf_engine_set_time(eng, T("2026-11-23T12:00:00+08:00")),
			 GF_OK);
	ck_assert_int_eq(s.n, 3);
	const gf_order *o = gf_engine_order_find(eng, id);
	ck_assert_str_eq(gf_order_lead(o), "t-cq-pcs");
	ck_assert_uint_eq(gf_order_assist_count(o), 0);
	const gf_audit *last = gf_order_audit(o, gf_order_audit_count(o) - 1);
	ck_assert_str_eq(gf_audit_what(last), "escalate");
	ck_assert_ptr_nonnull(strstr(gf_audit_reason(last), "no upper level"));
	gf_engine_close(eng);
}
END_TEST

START_TEST(pause_stops_the_clock_and_resume_moves_due)
{
	gf_engine *eng = open_sla(sla_v1, NULL, NULL);
	char id[64];
	police(eng, id);
	ck_assert_int_eq(act(eng, "sign", id, "t-cq-pcs",
			     "2026-11-23T09:10:00+08:00", NULL), GF_OK);
	ck_assert_int_eq(act(eng, "pause", id, "t-cq-pcs",
			     "2026-11-23T10:00:00+08:00",
			     "\"reason\":\"等待当事人到场\""), GF_OK);
	const gf_sla_clock *c = clock_of(eng, id, "resolve");
	ck_assert_int_eq(gf_sla_clock_state(c), GF_SLA_PAUSED);
	/* nothing fires while paused, past the old due time */
	ck_assert_int_eq(gf_engine_set_time(eng, T("2026-11-23T12:00:00+08:00")),
			 GF_OK);
	ck_assert_uint_eq(gf_sla_clock_steps_fired(c), 0);
	ck_assert_int_eq(gf_engine_next_deadline(eng), INT64_MAX);
	ck_assert_int_eq(act(eng, "resume", id, "t-cq-pcs",
			     "2026-11-23T12:00:00+08:00", NULL), GF_OK);
	ck_assert_int_eq(gf_sla_clock_state(c), GF_SLA_RUNNING);
	ck_time(gf_sla_clock_due(c), "2026-11-23T13:00:00+08:00");
	ck_assert_int_eq(gf_sla_clock_paused_ms(c), 2 * 3600 * 1000);
	ck_assert_int_eq(gf_engine_next_deadline(eng),
			 T("2026-11-23T13:00:00+08:00"));
	const gf_order *o = gf_engine_order_find(eng, id);
	const char *want[] = { "start", "pause", "resume" };
	ck_assert_uint_eq(gf_order_sla_mark_count(o), 3);
	for (size_t i = 0; i < 3; i++)
		ck_assert_str_eq(gf_sla_mark_what(gf_order_sla_mark(o, i)),
				 want[i]);
	ck_time(gf_sla_mark_due(gf_order_sla_mark(o, 2)),
		"2026-11-23T13:00:00+08:00");
	/* resolving on time stops it on time */
	ck_assert_int_eq(act(eng, "resolve", id, "t-cq-pcs",
			     "2026-11-23T12:59:00+08:00", NULL), GF_OK);
	ck_assert_int_eq(gf_sla_clock_on_time(c, 0), 1);
	gf_engine_close(eng);
}
END_TEST

/* Working-time pause: a working-days clock paused for two working hours
 * falls due two working hours later. */
START_TEST(pause_counts_working_time_for_working_clocks)
{
	gf_engine *eng = open_sla(sla_v1, NULL, NULL);
	char id[64];
	complaint(eng, id);
	ck_assert_int_eq(act(eng, "sign", id, "t-cq-cg",
			     "2026-11-23T09:30:00+08:00", NULL), GF_OK);
	ck_assert_int_eq(act(eng, "pause", id, "t-cq-cg",
			     "2026-11-24T09:00:00+08:00",
			     "\"reason\":\"等待供电公司\""), GF_OK);
	/* Tue 09:00 to Tue 13:30 + 1 h: two working hours (09-11)... the
	 * resume at 11:00 paused 2 working hours, so due moves from Thu
	 * 17:30 to Fri 11:00 */
	ck_assert_int_eq(act(eng, "resume", id, "t-cq-cg",
			     "2026-11-24T11:00:00+08:00", NULL), GF_OK);
	ck_time(gf_sla_clock_due(clock_of(eng, id, "resolve")),
		"2026-11-27T11:00:00+08:00");
	gf_engine_close(eng);
}
END_TEST

START_TEST(extension_needs_approval_and_follows_its_rule)
{
	gf_engine *eng = open_sla(sla_v1, NULL, NULL);
	char id[64];
	complaint(eng, id);
	const char *at = "2026-11-23T10:00:00+08:00";
	ck_assert_int_eq(act(eng, "sign", id, "t-cq-cg", at, NULL), GF_OK);
	/* longer than the rule allows */
	ck_assert_int_eq(act(eng, "extend", id, "t-cq-cg", at,
			     "\"duration\":\"6wd\",\"reason\":\"需协调\""),
			 GF_EVALUE);
	/* a clock without an extension rule */
	ck_assert_int_eq(act(eng, "extend", id, "t-cq-cg", at,
			     "\"duration\":\"1wd\",\"reason\":\"x\","
			     "\"clock\":\"sign\""),
			 GF_EPERM);
	ck_assert_int_eq(act(eng, "extend", id, "t-cq-cg", at,
			     "\"duration\":\"1wd\",\"reason\":\"x\","
			     "\"clock\":\"nope\""),
			 GF_EUNKNOWN);
	/* nothing to approve yet */
	ck_assert_int_eq(act(eng, "approve_extension", id, "wz-zhzx", at, NULL),
			 GF_ESTATE);
	ck_assert_int_eq(act(eng, "extend", id, "t-cq-cg", at,
			     "\"duration\":\"2wd\",\"reason\":\"需协调供电公司\""),
			 GF_OK);
	const gf_sla_clock *c = clock_of(eng, id, "resolve");
	ck_assert_str_eq(gf_sla_clock_pending(c), "2wd");
	ck_time(gf_sla_clock_due(c), "2026-11-26T17:30:00+08:00");
	/* one request at a time */
	ck_assert_int_eq(act(eng, "extend", id, "t-cq-cg", at,
			     "\"duration\":\"1wd\",\"reason\":\"x\""),
			 GF_ESTATE);
	/* only the approver's function, covering the region, decides */
	ck_assert_int_eq(act(eng, "approve_extension", id, "t-cq-cg", at, NULL),
			 GF_EPERM);
	ck_assert_int_eq(act(eng, "approve_extension", id, "gs-zhzx", at, NULL),
			 GF_EPERM);
	ck_assert_int_eq(act(eng, "reject_extension", id, "wz-zhzx", at, NULL),
			 GF_EMISSING);
	ck_assert_int_eq(act(eng, "approve_extension", id, "wz-zhzx",
			     "2026-11-23T11:00:00+08:00", NULL), GF_OK);
	ck_assert_ptr_null(gf_sla_clock_pending(c));
	ck_assert_uint_eq(gf_sla_clock_extensions(c), 1);
	ck_time(gf_sla_clock_due(c), "2026-11-30T17:30:00+08:00");
	ck_assert_uint_eq(gf_order_extension_count(gf_engine_order_find(eng, id)),
			  1);
	/* max 1 */
	ck_assert_int_eq(act(eng, "extend", id, "t-cq-cg",
			     "2026-11-23T12:00:00+08:00",
			     "\"duration\":\"1wd\",\"reason\":\"x\""),
			 GF_EPERM);
	gf_engine_close(eng);
}
END_TEST

START_TEST(extension_too_late_or_rejected)
{
	gf_engine *eng = open_sla(sla_v1, NULL, NULL);
	char id[64];
	complaint(eng, id);
	ck_assert_int_eq(act(eng, "sign", id, "t-cq-cg",
			     "2026-11-23T10:00:00+08:00", NULL), GF_OK);
	/* due Thu 17:30: asked Wed 17:00 leaves Thu, a working day: fine;
	 * asked Thu 09:00 leaves less than one: too late */
	ck_assert_int_eq(act(eng, "extend", id, "t-cq-cg",
			     "2026-11-26T09:00:00+08:00",
			     "\"duration\":\"1wd\",\"reason\":\"x\""),
			 GF_ESTATE);
	gf_engine_close(eng);

	eng = open_sla(sla_v1, NULL, NULL);
	complaint(eng, id);
	ck_assert_int_eq(act(eng, "sign", id, "t-cq-cg",
			     "2026-11-23T10:00:00+08:00", NULL), GF_OK);
	ck_assert_int_eq(act(eng, "extend", id, "t-cq-cg",
			     "2026-11-25T17:00:00+08:00",
			     "\"duration\":\"1wd\",\"reason\":\"x\""),
			 GF_OK);
	ck_assert_int_eq(act(eng, "reject_extension", id, "wz-zhzx",
			     "2026-11-25T17:10:00+08:00",
			     "\"reason\":\"理由不充分\""), GF_OK);
	const gf_sla_clock *c = clock_of(eng, id, "resolve");
	ck_assert_ptr_null(gf_sla_clock_pending(c));
	ck_assert_uint_eq(gf_sla_clock_extensions(c), 0);
	ck_time(gf_sla_clock_due(c), "2026-11-26T17:30:00+08:00");
	const gf_order *o = gf_engine_order_find(eng, id);
	/* the warning (Tue 17:30) passed before the request */
	const char *want[] = { "start", "start", "stop", "notify", "request",
			       "deny" };
	ck_assert_uint_eq(gf_order_sla_mark_count(o), 6);
	for (size_t i = 0; i < 6; i++)
		ck_assert_str_eq(gf_sla_mark_what(gf_order_sla_mark(o, i)),
				 want[i]);
	gf_engine_close(eng);
}
END_TEST

START_TEST(extension_without_approver_is_granted_at_once)
{
	gf_engine *eng = open_sla(sla_v1, NULL, NULL);
	char id[64];
	police(eng, id);
	ck_assert_int_eq(act(eng, "sign", id, "t-cq-pcs",
			     "2026-11-23T09:05:00+08:00", NULL), GF_OK);
	ck_assert_int_eq(act(eng, "extend", id, "t-cq-pcs",
			     "2026-11-23T09:30:00+08:00",
			     "\"duration\":\"3h\",\"reason\":\"伤者送医\""),
			 GF_OK);
	const gf_sla_clock *c = clock_of(eng, id, "resolve");
	ck_time(gf_sla_clock_due(c), "2026-11-23T14:00:00+08:00");
	ck_assert_uint_eq(gf_sla_clock_extensions(c), 1);
	ck_assert_int_eq(act(eng, "extend", id, "t-cq-pcs",
			     "2026-11-23T09:40:00+08:00",
			     "\"duration\":\"2d\",\"reason\":\"x\""),
			 GF_EVALUE);
	gf_engine_close(eng);
}
END_TEST

START_TEST(petition_accepts_in_15_days_and_resolves_in_60_after)
{
	gf_engine *eng = open_sla(sla_v1, NULL, NULL);
	char id[64];
	snprintf(id, sizeof(id), "%s",
		 event(eng, "petition", "XF1", "2026-11-23T09:00:00+08:00",
		       "dispute.07.wage_arrears"));
	const gf_sla_clock *acc = clock_of(eng, id, "accept");
	const gf_sla_clock *res = clock_of(eng, id, "resolve");
	ck_time(gf_sla_clock_due(acc), "2026-12-08T09:00:00+08:00");
	ck_assert_int_eq(gf_sla_clock_state(res), GF_SLA_IDLE);
	ck_assert_int_eq(act(eng, "sign", id, "d-wz-xf",
			     "2026-11-30T09:00:00+08:00", NULL), GF_OK);
	ck_assert_int_eq(gf_sla_clock_on_time(acc, 0), 1);
	ck_time(gf_sla_clock_due(res), "2027-01-29T09:00:00+08:00");
	ck_assert_int_eq(act(eng, "extend", id, "d-wz-xf",
			     "2026-12-01T09:00:00+08:00",
			     "\"duration\":\"30d\",\"reason\":\"需鉴定\""),
			 GF_OK);
	ck_assert_int_eq(act(eng, "approve_extension", id, "wz-zhzx",
			     "2026-12-02T09:00:00+08:00", NULL), GF_OK);
	ck_time(gf_sla_clock_due(res), "2027-02-28T09:00:00+08:00");
	gf_engine_close(eng);
}
END_TEST

START_TEST(runs_restart_on_redispatch_and_reopen_and_stop_at_the_end)
{
	gf_engine *eng = open_sla(sla_v1, NULL, NULL);
	char id[64];
	complaint(eng, id);
	const gf_sla_clock *sign = clock_of(eng, id, "sign");
	const gf_sla_clock *res = clock_of(eng, id, "resolve");
	/* the desk re-designates: the new lead gets the full sign time */
	ck_assert_int_eq(act(eng, "dispatch", id, "wz-zhzx",
			     "2026-11-23T10:00:00+08:00",
			     "\"dept\":\"t-md-cg\""), GF_OK);
	ck_assert_uint_eq(gf_sla_clock_runs(sign), 2);
	ck_time(gf_sla_clock_due(sign), "2026-11-23T12:00:00+08:00");
	ck_assert_uint_eq(gf_sla_clock_runs(res), 1);
	ck_assert_int_eq(act(eng, "sign", id, "t-md-cg",
			     "2026-11-23T10:30:00+08:00", NULL), GF_OK);
	ck_assert_int_eq(act(eng, "resolve", id, "t-md-cg",
			     "2026-11-24T10:00:00+08:00", NULL), GF_OK);
	ck_assert_int_eq(gf_sla_clock_state(res), GF_SLA_STOPPED);
	ck_assert_int_eq(gf_sla_clock_on_time(res, 0), 1);
	/* failed verification: a new resolve run from the reopen */
	ck_assert_int_eq(act(eng, "reject_verification", id, "wz-zhzx",
			     "2026-11-24T11:00:00+08:00",
			     "\"reason\":\"现场仍有垃圾\""), GF_OK);
	ck_assert_int_eq(gf_sla_clock_state(res), GF_SLA_RUNNING);
	ck_assert_uint_eq(gf_sla_clock_runs(res), 2);
	ck_time(gf_sla_clock_started(res), "2026-11-24T11:00:00+08:00");
	ck_time(gf_sla_clock_due(res), "2026-11-27T17:30:00+08:00");
	ck_assert_int_eq(act(eng, "cancel", id, "wz-zhzx",
			     "2026-11-24T12:00:00+08:00",
			     "\"reason\":\"重复\""), GF_OK);
	ck_assert_int_eq(gf_sla_clock_state(res), GF_SLA_STOPPED);
	ck_assert_int_eq(gf_engine_next_deadline(eng), INT64_MAX);
	gf_engine_close(eng);
}
END_TEST

START_TEST(return_to_the_desk_stops_the_handlers_clock)
{
	gf_engine *eng = open_sla(sla_v1, NULL, NULL);
	char id[64];
	complaint(eng, id);
	/* the rules offer no second town bureau: back to the desk */
	ck_assert_int_eq(act(eng, "return", id, "t-cq-cg",
			     "2026-11-23T09:30:00+08:00",
			     "\"reason\":\"不属于本街道\""), GF_OK);
	const gf_order *o = gf_engine_order_find(eng, id);
	ck_assert_int_eq(gf_order_state(o), GF_STATE_RETURNED);
	ck_assert_int_eq(gf_sla_clock_state(clock_of(eng, id, "sign")),
			 GF_SLA_STOPPED);
	ck_assert_int_eq(gf_sla_clock_state(clock_of(eng, id, "resolve")),
			 GF_SLA_RUNNING);
	gf_engine_close(eng);
}
END_TEST

/* Dump of every clock and mark of every order, for comparisons. */
static void clocks_text(gf_engine *eng, char *buf, size_t size)
{
	size_t n = 0;
	buf[0] = '\0';
	for (size_t i = 0; i < gf_engine_order_count(eng); i++) {
		const gf_order *o = gf_engine_order_at(eng, i);
		n += (size_t)snprintf(buf + n, size - n, "%s %s %s %d|",
				      gf_order_id(o), gf_order_lead(o),
				      gf_state_name(gf_order_state(o)),
				      gf_order_paused(o));
		for (size_t j = 0; j < gf_order_clock_count(o); j++) {
			const gf_sla_clock *c = gf_order_clock(o, j);
			const char *p = gf_sla_clock_pending(c);
			n += (size_t)snprintf(
				buf + n, size - n,
				"%s %d %lld %lld %lld %u %u %u %s %d;",
				gf_sla_clock_name(c), gf_sla_clock_state(c),
				(long long)gf_sla_clock_due(c),
				(long long)gf_sla_clock_warning(c),
				(long long)gf_sla_clock_stopped(c),
				gf_sla_clock_runs(c),
				gf_sla_clock_steps_fired(c),
				gf_sla_clock_extensions(c), p ? p : "-",
				gf_sla_clock_on_time(c, 0));
		}
		n += (size_t)snprintf(buf + n, size - n, "%zu/%zu\n",
				      gf_order_sla_mark_count(o),
				      gf_order_audit_count(o));
	}
}

/* Clocks come back from the journal; a step that fell due while the
 * engine was closed fires once at the first call, and never again. */
START_TEST(clocks_survive_a_restart_and_fire_once)
{
	char *dir = fx_tmpdir();
	char store[512], before[4096], after[4096];
	snprintf(store, sizeof(store), "journal:%s/j", dir);
	seen s;
	memset(&s, 0, sizeof(s));
	gf_engine *eng = open_sla(sla_v1, store, &s);
	char id[64];
	complaint(eng, id);
	ck_assert_int_eq(act(eng, "sign", id, "t-cq-cg",
			     "2026-11-23T10:00:00+08:00", NULL), GF_OK);
	clocks_text(eng, before, sizeof(before));
	gf_engine_close(eng);

	/* down across the warning and the due time */
	memset(&s, 0, sizeof(s));
	eng = open_sla(sla_v1, store, &s);
	clocks_text(eng, after, sizeof(after));
	ck_assert_str_eq(after, before);
	ck_assert_int_eq(s.n, 0); /* nothing fires during open */
	ck_assert_int_eq(gf_engine_next_deadline(eng),
			 T("2026-11-24T17:30:00+08:00"));
	ck_assert_int_eq(gf_engine_set_time(eng, T("2026-11-26T18:00:00+08:00")),
			 GF_OK);
	ck_assert_int_eq(s.n, 2);
	ck_assert_uint_eq(audit_count(eng, id, "notify"), 1);
	ck_assert_uint_eq(audit_count(eng, id, "urge"), 1);
	clocks_text(eng, before, sizeof(before));
	gf_engine_close(eng);

	memset(&s, 0, sizeof(s));
	eng = open_sla(sla_v1, store, &s);
	clocks_text(eng, after, sizeof(after));
	ck_assert_str_eq(after, before);
	ck_assert_int_eq(gf_engine_set_time(eng, T("2026-11-26T18:30:00+08:00")),
			 GF_OK);
	size_t fired = 99;
	ck_assert_int_eq(gf_engine_run_timers(eng, &fired), GF_OK);
	ck_assert_uint_eq(fired, 0);
	ck_assert_int_eq(s.n, 0);
	ck_assert_uint_eq(audit_count(eng, id, "urge"), 1);
	gf_engine_close(eng);
	fx_rmdir(dir);
}
END_TEST

/* A changed sla.json applies to new orders; orders in the journal keep
 * the policies their clocks started under. */
START_TEST(orders_keep_the_policies_they_started_under)
{
	char *dir = fx_tmpdir();
	char store[512];
	snprintf(store, sizeof(store), "journal:%s/j", dir);
	gf_engine *eng = open_sla(sla_v1, store, NULL);
	char old[64];
	snprintf(old, sizeof(old), "%s",
		 event(eng, "12345", "C1", "2026-11-23T09:00:00+08:00",
		       "city.environment.garbage"));
	gf_engine_close(eng);

	eng = open_sla(sla_v2, store, NULL);
	ck_time(gf_sla_clock_due(clock_of(eng, old, "resolve")),
		"2026-11-26T17:30:00+08:00");
	char fresh[64];
	snprintf(fresh, sizeof(fresh), "%s",
		 event(eng, "12345", "C2", "2026-11-23T09:00:00+08:00",
		       "city.environment.garbage"));
	ck_time(gf_sla_clock_due(clock_of(eng, fresh, "resolve")),
		"2026-11-30T17:30:00+08:00");
	gf_engine_close(eng);

	/* and again after a restart under the first files */
	eng = open_sla(sla_v1, store, NULL);
	ck_time(gf_sla_clock_due(clock_of(eng, old, "resolve")),
		"2026-11-26T17:30:00+08:00");
	ck_time(gf_sla_clock_due(clock_of(eng, fresh, "resolve")),
		"2026-11-30T17:30:00+08:00");
	gf_engine_close(eng);
	fx_rmdir(dir);
}
END_TEST

/* Close the engine on store and open it again (sla_v1, or rules_more and
 * sla_more when more): the replay must rebuild the clocks, the orders and
 * the next deadline exactly as they were live, and fire nothing. */
static gf_engine *reopen(gf_engine *eng, const char *store, seen *s,
			 int more)
{
	char before[8192], after[8192];
	clocks_text(eng, before, sizeof(before));
	gf_time next = gf_engine_next_deadline(eng);
	gf_engine_close(eng);
	int n = s ? s->n : 0;
	eng = more ? open_more(store, s) : open_sla(sla_v1, store, s);
	clocks_text(eng, after, sizeof(after));
	ck_assert_str_eq(after, before);
	ck_assert_int_eq(gf_engine_next_deadline(eng), next);
	ck_assert_int_eq(s ? s->n : 0, n);
	return eng;
}

static const char *mark_what(gf_engine *eng, const char *id, size_t back)
{
	const gf_order *o = gf_engine_order_find(eng, id);
	size_t n = gf_order_sla_mark_count(o);
	ck_assert_uint_gt(n, back);
	return gf_sla_mark_what(gf_order_sla_mark(o, n - 1 - back));
}

/* An extension granted while paused: its step times are not known until
 * the resume (they count from it), so the ladder starts over then, not at
 * the grant against times as of the pause, which a long pause has left
 * behind. */
START_TEST(extension_while_paused_starts_the_ladder_over_at_the_resume)
{
	char *dir = fx_tmpdir();
	char store[512];
	snprintf(store, sizeof(store), "journal:%s/j", dir);
	seen s;
	memset(&s, 0, sizeof(s));
	gf_engine *eng = open_sla(sla_v1, store, &s);
	/* natural time: 30 min used, paused, extended by 30 min past the
	 * due time as of the pause (11:30), resumed at 14:00 with 2 h left */
	char id[64];
	police(eng, id);
	ck_assert_int_eq(act(eng, "sign", id, "t-cq-pcs",
			     "2026-11-23T09:10:00+08:00", NULL), GF_OK);
	ck_assert_int_eq(act(eng, "pause", id, "t-cq-pcs",
			     "2026-11-23T09:30:00+08:00",
			     "\"reason\":\"等待现场勘验\""), GF_OK);
	ck_assert_int_eq(act(eng, "extend", id, "t-cq-pcs",
			     "2026-11-23T13:00:00+08:00",
			     "\"duration\":\"30m\",\"reason\":\"x\""), GF_OK);
	const gf_sla_clock *c = clock_of(eng, id, "resolve");
	ck_time(gf_sla_clock_due(c), "2026-11-23T11:30:00+08:00");
	/* the replay rebuilds the ladder owed to the resume */
	eng = reopen(eng, store, &s, 0);
	ck_assert_int_eq(act(eng, "resume", id, "t-cq-pcs",
			     "2026-11-23T14:00:00+08:00", NULL), GF_OK);
	c = clock_of(eng, id, "resolve");
	ck_time(gf_sla_clock_due(c), "2026-11-23T16:00:00+08:00");
	ck_assert_uint_eq(gf_sla_clock_steps_fired(c), 0);
	ck_assert_int_eq(gf_engine_next_deadline(eng),
			 T("2026-11-23T16:00:00+08:00"));
	ck_assert_int_eq(gf_engine_set_time(eng, T("2026-11-23T18:00:00+08:00")),
			 GF_OK);
	ck_assert_int_eq(s.n, 3);
	ck_assert_msg(strstr(s.line[0], "urge resolve") == s.line[0] &&
			      strstr(s.line[0], "2026-11-23T16:00:00"),
		      "%s", s.line[0]);
	ck_assert_msg(strstr(s.line[1], "supervise resolve") == s.line[1] &&
			      strstr(s.line[1], "2026-11-23T16:30:00"),
		      "%s", s.line[1]);
	ck_assert_msg(strstr(s.line[2], "escalate resolve") == s.line[2] &&
			      strstr(s.line[2], "2026-11-23T17:00:00"),
		      "%s", s.line[2]);

	/* working time, with a warning: 3wd from Mon 09:00, 28 working
	 * hours; 1 used by the pause on Mon 10:00. The grant of 2wd (Wed
	 * 11:00) adds 14: due Mon 11-30 17:30 and warning (21 h used) Wed
	 * 17:30 as of the pause. Resumed Thu 09:00 with 41 h left: warning
	 * Mon 11-30 16:30, due Thu 12-03 16:30, and the warning fires. */
	gf_engine_close(eng);
	snprintf(store, sizeof(store), "journal:%s/j2", dir);
	memset(&s, 0, sizeof(s));
	eng = open_sla(sla_v1, store, &s);
	complaint(eng, id);
	ck_assert_int_eq(act(eng, "sign", id, "t-cq-cg",
			     "2026-11-23T09:30:00+08:00", NULL), GF_OK);
	ck_assert_int_eq(act(eng, "pause", id, "t-cq-cg",
			     "2026-11-23T10:00:00+08:00",
			     "\"reason\":\"等待供电公司\""), GF_OK);
	ck_assert_int_eq(act(eng, "extend", id, "t-cq-cg",
			     "2026-11-25T10:00:00+08:00",
			     "\"duration\":\"2wd\",\"reason\":\"x\""), GF_OK);
	ck_assert_int_eq(act(eng, "approve_extension", id, "wz-zhzx",
			     "2026-11-25T11:00:00+08:00", NULL), GF_OK);
	c = clock_of(eng, id, "resolve");
	ck_time(gf_sla_clock_due(c), "2026-11-30T17:30:00+08:00");
	ck_time(gf_sla_clock_warning(c), "2026-11-25T17:30:00+08:00");
	ck_assert_str_eq(mark_what(eng, id, 0), "extend");
	ck_assert_int_eq(act(eng, "resume", id, "t-cq-cg",
			     "2026-11-26T09:00:00+08:00", NULL), GF_OK);
	c = clock_of(eng, id, "resolve");
	ck_time(gf_sla_clock_warning(c), "2026-11-30T16:30:00+08:00");
	ck_time(gf_sla_clock_due(c), "2026-12-03T16:30:00+08:00");
	eng = reopen(eng, store, &s, 0);
	ck_assert_int_eq(gf_engine_next_deadline(eng),
			 T("2026-11-30T16:30:00+08:00"));
	ck_assert_int_eq(gf_engine_set_time(eng, T("2026-12-03T17:00:00+08:00")),
			 GF_OK);
	ck_assert_int_eq(s.n, 2);
	ck_assert_msg(strstr(s.line[0], "notify resolve") == s.line[0] &&
			      strstr(s.line[0], "2026-11-30T16:30:00"),
		      "%s", s.line[0]);
	ck_assert_msg(strstr(s.line[1], "urge resolve") == s.line[1] &&
			      strstr(s.line[1], "2026-12-03T16:30:00"),
		      "%s", s.line[1]);
	eng = reopen(eng, store, &s, 0);
	gf_engine_close(eng);
	fx_rmdir(dir);
}
END_TEST

/* "due+30m" after "due+2h" in the file fires at its own time, before
 * it; an extension passes over each step whose new time has passed,
 * wherever it stands in the file. */
START_TEST(ladder_steps_fire_at_their_own_time)
{
	char *dir = fx_tmpdir();
	char store[512];
	snprintf(store, sizeof(store), "journal:%s/j", dir);
	seen s;
	memset(&s, 0, sizeof(s));
	gf_engine *eng = open_more(store, &s);
	char id[64];
	snprintf(id, sizeof(id), "%s",
		 event(eng, "12345", "D1", "2026-11-23T09:00:00+08:00",
		       "dispute"));
	ck_assert_int_eq(act(eng, "sign", id, "t-cq-cg",
			     "2026-11-23T09:10:00+08:00", NULL), GF_OK);
	/* due 11:00: urge 11:00, notify (due+30m) 11:30, supervise 13:00 */
	ck_assert_int_eq(gf_engine_set_time(eng, T("2026-11-23T11:45:00+08:00")),
			 GF_OK);
	ck_assert_int_eq(s.n, 2);
	ck_assert_msg(strstr(s.line[0], "urge resolve") == s.line[0] &&
			      strstr(s.line[0], "2026-11-23T11:00:00"),
		      "%s", s.line[0]);
	ck_assert_msg(strstr(s.line[1], "notify resolve") == s.line[1] &&
			      strstr(s.line[1], "2026-11-23T11:30:00"),
		      "%s", s.line[1]);
	const gf_sla_clock *c = clock_of(eng, id, "resolve");
	ck_assert_uint_eq(gf_sla_clock_steps_fired(c), 2);
	ck_assert_int_eq(gf_engine_next_deadline(eng),
			 T("2026-11-23T13:00:00+08:00"));
	eng = reopen(eng, store, &s, 1);
	/* extended by 30 min at 12:45: due 11:30, so urge (11:30) and
	 * notify (12:00) have passed again and do not fire; supervise
	 * moves to 13:30 */
	ck_assert_int_eq(act(eng, "extend", id, "t-cq-cg",
			     "2026-11-23T12:45:00+08:00",
			     "\"duration\":\"30m\",\"reason\":\"x\""), GF_OK);
	c = clock_of(eng, id, "resolve");
	ck_time(gf_sla_clock_due(c), "2026-11-23T11:30:00+08:00");
	ck_assert_uint_eq(gf_sla_clock_steps_fired(c), 2);
	ck_assert_int_eq(gf_engine_next_deadline(eng),
			 T("2026-11-23T13:30:00+08:00"));
	ck_assert_int_eq(gf_engine_set_time(eng, T("2026-11-23T15:00:00+08:00")),
			 GF_OK);
	ck_assert_int_eq(s.n, 3);
	ck_assert_msg(strstr(s.line[2], "supervise resolve") == s.line[2] &&
			      strstr(s.line[2], "2026-11-23T13:30:00"),
		      "%s", s.line[2]);
	ck_assert_uint_eq(gf_sla_clock_steps_fired(clock_of(eng, id, "resolve")),
			  3);
	ck_assert_int_eq(gf_engine_next_deadline(eng), INT64_MAX);
	eng = reopen(eng, store, &s, 1);
	gf_engine_close(eng);
	fx_rmdir(dir);
}
END_TEST

/* A working day that ends at 24:00 is due at the next midnight, the
 * next date's first instant. A step "due+1wd", and an extension by 1wd,
 * count from the day that ran out, not from the date of the due
 * instant. (They skipped a working day.) */
START_TEST(after_a_due_at_midnight_the_next_working_day_counts)
{
	static const char sla[] =
		"{\"version\":\"c-sla-4\",\"policies\":{"
		"  \"complaint\":{\"clocks\":{"
		"   \"resolve\":{\"due\":\"1wd\",\"warn_ratio\":null,"
		"     \"extension\":{\"max\":1,\"longest\":\"2wd\","
		"       \"approver\":\"none\"},"
		"     \"ladder\":[{\"at\":\"due+1wd\",\"do\":\"supervise\"}]}}},"
		"  \"quick\":{\"clocks\":{\"resolve\":{\"due\":\"2h\"}}},"
		"  \"petition\":{\"clocks\":{\"accept\":{\"due\":\"15d\"}}}}}";
	gf_engine *eng = open_cfg(config_periods(rules, sla,
						 "[[\"00:00\", \"24:00\"]]"),
				  NULL, NULL);
	char id[64];
	/* Monday 2026-11-23: due at the end of Tuesday */
	snprintf(id, sizeof(id), "%s",
		 event(eng, "12345", "M1", "2026-11-23T10:00:00+08:00",
		       "city.environment.garbage"));
	const gf_sla_clock *c = clock_of(eng, id, "resolve");
	ck_time(gf_sla_clock_due(c), "2026-11-25T00:00:00+08:00");
	/* supervise at the end of Wednesday, not of Thursday */
	ck_assert_int_eq(gf_engine_next_deadline(eng),
			 T("2026-11-26T00:00:00+08:00"));
	/* extended by a working day: the end of Wednesday too */
	ck_assert_int_eq(act(eng, "sign", id, "t-cq-cg",
			     "2026-11-23T10:30:00+08:00", NULL), GF_OK);
	ck_assert_int_eq(act(eng, "extend", id, "t-cq-cg",
			     "2026-11-23T11:00:00+08:00",
			     "\"duration\":\"1wd\",\"reason\":\"x\""),
			 GF_OK);
	ck_time(gf_sla_clock_due(clock_of(eng, id, "resolve")),
		"2026-11-26T00:00:00+08:00");
	gf_engine_close(eng);
}
END_TEST

/* A non-pausable clock escalates (reassign) a paused order: dispatched
 * to the new lead it would stay paused, and no action could move it. The
 * step only notifies; the lead resumes and goes on. */
START_TEST(escalation_does_not_reassign_a_paused_order)
{
	char *dir = fx_tmpdir();
	char store[512];
	snprintf(store, sizeof(store), "journal:%s/j", dir);
	seen s;
	memset(&s, 0, sizeof(s));
	gf_engine *eng = open_more(store, &s);
	char id[64];
	snprintf(id, sizeof(id), "%s",
		 event(eng, "12345", "G1", "2026-11-23T09:00:00+08:00",
		       "city.environment.garbage"));
	ck_assert_int_eq(act(eng, "sign", id, "t-cq-cg",
			     "2026-11-23T09:10:00+08:00", NULL), GF_OK);
	ck_assert_int_eq(act(eng, "pause", id, "t-cq-cg",
			     "2026-11-23T09:30:00+08:00",
			     "\"reason\":\"等待业主\""), GF_OK);
	/* resolve (2h, not pausable) is due 11:00; escalate at 12:00 */
	ck_assert_int_eq(gf_engine_set_time(eng, T("2026-11-23T12:30:00+08:00")),
			 GF_OK);
	ck_assert_int_eq(s.n, 1);
	ck_assert_int_eq(s.escalated, 1);
	ck_assert_msg(strstr(s.line[0], "escalate resolve") == s.line[0] &&
			      strstr(s.line[0], "sz-zhzx"),
		      "%s", s.line[0]);
	const gf_order *o = gf_engine_order_find(eng, id);
	ck_assert_int_eq(gf_order_state(o), GF_STATE_SIGNED);
	ck_assert_int_eq(gf_order_paused(o), 1);
	ck_assert_str_eq(gf_order_lead(o), "t-cq-cg");
	ck_assert_int_eq(gf_sla_clock_state(clock_of(eng, id, "sign")),
			 GF_SLA_STOPPED);
	ck_assert_uint_eq(gf_sla_clock_runs(clock_of(eng, id, "sign")), 1);
	const gf_audit *last = gf_order_audit(o, gf_order_audit_count(o) - 1);
	ck_assert_str_eq(gf_audit_what(last), "escalate");
	ck_assert_str_eq(gf_audit_lead(last), "t-cq-cg");
	ck_assert_ptr_nonnull(strstr(gf_audit_reason(last),
				     "not reassigned: the order is paused"));
	eng = reopen(eng, store, &s, 1);
	ck_assert_int_eq(act(eng, "resume", id, "t-cq-cg",
			     "2026-11-23T13:00:00+08:00", NULL), GF_OK);
	ck_assert_int_eq(act(eng, "resolve", id, "t-cq-cg",
			     "2026-11-23T13:30:00+08:00", NULL), GF_OK);
	eng = reopen(eng, store, &s, 1);
	gf_engine_close(eng);
	fx_rmdir(dir);
}
END_TEST

/* A clock that runs until closed escalates (reassign) a resolved order:
 * the step notifies and leaves the resolution alone. */
START_TEST(escalation_does_not_undo_a_resolution)
{
	char *dir = fx_tmpdir();
	char store[512];
	snprintf(store, sizeof(store), "journal:%s/j", dir);
	seen s;
	memset(&s, 0, sizeof(s));
	gf_engine *eng = open_more(store, &s);
	char id[64];
	snprintf(id, sizeof(id), "%s",
		 event(eng, "12345", "W1", "2026-11-23T09:00:00+08:00",
		       "dispute.07.wage_arrears"));
	ck_assert_int_eq(act(eng, "sign", id, "t-cq-cg",
			     "2026-11-23T09:10:00+08:00", NULL), GF_OK);
	ck_assert_int_eq(act(eng, "resolve", id, "t-cq-cg",
			     "2026-11-23T09:30:00+08:00", NULL), GF_OK);
	ck_assert_int_eq(gf_engine_set_time(eng, T("2026-11-23T11:30:00+08:00")),
			 GF_OK);
	ck_assert_int_eq(s.escalated, 1);
	const gf_order *o = gf_engine_order_find(eng, id);
	ck_assert_int_eq(gf_order_state(o), GF_STATE_RESOLVED);
	ck_assert_str_eq(gf_order_lead(o), "t-cq-cg");
	const gf_audit *last = gf_order_audit(o, gf_order_audit_count(o) - 1);
	ck_assert_ptr_nonnull(strstr(gf_audit_reason(last),
				     "not reassigned: the order is resolved"));
	eng = reopen(eng, store, &s, 1);
	ck_assert_int_eq(act(eng, "verify", id, "wz-zhzx",
			     "2026-11-23T12:00:00+08:00", NULL), GF_OK);
	gf_engine_close(eng);
	fx_rmdir(dir);
}
END_TEST

/* A clock stopped while paused (cancel, merge) is judged by the budget it
 * had left, not by the due time as of the pause: as if resumed at the
 * stop. One paused past its due time stays late. */
START_TEST(a_clock_stopped_while_paused_is_judged_by_its_budget)
{
	char *dir = fx_tmpdir();
	char store[512];
	snprintf(store, sizeof(store), "journal:%s/j", dir);
	gf_engine *eng = open_sla(sla_v1, store, NULL);
	char id[64];
	police(eng, id);
	ck_assert_int_eq(act(eng, "sign", id, "t-cq-pcs",
			     "2026-11-23T09:10:00+08:00", NULL), GF_OK);
	ck_assert_int_eq(act(eng, "pause", id, "t-cq-pcs",
			     "2026-11-23T09:30:00+08:00",
			     "\"reason\":\"等待\""), GF_OK);
	const gf_sla_clock *c = clock_of(eng, id, "resolve");
	ck_assert_int_eq(gf_sla_clock_on_time(c, T("2026-11-23T12:00:00+08:00")),
			 -1);
	ck_assert_int_eq(act(eng, "cancel", id, "wz-zhzx",
			     "2026-11-23T12:00:00+08:00",
			     "\"reason\":\"重复\""), GF_OK);
	c = clock_of(eng, id, "resolve");
	ck_assert_int_eq(gf_sla_clock_state(c), GF_SLA_STOPPED);
	ck_assert_int_eq(gf_sla_clock_on_time(c, 0), 1);
	/* 90 min were left at the stop */
	ck_time(gf_sla_clock_due(c), "2026-11-23T13:30:00+08:00");
	ck_assert_str_eq(mark_what(eng, id, 0), "stop");
	ck_time(gf_sla_mark_due(gf_order_sla_mark(gf_engine_order_find(eng, id),
						  2)),
		"2026-11-23T13:30:00+08:00");

	/* paused 10 min past its due time, then merged: late */
	char late[64], into[64], extra[128];
	snprintf(late, sizeof(late), "%s",
		 event(eng, "110", "P2", "2026-11-23T13:00:00+08:00",
		       "police.fight"));
	snprintf(into, sizeof(into), "%s",
		 event(eng, "110", "P3", "2026-11-23T13:00:00+08:00",
		       "police.fight"));
	ck_assert_int_eq(act(eng, "sign", late, "t-cq-pcs",
			     "2026-11-23T13:10:00+08:00", NULL), GF_OK);
	ck_assert_int_eq(act(eng, "pause", late, "t-cq-pcs",
			     "2026-11-23T15:10:00+08:00",
			     "\"reason\":\"等待\""), GF_OK);
	snprintf(extra, sizeof(extra), "\"into\":\"%s\"", into);
	ck_assert_int_eq(act(eng, "merge", late, "wz-zhzx",
			     "2026-11-23T15:20:00+08:00", extra), GF_OK);
	c = clock_of(eng, late, "resolve");
	ck_assert_int_eq(gf_sla_clock_state(c), GF_SLA_STOPPED);
	ck_assert_int_eq(gf_sla_clock_on_time(c, 0), 0);
	eng = reopen(eng, store, NULL, 0);
	gf_engine_close(eng);
	fx_rmdir(dir);
}
END_TEST

/* A paused clock's extension is judged against the due time it would
 * have if resumed now: "ask_before" and "longest" count from there. */
START_TEST(a_paused_clock_is_extended_against_the_budget_left)
{
	char *dir = fx_tmpdir();
	char store[512];
	snprintf(store, sizeof(store), "journal:%s/j", dir);
	gf_engine *eng = open_sla(sla_v1, store, NULL);
	char id[64];
	complaint(eng, id);
	/* 3wd: due Thu 11-26 17:30, 28 working hours; paused Mon 10:00 with
	 * 27 left; asked on Fri 11-27, past that due time: resumed then, it
	 * would fall due on Thu 12-03 */
	ck_assert_int_eq(act(eng, "sign", id, "t-cq-cg",
			     "2026-11-23T09:10:00+08:00", NULL), GF_OK);
	ck_assert_int_eq(act(eng, "pause", id, "t-cq-cg",
			     "2026-11-23T10:00:00+08:00",
			     "\"reason\":\"等待当事人\""), GF_OK);
	ck_assert_int_eq(act(eng, "extend", id, "t-cq-cg",
			     "2026-11-27T10:00:00+08:00",
			     "\"duration\":\"6wd\",\"reason\":\"x\""),
			 GF_EVALUE);
	ck_assert_int_eq(act(eng, "extend", id, "t-cq-cg",
			     "2026-11-27T10:00:00+08:00",
			     "\"duration\":\"2wd\",\"reason\":\"x\""), GF_OK);
	ck_assert_str_eq(gf_sla_clock_pending(clock_of(eng, id, "resolve")),
			 "2wd");
	eng = reopen(eng, store, NULL, 0);
	ck_assert_str_eq(gf_sla_clock_pending(clock_of(eng, id, "resolve")),
			 "2wd");
	gf_engine_close(eng);

	/* paused Thu 10:00 with 6 working hours left: resumed on Fri 10:00
	 * it would fall due Fri 17:30, less than the 1wd ask_before */
	eng = open_sla(sla_v1, NULL, NULL);
	complaint(eng, id);
	ck_assert_int_eq(act(eng, "sign", id, "t-cq-cg",
			     "2026-11-23T09:10:00+08:00", NULL), GF_OK);
	ck_assert_int_eq(act(eng, "pause", id, "t-cq-cg",
			     "2026-11-26T10:00:00+08:00",
			     "\"reason\":\"等待当事人\""), GF_OK);
	ck_assert_int_eq(act(eng, "extend", id, "t-cq-cg",
			     "2026-11-27T10:00:00+08:00",
			     "\"duration\":\"2wd\",\"reason\":\"x\""),
			 GF_ESTATE);
	gf_engine_close(eng);
	fx_rmdir(dir);
}
END_TEST

/* The wall clock: the host asks when to come back, and runs timers. */
START_TEST(wall_clock_exposes_the_next_deadline)
{
	gf_config *cfg = config_with(sla_v1);
	gf_options o = GF_OPTIONS_INIT;
	o.config = cfg;
	o.clock = GF_CLOCK_WALL;
	gf_engine *eng;
	ck_assert_int_eq(gf_engine_open(&eng, &o, NULL, 0), GF_OK);
	gf_config_free(cfg);
	ck_assert_int_eq(gf_engine_next_deadline(eng), INT64_MAX);
	/* received an hour ago by the wall clock, police: due in an hour */
	gf_time now = gf_engine_now(eng);
	char at[40], buf[512];
	gf_time_format(at, sizeof(at), now - 3600 * 1000, 480);
	snprintf(buf, sizeof(buf),
		 "{\"channel\":\"110\",\"source_id\":\"W1\",\"received_at\":"
		 "\"%s\",\"region\":\"320506001001\",\"category\":"
		 "\"police.fight\"}",
		 at);
	const gf_result *r;
	ck_assert_int_eq(gf_engine_ingest_json(eng, buf, strlen(buf), &r),
			 GF_OK);
	gf_time next = gf_engine_next_deadline(eng);
	ck_assert_msg(next > now && next <= now + 3600 * 1000 + 1000,
		      "next %lld now %lld", (long long)next, (long long)now);
	size_t fired = 99;
	ck_assert_int_eq(gf_engine_run_timers(eng, &fired), GF_OK);
	ck_assert_uint_eq(fired, 0);
	ck_assert_int_eq(gf_engine_set_time(eng, now), GF_EINVAL);
	gf_engine_close(eng);
}
END_TEST

/* ---- out of memory -------------------------------------------------- */


/* Clocks start, pause, extend and fire, on a journal, and come back
 * from it; with an allocation failing anywhere, every call does its
 * work or says GF_ENOMEM (GF_EIO once the engine refuses more work), and
 * nothing crashes or leaks (valgrind runs this suite). Returns 1 when
 * nothing failed. */
static int oom_scenario(gf_config *cfg, const char *store)
{
	static const char *lines[] = {
		"{\"channel\":\"12345\",\"source_id\":\"M1\",\"received_at\":"
		"\"2026-11-23T09:00:00+08:00\",\"region\":\"320506001001\","
		"\"category\":\"city.environment.garbage\"}",
		"{\"channel\":\"110\",\"source_id\":\"M2\",\"received_at\":"
		"\"2026-11-23T09:00:00+08:00\",\"region\":\"320506001001\","
		"\"category\":\"police.fight\"}",
		"{\"op\":\"sign\",\"ref\":\"12345:M1\",\"actor\":\"t-cq-cg\","
		"\"at\":\"2026-11-23T10:00:00+08:00\"}",
		"{\"op\":\"extend\",\"ref\":\"12345:M1\",\"actor\":\"t-cq-cg\","
		"\"duration\":\"2wd\",\"reason\":\"r\"}",
		"{\"op\":\"approve_extension\",\"ref\":\"12345:M1\","
		"\"actor\":\"wz-zhzx\"}",
		"{\"op\":\"sign\",\"ref\":\"110:M2\",\"actor\":\"t-cq-pcs\"}",
		"{\"op\":\"pause\",\"ref\":\"110:M2\",\"actor\":\"t-cq-pcs\","
		"\"reason\":\"r\",\"at\":\"2026-11-23T10:30:00+08:00\"}",
		"{\"op\":\"resume\",\"ref\":\"110:M2\",\"actor\":\"t-cq-pcs\","
		"\"at\":\"2026-11-23T11:00:00+08:00\"}",
	};
	int ok = 1;
	for (int round = 0; round < 2; round++) {
		gf_options o = GF_OPTIONS_INIT;
		o.config = cfg;
		o.store = store;
		o.clock = GF_CLOCK_EVENT;
		o.sync = GF_SYNC_NEVER;
		gf_engine *eng;
		char err[256];
		int rc = gf_engine_open(&eng, &o, err, sizeof(err));
		if (rc) {
			ck_assert_msg(rc == GF_ENOMEM, "open: %s: %s",
				      gf_errname(rc), err);
			return 0;
		}
		for (size_t i = 0; round == 0 && i < sizeof(lines) /
						       sizeof(lines[0]); i++) {
			const gf_result *r;
			rc = gf_engine_submit_json(eng, lines[i],
						   strlen(lines[i]), &r);
			if (rc == GF_ENOMEM || rc == GF_EIO)
				ok = 0;
			else
				ck_assert_ptr_nonnull(r);
		}
		/* the police order's ladder, then the complaint's */
		rc = gf_engine_set_time(eng, round ? T("2026-12-10T09:00:00+08:00")
						   : T("2026-11-23T14:00:00+08:00"));
		if (rc) {
			ck_assert_msg(rc == GF_ENOMEM || rc == GF_EIO, "%s",
				      gf_errname(rc));
			ok = 0;
		}
		gf_engine_close(eng);
	}
	return ok;
}

START_TEST(every_allocation_may_fail)
{
	gf_config *cfg = config_with(sla_v1);
	char *dir = fx_tmpdir();
	fa_sweep(oom_scenario, cfg, dir, 100);
	gf_config_free(cfg);
	fx_rmdir(dir);
}
END_TEST

static Suite *make_suite(void)
{
	Suite *s = suite_create("clock");
	TCase *tc = tcase_create("sla");
	tcase_set_timeout(tc, 300);
	tcase_add_test(tc, clocks_start_with_due_and_warning_times);
	tcase_add_test(tc, the_ladder_fires_in_order_and_escalates_one_level_up);
	tcase_add_test(tc, escalation_copy_and_no_upper_level);
	tcase_add_test(tc, pause_stops_the_clock_and_resume_moves_due);
	tcase_add_test(tc, pause_counts_working_time_for_working_clocks);
	tcase_add_test(tc, extension_needs_approval_and_follows_its_rule);
	tcase_add_test(tc, extension_too_late_or_rejected);
	tcase_add_test(tc, extension_without_approver_is_granted_at_once);
	tcase_add_test(tc, petition_accepts_in_15_days_and_resolves_in_60_after);
	tcase_add_test(tc,
		       runs_restart_on_redispatch_and_reopen_and_stop_at_the_end);
	tcase_add_test(tc, return_to_the_desk_stops_the_handlers_clock);
	tcase_add_test(tc, clocks_survive_a_restart_and_fire_once);
	tcase_add_test(tc, orders_keep_the_policies_they_started_under);
	tcase_add_test(tc,
		       extension_while_paused_starts_the_ladder_over_at_the_resume);
	tcase_add_test(tc, ladder_steps_fire_at_their_own_time);
	tcase_add_test(tc, after_a_due_at_midnight_the_next_working_day_counts);
	tcase_add_test(tc, escalation_does_not_reassign_a_paused_order);
	tcase_add_test(tc, escalation_does_not_undo_a_resolution);
	tcase_add_test(tc, a_clock_stopped_while_paused_is_judged_by_its_budget);
	tcase_add_test(tc, a_paused_clock_is_extended_against_the_budget_left);
	tcase_add_test(tc, wall_clock_exposes_the_next_deadline);
	tcase_add_test(tc, every_allocation_may_fail);
	suite_add_tcase(s, tc);
	return s;
}

GF_TEST_MAIN
