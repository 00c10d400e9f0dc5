/*
 * check_routing.c - routing inside the engine: new orders go where the
 * rule set says, with assists, SLA policy, priority and version; a role
 * that resolves to nothing sends the order to the desk, saying why;
 * returns re-route without the departments that returned, up to the
 * limit, within the window and never after the desk designated a
 * handler; a reload changes routing for new orders only, and a bad rule
 * set is refused while the engine keeps the one it had.
 */
#include "fixture.h"

static const char rules_v1[] =
	"{\"version\":\"t-1\",\"fallback\":\"sz-zhzx\","
	"\"returns\":{\"limit\":2,\"window\":\"2d\"},\"tables\":["
	"{\"id\":\"main\",\"hit_policy\":\"first\",\"rules\":["
	"{\"id\":\"garbage\",\"when\":{\"category\":[\"city.environment\"]},"
	" \"then\":{\"lead\":\"role:town.urban_mgmt\",\"assist\":[\"role:town.police\"],"
	"           \"sla\":\"normal\",\"priority\":3}},"
	"{\"id\":\"garbage-backup\",\"when\":{\"category\":[\"city.environment\"]},"
	" \"then\":{\"lead\":\"role:town.police\"}},"
	"{\"id\":\"fight\",\"when\":{\"category\":[\"police\"]},"
	" \"then\":{\"lead\":\"role:town.police\",\"sla\":\"urgent\",\"priority\":1}},"
	"{\"id\":\"petition\",\"when\":{\"channel\":[\"petition\"]},"
	" \"then\":{\"lead\":\"dept:d-wz-xf\"}}]}]}";

static const char rules_v2[] =
	"{\"version\":\"t-2\",\"fallback\":\"sz-zhzx\","
	"\"returns\":{\"limit\":1,\"window\":\"2d\"},\"tables\":["
	"{\"id\":\"main\",\"hit_policy\":\"first\",\"rules\":["
	"{\"id\":\"garbage-police\",\"when\":{\"category\":[\"city.environment\"]},"
	" \"then\":{\"lead\":\"role:town.police\"}},"
	"{\"id\":\"garbage-cg\",\"when\":{\"category\":[\"city\"]},"
	" \"then\":{\"lead\":\"role:town.urban_mgmt\"}}]}]}";

static const char sla[] =
	"{\"version\":\"s-1\",\"policies\":{\"normal\":{\"name\":\"一般\"},"
	"\"urgent\":{\"name\":\"紧急\"}}}";

static gf_engine *open_with(const char *rules, const char *store,
			    fx_notices *n)
{
	gf_config *cfg = fx_config_with(rules, sla);
	gf_options o = GF_OPTIONS_INIT;
	o.config = cfg;
	o.store = store;
	o.clock = GF_CLOCK_EVENT;
	o.notice = n ? fx_on_notice : NULL;
	o.notice_data = n;
	gf_engine *eng;
	char err[256];
	ck_assert_msg(gf_engine_open(&eng, &o, err, sizeof(err)) == GF_OK,
		      "%s", err);
	gf_config_free(cfg);
	return eng;
}

static const gf_result *ingest(gf_engine *eng, const char *ch,
			       const char *sid, int minute, const char *region,
			       const char *category)
{
	char buf[1024];
	const gf_result *r;
	fx_event(buf, sizeof(buf), ch, sid, minute, region, category);
	ck_assert_int_eq(gf_engine_ingest_json(eng, buf, strlen(buf), &r),
			 GF_OK);
	ck_assert_int_eq(gf_result_outcome(r), GF_OUTCOME_CREATED);
	return r;
}

