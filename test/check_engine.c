/*
 * check_engine.c - the pipeline: idempotent ingestion, order ids, the
 * clock, reporter hashing, and recovery from the journal (replay, torn
 * tail, corruption, locking).
 */
#include <fcntl.h>
#include <sys/stat.h>

#include "fixture.h"

static char *dir;
static char store[700];
static char path[600];

static void setup(void)
{
	dir = fx_tmpdir();
	snprintf(path, sizeof(path), "%s/j.journal", dir);
	snprintf(store, sizeof(store), "journal:%s", path);
}

static void teardown(void)
{
	fx_rmdir(dir);
}

START_TEST(redelivery_is_idempotent)
{
	gf_engine *eng = fx_open(NULL, NULL);
	char buf[1024];
	const gf_result *r;
	const char *id = fx_create(eng, "HL1", 0);
	char first[64];
	snprintf(first, sizeof(first), "%s", id);
	fx_event(buf, sizeof(buf), "12345", "HL1", 30, "320506001002",
		 "city.environment.garbage");
	ck_assert_int_eq(gf_engine_ingest_json(eng, buf, strlen(buf), &r),
			 GF_OK);
	ck_assert_int_eq(gf_result_outcome(r), GF_OUTCOME_IDEMPOTENT);
	ck_assert_str_eq(gf_result_order(r), first);
	ck_assert_uint_eq(gf_engine_order_count(eng), 1);
	ck_assert_uint_eq(gf_order_report_count(gf_engine_order_at(eng, 0)), 1);
	/* the same source id on another channel is another report */
	fx_event(buf, sizeof(buf), "110", "HL1", 31, "320506001002",
		 "police.fight");
	ck_assert_int_eq(gf_engine_ingest_json(eng, buf, strlen(buf), &r),
			 GF_OK);
	ck_assert_int_eq(gf_result_outcome(r), GF_OUTCOME_CREATED);
	ck_assert_str_eq(gf_result_ref(r), "110:HL1");
	ck_assert_uint_eq(gf_engine_order_count(eng), 2);
	gf_engine_close(eng);
}
END_TEST

START_TEST(order_ids_follow_the_local_day)
{
	gf_engine *eng = fx_open(NULL, NULL);
	const char *a = fx_create(eng, "HL1", 0);
	ck_assert_str_eq(a, "WO20261123000001");
	ck_assert_str_eq(fx_create(eng, "HL2", 1), "WO20261123000002");
	/* the date is the one the reporting system wrote, at its offset */
	const char *late = "{\"channel\":\"grid\",\"source_id\":\"WG1\","
			   "\"received_at\":\"2026-11-24T00:10:00+08:00\","
			   "\"region\":\"320506001001\",\"category\":\"city\"}";
	const gf_result *r;
	ck_assert_int_eq(gf_engine_ingest_json(eng, late, strlen(late), &r),
			 GF_OK);
	ck_assert_str_eq(gf_result_order(r), "WO20261124000001");
	const char *utc = "{\"channel\":\"grid\",\"source_id\":\"WG2\","
			  "\"received_at\":\"2026-11-23T23:30:00Z\","
			  "\"region\":\"320506001001\",\"category\":\"city\"}";
	ck_assert_int_eq(gf_engine_ingest_json(eng, utc, strlen(utc), &r),
			 GF_OK);
	ck_assert_str_eq(gf_result_order(r), "WO20261123000003");
	gf_engine_close(eng);
}
END_TEST

START_TEST(event_clock_moves_forward_only)
{
	gf_engine *eng = fx_open(NULL, NULL);
	gf_time t0;
	ck_assert_int_eq(gf_time_parse(&t0, NULL, "2026-11-23T09:10:00+08:00",
				       25), GF_OK);
	fx_create(eng, "HL1", 10);
	ck_assert(gf_engine_now(eng) == t0);
	ck_assert_int_eq(gf_engine_set_time(eng, t0 - 60000), GF_OK);
	ck_assert(gf_engine_now(eng) == t0);
	/* a late-arriving older event does not move the clock back */
	fx_create(eng, "HL2", 0);
	ck_assert(gf_engine_now(eng) == t0);
	ck_assert(gf_order_created_at(gf_engine_order_at(eng, 1)) == t0);
	ck_assert_int_eq(gf_engine_set_time(eng, t0 + 60000), GF_OK);
	ck_assert(gf_engine_now(eng) == t0 + 60000);
	gf_engine_close(eng);

	/* the wall clock cannot be set */
	gf_config *cfg = fx_config();
	gf_options o = GF_OPTIONS_INIT;
	o.config = cfg;
	ck_assert_int_eq(gf_engine_open(&eng, &o, NULL, 0), GF_OK);
	gf_config_free(cfg);
	ck_assert_int_eq(gf_engine_set_time(eng, 0), GF_EINVAL);
	ck_assert(gf_engine_now(eng) > t0 - 86400000LL * 365 * 2);
	gf_engine_close(eng);
}
END_TEST

