/*
 * takeover - two engines share one PostgreSQL database, each on its own
 * partition; one is killed, the other takes its partition over when the
 * lease lapses and finishes its stream, and nothing is lost.
 *
 *   takeover CONFIG FILE_A FILE_B CONNINFO
 *
 * Process 1 feeds FILE_A into partition tkA, process 2 FILE_B into tkB,
 * both with a 1500 ms lease and group commit, line by line with the keys
 * `gridflow replay` gives (so a line fed twice is applied once). The
 * parent SIGKILLs process 1 halfway through FILE_A. Process 2, done with
 * FILE_B, tries to open tkA: refused while the dead engine's lease is
 * live, accepted once it lapses; it then feeds the whole of FILE_A again.
 * Both partitions must then read, by query, exactly as partitions fed the
 * same files by one uninterrupted engine each (tkrefA, tkrefB). Last, a
 * stalled engine whose partition was taken over must be refused (fenced)
 * when it wakes up and writes.
 *
 * Public API only (and libpq for the queries):
 *   cc -Iinclude test/takeover.c build/libgridflow.a -ljson-c -lpq -lm
 * Prints "takeover: N passed, M failed"; exits 1 on any failure.
 */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif
#include "gridflow.h"

/* Debian keeps libpq-fe.h in a subdirectory that pkg-config names */
#if defined(__has_include)
#if __has_include(<libpq-fe.h>)
#include <libpq-fe.h>
#else
#include <postgresql/libpq-fe.h>
#endif
#else
#include <libpq-fe.h>
#endif

#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define LEASE_MS 1500
#define BATCH 20
#define FLUSH_EVERY 100

/* ---- small helpers -------------------------------------------------- */

static int64_t mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void nap_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
}

static void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p) {
		fputs("takeover: out of memory\n", stderr);
		exit(2);
	}
	return p;
}

/* A growing string. */
struct str {
	char *p;
	size_t len, cap;
};

static void str_add(struct str *s, const char *p, size_t n)
{
	if (s->len + n + 1 > s->cap) {
		size_t cap = s->cap ? s->cap : 4096;
		while (cap < s->len + n + 1)
			cap *= 2;
		char *np = realloc(s->p, cap);
		if (!np) {
			fputs("takeover: out of memory\n", stderr);
			exit(2);
		}
		s->p = np;
		s->cap = cap;
	}
	memcpy(s->p + s->len, p, n);
	s->len += n;
	s->p[s->len] = '\0';
}

static void str_cat(struct str *s, const char *p)
{
	str_add(s, p, strlen(p));
}

/* Checks: each child writes 'p' or 'f' per check to a pipe the parent
 * counts; the parent counts its own directly. */
struct tally {
	int pass, fail;
	int fd;                 /* a child's end of the pipe, or -1 */
};

static void check(struct tally *t, int ok, const char *fmt, ...)
{
	char msg[600];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (ok)
		t->pass++;
	else {
		t->fail++;
		fprintf(stderr, "takeover: FAIL: %s\n", msg);
	}
	if (t->fd >= 0) {
		char c = ok ? 'p' : 'f';
		if (write(t->fd, &c, 1) != 1)
			fputs("takeover: lost a check's result\n", stderr);
	}
}

/* ---- input: lines and their keys ------------------------------------ */

/*
 * The keys `gridflow replay` gives (examples/gridflow.c): "L<fnv1a of
 * the line>#<n>", n counting identical lines so far from 1; blank lines
 * are skipped, a line ends before its "\n" or "\r\n".
 */
struct input {
	char **line;
	size_t *len;
	char (*key)[48];
	size_t n;
};

static uint64_t fnv1a(const char *p, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ULL;
	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)p[i]) * 0x100000001b3ULL;
	return h ? h : 1;
}