START_TEST(new_orders_follow_the_rules)
{
	gf_engine *eng = open_with(rules_v1, NULL, NULL);
	const gf_result *r = ingest(eng, "12345", "A", 0, "320506001001",
				    "city.environment.garbage");
	ck_assert_str_eq(gf_result_lead(r), "t-cq-cg");
	ck_assert_str_eq(gf_result_rule(r), "garbage");
	ck_assert_str_eq(gf_result_sla(r), "normal");
	ck_assert_int_eq(gf_result_priority(r), 3);
	ck_assert_uint_eq(gf_result_assist_count(r), 1);
	ck_assert_str_eq(gf_result_assist(r, 0), "t-cq-pcs");
	ck_assert_ptr_null(gf_result_why(r));
	const gf_order *o = gf_engine_order_find(eng, "12345:A");
	ck_assert_int_eq(gf_order_level(o), GF_LEVEL_TOWN);
	ck_assert_str_eq(gf_order_rules_version(o), "t-1");
	ck_assert_str_eq(gf_audit_reason(gf_order_audit(o, 1)), "garbage");
	ck_assert_str_eq(gf_audit_lead(gf_order_audit(o, 1)), "t-cq-cg");

	/* another town: its own urban management */
	r = ingest(eng, "grid", "B", 1, "320506103001", "city.environment");
	ck_assert_str_eq(gf_result_lead(r), "t-md-cg");
	/* a concrete department target, by channel */
	r = ingest(eng, "petition", "C", 2, "320506103001", "dispute.07");
	ck_assert_str_eq(gf_result_lead(r), "d-wz-xf");
	ck_assert_str_eq(gf_result_rule(r), "petition");
	/* nothing matches: the desk, and why */
	r = ingest(eng, "12345", "D", 3, "320506001001", "dispute.07");
	ck_assert_str_eq(gf_result_lead(r), "sz-zhzx");
	ck_assert_str_eq(gf_result_rule(r), "fallback");
	ck_assert_str_eq(gf_result_why(r), "no rule matched");
	gf_engine_close(eng);
}
END_TEST

START_TEST(a_role_that_resolves_to_nothing_goes_to_the_desk)
{
	fx_notices n;
	memset(&n, 0, sizeof(n));
	gf_engine *eng = open_with(rules_v1, NULL, &n);
	/* 平江街道 has neither urban management nor a police station */
	const gf_result *r = ingest(eng, "12345", "E", 0, "320508001001",
				    "city.environment.garbage");
	ck_assert_str_eq(gf_result_lead(r), "sz-zhzx");
	ck_assert_str_eq(gf_result_rule(r), "fallback");
	ck_assert_ptr_nonnull(strstr(gf_result_why(r), "role:town.police"));
	ck_assert_ptr_nonnull(strstr(gf_result_why(r), "320508001001"));
	ck_assert_int_ge(n.count[GF_NOTICE_WARNING], 1);
	ck_assert_ptr_nonnull(strstr(n.last[GF_NOTICE_WARNING], "desk"));
	gf_engine_close(eng);
}
END_TEST

START_TEST(returns_reroute_then_reach_the_desk)
{
	gf_engine *eng = open_with(rules_v1, NULL, NULL);
	ingest(eng, "12345", "A", 0, "320506001001", "city.environment.garbage");
	const gf_order *o = gf_engine_order_find(eng, "12345:A");
	ck_assert_int_eq(fx_act(eng, "{\"op\":\"return\",\"ref\":\"12345:A\","
				     "\"actor\":\"t-cq-cg\",\"reason\":\"不是城管职责\"}"),
			 GF_OK);
	/* the next rule, without the department that returned it */
	ck_assert_int_eq(gf_order_state(o), GF_STATE_DISPATCHED);
	ck_assert_str_eq(gf_order_lead(o), "t-cq-pcs");
	ck_assert_str_eq(gf_order_rule(o), "garbage-backup");
	ck_assert_uint_eq(gf_order_return_count(o), 1);
	ck_assert_int_eq(fx_act(eng, "{\"op\":\"return\",\"ref\":\"12345:A\","
				     "\"actor\":\"t-cq-pcs\",\"reason\":\"非警情\"}"),
			 GF_OK);
	/* no department left: the desk arbitrates */
	ck_assert_int_eq(gf_order_state(o), GF_STATE_RETURNED);
	ck_assert_str_eq(gf_order_lead(o), "sz-zhzx");
	ck_assert_str_eq(gf_order_rule(o), "return");
	/* the desk designates a handler, who may not return it again */
	ck_assert_int_eq(fx_act(eng, "{\"op\":\"dispatch\",\"ref\":\"12345:A\","
				     "\"actor\":\"sz-zhzx\",\"dept\":\"t-cq-cg\"}"),
			 GF_OK);
	ck_assert_int_eq(fx_act(eng, "{\"op\":\"return\",\"ref\":\"12345:A\","
				     "\"actor\":\"t-cq-cg\",\"reason\":\"again\"}"),
			 GF_ESTATE);
	ck_assert_str_eq(gf_order_lead(o), "t-cq-cg");
	gf_engine_close(eng);
}
END_TEST

