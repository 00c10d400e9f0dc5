/*
 * check_pgtables.c - the PostgreSQL store's tables, read back with libpq
 * (parameterised statements only) against what the engine shows:
 *
 *   tables_after_a_stream      gf_order, gf_report, gf_audit, gf_clock and
 *                              gf_quarantine, and the queries hosts run
 *                              (state, lead, region prefix, gf_overdue, a
 *                              trail, the open quarantine)
 *   reports_follow_merge_and_split
 *   hostile_text               SQL-looking text in every free-text field
 *
 * Each test runs twice: committing each change on its own, and with
 * group commit, every change of the test in one transaction, which
 * stores a table's rows with one statement and an order changed many
 * times (a report moved, a quarantined event closed) by its last row.
 * The tables must be the same either way. Each run works in its own
 * partition of the server GF_TEST_PG names; without it every test fails
 * and says so.
 */
#include "storeutil.h"

/* The options of run _i: 0 commits each change, 1 commits them all at
 * once when the test reads the tables (flushed()). */
static gf_options pg_run(char part[PART_SIZE], const char *tag,
			 gf_config *cfg, heard *h, int run)
{
	gf_options o = pg_part(part, tag, cfg, h);
	if (run) {
		o.batch_max = 100000;
		o.batch_delay_ms = 3600 * 1000;
	}
	return o;
}

/* A connection to read the tables, once what waits is committed. */
static PGconn *flushed(gf_engine *eng)
{
	ck_assert_int_eq(gf_engine_flush(eng), GF_OK);
	return db();
}

/* ---- 1. the tables after a short stream ------------------------------ */

#define D4(sid, ch, hhmm, region, cat, title)                             \
	EVENT_LIT("2026-11-16", ch, sid, hhmm, region, cat, title)
#define A4(op, ref, actor, rest, hhmm)                                    \
	ACTION_LIT("2026-11-16", op, ref, actor, rest, hhmm)

/* On the example configuration, a week before the suite was written:
 * the clocks of the orders left open are overdue by the wall clock. */
static const char *const day4[] = {
	D4("T4-1", "12345", "09:10", "320506003001",
	   "city.facility.road_damage", "北环路道路坑洼不平"),
	D4("T4-2", "12345", "09:12", "320506009002",
	   "city.environment.dead_animal", "路边有动物尸体"),
	D4("T4-3", "110", "09:15", "320506103020", "police.help.locked_out",
	   "被锁门外求助"),
	D4("T4-4", "12345", "09:20", "320582101008",
	   "city.construction.night_noise", "夜间施工"),
	D4("T4-5", "12345", "09:21", "320102002001",
	   "city.construction.night_noise", "南京的事件"),
	A4("sign", "12345:T4-1", "d320506-zj", "", "09:30"),
	A4("handle", "12345:T4-1", "d320506-zj", "\"reason\":\"已安排施工队\",",
	   "09:40"),
	A4("resolve", "12345:T4-1", "d320506-zj", "\"reason\":\"已修补\",",
	   "10:40"),
	A4("verify", "12345:T4-1", "sz-zhzx", "", "11:00"),
	A4("callback", "12345:T4-1", "sz-zhzx",
	   "\"satisfaction\":\"satisfied\",", "11:10"),
	A4("sign", "12345:T4-2", "t320506009-cg", "", "11:20"),
	A4("return", "12345:T4-2", "t320506009-cg",
	   "\"reason\":\"不属于本单位职责范围\",", "11:25"),
	"{\"channel\":\"12345\",\"source_id\":\"T4-6\",",
};
#define NDAY4 (sizeof(day4) / sizeof(day4[0]))

static int pick_state(const gf_order *o, const char *v)
{
	return strcmp(gf_state_name(gf_order_state(o)), v) == 0;
}

static int pick_lead(const gf_order *o, const char *v)
{
	return strcmp(gf_order_lead(o), v) == 0;
}

static int pick_prefix(const gf_order *o, const char *v)
{
	return strncmp(gf_order_region(o), v, strlen(v)) == 0;
}

