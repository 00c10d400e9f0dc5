/*
 * order.h - work orders and the state machine that moves them.
 *
 * Every change is made in two steps. gf__order_plan() checks an action
 * against the order, the actor's authority and the configuration, and
 * produces a plan: everything the change needs, decided. gf__order_apply()
 * carries a plan out and cannot fail except for memory. The engine
 * stores the plan before applying it, and replays stored plans at open
 * with gf__order_apply() alone: a journal written under one
 * configuration replays to the same state under another.
 */
#ifndef GF_ORDER_H
#define GF_ORDER_H

#include "internal.h"
#include "directory.h"
#include "event.h"
#include "clock.h"

#define GF__ORDER_ID_MAX 32

/*
 * Orders, reports and audit entries live in the engine's pool (see
 * gf__pool): never freed one by one. Department, rule and role strings
 * are interned there; only a report's event (ev.mem) and its rendered
 * JSON are separate allocations, freed by gf__order_release().
 */
struct gf_report {
	const char *ref;       /* points into ev.ref */
	gf__ev ev;
	char *json;            /* rendered on first gf_report_json() */
	gf_order *order;       /* the order holding it now */
};

struct gf_audit {
	gf_time at;
	const char *what;      /* static: an op name or "create", ... */
	const char *dept;      /* interned: the actor, or "system" */
	const char *role;      /* static role name */
	gf_state from, to;
	const char *reason;    /* never NULL */
	const char *lead;      /* interned: who holds the order afterwards;
				* NULL for the creation entry */
};

struct gf_order {
	char id[GF__ORDER_ID_MAX];
	gf_state state;
	const char *lead;      /* interned */
	gf_level level;
	const char *rule;      /* interned */
	const char *category;  /* interned */
	char region[13];
	gf_urgency urgency;
	gf_time created_at, updated_at;
	gf_time updated_unlinked; /* updated_at before the last link, for
				   * gf__order_unlink_last() */
	gf_satisfaction satisfaction;
	unsigned returns, reopens, extensions;
	int paused;
	const char *merged_into;
	/* routing: the SLA policy, the order's priority (0: none), the
	 * assisting departments (会办) and the rule set's version */
	const char *sla;
	int priority;
	const char **assist;
	size_t nassist;
	const char *rules_version;
	gf_time dispatched_at;  /* the lead's assignment began: the return
				 * window runs from here */
	int designated;         /* the desk chose the handler itself: no
				 * more returns (Weifang 12345 rules, art. 22) */
	/* SLA: the policy's clocks (pool) and their timeline */
	const gf__sla *sla_set;
	const gf__sla_policy *policy;
	gf_sla_clock *clocks;
	size_t nclocks;
	gf_sla_mark *marks;
	size_t nmarks, cmarks;
	gf_report **reports;
	size_t nreports, creports;
	gf_audit *audit;
	size_t naudit, caudit;
	size_t index;          /* position in the engine's creation order */
	uint32_t dd_entry;     /* its entry in the duplicate index + 1, or 0 */
	unsigned callers;      /* distinct reporter hashes among reports */
	gf_scale scale;
	const char *suspected_of; /* interned: the order this one may
				   * repeat, until merged or dismissed */
	/* for a store with tables (pg.c): the audit entries and reports
	 * already written, and whether the engine listed it as changed */
	uint32_t saved_audit, saved_reports;
	int touched;
};

/* Known actor roles; gf__role_name() returns the static name or NULL. */
const char *gf__role_name(const char *s, size_t len);

/* A decided change. Strings are borrowed from the caller (action,
 * record or order) and copied by gf__order_apply() as needed. */
typedef struct gf__plan {
	gf_op op;
	/* return: the rule set re-routed it (to = dispatched) or not (the
	 * desk, to = returned) */
	gf_time at;
	const char *actor;      /* department id */
	const char *role;       /* static role name */
	const char *reason;     /* may be NULL */
	gf_state to;            /* the order's state afterwards */
	/* dispatch, return: the new lead; split: the new order's lead */
	const char *lead;
	gf_level level;
	const char *rule;
	gf_satisfaction satisfaction; /* callback */
	const char *duration;   /* extend */
	const char *into;       /* merge: the absorbing order's id */
	const char *report;     /* split: the report ref taken out */
	const char *new_order;  /* split: the new order's id */
	/* extend, approve_extension, reject_extension: the clock (NULL:
	 * the order has none, and extend is only recorded); extend: grant
	 * is 1 when no approval is needed; approve: duration is the
	 * request's */
	const char *clock;
	int grant;
	/* merge: the scale the absorbing order rises to (the greater of
	 * its own, the merged order's and the one their callers together
	 * call for), or 0 when it stays; decided here and stored, so that
	 * a replay does not read the dedup.json of its day */
	gf_scale scale;
	/* split: the rest of the new order's routing, as for a new order
	 * (routed 1). A record of an older layout carries none (routed 0),
	 * and the new order then takes the old one's, as it did then. */
	int routed;
	const char *sla;        /* or NULL */
	int priority;
	const char *version;    /* the rule set's, or NULL */
	size_t nassist;
	const char *assist[GF__MAX_ASSIST];
} gf__plan;

/* What routing decided for a new order; strings must outlive the
 * engine's orders (configuration or interned). */
typedef struct gf__routing {
	const char *lead;
	gf_level level;
	const char *rule;
	const char *sla;        /* or NULL */
	int priority;
	const char *const *assist;
	size_t nassist;
	const char *version;    /* the rule set's */
	const gf__sla *sla_set; /* the policy set in force, or NULL */
} gf__routing;