/* An order's lead is never among its assists: a return re-routed to the
 * department that was assisting, or the desk's dispatch to one, makes it
 * the lead and takes it off the assists, and a restart from the journal
 * says the same. */
START_TEST(a_new_lead_leaves_the_assists)
{
	char *dir = fx_tmpdir();
	char store[600];
	snprintf(store, sizeof(store), "journal:%s/a.journal", dir);
	gf_engine *eng = open_with(rules_v1, store, NULL);
	ingest(eng, "12345", "A", 0, "320506001001", "city.environment.garbage");
	ingest(eng, "12345", "B", 1, "320506001001", "city.environment.garbage");
	const gf_order *a = gf_engine_order_find(eng, "12345:A");
	const gf_order *b = gf_engine_order_find(eng, "12345:B");
	ck_assert_uint_eq(gf_order_assist_count(a), 1);
	ck_assert_str_eq(gf_order_assist(a, 0), "t-cq-pcs");
	ck_assert_int_eq(fx_act(eng, "{\"op\":\"return\",\"ref\":\"12345:A\","
				     "\"actor\":\"t-cq-cg\",\"reason\":\"不是城管职责\"}"),
			 GF_OK);
	ck_assert_str_eq(gf_order_lead(a), "t-cq-pcs");
	ck_assert_uint_eq(gf_order_assist_count(a), 0);
	/* the desk designates the assisting police station */
	ck_assert_int_eq(fx_act(eng, "{\"op\":\"dispatch\",\"ref\":\"12345:B\","
				     "\"actor\":\"sz-zhzx\",\"dept\":\"t-cq-pcs\"}"),
			 GF_OK);
	ck_assert_str_eq(gf_order_lead(b), "t-cq-pcs");
	ck_assert_uint_eq(gf_order_assist_count(b), 0);
	gf_engine_close(eng);

	eng = open_with(rules_v1, store, NULL);
	a = gf_engine_order_find(eng, "12345:A");
	b = gf_engine_order_find(eng, "12345:B");
	ck_assert_str_eq(gf_order_lead(a), "t-cq-pcs");
	ck_assert_uint_eq(gf_order_assist_count(a), 0);
	ck_assert_uint_eq(gf_order_assist_count(b), 0);
	gf_engine_close(eng);
	fx_rmdir(dir);
}
END_TEST

START_TEST(the_return_window_and_limit)
{
	gf_engine *eng = open_with(rules_v1, NULL, NULL);
	ingest(eng, "12345", "W", 0, "320506001001", "city.environment.garbage");
	/* three days after dispatch: too late */
	ck_assert_int_eq(fx_act(eng, "{\"op\":\"return\",\"ref\":\"12345:W\","
				     "\"actor\":\"t-cq-cg\",\"reason\":\"r\","
				     "\"at\":\"2026-11-26T09:00:00+08:00\"}"),
			 GF_ESTATE);
	gf_engine_close(eng);

	/* limit 1 in v2: the second return is refused */
	eng = open_with(rules_v2, NULL, NULL);
	ingest(eng, "12345", "L", 0, "320506001001", "city.environment.garbage");
	const gf_order *o = gf_engine_order_find(eng, "12345:L");
	ck_assert_str_eq(gf_order_lead(o), "t-cq-pcs");
	ck_assert_int_eq(fx_act(eng, "{\"op\":\"return\",\"ref\":\"12345:L\","
				     "\"actor\":\"t-cq-pcs\",\"reason\":\"r\"}"),
			 GF_OK);
	ck_assert_str_eq(gf_order_lead(o), "t-cq-cg");
	ck_assert_str_eq(gf_order_rule(o), "garbage-cg");
	const gf_result *r;
	const char *again = "{\"op\":\"return\",\"ref\":\"12345:L\","
			    "\"actor\":\"t-cq-cg\",\"reason\":\"r\"}";
	ck_assert_int_eq(gf_engine_apply_json(eng, again, strlen(again), &r),
			 GF_ESTATE);
	ck_assert_ptr_nonnull(strstr(gf_result_error_message(r), "limit"));
	gf_engine_close(eng);
}
END_TEST

