/*
 * failalloc.h - an allocator for gf_set_allocator() that fails from the
 * Nth allocation on, so that a suite can run a scenario once to count
 * its allocations, then again with each one failing in turn (valgrind
 * and ASan then check that every failure path leaks nothing).
 * fa_sweep() sweeps a scenario on a journal; fa_sweep_runs() any run
 * that starts afresh by itself (check_pgoom.c: a new partition).
 */
#ifndef GF_FAILALLOC_H
#define GF_FAILALLOC_H

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "gridflow.h"

/* allocations left before the first failure; < 0: never fail */
static long alloc_left = -1;
/* allocations asked for (counted whether they fail or not) */
static long alloc_count;
/* allocations refused */
static long alloc_failures;
/* non-zero: only the Nth fails, and the ones after it work again (a
 * passing shortage rather than a lasting one) */
static int alloc_once;

static inline int alloc_take(void)
{
	alloc_count++;
	if (alloc_left < 0)
		return 1;
	if (alloc_left == 0) {
		if (alloc_once)
			alloc_left = -1;
		alloc_failures++;
		return 0;
	}
	alloc_left--;
	return 1;
}

static inline void *t_malloc(size_t n)
{
	return alloc_take() ? malloc(n) : NULL;
}

static inline void *t_calloc(size_t n, size_t s)
{
	return alloc_take() ? calloc(n, s) : NULL;
}

static inline void *t_realloc(void *p, size_t n)
{
	return alloc_take() ? realloc(p, n) : NULL;
}

/* Let allocations through, uncounted, while a sweep's run checks what
 * it did (fa_resume() goes back to failing where it was). */
typedef struct fa_held {
	long left, count;
} fa_held;

static inline fa_held fa_pause(void)
{
	fa_held h = { alloc_left, alloc_count };
	alloc_left = -1;
	return h;
}

static inline void fa_resume(fa_held h)
{
	alloc_left = h.left;
	alloc_count = h.count;
}

/*
 * Sweep a run: once to count its allocations (it must succeed, and make
 * more than `least`), then once with allocation n failing for n = 0,
 * step, 2 * step, ... below the count (every one after it too, or with
 * once, only it), then once more whole. run(arg) starts afresh each time
 * and returns 1 when nothing failed; it checks, with Check, what a
 * failure must not do.
 */
static inline void fa_sweep_runs(int (*run)(void *), void *arg, long least,
				 long step, int once)
{
	ck_assert_int_eq(gf_set_allocator(t_malloc, t_calloc, t_realloc, free),
			 GF_OK);
	alloc_left = -1;
	alloc_count = 0;
	alloc_once = once;
	ck_assert(run(arg));
	long total = alloc_count;
	ck_assert_int_gt(total, least);
	for (long n = 0; n < total; n += step) {
		alloc_left = n;
		run(arg);
	}
	alloc_left = -1;
	ck_assert(run(arg));
}

typedef struct fa_journal {
	int (*scenario)(gf_config *, const char *);
	gf_config *cfg;
	char store[512], path[512];
} fa_journal;

/* A journal run: the journal removed, so that each starts afresh. */
static inline int fa_journal_run(void *arg)
{
	fa_journal *j = arg;
	unlink(j->path);
	return j->scenario(j->cfg, j->store);
}

/*
 * Sweep a scenario on an engine journal (in dir), every allocation.
 * scenario(cfg, store) returns 1 when nothing failed. Needs Check and
 * unistd.h (the suites have both).
 */
static inline void fa_sweep(int (*scenario)(gf_config *, const char *),
			    gf_config *cfg, const char *dir, long least)
{
	fa_journal j = { scenario, cfg, "", "" };
	snprintf(j.store, sizeof(j.store), "journal:%s/j", dir);
	snprintf(j.path, sizeof(j.path), "%s/j", dir);
	fa_sweep_runs(fa_journal_run, &j, least, 1, 0);
	unlink(j.path);
}

#endif