static int read_input(struct input *in, const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		fprintf(stderr, "takeover: %s: %s\n", path, strerror(errno));
		return -1;
	}
	size_t cap = 1024;
	in->line = xmalloc(cap * sizeof *in->line);
	in->len = xmalloc(cap * sizeof *in->len);
	in->n = 0;
	char *buf = NULL;
	size_t bcap = 0;
	ssize_t got;
	while ((got = getline(&buf, &bcap, f)) > 0) {
		size_t n = (size_t)got;
		while (n && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
			n--;
		if (!n)
			continue;
		if (in->n == cap) {
			cap *= 2;
			char **nl = realloc(in->line, cap * sizeof *nl);
			size_t *nn = realloc(in->len, cap * sizeof *nn);
			if (!nl || !nn) {
				fputs("takeover: out of memory\n", stderr);
				exit(2);
			}
			in->line = nl;
			in->len = nn;
		}
		in->line[in->n] = xmalloc(n + 1);
		memcpy(in->line[in->n], buf, n);
		in->line[in->n][n] = '\0';
		in->len[in->n] = n;
		in->n++;
	}
	free(buf);
	fclose(f);

	/* counts of identical lines, by hash, in an open-addressed table */
	size_t tcap = 16;
	while (tcap < 2 * in->n)
		tcap *= 2;
	uint64_t *th = calloc(tcap, sizeof *th);
	unsigned *tc = calloc(tcap, sizeof *tc);
	in->key = xmalloc((in->n ? in->n : 1) * sizeof *in->key);
	if (!th || !tc) {
		fputs("takeover: out of memory\n", stderr);
		exit(2);
	}
	for (size_t i = 0; i < in->n; i++) {
		uint64_t h = fnv1a(in->line[i], in->len[i]);
		size_t j = (size_t)h & (tcap - 1);
		while (th[j] && th[j] != h)
			j = (j + 1) & (tcap - 1);
		th[j] = h;
		snprintf(in->key[i], sizeof in->key[i], "L%016llx#%u",
			 (unsigned long long)h, ++tc[j]);
	}
	free(th);
	free(tc);
	return 0;
}

static void free_input(struct input *in)
{
	for (size_t i = 0; i < in->n; i++)
		free(in->line[i]);
	free(in->line);
	free(in->len);
	free(in->key);
}

/* ---- engines -------------------------------------------------------- */

struct env {
	gf_config *cfg;
	char spec[1024];        /* "pg:" CONNINFO */
	const char *conninfo;
	const char *reporter_key;
};

static int open_engine(gf_engine **eng, const struct env *e,
		       const char *part, unsigned lease_ms, unsigned batch,
		       char *err, size_t errlen)
{
	gf_options o = GF_OPTIONS_INIT;
	o.config = e->cfg;
	o.store = e->spec;
	o.clock = GF_CLOCK_EVENT;
	o.partition = part;
	o.lease_ms = lease_ms;
	o.batch_max = batch;
	o.reporter_key = (const unsigned char *)e->reporter_key;
	o.reporter_key_len = strlen(e->reporter_key);
	return gf_engine_open(eng, &o, err, errlen);
}

/*
 * Feed every line, flushing every FLUSH_EVERY lines and at the end. After
 * line `mark` (if not SIZE_MAX) one byte goes to fd `mark_fd`. 0, or -1
 * with the reason printed.
 */
static int feed(gf_engine *eng, const struct input *in, const char *who,
		size_t mark, int mark_fd)
{
	for (size_t i = 0; i < in->n; i++) {
		const gf_result *r = NULL;
		int rc = gf_engine_submit_json_keyed(eng, in->line[i],
						     in->len[i], in->key[i],
						     &r);
		if (!r) {
			fprintf(stderr, "takeover: %s, line %zu: %s (%s)\n",
				who, i + 1, gf_engine_errmsg(eng),
				gf_errname(rc));
			return -1;
		}
		if ((i + 1) % FLUSH_EVERY == 0 &&
		    (rc = gf_engine_flush(eng)) != GF_OK) {
			fprintf(stderr, "takeover: %s, flush at line %zu: "
				"%s (%s)\n", who, i + 1,
				gf_engine_errmsg(eng), gf_errname(rc));
			return -1;
		}
		if (i == mark) {
			char c = 'h';
			if (write(mark_fd, &c, 1) != 1)
				return -1;
		}
	}
	int rc = gf_engine_flush(eng);
	if (rc != GF_OK) {
		fprintf(stderr, "takeover: %s, last flush: %s (%s)\n", who,
			gf_engine_errmsg(eng), gf_errname(rc));
		return -1;
	}
	return 0;
}

