/*
 * order.c - the work-order state machine: which action is legal in which
 * state, who may take it, and what it changes. docs/state-machine.md
 * describes the same table for readers: keep the two in step.
 */
#include <stdio.h>
#include <stdlib.h>

#include "order.h"

/* ---- names ------------------------------------------------------------ */

static const char *const gf__state_names[GF_STATE_COUNT] = {
	NULL, "received", "dispatched", "signed", "in_progress", "resolved",
	"verified", "closed", "returned", "reopened", "cancelled", "merged"
};

const char *gf_state_name(gf_state s)
{
	return (unsigned)s < GF_STATE_COUNT ? gf__state_names[s] : NULL;
}

int gf_state_is_terminal(gf_state s)
{
	return s == GF_STATE_CLOSED || s == GF_STATE_CANCELLED ||
	       s == GF_STATE_MERGED;
}

static const char *const gf__op_names[] = {
	NULL, "dispatch", "sign", "handle", "resolve", "verify",
	"reject_verification", "callback", "return", "extend", "pause",
	"resume", "merge", "split", "cancel", "approve_extension",
	"reject_extension", "dismiss"
};
#define GF__NOPS (sizeof(gf__op_names) / sizeof(gf__op_names[0]))

const char *gf_op_name(gf_op op)
{
	return (unsigned)op < GF__NOPS ? gf__op_names[op] : NULL;
}

gf_op gf_op_from_name(const char *s, size_t len)
{
	for (size_t i = 1; i < GF__NOPS; i++)
		if (strlen(gf__op_names[i]) == len &&
		    memcmp(gf__op_names[i], s, len) == 0)
			return (gf_op)i;
	return GF_OP_NONE;
}

static const char *const gf__satisfaction_names[] = {
	NULL, "satisfied", "basic", "unsatisfied", "unreachable"
};

const char *gf_satisfaction_name(gf_satisfaction s)
{
	return (unsigned)s <= GF_SATISFACTION_UNREACHABLE
		       ? gf__satisfaction_names[s]
		       : NULL;
}

static const char *const gf__roles[] = { "handler", "operator",
					 "supervisor", "leader", "system" };

const char *gf__role_name(const char *s, size_t len)
{
	for (size_t i = 0; i < sizeof(gf__roles) / sizeof(gf__roles[0]); i++)
		if (strlen(gf__roles[i]) == len &&
		    memcmp(gf__roles[i], s, len) == 0)
			return gf__roles[i];
	return NULL;
}

int gf__duration_valid(const char *s)
{
	if (!s)
		return 0;
	char *end;
	if (*s < '1' || *s > '9')
		return 0;
	long n = strtol(s, &end, 10);
	if (n < 1 || n > 9999)
		return 0;
	return strcmp(end, "m") == 0 || strcmp(end, "h") == 0 ||
	       strcmp(end, "d") == 0 || strcmp(end, "wh") == 0 ||
	       strcmp(end, "wd") == 0;
}

/* ---- the table ---------------------------------------------------------- */

/* Who may take an action. */
enum { GF__BY_LEAD = 1, GF__BY_CENTRE = 2, GF__BY_APPROVER = 3 };

typedef struct gf__rule {
	gf_op op;
	int by;
	unsigned from;          /* bit set of states the op is legal in */
	int needs_reason;
	int while_paused;       /* legal while the order is paused */
} gf__rule;

#define B(s) (1u << GF_STATE_##s)
#define OPEN (B(RECEIVED) | B(DISPATCHED) | B(SIGNED) | B(IN_PROGRESS) | \
	      B(RESOLVED) | B(VERIFIED) | B(RETURNED) | B(REOPENED))
#define WORKING (B(SIGNED) | B(IN_PROGRESS) | B(REOPENED))

static const gf__rule gf__rules[] = {
	{ GF_OP_DISPATCH, GF__BY_CENTRE,
	  B(RECEIVED) | B(DISPATCHED) | B(RETURNED), 0, 0 },
	{ GF_OP_SIGN, GF__BY_LEAD, B(DISPATCHED), 0, 0 },
	{ GF_OP_HANDLE, GF__BY_LEAD, WORKING, 0, 0 },
	{ GF_OP_RESOLVE, GF__BY_LEAD, WORKING, 0, 0 },
	{ GF_OP_VERIFY, GF__BY_CENTRE, B(RESOLVED), 0, 0 },
	{ GF_OP_REJECT_VERIFICATION, GF__BY_CENTRE, B(RESOLVED), 1, 0 },
	{ GF_OP_CALLBACK, GF__BY_CENTRE, B(VERIFIED), 0, 0 },
	{ GF_OP_RETURN, GF__BY_LEAD, B(DISPATCHED) | B(SIGNED), 1, 0 },
	{ GF_OP_EXTEND, GF__BY_LEAD, WORKING, 1, 1 },
	{ GF_OP_PAUSE, GF__BY_LEAD, WORKING, 1, 0 },
	{ GF_OP_RESUME, GF__BY_LEAD, WORKING, 0, 1 },
	{ GF_OP_MERGE, GF__BY_CENTRE, OPEN, 0, 1 },
	{ GF_OP_SPLIT, GF__BY_CENTRE, OPEN, 0, 1 },
	{ GF_OP_CANCEL, GF__BY_CENTRE, OPEN, 1, 1 },
	{ GF_OP_APPROVE_EXTENSION, GF__BY_APPROVER, OPEN, 0, 1 },
	{ GF_OP_REJECT_EXTENSION, GF__BY_APPROVER, OPEN, 1, 1 },
	{ GF_OP_DISMISS, GF__BY_CENTRE, OPEN, 0, 1 },
};

#undef B

static const gf__rule *gf__rule_for(gf_op op)
{
	for (size_t i = 0; i < sizeof(gf__rules) / sizeof(gf__rules[0]); i++)
		if (gf__rules[i].op == op)
			return &gf__rules[i];
	return NULL;
}

