/*
 * bench/ingest.c - ingestion throughput of the sample stream against
 * json-c parsing the same lines alone, measured side by side in one run
 * (rounds interleaved, best round of each kept), so machine noise hits
 * both alike.
 *
 *   ingest FILE [EVENTS] [ROUNDS]
 *
 * The events of FILE (lines without "op" that the engine accepts) are
 * repeated with fresh source ids up to EVENTS lines. Prints one line per
 * measurement and a JSON summary line.
 */
#include <json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "gridflow.h"

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

typedef struct lines {
	char **p;
	size_t *n;
	size_t len, cap;
	size_t bytes;
} lines;

static void push(lines *l, const char *s, size_t n)
{
	if (l->len == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 4096;
		l->p = realloc(l->p, l->cap * sizeof(*l->p));
		l->n = realloc(l->n, l->cap * sizeof(*l->n));
		if (!l->p || !l->n)
			exit(1);
	}
	l->p[l->len] = malloc(n + 1);
	memcpy(l->p[l->len], s, n);
	l->p[l->len][n] = '\0';
	l->n[l->len++] = n;
	l->bytes += n;
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

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		perror(path);
		exit(1);
	}
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	fseek(f, 0, SEEK_SET);
	char *b = malloc((size_t)n + 1);
	if (!b || fread(b, 1, (size_t)n, f) != (size_t)n)
		exit(1);
	fclose(f);
	b[n] = '\0';
	*len = (size_t)n;
	return b;
}

/* The same directory with no decision tables: every order goes to the
 * fallback desk, the pipeline of the foundation issue. */
static gf_config *config_desk_only(const char *dir, const char *fallback)
{
	char path[1024];
	size_t n;
	snprintf(path, sizeof(path), "%s/directory.json", dir);
	char *text = slurp(path, &n);
	char rules[256];
	snprintf(rules, sizeof(rules),
		 "{\"version\":\"desk-only\",\"fallback\":\"%s\",\"tables\":[]}",
		 fallback);
	gf_config *cfg;
	gf_config_new(&cfg);
	gf_config_set_file(cfg, "directory.json", text, n);
	gf_config_set_file(cfg, "rules.json", rules, strlen(rules));
	free(text);
	if (gf_config_compile(cfg)) {
		fprintf(stderr, "bench: the desk-only configuration has "
				"problems\n");
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

/* json-c alone: what any JSON ingestion must pay at least. */
static double run_jsonc(const lines *l)
{
	json_tokener *tok = json_tokener_new();
	double t0 = now();
	for (size_t i = 0; i < l->len; i++) {
		json_tokener_reset(tok);
		json_object *o = json_tokener_parse_ex(tok, l->p[i], (int)l->n[i]);
		if (!o)
			exit(2);
		json_object_put(o);
	}
	double t = now() - t0;
	json_tokener_free(tok);
	return t;
}

static double run_engine(gf_config *cfg, const lines *l, size_t count,
			 const char *store, gf_sync_policy sync)
{
	gf_engine *eng = open_engine(cfg, store, sync);
	double t0 = now();
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
	double t = now() - t0;
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
		char *text = slurp(path, &n);
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
	lines base = { 0 };
	gf_engine *probe = open_engine(cfg, "memory", GF_SYNC_NEVER);
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	while ((n = getline(&line, &cap, f)) > 0) {
		size_t len = (size_t)n;
		while (len && (line[len - 1] == '\n' || line[len - 1] == '\r'))
			len--;
		if (!len || strstr(line, "\"op\":"))
			continue;
		const gf_result *r;
		if (gf_engine_ingest_json(probe, line, len, &r) == GF_OK &&
		    gf_result_outcome(r) == GF_OUTCOME_CREATED)
			push(&base, line, len);
	}
	fclose(f);
	gf_engine_close(probe);

	/* repeat with fresh source ids: "source_id":"X" -> "X~k" */
	lines all = { 0 };
	char *buf = malloc(1 << 20);
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
			push(&all, buf, (size_t)m);
		}
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
	double best_roff = 1e9, best_rmem = 1e9;
	size_t on_count = all.len < 2000 ? all.len : 2000;
	for (int r = 0; r < rounds; r++) {
		double t = run_jsonc(&all);
		if (t < best_json)
			best_json = t;
		/* the two configurations take turns going first: a run's
		 * place in the round changes its time (the file system's
		 * state after the previous run) */
		for (int k = 0; k < 2; k++) {
			int desk_first = (r + k) % 2 == 0;
			gf_config *c = desk_first ? plain : cfg;
			double *boff = desk_first ? &best_off : &best_roff;
			double *bmem = desk_first ? &best_mem : &best_rmem;
			NEXT_JOURNAL();
			t = run_engine(c, &all, all.len, store, GF_SYNC_NEVER);
			if (t < *boff)
				*boff = t;
			t = run_engine(c, &all, all.len, "memory",
				       GF_SYNC_NEVER);
			if (t < *bmem)
				*bmem = t;
		}
		NEXT_JOURNAL();
		t = run_engine(cfg, &all, on_count, store, GF_SYNC_EVERY);
		if (t < best_on)
			best_on = t;
	}
	for (unsigned k = 0; k < nrun; k++) {
		snprintf(path, sizeof(path), "%s/bench-%u.journal", dir, k);
		unlink(path);
	}
	rmdir(dir);

	double ev = (double)all.len;
	double ratio = best_off / best_json;
	double rratio = best_roff / best_json;
	printf("  json-c parse alone                       %10.0f events/s\n",
	       ev / best_json);
	printf("  to the desk only (no decision tables):\n");
	printf("    engine, memory store                   %10.0f events/s  (%.2fx json-c)\n",
	       ev / best_mem, best_mem / best_json);
	printf("    engine, journal, fsync off             %10.0f events/s  (%.2fx json-c; target <= 1.50x: %s)\n",
	       ev / best_off, ratio, ratio <= 1.5 ? "met" : "MISSED");
	printf("  routed by the example rule set (%s):\n", cfgdir);
	printf("    engine, memory store                   %10.0f events/s  (%.2fx json-c)\n",
	       ev / best_rmem, best_rmem / best_json);
	printf("    engine, journal, fsync off             %10.0f events/s  (%.2fx json-c)\n",
	       ev / best_roff, rratio);
	printf("    engine, journal, fsync each            %10.0f events/s  (%zu events, one fdatasync per event)\n",
	       (double)on_count / best_on, on_count);
	printf("{\"bench\":\"ingest\",\"events\":%zu,\"jsonc_eps\":%.0f,"
	       "\"memory_eps\":%.0f,\"journal_nosync_eps\":%.0f,"
	       "\"routed_memory_eps\":%.0f,\"routed_journal_nosync_eps\":%.0f,"
	       "\"journal_fsync_eps\":%.0f,\"ratio_nosync\":%.3f,"
	       "\"routed_ratio_nosync\":%.3f}\n",
	       all.len, ev / best_json, ev / best_mem, ev / best_off,
	       ev / best_rmem, ev / best_roff, (double)on_count / best_on,
	       ratio, rratio);
	for (size_t i = 0; i < base.len; i++)
		free(base.p[i]);
	for (size_t i = 0; i < all.len; i++)
		free(all.p[i]);
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
