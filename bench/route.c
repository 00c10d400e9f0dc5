/*
 * bench/route.c - routing throughput: evaluations per second of the
 * decision tables on one core, for the Suzhou rule set of
 * examples/config/rules.json and for a generated table of 1,000 rules
 * (tools/gen1000.py), with rounds interleaved and the best kept.
 *
 *   route EVENTS CONFIG RULES1000 [EVALS] [ROUNDS] [DUMP]
 *
 * EVENTS: an NDJSON day (examples/data/suzhou-day.ndjson). Its events are
 * read once, up front, with json-c into the struct routing reads
 * (gf__route_in: channel, category, 12-digit region, urgency given or the
 * category's, normalised title and content, attributes, received_at);
 * actions and lines the engine would reject are skipped. They are then
 * routed round-robin EVALS times (default 1,000,000) per round.
 * CONFIG: the configuration directory (directory.json, rules.json,
 * sla.json). RULES1000: the generated rules, compiled against the same
 * directory in place of rules.json.
 * DUMP: where to write, one JSON line per event, the inputs of the
 * 1,000-rule table and what it decided ({"channel","category","region",
 * "urgency","rule","lead"}), for bench/zen/route.mjs to evaluate the same
 * inputs and compare.
 *
 * This uses the library's internal routing entry point (lib/rules.h), not
 * the engine: it measures rule evaluation alone.
 */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L  /* clock_gettime, getline */
#endif
#include <json.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "internal.h"
#include "config.h"
#include "event.h"
#include "rules.h"
#include "text.h"

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p) {
		fputs("route: out of memory\n", stderr);
		exit(1);
	}
	return p;
}

static char *xstrndup(const char *s, size_t n)
{
	char *p = xmalloc(n + 1);
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

static char *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		perror(path);
		exit(1);
	}
	size_t cap = 1 << 16, n = 0;
	char *p = xmalloc(cap);
	size_t got;
	while ((got = fread(p + n, 1, cap - n, f)) > 0) {
		n += got;
		if (n == cap) {
			cap *= 2;
			p = realloc(p, cap);
			if (!p)
				exit(1);
		}
	}
	fclose(f);
	*len = n;
	return p;
}

/* A configuration: the directory, optionally another rules.json. */
static gf_config *config(const char *dir, const char *rules_path)
{
	gf_config *cfg;
	if (gf_config_new(&cfg)) {
		fputs("route: out of memory\n", stderr);
		exit(1);
	}
	gf_config_load_dir(cfg, dir);
	if (rules_path) {
		size_t len;
		char *text = read_file(rules_path, &len);
		if (gf_config_set_file(cfg, "rules.json", text, len)) {
			fprintf(stderr, "route: cannot use %s\n", rules_path);
			exit(1);
		}
		free(text);
	}
	int rc = gf_config_compile(cfg);
	size_t np = gf_config_problem_count(cfg);
	for (size_t i = 0; i < np; i++) {
		const char *file, *path, *msg;
		gf_config_problem(cfg, i, &file, &path, &msg);
		fprintf(stderr, "route: %s%s: %s: %s\n",
			gf_config_problem_is_warning(cfg, i) ? "warning: " : "",
			file, path, msg);
	}
	if (rc || !cfg->rules) {
		fprintf(stderr, "route: configuration %s%s%s has problems\n",
			dir, rules_path ? " with " : "",
			rules_path ? rules_path : "");
		exit(1);
	}
	return cfg;
}

/* ---- the events, read once ------------------------------------------ */

typedef struct evs {
	gf__route_in *in;
	size_t len, cap;
	size_t skipped;
} evs;

static const char *jstr(json_object *o, const char *key, size_t *len)
{
	json_object *v;
	if (!json_object_object_get_ex(o, key, &v) ||
	    !json_object_is_type(v, json_type_string))
		return NULL;
	*len = (size_t)json_object_get_string_len(v);
	return json_object_get_string(v);
}

/* Free text as the engine keeps it: valid UTF-8, normalised. */
static const char *text_of(json_object *o, const char *key, int *bad)
{
	size_t n;
	const char *s = jstr(o, key, &n);
	if (!s)
		return NULL;
	if (!gf__utf8_valid(s, n)) {
		*bad = 1;
		return NULL;
	}
	char *out = xmalloc(n + 1);
	size_t m = gf__text_normalize_to(s, n, out);
	out[m] = '\0';
	return out;
}