/* The orders gf_order holds where cond holds ($2 is arg) are those of eng
 * that pick(o, val) picks. */
static void same_ids(PGconn *c, const char *part, const char *cond,
		     const char *arg, const gf_engine *eng,
		     int (*pick)(const gf_order *, const char *),
		     const char *val)
{
	char sql[256], got[1024], want[1024];
	snprintf(sql, sizeof(sql),
		 "SELECT coalesce(string_agg(order_id, ',' ORDER BY order_id "
		 "COLLATE \"C\"), '') FROM gf_order WHERE part = $1 AND %s",
		 cond);
	const char *p2[2] = { part, arg };
	q_s(c, got, sizeof(got), sql, 2, p2);
	size_t n = gf_engine_order_count(eng), k = 0, len = 0;
	const char **ids = calloc(n ? n : 1, sizeof(*ids));
	ck_assert_ptr_nonnull(ids);
	for (size_t i = 0; i < n; i++) {
		const gf_order *o = gf_engine_order_at(eng, i);
		if (pick(o, val))
			ids[k++] = gf_order_id(o);
	}
	qsort(ids, k, sizeof(*ids), cmp_str);
	want[0] = '\0';
	for (size_t i = 0; i < k; i++)
		len += (size_t)snprintf(want + len, sizeof(want) - len, "%s%s",
					i ? "," : "", ids[i]);
	free(ids);
	ck_assert_msg(strcmp(got, want) == 0, "%s, $2 = %s: %s vs %s", cond,
		      arg, got, want);
}

/* Quarantine entry qid's column col, read as bytes, is want. */
static void quarantine_bytes(PGconn *c, const char *part, uint64_t qid,
			     const char *col, const char *want)
{
	char idb[24], sql[128];
	snprintf(idb, sizeof(idb), "%llu", (unsigned long long)qid);
	snprintf(sql, sizeof(sql), "SELECT %s FROM gf_quarantine WHERE "
		 "part = $1 AND id = $2::bigint", col);
	const char *p2[2] = { part, idb };
	PGresult *res = qx(c, 1, sql, 2, p2);
	ck_assert_int_eq(PQntuples(res), 1);
	ck_assert_int_eq(PQgetlength(res, 0, 0), (int)strlen(want));
	ck_assert(memcmp(PQgetvalue(res, 0, 0), want, strlen(want)) == 0);
	PQclear(res);
}

/* What gf_quarantine must hold of an entry (ref NULL: not checked). */
typedef struct qrow {
	const char *raw;
	uint64_t id;
	const char *open;
	int code;
	const char *field, *closed_reason, *ref;
} qrow;

static void quarantine_row(PGconn *c, const char *part, const qrow *w)
{
	quarantine_bytes(c, part, w->id, "raw", w->raw);
	char idb[24];
	snprintf(idb, sizeof(idb), "%llu", (unsigned long long)w->id);
	const char *p2[2] = { part, idb };
	PGresult *res = q(c, "SELECT open, code, field, closed_reason, ref, "
			     "error, closed_at IS NOT NULL FROM gf_quarantine "
			     "WHERE part = $1 AND id = $2::bigint",
			  2, p2);
	ck_assert_str_eq(PQgetvalue(res, 0, 0), w->open);
	ck_assert_int_eq(ll_at(res, 0, 1), w->code);
	assert_same("field", str_at(res, 0, 2), w->field);
	assert_same("closed_reason", str_at(res, 0, 3), w->closed_reason);
	if (w->ref)
		assert_same("ref", str_at(res, 0, 4), w->ref);
	assert_same("error", str_at(res, 0, 5),
		    gf_errname((int)ll_at(res, 0, 1)));
	/* a closed entry, released or discarded, says when */
	int has_time = strcmp(PQgetvalue(res, 0, 6), "t") == 0;
	ck_assert_msg(has_time == (strcmp(w->open, "f") == 0),
		      "entry %llu (open %s): closed_at %s",
		      (unsigned long long)w->id, w->open,
		      has_time ? "set" : "NULL");
	PQclear(res);
}

