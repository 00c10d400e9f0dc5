/*
 * failalloc.h - an allocator for gf_set_allocator() that fails from the
 * Nth allocation on, so that a suite can run a scenario once to count
 * its allocations, then again with each one failing in turn (valgrind
 * and ASan then check that every failure path leaks nothing).
 */
#ifndef GF_FAILALLOC_H
#define GF_FAILALLOC_H

#include <stdlib.h>

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

#endif