static int attrs_of(json_object *o, gf__route_in *in)
{
	json_object *a;
	in->attrs = NULL;
	in->nattrs = 0;
	if (!json_object_object_get_ex(o, "attributes", &a))
		return 1;
	if (!json_object_is_type(a, json_type_object))
		return 0;
	size_t n = (size_t)json_object_object_length(a), i = 0;
	gf__attr *at = xmalloc(n * sizeof(*at));
	json_object_object_foreach(a, key, val)
	{
		gf__attr *x = &at[i];
		memset(x, 0, sizeof(*x));
		x->key = xstrndup(key, strlen(key));
		switch (json_object_get_type(val)) {
		case json_type_string:
			x->kind = GF__ATTR_STRING;
			x->str = xstrndup(json_object_get_string(val),
					  (size_t)json_object_get_string_len(val));
			break;
		case json_type_int:
		case json_type_double:
			x->kind = GF__ATTR_NUMBER;
			x->num = json_object_get_double(val);
			break;
		case json_type_boolean:
			x->kind = GF__ATTR_BOOL;
			x->num = json_object_get_boolean(val) ? 1.0 : 0.0;
			break;
		default:
			free(x->key);
			in->attrs = at;      /* free_in() frees the ones before */
			in->nattrs = i;
			return 0;
		}
		i++;
	}
	in->attrs = at;
	in->nattrs = i;
	return 1;
}

static int urgency_of(const char *s, size_t n, gf_urgency *u)
{
	static const char *const names[] = { "normal", "urgent", "critical" };
	for (int i = 0; i < 3; i++)
		if (strlen(names[i]) == n && memcmp(s, names[i], n) == 0) {
			*u = (gf_urgency)i;
			return 1;
		}
	return 0;
}

static int location_ok(json_object *o)
{
	json_object *loc, *lat, *lon;
	if (!json_object_object_get_ex(o, "location", &loc))
		return 1;
	if (!json_object_is_type(loc, json_type_object) ||
	    !json_object_object_get_ex(loc, "lat", &lat) ||
	    !json_object_object_get_ex(loc, "lon", &lon) ||
	    !(json_object_is_type(lat, json_type_double) ||
	      json_object_is_type(lat, json_type_int)) ||
	    !(json_object_is_type(lon, json_type_double) ||
	      json_object_is_type(lon, json_type_int)))
		return 0;
	double a = json_object_get_double(lat), b = json_object_get_double(lon);
	return isfinite(a) && isfinite(b) && a >= -90 && a <= 90 &&
	       b >= -180 && b <= 180;
}

/* Within the engine's limits (README): title 512, content 16 KiB. */
static int sizes_ok(json_object *o)
{
	size_t n;
	if (jstr(o, "title", &n) && n > GF__MAX_TITLE)
		return 0;
	if (jstr(o, "content", &n) && n > GF__MAX_CONTENT)
		return 0;
	if (jstr(o, "address", &n) && n > GF__MAX_ADDRESS)
		return 0;
	return 1;
}

static void free_in(gf__route_in *in)
{
	free((char *)in->title);
	free((char *)in->content);
	for (size_t k = 0; k < in->nattrs; k++) {
		free(in->attrs[k].key);
		free(in->attrs[k].str);
	}
	free((gf__attr *)in->attrs);
	memset(in, 0, sizeof(*in));
}

/* One event line into *in; 0 when the engine would not accept it (as far
 * as routing and a plain validity check can tell). */
