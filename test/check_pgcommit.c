/*
 * check_pgcommit.c - what the PostgreSQL store's commits carry to the
 * database and the host, read back with libpq:
 *
 *   outbox, notices_without_records
 *                              the outbox, gf_outbox_take, LISTEN/NOTIFY
 *   reconnect_after_restart, restart_mid_commit, unreachable
 *                              a server restart between and during
 *                              commits, and one that stays down
 *   a_silent_server_is_left, a_silent_server_past_retry_is_an_error
 *                              a server process, then the whole server,
 *                              that stops answering
 *   group_commit               batch_max changes in one transaction
 *   batch_delay_is_a_deadline  a waiting batch is a wall-clock deadline
 *
 * Each test works in its own partition of the server GF_TEST_PG names;
 * the reconnection tests stop and start the whole server, in the
 * directory GF_TEST_PGDIR names. Without them every test fails and says
 * so.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <sys/stat.h>

#include "storeutil.h"

#define EV(ch, sid, hhmm, region, cat)                                    \
	EVENT_LIT("2026-11-23", ch, sid, hhmm, region, cat, "小区门口垃圾堆积")
#define ACT(op, ref, actor, rest, hhmm)                                   \
	ACTION_LIT("2026-11-23", op, ref, actor, rest, hhmm)

/* Creations, dispatches, merges, a quarantined event, a closed loop, a
 * failed verification, a cancellation and a split; every line but the
 * wechat one applies (memory_run() checks). */
static const char *const stream[] = {
	EV("12345", "S1", "09:00", "320506001001", "city.environment.garbage"),
	EV("12345", "S2", "09:01", "320506001002", "city.environment.garbage"),
	EV("110", "S3", "09:02", "320506001001", "police.fight"),
	ACT("dispatch", "12345:S1", "sz-zhzx", "\"dept\":\"t-cq-cg\",", "09:05"),
	ACT("sign", "12345:S1", "t-cq-cg", "", "09:06"),
	EV("grid", "S4", "09:10", "320506103001", "city.environment.garbage"),
	ACT("handle", "12345:S1", "t-cq-cg", "\"reason\":\"已到场\",", "09:11"),
	EV("12345", "S5", "09:12", "320508001001", "city"),
	ACT("merge", "110:S3", "sz-zhzx", "\"into\":\"12345:S2\",", "09:13"),
	"{\"channel\":\"wechat\",\"source_id\":\"S6\"}",
	EV("12345", "S8", "09:13", "320506001002", "city.environment.garbage"),
	ACT("merge", "12345:S8", "sz-zhzx", "\"into\":\"12345:S2\",", "09:14"),
	ACT("dispatch", "grid:S4", "sz-zhzx", "\"dept\":\"t-md-cg\",", "09:14"),
	ACT("sign", "grid:S4", "t-md-cg", "", "09:15"),
	ACT("handle", "grid:S4", "t-md-cg", "\"reason\":\"已派人清理\",", "09:16"),
	ACT("resolve", "grid:S4", "t-md-cg", "\"reason\":\"已清理完毕\",", "09:40"),
	EV("mediation", "S7", "09:41", "320506001001", "dispute.07.wage_arrears"),
	ACT("cancel", "12345:S5", "sz-zhzx", "\"reason\":\"无效来电\",", "09:42"),
	/* the middle report of S2's order [S2, S3, S8] leaves it */
	ACT("split", "110:S3", "sz-zhzx", "", "09:43"),
	ACT("resolve", "12345:S1", "t-cq-cg", "\"reason\":\"已清运\",", "09:44"),
	EV("12345", "S9", "09:45", "320506103001", "city.environment.garbage"),
	ACT("reject_verification", "grid:S4", "sz-zhzx",
	    "\"reason\":\"现场仍有垃圾\",", "09:46"),
	ACT("verify", "12345:S1", "sz-zhzx", "", "09:47"),
	ACT("callback", "12345:S1", "sz-zhzx", "\"satisfaction\":\"satisfied\",",
	    "09:48"),
};
#define NSTREAM (sizeof(stream) / sizeof(stream[0]))

/* Feed lines [from, to) keyed by position, so a line fed twice is
 * applied once; the codes go to rcs (may be NULL). */
static void feed(gf_engine *eng, size_t from, size_t to, int *rcs)
{
	for (size_t i = from; i < to; i++) {
		char k[32];
		const gf_result *r;
		snprintf(k, sizeof(k), "line-%zu", i);
		int rc = gf_engine_submit_json_keyed(eng, stream[i],
						     strlen(stream[i]), k, &r);
		if (rcs)
			rcs[i] = rc;
	}
}

/* ---- 1. the outbox --------------------------------------------------- */

/* Ids a take returned, as "," joined; count in *n. */
static void take(PGconn *c, const char *part, const char *consumer,
		 const char *limit, char *out, size_t size, int *n)
{
	const char *p[3] = { part, consumer, limit };
	PGresult *r = q(c, "SELECT id FROM gf_outbox_take($1, $2, "
			   "$3::integer) ORDER BY id",
			3, p);
	size_t len = 0;
	out[0] = '\0';
	*n = PQntuples(r);
	for (int i = 0; i < *n; i++)
		len += (size_t)snprintf(out + len, size - len, ",%s,",
					PQgetvalue(r, i, 0));
	PQclear(r);
}

/* Wait up to ms for a NOTIFY on c; 1 with the payload in out. */
static int wait_notify(PGconn *c, int ms, char *out, size_t size)
{
	int64_t end = mono_ms() + ms;
	for (;;) {
		ck_assert_int_eq(PQconsumeInput(c), 1);
		PGnotify *n = PQnotifies(c);
		if (n) {
			ck_assert_str_eq(n->relname, "gf_outbox");
			snprintf(out, size, "%s", n->extra);
			PQfreemem(n);
			return 1;
		}
		int64_t left = end - mono_ms();
		if (left <= 0)
			return 0;
		struct pollfd pfd = { PQsocket(c), POLLIN, 0 };
		ck_assert_int_ge(poll(&pfd, 1, (int)left), 0);
	}
}

/* A NOTIFY for part comes within ms (part NULL: for any); then drain
 * those that follow within settle ms of each other. */