/* gf_overdue: every running clock past its due time by the wall clock,
 * and no other; returns what it holds, in got. */
static void overdue_is_right(PGconn *c, const char *part,
			     const gf_engine *eng, char *got, size_t size)
{
	int64_t now = wall_ms();
	size_t len = 0, nover = 0;
	char over[64][80], want[1024];
	const char *overp[64];
	for (size_t i = 0; i < gf_engine_order_count(eng); i++) {
		const gf_order *ord = gf_engine_order_at(eng, i);
		for (size_t k = 0; k < gf_order_clock_count(ord); k++) {
			const gf_sla_clock *ck = gf_order_clock(ord, k);
			gf_time d = gf_sla_clock_due(ck);
			if (gf_sla_clock_state(ck) != GF_SLA_RUNNING ||
			    d == GF_TIME_NONE || d >= now)
				continue;
			ck_assert_uint_lt(nover, 64);
			snprintf(over[nover], sizeof(over[0]), "%s/%s\n",
				 gf_order_id(ord), gf_sla_clock_name(ck));
			overp[nover] = over[nover];
			nover++;
		}
	}
	qsort(overp, nover, sizeof(overp[0]), cmp_str);
	want[0] = '\0';
	for (size_t i = 0; i < nover; i++)
		len += (size_t)snprintf(want + len, sizeof(want) - len, "%s",
					overp[i]);
	ck_assert_uint_gt(nover, 0);
	part_s(c, got, size,
	       "SELECT string_agg(order_id || '/' || clock || E'\\n', '' "
	       "ORDER BY order_id || '/' || clock || E'\\n' COLLATE \"C\") "
	       "FROM gf_overdue WHERE part = $1",
	       part);
	ck_assert_str_eq(got, want);
}

/* The routing columns follow the order as it is re-routed (a return
 * makes its rule "return"). */
static void routing_columns(PGconn *c, const char *part, const gf_order *or)
{
	const char *pr[2] = { part, gf_order_id(or) };
	PGresult *res = q(c, "SELECT rule, sla, rules_version, priority, "
			     "urgency, scale FROM gf_order WHERE "
			     "part = $1 AND order_id = $2",
			  2, pr);
	ck_assert_int_eq(PQntuples(res), 1);
	const struct {
		const char *col, *eng;
	} text[5] = {
		{ "rule", gf_order_rule(or) },
		{ "sla", gf_order_sla(or) },
		{ "rules_version", gf_order_rules_version(or) },
		{ "urgency", gf_urgency_name(gf_order_urgency(or)) },
		{ "scale", gf_scale_name(gf_order_scale(or)) },
	};
	static const int col[5] = { 0, 1, 2, 4, 5 };
	for (int i = 0; i < 5; i++) {
		char what[80];
		snprintf(what, sizeof(what), "%s %s", gf_order_id(or),
			 text[i].col);
		assert_same(what, str_at(res, 0, col[i]), text[i].eng);
	}
	ck_assert_int_eq(ll_at(res, 0, 3), gf_order_priority(or));
	PQclear(res);
}

