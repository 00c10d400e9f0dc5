/*
 * check_calendar.c - the working calendar (lib/calendar.c): durations,
 * day classes of the 2025 and 2026 national schedule, deadlines across
 * holidays and make-up days, the edges of the covered years, every load
 * problem with its exact path, seeded property tests against a naive
 * day-by-day oracle, and allocation failures.
 *
 * Times in the tables are written at +08:00 (and compared formatted at
 * +08:00), so a failure prints the two local times side by side.
 */
#include <string.h>

#include <json-c/json.h>

#include "testutil.h"
#include "calendar.h"
#include "loadutil.h"

#define EXAMPLE_CALENDAR GF_TEST_EXAMPLE_CONFIG "/calendar.json"

#define MS_MIN INT64_C(60000)
#define MS_HOUR INT64_C(3600000)
#define MS_DAY INT64_C(86400000)
#define CN_OFFSET 480
#define DAY_LEN (7 * MS_HOUR) /* 09:00-12:00 and 13:30-17:30 */

/* ---- helpers -------------------------------------------------------- */

static gf_time T(const char *s)
{
	gf_time t;
	ck_assert_msg(gf_time_parse(&t, NULL, s, strlen(s)) == GF_OK,
		      "bad test time %s", s);
	return t;
}

/* t at +08:00, in one of a few rotating buffers (for messages). */
static const char *fmt(gf_time t)
{
	static char bufs[4][40];
	static int k;
	char *b = bufs[k++ & 3];
	gf_time_format(b, 40, t, CN_OFFSET);
	return b;
}

static gf__duration D(const char *s)
{
	gf__duration d;
	ck_assert_msg(gf__duration_parse(&d, s, strlen(s)) == GF_OK,
		      "bad test duration %s", s);
	return d;
}


static void no_problem(void *ud, const char *path, const char *msg)
{
	(void)ud;
	ck_abort_msg("calendar problem %s: %s", path, msg);
}

static gf__calendar *load_root(struct json_object *root)
{
	gf__calendar *cal = NULL;
	ck_assert_int_eq(gf__cal_load(&cal, root, no_problem, NULL), 0);
	ck_assert_ptr_nonnull(cal);
	json_object_put(root);
	return cal;
}

static gf__calendar *load_example(void)
{
	struct json_object *root = json_object_from_file(EXAMPLE_CALENDAR);
	ck_assert_msg(root != NULL, "cannot read %s", EXAMPLE_CALENDAR);
	return load_root(root);
}

static gf__calendar *cal; /* the example, for the fixture tests */

static void setup(void)
{
	cal = load_example();
}

static void teardown(void)
{
	gf__cal_free(cal);
	cal = NULL;
}

/* ---- durations ------------------------------------------------------ */

START_TEST(duration_parse)
{
	static const struct {
		const char *s;
		gf__dur_unit unit;
		unsigned n;
	} good[] = {
		{ "30m", GF__DUR_MINUTES, 30 },   { "2h", GF__DUR_HOURS, 2 },
		{ "3d", GF__DUR_DAYS, 3 },        { "4wh", GF__DUR_WORK_HOURS, 4 },
		{ "5wd", GF__DUR_WORK_DAYS, 5 },  { "1m", GF__DUR_MINUTES, 1 },
		{ "100000wd", GF__DUR_WORK_DAYS, 100000 },
		{ "15wd", GF__DUR_WORK_DAYS, 15 },
	};
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		gf__duration d = { 0, 0 };
		ck_assert_int_eq(gf__duration_parse(&d, good[i].s,
						    strlen(good[i].s)),
				 GF_OK);
		ck_assert_int_eq(d.unit, good[i].unit);
		ck_assert_uint_eq(d.n, good[i].n);
	}
	static const char *const bad[] = {
		"",    "m",     "0m",   "05wd", "100001wd", "5",   "5w",
		"5dw", "5 wd",  " 5wd", "5wd ", "-5wd",     "+5wd", "5WD",
		"5s",  "1.5h",  "5wdd", "99999999999999999999wd", "5mw",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		gf__duration d;
		ck_assert_msg(gf__duration_parse(&d, bad[i], strlen(bad[i])) ==
				      GF_EVALUE,
			      "accepted \"%s\"", bad[i]);
	}
	/* length, not the NUL, ends the text */
	gf__duration d;
	ck_assert_int_eq(gf__duration_parse(&d, "5wdX", 3), GF_OK);
	ck_assert_int_eq(d.unit, GF__DUR_WORK_DAYS);
	ck_assert_int_eq(gf__duration_parse(&d, "5wd", 2), GF_EVALUE);
	ck_assert_int_eq(gf__duration_parse(NULL, "5wd", 3), GF_EINVAL);
	ck_assert_int_eq(gf__duration_parse(&d, NULL, 0), GF_EINVAL);
}
END_TEST

/* ---- day classes ------------------------------------------------------ */

/* DESIGN.md section 3, written out independently of calendar.json. */
static const char *const rest_2025_2026[] = {
	"2025-01-01",
	"2025-01-28", "2025-01-29", "2025-01-30", "2025-01-31", "2025-02-01",
	"2025-02-02", "2025-02-03", "2025-02-04",
	"2025-04-04", "2025-04-05", "2025-04-06",
	"2025-05-01", "2025-05-02", "2025-05-03", "2025-05-04", "2025-05-05",
	"2025-05-31", "2025-06-01", "2025-06-02",
	"2025-10-01", "2025-10-02", "2025-10-03", "2025-10-04", "2025-10-05",
	"2025-10-06", "2025-10-07", "2025-10-08",
	"2026-01-01", "2026-01-02", "2026-01-03",
	"2026-02-15", "2026-02-16", "2026-02-17", "2026-02-18", "2026-02-19",
	"2026-02-20", "2026-02-21", "2026-02-22", "2026-02-23",
	"2026-04-04", "2026-04-05", "2026-04-06",
	"2026-05-01", "2026-05-02", "2026-05-03", "2026-05-04", "2026-05-05",
	"2026-06-19", "2026-06-20", "2026-06-21",
	"2026-09-25", "2026-09-26", "2026-09-27",
	"2026-10-01", "2026-10-02", "2026-10-03", "2026-10-04", "2026-10-05",
	"2026-10-06", "2026-10-07",
};
static const char *const makeup_2025_2026[] = {
	"2025-01-26", "2025-02-08", "2025-04-27", "2025-09-28", "2025-10-11",
	"2026-01-04", "2026-02-14", "2026-02-28", "2026-05-09", "2026-09-20",
	"2026-10-10",
};

static gf_time at_local(const char *date, const char *hhmmss)
{
	char buf[64];
	snprintf(buf, sizeof(buf), "%sT%s+08:00", date, hhmmss);
	return T(buf);
}

START_TEST(class_listed_dates)
{
	for (size_t i = 0; i < sizeof(rest_2025_2026) / sizeof(char *); i++) {
		/* at both ends of the local day: the class follows the
		 * local date, not the UTC one */
		ck_assert_msg(gf__cal_day_class(cal, at_local(rest_2025_2026[i],
							      "00:00:00")) ==
				      GF__DAY_HOLIDAY,
			      "%s 00:00", rest_2025_2026[i]);
		ck_assert_msg(gf__cal_day_class(cal, at_local(rest_2025_2026[i],
							      "23:59:59")) ==
				      GF__DAY_HOLIDAY,
			      "%s 23:59", rest_2025_2026[i]);
	}
	for (size_t i = 0; i < sizeof(makeup_2025_2026) / sizeof(char *);
	     i++) {
		ck_assert_msg(gf__cal_day_class(cal, at_local(makeup_2025_2026[i],
							      "00:00:00")) ==
				      GF__DAY_WORKDAY,
			      "%s", makeup_2025_2026[i]);
		ck_assert_msg(gf__cal_day_class(cal, at_local(makeup_2025_2026[i],
							      "23:59:59")) ==
				      GF__DAY_WORKDAY,
			      "%s", makeup_2025_2026[i]);
	}
}
END_TEST

static int listed(const char *const *list, size_t n, const char *date)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(list[i], date) == 0)
			return 1;
	return 0;
}

/* Every day of 2025 and 2026: the listed ones as listed, the others by
 * the weekday, counted from 2025-01-01, a Wednesday. */
START_TEST(class_every_day)
{
	static const int dim[12] = { 31, 28, 31, 30, 31, 30,
				     31, 31, 30, 31, 30, 31 };
	int weekday = 2; /* 0 = Monday */
	int counted[4] = { 0, 0, 0, 0 };
	for (int y = 2025; y <= 2026; y++) {
		for (int m = 1; m <= 12; m++) {
			for (int d = 1; d <= dim[m - 1]; d++) {
				char date[32];
				snprintf(date, sizeof(date), "%04d-%02d-%02d", y % 10000,
					 m, d);
				gf__day_class want;
				if (listed(rest_2025_2026,
					   sizeof(rest_2025_2026) /
						   sizeof(char *),
					   date))
					want = GF__DAY_HOLIDAY;
				else if (listed(makeup_2025_2026,
						sizeof(makeup_2025_2026) /
							sizeof(char *),
						date))
					want = GF__DAY_WORKDAY;
				else if (weekday >= 5)
					want = GF__DAY_WEEKEND;
				else
					want = GF__DAY_WORKDAY;
				gf__day_class got = gf__cal_day_class(
					cal, at_local(date, "12:00:00"));
				ck_assert_msg(got == want, "%s: class %d, want %d",
					      date, got, want);
				counted[want]++;
				weekday = (weekday + 1) % 7;
			}
		}
	}
	/* 61 rest days; 730 days in all */
	ck_assert_int_eq(counted[GF__DAY_HOLIDAY], 61);
	ck_assert_int_eq(counted[1] + counted[2] + counted[3], 730);
}
END_TEST

