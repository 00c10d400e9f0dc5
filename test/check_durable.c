/*
 * check_durable.c - what a host may rely on once a call returns, on both
 * store backends (a loop test, _i the backend, as in check_store.c):
 *
 *   tickets     every stored change has a ticket, increasing over the
 *               store's life; the durable ticket and its callback follow
 *   group commit (pg) changes wait for the batch, and so do their
 *               notices, until a flush; notices without a record come by
 *               the next flush
 *   a crash     loses what was not durable, and only that
 *   one engine  per store; a version-1 gf_options still opens one
 */
#include "storeutil.h"

/* Event prefix+i, in village i so that no two are duplicates. */
static char *seq_event(const char *prefix, int i)
{
	char sid[32];
	snprintf(sid, sizeof(sid), "%s%d", prefix, i);
	return event_json("12345", sid, i, village((size_t)i % NVILLAGE),
			  "city.environment.garbage", "垃圾堆积", NULL);
}

/* Create event prefix+i; its ticket, id and lead as create() gives. */
static uint64_t create_seq(gf_engine *eng, const char *prefix, int i,
			   char *id, char *lead)
{
	return create_free(eng, seq_event(prefix, i), id, lead);
}

START_TEST(tickets_increase_and_become_durable)
{
	st s;
	st_begin(&s, _i, "ticket");
	/* the journal is durable before a call returns under GF_SYNC_EVERY
	 * only; pg commits before every call returns with batch_max 0 */
	s.o.sync = GF_SYNC_EVERY;
	s.o.batch_max = 0;
	st_durables(&s);
	const durables *d = &s.d;
	gf_engine *eng = st_open(&s);
	ck_assert_uint_eq(gf_engine_durable_ticket(eng), 0);
	uint64_t last = 0;
	const gf_result *r;
	char id[64], lead[64];
	for (int i = 0; i < 5; i++) {
		uint64_t t = create_seq(eng, "T", i, id, lead);
		ck_assert_uint_gt(t, last);
		ck_assert_uint_eq(gf_engine_durable_ticket(eng), t);
		ck_assert_uint_eq(d->last, t);
		last = t;
	}
	/* an action, a rejection (stored: it is in quarantine) */
	act_ok(eng, "sign", id, lead, 10, NULL);
	ck_assert_uint_gt(gf_engine_durable_ticket(eng), last);
	last = gf_engine_durable_ticket(eng);
	ck_assert_uint_eq(d->last, last);
	ck_assert_int_eq(ingest(eng, "{\"oops\"", &r), GF_EJSON);
	ck_assert_uint_gt(gf_result_ticket(r), last);
	last = gf_result_ticket(r);
	ck_assert_uint_eq(gf_engine_durable_ticket(eng), last);
	/* calls that store nothing have ticket 0 and move nothing */
	idempotent(ingest_free(eng, seq_event("T", 0), &r), &r, NULL);
	ck_assert_int_eq(actf(eng, &r,
			      "{\"op\":\"verify\",\"ref\":\"%s\",\"actor\":"
			      "\"%s\"}",
			      id, lead),
			 GF_EPERM);
	ck_assert_uint_eq(gf_result_ticket(r), 0);
	ck_assert_uint_eq(gf_engine_durable_ticket(eng), last);
	ck_assert_uint_eq(d->last, last);
	ck_assert_int_eq(d->went_back, 0);
	ck_assert_uint_ge(d->calls, 7);
	st_close(&s, eng);

	/* tickets go on increasing over the store's life */
	memset(&s.d, 0, sizeof(s.d));
	eng = st_open(&s);
	ck_assert_uint_eq(gf_engine_durable_ticket(eng), last);
	uint64_t t = create_seq(eng, "T", 5, id, lead);
	ck_assert_uint_gt(t, last);
	ck_assert_uint_eq(gf_engine_durable_ticket(eng), t);
	ck_assert_uint_eq(d->last, t);
	st_end(&s, eng);
}
END_TEST

/* Under GF_SYNC_INTERVAL the journal syncs inside a call once the
 * interval has passed: the durable ticket follows the sync and the host
 * hears of it. What no sync covered yet (a long interval, GF_SYNC_NEVER)
 * is not claimed, and the close, which syncs it, tells the host before
 * the engine is gone. pg commits every call here (batch_max 0): all is
 * durable when the call returns, whatever the policy. */