static int parse_event(const gf__dir *dir, json_object *o, gf__route_in *in)
{
	const char *s;
	size_t n;
	memset(in, 0, sizeof(*in));
	if (json_object_object_get_ex(o, "op", NULL) || !location_ok(o) ||
	    !sizes_ok(o))
		return 0;
	if (!(s = jstr(o, "channel", &n)) ||
	    (in->channel = gf_channel_from_name(s, n)) == GF_CHANNEL_NONE)
		return 0;
	if (!jstr(o, "source_id", &n) || !n)
		return 0;
	if (!(s = jstr(o, "category", &n)))
		return 0;
	const gf__category *cat = gf__dir_category(dir, s, n);
	if (!cat)
		return 0;
	in->category = cat->code;
	if (!(s = jstr(o, "region", &n)) || (n != 6 && n != 9 && n != 12))
		return 0;
	char code[13];
	memcpy(code, s, n);
	memset(code + n, '0', 12 - n);
	code[12] = '\0';
	for (int i = 0; i < 12; i++)
		if (code[i] < '0' || code[i] > '9')
			return 0;
	const gf__region *reg = gf__dir_region(dir, code, 12);
	if (!reg)
		return 0;
	in->region = reg->code;
	in->region_node = reg;
	if (!(s = jstr(o, "received_at", &n)) ||
	    gf_time_parse(&in->received_at, &in->offset_min, s, n) != GF_OK)
		return 0;
	if ((s = jstr(o, "grid", &n)) &&
	    (n < 14 || n > GF__MAX_GRID || memcmp(s, in->region, 12) != 0 ||
	     s[12] != '-'))
		return 0;
	in->urgency = cat->urgency;
	json_object *u;
	if (json_object_object_get_ex(o, "urgency", &u)) {
		if (!json_object_is_type(u, json_type_string) ||
		    !urgency_of(json_object_get_string(u),
				(size_t)json_object_get_string_len(u),
				&in->urgency))
			return 0;
	}
	int bad = 0;
	in->title = text_of(o, "title", &bad);
	in->content = text_of(o, "content", &bad);
	if (bad || !attrs_of(o, in))
		return 0;
	return 1;
}

static void read_events(const char *path, const gf__dir *dir, evs *out)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		perror(path);
		exit(1);
	}
	json_tokener *tok = json_tokener_new();
	char *line = NULL;
	size_t cap = 0;
	ssize_t got;
	while ((got = getline(&line, &cap, f)) > 0) {
		size_t len = (size_t)got;
		while (len && (line[len - 1] == '\n' || line[len - 1] == '\r'))
			len--;
		if (!len)
			continue;
		json_tokener_reset(tok);
		json_object *o = json_tokener_parse_ex(tok, line, (int)len);
		if (!o || json_tokener_get_parse_end(tok) != len ||
		    !json_object_is_type(o, json_type_object)) {
			json_object_put(o);
			out->skipped++;
			continue;
		}
		if (out->len == out->cap) {
			out->cap = out->cap ? out->cap * 2 : 4096;
			out->in = realloc(out->in, out->cap * sizeof(*out->in));
			if (!out->in)
				exit(1);
		}
		if (parse_event(dir, o, &out->in[out->len])) {
			out->len++;
		} else {
			free_in(&out->in[out->len]);
			if (!json_object_object_get_ex(o, "op", NULL))
				out->skipped++;
		}
		json_object_put(o);
	}
	free(line);
	json_tokener_free(tok);
	fclose(f);
}

/* ---- measuring ------------------------------------------------------ */

typedef struct result {
	double best;           /* seconds for evals evaluations */
	size_t desk;           /* events the table leaves to the desk */
	uint64_t sink;
} result;

static void run(const gf_config *cfg, const evs *e, size_t evals,
		result *res)
{
	gf__route_scratch scratch;
	gf__route_out out;
	memset(&scratch, 0, sizeof(scratch));
	uint64_t sink = 0;
	size_t j = 0;
	double t0 = now();
	for (size_t i = 0; i < evals; i++) {
		if (gf__rules_route(cfg->rules, &cfg->dir, &e->in[j], &out,
				    &scratch, NULL) != GF_OK) {
			fputs("route: out of memory routing\n", stderr);
			exit(1);
		}
		sink += (uint64_t)(uintptr_t)out.lead + out.nassist;
		if (++j == e->len)
			j = 0;
	}
	double t = now() - t0;
	gf__route_scratch_free(&scratch);
	if (t < res->best)
		res->best = t;
	res->sink += sink;
}

static size_t count_desk(const gf_config *cfg, const evs *e)
{
	gf__route_scratch scratch;
	gf__route_out out;
	memset(&scratch, 0, sizeof(scratch));
	size_t desk = 0;
	for (size_t i = 0; i < e->len; i++) {
		gf__rules_route(cfg->rules, &cfg->dir, &e->in[i], &out, &scratch,
				NULL);
		desk += out.lead == NULL;
	}
	gf__route_scratch_free(&scratch);
	return desk;
}