static int gf__empty(const char *s)
{
	return !s || !*s;
}

/* fn approves extensions of one of o's clocks; an order none of whose
 * clocks names an approver (no clocks, no extension rules, "none") has
 * the command centre's, as sla.json's default. */
static int gf__approves_any(const gf_order *o, const char *fn)
{
	int named = 0;
	for (size_t i = 0; i < o->nclocks; i++) {
		const char *ap = o->clocks[i].def->approver;
		if (!ap)
			continue;
		if (strcmp(ap, fn) == 0)
			return 1;
		named = 1;
	}
	return !named && strcmp(fn, GF__FUNCTION_COMMAND_CENTRE) == 0;
}

int gf__order_plan(const gf_order *o, const gf__act *a, gf_time now,
		   const gf__plan_ctx *ctx, gf__plan *p, gf__err *err)
{
	const gf__rule *rule = gf__rule_for(a->op);
	if (!rule)
		return gf__err_set(err, GF_EVALUE, "$.op", "unknown op");
	const char *op = gf_op_name(a->op);

	if (gf__empty(a->actor))
		return gf__err_set(err, GF_EMISSING, "$.actor",
				   "every action names an actor");
	const gf__dept *actor = gf__dir_dept(ctx->dir, a->actor,
					     strlen(a->actor));
	if (!actor)
		return gf__err_set(err, GF_EUNKNOWN, "$.actor",
				   "unknown department \"%s\"", a->actor);
	int centre = gf__dept_is_command_centre(actor);
	const char *role;
	if (a->role) {
		role = gf__role_name(a->role, strlen(a->role));
		if (!role)
			return gf__err_set(err, GF_EVALUE, "$.actor.role",
					   "unknown role \"%s\"", a->role);
		/* the engine's own entries (creation, links, ladder steps)
		 * are "system": an actor claiming it would pass for them in
		 * the audit trail. Records still carry it (their decoding
		 * takes every role). */
		if (strcmp(role, "system") == 0)
			return gf__err_set(err, GF_EVALUE, "$.actor.role",
					   "role \"system\" is the engine's "
					   "own; an actor is a handler, "
					   "operator, supervisor or leader");
	} else {
		role = centre ? "operator" : "handler";
	}

	memset(p, 0, sizeof(*p));
	p->op = a->op;
	p->at = now;
	p->actor = actor->id;
	p->role = role;
	p->reason = a->reason;
	p->to = o->state;
	p->lead = o->lead;
	p->level = o->level;
	p->rule = o->rule;

	/* Authority first: an outsider learns nothing about the state. */
	if (rule->by == GF__BY_LEAD && strcmp(o->lead, actor->id) != 0)
		return gf__err_set(err, GF_EPERM, "$.actor",
				   "only the assigned department (%s) may %s "
				   "order %s, not %s", o->lead, op, o->id,
				   actor->id);
	if (rule->by == GF__BY_APPROVER) {
		/* the clocks' rules name the approver's function: one that
		 * approves none of them is refused before anything about
		 * the state or a pending request shows (the clock asked for
		 * is checked again when the request is found) */
		if (!gf__approves_any(o, actor->function))
			return gf__err_set(err, GF_EPERM, "$.actor",
					   "extensions of order %s are not "
					   "decided by a department of "
					   "function %s", o->id,
					   actor->function);
		const gf__region *r = gf__dir_region(ctx->dir, o->region, 12);
		if (r && !gf__region_covers(actor->region, r))
			return gf__err_set(err, GF_EPERM, "$.actor",
					   "%s does not cover region %s",
					   actor->id, o->region);
	}
	if (rule->by == GF__BY_CENTRE) {
		const gf__region *r = gf__dir_region(ctx->dir, o->region, 12);
		if (!centre)
			return gf__err_set(err, GF_EPERM, "$.actor",
					   "only the command centre may %s; "
					   "%s is not part of it", op,
					   actor->id);
		if (r && !gf__region_covers(actor->region, r))
			return gf__err_set(err, GF_EPERM, "$.actor",
					   "%s does not cover region %s",
					   actor->id, o->region);
	}
	if (!(rule->from & (1u << o->state)))
		return gf__err_set(err, GF_ESTATE, "$.op",
				   "cannot %s order %s: it is %s", op, o->id,
				   gf_state_name(o->state));
	if (o->paused && !rule->while_paused)
		return gf__err_set(err, GF_ESTATE, "$.op",
				   "cannot %s order %s: it is paused", op,
				   o->id);
	if (rule->needs_reason && gf__empty(a->reason))
		return gf__err_set(err, GF_EMISSING, "$.reason",
				   "%s needs a reason", op);

	switch (a->op) {
	case GF_OP_DISPATCH: {
		if (gf__empty(a->dept))
			return gf__err_set(err, GF_EMISSING, "$.dept",
					   "dispatch needs the department");
		const gf__dept *d = gf__dir_dept(ctx->dir, a->dept,
						 strlen(a->dept));
		if (!d)
			return gf__err_set(err, GF_EUNKNOWN, "$.dept",
					   "unknown department \"%s\"",
					   a->dept);
		p->to = GF_STATE_DISPATCHED;
		p->lead = d->id;
		p->level = d->level;
		p->rule = "manual";
		break;
	}
	case GF_OP_SIGN:
		p->to = GF_STATE_SIGNED;
		break;
	case GF_OP_HANDLE:
		p->to = GF_STATE_IN_PROGRESS;
		break;
	case GF_OP_RESOLVE:
		p->to = GF_STATE_RESOLVED;
		break;
	case GF_OP_VERIFY:
		p->to = GF_STATE_VERIFIED;
		break;
	case GF_OP_REJECT_VERIFICATION:
		p->to = GF_STATE_REOPENED;
		break;
	case GF_OP_CALLBACK:
		if (a->satisfaction == GF_SATISFACTION_NONE)
			return gf__err_set(err, GF_EMISSING, "$.satisfaction",
					   "a callback records satisfaction");
		p->satisfaction = a->satisfaction;
		p->to = a->satisfaction == GF_SATISFACTION_UNSATISFIED
				? GF_STATE_REOPENED
				: GF_STATE_CLOSED;
		break;
	case GF_OP_RETURN: {
		/* Weifang 12345 rules, art. 22: a handler the desk designated
		 * may not return the order; nor may anyone past the limit or
		 * the window. The desk arbitrates then. */
		if (o->designated)
			return gf__err_set(err, GF_ESTATE, "$.op",
					   "order %s: the desk designated %s "
					   "as its handler, so it may not be "
					   "returned; the desk arbitrates",
					   o->id, o->lead);
		if (o->returns >= ctx->return_limit)
			return gf__err_set(err, GF_ESTATE, "$.op",
					   "order %s was returned %u times, "
					   "the limit: only the desk may move "
					   "it now", o->id, o->returns);
		if (now - o->dispatched_at > ctx->return_window)
			return gf__err_set(err, GF_ESTATE, "$.op",
					   "order %s: the window for a return "
					   "(%lld minutes from dispatch) has "
					   "passed",
					   o->id,
					   (long long)(ctx->return_window /
						       60000));
		/* re-route without every department that returned it */
		const char *ex[64];
		size_t nex = 0;
		for (size_t i = 0; i < o->naudit && nex < 63; i++)
			if (strcmp(o->audit[i].what, "return") == 0)
				ex[nex++] = o->audit[i].dept;
		ex[nex++] = actor->id;
		const char *lead = NULL, *by = NULL;
		gf_level level = GF_LEVEL_NONE;
		int found = ctx->reroute
				    ? ctx->reroute(ctx->find_ud,
						   &o->reports[0]->ev, ex, nex,
						   &lead, &level, &by, NULL)
				    : 0;
		if (found < 0)
			return gf__err_set(err, found, NULL,
					   "re-routing failed");
		if (found) {
			p->to = GF_STATE_DISPATCHED;
			p->lead = lead;
			p->level = level;
			p->rule = by;
		} else {
			p->to = GF_STATE_RETURNED;
			p->lead = ctx->fallback->id;
			p->level = ctx->fallback->level;
			p->rule = "return";
		}
		break;
	}
	case GF_OP_EXTEND:
		if (gf__empty(a->duration))
			return gf__err_set(err, GF_EMISSING, "$.duration",
					   "extend needs a duration");
		if (!gf__duration_valid(a->duration))
			return gf__err_set(err, GF_EVALUE, "$.duration",
					   "\"%s\" is not a duration such as "
					   "30m, 2h, 3d, 4wh or 5wd",
					   a->duration);
		p->duration = a->duration;
		if (o->nclocks) {
			size_t i;
			int rc = gf__clock_plan_extend(o, a->clock, a->duration,
						       now, &i, &p->grant, err);
			if (rc)
				return rc;
			p->clock = o->clocks[i].def->name;
		}
		break;
	case GF_OP_APPROVE_EXTENSION:
	case GF_OP_REJECT_EXTENSION: {
		size_t i;
		int rc = gf__clock_plan_decide(o, a->clock, actor->function,
					       &i, err);
		if (rc)
			return rc;
		p->clock = o->clocks[i].def->name;
		if (a->op == GF_OP_APPROVE_EXTENSION)
			p->duration = o->clocks[i].pending;
		break;
	}
	case GF_OP_DISMISS:
		if (!o->suspected_of)
			return gf__err_set(err, GF_ESTATE, "$.op",
					   "order %s is not a suspected "
					   "duplicate", o->id);
		break;
	case GF_OP_PAUSE:
		break;
	case GF_OP_RESUME:
		if (!o->paused)
			return gf__err_set(err, GF_ESTATE, "$.op",
					   "order %s is not paused", o->id);
		break;
	case GF_OP_MERGE: {
		if (gf__empty(a->into))
			return gf__err_set(err, GF_EMISSING, "$.into",
					   "merge needs the order to merge "
					   "into");
		gf_order *into = ctx->find(ctx->find_ud, a->into);
		if (!into)
			return gf__err_set(err, GF_ENOTFOUND, "$.into",
					   "no order \"%s\"", a->into);
		if (into == o)
			return gf__err_set(err, GF_EVALUE, "$.into",
					   "an order cannot merge into itself");
		if (gf_state_is_terminal(into->state))
			return gf__err_set(err, GF_ESTATE, "$.into",
					   "order %s is %s", into->id,
					   gf_state_name(into->state));
		const gf__region *r = gf__dir_region(ctx->dir, into->region,
						     12);
		if (r && !gf__region_covers(actor->region, r))
			return gf__err_set(err, GF_EPERM, "$.actor",
					   "%s does not cover region %s",
					   actor->id, into->region);
		p->to = GF_STATE_MERGED;
		p->into = into->id;
		/* a crowd stays one when merged (GB/T 31000): into keeps the
		 * greater scale of the two, or the one their callers together
		 * call for, as a link would raise it */
		gf_scale to = into->scale > o->scale ? into->scale : o->scale;
		gf_scale by = ctx->crowd_group
				      ? gf__scale_for(
						gf__order_count_callers2(into, o),
						ctx->crowd_group,
						ctx->crowd_major)
				      : GF_SCALE_INDIVIDUAL;
		if (by > to)
			to = by;
		p->scale = to > into->scale ? to : (gf_scale)0;
		break;
	}
	case GF_OP_SPLIT: {
		if (gf__empty(a->ref) || !strchr(a->ref, ':'))
			return gf__err_set(err, GF_EVALUE, "$.ref",
					   "split names the report to take "
					   "out, as channel:source_id");
		const gf_report *rep = NULL;
		for (size_t i = 0; i < o->nreports && !rep; i++) {
			const gf_report *r = o->reports[i];
			if (strcmp(r->ref, a->ref) == 0)
				rep = r;
		}
		if (!rep)
			return gf__err_set(err, GF_ENOTFOUND, "$.ref",
					   "no report \"%s\" in order %s",
					   a->ref, o->id);
		if (o->nreports < 2)
			return gf__err_set(err, GF_ESTATE, "$.ref",
					   "order %s has only this report",
					   o->id);
		p->report = rep->ref;
		/* fresh routing for the new order */
		const char *lead = NULL, *by = NULL;
		gf_level level = GF_LEVEL_NONE;
		int found = ctx->reroute
				    ? ctx->reroute(ctx->find_ud, &rep->ev, NULL,
						   0, &lead, &level, &by, p)
				    : 0;
		if (found < 0)
			return gf__err_set(err, found, NULL, "routing failed");
		p->routed = ctx->reroute != NULL;
		p->lead = found ? lead : ctx->fallback->id;
		p->level = found ? level : ctx->fallback->level;
		p->rule = found ? by : "fallback";
		break;
	}
	case GF_OP_CANCEL:
		p->to = GF_STATE_CANCELLED;
		break;
	default:
		return gf__err_set(err, GF_EVALUE, "$.op", "unknown op");
	}
	return GF_OK;
}