/* ---- queries -------------------------------------------------------- */

/*
 * The state of a partition as hosts read it, partition column and
 * wall-clock columns left out: the same queries as test/crash_pg.sh's
 * state(), in the same order.
 */
static const char *const state_sql[] = {
	"SELECT order_id, state, lead, level, region, category, urgency, "
	"priority, scale, rule, sla, rules_version, report_count, "
	"caller_count, merged_into, suspected_of, created_at, updated_at, "
	"due_at FROM gf_order WHERE part = $1 ORDER BY order_id",
	"SELECT count(*), count(DISTINCT order_id) FROM gf_order "
	"WHERE part = $1",
	"SELECT channel, source_id, order_id, n, received_at, region, "
	"category, md5(concat_ws('|', title, content, address, grid, lat, "
	"lon, reporter, event)) FROM gf_report WHERE part = $1 "
	"ORDER BY channel, source_id",
	"SELECT order_id, count(*) FROM gf_audit WHERE part = $1 "
	"GROUP BY order_id ORDER BY order_id",
	"SELECT order_id, n, at, what, actor_dept, actor_role, from_state, "
	"to_state, reason, lead FROM gf_audit WHERE part = $1 "
	"ORDER BY order_id, n",
	"SELECT order_id, name, state, started, due, warning, stopped, "
	"paused_ms, extensions, runs, steps_fired FROM gf_clock "
	"WHERE part = $1 ORDER BY order_id, name",
	"SELECT id, at, code, field, message, ref, md5(raw), "
	"encode(digest, 'hex'), open, closed_reason, closed_at "
	"FROM gf_quarantine WHERE part = $1 ORDER BY id",
	"SELECT id, at, kind, order_id, dept, message, clock, step, due "
	"FROM gf_outbox WHERE part = $1 ORDER BY id",
	"SELECT type, count(*) FROM gf_record WHERE part = $1 "
	"GROUP BY type ORDER BY type",
};

/* Rows of one query, fields joined by '|', NULL as the empty string (as
 * psql -A prints them). -1 on a failed query. */
static int query_rows(PGconn *c, const char *sql, const char *part,
		      struct str *out)
{
	const char *p[1] = { part };
	PGresult *r = PQexecParams(c, sql, 1, NULL, p, NULL, NULL, 0);
	if (PQresultStatus(r) != PGRES_TUPLES_OK) {
		fprintf(stderr, "takeover: query failed: %s",
			PQresultErrorMessage(r));
		PQclear(r);
		return -1;
	}
	for (int i = 0; i < PQntuples(r); i++) {
		for (int j = 0; j < PQnfields(r); j++) {
			if (j)
				str_cat(out, "|");
			str_cat(out, PQgetvalue(r, i, j));
		}
		str_cat(out, "\n");
	}
	PQclear(r);
	return 0;
}

static int state_of(PGconn *c, const char *part, struct str *out)
{
	for (size_t i = 0; i < sizeof state_sql / sizeof *state_sql; i++) {
		char head[32];
		snprintf(head, sizeof head, "== %zu\n", i);
		str_cat(out, head);
		if (query_rows(c, state_sql[i], part, out))
			return -1;
	}
	return 0;
}

/* One number, or -1. */
static long long query_num(PGconn *c, const char *sql, const char *part)
{
	const char *p[1] = { part };
	PGresult *r = PQexecParams(c, sql, 1, NULL, p, NULL, NULL, 0);
	long long v = -1;
	if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1 &&
	    !PQgetisnull(r, 0, 0))
		v = atoll(PQgetvalue(r, 0, 0));
	else if (PQresultStatus(r) != PGRES_TUPLES_OK)
		fprintf(stderr, "takeover: query failed: %s",
			PQresultErrorMessage(r));
	PQclear(r);
	return v;
}

static PGconn *connect_db(const char *conninfo)
{
	PGconn *c = PQconnectdb(conninfo);
	if (PQstatus(c) != CONNECTION_OK) {
		fprintf(stderr, "takeover: cannot connect: %s",
			PQerrorMessage(c));
		PQfinish(c);
		return NULL;
	}
	return c;
}