static void notified(PGconn *l, const char *part, int ms, int settle)
{
	char payload[64];
	ck_assert_int_eq(wait_notify(l, ms, payload, sizeof(payload)), 1);
	if (part)
		ck_assert_str_eq(payload, part);
	while (wait_notify(l, settle, payload, sizeof(payload)))
		;
}

START_TEST(outbox)
{
	char part[PART_SIZE];
	static heard h;
	gf_config *cfg = fx_config();
	gf_options o = pg_part(part, "outbox", cfg, &h);
	gf_engine *eng = open_ok(&o);
	gf_config_free(cfg);
	PGconn *l = db();
	q_do(l, "LISTEN gf_outbox", 0, NULL);

	feed(eng, 0, NSTREAM, NULL);
	ck_assert_uint_ge(h.n, 8);
	ck_assert_uint_lt(h.n, 64);

	/* every notice the host heard is in the outbox, in order */
	PGconn *c = db();
	outbox_is_heard(c, part, &h);
	ck_assert_int_eq(part_count(c, "DISTINCT id", "gf_outbox", part, NULL),
			 (long long)h.n);

	/* the commits that wrote outbox rows were announced */
	notified(l, part, 2000, 100);
	size_t before = h.n;
	ck_assert_int_eq(ingest_sid(eng, "N1", 59), GF_OK);
	ck_assert_uint_gt(h.n, before);
	notified(l, part, 3000, 50);
	before = h.n;
	ck_assert_int_eq(fx_act(eng, "{\"op\":\"dispatch\",\"ref\":\"12345:N1\","
				     "\"actor\":\"sz-zhzx\",\"dept\":\"t-cq-cg\"}"),
			 GF_OK);
	ck_assert_uint_eq(h.n, before + 1);
	notified(l, NULL, 3000, 50);
	/* commits without outbox rows say nothing */
	before = h.n;
	ck_assert_int_eq(fx_act(eng, "{\"op\":\"sign\",\"ref\":\"12345:N1\","
				     "\"actor\":\"t-cq-cg\"}"),
			 GF_OK);
	ck_assert_int_eq(fx_act(eng, "{\"op\":\"handle\",\"ref\":\"12345:N1\","
				     "\"actor\":\"t-cq-cg\",\"reason\":\"x\"}"),
			 GF_OK);
	ck_assert_uint_eq(h.n, before);
	char payload[64];
	ck_assert_int_eq(wait_notify(l, 300, payload, sizeof(payload)), 0);
	long long total = rows(c, "gf_outbox", part, NULL);
	ck_assert_int_eq(total, (long long)h.n);

	/* two consumers at once never get the same row: c1 holds three
	 * uncommitted, c2 takes what is left */
	PGconn *c1 = db(), *c2 = db(), *c3 = db();
	char ids1[2048], ids2[2048], ids3[2048], ids4[64];
	int n1, n2, n3, n4;
	q_do(c1, "BEGIN", 0, NULL);
	take(c1, part, "consumer-1", "3", ids1, sizeof(ids1), &n1);
	ck_assert_int_eq(n1, 3);
	/* c2 must never wait for c1's rows */
	q_do(c2, "SET lock_timeout = '2s'", 0, NULL);
	q_do(c2, "BEGIN", 0, NULL);
	take(c2, part, "consumer-2", "1000", ids2, sizeof(ids2), &n2);
	ck_assert_int_eq(n2, (int)total - 3);
	for (char *t = strtok(ids1, ","); t; t = strtok(NULL, ",")) {
		char needle[32];
		snprintf(needle, sizeof(needle), ",%s,", t);
		ck_assert_msg(strstr(ids2, needle) == NULL,
			      "row %s taken twice", t);
	}
	q_do(c2, "COMMIT", 0, NULL);
	/* c1 fails: its rows go back for the next take */
	q_do(c1, "ROLLBACK", 0, NULL);
	take(c3, part, "consumer-3", "1000", ids3, sizeof(ids3), &n3);
	ck_assert_int_eq(n3, 3);
	take(c1, part, "consumer-1", "3", ids1, sizeof(ids1), &n1);
	ck_assert_int_eq(n1, 0);
	/* every row consumed once, by the consumer that committed */
	ck_assert_int_eq(rows(c, "gf_outbox", part, "consumed_at IS NULL"), 0);
	ck_assert_int_eq(rows(c, "gf_outbox", part,
			      "consumed_by = 'consumer-1'"),
			 0);
	ck_assert_int_eq(rows(c, "gf_outbox", part,
			      "consumed_by = 'consumer-3'"),
			 3);
	/* new notices are taken by the next take, and only them */
	before = h.n;
	ck_assert_int_eq(ingest_sid(eng, "N2", 60), GF_OK);
	take(c2, part, "consumer-2", "1000", ids4, sizeof(ids4), &n4);
	ck_assert_int_eq(n4, (int)(h.n - before));
	ck_assert_int_gt(n4, 0);
	gf_engine_close(eng);
	PQfinish(c1);
	PQfinish(c2);
	PQfinish(c3);
	PQfinish(c);
	PQfinish(l);
}
END_TEST

/* The host heard want warnings, and gf_outbox holds as many. */
static void warned(PGconn *c, const char *part, const fx_notices *nt,
		   int want, const char *when)
{
	long long got = rows(c, "gf_outbox", part, "kind = 'warning'");
	ck_assert_msg(nt->count[GF_NOTICE_WARNING] == want && got == want,
		      "after %s: the host heard %d warnings, gf_outbox holds "
		      "%lld (want %d and %d)",
		      when, nt->count[GF_NOTICE_WARNING], got, want, want);
}

/* Notices that come without a record (the warning at open when there is
 * no reporter key, a reload's) reach the host and the outbox by the next
 * flush at the latest, as every notice does; none is lost at close. */
