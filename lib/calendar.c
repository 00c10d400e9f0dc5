/*
 * calendar.c - China's working calendar (calendar.json, docs/formats.md)
 * and the arithmetic of deadlines on it (docs/calendar.md).
 *
 * The covered years are held as one class per local date, indexed by the
 * day number since the first covered year's January 1, and beside it the
 * running count of workdays before each date. Working time up to any
 * instant is then "workdays before its date x the length of a working
 * day + the working time of its own date so far", so working_ms is O(1)
 * and adding N working hours or days is one binary search over the
 * running count: no loop walks the days.
 */
#include <inttypes.h>
#include <stdio.h>

#include <json-c/json.h>

#include "calendar.h"
#include "directory.h" /* gf__json_show */

#define MS_MIN INT64_C(60000)
#define MS_HOUR INT64_C(3600000)
#define MS_DAY INT64_C(86400000)
#define MIN_DAY (24 * 60)

#define DUR_MAX 100000u
/* Years a calendar may cover: the range gf_time_parse accepts, and at
 * most a century, which bounds the tables (~37k days). */
#define YEAR_MIN 1970
#define YEAR_MAX 9999
#define YEARS_MAX 100

#define SHOW_BUF GF__JSON_SHOW_SIZE
#define PATH_BUF 64

typedef struct gf__period {
	int64_t start; /* ms after local midnight */
	int64_t end;   /* ms after local midnight, > start, <= 24 h */
} gf__period;

struct gf__calendar {
	int offset_min;
	int64_t offset_ms;
	gf__period *periods; /* sorted, disjoint; at least one when usable */
	size_t nperiods;
	int64_t day_ms;      /* working time of one workday */
	unsigned weekend;    /* bit w: weekday w (0 = Monday) is a weekend day */
	int64_t first;       /* day number (since 1970-01-01) of index 0 */
	int64_t ndays;       /* covered days; 0 when the years are unusable */
	unsigned char *cls;  /* gf__day_class of each covered day */
	int32_t *cum;        /* cum[i]: workdays in [0, i); ndays + 1 entries */
};

/* ---- dates ---------------------------------------------------------- */

