/*
 * clock.h - an order's SLA clocks at run time: when they start, pause,
 * resume, are extended and stop, when their warning, due time and ladder
 * steps fall, and the timeline they leave for KPIs (docs/sla.md).
 *
 * Everything here is a function of the order, the policy set and the
 * times given: nothing reads a clock or touches the timers. The engine
 * arms one timer per running clock at gf__clock_next() and stores each
 * change before it calls these, so that a replay of the store calls them
 * again with the same arguments and gets the same clocks.
 */
#ifndef GF_CLOCK_H
#define GF_CLOCK_H

#include "internal.h"
#include "sla.h"
#include "timer.h"

struct gf_sla_clock {
	const gf__sla_clock *def;
	const gf__sla *set;     /* its calendar */
	gf_sla_state state;
	/* the ladder steps fired (or passed over by an extension) in this
	 * run, bit s for step s: each step fires at its own time, whatever
	 * its place in the file */
	unsigned fired;
	/* an extension was granted while paused: the ladder starts over at
	 * the resume, when the new step times are known */
	unsigned char reladder;
	unsigned extensions;    /* granted in this run */
	unsigned runs;
	gf_time started;        /* this run's start */
	gf_time since;          /* running: since when; paused: the pause */
	gf_time due;            /* GF_TIME_NONE: unknown */
	gf_time warn;           /* GF_TIME_NONE: none */
	gf_time stopped;
	int64_t budget;         /* the run's length in its measure (ms) */
	int64_t elapsed;        /* measure used before `since` */
	int64_t paused_ms;
	const char *pending;    /* a requested extension's duration */
	/* the engine's: the armed timer and its deadline */
	gf__timer_id timer;
	gf_time armed;
};

/* Mark kinds, in gf_sla_mark_what() order. */
typedef enum gf__mark_kind {
	GF__MARK_START = 0,
	GF__MARK_PAUSE,
	GF__MARK_RESUME,
	GF__MARK_REQUEST,
	GF__MARK_EXTEND,
	GF__MARK_DENY,
	GF__MARK_NOTIFY,        /* = GF__MARK_NOTIFY - 1 + gf__step_kind */
	GF__MARK_URGE,
	GF__MARK_SUPERVISE,
	GF__MARK_ESCALATE,
	GF__MARK_STOP
} gf__mark_kind;

struct gf_sla_mark {
	gf_time at;
	gf_time due;
	const char *clock;      /* the definition's name */
	uint8_t what;           /* gf__mark_kind */
};

struct gf_order;
struct gf__pool;

/*
 * Give o the clocks of policy pol (of set s), all idle; pol NULL gives
 * none. From the pool; GF_OK or GF_ENOMEM.
 */
int gf__clocks_init(struct gf_order *o, struct gf__pool *pool,
		    const gf__sla *s, const gf__sla_policy *pol);

/*
 * Room for the marks and timers any one change can make, reserved before
 * the change is stored so that carrying it out cannot fail. GF_OK or
 * GF_ENOMEM.
 */
int gf__clocks_room(struct gf_order *o, struct gf__pool *pool);

/*
 * The order's life moved: milestone m happened at t (GF__MS_NONE for
 * none). returned: it went back to the desk; reopened: it was reopened;
 * ended: it reached a terminal state. Starts and stops clocks per
 * docs/sla.md. Returns how many clocks' due times the calendar could not
 * compute (the caller warns).
 */
int gf__clocks_move(struct gf_order *o, gf__milestone m, int returned,
		    int reopened, int ended, gf_time t);

/* The order was paused or resumed at t. */
void gf__clocks_pause(struct gf_order *o, gf_time t);
void gf__clocks_resume(struct gf_order *o, gf_time t);

/* Extension of clock i: a request (duration text, kept by the caller
 * for the order's life: interned), a grant of dur at t, a denial. */
void gf__clock_request(struct gf_order *o, size_t i, const char *dur,
		       gf_time t);
int gf__clock_extend(struct gf_order *o, size_t i, const char *dur,
		     gf_time t);
void gf__clock_deny(struct gf_order *o, size_t i, gf_time t);

/*
 * Check an extension action against clock rules, at now. name: the
 * clock asked for, or NULL for the default. grant is 1 when the rule
 * needs no approval. GF_OK with *index set, or a refusal in err (path
 * "$.clock", "$.duration", "$.op").
 */
int gf__clock_plan_extend(const struct gf_order *o, const char *name,
			  const char *dur, gf_time now, size_t *index,
			  int *grant, gf__err *err);

/* Check approve/reject by actor (a department with function fn whose
 * region covers the order: checked by the caller): the clock named (or
 * the one with a request). GF_OK with *index, or a refusal. */
int gf__clock_plan_decide(const struct gf_order *o, const char *name,
			  const char *actor_function, size_t *index,
			  gf__err *err);

/*
 * When clock i next needs the engine, and which ladder step that is: the
 * unfired step that falls first (the first in the file on a tie).
 * GF_TIME_NONE when nothing is due (not running, no steps left, unknown
 * due time).
 */
gf_time gf__clock_next(const struct gf_order *o, size_t i, unsigned *step);

/*
 * Whether a stored step of clock i, recorded at `at`, fits the clock as
 * rebuilt so far: running, the step not fired in this run, and due by
 * `at`. A replay checks each step record with it. That holds for the
 * step gf__clock_next() names, and for any other unfired step due by
 * then: journals written before steps fired at their own time took them
 * in file order, and still replay.
 */
int gf__clock_step_fits(const struct gf_order *o, size_t i, unsigned step,
			gf_time at);

/* Step `step` of clock i fired at t: counted and marked. */
void gf__clock_fired(struct gf_order *o, size_t i, unsigned step, gf_time t);

#endif
