/*
 * check_evscan.c - the event scanner never changes what is accepted: for
 * every input it either declines, or produces exactly the event the
 * json-c path produces (compared by their binary encoding). Inputs: the
 * demo day, hand-written edge cases, and thousands of mutations.
 */
#include <json.h>

#include "testutil.h"
#include "config.h"
#include "event.h"

static gf_config *cfg;
static gf__hmac key;
static gf__buf scratch;

static void setup(void)
{
	gf_config_new(&cfg);
	ck_assert_int_eq(gf_config_load_dir(cfg, GF_TEST_EXAMPLE_CONFIG), GF_OK);
	ck_assert_int_eq(gf_config_compile(cfg), GF_OK);
	gf__hmac_init(&key, "k", 1);
	gf__buf_init(&scratch);
}

static void teardown(void)
{
	gf__buf_free(&scratch);
	gf_config_free(cfg);
}

static gf__ev_ctx ctx_of(void)
{
	gf__ev_ctx c;
	memset(&c, 0, sizeof(c));
	c.dir = &cfg->dir;
	c.reporter_key = &key;
	c.max_bytes = 65536;
	c.scratch = &scratch;
	return c;
}

/* The json-c path alone: parse, then validate the object. */
static int slow(gf__ev *ev, const char *s, size_t n, gf__buf *enc)
{
	gf__ev_ctx c = ctx_of();
	gf__err err;
	memset(ev, 0, sizeof(*ev));
	json_tokener *tok = gf__ev_tokener_new();
	json_object *o = json_tokener_parse_ex(tok, s, (int)n);
	size_t end = json_tokener_get_parse_end(tok);
	json_tokener_free(tok);
	while (end < n && (s[end] == ' ' || s[end] == '\n' || s[end] == '\t' ||
			   s[end] == '\r'))
		end++;
	if (!o || end != n || !json_object_is_type(o, json_type_object)) {
		json_object_put(o);
		return GF_EJSON;
	}
	char *ref = NULL;
	int rc = gf__ev_from_object(ev, o, &c, &ref, &err);
	json_object_put(o);
	free(ref);
	if (rc == GF_OK) {
		gf__buf_reset(enc);
		ck_assert_int_eq(gf__ev_encode(ev, enc), GF_OK);
		gf__ev_free(ev);
	}
	return rc;
}

static unsigned long agreed, declined;

/* The scanner's answer must be the json-c path's, or no answer. */
static void same(const char *s, size_t n)
{
	gf__ev_ctx c = ctx_of();
	gf__ev fast, ev;
	gf__err err;
	char *ref = NULL;
	gf__buf a, b;
	gf__buf_init(&a);
	gf__buf_init(&b);
	int rc = gf__ev_parse_fast(&fast, s, n, &c, &ref, &err);
	ck_assert_int_ge(rc, 0);
	if (rc == 1) {
		ck_assert_int_eq(gf__ev_encode(&fast, &a), GF_OK);
		int want = slow(&ev, s, n, &b);
		ck_assert_msg(want == GF_OK,
			      "scanner accepted what json-c refuses (%s): %.*s",
			      gf_errname(want), (int)(n > 300 ? 300 : n), s);
		ck_assert_msg(a.len == b.len && memcmp(a.p, b.p, a.len) == 0,
			      "scanner and json-c differ on: %.*s",
			      (int)(n > 300 ? 300 : n), s);
		ck_assert_ptr_nonnull(ref);
		ck_assert_str_eq(ref, fast.ref);
		gf__ev_free(&fast);
		agreed++;
	} else {
		ck_assert_ptr_null(ref);
		declined++;
	}
	free(ref);
	gf__buf_free(&a);
	gf__buf_free(&b);
}

#define SAME(lit) same(lit, sizeof(lit) - 1)
#define HEAD "{\"channel\":\"12345\",\"source_id\":\"S1\",\"received_at\":\"2026-11-23T09:00:00+08:00\",\"region\":\"320506001012\",\"category\":\"city\""

