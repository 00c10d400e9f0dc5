/*
 * clock.c - SLA clocks at run time (clock.h; the rules in docs/sla.md).
 *
 * A run is a budget (its length in the clock's measure: natural ms for
 * m/h/d, working ms for wh/wd), the measure used so far, and the instant
 * it last started counting. Due and warning times are points in that
 * measure: pausing banks the measure used, resuming counts the rest from
 * the resume, extending adds to the budget.
 */
#include "clock.h"

#include <stdio.h>

#include "order.h"

static const char *const gf__mark_names[] = {
	"start", "pause", "resume", "request", "extend", "deny",
	"notify", "urge", "supervise", "escalate", "stop"
};

static const char *const gf__sla_state_names[] = {
	"idle", "running", "paused", "stopped"
};

const char *gf_sla_state_name(gf_sla_state s)
{
	return (unsigned)s < 4 ? gf__sla_state_names[s] : NULL;
}

/* ---- measure -------------------------------------------------------- */

static int gf__working(const gf_sla_clock *c)
{
	return c->def->due.unit == GF__DUR_WORK_HOURS ||
	       c->def->due.unit == GF__DUR_WORK_DAYS;
}

/* The measure in [a, b); -1 when the calendar cannot say. */
static int64_t gf__measure(const gf_sla_clock *c, gf_time a, gf_time b)
{
	if (b <= a)
		return 0;
	if (!gf__working(c))
		return b - a;
	int64_t ms;
	return gf__cal_working_ms(c->set->cal, a, b, &ms) ? -1 : ms;
}

/* The instant ms of measure after a; GF_TIME_NONE when unknown. */
static gf_time gf__point(const gf_sla_clock *c, gf_time a, int64_t ms)
{
	if (ms <= 0)
		return a;
	if (!gf__working(c))
		return a > INT64_MAX - ms ? GF_TIME_NONE : a + ms;
	gf_time t;
	return gf__cal_add_working_ms(c->set->cal, a, ms, &t) ? GF_TIME_NONE
							      : t;
}

static gf_time gf__add(const gf_sla_clock *c, gf_time a, gf__duration d)
{
	gf_time t;
	if (a == GF_TIME_NONE || gf__cal_add(c->set->cal, a, d, &t))
		return GF_TIME_NONE;
	return t;
}

/* d after a due time. Working days count from the day after the one an
 * instant falls on, and a due time is the instant the working time ran
 * out: with a day that ends at 24:00, the next date's 00:00. Counted from
 * the instant just before, the day that ran out is the one skipped,
 * whatever the calendar; with days ending at 17:30 nothing changes. */
static gf_time gf__add_to_due(const gf_sla_clock *c, gf_time due,
			      gf__duration d)
{
	if (due != GF_TIME_NONE && d.unit == GF__DUR_WORK_DAYS)
		due--;
	return gf__add(c, due, d);
}

/* Warning and due of a running clock from since, elapsed and budget;
 * times already passed in the measure keep their value. */
static void gf__project(gf_sla_clock *c)
{
	if (c->budget < 0)
		return;
	int64_t left = c->budget - c->elapsed;
	if (left > 0)
		c->due = gf__point(c, c->since, left);
	if (c->def->warn_ratio > 0) {
		int64_t w = (int64_t)((double)c->budget * c->def->warn_ratio);
		if (w - c->elapsed > 0 || c->warn == GF_TIME_NONE)
			c->warn = gf__point(c, c->since, w - c->elapsed);
	}
}

/* ---- marks ---------------------------------------------------------- */

/* A change marks each clock at most twice (stop, start), and a step
 * once more. */
int gf__clocks_room(gf_order *o, gf__pool *pool)
{
	size_t need = o->nmarks + (o->nclocks ? 2 * o->nclocks + 1 : 0);
	if (need <= o->cmarks)
		return GF_OK;
	size_t cap = o->cmarks ? o->cmarks * 2 : 2 * o->nclocks + 2;
	while (cap < need)
		cap *= 2;
	gf_sla_mark *m = gf__pool_alloc(pool, cap * sizeof(*m));
	if (!m)
		return GF_ENOMEM;
	if (o->nmarks)
		memcpy(m, o->marks, o->nmarks * sizeof(*m));
	o->marks = m;
	o->cmarks = cap;
	return GF_OK;
}

