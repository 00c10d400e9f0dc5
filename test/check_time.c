/*
 * check_time.c - RFC 3339 parsing and formatting (gf_time_parse,
 * gf_time_format).
 */
#include <string.h>

#include "testutil.h"
#include "internal.h"

static const struct {
	const char *s;
	gf_time t;
	int off;
} good[] = {
	{ "1970-01-01T00:00:00Z", 0, 0 },
	{ "1970-01-01T00:00:00.001Z", 1, 0 },
	{ "1970-01-01T00:00:00+08:00", -28800000, 480 },
	{ "1970-01-01T00:00:00-00:00", 0, 0 },
	{ "2026-11-22T09:15:00+08:00", INT64_C(1795310100000), 480 },
	{ "2026-11-22t01:15:00z", INT64_C(1795310100000), 0 },
	{ "2024-02-29T12:00:00Z", INT64_C(1709208000000), 0 },
	{ "2000-02-29T23:59:59Z", INT64_C(951868799000), 0 },
	{ "1972-02-29T00:00:00Z", INT64_C(68169600000), 0 },
	{ "2016-12-31T23:59:59Z", INT64_C(1483228799000), 0 },
	{ "2038-01-19T03:14:08Z", INT64_C(2147483648000), 0 },
	{ "9999-12-31T23:59:59.999Z", INT64_C(253402300799999), 0 },
	{ "2026-01-01T00:00:00.123+05:30", INT64_C(1767205800123), 330 },
	{ "2026-01-01T00:00:00.123456789+05:30", INT64_C(1767205800123), 330 },
	{ "2026-01-01T00:00:00.1239+05:30", INT64_C(1767205800123), 330 },
	{ "2026-01-01T00:00:00.5+05:30", INT64_C(1767205800500), 330 },
	{ "2026-03-08T02:30:00-05:00", INT64_C(1772955000000), -300 },
	{ "2026-03-08T02:30:00+23:59", INT64_C(1772955000000) -
					       (INT64_C(23) * 60 + 59 + 300) *
						       60000,
	  1439 },
	{ "2026-03-08T02:30:00-23:59", INT64_C(1772955000000) +
					       (INT64_C(23) * 60 + 59 - 300) *
						       60000,
	  -1439 },
};

START_TEST(parse_good)
{
	const char *s = good[_i].s;
	gf_time t = -42;
	int off = -42;
	ck_assert_msg(gf_time_parse(&t, &off, s, strlen(s)) == GF_OK,
		      "refused %s", s);
	ck_assert_msg(t == good[_i].t, "%s: %lld != %lld", s, (long long)t,
		      (long long)good[_i].t);
	ck_assert_int_eq(off, good[_i].off);
}
END_TEST

static const char *const bad[] = {
	"",
	"2026-11-22",
	"2026-11-22T09:15:00",          /* no offset */
	"2026-11-22T09:15:00.123",      /* no offset */
	"2026-11-22 09:15:00+08:00",    /* space for T */
	"2026-11-22T09:15+08:00",       /* no seconds */
	"2026-11-22T09:15:00+0800",
	"2026-11-22T09:15:00+08",
	"2026-11-22T09:15:00+8:00",
	"2026-11-22T09:15:00+24:00",
	"2026-11-22T09:15:00+08:60",
	"2026-11-22T09:15:00 +08:00",
	"2026-11-22T09:15:00+08:00 ",
	"2026-11-22T09:15:00+08:00x",
	"2026-11-22T09:15:00ZZ",
	"2026-11-22T09:15:00.Z",
	"2026-11-22T09:15:00,5Z",
	"2026-13-01T00:00:00Z",
	"2026-00-01T00:00:00Z",
	"2026-01-00T00:00:00Z",
	"2026-01-32T00:00:00Z",
	"2026-02-29T00:00:00Z",          /* not a leap year */
	"2100-02-29T00:00:00Z",          /* century, not a leap year */
	"2026-02-30T00:00:00Z",
	"2026-04-31T00:00:00Z",
	"2026-11-22T24:00:00Z",
	"2026-11-22T23:60:00Z",
	"2016-12-31T23:59:60Z",          /* leap second */
	"1969-12-31T23:59:59Z",
	"0000-01-01T00:00:00Z",
	"2026-1-22T09:15:00Z",
	"2026-11-2xT09:15:00Z",
	"+2026-11-22T09:15:00Z",
	"2026-11-22T09:15:00GMT",
	"２０２６-11-22T09:15:00Z",
};

START_TEST(parse_bad)
{
	const char *s = bad[_i];
	gf_time t = 7;
	int off = 7;
	ck_assert_msg(gf_time_parse(&t, &off, s, strlen(s)) == GF_ETIME,
		      "accepted \"%s\"", s);
	ck_assert_msg(t == 7 && off == 7, "%s: outputs touched", s);
}
END_TEST

START_TEST(parse_respects_len)
{
	const char *s = "2026-11-22T09:15:00+08:00trailing";
	gf_time t;
	ck_assert_int_eq(gf_time_parse(&t, NULL, s, 25), GF_OK);
	ck_assert(t == INT64_C(1795310100000));
	ck_assert_int_eq(gf_time_parse(&t, NULL, s, 24), GF_ETIME);
	ck_assert_int_eq(gf_time_parse(&t, NULL, s, strlen(s)), GF_ETIME);
	ck_assert_int_eq(gf_time_parse(NULL, NULL, s, 25), GF_EINVAL);
}
END_TEST