START_TEST(phones_are_keyed_hashes)
{
	gf_engine *eng = fx_open(NULL, NULL);
	fx_create(eng, "HL1", 0);
	const gf_report *rep = gf_order_report(gf_engine_order_at(eng, 0), 0);
	const char *h = gf_report_reporter(rep);
	ck_assert_ptr_nonnull(h);
	ck_assert_uint_eq(strlen(h), 64);
	ck_assert_ptr_null(strstr(gf_report_json(rep), "13800000001"));
	ck_assert_ptr_null(strstr(gf_report_json(rep), "138-0000-0001"));
	/* the same number written differently hashes the same */
	const char *ev2 = "{\"channel\":\"110\",\"source_id\":\"JJ1\","
			  "\"received_at\":\"2026-11-23T09:01:00+08:00\","
			  "\"region\":\"320506001001\",\"category\":\"police.fight\","
			  "\"reporter\":{\"phone\":\"+86 13800000001\"}}";
	const gf_result *r;
	ck_assert_int_eq(gf_engine_ingest_json(eng, ev2, strlen(ev2), &r),
			 GF_OK);
	ck_assert_str_eq(
		gf_report_reporter(gf_order_report(gf_engine_order_at(eng, 1), 0)),
		h);
	gf_engine_close(eng);

	/* without a key phones are dropped, with a warning at open */
	gf_config *cfg = fx_config();
	fx_notices n;
	memset(&n, 0, sizeof(n));
	gf_options o = GF_OPTIONS_INIT;
	o.config = cfg;
	o.clock = GF_CLOCK_EVENT;
	o.notice = fx_on_notice;
	o.notice_data = &n;
	ck_assert_int_eq(gf_engine_open(&eng, &o, NULL, 0), GF_OK);
	gf_config_free(cfg);
	ck_assert_int_eq(n.count[GF_NOTICE_WARNING], 1);
	ck_assert_ptr_nonnull(strstr(n.last[GF_NOTICE_WARNING], "reporter key"));
	fx_create(eng, "HL1", 0);
	ck_assert_ptr_null(
		gf_report_reporter(gf_order_report(gf_engine_order_at(eng, 0), 0)));
	gf_engine_close(eng);
}
END_TEST

/* A scenario with every kind of record, for the journal tests. */
static void scenario(gf_engine *eng)
{
	char buf[1024];
	const gf_result *r;
	fx_create(eng, "HL1", 0);
	fx_create(eng, "HL2", 1);
	fx_create(eng, "HL3", 2);
	fx_act(eng, "{\"op\":\"dispatch\",\"ref\":\"12345:HL1\",\"actor\":\"sz-zhzx\","
		    "\"dept\":\"t-cq-cg\",\"at\":\"2026-11-23T09:05:00+08:00\"}");
	fx_act(eng, "{\"op\":\"sign\",\"ref\":\"12345:HL1\",\"actor\":\"t-cq-cg\"}");
	fx_act(eng, "{\"op\":\"return\",\"ref\":\"12345:HL1\",\"actor\":\"t-cq-cg\","
		    "\"reason\":\"非本辖区\"}");
	fx_act(eng, "{\"op\":\"merge\",\"ref\":\"12345:HL3\",\"actor\":\"sz-zhzx\","
		    "\"into\":\"12345:HL2\",\"id\":\"m1\"}");
	fx_act(eng, "{\"op\":\"split\",\"ref\":\"12345:HL3\",\"actor\":\"sz-zhzx\"}");
	fx_act(eng, "{\"op\":\"cancel\",\"ref\":\"12345:HL2\",\"actor\":\"sz-zhzx\","
		    "\"reason\":\"无效\"}");
	const char *bad = "{\"channel\":\"wechat\",\"source_id\":\"X\"}";
	ck_assert_int_eq(gf_engine_ingest_json(eng, bad, strlen(bad), &r),
			 GF_EUNKNOWN);
	fx_event(buf, sizeof(buf), "grid", "WG1", 20, "320506103001",
		 "city.environment.garbage");
	ck_assert_int_eq(gf_engine_ingest_json(eng, buf, strlen(buf), &r),
			 GF_OK);
}