START_TEST(class_by_hand)
{
	static const struct {
		const char *date;
		gf__day_class want;
	} cases[] = {
		{ "2024-12-31", GF__DAY_WORKDAY }, /* Tue, not covered */
		{ "2025-01-01", GF__DAY_HOLIDAY },
		{ "2025-01-02", GF__DAY_WORKDAY },
		{ "2025-01-04", GF__DAY_WEEKEND },
		{ "2025-01-25", GF__DAY_WEEKEND },
		{ "2025-01-26", GF__DAY_WORKDAY }, /* Sun, make-up */
		{ "2025-01-27", GF__DAY_WORKDAY },
		{ "2025-01-28", GF__DAY_HOLIDAY }, /* Tue, Spring Festival */
		{ "2025-02-01", GF__DAY_HOLIDAY }, /* Sat, inside the range */
		{ "2025-02-04", GF__DAY_HOLIDAY },
		{ "2025-02-05", GF__DAY_WORKDAY },
		{ "2025-02-08", GF__DAY_WORKDAY }, /* Sat, make-up */
		{ "2025-02-09", GF__DAY_WEEKEND },
		{ "2025-04-03", GF__DAY_WORKDAY },
		{ "2025-04-04", GF__DAY_HOLIDAY },
		{ "2025-04-07", GF__DAY_WORKDAY },
		{ "2025-04-27", GF__DAY_WORKDAY }, /* Sun, make-up */
		{ "2025-05-05", GF__DAY_HOLIDAY },
		{ "2025-05-06", GF__DAY_WORKDAY },
		{ "2025-05-31", GF__DAY_HOLIDAY },
		{ "2025-06-02", GF__DAY_HOLIDAY }, /* Mon */
		{ "2025-06-03", GF__DAY_WORKDAY },
		{ "2025-09-27", GF__DAY_WEEKEND },
		{ "2025-09-28", GF__DAY_WORKDAY }, /* Sun, make-up */
		{ "2025-09-30", GF__DAY_WORKDAY },
		{ "2025-10-08", GF__DAY_HOLIDAY },
		{ "2025-10-09", GF__DAY_WORKDAY },
		{ "2025-10-11", GF__DAY_WORKDAY }, /* Sat, make-up */
		{ "2025-10-12", GF__DAY_WEEKEND },
		{ "2025-12-31", GF__DAY_WORKDAY },
		{ "2026-01-01", GF__DAY_HOLIDAY },
		{ "2026-01-03", GF__DAY_HOLIDAY }, /* Sat, holiday */
		{ "2026-01-04", GF__DAY_WORKDAY }, /* Sun, make-up */
		{ "2026-02-14", GF__DAY_WORKDAY }, /* Sat, make-up */
		{ "2026-02-15", GF__DAY_HOLIDAY },
		{ "2026-02-23", GF__DAY_HOLIDAY },
		{ "2026-02-24", GF__DAY_WORKDAY },
		{ "2026-02-28", GF__DAY_WORKDAY }, /* Sat, make-up */
		{ "2026-03-01", GF__DAY_WEEKEND },
		{ "2026-04-06", GF__DAY_HOLIDAY },
		{ "2026-05-09", GF__DAY_WORKDAY }, /* Sat, make-up */
		{ "2026-05-10", GF__DAY_WEEKEND },
		{ "2026-06-19", GF__DAY_HOLIDAY },
		{ "2026-06-22", GF__DAY_WORKDAY },
		{ "2026-09-19", GF__DAY_WEEKEND },
		{ "2026-09-20", GF__DAY_WORKDAY }, /* Sun, make-up */
		{ "2026-09-25", GF__DAY_HOLIDAY },
		{ "2026-09-28", GF__DAY_WORKDAY },
		{ "2026-10-07", GF__DAY_HOLIDAY },
		{ "2026-10-08", GF__DAY_WORKDAY },
		{ "2026-10-10", GF__DAY_WORKDAY }, /* Sat, make-up */
		{ "2026-10-11", GF__DAY_WEEKEND },
		{ "2026-12-31", GF__DAY_WORKDAY },
		{ "2027-01-01", GF__DAY_WORKDAY }, /* Fri, not covered */
		{ "2027-01-02", GF__DAY_WEEKEND }, /* weekly rule only */
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		ck_assert_msg(gf__cal_day_class(cal, at_local(cases[i].date,
							      "10:00:00")) ==
				      cases[i].want,
			      "%s", cases[i].date);
	/* the local date decides: 2025-12-31T16:30Z is 2026-01-01 in
	 * Beijing, a holiday, while the UTC date is a workday */
	ck_assert_int_eq(gf__cal_day_class(cal, T("2025-12-31T16:30:00Z")),
			 GF__DAY_HOLIDAY);
	ck_assert_int_eq(gf__cal_day_class(cal, T("2025-12-31T15:59:59Z")),
			 GF__DAY_WORKDAY);
	ck_assert_int_eq(gf__cal_offset(cal), 480);
}
END_TEST

/* ---- deadlines ------------------------------------------------------ */

typedef struct add_case {
	const char *from;
	const char *dur;
	const char *due; /* NULL: GF_ERANGE */
	const char *why;
} add_case;

static void run_cases(const gf__calendar *c, const add_case *cases, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		gf_time due = 0;
		int rc = gf__cal_add(c, T(cases[i].from), D(cases[i].dur), &due);
		if (!cases[i].due) {
			ck_assert_msg(rc == GF_ERANGE,
				      "%s + %s (%s): rc %d, due %s, want "
				      "GF_ERANGE",
				      cases[i].from, cases[i].dur, cases[i].why,
				      rc, fmt(due));
			continue;
		}
		ck_assert_msg(rc == GF_OK, "%s + %s (%s): rc %d", cases[i].from,
			      cases[i].dur, cases[i].why, rc);
		ck_assert_msg(due == T(cases[i].due),
			      "%s + %s (%s): got %s, want %s", cases[i].from,
			      cases[i].dur, cases[i].why, fmt(due),
			      cases[i].due);
	}
}

#define RUN(c, cases) run_cases((c), (cases), sizeof(cases) / sizeof(cases[0]))

