/*
 * ladder.c - the engine's SLA duties: the policy set in force and its
 * snapshots in the store, one timer per running clock, and the ladder
 * steps (notify, urge, supervise, escalate) those timers fire, each
 * stored before it is applied and announced. The clocks' arithmetic is
 * clock.c's; the timing wheel is timer.c's; docs/sla.md has the rules.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine_int.h"
#include "clock.h"
#include "config.h"
#include "record.h"
#include "sla.h"
#include "timer.h"

/* ---- the policy set in force ---------------------------------------- */

/* The SLA policy set in force, written before the first record that
 * follows a change of it, so that a replay starts clocks as they were. */
int gf__record_sla(gf_engine *eng)
{
	gf__rec_sla r = { eng->now, eng->sla ? eng->sla->text : NULL,
			  eng->sla ? eng->sla->text_len : 0 };
	gf__buf b;
	gf__buf_init(&b);
	gf__rec_sla_encode(&r, &b);
	int rc = b.oom ? gf__err_set(&eng->err, GF_ENOMEM, NULL,
				     "out of memory encoding a record")
		       : gf__append(eng, GF__REC_SLA, b.p, b.len);
	gf__buf_free(&b);
	if (!rc) {
		eng->sla_unsaved = 0;
		eng->sla_saved_any = 1;
		if (eng->sla)
			memcpy(eng->sla_saved, eng->sla->digest, 32);
		else
			memset(eng->sla_saved, 0, 32);
	}
	return rc;
}

/*
 * A snapshot record: its policy set is in force from here on. The
 * configuration's own set, or one rebuilt before, is used when the digest
 * matches; otherwise the text is loaded.
 */
int gf__sla_adopt(gf_engine *eng, const char *text, size_t len)
{
	uint8_t d[32];
	eng->sla_saved_any = 1;
	if (!len) {
		eng->sla = NULL;
		memset(eng->sla_saved, 0, 32);
		return GF_OK;
	}
	gf__sha256(text, len, d);
	memcpy(eng->sla_saved, d, 32);
	if (eng->cfg->sla && memcmp(eng->cfg->sla->digest, d, 32) == 0) {
		eng->sla = eng->cfg->sla;
		return GF_OK;
	}
	for (size_t i = 0; i < eng->sla_sets.len; i++) {
		const gf__sla *s = eng->sla_sets.v[i];
		if (memcmp(s->digest, d, 32) == 0) {
			eng->sla = s;
			return GF_OK;
		}
	}
	gf__sla *s;
	if (gf__vec_reserve(&eng->sla_sets, 1))
		return GF_ENOMEM;
	int rc = gf__sla_from_snapshot(&s, text, len);
	if (rc)
		return rc;
	gf__vec_push(&eng->sla_sets, s);
	eng->sla = s;
	return GF_OK;
}

/* The configuration's policy set is in force from now on; the store gets
 * its snapshot before the next record, unless it holds it already. */
void gf__sla_use_config(gf_engine *eng)
{
	const gf__sla *s = eng->cfg->sla;
	static const uint8_t none[32];
	eng->sla = s;
	eng->sla_unsaved =
		!eng->sla_saved_any ||
		memcmp(eng->sla_saved, s ? s->digest : none, 32) != 0;
	if (!eng->sla_saved_any && !s)
		eng->sla_unsaved = 0; /* nothing to say */
}

/* ---- timers and steps ----------------------------------------------- */

/* Keep one timer per running clock of o at its next step; nothing while
 * replaying (the timers are armed once the store is read). A timer that
 * cannot be started for want of memory leaves the engine owing a re-arm
 * of every clock (eng->rearm), paid at the next call that runs timers. */
void gf__arm(gf_engine *eng, gf_order *o)
{
	if (eng->replaying || !o)
		return;
	for (size_t i = 0; i < o->nclocks; i++) {
		gf_sla_clock *c = &o->clocks[i];
		unsigned step;
		gf_time t = gf__clock_next(o, i, &step);
		if (t == c->armed && (c->timer || t == GF_TIME_NONE))
			continue;
		if (c->timer)
			gf__timers_cancel(eng->timers, c->timer);
		c->timer = 0;
		c->armed = t;
		if (t == GF_TIME_NONE)
			continue;
		c->timer = gf__timers_start(eng->timers, t,
					    (uint64_t)o->index << 8 | i);
		if (!c->timer) {
			c->armed = GF_TIME_NONE;
			eng->rearm = 1;
		}
	}
}

/* Pay a re-arm owed: GF_OK, or GF_ENOMEM while memory is still short. */
static int gf__rearm(gf_engine *eng)
{
	if (!eng->rearm)
		return GF_OK;
	eng->rearm = 0;
	for (size_t i = 0; i < eng->orders.len; i++)
		gf__arm(eng, eng->orders.v[i]);
	return eng->rearm ? gf__err_set(&eng->err, GF_ENOMEM, NULL,
					"out of memory for SLA timers")
			  : GF_OK;
}

