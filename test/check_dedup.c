/*
 * check_dedup.c - repeated calls (重复来电, dedup.json "repeat_caller"):
 * the same caller about the same kind of problem in the same village,
 * within the window and while the order is open, joins that order
 * instead of making a new one; everything else makes a new order. Links
 * are stored: a restart brings them back, and the index with them.
 */
#include "failalloc.h"
#include "fixture.h"

static const char dedup_family[] =
	"{\"version\":\"d-1\",\"repeat_caller\":{\"window\":\"72h\","
	"\"match\":\"family\"}}";
static const char dedup_category[] =
	"{\"version\":\"d-2\",\"repeat_caller\":{\"window\":\"2h\","
	"\"match\":\"category\"}}";

static gf_config *config_with(const char *dedup)
{
	gf_config *cfg;
	ck_assert_int_eq(gf_config_new(&cfg), GF_OK);
	gf_config_set_file(cfg, "directory.json", fx_directory,
			   strlen(fx_directory));
	gf_config_set_file(cfg, "rules.json", fx_rules, strlen(fx_rules));
	if (dedup)
		gf_config_set_file(cfg, "dedup.json", dedup, strlen(dedup));
	ck_assert_int_eq(gf_config_compile(cfg), GF_OK);
	return cfg;
}

static gf_engine *open_dedup(const char *dedup, const char *store,
			     fx_notices *n, int with_key)
{
	gf_config *cfg = config_with(dedup);
	gf_options o = GF_OPTIONS_INIT;
	static const unsigned char key[] = "dedup-reporter-key";
	o.config = cfg;
	o.store = store;
	o.clock = GF_CLOCK_EVENT;
	o.sync = GF_SYNC_NEVER;
	if (with_key) {
		o.reporter_key = key;
		o.reporter_key_len = sizeof(key) - 1;
	}
	o.notice = n ? fx_on_notice : NULL;
	o.notice_data = n;
	gf_engine *eng;
	char err[256];
	int rc = gf_engine_open(&eng, &o, err, sizeof(err));
	gf_config_free(cfg);
	ck_assert_msg(rc == GF_OK, "open: %s", err);
	return eng;
}

/* A call: source id, time, village, category, phone. */
static const gf_result *call(gf_engine *eng, const char *sid,
			     const char *at, const char *region,
			     const char *category, const char *phone)
{
	char buf[1024];
	const gf_result *r;
	snprintf(buf, sizeof(buf),
		 "{\"channel\":\"12345\",\"source_id\":\"%s\",\"received_at\":"
		 "\"%s\",\"region\":\"%s\",\"category\":\"%s\",\"title\":"
		 "\"小区门口垃圾堆积\",\"reporter\":{\"phone\":\"%s\"}}",
		 sid, at, region, category, phone);
	int rc = gf_engine_ingest_json(eng, buf, strlen(buf), &r);
	ck_assert_msg(rc == GF_OK, "%s: %s", sid, gf_engine_errmsg(eng));
	return r;
}

#define V1 "320506001001"
#define V2 "320506001002"
#define GARBAGE "city.environment.garbage"
#define LITTER "city.environment"
#define PHONE1 "13800000001"
#define PHONE2 "13800000002"

START_TEST(a_repeated_call_joins_the_open_order)
{
	fx_notices n;
	memset(&n, 0, sizeof(n));
	gf_engine *eng = open_dedup(dedup_family, NULL, &n, 1);
	const gf_result *r = call(eng, "A1", "2026-11-23T09:00:00+08:00", V1,
				  GARBAGE, PHONE1);
	ck_assert_int_eq(gf_result_outcome(r), GF_OUTCOME_CREATED);
	char first[64];
	snprintf(first, sizeof(first), "%s", gf_result_order(r));
	ck_assert_ptr_null(gf_result_reasons(r));
	/* the same caller two hours later, the same family, written in
	 * another format of the number */
	r = call(eng, "A2", "2026-11-23T11:00:00+08:00", V1, LITTER,
		 "138-0000-0001");
	ck_assert_int_eq(gf_result_outcome(r), GF_OUTCOME_LINKED);
	ck_assert_str_eq(gf_result_order(r), first);
	ck_assert(gf_result_score(r) == 1.0);
	const char *why = gf_result_reasons(r);
	ck_assert_ptr_nonnull(why);
	ck_assert_ptr_nonnull(strstr(why, "same caller"));
	ck_assert_ptr_nonnull(strstr(why, "city.environment"));
	ck_assert_ptr_nonnull(strstr(why, V1));
	ck_assert_ptr_nonnull(strstr(why, "2 h 0 min"));
	ck_assert_int_eq(n.count[GF_NOTICE_LINKED], 1);
	const gf_order *o = gf_engine_order_find(eng, "12345:A2");
	ck_assert_str_eq(gf_order_id(o), first);
	ck_assert_uint_eq(gf_order_report_count(o), 2);
	ck_assert_uint_eq(gf_engine_order_count(eng), 1);
	const gf_audit *a = gf_order_audit(o, gf_order_audit_count(o) - 1);
	ck_assert_str_eq(gf_audit_what(a), "link");
	ck_assert_str_eq(gf_audit_reason(a), why);
	ck_assert_int_eq(gf_audit_from(a), gf_audit_to(a));
	/* a re-delivery of the linked call is a re-delivery */
	r = call(eng, "A2", "2026-11-23T11:00:00+08:00", V1, LITTER,
		 "138-0000-0001");
	ck_assert_int_eq(gf_result_outcome(r), GF_OUTCOME_IDEMPOTENT);
	ck_assert_str_eq(gf_result_order(r), first);
	ck_assert_uint_eq(gf_order_report_count(o), 2);
	gf_engine_close(eng);
}
END_TEST