START_TEST(work_days_table)
{
	static const add_case cases[] = {
		{ "2026-09-18T17:00:00+08:00", "5wd", "2026-09-24T17:30:00+08:00",
		  "Fri: the make-up Sunday 09-20 counts" },
		{ "2026-09-18T17:00:00+08:00", "1wd", "2026-09-20T17:30:00+08:00",
		  "Sat 09-19 is weekend, Sun 09-20 a make-up day" },
		{ "2026-09-18T17:00:00+08:00", "15wd",
		  "2026-10-15T17:30:00+08:00",
		  "across Mid-Autumn and National Day, with 10-10" },
		{ "2026-09-24T10:00:00+08:00", "1wd", "2026-09-28T17:30:00+08:00",
		  "09-25..27 are holidays" },
		{ "2026-09-24T10:00:00+08:00", "5wd", "2026-10-09T17:30:00+08:00",
		  "28, 29, 30, then 10-08, 10-09" },
		{ "2026-09-30T09:00:00+08:00", "1wd", "2026-10-08T17:30:00+08:00",
		  "eve of National Day" },
		{ "2026-09-30T09:00:00+08:00", "3wd", "2026-10-10T17:30:00+08:00",
		  "eve of National Day, the make-up Saturday is the 3rd" },
		{ "2026-10-03T10:00:00+08:00", "1wd", "2026-10-08T17:30:00+08:00",
		  "receipt on a holiday" },
		{ "2026-10-03T10:00:00+08:00", "3wd", "2026-10-10T17:30:00+08:00",
		  "receipt on a holiday" },
		{ "2026-10-10T10:00:00+08:00", "1wd", "2026-10-12T17:30:00+08:00",
		  "receipt on a make-up Saturday" },
		{ "2026-10-10T08:00:00+08:00", "1wd", "2026-10-12T17:30:00+08:00",
		  "before hours on a make-up Saturday" },
		{ "2026-09-22T08:00:00+08:00", "1wd", "2026-09-23T17:30:00+08:00",
		  "before 09:00: the day of receipt still never counts" },
		{ "2026-09-22T09:00:00+08:00", "1wd", "2026-09-23T17:30:00+08:00",
		  "at opening" },
		{ "2026-09-22T23:30:00+08:00", "1wd", "2026-09-23T17:30:00+08:00",
		  "at night" },
		{ "2026-09-23T01:00:00+08:00", "1wd", "2026-09-24T17:30:00+08:00",
		  "after local midnight, still 09-22 in UTC" },
		{ "2026-09-22T16:59:59.999Z", "1wd", "2026-09-24T17:30:00+08:00",
		  "the same in UTC notation" },
		{ "2025-12-31T16:00:00+08:00", "1wd", "2026-01-04T17:30:00+08:00",
		  "year boundary: New Year, then the make-up Sunday" },
		{ "2025-12-31T16:00:00+08:00", "2wd", "2026-01-05T17:30:00+08:00",
		  "year boundary" },
		{ "2025-12-30T10:00:00+08:00", "1wd", "2025-12-31T17:30:00+08:00",
		  "year boundary, inside 2025" },
		{ "2026-02-13T15:00:00+08:00", "1wd", "2026-02-14T17:30:00+08:00",
		  "Spring Festival: the make-up Saturday before it" },
		{ "2026-02-13T15:00:00+08:00", "2wd", "2026-02-24T17:30:00+08:00",
		  "Spring Festival 02-15..23" },
		{ "2026-02-27T15:00:00+08:00", "1wd", "2026-02-28T17:30:00+08:00",
		  "the make-up Saturday after it" },
		{ "2025-01-24T10:00:00+08:00", "1wd", "2025-01-26T17:30:00+08:00",
		  "2025: make-up Sunday 01-26" },
		{ "2025-01-24T10:00:00+08:00", "3wd", "2025-02-05T17:30:00+08:00",
		  "2025 Spring Festival 01-28..02-04" },
		{ "2025-01-24T10:00:00+08:00", "4wd", "2025-02-06T17:30:00+08:00",
		  "2025 Spring Festival" },
		{ "2025-09-26T10:00:00+08:00", "1wd", "2025-09-28T17:30:00+08:00",
		  "2025: make-up Sunday 09-28" },
		{ "2025-09-26T10:00:00+08:00", "3wd", "2025-09-30T17:30:00+08:00",
		  "2025 eve of National Day" },
		{ "2025-09-26T10:00:00+08:00", "4wd", "2025-10-09T17:30:00+08:00",
		  "2025 National Day 10-01..08" },
		{ "2025-09-26T10:00:00+08:00", "6wd", "2025-10-11T17:30:00+08:00",
		  "2025 make-up Saturday 10-11" },
		{ "2025-05-30T10:00:00+08:00", "1wd", "2025-06-03T17:30:00+08:00",
		  "Dragon Boat 05-31..06-02" },
		{ "2026-06-18T17:30:00+08:00", "1wd", "2026-06-22T17:30:00+08:00",
		  "Dragon Boat 2026, received at closing" },
		{ "2026-05-08T12:00:00+08:00", "1wd", "2026-05-09T17:30:00+08:00",
		  "make-up Saturday 05-09" },
		{ "2026-04-30T12:00:00+08:00", "1wd", "2026-05-06T17:30:00+08:00",
		  "Labour Day 05-01..05" },
		/* the edges of the covered years */
		{ "2024-12-31T10:00:00+08:00", "1wd", "2025-01-02T17:30:00+08:00",
		  "receipt the day before the first covered day" },
		{ "2024-12-30T10:00:00+08:00", "1wd", NULL,
		  "2024-12-31 would have to be consulted" },
		{ "2026-12-30T10:00:00+08:00", "1wd", "2026-12-31T17:30:00+08:00",
		  "the last covered day" },
		{ "2026-12-30T10:00:00+08:00", "2wd", NULL,
		  "2027-01-01 would have to be consulted" },
		{ "2026-12-31T10:00:00+08:00", "1wd", NULL,
		  "2027 is not covered" },
		{ "2020-06-01T10:00:00+08:00", "1wd", NULL, "long before" },
		{ "2030-06-01T10:00:00+08:00", "1wd", NULL, "long after" },
		{ "2025-01-01T00:00:00+08:00", "500wd", NULL,
		  "more working days than 2025 and 2026 hold" },
	};
	RUN(cal, cases);
}
END_TEST

START_TEST(work_hours_table)
{
	static const add_case cases[] = {
		{ "2026-09-22T11:30:00+08:00", "1wh", "2026-09-22T14:00:00+08:00",
		  "from 11:30 spans lunch" },
		{ "2026-09-22T17:00:00+08:00", "1wh", "2026-09-23T09:30:00+08:00",
		  "from 17:00 spans the night" },
		{ "2026-09-22T12:15:00+08:00", "1wh", "2026-09-22T14:30:00+08:00",
		  "from lunch counts from 13:30" },
		{ "2026-09-24T23:00:00+08:00", "3wh", "2026-09-28T12:00:00+08:00",
		  "23:00 the day before a holiday; runs out at a period end" },
		{ "2026-09-24T23:00:00+08:00", "4wh", "2026-09-28T14:30:00+08:00",
		  "23:00 the day before a holiday; over lunch" },
		{ "2026-09-24T23:00:00+08:00", "1wh", "2026-09-28T10:00:00+08:00",
		  "23:00 the day before a holiday" },
		{ "2026-09-30T23:00:00+08:00", "1wh", "2026-10-08T10:00:00+08:00",
		  "23:00 before National Day" },
		{ "2025-09-30T17:00:00+08:00", "1wh", "2025-10-09T09:30:00+08:00",
		  "2025 eve of National Day" },
		{ "2026-09-18T17:00:00+08:00", "1wh", "2026-09-20T09:30:00+08:00",
		  "Friday 17:00, then the make-up Sunday" },
		{ "2026-10-03T10:00:00+08:00", "1wh", "2026-10-08T10:00:00+08:00",
		  "received on a holiday" },
		{ "2026-10-10T11:00:00+08:00", "2wh", "2026-10-10T14:30:00+08:00",
		  "on a make-up Saturday" },
		{ "2026-10-10T17:00:00+08:00", "1wh", "2026-10-12T09:30:00+08:00",
		  "make-up Saturday evening, Sunday is weekend" },
		{ "2025-12-31T17:00:00+08:00", "2wh", "2026-01-04T10:30:00+08:00",
		  "across the year boundary to the make-up Sunday" },
		{ "2025-12-31T16:00:00+08:00", "8wh", "2026-01-04T17:00:00+08:00",
		  "across the year boundary" },
		{ "2026-02-13T16:30:00+08:00", "2wh", "2026-02-14T10:00:00+08:00",
		  "before Spring Festival" },
		{ "2026-02-14T17:00:00+08:00", "1wh", "2026-02-24T09:30:00+08:00",
		  "Spring Festival" },
		/* exact boundaries */
		{ "2026-09-22T09:00:00+08:00", "3wh", "2026-09-22T12:00:00+08:00",
		  "runs out at 12:00: not 13:30" },
		{ "2026-09-22T09:00:00+08:00", "7wh", "2026-09-22T17:30:00+08:00",
		  "a whole day runs out at 17:30, not next morning" },
		{ "2026-09-22T08:00:00+08:00", "7wh", "2026-09-22T17:30:00+08:00",
		  "before opening" },
		{ "2026-09-22T09:00:00+08:00", "14wh", "2026-09-23T17:30:00+08:00",
		  "two whole days" },
		{ "2026-09-22T12:00:00+08:00", "1wh", "2026-09-22T14:30:00+08:00",
		  "12:00 is outside the morning period" },
		{ "2026-09-22T11:59:59.999+08:00", "1wh",
		  "2026-09-22T14:29:59.999+08:00", "one ms before noon" },
		{ "2026-09-22T13:30:00+08:00", "4wh", "2026-09-22T17:30:00+08:00",
		  "the afternoon exactly" },
		{ "2026-09-22T13:30:00+08:00", "5wh", "2026-09-23T10:00:00+08:00",
		  "past the afternoon" },
		{ "2026-09-22T17:30:00+08:00", "1wh", "2026-09-23T10:00:00+08:00",
		  "at closing" },
		{ "2026-09-22T10:00:00+08:00", "2wh", "2026-09-22T12:00:00+08:00",
		  "runs out at noon" },
		{ "2026-09-22T10:00:00+08:00", "9wh", "2026-09-23T12:00:00+08:00",
		  "runs out at noon the next day" },
		/* the edges of the covered years */
		{ "2024-12-31T18:00:00+08:00", "1wh", "2025-01-02T10:00:00+08:00",
		  "after closing the day before the years: not consulted" },
		{ "2024-12-31T10:00:00+08:00", "1wh", NULL,
		  "2024-12-31 itself would have to be consulted" },
		{ "2026-12-31T16:00:00+08:00", "1wh", "2026-12-31T17:00:00+08:00",
		  "inside the last covered day" },
		{ "2026-12-31T16:30:00+08:00", "1wh", "2026-12-31T17:30:00+08:00",
		  "exactly at the last period end of the years" },
		{ "2026-12-31T16:31:00+08:00", "1wh", NULL,
		  "one minute too many" },
		{ "2026-12-31T17:30:00+08:00", "1wh", NULL, "after the years" },
	};
	RUN(cal, cases);
}
END_TEST