START_TEST(tables_after_a_stream)
{
	char part[PART_SIZE];
	gf_config *cfg = example_config();
	gf_options o = pg_run(part, "tables", cfg, NULL, _i);
	gf_engine *eng = open_ok(&o);
	gf_config_free(cfg);
	uint64_t qid_open = 0, qid_junk = 0;
	for (size_t i = 0; i < NDAY4; i++) {
		const gf_result *r;
		int rc = gf_engine_submit_json(eng, day4[i], strlen(day4[i]),
					       &r);
		if (i == 4) {
			ck_assert_int_eq(rc, GF_EUNKNOWN);
			qid_open = gf_result_quarantine_id(r);
		} else if (i == NDAY4 - 1) {
			ck_assert_int_eq(rc, GF_EJSON);
			qid_junk = gf_result_quarantine_id(r);
		} else {
			ck_assert_msg(rc == GF_OK, "line %zu: %s %s", i,
				      gf_errname(rc), gf_engine_errmsg(eng));
		}
	}
	/* let the sign clock of the police order escalate it up (the rows
	 * of orders changed by timers must follow too) */
	ck_assert_int_eq(fx_act(eng, A4("sign", "110:T4-3", "sz-ga", "",
					"12:00")),
			 GF_OK);
	ck_assert_uint_eq(gf_engine_order_count(eng), 4);
	ck_assert_uint_eq(gf_engine_quarantine_count(eng), 2);
	ck_assert_int_eq(gf_engine_quarantine_discard(eng, qid_junk,
						      "截断的数据，丢弃"),
			 GF_OK);
	/* an event without an offset, repaired and released */
	const char *noofs = "{\"channel\":\"12345\",\"source_id\":\"T4-7\","
			    "\"received_at\":\"2026-11-16T12:05:00\","
			    "\"region\":\"320506003001\","
			    "\"category\":\"city.environment.garbage\"}";
	const char *fixed = "{\"channel\":\"12345\",\"source_id\":\"T4-7\","
			    "\"received_at\":\"2026-11-16T12:05:00+08:00\","
			    "\"region\":\"320506003001\","
			    "\"category\":\"city.environment.garbage\"}";
	const gf_result *r;
	ck_assert_int_eq(ingest(eng, noofs, &r), GF_ETIME);
	uint64_t qid_fixed = gf_result_quarantine_id(r);
	ck_assert_int_eq(gf_engine_quarantine_release(eng, qid_fixed, fixed,
						      strlen(fixed), &r),
			 GF_OK);
	ck_assert_int_eq(gf_result_outcome(r), GF_OUTCOME_CREATED);
	ck_assert_uint_eq(gf_engine_order_count(eng), 5);
	ck_assert_uint_eq(gf_engine_quarantine_count(eng), 1);

	PGconn *c = flushed(eng);
	assert_tables(c, part, eng, 1);
	ck_assert_int_gt(rows(c, "gf_clock", part, NULL), 0);

	/* gf_quarantine: the rejected bytes as received; the discarded one
	 * closed with its reason, the released one closed without; both
	 * with the time they were closed */
	const qrow quarantined[3] = {
		{ day4[4], qid_open, "t", GF_EUNKNOWN, "$.region", NULL,
		  "12345:T4-5" },
		{ day4[NDAY4 - 1], qid_junk, "f", GF_EJSON, "$",
		  "截断的数据，丢弃", NULL },
		{ noofs, qid_fixed, "f", GF_ETIME, "$.received_at", NULL,
		  "12345:T4-7" },
	};
	for (int k = 0; k < 3; k++)
		quarantine_row(c, part, &quarantined[k]);

	/* the queries hosts need: by state */
	char got[1024], want[1024];
	size_t counts[GF_STATE_COUNT];
	gf_engine_state_counts(eng, counts);
	for (int s = 1; s < GF_STATE_COUNT; s++) {
		const char *name = gf_state_name((gf_state)s);
		const char *p2[2] = { part, name };
		same_ids(c, part, "state = $2", name, eng, pick_state, name);
		ck_assert_int_eq(q_ll(c, "SELECT count(*) FROM gf_order WHERE "
					 "part = $1 AND state = $2",
				      2, p2),
				 (long long)counts[s]);
	}
	ck_assert_uint_eq(counts[GF_STATE_CLOSED], 1);
	ck_assert_uint_eq(counts[GF_STATE_RETURNED], 1);
	/* by lead department */
	for (size_t i = 0; i < gf_engine_order_count(eng); i++) {
		const char *lead = gf_order_lead(gf_engine_order_at(eng, i));
		same_ids(c, part, "lead = $2", lead, eng, pick_lead, lead);
	}
	/* by region prefix: Wuzhong, not Zhangjiagang */
	same_ids(c, part, "region LIKE $2", "320506%", eng, pick_prefix,
		 "320506");
	const char *pw[2] = { part, "320506%" };
	ck_assert_int_eq(q_ll(c, "SELECT count(*) FROM gf_order WHERE "
				 "part = $1 AND region LIKE $2",
			      2, pw),
			 4);
	/* overdue, never the closed order */
	overdue_is_right(c, part, eng, got, sizeof(got));
	ck_assert_ptr_null(strstr(got, gf_order_id(order_of(eng, "12345:T4-1"))));
	/* the audit trail of one order, by n */
	const gf_order *ord = order_of(eng, "12345:T4-1");
	const char *p3[2] = { part, gf_order_id(ord) };
	q_s(c, got, sizeof(got),
	    "SELECT string_agg(n || ':' || what || ':' || to_state, ',' "
	    "ORDER BY n) FROM gf_audit WHERE part = $1 AND order_id = $2",
	    2, p3);
	size_t len = 0;
	for (size_t k = 0; k < gf_order_audit_count(ord); k++) {
		const gf_audit *au = gf_order_audit(ord, k);
		len += (size_t)snprintf(want + len, sizeof(want) - len,
					"%s%zu:%s:%s", k ? "," : "", k,
					gf_audit_what(au),
					gf_state_name(gf_audit_to(au)));
	}
	ck_assert_str_eq(got, want);
	ck_assert_ptr_nonnull(strstr(got, ":callback:closed"));
	/* the open quarantine */
	part_s(c, got, sizeof(got),
	       "SELECT string_agg(id::text, ',' ORDER BY id) FROM "
	       "gf_quarantine WHERE part = $1 AND open",
	       part);
	ck_assert_uint_eq(gf_engine_quarantine_count(eng), 1);
	snprintf(want, sizeof(want), "%llu",
		 (unsigned long long)gf_quarantined_id(
			 gf_engine_quarantine_at(eng, 0)));
	ck_assert_str_eq(got, want);

	/* and the engine reopened from the records agrees with the tables */
	char e1[2048], d1[2048];
	eng_orders(eng, e1, sizeof(e1));
	ck_assert_int_eq(gf_engine_close(eng), GF_OK);
	db_orders(c, part, d1, sizeof(d1));
	ck_assert_str_eq(d1, e1);
	cfg = example_config();
	o.config = cfg;
	eng = open_ok(&o);
	gf_config_free(cfg);
	eng_orders(eng, d1, sizeof(d1));
	ck_assert_str_eq(d1, e1);
	for (size_t i = 0; i < gf_engine_order_count(eng); i++)
		routing_columns(c, part, gf_engine_order_at(eng, i));
	gf_engine_close(eng);
	PQfinish(c);
}
END_TEST