/* Each condition alone keeps a call from linking. */
START_TEST(other_calls_make_new_orders)
{
	static const struct {
		const char *what, *at, *region, *category, *phone;
	} cases[] = {
		{ "another caller", "2026-11-23T10:00:00+08:00", V1, GARBAGE,
		  PHONE2 },
		{ "another village", "2026-11-23T10:00:00+08:00", V2, GARBAGE,
		  PHONE1 },
		{ "another family", "2026-11-23T10:00:00+08:00", V1,
		  "dispute.07.wage_arrears", PHONE1 },
		{ "after the window", "2026-11-26T09:00:01+08:00", V1, GARBAGE,
		  PHONE1 },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		gf_engine *eng = open_dedup(dedup_family, NULL, NULL, 1);
		call(eng, "B1", "2026-11-23T09:00:00+08:00", V1, GARBAGE,
		     PHONE1);
		const gf_result *r = call(eng, "B2", cases[i].at,
					  cases[i].region, cases[i].category,
					  cases[i].phone);
		ck_assert_msg(gf_result_outcome(r) == GF_OUTCOME_CREATED,
			      "%s: %s", cases[i].what,
			      gf_outcome_name(gf_result_outcome(r)));
		gf_engine_close(eng);
	}
	/* just inside the window: linked */
	gf_engine *eng = open_dedup(dedup_family, NULL, NULL, 1);
	call(eng, "B1", "2026-11-23T09:00:00+08:00", V1, GARBAGE, PHONE1);
	ck_assert_int_eq(gf_result_outcome(call(eng, "B2",
						"2026-11-26T09:00:00+08:00",
						V1, GARBAGE, PHONE1)),
			 GF_OUTCOME_LINKED);
	/* the window runs from the last report, not the first */
	ck_assert_int_eq(gf_result_outcome(call(eng, "B3",
						"2026-11-28T09:00:00+08:00",
						V1, GARBAGE, PHONE1)),
			 GF_OUTCOME_LINKED);
	gf_engine_close(eng);
}
END_TEST

START_TEST(a_closed_order_is_not_joined_and_the_newest_is)
{
	gf_engine *eng = open_dedup(dedup_family, NULL, NULL, 1);
	const gf_result *r = call(eng, "C1", "2026-11-23T09:00:00+08:00", V1,
				  GARBAGE, PHONE1);
	char first[64];
	snprintf(first, sizeof(first), "%s", gf_result_order(r));
	ck_assert_int_eq(fx_act(eng, "{\"op\":\"cancel\",\"ref\":\"12345:C1\","
				     "\"actor\":\"sz-zhzx\",\"reason\":\"无效\"}"),
			 GF_OK);
	r = call(eng, "C2", "2026-11-23T10:00:00+08:00", V1, GARBAGE, PHONE1);
	ck_assert_int_eq(gf_result_outcome(r), GF_OUTCOME_CREATED);
	char second[64];
	snprintf(second, sizeof(second), "%s", gf_result_order(r));
	ck_assert_str_ne(first, second);
	r = call(eng, "C3", "2026-11-23T11:00:00+08:00", V1, GARBAGE, PHONE1);
	ck_assert_int_eq(gf_result_outcome(r), GF_OUTCOME_LINKED);
	ck_assert_str_eq(gf_result_order(r), second);
	gf_engine_close(eng);
}
END_TEST

