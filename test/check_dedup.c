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
		{ "{\"crowd\":{\"group\":5}}", "$.crowd.major",
		  "required field is missing" },
		{ "{\"crowd\":{\"group\":1,\"major\":30}}", "$.crowd.group",
		  "from 2 to 100000" },
		{ "{\"crowd\":{\"group\":30,\"major\":5}}", "$.crowd.major",
		  "not above group 30" },
		{ "{\"near\":{\"weights\":{\"place\":11}}}",
		  "$.near.weights.place", "a number from 0 to 10" },
		{ "{\"near\":{\"weights\":{\"place\":\"high\"}}}",
		  "$.near.weights.place", "a number from 0 to 10" },
		{ "{\"near\":{\"weights\":{\"plcae\":0.6}}}",
		  "$.near.weights.plcae", "caller, place" },
		{ "{\"crowd\":{\"group\":5,\"major\":30,\"mjaor\":3}}",
		  "$.crowd.mjaor", "expected group, major" },
		{ "[]", "$", "an object" },
		{ "{\"version\":1}", "$.version", "a string" },
		{ "{\"near\":{\"problems\":{}}}", "$.near.problems",
		  "an array" },
		{ "{\"near\":{\"problems\":[{\"terms\":[]}]}}",
		  "$.near.problems[0].terms", "a non-empty array of problems" },
		{ "{\"near\":{\"problems\":[{\"terms\":[[\"丢失\"],[]]}]}}",
		  "$.near.problems[0].terms[1]", "an array of 1 to 16 terms" },
		{ "{\"near\":{\"problems\":[{\"terms\":[[\"丢失\",5]]}]}}",
		  "$.near.problems[0].terms[0][1]", "a string" },
		{ "{\"near\":{\"problems\":[{\"terms\":[[\"\\u3000 \"]]}]}}",
		  "$.near.problems[0].terms[0][0]", "0 bytes once normalised" },
		{ "{\"near\":{\"problems\":[{\"categories\":[\"City\"],"
		  "\"terms\":[[\"丢失\"]]}]}}",
		  "$.near.problems[0].categories[0]", "a category prefix" },
		{ "{\"near\":{\"problems\":[{\"categories\":[],"
		  "\"terms\":[[\"丢失\"]]}]}}",
		  "$.near.problems[0].categories", "an array of 1 to 16" },
		{ "{\"near\":{\"problems\":[{\"terms\":[[\"丢失\"]],"
		  "\"term\":1}]}}",
		  "$.near.problems[0].term", "categories, terms" },
		{ "{\"near\":{\"weights\":{\"problem\":0.5}}}",
		  "$.near.weights.problem", "names none" },
		/* 27 characters of 3 bytes: 81 bytes, quoted in part, in
		 * whole characters, as JSON */
		{ "{\"near\":{\"problems\":[{\"terms\":[[\"井井井井井井井井井"
		  "井井井井井井井井井井井井井井井井井井\"]]}]}}",
		  "$.near.problems[0].terms[0][0]", "井\"... is 81 bytes" },
		{ "{\"near\":{\"weights\":{\"problem\":0.5},"
		  "\"problems\":[]}}",
		  "$.near.weights.problem", "names none" },
		/* a wrong list has said so: no second problem */
		{ "{\"near\":{\"weights\":{\"problem\":0.5},"
		  "\"problems\":[{\"terms\":[]}]}}",
		  "$.near.problems[0].terms", "a non-empty array of problems" },
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

/* ---- near duplicates across channels -------------------------------- */

static const char dedup_near[] =
	"{\"version\":\"d-3\",\"near\":{\"window\":\"2h\",\"radius_m\":250,"
	"\"link_at\":0.75,\"suspect_at\":0.5,"
	"\"families\":[{\"categories\":[\"police\"],\"window\":\"1h\","
	"\"radius_m\":500}],"
	"\"equivalent\":[[\"police.fight\",\"dispute\"]]}}";

#define GARBAGE_TEXT "长桥街道新家社区3幢门口垃圾堆积多日无人清理，气味很大"
#define GARBAGE_AGAIN "新家社区3幢门口垃圾堆了好几天没人清理，味道很大"
#define OTHER_TEXT "新家社区5幢楼道有人给电动车充电，存在安全隐患"

/* A report with a point (lat 0: none), on a channel. */
static const gf_result *report(gf_engine *eng, const char *ch,
			       const char *sid, const char *at,
			       const char *region, const char *category,
			       double lat, double lon, const char *text)
{
	char buf[2048], loc[96] = "";
	const gf_result *r;
	if (lat != 0)
		snprintf(loc, sizeof(loc),
			 "\"location\":{\"lat\":%.6f,\"lon\":%.6f},", lat,
			 lon);
	snprintf(buf, sizeof(buf),
		 "{\"channel\":\"%s\",\"source_id\":\"%s\",\"received_at\":"
		 "\"%s\",\"region\":\"%s\",%s\"category\":\"%s\","
		 "\"content\":\"%s\"}",
		 ch, sid, at, region, loc, category, text);
	int rc = gf_engine_ingest_json(eng, buf, strlen(buf), &r);
	ck_assert_msg(rc == GF_OK, "%s: %s", sid, gf_engine_errmsg(eng));
	return r;
}

/* r's outcome is want; if not, what it was, its score and why */
static void assert_outcome(const gf_result *r, gf_outcome want)
{
	ck_assert_msg(gf_result_outcome(r) == want, "%s %f %s",
		      gf_outcome_name(gf_result_outcome(r)),
		      gf_result_score(r), gf_result_reasons(r));
}

/* 31.2736, 120.6012 and points d metres north of it */
#define LAT 31.2736
#define LON 120.6012
#define NORTH(m) (LAT + (m) / 111195.0)

START_TEST(a_near_duplicate_from_another_channel_is_linked)
{
	gf_engine *eng = open_dedup(dedup_near, NULL, NULL, 1);
	const gf_result *r = report(eng, "12345", "N1",
				    "2026-11-23T09:00:00+08:00", V1, GARBAGE,
				    LAT, LON, GARBAGE_TEXT);
	char first[64];
	snprintf(first, sizeof(first), "%s", gf_result_order(r));
	r = report(eng, "grid", "N2", "2026-11-23T09:20:00+08:00", V1,
		   GARBAGE, NORTH(60), LON, GARBAGE_AGAIN);
	assert_outcome(r, GF_OUTCOME_LINKED);
	ck_assert_str_eq(gf_result_order(r), first);
	ck_assert(gf_result_score(r) >= 0.75 && gf_result_score(r) <= 1.0);
	ck_assert_ptr_nonnull(strstr(gf_result_reasons(r), "60 m apart"));
	ck_assert_ptr_nonnull(strstr(gf_result_reasons(r), "20 min apart"));
	ck_assert_ptr_nonnull(strstr(gf_result_reasons(r), "same category"));
	ck_assert_uint_eq(gf_order_report_count(gf_engine_order_find(eng,
								     first)),
			  2);
	gf_engine_close(eng);
}
END_TEST

/* Same place and time and category, other words: the grey band. The
 * desk dismisses the suspicion, or merges. */
START_TEST(the_grey_band_is_flagged_for_the_desk)
{
	gf_engine *eng = open_dedup(dedup_near, NULL, NULL, 1);
	const gf_result *r = report(eng, "12345", "S1",
				    "2026-11-23T09:00:00+08:00", V1, GARBAGE,
				    LAT, LON, GARBAGE_TEXT);
	char first[64], second[64];
	snprintf(first, sizeof(first), "%s", gf_result_order(r));
	r = report(eng, "grid", "S2", "2026-11-23T09:10:00+08:00", V1, GARBAGE,
		   NORTH(30), LON, OTHER_TEXT);
	assert_outcome(r, GF_OUTCOME_SUSPECTED);
	snprintf(second, sizeof(second), "%s", gf_result_order(r));
	ck_assert_str_ne(first, second);
	ck_assert(gf_result_score(r) >= 0.5 && gf_result_score(r) < 0.75);
	ck_assert_ptr_nonnull(strstr(gf_result_reasons(r), first));
	const gf_order *o = gf_engine_order_find(eng, second);
	ck_assert_str_eq(gf_order_suspected_of(o), first);
	const gf_audit *a = gf_order_audit(o, gf_order_audit_count(o) - 1);
	ck_assert_str_eq(gf_audit_what(a), "suspect");
	/* only the desk may dismiss; then it is no longer suspected */
	char js[256];
	snprintf(js, sizeof(js),
		 "{\"op\":\"dismiss\",\"ref\":\"%s\",\"actor\":\"t-cq-cg\"}",
		 second);
	ck_assert_int_eq(fx_act(eng, js), GF_EPERM);
	snprintf(js, sizeof(js),
		 "{\"op\":\"dismiss\",\"ref\":\"%s\",\"actor\":\"sz-zhzx\","
		 "\"reason\":\"两件不同的事\"}",
		 second);
	ck_assert_int_eq(fx_act(eng, js), GF_OK);
	ck_assert_ptr_null(gf_order_suspected_of(o));
	ck_assert_int_eq(fx_act(eng, js), GF_ESTATE);
	gf_engine_close(eng);
}
END_TEST