START_TEST(notices_without_records)
{
	char part[PART_SIZE];
	fx_notices nt;
	gf_config *cfg = fx_config();
	/* the memory store says it at open */
	memset(&nt, 0, sizeof(nt));
	gf_options m = GF_OPTIONS_INIT;
	m.config = cfg;
	m.notice = fx_on_notice;
	m.notice_data = &nt;
	gf_engine *eng = open_ok(&m);
	ck_assert_int_eq(nt.count[GF_NOTICE_WARNING], 1);
	gf_engine_close(eng);

	memset(&nt, 0, sizeof(nt));
	gf_options o = pg_part(part, "warn", cfg, NULL);
	o.reporter_key = NULL;
	o.reporter_key_len = 0;
	o.notice = fx_on_notice;
	o.notice_data = &nt;
	eng = open_ok(&o);
	ck_assert_int_eq(gf_engine_flush(eng), GF_OK);
	PGconn *c = db();
	warned(c, part, &nt, 1, "open and flush");
	ck_assert_int_eq(gf_engine_reload(eng, cfg), GF_OK);
	ck_assert_int_eq(gf_engine_flush(eng), GF_OK);
	warned(c, part, &nt, 2, "a reload and flush");
	ck_assert_int_eq(gf_engine_reload(eng, cfg), GF_OK);
	ck_assert_int_eq(gf_engine_close(eng), GF_OK);
	warned(c, part, &nt, 3, "a reload and close");
	gf_config_free(cfg);
	PQfinish(c);
}
END_TEST

/* ---- 2. reconnection ------------------------------------------------- */

/* test/pgtmp.sh CMD on the test server's directory. */
static void pgtmp(const char *cmd)
{
	char sh[1200];
	snprintf(sh, sizeof(sh), "test/pgtmp.sh %s '%s'", cmd, pg_dir());
	int rc = system(sh);
	ck_assert_msg(rc == 0, "%s: exit %d", sh, rc);
}

/* A reconnection test: its partition, options, and the stream's codes
 * and final orders on a memory store (mrc, mem) to compare with. */
typedef struct recon {
	char part[PART_SIZE];
	gf_config *cfg;
	gf_options o;
	int mrc[NSTREAM], prc[NSTREAM];
	char mem[8192];
} recon;

/* The stream's first upto lines on a memory store: their codes (every
 * line but the wechat one applies) and the orders, as eng_orders. */
static void memory_run(size_t upto, int *rcs, char *orders, size_t size)
{
	gf_engine *mem = fx_open(NULL, NULL);
	for (size_t i = 0; i < upto; i++) {
		feed(mem, i, i + 1, rcs);
		ck_assert_msg(rcs[i] == (strstr(stream[i], "wechat") ? GF_EUNKNOWN
								   : GF_OK),
			      "memory, line %zu: %s (%s)", i, gf_errname(rcs[i]),
			      gf_engine_errmsg(mem));
	}
	eng_orders(mem, orders, size);
	gf_engine_close(mem);
}

static void recon_begin(recon *t, const char *tag, unsigned retry_ms)
{
	pg_dir();
	memory_run(NSTREAM, t->mrc, t->mem, sizeof(t->mem));
	t->cfg = fx_config();
	t->o = pg_part(t->part, tag, t->cfg, NULL);
	t->o.retry_ms = retry_ms;
}

/* The codes on pg are those on the memory store. */
static void same_codes(const recon *t)
{
	for (size_t i = 0; i < NSTREAM; i++)
		ck_assert_msg(t->prc[i] == t->mrc[i],
			      "line %zu: %s, in memory %s", i,
			      gf_errname(t->prc[i]), gf_errname(t->mrc[i]));
}

/* The engine shows the orders want; and so does gf_order (c not NULL). */
static void orders_are(const gf_engine *eng, PGconn *c, const char *part,
		       const char *want)
{
	static char got[8192];
	eng_orders(eng, got, sizeof(got));
	ck_assert_str_eq(got, want);
	if (c) {
		db_orders(c, part, got, sizeof(got));
		ck_assert_str_eq(got, want);
	}
}

/* The end of a reconnection test: the stream's orders in the engine and
 * the tables, its records numbered 1..durable without a gap or a double,
 * and the same again after a reopen. Closes eng and c. */
static void recon_end(recon *t, gf_engine *eng, PGconn *c)
{
	orders_are(eng, c, t->part, t->mem);
	char got[128], want[128];
	part_s(c, got, sizeof(got),
	       "SELECT count(*) || ' ' || max(seq) FROM gf_record WHERE "
	       "part = $1",
	       t->part);
	snprintf(want, sizeof(want), "%llu %llu",
		 (unsigned long long)gf_engine_durable_ticket(eng),
		 (unsigned long long)gf_engine_durable_ticket(eng));
	ck_assert_str_eq(got, want);
	assert_tables(c, t->part, eng, 0);
	ck_assert_int_eq(gf_engine_close(eng), GF_OK);
	eng = open_ok(&t->o);
	orders_are(eng, NULL, t->part, t->mem);
	gf_engine_close(eng);
	PQfinish(c);
	gf_config_free(t->cfg);
}

START_TEST(reconnect_after_restart)
{
	static recon t;
	recon_begin(&t, "restart", 20000);
	gf_engine *eng = open_ok(&t.o);
	size_t half = NSTREAM / 2;
	feed(eng, 0, half, t.prc);
	uint64_t durable = gf_engine_durable_ticket(eng);
	ck_assert_uint_gt(durable, 0);
	pgtmp("restart");
	feed(eng, half, NSTREAM, t.prc);
	same_codes(&t);
	ck_assert_uint_gt(gf_engine_durable_ticket(eng), durable);
	PGconn *c = db();
	orders_are(eng, c, t.part, t.mem);
	ck_assert_int_eq(rows(c, "gf_record", t.part, NULL),
			 (long long)gf_engine_durable_ticket(eng));
	ck_assert_int_eq(gf_engine_close(eng), GF_OK);
	/* and the records replay to the same */
	eng = open_ok(&t.o);
	orders_are(eng, NULL, t.part, t.mem);
	assert_tables(c, t.part, eng, 0);
	gf_engine_close(eng);
	PQfinish(c);
	gf_config_free(t.cfg);
}
END_TEST

/* Run "sleep; test/pgtmp.sh CMD DIR" beside the test; reap() and check
 * its status to collect it. */
static pid_t pgtmp_later(const char *cmd, int delay_ms)
{
	char sh[1200];
	snprintf(sh, sizeof(sh), "sleep %d.%03d; exec test/pgtmp.sh %s '%s'",
		 delay_ms / 1000, delay_ms % 1000, cmd, pg_dir());
	fflush(NULL);
	pid_t pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		execl("/bin/sh", "sh", "-c", sh, (char *)NULL);
		_exit(127);
	}
	return pid;
}