/* Everything a test compares between two engines. */
static void snapshot(gf_engine *eng, char *out, size_t size)
{
	size_t n = 0;
	out[0] = '\0';
	for (size_t i = 0; i < gf_engine_order_count(eng); i++) {
		const gf_order *o = gf_engine_order_at(eng, i);
		n += (size_t)snprintf(out + n, size - n, "%s %s %s %s r%u m%s |",
				      gf_order_id(o),
				      gf_state_name(gf_order_state(o)),
				      gf_order_lead(o), gf_order_rule(o),
				      gf_order_return_count(o),
				      gf_order_merged_into(o) ? gf_order_merged_into(o) : "-");
		for (size_t k = 0; k < gf_order_report_count(o); k++)
			n += (size_t)snprintf(out + n, size - n, " %s",
					      gf_report_ref(gf_order_report(o, k)));
		for (size_t k = 0; k < gf_order_audit_count(o); k++) {
			const gf_audit *a = gf_order_audit(o, k);
			n += (size_t)snprintf(out + n, size - n, " [%s %s %lld %s]",
					      gf_audit_what(a),
					      gf_audit_actor_dept(a),
					      (long long)gf_audit_time(a),
					      gf_audit_reason(a));
		}
		n += (size_t)snprintf(out + n, size - n, "\n");
	}
	n += (size_t)snprintf(out + n, size - n, "quarantine %zu now %lld\n",
			      gf_engine_quarantine_count(eng),
			      (long long)gf_engine_now(eng));
}

START_TEST(journal_replays_to_the_same_state)
{
	static char before[16384], after[16384], mem[16384];
	gf_engine *eng = fx_open(store, NULL);
	scenario(eng);
	snapshot(eng, before, sizeof(before));
	ck_assert_int_eq(gf_engine_close(eng), GF_OK);

	/* the same scenario in memory gives the same state */
	eng = fx_open(NULL, NULL);
	scenario(eng);
	snapshot(eng, mem, sizeof(mem));
	gf_engine_close(eng);
	ck_assert_str_eq(before, mem);

	eng = fx_open(store, NULL);
	snapshot(eng, after, sizeof(after));
	ck_assert_str_eq(before, after);
	ck_assert_uint_eq(gf_engine_order_count(eng), 5);
	/* keys of applied actions survive too */
	const gf_result *r;
	const char *again = "{\"op\":\"merge\",\"ref\":\"12345:HL1\","
			    "\"actor\":\"sz-zhzx\",\"into\":\"12345:HL2\",\"id\":\"m1\"}";
	ck_assert_int_eq(gf_engine_apply_json(eng, again, strlen(again), &r),
			 GF_OK);
	ck_assert_int_eq(gf_result_outcome(r), GF_OUTCOME_IDEMPOTENT);
	/* new orders after a restart get fresh ids */
	const char *id = fx_create(eng, "HL99", 30);
	ck_assert_ptr_null(strstr(before, id));
	/* re-feeding the whole scenario changes nothing that was stored */
	gf_engine_close(eng);
	eng = fx_open(store, NULL);
	snapshot(eng, before, sizeof(before));
	gf_engine_close(eng);
}
END_TEST

/* json-c cuts a key at an escaped NUL, so "ref\u0000x" would read as
 * "ref" and the action would change an order it does not name: both
 * JSON entry points refuse it, naming the object, and nothing changes. */
