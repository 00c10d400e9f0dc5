/*
 * bench.h - what the bench programs share: a monotonic clock, reading a
 * file, lists of lines, moving an event's date, and the desk-only
 * configuration (the example directory with no decision tables, so that
 * every event becomes an order at the fallback desk). Static functions,
 * one copy for every bench program.
 */
#ifndef GF_BENCH_H
#define GF_BENCH_H

#include <json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "gridflow.h"

static inline double bench_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The whole file, NUL-terminated; *len (may be NULL) its size. Exits on
 * failure: a bench without its input has nothing to measure. */
static inline char *bench_slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		perror(path);
		exit(1);
	}
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	fseek(f, 0, SEEK_SET);
	char *b = n >= 0 ? malloc((size_t)n + 1) : NULL;
	if (!b || fread(b, 1, (size_t)n, f) != (size_t)n) {
		fprintf(stderr, "bench: cannot read %s\n", path);
		exit(1);
	}
	fclose(f);
	b[n] = '\0';
	if (len)
		*len = (size_t)n;
	return b;
}

/* The next line of f without its line ending (NUL-terminated in *line),
 * its length, or -1 at the end. Blank lines come back as 0. */
static inline long bench_line(FILE *f, char **line, size_t *cap)
{
	ssize_t n = getline(line, cap, f);
	if (n <= 0)
		return -1;
	size_t len = (size_t)n;
	while (len && ((*line)[len - 1] == '\n' || (*line)[len - 1] == '\r'))
		len--;
	(*line)[len] = '\0';
	return (long)len;
}

typedef struct lines {
	char **p;
	size_t *n;
	size_t len, cap;
	size_t bytes;
} lines;

static inline void push(lines *l, const char *s, size_t n)
{
	if (l->len == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 4096;
		l->p = realloc(l->p, l->cap * sizeof(*l->p));
		l->n = realloc(l->n, l->cap * sizeof(*l->n));
		if (!l->p || !l->n)
			exit(1);
	}
	l->p[l->len] = malloc(n + 1);
	if (!l->p[l->len])
		exit(1);
	memcpy(l->p[l->len], s, n);
	l->p[l->len][n] = '\0';
	l->n[l->len++] = n;
	l->bytes += n;
}

static inline void lines_free(lines *l)
{
	for (size_t i = 0; i < l->len; i++)
		free(l->p[i]);
	free(l->p);
	free(l->n);
	memset(l, 0, sizeof(*l));
}

/* Move the date at p ("YYYY-MM-DD...") by days, in place (proleptic
 * Gregorian, H. Hinnant's algorithms). */
static inline void shift_date_at(char *p, int days)
{
	int y, m, d;
	if (sscanf(p, "%4d-%2d-%2d", &y, &m, &d) != 3)
		return;
	y -= m <= 2;
	long era = (y >= 0 ? y : y - 399) / 400;
	long yoe = y - era * 400;
	long doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	long z = era * 146097 + doe + days;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	long mp = (5 * doy + 2) / 153;
	d = (int)(doy - (153 * mp + 2) / 5 + 1);
	m = (int)(mp < 10 ? mp + 3 : mp - 9);
	y = (int)(yoe + era * 400 + (m <= 2));
	char tmp[11];
	snprintf(tmp, sizeof(tmp), "%04d-%02d-%02d", y, m, d);
	memcpy(p, tmp, 10);
}

/* Move an event line's "received_at" by days. */
static inline void shift_date(char *line, int days)
{
	char *p = strstr(line, "\"received_at\":\"");
	if (p && days)
		shift_date_at(p + 15, days);
}

static inline gf_config *bench_compile(gf_config *cfg, const char *what)
{
	if (gf_config_compile(cfg)) {
		fprintf(stderr, "bench: the %s configuration has problems\n",
			what);
		exit(1);
	}
	return cfg;
}

/* The fallback desk named by DIR/rules.json (caller frees). */
static inline char *bench_fallback_desk(const char *dir)
{
	char path[1024];
	snprintf(path, sizeof(path), "%s/rules.json", dir);
	char *text = bench_slurp(path, NULL);
	json_object *root = json_tokener_parse(text);
	json_object *fb = NULL;
	if (!root || !json_object_object_get_ex(root, "fallback", &fb)) {
		fprintf(stderr, "bench: no fallback in %s\n", path);
		exit(1);
	}
	char *desk = strdup(json_object_get_string(fb));
	json_object_put(root);
	free(text);
	return desk;
}

/* DIR's directory with no decision tables: every order goes to the
 * fallback desk (DIR's own when fallback is NULL). */
static inline gf_config *config_desk_only(const char *dir,
					  const char *fallback)
{
	char path[1024], rules[256];
	size_t n;
	char *desk = fallback ? NULL : bench_fallback_desk(dir);
	snprintf(path, sizeof(path), "%s/directory.json", dir);
	char *text = bench_slurp(path, &n);
	snprintf(rules, sizeof(rules),
		 "{\"version\":\"desk-only\",\"fallback\":\"%s\",\"tables\":[]}",
		 fallback ? fallback : desk);
	gf_config *cfg;
	gf_config_new(&cfg);
	gf_config_set_file(cfg, "directory.json", text, n);
	gf_config_set_file(cfg, "rules.json", rules, strlen(rules));
	free(text);
	free(desk);
	return bench_compile(cfg, "desk-only");
}

#endif