/* The department of d's function at the nearest level above d's. */
static const gf__dept *gf__upper(const gf__dir *dir, const gf__dept *d)
{
	int fid = gf__dir_function_id(dir, d->function, strlen(d->function));
	if (fid < 0)
		return NULL;
	for (const gf__region *r = d->region->parent; r; r = r->parent)
		if (r->by_function && r->by_function[fid])
			return r->by_function[fid];
	return NULL;
}

/*
 * Why a reassigning escalation may not move o now (what o is: "paused",
 * "resolved", ...), or NULL when it may. A reassign sends the order back
 * to dispatched for the new lead, which undoes nothing only while the
 * order is being worked on: a paused order would be dispatched and still
 * paused, which no action can leave; a resolved or verified one, under a
 * clock that runs until closed, would lose its resolution; a returned one
 * waits for the desk's dispatch. The step then only notifies. Its record
 * names no new lead, so a replay does the same.
 */
static const char *gf__reassign_held(const gf_order *o)
{
	if (o->paused)
		return "paused";
	switch (o->state) {
	case GF_STATE_DISPATCHED:
	case GF_STATE_SIGNED:
	case GF_STATE_IN_PROGRESS:
	case GF_STATE_REOPENED:
		return NULL;
	default:
		return gf_state_name(o->state);
	}
}

void gf__warn_unknown_due(gf_engine *eng, const gf_order *o,
				 gf_time at)
{
	for (size_t i = 0; i < o->nclocks; i++) {
		const gf_sla_clock *c = &o->clocks[i];
		if (c->state == GF_SLA_RUNNING && c->due == GF_TIME_NONE &&
		    c->since == at)
			gf__notify(eng, GF_NOTICE_WARNING, o->id, o->lead,
				   "order %s: the calendar cannot compute "
				   "when its %s clock (%s) falls due; it runs "
				   "without a deadline", o->id, c->def->name,
				   c->def->due_text);
	}
}

/* Clock i of o reached its next ladder step: store it, apply it, tell. */
static int gf__step(gf_engine *eng, gf_order *o, size_t i, gf_time now)
{
	gf_sla_clock *c = &o->clocks[i];
	unsigned s;
	gf_time t = gf__clock_next(o, i, &s);
	if (t == GF_TIME_NONE || t > now) {
		gf__arm(eng, o);
		return GF_OK;
	}
	const gf__sla_step *st = &c->def->steps[s];
	/* the event clock replays history: the step happened when due;
	 * the wall clock says when it was noticed */
	gf_time at = eng->clock == GF_CLOCK_EVENT ? t : now;
	const gf__dept *up = NULL;
	const char *held = gf__reassign_held(o);
	if (st->kind == GF__STEP_ESCALATE && (st->copy || !held)) {
		const gf__dept *d = gf__dir_dept(eng->dir, o->lead,
						 strlen(o->lead));
		up = d ? gf__upper(eng->dir, d) : NULL;
	}
	int off = c->set->cal ? gf__cal_offset(c->set->cal)
			      : o->reports[0]->ev.offset_min;
	char due[40], why[200];
	gf_time_format(due, sizeof(due), c->due, off);
	char how[48] = "";
	if (st->kind == GF__STEP_ESCALATE && up)
		snprintf(how, sizeof(how), "; %s up",
			 st->copy ? "copied" : "reassigned");
	else if (st->kind == GF__STEP_ESCALATE && !st->copy && held)
		snprintf(how, sizeof(how), "; not reassigned: the order is %s",
			 held);
	else if (st->kind == GF__STEP_ESCALATE)
		snprintf(how, sizeof(how), "; no upper level");
	snprintf(why, sizeof(why), "%s clock (%s) due %s: %s%s", c->def->name,
		 c->def->due_text, due, st->text, how);
	gf__rec_step r = { at, o->id, (unsigned)i, s, why,
			   up ? up->id : NULL,
			   up ? up->level : GF_LEVEL_NONE, st->copy };
	gf__buf_reset(&eng->rec);
	if (eng->store->ops->keeps)
		gf__rec_step_encode(&r, &eng->rec);
	int rc = gf__record(eng, GF__REC_STEP);
	if (rc)
		return rc;
	const char *before_lead = o->lead;
	gf_state before = o->state;
	if (gf__order_step(o, &eng->pool, i, s, at, why, r.lead, r.level,
			   r.copy))
		return gf__poison(eng);
	eng->state_counts[before]--;
	eng->state_counts[o->state]++;
	gf__arm(eng, o);
	gf__touch(eng, o);
	if (!eng->notice && !eng->txn)
		return GF_OK;
	const char *to = st->to == GF__TO_SUPERVISOR ? eng->cfg->fallback->id
						     : before_lead;
	if (st->kind == GF__STEP_ESCALATE && up)
		to = up->id;
	char msg[512];
	gf__textf(msg, sizeof(msg), "order %s: %s (%s held by %s)", o->id, why,
		  gf__step_name(st->kind), before_lead);
	gf_notice n = { st->kind == GF__STEP_ESCALATE ? GF_NOTICE_ESCALATED
						      : GF_NOTICE_SLA,
			o->id, to, msg, at, c->def->name,
			gf__step_name(st->kind), c->due, NULL };
	gf__emit(eng, &n);
	return GF_OK;
}

