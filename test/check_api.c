/*
 * check_api.c - the library-wide API: error codes and names, version,
 * times, NULL handling, and the allocator hook, which also lets this
 * suite fail every allocation of a whole scenario in turn.
 */
#include "failalloc.h"
#include "fixture.h"

START_TEST(error_codes_have_names_and_texts)
{
	for (int c = 0; c >= GF_EDUPLICATE; c--) {
		ck_assert_str_ne(gf_errname(c), "EUNKNOWNCODE");
		ck_assert_str_ne(gf_strerror(c), "unknown error");
		ck_assert_int_eq(gf_errname(c)[0], c == 0 ? 'O' : 'E');
	}
	ck_assert_str_eq(gf_errname(GF_EMISSING), "EMISSING");
	ck_assert_str_eq(gf_errname(-99), "EUNKNOWNCODE");
	ck_assert_str_eq(gf_strerror(-99), "unknown error");
	ck_assert_str_eq(gf_strerror(GF_ETIME),
			 "a timestamp is not RFC 3339 with an offset");
}
END_TEST

START_TEST(version_from_one_source)
{
	ck_assert_str_eq(gf_version(), GF_VERSION_STRING);
	ck_assert_int_eq(gf_version_number(), GF_VERSION_NUMBER);
	ck_assert(GF_VERSION_CHECK(0, 1, 0));
	ck_assert(!GF_VERSION_CHECK(GF_VERSION_MAJOR + 1, 0, 0));
	char v[32];
	snprintf(v, sizeof(v), "%d.%d.%d", GF_VERSION_MAJOR, GF_VERSION_MINOR,
		 GF_VERSION_PATCH);
	ck_assert_str_eq(v, GF_VERSION_STRING);
}
END_TEST

START_TEST(names_of_enums)
{
	ck_assert_str_eq(gf_state_name(GF_STATE_SIGNED), "signed");
	ck_assert_ptr_null(gf_state_name((gf_state)99));
	ck_assert_str_eq(gf_op_name(GF_OP_REJECT_VERIFICATION),
			 "reject_verification");
	ck_assert_int_eq(gf_op_from_name("callback", 8), GF_OP_CALLBACK);
	ck_assert_int_eq(gf_op_from_name("callbac", 7), GF_OP_NONE);
	ck_assert_str_eq(gf_channel_name(GF_CHANNEL_PETITION), "petition");
	ck_assert_int_eq(gf_channel_from_name("110", 3), GF_CHANNEL_110);
	ck_assert_int_eq(gf_channel_from_name("1234", 4), GF_CHANNEL_NONE);
	ck_assert_str_eq(gf_level_name(GF_LEVEL_TOWN), "town");
	ck_assert_str_eq(gf_outcome_name(GF_OUTCOME_IDEMPOTENT), "idempotent");
	ck_assert_str_eq(gf_notice_kind_name(GF_NOTICE_RETURNED), "returned");
	ck_assert_str_eq(gf_satisfaction_name(GF_SATISFACTION_BASIC), "basic");
	ck_assert(gf_state_is_terminal(GF_STATE_MERGED));
	ck_assert(!gf_state_is_terminal(GF_STATE_RETURNED));
}
END_TEST

START_TEST(times_round_trip)
{
	gf_time t;
	int off;
	char buf[40];
	ck_assert_int_eq(gf_time_parse(&t, &off, "2026-11-22T09:15:00+08:00",
				       25), GF_OK);
	ck_assert_int_eq(off, 480);
	ck_assert(t == 1795310100000LL);
	gf_time_format(buf, sizeof(buf), t, off);
	ck_assert_str_eq(buf, "2026-11-22T09:15:00+08:00");
	gf_time_format(buf, sizeof(buf), t, 0);
	ck_assert_str_eq(buf, "2026-11-22T01:15:00Z");
	ck_assert_int_eq(gf_time_parse(&t, NULL, "2026-11-22T09:15:00", 19),
			 GF_ETIME);
}
END_TEST

START_TEST(null_is_harmless)
{
	gf_config_free(NULL);
	gf_event_free(NULL);
	gf_action_free(NULL);
	ck_assert_int_eq(gf_engine_close(NULL), GF_OK);
	ck_assert_int_eq(gf_engine_ingest_json(NULL, "{}", 2, NULL), GF_EINVAL);
	ck_assert_int_eq(gf_engine_open(NULL, NULL, NULL, 0), GF_EINVAL);
	ck_assert_int_eq(gf_set_allocator(NULL, calloc, realloc, free),
			 GF_EINVAL);
	ck_assert_str_eq(gf_engine_errmsg(NULL), "no engine");
}
END_TEST

/* ---- allocation failure ------------------------------------------------ */


/* Every call either does its work or reports GF_ENOMEM (GF_EIO once
 * the engine has refused further work after a failed apply); nothing
 * crashes and nothing leaks (valgrind runs this suite). */