/* Compare two partitions' states; on a difference show the first line
 * that differs. */
static void compare(struct tally *t, PGconn *c, const char *part,
		    const char *ref)
{
	struct str a = { NULL, 0, 0 }, b = { NULL, 0, 0 };
	if (state_of(c, part, &a) || state_of(c, ref, &b)) {
		check(t, 0, "reading partitions %s and %s", part, ref);
	} else if (strcmp(a.p, b.p) == 0) {
		check(t, 1, "");
	} else {
		size_t i = 0, line = 1, start = 0;
		while (a.p[i] && a.p[i] == b.p[i]) {
			if (a.p[i] == '\n') {
				line++;
				start = i + 1;
			}
			i++;
		}
		int la = (int)strcspn(a.p + start, "\n");
		int lb = (int)strcspn(b.p + start, "\n");
		check(t, 0, "partition %s differs from %s at line %zu:\n"
			    "  %s: %.*s\n  %s: %.*s", part, ref, line, part,
		      la, a.p + start, ref, lb, b.p + start);
	}
	free(a.p);
	free(b.p);
}

/* ---- the two engine processes ---------------------------------------- */

/* Process 1: FILE_A into tkA until killed. Having fed it all (a fast
 * machine), it keeps the engine open, and the lease, until the kill. */
static int proc1(const struct env *e, const struct input *a, int half_fd)
{
	gf_engine *eng;
	char err[512] = "";
	int rc = open_engine(&eng, e, "tkA", LEASE_MS, BATCH, err,
			     sizeof err);
	if (rc) {
		fprintf(stderr, "takeover: process 1: open: %s (%s)\n", err,
			gf_errname(rc));
		return 1;
	}
	if (feed(eng, a, "process 1", a->n / 2, half_fd))
		return 1;
	for (;;)
		pause();
}

/* Process 2: FILE_B into tkB, then partition tkA taken over once its
 * lease lapses, and FILE_A fed again from its first line. */