START_TEST(natural_table)
{
	static const add_case cases[] = {
		{ "2026-09-30T23:00:00+08:00", "30m", "2026-09-30T23:30:00+08:00",
		  "natural minutes" },
		{ "2026-09-30T23:00:00+08:00", "2h", "2026-10-01T01:00:00+08:00",
		  "natural hours into a holiday" },
		{ "2026-09-30T23:00:00+08:00", "3d", "2026-10-03T23:00:00+08:00",
		  "natural days" },
		{ "2026-12-31T23:00:00+08:00", "60d", "2027-03-01T23:00:00+08:00",
		  "natural days need no covered year" },
		{ "2010-01-01T00:00:00Z", "1m", "2010-01-01T00:01:00Z",
		  "any year" },
	};
	RUN(cal, cases);
	/* natural units need no calendar */
	gf_time due;
	ck_assert_int_eq(gf__cal_add(NULL, 1000, D("2h"), &due), GF_OK);
	ck_assert_int_eq(due, 1000 + 2 * MS_HOUR);
	ck_assert_int_eq(gf__cal_add(NULL, 1000, D("2wh"), &due), GF_EINVAL);
	/* bad arguments */
	gf__duration bad = { GF__DUR_WORK_DAYS, 0 };
	ck_assert_int_eq(gf__cal_add(cal, 1000, bad, &due), GF_EINVAL);
	bad.n = 100001;
	ck_assert_int_eq(gf__cal_add(cal, 1000, bad, &due), GF_EINVAL);
	bad.unit = (gf__dur_unit)99;
	bad.n = 1;
	ck_assert_int_eq(gf__cal_add(cal, 1000, bad, &due), GF_EINVAL);
	ck_assert_int_eq(gf__cal_add(cal, 1000, D("1h"), NULL), GF_EINVAL);
	/* overflow is a range error, not wrap-around */
	ck_assert_int_eq(gf__cal_add(cal, INT64_MAX - 10, D("1m"), &due),
			 GF_ERANGE);
	ck_assert_int_eq(gf__cal_add(cal, INT64_MAX - 10, D("1wh"), &due),
			 GF_ERANGE);
	ck_assert_int_eq(gf__cal_add(cal, INT64_MIN, D("1wd"), &due),
			 GF_ERANGE);
	ck_assert_int_eq(gf__cal_add(cal, INT64_MIN, D("1m"), &due), GF_OK);
	/* any instant has a class */
	gf__day_class k = gf__cal_day_class(cal, INT64_MAX);
	ck_assert(k == GF__DAY_WORKDAY || k == GF__DAY_WEEKEND);
	k = gf__cal_day_class(cal, INT64_MIN);
	ck_assert(k == GF__DAY_WORKDAY || k == GF__DAY_WEEKEND);
}
END_TEST

/* The worked examples of docs/calendar.md, in its order: if one of
 * these changes, the document must too. */
START_TEST(doc_examples)
{
	static const add_case cases[] = {
		/* 1. at night */
		{ "2026-09-22T23:30:00+08:00", "3wh", "2026-09-23T12:00:00+08:00",
		  "doc 1" },
		{ "2026-09-22T23:30:00+08:00", "4wh", "2026-09-23T14:30:00+08:00",
		  "doc 1" },
		{ "2026-09-22T23:30:00+08:00", "1wd", "2026-09-23T17:30:00+08:00",
		  "doc 1" },
		{ "2026-09-23T01:00:00+08:00", "1wd", "2026-09-24T17:30:00+08:00",
		  "doc 1" },
		{ "2026-09-22T08:00:00+08:00", "1wd", "2026-09-23T17:30:00+08:00",
		  "doc 1" },
		/* 2. on a holiday */
		{ "2026-10-03T10:00:00+08:00", "1wh", "2026-10-08T10:00:00+08:00",
		  "doc 2" },
		{ "2026-10-03T10:00:00+08:00", "3wd", "2026-10-10T17:30:00+08:00",
		  "doc 2" },
		/* 3. on the eve of a holiday */
		{ "2026-09-24T16:00:00+08:00", "2wh", "2026-09-28T09:30:00+08:00",
		  "doc 3" },
		{ "2026-09-24T16:00:00+08:00", "5wd", "2026-10-09T17:30:00+08:00",
		  "doc 3" },
		/* 4. on a make-up Saturday */
		{ "2026-10-10T11:00:00+08:00", "2wh", "2026-10-10T14:30:00+08:00",
		  "doc 4" },
		{ "2026-10-10T11:00:00+08:00", "1wd", "2026-10-12T17:30:00+08:00",
		  "doc 4" },
		/* 5. across the year boundary */
		{ "2025-12-31T16:00:00+08:00", "8wh", "2026-01-04T17:00:00+08:00",
		  "doc 5" },
		{ "2025-12-31T16:00:00+08:00", "1wd", "2026-01-04T17:30:00+08:00",
		  "doc 5" },
		{ "2025-12-31T16:00:00+08:00", "2wd", "2026-01-05T17:30:00+08:00",
		  "doc 5" },
		/* 6. a consultation received on a Friday evening */
		{ "2026-09-18T17:00:00+08:00", "5wd", "2026-09-24T17:30:00+08:00",
		  "doc 6" },
		{ "2026-09-18T17:00:00+08:00", "15wd",
		  "2026-10-15T17:30:00+08:00", "doc 6" },
		/* 7. exact boundaries */
		{ "2026-09-22T09:00:00+08:00", "3wh", "2026-09-22T12:00:00+08:00",
		  "doc 7" },
		{ "2026-09-22T09:00:00+08:00", "7wh", "2026-09-22T17:30:00+08:00",
		  "doc 7" },
		{ "2026-09-22T12:15:00+08:00", "1wh", "2026-09-22T14:30:00+08:00",
		  "doc 7" },
		{ "2026-09-22T11:30:00+08:00", "1wh", "2026-09-22T14:00:00+08:00",
		  "doc 7" },
		/* 8. the edges of the covered years */
		{ "2024-12-31T10:00:00+08:00", "1wd", "2025-01-02T17:30:00+08:00",
		  "doc 8" },
		{ "2024-12-31T10:00:00+08:00", "1wh", NULL, "doc 8" },
		{ "2024-12-31T18:00:00+08:00", "1wh", "2025-01-02T10:00:00+08:00",
		  "doc 8" },
		{ "2026-12-31T10:00:00+08:00", "1wd", NULL, "doc 8" },
		/* 9. natural units */
		{ "2026-09-30T23:00:00+08:00", "2h", "2026-10-01T01:00:00+08:00",
		  "doc 9" },
		{ "2026-09-30T23:00:00+08:00", "3d", "2026-10-03T23:00:00+08:00",
		  "doc 9" },
	};
	RUN(cal, cases);
	int64_t w;
	ck_assert_int_eq(gf__cal_working_ms(cal, T("2026-09-24T12:00:00+08:00"),
					    T("2026-09-28T10:00:00+08:00"), &w),
			 GF_OK);
	ck_assert_int_eq(w, 5 * MS_HOUR);
}
END_TEST

typedef struct wm_case {
	const char *from, *to;
	int64_t want; /* -1: GF_ERANGE */
} wm_case;

START_TEST(working_ms_table)
{
	static const wm_case cases[] = {
		{ "2026-09-22T08:00:00+08:00", "2026-09-22T20:00:00+08:00",
		  DAY_LEN },
		{ "2026-09-22T11:00:00+08:00", "2026-09-22T14:00:00+08:00",
		  MS_HOUR + 30 * MS_MIN },
		{ "2026-09-22T12:00:00+08:00", "2026-09-22T13:30:00+08:00", 0 },
		{ "2026-09-24T12:00:00+08:00", "2026-09-28T10:00:00+08:00",
		  5 * MS_HOUR },
		{ "2026-09-18T17:00:00+08:00", "2026-09-24T17:30:00+08:00",
		  30 * MS_MIN + 5 * DAY_LEN },
		{ "2026-09-30T00:00:00+08:00", "2026-10-09T00:00:00+08:00",
		  2 * DAY_LEN },
		{ "2026-01-01T00:00:00+08:00", "2027-01-01T00:00:00+08:00",
		  (261 - 19 + 6) * DAY_LEN }, /* see count_workdays_2026 */
		{ "2026-09-22T14:00:00+08:00", "2026-09-22T14:00:00+08:00", 0 },
		{ "2026-09-22T15:00:00+08:00", "2026-09-22T14:00:00+08:00", 0 },
		{ "2026-09-22T09:00:00+08:00", "2026-09-22T09:00:00.001+08:00",
		  1 },
		{ "2026-09-22T17:29:59.999+08:00", "2026-09-23T09:00:00+08:00",
		  1 },
		/* the edges of the covered years */
		{ "2024-12-31T10:00:00+08:00", "2025-01-02T10:00:00+08:00", -1 },
		{ "2024-12-31T18:00:00+08:00", "2025-01-02T10:00:00+08:00",
		  MS_HOUR },
		{ "2026-12-31T10:00:00+08:00", "2027-01-01T00:00:00+08:00",
		  6 * MS_HOUR },
		{ "2026-12-31T10:00:00+08:00", "2027-01-01T09:00:00+08:00",
		  6 * MS_HOUR },
		{ "2026-12-31T10:00:00+08:00", "2027-01-01T09:00:00.001+08:00",
		  -1 },
		{ "2030-01-01T10:00:00+08:00", "2030-01-01T09:00:00+08:00", 0 },
		{ "2030-01-01T10:00:00+08:00", "2030-01-01T11:00:00+08:00", -1 },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int64_t got = -99;
		int rc = gf__cal_working_ms(cal, T(cases[i].from),
					    T(cases[i].to), &got);
		if (cases[i].want < 0) {
			ck_assert_msg(rc == GF_ERANGE, "[%s, %s): rc %d",
				      cases[i].from, cases[i].to, rc);
			continue;
		}
		ck_assert_msg(rc == GF_OK && got == cases[i].want,
			      "[%s, %s): rc %d, %lld ms, want %lld",
			      cases[i].from, cases[i].to, rc, (long long)got,
			      (long long)cases[i].want);
	}
	int64_t out;
	ck_assert_int_eq(gf__cal_working_ms(cal, 0, 1, NULL), GF_EINVAL);
	ck_assert_int_eq(gf__cal_working_ms(NULL, 0, 1, &out), GF_EINVAL);
}
END_TEST