static void gf__mark(gf_order *o, const gf_sla_clock *c, gf__mark_kind k,
		     gf_time t)
{
	if (o->nmarks == o->cmarks)
		return; /* not reached: gf__clocks_room() came first */
	gf_sla_mark *m = &o->marks[o->nmarks++];
	m->at = t;
	m->due = c->due;
	m->clock = c->def->name;
	m->what = (uint8_t)k;
}

/* ---- runs ----------------------------------------------------------- */

int gf__clocks_init(gf_order *o, gf__pool *pool, const gf__sla *s,
		    const gf__sla_policy *pol)
{
	o->clocks = NULL;
	o->nclocks = 0;
	if (!pol || !pol->nclocks)
		return GF_OK;
	gf_sla_clock *c = gf__pool_alloc(pool, pol->nclocks * sizeof(*c));
	if (!c)
		return GF_ENOMEM;
	memset(c, 0, pol->nclocks * sizeof(*c));
	for (size_t i = 0; i < pol->nclocks; i++) {
		c[i].def = &pol->clocks[i];
		c[i].set = s;
		c[i].state = GF_SLA_IDLE;
		c[i].started = c[i].since = c[i].stopped = GF_TIME_NONE;
		c[i].due = c[i].warn = GF_TIME_NONE;
		c[i].armed = GF_TIME_NONE;
	}
	o->clocks = c;
	o->nclocks = pol->nclocks;
	return gf__clocks_room(o, pool);
}

/* Start a run at t; 1 when its due time cannot be computed. */
static int gf__start(gf_order *o, gf_sla_clock *c, gf_time t)
{
	c->state = GF_SLA_RUNNING;
	c->runs++;
	c->fired = 0;
	c->reladder = 0;
	c->extensions = 0;
	c->pending = NULL;
	c->started = c->since = t;
	c->stopped = GF_TIME_NONE;
	c->elapsed = 0;
	c->paused_ms = 0;
	c->warn = GF_TIME_NONE;
	c->due = gf__add(c, t, c->def->due);
	c->budget = c->due == GF_TIME_NONE ? -1 : gf__measure(c, t, c->due);
	if (c->budget < 0)
		c->due = GF_TIME_NONE;
	gf__project(c);
	gf__mark(o, c, GF__MARK_START, t);
	return c->due == GF_TIME_NONE;
}

static void gf__stop(gf_order *o, gf_sla_clock *c, gf_time t)
{
	if (c->state == GF_SLA_PAUSED) {
		c->paused_ms += t > c->since ? t - c->since : 0;
		/* its due time is as of the pause, long passed perhaps; a
		 * run stopped with budget left is on time, so it is judged
		 * by the due time it would have had if resumed at the stop */
		if (c->budget >= 0 && c->elapsed <= c->budget &&
		    c->due != GF_TIME_NONE)
			c->due = gf__point(c, t, c->budget - c->elapsed);
	}
	c->state = GF_SLA_STOPPED;
	c->reladder = 0;
	c->stopped = t;
	c->pending = NULL;
	gf__mark(o, c, GF__MARK_STOP, t);
}

static int gf__active(const gf_sla_clock *c)
{
	return c->state == GF_SLA_RUNNING || c->state == GF_SLA_PAUSED;
}

int gf__clocks_move(gf_order *o, gf__milestone m, int returned,
		    int reopened, int ended, gf_time t)
{
	int unknown = 0;
	for (size_t i = 0; i < o->nclocks; i++) {
		gf_sla_clock *c = &o->clocks[i];
		const gf__sla_clock *d = c->def;
		if (ended) {
			if (gf__active(c))
				gf__stop(o, c, t);
			continue;
		}
		if (returned && d->from == GF__MS_DISPATCHED && gf__active(c))
			gf__stop(o, c, t);
		/* a milestone at or past the end stops it: an order resolved
		 * straight from signed has passed in_progress too */
		if (m != GF__MS_NONE && d->until <= m &&
		    m != GF__MS_DISPATCHED && gf__active(c))
			gf__stop(o, c, t);
		if (m != GF__MS_NONE && d->from == m) {
			if (gf__active(c) && m == GF__MS_DISPATCHED)
				gf__stop(o, c, t);
			if (!gf__active(c))
				unknown += gf__start(o, c, t);
		}
		if (reopened && d->until == GF__MS_RESOLVED &&
		    c->state == GF_SLA_STOPPED)
			unknown += gf__start(o, c, t);
	}
	return unknown;
}