START_TEST(too_far_too_late_or_unrelated_is_a_new_order)
{
	static const struct {
		const char *what, *at, *region, *category;
		double meters;
		int has_loc;
	} cases[] = {
		{ "300 m away", "2026-11-23T09:10:00+08:00", V1, GARBAGE, 300,
		  1 },
		{ "2 h 1 min later", "2026-11-23T11:01:00+08:00", V1, GARBAGE, 10,
		  1 },
		{ "another category group", "2026-11-23T09:10:00+08:00", V1,
		  "dispute.07.wage_arrears", 10, 1 },
		{ "no point, another village", "2026-11-23T09:10:00+08:00", V2,
		  GARBAGE, 0, 0 },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		gf_engine *eng = open_dedup(dedup_near, NULL, NULL, 1);
		report(eng, "12345", "T1", "2026-11-23T09:00:00+08:00", V1,
		       GARBAGE, LAT, LON, GARBAGE_TEXT);
		const gf_result *r = report(
			eng, "grid", "T2", cases[i].at, cases[i].region,
			cases[i].category,
			cases[i].has_loc ? NORTH(cases[i].meters) : 0, LON,
			GARBAGE_TEXT);
		ck_assert_msg(gf_result_outcome(r) == GF_OUTCOME_CREATED,
			      "%s: %s %s", cases[i].what,
			      gf_outcome_name(gf_result_outcome(r)),
			      gf_result_reasons(r) ? gf_result_reasons(r) : "");
		gf_engine_close(eng);
	}
}
END_TEST

/* Without a point the village stands in; equivalent categories across
 * taxonomies count; a closed order is no candidate. */
START_TEST(village_equivalence_and_closed_orders)
{
	gf_engine *eng = open_dedup(dedup_near, NULL, NULL, 1);
	const gf_result *r = report(eng, "12345", "V1",
				    "2026-11-23T09:00:00+08:00", V1, GARBAGE,
				    0, 0, GARBAGE_TEXT);
	char first[64];
	snprintf(first, sizeof(first), "%s", gf_result_order(r));
	r = report(eng, "grid", "V2", "2026-11-23T09:05:00+08:00", V1, GARBAGE,
		   0, 0, GARBAGE_TEXT);
	ck_assert_int_eq(gf_result_outcome(r), GF_OUTCOME_LINKED);
	ck_assert_ptr_nonnull(strstr(gf_result_reasons(r), "same village"));
	/* 110's fight and a mediation dispute: declared equivalent */
	r = report(eng, "110", "E1", "2026-11-23T10:00:00+08:00", V1,
		   "police.fight", LAT, LON, "小区门口两人打架");
	char fight[64];
	snprintf(fight, sizeof(fight), "%s", gf_result_order(r));
	r = report(eng, "mediation", "E2", "2026-11-23T10:10:00+08:00", V1,
		   "dispute.07.wage_arrears", NORTH(20), LON,
		   "小区门口两人打架");
	ck_assert_msg(gf_result_outcome(r) == GF_OUTCOME_LINKED, "%s %s",
		      gf_outcome_name(gf_result_outcome(r)),
		      gf_result_reasons(r) ? gf_result_reasons(r) : "");
	ck_assert_str_eq(gf_result_order(r), fight);
	ck_assert_ptr_nonnull(strstr(gf_result_reasons(r), "equivalent"));
	/* closed: the next report makes its own order */
	char js[256];
	snprintf(js, sizeof(js),
		 "{\"op\":\"cancel\",\"ref\":\"%s\",\"actor\":\"sz-zhzx\","
		 "\"reason\":\"已处理\"}",
		 first);
	ck_assert_int_eq(fx_act(eng, js), GF_OK);
	r = report(eng, "grid", "V3", "2026-11-23T09:30:00+08:00", V1, GARBAGE,
		   0, 0, GARBAGE_TEXT);
	ck_assert_int_eq(gf_result_outcome(r), GF_OUTCOME_CREATED);
	gf_engine_close(eng);
}
END_TEST

/* A report in a grid (网格): lat 0 for no point, grid NULL for none. */
static const gf_result *gridded(gf_engine *eng, const char *sid,
				const char *at, double lat, const char *grid)
{
	char buf[1024], loc[96] = "", g[64] = "";
	const gf_result *r;
	if (lat != 0)
		snprintf(loc, sizeof(loc),
			 "\"location\":{\"lat\":%.6f,\"lon\":%.6f},", lat,
			 LON);
	if (grid)
		snprintf(g, sizeof(g), "\"grid\":\"%s\",", grid);
	snprintf(buf, sizeof(buf),
		 "{\"channel\":\"grid\",\"source_id\":\"%s\",\"received_at\":"
		 "\"%s\",\"region\":\"" V1 "\",%s%s\"category\":\"" GARBAGE
		 "\",\"content\":\"" GARBAGE_TEXT "\"}",
		 sid, at, loc, g);
	int rc = gf_engine_ingest_json(eng, buf, strlen(buf), &r);
	ck_assert_msg(rc == GF_OK, "%s: %s", sid, gf_engine_errmsg(eng));
	return r;
}

static const char dedup_grid[] =
	"{\"version\":\"d-g\",\"near\":{\"window\":\"2h\",\"radius_m\":250,"
	"\"link_at\":0.8,\"suspect_at\":0.5}}";

/*
 * Without points on both sides the village stands in, and the grids
 * narrow it: the same grid counts as 0.75 of the distance signal, no
 * grid on a side as 0.5, another grid of the village as 0.25. With the
 * same words 5 min apart that is 0.919, 0.844 and 0.769: linked, linked,
 * suspected at link_at 0.8. Points on both sides outrank grids. The
 * grid is stored with the report: a reopened engine finds it again.
 */
START_TEST(without_points_the_grid_narrows_the_village)
{
	static const struct {
		const char *grid;   /* the second report's */
		double lat;         /* both reports', or 0 */
		gf_outcome want;
		const char *says, *never;
		double score;
	} cases[] = {
		{ V1 "-01", 0, GF_OUTCOME_LINKED, "same grid " V1 "-01",
		  "village", 0.3 * 0.75 },
		{ NULL, 0, GF_OUTCOME_LINKED, "same village " V1, "grid",
		  0.3 * 0.5 },
		{ V1 "-02", 0, GF_OUTCOME_SUSPECTED,
		  "same village " V1 ", another grid", "same grid",
		  0.3 * 0.25 },
		{ V1 "-02", LAT, GF_OUTCOME_LINKED, "0 m apart", "grid",
		  0.3 * 1.0 },
	};
	/* time, category and text: 0.15 x (1 - 5/120) + 0.15 + 0.4 */
	double rest = 0.15 * (1 - 5.0 / 120) + 0.15 + 0.4;
	char *dir = fx_tmpdir();
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char store[512];
		snprintf(store, sizeof(store), "journal:%s/j%zu", dir, i);
		gf_engine *eng = open_dedup(dedup_grid, store, NULL, 1);
		const gf_result *r = gridded(eng, "G1",
					     "2026-11-23T09:00:00+08:00",
					     cases[i].lat, V1 "-01");
		char first[64];
		snprintf(first, sizeof(first), "%s", gf_result_order(r));
		gf_engine_close(eng);
		eng = open_dedup(dedup_grid, store, NULL, 1);
		r = gridded(eng, "G2", "2026-11-23T09:05:00+08:00",
			    cases[i].lat, cases[i].grid);
		const char *why = gf_result_reasons(r);
		ck_assert_msg(gf_result_outcome(r) == cases[i].want && why &&
				      strstr(why, cases[i].says) &&
				      !strstr(why, cases[i].never) &&
				      /* problem is not weighed here */
				      !strstr(why, "problem"),
			      "case %zu: %s %f %s", i,
			      gf_outcome_name(gf_result_outcome(r)),
			      gf_result_score(r), why ? why : "");
		double want = cases[i].score + rest;
		ck_assert_msg(gf_result_score(r) > want - 1e-9 &&
				      gf_result_score(r) < want + 1e-9,
			      "case %zu: score %f, want %f", i,
			      gf_result_score(r), want);
		if (cases[i].want == GF_OUTCOME_LINKED)
			ck_assert_str_eq(gf_result_order(r), first);
		gf_engine_close(eng);
	}
	fx_rmdir(dir);
}
END_TEST

static const char dedup_problems[] =
	"{\"version\":\"d-p\",\"near\":{\"window\":\"2h\",\"radius_m\":250,"
	"\"link_at\":0.75,\"suspect_at\":0.5,\"weights\":{\"problem\":1},"
	"\"problems\":[{\"categories\":[\"" GARBAGE "\"],"
	"\"terms\":[[\"装修垃圾\",\"建渣\"],[\"生活垃圾\"],[\"沙发\"]]}]}}";

#define AT(m) "2026-11-23T09:" m ":00+08:00"

/*
 * near.problems: the same spot and the same words but another problem
 * (生活垃圾 against 装修垃圾) is another order; the same problem links,
 * and says which. An order names what its linked reports name, after a
 * restart too. A category outside the entry's names nothing.
 */
