/*
 * check_timer.c - the timing wheel (lib/timer.c) against a reference
 * model, plus its documented edges: tie order across cascades, stale ids,
 * time that does not go back, the ends of the gf_time range, memory per
 * timer and out-of-memory.
 *
 * The reference is the specification written as plainly as possible: a
 * set of pending timers, each with a due instant (its deadline, clamped up
 * to the instant being fired for one started inside a callback) and a
 * start number; advance fires, one at a time, the pending timer with the
 * least (due, start number) whose due is at or before the target.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "timer.h"
#include "testutil.h"

static uint64_t rng_next(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static uint64_t rng_below(uint64_t *s, uint64_t n)
{
	return n ? rng_next(s) % n : 0;
}

#define DAY_MS (24LL * 3600 * 1000)

/* Check records every passing ck_assert (a message to the runner each):
 * the loops that check millions of times use these, which speak only on
 * failure. */
#define REQUIRE(c)                                                      \
	do {                                                            \
		if (!(c))                                               \
			ck_abort_msg("%s:%d: %s", __FILE__, __LINE__, #c); \
	} while (0)
#define REQUIRE_EQ(a, b)                                                \
	do {                                                            \
		long long a_ = (long long)(a), b_ = (long long)(b);     \
		if (a_ != b_)                                           \
			ck_abort_msg("%s:%d: %s == %s: %lld != %lld",   \
				     __FILE__, __LINE__, #a, #b, a_, b_); \
	} while (0)

/* ---- the reference model ------------------------------------------- */

typedef struct ref_timer {
	gf_time at;
	gf_time due;
	uint64_t seq;
	uint64_t cookie;
	gf__timer_id id;
} ref_timer;

typedef struct model {
	ref_timer *live; /* pending timers, unordered */
	size_t n, cap;
	uint64_t seq;
	gf_time now;
	int firing;
	gf_time cur;
} model;

static void model_start(model *m, gf_time at, uint64_t cookie,
			gf__timer_id id)
{
	if (m->n == m->cap) {
		m->cap = m->cap ? m->cap * 2 : 256;
		m->live = realloc(m->live, m->cap * sizeof(*m->live));
		ck_assert_ptr_nonnull(m->live);
	}
	ref_timer *r = &m->live[m->n++];
	r->at = at;
	r->due = m->firing && at < m->cur ? m->cur : at;
	r->seq = m->seq++;
	r->cookie = cookie;
	r->id = id;
}

static long model_find(const model *m, gf__timer_id id)
{
	for (size_t i = 0; i < m->n; i++)
		if (m->live[i].id == id)
			return (long)i;
	return -1;
}

static void model_remove(model *m, size_t i)
{
	m->live[i] = m->live[--m->n];
}

/* The next to fire at or before target: index, or -1. */
static long model_next_due(const model *m, gf_time target)
{
	long best = -1;
	for (size_t i = 0; i < m->n; i++) {
		const ref_timer *r = &m->live[i];
		if (r->due > target)
			continue;
		if (best < 0 || r->due < m->live[best].due ||
		    (r->due == m->live[best].due && r->seq < m->live[best].seq))
			best = (long)i;
	}
	return best;
}

static gf_time model_min_at(const model *m)
{
	gf_time v = INT64_MAX;
	for (size_t i = 0; i < m->n; i++)
		if (m->live[i].at < v)
			v = m->live[i].at;
	return v;
}

/* ---- the differential run ------------------------------------------ */

typedef struct drun {
	gf__timers *t;
	model m;
	uint64_t rng;
	gf_time target;       /* of the advance under way */
	gf__timer_id *ids;    /* every id handed out, for stale cancels */
	size_t nids, capids;
	size_t fired;
	int depth_starts;     /* starts from callbacks in this advance */
	int dense;            /* deadlines crowd a few instants */
	uint64_t cookie;
} drun;

static void check_state(drun *r)
{
	REQUIRE_EQ(gf__timers_count(r->t), r->m.n);
	REQUIRE_EQ(gf__timers_next(r->t), model_min_at(&r->m));
}

static void remember(drun *r, gf__timer_id id)
{
	if (r->nids == r->capids) {
		r->capids = r->capids ? r->capids * 2 : 1024;
		r->ids = realloc(r->ids, r->capids * sizeof(*r->ids));
		ck_assert_ptr_nonnull(r->ids);
	}
	r->ids[r->nids++] = id;
}

/* A deadline around base: past, now, near, far, very far, the ends. */
static gf_time pick_at(drun *r, gf_time base)
{
	uint64_t k = rng_below(&r->rng, 100);
	gf_time d;
	if (r->dense && k < 60) {
		/* few distinct instants: long lists, many ties */
		d = (gf_time)rng_below(&r->rng, 8) * 97 - 200;
		if (k < 10)
			d += 70000;
	} else if (k < 8)
		d = -(gf_time)rng_below(&r->rng, 1000);
	else if (k < 12)
		d = -(gf_time)rng_below(&r->rng, 400 * DAY_MS);
	else if (k < 16)
		d = 0;
	else if (k < 40)
		d = (gf_time)rng_below(&r->rng, 300);
	else if (k < 60)
		d = (gf_time)rng_below(&r->rng, 200000);
	else if (k < 75)
		d = (gf_time)rng_below(&r->rng, 3 * DAY_MS);
	else if (k < 92)
		d = (gf_time)rng_below(&r->rng, 90 * DAY_MS);
	else if (k < 96)
		d = (gf_time)rng_below(&r->rng, 1LL << 45);
	else if (k < 98)
		return INT64_MAX - (gf_time)rng_below(&r->rng, 3);
	else
		return INT64_MIN + (gf_time)rng_below(&r->rng, 3);
	if (d > 0 && base > INT64_MAX - d)
		return INT64_MAX;
	if (d < 0 && base < INT64_MIN - d)
		return INT64_MIN;
	return base + d;
}

static void do_start(drun *r, gf_time base)
{
	gf_time at = pick_at(r, base);
	uint64_t cookie = r->cookie++;
	gf__timer_id id = gf__timers_start(r->t, at, cookie);
	REQUIRE(id != 0);
	model_start(&r->m, at, cookie, id);
	remember(r, id);
}

static void do_cancel(drun *r)
{
	gf__timer_id id;
	uint64_t k = rng_below(&r->rng, 10);
	if (k == 0)
		id = (gf__timer_id)rng_next(&r->rng);
	else if (k == 1 && r->m.n)
		id = r->m.live[rng_below(&r->rng, r->m.n)].id;
	else if (r->nids)
		id = r->ids[rng_below(&r->rng, r->nids)];
	else
		id = 0;
	long i = model_find(&r->m, id);
	int got = gf__timers_cancel(r->t, id);
	REQUIRE_EQ(got, i >= 0);
	if (i >= 0)
		model_remove(&r->m, (size_t)i);
}

static void on_fire(void *ud, gf__timer_id id, uint64_t cookie, gf_time at)
{
	drun *r = ud;
	long i = model_next_due(&r->m, r->target);
	REQUIRE(i >= 0);
	ref_timer want = r->m.live[i];
	REQUIRE_EQ(id, want.id);
	REQUIRE_EQ(cookie, want.cookie);
	REQUIRE_EQ(at, want.at);
	model_remove(&r->m, (size_t)i);
	r->m.cur = want.due;
	r->fired++;
	REQUIRE_EQ(gf__timers_count(r->t), r->m.n);
	/* the firing timer is gone already */
	REQUIRE_EQ(gf__timers_cancel(r->t, id), 0);
	/* no nesting */
	REQUIRE_EQ(gf__timers_advance(r->t, r->target, on_fire, r), 0);

	uint64_t k = rng_below(&r->rng, 100);
	if (k < 30 && r->depth_starts < 2000) {
		r->depth_starts++;
		do_start(r, want.due);
	}
	if (k >= 20 && k < 40)
		do_cancel(r);
	if (k == 99) {
		/* a burst of timers all due now and in the past */
		for (int j = 0; j < 5; j++) {
			gf_time back = (gf_time)rng_below(&r->rng, 3);
			gf_time a = want.due < INT64_MIN + back ? INT64_MIN
								: want.due - back;
			uint64_t c = r->cookie++;
			gf__timer_id nid = gf__timers_start(r->t, a, c);
			REQUIRE(nid != 0);
			model_start(&r->m, a, c, nid);
			remember(r, nid);
		}
	}
	check_state(r);
}

static void do_advance(drun *r)
{
	uint64_t k = rng_below(&r->rng, 100);
	gf_time now = r->m.now, to;
	if (k < 10)
		to = now - (gf_time)rng_below(&r->rng, 5000); /* backwards */
	else if (k < 20)
		to = now;
	else if (k < 50)
		to = now + (gf_time)rng_below(&r->rng, 300);
	else if (k < 75)
		to = now + (gf_time)rng_below(&r->rng, 100000);
	else if (k < 92)
		to = now + (gf_time)rng_below(&r->rng, 2 * DAY_MS);
	else
		to = now + (gf_time)rng_below(&r->rng, 60 * DAY_MS);
	r->target = to > now ? to : now;
	r->m.firing = 1;
	r->fired = 0;
	r->depth_starts = 0;
	size_t n = gf__timers_advance(r->t, to, on_fire, r);
	r->m.firing = 0;
	REQUIRE_EQ(n, r->fired);
	REQUIRE(model_next_due(&r->m, r->target) < 0);
	r->m.now = r->target;
	REQUIRE_EQ(gf__timers_now(r->t), r->m.now);
	check_state(r);
}

static void differential(uint64_t seed, gf_time t0, int steps, int dense)
{
	drun r;
	memset(&r, 0, sizeof(r));
	r.rng = seed;
	r.dense = dense;
	r.m.now = t0;
	REQUIRE_EQ(gf__timers_new(&r.t, t0), GF_OK);
	check_state(&r);
	for (int s = 0; s < steps; s++) {
		uint64_t k = rng_below(&r.rng, 100);
		if (k < 50)
			do_start(&r, r.m.now);
		else if (k < 72)
			do_cancel(&r);
		else if (k < 84)
			do_advance(&r);
		else if (k < 85)
			/* a batch of starts, to make slots crowded */
			for (int j = 0; j < 100; j++)
				do_start(&r, r.m.now);
		check_state(&r);
	}
	/* drain everything but the ends of time */
	r.target = INT64_MAX - 3;
	r.m.firing = 1;
	r.fired = 0;
	size_t n = gf__timers_advance(r.t, r.target, on_fire, &r);
	r.m.firing = 0;
	REQUIRE_EQ(n, r.fired);
	r.m.now = r.target;
	check_state(&r);
	gf__timers_free(r.t);
	free(r.m.live);
	free(r.ids);
}

START_TEST(random_against_reference)
{
	static const gf_time starts[] = {
		1767225600000LL, /* 2026-01-01 */
		0, -1, -86400000LL * 365 * 30, 1767225600000LL + 255,
		1767225600000LL + 65535, (1LL << 40) - 1, (1LL << 56) - 7,
	};
	int i = _i;
	differential(0x9E3779B97F4A7C15ull * (uint64_t)(i + 1),
		     starts[(size_t)i % (sizeof(starts) / sizeof(starts[0]))],
		     20000, i >= 8);
}
END_TEST

/* ---- tie order ------------------------------------------------------ */

typedef struct order_log {
	uint64_t cookies[4096];
	gf_time ats[4096];
	size_t n;
} order_log;

static void log_fire(void *ud, gf__timer_id id, uint64_t cookie, gf_time at)
{
	order_log *l = ud;
	(void)id;
	ck_assert_uint_lt(l->n, 4096);
	l->cookies[l->n] = cookie;
	l->ats[l->n] = at;
	l->n++;
}

START_TEST(ties_fire_in_start_order_across_cascades)
{
	/* Timers on the same deadline started at many times, so that some
	 * wait at level 3, others at 2, 1 and 0 when started: they must
	 * fire in start order all the same. */
	static order_log l;
	gf__timers *t;
	const gf_time t0 = 1767225600000LL, x = t0 + 5 * DAY_MS + 12345;
	uint64_t rng = 42, tied = 0, other = 1000000;
	ck_assert_int_eq(gf__timers_new(&t, t0), GF_OK);
	l.n = 0;
	for (int i = 0; i < 5; i++)
		ck_assert_uint_ne(gf__timers_start(t, x - 1, other++), 0);
	for (gf_time now = t0;;) {
		ck_assert_uint_ne(gf__timers_start(t, x, tied++), 0);
		ck_assert_uint_ne(gf__timers_start(t, x + 1, other++), 0);
		if (now == x - 2)
			break;
		gf_time step = (x - 2 - now) / 3 + (gf_time)rng_below(&rng, 3);
		now = step < 1 ? now + 1 : now + step > x - 2 ? x - 2 : now + step;
		ck_assert_uint_eq(gf__timers_advance(t, now, log_fire, &l), 0);
		ck_assert_int_eq(gf__timers_next(t), x - 1);
	}
	ck_assert_uint_ge(tied, 20);
	size_t n = gf__timers_advance(t, x + 1, log_fire, &l);
	ck_assert_uint_eq(n, 5 + 2 * tied);
	/* x-1, then x in start order, then x+1 */
	for (size_t i = 0; i < 5; i++)
		ck_assert_int_eq(l.ats[i], x - 1);
	for (size_t i = 0; i < tied; i++) {
		ck_assert_int_eq(l.ats[5 + i], x);
		ck_assert_uint_eq(l.cookies[5 + i], i);
	}
	for (size_t i = 1; i < n; i++) {
		ck_assert_int_le(l.ats[i - 1], l.ats[i]);
		if (l.ats[i] == l.ats[i - 1])
			ck_assert_uint_lt(l.cookies[i - 1], l.cookies[i]);
	}
	ck_assert_uint_eq(gf__timers_count(t), 0);
	ck_assert_int_eq(gf__timers_next(t), INT64_MAX);
	gf__timers_free(t);
}
END_TEST

START_TEST(overdue_timers_fire_by_deadline)
{
	/* Timers started already due fire at the next advance, by deadline,
	 * before those that come due during it. */
	static order_log l;
	gf__timers *t;
	ck_assert_int_eq(gf__timers_new(&t, 10000), GF_OK);
	l.n = 0;
	gf__timers_start(t, 10001, 0);
	gf__timers_start(t, 9000, 1);
	gf__timers_start(t, 5, 2);
	gf__timers_start(t, 10000, 3);
	gf__timers_start(t, 9000, 4);
	gf__timers_start(t, INT64_MIN, 5);
	ck_assert_int_eq(gf__timers_next(t), INT64_MIN);
	ck_assert_uint_eq(gf__timers_advance(t, 10001, log_fire, &l), 6);
	static const uint64_t want[] = { 5, 2, 1, 4, 3, 0 };
	for (size_t i = 0; i < 6; i++)
		ck_assert_uint_eq(l.cookies[i], want[i]);
	gf__timers_free(t);
}
END_TEST

/* ---- callbacks that start timers ------------------------------------ */

typedef struct chain {
	gf__timers *t;
	order_log log;
	int armed;
} chain;

static void chain_fire(void *ud, gf__timer_id id, uint64_t cookie,
		       gf_time at)
{
	chain *c = ud;
	log_fire(&c->log, id, cookie, at);
	if (cookie == 1 && c->armed) {
		c->armed = 0;
		/* due now: after the timers already due at this instant */
		gf__timers_start(c->t, at, 10);
		/* in the past: the same */
		gf__timers_start(c->t, at - 50, 11);
		/* later within this advance: in its place */
		gf__timers_start(c->t, at + 5, 12);
		/* after this advance */
		gf__timers_start(c->t, at + 1000, 13);
	}
}

START_TEST(callbacks_start_timers_in_the_same_advance)
{
	chain c;
	memset(&c, 0, sizeof(c));
	c.armed = 1;
	ck_assert_int_eq(gf__timers_new(&c.t, 0), GF_OK);
	gf__timers_start(c.t, 100, 1);
	gf__timers_start(c.t, 100, 2);
	gf__timers_start(c.t, 103, 3);
	gf__timers_start(c.t, 106, 4);
	ck_assert_uint_eq(gf__timers_advance(c.t, 200, chain_fire, &c), 7);
	static const uint64_t want[] = { 1, 2, 10, 11, 3, 12, 4 };
	for (size_t i = 0; i < 7; i++)
		ck_assert_uint_eq(c.log.cookies[i], want[i]);
	ck_assert_int_eq(c.log.ats[3], 50); /* reported with its own deadline */
	ck_assert_uint_eq(gf__timers_count(c.t), 1);
	ck_assert_int_eq(gf__timers_next(c.t), 1100);
	gf__timers_free(c.t);
}
END_TEST

/* ---- ids ----------------------------------------------------------- */

START_TEST(stale_ids_cancel_nothing)
{
	gf__timers *t;
	ck_assert_int_eq(gf__timers_new(&t, 0), GF_OK);
	ck_assert_int_eq(gf__timers_cancel(t, 0), 0);
	ck_assert_int_eq(gf__timers_cancel(t, 1), 0);          /* a list head */
	ck_assert_int_eq(gf__timers_cancel(t, 0xFFFFFFFFu), 0); /* never used */

	gf__timer_id a = gf__timers_start(t, 10, 1);
	ck_assert_uint_ne(a, 0);
	ck_assert_int_eq(gf__timers_cancel(t, a), 1);
	ck_assert_int_eq(gf__timers_cancel(t, a), 0);

	static order_log l;
	gf__timer_id b = gf__timers_start(t, 10, 2);
	ck_assert_uint_eq(gf__timers_advance(t, 10, log_fire, &l), 1);
	ck_assert_int_eq(gf__timers_cancel(t, b), 0);

	/* Push a's slot through the reuse queue: it comes back with the next
	 * generation, and a's id must not touch the new timer. */
	const size_t n = GF__TIMER_REUSE_DELAY + 100;
	gf__timer_id *ids = malloc(n * sizeof(*ids));
	ck_assert_ptr_nonnull(ids);
	for (size_t i = 0; i < n; i++)
		ids[i] = gf__timers_start(t, 1000, i);
	for (size_t i = 0; i < n; i++)
		ck_assert_int_eq(gf__timers_cancel(t, ids[i]), 1);
	gf__timer_id reused = 0;
	for (size_t i = 0; i < n && !reused; i++) {
		gf__timer_id c = gf__timers_start(t, 2000, i);
		ck_assert_uint_ne(c, 0);
		if ((c & 0xFFFFFFu) == (a & 0xFFFFFFu))
			reused = c;
	}
	ck_assert_uint_ne(reused, 0);
	ck_assert_uint_ne(reused, a);
	ck_assert_int_eq(gf__timers_cancel(t, a), 0);
	ck_assert_int_eq(gf__timers_cancel(t, b), 0);
	ck_assert_int_eq(gf__timers_cancel(t, reused), 1);
	free(ids);
	gf__timers_free(t);
}
END_TEST

START_TEST(a_slot_is_reused_only_after_the_delay)
{
	/* Start and cancel one timer at a time: the slots cycle through the
	 * reuse queue, so an id comes back no sooner than 256 x the delay. */
	gf__timers *t;
	ck_assert_int_eq(gf__timers_new(&t, 0), GF_OK);
	gf__timer_id first = gf__timers_start(t, 5, 0);
	ck_assert_int_eq(gf__timers_cancel(t, first), 1);
	size_t same_slot = 0;
	for (size_t i = 1; i <= 8 * (GF__TIMER_REUSE_DELAY + 1); i++) {
		gf__timer_id id = gf__timers_start(t, 5, i);
		ck_assert_uint_ne(id, first);
		if ((id & 0xFFFFFFu) == (first & 0xFFFFFFu))
			same_slot++;
		ck_assert_int_eq(gf__timers_cancel(t, id), 1);
	}
	ck_assert_uint_ge(same_slot, 1);
	ck_assert_uint_le(same_slot, 8);
	/* bounded memory: the queue, not an ever-growing array */
	ck_assert_uint_le(gf__timers_memory(t), 2u * 1024 * 1024);
	gf__timers_free(t);
}
END_TEST

/* ---- time ----------------------------------------------------------- */

START_TEST(time_does_not_go_back)
{
	static order_log l;
	gf__timers *t;
	l.n = 0;
	ck_assert_int_eq(gf__timers_new(&t, 1000), GF_OK);
	ck_assert_int_eq(gf__timers_next(t), INT64_MAX);
	gf__timers_start(t, 2000, 1);
	ck_assert_uint_eq(gf__timers_advance(t, 500, log_fire, &l), 0);
	ck_assert_int_eq(gf__timers_now(t), 1000);
	ck_assert_int_eq(gf__timers_next(t), 2000);
	/* already due: fires at the next advance, even a backward one */
	gf__timers_start(t, 900, 2);
	ck_assert_int_eq(gf__timers_next(t), 900);
	ck_assert_uint_eq(gf__timers_advance(t, 800, log_fire, &l), 1);
	ck_assert_uint_eq(l.cookies[0], 2);
	ck_assert_int_eq(gf__timers_now(t), 1000);
	ck_assert_uint_eq(gf__timers_advance(t, 1999, log_fire, &l), 0);
	ck_assert_uint_eq(gf__timers_advance(t, 1500, log_fire, &l), 0);
	ck_assert_int_eq(gf__timers_now(t), 1999);
	ck_assert_uint_eq(gf__timers_advance(t, 2000, log_fire, &l), 1);
	ck_assert_int_eq(gf__timers_next(t), INT64_MAX);
	gf__timers_free(t);
}
END_TEST

START_TEST(the_ends_of_time)
{
	static order_log l;
	static const gf_time ats[] = {
		INT64_MAX, INT64_MIN, 0, -1, 1, INT64_MAX - 1, INT64_MIN + 1,
		(gf_time)1 << 62, -((gf_time)1 << 62), 1767225600000LL,
		1767225600000LL + 90 * DAY_MS, INT64_MAX,
	};
	const size_t n = sizeof(ats) / sizeof(ats[0]);
	gf__timers *t;
	for (int start = 0; start < 3; start++) {
		gf_time t0 = start == 0 ? INT64_MIN : start == 1 ? -5 : INT64_MAX;
		l.n = 0;
		ck_assert_int_eq(gf__timers_new(&t, t0), GF_OK);
		for (size_t i = 0; i < n; i++)
			ck_assert_uint_ne(gf__timers_start(t, ats[i], i), 0);
		ck_assert_int_eq(gf__timers_next(t), INT64_MIN);
		/* step through, checking next() on the way */
		gf_time last = INT64_MIN;
		while (gf__timers_count(t)) {
			gf_time nx = gf__timers_next(t);
			ck_assert_int_ge(nx, last);
			size_t before = l.n;
			gf__timers_advance(t, nx, log_fire, &l);
			ck_assert_uint_gt(l.n, before);
			last = nx;
		}
		ck_assert_uint_eq(l.n, n);
		for (size_t i = 1; i < n; i++) {
			ck_assert_int_le(l.ats[i - 1], l.ats[i]);
			if (l.ats[i - 1] == l.ats[i])
				ck_assert_uint_lt(l.cookies[i - 1], l.cookies[i]);
		}
		ck_assert_int_eq(gf__timers_now(t), INT64_MAX);
		gf__timers_free(t);
	}
}
END_TEST

/* ---- a million clocks ----------------------------------------------- */

typedef struct mono {
	gf_time last_at;
	uint64_t last_cookie;
	size_t n;
	size_t bad;
} mono;

static void mono_fire(void *ud, gf__timer_id id, uint64_t cookie, gf_time at)
{
	mono *m = ud;
	(void)id;
	if (m->n && (at < m->last_at ||
		     (at == m->last_at && cookie <= m->last_cookie)))
		m->bad++;
	m->last_at = at;
	m->last_cookie = cookie;
	m->n++;
}

START_TEST(a_million_clocks_fit_in_64_bytes_each)
{
	const size_t n = 1000000;
	const gf_time t0 = 1767225600000LL;
	uint64_t rng = 7;
	gf__timers *t;
	ck_assert_int_eq(gf__timers_new(&t, t0), GF_OK);
	for (size_t i = 0; i < n; i++) {
		gf_time at = t0 + 60000 + (gf_time)rng_below(&rng, 90 * DAY_MS);
		REQUIRE(gf__timers_start(t, at, i) != 0);
	}
	ck_assert_uint_eq(gf__timers_count(t), n);
	size_t per = gf__timers_memory(t) / n;
	ck_assert_uint_le(per, 64);
	ck_assert_uint_le(per, 33); /* what the layout promises */
	mono m = { 0, 0, 0, 0 };
	for (gf_time now = t0; gf__timers_count(t); now += 3600 * 1000) {
		REQUIRE(gf__timers_next(t) > now);
		gf__timers_advance(t, now + 3600 * 1000, mono_fire, &m);
	}
	ck_assert_uint_eq(m.n, n);
	ck_assert_uint_eq(m.bad, 0);
	gf__timers_free(t);
}
END_TEST

/* ---- out of memory ------------------------------------------------- */

static long alloc_budget = -1; /* allocations left; -1: unlimited */

static void *t_malloc(size_t n)
{
	if (alloc_budget == 0)
		return NULL;
	if (alloc_budget > 0)
		alloc_budget--;
	return malloc(n);
}

static void *t_calloc(size_t n, size_t s)
{
	if (alloc_budget == 0)
		return NULL;
	if (alloc_budget > 0)
		alloc_budget--;
	return calloc(n, s);
}

static void *t_realloc(void *p, size_t n)
{
	if (alloc_budget == 0)
		return NULL;
	if (alloc_budget > 0)
		alloc_budget--;
	return realloc(p, n);
}

START_TEST(out_of_memory_is_reported_and_harmless)
{
	gf__timers *t = (gf__timers *)1;
	ck_assert_int_eq(gf_set_allocator(t_malloc, t_calloc, t_realloc, free),
			 GF_OK);
	for (long b = 0; b < 3; b++) {
		alloc_budget = b;
		ck_assert_int_eq(gf__timers_new(&t, 0), GF_ENOMEM);
		ck_assert_ptr_null(t);
	}
	alloc_budget = -1;
	ck_assert_int_eq(gf__timers_new(&t, 0), GF_OK);
	/* fill the nodes allocated so far, then refuse the next chunk */
	size_t started = 0;
	gf__timer_id first = 0;
	size_t mem = gf__timers_memory(t);
	for (;;) {
		gf__timer_id id = gf__timers_start(t, 100 + (gf_time)started,
						   started);
		ck_assert_uint_ne(id, 0);
		if (!started)
			first = id;
		started++;
		if (gf__timers_memory(t) != mem)
			break;
	}
	mem = gf__timers_memory(t);
	for (size_t i = 1; i < 4096; i++) {
		ck_assert_uint_ne(gf__timers_start(t, 100 + (gf_time)started,
						   started), 0);
		started++;
	}
	ck_assert_uint_eq(gf__timers_memory(t), mem);
	alloc_budget = 0;
	ck_assert_uint_eq(gf__timers_start(t, 5, 99), 0);
	ck_assert_uint_eq(gf__timers_count(t), started);
	ck_assert_int_eq(gf__timers_next(t), 100);
	/* a freed node is reused without allocating */
	ck_assert_int_eq(gf__timers_cancel(t, first), 1);
	ck_assert_int_eq(gf__timers_next(t), 101);
	ck_assert_uint_ne(gf__timers_start(t, 5, 99), 0);
	ck_assert_int_eq(gf__timers_next(t), 5);
	ck_assert_uint_eq(gf__timers_start(t, 6, 100), 0);
	alloc_budget = -1;
	mono m = { 0, 0, 0, 0 };
	ck_assert_uint_eq(gf__timers_advance(t, INT64_MAX, mono_fire, &m),
			  started);
	ck_assert_uint_eq(m.bad, 0);
	gf__timers_free(t);
	ck_assert_int_eq(gf_set_allocator(malloc, calloc, realloc, free),
			 GF_OK);
}
END_TEST

static Suite *make_suite(void)
{
	Suite *s = suite_create("timer");
	TCase *tr = tcase_create("reference");
	tcase_add_loop_test(tr, random_against_reference, 0, 16);
	tcase_set_timeout(tr, 300);
	suite_add_tcase(s, tr);
	TCase *te = tcase_create("edges");
	tcase_add_test(te, ties_fire_in_start_order_across_cascades);
	tcase_add_test(te, overdue_timers_fire_by_deadline);
	tcase_add_test(te, callbacks_start_timers_in_the_same_advance);
	tcase_add_test(te, stale_ids_cancel_nothing);
	tcase_add_test(te, a_slot_is_reused_only_after_the_delay);
	tcase_add_test(te, time_does_not_go_back);
	tcase_add_test(te, the_ends_of_time);
	tcase_add_test(te, out_of_memory_is_reported_and_harmless);
	tcase_set_timeout(te, 60);
	suite_add_tcase(s, te);
	TCase *tm = tcase_create("scale");
	tcase_add_test(tm, a_million_clocks_fit_in_64_bytes_each);
	tcase_set_timeout(tm, 300);
	suite_add_tcase(s, tm);
	return s;
}

GF_TEST_MAIN