/* ---- building and changing orders ------------------------------------ */

/* Room for extra more audit entries / reports; on growth the old array
 * stays in the pool, which is cheaper than freeing it. */
static int gf__audit_room(gf_order *o, gf__pool *pool, size_t extra)
{
	if (o->naudit + extra <= o->caudit)
		return GF_OK;
	size_t cap = o->caudit ? o->caudit * 2 : 2;
	while (cap < o->naudit + extra)
		cap *= 2;
	gf_audit *a = gf__pool_alloc(pool, cap * sizeof(*a));
	if (!a)
		return GF_ENOMEM;
	if (o->naudit)
		memcpy(a, o->audit, o->naudit * sizeof(*a));
	o->audit = a;
	o->caudit = cap;
	return GF_OK;
}

static int gf__report_room(gf_order *o, gf__pool *pool, size_t extra)
{
	if (o->nreports + extra <= o->creports)
		return GF_OK;
	size_t cap = o->creports ? o->creports * 2 : 2;
	while (cap < o->nreports + extra)
		cap *= 2;
	gf_report **r = gf__pool_alloc(pool, cap * sizeof(*r));
	if (!r)
		return GF_ENOMEM;
	if (o->nreports)
		memcpy(r, o->reports, o->nreports * sizeof(*r));
	o->reports = r;
	o->creports = cap;
	return GF_OK;
}