/* ---- 2. reports that move between orders ----------------------------- */

/* A report's row follows it through merges and splits: its order and its
 * place in the order (gf_report.n, the index gf_order_report() takes). */
START_TEST(reports_follow_merge_and_split)
{
	char part[PART_SIZE];
	gf_config *cfg = fx_config();
	gf_options o = pg_run(part, "split", cfg, NULL, _i);
	gf_engine *eng = open_ok(&o);
	gf_config_free(cfg);
	ck_assert_int_eq(ingest_sid(eng, "M2", 0), GF_OK);
	ck_assert_int_eq(ingest_sid(eng, "M3", 1), GF_OK);
	ck_assert_int_eq(ingest_sid(eng, "M8", 2), GF_OK);
	ck_assert_int_eq(fx_act(eng, "{\"op\":\"merge\",\"ref\":\"12345:M3\","
				     "\"actor\":\"sz-zhzx\",\"into\":\"12345:M2\"}"),
			 GF_OK);
	ck_assert_int_eq(fx_act(eng, "{\"op\":\"merge\",\"ref\":\"12345:M8\","
				     "\"actor\":\"sz-zhzx\",\"into\":\"12345:M2\"}"),
			 GF_OK);
	/* M2's order holds [M2, M3, M8]; the middle one leaves */
	ck_assert_int_eq(fx_act(eng, "{\"op\":\"split\",\"ref\":\"12345:M3\","
				     "\"actor\":\"sz-zhzx\"}"),
			 GF_OK);
	const gf_order *o2 = order_of(eng, "12345:M2");
	ck_assert_uint_eq(gf_order_report_count(o2), 2);
	ck_assert_str_eq(gf_report_ref(gf_order_report(o2, 1)), "12345:M8");
	PGconn *c = flushed(eng);
	const char *p2[2] = { part, "M8" };
	char got[128], want[128];
	q_s(c, got, sizeof(got),
	    "SELECT order_id || ' ' || n FROM gf_report WHERE part = $1 AND "
	    "channel = '12345' AND source_id = $2",
	    2, p2);
	snprintf(want, sizeof(want), "%s 1", gf_order_id(o2));
	ck_assert_str_eq(got, want);
	assert_tables(c, part, eng, 1);
	gf_engine_close(eng);
	PQfinish(c);
}
END_TEST

