/*
 * timer.h - the engine's timers: millions of SLA clocks on a hierarchical
 * timing wheel driven by the engine's clock (wall time, or event time
 * during a replay).
 *
 * Expiry is a function of the calls alone: the same sequence of starts,
 * cancels and advances fires the same timers in the same order, whatever
 * the wall clock does. Nothing here reads a clock.
 *
 * Costs: start and cancel O(1); expiry amortised O(1) per timer (a timer
 * is moved down at most 7 times between start and expiry, 2 or 3 times
 * for SLA clocks of hours to days); 32 bytes per pending timer, in chunks
 * of 4,096, plus a fixed 160 KiB per set (list heads and the chunk table:
 * an empty set holds 289 KiB).
 *
 * Thread rules: none; a set belongs to one engine and is used by one
 * thread at a time, like the engine.
 */
#ifndef GF_TIMER_H
#define GF_TIMER_H

#include <stddef.h>
#include <stdint.h>

#include "gridflow/common.h"

typedef struct gf__timers gf__timers;

/*
 * A timer's handle: a 24-bit slot and an 8-bit generation. 0 is "no
 * timer". The slot of a timer that fired or was cancelled is reused, with
 * the next generation, only after at least GF__TIMER_REUSE_DELAY other
 * starts, so a stale id can name a newer timer only after 256 reuses of
 * its slot (at least 256 x 4,096 starts later). Callers should still
 * forget an id once it fired or was cancelled.
 */
typedef uint32_t gf__timer_id;

/* At most this many timers pending at once (2^24 less the list heads). */
#define GF__TIMERS_MAX ((size_t)(1u << 24) - 4097u)
#define GF__TIMER_REUSE_DELAY 4096u

/* Called once per expired timer, with the deadline it was started with. */
typedef void (*gf__timer_fn)(void *ud, gf__timer_id id, uint64_t cookie,
			     gf_time at);

/*
 * A new, empty set whose time is now. GF_OK, or GF_ENOMEM (*out = NULL).
 * The caller owns *out and frees it with gf__timers_free.
 */
int gf__timers_new(gf__timers **out, gf_time now);

/* Frees the set and every pending timer (no callbacks). NULL is a no-op.
 * Not from inside a callback of the same set. */
void gf__timers_free(gf__timers *t);

/*
 * Start a timer that fires at `at`, carrying cookie back to the callback.
 * Any gf_time is accepted; a deadline at or before the set's time fires
 * at the next advance. Returns its id, or 0 when memory runs out (or
 * GF__TIMERS_MAX timers are pending); the set is unchanged then.
 */
gf__timer_id gf__timers_start(gf__timers *t, gf_time at, uint64_t cookie);

/*
 * Make sure the next n starts cannot run out of memory (the engine
 * reserves before it stores a change, so that applying it cannot fail).
 * GF_OK or GF_ENOMEM.
 */
int gf__timers_reserve(gf__timers *t, size_t n);

/*
 * Cancel a pending timer: 1 if it was pending (it will not fire), 0 if
 * the id is 0, unknown, already fired or already cancelled.
 */
int gf__timers_cancel(gf__timers *t, gf__timer_id id);

/*
 * Move the set's time to now and fire every timer whose deadline is at or
 * before it; returns how many fired. Time never goes back: an earlier now
 * counts as the set's time (timers started since, already due, still
 * fire).
 *
 * Order: timers fire by deadline, ties in the order they were started.
 * A callback may start and cancel timers of the same set. A timer started
 * inside a callback while the timers due at instant T fire is due at
 * max(at, T): with at <= T it fires in this advance after every timer
 * already due at T; with T < at <= now it fires later in this advance, in
 * its place by deadline. Exactly: fire order is ascending (due, start
 * order), where due is at, clamped up to T for timers started inside a
 * callback at T.
 *
 * fire must not be NULL. Calling advance from a callback does nothing
 * and returns 0.
 */
size_t gf__timers_advance(gf__timers *t, gf_time now, gf__timer_fn fire,
			  void *ud);

/*
 * The earliest deadline of a pending timer, or INT64_MAX when none (a
 * timer at INT64_MAX looks like none: count tells). It is <= the set's
 * time when a timer started already due awaits the next advance.
 *
 * O(1) except just after the earliest timer was cancelled while every
 * pending timer is more than 256 ms away: then one slot is scanned, until
 * the next advance caches the answer.
 */
gf_time gf__timers_next(const gf__timers *t);

/* The set's time: the latest now given to new or advance. */
gf_time gf__timers_now(const gf__timers *t);

/* Pending timers. */
size_t gf__timers_count(const gf__timers *t);

/* Bytes allocated by the set (for the bench and the memory test). */
size_t gf__timers_memory(const gf__timers *t);

#endif
