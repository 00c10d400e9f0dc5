/*
 * bench/ingest.c - ingestion throughput of the sample stream against
 * json-c parsing the same lines alone, measured side by side in one run
 * (rounds interleaved, best round of each kept), so machine noise hits
 * both alike.
 *
 *   ingest FILE [EVENTS] [ROUNDS]
 *
 * The events of FILE (lines without "op" that the engine accepts) are
 * repeated with fresh source ids up to EVENTS lines, each copy a day later,
 * and ingested to the fallback desk. Then the whole of FILE (events and
 * actions, as gridflow replay feeds it) is repeated about as many times,
 * ids and refs made fresh and dates moved a day per copy, and fed to the
 * engine routing by the example rule set with its SLA clocks running: the
 * main job. Each is compared with json-c parsing the same lines. Prints
 * one line per measurement and a JSON summary line.
 */
#include <json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "gridflow.h"
#include "bench.h"

/* A line of the whole day's stream for repetition k: ids and refs get
 * "~k", times move by days (events' received_at, actions' at). */
static size_t stream_line(char *out, size_t size, const char *in, size_t k,
			  int days)
{
	static const char *const keys[] = { "\"source_id\":\"",
					    "\"ref\":\"", "\"into\":\"" };
	size_t n = 0;
	const char *p = in;
	for (;;) {
		const char *best = NULL;
		for (size_t i = 0; i < 3; i++) {
			const char *q = strstr(p, keys[i]);
			if (q && (!best || q < best))
				best = q + strlen(keys[i]);
		}
		if (!best)
			break;
		const char *e = strchr(best, '"');
		if (!e)
			break;
		n += (size_t)snprintf(out + n, size - n, "%.*s~%zu",
				      (int)(e - p), p, k);
		p = e;
	}
	n += (size_t)snprintf(out + n, size - n, "%s", p);
	char *q = strstr(out, "\"received_at\":\"");
	if (q && days)
		shift_date_at(q + 15, days);
	q = strstr(out, "\"at\":\"");
	if (q && days)
		shift_date_at(q + 6, days);
	return n;
}

static gf_config *config(const char *dir)
{
	gf_config *cfg;
	gf_config_new(&cfg);
	gf_config_load_dir(cfg, dir);
	if (gf_config_compile(cfg)) {
		fprintf(stderr, "bench: configuration %s has problems\n", dir);
		exit(1);
	}
	return cfg;
}

static gf_engine *open_engine(gf_config *cfg, const char *store,
			      gf_sync_policy sync)
{
	gf_options o = GF_OPTIONS_INIT;
	static const unsigned char key[] = "bench-reporter-key";
	o.config = cfg;
	o.store = store;
	o.sync = sync;
	o.clock = GF_CLOCK_EVENT;
	o.reporter_key = key;
	o.reporter_key_len = sizeof(key) - 1;
	gf_engine *eng;
	char err[256];
	if (gf_engine_open(&eng, &o, err, sizeof(err))) {
		fprintf(stderr, "bench: open %s: %s\n", store, err);
		exit(1);
	}
	return eng;
}

/* json-c alone: what any JSON ingestion must pay at least. The day's
 * stream holds deliberately malformed lines: json-c pays for finding out
 * too (strict: every line must parse). */
static double run_jsonc_lines(const lines *l, int strict)
{
	json_tokener *tok = json_tokener_new();
	double t0 = bench_now();
	for (size_t i = 0; i < l->len; i++) {
		json_tokener_reset(tok);
		json_object *o = json_tokener_parse_ex(tok, l->p[i], (int)l->n[i]);
		if (!o && strict)
			exit(2);
		if (o)
			json_object_put(o);
	}
	double t = bench_now() - t0;
	json_tokener_free(tok);
	return t;
}

static double run_jsonc(const lines *l)
{
	return run_jsonc_lines(l, 1);
}

static double run_engine(gf_config *cfg, const lines *l, size_t count,
			 const char *store, gf_sync_policy sync)
{
	gf_engine *eng = open_engine(cfg, store, sync);
	double t0 = bench_now();
	for (size_t i = 0; i < count; i++) {
		const gf_result *r;
		if (gf_engine_ingest_json(eng, l->p[i], l->n[i], &r) ||
		    gf_result_outcome(r) != GF_OUTCOME_CREATED) {
			fprintf(stderr, "bench: line %zu: %s\n", i,
				gf_engine_errmsg(eng));
			exit(2);
		}
	}
	gf_engine_flush(eng);
	double t = bench_now() - t0;
	gf_engine_close(eng);
	return t;
}

static size_t stream_steps;

static void count_steps(void *data, const gf_notice *n)
{
	(void)data;
	gf_notice_kind k = gf_notice_kind_of(n);
	if (k == GF_NOTICE_SLA || k == GF_NOTICE_ESCALATED)
		stream_steps++;
}