static int proc2(const struct env *e, const struct input *a,
		 const struct input *b, int go_fd, struct tally *t)
{
	gf_engine *eb, *ea = NULL;
	char err[512] = "";
	int rc = open_engine(&eb, e, "tkB", LEASE_MS, BATCH, err, sizeof err);
	check(t, rc == GF_OK, "process 2: open tkB: %s (%s)", err,
	      gf_errname(rc));
	if (rc)
		return 1;
	check(t, feed(eb, b, "process 2 (B)", SIZE_MAX, -1) == 0,
	      "process 2 could not feed FILE_B");

	/* when the parent killed process 1 (monotonic ms, system-wide) */
	long long killed_at = 0;
	if (read(go_fd, &killed_at, sizeof killed_at) !=
	    (ssize_t)sizeof killed_at) {
		check(t, 0, "process 2: no word from the parent");
		return 1;
	}
	PGconn *c = connect_db(e->conninfo);
	if (!c) {
		check(t, 0, "process 2: cannot query the lease");
		return 1;
	}
	int tries = 0, refused = 0, refused_ok = 1, first = 1;
	int64_t deadline = killed_at + LEASE_MS + 5000, took_at = 0;
	int64_t lapse = 0;      /* when the lease lapses, as first seen */
	char why[512] = "";
	for (;;) {
		/* how long the dead engine's lease still runs, by the
		 * database's clock, which decides */
		long long left = query_num(
			c,
			"SELECT coalesce(ceil(extract(epoch FROM lease_until - "
			"clock_timestamp()) * 1000), -1)::bigint "
			"FROM gf_partition WHERE part = $1 AND owner IS NOT NULL",
			"tkA");
		int64_t asked = mono_ms();
		rc = open_engine(&ea, e, "tkA", LEASE_MS, BATCH, err,
				 sizeof err);
		tries++;
		if (first) {
			if (left > 0)
				lapse = asked + left;
			/* refused at first: the lease has most of its time */
			if (left > 100)
				check(t, rc == GF_EBUSY,
				      "process 2: opening tkA with %lld ms of "
				      "lease left gave %s, not EBUSY",
				      left, gf_errname(rc));
			else
				fprintf(stderr, "takeover: note: FILE_B took "
					"longer than the lease; the refusal "
					"was not tested\n");
			first = 0;
		}
		if (rc == GF_OK) {
			took_at = mono_ms();
			break;
		}
		if (rc != GF_EBUSY) {
			check(t, 0, "process 2: opening tkA: %s (%s)", err,
			      gf_errname(rc));
			break;
		}
		refused++;
		if (!strstr(err, "is held by engine")) {
			refused_ok = 0;
			snprintf(why, sizeof why, "%s", err);
		}
		if (mono_ms() > deadline)
			break;
		/* keep its own partition's lease while it waits */
		if ((rc = gf_engine_flush(eb)) != GF_OK) {
			check(t, 0, "process 2: renewing tkB: %s (%s)",
			      gf_engine_errmsg(eb), gf_errname(rc));
			break;
		}
		nap_ms(50);
	}
	PQfinish(c);
	check(t, refused_ok, "process 2: a refusal said: %s", why);
	if (!took_at) {
		check(t, 0, "process 2: tkA not taken over %d ms after the "
			    "kill (%d tries)", LEASE_MS + 5000, tries);
		gf_engine_close(eb);
		return 1;
	}
	long long after = (long long)(took_at - killed_at);
	/* not before the lease lapses (by the database's clock, read just
	 * before the first try; 100 ms for the rounding and the query),
	 * and soon after: the dead engine renewed it at most one lease
	 * before the kill */
	long long late = lapse ? (long long)(took_at - lapse) : 0;
	check(t, !lapse || late >= -100,
	      "process 2 took tkA over %lld ms before its lease lapsed",
	      -late);
	check(t, after <= LEASE_MS + 2000 && late <= 2000,
	      "process 2 took tkA over only %lld ms after the kill, %lld ms "
	      "after the lease lapsed (lease %d ms)", after, late, LEASE_MS);
	printf("takeover: partition tkA taken over %lld ms after the kill, "
	       "%lld ms after its lease lapsed (lease %d ms); %d refusals "
	       "before\n", after, late, LEASE_MS, refused);
	fflush(stdout);
	check(t, feed(ea, a, "process 2 (A)", SIZE_MAX, -1) == 0,
	      "process 2 could not feed FILE_A again");
	rc = gf_engine_close(ea);
	check(t, rc == GF_OK, "process 2: closing tkA: %s", gf_errname(rc));
	rc = gf_engine_close(eb);
	check(t, rc == GF_OK, "process 2: closing tkB: %s", gf_errname(rc));
	return 0;
}

/* ---- the parent's checks -------------------------------------------- */

static int reference(const struct env *e, const char *part,
		     const struct input *in)
{
	gf_engine *eng;
	char err[512] = "";
	int rc = open_engine(&eng, e, part, 0, 0, err, sizeof err);
	if (rc) {
		fprintf(stderr, "takeover: %s: open: %s (%s)\n", part, err,
			gf_errname(rc));
		return -1;
	}
	int bad = feed(eng, in, part, SIZE_MAX, -1);
	if (gf_engine_close(eng) != GF_OK)
		bad = -1;
	return bad;
}

/*
 * A stalled engine (X) whose lease lapsed and whose partition another
 * engine (Y) took over must not write again: its next commit is fenced
 * (GF_EBUSY), nothing of it reaches the database, and its close leaves
 * Y's lease alone.
 */