/* An audit entry's strings, made before anything changes. */
typedef struct gf__entry {
	const char *dept, *reason, *lead;
} gf__entry;

static int gf__entry_make(gf__pool *pool, gf__entry *e, const char *dept,
			  const char *reason, const char *lead)
{
	e->dept = gf__pool_intern(pool, dept);
	e->reason = reason && *reason ? gf__pool_strdup(pool, reason) : "";
	e->lead = lead ? gf__pool_intern(pool, lead) : NULL;
	return e->dept && e->reason && (!lead || e->lead) ? GF_OK
							  : GF_ENOMEM;
}

/* Append an entry; gf__audit_room() first. */
static void gf__audit_push(gf_order *o, gf_time at, const char *what,
			   const gf__entry *e, const char *role,
			   gf_state from, gf_state to)
{
	gf_audit *a = &o->audit[o->naudit++];
	a->at = at;
	a->what = what;
	a->dept = e->dept;
	a->role = role;
	a->from = from;
	a->to = to;
	a->reason = e->reason;
	a->lead = e->lead;
}

void gf__order_release(gf_order *o)
{
	if (!o)
		return;
	for (size_t i = 0; i < o->nreports; i++) {
		gf_report *r = o->reports[i];
		gf__ev_free(&r->ev);
		gf__free(r->json);
		r->json = NULL;
	}
	o->nreports = 0;
}

/*
 * A new order without reports: created, then dispatched by routing.
 * lead, rule and created_why must outlive the engine's orders (strings of
 * the configuration, interned ones, or the report's own event); the
 * category is the report's.
 */
static gf_order *gf__order_new(gf__pool *pool, const char *id,
			       const gf__ev *ev, gf_time at, const char *lead,
			       gf_level level, const char *rule,
			       const char *created_why)
{
	size_t idlen = strlen(id);
	if (idlen >= GF__ORDER_ID_MAX)
		return NULL;
	gf_order *o = gf__pool_alloc(pool, sizeof(*o));
	if (!o)
		return NULL;
	memset(o, 0, sizeof(*o));
	memcpy(o->id, id, idlen + 1);
	o->state = GF_STATE_DISPATCHED;
	o->lead = lead;
	o->level = level;
	o->rule = rule;
	o->category = ev->category;
	memcpy(o->region, ev->region, sizeof(o->region));
	o->urgency = ev->urgency;
	o->created_at = o->updated_at = o->dispatched_at = at;
	if (gf__audit_room(o, pool, 2) || gf__report_room(o, pool, 1))
		return NULL;
	gf__entry e1 = { "system", created_why, NULL };
	gf__entry e2 = { "system", rule, lead };
	gf__audit_push(o, at, "create", &e1, "system", GF_STATE_NONE,
		       GF_STATE_RECEIVED);
	gf__audit_push(o, at, "dispatch", &e2, "system", GF_STATE_RECEIVED,
		       GF_STATE_DISPATCHED);
	return o;
}

/* A new order's clocks: received at the report's receipt (or the
 * order's creation when that is earlier), dispatched at creation. */
