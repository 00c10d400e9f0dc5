/*
 * bench/dedup.c - ingestion with near-duplicate matching against a window
 * holding N open orders (N = 100,000 and 1,000,000 by default), through
 * the C event API and through JSON, side by side with json-c parsing the
 * same lines alone; and the duplicate index's memory per open order.
 *
 *   dedup [CONFIG_DIR] [EVENTS] [ROUNDS] [N,N,...] [TOUCHED_MB]
 *
 * Reports are spread over Suzhou (random villages of CONFIG_DIR's
 * directory.json, points in a box around the city, 20 to 40 characters of
 * text drawn from a pool of phrases), received over the 20 days before
 * the measured ones, with dedup.json "near" (window 30d, radius 250 m) so
 * that every one of the N stays in the window. Each measured event is
 * matched against the window's candidates around it and then joins it.
 *
 * Two more measurements say what the matching itself costs: the same
 * engine without dedup.json (no index: every report just makes its
 * order), and the index alone (the report's signature, the candidates
 * around it scored, and its insert) with nothing else of the engine.
 *
 * TOUCHED_MB (0 unless given) is a diagnostic: before each measured run
 * the allocator's heap gets that many megabytes written and freed, and
 * keeps them (glibc's mallopt), so the orders made while measuring land
 * in memory already touched. What it takes off is the first touch of
 * fresh memory (a page fault and zeroing per 4 KiB, far slower on a
 * virtual machine whose host backs guest memory lazily), which every
 * order of a growing engine pays and json-c's parse alone does not.
 */
#include <json.h>
#include <limits.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "gridflow.h"
#include "bench.h"
#include "engine_int.h"
#include "config.h"
#include "dedup.h"
#include "dupindex.h"

static uint64_t rng_state = 0x9e3779b97f4a7c15u;

static uint64_t rnd(void)
{
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15u);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
	return z ^ (z >> 31);
}

static double unif(void) { return (double)(rnd() >> 11) / 9007199254740992.0; }

/* villages (12-digit codes ending in a non-zero village part) and leaf
 * categories of the directory */
typedef struct names {
	char **v;
	size_t n;
} names;

static void collect(const char *dirjson, names *villages, names *cats)
{
	json_object *root = json_tokener_parse(dirjson), *a;
	if (!root || !json_object_object_get_ex(root, "regions", &a))
		exit(1);
	for (size_t i = 0; i < json_object_array_length(a); i++) {
		json_object *r = json_object_array_get_idx(a, i), *c;
		json_object_object_get_ex(r, "code", &c);
		const char *s = json_object_get_string(c);
		if (strlen(s) == 12 && strcmp(s + 9, "000") != 0) {
			villages->v = realloc(villages->v, (villages->n + 1) *
							   sizeof(char *));
			villages->v[villages->n++] = strdup(s);
		}
	}
	json_object_object_get_ex(root, "categories", &a);
	for (size_t i = 0; i < json_object_array_length(a); i++) {
		json_object *r = json_object_array_get_idx(a, i), *c;
		json_object_object_get_ex(r, "code", &c);
		const char *s = json_object_get_string(c);
		if (strchr(s, '.') && strchr(strchr(s, '.') + 1, '.')) {
			cats->v = realloc(cats->v, (cats->n + 1) *
						       sizeof(char *));
			cats->v[cats->n++] = strdup(s);
		}
	}
	json_object_put(root);
}

static const char *const phrases[] = {
	"小区门口", "垃圾堆积", "多日无人清理", "气味很大", "路灯不亮",
	"井盖破损", "夜间施工", "噪音扰民", "占道经营", "车辆乱停",
	"电动车充电", "楼道堆物", "漏水严重", "道路积水", "树木倒伏",
	"广告牌松动", "油烟扰民", "拖欠工资", "物业不作为", "违章搭建",
	"下水道堵塞", "公交站牌", "红绿灯故障", "学校周边", "菜场门口",
};

typedef struct report {
	char sid[24];
	const char *region, *category;
	double lat, lon;
	char text[160];
	gf_time at;
} report;

