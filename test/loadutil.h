/*
 * loadutil.h - for the suites of the configuration loaders (calendar,
 * sla): test JSON written with single quotes, and a problem collector.
 */
#ifndef GF_LOADUTIL_H
#define GF_LOADUTIL_H

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

/* s with every ' turned into ", in memory the caller frees. */
static inline char *dq(const char *s)
{
	size_t n = strlen(s);
	char *d = malloc(n + 1);
	ck_assert_ptr_nonnull(d);
	for (size_t i = 0; i <= n; i++)
		d[i] = s[i] == '\'' ? '"' : s[i];
	return d;
}

static inline struct json_object *parse_q(const char *q)
{
	char *j = dq(q);
	struct json_object *root = json_tokener_parse(j);
	ck_assert_msg(root != NULL, "test JSON does not parse: %s", j);
	free(j);
	return root;
}

#define MAX_PROBLEMS 32

typedef struct problems {
	size_t n;
	struct {
		char path[512];
		char msg[1200];
	} p[MAX_PROBLEMS];
} problems;

/* A loader's problem callback: keeps each problem in a problems. */
static inline void collect(void *ud, const char *path, const char *msg)
{
	problems *ps = ud;
	ck_assert_uint_lt(ps->n, MAX_PROBLEMS);
	snprintf(ps->p[ps->n].path, sizeof(ps->p[0].path), "%s", path);
	snprintf(ps->p[ps->n].msg, sizeof(ps->p[0].msg), "%s", msg);
	ps->n++;
}

#endif
