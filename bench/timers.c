/*
 * bench/timers.c - SLA clocks: the library's timing wheel (lib/timer.c)
 * against libuv's timer heap, side by side in one process.
 *
 *   timers [CLOCKS] [ROUNDS]
 *
 * CLOCKS (default 10,000,000) clocks are started, every third one is
 * cancelled, in a scrambled order (as orders are resolved: not in the
 * order their clocks started), and the rest expire; operations/s counts
 * all three kinds (start + cancel + expire = 2 x CLOCKS operations). ROUNDS (default 1)
 * repeats everything, interleaved, and keeps each side's best.
 *
 * Ours: deadlines uniform over 1 ms .. 72 h from the set's time, as SLA
 * clocks are; the set is driven by its own simulated clock, advanced in
 * steps of one second (259,200 advances) until every clock has expired.
 * The same is also run with libuv's 0..50 ms spread, advanced once.
 *
 * libuv: it has no simulated clock, so its timers get timeouts uniform
 * over 0..50 ms: uv_timer_init + uv_timer_start for all, uv_timer_stop for
 * every third, then uv_run(UV_RUN_DEFAULT) until all have fired. Starting
 * millions of timers takes longer than 50 ms, so they are all due by the
 * time uv_run looks; where uv_run would wait instead, the wait is not
 * counted because time is measured as CPU time of the process
 * (CLOCK_PROCESS_CPUTIME_ID), for both sides. Caveat: CPU time includes
 * what the kernel spends on the process (page faults of fresh memory
 * above all) and has the scheduler's accounting granularity; and libuv's
 * 0..50 ms spread gives its heap only 51 distinct deadlines, which if
 * anything makes its comparisons cheaper than SLA deadlines would.
 *
 * Memory per running clock: ours is gf__timers_memory / pending count,
 * measured with every clock started (it includes the set's fixed part:
 * list heads, chunk table). libuv's is sizeof(uv_timer_t): its heap is
 * intrusive (the links live in the handle), the loop adds a root pointer
 * and a count, nothing per timer. Neither counts the caller's own record
 * of its clocks (here an array of ids or of handles).
 *
 * Peak RSS (getrusage ru_maxrss) is reported after our runs, before any
 * libuv memory exists, and at the end.
 *
 * This uses the library's internal timer API (lib/timer.h): it measures
 * the timer structure alone, not the engine.
 */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L /* clock_gettime */
#endif
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <uv.h>

#include "internal.h"
#include "timer.h"

#define HOUR_MS (3600LL * 1000)

typedef struct result {
	double start_s, cancel_s, expire_s; /* CPU seconds per phase */
	size_t started, cancelled, fired;
	uint64_t cookie_sum;                /* of the fired: a cross-check */
	double bytes_per_clock;
} result;

static double cpu_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static long peak_rss_kb(void)
{
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_maxrss;
}

static uint64_t rng_next(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p) {
		fputs("timers: out of memory\n", stderr);
		exit(1);
	}
	return p;
}

static double ops_per_s(const result *r)
{
	double t = r->start_s + r->cancel_s + r->expire_s;
	return t > 0 ? (double)(r->started + r->cancelled + r->fired) / t : 0;
}

/* The j-th clock to cancel, j < m = the number of multiples of 3 below
 * n: a multiple of 3 picked by a multiplicative permutation of 0..m-1,
 * the same for both sides. */
static size_t cancel_order(size_t j, size_t m)
{
	/* 2^31 - 1 is prime, so it is coprime to m unless m is a multiple of
	 * it, which the bound on CLOCKS excludes */
	return 3 * (size_t)(((uint64_t)j * 2147483647u) % m);
}

/* The sum of the cookies (= start indices) of the clocks not cancelled. */
static uint64_t expected_sum(size_t n)
{
	uint64_t s = 0;
	for (size_t i = 0; i < n; i++)
		if (i % 3 != 0)
			s += i;
	return s;
}

/* ---- ours ----------------------------------------------------------- */

typedef struct fired {
	size_t n;
	uint64_t sum;
} fired;

static void on_fire(void *ud, gf__timer_id id, uint64_t cookie, gf_time at)
{
	fired *f = ud;
	(void)id;
	(void)at;
	f->n++;
	f->sum += cookie;
}

