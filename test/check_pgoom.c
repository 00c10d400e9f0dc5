/*
 * check_pgoom.c - out of memory on the PostgreSQL store. A short day
 * (two orders, a quarantined event, a repeated call and a near duplicate
 * from another channel, actions, SLA steps, a flush, the close) runs in
 * a new partition with each of its allocations failing in turn, with a
 * commit per call and under group commit. Every call works or says why
 * (GF_ENOMEM; GF_EIO once the engine refuses more work), nothing crashes
 * or leaks (ASan and valgrind run this suite), and nothing acknowledged
 * is lost: a reopen with memory to spare finds what was durable, exactly,
 * and the partition's rows agree with it; the outbox holds exactly the
 * notices the host heard (a notice that could not be held fails its
 * call: its change is not stored without it).
 *
 * Needs the server GF_TEST_PG names (test/run.sh starts one).
 */
#include "failalloc.h"
#include "storeutil.h"

#define EV(ch, sid, hhmm, region, cat, title)                             \
	EVENT_LIT("2026-11-23", ch, sid, hhmm, region, cat, title)
#define ACT(op, ref, actor, rest, hhmm)                                   \
	ACTION_LIT("2026-11-23", op, ref, actor, rest, hhmm)

enum { C_EVENT, C_ACTION, C_TIME, C_FLUSH };

#define CREATED GF_OK, GF_OUTCOME_CREATED
#define LINKED GF_OK, GF_OUTCOME_LINKED
#define APPLIED GF_OK, GF_OUTCOME_APPLIED

/* The day, and what each call says when memory is plenty. */
static const struct {
	int kind;
	const char *text;
	int rc;
	gf_outcome outcome;     /* 0: the call gives no result */
} day[] = {
	{ C_EVENT, EV("12345", "S1", "09:00", "320506001012",
		      "city.environment.garbage", "小区门口垃圾堆积"), CREATED },
	{ C_EVENT, EV("110", "S2", "09:02", "320506001013",
		      "police.public_order.noise", "楼上噪音扰民"), CREATED },
	{ C_EVENT, "{\"channel\":\"wechat\",\"source_id\":\"S3\"}",
	  GF_EUNKNOWN, GF_OUTCOME_REJECTED },
	/* the same caller, the same family, the same village */
	{ C_EVENT, EV("12345", "S4", "09:05", "320506001012",
		      "city.environment.litter", "垃圾还是没人清理"), LINKED },
	/* a near duplicate from another channel */
	{ C_EVENT, "{\"channel\":\"grid\",\"source_id\":\"S5\","
		   "\"received_at\":\"2026-11-23T09:08:00+08:00\","
		   "\"region\":\"320506001012\",\"category\":"
		   "\"city.environment.garbage\",\"title\":\"小区门口垃圾堆积\"}",
	  LINKED },
	{ C_ACTION, ACT("sign", "12345:S1", "t320506001-cg", "", "09:10"),
	  APPLIED },
	{ C_ACTION, ACT("return", "110:S2", "t320506001-pcs",
			"\"reason\":\"不属于本单位职责\",", "09:11"), APPLIED },
	{ C_ACTION, ACT("dispatch", "110:S2", DESK,
			"\"dept\":\"d320506-ga\",", "09:12"), APPLIED },
	{ C_ACTION, ACT("handle", "12345:S1", "t320506001-cg",
			"\"reason\":\"已安排清运\",", "09:13"), APPLIED },
	/* the clocks' first steps */
	{ C_TIME, "2026-11-23T11:15:00+08:00", GF_OK, 0 },
	{ C_FLUSH, NULL, GF_OK, 0 },
};
#define NDAY (sizeof(day) / sizeof(day[0]))
#define MAX_ORDERS 8
#define MAX_HEARD 64

/* One run's record of what it was told. */
typedef struct call {
	int rc;
	gf_outcome outcome;     /* 0: no result */
	uint64_t ticket;
	char order[64];
	uint64_t qid;
} call;