static int scenario(void)
{
	gf_config *cfg;
	if (gf_config_new(&cfg))
		return 0;
	if (gf_config_set_file(cfg, "directory.json", fx_directory,
			       strlen(fx_directory)) ||
	    gf_config_set_file(cfg, "rules.json", fx_rules, strlen(fx_rules)) ||
	    gf_config_compile(cfg)) {
		gf_config_free(cfg);
		return 0;
	}
	gf_options o = GF_OPTIONS_INIT;
	static const unsigned char key[] = "k";
	o.config = cfg;
	o.clock = GF_CLOCK_EVENT;
	o.reporter_key = key;
	o.reporter_key_len = 1;
	gf_engine *eng;
	int rc = gf_engine_open(&eng, &o, NULL, 0);
	gf_config_free(cfg);
	if (rc) {
		ck_assert_int_eq(rc, GF_ENOMEM);
		return 0;
	}
	static const char *lines[] = {
		"{\"channel\":\"12345\",\"source_id\":\"A\",\"received_at\":\"2026-11-23T09:00:00+08:00\","
		"\"region\":\"320506001001\",\"category\":\"city.environment.garbage\","
		"\"title\":\"垃圾\",\"reporter\":{\"phone\":\"13800000000\"},\"attributes\":{\"n\":1},\"x\":[1]}",
		"{\"channel\":\"grid\",\"source_id\":\"B\",\"received_at\":\"2026-11-23T09:01:00+08:00\","
		"\"region\":\"320506001001\",\"category\":\"city\",\"location\":{\"lat\":31.2,\"lon\":120.6}}",
		"{\"channel\":\"wechat\",\"source_id\":\"C\"}",
		"{\"op\":\"dispatch\",\"ref\":\"12345:A\",\"actor\":\"sz-zhzx\",\"dept\":\"t-cq-cg\"}",
		"{\"op\":\"sign\",\"ref\":\"12345:A\",\"actor\":\"t-cq-cg\",\"id\":\"s1\"}",
		"{\"op\":\"sign\",\"ref\":\"12345:A\",\"actor\":\"t-cq-cg\"}",
		"{\"op\":\"return\",\"ref\":\"12345:A\",\"actor\":\"t-cq-cg\",\"reason\":\"r\"}",
		"{\"op\":\"merge\",\"ref\":\"grid:B\",\"actor\":\"sz-zhzx\",\"into\":\"12345:A\"}",
		"{\"op\":\"split\",\"ref\":\"grid:B\",\"actor\":\"sz-zhzx\"}",
		"{\"op\":\"cancel\",\"ref\":\"grid:B\",\"actor\":\"sz-zhzx\",\"reason\":\"r\"}",
	};
	int broken = 0;
	for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
		const gf_result *r;
		rc = gf_engine_submit_json(eng, lines[i], strlen(lines[i]), &r);
		if (rc == GF_ENOMEM || rc == GF_EIO) {
			ck_assert_ptr_null(r);
			broken = 1;
		} else if (!r) {
			ck_abort_msg("line %zu: no result for %s", i,
				     gf_errname(rc));
		}
		const gf_order *got = r && gf_result_order(r)
			? gf_engine_order_find(eng, gf_result_order(r)) : NULL;
		if (got && gf_order_report_count(got))
			(void)gf_report_json(gf_order_report(got, 0));
	}
	gf_event *ev;
	if (gf_event_new(&ev) == GF_OK) {
		gf_event_set_channel(ev, "grid");
		gf_event_set_source_id(ev, "D");
		gf_event_set_received_at(ev, "2026-11-23T09:00:00+08:00");
		gf_event_set_region(ev, "320506001001");
		gf_event_set_category(ev, "city");
		gf_event_set_attr_string(ev, "k", "v");
		gf_engine_ingest(eng, ev, NULL);
		gf_event_free(ev);
	}
	gf_engine_close(eng);
	return !broken;
}

START_TEST(every_allocation_may_fail)
{
	ck_assert_int_eq(gf_set_allocator(t_malloc, t_calloc, t_realloc, free),
			 GF_OK);
	alloc_left = -1;
	alloc_count = 0;
	ck_assert(scenario());
	long total = alloc_count;
	ck_assert_int_gt(total, 100);
	for (long n = 0; n < total; n++) {
		alloc_left = n;
		scenario();
	}
	alloc_left = -1;
	ck_assert(scenario());
}
END_TEST

static Suite *make_suite(void)
{
	Suite *s = suite_create("api");
	TCase *tc = tcase_create("api");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, error_codes_have_names_and_texts);
	tcase_add_test(tc, version_from_one_source);
	tcase_add_test(tc, names_of_enums);
	tcase_add_test(tc, times_round_trip);
	tcase_add_test(tc, null_is_harmless);
	tcase_add_test(tc, every_allocation_may_fail);
	suite_add_tcase(s, tc);
	return s;
}

GF_TEST_MAIN