/* 2026 has 365 days, 104 of them Saturdays and Sundays, 261 weekdays
 * (Jan 1 is a Thursday): minus the weekday holidays, plus the six
 * make-up days. Counted by hand from DESIGN.md: weekday holidays are
 * 01-01, 01-02; 02-16..20, 02-23; 04-06; 05-01, 05-04, 05-05; 06-19;
 * 09-25; 10-01, 10-02, 10-05, 10-06, 10-07: 19. */
START_TEST(count_workdays_2026)
{
	int n = 0;
	gf_time t = at_local("2026-01-01", "12:00:00");
	for (int d = 0; d < 365; d++, t += MS_DAY)
		n += gf__cal_day_class(cal, t) == GF__DAY_WORKDAY;
	ck_assert_int_eq(n, 261 - 19 + 6);
	int64_t ms;
	ck_assert_int_eq(gf__cal_working_ms(cal, T("2026-01-01T00:00:00+08:00"),
					    T("2027-01-01T00:00:00+08:00"),
					    &ms),
			 GF_OK);
	ck_assert_int_eq(ms, (int64_t)n * DAY_LEN);
}
END_TEST

/* ---- property tests ------------------------------------------------- */

/* The shape of a calendar as the oracle sees it. */
typedef struct shape {
	int offset_min;
	size_t np;
	int64_t ps[8], pe[8]; /* ms after local midnight */
	gf_time lo, hi;       /* the covered years, as instants */
} shape;

static uint64_t rng_state;

static uint64_t rnd(void)
{
	/* splitmix64 */
	uint64_t z = (rng_state += UINT64_C(0x9E3779B97F4A7C15));
	z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
	return z ^ (z >> 31);
}

static int64_t rnd_range(int64_t lo, int64_t hi) /* [lo, hi) */
{
	return lo + (int64_t)(rnd() % (uint64_t)(hi - lo));
}

static void split_local(const shape *s, gf_time t, int64_t *day, int64_t *ms)
{
	int64_t l = t + s->offset_min * MS_MIN;
	int64_t d = l / MS_DAY, r = l % MS_DAY;
	if (r < 0) {
		r += MS_DAY;
		d--;
	}
	*day = d;
	*ms = r;
}

static gf_time instant(const shape *s, int64_t day, int64_t ms)
{
	return day * MS_DAY + ms - s->offset_min * MS_MIN;
}

static int is_workday(const gf__calendar *c, const shape *s, int64_t day)
{
	return gf__cal_day_class(c, instant(s, day, 12 * MS_HOUR)) ==
	       GF__DAY_WORKDAY;
}

/* A random instant in the covered years, often on an edge. */
static gf_time rnd_time(const shape *s)
{
	gf_time t = rnd_range(s->lo, s->hi);
	int64_t day, ms;
	split_local(s, t, &day, &ms);
	switch (rnd() % 6) {
	case 0: { /* a period edge, maybe one ms off */
		size_t k = (size_t)(rnd() % s->np);
		int64_t e = rnd() % 2 ? s->ps[k] : s->pe[k];
		e += (int64_t)(rnd() % 3) - 1;
		/* on the same day, so inside the covered years */
		if (e < 0)
			e = 0;
		if (e >= MS_DAY)
			e = MS_DAY - 1;
		return instant(s, day, e);
	}
	case 1: /* local midnight */
		return instant(s, day, 0);
	case 2: /* a whole minute */
		return instant(s, day, ms - ms % MS_MIN);
	default:
		return t;
	}
}

/* Naive: walk the days from t's, period by period. */
static gf_time oracle_wh(const gf__calendar *c, const shape *s, gf_time t,
			 unsigned n)
{
	int64_t need = (int64_t)n * MS_HOUR, day0, x;
	split_local(s, t, &day0, &x);
	for (int64_t d = day0;; d++) {
		if (!is_workday(c, s, d))
			continue;
		for (size_t k = 0; k < s->np; k++) {
			int64_t lo = s->ps[k];
			if (d == day0 && x > lo)
				lo = x;
			if (lo >= s->pe[k])
				continue;
			if (need <= s->pe[k] - lo)
				return instant(s, d, lo + need);
			need -= s->pe[k] - lo;
		}
	}
}

static gf_time oracle_wd(const gf__calendar *c, const shape *s, gf_time t,
			 unsigned n)
{
	int64_t day0, x;
	split_local(s, t, &day0, &x);
	for (int64_t d = day0 + 1;; d++)
		if (is_workday(c, s, d) && --n == 0)
			return instant(s, d, s->pe[s->np - 1]);
}

static int64_t oracle_wm(const gf__calendar *c, const shape *s, gf_time from,
			 gf_time to)
{
	if (to <= from)
		return 0;
	int64_t d0, d1, x;
	split_local(s, from, &d0, &x);
	split_local(s, to, &d1, &x);
	int64_t sum = 0;
	for (int64_t d = d0; d <= d1; d++) {
		if (!is_workday(c, s, d))
			continue;
		for (size_t k = 0; k < s->np; k++) {
			gf_time a = instant(s, d, s->ps[k]);
			gf_time b = instant(s, d, s->pe[k]);
			if (a < from)
				a = from;
			if (b > to)
				b = to;
			if (b > a)
				sum += b - a;
		}
	}
	return sum;
}

/* The start of the first period of the first workday after t's date. */
static gf_time next_day_start(const gf__calendar *c, const shape *s,
			      gf_time t)
{
	int64_t day0, x;
	split_local(s, t, &day0, &x);
	for (int64_t d = day0 + 1;; d++)
		if (is_workday(c, s, d))
			return instant(s, d, s->ps[0]);
}