/* ---- 3. hostile text ------------------------------------------------- */

static const char *const hostile[] = {
	"O'Brien's \"quoted\" ''doubled''",
	"'); DROP TABLE gf_order; --",
	"Robert'); DELETE FROM gf_audit WHERE ('1'='1",
	"back\\slash \\x27 \\\\ E'\\n' \\",
	"$1 $2::text $$ dollar-quoted $$ $tag$ x $tag$",
	"tab\there\tand\tthere",
	"emoji 🚒🔥👩‍🚒 flags 🇨🇳",
	"中文：小区门口垃圾堆积，无人清理；“引号”『括号』",
	"%s%n%x%p%%",
	"\\'; SELECT pg_sleep(10); --",
	"line one\nline two",
	"NULL",
};
#define NHOSTILE (sizeof(hostile) / sizeof(hostile[0]))

/* Printable ASCII without spaces: what a source id may hold. */
static const char *const hostile_sid[] = {
	"x');DROP_TABLE_gf_order;--",
	"a\\b'c\"d",
	"$1$$%s%n",
	"1'OR'1'='1",
	"<script>",
	"{\"json\":1}",
};
#define NHSID (sizeof(hostile_sid) / sizeof(hostile_sid[0]))

/* Hostile string i + off: the reasons an order's actions carry. */
static const char *hostile_at(size_t i, size_t off)
{
	return hostile[(i + off) % NHOSTILE];
}

enum { OFF_HANDLE = 4, OFF_RESOLVE, OFF_REJECT, OFF_CANCEL };

/* Apply op by actor (a dispatch goes to t-cq-cg); it must apply. */
static void act(gf_engine *eng, gf_op op, const char *ref, const char *actor,
		const char *reason)
{
	const gf_result *r;
	int rc = apply_op(eng, op, ref, actor,
			  op == GF_OP_DISPATCH ? "t-cq-cg" : NULL, reason, NULL,
			  &r);
	ck_assert_msg(rc == GF_OK, "%s %s: %s", gf_op_name(op), ref,
		      gf_engine_errmsg(eng));
}

/* Hostile order i: an event through the C API, text in every free-text
 * field, then a note, a resolution, a failed verification and a
 * cancellation, each with its hostile reason. */