static void fence(const struct env *e, PGconn *c, struct tally *t)
{
	static const char ev[] =
		"{\"channel\":\"12345\",\"source_id\":\"FENCE%d\","
		"\"received_at\":\"2026-11-23T09:%02d:00+08:00\","
		"\"region\":\"320506001012\","
		"\"category\":\"city.environment.garbage\"}";
	char line[400], err[512] = "";
	gf_engine *x, *y;
	const gf_result *r;
	int rc;

	if ((rc = open_engine(&x, e, "tkfence", 1000, 0, err, sizeof err))) {
		check(t, 0, "fence: open X: %s (%s)", err, gf_errname(rc));
		return;
	}
	snprintf(line, sizeof line, ev, 1, 1);
	rc = gf_engine_submit_json_keyed(x, line, strlen(line), NULL, &r);
	check(t, rc == GF_OK, "fence: X's first event: %s", gf_errname(rc));
	nap_ms(1300);           /* X stalls past its lease */
	rc = open_engine(&y, e, "tkfence", 30000, 0, err, sizeof err);
	check(t, rc == GF_OK, "fence: Y could not take the lapsed partition "
			      "over: %s (%s)", err, gf_errname(rc));
	if (rc) {
		gf_engine_close(x);
		return;
	}
	snprintf(line, sizeof line, ev, 2, 2);
	rc = gf_engine_submit_json_keyed(y, line, strlen(line), NULL, &r);
	check(t, rc == GF_OK, "fence: Y's event: %s", gf_errname(rc));
	snprintf(line, sizeof line, ev, 3, 3);
	r = NULL;
	rc = gf_engine_submit_json_keyed(x, line, strlen(line), NULL, &r);
	check(t, rc == GF_EBUSY && r == NULL,
	      "fence: the stalled engine's write gave %s, not EBUSY",
	      gf_errname(rc));
	rc = gf_engine_close(x);
	long long n3 = query_num(c,
				 "SELECT count(*) FROM gf_report WHERE part = "
				 "$1 AND source_id = 'FENCE3'",
				 "tkfence");
	check(t, n3 == 0, "fence: the stalled engine's event was stored");
	long long held = query_num(c,
				   "SELECT count(*) FROM gf_partition WHERE "
				   "part = $1 AND owner IS NOT NULL AND "
				   "lease_until > clock_timestamp()",
				   "tkfence");
	check(t, held == 1, "fence: closing the stalled engine released "
			    "its successor's lease");
	snprintf(line, sizeof line, ev, 4, 4);
	rc = gf_engine_submit_json_keyed(y, line, strlen(line), NULL, &r);
	check(t, rc == GF_OK, "fence: Y after X closed: %s", gf_errname(rc));
	rc = gf_engine_close(y);
	check(t, rc == GF_OK, "fence: closing Y: %s", gf_errname(rc));
	long long n = query_num(c,
				"SELECT count(*) FROM gf_report WHERE part = "
				"$1",
				"tkfence");
	check(t, n == 3, "fence: %lld reports stored, expected 3 (FENCE1, "
			 "2, 4)", n);
}