typedef struct day_run {
	gf_config *cfg;
	PGconn *db;
	unsigned batch_max;
	long runs;
	char part[PART_SIZE];
	gf_engine *eng;         /* while open, for the durable callback */
	call calls[NDAY];
	/* as of the last durable ticket: the engine's state, its orders'
	 * report counts */
	uint64_t durable;
	char *dump;
	size_t norders;
	char order_id[MAX_ORDERS][64];
	size_t reports[MAX_ORDERS];
	/* the notices the host heard, "kind|order" */
	char heard[MAX_HEARD][96];
	size_t nheard;
} day_run;

static void on_heard(void *data, const gf_notice *n)
{
	day_run *r = data;
	ck_assert_uint_lt(r->nheard, MAX_HEARD);
	snprintf(r->heard[r->nheard++], sizeof(r->heard[0]), "%s|%s",
		 gf_notice_kind_name(gf_notice_kind_of(n)),
		 gf_notice_order(n) ? gf_notice_order(n) : "");
}

/* A dump without the next deadline: that is the event clock's and the
 * timers' (a step that could not be stored is due again at once), and
 * neither is stored; a reopen runs on from the stored records' time. */
static char *dump_stored(const gf_engine *eng)
{
	static const char key[] = "next_deadline=";
	char *d = dump_engine(eng), *p = strstr(d, key);
	ck_assert_ptr_nonnull(p);
	p += strlen(key);
	size_t n = strspn(p, "-0123456789");
	memmove(p, p + n, strlen(p + n) + 1);
	return d;
}

/* Changes up to ticket are stored: what the engine shows now is what a
 * reopen must show. Taken with memory to spare, as the host would. */
static void on_durable_dump(void *data, uint64_t ticket)
{
	day_run *r = data;
	fa_held h = fa_pause();
	ck_assert_uint_gt(ticket, r->durable);
	r->durable = ticket;
	free(r->dump);
	r->dump = r->eng ? dump_stored(r->eng) : NULL;
	r->norders = r->eng ? gf_engine_order_count(r->eng) : 0;
	ck_assert_uint_le(r->norders, MAX_ORDERS);
	for (size_t i = 0; i < r->norders; i++) {
		const gf_order *o = gf_engine_order_at(r->eng, i);
		snprintf(r->order_id[i], sizeof(r->order_id[i]), "%s",
			 gf_order_id(o));
		r->reports[i] = gf_order_report_count(o);
	}
	fa_resume(h);
}

static int call_day(gf_engine *eng, size_t i, const gf_result **res)
{
	*res = NULL;
	switch (day[i].kind) {
	case C_EVENT:
		return ingest(eng, day[i].text, res);
	case C_ACTION:
		return act_json(eng, day[i].text, res);
	case C_TIME:
		return gf_engine_set_time(eng, T(day[i].text));
	default:
		return gf_engine_flush(eng);
	}
}

/* Call i said rc: as with memory to spare, or out of memory, or (once
 * the engine failed) that it refuses; after an earlier call failed, an
 * action may find its order missing or in another state. */
static void said_cleanly(const day_run *r, size_t i, int rc, int diverged,
			 int refusing)
{
	int ok = rc == day[i].rc || rc == GF_ENOMEM || rc == GF_EIO;
	if (!ok && diverged)
		ok = rc == GF_ENOTFOUND || rc == GF_ESTATE || rc == GF_EPERM;
	ck_assert_msg(ok, "run %ld, call %zu: %s", r->runs, i, gf_errname(rc));
	ck_assert_msg(!refusing || rc == GF_EIO,
		      "run %ld, call %zu: %s from an engine that failed",
		      r->runs, i, gf_errname(rc));
	/* the first sign of trouble is the allocation's */
	ck_assert_msg(diverged || rc != GF_EIO, "run %ld, call %zu: EIO first",
		      r->runs, i);
}

static int quarantined(const gf_engine *eng, uint64_t id)
{
	for (size_t k = 0; k < gf_engine_quarantine_count(eng); k++)
		if (gf_quarantined_id(gf_engine_quarantine_at(eng, k)) == id)
			return 1;
	return 0;
}