static void properties(const gf__calendar *c, const shape *s, uint64_t seed,
		       int rounds)
{
	int64_t day_len = 0;
	for (size_t k = 0; k < s->np; k++)
		day_len += s->pe[k] - s->ps[k];
	rng_state = seed;
	int ok_wh = 0, ok_wd = 0, ranged = 0;
	for (int i = 0; i < rounds; i++) {
		gf_time t1 = rnd_time(s), t2 = rnd_time(s);
		if (t2 < t1) {
			gf_time x = t1;
			t1 = t2;
			t2 = x;
		}
		/* working hours */
		unsigned n = (unsigned)(1 + rnd() % 40);
		gf__duration wh = { GF__DUR_WORK_HOURS, n };
		gf__duration wh1 = { GF__DUR_WORK_HOURS, n + 1 };
		gf_time a1, a2, b1;
		int r1 = gf__cal_add(c, t1, wh, &a1);
		int r2 = gf__cal_add(c, t2, wh, &a2);
		int r3 = gf__cal_add(c, t1, wh1, &b1);
		if (r1 == GF_OK) {
			ok_wh++;
			ck_assert_msg(a1 == oracle_wh(c, s, t1, n),
				      "%s + %uwh: %s, oracle %s", fmt(t1), n,
				      fmt(a1), fmt(oracle_wh(c, s, t1, n)));
			ck_assert_msg(a1 > t1, "%s + %uwh", fmt(t1), n);
			int64_t w;
			ck_assert_int_eq(gf__cal_working_ms(c, t1, a1, &w),
					 GF_OK);
			ck_assert_msg(w == (int64_t)n * MS_HOUR,
				      "working_ms(%s, %s) = %lld", fmt(t1),
				      fmt(a1), (long long)w);
			/* nothing of the N hours is left a ms earlier */
			ck_assert_int_eq(gf__cal_working_ms(c, t1, a1 - 1, &w),
					 GF_OK);
			ck_assert_int_eq(w, (int64_t)n * MS_HOUR - 1);
		} else {
			ck_assert_int_eq(r1, GF_ERANGE);
			/* only when the answer leaves the covered years */
			ck_assert_msg(oracle_wh(c, s, t1, n) > s->hi,
				      "%s + %uwh: GF_ERANGE", fmt(t1), n);
			ranged++;
		}
		if (r1 == GF_OK && r2 == GF_OK)
			ck_assert_msg(a1 <= a2, "not monotonic in t: %s->%s, "
				      "%s->%s", fmt(t1), fmt(a1), fmt(t2),
				      fmt(a2));
		if (r1 == GF_OK && r3 == GF_OK)
			ck_assert_msg(a1 < b1, "not monotonic in N at %s",
				      fmt(t1));
		if (r1 != GF_OK)
			ck_assert_int_eq(r3, GF_ERANGE);

		/* working days */
		n = (unsigned)(1 + rnd() % 25);
		gf__duration wd = { GF__DUR_WORK_DAYS, n };
		gf__duration wd1 = { GF__DUR_WORK_DAYS, n + 1 };
		r1 = gf__cal_add(c, t1, wd, &a1);
		r2 = gf__cal_add(c, t2, wd, &a2);
		r3 = gf__cal_add(c, t1, wd1, &b1);
		if (r1 == GF_OK) {
			ok_wd++;
			ck_assert_msg(a1 == oracle_wd(c, s, t1, n),
				      "%s + %uwd: %s, oracle %s", fmt(t1), n,
				      fmt(a1), fmt(oracle_wd(c, s, t1, n)));
			int64_t w;
			ck_assert_int_eq(gf__cal_working_ms(
						 c, next_day_start(c, s, t1), a1,
						 &w),
					 GF_OK);
			ck_assert_int_eq(w, (int64_t)n * day_len);
			ck_assert_int_eq(gf__cal_day_class(c, a1 - 1),
					 GF__DAY_WORKDAY);
		} else {
			ck_assert_int_eq(r1, GF_ERANGE);
			ck_assert_msg(oracle_wd(c, s, t1, n) > s->hi,
				      "%s + %uwd: GF_ERANGE", fmt(t1), n);
			ranged++;
		}
		if (r1 == GF_OK && r2 == GF_OK)
			ck_assert_msg(a1 <= a2, "wd not monotonic in t: %s, %s",
				      fmt(t1), fmt(t2));
		if (r1 == GF_OK && r3 == GF_OK)
			ck_assert_msg(a1 < b1, "wd not monotonic in N at %s",
				      fmt(t1));

		/* working time: the oracle, and additivity */
		gf_time t3 = rnd_time(s);
		int64_t w12, w23, w13;
		ck_assert_int_eq(gf__cal_working_ms(c, t1, t2, &w12), GF_OK);
		ck_assert_msg(w12 == oracle_wm(c, s, t1, t2),
			      "working_ms(%s, %s) = %lld, oracle %lld", fmt(t1),
			      fmt(t2), (long long)w12,
			      (long long)oracle_wm(c, s, t1, t2));
		if (t3 >= t2) {
			ck_assert_int_eq(gf__cal_working_ms(c, t2, t3, &w23),
					 GF_OK);
			ck_assert_int_eq(gf__cal_working_ms(c, t1, t3, &w13),
					 GF_OK);
			ck_assert_int_eq(w13, w12 + w23);
		}

		/* natural units: plain differences */
		static const struct {
			gf__dur_unit u;
			int64_t ms;
		} nat[] = { { GF__DUR_MINUTES, MS_MIN },
			    { GF__DUR_HOURS, MS_HOUR },
			    { GF__DUR_DAYS, MS_DAY } };
		for (size_t k = 0; k < 3; k++) {
			gf__duration d = { nat[k].u,
					   (unsigned)(1 + rnd() % 100000) };
			ck_assert_int_eq(gf__cal_add(c, t1, d, &a1), GF_OK);
			ck_assert_int_eq(a1 - t1, (int64_t)d.n * nat[k].ms);
		}
	}
	/* the test would prove little if most cases were out of range */
	ck_assert_int_gt(ok_wh, rounds * 9 / 10);
	ck_assert_int_gt(ok_wd, rounds * 9 / 10);
	ck_assert_int_lt(ranged, rounds / 10);
}

START_TEST(properties_example)
{
	shape s = { CN_OFFSET, 2,
		    { 9 * MS_HOUR, 13 * MS_HOUR + 30 * MS_MIN },
		    { 12 * MS_HOUR, 17 * MS_HOUR + 30 * MS_MIN },
		    0, 0 };
	s.lo = T("2025-01-01T00:00:00+08:00");
	s.hi = T("2027-01-01T00:00:00+08:00");
	properties(cal, &s, UINT64_C(20260922), 4000);
}
END_TEST

/* Another shape: a negative offset that is not whole hours, periods at
 * midnight and touching at noon, Friday alone as weekend. */
static const char ODD_Q[] =
	"{'utc_offset': '-05:30',"
	" 'working_periods': [['00:00', '01:00'], ['08:00', '12:00'],"
	"                     ['12:00', '13:00'], ['22:00', '24:00']],"
	" 'weekend': ['friday'],"
	" 'years': [2025, 2026, 2027],"
	" 'holidays': ['2025-03-03/2025-03-09', '2026-12-30/2027-01-02',"
	"              '2027-06-10'],"
	" 'workdays': ['2025-03-14', '2026-12-25', '2027-12-31']}";

START_TEST(properties_odd)
{
	gf__calendar *c = load_root(parse_q(ODD_Q));
	shape s = { -330, 4,
		    { 0, 8 * MS_HOUR, 12 * MS_HOUR, 22 * MS_HOUR },
		    { MS_HOUR, 12 * MS_HOUR, 13 * MS_HOUR, 24 * MS_HOUR },
		    0, 0 };
	s.lo = T("2025-01-01T00:00:00-05:30");
	s.hi = T("2028-01-01T00:00:00-05:30");
	ck_assert_int_eq(gf__cal_offset(c), -330);
	properties(c, &s, UINT64_C(42), 3000);
	/* a few by hand: periods touching at noon form one stretch */
	static const add_case cases[] = {
		{ "2026-06-01T08:00:00-05:30", "5wh", "2026-06-01T13:00:00-05:30",
		  "through the touching periods" },
		{ "2026-06-01T08:00:00-05:30", "4wh", "2026-06-01T12:00:00-05:30",
		  "ends where the next begins" },
		{ "2026-06-01T23:30:00-05:30", "1wh", "2026-06-02T00:30:00-05:30",
		  "across midnight, 24:00 to 00:00" },
		{ "2026-06-01T10:00:00-05:30", "1wd", "2026-06-03T00:00:00-05:30",
		  "a day ending at 24:00 is due at the next midnight" },
		{ "2025-03-13T10:00:00-05:30", "1wd", "2025-03-15T00:00:00-05:30",
		  "Friday 03-14 is a make-up day" },
		{ "2026-12-29T10:00:00-05:30", "1wd", "2027-01-04T00:00:00-05:30",
		  "holiday range across the year boundary" },
	};
	RUN(c, cases);
	gf__cal_free(c);
}
END_TEST

/* ---- loading -------------------------------------------------------- */

static const char BASE_Q[] =
	"{'version': 't-1', 'utc_offset': '+08:00',"
	" 'working_periods': [['09:00', '12:00'], ['13:30', '17:30']],"
	" 'weekend': ['saturday', 'sunday'],"
	" 'years': [2025, 2026],"
	" 'holidays': ['2025-01-01', '2025-01-28/2025-02-04'],"
	" 'workdays': ['2025-01-26']}";

/* BASE_Q with k1 (and k2 unless NULL) replaced by a value (a JSON text,
 * single quotes), or removed when the value is NULL; loaded into ps. */
static int load_with2(problems *ps, const char *k1, const char *v1,
		      const char *k2, const char *v2, gf__calendar **out)
{
	struct json_object *root = parse_q(BASE_Q);
	const char *keys[2] = { k1, k2 }, *vals[2] = { v1, v2 };
	for (int i = 0; i < 2 && keys[i]; i++) {
		if (vals[i])
			json_object_object_add(root, keys[i], parse_q(vals[i]));
		else
			json_object_object_del(root, keys[i]);
	}
	memset(ps, 0, sizeof(*ps));
	gf__calendar *c = NULL;
	int n = gf__cal_load(&c, root, collect, ps);
	json_object_put(root);
	ck_assert_ptr_nonnull(c);
	ck_assert_int_eq(n, (int)ps->n);
	if (out)
		*out = c;
	else
		gf__cal_free(c);
	return n;
}

static int load_with(problems *ps, const char *key, const char *value,
		     gf__calendar **out)
{
	return load_with2(ps, key, value, NULL, NULL, out);
}

typedef struct bad_case {
	const char *key, *value; /* value NULL: the key is removed */
	const char *path, *msg;  /* the first problem: path, part of msg */
	int count;               /* problems in all */
} bad_case;