START_TEST(reload_changes_new_orders_only)
{
	fx_notices n;
	memset(&n, 0, sizeof(n));
	gf_engine *eng = open_with(rules_v1, NULL, &n);
	ingest(eng, "12345", "A", 0, "320506001001", "city.environment.garbage");

	gf_config *v2 = fx_config_with(rules_v2, sla);
	ck_assert_int_eq(gf_engine_reload(eng, v2), GF_OK);
	gf_config_free(v2);
	const gf_result *r = ingest(eng, "12345", "B", 1, "320506001001",
				    "city.environment.garbage");
	ck_assert_str_eq(gf_result_lead(r), "t-cq-pcs");
	ck_assert_str_eq(gf_result_rule(r), "garbage-police");
	/* the first order keeps its routing and its history */
	const gf_order *a = gf_engine_order_find(eng, "12345:A");
	ck_assert_str_eq(gf_order_lead(a), "t-cq-cg");
	ck_assert_str_eq(gf_order_rules_version(a), "t-1");
	ck_assert_str_eq(gf_order_sla(a), "normal");
	ck_assert_str_eq(gf_order_rules_version(
				 gf_engine_order_find(eng, "12345:B")),
			 "t-2");

	/* a bad rule set is refused, and the engine keeps v2 */
	gf_config *bad;
	gf_config_new(&bad);
	gf_config_set_file(bad, "directory.json", fx_directory,
			   strlen(fx_directory));
	const char *badrules = "{\"fallback\":\"sz-zhzx\",\"tables\":[{\"id\":\"t\","
			       "\"hit_policy\":\"first\",\"rules\":[{\"id\":\"x\","
			       "\"then\":{\"lead\":\"dept:nowhere\"}}]}]}";
	gf_config_set_file(bad, "rules.json", badrules, strlen(badrules));
	ck_assert_int_eq(gf_config_compile(bad), GF_ECONFIG);
	const char *file, *path, *msg;
	gf_config_problem(bad, 0, &file, &path, &msg);
	ck_assert_str_eq(file, "rules.json");
	ck_assert_str_eq(path, "$.tables[0].rules[0].then.lead");
	ck_assert_int_eq(gf_engine_reload(eng, bad), GF_ECONFIG);
	gf_config_free(bad);
	r = ingest(eng, "12345", "C", 2, "320506001001",
		   "city.environment.garbage");
	ck_assert_str_eq(gf_result_rule(r), "garbage-police");
	gf_engine_close(eng);
}
END_TEST

START_TEST(explanations_on_request)
{
	gf_engine *eng = open_with(rules_v1, NULL, NULL);
	const gf_result *r = ingest(eng, "12345", "A", 0, "320506001001",
				    "police.fight");
	ck_assert_ptr_null(gf_result_explain(r));
	ck_assert_int_eq(gf_engine_set_explain(eng, 1), GF_OK);
	r = ingest(eng, "12345", "B", 1, "320506001001", "police.fight");
	const char *x = gf_result_explain(r);
	ck_assert_ptr_nonnull(x);
	ck_assert_ptr_nonnull(strstr(x, "\"rule\":\"fight\""));
	ck_assert_ptr_nonnull(strstr(x, "\"hit\":true"));
	gf_engine_close(eng);
}
END_TEST

