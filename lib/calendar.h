/*
 * calendar.h - China's working calendar: working periods of a day,
 * weekends, statutory holidays and make-up workdays (调休), and the
 * arithmetic of deadlines on it (docs/calendar.md says the rules).
 */
#ifndef GF_CALENDAR_H
#define GF_CALENDAR_H

#include "internal.h"

typedef struct gf__calendar gf__calendar;

typedef enum gf__day_class {
	GF__DAY_WORKDAY = 1,  /* a weekday, or a make-up workday */
	GF__DAY_WEEKEND = 2,  /* a weekend day that is not a make-up day */
	GF__DAY_HOLIDAY = 3   /* a statutory rest day */
} gf__day_class;

/* Durations: N of a unit. Natural units count wall time; working units
 * count only working time of the calendar. */
typedef enum gf__dur_unit {
	GF__DUR_MINUTES = 1,  /* "30m"  natural */
	GF__DUR_HOURS,        /* "2h"   natural */
	GF__DUR_DAYS,         /* "3d"   natural: N x 24 h */
	GF__DUR_WORK_HOURS,   /* "4wh"  working hours */
	GF__DUR_WORK_DAYS     /* "5wd"  working days */
} gf__dur_unit;

typedef struct gf__duration {
	gf__dur_unit unit;
	unsigned n;           /* 1 .. 100000 */
} gf__duration;

/* Parse "30m", "2h", "3d", "4wh", "5wd". GF_OK or GF_EVALUE. */
int gf__duration_parse(gf__duration *out, const char *s, size_t len);

/*
 * Load a parsed calendar.json (format in docs/formats.md). Problems go to
 * report(ud, path, msg) with their JSON path; loading goes on to find
 * them all. Returns the number of problems (0: *out usable) or
 * GF_ENOMEM; *out is set unless GF_ENOMEM. Free with gf__cal_free.
 */
struct json_object;
typedef void (*gf__cal_problem_fn)(void *ud, const char *path,
				   const char *msg);
int gf__cal_load(gf__calendar **out, struct json_object *root,
		 gf__cal_problem_fn report, void *ud);
void gf__cal_free(gf__calendar *cal);

/* The calendar's UTC offset, in minutes east. */
int gf__cal_offset(const gf__calendar *cal);

/* The class of the local day (at the calendar's offset) holding t. */
gf__day_class gf__cal_day_class(const gf__calendar *cal, gf_time t);

/*
 * The due time of a duration started at t:
 *   m, h, d   t + the natural length;
 *   wh        the instant at which N hours of working time have passed
 *             since t (time outside working periods, on weekends and on
 *             holidays does not count; a start outside working time
 *             counts from the next working period);
 *   wd        the end of the last working period of the Nth working day
 *             counted from the first working day after the local day of
 *             t (the day of receipt never counts, wherever in it t is).
 * GF_OK, or GF_ERANGE when the answer would leave the years the calendar
 * covers (a working duration cannot be computed on unknown holidays).
 */
int gf__cal_add(const gf__calendar *cal, gf_time t, gf__duration d,
		gf_time *due);

/* The instant at which ms of working time (ms >= 0) have passed since t,
 * as wh counts them (ms == 0: t itself). GF_ERANGE outside the years
 * covered. */
int gf__cal_add_working_ms(const gf__calendar *cal, gf_time t, int64_t ms,
			   gf_time *due);

/* Working time, in ms, in [from, to) (0 when to <= from). GF_ERANGE
 * outside the years covered. */
int gf__cal_working_ms(const gf__calendar *cal, gf_time from, gf_time to,
		       int64_t *out);

#endif
