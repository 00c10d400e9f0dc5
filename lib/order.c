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
	"resume", "merge", "split", "cancel"
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
enum { GF__BY_LEAD = 1, GF__BY_CENTRE = 2 };

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
	case GF_OP_RETURN:
		/* Back to the desk, which re-dispatches (or, once routing
		 * tables exist, the rules re-route without this department). */
		p->to = GF_STATE_RETURNED;
		p->lead = ctx->fallback->id;
		p->level = ctx->fallback->level;
		p->rule = "return";
		break;
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
		break;
	}
	case GF_OP_SPLIT: {
		if (gf__empty(a->ref) || !strchr(a->ref, ':'))
			return gf__err_set(err, GF_EVALUE, "$.ref",
					   "split names the report to take "
					   "out, as channel:source_id");
		const gf_report *rep = NULL;
		for (size_t i = 0; i < o->reports.len && !rep; i++) {
			const gf_report *r = o->reports.v[i];
			if (strcmp(r->ref, a->ref) == 0)
				rep = r;
		}
		if (!rep)
			return gf__err_set(err, GF_ENOTFOUND, "$.ref",
					   "no report \"%s\" in order %s",
					   a->ref, o->id);
		if (o->reports.len < 2)
			return gf__err_set(err, GF_ESTATE, "$.ref",
					   "order %s has only this report",
					   o->id);
		p->report = rep->ref;
		/* fresh routing for the new order: the desk, for now */
		p->lead = ctx->fallback->id;
		p->level = ctx->fallback->level;
		p->rule = "fallback";
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

static gf_audit *gf__audit_new(gf_time at, const char *what, const char *dept,
			       const char *role, gf_state from, gf_state to,
			       const char *reason, const char *lead)
{
	gf_audit *e = gf__malloc(sizeof(*e));
	if (!e)
		return NULL;
	e->at = at;
	e->what = what;
	e->role = role;
	e->from = from;
	e->to = to;
	e->dept = gf__strdup(dept);
	e->reason = gf__strdup(reason ? reason : "");
	e->lead = lead ? gf__strdup(lead) : NULL;
	if (!e->dept || !e->reason || (lead && !e->lead)) {
		gf__free(e->dept);
		gf__free(e->reason);
		gf__free(e->lead);
		gf__free(e);
		return NULL;
	}
	return e;
}

static void gf__audit_free(gf_audit *e)
{
	if (!e)
		return;
	gf__free(e->dept);
	gf__free(e->reason);
	gf__free(e->lead);
	gf__free(e);
}

static void gf__report_free(gf_report *r)
{
	if (!r)
		return;
	gf__ev_free(&r->ev);
	gf__free(r->json);
	gf__free(r);
}

void gf__order_free(gf_order *o)
{
	if (!o)
		return;
	for (size_t i = 0; i < o->reports.len; i++)
		gf__report_free(o->reports.v[i]);
	for (size_t i = 0; i < o->audit.len; i++)
		gf__audit_free(o->audit.v[i]);
	gf__vec_free(&o->reports);
	gf__vec_free(&o->audit);
	gf__free(o->lead);
	gf__free(o->rule);
	gf__free(o->category);
	gf__free(o->merged_into);
	gf__free(o);
}

/* Reserve room so that later pushes cannot fail half-way. */
static int gf__vec_room(gf__vec *v, size_t extra)
{
	while (v->len + extra > v->cap) {
		size_t cap = v->cap ? v->cap * 2 : 4;
		void **n = gf__realloc(v->v, cap * sizeof(*n));
		if (!n)
			return GF_ENOMEM;
		v->v = n;
		v->cap = cap;
	}
	return GF_OK;
}

static gf_order *gf__order_new(const char *id, const gf__ev *ev, gf_time at,
			       const char *lead, gf_level level,
			       const char *rule)
{
	gf_order *o = gf__calloc(1, sizeof(*o));
	if (!o)
		return NULL;
	snprintf(o->id, sizeof(o->id), "%s", id);
	o->state = GF_STATE_DISPATCHED;
	o->lead = gf__strdup(lead);
	o->level = level;
	o->rule = gf__strdup(rule);
	o->category = gf__strdup(ev->category);
	memcpy(o->region, ev->region, sizeof(o->region));
	o->urgency = ev->urgency;
	o->created_at = o->updated_at = at;
	gf__vec_init(&o->reports);
	gf__vec_init(&o->audit);
	gf_audit *a1 = gf__audit_new(at, "create", "system", "system",
				     GF_STATE_NONE, GF_STATE_RECEIVED,
				     ev->ref, NULL);
	gf_audit *a2 = gf__audit_new(at, "dispatch", "system", "system",
				     GF_STATE_RECEIVED, GF_STATE_DISPATCHED,
				     rule, lead);
	if (!o->lead || !o->rule || !o->category || !a1 || !a2 ||
	    gf__vec_room(&o->reports, 1) || gf__vec_room(&o->audit, 8)) {
		gf__audit_free(a1);
		gf__audit_free(a2);
		gf__order_free(o);
		return NULL;
	}
	gf__vec_push(&o->audit, a1);
	gf__vec_push(&o->audit, a2);
	return o;
}

int gf__order_create(gf_order **out, const char *id, gf__ev *ev,
		     gf_time at, const char *lead, gf_level level,
		     const char *rule)
{
	gf_order *o = gf__order_new(id, ev, at, lead, level, rule);
	gf_report *r = o ? gf__calloc(1, sizeof(*r)) : NULL;
	if (!r) {
		gf__order_free(o);
		return GF_ENOMEM;
	}
	r->ev = *ev;
	memset(ev, 0, sizeof(*ev));
	r->ref = r->ev.ref;
	r->order = o;
	gf__vec_push(&o->reports, r);
	*out = o;
	return GF_OK;
}

static int gf__set_str(char **dst, const char *src)
{
	if (*dst && src && strcmp(*dst, src) == 0)
		return GF_OK;
	char *d = gf__strdup(src);
	if (src && !d)
		return GF_ENOMEM;
	gf__free(*dst);
	*dst = d;
	return GF_OK;
}

int gf__order_apply(gf_order *o, const gf__plan *p, gf_order *into,
		    gf_order **created)
{
	const char *what = gf_op_name(p->op);
	gf_audit *e = gf__audit_new(p->at, what, p->actor, p->role, o->state,
				    p->to, p->reason,
				    p->op == GF_OP_SPLIT || p->op == GF_OP_MERGE
					    ? o->lead
					    : p->lead);
	if (!e || gf__vec_room(&o->audit, 1)) {
		gf__audit_free(e);
		return GF_ENOMEM;
	}

	switch (p->op) {
	case GF_OP_MERGE: {
		/* Everything that can fail comes before the first change. */
		gf_audit *e2 = gf__audit_new(p->at, "merged_from", p->actor,
					     p->role, into->state, into->state,
					     o->id, into->lead);
		char *mi = gf__strdup(into->id);
		if (!e2 || !mi || gf__vec_room(&into->audit, 1) ||
		    gf__vec_room(&into->reports, o->reports.len)) {
			gf__audit_free(e2);
			gf__free(mi);
			gf__audit_free(e);
			return GF_ENOMEM;
		}
		for (size_t i = 0; i < o->reports.len; i++) {
			gf_report *r = o->reports.v[i];
			r->order = into;
			gf__vec_push(&into->reports, r);
		}
		o->reports.len = 0;
		gf__vec_push(&into->audit, e2);
		into->updated_at = p->at;
		gf__free(o->merged_into);
		o->merged_into = mi;
		break;
	}
	case GF_OP_SPLIT: {
		size_t k = 0;
		while (k < o->reports.len &&
		       strcmp(((gf_report *)o->reports.v[k])->ref,
			      p->report) != 0)
			k++;
		if (k == o->reports.len) {
			gf__audit_free(e);
			return GF_ENOTFOUND;
		}
		gf_report *r = o->reports.v[k];
		gf_order *n = gf__order_new(p->new_order, &r->ev, p->at,
					    p->lead, p->level, p->rule);
		if (!n) {
			gf__audit_free(e);
			return GF_ENOMEM;
		}
		/* the new order's first entry says where it came from */
		gf__free(((gf_audit *)n->audit.v[0])->reason);
		((gf_audit *)n->audit.v[0])->reason = NULL;
		char *why = gf__malloc(strlen(o->id) + 16);
		if (!why) {
			gf__order_free(n);
			gf__audit_free(e);
			return GF_ENOMEM;
		}
		sprintf(why, "split from %s", o->id);
		((gf_audit *)n->audit.v[0])->reason = why;
		memmove(&o->reports.v[k], &o->reports.v[k + 1],
			(o->reports.len - k - 1) * sizeof(void *));
		o->reports.len--;
		r->order = n;
		gf__vec_push(&n->reports, r);
		*created = n;
		break;
	}
	case GF_OP_DISPATCH:
	case GF_OP_RETURN:
		if (gf__set_str(&o->lead, p->lead) ||
		    gf__set_str(&o->rule, p->rule)) {
			gf__audit_free(e);
			return GF_ENOMEM;
		}
		o->level = p->level;
		if (p->op == GF_OP_RETURN)
			o->returns++;
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
		o->extensions++;
		break;
	case GF_OP_PAUSE:
		o->paused = 1;
		break;
	case GF_OP_RESUME:
		o->paused = 0;
		break;
	default:
		break;
	}
	o->state = p->to;
	o->updated_at = p->at;
	gf__vec_push(&o->audit, e);
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
const char *gf_order_merged_into(const gf_order *o)
{
	return o->merged_into;
}

size_t gf_order_report_count(const gf_order *o) { return o->reports.len; }

const gf_report *gf_order_report(const gf_order *o, size_t i)
{
	return i < o->reports.len ? o->reports.v[i] : NULL;
}

size_t gf_order_audit_count(const gf_order *o) { return o->audit.len; }

const gf_audit *gf_order_audit(const gf_order *o, size_t i)
{
	return i < o->audit.len ? o->audit.v[i] : NULL;
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
