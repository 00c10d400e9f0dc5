/*
 * bench/pg.c - the PostgreSQL store's ingestion rate: durable events per
 * second through the public API, for bench/pg.sh to set beside pgbench on
 * the same server.
 *
 *   pg FILE CONNINFO MODE EVENTS PARTITION [CONFIG]
 *
 * FILE: an NDJSON day (examples/data/suzhou-day.ndjson). As bench/ingest.c
 * does, its events (lines without "op") that an engine with CONFIG's rules
 * accepts as new orders are kept, then repeated with fresh source ids
 * ("X~k") up to EVENTS lines, each copy a day later and the last on the
 * sample day, and ingested to the fallback desk (CONFIG's directory, no
 * decision tables): every event is one new order.
 *
 * MODE: "group" opens the engine with batch_max 100 (group commit, one
 * transaction per 100 records, sent in pipeline mode) and calls
 * gf_engine_flush() after the last event; "each" with batch_max 1, one
 * commit per event before the call returns. The time runs from the first
 * gf_engine_ingest_json() to the durable callback that reports the last
 * event's ticket, so every event counted is committed.
 *
 * PARTITION: the engine's region partition, fresh for every run (an
 * engine replays its partition at open: a used one would time the replay's
 * state, not the ingestion).
 *
 * Prints one human line and one line for pg.sh:
 *   {"bench":"pg","mode":"group","events":N,"seconds":S,"eps":E,
 *    "commits":C,"partition":"P"}
 * (commits: durable callbacks, one per committed batch).
 */
#include <json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "gridflow.h"
#include "bench.h"

static const unsigned char key[] = "bench-reporter-key";

/* The sample day's events that CONFIG's engine takes as new orders. */
static void load_events(lines *base, const char *file, const char *dir)
{
	gf_config *cfg;
	gf_config_new(&cfg);
	gf_config_load_dir(cfg, dir);
	bench_compile(cfg, dir);
	gf_options o = GF_OPTIONS_INIT;
	o.config = cfg;
	o.store = "memory";
	o.clock = GF_CLOCK_EVENT;
	o.reporter_key = key;
	o.reporter_key_len = sizeof(key) - 1;
	gf_engine *probe;
	char err[256];
	if (gf_engine_open(&probe, &o, err, sizeof(err))) {
		fprintf(stderr, "pg: open memory: %s\n", err);
		exit(1);
	}
	gf_config_free(cfg);
	FILE *f = fopen(file, "rb");
	if (!f) {
		perror(file);
		exit(1);
	}
	char *line = NULL;
	size_t cap = 0;
	long n;
	while ((n = bench_line(f, &line, &cap)) >= 0) {
		size_t len = (size_t)n;
		if (!len || strstr(line, "\"op\":"))
			continue;
		const gf_result *r;
		if (gf_engine_ingest_json(probe, line, len, &r) == GF_OK &&
		    gf_result_outcome(r) == GF_OUTCOME_CREATED)
			push(base, line, len);
	}
	free(line);
	fclose(f);
	gf_engine_close(probe);
}

/* base repeated with fresh source ids up to want lines, a day apart. */
static void repeat_events(lines *all, const lines *base, size_t want)
{
	size_t reps = base->len ? (want + base->len - 1) / base->len : 0;
	char *buf = malloc(1 << 20);
	if (!buf)
		exit(1);
	for (size_t k = 0; all->len < want && base->len; k++) {
		for (size_t i = 0; i < base->len && all->len < want; i++) {
			const char *s = strstr(base->p[i], "\"source_id\":\"");
			if (!s)
				continue;
			const char *e = strchr(s + 13, '"');
			size_t head = (size_t)(e - base->p[i]);
			int m = snprintf(buf, 1 << 20, "%.*s~%zu%s", (int)head,
					 base->p[i], k, e);
			shift_date(buf, (int)k - (int)(reps - 1));
			push(all, buf, (size_t)m);
		}
	}
	free(buf);
}

typedef struct durable_log {
	uint64_t ticket;  /* the last ticket reported durable */
	double at;        /* when */
	size_t calls;     /* callbacks: one per committed batch */
} durable_log;

static void on_durable(void *data, uint64_t ticket)
{
	durable_log *d = data;
	d->ticket = ticket;
	d->at = bench_now();
	d->calls++;
}

int main(int argc, char **argv)
{
	if (argc < 6) {
		fputs("usage: pg FILE CONNINFO group|each EVENTS PARTITION "
		      "[CONFIG]\n",
		      stderr);
		return 2;
	}
	const char *file = argv[1], *mode = argv[3], *part = argv[5];
	size_t want = (size_t)atol(argv[4]);
	const char *dir = argc > 6 ? argv[6] : "examples/config";
	int group = strcmp(mode, "group") == 0;
	if (!group && strcmp(mode, "each") != 0) {
		fprintf(stderr, "pg: MODE is group or each, not %s\n", mode);
		return 2;
	}
	char store[1024];
	snprintf(store, sizeof(store), "pg:%s", argv[2]);

	lines base = { 0 }, all = { 0 };
	load_events(&base, file, dir);
	repeat_events(&all, &base, want);
	if (!all.len) {
		fprintf(stderr, "pg: no events in %s\n", file);
		return 1;
	}
	gf_config *plain = config_desk_only(dir, NULL);

	durable_log dl = { 0, 0, 0 };
	gf_options o = GF_OPTIONS_INIT;
	o.config = plain;
	o.store = store;
	o.clock = GF_CLOCK_EVENT;
	o.reporter_key = key;
	o.reporter_key_len = sizeof(key) - 1;
	o.partition = part;
	o.batch_max = group ? 100 : 1;
	o.durable = on_durable;
	o.durable_data = &dl;
	gf_engine *eng;
	char err[512];
	if (gf_engine_open(&eng, &o, err, sizeof(err))) {
		fprintf(stderr, "pg: open %s, partition %s: %s\n", store, part,
			err);
		return 1;
	}
	/* open may report what it found durable: count from here */
	dl.calls = 0;
	uint64_t last = 0;
	double t0 = bench_now();
	for (size_t i = 0; i < all.len; i++) {
		const gf_result *r;
		if (gf_engine_ingest_json(eng, all.p[i], all.n[i], &r) ||
		    gf_result_outcome(r) != GF_OUTCOME_CREATED) {
			fprintf(stderr, "pg: event %zu: %s\n", i,
				gf_engine_errmsg(eng));
			return 2;
		}
		last = gf_result_ticket(r);
	}
	int rc = gf_engine_flush(eng);
	if (rc || dl.ticket < last) {
		fprintf(stderr, "pg: flush: %s (durable %llu of %llu)\n",
			rc ? gf_engine_errmsg(eng) : "not all durable",
			(unsigned long long)dl.ticket,
			(unsigned long long)last);
		return 1;
	}
	double t = dl.at - t0;
	gf_engine_close(eng);
	gf_config_free(plain);

	double ev = (double)all.len;
	printf("  engine, %s: %zu events in %.2f s, %.0f events/s durable, "
	       "%zu commits (%.1f events each)\n",
	       group ? "batch_max 100" : "batch_max 1", all.len, t, ev / t,
	       dl.calls, dl.calls ? ev / (double)dl.calls : 0.0);
	printf("{\"bench\":\"pg\",\"mode\":\"%s\",\"events\":%zu,"
	       "\"seconds\":%.3f,\"eps\":%.0f,\"commits\":%zu,"
	       "\"partition\":\"%s\"}\n",
	       mode, all.len, t, ev / t, dl.calls, part);
	lines_free(&base);
	lines_free(&all);
	return 0;
}