static void make_report(report *r, size_t k, gf_time at, const names *vs,
			const names *cs)
{
	snprintf(r->sid, sizeof(r->sid), "B%zu", k);
	r->region = vs->v[rnd() % vs->n];
	r->category = cs->v[rnd() % cs->n];
	/* about 8,500 km^2 around the city */
	r->lat = 30.80 + unif() * 1.05;
	r->lon = 119.95 + unif() * 1.30;
	size_t n = 0, parts = 4 + rnd() % 5;
	r->text[0] = '\0';
	for (size_t i = 0; i < parts; i++)
		n += (size_t)snprintf(r->text + n, sizeof(r->text) - n, "%s",
				      phrases[rnd() % (sizeof(phrases) /
						       sizeof(phrases[0]))]);
	r->at = at;
}

static size_t to_json(const report *r, char *buf, size_t size)
{
	char t[40];
	gf_time_format(t, sizeof(t), r->at, 480);
	return (size_t)snprintf(
		buf, size,
		"{\"channel\":\"grid\",\"source_id\":\"%s\",\"received_at\":"
		"\"%s\",\"region\":\"%s\",\"location\":{\"lat\":%.6f,\"lon\":"
		"%.6f},\"category\":\"%s\",\"content\":\"%s\"}",
		r->sid, t, r->region, r->lat, r->lon, r->category, r->text);
}

static gf_event *to_event(const report *r)
{
	gf_event *ev;
	if (gf_event_new(&ev))
		exit(1);
	gf_event_set_channel(ev, "grid");
	gf_event_set_source_id(ev, r->sid);
	gf_event_set_received_time(ev, r->at, 480);
	gf_event_set_region(ev, r->region);
	gf_event_set_location(ev, r->lat, r->lon);
	gf_event_set_category(ev, r->category);
	gf_event_set_content(ev, r->text);
	return ev;
}

static gf_config *config(const char *dir, const char *dirjson, int near)
{
	static const char rules[] =
		"{\"version\":\"bench\",\"fallback\":\"sz-zhzx\",\"tables\":[]}";
	static const char dedup[] =
		"{\"version\":\"bench\",\"near\":{\"window\":\"30d\","
		"\"radius_m\":250,\"link_at\":0.9,\"suspect_at\":0.6}}";
	gf_config *cfg;
	gf_config_new(&cfg);
	gf_config_set_file(cfg, "directory.json", dirjson, strlen(dirjson));
	gf_config_set_file(cfg, "rules.json", rules, strlen(rules));
	if (near)
		gf_config_set_file(cfg, "dedup.json", dedup, strlen(dedup));
	if (gf_config_compile(cfg)) {
		fprintf(stderr, "bench: the configuration of %s has problems\n",
			dir);
		exit(1);
	}
	return cfg;
}

/* The validated form of r, as matching reads it (strings borrowed). */
static void ev_of(const report *r, gf__ev *ev)
{
	memset(ev, 0, sizeof(*ev));
	ev->received_at = r->at;
	memcpy(ev->region, r->region, 12);
	ev->has_location = 1;
	ev->lat = r->lat;
	ev->lon = r->lon;
	ev->category = (char *)r->category;
	ev->content = (char *)r->text;
}

/* Seconds for the index alone to match the m reports of meas against
 * the n of pre and take each in, as the engine does for a report that
 * makes an order (it links the few above link_at instead). */
static double index_alone(const gf__dedup *d, const report *pre, size_t n,
			  const report *meas, size_t m)
{
	gf__dupindex *x;
	gf_order *orders = calloc(n + m, sizeof(*orders));
	if (!orders || gf__dupindex_new(&x, &d->near))
		exit(1);
	gf__ev ev;
	gf__dd_item it;
	for (size_t i = 0; i < n; i++) {
		ev_of(&pre[i], &ev);
		gf__dd_item_make(&it, d, &ev);
		orders[i].index = i;
		if (gf__dupindex_add(x, &orders[i], &it, ev.category))
			exit(1);
	}
	double s = bench_now();
	for (size_t i = 0; i < m; i++) {
		double score;
		gf__dd_parts parts;
		ev_of(&meas[i], &ev);
		gf__dupindex_expire(x, ev.received_at);
		gf__dd_item_make(&it, d, &ev);
		(void)gf__dupindex_best(x, d, &it, ev.received_at, &score,
					&parts);
		orders[n + i].index = n + i;
		if (gf__dupindex_add(x, &orders[n + i], &it, ev.category))
			exit(1);
	}
	double t = bench_now() - s;
	gf__dupindex_free(x);
	free(orders);
	return t;
}

/* mb megabytes of heap written and freed, kept by the allocator (see
 * main) for the allocations that follow. */