START_TEST(edge_cases)
{
	SAME(HEAD "}");
	SAME(HEAD ",\"title\":\"\\u5783\\u573e \\ud83d\\ude00 \\\"q\\\" \\\\ \\/ \\b\\f\\n\\r\\t\"}");
	SAME(HEAD ",\"title\":\"\\ud83d\"}");         /* lone high surrogate */
	SAME(HEAD ",\"title\":\"\\ude00\"}");         /* lone low surrogate */
	SAME(HEAD ",\"title\":\"a\\u0000b\"}");       /* NUL */
	SAME(HEAD ",\"title\":\"\\x41\"}");           /* bad escape */
	SAME(HEAD ",\"title\":\"tab\there\"}");       /* raw control */
	SAME(HEAD ",\"title\":null,\"grid\":null,\"urgency\":null}");
	SAME(HEAD ",\"title\":7}");
	SAME(HEAD ",\"channel\":\"110\"}");           /* duplicate key */
	SAME(HEAD ",\"extra\":{\"a\":[1,2,{\"b\":null}]}}");
	SAME(HEAD ",\"location\":{\"lat\":31.27,\"lon\":120.6,\"alt\":[1]}}");
	SAME(HEAD ",\"location\":{\"lat\":-0,\"lon\":1e2}}");
	SAME(HEAD ",\"location\":{\"lat\":31.2700000000000001,\"lon\":120.60E+0}}");
	SAME(HEAD ",\"location\":{\"lat\":31,\"lon\":120}}");
	/* numbers around the exact fast path's edges */
	static const char *const nums[] = {
		"0.1", "-0.0", "1e22", "1e23", "9.999999999999999e22",
		"123456789012345e-10", "1234567890123456e-10", "0.000000000000000000000001",
		"1.5e-300", "4.9e-324", "2.2250738585072014e-308", "89.99999999999999",
		"31.270000000000000", "120.60000000000001", "-179.9999999999999",
		"1E+2", "1e-22", "1e-23", "0e5", "7.0e0"
	};
	for (size_t i = 0; i < sizeof(nums) / sizeof(nums[0]); i++) {
		char line[512];
		int n = snprintf(line, sizeof(line),
				 HEAD ",\"attributes\":{\"x\":%s},"
				 "\"location\":{\"lat\":%s,\"lon\":120}}",
				 nums[i], nums[i]);
		same(line, (size_t)n);
	}
	/* unknown members of location and reporter, which the scanner
	 * skips, nested up to json-c's depth limit and past it */
	for (int d = 10; d <= 17; d++) {
		for (int k = 0; k < 4; k++) {
			char line[1024];
			int n = snprintf(line, sizeof(line), HEAD ",\"%s\":{%s\"x\":",
					 k & 1 ? "reporter" : "location",
					 k & 1 ? "" : "\"lat\":1,\"lon\":2,");
			for (int i = 0; i < d; i++)
				n += snprintf(line + n, sizeof(line) - (size_t)n,
					      "%s", k & 2 ? "{\"a\":" : "[");
			n += snprintf(line + n, sizeof(line) - (size_t)n, "1");
			for (int i = 0; i < d; i++)
				n += snprintf(line + n, sizeof(line) - (size_t)n,
					      "%s", k & 2 ? "}" : "]");
			n += snprintf(line + n, sizeof(line) - (size_t)n, "}}");
			same(line, (size_t)n);
			/* and with an empty innermost array */
			if (!(k & 2)) {
				char *one = strrchr(line, '1');
				memmove(one, one + 1, strlen(one));
				same(line, (size_t)n - 1);
			}
		}
	}
	SAME(HEAD ",\"location\":{\"lat\":31.2,\"lat\":31.3,\"lon\":120}}");
	SAME(HEAD ",\"location\":{\"lat\":\"31.2\",\"lon\":120}}");
	SAME(HEAD ",\"location\":{\"lat\":01,\"lon\":120}}");
	SAME(HEAD ",\"location\":{\"lat\":1.,\"lon\":120}}");
	SAME(HEAD ",\"location\":{\"lat\":NaN,\"lon\":120}}");
	SAME(HEAD ",\"location\":{\"lon\":120}}");
	SAME(HEAD ",\"location\":null}");
	SAME(HEAD ",\"location\":[31,120]}");
	SAME(HEAD ",\"reporter\":{\"phone\":\"+86 138-0000-0000\",\"name\":\"张三\",\"x\":{\"y\":[true]}}}");
	SAME(HEAD ",\"reporter\":{\"phone\":null}}");
	SAME(HEAD ",\"reporter\":{\"phone\":13800000000}}");
	SAME(HEAD ",\"reporter\":\"13800000000\"}");
	SAME(HEAD ",\"attributes\":{\"people\":12,\"floor\":-3.5,\"night\":true,\"day\":false,\"n\":null,\"s\":\"x\"}}");
	SAME(HEAD ",\"attributes\":{\"big\":12345678901234567890}}");
	SAME(HEAD ",\"attributes\":{\"a\":1,\"a\":2}}");
	SAME(HEAD ",\"attributes\":{\"a\":[1]}}");
	SAME(HEAD ",\"attributes\":{\"\":1}}");
	SAME(HEAD ",\"attributes\":{}}");
	SAME(HEAD ",}");                              /* trailing comma */
	SAME(HEAD "} x");
	SAME(HEAD "}\n");
	SAME(" \t" HEAD " } ");
	SAME("{}");
	SAME("{\"op\":\"sign\",\"ref\":\"12345:S1\",\"actor\":\"sz-zhzx\"}");
	SAME(HEAD ",\"urgency\":\"urgent\",\"title\":\"ＡＢＣ　１２３，好\"}");
	SAME(HEAD ",\"region\":\"320506\"}");
	SAME(HEAD ",\"received_at\":\"2026-11-23T09:00:00\"}");
	ck_assert_uint_gt(agreed, 10);
	ck_assert_uint_gt(declined, 10);
}
END_TEST