/* The server restarts while a commit is in flight (the transaction is
 * cut off, not committed): after reconnecting the engine finds its batch
 * missing and sends it again, once. */
START_TEST(restart_mid_commit)
{
	static recon t;
	char started[64], fn[64];
	recon_begin(&t, "midcommit", 20000);
	gf_engine *eng = open_ok(&t.o);
	size_t half = NSTREAM / 2;
	feed(eng, 0, half, t.prc);
	uint64_t before = gf_engine_durable_ticket(eng);

	/* the partition's next record stalls in its insert, in this life of
	 * the server only */
	PGconn *c = db();
	q_s(c, started, sizeof(started),
	    "SELECT pg_postmaster_start_time()::text", 0, NULL);
	snprintf(fn, sizeof(fn), "gf_test_stall_%d", (int)getpid());
	q_dof(c, "CREATE FUNCTION %s() RETURNS trigger LANGUAGE plpgsql AS $f$ "
		 "BEGIN IF NEW.part = '%s' AND pg_postmaster_start_time() = "
		 "'%s'::timestamptz THEN PERFORM pg_sleep(5); END IF; "
		 "RETURN NEW; END $f$",
	      fn, t.part, started);
	q_dof(c, "CREATE TRIGGER %s BEFORE INSERT ON gf_record FOR EACH ROW "
		 "EXECUTE FUNCTION %s()",
	      fn, fn);
	PQfinish(c);

	pid_t pid = pgtmp_later("restart", 500);
	int64_t t0 = mono_ms();
	feed(eng, half, half + 1, t.prc);
	int64_t took = mono_ms() - t0;
	int status = reap(pid);
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0,
		      "test/pgtmp.sh in the background failed (status %d)",
		      status);
	ck_assert_msg(t.prc[half] == t.mrc[half], "the cut-off call: %s (%s)",
		      gf_errname(t.prc[half]), gf_engine_errmsg(eng));
	ck_assert_msg(took >= 400 && took < 4500,
		      "the cut-off call took %lld ms", (long long)took);
	ck_assert_uint_gt(gf_engine_durable_ticket(eng), before);
	feed(eng, half + 1, NSTREAM, t.prc);
	same_codes(&t);
	orders_are(eng, NULL, t.part, t.mem);

	c = db();
	q_dof(c, "DROP TRIGGER %s ON gf_record", fn);
	q_dof(c, "DROP FUNCTION %s()", fn);
	recon_end(&t, eng, c);
}
END_TEST

/* After a failure: feeding the whole stream again to the reopened e2
 * completes it, in the engine and the tables. Closes e2 and c. */
static void refeed_end(recon *t, gf_engine *e2, PGconn *c)
{
	feed(e2, 0, NSTREAM, NULL);
	orders_are(e2, c, t->part, t->mem);
	assert_tables(c, t->part, e2, 0);
	ck_assert_int_eq(gf_engine_close(e2), GF_OK);
	PQfinish(c);
	gf_config_free(t->cfg);
}

/* Submit stream line i keyed, timed; the result (NULL on failure), the
 * time and the engine's message. */
static int submit_timed(gf_engine *eng, size_t i, const gf_result **r,
			int64_t *took, char *msg, size_t size)
{
	char k[32];
	snprintf(k, sizeof(k), "line-%zu", i);
	*r = (const gf_result *)1;
	int64_t t0 = mono_ms();
	int rc = gf_engine_submit_json_keyed(eng, stream[i], strlen(stream[i]),
					     k, r);
	*took = mono_ms() - t0;
	snprintf(msg, size, "%s", gf_engine_errmsg(eng));
	return rc;
}

START_TEST(unreachable)
{
	static recon t;
	static char mem_half[8192];
	int mrc_half[NSTREAM];
	recon_begin(&t, "unreach", 1000);
	size_t half = NSTREAM / 2;
	memory_run(half, mrc_half, mem_half, sizeof(mem_half));
	/* the failed engine cannot hand the partition on: its lease must
	 * lapse by the time the server is back */
	t.o.lease_ms = 1000;
	gf_engine *eng = open_ok(&t.o);
	feed(eng, 0, half, NULL);
	uint64_t durable = gf_engine_durable_ticket(eng);
	pgtmp("halt");
	const gf_result *r;
	int64_t took;
	char msg[512];
	int rc = submit_timed(eng, half, &r, &took, msg, sizeof(msg));
	/* the engine is failed: every call errs, nothing more is durable */
	int rc2 = ingest_sid(eng, "U1", 58);
	int rc3 = gf_engine_flush(eng);
	int rc4 = gf_engine_reload(eng, t.cfg);
	uint64_t durable2 = gf_engine_durable_ticket(eng);
	gf_engine_close(eng);
	pgtmp("resume");
	ck_assert_msg(rc == GF_EIO, "with the server down: %s (%s)",
		      gf_errname(rc), msg);
	ck_assert_ptr_null(r);
	ck_assert_msg(took >= 900 && took < 4000,
		      "GF_EIO after %lld ms with retry_ms 1000", (long long)took);
	ck_assert_int_ne(rc2, GF_OK);
	ck_assert_int_ne(rc3, GF_OK);
	ck_assert_int_eq(rc4, GF_EIO);
	ck_assert_uint_eq(durable2, durable);

	/* reopened: exactly what was committed */
	gf_engine *e2 = NULL;
	char err[512];
	rc = open_when_free(&e2, &t.o, err, sizeof(err), 3000, 50);
	ck_assert_msg(rc == GF_OK, "reopen: %s: %s", gf_errname(rc), err);
	PGconn *c = db();
	orders_are(e2, c, t.part, mem_half);
	ck_assert_int_eq(rows(c, "gf_record", t.part, NULL), (long long)durable);
	refeed_end(&t, e2, c);
}
END_TEST

/* ---- a server that stops answering ----------------------------------- */

/* The server process of the engine opened with application name app, and
 * the postmaster's (pid from its pid file). */
static pid_t backend_of(const char *app)
{
	PGconn *c = db();
	const char *p1[1] = { app };
	long long pid = q_ll(c,
			     "SELECT pid FROM pg_stat_activity WHERE "
			     "application_name = $1",
			     1, p1);
	PQfinish(c);
	ck_assert_int_gt(pid, 0);
	return (pid_t)pid;
}