/* What was acknowledged is in the reopened engine, and its tables. */
static void acknowledged_kept(day_run *r, gf_engine *re)
{
	char when[64];
	snprintf(when, sizeof(when), "after run %ld", r->runs);
	ck_assert_uint_eq(gf_engine_durable_ticket(re), r->durable);
	if (r->dump) {
		char *now = dump_stored(re);
		same_state("pg", r->dump, now, when);
		free(now);
	} else {
		ck_assert_uint_eq(gf_engine_order_count(re), 0);
		ck_assert_uint_eq(gf_engine_quarantine_count(re), 0);
	}
	for (size_t i = 0; i < NDAY; i++) {
		const call *c = &r->calls[i];
		if (!c->outcome || !c->ticket || c->ticket > r->durable)
			continue;
		if (c->order[0]) {
			const gf_order *o = gf_engine_order_find(re, c->order);
			ck_assert_msg(o != NULL, "run %ld, call %zu: order %s "
				      "lost", r->runs, i, c->order);
			size_t k = 0;
			while (k < r->norders &&
			       strcmp(r->order_id[k], c->order) != 0)
				k++;
			ck_assert_uint_lt(k, r->norders);
			ck_assert_uint_eq(gf_order_report_count(o),
					  r->reports[k]);
		}
		ck_assert_msg(!c->qid || quarantined(re, c->qid),
			      "run %ld, call %zu: quarantine entry %llu lost",
			      r->runs, i, (unsigned long long)c->qid);
	}
	/* the rows: the engine's, records 1..N, the outbox without gaps */
	assert_tables(r->db, r->part, re, 1);
	char got[96], want[96];
	part_s(r->db, got, sizeof(got),
	       "SELECT count(*) || ' ' || coalesce(min(seq), 0) || ' ' || "
	       "coalesce(max(seq), 0) FROM gf_record WHERE part = $1",
	       r->part);
	snprintf(want, sizeof(want), "%llu %d %llu",
		 (unsigned long long)r->durable, r->durable ? 1 : 0,
		 (unsigned long long)r->durable);
	ck_assert_msg(strcmp(got, want) == 0, "run %ld: records %s, want %s",
		      r->runs, got, want);
	ck_assert_int_eq(rows(r->db, "gf_quarantine", r->part, NULL),
			 (long long)gf_engine_quarantine_count(re));
	ck_assert_int_eq(part_ll(r->db,
				 "SELECT count(*) - coalesce(max(id), 0) FROM "
				 "gf_outbox WHERE part = $1",
				 r->part),
			 0);
	/* the outbox is what the host heard, in order */
	char out[MAX_HEARD * 96], said[MAX_HEARD * 96];
	size_t n = 0;
	said[0] = '\0';
	for (size_t i = 0; i < r->nheard; i++)
		n += (size_t)snprintf(said + n, sizeof(said) - n, "%s%s",
				      i ? "," : "", r->heard[i]);
	part_s(r->db, out, sizeof(out),
	       "SELECT coalesce(string_agg(kind || '|' || "
	       "coalesce(order_id, ''), ',' ORDER BY id), '') FROM gf_outbox "
	       "WHERE part = $1",
	       r->part);
	ck_assert_msg(strcmp(out, said) == 0,
		      "run %ld: the outbox holds\n%s\nthe host heard\n%s",
		      r->runs, out, said);
}

/* Open r->eng, or say out of memory; 1 when open. */
static int open_or_enomem(day_run *r, const gf_options *o)
{
	char err[512];
	int rc = gf_engine_open(&r->eng, o, err, sizeof(err));
	ck_assert_msg(rc == GF_OK || rc == GF_ENOMEM, "run %ld: open: %s: %s",
		      r->runs, gf_errname(rc), err);
	return rc == GF_OK;
}

/* Close r->eng: its last batch commits, or out of memory; 1 when it
 * did. */
static int close_or_enomem(day_run *r)
{
	int rc = gf_engine_close(r->eng);
	r->eng = NULL;
	ck_assert_msg(rc == GF_OK || rc == GF_ENOMEM, "run %ld: close: %s",
		      r->runs, gf_errname(rc));
	return rc == GF_OK;
}

/* The calls of the day on r->eng; 1 when each said what it says with
 * memory to spare. */