static result run_ours(size_t n, gf_time spread_ms, gf_time step_ms,
		       gf__timer_id *ids)
{
	const gf_time t0 = 1767225600000LL; /* 2026-01-01T00:00:00Z */
	result r;
	memset(&r, 0, sizeof(r));
	gf__timers *t;
	if (gf__timers_new(&t, t0) != GF_OK) {
		fputs("timers: gf__timers_new failed\n", stderr);
		exit(1);
	}
	uint64_t rng = 0x9E3779B97F4A7C15ull;
	const uint64_t spread = (uint64_t)spread_ms;

	double c0 = cpu_now();
	for (size_t i = 0; i < n; i++) {
		gf_time at = t0 + 1 + (gf_time)(rng_next(&rng) % spread);
		ids[i] = gf__timers_start(t, at, i);
	}
	double c1 = cpu_now();
	r.started = n;
	for (size_t i = 0; i < n; i++)
		if (!ids[i]) {
			fputs("timers: gf__timers_start failed\n", stderr);
			exit(1);
		}
	r.bytes_per_clock = (double)gf__timers_memory(t) /
			    (double)gf__timers_count(t);

	const size_t m = (n + 2) / 3;
	double c2 = cpu_now();
	for (size_t j = 0; j < m; j++)
		r.cancelled += (size_t)gf__timers_cancel(t, ids[cancel_order(j, m)]);
	double c3 = cpu_now();

	fired f = { 0, 0 };
	gf_time now = t0;
	double c4 = cpu_now();
	while (gf__timers_count(t)) {
		now += step_ms;
		gf__timers_advance(t, now, on_fire, &f);
	}
	double c5 = cpu_now();
	r.fired = f.n;
	r.cookie_sum = f.sum;
	r.start_s = c1 - c0;
	r.cancel_s = c3 - c2;
	r.expire_s = c5 - c4;
	gf__timers_free(t);
	return r;
}

/* ---- libuv ---------------------------------------------------------- */

static void uv_on_timer(uv_timer_t *h)
{
	fired *f = h->loop->data;
	f->n++;
	f->sum += (uint64_t)(uintptr_t)h->data;
}

static result run_libuv(size_t n, uv_timer_t *tm)
{
	result r;
	memset(&r, 0, sizeof(r));
	uv_loop_t loop;
	fired f = { 0, 0 };
	if (uv_loop_init(&loop) != 0) {
		fputs("timers: uv_loop_init failed\n", stderr);
		exit(1);
	}
	loop.data = &f;
	uint64_t rng = 0x9E3779B97F4A7C15ull;

	double c0 = cpu_now();
	for (size_t i = 0; i < n; i++) {
		uv_timer_init(&loop, &tm[i]);
		tm[i].data = (void *)(uintptr_t)i;
		uv_timer_start(&tm[i], uv_on_timer, rng_next(&rng) % 51, 0);
	}
	double c1 = cpu_now();
	r.started = n;

	const size_t m = (n + 2) / 3;
	for (size_t j = 0; j < m; j++) {
		uv_timer_t *h = &tm[cancel_order(j, m)];
		r.cancelled += uv_is_active((uv_handle_t *)h) &&
			       uv_timer_stop(h) == 0;
	}
	double c2 = cpu_now();

	uv_run(&loop, UV_RUN_DEFAULT);
	double c3 = cpu_now();
	r.fired = f.n;
	r.cookie_sum = f.sum;
	r.start_s = c1 - c0;
	r.cancel_s = c2 - c1;
	r.expire_s = c3 - c2;
	r.bytes_per_clock = (double)sizeof(uv_timer_t);

	/* not timed: close every handle so the loop can be closed */
	for (size_t i = 0; i < n; i++)
		uv_close((uv_handle_t *)&tm[i], NULL);
	uv_run(&loop, UV_RUN_DEFAULT);
	if (uv_loop_close(&loop) != 0)
		fputs("timers: uv_loop_close: handles left\n", stderr);
	return r;
}

/* ---- report ---------------------------------------------------------- */

static void keep_best(result *best, const result *r, int first)
{
	if (first || ops_per_s(r) > ops_per_s(best))
		*best = *r;
}

static void check(const char *who, const result *r, size_t n)
{
	size_t want_cancel = (n + 2) / 3;
	if (r->cancelled != want_cancel || r->fired != n - want_cancel ||
	    r->cookie_sum != expected_sum(n)) {
		fprintf(stderr,
			"timers: %s: %zu cancelled, %zu fired (want %zu, %zu) "
			"or the wrong ones fired\n",
			who, r->cancelled, r->fired, want_cancel,
			n - want_cancel);
		exit(1);
	}
}

static void print_line(const char *name, const result *r)
{
	printf("  %-34s %10.0f ops/s  (start %5.0f ns, cancel %5.0f ns, "
	       "expire %5.0f ns)  %5.1f B/clock\n",
	       name, ops_per_s(r), r->start_s / (double)r->started * 1e9,
	       r->cancel_s / (double)r->cancelled * 1e9,
	       r->expire_s / (double)r->fired * 1e9, r->bytes_per_clock);
}