/* The inputs of the 1,000-rule table and its decisions, for zen. */
static void dump(const char *path, const gf_config *cfg, const evs *e)
{
	FILE *f = fopen(path, "w");
	if (!f) {
		perror(path);
		exit(1);
	}
	gf__route_scratch scratch;
	gf__route_out out;
	memset(&scratch, 0, sizeof(scratch));
	for (size_t i = 0; i < e->len; i++) {
		const gf__route_in *in = &e->in[i];
		gf__rules_route(cfg->rules, &cfg->dir, in, &out, &scratch, NULL);
		json_object *o = json_object_new_object();
		json_object_object_add(o, "channel", json_object_new_string(
			gf_channel_name(in->channel)));
		json_object_object_add(o, "category",
				       json_object_new_string(in->category));
		json_object_object_add(o, "region",
				       json_object_new_string(in->region));
		json_object_object_add(o, "urgency", json_object_new_string(
			gf_urgency_name(in->urgency)));
		json_object_object_add(o, "rule", out.lead
			? json_object_new_string(out.rule) : NULL);
		json_object_object_add(o, "lead", out.lead
			? json_object_new_string(out.lead->id) : NULL);
		fprintf(f, "%s\n", json_object_to_json_string_ext(
			o, JSON_C_TO_STRING_PLAIN));
		json_object_put(o);
	}
	gf__route_scratch_free(&scratch);
	if (fclose(f)) {
		perror(path);
		exit(1);
	}
}

static void free_events(evs *e)
{
	for (size_t i = 0; i < e->len; i++)
		free_in(&e->in[i]);
	free(e->in);
}

int main(int argc, char **argv)
{
	if (argc < 4) {
		fputs("usage: route EVENTS CONFIG RULES1000 [EVALS] [ROUNDS] "
		      "[DUMP]\n", stderr);
		return 2;
	}
	size_t evals = argc > 4 ? (size_t)atol(argv[4]) : 1000000;
	int rounds = argc > 5 ? atoi(argv[5]) : 3;
	const char *dump_path = argc > 6 ? argv[6] : NULL;
	if (!evals || rounds < 1) {
		fputs("route: EVALS and ROUNDS must be positive\n", stderr);
		return 2;
	}
	gf_config *sz = config(argv[2], NULL);
	gf_config *big = config(argv[2], argv[3]);

	evs e;
	memset(&e, 0, sizeof(e));
	read_events(argv[1], &sz->dir, &e);
	if (!e.len) {
		fprintf(stderr, "route: no usable events in %s\n", argv[1]);
		return 1;
	}
	if (dump_path)
		dump(dump_path, big, &e);

	result rsz = { 1e30, 0, 0 }, rbig = { 1e30, 0, 0 };
	rsz.desk = count_desk(sz, &e);
	rbig.desk = count_desk(big, &e);
	run(sz, &e, evals / 10, &rsz);         /* warm up */
	run(big, &e, evals / 10, &rbig);
	rsz.best = rbig.best = 1e30;
	for (int r = 0; r < rounds; r++) {
		run(sz, &e, evals, &rsz);
		run(big, &e, evals, &rbig);
	}

	size_t nsz = gf__rules_count(sz->rules), nbig = gf__rules_count(big->rules);
	double esz = (double)evals / rsz.best, ebig = (double)evals / rbig.best;
	printf("bench route: %zu events of %s (%zu lines skipped), "
	       "%zu evaluations per round, best of %d, one core\n",
	       e.len, argv[1], e.skipped, evals, rounds);
	printf("  suzhou rules.json  %5zu rules %12.0f evals/s  %7.1f ns/eval"
	       "  (%zu of %zu events to the desk)\n",
	       nsz, esz, 1e9 / esz, rsz.desk, e.len);
	printf("  generated table    %5zu rules %12.0f evals/s  %7.1f ns/eval"
	       "  (%zu of %zu events to the desk; target >= 1,000,000: %s)\n",
	       nbig, ebig, 1e9 / ebig, rbig.desk, e.len,
	       ebig >= 1e6 ? "met" : "MISSED");
	printf("{\"bench\":\"route\",\"events\":%zu,\"evals\":%zu,\"rounds\":%d,"
	       "\"suzhou\":{\"rules\":%zu,\"evals_per_s\":%.0f,\"ns_per_eval\":%.1f},"
	       "\"rules1000\":{\"rules\":%zu,\"evals_per_s\":%.0f,\"ns_per_eval\":%.1f},"
	       "\"sink\":%llu}\n",
	       e.len, evals, rounds, nsz, esz, 1e9 / esz, nbig, ebig, 1e9 / ebig,
	       (unsigned long long)((rsz.sink ^ rbig.sink) & 0xff));
	free_events(&e);
	gf_config_free(sz);
	gf_config_free(big);
	return 0;
}