static void gf__clocks_start(gf_order *o, gf_time received, gf_time at)
{
	gf__clocks_move(o, GF__MS_RECEIVED, 0, 0, 0,
			received < at ? received : at);
	gf__clocks_move(o, GF__MS_DISPATCHED, 0, 0, 0, at);
}

/* A new lead leaves the assisting departments: an order's lead is never
 * among its assists (docs/formats.md, "then"), whether a rule, a
 * re-routed return, the desk or an escalation made it the lead. Each
 * order has its own array, so this is done in place. */
static void gf__assist_drop(gf_order *o, const char *lead)
{
	size_t k = 0;
	for (size_t i = 0; i < o->nassist; i++)
		if (strcmp(o->assist[i], lead) != 0)
			o->assist[k++] = o->assist[i];
	o->nassist = k;
}

int gf__order_create(gf_order **out, gf__pool *pool, const char *id,
		     gf__ev *ev, gf_time at, const gf__routing *rt, int stable)
{
	const char *lead = rt->lead, *rule = rt->rule, *sla = rt->sla;
	const char *version = rt->version;
	const char **assist = NULL;
	if (!stable) {
		lead = gf__pool_intern(pool, lead);
		rule = gf__pool_intern(pool, rule);
		sla = sla ? gf__pool_intern(pool, sla) : NULL;
		version = version ? gf__pool_intern(pool, version) : NULL;
		if (!lead || !rule || (rt->sla && !sla) ||
		    (rt->version && !version))
			return GF_ENOMEM;
	}
	if (rt->nassist) {
		assist = gf__pool_alloc(pool, rt->nassist * sizeof(*assist));
		if (!assist)
			return GF_ENOMEM;
		for (size_t i = 0; i < rt->nassist; i++) {
			assist[i] = stable ? rt->assist[i]
					   : gf__pool_intern(pool, rt->assist[i]);
			if (!assist[i])
				return GF_ENOMEM;
		}
	}
	gf_report *r = gf__pool_alloc(pool, sizeof(*r));
	if (!r)
		return GF_ENOMEM;
	/* the report takes the event first: the order points into it */
	r->ev = *ev;
	r->ref = r->ev.ref;
	r->json = NULL;
	gf_order *o = gf__order_new(pool, id, &r->ev, at, lead, rt->level,
				    rule, r->ev.ref);
	if (!o)
		return GF_ENOMEM;
	const gf__sla_policy *pol = rt->sla_set && rt->sla
					    ? gf__sla_policy_get(rt->sla_set,
								 rt->sla)
					    : NULL;
	if (gf__clocks_init(o, pool, rt->sla_set, pol))
		return GF_ENOMEM;
	o->sla_set = pol ? rt->sla_set : NULL;
	o->policy = pol;
	memset(ev, 0, sizeof(*ev));
	o->sla = sla;
	o->priority = rt->priority;
	o->assist = assist;
	o->nassist = rt->nassist;
	o->rules_version = version;
	r->order = o;
	o->reports[o->nreports++] = r;
	gf__clocks_start(o, r->ev.received_at, at);
	o->scale = GF_SCALE_INDIVIDUAL;
	o->callers = r->ev.reporter[0] ? 1 : 0;
	*out = o;
	return GF_OK;
}

/* The reporter hash of the i-th report of a's reports followed by b's. */
static const char *gf__reporter_at(const gf_order *a, const gf_order *b,
				   size_t i)
{
	return i < a->nreports ? a->reports[i]->ev.reporter
			       : b->reports[i - a->nreports]->ev.reporter;
}

unsigned gf__order_count_callers2(const gf_order *a, const gf_order *b)
{
	size_t total = a->nreports + (b ? b->nreports : 0);
	unsigned n = 0;
	for (size_t i = 0; i < total; i++) {
		const char *h = gf__reporter_at(a, b, i);
		size_t k = 0;
		if (!h[0])
			continue;
		while (k < i && strcmp(gf__reporter_at(a, b, k), h) != 0)
			k++;
		n += k == i;
	}
	return n;
}

unsigned gf__order_count_callers(const gf_order *o)
{
	return gf__order_count_callers2(o, NULL);
}

gf_scale gf__scale_for(unsigned callers, unsigned group, unsigned major)
{
	if (!group)
		return GF_SCALE_INDIVIDUAL;
	if (callers >= major)
		return GF_SCALE_MAJOR_GROUP;
	return callers >= group ? GF_SCALE_GROUP : GF_SCALE_INDIVIDUAL;
}

const char *gf__scale_words(gf_scale s)
{
	return s == GF_SCALE_MAJOR_GROUP ? "major group event (重大群体性)"
					 : "group event (一般群体性)";
}

/* The scale rises to `to`, the urgency to what a crowd of it needs. */
static void gf__crowd_raise(gf_order *o, gf_scale to)
{
	gf_urgency u = to == GF_SCALE_MAJOR_GROUP ? GF_URGENCY_CRITICAL
						  : GF_URGENCY_URGENT;
	o->scale = to;
	if (u > o->urgency)
		o->urgency = u;
}

void gf__order_crowd(gf_order *o, gf__pool *pool, gf_time at, gf_scale to,
		     const char *reason)
{
	gf__crowd_raise(o, to);
	/* the entry's room was made by gf__order_link; only its strings
	 * can still fail, and then the scale rises without it */
	gf__entry e;
	if (!gf__entry_make(pool, &e, "system", reason, o->lead) &&
	    o->naudit < o->caudit)
		gf__audit_push(o, at, "crowd", &e, "system", o->state,
			       o->state);
}