/* What planning needs beyond the order. */
typedef struct gf__plan_ctx {
	const gf__dir *dir;
	const gf__dept *fallback;  /* the desk */
	/* resolve a ref for merge (into) and split: NULL when unknown */
	gf_order *(*find)(void *ud, const char *ref);
	void *find_ud;
	/* route event ev without the departments in exclude: 1 and *lead,
	 * *level, *rule when the rules name a department, 0 for the desk,
	 * or a negative error; with more (a split), also the SLA policy,
	 * priority, rule-set version and assists a new order gets */
	int (*reroute)(void *ud, const gf__ev *ev,
		       const char *const *exclude, size_t nexclude,
		       const char **lead, gf_level *level, const char **rule,
		       gf__plan *more);
	unsigned return_limit;
	gf_time return_window;  /* ms */
	/* dedup.json "crowd": distinct callers that make a group and a
	 * major group event (0: no crowd rule) */
	unsigned crowd_group, crowd_major;
} gf__plan_ctx;

/* The inputs of an action, as the engine read them (all optional
 * except op; strings borrowed). */
typedef struct gf__act {
	gf_op op;
	const char *ref;
	const char *actor;
	const char *role;       /* NULL: the default for the actor */
	const char *reason;
	const char *dept;
	const char *into;
	const char *duration;
	gf_satisfaction satisfaction;
	const char *clock;
} gf__act;

/*
 * Check an action against order o and fill plan (at = now). Returns GF_OK
 * or the refusal (GF_ESTATE, GF_EPERM, GF_EMISSING, GF_EVALUE,
 * GF_EUNKNOWN, GF_ENOTFOUND) with err naming the field ("$.actor",
 * "$.reason", ...). For split the caller fills plan->new_order after a
 * successful check; everything else is decided here.
 */
int gf__order_plan(const gf_order *o, const gf__act *a, gf_time now,
		   const gf__plan_ctx *ctx, gf__plan *plan, gf__err *err);

/* A fresh order holding one report (ownership of *ev moves into it; ev
 * is left empty), dispatched per the routing decision, its SLA clocks
 * (rt->sla in rt->sla_set) started. On failure *ev is
 * untouched. stable: lead and rule outlive the engine's orders (strings
 * of its configuration, or static); otherwise they are interned. */
int gf__order_create(gf_order **out, gf__pool *pool, const char *id,
		     gf__ev *ev, gf_time at, const gf__routing *rt, int stable);

/*
 * Carry out a plan on o. For merge, into is the absorbing order and
 * every report of o moves to it (with plan->scale, into's scale and
 * urgency rise, with an audit entry "crowd" after "merged_from"); for
 * split, *created receives the new order holding the report
 * plan->report (the caller indexes it), whose SLA policy a routed split
 * takes from sla_set, the policies in force (may be NULL). GF_OK or
 * GF_ENOMEM, in which case o is unchanged.
 */
int gf__order_apply(gf_order *o, gf__pool *pool, const gf__plan *p,
		    const gf__sla *sla_set, gf_order *into,
		    gf_order **created);

/* Free what the order's reports hold outside the pool (their events and
 * rendered JSON); the order itself stays in the pool. */
void gf__order_release(gf_order *o);

/*
 * Link a report to o (a repeated call, a duplicate): ownership of *ev
 * moves into the new report (ev is left empty), an audit entry "link"
 * (actor "system") gives the reason; state and clocks stay. *out is the
 * report, for the caller to index. GF_OK, or GF_ENOMEM with o and *ev
 * unchanged. gf__order_unlink_last() undoes it (the store refused the
 * record), freeing the report's event.
 */
int gf__order_link(gf_order *o, gf__pool *pool, gf__ev *ev, gf_time at,
		   const char *reason, gf_report **out);
void gf__order_unlink_last(gf_order *o);

/* The order's distinct callers grew to a crowd: scale becomes `to`
 * (higher than it was), urgency rises to urgent (group) or critical
 * (major group), with an audit entry "crowd" giving the reason. Room for
 * the entry was made by gf__order_link. */
void gf__order_crowd(gf_order *o, gf__pool *pool, gf_time at, gf_scale to,
		     const char *reason);

/* The scale `callers` distinct callers call for under dedup.json
 * "crowd" (group and major group thresholds; group 0: no crowd rule,
 * individual). */
gf_scale gf__scale_for(unsigned callers, unsigned group, unsigned major);

/* "group event (一般群体性)" or "major group event (重大群体性)", for the
 * audit and notices of a crowd. */
const char *gf__scale_words(gf_scale s);

/* Distinct reporter hashes among o's reports. */
unsigned gf__order_count_callers(const gf_order *o);

/* Distinct reporter hashes among the reports of a and b together (what
 * a counts after b merges into it). */
unsigned gf__order_count_callers2(const gf_order *a, const gf_order *b);

/* A new order o may repeat order `of` (a near duplicate in the grey
 * band): flag it, with an audit entry "suspect" giving the reason.
 * GF_OK or GF_ENOMEM (o unchanged). */
int gf__order_suspect(gf_order *o, gf__pool *pool, gf_time at,
		      const char *of, const char *reason);

/*
 * An SLA ladder step on o at t: an audit entry (actor "system") saying
 * what and why; with lead, the order is reassigned there (back to
 * dispatched, level given) or, with copy, lead becomes an assisting
 * department. Clock i's step is counted. GF_OK or GF_ENOMEM (o unchanged).
 */
int gf__order_step(gf_order *o, gf__pool *pool, size_t i, unsigned step,
		   gf_time at, const char *reason, const char *lead,
		   gf_level level, int copy);

/* Valid duration text: N followed by m, h, d, wh or wd, N in 1..9999. */
int gf__duration_valid(const char *s);

#endif