START_TEST(near_problems_tell_two_problems_at_one_spot_apart)
{
	char *dir = fx_tmpdir();
	char store[512];
	snprintf(store, sizeof(store), "journal:%s/j", dir);
	gf_engine *eng = open_dedup(dedup_problems, store, NULL, 1);
	const gf_result *r = report(eng, "12345", "P1", AT("00"), V1, GARBAGE,
				    LAT, LON,
				    "新家社区3幢门口堆了装修垃圾，好几天没人清理");
	char first[64];
	snprintf(first, sizeof(first), "%s", gf_result_order(r));
	/* without the problem this scores 0.994 */
	r = report(eng, "grid", "P2", AT("05"), V1, GARBAGE, LAT, LON,
		   "新家社区3幢门口堆了生活垃圾，好几天没人清理");
	assert_outcome(r, GF_OUTCOME_CREATED);
	ck_assert_double_lt(gf_result_score(r), 0.5);
	r = report(eng, "110", "P3", AT("10"), V1, GARBAGE, LAT, LON,
		   "新家社区3幢门口有人倒了建渣，好几天没人清理");
	assert_outcome(r, GF_OUTCOME_LINKED);
	ck_assert_str_eq(gf_result_order(r), first);
	ck_assert_ptr_nonnull(strstr(gf_result_reasons(r),
				     "same problem 装修垃圾"));
	/* a linked report adds its problems to the order */
	r = report(eng, "12345", "P4", AT("15"), V1, GARBAGE, LAT, LON,
		   "新家社区3幢门口装修垃圾里还有旧沙发，好几天没人清理");
	assert_outcome(r, GF_OUTCOME_LINKED);
	ck_assert_str_eq(gf_result_order(r), first);
	gf_engine_close(eng);
	eng = open_dedup(dedup_problems, store, NULL, 1);
	r = report(eng, "grid", "P5", AT("20"), V1, GARBAGE, LAT, LON,
		   "新家社区3幢门口扔了旧沙发，好几天没人清理");
	assert_outcome(r, GF_OUTCOME_LINKED);
	ck_assert_str_eq(gf_result_order(r), first);
	ck_assert_ptr_nonnull(strstr(gf_result_reasons(r),
				     "same problem 沙发"));
	/* city.environment is not under the entry's category */
	r = report(eng, "grid", "P6", AT("25"), V1, LITTER, LAT, LON,
		   "新家社区3幢门口堆了生活垃圾，好几天没人清理");
	ck_assert_ptr_nonnull(gf_result_reasons(r));
	ck_assert_ptr_null(strstr(gf_result_reasons(r), "problem"));
	gf_engine_close(eng);
	fx_rmdir(dir);
}
END_TEST

START_TEST(near_duplicates_survive_a_restart)
{
	char *dir = fx_tmpdir();
	char store[512];
	snprintf(store, sizeof(store), "journal:%s/j", dir);
	gf_engine *eng = open_dedup(dedup_near, store, NULL, 1);
	const gf_result *r = report(eng, "12345", "R1",
				    "2026-11-23T09:00:00+08:00", V1, GARBAGE,
				    LAT, LON, GARBAGE_TEXT);
	char first[64], second[64];
	snprintf(first, sizeof(first), "%s", gf_result_order(r));
	report(eng, "grid", "R2", "2026-11-23T09:10:00+08:00", V1, GARBAGE,
	       NORTH(40), LON, GARBAGE_AGAIN);
	r = report(eng, "grid", "R3", "2026-11-23T09:12:00+08:00", V1,
		   GARBAGE, NORTH(30), LON, OTHER_TEXT);
	ck_assert_int_eq(gf_result_outcome(r), GF_OUTCOME_SUSPECTED);
	snprintf(second, sizeof(second), "%s", gf_result_order(r));
	gf_engine_close(eng);

	eng = open_dedup(dedup_near, store, NULL, 1);
	ck_assert_uint_eq(gf_order_report_count(gf_engine_order_find(eng,
								     first)),
			  2);
	ck_assert_str_eq(gf_order_suspected_of(gf_engine_order_find(eng,
								    second)),
			 first);
	/* the index came back: a third report joins the first order */
	r = report(eng, "110", "R4", "2026-11-23T09:30:00+08:00", V1, GARBAGE,
		   NORTH(10), LON, GARBAGE_TEXT);
	ck_assert_int_eq(gf_result_outcome(r), GF_OUTCOME_LINKED);
	ck_assert_str_eq(gf_result_order(r), first);
	gf_engine_close(eng);
	fx_rmdir(dir);
}
END_TEST

/* An order keeps what its linked reports add: a repeated call in other
 * words lets a later report in those words join. The index rebuilt at
 * open folds the reports the same way, so a reopen between changes
 * nothing. */
static const char dedup_both[] =
	"{\"version\":\"d-5\",\"repeat_caller\":{\"window\":\"2h\","
	"\"match\":\"category\"},\"near\":{\"window\":\"2h\","
	"\"radius_m\":250,\"link_at\":0.75,\"suspect_at\":0.5}}";

static const gf_result *phoned(gf_engine *eng, const char *sid,
			       const char *at, const char *text)
{
	char buf[2048];
	const gf_result *r;
	snprintf(buf, sizeof(buf),
		 "{\"channel\":\"12345\",\"source_id\":\"%s\","
		 "\"received_at\":\"%s\",\"region\":\"%s\",\"location\":"
		 "{\"lat\":%.6f,\"lon\":%.6f},\"category\":\"%s\","
		 "\"content\":\"%s\",\"reporter\":{\"phone\":\"%s\"}}",
		 sid, at, V1, LAT, LON, GARBAGE, text, PHONE1);
	int rc = gf_engine_ingest_json(eng, buf, strlen(buf), &r);
	ck_assert_msg(rc == GF_OK, "%s: %s", sid, gf_engine_errmsg(eng));
	return r;
}

START_TEST(linked_reports_count_alike_after_a_reopen)
{
	char *dir = fx_tmpdir();
	for (int reopen = 0; reopen < 2; reopen++) {
		char store[512];
		snprintf(store, sizeof(store), "journal:%s/j%d", dir, reopen);
		gf_engine *eng = open_dedup(dedup_both, store, NULL, 1);
		const gf_result *r = phoned(eng, "F1",
					    "2026-11-23T09:00:00+08:00",
					    GARBAGE_TEXT);
		char first[64];
		snprintf(first, sizeof(first), "%s", gf_result_order(r));
		/* the same caller again, about the corridor this time */
		r = phoned(eng, "F2", "2026-11-23T09:05:00+08:00", OTHER_TEXT);
		ck_assert_int_eq(gf_result_outcome(r), GF_OUTCOME_LINKED);
		if (reopen) {
			gf_engine_close(eng);
			eng = open_dedup(dedup_both, store, NULL, 1);
		}
		/* a grid worker in the second report's words: alone, the
		 * first report's words would only make it suspected (see
		 * the_grey_band_is_flagged_for_the_desk) */
		r = report(eng, "grid", "F3", "2026-11-23T09:12:00+08:00", V1,
			   GARBAGE, NORTH(30), LON, OTHER_TEXT);
		ck_assert_msg(gf_result_outcome(r) == GF_OUTCOME_LINKED,
			      "reopen %d: %s %f %s", reopen,
			      gf_outcome_name(gf_result_outcome(r)),
			      gf_result_score(r), gf_result_reasons(r));
		ck_assert_str_eq(gf_result_order(r), first);
		ck_assert_ptr_nonnull(strstr(gf_result_reasons(r),
					     "text 1.00"));
		gf_engine_close(eng);
	}
	fx_rmdir(dir);
}
END_TEST

/* What the desk and time do to the index: after a merge, a split, a
 * repeated call to an order that had aged out of the window, or with an
 * order out of the window behind a fresher one in the index's ring, the
 * next report is decided as it is after a reopen (which rebuilds the
 * index from the orders). */
static const char dedup_long_repeat[] =
	"{\"version\":\"d-6\",\"repeat_caller\":{\"window\":\"4h\","
	"\"match\":\"category\"},\"near\":{\"window\":\"2h\","
	"\"radius_m\":250,\"link_at\":0.75,\"suspect_at\":0.5}}";

static void desk_act(gf_engine *eng, const char *json)
{
	const gf_result *r;
	int rc = gf_engine_apply_json(eng, json, strlen(json), &r);
	ck_assert_msg(rc == GF_OK, "%s: %s", json, gf_engine_errmsg(eng));
}

/* A call with a point, by phone, in village region. */
static const gf_result *called(gf_engine *eng, const char *sid,
			       const char *at, const char *region,
			       const char *category, double lat,
			       const char *text, const char *phone)
{
	char buf[2048];
	const gf_result *r;
	snprintf(buf, sizeof(buf),
		 "{\"channel\":\"12345\",\"source_id\":\"%s\","
		 "\"received_at\":\"%s\",\"region\":\"%s\",\"location\":"
		 "{\"lat\":%.6f,\"lon\":%.6f},\"category\":\"%s\","
		 "\"content\":\"%s\",\"reporter\":{\"phone\":\"%s\"}}",
		 sid, at, region, lat, LON, category, text, phone);
	int rc = gf_engine_ingest_json(eng, buf, strlen(buf), &r);
	ck_assert_msg(rc == GF_OK, "%s: %s", sid, gf_engine_errmsg(eng));
	return r;
}

/* Scenario k up to the last report; which order that report must join
 * (in want), or "" when it must make a new one. */