static void touch_heap(size_t mb)
{
	char **b = malloc(mb * sizeof(*b));
	if (!b)
		exit(1);
	for (size_t i = 0; i < mb; i++) {
		if (!(b[i] = malloc((size_t)1 << 20)))
			exit(1);
		memset(b[i], 1, (size_t)1 << 20);
	}
	while (mb--)
		free(b[mb]);
	free(b);
}

static gf_engine *open_engine(gf_config *cfg)
{
	gf_options o = GF_OPTIONS_INIT;
	o.config = cfg;
	o.clock = GF_CLOCK_EVENT;
	gf_engine *eng;
	char err[256];
	if (gf_engine_open(&eng, &o, err, sizeof(err))) {
		fprintf(stderr, "bench: %s\n", err);
		exit(1);
	}
	return eng;
}

int main(int argc, char **argv)
{
	const char *dir = argc > 1 ? argv[1] : "examples/config";
	size_t m = argc > 2 ? strtoul(argv[2], NULL, 10) : 200000;
	int rounds = argc > 3 ? atoi(argv[3]) : 3;
	const char *sizes = argc > 4 ? argv[4] : "100000,1000000";
	size_t touched = argc > 5 ? strtoul(argv[5], NULL, 10) : 0;
	if (touched) {
		/* blocks of 1 MiB from the heap, and the heap's top kept when
		 * they are freed */
		mallopt(M_MMAP_THRESHOLD, 32 << 20);
		mallopt(M_TRIM_THRESHOLD, INT_MAX);
	}
	char path[1024];
	snprintf(path, sizeof(path), "%s/directory.json", dir);
	char *dirjson = bench_slurp(path, NULL);
	names vs = { 0 }, cs = { 0 };
	collect(dirjson, &vs, &cs);
	gf_config *cfg = config(dir, dirjson, 1);
	gf_config *plain = config(dir, dirjson, 0);
	printf("bench dedup: %zu measured events per run, best of %d, "
	       "window 30d, radius 250 m; %zu villages, %zu categories\n",
	       m, rounds, vs.n, cs.n);
	if (touched)
		printf("  (diagnostic: %zu MB of heap touched before each "
		       "measured run)\n",
		       touched);

	const gf_time t0 = 1761926400000; /* 2025-11-01T00:00:00+08:00 */
	for (const char *p = sizes; *p;) {
		size_t n = strtoul(p, NULL, 10);
		p = strchr(p, ',') ? strchr(p, ',') + 1 : p + strlen(p);
		/* the window: n reports over 20 days, then m to measure over
		 * the next hour, same for every run */
		rng_state = 0x9e3779b97f4a7c15u;
		report *pre = malloc(n * sizeof(*pre));
		report *meas = malloc(m * sizeof(*meas));
		for (size_t i = 0; i < n; i++)
			make_report(&pre[i], i, t0 + (gf_time)((double)i / (double)n *
						      20 * 86400000.0),
				    &vs, &cs);
		for (size_t i = 0; i < m; i++)
			make_report(&meas[i], n + i,
				    t0 + 20 * 86400000LL +
					    (gf_time)((double)i / (double)m *
						      3600000.0),
				    &vs, &cs);
		char **text = malloc(m * sizeof(char *));
		size_t *lens = malloc(m * sizeof(size_t));
		gf_event **evs = malloc(m * sizeof(gf_event *));
		char buf[1024];
		for (size_t i = 0; i < m; i++) {
			lens[i] = to_json(&meas[i], buf, sizeof(buf));
			text[i] = strdup(buf);
			evs[i] = to_event(&meas[i]);
		}
		/* JSON and C API with matching, then without; the index */
		double best[4] = { 1e9, 1e9, 1e9, 1e9 }, best_p = 1e9;
		double best_x = 1e9;
		size_t mem = 0, live = 0, linked = 0, suspected = 0;
		for (int r = 0; r < rounds; r++) {
			json_tokener *tok = json_tokener_new();
			double s = bench_now();
			for (size_t i = 0; i < m; i++) {
				json_tokener_reset(tok);
				json_object *o = json_tokener_parse_ex(
					tok, text[i], (int)lens[i]);
				json_object_put(o);
			}
			double t = bench_now() - s;
			json_tokener_free(tok);
			if (t < best_p)
				best_p = t;
			/* with matching (k 0, 1) and without (k 2, 3); JSON,
			 * then the C event API */
			for (int k = 0; k < 4; k++) {
				int api = k & 1, near = k < 2;
				gf_engine *eng = open_engine(near ? cfg : plain);
				for (size_t i = 0; i < n; i++) {
					gf_event *ev = to_event(&pre[i]);
					gf_engine_ingest(eng, ev, NULL);
					gf_event_free(ev);
				}
				if (near && !eng->dup) {
					fprintf(stderr, "bench: no index\n");
					return 1;
				}
				if (near) {
					mem = gf__dupindex_memory(eng->dup);
					live = gf__dupindex_count(eng->dup);
					linked = suspected = 0;
				}
				if (touched)
					touch_heap(touched);
				s = bench_now();
				for (size_t i = 0; i < m; i++) {
					const gf_result *res;
					int rc = api ? gf_engine_ingest(
							       eng, evs[i], &res)
						     : gf_engine_ingest_json(
							       eng, text[i],
							       lens[i], &res);
					if (rc) {
						fprintf(stderr, "bench: %s\n",
							gf_engine_errmsg(eng));
						return 1;
					}
					linked += near && gf_result_outcome(res) ==
							  GF_OUTCOME_LINKED;
					suspected += near &&
						     gf_result_outcome(res) ==
							     GF_OUTCOME_SUSPECTED;
				}
				t = bench_now() - s;
				if (t < best[k])
					best[k] = t;
				gf_engine_close(eng);
			}
			if (touched)
				touch_heap(touched);
			t = index_alone(cfg->dedup, pre, n, meas, m);
			if (t < best_x)
				best_x = t;
		}
		double ev = (double)m;
		double best_j = best[0], best_c = best[1];
		printf("  %8zu open orders in the window (index: %zu entries, "
		       "%.1f bytes per open order)\n",
		       n, live, live ? (double)mem / (double)live : 0.0);
		printf("    json-c parse alone           %10.0f events/s\n",
		       ev / best_p);
		printf("    engine, C event API          %10.0f events/s  "
		       "(target >= 500000 at 1M: %s)\n",
		       ev / best_c,
		       n < 1000000 ? "-" : ev / best_c >= 500000 ? "met"
								 : "MISSED");
		printf("    engine, JSON                 %10.0f events/s  "
		       "(%.2fx json-c; target <= 1.6x at 1M: %s)\n",
		       ev / best_j, best_j / best_p,
		       n < 1000000 ? "-" : best_j / best_p <= 1.6 ? "met"
								  : "MISSED");
		printf("    without dedup.json, C API    %10.0f events/s  "
		       "(matching costs %.2f us per event)\n",
		       ev / best[3], (best_c - best[3]) / ev * 1e6);
		printf("    without dedup.json, JSON     %10.0f events/s  "
		       "(%.2fx json-c)\n",
		       ev / best[2], best[2] / best_p);
		printf("    the index alone              %10.0f events/s  "
		       "(signature, candidates scored, insert)\n",
		       ev / best_x);
		printf("    outcomes of the last run: %zu linked, %zu "
		       "suspected of %zu\n",
		       linked, suspected, m);
		printf("{\"bench\":\"dedup\",\"open\":%zu,\"events\":%zu,"
		       "\"jsonc_eps\":%.0f,\"c_api_eps\":%.0f,\"json_eps\":%.0f,"
		       "\"json_ratio\":%.3f,\"index_bytes_per_open_order\":%.1f,"
		       "\"nodedup_c_api_eps\":%.0f,\"nodedup_json_eps\":%.0f,"
		       "\"index_eps\":%.0f,\"touched_mb\":%zu}\n",
		       n, m, ev / best_p, ev / best_c, ev / best_j,
		       best_j / best_p, live ? (double)mem / (double)live : 0.0,
		       ev / best[3], ev / best[2], ev / best_x, touched);
		for (size_t i = 0; i < m; i++) {
			free(text[i]);
			gf_event_free(evs[i]);
		}
		free(text);
		free(lens);
		free(evs);
		free(pre);
		free(meas);
	}
	for (size_t i = 0; i < vs.n; i++)
		free(vs.v[i]);
	for (size_t i = 0; i < cs.n; i++)
		free(cs.v[i]);
	free(vs.v);
	free(cs.v);
	free(dirjson);
	gf_config_free(cfg);
	gf_config_free(plain);
	return 0;
}
