/*
 * check_quarantine.c - every class of malformed event is rejected with
 * its own code and the field that is wrong, kept in quarantine, and can
 * be repaired and replayed or discarded with a reason. Nothing is lost
 * across a restart.
 */
#include "fixture.h"

#define EV_HEAD "{\"channel\":\"12345\",\"source_id\":\"Q%d\","
#define EV_OK_TAIL "\"received_at\":\"2026-11-23T09:00:00+08:00\"," \
		   "\"region\":\"320506001001\",\"category\":\"city\"}"

static const struct bad {
	const char *what;
	const char *json;
	int code;
	const char *field;
} bad[] = {
	{ "bad JSON", "{\"channel\":\"12345\",\"source_id\":", GF_EJSON, "$" },
	{ "not an object", "[1,2,3]", GF_EJSON, "$" },
	{ "trailing garbage", "{\"channel\":\"12345\"} x", GF_EJSON, "$" },
	{ "missing channel",
	  "{\"source_id\":\"Q1\"," EV_OK_TAIL, GF_EMISSING, "$.channel" },
	{ "missing received_at",
	  "{\"channel\":\"12345\",\"source_id\":\"Q2\",\"region\":\"320506001001\","
	  "\"category\":\"city\"}", GF_EMISSING, "$.received_at" },
	{ "missing region",
	  "{\"channel\":\"12345\",\"source_id\":\"Q3\","
	  "\"received_at\":\"2026-11-23T09:00:00+08:00\",\"category\":\"city\"}",
	  GF_EMISSING, "$.region" },
	{ "missing category",
	  "{\"channel\":\"12345\",\"source_id\":\"Q4\","
	  "\"received_at\":\"2026-11-23T09:00:00+08:00\",\"region\":\"320506001001\"}",
	  GF_EMISSING, "$.category" },
	{ "region as a number",
	  "{\"channel\":\"12345\",\"source_id\":\"Q5\","
	  "\"received_at\":\"2026-11-23T09:00:00+08:00\",\"region\":320506001001,"
	  "\"category\":\"city\"}", GF_ETYPE, "$.region" },
	{ "location as a string",
	  "{\"channel\":\"12345\",\"source_id\":\"Q6\",\"location\":\"here\","
	  EV_OK_TAIL, GF_ETYPE, "$.location" },
	{ "invalid UTF-8",
	  "{\"channel\":\"12345\",\"source_id\":\"Q7\",\"title\":\"\xe5\xae\","
	  EV_OK_TAIL, GF_EUTF8, NULL },
	{ "NaN latitude",
	  "{\"channel\":\"12345\",\"source_id\":\"Q8\","
	  "\"location\":{\"lat\":NaN,\"lon\":120.6}," EV_OK_TAIL, GF_ERANGE,
	  "$.location.lat" },
	{ "latitude out of range",
	  "{\"channel\":\"12345\",\"source_id\":\"Q9\","
	  "\"location\":{\"lat\":131.2,\"lon\":120.6}," EV_OK_TAIL, GF_ERANGE,
	  "$.location.lat" },
	{ "infinite longitude",
	  "{\"channel\":\"12345\",\"source_id\":\"Q10\","
	  "\"location\":{\"lat\":31.2,\"lon\":-Infinity}," EV_OK_TAIL, GF_ERANGE,
	  "$.location.lon" },
	{ "unknown channel",
	  "{\"channel\":\"wechat\",\"source_id\":\"Q11\"," EV_OK_TAIL,
	  GF_EUNKNOWN, "$.channel" },
	{ "unknown category",
	  "{\"channel\":\"12345\",\"source_id\":\"Q12\","
	  "\"received_at\":\"2026-11-23T09:00:00+08:00\",\"region\":\"320506001001\","
	  "\"category\":\"city.ufo\"}", GF_EUNKNOWN, "$.category" },
	{ "unknown region (Nanjing, not in this directory)",
	  "{\"channel\":\"12345\",\"source_id\":\"Q13\","
	  "\"received_at\":\"2026-11-23T09:00:00+08:00\",\"region\":\"320102002001\","
	  "\"category\":\"city\"}", GF_EUNKNOWN, "$.region" },
	{ "region of the wrong shape",
	  "{\"channel\":\"12345\",\"source_id\":\"Q14\","
	  "\"received_at\":\"2026-11-23T09:00:00+08:00\",\"region\":\"32050A001001\","
	  "\"category\":\"city\"}", GF_EVALUE, "$.region" },
	{ "timestamp without an offset",
	  "{\"channel\":\"12345\",\"source_id\":\"Q15\","
	  "\"received_at\":\"2026-11-23T09:00:00\",\"region\":\"320506001001\","
	  "\"category\":\"city\"}", GF_ETIME, "$.received_at" },
	{ "impossible date",
	  "{\"channel\":\"12345\",\"source_id\":\"Q16\","
	  "\"received_at\":\"2026-02-30T09:00:00+08:00\",\"region\":\"320506001001\","
	  "\"category\":\"city\"}", GF_ETIME, "$.received_at" },
	{ "a field name holding \\u0000 (json-c would read \"channel\")",
	  "{\"channel\\u0000x\":\"12345\",\"source_id\":\"Q17\"," EV_OK_TAIL,
	  GF_EUTF8, "$" },
	{ "an integer beyond 64 bits (json-c would clamp it)",
	  "{\"channel\":\"12345\",\"source_id\":\"Q18\","
	  "\"attributes\":{\"n\":123456789012345678901234567890}," EV_OK_TAIL,
	  GF_ERANGE, "$.attributes.n" },
};