static void index_scenario(gf_engine *eng, int k, char *want, size_t size)
{
	char js[512];
	const gf_result *r;
	if (k == 3) {
		/* a stale entry behind a fresh one in the ring: X re-enters
		 * at the tail when W merges into it, Y (before it now) gets
		 * a later report, and by the last action X is out of the
		 * window while Y, the ring's head, is not. A rebuild leaves
		 * X out; the live index must not offer it either. */
		r = report(eng, "12345", "X1", "2026-11-23T09:00:00+08:00", V1,
			   GARBAGE, LAT, LON, GARBAGE_TEXT);
		char x[64];
		snprintf(x, sizeof(x), "%s", gf_result_order(r));
		r = called(eng, "Y1", "2026-11-23T09:10:00+08:00", V2, GARBAGE,
			   NORTH(5000), OTHER_TEXT, PHONE2);
		ck_assert_int_eq(gf_result_outcome(r), GF_OUTCOME_CREATED);
		r = report(eng, "12345", "W1", "2026-11-23T09:20:00+08:00", V2,
			   "police.fight", NORTH(10000), LON, "有人打架");
		ck_assert_int_eq(gf_result_outcome(r), GF_OUTCOME_CREATED);
		snprintf(js, sizeof(js),
			 "{\"op\":\"merge\",\"ref\":\"12345:W1\",\"into\":"
			 "\"%s\",\"actor\":\"sz-zhzx\",\"at\":"
			 "\"2026-11-23T09:30:00+08:00\"}", x);
		desk_act(eng, js);
		/* X's latest report is W1's (09:20): in the window until
		 * 11:20. Y's repeated call keeps Y in it until 12:30. */
		r = called(eng, "Y2", "2026-11-23T10:30:00+08:00", V2, GARBAGE,
			   NORTH(5000), OTHER_TEXT, PHONE2);
		ck_assert_int_eq(gf_result_outcome(r), GF_OUTCOME_LINKED);
		desk_act(eng, "{\"op\":\"dispatch\",\"ref\":\"12345:Y1\","
			      "\"actor\":\"sz-zhzx\",\"dept\":\"t-cq-cg\","
			      "\"at\":\"2026-11-23T11:25:00+08:00\"}");
		want[0] = '\0';
		(void)size;
	} else if (k == 0) {
		/* merge: the first order takes the second's words */
		r = report(eng, "12345", "M1", "2026-11-23T09:00:00+08:00", V1,
			   GARBAGE, LAT, LON, GARBAGE_TEXT);
		snprintf(want, size, "%s", gf_result_order(r));
		r = report(eng, "grid", "M2", "2026-11-23T09:10:00+08:00", V1,
			   GARBAGE, NORTH(30), LON, OTHER_TEXT);
		ck_assert_int_eq(gf_result_outcome(r), GF_OUTCOME_SUSPECTED);
		snprintf(js, sizeof(js),
			 "{\"op\":\"merge\",\"ref\":\"%s\",\"into\":\"%s\","
			 "\"actor\":\"sz-zhzx\",\"reason\":\"同一问题\","
			 "\"at\":\"2026-11-23T09:15:00+08:00\"}",
			 gf_result_order(r), want);
		desk_act(eng, js);
	} else if (k == 1) {
		/* split: the corridor call leaves the garbage order with
		 * its words */
		r = phoned(eng, "L1", "2026-11-23T09:00:00+08:00",
			   GARBAGE_TEXT);
		r = phoned(eng, "L2", "2026-11-23T09:05:00+08:00", OTHER_TEXT);
		ck_assert_int_eq(gf_result_outcome(r), GF_OUTCOME_LINKED);
		desk_act(eng, "{\"op\":\"split\",\"ref\":\"12345:L2\","
			      "\"actor\":\"sz-zhzx\","
			      "\"at\":\"2026-11-23T09:08:00+08:00\"}");
		const gf_order *o = gf_engine_order_find(eng, "12345:L2");
		ck_assert_ptr_nonnull(o);
		snprintf(want, size, "%s", gf_order_id(o));
	} else {
		/* aged out, then called about again: back in the window */
		r = phoned(eng, "E1", "2026-11-23T09:00:00+08:00",
			   GARBAGE_TEXT);
		snprintf(want, size, "%s", gf_result_order(r));
		/* elsewhere, past the first's window: it leaves the index */
		report(eng, "grid", "E2", "2026-11-23T11:30:00+08:00", V2,
		       GARBAGE, NORTH(5000), LON, OTHER_TEXT);
		r = phoned(eng, "E3", "2026-11-23T12:00:00+08:00",
			   GARBAGE_AGAIN);
		ck_assert_int_eq(gf_result_outcome(r), GF_OUTCOME_LINKED);
		ck_assert_str_eq(gf_result_order(r), want);
	}
}

START_TEST(the_live_index_is_the_rebuilt_one)
{
	static const char *const cfg[] = { dedup_near, dedup_both,
					   dedup_long_repeat,
					   dedup_long_repeat };
	static const char *const words[] = { OTHER_TEXT, OTHER_TEXT,
					     GARBAGE_AGAIN, GARBAGE_TEXT };
	/* the merge and split are from the morning; the late report of
	 * scenario 3 was received (11:00) before the engine's clock
	 * (11:25) */
	static const char *const when[] = { "2026-11-23T09:20:00+08:00",
					    "2026-11-23T09:20:00+08:00",
					    "2026-11-23T12:10:00+08:00",
					    "2026-11-23T11:00:00+08:00" };
	char *dir = fx_tmpdir();
	for (int reopen = 0; reopen < 2; reopen++) {
		char store[512], want[64];
		snprintf(store, sizeof(store), "journal:%s/i%d", dir, reopen);
		gf_engine *eng = open_dedup(cfg[_i], store, NULL, 1);
		index_scenario(eng, _i, want, sizeof(want));
		if (reopen) {
			gf_engine_close(eng);
			eng = open_dedup(cfg[_i], store, NULL, 1);
		}
		const gf_result *r = report(eng, "110", "Z9", when[_i], V1,
					    GARBAGE, NORTH(20), LON,
					    words[_i]);
		ck_assert_msg(want[0] ? gf_result_outcome(r) ==
						  GF_OUTCOME_LINKED &&
					  strcmp(gf_result_order(r), want) == 0
				      : gf_result_outcome(r) ==
						GF_OUTCOME_CREATED,
			      "scenario %d, reopen %d: %s %s (want %s) %f %s",
			      _i, reopen, gf_outcome_name(gf_result_outcome(r)),
			      gf_result_order(r), want, gf_result_score(r),
			      gf_result_reasons(r));
		gf_engine_close(eng);
	}
	fx_rmdir(dir);
}
END_TEST

/* Equivalent pairs join their groups through a shared prefix too: the
 * index files police with city (pair 2) and with dispute (pair 1), so a
 * report finds candidates of either. */
START_TEST(equivalent_pairs_chain_in_the_index)
{
	static const char chained[] =
		"{\"version\":\"d-5\",\"near\":{\"window\":\"2h\","
		"\"radius_m\":250,\"link_at\":0.75,\"suspect_at\":0.5,"
		"\"equivalent\":[[\"police.fight\",\"dispute\"],"
		"[\"city.environment\",\"police\"]]}}";
	gf_engine *eng = open_dedup(chained, NULL, NULL, 1);
	const gf_result *r = report(eng, "110", "C1",
				    "2026-11-23T09:00:00+08:00", V1,
				    "police.fight", LAT, LON, GARBAGE_TEXT);
	char first[64];
	snprintf(first, sizeof(first), "%s", gf_result_order(r));
	r = report(eng, "grid", "C2", "2026-11-23T09:05:00+08:00", V1, GARBAGE,
		   NORTH(20), LON, GARBAGE_TEXT);
	assert_outcome(r, GF_OUTCOME_LINKED);
	ck_assert_str_eq(gf_result_order(r), first);
	ck_assert_ptr_nonnull(strstr(gf_result_reasons(r), "equivalent"));
	r = report(eng, "mediation", "C3", "2026-11-23T09:10:00+08:00", V1,
		   "dispute.07.wage_arrears", NORTH(10), LON, GARBAGE_TEXT);
	assert_outcome(r, GF_OUTCOME_LINKED);
	ck_assert_str_eq(gf_result_order(r), first);
	gf_engine_close(eng);
}
END_TEST

/* The grid files each entry under its category group, which the
 * equivalent pairs decide: a reload that joins two groups must find the
 * orders filed under the old groups (the index is built again). */