static pid_t postmaster(void)
{
	char path[1200];
	snprintf(path, sizeof(path), "%s/data/postmaster.pid", pg_dir());
	FILE *f = fopen(path, "r");
	ck_assert_ptr_nonnull(f);
	long pid = 0;
	ck_assert_int_eq(fscanf(f, "%ld", &pid), 1);
	fclose(f);
	return (pid_t)pid;
}

static void signal_ok(pid_t pid, int sig)
{
	ck_assert_msg(kill(pid, sig) == 0, "kill %d: %s", (int)pid,
		      strerror(errno));
}

/* The recon test's store, its server processes named app. */
static void recon_app(recon *t, const char *app)
{
	static char store[1200];
	snprintf(store, sizeof(store), "%s application_name=%s", pg_store(),
		 app);
	t->o.store = store;
}

/* The engine's server process stops (SIGSTOP: a frozen host, a network
 * that drops everything) in the middle of a stream. The commit waiting
 * on it gives up after a quarter of retry_ms, reconnects, ends the old
 * process and sends the batch again: the call succeeds, within
 * retry_ms, and the stream finishes as on a memory store. */
START_TEST(a_silent_server_is_left)
{
	static recon t;
	char app[64];
	recon_begin(&t, "silent", 4000);
	snprintf(app, sizeof(app), "gfsilent%d", (int)getpid());
	recon_app(&t, app);
	gf_engine *eng = open_ok(&t.o);
	size_t half = NSTREAM / 2;
	feed(eng, 0, half, t.prc);
	uint64_t before = gf_engine_durable_ticket(eng);
	pid_t old = backend_of(app);

	signal_ok(old, SIGSTOP);
	int64_t t0 = mono_ms();
	feed(eng, half, half + 1, t.prc);
	int64_t took = mono_ms() - t0;
	signal_ok(old, SIGCONT);
	ck_assert_msg(t.prc[half] == t.mrc[half], "the stalled call: %s (%s)",
		      gf_errname(t.prc[half]), gf_engine_errmsg(eng));
	ck_assert_msg(took >= 900 && took < 4000,
		      "the stalled call took %lld ms (retry_ms 4000: silent "
		      "for 1000, then a new connection)",
		      (long long)took);
	ck_assert_uint_gt(gf_engine_durable_ticket(eng), before);
	pid_t now = backend_of(app);
	ck_assert_int_ne(now, old);
	/* the old process was told to end: it does once it runs again */
	PGconn *c = db();
	long long left = 1;
	char pid[16];
	const char *p1[1] = { pid };
	snprintf(pid, sizeof(pid), "%d", (int)old);
	for (int i = 0; i < 100 && left; i++) {
		left = q_ll(c, "SELECT count(*) FROM pg_stat_activity WHERE "
			       "pid = $1::integer",
			    1, p1);
		if (left)
			poll(NULL, 0, 20);
	}
	ck_assert_msg(left == 0, "the abandoned server process %d lives on",
		      (int)old);

	feed(eng, half + 1, NSTREAM, t.prc);
	same_codes(&t);
	recon_end(&t, eng, c);
}
END_TEST

/* The whole server stops answering (its postmaster too, so no new
 * connection gets an answer either): the call fails with GF_EIO, bounded
 * by retry_ms and one connect timeout, and nothing acknowledged is
 * lost: the host re-feeds from its last durable ticket. */
START_TEST(a_silent_server_past_retry_is_an_error)
{
	static recon t;
	static char mem_half[8192];
	int mrc_half[NSTREAM];
	char app[64];
	recon_begin(&t, "mute", 1000);
	snprintf(app, sizeof(app), "gfmute%d", (int)getpid());
	recon_app(&t, app);
	size_t half = NSTREAM / 2;
	memory_run(half, mrc_half, mem_half, sizeof(mem_half));
	t.o.lease_ms = 1000;
	gf_engine *eng = open_ok(&t.o);
	feed(eng, 0, half, NULL);
	uint64_t durable = gf_engine_durable_ticket(eng);
	pid_t be = backend_of(app), pm = postmaster();

	signal_ok(pm, SIGSTOP);
	signal_ok(be, SIGSTOP);
	const gf_result *r;
	int64_t took;
	char msg[512];
	int rc = submit_timed(eng, half, &r, &took, msg, sizeof(msg));
	signal_ok(be, SIGCONT);
	signal_ok(pm, SIGCONT);
	gf_engine_close(eng);
	ck_assert_msg(rc == GF_EIO, "with the server silent: %s (%s)",
		      gf_errname(rc), msg);
	ck_assert_ptr_null(r);
	ck_assert_msg(took >= 900 && took < 1000 + 2000 + 1500,
		      "GF_EIO after %lld ms (retry_ms 1000, connect timeout "
		      "2 s)", (long long)took);
	ck_assert_ptr_nonnull(strstr(msg, "unreachable"));

	gf_engine *e2 = NULL;
	char err[512];
	rc = open_when_free(&e2, &t.o, err, sizeof(err), 5000, 50);
	ck_assert_msg(rc == GF_OK, "reopen: %s: %s", gf_errname(rc), err);
	/* the lost reply's transaction may have committed when the server
	 * ran again (nothing was there to end it): the stream's first half,
	 * or that and the failed line, never part of a line */
	PGconn *c = db();
	if (rows(c, "gf_record", t.part, NULL) != (long long)durable)
		memory_run(half + 1, mrc_half, mem_half, sizeof(mem_half));
	orders_are(e2, c, t.part, mem_half);
	refeed_end(&t, e2, c);
}
END_TEST

/* ---- 3. group commit ------------------------------------------------- */

static int notices_heard(const fx_notices *nt)
{
	int sum = 0;
	for (int i = 0; i < 16; i++)
		sum += nt->count[i];
	return sum;
}