START_TEST(load_problems)
{
	static const bad_case cases[] = {
		/* offset */
		{ "utc_offset", "'+8:00'", "$.utc_offset", "bad offset \"+8:00\"", 1 },
		{ "utc_offset", "'08:00'", "$.utc_offset", "+HH:MM", 1 },
		{ "utc_offset", "'+24:00'", "$.utc_offset", "at most 23:59", 1 },
		{ "utc_offset", "'+08:60'", "$.utc_offset", "bad offset", 1 },
		{ "utc_offset", "'Z'", "$.utc_offset", "bad offset", 1 },
		{ "utc_offset", "'+08:00 '", "$.utc_offset", "bad offset", 1 },
		{ "utc_offset", "8", "$.utc_offset", "expected a string, got 8", 1 },
		{ "utc_offset", NULL, "$.utc_offset", "required field is missing", 1 },
		/* periods */
		{ "working_periods", "[['09:00', '12:00'], ['11:00', '17:30']]",
		  "$.working_periods[1][0]",
		  "starts at 11:00, before $.working_periods[0] ends at 12:00", 1 },
		{ "working_periods", "[['13:30', '17:30'], ['09:00', '12:00']]",
		  "$.working_periods[1][0]", "must be in order", 1 },
		{ "working_periods", "[['09:00', '12:00'], ['11:59', '17:30']]",
		  "$.working_periods[1][0]", "before $.working_periods[0] ends",
		  1 },
		{ "working_periods", "[['09:00', '12:00'], ['09:00', '12:00']]",
		  "$.working_periods[1][0]", "must not overlap", 1 },
		{ "working_periods", "[['12:00', '09:00']]",
		  "$.working_periods[0][1]",
		  "ends at 09:00, not after its start 12:00", 1 },
		{ "working_periods", "[['09:00', '09:00']]",
		  "$.working_periods[0][1]", "not after its start", 1 },
		{ "working_periods", "[['09:00', '12:00'], ['9:00', '17:30']]",
		  "$.working_periods[1][0]", "bad time \"9:00\"", 1 },
		{ "working_periods", "[['09:00', '24:30']]",
		  "$.working_periods[0][1]", "bad time \"24:30\"", 1 },
		{ "working_periods", "[['09:00', '12:60']]",
		  "$.working_periods[0][1]", "from 00:00 to 24:00", 1 },
		{ "working_periods", "[['24:00', '24:00']]",
		  "$.working_periods[0][1]", "not after its start", 1 },
		{ "working_periods", "[['09:00', 12]]",
		  "$.working_periods[0][1]", "expected a string, got 12", 1 },
		{ "working_periods", "[['09:00']]", "$.working_periods[0]",
		  "expected a pair", 1 },
		{ "working_periods", "[['09:00', '10:00', '11:00']]",
		  "$.working_periods[0]", "expected a pair", 1 },
		{ "working_periods", "['09:00-12:00']", "$.working_periods[0]",
		  "expected a pair", 1 },
		{ "working_periods", "[]", "$.working_periods",
		  "at least one working period", 1 },
		{ "working_periods", "{}", "$.working_periods",
		  "expected an array, got an object", 1 },
		/* weekend */
		{ "weekend", "['sunday', 'sat']", "$.weekend[1]",
		  "unknown day \"sat\"", 1 },
		{ "weekend", "['Saturday', 'sunday']", "$.weekend[0]",
		  "unknown day", 1 },
		{ "weekend", "['sunday', 'sunday']", "$.weekend[1]",
		  "\"sunday\" is listed twice", 1 },
		{ "weekend", "[6, 'sunday']", "$.weekend[0]", "expected a string",
		  1 },
		/* Sunday 2025-01-26 is then no weekend day: two problems */
		{ "weekend", "['saturday', 'sat']", "$.weekend[1]", "unknown day",
		  2 },
		/* years */
		{ "years", "[2025, 2027]", "$.years[1]",
		  "expected 2026, got 2027", 1 },
		{ "years", "[2026, 2025]", "$.years[1]", "consecutive", 1 },
		{ "years", "[]", "$.years", "expected 1 to 100", 1 },
		{ "years", "['2025', 2026]", "$.years[0]",
		  "expected a year, got \"2025\"", 1 },
		{ "years", "[2025.0, 2026]", "$.years[0]", "expected a year", 1 },
		{ "years", "[1969, 1970]", "$.years[0]",
		  "year 1969 is outside 1970..9999", 1 },
		{ "years", "2025", "$.years", "expected an array", 1 },
		/* holidays */
		{ "holidays", "['2025-01-01', '2025-02-30']", "$.holidays[1]",
		  "bad date \"2025-02-30\"", 1 },
		{ "holidays", "['2025-1-01']", "$.holidays[0]", "bad date", 1 },
		{ "holidays", "['2025/01/01']", "$.holidays[0]", "bad date", 1 },
		{ "holidays", "['2025-01-01/']", "$.holidays[0]", "bad date", 1 },
		{ "holidays", "['2025-01-01/2025-01-02/2025-01-03']",
		  "$.holidays[0]", "bad date", 1 },
		{ "holidays", "['2025-01-01', '2025-05-01', '2027-01-01']",
		  "$.holidays[2]",
		  "\"2027-01-01\" is outside the years 2025..2026", 1 },
		{ "holidays", "['2024-12-31']", "$.holidays[0]", "outside", 1 },
		{ "holidays", "['2026-12-31/2027-01-02']", "$.holidays[0]",
		  "outside the years", 1 },
		{ "holidays", "['2025-02-04/2025-01-28']", "$.holidays[0]",
		  "bad range \"2025-02-04/2025-01-28\": the first date is after "
		  "the last", 1 },
		{ "holidays", "[20250101]", "$.holidays[0]", "expected a string",
		  1 },
		{ "holidays", NULL, "$.holidays", "required field is missing", 1 },
		/* workdays */
		{ "workdays", "['2025-02-01']", "$.workdays[0]",
		  "2025-02-01 is also a holiday ($.holidays[1])", 1 },
		{ "workdays", "['2025-01-26', '2025-01-01']", "$.workdays[1]",
		  "is also a holiday ($.holidays[0])", 1 },
		{ "workdays", "['2025-01-02']", "$.workdays[0]",
		  "2025-01-02 is not a weekend day", 1 },
		{ "workdays", "['2025-01-25/2025-01-26']", "$.workdays[0]",
		  "expected YYYY-MM-DD", 1 },
		{ "workdays", "['2027-01-02']", "$.workdays[0]",
		  "outside the years", 1 },
		{ "workdays", NULL, "$.workdays", "required field is missing", 1 },
		/* version */
		{ "version", "1", "$.version", "expected a string", 1 },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		problems ps;
		int n = load_with(&ps, cases[i].key, cases[i].value, NULL);
		ck_assert_msg(n == cases[i].count,
			      "%s = %s: %d problems, want %d (first: %s: %s)",
			      cases[i].key, cases[i].value ? cases[i].value : "-",
			      n, cases[i].count, n ? ps.p[0].path : "",
			      n ? ps.p[0].msg : "");
		ck_assert_msg(strcmp(ps.p[0].path, cases[i].path) == 0 &&
				      strstr(ps.p[0].msg, cases[i].msg),
			      "%s = %s: got %s: %s; want %s: ...%s...",
			      cases[i].key, cases[i].value ? cases[i].value : "-",
			      ps.p[0].path, ps.p[0].msg, cases[i].path,
			      cases[i].msg);
	}
}
END_TEST

START_TEST(load_collects_all)
{
	static const char ALL_BAD_Q[] =
		"{'utc_offset': '+8', 'working_periods': [['09:00', '12:00'],"
		" ['11:00', '13:00']], 'weekend': ['saturday', 'caturday'],"
		" 'years': [2025],"
		" 'holidays': ['2025-13-01', '2026-01-01', '2025-05-05/2025-05-01'],"
		" 'workdays': ['2025-01-28', 'x']}";
	struct json_object *root = parse_q(ALL_BAD_Q);
	problems ps;
	memset(&ps, 0, sizeof(ps));
	gf__calendar *c = NULL;
	int n = gf__cal_load(&c, root, collect, &ps);
	static const char *const paths[] = {
		"$.utc_offset", "$.working_periods[1][0]", "$.weekend[1]",
		"$.holidays[0]", "$.holidays[1]", "$.holidays[2]",
		"$.workdays[0]", "$.workdays[1]",
	};
	ck_assert_int_eq(n, (int)(sizeof(paths) / sizeof(paths[0])));
	for (size_t i = 0; i < ps.n; i++)
		ck_assert_str_eq(ps.p[i].path, paths[i]);
	ck_assert_str_eq(ps.p[5].path, "$.holidays[2]");
	ck_assert_ptr_nonnull(strstr(ps.p[6].msg, "is not a weekend day"));
	ck_assert_ptr_nonnull(strstr(ps.p[4].msg, "the year 2025 of $.years"));
	/* a calendar with problems is safe to ask and answers no working
	 * durations */
	gf_time due;
	int64_t w;
	ck_assert_int_eq(gf__cal_add(c, T("2025-03-03T10:00:00+08:00"),
				     D("1wh"), &due),
			 GF_ERANGE);
	ck_assert_int_eq(gf__cal_working_ms(c, 0, MS_DAY * 20000, &w),
			 GF_ERANGE);
	ck_assert_int_eq(gf__cal_add(c, 0, D("1h"), &due), GF_OK);
	gf__cal_free(c);
	json_object_put(root);

	/* no report callback: still counted */
	root = parse_q(ALL_BAD_Q);
	c = NULL;
	ck_assert_int_eq(gf__cal_load(&c, root, NULL, NULL),
			 (int)(sizeof(paths) / sizeof(paths[0])));
	gf__cal_free(c);
	json_object_put(root);

	/* bad years: dates are still checked for shape, not for year */
	problems ps2;
	ck_assert_int_eq(load_with(&ps2, "years", "[2025, 2025]", NULL), 1);
	ck_assert_str_eq(ps2.p[0].path, "$.years[1]");

	/* not an object */
	memset(&ps, 0, sizeof(ps));
	root = json_object_new_array();
	ck_assert_int_eq(gf__cal_load(&c, root, collect, &ps), 1);
	ck_assert_str_eq(ps.p[0].path, "$");
	ck_assert_str_eq(ps.p[0].msg, "expected an object, got an array");
	gf__cal_free(c);
	json_object_put(root);
	memset(&ps, 0, sizeof(ps));
	ck_assert_int_eq(gf__cal_load(&c, NULL, collect, &ps), 1);
	ck_assert_str_eq(ps.p[0].path, "$");
	gf__cal_free(c);
	ck_assert_int_eq(gf__cal_load(NULL, NULL, collect, &ps), GF_EINVAL);
	gf__cal_free(NULL);
	ck_assert_int_eq(gf__cal_offset(NULL), 0);
}
END_TEST