START_TEST(matching_by_category_is_stricter)
{
	gf_engine *eng = open_dedup(dedup_category, NULL, NULL, 1);
	call(eng, "D1", "2026-11-23T09:00:00+08:00", V1, GARBAGE, PHONE1);
	ck_assert_int_eq(gf_result_outcome(call(eng, "D2",
						"2026-11-23T09:30:00+08:00",
						V1, LITTER, PHONE1)),
			 GF_OUTCOME_CREATED);
	ck_assert_int_eq(gf_result_outcome(call(eng, "D3",
						"2026-11-23T10:00:00+08:00",
						V1, GARBAGE, PHONE1)),
			 GF_OUTCOME_LINKED);
	/* 2h window */
	ck_assert_int_eq(gf_result_outcome(call(eng, "D4",
						"2026-11-23T12:00:01+08:00",
						V1, GARBAGE, PHONE1)),
			 GF_OUTCOME_CREATED);
	gf_engine_close(eng);
}
END_TEST

/* Without dedup.json, or without a reporter key (no caller hash), every
 * call makes its own order. */
START_TEST(no_rules_or_no_caller_no_link)
{
	for (int k = 0; k < 2; k++) {
		gf_engine *eng = k ? open_dedup(dedup_family, NULL, NULL, 0)
				   : open_dedup(NULL, NULL, NULL, 1);
		call(eng, "E1", "2026-11-23T09:00:00+08:00", V1, GARBAGE,
		     PHONE1);
		ck_assert_int_eq(gf_result_outcome(call(
					 eng, "E2", "2026-11-23T09:10:00+08:00",
					 V1, GARBAGE, PHONE1)),
				 GF_OUTCOME_CREATED);
		gf_engine_close(eng);
	}
}
END_TEST

START_TEST(links_and_the_index_survive_a_restart)
{
	char *dir = fx_tmpdir();
	char store[512];
	snprintf(store, sizeof(store), "journal:%s/j", dir);
	gf_engine *eng = open_dedup(dedup_family, store, NULL, 1);
	const gf_result *r = call(eng, "F1", "2026-11-23T09:00:00+08:00", V1,
				  GARBAGE, PHONE1);
	char first[64];
	snprintf(first, sizeof(first), "%s", gf_result_order(r));
	call(eng, "F2", "2026-11-23T09:30:00+08:00", V1, GARBAGE, PHONE1);
	gf_engine_close(eng);

	eng = open_dedup(dedup_family, store, NULL, 1);
	const gf_order *o = gf_engine_order_find(eng, "12345:F2");
	ck_assert_ptr_nonnull(o);
	ck_assert_str_eq(gf_order_id(o), first);
	ck_assert_uint_eq(gf_order_report_count(o), 2);
	ck_assert_uint_eq(gf_engine_order_count(eng), 1);
	const gf_audit *a = gf_order_audit(o, gf_order_audit_count(o) - 1);
	ck_assert_str_eq(gf_audit_what(a), "link");
	ck_assert_ptr_nonnull(strstr(gf_audit_reason(a), "same caller"));
	/* the index came back with the orders */
	r = call(eng, "F3", "2026-11-23T10:00:00+08:00", V1, GARBAGE, PHONE1);
	ck_assert_int_eq(gf_result_outcome(r), GF_OUTCOME_LINKED);
	ck_assert_str_eq(gf_result_order(r), first);
	gf_engine_close(eng);
	fx_rmdir(dir);
}
END_TEST