#define NBAD (sizeof(bad) / sizeof(bad[0]))

START_TEST(each_class_has_its_code_and_field)
{
	gf_engine *eng = fx_open(NULL, NULL);
	const gf_result *r;
	size_t i = (size_t)_i;
	int rc = gf_engine_ingest_json(eng, bad[i].json, strlen(bad[i].json),
				       &r);
	ck_assert_msg(rc == bad[i].code, "%s: got %s (%s)", bad[i].what,
		      gf_errname(rc), gf_engine_errmsg(eng));
	ck_assert_ptr_nonnull(r);
	ck_assert_int_eq(gf_result_outcome(r), GF_OUTCOME_REJECTED);
	ck_assert_int_eq(gf_result_error(r), bad[i].code);
	if (bad[i].field)
		ck_assert_msg(strcmp(gf_result_error_field(r), bad[i].field) == 0,
			      "%s: field %s", bad[i].what,
			      gf_result_error_field(r));
	ck_assert_str_ne(gf_result_error_message(r), "");
	ck_assert_ptr_null(gf_result_order(r));
	/* kept, byte for byte, with its error */
	ck_assert_uint_eq(gf_engine_quarantine_count(eng), 1);
	const gf_quarantined *q = gf_engine_quarantine_at(eng, 0);
	size_t len;
	const char *raw = gf_quarantined_raw(q, &len);
	ck_assert_uint_eq(len, strlen(bad[i].json));
	ck_assert(memcmp(raw, bad[i].json, len) == 0);
	ck_assert_int_eq(gf_quarantined_error(q), bad[i].code);
	ck_assert_uint_eq(gf_quarantined_id(q), gf_result_quarantine_id(r));
	ck_assert_uint_eq(gf_engine_order_count(eng), 0);
	gf_engine_close(eng);
}
END_TEST

START_TEST(submit_routes_bad_lines_to_quarantine)
{
	gf_engine *eng = fx_open(NULL, NULL);
	const gf_result *r;
	for (size_t i = 0; i < NBAD; i++) {
		int rc = gf_engine_submit_json(eng, bad[i].json,
					       strlen(bad[i].json), &r);
		ck_assert_msg(rc == bad[i].code, "%s: %s", bad[i].what,
			      gf_errname(rc));
		ck_assert_int_eq(gf_result_outcome(r), GF_OUTCOME_REJECTED);
	}
	ck_assert_uint_eq(gf_engine_quarantine_count(eng), NBAD);
	/* re-delivering the same bad bytes adds nothing */
	for (size_t i = 0; i < NBAD; i++)
		gf_engine_submit_json(eng, bad[i].json, strlen(bad[i].json),
				      &r);
	ck_assert_uint_eq(gf_engine_quarantine_count(eng), NBAD);
	gf_engine_close(eng);
}
END_TEST

START_TEST(oversize_fields_and_input)
{
	gf_engine *eng = fx_open(NULL, NULL);
	const gf_result *r;
	size_t big = 20000;
	char *content = malloc(big * 3 + 1);
	for (size_t i = 0; i < big; i++)
		memcpy(content + 3 * i, "垃", 3);
	content[big * 3] = '\0';
	char *json = malloc(big * 3 + 512);
	sprintf(json, "{\"channel\":\"12345\",\"source_id\":\"BIG1\","
		      "\"content\":\"%s\"," EV_OK_TAIL, content);
	ck_assert_int_eq(gf_engine_ingest_json(eng, json, strlen(json), &r),
			 GF_ETOOBIG);
	ck_assert_str_eq(gf_result_error_field(r), "$.content");
	sprintf(json, "{\"channel\":\"12345\",\"source_id\":\"BIG2\","
		      "\"title\":\"%.1800s\"," EV_OK_TAIL, content);
	ck_assert_int_eq(gf_engine_ingest_json(eng, json, strlen(json), &r),
			 GF_ETOOBIG);
	ck_assert_str_eq(gf_result_error_field(r), "$.title");
	/* past the engine's input limit, the whole line */
	char *huge = malloc(70000);
	memset(huge, ' ', 69999);
	huge[0] = '{';
	huge[69998] = '}';
	huge[69999] = '\0';
	ck_assert_int_eq(gf_engine_ingest_json(eng, huge, strlen(huge), &r),
			 GF_ETOOBIG);
	ck_assert_str_eq(gf_result_error_field(r), "$");
	ck_assert_uint_eq(gf_engine_quarantine_count(eng), 3);
	free(huge);
	free(json);
	free(content);
	gf_engine_close(eng);
}
END_TEST