START_TEST(group_commit)
{
	char part[PART_SIZE];
	fx_notices nt;
	memset(&nt, 0, sizeof(nt));
	durables d;
	memset(&d, 0, sizeof(d));
	gf_config *cfg = fx_config();
	gf_options o = pg_part(part, "batch", cfg, NULL);
	o.batch_max = 100;
	o.batch_delay_ms = 60000;
	o.durable = on_durable;
	o.durable_data = &d;
	o.notice = fx_on_notice;
	o.notice_data = &nt;
	gf_engine *eng = open_ok(&o);
	gf_config_free(cfg);
	PGconn *c = db();
	const size_t n = 150;
	for (size_t i = 0; i < n; i++) {
		char sid[16], buf[1024];
		const gf_result *r;
		snprintf(sid, sizeof(sid), "B%03zu", i);
		fx_event(buf, sizeof(buf), "12345", sid, (int)(i % 600),
			 "320506001001", "city.environment.garbage");
		ck_assert_int_eq(ingest(eng, buf, &r), GF_OK);
		ck_assert_int_eq(gf_result_outcome(r), GF_OUTCOME_CREATED);
		ck_assert_uint_eq(gf_result_ticket(r), i + 1);
		if (i == 98) {
			/* 99 waiting: nothing stored, nothing said */
			ck_assert_uint_eq(d.last, 0);
			ck_assert_int_eq(notices_heard(&nt), 0);
			ck_assert_uint_eq(gf_engine_durable_ticket(eng), 0);
			ck_assert_int_eq(rows(c, "gf_record", part, NULL), 0);
		}
		if (i == 99) {
			/* the hundredth filled the batch */
			ck_assert_uint_eq(d.last, 100);
			ck_assert_int_eq(rows(c, "gf_record", part, NULL), 100);
		}
	}
	ck_assert_uint_eq(gf_engine_durable_ticket(eng), 100);
	ck_assert_int_eq(gf_engine_flush(eng), GF_OK);
	ck_assert_uint_eq(d.last, n);
	ck_assert_uint_eq(gf_engine_durable_ticket(eng), n);
	/* all there, numbered 1..n without a gap */
	char got[128], want[128];
	part_s(c, got, sizeof(got),
	       "SELECT count(*) || ' ' || min(seq) || ' ' || max(seq) || ' ' || "
	       "count(DISTINCT seq) FROM gf_record WHERE part = $1",
	       part);
	snprintf(want, sizeof(want), "%zu 1 %zu %zu", n, n, n);
	ck_assert_str_eq(got, want);
	/* the first hundred in one transaction, the rest in another */
	const char *xacts = "DISTINCT xmin::text";
	ck_assert_int_eq(part_count(c, xacts, "gf_record", part, "seq <= 100"),
			 1);
	ck_assert_int_eq(part_count(c, xacts, "gf_record", part, "seq > 100"),
			 1);
	ck_assert_int_eq(part_count(c, xacts, "gf_record", part, NULL), 2);
	/* every notice went out once its change was stored, and is in the
	 * outbox */
	ck_assert_int_gt(notices_heard(&nt), 0);
	ck_assert_int_eq(rows(c, "gf_outbox", part, NULL), notices_heard(&nt));
	/* the tables went with their records */
	ck_assert_int_eq(rows(c, "gf_order", part, NULL), (long long)n);
	ck_assert_int_eq(part_count(c, xacts, "gf_order", part,
				    "order_id IN (SELECT order_id FROM "
				    "gf_report WHERE part = $1 AND "
				    "source_id <= 'B099')"),
			 1);
	/* close commits what waits */
	for (size_t i = n; i < n + 5; i++) {
		char sid[16];
		snprintf(sid, sizeof(sid), "B%03zu", i);
		ck_assert_int_eq(ingest_sid(eng, sid, (int)(i % 600)), GF_OK);
	}
	ck_assert_uint_eq(gf_engine_durable_ticket(eng), n);
	ck_assert_int_eq(gf_engine_close(eng), GF_OK);
	ck_assert_uint_eq(d.last, n + 5);
	ck_assert_int_eq(rows(c, "gf_record", part, NULL), (long long)(n + 5));
	PQfinish(c);
}
END_TEST

/* Under the wall clock a waiting batch is a deadline: a host on an event
 * loop that only calls gf_engine_run_timers() when the deadline comes
 * gets its batch committed within batch_delay_ms. */
START_TEST(batch_delay_is_a_deadline)
{
	char part[PART_SIZE];
	durables d;
	memset(&d, 0, sizeof(d));
	gf_config *cfg = fx_config();
	gf_options o = pg_part(part, "delay", cfg, NULL);
	o.clock = GF_CLOCK_WALL;
	o.batch_max = 1000;
	o.batch_delay_ms = 300;
	o.durable = on_durable;
	o.durable_data = &d;
	gf_engine *eng = open_ok(&o);
	gf_config_free(cfg);
	/* nothing waits: the deadline is the clocks' alone */
	gf_time before = gf_engine_next_deadline(eng);
	ck_assert(before > gf_engine_now(eng) + 300);
	char buf[1024];
	const gf_result *r;
	fx_event(buf, sizeof(buf), "12345", "D1", 0, "320506001001",
		 "city.environment.garbage");
	ck_assert_int_eq(ingest(eng, buf, &r), GF_OK);
	ck_assert_uint_eq(gf_result_ticket(r), 1);
	ck_assert_uint_eq(gf_engine_durable_ticket(eng), 0);
	gf_time now = gf_engine_now(eng);
	gf_time due = gf_engine_next_deadline(eng);
	ck_assert_msg(due >= now && due <= now + 300,
		      "the batch is due in %lld ms, want 0..300",
		      (long long)(due - now));
	/* before the deadline, running timers leaves the batch waiting */
	ck_assert_int_eq(gf_engine_run_timers(eng, NULL), GF_OK);
	ck_assert_uint_eq(gf_engine_durable_ticket(eng), 0);
	while (gf_engine_now(eng) < due)
		nap_ms(20);
	ck_assert_int_eq(gf_engine_run_timers(eng, NULL), GF_OK);
	ck_assert_uint_eq(gf_engine_durable_ticket(eng), 1);
	ck_assert_uint_eq(d.last, 1);
	/* committed: the batch no longer sets the deadline */
	ck_assert(gf_engine_next_deadline(eng) > gf_engine_now(eng) + 300);
	PGconn *c = db();
	ck_assert_int_eq(rows(c, "gf_record", part, NULL), 1);
	PQfinish(c);
	gf_engine_close(eng);
}
END_TEST