START_TEST(a_reload_that_joins_groups_finds_the_open_orders)
{
	static const char joined[] =
		"{\"version\":\"d-6\",\"near\":{\"window\":\"2h\","
		"\"radius_m\":250,\"link_at\":0.75,\"suspect_at\":0.5,"
		"\"equivalent\":[[\"city.environment\",\"police\"]]}}";
	gf_engine *eng = open_dedup(dedup_near, NULL, NULL, 1);
	const gf_result *r = report(eng, "110", "J1",
				    "2026-11-23T09:00:00+08:00", V1,
				    "police.fight", LAT, LON, GARBAGE_TEXT);
	char first[64];
	snprintf(first, sizeof(first), "%s", gf_result_order(r));
	gf_config *cfg = config_with(joined);
	ck_assert_int_eq(gf_engine_reload(eng, cfg), GF_OK);
	gf_config_free(cfg);
	r = report(eng, "grid", "J2", "2026-11-23T09:05:00+08:00", V1, GARBAGE,
		   NORTH(20), LON, GARBAGE_TEXT);
	assert_outcome(r, GF_OUTCOME_LINKED);
	ck_assert_str_eq(gf_result_order(r), first);
	ck_assert_ptr_nonnull(strstr(gf_result_reasons(r), "equivalent"));
	gf_engine_close(eng);
	/* and under the old pairs, the same reports stay apart */
	eng = open_dedup(dedup_near, NULL, NULL, 1);
	report(eng, "110", "J1", "2026-11-23T09:00:00+08:00", V1,
	       "police.fight", LAT, LON, GARBAGE_TEXT);
	r = report(eng, "grid", "J2", "2026-11-23T09:05:00+08:00", V1, GARBAGE,
		   NORTH(20), LON, GARBAGE_TEXT);
	assert_outcome(r, GF_OUTCOME_CREATED);
	gf_engine_close(eng);
}
END_TEST

/* The same words about the building next door: with place weighed, the
 * other building number keeps it apart; without, the words link it. */
static const char dedup_place[] =
	"{\"version\":\"d-4\",\"near\":{\"window\":\"2h\",\"radius_m\":250,"
	"\"link_at\":0.6,\"suspect_at\":0.4,"
	"\"weights\":{\"distance\":0.3,\"time\":0.15,\"category\":0.15,"
	"\"text\":0.4,\"caller\":0.2,\"place\":0.6}}}";

#define GARBAGE_NEXT_DOOR "长桥街道新家社区5幢门口垃圾堆积多日无人清理，气味很大"

START_TEST(another_building_number_is_not_linked)
{
	for (int weighed = 0; weighed < 2; weighed++) {
		gf_engine *eng = open_dedup(weighed ? dedup_place : dedup_near,
					    NULL, NULL, 1);
		const gf_result *r = report(eng, "12345", "P1",
					    "2026-11-23T09:00:00+08:00", V1,
					    GARBAGE, LAT, LON, GARBAGE_TEXT);
		char first[64];
		snprintf(first, sizeof(first), "%s", gf_result_order(r));
		r = report(eng, "grid", "P2", "2026-11-23T09:10:00+08:00", V1,
			   GARBAGE, NORTH(40), LON, GARBAGE_NEXT_DOOR);
		if (!weighed) {
			/* the words alone: linked, and no place reasons */
			ck_assert_int_eq(gf_result_outcome(r),
					 GF_OUTCOME_LINKED);
			ck_assert_ptr_null(strstr(gf_result_reasons(r),
						  "numbers"));
			gf_engine_close(eng);
			continue;
		}
		assert_outcome(r, GF_OUTCOME_SUSPECTED);
		ck_assert_ptr_nonnull(strstr(gf_result_reasons(r),
					     "other numbers"));
		char second[64];
		snprintf(second, sizeof(second), "%s", gf_result_order(r));
		/* 3幢 again, in other words: the first order, and why */
		r = report(eng, "110", "P3", "2026-11-23T09:20:00+08:00", V1,
			   GARBAGE, NORTH(20), LON, GARBAGE_AGAIN);
		assert_outcome(r, GF_OUTCOME_LINKED);
		ck_assert_str_eq(gf_result_order(r), first);
		ck_assert_ptr_nonnull(strstr(gf_result_reasons(r),
					     "same number 3幢"));
		/* 5幢 joins the second */
		r = report(eng, "110", "P4", "2026-11-23T09:25:00+08:00", V1,
			   GARBAGE, NORTH(40), LON, GARBAGE_NEXT_DOOR);
		ck_assert_int_eq(gf_result_outcome(r), GF_OUTCOME_LINKED);
		ck_assert_str_eq(gf_result_order(r), second);
		gf_engine_close(eng);
	}
}
END_TEST

/* A first report far from the city (a device without a fix reports
 * 0.0001, 0.0001) must not cost the city its candidates: a report 240 m
 * east of an open one, inside the 250 m radius, is matched wherever the
 * two fall in the index's grid. */
START_TEST(a_report_far_away_does_not_hide_the_city_s_candidates)
{
	/* one radius: the grid's cells are 250 m (dedup_near's police
	 * family would make them 500) */
	static const char one_radius[] =
		"{\"version\":\"d-9\",\"near\":{\"window\":\"2h\","
		"\"radius_m\":250,\"link_at\":0.75,\"suspect_at\":0.5}}";
	gf_engine *eng = open_dedup(one_radius, NULL, NULL, 1);
	const gf_result *r = report(eng, "12345", "N0",
				    "2026-11-23T09:00:00+08:00", V2, GARBAGE,
				    0.0001, 0.0001, OTHER_TEXT);
	assert_outcome(r, GF_OUTCOME_CREATED);
	const double east = 240.0 / (111195.0 * cos(LAT * 3.141592653589793 /
						    180.0));
	int missed = 0;
	for (int k = 0; k < 40; k++) {
		char sid[32], first[64];
		double lat = NORTH(2000.0 * k), lon = LON + k * 0.00006;
		snprintf(sid, sizeof(sid), "B%d", k);
		r = report(eng, "12345", sid, "2026-11-23T09:01:00+08:00", V1,
			   GARBAGE, lat, lon, GARBAGE_TEXT);
		snprintf(first, sizeof(first), "%s", gf_result_order(r));
		snprintf(sid, sizeof(sid), "Q%d", k);
		r = report(eng, "grid", sid, "2026-11-23T09:02:00+08:00", V1,
			   GARBAGE, lat, lon + east, GARBAGE_TEXT);
		const char *of = gf_result_outcome(r) == GF_OUTCOME_SUSPECTED
			? gf_order_suspected_of(gf_engine_order_find(
				  eng, gf_result_order(r)))
			: gf_result_outcome(r) == GF_OUTCOME_LINKED
			? gf_result_order(r)
			: NULL;
		if (!of || strcmp(of, first) != 0)
			missed++;
	}
	ck_assert_msg(missed == 0, "%d of 40 reports 240 m east missed",
		      missed);
	gf_engine_close(eng);
}
END_TEST

/* A street number and the house number of a village group are two ways
 * to say where one spot is, not two spots: "滨河路120号" against
 * "沈家村8组41号" says nothing, while another group of the same village
 * is next door. */
#define AT_GROUP "沈家村8组41号门口垃圾堆积多日无人清理，气味很大"
#define AT_STREET "滨河路120号门口垃圾堆积多日无人清理，气味很大"
#define AT_OTHER_GROUP "沈家村9组41号门口垃圾堆积多日无人清理，气味很大"

START_TEST(a_group_house_is_not_a_street_number)
{
	gf_engine *eng = open_dedup(dedup_place, NULL, NULL, 1);
	const gf_result *r = report(eng, "12345", "G1",
				    "2026-11-23T09:00:00+08:00", V1, GARBAGE,
				    LAT, LON, AT_GROUP);
	char first[64];
	snprintf(first, sizeof(first), "%s", gf_result_order(r));
	r = report(eng, "grid", "G2", "2026-11-23T09:10:00+08:00", V1,
		   GARBAGE, NORTH(40), LON, AT_STREET);
	assert_outcome(r, GF_OUTCOME_LINKED);
	ck_assert_str_eq(gf_result_order(r), first);
	ck_assert_ptr_null(strstr(gf_result_reasons(r), "numbers"));
	double street = gf_result_score(r);
	/* group 9 is another spot, whatever the house: it weighs against,
	 * nearer and with the same words */
	r = report(eng, "110", "G3", "2026-11-23T09:20:00+08:00", V1,
		   GARBAGE, NORTH(20), LON, AT_OTHER_GROUP);
	ck_assert_msg(strstr(gf_result_reasons(r), "other numbers") &&
			      gf_result_score(r) < street,
		      "%f against %f: %s", gf_result_score(r), street,
		      gf_result_reasons(r));
	gf_engine_close(eng);
}
END_TEST

/* ---- crowd signal ---------------------------------------------------- */

/* A call about the crowd at a factory gate `north` metres north of the
 * first, in village region. */
static const gf_result *gate_call(gf_engine *eng, const char *sid,
				  int minute, const char *region, int north,
				  const char *phone)
{
	char buf[1024], at[40];
	const gf_result *r;
	snprintf(at, sizeof(at), "2026-11-23T09:%02d:00+08:00", minute);
	snprintf(buf, sizeof(buf),
		 "{\"channel\":\"110\",\"source_id\":\"%s\",\"received_at\":"
		 "\"%s\",\"region\":\"%s\",\"location\":{\"lat\":"
		 "%.6f,\"lon\":120.6012},\"category\":"
		 "\"dispute.07.wage_arrears\",\"content\":\"工厂门口几十名工人"
		 "聚集讨要拖欠工资\",\"reporter\":{\"phone\":\"%s\"}}",
		 sid, at, region, 31.2736 + north / 111195.0, phone);
	int rc = gf_engine_ingest_json(eng, buf, strlen(buf), &r);
	ck_assert_msg(rc == GF_OK, "%s: %s", sid, gf_engine_errmsg(eng));
	return r;
}

static const gf_result *crowd_call(gf_engine *eng, const char *sid,
				   int minute, const char *phone)
{
	return gate_call(eng, sid, minute, V1, 0, phone);
}

