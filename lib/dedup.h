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
#include "textsim.h"

struct json_object;

typedef enum gf__match {
	GF__MATCH_CATEGORY = 1, /* "category": the same category code */
	GF__MATCH_FAMILY = 2    /* "family": the same first two segments
				 * ("city.environment") */
} gf__match;

#define GF__NEAR_MAX_FAMILIES 64
#define GF__NEAR_MAX_EQUIVALENT 64
/* "near.problems": problems in all (an item names them by a byte), the
 * entries that group them by category, category prefixes of an entry,
 * terms of a problem, and a term's length once normalised */
#define GF__NEAR_MAX_PROBLEMS 255
#define GF__NEAR_MAX_PENTRIES 64
#define GF__NEAR_MAX_PCATS 16
#define GF__NEAR_MAX_TERMS 16
#define GF__NEAR_MAX_TERM 64
/* Problems a report or an open order is kept naming. */
#define GF__DD_MAX_PROBLEMS 4

/* A category family's own window and radius ("near.families"). */
typedef struct gf__near_family {
	char *prefix;           /* a category prefix: "police", "city.env" */
	int64_t window_ms;
	double radius_m;
} gf__near_family;

/* One specific problem ("near.problems[i].terms[j]"): a report names it
 * when one of its terms is in the normalised title or content. */
typedef struct gf__near_problem {
	/* normalised, non-empty; the first names the problem */
	char *terms[GF__NEAR_MAX_TERMS];
	size_t tlen[GF__NEAR_MAX_TERMS];
	size_t nterms;
} gf__near_problem;

/* The problems of reports of some categories ("near.problems[i]"). */
typedef struct gf__near_pentry {
	char *cats[GF__NEAR_MAX_PCATS]; /* prefixes; none: every category */
	size_t ncats;
	size_t first, n;        /* its problems in gf__near.problems */
} gf__near_pentry;

/* Near duplicates across channels ("near"). */
typedef struct gf__near {
	int on;
	int64_t window_ms;      /* natural time: m, h, d */
	double radius_m;
	double link_at;         /* score >= link_at: linked */
	double suspect_at;      /* score >= suspect_at: suspected */
	double w_distance, w_time, w_category, w_text, w_caller;
	/* house and building numbers (and the address) agreeing or not;
	 * 0 by default: scores stay as they were without it */
	double w_place;
	/* two reports naming one specific problem, or only different ones
	 * ("problems"); 0 by default: not looked for */
	double w_problem;
	gf__near_problem *problems; /* GF__NEAR_MAX_PROBLEMS, allocated */
	size_t nproblems;
	gf__near_pentry pentries[GF__NEAR_MAX_PENTRIES];
	size_t npentries;
	gf__near_family families[GF__NEAR_MAX_FAMILIES];
	size_t nfamilies;
	/* pairs of category prefixes that name one problem in two
	 * channels' taxonomies */
	char *eq[GF__NEAR_MAX_EQUIVALENT][2];
	size_t neq;
	/* for gf__near_tag: the hash of each pair's first segments, and
	 * the tag of the segments each is joined with */
	uint32_t eq_seg[GF__NEAR_MAX_EQUIVALENT][2];
	uint32_t eq_tag[GF__NEAR_MAX_EQUIVALENT][2];
	/* the largest window and radius of any family: what the index
	 * keeps and searches */
	int64_t max_window_ms;
	double max_radius_m;
} gf__near;