/* The demo day, and each of its events mutated many ways. */
START_TEST(demo_day_and_mutations)
{
	FILE *f = fopen("examples/data/suzhou-day.ndjson", "rb");
	ck_assert_msg(f != NULL, "run make example-data first");
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	unsigned long lines = 0, seed = 12345;
	char *buf = malloc(1 << 17);
	while ((n = getline(&line, &cap, f)) > 0) {
		size_t len = (size_t)n;
		while (len && line[len - 1] == '\n')
			len--;
		same(line, len);
		if (lines++ % 7 || len + 8 > (1 << 17))
			continue;
		for (int k = 0; k < 12; k++) {
			seed = seed * 6364136223846793005UL + 1442695040888963407UL;
			size_t at = (size_t)(seed >> 33) % len;
			memcpy(buf, line, len);
			size_t m = len;
			static const char bytes[] = "\"\\{}[],:0-.eE \tnu\x01";
			char c = bytes[(seed >> 20) % (sizeof(bytes) - 1)];
			switch (k % 3) {
			case 0: buf[at] = c; break;                       /* flip */
			case 1: memmove(buf + at + 1, buf + at, m - at);  /* insert */
				buf[at] = c;
				m++;
				break;
			default: memmove(buf + at, buf + at + 1, m - at - 1); /* delete */
				m--;
			}
			same(buf, m);
		}
	}
	free(buf);
	free(line);
	fclose(f);
	ck_assert_uint_gt(lines, 10000);
	printf("check_evscan: %lu inputs agreed, %lu declined to json-c\n",
	       agreed, declined);
}
END_TEST

static Suite *make_suite(void)
{
	Suite *s = suite_create("evscan");
	TCase *tc = tcase_create("differential");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 300);
	tcase_add_test(tc, edge_cases);
	tcase_add_test(tc, demo_day_and_mutations);
	suite_add_tcase(s, tc);
	return s;
}

GF_TEST_MAIN