int gf__order_link(gf_order *o, gf__pool *pool, gf__ev *ev, gf_time at,
		   const char *reason, gf_report **out)
{
	gf__entry e;
	gf_report *r = gf__pool_alloc(pool, sizeof(*r));
	/* room for a "crowd" entry too */
	if (!r || gf__entry_make(pool, &e, "system", reason, o->lead) ||
	    gf__audit_room(o, pool, 2) || gf__report_room(o, pool, 1))
		return GF_ENOMEM;
	r->ev = *ev;
	r->ref = r->ev.ref;
	r->json = NULL;
	r->order = o;
	memset(ev, 0, sizeof(*ev));
	/* a caller not among the reports so far is one more */
	size_t k = 0;
	while (r->ev.reporter[0] && k < o->nreports &&
	       strcmp(o->reports[k]->ev.reporter, r->ev.reporter) != 0)
		k++;
	if (r->ev.reporter[0] && k == o->nreports)
		o->callers++;
	o->reports[o->nreports++] = r;
	gf__audit_push(o, at, "link", &e, "system", o->state, o->state);
	o->updated_unlinked = o->updated_at;
	o->updated_at = at > o->updated_at ? at : o->updated_at;
	*out = r;
	return GF_OK;
}

int gf__order_suspect(gf_order *o, gf__pool *pool, gf_time at,
		      const char *of, const char *reason)
{
	gf__entry e;
	const char *id = gf__pool_intern(pool, of);
	if (!id || gf__entry_make(pool, &e, "system", reason, o->lead) ||
	    gf__audit_room(o, pool, 1))
		return GF_ENOMEM;
	o->suspected_of = id;
	gf__audit_push(o, at, "suspect", &e, "system", o->state, o->state);
	return GF_OK;
}

void gf__order_unlink_last(gf_order *o)
{
	gf_report *r = o->reports[--o->nreports];
	o->naudit--;
	o->updated_at = o->updated_unlinked;
	o->callers = gf__order_count_callers(o);
	gf__ev_free(&r->ev);
	gf__free(r->json);
	r->json = NULL;
}

/* extend, approve_extension, reject_extension on the order's clocks */
static int gf__extension(gf_order *o, gf__pool *pool, const gf__plan *p)
{
	size_t i = 0;
	while (p->clock && i < o->nclocks &&
	       strcmp(o->clocks[i].def->name, p->clock) != 0)
		i++;
	if (!p->clock || i == o->nclocks) {
		/* no clocks: the request is only recorded, as granted */
		if (p->op == GF_OP_EXTEND)
			o->extensions++;
		return GF_OK;
	}
	if (p->op == GF_OP_REJECT_EXTENSION) {
		gf__clock_deny(o, i, p->at);
		return GF_OK;
	}
	const char *dur = gf__pool_intern(pool, p->duration ? p->duration
							    : "");
	if (!dur)
		return GF_ENOMEM;
	if (p->op == GF_OP_EXTEND && !p->grant) {
		gf__clock_request(o, i, dur, p->at);
		return GF_OK;
	}
	o->extensions++;
	gf__clock_extend(o, i, dur, p->at);
	return GF_OK;
}

/* The clocks follow the order's move from state `before`. */
static void gf__clocks_after(gf_order *o, const gf__plan *p,
			     gf_state before)
{
	if (!o->nclocks)
		return;
	/* a new lead is a dispatch even when the state stays */
	if (o->state == GF_STATE_DISPATCHED &&
	    (p->op == GF_OP_DISPATCH || p->op == GF_OP_RETURN)) {
		gf__clocks_move(o, GF__MS_DISPATCHED, 0, 0, 0, p->at);
		return;
	}
	if (o->state == before)
		return;
	gf__milestone m = GF__MS_NONE;
	switch (o->state) {
	case GF_STATE_DISPATCHED: m = GF__MS_DISPATCHED; break;
	case GF_STATE_SIGNED: m = GF__MS_SIGNED; break;
	case GF_STATE_IN_PROGRESS: m = GF__MS_IN_PROGRESS; break;
	case GF_STATE_RESOLVED: m = GF__MS_RESOLVED; break;
	case GF_STATE_VERIFIED: m = GF__MS_VERIFIED; break;
	case GF_STATE_CLOSED: m = GF__MS_CLOSED; break;
	default: break;
	}
	if (m != GF__MS_NONE)
		gf__clocks_move(o, m, 0, 0, 0, p->at);
	if (gf_state_is_terminal(o->state))
		gf__clocks_move(o, GF__MS_NONE, 0, 0, 1, p->at);
	else if (o->state == GF_STATE_RETURNED)
		gf__clocks_move(o, GF__MS_NONE, 1, 0, 0, p->at);
	else if (o->state == GF_STATE_REOPENED)
		gf__clocks_move(o, GF__MS_NONE, 0, 1, 0, p->at);
}