START_TEST(action_keys_cut_at_nul_are_refused)
{
	gf_engine *eng = fx_open(NULL, NULL);
	char id[64];
	snprintf(id, sizeof(id), "%s", fx_create(eng, "HN1", 0));
	const char *lines[] = {
		"{\"op\":\"cancel\",\"ref\\u0000x\":\"12345:HN1\","
		"\"actor\":\"sz-zhzx\",\"reason\":\"dup\"}",
		"{\"op\":\"cancel\",\"ref\":\"12345:HN1\","
		"\"actor\":\"sz-zhzx\",\"reason\":\"dup\","
		"\"id\\u0000\":\"k1\"}",
	};
	for (size_t i = 0; i < 2; i++) {
		const gf_result *r;
		const char *l = lines[i];
		int rc = gf_engine_apply_json(eng, l, strlen(l), &r);
		ck_assert_msg(rc == GF_EUTF8, "apply %zu: %s", i,
			      gf_errname(rc));
		ck_assert_str_eq(gf_result_error_field(r), "$");
		rc = gf_engine_submit_json(eng, l, strlen(l), &r);
		ck_assert_msg(rc == GF_EUTF8, "submit %zu: %s", i,
			      gf_errname(rc));
		ck_assert_str_eq(gf_result_error_field(r), "$");
	}
	const gf_order *o = gf_engine_order_find(eng, id);
	ck_assert_ptr_nonnull(o);
	ck_assert_str_eq(gf_state_name(gf_order_state(o)), "dispatched");
	/* the same action, written plainly, applies */
	const char *plain = "{\"op\":\"cancel\",\"ref\":\"12345:HN1\","
			    "\"actor\":\"sz-zhzx\",\"reason\":\"dup\"}";
	ck_assert_int_eq(fx_act(eng, plain), GF_OK);
	gf_engine_close(eng);
}
END_TEST

/* Whether s is whole UTF-8 characters: no lead byte without all of its
 * continuation bytes, no stray continuation byte. */
static int whole_utf8(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	while (*p) {
		int more = *p < 0x80 ? 0 : *p >= 0xF0 ? 3 : *p >= 0xE0 ? 2
			 : *p >= 0xC0 ? 1 : -1;
		if (more < 0)
			return 0;
		p++;
		while (more-- > 0)
			if ((*p++ & 0xC0) != 0x80)
				return 0;
	}
	return 1;
}

/* A refused action quotes the bad value in its message, cut short, but
 * at a character boundary: the message is text, and hosts (gridflow
 * replay's NDJSON) pass it on as such. */
START_TEST(refusals_quote_whole_characters)
{
	gf_engine *eng = fx_open(NULL, NULL);
	fx_create(eng, "HQ1", 0);
	/* 2 + 21 * 3 bytes: 64 bytes end inside the 21st character */
	char long_cn[80] = "ab";
	for (int i = 0; i < 21; i++)
		strcat(long_cn, "中");
	const char *fmt[] = {
		"{\"op\":\"%s\",\"ref\":\"12345:HQ1\",\"actor\":\"sz-zhzx\"}",
		"{\"op\":\"callback\",\"ref\":\"12345:HQ1\","
		"\"actor\":\"sz-zhzx\",\"satisfaction\":\"%s\"}",
		"{\"op\":\"sign\",\"ref\":\"12345:HQ1\",\"actor\":\"t-cq-cg\","
		"\"at\":\"%s\"}",
	};
	for (size_t i = 0; i < 3; i++) {
		char line[512];
		const gf_result *r;
		snprintf(line, sizeof(line), fmt[i], long_cn);
		int rc = gf_engine_submit_json(eng, line, strlen(line), &r);
		ck_assert_msg(rc == GF_EVALUE || rc == GF_ETIME, "%zu: %s", i,
			      gf_errname(rc));
		ck_assert_ptr_nonnull(r);
		ck_assert_int_eq(gf_result_outcome(r), GF_OUTCOME_REFUSED);
		ck_assert_msg(whole_utf8(gf_result_error_message(r)),
			      "%zu: the message cuts a character: %s", i,
			      gf_result_error_message(r));
		ck_assert_ptr_nonnull(strstr(gf_result_error_message(r),
					     "ab中中中"));
	}
	gf_engine_close(eng);
}
END_TEST

static off_t file_size(const char *p)
{
	struct stat st;
	ck_assert_int_eq(stat(p, &st), 0);
	return st.st_size;
}