START_TEST(repair_discard_and_restart)
{
	char *dir = fx_tmpdir();
	char store[600];
	snprintf(store, sizeof(store), "journal:%s/q.journal", dir);
	gf_engine *eng = fx_open(store, NULL);
	const gf_result *r;
	const char *noofs = "{\"channel\":\"12345\",\"source_id\":\"R1\","
			    "\"received_at\":\"2026-11-23T09:00:00\","
			    "\"region\":\"320506001001\",\"category\":\"city\"}";
	const char *fixed = "{\"channel\":\"12345\",\"source_id\":\"R1\","
			    "\"received_at\":\"2026-11-23T09:00:00+08:00\","
			    "\"region\":\"320506001001\",\"category\":\"city\"}";
	const char *junk = "hello";
	ck_assert_int_eq(gf_engine_ingest_json(eng, noofs, strlen(noofs), &r),
			 GF_ETIME);
	uint64_t q1 = gf_result_quarantine_id(r);
	ck_assert_int_eq(gf_engine_ingest_json(eng, junk, strlen(junk), &r),
			 GF_EJSON);
	uint64_t q2 = gf_result_quarantine_id(r);
	ck_assert_uint_ne(q1, q2);
	ck_assert_uint_eq(gf_engine_quarantine_count(eng), 2);

	/* a repair that is still wrong leaves the entry as it was */
	ck_assert_int_eq(gf_engine_quarantine_release(eng, q1, noofs,
						      strlen(noofs), &r),
			 GF_ETIME);
	ck_assert_uint_eq(gf_result_quarantine_id(r), q1);
	ck_assert_uint_eq(gf_engine_quarantine_count(eng), 2);
	/* the right repair creates the order and closes the entry */
	ck_assert_int_eq(gf_engine_quarantine_release(eng, q1, fixed,
						      strlen(fixed), &r),
			 GF_OK);
	ck_assert_int_eq(gf_result_outcome(r), GF_OUTCOME_CREATED);
	ck_assert_uint_eq(gf_engine_quarantine_count(eng), 1);
	ck_assert_int_eq(gf_engine_quarantine_release(eng, q1, fixed,
						      strlen(fixed), &r),
			 GF_ENOTFOUND);
	/* junk is discarded, with a reason for the record */
	ck_assert_int_eq(gf_engine_quarantine_discard(eng, q2, NULL),
			 GF_EMISSING);
	ck_assert_int_eq(gf_engine_quarantine_discard(eng, q2, "测试垃圾数据"),
			 GF_OK);
	ck_assert_uint_eq(gf_engine_quarantine_count(eng), 0);
	ck_assert_int_eq(gf_engine_quarantine_discard(eng, q2, "again"),
			 GF_ENOTFOUND);
	/* a third bad event stays open across the restart */
	const char *nocat = "{\"channel\":\"grid\",\"source_id\":\"R3\","
			    "\"received_at\":\"2026-11-23T09:00:00+08:00\","
			    "\"region\":\"320506001001\",\"category\":\"grid.none\"}";
	ck_assert_int_eq(gf_engine_ingest_json(eng, nocat, strlen(nocat), &r),
			 GF_EUNKNOWN);
	gf_engine_close(eng);

	eng = fx_open(store, NULL);
	ck_assert_uint_eq(gf_engine_order_count(eng), 1);
	ck_assert_uint_eq(gf_engine_quarantine_count(eng), 1);
	const gf_quarantined *q = gf_engine_quarantine_at(eng, 0);
	ck_assert_str_eq(gf_quarantined_field(q), "$.category");
	ck_assert_ptr_null(gf_engine_quarantine_at(eng, 1));
	/* the same bad bytes after a restart are still the same entry */
	ck_assert_int_eq(gf_engine_ingest_json(eng, nocat, strlen(nocat), &r),
			 GF_EUNKNOWN);
	ck_assert_uint_eq(gf_result_quarantine_id(r), gf_quarantined_id(q));
	ck_assert_uint_eq(gf_engine_quarantine_count(eng), 1);
	/* a repair of an event that arrived meanwhile closes the entry */
	const char *fixed3 = "{\"channel\":\"grid\",\"source_id\":\"R3\","
			     "\"received_at\":\"2026-11-23T09:00:00+08:00\","
			     "\"region\":\"320506001001\",\"category\":\"city\"}";
	ck_assert_int_eq(gf_engine_ingest_json(eng, fixed3, strlen(fixed3), &r),
			 GF_OK);
	ck_assert_int_eq(gf_engine_quarantine_release(eng, gf_quarantined_id(q),
						      fixed3, strlen(fixed3), &r),
			 GF_OK);
	ck_assert_int_eq(gf_result_outcome(r), GF_OUTCOME_IDEMPOTENT);
	ck_assert_uint_eq(gf_engine_quarantine_count(eng), 0);
	gf_engine_close(eng);
	eng = fx_open(store, NULL);
	ck_assert_uint_eq(gf_engine_quarantine_count(eng), 0);
	ck_assert_uint_eq(gf_engine_order_count(eng), 2);
	gf_engine_close(eng);
	fx_rmdir(dir);
}
END_TEST