/* A batch_delay_ms longer than half of lease_ms: the waiting batch goes
 * when the lease is due for renewal, its fence renewing it, instead of
 * letting the lease lapse under it (another engine could then take the
 * partition and the batch would fail with GF_EBUSY). */
START_TEST(a_waiting_batch_keeps_the_lease)
{
	char part[PART_SIZE];
	gf_config *cfg = fx_config();
	gf_options o = pg_part(part, "keeps", cfg, NULL);
	o.clock = GF_CLOCK_WALL;
	o.lease_ms = 1000;
	o.batch_max = 1000;
	o.batch_delay_ms = 60000;
	gf_engine *eng = open_ok(&o);
	char buf[1024];
	const gf_result *r;
	fx_event(buf, sizeof(buf), "12345", "K1", 0, "320506001001",
		 "city.environment.garbage");
	ck_assert_int_eq(ingest(eng, buf, &r), GF_OK);
	ck_assert_uint_eq(gf_engine_durable_ticket(eng), 0);
	gf_time due = gf_engine_next_deadline(eng);
	ck_assert_msg(due <= gf_engine_now(eng) + 500,
		      "the waiting batch is due in %lld ms, after the "
		      "lease's renewal",
		      (long long)(due - gf_engine_now(eng)));
	/* the host runs the timers when its loop says, for 2.5 leases */
	int64_t end = mono_ms() + 2500;
	while (mono_ms() < end) {
		gf_time next = gf_engine_next_deadline(eng);
		while (gf_engine_now(eng) < next && mono_ms() < end)
			nap_ms(10);
		ck_assert_int_eq(gf_engine_run_timers(eng, NULL), GF_OK);
	}
	ck_assert_uint_eq(gf_engine_durable_ticket(eng), 1);
	/* the partition is still this engine's */
	gf_options o2 = pg_opts(cfg, part);
	gf_engine *other = NULL;
	char err[512];
	ck_assert_int_eq(gf_engine_open(&other, &o2, err, sizeof(err)),
			 GF_EBUSY);
	ck_assert_int_eq(gf_engine_close(eng), GF_OK);
	gf_config_free(cfg);
}
END_TEST

/* ---- a takeover while the connection was down ------------------------ */

/* A forked child's copy of the parent's engine, which it leaves
 * without closing (the parent's to close): reachable, so that valgrind,
 * which checks the child's leaks too, does not count it lost. volatile:
 * nothing reads it, and the store must stay. */
static gf_engine *volatile kept_by_child;

/* Fixture event sid at minute into eng: its code, its ticket in *t. */
static int ingest_ticket(gf_engine *eng, const char *sid, int minute,
			 uint64_t *t)
{
	char buf[1024];
	const gf_result *r = NULL;
	fx_event(buf, sizeof(buf), "12345", sid, minute, "320506001001",
		 "city.environment.garbage");
	int rc = gf_engine_ingest_json(eng, buf, strlen(buf), &r);
	*t = rc == GF_OK && r ? gf_result_ticket(r) : 0;
	return rc;
}

/*
 * Engine A stores A1, then is cut off (its socket, reached through a
 * symlink, is gone; its server process ended) with na - 1 more changes
 * waiting in its batch, or, when na is 1, while it sends A2. Its lease
 * lapses; engine B takes the partition over and stores nb records, which
 * take the same sequence numbers; then A can reach the server again. A
 * must not take B's records for its own batch: its call fails with
 * GF_EBUSY and nothing past A1 is acknowledged durable. (Before, with B
 * ahead, A called its lost change durable; with B behind, "corrupt".)
 */
static void takeover_in_outage(int na, int nb)
{
	char part[PART_SIZE], spec[1200], app[64], proxy[64];
	char sock[128], real[1200];
	gf_config *cfg = fx_config();
	durables d;
	memset(&d, 0, sizeof(d));
	snprintf(proxy, sizeof(proxy), "/tmp/gf-proxy-%d", (int)getpid());
	ck_assert_int_eq(mkdir(proxy, 0755), 0);
	snprintf(sock, sizeof(sock), "%s/.s.PGSQL.5432", proxy);
	snprintf(real, sizeof(real), "%s/.s.PGSQL.5432", pg_dir());
	ck_assert_int_eq(symlink(real, sock), 0);
	snprintf(app, sizeof(app), "gfcut%d", (int)getpid());
	snprintf(spec, sizeof(spec),
		 "pg:host=%s user=postgres dbname=gridflow application_name=%s",
		 proxy, app);

	gf_options oa = pg_opts(cfg, part_name(part, "cut"));
	oa.store = spec;
	oa.lease_ms = 1000;
	oa.retry_ms = 20000;
	oa.durable = on_durable;
	oa.durable_data = &d;
	if (na > 1) {
		oa.batch_max = 100;
		oa.batch_delay_ms = 60000;
	}
	gf_engine *a = open_ok(&oa);
	uint64_t t1, t = 0;
	ck_assert_int_eq(ingest_ticket(a, "A1", 1, &t1), GF_OK);
	ck_assert_int_eq(gf_engine_flush(a), GF_OK);
	ck_assert_uint_eq(d.last, t1);
	for (int i = 2; i <= na; i++) {
		char sid[16];
		snprintf(sid, sizeof(sid), "A%d", i);
		ck_assert_int_eq(ingest_ticket(a, sid, i, &t), GF_OK);
	}
	ck_assert_int_eq(unlink(sock), 0);
	end_backends(app);

	kept_by_child = a;
	fflush(NULL);
	pid_t pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		nap_ms(1500); /* past A's lease */
		gf_options ob = pg_opts(cfg, part);
		gf_engine *b = NULL;
		char err[512];
		if (open_when_free(&b, &ob, err, sizeof(err), 10000, 100))
			_exit(2);
		for (int i = 0; i < nb; i++) {
			char sid[16];
			uint64_t tb;
			snprintf(sid, sizeof(sid), "B%d", i);
			if (ingest_ticket(b, sid, 30 + i, &tb) != GF_OK)
				_exit(3);
		}
		if (gf_engine_close(b) != GF_OK || symlink(real, sock) != 0)
			_exit(4);
		_exit(0);
	}
	char last[16];
	int rc;
	if (na == 1) {
		rc = ingest_ticket(a, "A2", 2, &t);
		snprintf(last, sizeof(last), "A2");
	} else {
		rc = gf_engine_flush(a);
		snprintf(last, sizeof(last), "A%d", na);
	}
	int status = reap(pid);
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0,
		      "engine B failed: status %d", status);
	PGconn *c = db();
	char where[64];
	snprintf(where, sizeof(where), "source_id LIKE '%s~%%'", last);
	long long stored = rows(c, "gf_report", part, where);
	ck_assert_msg(rc == GF_EBUSY, "A's call after the takeover: %s (%s)",
		      gf_errname(rc), rc ? gf_engine_errmsg(a) : "-");
	ck_assert_msg(d.last == t1 && gf_engine_durable_ticket(a) == t1,
		      "A acknowledged ticket %llu (%s stored: %lld rows)",
		      (unsigned long long)d.last, last, stored);
	ck_assert_int_eq(stored, 0);
	ck_assert_int_eq(rows(c, "gf_report", part, "source_id LIKE 'B%'"),
			 nb);
	gf_engine_close(a);
	PQfinish(c);
	unlink(sock);
	rmdir(proxy);
	gf_config_free(cfg);
}