START_TEST(interval_and_close_report_durable)
{
	st s;
	st_begin(&s, _i, "interval");
	s.o.sync = GF_SYNC_INTERVAL;
	s.o.sync_interval_ms = 1;
	s.o.batch_max = 0;
	st_durables(&s);
	const durables *d = &s.d;
	gf_engine *eng = st_open(&s);
	uint64_t prev = 0, t = 0;
	for (int i = 0; i < 5; i++) {
		nap_ms(5);      /* more than the interval */
		t = create_seq(eng, "I", i, NULL, NULL);
		/* the call's first append synced every record before it; a
		 * call of one record is then durable as it returns */
		uint64_t got = gf_engine_durable_ticket(eng);
		ck_assert_msg(got >= prev && got <= t, "%s: event %d: durable "
			      "ticket %llu, want %llu..%llu", s.name, i,
			      (unsigned long long)got,
			      (unsigned long long)prev, (unsigned long long)t);
		if (t == prev + 1)
			ck_assert_uint_eq(got, t);
		ck_assert_uint_eq(d->last, got);
		prev = t;
	}
	st_close(&s, eng);
	ck_assert_uint_eq(d->last, t);

	/* nothing syncs within a call: a long interval, then none */
	static const gf_sync_policy pols[] = { GF_SYNC_INTERVAL,
					       GF_SYNC_NEVER };
	int i = 5;
	for (size_t p = 0; p < 2; p++) {
		s.o.sync = pols[p];
		s.o.sync_interval_ms = 600000;
		memset(&s.d, 0, sizeof(s.d));
		eng = st_open(&s);
		uint64_t opened = gf_engine_durable_ticket(eng);
		ck_assert_uint_eq(opened, t);
		for (int k = 0; k < 3; k++, i++)
			t = create_seq(eng, "I", i, NULL, NULL);
		if (s.backend == B_JOURNAL) {
			/* in the page cache only: not claimed */
			ck_assert_uint_eq(gf_engine_durable_ticket(eng),
					  opened);
			ck_assert_uint_eq(d->calls, 0);
		}
		st_close(&s, eng);
		ck_assert_msg(d->last == t, "%s: policy %d: the close said %llu "
			      "durable, want %llu", s.name, (int)pols[p],
			      (unsigned long long)d->last,
			      (unsigned long long)t);
		ck_assert_int_eq(d->went_back, 0);
	}
	st_end(&s, NULL);
}
END_TEST

START_TEST(group_commit_holds_notices_until_flush)
{
	st s;
	st_begin(&s, _i, "batch");
	s.o.sync = GF_SYNC_EVERY;
	s.o.batch_max = 50;
	s.o.batch_delay_ms = 60000;
	st_durables(&s);
	st_listen(&s);
	const durables *d = &s.d;
	const heard *h = s.h;
	gf_engine *eng = st_open(&s);
	char id[10][64];
	uint64_t last = 0;
	for (int i = 0; i < 10; i++) {
		uint64_t t = create_seq(eng, "B", i, id[i], NULL);
		ck_assert_uint_gt(t, last);
		last = t;
		if (s.backend == B_JOURNAL) {
			/* the journal has no batches: batch_max is a pg
			 * option, and under GF_SYNC_EVERY each call is
			 * durable, and announced, before it returns */
			ck_assert_uint_eq(gf_engine_durable_ticket(eng), t);
			ck_assert_uint_eq(d->last, t);
			ck_assert_uint_eq(h->n, (size_t)i + 1);
		}
	}
	if (s.backend == B_PG) {
		/* decided, not yet stored: nothing durable, nothing told */
		ck_assert_uint_lt(gf_engine_durable_ticket(eng), last);
		ck_assert_uint_eq(d->calls, 0);
		ck_assert_uint_eq(h->n, 0);
	}
	ck_assert_int_eq(gf_engine_flush(eng), GF_OK);
	ck_assert_uint_eq(gf_engine_durable_ticket(eng), last);
	ck_assert_uint_eq(d->last, last);
	ck_assert_int_eq(d->went_back, 0);
	/* the held notices, in the order of their changes */
	ck_assert_uint_eq(h->n, 10);
	for (int i = 0; i < 10; i++) {
		ck_assert_int_eq(h->v[i].kind, GF_NOTICE_DISPATCHED);
		ck_assert_str_eq(h->v[i].order, id[i]);
	}
	/* a flush with nothing new tells nothing new */
	ck_assert_int_eq(gf_engine_flush(eng), GF_OK);
	ck_assert_uint_eq(h->n, 10);
	ck_assert_uint_eq(gf_engine_durable_ticket(eng), last);
	st_end(&s, eng);
}
END_TEST

/* The warnings heard are want, after what. */
static void warnings_are(const st *s, size_t want, const char *what)
{
	size_t got = heard_kind(s->h, GF_NOTICE_WARNING);
	ck_assert_msg(got == want, "%s: %zu warnings %s, want %zu", s->name,
		      got, what, want);
}