int main(int argc, char **argv)
{
	size_t n = argc > 1 ? (size_t)strtoull(argv[1], NULL, 10) : 10000000;
	int rounds = argc > 2 ? atoi(argv[2]) : 1;
	if (n < 3 || n > GF__TIMERS_MAX || rounds < 1) {
		fprintf(stderr, "usage: timers [CLOCKS (3..%zu)] [ROUNDS]\n",
			(size_t)GF__TIMERS_MAX);
		return 2;
	}

	result ours = { 0 }, ours_short = { 0 }, uv = { 0 };
	long rss_ours = 0;
	for (int k = 0; k < rounds; k++) {
		gf__timer_id *ids = xmalloc(n * sizeof(*ids));
		result r = run_ours(n, 72 * HOUR_MS, 1000, ids);
		check("ours, 72 h", &r, n);
		keep_best(&ours, &r, k == 0);
		r = run_ours(n, 51, 1, ids);
		check("ours, 50 ms", &r, n);
		keep_best(&ours_short, &r, k == 0);
		free(ids);
		if (k == 0)
			rss_ours = peak_rss_kb();
		uv_timer_t *tm = xmalloc(n * sizeof(*tm));
		r = run_libuv(n, tm);
		check("libuv", &r, n);
		keep_best(&uv, &r, k == 0);
		free(tm);
	}
	long rss_end = peak_rss_kb();

	double ratio = ops_per_s(&uv) > 0 ? ops_per_s(&ours) / ops_per_s(&uv)
					  : 0;
	double ratio_short = ops_per_s(&uv) > 0
				     ? ops_per_s(&ours_short) / ops_per_s(&uv)
				     : 0;
	int speed_met = ratio >= 3.0;
	int mem_met = ours.bytes_per_clock <= 64.0;

	printf("timers: %zu clocks, a third cancelled, the rest expired; "
	       "best of %d; CPU time of the process (waiting not counted)\n",
	       n, rounds);
	print_line("ours, deadlines 0..72 h, 1 s steps", &ours);
	print_line("ours, deadlines 0..50 ms", &ours_short);
	print_line("libuv 1.x heap, timeouts 0..50 ms", &uv);
	printf("  (libuv: sizeof(uv_timer_t) = %zu B; its heap is intrusive, "
	       "nothing else per timer)\n",
	       sizeof(uv_timer_t));
	printf("  throughput: %.1fx libuv (target >= 3x: %s); same 50 ms "
	       "spread: %.1fx\n",
	       ratio, speed_met ? "met" : "MISSED", ratio_short);
	printf("  memory: %.1f B per running clock, libuv %zu B (target <= 64 "
	       "B: %s)\n",
	       ours.bytes_per_clock, sizeof(uv_timer_t),
	       mem_met ? "met" : "MISSED");
	printf("  peak RSS: %.0f MiB after our %zu-clock runs (with the %zu "
	       "MiB id array), %.0f MiB at the end (libuv's handles)\n",
	       (double)rss_ours / 1024.0, n,
	       n * sizeof(gf__timer_id) >> 20, (double)rss_end / 1024.0);
	printf("{\"bench\":\"timers\",\"clocks\":%zu,\"rounds\":%d,"
	       "\"ours_ops_per_s\":%.0f,\"ours_50ms_ops_per_s\":%.0f,"
	       "\"libuv_ops_per_s\":%.0f,\"ratio\":%.2f,\"ratio_50ms\":%.2f,"
	       "\"ours_ns\":{\"start\":%.1f,\"cancel\":%.1f,\"expire\":%.1f},"
	       "\"libuv_ns\":{\"start\":%.1f,\"cancel\":%.1f,\"expire\":%.1f},"
	       "\"ours_bytes_per_clock\":%.2f,\"libuv_bytes_per_clock\":%zu,"
	       "\"peak_rss_kb_ours\":%ld,\"peak_rss_kb_end\":%ld,"
	       "\"speed_target_met\":%s,\"memory_target_met\":%s}\n",
	       n, rounds, ops_per_s(&ours), ops_per_s(&ours_short),
	       ops_per_s(&uv), ratio, ratio_short,
	       ours.start_s / (double)ours.started * 1e9,
	       ours.cancel_s / (double)ours.cancelled * 1e9,
	       ours.expire_s / (double)ours.fired * 1e9,
	       uv.start_s / (double)uv.started * 1e9,
	       uv.cancel_s / (double)uv.cancelled * 1e9,
	       uv.expire_s / (double)uv.fired * 1e9, ours.bytes_per_clock,
	       sizeof(uv_timer_t), rss_ours, rss_end,
	       speed_met ? "true" : "false", mem_met ? "true" : "false");
	return 0;
}