START_TEST(format_examples)
{
	char b[32];
	ck_assert_uint_eq(gf_time_format(b, sizeof(b), 0, 0), 20);
	ck_assert_str_eq(b, "1970-01-01T00:00:00Z");
	gf_time_format(b, sizeof(b), INT64_C(1795310100000), 480);
	ck_assert_str_eq(b, "2026-11-22T09:15:00+08:00");
	gf_time_format(b, sizeof(b), INT64_C(1767205800123), 330);
	ck_assert_str_eq(b, "2026-01-01T00:00:00.123+05:30");
	gf_time_format(b, sizeof(b), INT64_C(1772955000000), -300);
	ck_assert_str_eq(b, "2026-03-08T02:30:00-05:00");
	gf_time_format(b, sizeof(b), -1000, 0);
	ck_assert_str_eq(b, "1969-12-31T23:59:59Z");
	gf_time_format(b, sizeof(b), -1, 0);
	ck_assert_str_eq(b, "1969-12-31T23:59:59.999Z");
	gf_time_format(b, sizeof(b), INT64_C(253402300799999), 0);
	ck_assert_str_eq(b, "9999-12-31T23:59:59.999Z");
	gf_time_format(b, sizeof(b), INT64_C(951868799000), 0);
	ck_assert_str_eq(b, "2000-02-29T23:59:59Z");
	/* An offset no timestamp can carry falls back to UTC. */
	gf_time_format(b, sizeof(b), 0, 24 * 60);
	ck_assert_str_eq(b, "1970-01-01T00:00:00Z");
}
END_TEST

START_TEST(format_small_buffer)
{
	char b[10];
	memset(b, 'x', sizeof(b));
	ck_assert_uint_eq(gf_time_format(b, sizeof(b), 0, 0), 9);
	ck_assert_str_eq(b, "1970-01-0");
	ck_assert_uint_eq(gf_time_format(b, 0, 0, 0), 0);
	/* Extreme instants must not overflow the 32 bytes promised. */
	char big[32];
	size_t n = gf_time_format(big, sizeof(big), INT64_MIN, -1439);
	ck_assert_uint_lt(n, sizeof(big));
	n = gf_time_format(big, sizeof(big), INT64_MAX, 1439);
	ck_assert_uint_lt(n, sizeof(big));
}
END_TEST

/* Every day boundary, month end and leap day of 1970..2400 survives a
 * trip through text, at a spread of offsets. */
START_TEST(format_parse_round_trip)
{
	static const int offs[] = { 0, 480, -300, 330, 1439, -1439, 345 };
	int64_t step = INT64_C(86400000) * 3 + 3600123; /* drifts the time */
	int64_t end = INT64_C(13569465600000);            /* 2400-01-01 */
	int count = 0;
	for (int64_t t = 86400000; t < end; t += step, count++) {
		int o = offs[count % 7];
		char b[32];
		size_t n = gf_time_format(b, sizeof(b), t, o);
		gf_time back;
		int boff;
		ck_assert_msg(gf_time_parse(&back, &boff, b, n) == GF_OK,
			      "refused own output %s", b);
		ck_assert_msg(back == t && boff == o, "%s: %lld != %lld", b,
			      (long long)back, (long long)t);
	}
	ck_assert_int_gt(count, 40000);
}
END_TEST

START_TEST(leap_days_exist)
{
	char s[32];
	gf_time t;
	for (int y = 1970; y <= 9999; y++) {
		int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
		snprintf(s, sizeof(s), "%04d-02-29T00:00:00Z", y);
		ck_assert_int_eq(gf_time_parse(&t, NULL, s, strlen(s)),
				 leap ? GF_OK : GF_ETIME);
		/* Day after Feb 28 is Mar 1 or Feb 29: 1 or 2 days later. */
		snprintf(s, sizeof(s), "%04d-02-28T00:00:00Z", y);
		gf_time a, b2;
		ck_assert_int_eq(gf_time_parse(&a, NULL, s, strlen(s)), GF_OK);
		snprintf(s, sizeof(s), "%04d-03-01T00:00:00Z", y);
		ck_assert_int_eq(gf_time_parse(&b2, NULL, s, strlen(s)), GF_OK);
		ck_assert(b2 - a == (leap ? 2 : 1) * INT64_C(86400000));
	}
}
END_TEST

static Suite *make_suite(void)
{
	Suite *s = suite_create("time");
	TCase *tc = tcase_create("core");
	tcase_add_loop_test(tc, parse_good, 0, sizeof(good) / sizeof(good[0]));
	tcase_add_loop_test(tc, parse_bad, 0, sizeof(bad) / sizeof(bad[0]));
	tcase_add_test(tc, parse_respects_len);
	tcase_add_test(tc, format_examples);
	tcase_add_test(tc, format_small_buffer);
	tcase_add_test(tc, format_parse_round_trip);
	tcase_add_test(tc, leap_days_exist);
	tcase_set_timeout(tc, 60);
	suite_add_tcase(s, tc);
	return s;
}

GF_TEST_MAIN