START_TEST(torn_tail_is_cut_with_a_warning)
{
	static char before[16384], after[16384];
	gf_engine *eng = fx_open(store, NULL);
	scenario(eng);
	snapshot(eng, before, sizeof(before));
	gf_engine_close(eng);
	off_t good = file_size(path);

	/* a crash mid-write: a record header and half a payload */
	int fd = open(path, O_WRONLY | O_APPEND);
	ck_assert_int_ge(fd, 0);
	unsigned char torn[] = { 200, 0, 0, 0, 1, 2, 3, 4, 1, 9, 9, 9 };
	ck_assert_int_eq(write(fd, torn, sizeof(torn)), (ssize_t)sizeof(torn));
	close(fd);

	fx_notices n;
	memset(&n, 0, sizeof(n));
	eng = fx_open(store, &n);
	snapshot(eng, after, sizeof(after));
	ck_assert_str_eq(before, after);
	ck_assert_int_ge(n.count[GF_NOTICE_WARNING], 1);
	ck_assert_ptr_nonnull(strstr(n.last[GF_NOTICE_WARNING], "torn"));
	ck_assert(file_size(path) == good);
	/* and the journal goes on from there */
	fx_create(eng, "HL50", 40);
	gf_engine_close(eng);
	eng = fx_open(store, NULL);
	ck_assert_uint_eq(gf_engine_order_count(eng), 6);
	gf_engine_close(eng);
}
END_TEST

START_TEST(corruption_in_the_middle_names_its_offset)
{
	gf_engine *eng = fx_open(store, NULL);
	scenario(eng);
	gf_engine_close(eng);
	off_t size = file_size(path);

	/* damage a byte well inside the file */
	off_t at = size / 2;
	int fd = open(path, O_RDWR);
	ck_assert_int_ge(fd, 0);
	unsigned char c;
	ck_assert_int_eq(pread(fd, &c, 1, at), 1);
	c ^= 0x5a;
	ck_assert_int_eq(pwrite(fd, &c, 1, at), 1);
	close(fd);

	gf_config *cfg = fx_config();
	gf_options o = GF_OPTIONS_INIT;
	o.config = cfg;
	o.store = store;
	char err[512];
	ck_assert_int_eq(gf_engine_open(&eng, &o, err, sizeof(err)),
			 GF_ECORRUPT);
	gf_config_free(cfg);
	ck_assert_ptr_nonnull(strstr(err, "offset"));
	/* nothing was cut: the evidence stays for inspection */
	ck_assert(file_size(path) == size);
}
END_TEST

START_TEST(one_engine_per_journal)
{
	gf_engine *a = fx_open(store, NULL);
	gf_config *cfg = fx_config();
	gf_options o = GF_OPTIONS_INIT;
	o.config = cfg;
	o.store = store;
	gf_engine *b;
	char err[512];
	ck_assert_int_eq(gf_engine_open(&b, &o, err, sizeof(err)), GF_EBUSY);
	ck_assert_ptr_null(b);
	gf_engine_close(a);
	ck_assert_int_eq(gf_engine_open(&b, &o, err, sizeof(err)), GF_OK);
	gf_engine_close(b);
	gf_config_free(cfg);
}
END_TEST

/* A read-only engine replays its store and refuses every change; the
 * store is left exactly as it was. It runs beside the live engine (an
 * auditor's dump), and does not create a journal that is not there. */