/* The time of ladder step s given the clock's due and warning times. */
static gf_time gf__step_time(const gf_sla_clock *c, unsigned s)
{
	const gf__sla_step *st = &c->def->steps[s];
	switch (st->when) {
	case GF__AT_WARNING:
		return c->warn;
	case GF__AT_DUE:
		return c->due;
	case GF__AT_AFTER_DUE:
		return gf__add_to_due(c, c->due, st->after);
	}
	return GF_TIME_NONE;
}

/* The ladder starts over for new due and warning times, at t: the steps
 * whose new time has passed already do not fire (again). Each step is
 * judged on its own time, as each fires at its own time. */
static void gf__reladder(gf_sla_clock *c, gf_time t)
{
	c->fired = 0;
	for (unsigned s = 0; s < c->def->nsteps; s++) {
		gf_time at = gf__step_time(c, s);
		if (at != GF_TIME_NONE && at <= t)
			c->fired |= 1u << s;
	}
}

void gf__clocks_pause(gf_order *o, gf_time t)
{
	for (size_t i = 0; i < o->nclocks; i++) {
		gf_sla_clock *c = &o->clocks[i];
		if (c->state != GF_SLA_RUNNING || !c->def->pausable)
			continue;
		int64_t used = gf__measure(c, c->since, t);
		if (used > 0)
			c->elapsed += used;
		c->since = t;
		c->state = GF_SLA_PAUSED;
		gf__mark(o, c, GF__MARK_PAUSE, t);
	}
}

void gf__clocks_resume(gf_order *o, gf_time t)
{
	for (size_t i = 0; i < o->nclocks; i++) {
		gf_sla_clock *c = &o->clocks[i];
		if (c->state != GF_SLA_PAUSED)
			continue;
		c->paused_ms += t > c->since ? t - c->since : 0;
		c->since = t;
		c->state = GF_SLA_RUNNING;
		gf__project(c);
		if (c->reladder) {
			gf__reladder(c, t);
			c->reladder = 0;
		}
		gf__mark(o, c, GF__MARK_RESUME, t);
	}
}

void gf__clock_request(gf_order *o, size_t i, const char *dur, gf_time t)
{
	gf_sla_clock *c = &o->clocks[i];
	c->pending = dur;
	gf__mark(o, c, GF__MARK_REQUEST, t);
}

void gf__clock_deny(gf_order *o, size_t i, gf_time t)
{
	gf_sla_clock *c = &o->clocks[i];
	c->pending = NULL;
	gf__mark(o, c, GF__MARK_DENY, t);
}

int gf__clock_extend(gf_order *o, size_t i, const char *dur, gf_time t)
{
	gf_sla_clock *c = &o->clocks[i];
	gf__duration d;
	c->pending = NULL;
	c->extensions++;
	if (c->due != GF_TIME_NONE && c->budget >= 0 &&
	    !gf__duration_parse(&d, dur, strlen(dur))) {
		gf_time nd = gf__add_to_due(c, c->due, d);
		int64_t more = nd == GF_TIME_NONE ? -1
						  : gf__measure(c, c->due, nd);
		if (more >= 0) {
			c->budget += more;
			/* while paused, `since` is the pause: the due and
			 * warning times as of the pause */
			c->due = nd;
			gf__project(c);
		}
	}
	/* The ladder starts over for the new due time. A paused clock's
	 * times move again at the resume, and judged now, against times as
	 * of the pause, every step of a clock paused long enough would seem
	 * passed and never fire: it starts over at the resume instead. */
	if (c->state == GF_SLA_PAUSED)
		c->reladder = 1;
	else
		gf__reladder(c, t);
	gf__mark(o, c, GF__MARK_EXTEND, t);
	return c->due == GF_TIME_NONE;
}

/* ---- planning ------------------------------------------------------- */

static const char *gf__dur_text(gf__duration d, char *buf, size_t size)
{
	static const char *const units[] = { "", "m", "h", "d", "wh", "wd" };
	snprintf(buf, size, "%u%s", d.n,
		 (unsigned)d.unit < 6 ? units[d.unit] : "?");
	return buf;
}

static int gf__find(const gf_order *o, const char *name, size_t *index)
{
	for (size_t i = 0; i < o->nclocks; i++)
		if (strcmp(o->clocks[i].def->name, name) == 0) {
			*index = i;
			return 1;
		}
	return 0;
}

