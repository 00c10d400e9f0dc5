/*
 * sla.h - SLA policies as loaded from sla.json: for each named policy,
 * its clocks (sign, respond, resolve, accept, ...) with their durations,
 * warning ratio, extension rule and escalation ladder. The format is in
 * docs/formats.md; what the clocks do at run time is clock.h's.
 *
 * A policy set is immutable once loaded. The engine keeps every set it
 * has used until it closes: an order's clocks point at the clock
 * definitions of the set current when the clock started.
 */
#ifndef GF_SLA_H
#define GF_SLA_H

#include "internal.h"
#include "calendar.h"

struct json_object;

#define GF__SLA_MAX_CLOCKS 8
#define GF__SLA_MAX_STEPS 8

/* The points in an order's life a clock starts and stops at. */
typedef enum gf__milestone {
	GF__MS_NONE = 0,
	GF__MS_RECEIVED = 1,    /* the order was created */
	GF__MS_DISPATCHED = 2,  /* a (new) lead was assigned */
	GF__MS_SIGNED = 3,      /* 签收 (for petitions: 受理) */
	GF__MS_IN_PROGRESS = 4, /* 处置 began: the first response */
	GF__MS_RESOLVED = 5,    /* 办结 */
	GF__MS_VERIFIED = 6,
	GF__MS_CLOSED = 7
} gf__milestone;

/* "received", ...; NULL for GF__MS_NONE or out of range. */
const char *gf__milestone_name(gf__milestone m);

typedef enum gf__step_kind {
	GF__STEP_NOTIFY = 1,    /* "notify": tell someone, nothing moves */
	GF__STEP_URGE = 2,      /* "urge": 催办 */
	GF__STEP_SUPERVISE = 3, /* "supervise": 督办 */
	GF__STEP_ESCALATE = 4   /* "escalate": to the upper level */
} gf__step_kind;

/* "notify", "urge", "supervise", "escalate". */
const char *gf__step_name(gf__step_kind k);

typedef enum gf__step_when {
	GF__AT_WARNING = 1,     /* "warning": warn_ratio of the time used */
	GF__AT_DUE = 2,         /* "due" */
	GF__AT_AFTER_DUE = 3    /* "due+DURATION" */
} gf__step_when;

typedef enum gf__step_to {
	GF__TO_HANDLER = 1,     /* "handler": the lead department */
	GF__TO_SUPERVISOR = 2   /* "supervisor": the command centre */
} gf__step_to;

typedef struct gf__sla_step {
	gf__step_when when;
	gf__duration after;     /* GF__AT_AFTER_DUE: how long after due */
	gf__step_kind kind;
	gf__step_to to;         /* who is told */
	int copy;               /* escalate: 1 "copy" (the upper level
				 * assists), 0 "reassign" (it leads) */
	char *text;             /* the "at" as written, for messages */
} gf__sla_step;

typedef struct gf__sla_clock {
	char *name;             /* "sign", "resolve", ... */
	gf__duration due;
	char *due_text;         /* "15wd" as written */
	gf__milestone from, until;
	double warn_ratio;      /* in (0, 1); 0: no warning time */
	int pausable;           /* the order's pause stops it (default 1) */
	/* extension rule; ext_max 0: no extension */
	unsigned ext_max;
	gf__duration ext_longest;
	int has_ask_before;
	gf__duration ask_before;   /* asked no later than this before due */
	char *approver;         /* a department function, or NULL: granted
				 * as asked */
	gf__sla_step steps[GF__SLA_MAX_STEPS];
	size_t nsteps;
} gf__sla_clock;

typedef struct gf__sla_policy {
	char *id;               /* the key in "policies" */
	char *name;             /* the readable name, or "" */
	gf__sla_clock clocks[GF__SLA_MAX_CLOCKS];
	size_t nclocks;         /* in file order */
} gf__sla_policy;

typedef struct gf__sla {
	char *version;          /* "" when not given */
	gf__sla_policy *policies;
	size_t npolicies;
	gf__map by_id;          /* id -> gf__sla_policy* */
	const gf__calendar *cal; /* the calendar durations count on */
	gf__calendar *own_cal;  /* set when the set owns it (snapshots) */
	/* the snapshot: canonical JSON {"sla":...,"calendar":...} and its
	 * SHA-256, written to the store so that a replay finds the policies
	 * the clocks started under */
	char *text;
	size_t text_len;
	uint8_t digest[32];
} gf__sla;

typedef void (*gf__sla_problem_fn)(void *ud, const char *path,
				   const char *msg);

/*
 * Load a parsed sla.json against calendar cal (NULL when there is no
 * calendar.json: working durations are then problems). Every problem
 * goes to report(ud, path, msg) with its JSON path, and loading goes on
 * to find them all. Returns the number of problems (0: *out usable) or
 * GF_ENOMEM; *out is set unless GF_ENOMEM (free it with gf__sla_free).
 * The set borrows cal. Its snapshot text is built from root and calroot
 * (calendar.json's parsed root, or NULL).
 */
int gf__sla_load(gf__sla **out, struct json_object *root,
		 const gf__calendar *cal, struct json_object *calroot,
		 gf__sla_problem_fn report, void *ud);

/*
 * Rebuild a set from its snapshot text (gf__sla.text), calendar
 * included, which the set then owns. GF_OK, GF_ENOMEM or GF_ECORRUPT
 * (the text does not load without problems).
 */
int gf__sla_from_snapshot(gf__sla **out, const char *text, size_t len);

void gf__sla_free(gf__sla *s);

/* The policy of that id, or NULL. */
const gf__sla_policy *gf__sla_policy_get(const gf__sla *s, const char *id);

#endif