START_TEST(read_only_open_changes_nothing)
{
	char *tmp = fx_tmpdir();
	char spec[512], err[256], missing[512], file[512];
	snprintf(spec, sizeof(spec), "journal:%s/j", tmp);
	snprintf(missing, sizeof(missing), "journal:%s/none", tmp);
	gf_engine *live = fx_open(spec, NULL);
	const char *id = fx_create(live, "RO1", 0);
	char want[64];
	snprintf(want, sizeof(want), "%s", id);

	gf_config *cfg = fx_config();
	gf_options o = GF_OPTIONS_INIT;
	o.config = cfg;
	o.store = missing;
	o.clock = GF_CLOCK_EVENT;
	o.read_only = 1;
	gf_engine *eng = NULL;
	ck_assert_int_eq(gf_engine_open(&eng, &o, err, sizeof(err)), GF_EIO);
	ck_assert_ptr_nonnull(strstr(err, "none"));
	snprintf(file, sizeof(file), "%s/none", tmp);
	ck_assert_int_ne(access(file, F_OK), 0);
	o.store = spec;
	ck_assert_int_eq(gf_engine_open(&eng, &o, err, sizeof(err)), GF_OK);
	ck_assert_uint_eq(gf_engine_order_count(eng), 1);
	ck_assert_str_eq(gf_order_id(gf_engine_order_at(eng, 0)), want);
	char buf[1024];
	const gf_result *r;
	fx_event(buf, sizeof(buf), "12345", "RO2", 5, "320506001001",
		 "city.environment.garbage");
	ck_assert_int_eq(gf_engine_ingest_json(eng, buf, strlen(buf), &r),
			 GF_EPERM);
	ck_assert_ptr_null(r);
	ck_assert_ptr_nonnull(strstr(gf_engine_errmsg(eng), "read-only"));
	ck_assert_int_eq(fx_act(eng, "{\"op\":\"sign\",\"ref\":\"12345:RO1\","
				     "\"actor\":\"t320506001-cg\"}"),
			 GF_EPERM);
	ck_assert_int_eq(gf_engine_set_time(eng, 1900000000000LL), GF_EPERM);
	ck_assert_int_eq(gf_engine_flush(eng), GF_OK);
	ck_assert_int_eq(gf_engine_close(eng), GF_OK);
	/* the live engine went on meanwhile */
	fx_create(live, "RO3", 7);
	ck_assert_int_eq(gf_engine_close(live), GF_OK);

	/* nothing was written: a writer finds the two orders and goes on */
	eng = fx_open(spec, NULL);
	ck_assert_uint_eq(gf_engine_order_count(eng), 2);
	fx_create(eng, "RO2", 5);
	gf_engine_close(eng);
	gf_config_free(cfg);
	fx_rmdir(tmp);
}
END_TEST

/* The event clock never goes back, a reopen included: an input that
 * stored nothing (a refused action without a key, gf_engine_set_time)
 * moved it, the close keeps that, and the same late event gets the same
 * times with and without a restart. (The reopened clock went back to
 * the last record's time: the late order was created two hours
 * earlier after the restart.) */
START_TEST(the_event_clock_survives_a_reopen)
{
	char *tmp = fx_tmpdir();
	char store_a[512], store_b[512];
	snprintf(store_a, sizeof(store_a), "journal:%s/a", tmp);
	snprintf(store_b, sizeof(store_b), "journal:%s/b", tmp);
	gf_engine *A = fx_open(store_a, NULL), *B = fx_open(store_b, NULL);
	gf_engine *both[2] = { A, B };
	gf_time noon = 1795406400000LL; /* 2026-11-23T12:00:00+08:00 */
	for (int i = 0; i < 2; i++) {
		fx_create(both[i], "C1", 0); /* 09:00 */
		ck_assert_int_eq(fx_act(both[i], "{\"op\":\"verify\",\"ref\":"
				 "\"12345:C1\",\"actor\":\"sz-zhzx\",\"at\":"
				 "\"2026-11-23T12:00:00+08:00\"}"),
				 GF_ESTATE);
		ck_assert_int_eq(gf_engine_now(both[i]), noon);
	}
	gf_engine_close(B);
	B = fx_open(store_b, NULL);
	ck_assert_int_eq(gf_engine_now(B), noon);
	char buf[1024];
	const gf_result *r;
	fx_event(buf, sizeof(buf), "12345", "C2", 60, "320506001002",
		 "city.environment.garbage"); /* received 10:00 */
	ck_assert_int_eq(gf_engine_ingest_json(A, buf, strlen(buf), &r), GF_OK);
	ck_assert_int_eq(gf_engine_ingest_json(B, buf, strlen(buf), &r), GF_OK);
	ck_assert_int_eq(
		gf_order_created_at(gf_engine_order_find(B, "12345:C2")),
		gf_order_created_at(gf_engine_order_find(A, "12345:C2")));
	/* set_time alone, then a flush: the same */
	ck_assert_int_eq(gf_engine_set_time(B, noon + 3600000), GF_OK);
	ck_assert_int_eq(gf_engine_flush(B), GF_OK);
	gf_engine_close(B);
	B = fx_open(store_b, NULL);
	ck_assert_int_eq(gf_engine_now(B), noon + 3600000);
	/* and a close with nothing new adds no record */
	uint64_t t = gf_engine_durable_ticket(B);
	gf_engine_close(B);
	B = fx_open(store_b, NULL);
	ck_assert_uint_eq(gf_engine_durable_ticket(B), t);
	gf_engine_close(A);
	gf_engine_close(B);
	fx_rmdir(tmp);
}
END_TEST