/* Notices that come with no stored change (the warning of an engine
 * opened without a reporter key, a reload's) reach the host by the next
 * flush at the latest, and before the engine closes. */
START_TEST(notices_without_a_record_arrive_by_flush)
{
	st s;
	st_begin(&s, _i, "bare-note");
	s.o.reporter_key = NULL;
	s.o.reporter_key_len = 0;
	st_listen(&s);
	gf_engine *eng = st_open(&s);
	ck_assert_int_eq(gf_engine_flush(eng), GF_OK);
	warnings_are(&s, 1, "after open and flush (\"no reporter key\")");
	ck_assert_int_eq(gf_engine_reload(eng, s.cfg), GF_OK);
	ck_assert_int_eq(gf_engine_flush(eng), GF_OK);
	warnings_are(&s, 2, "after a reload and a flush");
	st_close(&s, eng);
	warnings_are(&s, 2, "after close");
	st_end(&s, NULL);
}
END_TEST

/* What the crash child does and whom it tells. */
typedef struct crash_plan {
	const st *s;
	int flushed, loose;
} crash_plan;

/* The child of the crash test: ingest `flushed` events and flush, then
 * `loose` more, and die without closing. It says '+' when all went as
 * planned, or why not (its exit status is valgrind's under valgrind).
 * Plain checks, no Check calls: this is not the test's process. */
static void crash_child(const void *arg, int report)
{
	const crash_plan *p = arg;
	gf_options o = p->s->o;
	o.batch_max = 50;
	o.batch_delay_ms = 60000;
	o.lease_ms = 300;       /* the parent takes over soon after */
	gf_engine **eng = child_engine();
	char err[256], how = '+';
	if (gf_engine_open(eng, &o, err, sizeof(err)) != GF_OK) {
		fprintf(stderr, "crash child: open: %s\n", err);
		how = 'o';
	}
	for (int i = 0; how == '+' && i < p->flushed + p->loose; i++) {
		if (i == p->flushed && gf_engine_flush(*eng) != GF_OK) {
			how = 'f';
			break;
		}
		char *j = seq_event("K", i);
		const gf_result *r;
		int rc = ingest(*eng, j, &r);
		free(j);
		if (rc != GF_OK || gf_result_outcome(r) != GF_OUTCOME_CREATED)
			how = 'i';
	}
	if (write(report, &how, 1) != 1)
		_exit(2);
	_exit(0);
}

START_TEST(a_crash_loses_only_what_was_not_durable)
{
	st s;
	st_begin(&s, _i, "crash");
	const crash_plan plan = { &s, 3, 4 };
	const int all = plan.flushed + plan.loose;
	pid_t pid;
	char how = fork_child(crash_child, &plan, &pid);
	int status = reap(pid);
	ck_assert_msg(how == '+', "the crash child failed: %s (status %d)",
		      how == 0     ? "it said nothing"
		      : how == 'o' ? "open"
		      : how == 'f' ? "flush"
				   : "ingest",
		      status);

	/* the child's pg lease lapses 300 ms after its last commit */
	gf_engine *eng = NULL;
	char err[512];
	int rc = open_when_free(&eng, &s.o, err, sizeof(err), 5000, 50);
	ck_assert_msg(rc == GF_OK, "%s: reopen after the crash: %s: %s",
		      s.name, gf_errname(rc), err);
	/* pg: what was flushed is there, the batch after it is lost. The
	 * journal keeps every record it appended (batch_max is ignored and
	 * a crash of the process loses nothing, whatever the sync policy) */
	int kept = s.backend == B_PG ? plan.flushed : all;
	ck_assert_uint_eq(gf_engine_order_count(eng), (size_t)kept);
	for (int i = 0; i < all; i++) {
		char ref[32];
		snprintf(ref, sizeof(ref), "12345:K%d", i);
		ck_assert_msg((gf_engine_order_find(eng, ref) != NULL) ==
				      (i < kept),
			      "%s: %s %s", s.name, ref,
			      i < kept ? "is lost"
				       : "was never flushed, yet is there");
	}
	/* the host delivers the lost ones again: new orders, and the store
	 * goes on from where its durable records end */
	for (int i = kept; i < all; i++)
		create_seq(eng, "K", i, NULL, NULL);
	ck_assert_uint_eq(gf_engine_order_count(eng), (size_t)all);
	eng = st_reopen(&s, eng, "after the crash and re-delivery");
	st_end(&s, eng);
}
END_TEST

/* One engine per store: a second gets GF_EBUSY, and the store once the
 * first closes. */