/* Proleptic Gregorian day numbers (H. Hinnant), as in timefmt.c. */
static int64_t gf__days_from_civil(int64_t y, int m, int d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	int64_t yoe = y - era * 400;
	int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static int gf__days_in_month(int64_t y, int m)
{
	static const unsigned char dim[12] = { 31, 28, 31, 30, 31, 30,
					       31, 31, 30, 31, 30, 31 };
	int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	return m == 2 && leap ? 29 : dim[m - 1];
}

/* 0 = Monday .. 6 = Sunday; day 0 (1970-01-01) was a Thursday. */
static int gf__weekday(int64_t day)
{
	int64_t w = day % 7;
	if (w < 0)
		w += 7;
	return (int)((w + 3) % 7);
}

static int gf__digits(const char *s, int n)
{
	int v = 0;
	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

/* "YYYY-MM-DD" exactly: 1 with the day number and year, else 0. */
static int gf__parse_date(const char *s, size_t n, int64_t *day, int *year)
{
	if (n != 10 || s[4] != '-' || s[7] != '-')
		return 0;
	int y = gf__digits(s, 4), m = gf__digits(s + 5, 2);
	int d = gf__digits(s + 8, 2);
	if (y < 0 || m < 1 || m > 12 || d < 1 ||
	    d > gf__days_in_month(y, m))
		return 0;
	*day = gf__days_from_civil(y, m, d);
	*year = y;
	return 1;
}

/* Split t into its local day number and ms after local midnight, without
 * the overflow that t + offset could have at the ends of int64. */
static void gf__local(const gf__calendar *cal, gf_time t, int64_t *day,
		      int64_t *ms)
{
	int64_t d = t / MS_DAY, r = t % MS_DAY;
	if (r < 0) {
		r += MS_DAY;
		d--;
	}
	r += cal->offset_ms;
	if (r >= MS_DAY) {
		r -= MS_DAY;
		d++;
	} else if (r < 0) {
		r += MS_DAY;
		d--;
	}
	*day = d;
	*ms = r;
}

/* The instant of ms after local midnight of day (a covered day, so no
 * overflow). */
static gf_time gf__instant(const gf__calendar *cal, int64_t day, int64_t ms)
{
	return day * MS_DAY + ms - cal->offset_ms;
}

/* ---- queries -------------------------------------------------------- */

void gf__cal_free(gf__calendar *cal)
{
	if (!cal)
		return;
	gf__free(cal->periods);
	gf__free(cal->cls);
	gf__free(cal->cum);
	gf__free(cal);
}

int gf__cal_offset(const gf__calendar *cal)
{
	return cal ? cal->offset_min : 0;
}

static gf__day_class gf__class_of(const gf__calendar *cal, int64_t day)
{
	int64_t i = day - cal->first;
	if (i >= 0 && i < cal->ndays)
		return (gf__day_class)cal->cls[i];
	return (cal->weekend >> gf__weekday(day)) & 1u ? GF__DAY_WEEKEND
						       : GF__DAY_WORKDAY;
}

gf__day_class gf__cal_day_class(const gf__calendar *cal, gf_time t)
{
	int64_t day, ms;
	gf__local(cal, t, &day, &ms);
	return gf__class_of(cal, day);
}

/* Working time in [0, x) of a workday, x in [0, 24 h]. */
static int64_t gf__worked_before(const gf__calendar *cal, int64_t x)
{
	int64_t w = 0;
	for (size_t k = 0; k < cal->nperiods; k++) {
		const gf__period *p = &cal->periods[k];
		if (x <= p->start)
			break;
		w += (x < p->end ? x : p->end) - p->start;
	}
	return w;
}

/* Working time from local midnight of index 0 to ms x of index i, for
 * 0 <= i < ndays, or i == ndays with x == 0. */
static int64_t gf__cumulative(const gf__calendar *cal, int64_t i, int64_t x)
{
	int64_t w = cal->day_ms * cal->cum[i];
	if (i < cal->ndays && cal->cls[i] == GF__DAY_WORKDAY)
		w += gf__worked_before(cal, x);
	return w;
}

/* The index of the k-th workday (k >= 1) counted from index 0, or -1 when
 * the covered years hold fewer: the smallest j with cum[j] >= k, less 1. */
static int64_t gf__nth_workday(const gf__calendar *cal, int64_t k)
{
	if (cal->ndays == 0 || cal->cum[cal->ndays] < k)
		return -1;
	int64_t lo = 1, hi = cal->ndays;
	while (lo < hi) {
		int64_t mid = lo + (hi - lo) / 2;
		if (cal->cum[mid] >= k)
			hi = mid;
		else
			lo = mid + 1;
	}
	return lo - 1;
}

static int64_t gf__last_end(const gf__calendar *cal)
{
	return cal->periods[cal->nperiods - 1].end;
}

/*
 * The instant when `need` ms (> 0) of working time have passed after
 * cumulative working time `from` (gf__cumulative's scale): the earliest
 * instant at which the total reaches from + need. Being the earliest, it
 * is a period's end, not the next period's start, when the time runs out
 * exactly there.
 */
static int gf__after_working(const gf__calendar *cal, int64_t from,
			     int64_t need, gf_time *due)
{
	/* past all the covered working time (and from + need would
	 * overflow for need near INT64_MAX) */
	if (need > cal->day_ms * cal->cum[cal->ndays] - from)
		return GF_ERANGE;
	int64_t target = from + need;
	/* the workday that holds the target: the m-th, 1-based */
	int64_t m = (target + cal->day_ms - 1) / cal->day_ms;
	int64_t i = gf__nth_workday(cal, m);
	if (i < 0)
		return GF_ERANGE;
	int64_t r = target - (m - 1) * cal->day_ms; /* in (0, day_ms] */
	for (size_t k = 0; k < cal->nperiods; k++) {
		const gf__period *p = &cal->periods[k];
		if (r <= p->end - p->start) {
			*due = gf__instant(cal, cal->first + i, p->start + r);
			return GF_OK;
		}
		r -= p->end - p->start;
	}
	return GF_ERANGE; /* not reached: r <= day_ms */
}

static int gf__add_work_hours(const gf__calendar *cal, gf_time t, unsigned n,
			      gf_time *due)
{
	int64_t day, x;
	gf__local(cal, t, &day, &x);
	/* after the day's last period the day's class does not matter */
	if (x >= gf__last_end(cal)) {
		day++;
		x = 0;
	}
	int64_t i = day - cal->first;
	if (i < 0 || i >= cal->ndays)
		return GF_ERANGE;
	return gf__after_working(cal, gf__cumulative(cal, i, x),
				 (int64_t)n * MS_HOUR, due);
}

int gf__cal_add_working_ms(const gf__calendar *cal, gf_time t, int64_t ms,
			   gf_time *due)
{
	if (!cal || !due || ms < 0)
		return GF_EINVAL;
	if (cal->nperiods == 0 || cal->ndays == 0)
		return GF_ERANGE;
	if (ms == 0) {
		*due = t;
		return GF_OK;
	}
	int64_t day, x;
	gf__local(cal, t, &day, &x);
	if (x >= gf__last_end(cal)) {
		day++;
		x = 0;
	}
	int64_t i = day - cal->first;
	if (i < 0 || i >= cal->ndays)
		return GF_ERANGE;
	return gf__after_working(cal, gf__cumulative(cal, i, x), ms, due);
}

static int gf__add_work_days(const gf__calendar *cal, gf_time t, unsigned n,
			     gf_time *due)
{
	int64_t day, x;
	gf__local(cal, t, &day, &x);
	/* the day of receipt is never consulted: only the days after it */
	int64_t i0 = day + 1 - cal->first;
	if (i0 < 0 || i0 >= cal->ndays)
		return GF_ERANGE;
	int64_t i = gf__nth_workday(cal, cal->cum[i0] + (int64_t)n);
	if (i < 0)
		return GF_ERANGE;
	*due = gf__instant(cal, cal->first + i, gf__last_end(cal));
	return GF_OK;
}

/* cal may be NULL for the natural units, which need no calendar. */
int gf__cal_add(const gf__calendar *cal, gf_time t, gf__duration d,
		gf_time *due)
{
	if (!due || d.n < 1 || d.n > DUR_MAX)
		return GF_EINVAL;
	int64_t unit;
	switch (d.unit) {
	case GF__DUR_MINUTES: unit = MS_MIN; break;
	case GF__DUR_HOURS: unit = MS_HOUR; break;
	case GF__DUR_DAYS: unit = MS_DAY; break;
	case GF__DUR_WORK_HOURS:
	case GF__DUR_WORK_DAYS:
		if (!cal)
			return GF_EINVAL;
		if (cal->nperiods == 0 || cal->ndays == 0)
			return GF_ERANGE; /* a calendar that failed to load */
		return d.unit == GF__DUR_WORK_HOURS
			       ? gf__add_work_hours(cal, t, d.n, due)
			       : gf__add_work_days(cal, t, d.n, due);
	default:
		return GF_EINVAL;
	}
	int64_t len = unit * (int64_t)d.n;
	if (t > INT64_MAX - len)
		return GF_ERANGE;
	*due = t + len;
	return GF_OK;
}

int gf__cal_working_ms(const gf__calendar *cal, gf_time from, gf_time to,
		       int64_t *out)
{
	if (!cal || !out)
		return GF_EINVAL;
	*out = 0;
	if (to <= from)
		return GF_OK;
	if (cal->nperiods == 0 || cal->ndays == 0)
		return GF_ERANGE;
	int64_t fd, fx, td, tx;
	gf__local(cal, from, &fd, &fx);
	gf__local(cal, to, &td, &tx);
	/* Days whose class cannot change the answer are not consulted: from's
	 * day when from is past its last period, to's day when to is not
	 * past its first period start. */
	if (fx >= gf__last_end(cal)) {
		fd++;
		fx = 0;
	}
	if (tx <= cal->periods[0].start)
		tx = 0;
	if (fd > td || (fd == td && fx >= tx))
		return GF_OK;
	int64_t fi = fd - cal->first, ti = td - cal->first;
	/* the last day consulted is to's, or the one before when tx is 0 */
	if (fi < 0 || ti > cal->ndays || (ti == cal->ndays && tx > 0))
		return GF_ERANGE;
	*out = gf__cumulative(cal, ti, tx) - gf__cumulative(cal, fi, fx);
	return GF_OK;
}

/* ---- durations ------------------------------------------------------ */

int gf__duration_parse(gf__duration *out, const char *s, size_t len)
{
	if (!out || !s)
		return GF_EINVAL;
	size_t nd = 0;
	unsigned long v = 0;
	while (nd < len && s[nd] >= '0' && s[nd] <= '9') {
		/* no leading zero: one spelling per duration */
		if (nd == 0 && s[nd] == '0')
			return GF_EVALUE;
		v = v * 10 + (unsigned long)(s[nd] - '0');
		if (v > DUR_MAX)
			return GF_EVALUE;
		nd++;
	}
	if (nd == 0)
		return GF_EVALUE;
	const char *u = s + nd;
	size_t ul = len - nd;
	static const struct {
		const char *name;
		gf__dur_unit unit;
	} units[] = {
		{ "m", GF__DUR_MINUTES },     { "h", GF__DUR_HOURS },
		{ "d", GF__DUR_DAYS },        { "wh", GF__DUR_WORK_HOURS },
		{ "wd", GF__DUR_WORK_DAYS },
	};
	for (size_t k = 0; k < sizeof(units) / sizeof(units[0]); k++) {
		if (strlen(units[k].name) == ul &&
		    memcmp(units[k].name, u, ul) == 0) {
			out->unit = units[k].unit;
			out->n = (unsigned)v;
			return GF_OK;
		}
	}
	return GF_EVALUE;
}

/* ---- loading -------------------------------------------------------- */

typedef struct gf__cal_loader {
	gf__calendar *cal;
	gf__problems pr;
} gf__cal_loader;

/* The member key of root if it has type t, else NULL after reporting. */
static struct json_object *gf__member(gf__cal_loader *l,
				      struct json_object *root,
				      const char *key, json_type t,
				      const char *want)
{
	char path[PATH_BUF];
	struct json_object *v;
	snprintf(path, sizeof(path), "$.%s", key);
	if (!json_object_object_get_ex(root, key, &v)) {
		gf__problem_report(&l->pr, path, "required field is missing");
		return NULL;
	}
	if (!json_object_is_type(v, t)) {
		gf__problem_expected(&l->pr, path, want, v);
		return NULL;
	}
	return v;
}

/* A string without NUL, or NULL after reporting. */
static const char *gf__str(gf__cal_loader *l, const char *path,
			   struct json_object *v, size_t *len)
{
	if (!json_object_is_type(v, json_type_string)) {
		gf__problem_expected(&l->pr, path, "a string", v);
		return NULL;
	}
	const char *s = json_object_get_string(v);
	*len = (size_t)json_object_get_string_len(v);
	if (strlen(s) != *len) {
		gf__problem_report(&l->pr, path, "must not contain a NUL character");
		return NULL;
	}
	return s;
}

static void gf__load_offset(gf__cal_loader *l, struct json_object *root)
{
	struct json_object *v =
		gf__member(l, root, "utc_offset", json_type_string, "a string");
	size_t n;
	const char *s = v ? gf__str(l, "$.utc_offset", v, &n) : NULL;
	if (!s)
		return;
	int h = n == 6 ? gf__digits(s + 1, 2) : -1;
	int m = n == 6 ? gf__digits(s + 4, 2) : -1;
	if (n != 6 || (s[0] != '+' && s[0] != '-') || s[3] != ':' || h < 0 ||
	    h > 23 || m < 0 || m > 59) {
		char show[SHOW_BUF];
		gf__problem_report(&l->pr, "$.utc_offset",
				"bad offset %s: expected +HH:MM or -HH:MM "
				"(at most 23:59)",
				gf__json_show(v, show, sizeof(show)));
		return;
	}
	l->cal->offset_min = (s[0] == '-' ? -1 : 1) * (h * 60 + m);
	l->cal->offset_ms = l->cal->offset_min * MS_MIN;
}

/* "HH:MM" from 00:00 to 24:00 as minutes, or -1. */
static int gf__parse_hhmm(const char *s, size_t n)
{
	if (n != 5 || s[2] != ':')
		return -1;
	int h = gf__digits(s, 2), m = gf__digits(s + 3, 2);
	if (h < 0 || m < 0 || m > 59 || h > 24 || (h == 24 && m != 0))
		return -1;
	return h * 60 + m;
}

static int gf__load_periods(gf__cal_loader *l, struct json_object *root)
{
	struct json_object *arr = gf__member(l, root, "working_periods",
					     json_type_array, "an array");
	if (!arr)
		return GF_OK;
	size_t n = json_object_array_length(arr);
	if (n == 0) {
		gf__problem_report(&l->pr, "$.working_periods",
				"needs at least one working period");
		return GF_OK;
	}
	gf__period *p = gf__calloc(n, sizeof(*p));
	if (!p)
		return GF_ENOMEM;
	l->cal->periods = p;
	int ok = 1;
	int prev_end = -1;  /* minutes; -1 when the previous one is unusable */
	size_t prev_i = 0;
	for (size_t i = 0; i < n; i++) {
		char path[PATH_BUF], show[SHOW_BUF];
		struct json_object *e = json_object_array_get_idx(arr, i);
		snprintf(path, sizeof(path), "$.working_periods[%zu]", i);
		if (!json_object_is_type(e, json_type_array) ||
		    json_object_array_length(e) != 2) {
			gf__problem_expected(&l->pr, path, "a pair [\"HH:MM\", \"HH:MM\"]", e);
			ok = 0;
			prev_end = -1;
			continue;
		}
		int t[2];
		for (size_t k = 0; k < 2; k++) {
			char kpath[PATH_BUF];
			struct json_object *v = json_object_array_get_idx(e, k);
			snprintf(kpath, sizeof(kpath),
				 "$.working_periods[%zu][%zu]", i, k);
			size_t sl;
			const char *s = gf__str(l, kpath, v, &sl);
			t[k] = s ? gf__parse_hhmm(s, sl) : -1;
			if (s && t[k] < 0)
				gf__problem_report(&l->pr, kpath,
						"bad time %s: expected HH:MM "
						"from 00:00 to 24:00",
						gf__json_show(v, show,
							      sizeof(show)));
		}
		if (t[0] < 0 || t[1] < 0) {
			ok = 0;
			prev_end = -1;
			continue;
		}
		if (t[0] >= t[1]) {
			snprintf(path, sizeof(path),
				 "$.working_periods[%zu][1]", i);
			gf__problem_report(&l->pr, path,
					"ends at %02d:%02d, not after its start "
					"%02d:%02d",
					t[1] / 60, t[1] % 60, t[0] / 60,
					t[0] % 60);
			ok = 0;
			prev_end = -1;
			continue;
		}
		if (prev_end >= 0 && t[0] < prev_end) {
			snprintf(path, sizeof(path),
				 "$.working_periods[%zu][0]", i);
			gf__problem_report(&l->pr, path,
					"starts at %02d:%02d, before "
					"$.working_periods[%zu] ends at "
					"%02d:%02d: periods must be in order "
					"and must not overlap",
					t[0] / 60, t[0] % 60, prev_i,
					prev_end / 60, prev_end % 60);
			ok = 0;
		}
		p[i].start = t[0] * MS_MIN;
		p[i].end = t[1] * MS_MIN;
		prev_end = t[1];
		prev_i = i;
	}
	if (ok) {
		l->cal->nperiods = n;
		for (size_t i = 0; i < n; i++)
			l->cal->day_ms += p[i].end - p[i].start;
	}
	return GF_OK;
}

static void gf__load_weekend(gf__cal_loader *l, struct json_object *root)
{
	static const char *const names[7] = { "monday",   "tuesday",
					      "wednesday", "thursday",
					      "friday",   "saturday",
					      "sunday" };
	struct json_object *arr =
		gf__member(l, root, "weekend", json_type_array, "an array");
	if (!arr)
		return;
	size_t n = json_object_array_length(arr);
	for (size_t i = 0; i < n; i++) {
		char path[PATH_BUF], show[SHOW_BUF];
		struct json_object *v = json_object_array_get_idx(arr, i);
		size_t sl;
		snprintf(path, sizeof(path), "$.weekend[%zu]", i);
		const char *s = gf__str(l, path, v, &sl);
		if (!s)
			continue;
		int w = -1;
		for (int k = 0; k < 7; k++)
			if (strlen(names[k]) == sl && memcmp(names[k], s, sl) == 0)
				w = k;
		if (w < 0) {
			gf__problem_report(&l->pr, path,
					"unknown day %s: expected monday, "
					"tuesday, ..., sunday",
					gf__json_show(v, show, sizeof(show)));
		} else if (l->cal->weekend & (1u << w)) {
			gf__problem_report(&l->pr, path, "\"%s\" is listed twice",
					names[w]);
		} else {
			l->cal->weekend |= 1u << w;
		}
	}
}

/* The covered years: 1 with the first and last, or 0 after reporting. */
static int gf__load_years(gf__cal_loader *l, struct json_object *root,
			  int *first, int *last)
{
	struct json_object *arr =
		gf__member(l, root, "years", json_type_array, "an array");
	if (!arr)
		return 0;
	size_t n = json_object_array_length(arr);
	if (n == 0 || n > YEARS_MAX) {
		gf__problem_report(&l->pr, "$.years",
				"expected 1 to %d consecutive years, got %zu",
				YEARS_MAX, n);
		return 0;
	}
	int ok = 1;
	int64_t prev = 0;
	for (size_t i = 0; i < n; i++) {
		char path[PATH_BUF], show[SHOW_BUF];
		struct json_object *v = json_object_array_get_idx(arr, i);
		snprintf(path, sizeof(path), "$.years[%zu]", i);
		if (!json_object_is_type(v, json_type_int)) {
			gf__problem_expected(&l->pr, path, "a year", v);
			ok = 0;
			prev = 0;
			continue;
		}
		int64_t y = json_object_get_int64(v);
		if (y < YEAR_MIN || y > YEAR_MAX) {
			gf__problem_report(&l->pr, path,
					"year %" PRId64 " is outside %d..%d",
					y, YEAR_MIN, YEAR_MAX);
			ok = 0;
			prev = 0;
			continue;
		}
		if (i == 0) {
			*first = (int)y;
		} else if (prev && y != prev + 1) {
			gf__problem_report(&l->pr, path,
					"expected %" PRId64 ", got %s: years "
					"must be consecutive and ascending",
					prev + 1,
					gf__json_show(v, show, sizeof(show)));
			ok = 0;
		}
		prev = y;
		*last = (int)y;
	}
	return ok;
}

/*
 * An entry of holidays (a date or "A/B") or workdays (a date only): 1
 * with its first and last day numbers (absolute), or 0 after reporting.
 * Years are checked when years_ok.
 */
static int gf__load_dates(gf__cal_loader *l, const char *path,
			  struct json_object *v, int allow_range,
			  int years_ok, int y0, int y1, int64_t *a,
			  int64_t *b)
{
	char show[SHOW_BUF];
	size_t n;
	const char *s = gf__str(l, path, v, &n);
	if (!s)
		return 0;
	int ya, yb;
	const char *slash = memchr(s, '/', n);
	int good;
	if (slash && allow_range)
		good = gf__parse_date(s, (size_t)(slash - s), a, &ya) &&
		       gf__parse_date(slash + 1, n - (size_t)(slash - s) - 1,
				      b, &yb);
	else if ((good = gf__parse_date(s, n, a, &ya)) != 0)
		*b = *a, yb = ya;
	if (!good) {
		gf__problem_report(&l->pr, path, "bad date %s: expected %s",
				gf__json_show(v, show, sizeof(show)),
				allow_range ? "YYYY-MM-DD or an inclusive range "
					      "YYYY-MM-DD/YYYY-MM-DD"
					    : "YYYY-MM-DD");
		return 0;
	}
	if (*a > *b) {
		gf__problem_report(&l->pr, path,
				"bad range %s: the first date is after the "
				"last",
				gf__json_show(v, show, sizeof(show)));
		return 0;
	}
	if (years_ok && (ya < y0 || yb > y1)) {
		if (y0 == y1)
			gf__problem_report(&l->pr, path,
					"%s is outside the year %d of "
					"$.years",
					gf__json_show(v, show, sizeof(show)),
					y0);
		else
			gf__problem_report(&l->pr, path,
					"%s is outside the years %d..%d of "
					"$.years",
					gf__json_show(v, show, sizeof(show)),
					y0, y1);
		return 0;
	}
	return 1;
}

/*
 * holidays and workdays. When the years are usable the class table is
 * built: the weekly rule, then holidays, then make-up workdays, with
 * `src` remembering which holiday entry claimed each day so that a clash
 * can name it.
 */
static int gf__load_days(gf__cal_loader *l, struct json_object *root,
			 int years_ok, int y0, int y1)
{
	gf__calendar *cal = l->cal;
	struct json_object *hol =
		gf__member(l, root, "holidays", json_type_array, "an array");
	struct json_object *work =
		gf__member(l, root, "workdays", json_type_array, "an array");
	uint32_t *src = NULL;
	int64_t first = 0, ndays = 0;
	if (years_ok) {
		first = gf__days_from_civil(y0, 1, 1);
		ndays = gf__days_from_civil((int64_t)y1 + 1, 1, 1) - first;
		cal->cls = gf__malloc((size_t)ndays);
		cal->cum = gf__malloc((size_t)(ndays + 1) * sizeof(*cal->cum));
		src = gf__calloc((size_t)ndays, sizeof(*src));
		if (!cal->cls || !cal->cum || !src) {
			gf__free(src);
			return GF_ENOMEM;
		}
		for (int64_t i = 0; i < ndays; i++)
			cal->cls[i] = (unsigned char)(
				(cal->weekend >> gf__weekday(first + i)) & 1u
					? GF__DAY_WEEKEND
					: GF__DAY_WORKDAY);
	}
	size_t nh = hol ? json_object_array_length(hol) : 0;
	for (size_t k = 0; k < nh; k++) {
		char path[PATH_BUF];
		int64_t a, b;
		snprintf(path, sizeof(path), "$.holidays[%zu]", k);
		if (!gf__load_dates(l, path, json_object_array_get_idx(hol, k),
				    1, years_ok, y0, y1, &a, &b) ||
		    !years_ok)
			continue;
		for (int64_t d = a; d <= b; d++) {
			cal->cls[d - first] = GF__DAY_HOLIDAY;
			if (!src[d - first])
				src[d - first] = (uint32_t)k + 1;
		}
	}
	size_t nw = work ? json_object_array_length(work) : 0;
	for (size_t k = 0; k < nw; k++) {
		char path[PATH_BUF];
		int64_t a, b;
		struct json_object *v = json_object_array_get_idx(work, k);
		snprintf(path, sizeof(path), "$.workdays[%zu]", k);
		if (!gf__load_dates(l, path, v, 0, years_ok, y0, y1, &a, &b) ||
		    !years_ok)
			continue;
		/* checked: exactly YYYY-MM-DD */
		const char *date = json_object_get_string(v);
		if (src[a - first]) {
			gf__problem_report(&l->pr, path,
					"%s is also a holiday "
					"($.holidays[%" PRIu32 "])",
					date, src[a - first] - 1);
		} else if (!((cal->weekend >> gf__weekday(a)) & 1u)) {
			/* almost always a typo: a make-up day replaces a
			 * rest day, and this one is not a rest day */
			gf__problem_report(&l->pr, path,
					"%s is not a weekend day, so it cannot "
					"be a make-up workday",
					date);
		} else {
			cal->cls[a - first] = GF__DAY_WORKDAY;
		}
	}
	gf__free(src);
	if (years_ok) {
		cal->first = first;
		cal->ndays = ndays;
		cal->cum[0] = 0;
		for (int64_t i = 0; i < ndays; i++)
			cal->cum[i + 1] = cal->cum[i] +
					  (cal->cls[i] == GF__DAY_WORKDAY);
	}
	return GF_OK;
}

int gf__cal_load(gf__calendar **out, struct json_object *root,
		 gf__cal_problem_fn report, void *ud)
{
	if (!out)
		return GF_EINVAL;
	*out = NULL;
	gf__calendar *cal = gf__calloc(1, sizeof(*cal));
	if (!cal)
		return GF_ENOMEM;
	gf__cal_loader l = { cal, { report, ud, 0 } };
	if (!json_object_is_type(root, json_type_object)) {
		gf__problem_expected(&l.pr, "$", "an object", root);
		*out = cal;
		return l.pr.count;
	}
	struct json_object *v;
	if (json_object_object_get_ex(root, "version", &v) &&
	    !json_object_is_type(v, json_type_string))
		gf__problem_expected(&l.pr, "$.version", "a string", v);
	gf__load_offset(&l, root);
	if (gf__load_periods(&l, root) != GF_OK)
		goto oom;
	gf__load_weekend(&l, root);
	int y0 = 0, y1 = 0;
	int years_ok = gf__load_years(&l, root, &y0, &y1);
	if (gf__load_days(&l, root, years_ok, y0, y1) != GF_OK)
		goto oom;
	*out = cal;
	return l.pr.count;
oom:
	gf__cal_free(cal);
	return GF_ENOMEM;
}