static void gf__collect(void *ud, gf__timer_id id, uint64_t cookie,
			gf_time at)
{
	gf_engine *eng = ud;
	(void)id;
	if (eng->nfired == eng->cfired) {
		size_t cap = eng->cfired ? eng->cfired * 2 : 64;
		gf__fired *f = gf__realloc(eng->fired, cap * sizeof(*f));
		if (!f) {
			/* the clock is re-armed from its state later */
			size_t k = (size_t)(cookie >> 8);
			if (k < eng->orders.len) {
				gf_order *o = eng->orders.v[k];
				o->clocks[cookie & 0xff].timer = 0;
				o->clocks[cookie & 0xff].armed = GF_TIME_NONE;
			}
			eng->rearm = 1;
			eng->firing = -1;
			return;
		}
		eng->fired = f;
		eng->cfired = cap;
	}
	eng->fired[eng->nfired].at = at;
	eng->fired[eng->nfired].cookie = cookie;
	eng->nfired++;
}

static int gf__fired_cmp(const void *a, const void *b)
{
	const gf__fired *x = a, *y = b;
	if (x->at != y->at)
		return x->at < y->at ? -1 : 1;
	return x->cookie < y->cookie ? -1 : x->cookie > y->cookie;
}

/*
 * Take every ladder step due by the engine's time, earliest first (ties
 * by order and clock, so a restart takes them in the same order). On a
 * store error the steps not taken are re-armed and the error returned.
 */
int gf__fire_due(gf_engine *eng, size_t *count)
{
	if (count)
		*count = 0;
	if (eng->firing > 0)
		return GF_OK;
	int rc = gf__rearm(eng);
	if (rc)
		return rc;
	gf_time now = eng->clock == GF_CLOCK_WALL ? gf__now(eng) : eng->now;
	eng->firing = 1;
	for (;;) {
		gf_time next = gf__timers_next(eng->timers);
		if (next == INT64_MAX || next > now)
			break;
		eng->nfired = 0;
		gf__timers_advance(eng->timers, next, gf__collect, eng);
		if (eng->firing < 0) {
			/* out of memory collecting: the timers lost are owed
			 * (eng->rearm); take the ones collected, then stop */
			rc = gf__err_set(&eng->err, GF_ENOMEM, NULL,
					 "out of memory firing SLA timers");
			eng->firing = 1;
		}
		if (eng->nfired > 1)
			qsort(eng->fired, eng->nfired, sizeof(*eng->fired),
			      gf__fired_cmp);
		int lost = rc;
		size_t k = 0;
		for (rc = GF_OK; k < eng->nfired; k++) {
			uint64_t ck = eng->fired[k].cookie;
			gf_order *o = eng->orders.v[ck >> 8];
			gf_sla_clock *c = &o->clocks[ck & 0xff];
			c->timer = 0;
			c->armed = GF_TIME_NONE;
			rc = gf__step(eng, o, ck & 0xff, now);
			if (rc)
				break;
			if (count)
				(*count)++;
		}
		if (rc) {
			for (; k < eng->nfired; k++)
				gf__arm(eng,
					eng->orders.v[eng->fired[k].cookie >>
						      8]);
			break;
		}
		if ((rc = lost))
			break;
	}
	eng->firing = 0;
	return rc;
}

/* ---- the host's side ------------------------------------------------- */

gf_time gf_engine_next_deadline(const gf_engine *eng)
{
	if (!eng)
		return INT64_MAX;
	/* timers owed a re-arm: come back now */
	if (eng->rearm)
		return gf_engine_now(eng);
	gf_time next = gf__timers_next(eng->timers);
	/* under the wall clock a waiting group-commit batch is due too
	 * (gf_engine_run_timers commits it); the event clock is not the
	 * batch's, so there the host flushes */
	if (eng->txn && eng->clock == GF_CLOCK_WALL &&
	    eng->store->ops->due_in) {
		int64_t in = eng->store->ops->due_in(eng->store);
		if (in >= 0 && gf_engine_now(eng) + in < next)
			next = gf_engine_now(eng) + in;
	}
	return next;
}

int gf_engine_run_timers(gf_engine *eng, size_t *fired)
{
	if (fired)
		*fired = 0;
	if (!eng)
		return GF_EINVAL;
	int rc = gf__check_usable(eng);
	if (rc)
		return rc;
	return gf__end(eng, gf__fire_due(eng, fired), 0);
}