/* A crowd at a factory gate: as distinct callers pass 3 and 5, the order
 * becomes a group, then a major group event, urgent, then critical. */
START_TEST(distinct_callers_raise_the_scale)
{
	static const char crowd[] =
		"{\"near\":{\"window\":\"2h\",\"radius_m\":250},"
		"\"crowd\":{\"group\":3,\"major\":5}}";
	char *dir = fx_tmpdir();
	char store[512];
	snprintf(store, sizeof(store), "journal:%s/j", dir);
	fx_notices n;
	memset(&n, 0, sizeof(n));
	gf_engine *eng = open_dedup(crowd, store, &n, 1);
	const gf_result *r = crowd_call(eng, "W1", 0, "13900000001");
	char id[64];
	snprintf(id, sizeof(id), "%s", gf_result_order(r));
	const gf_order *o = gf_engine_order_find(eng, id);
	ck_assert_int_eq(gf_order_scale(o), GF_SCALE_INDIVIDUAL);
	ck_assert_uint_eq(gf_order_caller_count(o), 1);
	/* the same caller again does not make a crowd */
	ck_assert_int_eq(gf_result_outcome(crowd_call(eng, "W2", 1,
						      "13900000001")),
			 GF_OUTCOME_LINKED);
	ck_assert_uint_eq(gf_order_caller_count(o), 1);
	crowd_call(eng, "W3", 2, "13900000002");
	ck_assert_int_eq(gf_order_scale(o), GF_SCALE_INDIVIDUAL);
	crowd_call(eng, "W4", 3, "13900000003");
	ck_assert_uint_eq(gf_order_caller_count(o), 3);
	ck_assert_int_eq(gf_order_scale(o), GF_SCALE_GROUP);
	ck_assert_int_eq(gf_order_urgency(o), GF_URGENCY_URGENT);
	ck_assert_int_eq(n.count[GF_NOTICE_CROWD], 1);
	ck_assert_ptr_nonnull(strstr(n.last[GF_NOTICE_CROWD], "3 distinct"));
	crowd_call(eng, "W5", 4, "13900000004");
	crowd_call(eng, "W6", 5, "13900000005");
	ck_assert_int_eq(gf_order_scale(o), GF_SCALE_MAJOR_GROUP);
	ck_assert_int_eq(gf_order_urgency(o), GF_URGENCY_CRITICAL);
	ck_assert_int_eq(n.count[GF_NOTICE_CROWD], 2);
	const gf_audit *a = gf_order_audit(o, gf_order_audit_count(o) - 1);
	ck_assert_str_eq(gf_audit_what(a), "crowd");
	ck_assert_ptr_nonnull(strstr(gf_audit_reason(a), "重大群体性"));
	gf_engine_close(eng);

	/* the scale is stored, not worked out again */
	eng = open_dedup(NULL, store, NULL, 1);
	o = gf_engine_order_find(eng, id);
	ck_assert_int_eq(gf_order_scale(o), GF_SCALE_MAJOR_GROUP);
	ck_assert_int_eq(gf_order_urgency(o), GF_URGENCY_CRITICAL);
	ck_assert_uint_eq(gf_order_caller_count(o), 5);
	ck_assert_str_eq(gf_scale_name(gf_order_scale(o)), "major_group");
	gf_engine_close(eng);
	fx_rmdir(dir);
}
END_TEST

/* The audit trail of order id, one line per entry. */
static void audit_lines(gf_engine *eng, const char *id, char *out,
			size_t size)
{
	const gf_order *o = gf_engine_order_find(eng, id);
	ck_assert_ptr_nonnull(o);
	size_t n = 0;
	out[0] = '\0';
	for (size_t i = 0; i < gf_order_audit_count(o) && n < size; i++) {
		const gf_audit *a = gf_order_audit(o, i);
		n += (size_t)snprintf(out + n, size - n, "%s %s/%s %s\n",
				      gf_audit_what(a), gf_audit_actor_dept(a),
				      gf_audit_actor_role(a),
				      gf_audit_reason(a));
	}
	ck_assert_uint_lt(n, size);
}

static void merge_at(gf_engine *eng, const char *from, const char *into,
		     int minute)
{
	char js[512];
	snprintf(js, sizeof(js),
		 "{\"op\":\"merge\",\"ref\":\"%s\",\"into\":\"%s\","
		 "\"actor\":\"sz-zhzx\",\"at\":\"2026-11-23T09:%02d:00+08:00\"}",
		 from, into, minute);
	desk_act(eng, js);
}

/* A crowd's order merged into another: the survivor is the crowd now,
 * with the scale of the two, or the one their callers together call
 * for (its urgency, a "crowd" entry and notice), and a later call by one
 * of its own callers adds nobody and tells of no crowd again. The merge
 * record holds the scale: a reopen without the crowd rule shows the same
 * trail, and a merge without the rule still keeps the merged crowd. */
START_TEST(a_merge_carries_the_crowd)
{
	static const char crowd[] =
		"{\"near\":{\"window\":\"2h\",\"radius_m\":250},"
		"\"crowd\":{\"group\":3,\"major\":5}}";
	char *dir = fx_tmpdir();
	char store[512];
	snprintf(store, sizeof(store), "journal:%s/j", dir);
	fx_notices n;
	memset(&n, 0, sizeof(n));
	gf_engine *eng = open_dedup(crowd, store, &n, 1);
	/* A: three callers at the gate, a group event */
	char a[64], b[64], c[64], e[64];
	snprintf(a, sizeof(a), "%s",
		 gf_result_order(crowd_call(eng, "A1", 0, "13900000001")));
	crowd_call(eng, "A2", 1, "13900000002");
	crowd_call(eng, "A3", 2, "13900000003");
	ck_assert_int_eq(gf_order_scale(gf_engine_order_find(eng, a)),
			 GF_SCALE_GROUP);
	ck_assert_int_eq(n.count[GF_NOTICE_CROWD], 1);
	/* B: one caller, at another gate across the district */
	snprintf(b, sizeof(b), "%s",
		 gf_result_order(gate_call(eng, "B1", 5, "320506103001", 9000,
					   "13900000009")));
	ck_assert_str_ne(a, b);
	merge_at(eng, a, b, 10);
	const gf_order *ob = gf_engine_order_find(eng, b);
	ck_assert_uint_eq(gf_order_caller_count(ob), 4);
	ck_assert_int_eq(gf_order_scale(ob), GF_SCALE_GROUP);
	ck_assert_int_eq(gf_order_urgency(ob), GF_URGENCY_URGENT);
	const gf_audit *last = gf_order_audit(ob, gf_order_audit_count(ob) - 1);
	ck_assert_str_eq(gf_audit_what(last), "crowd");
	ck_assert_str_eq(gf_audit_what(gf_order_audit(
				 ob, gf_order_audit_count(ob) - 2)),
			 "merged_from");
	ck_assert_ptr_nonnull(strstr(gf_audit_reason(last), "4 distinct"));
	ck_assert_int_eq(n.count[GF_NOTICE_CROWD], 2);
	ck_assert_ptr_nonnull(strstr(n.last[GF_NOTICE_CROWD], b));
	/* B's own caller again: linked, nobody new, no second notice */
	const gf_result *r = gate_call(eng, "B2", 15, "320506103001", 9000,
				       "13900000009");
	ck_assert_int_eq(gf_result_outcome(r), GF_OUTCOME_LINKED);
	ck_assert_str_eq(gf_result_order(r), b);
	ck_assert_uint_eq(gf_order_caller_count(ob), 4);
	ck_assert_int_eq(n.count[GF_NOTICE_CROWD], 2);
	/* C: two more callers elsewhere, each order below the major
	 * group; together with B's four they are six */
	snprintf(c, sizeof(c), "%s",
		 gf_result_order(gate_call(eng, "C1", 20, "320508001001",
					   30000, "13900000011")));
	gate_call(eng, "C2", 21, "320508001001", 30000, "13900000012");
	ck_assert_int_eq(gf_order_scale(gf_engine_order_find(eng, c)),
			 GF_SCALE_INDIVIDUAL);
	merge_at(eng, c, b, 25);
	ck_assert_uint_eq(gf_order_caller_count(ob), 6);
	ck_assert_int_eq(gf_order_scale(ob), GF_SCALE_MAJOR_GROUP);
	ck_assert_int_eq(gf_order_urgency(ob), GF_URGENCY_CRITICAL);
	ck_assert_int_eq(n.count[GF_NOTICE_CROWD], 3);
	ck_assert_ptr_nonnull(strstr(n.last[GF_NOTICE_CROWD], "重大群体性"));
	/* E: another group, left alone for now */
	snprintf(e, sizeof(e), "%s",
		 gf_result_order(gate_call(eng, "E1", 30, "320506001002",
					   15000, "13900000021")));
	gate_call(eng, "E2", 31, "320506001002", 15000, "13900000022");
	gate_call(eng, "E3", 32, "320506001002", 15000, "13900000023");
	ck_assert_int_eq(gf_order_scale(gf_engine_order_find(eng, e)),
			 GF_SCALE_GROUP);
	char before[4096], after[4096];
	audit_lines(eng, b, before, sizeof(before));
	gf_engine_close(eng);

	/* the scales are stored, not worked out again */
	eng = open_dedup(NULL, store, NULL, 1);
	ob = gf_engine_order_find(eng, b);
	ck_assert_int_eq(gf_order_scale(ob), GF_SCALE_MAJOR_GROUP);
	ck_assert_int_eq(gf_order_urgency(ob), GF_URGENCY_CRITICAL);
	ck_assert_uint_eq(gf_order_caller_count(ob), 6);
	audit_lines(eng, b, after, sizeof(after));
	ck_assert_str_eq(after, before);
	/* without the crowd rule, a merge still keeps the crowd it takes
	 * in: F, one caller, takes E, a group */
	char f[64];
	snprintf(f, sizeof(f), "%s",
		 gf_result_order(gate_call(eng, "F1", 40, "320506103001",
					   40000, "13900000031")));
	merge_at(eng, e, f, 45);
	const gf_order *of = gf_engine_order_find(eng, f);
	ck_assert_int_eq(gf_order_scale(of), GF_SCALE_GROUP);
	ck_assert_int_eq(gf_order_urgency(of), GF_URGENCY_URGENT);
	audit_lines(eng, f, before, sizeof(before));
	gf_engine_close(eng);
	eng = open_dedup(crowd, store, NULL, 1);
	of = gf_engine_order_find(eng, f);
	ck_assert_int_eq(gf_order_scale(of), GF_SCALE_GROUP);
	audit_lines(eng, f, after, sizeof(after));
	ck_assert_str_eq(after, before);
	gf_engine_close(eng);
	fx_rmdir(dir);
}
END_TEST