static int calls_of_the_day(day_run *r)
{
	int ok = 1, diverged = 0, refusing = 0;
	for (size_t i = 0; i < NDAY; i++) {
		call *c = &r->calls[i];
		const gf_result *res;
		c->rc = call_day(r->eng, i, &res);
		said_cleanly(r, i, c->rc, diverged, refusing);
		if (c->rc != day[i].rc) {
			ok = 0;
			diverged = 1;
		}
		refusing |= c->rc == GF_EIO;
		/* a result is what the host acknowledges by */
		ck_assert_msg(!res || (c->rc != GF_ENOMEM && c->rc != GF_EIO),
			      "run %ld, call %zu: a result with %s", r->runs,
			      i, gf_errname(c->rc));
		ck_assert_msg(res || day[i].kind > C_ACTION ||
				      c->rc == GF_ENOMEM || c->rc == GF_EIO,
			      "run %ld, call %zu: %s without a result",
			      r->runs, i, gf_errname(c->rc));
		if (!res)
			continue;
		c->outcome = gf_result_outcome(res);
		c->ticket = gf_result_ticket(res);
		c->qid = gf_result_quarantine_id(res);
		if (gf_result_order(res))
			snprintf(c->order, sizeof(c->order), "%s",
				 gf_result_order(res));
	}
	return ok;
}

/* With memory to spare the day is what it claims to be: each call's
 * outcome, and SLA steps stored after the last action. (A run with a
 * failure may say OK all along and still differ: a near duplicate the
 * index had no room for makes its own order.) */
static void the_whole_day(const day_run *r)
{
	uint64_t last = 0;
	for (size_t i = 0; i < NDAY; i++) {
		ck_assert_msg(r->calls[i].outcome == day[i].outcome,
			      "call %zu: %s", i,
			      gf_outcome_name(r->calls[i].outcome));
		if (r->calls[i].ticket > last)
			last = r->calls[i].ticket;
	}
	ck_assert_uint_gt(r->durable, last);
}

/* The day in a new partition, then a reopen (the replay, the lease
 * taken again), with allocations failing as set; then the check, with
 * memory to spare. 1 when nothing failed. */
static int run_day(void *arg)
{
	day_run *r = arg;
	int whole = alloc_left < 0;
	gf_options o = pg_opts(r->cfg, part_name(r->part, "oom"));
	o.batch_max = r->batch_max;
	o.batch_delay_ms = 60000;   /* a batch goes when full, not by time */
	o.durable = on_durable_dump;
	o.durable_data = r;
	o.notice = on_heard;
	o.notice_data = r;
	r->runs++;
	r->durable = 0;
	free(r->dump);
	r->dump = NULL;
	r->norders = 0;
	r->nheard = 0;
	memset(r->calls, 0, sizeof(r->calls));

	int ok = open_or_enomem(r, &o);
	if (ok) {
		ok = calls_of_the_day(r);
		ok &= close_or_enomem(r);
	}
	/* it changes nothing: the check below holds for it too */
	if (open_or_enomem(r, &o))
		ok &= close_or_enomem(r);
	else
		ok = 0;

	fa_held h = fa_pause();
	if (whole)
		the_whole_day(r);
	gf_options again = pg_opts(r->cfg, r->part);
	gf_engine *re = open_ok(&again);
	acknowledged_kept(r, re);
	ck_assert_int_eq(gf_engine_close(re), GF_OK);
	fa_resume(h);
	return ok;
}

/* _i & 1: group commit, three records a batch (else a commit per call);
 * _i & 2: only the one allocation fails (else it and all after it) */
START_TEST(every_allocation_may_fail)
{
	day_run r;
	memset(&r, 0, sizeof(r));
	/* commits that do not wait for the disk: the suite makes hundreds,
	 * and what it checks is what committed, not a server crash */
	ck_assert_int_eq(setenv("PGOPTIONS", "-c synchronous_commit=off", 1),
			 0);
	r.cfg = example_config();
	r.db = db();
	r.batch_max = _i & 1 ? 3 : 0;
	fa_sweep_runs(run_day, &r, 50, 1, _i & 2);
	free(r.dump);
	PQfinish(r.db);
	gf_config_free(r.cfg);
}
END_TEST

/* a sweep takes about 10 s, under ASan too */
SU_MAKE_SUITE("pgoom", 120, 4, every_allocation_may_fail)

GF_TEST_MAIN