/* B stored more records than A's batch holds */
START_TEST(a_takeover_ahead_of_a_lost_commit)
{
	takeover_in_outage(1, 3);
}
END_TEST

/* and fewer */
START_TEST(a_takeover_behind_a_lost_batch)
{
	takeover_in_outage(4, 1);
}
END_TEST

/* A batch without records (a reload's notice, held for the next flush)
 * whose connection drops is sent again, not taken for done: the outbox
 * gets the notice the host heard. */
START_TEST(a_batch_without_records_survives_a_drop)
{
	char part[PART_SIZE], spec[1200], app[64];
	fx_notices nt;
	memset(&nt, 0, sizeof(nt));
	gf_config *cfg = fx_config();
	snprintf(app, sizeof(app), "gfnorec%d", (int)getpid());
	snprintf(spec, sizeof(spec), "%s application_name=%s", pg_store(),
		 app);
	gf_options o = pg_opts(cfg, part_name(part, "norec"));
	o.store = spec;
	o.retry_ms = 10000;
	o.notice = fx_on_notice;
	o.notice_data = &nt;
	gf_engine *eng = open_ok(&o);
	ck_assert_int_eq(gf_engine_reload(eng, cfg), GF_OK);
	ck_assert_int_eq(nt.count[GF_NOTICE_WARNING], 0); /* held */
	end_backends(app);
	ck_assert_int_eq(gf_engine_flush(eng), GF_OK);
	PGconn *c = db();
	warned(c, part, &nt, 1, "a reload, a dropped connection, a flush");
	/* a drop with nothing held costs nothing, stores nothing twice */
	ck_assert_int_eq(gf_engine_reload(eng, cfg), GF_OK);
	ck_assert_int_eq(gf_engine_flush(eng), GF_OK);
	end_backends(app);
	ck_assert_int_eq(gf_engine_flush(eng), GF_OK);
	warned(c, part, &nt, 2, "a second reload and flush");
	ck_assert_int_eq(gf_engine_close(eng), GF_OK);
	PQfinish(c);
	gf_config_free(cfg);
}
END_TEST

/* A DBA holds a table the engine writes (maintenance: LOCK TABLE) past
 * the engine's lock_timeout. The server refuses the transaction (55P03);
 * nothing of it committed, and the store sends it again until the lock
 * is gone, within retry_ms: the call succeeds. (It failed the engine with
 * GF_EIO at the first refusal.) */
START_TEST(a_held_lock_is_waited_out)
{
	char part[PART_SIZE], spec[1200];
	gf_config *cfg = fx_config();
	snprintf(spec, sizeof(spec), "%s options='-c lock_timeout=100'",
		 pg_store());
	gf_options o = pg_opts(cfg, part_name(part, "locked"));
	o.store = spec;
	o.retry_ms = 10000;
	gf_engine *eng = open_ok(&o);
	ck_assert_int_eq(ingest_sid(eng, "L1", 0), GF_OK);
	kept_by_child = eng;
	fflush(NULL);
	int ready[2];
	ck_assert_int_eq(pipe(ready), 0);
	pid_t pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		PGconn *d = db();
		PGresult *r = PQexec(d, "BEGIN; LOCK TABLE gf_report IN "
					"ACCESS EXCLUSIVE MODE");
		int ok = PQresultStatus(r) == PGRES_COMMAND_OK;
		PQclear(r);
		if (write(ready[1], ok ? "y" : "n", 1) != 1 || !ok)
			_exit(2);
		nap_ms(1200);
		PQclear(PQexec(d, "COMMIT"));
		PQfinish(d);
		_exit(0);
	}
	char got = 0;
	ck_assert_int_eq(read(ready[0], &got, 1), 1);
	ck_assert_int_eq(got, 'y');
	close(ready[0]);
	close(ready[1]);
	int64_t t0 = mono_ms();
	int rc = ingest_sid(eng, "L2", 1);
	int64_t took = mono_ms() - t0;
	ck_assert_int_eq(reap(pid), 0);
	ck_assert_msg(rc == GF_OK, "under a held lock: %s: %s", gf_errname(rc),
		      gf_engine_errmsg(eng));
	ck_assert_msg(took >= 800, "the call took %lld ms: the lock was not "
		      "in its way", (long long)took);
	PGconn *c = db();
	ck_assert_int_eq(rows(c, "gf_report", part, NULL), 2);
	ck_assert_int_eq(gf_engine_close(eng), GF_OK);
	PQfinish(c);
	gf_config_free(cfg);
}
END_TEST

/* waits on leases and a server restart */
SU_MAKE_SUITE("pgcommit", 60, 1,
	      outbox,
	      notices_without_records,
	      reconnect_after_restart,
	      restart_mid_commit,
	      unreachable,
	      a_silent_server_is_left,
	      a_silent_server_past_retry_is_an_error,
	      group_commit,
	      batch_delay_is_a_deadline,
	      a_waiting_batch_keeps_the_lease,
	      a_takeover_ahead_of_a_lost_commit,
	      a_takeover_behind_a_lost_batch,
	      a_batch_without_records_survives_a_drop,
	      a_held_lock_is_waited_out)

GF_TEST_MAIN