static void hostile_order(gf_engine *eng, gf_event *ev, size_t i,
			  const char *sid)
{
	const gf_result *r;
	gf_event_reset(ev);
	gf_event_set_channel(ev, "12345");
	gf_event_set_source_id(ev, sid);
	gf_event_set_received_at(ev, "2026-11-23T09:00:00+08:00");
	gf_event_set_region(ev, "320506001001");
	gf_event_set_category(ev, "city.environment.garbage");
	gf_event_set_title(ev, hostile_at(i, 0));
	gf_event_set_content(ev, hostile_at(i, 1));
	gf_event_set_address(ev, hostile_at(i, 2));
	gf_event_set_attr_string(ev, "note", hostile_at(i, 3));
	int rc = gf_engine_ingest(eng, ev, &r);
	ck_assert_msg(rc == GF_OK, "%s: %s", sid, gf_engine_errmsg(eng));
	char ref[200];
	snprintf(ref, sizeof(ref), "12345:%.150s", sid);
	act(eng, GF_OP_DISPATCH, ref, "sz-zhzx", NULL);
	act(eng, GF_OP_SIGN, ref, "t-cq-cg", NULL);
	act(eng, GF_OP_HANDLE, ref, "t-cq-cg", hostile_at(i, OFF_HANDLE));
	act(eng, GF_OP_RESOLVE, ref, "t-cq-cg", hostile_at(i, OFF_RESOLVE));
	act(eng, GF_OP_REJECT_VERIFICATION, ref, "sz-zhzx",
	    hostile_at(i, OFF_REJECT));
	ck_assert_int_eq(gf_order_state(order_of(eng, ref)), GF_STATE_REOPENED);
	/* and a cancellation, whose notice carries its reason */
	act(eng, GF_OP_CANCEL, ref, "sz-zhzx", hostile_at(i, OFF_CANCEL));
}

/* Hostile order i's rows: the report as the engine kept it, and its
 * trail with the reasons given; returns how many reasons it found. */
static size_t hostile_rows(PGconn *c, const char *part, const gf_engine *eng,
			   size_t i, const char *sid)
{
	char ref[200];
	snprintf(ref, sizeof(ref), "12345:%.150s", sid);
	const gf_order *ord = order_of(eng, ref);
	const gf_report *rep = gf_order_report(ord, 0);
	/* what the engine kept is the input, normalised: tabs and line
	 * breaks fold, nothing else changes */
	if (!strchr(hostile[i], '\t') && !strchr(hostile[i], '\n'))
		ck_assert_str_eq(gf_report_title(rep), hostile[i]);
	const char *p3[3] = { part, "12345", sid };
	PGresult *res = q(c, "SELECT title, content, address, source_id, "
			     "order_id, event FROM gf_report WHERE part = $1 "
			     "AND channel = $2 AND source_id = $3",
			  3, p3);
	ck_assert_int_eq(PQntuples(res), 1);
	assert_same("title", str_at(res, 0, 0), gf_report_title(rep));
	assert_same("content", str_at(res, 0, 1), gf_report_content(rep));
	assert_same("address", str_at(res, 0, 2), gf_report_address(rep));
	assert_same("source_id", str_at(res, 0, 3), sid);
	assert_same("order_id", str_at(res, 0, 4), gf_order_id(ord));
	assert_same("event", str_at(res, 0, 5), gf_report_json(rep));
	PQclear(res);
	const char *p2[2] = { part, gf_order_id(ord) };
	res = q(c, "SELECT n, reason FROM gf_audit WHERE part = $1 "
		   "AND order_id = $2 ORDER BY n",
		2, p2);
	ck_assert_int_eq(PQntuples(res), (int)gf_order_audit_count(ord));
	static const struct {
		const char *what;
		size_t off;
	} given[4] = {
		{ "handle", OFF_HANDLE },
		{ "resolve", OFF_RESOLVE },
		{ "reject_verification", OFF_REJECT },
		{ "cancel", OFF_CANCEL },
	};
	size_t reasons = 0;
	for (int k = 0; k < PQntuples(res); k++) {
		const gf_audit *au = gf_order_audit(ord, (size_t)k);
		assert_same("reason", str_at(res, k, 1), gf_audit_reason(au));
		for (int g = 0; g < 4; g++) {
			if (strcmp(gf_audit_what(au), given[g].what) != 0)
				continue;
			ck_assert_str_eq(str_at(res, k, 1),
					 hostile_at(i, given[g].off));
			reasons++;
		}
	}
	PQclear(res);
	return reasons;
}