int gf__order_apply(gf_order *o, gf__pool *pool, const gf__plan *p,
		    const gf__sla *sla_set, gf_order *into,
		    gf_order **created)
{
	const char *what = gf_op_name(p->op);
	gf__entry e;
	const char *after = p->op == GF_OP_SPLIT || p->op == GF_OP_MERGE
				    ? o->lead
				    : p->lead;
	const char *lead = gf__pool_intern(pool, p->lead ? p->lead : o->lead);
	const char *rule = gf__pool_intern(pool, p->rule ? p->rule : o->rule);
	if (!lead || !rule || gf__entry_make(pool, &e, p->actor, p->reason,
					     after) ||
	    gf__audit_room(o, pool, 1) || gf__clocks_room(o, pool))
		return GF_ENOMEM;

	/* Everything that can fail comes before the first change. */
	switch (p->op) {
	case GF_OP_MERGE: {
		gf__entry e2, e3;
		/* the plan's scale (the record's on replay) and the entry
		 * saying why, worded from the reports as they are now */
		int crowd = p->scale > into->scale;
		char why[160];
		if (crowd)
			snprintf(why, sizeof(why),
				 "%u distinct callers with %s merged in: %s",
				 gf__order_count_callers2(into, o), o->id,
				 gf__scale_words(p->scale));
		const char *mi = gf__pool_strdup(pool, into->id);
		if (!mi ||
		    gf__entry_make(pool, &e2, p->actor, o->id, into->lead) ||
		    (crowd && gf__entry_make(pool, &e3, "system", why,
					     into->lead)) ||
		    gf__audit_room(into, pool, crowd ? 2 : 1) ||
		    gf__report_room(into, pool, o->nreports))
			return GF_ENOMEM;
		for (size_t i = 0; i < o->nreports; i++) {
			gf_report *r = o->reports[i];
			r->order = into;
			into->reports[into->nreports++] = r;
		}
		o->nreports = 0;
		o->callers = 0;
		into->callers = gf__order_count_callers(into);
		gf__audit_push(into, p->at, "merged_from", &e2, p->role,
			       into->state, into->state);
		if (crowd) {
			gf__crowd_raise(into, p->scale);
			gf__audit_push(into, p->at, "crowd", &e3, "system",
				       into->state, into->state);
		}
		into->updated_at = p->at;
		o->merged_into = mi;
		break;
	}
	case GF_OP_SPLIT: {
		size_t k = 0;
		while (k < o->nreports &&
		       strcmp(o->reports[k]->ref, p->report) != 0)
			k++;
		if (k == o->nreports)
			return GF_ENOTFOUND;
		gf_report *r = o->reports[k];
		char why[GF__ORDER_ID_MAX + 16];
		snprintf(why, sizeof(why), "split from %s", o->id);
		const char *why_kept = gf__pool_strdup(pool, why);
		/* routed afresh: the policy, priority and assists too, as
		 * a new order gets them (an old record: the old order's) */
		const gf__sla *set = o->sla_set;
		const gf__sla_policy *pol = o->policy;
		const char *sla = o->sla, *version = o->rules_version;
		const char **assist = NULL;
		int priority = o->priority;
		if (p->routed) {
			pol = sla_set && p->sla
				      ? gf__sla_policy_get(sla_set, p->sla)
				      : NULL;
			set = pol ? sla_set : NULL;
			sla = p->sla ? gf__pool_intern(pool, p->sla) : NULL;
			version = p->version ? gf__pool_intern(pool,
							       p->version)
					     : NULL;
			priority = p->priority;
			if ((p->sla && !sla) || (p->version && !version))
				return GF_ENOMEM;
			if (p->nassist) {
				assist = gf__pool_alloc(pool, p->nassist *
								sizeof(*assist));
				if (!assist)
					return GF_ENOMEM;
				for (size_t i = 0; i < p->nassist; i++)
					if (!(assist[i] = gf__pool_intern(
						      pool, p->assist[i])))
						return GF_ENOMEM;
			}
		}
		gf_order *n = why_kept ? gf__order_new(pool, p->new_order,
						       &r->ev, p->at, lead,
						       p->level, rule, why_kept)
				       : NULL;
		if (!n || gf__clocks_init(n, pool, set, pol))
			return GF_ENOMEM;
		n->sla_set = set;
		n->policy = pol;
		n->sla = sla;
		n->priority = priority;
		n->rules_version = version;
		if (p->routed) {
			n->assist = assist;
			n->nassist = p->nassist;
		}
		memmove(&o->reports[k], &o->reports[k + 1],
			(o->nreports - k - 1) * sizeof(*o->reports));
		o->nreports--;
		r->order = n;
		n->reports[n->nreports++] = r;
		gf__clocks_start(n, r->ev.received_at, p->at);
		n->scale = GF_SCALE_INDIVIDUAL;
		n->callers = gf__order_count_callers(n);
		o->callers = gf__order_count_callers(o);
		*created = n;
		break;
	}
	case GF_OP_DISPATCH:
	case GF_OP_RETURN:
		o->lead = lead;
		o->rule = rule;
		o->level = p->level;
		o->dispatched_at = p->at;
		gf__assist_drop(o, lead);
		if (p->op == GF_OP_RETURN)
			o->returns++;
		else
			o->designated = 1;
		break;
	case GF_OP_REJECT_VERIFICATION:
		o->reopens++;
		break;
	case GF_OP_CALLBACK:
		o->satisfaction = p->satisfaction;
		if (p->to == GF_STATE_REOPENED)
			o->reopens++;
		break;
	case GF_OP_EXTEND:
	case GF_OP_APPROVE_EXTENSION:
	case GF_OP_REJECT_EXTENSION:
		if (gf__extension(o, pool, p))
			return GF_ENOMEM;
		break;
	case GF_OP_DISMISS:
		o->suspected_of = NULL;
		break;
	case GF_OP_PAUSE:
		o->paused = 1;
		gf__clocks_pause(o, p->at);
		break;
	case GF_OP_RESUME:
		o->paused = 0;
		gf__clocks_resume(o, p->at);
		break;
	default:
		break;
	}
	gf__audit_push(o, p->at, what, &e, p->role, o->state, p->to);
	gf_state before = o->state;
	o->state = p->to;
	o->updated_at = p->at;
	gf__clocks_after(o, p, before);
	return GF_OK;
}