int main(int argc, char **argv)
{
	if (argc != 5) {
		fputs("usage: takeover CONFIG FILE_A FILE_B CONNINFO\n",
		      stderr);
		return 2;
	}
	struct env e;
	struct tally t = { 0, 0, -1 };
	e.conninfo = argv[4];
	snprintf(e.spec, sizeof e.spec, "pg:%s", argv[4]);
	e.reporter_key = getenv("GRIDFLOW_REPORTER_KEY");
	if (!e.reporter_key || !*e.reporter_key)
		e.reporter_key = "takeover-test-key";

	char msg[512];
	int rc = gf_store_migrate(e.spec, NULL, msg, sizeof msg);
	if (rc) {
		fprintf(stderr, "takeover: migrate: %s\n", msg);
		return 2;
	}
	PGconn *c = connect_db(e.conninfo);
	if (!c)
		return 2;
	static const char *const tables[] = {
		"gf_record", "gf_order", "gf_report", "gf_audit", "gf_clock",
		"gf_quarantine", "gf_outbox", "gf_partition",
	};
	for (size_t i = 0; i < sizeof tables / sizeof *tables; i++) {
		char sql[200];
		snprintf(sql, sizeof sql,
			 "DELETE FROM %s WHERE part IN ('tkA', 'tkB', "
			 "'tkrefA', 'tkrefB', 'tkfence')", tables[i]);
		PGresult *r = PQexec(c, sql);
		if (PQresultStatus(r) != PGRES_COMMAND_OK) {
			fprintf(stderr, "takeover: %s", PQresultErrorMessage(r));
			return 2;
		}
		PQclear(r);
	}
	/* no connection may cross the fork */
	PQfinish(c);

	if (gf_config_new(&e.cfg) || gf_config_load_dir(e.cfg, argv[1]) ||
	    gf_config_compile(e.cfg)) {
		fprintf(stderr, "takeover: the configuration %s has problems\n",
			argv[1]);
		return 2;
	}
	struct input a, b;
	if (read_input(&a, argv[2]) || read_input(&b, argv[3]))
		return 2;
	if (a.n < 10 || b.n < 10) {
		fputs("takeover: FILE_A and FILE_B need some lines\n", stderr);
		return 2;
	}

	int half[2], go[2], res[2];
	if (pipe(half) || pipe(go) || pipe(res)) {
		perror("takeover: pipe");
		return 2;
	}
	fflush(NULL);
	int64_t t0 = mono_ms();
	pid_t p1 = fork();
	if (p1 == 0) {
		close(half[0]);
		close(go[0]);
		close(go[1]);
		close(res[0]);
		close(res[1]);
		_exit(proc1(&e, &a, half[1]));
	}
	pid_t p2 = p1 > 0 ? fork() : -1;
	if (p2 == 0) {
		close(half[0]);
		close(half[1]);
		close(go[1]);
		close(res[0]);
		struct tally ct = { 0, 0, res[1] };
		_exit(proc2(&e, &a, &b, go[0], &ct));
	}
	if (p1 < 0 || p2 < 0) {
		perror("takeover: fork");
		if (p1 > 0)
			kill(p1, SIGKILL);
		return 2;
	}
	close(half[1]);
	close(go[0]);
	close(res[1]);

	/* halfway through FILE_A: kill process 1 */
	char h;
	ssize_t got = read(half[0], &h, 1);
	check(&t, got == 1, "process 1 died before halfway");
	kill(p1, SIGKILL);
	long long killed_at = (long long)mono_ms();
	int st;
	waitpid(p1, &st, 0);
	check(&t, WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL,
	      "process 1 ended otherwise than by the kill (status %d)", st);
	if (write(go[1], &killed_at, sizeof killed_at) !=
	    (ssize_t)sizeof killed_at)
		check(&t, 0, "could not tell process 2 of the kill");
	close(go[1]);
	waitpid(p2, &st, 0);
	check(&t, WIFEXITED(st) && WEXITSTATUS(st) == 0,
	      "process 2 failed (status %d)", st);
	char cres;
	int n2 = 0;
	while (read(res[0], &cres, 1) == 1) {
		n2++;
		if (cres == 'p')
			t.pass++;
		else
			t.fail++;
	}
	close(res[0]);
	close(half[0]);
	check(&t, n2 >= 7, "process 2 reported %d checks, fewer than "
			   "expected", n2);
	int64_t t1 = mono_ms();

	/* the references: one uninterrupted engine per file */
	check(&t, reference(&e, "tkrefA", &a) == 0, "the reference run of A");
	check(&t, reference(&e, "tkrefB", &b) == 0, "the reference run of B");

	c = connect_db(e.conninfo);
	if (!c)
		return 2;
	compare(&t, c, "tkA", "tkrefA");
	compare(&t, c, "tkB", "tkrefB");
	long long oa = query_num(c, "SELECT count(*) FROM gf_order "
				    "WHERE part = $1", "tkA");
	long long ob = query_num(c, "SELECT count(*) FROM gf_order "
				    "WHERE part = $1", "tkB");
	check(&t, oa > 0 && ob > 0, "no orders in tkA (%lld) or tkB (%lld)",
	      oa, ob);
	/* acquired twice (process 1, process 2), released by the close */
	long long tok = query_num(c,
				  "SELECT token FROM gf_partition WHERE part = "
				  "$1 AND owner IS NULL",
				  "tkA");
	check(&t, tok == 2, "partition tkA: token %lld (expected 2, owner "
			    "released)", tok);

	fence(&e, c, &t);
	PQfinish(c);

	printf("takeover: %zu + %zu lines, %lld + %lld orders; engines and "
	       "takeover in %lld ms, %lld ms in all\n",
	       a.n, b.n, oa, ob, (long long)(t1 - t0),
	       (long long)(mono_ms() - t0));
	printf("takeover: %d passed, %d failed\n", t.pass, t.fail);
	free_input(&a);
	free_input(&b);
	gf_config_free(e.cfg);
	return t.fail ? 1 : 0;
}
