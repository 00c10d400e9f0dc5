/*
 * failalloc.h - an allocator for gf_set_allocator() that fails from the
 * Nth allocation on, so that a suite can run a scenario once to count
 * its allocations, then again with each one failing in turn (valgrind
 * and ASan then check that every failure path leaks nothing).
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

static inline int alloc_take(void)
{
	alloc_count++;
	if (alloc_left < 0)
		return 1;
	if (alloc_left == 0)
		return 0;
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

/*
 * Sweep a scenario on an engine journal: run it once to count its
 * allocations (it must succeed, and make at least `least`), then once
 * with each allocation failing in turn, then once more whole. The
 * journal at path is removed before each run, so each starts afresh.
 * scenario(cfg, store) returns 1 when nothing failed. Needs Check and
 * unistd.h (the suites have both).
 */
static inline void fa_sweep(int (*scenario)(gf_config *, const char *),
			    gf_config *cfg, const char *dir, long least)
{
	char store[512], path[512];
	snprintf(store, sizeof(store), "journal:%s/j", dir);
	snprintf(path, sizeof(path), "%s/j", dir);
	ck_assert_int_eq(gf_set_allocator(t_malloc, t_calloc, t_realloc, free),
			 GF_OK);
	alloc_left = -1;
	alloc_count = 0;
	ck_assert(scenario(cfg, store));
	long total = alloc_count;
	ck_assert_int_gt(total, least);
	for (long n = 0; n < total; n++) {
		unlink(path);
		alloc_left = n;
		scenario(cfg, store);
	}
	unlink(path);
	alloc_left = -1;
	ck_assert(scenario(cfg, store));
}

#endif