/* The whole stream, events and actions, as gridflow replay feeds it. */
static double run_stream(gf_config *cfg, const lines *l, const char *store)
{
	gf_options o = GF_OPTIONS_INIT;
	static const unsigned char key[] = "bench-reporter-key";
	o.config = cfg;
	o.store = store;
	o.sync = GF_SYNC_NEVER;
	o.clock = GF_CLOCK_EVENT;
	o.reporter_key = key;
	o.reporter_key_len = sizeof(key) - 1;
	o.notice = count_steps;
	gf_engine *eng;
	char err[256];
	if (gf_engine_open(&eng, &o, err, sizeof(err))) {
		fprintf(stderr, "bench: open %s: %s\n", store, err);
		exit(1);
	}
	stream_steps = 0;
	double t0 = bench_now();
	for (size_t i = 0; i < l->len; i++) {
		const gf_result *r;
		int rc = gf_engine_submit_json(eng, l->p[i], l->n[i], &r);
		if (!r) {
			fprintf(stderr, "bench: stream line %zu: %s (%d)\n", i,
				gf_engine_errmsg(eng), rc);
			exit(2);
		}
	}
	gf_engine_flush(eng);
	double t = bench_now() - t0;
	gf_engine_close(eng);
	return t;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fputs("usage: ingest FILE [EVENTS] [ROUNDS] [CONFIG]\n", stderr);
		return 2;
	}
	size_t want = argc > 2 ? (size_t)atol(argv[2]) : 200000;
	int rounds = argc > 3 ? atoi(argv[3]) : 5;
	const char *cfgdir = argc > 4 ? argv[4] : "examples/config";
	gf_config *cfg = config(cfgdir);
	const char *desk = NULL;
	{
		/* the example's fallback desk, from its rules.json */
		char path[1024];
		size_t n;
		snprintf(path, sizeof(path), "%s/rules.json", cfgdir);
		char *text = bench_slurp(path, &n);
		json_object *root = json_tokener_parse(text);
		json_object *fb = NULL;
		if (!root || !json_object_object_get_ex(root, "fallback", &fb)) {
			fprintf(stderr, "bench: no fallback in %s\n", path);
			exit(1);
		}
		desk = strdup(json_object_get_string(fb));
		json_object_put(root);
		free(text);
	}
	gf_config *plain = config_desk_only(cfgdir, desk);

	/* the stream's valid events, as an engine accepts them */
	FILE *f = fopen(argv[1], "rb");
	if (!f) {
		perror(argv[1]);
		return 1;
	}
	lines base = { 0 }, day = { 0 };
	gf_engine *probe = open_engine(cfg, "memory", GF_SYNC_NEVER);
	char *line = NULL;
	size_t cap = 0;
	long n;
	while ((n = bench_line(f, &line, &cap)) >= 0) {
		size_t len = (size_t)n;
		if (!len)
			continue;
		push(&day, line, len);
		if (strstr(line, "\"op\":"))
			continue;
		const gf_result *r;
		if (gf_engine_ingest_json(probe, line, len, &r) == GF_OK &&
		    gf_result_outcome(r) == GF_OUTCOME_CREATED)
			push(&base, line, len);
	}
	fclose(f);
	gf_engine_close(probe);

	/* repeat with fresh source ids: "source_id":"X" -> "X~k", each
	 * repetition one day later than the one before and the last on the
	 * sample day, so that time moves on as in a real stream and the SLA
	 * clocks fire what a day of them fires (with the same day over and
	 * over, every clock of every later copy would be overdue at once) */
	lines all = { 0 };
	char *buf = malloc(1 << 20);
	size_t reps = base.len ? (want + base.len - 1) / base.len : 0;
	for (size_t k = 0; all.len < want; k++) {
		for (size_t i = 0; i < base.len && all.len < want; i++) {
			const char *s = strstr(base.p[i], "\"source_id\":\"");
			if (!s)
				continue;
			s += 13;
			const char *e = strchr(s, '"');
			size_t head = (size_t)(e - base.p[i]);
			int m = snprintf(buf, 1 << 20, "%.*s~%zu%s", (int)head,
					 base.p[i], k, e);
			shift_date(buf, (int)k - (int)(reps - 1));
			push(&all, buf, (size_t)m);
		}
	}
	/* the whole day, events and actions, as often as it takes to hold
	 * about as many events, each copy a day later */
	lines stream = { 0 };
	size_t dreps = reps ? reps : 1;
	for (size_t k = 0; k < dreps; k++)
		for (size_t i = 0; i < day.len; i++) {
			size_t m = stream_line(buf, 1 << 20, day.p[i], k,
					       (int)k - (int)(dreps - 1));
			push(&stream, buf, m);
		}
	free(buf);
	printf("bench ingest: %zu events (%zu distinct in the sample day), "
	       "%.0f bytes each on average, best of %d rounds\n",
	       all.len, base.len, (double)all.bytes / (double)all.len, rounds);

	char dir[] = "/tmp/gf-bench-XXXXXX";
	if (!mkdtemp(dir))
		return 1;
	/* every journal run gets a fresh file, and the files are removed at
	 * the end: deleting a 100 MB journal right before the next run put
	 * the file system's cleanup into that run's time */
	char store[300], path[280];
	unsigned nrun = 0;