/* The allocation sweeps' engine: cfg on store, callers keyed; GF_OK,
 * or GF_ENOMEM and nothing opened. */
static int oom_open(gf_config *cfg, const char *store, gf_engine **eng)
{
	static const unsigned char key[] = "k";
	gf_options o = GF_OPTIONS_INIT;
	o.config = cfg;
	o.store = store;
	o.clock = GF_CLOCK_EVENT;
	o.sync = GF_SYNC_NEVER;
	o.reporter_key = key;
	o.reporter_key_len = 1;
	int rc = gf_engine_open(eng, &o, NULL, 0);
	if (rc)
		ck_assert_int_eq(rc, GF_ENOMEM);
	return rc;
}

/* scenario under every allocation failure in turn, with repeated calls,
 * near duplicates and the crowd rule on */
static void oom_sweep(int (*scenario)(gf_config *, const char *))
{
	static const char both[] =
		"{\"repeat_caller\":{\"window\":\"72h\"},"
		"\"near\":{\"window\":\"2h\",\"radius_m\":250},"
		"\"crowd\":{\"group\":2,\"major\":3}}";
	gf_config *cfg = config_with(both);
	char *dir = fx_tmpdir();
	fa_sweep(scenario, cfg, dir, 50);
	gf_config_free(cfg);
	fx_rmdir(dir);
}

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
		"{\"channel\":\"grid\",\"source_id\":\"M3\",\"received_at\":"
		"\"2026-11-23T09:40:00+08:00\",\"region\":\"320506001001\","
		"\"location\":{\"lat\":31.2736,\"lon\":120.6012},"
		"\"category\":\"city.environment.garbage\",\"content\":"
		"\"生活垃圾堆积\"}",
		"{\"channel\":\"110\",\"source_id\":\"M4\",\"received_at\":"
		"\"2026-11-23T09:45:00+08:00\",\"region\":\"320506001001\","
		"\"location\":{\"lat\":31.2737,\"lon\":120.6012},"
		"\"category\":\"city.environment.garbage\",\"content\":"
		"\"生活垃圾堆积\"}",
	};
	int ok = 1;
	for (int round = 0; round < 2; round++) {
		gf_engine *eng;
		int rc = oom_open(cfg, store, &eng);
		if (rc)
			return 0;
		for (size_t i = 0; round == 0 && i < 4; i++) {
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
	oom_sweep(oom_scenario);
}
END_TEST

/* Compiling near.problems and matching with them: GF_ENOMEM or done,
 * never a crash or a leak (valgrind runs this suite). */
static int problems_run(void *arg)
{
	(void)arg;
	gf_config *cfg;
	if (gf_config_new(&cfg))
		return 0;
	if (gf_config_set_file(cfg, "directory.json", fx_directory,
			       strlen(fx_directory)) ||
	    gf_config_set_file(cfg, "rules.json", fx_rules,
			       strlen(fx_rules)) ||
	    gf_config_set_file(cfg, "dedup.json", dedup_problems,
			       strlen(dedup_problems))) {
		gf_config_free(cfg);
		return 0;
	}
	int rc = gf_config_compile(cfg);
	if (rc) {
		ck_assert_int_eq(rc, GF_ENOMEM);
		gf_config_free(cfg);
		return 0;
	}
	int ok = oom_scenario(cfg, NULL);
	gf_config_free(cfg);
	return ok;
}

START_TEST(near_problems_survive_every_allocation_failure)
{
	fa_sweep_runs(problems_run, NULL, 50, 1, 0);
}
END_TEST

/* ---- repeated calls after the desk's merges and splits, and after a
 * near link ---------------------------------------------------------- */

/* Open (reopen: again, from the journal) the engine of store. */
static gf_engine *maybe_reopen(gf_engine *eng, const char *dedup,
			       const char *store, int reopen)
{
	if (!reopen)
		return eng;
	gf_engine_close(eng);
	return open_dedup(dedup, store, NULL, 1);
}

/* The window runs from the order's latest report: after a merge, the
 * reports taken in are older than the survivor's own, and do not pull
 * the window back. */
START_TEST(a_merge_does_not_shorten_the_repeat_window)
{
	gf_engine *eng = open_dedup(dedup_category, NULL, NULL, 1);
	call(eng, "RW1", "2026-11-23T09:00:00+08:00", V1, GARBAGE, PHONE2);
	const gf_result *r = call(eng, "RW2", "2026-11-23T10:00:00+08:00", V1,
				  GARBAGE, PHONE1);
	char b[64];
	snprintf(b, sizeof(b), "%s", gf_result_order(r));
	desk_act(eng, "{\"op\":\"merge\",\"ref\":\"12345:RW1\",\"into\":"
		      "\"12345:RW2\",\"actor\":\"sz-zhzx\",\"at\":"
		      "\"2026-11-23T10:05:00+08:00\"}");
	/* 1 h 30 min after RW2, the survivor's latest report: within 2 h */
	r = call(eng, "RW3", "2026-11-23T11:30:00+08:00", V1, GARBAGE, PHONE1);
	ck_assert_msg(gf_result_outcome(r) == GF_OUTCOME_LINKED,
		      "%s %s", gf_outcome_name(gf_result_outcome(r)),
		      gf_result_order(r));
	ck_assert_str_eq(gf_result_order(r), b);
	ck_assert_ptr_nonnull(strstr(gf_result_reasons(r), "1 h 30 min"));
	gf_engine_close(eng);
}
END_TEST

/* A caller whose order the desk merged into another calls again: the
 * call repeats the order that holds the caller's reports now, before
 * and after a reopen. */
START_TEST(a_repeated_call_follows_a_merge)
{
	char *dir = fx_tmpdir();
	for (int reopen = 0; reopen < 2; reopen++) {
		char store[512];
		snprintf(store, sizeof(store), "journal:%s/m%d", dir, reopen);
		gf_engine *eng = open_dedup(dedup_family, store, NULL, 1);
		call(eng, "RM1", "2026-11-23T09:00:00+08:00", V1, GARBAGE,
		     PHONE1);
		const gf_result *r = call(eng, "RM2",
					  "2026-11-23T09:10:00+08:00", V1,
					  GARBAGE, PHONE2);
		char b[64];
		snprintf(b, sizeof(b), "%s", gf_result_order(r));
		desk_act(eng, "{\"op\":\"merge\",\"ref\":\"12345:RM1\","
			      "\"into\":\"12345:RM2\",\"actor\":\"sz-zhzx\","
			      "\"at\":\"2026-11-23T09:20:00+08:00\"}");
		eng = maybe_reopen(eng, dedup_family, store, reopen);
		r = call(eng, "RM3", "2026-11-23T10:00:00+08:00", V1, GARBAGE,
			 PHONE1);
		ck_assert_msg(gf_result_outcome(r) == GF_OUTCOME_LINKED,
			      "reopen %d: %s %s", reopen,
			      gf_outcome_name(gf_result_outcome(r)),
			      gf_result_order(r));
		ck_assert_str_eq(gf_result_order(r), b);
		ck_assert_uint_eq(gf_engine_order_count(eng), 2);
		gf_engine_close(eng);
	}
	fx_rmdir(dir);
}
END_TEST

/* A caller whose report joined another caller's order as a near
 * duplicate has that order as theirs: calling again after the near
 * window, within the repeat window, repeats it, before and after a
 * reopen. */
START_TEST(a_near_linked_caller_repeats_into_that_order)
{
	char *dir = fx_tmpdir();
	for (int reopen = 0; reopen < 2; reopen++) {
		char store[512];
		snprintf(store, sizeof(store), "journal:%s/n%d", dir, reopen);
		gf_engine *eng = open_dedup(dedup_long_repeat, store, NULL, 1);
		const gf_result *r = called(eng, "RN1",
					    "2026-11-23T09:00:00+08:00", V1,
					    GARBAGE, LAT, GARBAGE_TEXT, PHONE2);
		char b[64];
		snprintf(b, sizeof(b), "%s", gf_result_order(r));
		r = called(eng, "RN2", "2026-11-23T09:10:00+08:00", V1,
			   GARBAGE, NORTH(10), GARBAGE_TEXT, PHONE1);
		ck_assert_int_eq(gf_result_outcome(r), GF_OUTCOME_LINKED);
		ck_assert_str_eq(gf_result_order(r), b);
		eng = maybe_reopen(eng, dedup_long_repeat, store, reopen);
		/* 2 h 50 min later: past the near window (2 h), within the
		 * repeat window (4 h) */
		r = called(eng, "RN3", "2026-11-23T12:00:00+08:00", V1,
			   GARBAGE, NORTH(10), GARBAGE_TEXT, PHONE1);
		ck_assert_msg(gf_result_outcome(r) == GF_OUTCOME_LINKED,
			      "reopen %d: %s %s", reopen,
			      gf_outcome_name(gf_result_outcome(r)),
			      gf_result_order(r));
		ck_assert_str_eq(gf_result_order(r), b);
		ck_assert_ptr_nonnull(strstr(gf_result_reasons(r),
					     "same caller"));
		gf_engine_close(eng);
	}
	fx_rmdir(dir);
}
END_TEST

/* The desk splits a caller's report out of an order of another caller:
 * the caller's next call repeats the split order, which holds the
 * caller's report, not the order it left, before and after a reopen. */
START_TEST(a_split_report_takes_its_callers_repeats)
{
	char *dir = fx_tmpdir();
	for (int reopen = 0; reopen < 2; reopen++) {
		char store[512];
		snprintf(store, sizeof(store), "journal:%s/s%d", dir, reopen);
		gf_engine *eng = open_dedup(dedup_long_repeat, store, NULL, 1);
		const gf_result *r = called(eng, "RS1",
					    "2026-11-23T09:00:00+08:00", V1,
					    GARBAGE, LAT, GARBAGE_TEXT, PHONE1);
		char o[64], n[64];
		snprintf(o, sizeof(o), "%s", gf_result_order(r));
		r = called(eng, "RS2", "2026-11-23T09:05:00+08:00", V1,
			   GARBAGE, NORTH(10), GARBAGE_TEXT, PHONE2);
		ck_assert_int_eq(gf_result_outcome(r), GF_OUTCOME_LINKED);
		const char *js = "{\"op\":\"split\",\"ref\":\"12345:RS1\","
				 "\"actor\":\"sz-zhzx\",\"at\":"
				 "\"2026-11-23T09:10:00+08:00\"}";
		ck_assert_int_eq(gf_engine_apply_json(eng, js, strlen(js), &r),
				 GF_OK);
		snprintf(n, sizeof(n), "%s", gf_result_new_order(r));
		eng = maybe_reopen(eng, dedup_long_repeat, store, reopen);
		/* far from both, so that only the caller decides */
		r = called(eng, "RS3", "2026-11-23T09:30:00+08:00", V1,
			   GARBAGE, NORTH(5000), OTHER_TEXT, PHONE1);
		ck_assert_msg(gf_result_outcome(r) == GF_OUTCOME_LINKED &&
				      strcmp(gf_result_order(r), n) == 0,
			      "reopen %d: %s %s (split order %s, left %s)",
			      reopen, gf_outcome_name(gf_result_outcome(r)),
			      gf_result_order(r), n, o);
		gf_engine_close(eng);
	}
	fx_rmdir(dir);
}
END_TEST

/* The desk's merges and splits, with repeated calls that follow them
 * and a near link that makes a caller's order, under every allocation
 * failure in turn: GF_ENOMEM (GF_EIO once the engine refuses more
 * work) or done, and a reopen after; nothing crashes or leaks (valgrind
 * runs this suite). */
static int oom_desk_scenario(gf_config *cfg, const char *store)
{
	static const char *lines[] = {
		"{\"channel\":\"12345\",\"source_id\":\"K1\",\"received_at\":"
		"\"2026-11-23T09:00:00+08:00\",\"region\":\"320506001001\","
		"\"location\":{\"lat\":31.2736,\"lon\":120.6012},"
		"\"category\":\"city.environment.garbage\",\"content\":"
		"\"生活垃圾堆积\",\"reporter\":{\"phone\":\"13800000001\"}}",
		"{\"channel\":\"grid\",\"source_id\":\"K2\",\"received_at\":"
		"\"2026-11-23T09:05:00+08:00\",\"region\":\"320506001001\","
		"\"location\":{\"lat\":31.2737,\"lon\":120.6012},"
		"\"category\":\"city.environment.garbage\",\"content\":"
		"\"生活垃圾堆积\",\"reporter\":{\"phone\":\"13800000002\"}}",
		"{\"channel\":\"12345\",\"source_id\":\"K3\",\"received_at\":"
		"\"2026-11-23T09:10:00+08:00\",\"region\":\"320506001002\","
		"\"category\":\"city.environment.garbage\",\"reporter\":"
		"{\"phone\":\"13800000003\"}}",
		"{\"op\":\"merge\",\"ref\":\"12345:K3\",\"into\":\"12345:K1\","
		"\"actor\":\"sz-zhzx\",\"at\":\"2026-11-23T09:15:00+08:00\"}",
		"{\"op\":\"split\",\"ref\":\"grid:K2\",\"actor\":\"sz-zhzx\","
		"\"at\":\"2026-11-23T09:20:00+08:00\"}",
		"{\"channel\":\"12345\",\"source_id\":\"K4\",\"received_at\":"
		"\"2026-11-23T12:00:00+08:00\",\"region\":\"320506001002\","
		"\"category\":\"city.environment.garbage\",\"reporter\":"
		"{\"phone\":\"13800000003\"}}",
		"{\"channel\":\"12345\",\"source_id\":\"K5\",\"received_at\":"
		"\"2026-11-23T12:05:00+08:00\",\"region\":\"320506001001\","
		"\"category\":\"city.environment.garbage\",\"reporter\":"
		"{\"phone\":\"13800000002\"}}",
	};
	int ok = 1;
	for (int round = 0; round < 2; round++) {
		gf_engine *eng;
		int rc = oom_open(cfg, store, &eng);
		if (rc)
			return 0;
		for (size_t i = 0; round == 0 && i < 7; i++) {
			const gf_result *r;
			rc = gf_engine_submit_json(eng, lines[i],
						   strlen(lines[i]), &r);
			if (rc == GF_ENOMEM || rc == GF_EIO)
				ok = 0;
			else
				ck_assert_msg(rc == GF_OK, "line %zu: %s", i,
					      gf_engine_errmsg(eng));
		}
		if (ok && round == 1) {
			/* K4 repeats K3's order, merged into K1's; K5 the
			 * order K2 was split into */
			const gf_order *a = gf_engine_order_find(eng,
								 "12345:K4");
			const gf_order *b = gf_engine_order_find(eng,
								 "12345:K1");
			ck_assert_ptr_eq(a, b);
			ck_assert_ptr_eq(gf_engine_order_find(eng, "12345:K5"),
					 gf_engine_order_find(eng, "grid:K2"));
		}
		gf_engine_close(eng);
	}
	return ok;
}

START_TEST(merges_and_splits_survive_every_allocation_failure)
{
	oom_sweep(oom_desk_scenario);
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
	tcase_add_test(tc, a_near_duplicate_from_another_channel_is_linked);
	tcase_add_test(tc, the_grey_band_is_flagged_for_the_desk);
	tcase_add_test(tc, too_far_too_late_or_unrelated_is_a_new_order);
	tcase_add_test(tc, village_equivalence_and_closed_orders);
	tcase_add_test(tc, near_duplicates_survive_a_restart);
	tcase_add_test(tc, without_points_the_grid_narrows_the_village);
	tcase_add_test(tc, near_problems_tell_two_problems_at_one_spot_apart);
	tcase_add_test(tc, near_problems_survive_every_allocation_failure);
	tcase_add_test(tc, linked_reports_count_alike_after_a_reopen);
	tcase_add_loop_test(tc, the_live_index_is_the_rebuilt_one, 0, 4);
	tcase_add_test(tc, distinct_callers_raise_the_scale);
	tcase_add_test(tc, a_merge_carries_the_crowd);
	tcase_add_test(tc, another_building_number_is_not_linked);
	tcase_add_test(tc,
		       a_report_far_away_does_not_hide_the_city_s_candidates);
	tcase_add_test(tc, a_group_house_is_not_a_street_number);
	tcase_add_test(tc, equivalent_pairs_chain_in_the_index);
	tcase_add_test(tc, a_reload_that_joins_groups_finds_the_open_orders);
	tcase_add_test(tc, a_merge_does_not_shorten_the_repeat_window);
	tcase_add_test(tc, a_repeated_call_follows_a_merge);
	tcase_add_test(tc, a_near_linked_caller_repeats_into_that_order);
	tcase_add_test(tc, a_split_report_takes_its_callers_repeats);
	tcase_add_test(tc, merges_and_splits_survive_every_allocation_failure);
	suite_add_tcase(s, tc);
	return s;
}

GF_TEST_MAIN