START_TEST(one_engine_per_store)
{
	st s;
	st_begin(&s, _i, "busy");
	gf_engine *eng = st_open(&s);
	create_seq(eng, "E", 0, NULL, NULL);
	gf_engine *two = NULL;
	char err[512];
	ck_assert_int_eq(gf_engine_open(&two, &s.o, err, sizeof(err)), GF_EBUSY);
	ck_assert_ptr_null(two);
	ck_assert_str_ne(err, "");
	/* the first engine is unharmed */
	create_seq(eng, "E", 1, NULL, NULL);
	st_close(&s, eng);
	two = st_open(&s);
	ck_assert_uint_eq(gf_engine_order_count(two), 2);
	st_end(&s, two);
}
END_TEST

START_TEST(options_version_1_still_open)
{
	st s;
	st_begin(&s, _i, "v1");
	/* exactly a v1 struct on the heap: reading a v2 field past its end
	 * is an error under ASan and valgrind */
	gf_options_v1 *o1 = malloc(sizeof(*o1));
	ck_assert_ptr_nonnull(o1);
	memset(o1, 0xA5, sizeof(*o1));
	ck_assert_int_eq(gf_options_init((gf_options *)o1, 1), GF_OK);
	ck_assert_uint_eq(o1->version, 1);
	ck_assert_ptr_null(o1->store);
	ck_assert_ptr_null(o1->notice);
	o1->config = s.cfg;
	o1->store = s.spec;  /* pg: version 1 has no partition: "default" */
	o1->clock = GF_CLOCK_EVENT;
	o1->sync = GF_SYNC_EVERY;
	o1->reporter_key = s.o.reporter_key;
	o1->reporter_key_len = s.o.reporter_key_len;
	const gf_options *o = (const gf_options *)o1;
	gf_engine *eng = NULL;
	char err[512];
	/* pg: an engine of an earlier run that died holding "default"
	 * keeps it until its lease (30 s by default) lapses */
	int rc = open_when_free(&eng, o, err, sizeof(err), 35000, 100);
	ck_assert_msg(rc == GF_OK, "%s: open with v1 options: %s: %s", s.name,
		      gf_errname(rc), err);
	/* "default" may hold other suites' orders: a source id of our own */
	size_t before = gf_engine_order_count(eng);
	char sid[40], id[64];
	snprintf(sid, sizeof(sid), "V1-%s", s.backend == B_PG ? s.part : "j");
	const gf_result *r;
	ck_assert_int_eq(ingest_free(eng,
				     event_json("12345", sid, 0, "320506001012",
						"city.environment.garbage",
						"旧版选项", NULL),
				     &r),
			 GF_OK);
	/* a new order (an earlier run's may make it a suspected duplicate) */
	ck_assert_msg(gf_result_outcome(r) == GF_OUTCOME_CREATED ||
			      gf_result_outcome(r) == GF_OUTCOME_SUSPECTED,
		      "%s", gf_outcome_name(gf_result_outcome(r)));
	snprintf(id, sizeof(id), "%s", gf_result_order(r));
	uint64_t t = gf_result_ticket(r);
	ck_assert_uint_gt(t, 0);
	/* v1 means no batching: durable before the call returns */
	ck_assert_uint_eq(gf_engine_durable_ticket(eng), t);
	ck_assert_int_eq(gf_engine_close(eng), GF_OK);
	rc = gf_engine_open(&eng, o, err, sizeof(err));
	ck_assert_msg(rc == GF_OK, "%s: reopen with v1 options: %s: %s",
		      s.name, gf_errname(rc), err);
	ck_assert_uint_eq(gf_engine_order_count(eng), before + 1);
	char ref[64];
	snprintf(ref, sizeof(ref), "12345:%s", sid);
	ck_assert_str_eq(gf_order_id(order_of(eng, ref)), id);
	ck_assert_int_eq(gf_engine_close(eng), GF_OK);
	/* an unknown version is refused, with a message */
	o1->version = GF_OPTIONS_VERSION + 1;
	ck_assert_int_eq(gf_engine_open(&eng, o, err, sizeof(err)), GF_EVERSION);
	ck_assert_str_ne(err, "");
	ck_assert_int_eq(gf_options_init((gf_options *)o1,
					 GF_OPTIONS_VERSION + 1),
			 GF_EVERSION);
	free(o1);
	st_end(&s, NULL);
}
END_TEST

/* the pg variants wait on a server, the crash test on a lease */
SU_MAKE_SUITE("durable", 60, B_COUNT,
	      tickets_increase_and_become_durable,
	      interval_and_close_report_durable,
	      group_commit_holds_notices_until_flush,
	      notices_without_a_record_arrive_by_flush,
	      a_crash_loses_only_what_was_not_durable,
	      one_engine_per_store,
	      options_version_1_still_open)

GF_TEST_MAIN