START_TEST(open_refuses_bad_options)
{
	gf_engine *eng;
	char err[256];
	gf_options o = GF_OPTIONS_INIT;
	ck_assert_int_eq(gf_engine_open(&eng, &o, err, sizeof(err)), GF_ECONFIG);
	ck_assert_ptr_null(eng);
	gf_config *cfg = fx_config();
	o.config = cfg;
	o.version = 99;
	ck_assert_int_eq(gf_engine_open(&eng, &o, err, sizeof(err)), GF_EVERSION);
	o.version = GF_OPTIONS_VERSION;
	/* a server that is not there: an I/O error naming PostgreSQL */
	o.store = "pg:host=/nonexistent/gridflow-socket-dir";
	ck_assert_int_eq(gf_engine_open(&eng, &o, err, sizeof(err)), GF_EIO);
	ck_assert_ptr_nonnull(strstr(err, "PostgreSQL: cannot connect"));
	o.store = "pg:host=/nonexistent/gridflow-socket-dir";
	o.partition = "no spaces";
	ck_assert_int_eq(gf_engine_open(&eng, &o, err, sizeof(err)), GF_EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "partition"));
	o.partition = NULL;
	o.store = "tape:x";
	ck_assert_int_eq(gf_engine_open(&eng, &o, err, sizeof(err)), GF_EINVAL);
	o.store = NULL;
	o.order_prefix = "W-O";
	ck_assert_int_eq(gf_engine_open(&eng, &o, err, sizeof(err)), GF_EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "order_prefix"));
	o.order_prefix = "SZ";
	o.clock = GF_CLOCK_EVENT;
	ck_assert_int_eq(gf_engine_open(&eng, &o, err, sizeof(err)), GF_OK);
	ck_assert_str_eq(fx_create(eng, "HL1", 0), "SZ20261123000001");
	gf_engine_close(eng);
	ck_assert_int_eq(gf_options_init(&o, GF_OPTIONS_VERSION), GF_OK);
	ck_assert_int_eq(gf_options_init(&o, 7), GF_EVERSION);

	/* a configuration with problems cannot open an engine */
	gf_config *bad;
	gf_config_new(&bad);
	gf_config_set_file(bad, "rules.json", "{}", 2);
	ck_assert_int_eq(gf_config_compile(bad), GF_ECONFIG);
	o.config = bad;
	ck_assert_int_eq(gf_engine_open(&eng, &o, err, sizeof(err)), GF_ECONFIG);
	gf_config_free(bad);
	gf_config_free(cfg);
	ck_assert_int_eq(gf_engine_close(NULL), GF_OK);
}
END_TEST