#define NEXT_JOURNAL()                                                     \
	(snprintf(path, sizeof(path), "%s/bench-%u.journal", dir, nrun++), \
	 snprintf(store, sizeof(store), "journal:%s", path))

	double best_json = 1e9, best_off = 1e9, best_mem = 1e9, best_on = 1e9;
	double best_roff = 1e9, best_rmem = 1e9, best_sjson = 1e9;
	size_t steps = 0;
	size_t on_count = all.len < 2000 ? all.len : 2000;
	/* first the events to the desk against json-c, then the whole
	 * stream against json-c: apart, so that the stream's large journals
	 * do not weigh on the other's file system state */
	for (int r = 0; r < rounds; r++) {
		double t = run_jsonc(&all);
		if (t < best_json)
			best_json = t;
		/* journal and memory take turns going first: a run's place
		 * in the round changes its time */
		for (int k = 0; k < 2; k++) {
			if ((r + k) % 2 == 0) {
				NEXT_JOURNAL();
				t = run_engine(plain, &all, all.len, store,
					       GF_SYNC_NEVER);
				if (t < best_off)
					best_off = t;
			} else {
				t = run_engine(plain, &all, all.len, "memory",
					       GF_SYNC_NEVER);
				if (t < best_mem)
					best_mem = t;
			}
		}
		NEXT_JOURNAL();
		t = run_engine(plain, &all, on_count, store, GF_SYNC_EVERY);
		if (t < best_on)
			best_on = t;
	}
	for (int r = 0; r < rounds; r++) {
		NEXT_JOURNAL();
		double t = run_stream(cfg, &stream, store);
		if (t < best_roff)
			best_roff = t;
		unlink(path);
		sync();
		t = run_jsonc_lines(&stream, 0);
		if (t < best_sjson)
			best_sjson = t;
		t = run_stream(cfg, &stream, "memory");
		steps = stream_steps;
		if (t < best_rmem)
			best_rmem = t;
	}
	for (unsigned k = 0; k < nrun; k++) {
		snprintf(path, sizeof(path), "%s/bench-%u.journal", dir, k);
		unlink(path);
	}
	rmdir(dir);

	double ev = (double)all.len;
	double ratio = best_off / best_json;
	double rratio = best_roff / best_sjson;
	double sl = (double)stream.len;
	printf("  json-c parse alone                       %10.0f events/s\n",
	       ev / best_json);
	printf("  to the desk only (no decision tables):\n");
	printf("    engine, memory store                   %10.0f events/s  (%.2fx json-c)\n",
	       ev / best_mem, best_mem / best_json);
	printf("    engine, journal, fsync off             %10.0f events/s  (%.2fx json-c; target <= 1.50x: %s)\n",
	       ev / best_off, ratio, ratio <= 1.5 ? "met" : "MISSED");
	printf("  the sample day's whole stream, %zu lines of events and actions (%zu days),\n"
	       "  routed by the example rule set (%s), SLA clocks running (%zu ladder steps fired):\n",
	       stream.len, dreps, cfgdir, steps);
	printf("    json-c parse alone                     %10.0f lines/s\n",
	       sl / best_sjson);
	printf("    engine, memory store                   %10.0f lines/s   (%.2fx json-c)\n",
	       sl / best_rmem, best_rmem / best_sjson);
	printf("    engine, journal, fsync off             %10.0f lines/s   (%.2fx json-c)\n",
	       sl / best_roff, rratio);
	printf("  to the desk, journal, fsync each         %10.0f events/s  (%zu events, one fdatasync per event)\n",
	       (double)on_count / best_on, on_count);
	printf("{\"bench\":\"ingest\",\"events\":%zu,\"jsonc_eps\":%.0f,"
	       "\"memory_eps\":%.0f,\"journal_nosync_eps\":%.0f,"
	       "\"routed_memory_eps\":%.0f,\"routed_journal_nosync_eps\":%.0f,"
	       "\"journal_fsync_eps\":%.0f,\"ratio_nosync\":%.3f,"
	       "\"routed_ratio_nosync\":%.3f,\"stream_lines\":%zu,"
	       "\"sla_steps\":%zu}\n",
	       all.len, ev / best_json, ev / best_mem, ev / best_off,
	       sl / best_rmem, sl / best_roff, (double)on_count / best_on,
	       ratio, rratio, stream.len, steps);
	for (size_t i = 0; i < base.len; i++)
		free(base.p[i]);
	for (size_t i = 0; i < all.len; i++)
		free(all.p[i]);
	for (size_t i = 0; i < day.len; i++)
		free(day.p[i]);
	for (size_t i = 0; i < stream.len; i++)
		free(stream.p[i]);
	free(day.p);
	free(day.n);
	free(stream.p);
	free(stream.n);
	free(base.p);
	free(base.n);
	free(all.p);
	free(all.n);
	free(line);
	free((void *)desk);
	gf_config_free(plain);
	gf_config_free(cfg);
	return 0;
}