/* dedup.json problems name the file and the field. */
START_TEST(bad_dedup_json_is_refused_with_its_path)
{
	static const struct {
		const char *json, *path, *needle;
	} cases[] = {
		{ "{\"repeat_caler\":{}}", "$.repeat_caler", "unknown field" },
		{ "{\"repeat_caller\":{\"window\":\"3 days\"}}",
		  "$.repeat_caller.window", "a duration" },
		{ "{\"repeat_caller\":{}}", "$.repeat_caller.window",
		  "required field is missing" },
		{ "{\"repeat_caller\":{\"window\":\"3wd\"}}",
		  "$.repeat_caller.window", "need calendar.json" },
		{ "{\"repeat_caller\":{\"window\":\"3d\",\"match\":\"leaf\"}}",
		  "$.repeat_caller.match", "\"category\" or \"family\"" },
		{ "{\"repeat_caller\":{\"window\":\"3d\",\"mtach\":\"family\"}}",
		  "$.repeat_caller.mtach", "expected window, match" },
		{ "[]", "$", "an object" },
		{ "{\"version\":1}", "$.version", "a string" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		gf_config *cfg;
		gf_config_new(&cfg);
		gf_config_set_file(cfg, "directory.json", fx_directory,
				   strlen(fx_directory));
		gf_config_set_file(cfg, "rules.json", fx_rules,
				   strlen(fx_rules));
		gf_config_set_file(cfg, "dedup.json", cases[i].json,
				   strlen(cases[i].json));
		ck_assert_int_eq(gf_config_compile(cfg), GF_ECONFIG);
		ck_assert_uint_eq(gf_config_problem_count(cfg), 1);
		const char *file, *path, *msg;
		gf_config_problem(cfg, 0, &file, &path, &msg);
		ck_assert_str_eq(file, "dedup.json");
		ck_assert_msg(strcmp(path, cases[i].path) == 0 &&
				      strstr(msg, cases[i].needle),
			      "%s: got %s: %s", cases[i].json, path, msg);
		gf_config_free(cfg);
	}
}
END_TEST

/* With an allocation failing anywhere, calls and a reopen either work
 * or say GF_ENOMEM (GF_EIO once the engine refuses more work); nothing
 * crashes or leaks (valgrind runs this suite). */
static int oom_scenario(gf_config *cfg, const char *store)
{
	static const char *lines[] = {
		"{\"channel\":\"12345\",\"source_id\":\"M1\",\"received_at\":"
		"\"2026-11-23T09:00:00+08:00\",\"region\":\"320506001001\","
		"\"category\":\"city.environment.garbage\",\"reporter\":"
		"{\"phone\":\"13800000001\"}}",
		"{\"channel\":\"12345\",\"source_id\":\"M2\",\"received_at\":"
		"\"2026-11-23T09:30:00+08:00\",\"region\":\"320506001001\","
		"\"category\":\"city.environment\",\"reporter\":"
		"{\"phone\":\"13800000001\"}}",
	};
	int ok = 1;
	for (int round = 0; round < 2; round++) {
		gf_options o = GF_OPTIONS_INIT;
		static const unsigned char key[] = "k";
		o.config = cfg;
		o.store = store;
		o.clock = GF_CLOCK_EVENT;
		o.sync = GF_SYNC_NEVER;
		o.reporter_key = key;
		o.reporter_key_len = 1;
		gf_engine *eng;
		int rc = gf_engine_open(&eng, &o, NULL, 0);
		if (rc) {
			ck_assert_int_eq(rc, GF_ENOMEM);
			return 0;
		}
		for (size_t i = 0; i < 2; i++) {
			const gf_result *r;
			rc = gf_engine_ingest_json(eng, lines[i],
						   strlen(lines[i]), &r);
			if (rc == GF_ENOMEM || rc == GF_EIO)
				ok = 0;
			else
				ck_assert_ptr_nonnull(r);
		}
		gf_engine_close(eng);
	}
	return ok;
}

START_TEST(every_allocation_may_fail)
{
	gf_config *cfg = config_with(dedup_family);
	char *dir = fx_tmpdir();
	char store[512], path[512];
	snprintf(store, sizeof(store), "journal:%s/j", dir);
	snprintf(path, sizeof(path), "%s/j", dir);
	ck_assert_int_eq(gf_set_allocator(t_malloc, t_calloc, t_realloc, free),
			 GF_OK);
	alloc_left = -1;
	alloc_count = 0;
	ck_assert(oom_scenario(cfg, store));
	long total = alloc_count;
	ck_assert_int_gt(total, 50);
	for (long n = 0; n < total; n++) {
		unlink(path);
		alloc_left = n;
		oom_scenario(cfg, store);
	}
	unlink(path);
	alloc_left = -1;
	ck_assert(oom_scenario(cfg, store));
	gf_config_free(cfg);
	fx_rmdir(dir);
}
END_TEST

static Suite *make_suite(void)
{
	Suite *s = suite_create("dedup");
	TCase *tc = tcase_create("repeat_caller");
	tcase_add_test(tc, a_repeated_call_joins_the_open_order);
	tcase_add_test(tc, other_calls_make_new_orders);
	tcase_add_test(tc, a_closed_order_is_not_joined_and_the_newest_is);
	tcase_add_test(tc, matching_by_category_is_stricter);
	tcase_add_test(tc, no_rules_or_no_caller_no_link);
	tcase_add_test(tc, links_and_the_index_survive_a_restart);
	tcase_add_test(tc, bad_dedup_json_is_refused_with_its_path);
	tcase_add_test(tc, every_allocation_may_fail);
	suite_add_tcase(s, tc);
	return s;
}

GF_TEST_MAIN