START_TEST(hostile_text)
{
	char part[PART_SIZE];
	static heard h;
	gf_config *cfg = fx_config();
	gf_options o = pg_run(part, "hostile", cfg, &h, _i);
	gf_engine *eng = open_ok(&o);
	gf_event *ev;
	ck_assert_int_eq(gf_event_new(&ev), GF_OK);
	char sids[NHOSTILE][160];
	for (size_t i = 0; i < NHOSTILE; i++) {
		snprintf(sids[i], sizeof(sids[i]), "%zu%s", i,
			 hostile_sid[i % NHSID]);
		hostile_order(eng, ev, i, sids[i]);
	}
	gf_event_free(ev);
	/* a rejected event full of SQL, kept byte for byte, discarded with a
	 * hostile reason */
	const char *bad = "{\"channel\":\"12345\",\"source_id\":\"q'uote\","
			  "\"received_at\":\"2026-11-23T09:00:00+08:00\","
			  "\"region\":\"320506001001\",\"category\":"
			  "\"x'); DROP TABLE gf_quarantine; --\","
			  "\"title\":\"\\u0000 \\\\ 🚒 $1 %s\"}";
	const gf_result *r;
	int rc = ingest(eng, bad, &r);
	ck_assert_msg(rc < 0 && r != NULL &&
			      gf_result_outcome(r) == GF_OUTCOME_REJECTED,
		      "the bad event: %s (%s)", gf_errname(rc),
		      gf_engine_errmsg(eng));
	uint64_t qid = gf_result_quarantine_id(r);
	ck_assert_int_eq(gf_engine_quarantine_discard(eng, qid, hostile[1]),
			 GF_OK);

	PGconn *c = flushed(eng);
	size_t reasons = 0;
	for (size_t i = 0; i < NHOSTILE; i++)
		reasons += hostile_rows(c, part, eng, i, sids[i]);
	ck_assert_uint_eq(reasons, 4 * NHOSTILE);
	quarantine_bytes(c, part, qid, "raw", bad);
	quarantine_bytes(c, part, qid, "closed_reason", hostile[1]);
	/* the notices, reasons in them, as the host heard them */
	ck_assert_uint_gt(h.n, NHOSTILE);
	ck_assert_uint_lt(h.n, 64);
	outbox_is_heard(c, part, &h);
	size_t cancelled = 0;
	for (size_t i = 0; i < h.n; i++) {
		if (strncmp(h.v[i].line, "cancelled|", 10) != 0)
			continue;
		/* the k-th cancellation gives the k-th order's reason */
		ck_assert_ptr_nonnull(strstr(h.v[i].line,
					     hostile_at(cancelled, OFF_CANCEL)));
		cancelled++;
	}
	ck_assert_uint_eq(cancelled, NHOSTILE);
	/* a hostile partition name never reaches SQL */
	static const char *const bad_part[] = {
		"x'); DROP TABLE gf_order; --",
		"p23456789012345678901234567890123", /* 33 */
		"",
	};
	gf_engine *x = NULL;
	for (size_t i = 0; i < 3; i++) {
		o.partition = bad_part[i];
		ck_assert_int_eq(gf_engine_open(&x, &o, NULL, 0), GF_EINVAL);
	}
	ck_assert_ptr_null(x);
	gf_config_free(cfg);

	/* every table is still there, with every row */
	static const char *const tables[] = {
		"gf_schema", "gf_partition", "gf_record", "gf_order",
		"gf_report", "gf_audit", "gf_clock", "gf_quarantine",
		"gf_outbox",
	};
	relations_exist(c, "SELECT count(*) FROM pg_tables WHERE "
			   "tablename = $1",
			tables, sizeof(tables) / sizeof(tables[0]),
			"after hostile text");
	ck_assert_int_eq(rows(c, "gf_order", part, NULL), (long long)NHOSTILE);
	ck_assert_int_eq(rows(c, "gf_quarantine", part, NULL), 1);
	assert_tables(c, part, eng, 1);
	gf_engine_close(eng);
	PQfinish(c);
}
END_TEST

SU_MAKE_SUITE("pgtables", 60, 2,
	      tables_after_a_stream,
	      reports_follow_merge_and_split,
	      hostile_text)

GF_TEST_MAIN