START_TEST(split_routes_afresh_and_replay_keeps_routing)
{
	char *dir = fx_tmpdir();
	char store[600];
	snprintf(store, sizeof(store), "journal:%s/r.journal", dir);
	gf_engine *eng = open_with(rules_v1, store, NULL);
	ingest(eng, "12345", "A", 0, "320506001001", "city.environment.garbage");
	ingest(eng, "110", "B", 1, "320506001001", "police.fight");
	ck_assert_int_eq(fx_act(eng, "{\"op\":\"merge\",\"ref\":\"110:B\","
				     "\"actor\":\"sz-zhzx\",\"into\":\"12345:A\"}"),
			 GF_OK);
	ck_assert_int_eq(fx_act(eng, "{\"op\":\"split\",\"ref\":\"110:B\","
				     "\"actor\":\"sz-zhzx\"}"), GF_OK);
	const gf_order *b = gf_engine_order_find(eng, "110:B");
	ck_assert_str_eq(gf_order_lead(b), "t-cq-pcs");
	ck_assert_str_eq(gf_order_rule(b), "fight");
	gf_engine_close(eng);

	eng = open_with(rules_v2, store, NULL);
	const gf_order *a = gf_engine_order_find(eng, "12345:A");
	ck_assert_str_eq(gf_order_lead(a), "t-cq-cg");
	ck_assert_str_eq(gf_order_rule(a), "garbage");
	ck_assert_str_eq(gf_order_sla(a), "normal");
	ck_assert_int_eq(gf_order_priority(a), 3);
	ck_assert_uint_eq(gf_order_assist_count(a), 1);
	ck_assert_str_eq(gf_order_assist(a, 0), "t-cq-pcs");
	ck_assert_str_eq(gf_order_rules_version(a), "t-1");
	ck_assert_str_eq(gf_order_rule(gf_engine_order_find(eng, "110:B")),
			 "fight");
	gf_engine_close(eng);
	fx_rmdir(dir);
}
END_TEST

START_TEST(labels_are_allowed_other_unknown_keys_are_not)
{
	const char *ok = "{\"fallback\":\"sz-zhzx\",\"tables\":[{\"id\":\"t\","
			 "\"hit_policy\":\"first\",\"rules\":[{\"id\":\"x\","
			 "\"name\":\"垃圾\",\"description\":\"城管\","
			 "\"when\":{\"category\":[\"city\"]},"
			 "\"then\":{\"lead\":\"dept:t-cq-cg\"}}]}]}";
	gf_config *cfg = fx_config_with(ok, NULL);
	gf_config_free(cfg);
	const char *bad = "{\"fallback\":\"sz-zhzx\",\"tables\":[{\"id\":\"t\","
			  "\"hit_policy\":\"first\",\"rules\":[{\"id\":\"x\","
			  "\"whne\":{\"category\":[\"city\"]},"
			  "\"then\":{\"lead\":\"dept:t-cq-cg\"}}]}]}";
	gf_config_new(&cfg);
	gf_config_set_file(cfg, "directory.json", fx_directory,
			   strlen(fx_directory));
	gf_config_set_file(cfg, "rules.json", bad, strlen(bad));
	ck_assert_int_eq(gf_config_compile(cfg), GF_ECONFIG);
	const char *path, *msg;
	gf_config_problem(cfg, 0, NULL, &path, &msg);
	ck_assert_str_eq(path, "$.tables[0].rules[0].whne");
	ck_assert_ptr_nonnull(strstr(msg, "unknown field"));
	gf_config_free(cfg);
}
END_TEST

/* "day" conditions read calendar.json: weekends, holidays and make-up
 * workdays (调休) of the national schedule. */