int gf__order_step(gf_order *o, gf__pool *pool, size_t i, unsigned step,
		   gf_time at, const char *reason, const char *lead,
		   gf_level level, int copy)
{
	const gf__sla_step *st = &o->clocks[i].def->steps[step];
	const char *after = lead && !copy ? lead : o->lead;
	gf__entry e;
	const char **assist = NULL;
	if (gf__entry_make(pool, &e, "system", reason, after) ||
	    gf__audit_room(o, pool, 1) || gf__clocks_room(o, pool))
		return GF_ENOMEM;
	if (lead && copy) {
		assist = gf__pool_alloc(pool,
					(o->nassist + 1) * sizeof(*assist));
		if (!assist)
			return GF_ENOMEM;
		if (o->nassist)
			memcpy(assist, o->assist,
			       o->nassist * sizeof(*assist));
		assist[o->nassist] = gf__pool_intern(pool, lead);
		if (!assist[o->nassist])
			return GF_ENOMEM;
	}
	gf_state before = o->state;
	gf_state to = lead && !copy ? GF_STATE_DISPATCHED : o->state;
	gf__audit_push(o, at, gf__step_name(st->kind), &e, "system", before,
		       to);
	gf__clock_fired(o, i, step, at);
	o->updated_at = at;
	if (assist) {
		o->assist = assist;
		o->nassist++;
	} else if (lead) {
		o->lead = e.lead;
		gf__assist_drop(o, e.lead);
		o->level = level;
		o->dispatched_at = at;
		o->state = to;
		gf__clocks_move(o, GF__MS_DISPATCHED, 0, 0, 0, at);
	}
	return GF_OK;
}

/* ---- public accessors -------------------------------------------------- */

const char *gf_order_id(const gf_order *o) { return o->id; }
gf_state gf_order_state(const gf_order *o) { return o->state; }
const char *gf_order_lead(const gf_order *o) { return o->lead; }
gf_level gf_order_level(const gf_order *o) { return o->level; }
const char *gf_order_rule(const gf_order *o) { return o->rule; }
const char *gf_order_category(const gf_order *o) { return o->category; }
const char *gf_order_region(const gf_order *o) { return o->region; }
gf_urgency gf_order_urgency(const gf_order *o) { return o->urgency; }
gf_time gf_order_created_at(const gf_order *o) { return o->created_at; }
gf_time gf_order_updated_at(const gf_order *o) { return o->updated_at; }
gf_satisfaction gf_order_satisfaction(const gf_order *o)
{
	return o->satisfaction;
}
unsigned gf_order_return_count(const gf_order *o) { return o->returns; }
unsigned gf_order_reopen_count(const gf_order *o) { return o->reopens; }
unsigned gf_order_extension_count(const gf_order *o)
{
	return o->extensions;
}
int gf_order_paused(const gf_order *o) { return o->paused; }
const char *gf_scale_name(gf_scale s)
{
	static const char *const names[] = { NULL, "individual", "group",
					     "major_group" };
	return (unsigned)s < 4 ? names[s] : NULL;
}
gf_scale gf_order_scale(const gf_order *o) { return o->scale; }
unsigned gf_order_caller_count(const gf_order *o) { return o->callers; }

const char *gf_order_suspected_of(const gf_order *o)
{
	return o->suspected_of;
}
const char *gf_order_merged_into(const gf_order *o)
{
	return o->merged_into;
}
const char *gf_order_sla(const gf_order *o) { return o->sla; }
int gf_order_priority(const gf_order *o) { return o->priority; }
size_t gf_order_assist_count(const gf_order *o) { return o->nassist; }
const char *gf_order_assist(const gf_order *o, size_t i)
{
	return i < o->nassist ? o->assist[i] : NULL;
}
const char *gf_order_rules_version(const gf_order *o)
{
	return o->rules_version ? o->rules_version : "";
}

size_t gf_order_report_count(const gf_order *o) { return o->nreports; }

const gf_report *gf_order_report(const gf_order *o, size_t i)
{
	return i < o->nreports ? o->reports[i] : NULL;
}

size_t gf_order_audit_count(const gf_order *o) { return o->naudit; }

const gf_audit *gf_order_audit(const gf_order *o, size_t i)
{
	return i < o->naudit ? &o->audit[i] : NULL;
}

const char *gf_report_ref(const gf_report *r) { return r->ref; }
gf_channel gf_report_channel(const gf_report *r) { return r->ev.channel; }
const char *gf_report_source_id(const gf_report *r)
{
	return r->ev.source_id;
}
gf_time gf_report_received_at(const gf_report *r)
{
	return r->ev.received_at;
}
int gf_report_offset(const gf_report *r) { return r->ev.offset_min; }
const char *gf_report_region(const gf_report *r) { return r->ev.region; }
const char *gf_report_category(const gf_report *r)
{
	return r->ev.category;
}
const char *gf_report_title(const gf_report *r) { return r->ev.title; }
const char *gf_report_content(const gf_report *r) { return r->ev.content; }
const char *gf_report_address(const gf_report *r) { return r->ev.address; }
const char *gf_report_grid(const gf_report *r) { return r->ev.grid; }

int gf_report_location(const gf_report *r, double *lat, double *lon)
{
	if (!r->ev.has_location)
		return 0;
	if (lat)
		*lat = r->ev.lat;
	if (lon)
		*lon = r->ev.lon;
	return 1;
}

const char *gf_report_reporter(const gf_report *r)
{
	return r->ev.reporter[0] ? r->ev.reporter : NULL;
}

const char *gf_report_json(const gf_report *r)
{
	/* rendered once, on demand: most reports are never displayed */
	gf_report *m = (gf_report *)r;
	if (!m->json) {
		gf__buf b;
		gf__buf_init(&b);
		if (gf__ev_to_json(&m->ev, &b) || !gf__buf_cstr(&b)) {
			gf__buf_free(&b);
			return NULL;
		}
		m->json = b.p;
	}
	return m->json;
}

gf_time gf_audit_time(const gf_audit *e) { return e->at; }
const char *gf_audit_what(const gf_audit *e) { return e->what; }
const char *gf_audit_actor_dept(const gf_audit *e) { return e->dept; }
const char *gf_audit_actor_role(const gf_audit *e) { return e->role; }
gf_state gf_audit_from(const gf_audit *e) { return e->from; }
gf_state gf_audit_to(const gf_audit *e) { return e->to; }
const char *gf_audit_reason(const gf_audit *e) { return e->reason; }
const char *gf_audit_lead(const gf_audit *e) { return e->lead; }