START_TEST(load_accepts)
{
	/* touching periods, empty lists, no weekend, no version, a
	 * holiday listed twice and a range of one day, a period to 24:00 */
	static const char *const good[][2] = {
		{ "working_periods", "[['09:00', '12:00'], ['12:00', '13:00']]" },
		{ "working_periods", "[['00:00', '24:00']]" },
		{ "holidays", "[]" },
		{ "holidays", "['2025-01-28', '2025-01-27/2025-01-29', "
			      "'2025-03-03/2025-03-03']" },
		{ "workdays", "[]" },
		{ "version", NULL },
		{ "years", "[2025]" },
		{ "utc_offset", "'-00:00'" },
		{ "utc_offset", "'-23:59'" },
	};
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		problems ps;
		int n = load_with(&ps, good[i][0], good[i][1], NULL);
		ck_assert_msg(n == 0, "%s = %s: %s: %s", good[i][0],
			      good[i][1] ? good[i][1] : "-", ps.p[0].path,
			      ps.p[0].msg);
	}
	problems ps;
	/* with no weekend, a make-up day makes no sense */
	ck_assert_int_eq(load_with(&ps, "weekend", "[]", NULL), 1);
	ck_assert_str_eq(ps.p[0].path, "$.workdays[0]");
	/* unknown fields are ignored, as in the other files */
	ck_assert_int_eq(load_with(&ps, "comment", "'国务院办公厅'", NULL), 0);

	/* with no weekend (and so no make-up days), Saturday is a workday;
	 * with one period of the whole day a working day is 24 h */
	gf__calendar *c;
	ck_assert_int_eq(load_with2(&ps, "weekend", "[]", "workdays", "[]", &c),
			 0);
	ck_assert_int_eq(gf__cal_day_class(c, T("2025-03-01T12:00:00+08:00")),
			 GF__DAY_WORKDAY);
	gf__cal_free(c);
	ck_assert_int_eq(load_with(&ps, "working_periods",
				   "[['00:00', '24:00']]", &c),
			 0);
	gf_time due;
	ck_assert_int_eq(gf__cal_add(c, T("2025-03-07T12:00:00+08:00"),
				     D("24wh"), &due),
			 GF_OK);
	/* Friday noon + 24 h of work: Friday's 12 h, then Monday's 12 h */
	ck_assert_int_eq(due, T("2025-03-10T12:00:00+08:00"));
	gf__cal_free(c);
}
END_TEST

START_TEST(example_loads)
{
	struct json_object *root = json_object_from_file(EXAMPLE_CALENDAR);
	ck_assert_ptr_nonnull(root);
	problems ps;
	memset(&ps, 0, sizeof(ps));
	gf__calendar *c = NULL;
	ck_assert_int_eq(gf__cal_load(&c, root, collect, &ps), 0);
	ck_assert_uint_eq(ps.n, 0);
	struct json_object *v;
	ck_assert(json_object_object_get_ex(root, "version", &v));
	ck_assert_str_eq(json_object_get_string(v), "cn-2025-2026");
	ck_assert_int_eq(gf__cal_offset(c), 480);
	gf__cal_free(c);
	json_object_put(root);
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
	struct json_object *root = json_object_from_file(EXAMPLE_CALENDAR);
	ck_assert_ptr_nonnull(root);
	ck_assert_int_eq(gf_set_allocator(fail_malloc, fail_calloc,
					  fail_realloc, free),
			 GF_OK);
	for (fail_at = 0;; fail_at++) {
		alloc_count = 0;
		gf__calendar *c = (gf__calendar *)1;
		int rc = gf__cal_load(&c, root, no_problem, NULL);
		if (rc == GF_ENOMEM) {
			ck_assert(alloc_count > fail_at);
			ck_assert_ptr_null(c);
			continue;
		}
		ck_assert_int_eq(rc, 0);
		ck_assert_msg(alloc_count <= fail_at,
			      "allocation %ld failed unnoticed", fail_at);
		gf_time due;
		ck_assert_int_eq(gf__cal_add(c, T("2026-09-18T17:00:00+08:00"),
					     D("5wd"), &due),
				 GF_OK);
		ck_assert_int_eq(due, T("2026-09-24T17:30:00+08:00"));
		gf__cal_free(c);
		break;
	}
	ck_assert_int_gt(fail_at, 2);
	fail_at = -1;
	ck_assert_int_eq(gf_set_allocator(malloc, calloc, realloc, free),
			 GF_OK);
	json_object_put(root);
}
END_TEST

/* ---- speed ---------------------------------------------------------- */

/* Neither arithmetic walks the days: a year's worth of working days
 * costs what one does. A loose bound, to catch an O(days) loop per call
 * rather than to time anything. */
START_TEST(no_day_walk)
{
	gf_time t0 = T("2025-01-01T08:00:00+08:00"), due;
	int64_t sum = 0, w;
	for (int i = 0; i < 200000; i++) {
		ck_assert_int_eq(gf__cal_add(cal, t0 + (i % 300) * MS_HOUR,
					     D("450wd"), &due),
				 GF_OK);
		ck_assert_int_eq(gf__cal_working_ms(cal, t0, due, &w), GF_OK);
		sum += w;
	}
	ck_assert_int_gt(sum, 0);
}
END_TEST

/* gf__cal_add_working_ms: any ms >= 0 is accepted, and an answer past the
 * covered years is GF_ERANGE, never a wrapped-around time. */
START_TEST(add_working_ms_range)
{
	gf_time t = T("2026-09-22T10:00:00+08:00"), due = 0;
	ck_assert_int_eq(gf__cal_add_working_ms(cal, t, 2 * MS_HOUR, &due),
			 GF_OK);
	ck_assert_str_eq(fmt(due), "2026-09-22T12:00:00+08:00");
	ck_assert_int_eq(gf__cal_add_working_ms(cal, t, 0, &due), GF_OK);
	ck_assert_int_eq(due, t);
	static const int64_t big[] = { 1000 * 366 * DAY_LEN, INT64_MAX / 2,
				       INT64_MAX - DAY_LEN, INT64_MAX };
	for (size_t i = 0; i < sizeof(big) / sizeof(big[0]); i++) {
		due = 0;
		int rc = gf__cal_add_working_ms(cal, t, big[i], &due);
		ck_assert_msg(rc == GF_ERANGE, "%lld ms: rc %d, due %s",
			      (long long)big[i], rc, fmt(due));
	}
}
END_TEST

static Suite *make_suite(void)
{
	Suite *s = suite_create("calendar");
	TCase *tc = tcase_create("durations");
	tcase_add_test(tc, duration_parse);
	suite_add_tcase(s, tc);

	tc = tcase_create("classes");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, class_listed_dates);
	tcase_add_test(tc, class_every_day);
	tcase_add_test(tc, class_by_hand);
	tcase_add_test(tc, count_workdays_2026);
	suite_add_tcase(s, tc);

	tc = tcase_create("deadlines");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, work_days_table);
	tcase_add_test(tc, work_hours_table);
	tcase_add_test(tc, natural_table);
	tcase_add_test(tc, working_ms_table);
	tcase_add_test(tc, doc_examples);
	tcase_add_test(tc, add_working_ms_range);
	suite_add_tcase(s, tc);

	tc = tcase_create("properties");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, properties_example);
	tcase_add_test(tc, properties_odd);
	tcase_add_test(tc, no_day_walk);
	tcase_set_timeout(tc, 120);
	suite_add_tcase(s, tc);

	tc = tcase_create("loading");
	tcase_add_test(tc, load_problems);
	tcase_add_test(tc, load_collects_all);
	tcase_add_test(tc, load_accepts);
	tcase_add_test(tc, example_loads);
	tcase_add_test(tc, out_of_memory);
	suite_add_tcase(s, tc);
	return s;
}

GF_TEST_MAIN