int gf__clock_plan_extend(const gf_order *o, const char *name,
			  const char *dur, gf_time now, size_t *index,
			  int *grant, gf__err *err)
{
	size_t i = 0;
	if (name) {
		if (!gf__find(o, name, &i))
			return gf__err_set(err, GF_EUNKNOWN, "$.clock",
					   "order %s has no clock \"%s\"",
					   o->id, name);
	} else if (!gf__find(o, "resolve", &i) ||
		   !o->clocks[i].def->ext_max) {
		size_t k = 0;
		while (k < o->nclocks && !o->clocks[k].def->ext_max)
			k++;
		if (k == o->nclocks)
			return gf__err_set(err, GF_EPERM, "$.clock",
					   "no clock of order %s allows an "
					   "extension (policy %s)", o->id,
					   o->sla ? o->sla : "none");
		i = k;
	}
	const gf_sla_clock *c = &o->clocks[i];
	const gf__sla_clock *d = c->def;
	if (!d->ext_max)
		return gf__err_set(err, GF_EPERM, "$.clock",
				   "clock %s of policy %s allows no extension",
				   d->name, o->sla ? o->sla : "none");
	if (!gf__active(c))
		return gf__err_set(err, GF_ESTATE, "$.clock",
				   "clock %s of order %s is %s", d->name,
				   o->id, gf_sla_state_name(c->state));
	if (c->pending)
		return gf__err_set(err, GF_ESTATE, "$.clock",
				   "an extension of %s by %s awaits approval",
				   d->name, c->pending);
	if (c->extensions >= d->ext_max)
		return gf__err_set(err, GF_EPERM, "$.clock",
				   "clock %s was extended %u time%s, the most "
				   "its policy allows", d->name,
				   c->extensions, c->extensions == 1 ? "" : "s");
	char b1[16], b2[16];
	gf__duration asked;
	if (gf__duration_parse(&asked, dur, strlen(dur)))
		return gf__err_set(err, GF_EVALUE, "$.duration",
				   "\"%s\" is not a duration", dur);
	/* a paused clock's due time is as of the pause, passed perhaps
	 * while budget is left: it is judged by the due time it would have
	 * if resumed now */
	gf_time due = c->due;
	if (c->state == GF_SLA_PAUSED && due != GF_TIME_NONE &&
	    c->budget > c->elapsed) {
		gf_time r = gf__point(c, now, c->budget - c->elapsed);
		if (r != GF_TIME_NONE)
			due = r;
	}
	if (due != GF_TIME_NONE) {
		gf_time a = gf__add_to_due(c, due, asked);
		gf_time l = gf__add_to_due(c, due, d->ext_longest);
		if (a == GF_TIME_NONE || l == GF_TIME_NONE || a > l)
			return gf__err_set(err, GF_EVALUE, "$.duration",
					   "%s is longer than the %s an "
					   "extension of %s may add", dur,
					   gf__dur_text(d->ext_longest, b1, sizeof(b1)),
					   d->name);
		if (d->has_ask_before) {
			gf_time latest = gf__add(c, now, d->ask_before);
			if (latest == GF_TIME_NONE || latest > due)
				return gf__err_set(
					err, GF_ESTATE, "$.op",
					"too late: an extension of %s is asked "
					"for at least %s before it is due",
					d->name,
					gf__dur_text(d->ask_before, b2,
						     sizeof(b2)));
		}
	}
	*index = i;
	*grant = d->approver == NULL;
	return GF_OK;
}

int gf__clock_plan_decide(const gf_order *o, const char *name,
			  const char *actor_function, size_t *index,
			  gf__err *err)
{
	size_t i = 0;
	if (name) {
		if (!gf__find(o, name, &i))
			return gf__err_set(err, GF_EUNKNOWN, "$.clock",
					   "order %s has no clock \"%s\"",
					   o->id, name);
		if (!o->clocks[i].pending)
			return gf__err_set(err, GF_ESTATE, "$.clock",
					   "no extension of %s is pending",
					   name);
	} else {
		while (i < o->nclocks && !o->clocks[i].pending)
			i++;
		if (i == o->nclocks)
			return gf__err_set(err, GF_ESTATE, "$.op",
					   "order %s has no extension request "
					   "pending", o->id);
	}
	const char *fn = o->clocks[i].def->approver;
	if (fn && strcmp(fn, actor_function) != 0)
		return gf__err_set(err, GF_EPERM, "$.actor",
				   "extensions of %s are decided by a "
				   "department of function %s, not %s",
				   o->clocks[i].def->name, fn, actor_function);
	*index = i;
	return GF_OK;
}

/* ---- the ladder ----------------------------------------------------- */