START_TEST(day_conditions_follow_the_calendar)
{
	const char *rules =
		"{\"version\":\"d-1\",\"fallback\":\"sz-zhzx\",\"tables\":["
		"{\"id\":\"t\",\"hit_policy\":\"first\",\"rules\":["
		"{\"id\":\"off-duty\",\"when\":{\"category\":[\"city\"],"
		"\"day\":[\"weekend\",\"holiday\"]},"
		"\"then\":{\"lead\":\"dept:t-md-cg\"}},"
		"{\"id\":\"on-duty\",\"when\":{\"category\":[\"city\"]},"
		"\"then\":{\"lead\":\"role:town.urban_mgmt\"}}]}]}";
	size_t n;
	FILE *f = fopen("examples/config/calendar.json", "rb");
	ck_assert_ptr_nonnull(f);
	char *cal = malloc(1 << 16);
	n = fread(cal, 1, (1 << 16) - 1, f);
	fclose(f);
	gf_config *cfg;
	gf_config_new(&cfg);
	gf_config_set_file(cfg, "directory.json", fx_directory,
			   strlen(fx_directory));
	gf_config_set_file(cfg, "rules.json", rules, strlen(rules));
	gf_config_set_file(cfg, "calendar.json", cal, n);
	free(cal);
	ck_assert_int_eq(gf_config_compile(cfg), GF_OK);
	gf_options o = GF_OPTIONS_INIT;
	o.config = cfg;
	o.clock = GF_CLOCK_EVENT;
	gf_engine *eng;
	ck_assert_int_eq(gf_engine_open(&eng, &o, NULL, 0), GF_OK);
	gf_config_free(cfg);
	static const struct {
		const char *sid, *at, *lead;
	} cases[] = {
		{ "SUN", "2026-11-22T10:00:00+08:00", "t-md-cg" },
		{ "MON", "2026-11-23T10:00:00+08:00", "t-cq-cg" },
		{ "NATIONAL", "2026-10-01T10:00:00+08:00", "t-md-cg" },
		/* a Saturday made a workday by the schedule */
		{ "MAKEUP", "2026-10-10T10:00:00+08:00", "t-cq-cg" },
		/* the local date decides: 23:30 UTC on Friday is Saturday */
		{ "LATE", "2026-11-20T23:30:00Z", "t-md-cg" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char buf[512];
		const gf_result *r;
		snprintf(buf, sizeof(buf),
			 "{\"channel\":\"grid\",\"source_id\":\"%s\","
			 "\"received_at\":\"%s\",\"region\":\"320506001001\","
			 "\"category\":\"city.environment.garbage\"}",
			 cases[i].sid, cases[i].at);
		ck_assert_int_eq(gf_engine_ingest_json(eng, buf, strlen(buf), &r),
				 GF_OK);
		ck_assert_msg(strcmp(gf_result_lead(r), cases[i].lead) == 0,
			      "%s: %s", cases[i].sid, gf_result_lead(r));
	}
	gf_engine_close(eng);

	/* without calendar.json a day condition is refused, with its path */
	gf_config_new(&cfg);
	gf_config_set_file(cfg, "directory.json", fx_directory,
			   strlen(fx_directory));
	gf_config_set_file(cfg, "rules.json", rules, strlen(rules));
	ck_assert_int_eq(gf_config_compile(cfg), GF_ECONFIG);
	const char *path;
	gf_config_problem(cfg, 0, NULL, &path, NULL);
	ck_assert_str_eq(path, "$.tables[0].rules[0].when.day");
	gf_config_free(cfg);
}
END_TEST

static Suite *make_suite(void)
{
	Suite *s = suite_create("routing");
	TCase *tc = tcase_create("routing");
	tcase_add_test(tc, new_orders_follow_the_rules);
	tcase_add_test(tc, a_role_that_resolves_to_nothing_goes_to_the_desk);
	tcase_add_test(tc, returns_reroute_then_reach_the_desk);
	tcase_add_test(tc, a_new_lead_leaves_the_assists);
	tcase_add_test(tc, the_return_window_and_limit);
	tcase_add_test(tc, reload_changes_new_orders_only);
	tcase_add_test(tc, explanations_on_request);
	tcase_add_test(tc, split_routes_afresh_and_replay_keeps_routing);
	tcase_add_test(tc, labels_are_allowed_other_unknown_keys_are_not);
	tcase_add_test(tc, day_conditions_follow_the_calendar);
	suite_add_tcase(s, tc);
	return s;
}

GF_TEST_MAIN