typedef struct gf__dedup {
	char *version;          /* "" when not given */
	int repeat_on;          /* repeat_caller given */
	gf__duration repeat_window;
	gf__match repeat_match;
	const gf__calendar *cal; /* for working-time windows */
	gf__near near;
	/* "crowd": distinct callers at which an order becomes a group (and
	 * urgent) or a major group event (and critical); 0: off */
	unsigned crowd_group, crowd_major;
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

/* Why a repeated call gap ms after its order's last report repeats it:
 * "repeated call: same caller, same family city.environment, same village
 * 320506001012, 2 h 0 min after the last report". */
void gf__dedup_repeat_reasons(const gf__dedup *d, const gf__ev *ev,
			      gf_time gap, char *why, size_t size);

/* When a repeated call after `last` stops counting as one: GF_OK and
 * *until, or GF_ERANGE (outside the calendar's years: not linked). */
int gf__dedup_window_end(const gf__dedup *d, gf_time last, gf_time *until);

#define GF__DD_MAX_NUMBERS 8
/* Text signatures an open order keeps: its first report's and its
 * latest linked report's (a later report may repeat either). More
 * measured no better on tools/eval_gen.py and cost 66 bytes each. */
#define GF__DD_MAX_SIGS 2

/* What matching needs of a report, or of an open order's reports
 * folded together (gf__dd_item_fold): compact, kept per open order. */
typedef struct gf__dd_item {
	gf_time at;             /* received_at of its latest report */
	double lat, lon;        /* the first report's */
	char region[13];        /* the village or community */
	uint8_t has_loc;
	uint8_t nsigs;          /* 1 for a report */
	uint8_t nnums;
	uint32_t nfolded;       /* reports folded in after the first */
	/* the problems its reports name (gf__near.problems index + 1),
	 * 0 for none; none when problem is not weighed */
	uint8_t probs[GF__DD_MAX_PROBLEMS];
	const char *category;   /* outlives the item (the order's) */
	uint64_t caller;        /* the first 64 bits of the first report's
				 * caller's hash, 0 when none */
	uint64_t grid;          /* hash of the first report's grid code
				 * (网格, under region), 0 when none */
	gf__textsig sig[GF__DD_MAX_SIGS]; /* title and content */
	/* the place numbers of address, title and content
	 * (gf__text_place_numbers); none when place is not weighed */
	uint32_t nums[GF__DD_MAX_NUMBERS];
	uint64_t addr;          /* hash of the first report's normalised
				 * address when it carries a place number,
				 * else 0 */
} gf__dd_item;

/* The item of an event (category borrowed from ev). d (may be NULL)
 * says what is weighed: place numbers are left out when place has no
 * weight. */
void gf__dd_item_make(gf__dd_item *it, const gf__dedup *d,
		      const gf__ev *ev);

/* A report (more, the item of one by gf__dd_item_make) joined the order
 * of it: it keeps the report's signature (in place of the one kept after
 * the first report's once full), its place numbers (up to the array's
 * size) and the later time; where, category, caller and address stay
 * the first report's. Folding an order's reports in order gives the
 * same item whether live or rebuilt. */
void gf__dd_item_fold(gf__dd_item *it, const gf__dd_item *more);

/* A new report about to be matched: what every candidate shares (its
 * family's window and radius), worked out once. */
typedef struct gf__dd_query {
	const gf__dd_item *it;
	int64_t window_ms;
	double radius_m;
	double m_per_deg_lon;   /* at the report's latitude */
} gf__dd_query;

void gf__dd_query_init(gf__dd_query *q, const gf__dedup *d,
		       const gf__dd_item *it);

/*
 * A 32-bit tag of a category such that two categories gf__dedup_score
 * may find compatible have the same tag: the hash of the first segment
 * ("city" of "city.environment.garbage"), where first segments joined
 * by "equivalent" pairs share the least of their hashes. Different tags:
 * never compatible; the same tag says nothing more (hashes collide).
 * The index keeps it beside each point, so that candidates of other
 * groups cost no look-up.
 */
uint32_t gf__near_tag(const gf__near *n, const char *category);

/* What a score was made of, for the reasons. */
typedef struct gf__dd_parts {
	double dist;            /* metres, or -1 without points */
	int64_t gap_ms;
	const char *how;        /* "same category", ... */
	/* without points: 1 the same grid, -1 other grids of the
	 * village, 0 no grid on a side */
	int grid;
	double jaccard;
	int caller;
	/* the place numbers: GF__DD_PLACE_*, and the number they share */
	int place;
	uint32_t place_num;
	/* the problems: 0 not weighed or nothing to compare, 1 one named
	 * by both (problem_name gets its name), -1 both name problems,
	 * none the same */
	int problem;
	const char *problem_name;
} gf__dd_parts;

enum {
	GF__DD_PLACE_OFF = -1,     /* place not weighed: not compared */
	GF__DD_PLACE_UNKNOWN = 0,  /* nothing to compare */
	GF__DD_PLACE_ADDRESS = 1,  /* the same address, with a number */
	GF__DD_PLACE_NUMBER = 2,   /* a house or building number shared */
	GF__DD_PLACE_OTHER = 3     /* numbers of one kind, none shared */
};

/*
 * How much the query's report repeats report b (an open order's latest),
 * in [0, 1], and of what (parts, may be NULL); -1 when b is no candidate
 * (too far, outside the window, incompatible categories). No string is
 * built: gf__dd_reasons writes them for the one that wins.
 */
double gf__dedup_score(const gf__dedup *d, const gf__dd_query *q,
		       const gf__dd_item *b, gf__dd_parts *parts);

/* "240 m apart, 12 min apart, same category, text 0.62[, same caller]
 * [, same address | same number 12号 | other numbers]" (without points
 * "same grid G", "same village V, another grid" or "same village V" in
 * place of the distance; grid is the report's, or NULL); the place part
 * only when place is weighed, "[, same problem P | other problems]" only
 * when problem is. */
void gf__dd_reasons(const gf__dd_parts *p, const char *region,
		    const char *grid, char *why,
		    size_t size);

#endif