/* A rejected built event is kept as the event its fields stand for: two
 * such events with the same defect are two entries, not one, and a retry
 * of an entry as it is meets the same defect again. */
START_TEST(built_events_each_keep_their_entry)
{
	gf_engine *eng = fx_open(NULL, NULL);
	const gf_result *r;
	gf_event *ev;
	const char *ids[] = { "WG8", "WG9" };
	uint64_t qid[2];
	ck_assert_int_eq(gf_event_new(&ev), GF_OK);
	for (int i = 0; i < 2; i++) {
		gf_event_reset(ev);
		gf_event_set_channel(ev, "grid");
		gf_event_set_source_id(ev, ids[i]);
		gf_event_set_received_at(ev, "2026-11-23T10:00:00");
		gf_event_set_region(ev, "320506001001");
		gf_event_set_category(ev, "city");
		gf_event_set_attr_number(ev, "people", 3);
		ck_assert_int_eq(gf_engine_ingest(eng, ev, &r), GF_ETIME);
		ck_assert_str_eq(gf_result_ref(r), i ? "grid:WG9" : "grid:WG8");
		qid[i] = gf_result_quarantine_id(r);
	}
	gf_event_free(ev);
	ck_assert_uint_ne(qid[0], qid[1]);
	ck_assert_uint_eq(gf_engine_quarantine_count(eng), 2);
	for (size_t i = 0; i < 2; i++) {
		const gf_quarantined *q = gf_engine_quarantine_at(eng, i);
		size_t len;
		const char *raw = gf_quarantined_raw(q, &len);
		char want[32];
		snprintf(want, sizeof(want), "\"%s\"", ids[i]);
		ck_assert_msg(strstr(raw, want) != NULL, "entry %zu: %.*s", i,
			      (int)len, raw);
		ck_assert_int_eq(gf_quarantined_error(q), GF_ETIME);
	}
	/* retried as it is, the entry is rejected for what it was */
	ck_assert_int_eq(gf_engine_quarantine_release(eng, qid[1], NULL, 0, &r),
			 GF_ETIME);
	ck_assert_str_eq(gf_result_error_field(r), "$.received_at");
	/* repaired, it makes the order and keeps its attributes */
	const gf_quarantined *q = gf_engine_quarantine_at(eng, 1);
	size_t len;
	const char *raw = gf_quarantined_raw(q, &len);
	char fixed[512];
	const char *t = strstr(raw, "2026-11-23T10:00:00");
	ck_assert_ptr_nonnull(t);
	snprintf(fixed, sizeof(fixed), "%.*s+08:00%s",
		 (int)(t - raw) + 19, raw, t + 19);
	ck_assert_int_eq(gf_engine_quarantine_release(eng, qid[1], fixed,
						      strlen(fixed), &r),
			 GF_OK);
	ck_assert_int_eq(gf_result_outcome(r), GF_OUTCOME_CREATED);
	const gf_order *o = gf_engine_order_find(eng, "grid:WG9");
	ck_assert_ptr_nonnull(o);
	ck_assert_ptr_nonnull(strstr(gf_report_json(gf_order_report(o, 0)),
				     "\"people\":3"));
	ck_assert_uint_eq(gf_engine_quarantine_count(eng), 1);
	gf_engine_close(eng);
}
END_TEST

static Suite *make_suite(void)
{
	Suite *s = suite_create("quarantine");
	TCase *tc = tcase_create("quarantine");
	tcase_add_loop_test(tc, each_class_has_its_code_and_field, 0, (int)NBAD);
	tcase_add_test(tc, submit_routes_bad_lines_to_quarantine);
	tcase_add_test(tc, oversize_fields_and_input);
	tcase_add_test(tc, repair_discard_and_restart);
	tcase_add_test(tc, built_events_each_keep_their_entry);
	suite_add_tcase(s, tc);
	return s;
}

GF_TEST_MAIN