gf_time gf__clock_next(const gf_order *o, size_t i, unsigned *step)
{
	const gf_sla_clock *c = &o->clocks[i];
	if (c->state != GF_SLA_RUNNING || c->due == GF_TIME_NONE)
		return GF_TIME_NONE;
	/* the loader orders steps of the same unit only ("due+30m" may
	 * follow "due+2h"): the earliest unfired one, not the next in the
	 * file; one whose time is unknown waits for none of the others */
	gf_time next = GF_TIME_NONE;
	for (unsigned s = 0; s < c->def->nsteps; s++) {
		if (c->fired & 1u << s)
			continue;
		gf_time at = gf__step_time(c, s);
		if (at != GF_TIME_NONE && (next == GF_TIME_NONE || at < next)) {
			next = at;
			*step = s;
		}
	}
	return next;
}

int gf__clock_step_fits(const gf_order *o, size_t i, unsigned step,
			gf_time at)
{
	const gf_sla_clock *c = &o->clocks[i];
	if (c->state != GF_SLA_RUNNING || c->due == GF_TIME_NONE ||
	    step >= c->def->nsteps || (c->fired & 1u << step))
		return 0;
	gf_time t = gf__step_time(c, step);
	return t != GF_TIME_NONE && t <= at;
}

void gf__clock_fired(gf_order *o, size_t i, unsigned step, gf_time t)
{
	gf_sla_clock *c = &o->clocks[i];
	c->fired |= 1u << step;
	gf__mark(o, c,
		 (gf__mark_kind)(GF__MARK_NOTIFY - 1 +
				 c->def->steps[step].kind),
		 t);
}

/* ---- public accessors ----------------------------------------------- */

size_t gf_order_clock_count(const gf_order *o) { return o->nclocks; }

const gf_sla_clock *gf_order_clock(const gf_order *o, size_t i)
{
	return i < o->nclocks ? &o->clocks[i] : NULL;
}

const gf_sla_clock *gf_order_clock_named(const gf_order *o, const char *name)
{
	size_t i;
	return name && gf__find(o, name, &i) ? &o->clocks[i] : NULL;
}

const char *gf_sla_clock_name(const gf_sla_clock *c) { return c->def->name; }
gf_sla_state gf_sla_clock_state(const gf_sla_clock *c) { return c->state; }
gf_time gf_sla_clock_started(const gf_sla_clock *c) { return c->started; }
gf_time gf_sla_clock_due(const gf_sla_clock *c) { return c->due; }
gf_time gf_sla_clock_warning(const gf_sla_clock *c) { return c->warn; }
gf_time gf_sla_clock_stopped(const gf_sla_clock *c) { return c->stopped; }
int64_t gf_sla_clock_paused_ms(const gf_sla_clock *c) { return c->paused_ms; }
unsigned gf_sla_clock_extensions(const gf_sla_clock *c)
{
	return c->extensions;
}
unsigned gf_sla_clock_runs(const gf_sla_clock *c) { return c->runs; }
unsigned gf_sla_clock_steps_fired(const gf_sla_clock *c)
{
	unsigned n = 0;
	for (unsigned f = c->fired; f; f &= f - 1)
		n++;
	return n;
}
const char *gf_sla_clock_pending(const gf_sla_clock *c) { return c->pending; }

int gf_sla_clock_on_time(const gf_sla_clock *c, gf_time now)
{
	if (c->state == GF_SLA_IDLE || c->due == GF_TIME_NONE)
		return -1;
	if (c->state == GF_SLA_STOPPED)
		return c->stopped <= c->due;
	if (c->state == GF_SLA_RUNNING && now > c->due)
		return 0;
	if (c->state == GF_SLA_PAUSED && c->budget >= 0 &&
	    c->elapsed > c->budget)
		return 0;
	return -1;
}

size_t gf_order_sla_mark_count(const gf_order *o) { return o->nmarks; }

const gf_sla_mark *gf_order_sla_mark(const gf_order *o, size_t i)
{
	return i < o->nmarks ? &o->marks[i] : NULL;
}

const char *gf_sla_mark_clock(const gf_sla_mark *m) { return m->clock; }
const char *gf_sla_mark_what(const gf_sla_mark *m)
{
	return m->what < sizeof(gf__mark_names) / sizeof(gf__mark_names[0])
		       ? gf__mark_names[m->what]
		       : NULL;
}
gf_time gf_sla_mark_time(const gf_sla_mark *m) { return m->at; }
gf_time gf_sla_mark_due(const gf_sla_mark *m) { return m->due; }