START_TEST(built_events_match_json)
{
	gf_engine *eng = fx_open(NULL, NULL);
	gf_event *ev;
	const gf_result *r;
	ck_assert_int_eq(gf_event_new(&ev), GF_OK);
	gf_event_set_channel(ev, "grid");
	gf_event_set_source_id(ev, "WG7");
	gf_event_set_received_at(ev, "2026-11-23T10:00:00+08:00");
	gf_event_set_region(ev, "320506001001");
	gf_event_set_grid(ev, "320506001001-01");
	gf_event_set_category(ev, "dispute.07.wage_arrears");
	gf_event_set_location(ev, 31.27, 120.60);
	gf_event_set_title(ev, "厂门口聚集讨薪");
	gf_event_set_attr_number(ev, "people", 12);
	ck_assert_int_eq(gf_engine_ingest(eng, ev, &r), GF_OK);
	ck_assert_int_eq(gf_result_outcome(r), GF_OUTCOME_CREATED);
	const gf_order *o = gf_engine_order_find(eng, "grid:WG7");
	ck_assert_ptr_nonnull(o);
	ck_assert_int_eq(gf_order_urgency(o), GF_URGENCY_URGENT);
	double lat = 0, lon = 0;
	ck_assert(gf_report_location(gf_order_report(o, 0), &lat, &lon));
	ck_assert(lat == 31.27 && lon == 120.60);
	ck_assert_ptr_nonnull(strstr(gf_report_json(gf_order_report(o, 0)),
				     "\"people\":12"));
	/* a built event with a bad field is rejected and kept */
	gf_event_reset(ev);
	gf_event_set_channel(ev, "grid");
	gf_event_set_source_id(ev, "WG8");
	gf_event_set_received_at(ev, "2026-11-23T10:00:00");
	gf_event_set_region(ev, "320506001001");
	gf_event_set_category(ev, "city");
	ck_assert_int_eq(gf_engine_ingest(eng, ev, &r), GF_ETIME);
	ck_assert_str_eq(gf_result_error_field(r), "$.received_at");
	ck_assert_str_eq(gf_result_ref(r), "grid:WG8");
	ck_assert_uint_eq(gf_engine_quarantine_count(eng), 1);
	gf_event_free(ev);
	gf_event_free(NULL);
	gf_engine_close(eng);
}
END_TEST

START_TEST(ids_survive_a_new_prefix)
{
	gf_engine *eng = fx_open(store, NULL);
	char a[64];
	snprintf(a, sizeof(a), "%s", fx_create(eng, "HL1", 0));
	fx_create(eng, "HL2", 1);
	gf_engine_close(eng);

	/* reopened under another prefix: old ids still resolve */
	gf_config *cfg = fx_config();
	gf_options o = GF_OPTIONS_INIT;
	o.config = cfg;
	o.store = store;
	o.clock = GF_CLOCK_EVENT;
	o.order_prefix = "SZ";
	ck_assert_int_eq(gf_engine_open(&eng, &o, NULL, 0), GF_OK);
	ck_assert_ptr_nonnull(gf_engine_order_find(eng, a));
	ck_assert_str_eq(gf_order_id(gf_engine_order_find(eng, "12345:HL2")),
			 "WO20261123000002");
	ck_assert_str_eq(fx_create(eng, "HL3", 2), "SZ20261123000001");
	ck_assert_int_eq(fx_act(eng, "{\"op\":\"sign\",\"ref\":\"WO20261123000001\","
				     "\"actor\":\"sz-zhzx\"}"), GF_OK);
	gf_engine_close(eng);

	/* and back: the counter continues past the stored ids */
	o.order_prefix = NULL;
	ck_assert_int_eq(gf_engine_open(&eng, &o, NULL, 0), GF_OK);
	gf_config_free(cfg);
	ck_assert_str_eq(fx_create(eng, "HL4", 3), "WO20261123000003");
	ck_assert_ptr_nonnull(gf_engine_order_find(eng, "SZ20261123000001"));
	ck_assert_ptr_null(gf_engine_order_find(eng, "WO20261123000009"));
	ck_assert_ptr_null(gf_engine_order_find(eng, "WO2026112"));
	gf_engine_close(eng);
}
END_TEST

static Suite *make_suite(void)
{
	Suite *s = suite_create("engine");
	TCase *tc = tcase_create("engine");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, redelivery_is_idempotent);
	tcase_add_test(tc, order_ids_follow_the_local_day);
	tcase_add_test(tc, event_clock_moves_forward_only);
	tcase_add_test(tc, phones_are_keyed_hashes);
	tcase_add_test(tc, journal_replays_to_the_same_state);
	tcase_add_test(tc, torn_tail_is_cut_with_a_warning);
	tcase_add_test(tc, corruption_in_the_middle_names_its_offset);
	tcase_add_test(tc, one_engine_per_journal);
	tcase_add_test(tc, open_refuses_bad_options);
	tcase_add_test(tc, read_only_open_changes_nothing);
	tcase_add_test(tc, the_event_clock_survives_a_reopen);
	tcase_add_test(tc, built_events_match_json);
	tcase_add_test(tc, ids_survive_a_new_prefix);
	tcase_add_test(tc, action_keys_cut_at_nul_are_refused);
	tcase_add_test(tc, refusals_quote_whole_characters);
	suite_add_tcase(s, tc);
	return s;
}

GF_TEST_MAIN
