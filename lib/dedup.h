/*
 * dedup.h - deduplication rules as loaded from dedup.json
 * (docs/formats.md), and the keys the engine matches reports by.
 *
 * This version recognises repeated calls (重复来电): the same caller
 * (the keyed hash of the phone), about the same kind of problem, in the
 * same village or community, while the order is open and within the
 * window, is linked to that order instead of making a new one.
 */
#ifndef GF_DEDUP_H
#define GF_DEDUP_H

#include "internal.h"
#include "calendar.h"
#include "directory.h"
#include "event.h"

struct json_object;

typedef enum gf__match {
	GF__MATCH_CATEGORY = 1, /* "category": the same category code */
	GF__MATCH_FAMILY = 2    /* "family": the same first two segments
				 * ("city.environment") */
} gf__match;

typedef struct gf__dedup {
	char *version;          /* "" when not given */
	int repeat_on;          /* repeat_caller given */
	gf__duration repeat_window;
	gf__match repeat_match;
	const gf__calendar *cal; /* for working-time windows */
} gf__dedup;

/*
 * Load a parsed dedup.json. Problems go to report(ud, path, msg) with
 * their JSON path; returns their number (0: *out usable) or GF_ENOMEM.
 * *out is set unless GF_ENOMEM; free it with gf__dedup_free. cal may be
 * NULL (working-time windows are then problems); the set borrows it.
 */
int gf__dedup_load(gf__dedup **out, struct json_object *root,
		   const gf__calendar *cal, gf__problem_fn report, void *ud);
void gf__dedup_free(gf__dedup *d);

/* The longest key gf__dedup_caller_key writes, with its NUL. */
#define GF__CALLER_KEY_MAX 192

/*
 * The repeat-caller key of an event into buf (GF__CALLER_KEY_MAX bytes):
 * caller hash, category (or family) and village code. Returns its
 * length, or 0 when the event cannot repeat a call (no caller, or
 * repeat_caller is off).
 */
size_t gf__dedup_caller_key(const gf__dedup *d, const gf__ev *ev,
			    char *buf);

/* When a repeated call after `last` stops counting as one: GF_OK and
 * *until, or GF_ERANGE (outside the calendar's years: not linked). */
int gf__dedup_window_end(const gf__dedup *d, gf_time last, gf_time *until);

#endif
