/*
 * check_store.c - the store backends from one test code, across restarts:
 * every test runs twice (a loop test, _i the backend), against the
 * journal and against PostgreSQL (each test in a partition of its own).
 * The state compared across a restart is everything the accessors show
 * (dump_engine, test/storeutil.h).
 *
 *   restart     every order, report, audit entry and clock is the same
 *               after a reopen
 *   idempotence a re-delivery or a keyed action repeated after a restart
 *               changes nothing and stores nothing
 *   quarantine  open entries, discards and repairs survive a restart
 *   sla         running clocks keep their due times; a ladder step fires
 *               once, however often the engine is reopened
 *
 * Hostile text is in check_hostile.c, tickets, group commit and crashes
 * in check_durable.c, what only PostgreSQL does in check_pg*.c.
 */
#include "storeutil.h"

static void set_time(gf_engine *eng, const char *rfc3339)
{
	ck_assert_int_eq(gf_engine_set_time(eng, T(rfc3339)), GF_OK);
}

/* Nothing is due: the steps already fired do not fire again. */
static void nothing_due(gf_engine *eng)
{
	size_t fired = 99;
	ck_assert_int_eq(gf_engine_run_timers(eng, &fired), GF_OK);
	ck_assert_uint_eq(fired, 0);
}

/* ---- 1. a restart resumes every order -------------------------------- */

typedef struct ev_spec {
	const char *ch, *sid, *region, *category, *title, *phone;
} ev_spec;

static char *ev_json(const ev_spec *e, long minute)
{
	return event_json(e->ch, e->sid, minute, e->region, e->category,
			  e->title, e->phone);
}

START_TEST(restart_resumes_every_order)
{
	st s;
	st_begin(&s, _i, "restart");
	gf_engine *eng = st_open(&s);
	char id[8][64], lead[8][64];
	const gf_result *r;

	/* five channels, the example rule set's routes and SLA policies */
	static const ev_spec evs[9] = {
		{ "12345", "S1", "320506001012", "city.environment.garbage",
		  "小区门口垃圾堆积", "13800000001" },
		{ "110", "S2", "320506001013", "police.public_order.noise",
		  "楼上噪音扰民", "13800000002" },
		{ "grid", "S3", "320506001014", "grid.safety.electric_bike",
		  "楼道电动车充电", NULL },
		{ "petition", "S4", "320506001015", "petition.labour",
		  "拖欠工资信访", "13800000004" },
		{ "mediation", "S5", "320506001016", "dispute.01.01",
		  "邻里纠纷调解", NULL },
		{ "12345", "S6", "320506001017", "service.legal.s04",
		  "身份证补办咨询", "13800000006" },
		{ "12345", "S7", "320506001018", "city.facility.streetlight",
		  "路灯不亮", NULL },
		/* the same caller about the same family in the same village */
		{ "12345", "S8", "320506001012", "city.environment.litter",
		  "垃圾还是没人清理", "13800000001" },
		/* an unknown category */
		{ "12345", "S9", "320506001012", "city.ufo", "飞碟", NULL },
	};
	for (int i = 0; i < 7; i++)
		create_free(eng, ev_json(&evs[i], i), id[i], lead[i]);
	/* a repeated call joins S1's order */
	ck_assert_int_eq(ingest_free(eng, ev_json(&evs[7], 7), &r), GF_OK);
	ck_assert_int_eq(gf_result_outcome(r), GF_OUTCOME_LINKED);
	ck_assert_str_eq(gf_result_order(r), id[0]);
	/* a rejected event and a re-delivery */
	ck_assert_int_eq(ingest_free(eng, ev_json(&evs[8], 8), &r), GF_EUNKNOWN);
	ck_assert_int_eq(ingest_free(eng, ev_json(&evs[1], 1), &r), GF_OK);
	ck_assert_int_eq(gf_result_outcome(r), GF_OUTCOME_IDEMPOTENT);

	/* the closed loop and its detours, in time order */
	ck_assert_int_eq(actf(eng, &r,
			      "{\"op\":\"split\",\"ref\":\"12345:S8\","
			      "\"actor\":\"" DESK "\","
			      "\"at\":\"2026-11-23T09:08:00+08:00\"}"),
			 GF_OK);
	ck_assert_ptr_nonnull(gf_result_new_order(r));
	snprintf(id[7], 64, "%s", gf_result_new_order(r));
	snprintf(lead[7], 64, "%s", gf_order_lead(order_of(eng, id[7])));
	act_ok(eng, "sign", id[0], lead[0], 10, "\"id\":\"a-1\"");
	act_ok(eng, "return", id[2], lead[2], 15,
	       "\"reason\":\"不属于本单位职责\"");
	act_ok(eng, "handle", id[0], lead[0], 20, "\"reason\":\"已安排清运\"");
	act_ok(eng, "sign", id[3], lead[3], 20, NULL);
	act_ok(eng, "extend", id[3], lead[3], 25,
	       "\"duration\":\"10d\",\"reason\":\"需调取工资台账\"");
	act_ok(eng, "sign", id[1], lead[1], 30, NULL);
	act_ok(eng, "cancel", id[4], DESK, 30, "\"reason\":\"重复报件\"");
	act_ok(eng, "pause", id[1], lead[1], 35,
	       "\"reason\":\"等待当事人到场\"");
	act_ok(eng, "resolve", id[0], lead[0], 40, NULL);
	act_ok(eng, "merge", id[6], DESK, 45,
	       "\"into\":\"12345:S6\",\"reason\":\"同一问题\"");
	act_ok(eng, "verify", id[0], DESK, 50, NULL);
	act_ok(eng, "sign", id[5], lead[5], 50, NULL);
	act_ok(eng, "resolve", id[5], lead[5], 55, NULL);
	act_ok(eng, "callback", id[0], DESK, 60,
	       "\"satisfaction\":\"satisfied\"");
	act_ok(eng, "reject_verification", id[5], DESK, 65,
	       "\"reason\":\"未答复办理时限\"");
	/* refused: keyed (stored, to keep its answer) and not */
	ck_assert_int_eq(actf(eng, &r,
			      "{\"op\":\"verify\",\"ref\":\"%s\",\"actor\":"
			      "\"%s\",\"id\":\"r-1\"}",
			      id[7], lead[7]),
			 GF_EPERM);
	ck_assert_int_eq(actf(eng, &r,
			      "{\"op\":\"callback\",\"ref\":\"%s\",\"actor\":"
			      "\"%s\",\"satisfaction\":\"satisfied\"}",
			      id[1], DESK),
			 GF_ESTATE);
	/* a day later: every open order's ladder has run */
	set_time(eng, "2026-11-24T12:00:00+08:00");

	/* what the engine says before the restart */
	ck_assert_uint_eq(gf_engine_order_count(eng), 8);
	ck_assert_uint_eq(gf_engine_quarantine_count(eng), 1);
	ck_assert_int_eq(gf_order_state(order_of(eng, id[0])), GF_STATE_CLOSED);
	ck_assert_int_eq(gf_order_satisfaction(order_of(eng, id[0])),
			 GF_SATISFACTION_SATISFIED);
	ck_assert_int_ne(gf_order_paused(order_of(eng, id[1])), 0);
	ck_assert_uint_eq(gf_order_return_count(order_of(eng, id[2])), 1);
	ck_assert_ptr_nonnull(gf_sla_clock_pending(
		gf_order_clock_named(order_of(eng, id[3]), "resolve")));
	ck_assert_int_eq(gf_order_state(order_of(eng, id[4])),
			 GF_STATE_CANCELLED);
	ck_assert_int_eq(gf_order_state(order_of(eng, id[5])),
			 GF_STATE_REOPENED);
	ck_assert_str_eq(gf_order_merged_into(order_of(eng, id[6])), id[5]);
	ck_assert_uint_eq(gf_order_report_count(order_of(eng, id[5])), 2);
	ck_assert_str_eq(gf_report_ref(gf_order_report(order_of(eng, id[7]), 0)),
			 "12345:S8");
	size_t marks = 0;
	for (size_t i = 0; i < gf_engine_order_count(eng); i++)
		marks += gf_order_sla_mark_count(gf_engine_order_at(eng, i));
	ck_assert_uint_gt(marks, 10);

	/* close and reopen: the same, to the byte, and the steps already
	 * fired do not fire again */
	eng = st_reopen(&s, eng, "after a restart");
	nothing_due(eng);
	/* it goes on from there: the paused order resumes, and a second
	 * restart still agrees */
	act_ok(eng, "resume", id[1], gf_order_lead(order_of(eng, id[1])),
	       60 * 27 + 5, NULL);
	eng = st_reopen(&s, eng, "after a second restart");
	ck_assert_int_eq(gf_order_paused(order_of(eng, id[1])), 0);
	st_end(&s, eng);
}
END_TEST

/* ---- 2. re-delivery and repeated actions after a restart ------------- */

static int submit_keyed(gf_engine *eng, const char *line, const char *key,
			const gf_result **r)
{
	return gf_engine_submit_json_keyed(eng, line, strlen(line), key, r);
}

START_TEST(redelivery_after_restart_is_idempotent)
{
	st s;
	st_begin(&s, _i, "idem");
	gf_engine *eng = st_open(&s);
	char id[64], lead[64];
	const gf_result *r;
	char *ev = event_json("12345", "I1", 0, "320506001012",
			      "city.environment.garbage", "垃圾堆积",
			      "13800000011");
	ck_assert_uint_gt(create(eng, ev, id, lead), 0);

	/* a keyed action through the C API */
	gf_action *sign;
	ck_assert_int_eq(gf_action_new(&sign, GF_OP_SIGN), GF_OK);
	gf_action_set_ref(sign, id);
	gf_action_set_actor(sign, lead, NULL);
	gf_action_set_id(sign, "key-sign-1");
	gf_action_set_time(sign, T("2026-11-23T09:10:00+08:00"));
	ck_assert_int_eq(gf_engine_apply(eng, sign, &r), GF_OK);
	ck_assert_int_eq(gf_result_outcome(r), GF_OUTCOME_APPLIED);
	ck_assert_uint_gt(gf_result_ticket(r), 0);
	/* a keyed refusal, whose answer is kept */
	const char *bad = "{\"op\":\"verify\",\"ref\":\"12345:I1\","
			  "\"actor\":\"t320506001-cg\",\"id\":\"key-bad-1\"}";
	ck_assert_int_eq(act_json(eng, bad, &r), GF_EPERM);
	ck_assert_uint_gt(gf_result_ticket(r), 0);
	char bad_field[128], bad_msg[512];
	snprintf(bad_field, sizeof(bad_field), "%s", gf_result_error_field(r));
	snprintf(bad_msg, sizeof(bad_msg), "%s", gf_result_error_message(r));
	/* a line keyed by the host (gridflow replay does this) */
	char line[256];
	snprintf(line, sizeof(line),
		 "{\"op\":\"handle\",\"ref\":\"%s\",\"actor\":\"%s\","
		 "\"reason\":\"现场处置\",\"at\":\"2026-11-23T09:20:00+08:00\"}",
		 id, lead);
	ck_assert_int_eq(submit_keyed(eng, line, "log:line-3", &r), GF_OK);
	ck_assert_int_eq(gf_result_outcome(r), GF_OUTCOME_APPLIED);

	eng = st_reopen(&s, eng, "after a restart");
	size_t orders = gf_engine_order_count(eng);
	uint64_t durable = gf_engine_durable_ticket(eng);
	ck_assert_uint_gt(durable, 0);
	size_t audits = gf_order_audit_count(order_of(eng, id));
	ck_assert_int_eq(gf_order_state(order_of(eng, id)),
			 GF_STATE_IN_PROGRESS);

	/* the same event again, and the same (channel, source_id) with other
	 * text: seen before, nothing stored */
	idempotent(ingest(eng, ev, &r), &r, id);
	idempotent(ingest_free(eng,
			       event_json("12345", "I1", 30, "320506001013",
					  "city.facility.streetlight",
					  "别的内容", NULL),
			       &r),
		   &r, id);
	ck_assert_uint_eq(gf_engine_order_count(eng), orders);
	ck_assert_str_eq(gf_report_title(gf_order_report(order_of(eng, id), 0)),
			 "垃圾堆积");

	/* the keyed sign again: the same answer, not applied twice */
	idempotent(gf_engine_apply(eng, sign, &r), &r, id);
	/* the key, not the op, decides: another op under that key is the
	 * same action as far as the engine knows */
	idempotent(act_json(eng,
			    "{\"op\":\"resolve\",\"ref\":\"12345:I1\","
			    "\"actor\":\"t320506001-cg\",\"id\":\"key-sign-1\"}",
			    &r),
		   &r, NULL);
	/* the host-keyed line again */
	idempotent(submit_keyed(eng, line, "log:line-3", &r), &r, NULL);
	/* the keyed refusal again: the same refusal, word for word */
	ck_assert_int_eq(act_json(eng, bad, &r), GF_EPERM);
	ck_assert_int_eq(gf_result_outcome(r), GF_OUTCOME_REFUSED);
	ck_assert_str_eq(gf_result_error_field(r), bad_field);
	ck_assert_str_eq(gf_result_error_message(r), bad_msg);
	ck_assert_uint_eq(gf_result_ticket(r), 0);

	ck_assert_int_eq(gf_order_state(order_of(eng, id)),
			 GF_STATE_IN_PROGRESS);
	ck_assert_uint_eq(gf_order_audit_count(order_of(eng, id)), audits);
	ck_assert_uint_eq(gf_engine_durable_ticket(eng), durable);

	/* the engine still takes new work after all that, stored after
	 * what it replayed */
	ck_assert_int_eq(actf(eng, &r,
			      "{\"op\":\"resolve\",\"ref\":\"%s\","
			      "\"actor\":\"%s\"}",
			      id, lead),
			 GF_OK);
	ck_assert_int_eq(gf_result_outcome(r), GF_OUTCOME_APPLIED);
	ck_assert_uint_gt(gf_result_ticket(r), durable);
	eng = st_reopen(&s, eng, "after a second restart");
	ck_assert_int_eq(gf_order_state(order_of(eng, id)), GF_STATE_RESOLVED);
	ck_assert_uint_eq(gf_order_audit_count(order_of(eng, id)), audits + 1);
	gf_action_free(sign);
	free(ev);
	st_end(&s, eng);
}
END_TEST

/* ---- 3. quarantine across restarts ----------------------------------- */

/* The open entries are those of qid[keep[i]], in that order, each
 * holding its raw bytes in[] and code[]. */
static void open_entries(const gf_engine *eng, const uint64_t *qid,
			 const char *const *in, const int *code,
			 const int *keep, size_t n)
{
	ck_assert_uint_eq(gf_engine_quarantine_count(eng), n);
	for (size_t i = 0; i < n; i++) {
		const gf_quarantined *q = gf_engine_quarantine_at(eng, i);
		size_t len;
		const char *raw = gf_quarantined_raw(q, &len);
		ck_assert_uint_eq(gf_quarantined_id(q), qid[keep[i]]);
		ck_assert_int_eq(gf_quarantined_error(q), code[keep[i]]);
		ck_assert_uint_eq(len, strlen(in[keep[i]]));
		ck_assert(memcmp(raw, in[keep[i]], len) == 0);
	}
}

START_TEST(quarantine_survives_restart)
{
	st s;
	st_begin(&s, _i, "quar");
	gf_engine *eng = st_open(&s);
	const gf_result *r;
	/* an unknown category, with Chinese text */
	const char *a = "{\"channel\":\"12345\",\"source_id\":\"QA\","
			"\"received_at\":\"2026-11-23T09:00:00+08:00\","
			"\"region\":\"320506001012\",\"category\":\"city.ufo\","
			"\"title\":\"不明飞行物\"}";
	/* not JSON at all */
	const char *b = "不是JSON'); DROP TABLE gf_quarantine; --";
	/* no offset on the time: repaired below */
	const char *c = "{\"channel\":\"110\",\"source_id\":\"QC\","
			"\"received_at\":\"2026-11-23T09:05:00\","
			"\"region\":\"320506001013\","
			"\"category\":\"police.public_order.noise\"}";
	const char *c_fixed = "{\"channel\":\"110\",\"source_id\":\"QC\","
			      "\"received_at\":\"2026-11-23T09:05:00+08:00\","
			      "\"region\":\"320506001013\","
			      "\"category\":\"police.public_order.noise\"}";
	/* invalid UTF-8 (a lone continuation byte, a truncated sequence):
	 * the raw bytes must come back as they were */
	const char *d = "{\"channel\":\"12345\",\"source_id\":\"QD\","
			"\"received_at\":\"2026-11-23T09:00:00+08:00\","
			"\"region\":\"320506001012\","
			"\"category\":\"city.environment.garbage\","
			"\"title\":\"\x80\xe5\xae\"}";
	const char *in[4] = { a, b, c, d };
	const int code[4] = { GF_EUNKNOWN, GF_EJSON, GF_ETIME, GF_EUTF8 };
	uint64_t qid[4];
	for (int i = 0; i < 4; i++) {
		ck_assert_int_eq(ingest(eng, in[i], &r), code[i]);
		ck_assert_int_eq(gf_result_outcome(r), GF_OUTCOME_REJECTED);
		ck_assert_uint_gt(gf_result_ticket(r), 0);
		qid[i] = gf_result_quarantine_id(r);
	}
	ck_assert_uint_eq(gf_engine_quarantine_count(eng), 4);
	ck_assert_int_eq(gf_engine_quarantine_discard(
				 eng, qid[1], "垃圾数据'); DELETE FROM gf_record; --"),
			 GF_OK);
	ck_assert_uint_eq(gf_engine_quarantine_count(eng), 3);

	eng = st_reopen(&s, eng, "after a restart");
	static const int keep[3] = { 0, 2, 3 };
	open_entries(eng, qid, in, code, keep, 3);
	ck_assert_str_eq(gf_quarantined_field(gf_engine_quarantine_at(eng, 0)),
			 "$.category");
	/* the discard stays a discard */
	ck_assert_int_eq(gf_engine_quarantine_discard(eng, qid[1], "again"),
			 GF_ENOTFOUND);
	/* the same bad bytes again are the same entry */
	ck_assert_int_eq(ingest(eng, a, &r), GF_EUNKNOWN);
	ck_assert_uint_eq(gf_result_quarantine_id(r), qid[0]);
	ck_assert_uint_eq(gf_engine_quarantine_count(eng), 3);
	/* the repair makes the order and closes the entry */
	ck_assert_int_eq(gf_engine_quarantine_release(eng, qid[2], c_fixed,
						      strlen(c_fixed), &r),
			 GF_OK);
	ck_assert_int_eq(gf_result_outcome(r), GF_OUTCOME_CREATED);
	ck_assert_uint_gt(gf_result_ticket(r), 0);
	char cid[64];
	snprintf(cid, sizeof(cid), "%s", gf_result_order(r));
	ck_assert_uint_eq(gf_engine_quarantine_count(eng), 2);
	/* retrying the original unchanged fails again and keeps the entry */
	ck_assert_int_eq(gf_engine_quarantine_release(eng, qid[0], NULL, 0, &r),
			 GF_EUNKNOWN);
	ck_assert_uint_eq(gf_engine_quarantine_count(eng), 2);

	eng = st_reopen(&s, eng, "after a release and a restart");
	ck_assert_uint_eq(gf_engine_quarantine_count(eng), 2);
	ck_assert_uint_eq(gf_quarantined_id(gf_engine_quarantine_at(eng, 0)),
			  qid[0]);
	ck_assert_uint_eq(gf_quarantined_id(gf_engine_quarantine_at(eng, 1)),
			  qid[3]);
	ck_assert_str_eq(gf_order_id(order_of(eng, "110:QC")), cid);
	ck_assert_int_eq(gf_engine_quarantine_release(eng, qid[2], c_fixed,
						      strlen(c_fixed), &r),
			 GF_ENOTFOUND);
	ck_assert_int_eq(gf_engine_quarantine_discard(eng, qid[3], "编码错误"),
			 GF_OK);
	eng = st_reopen(&s, eng, "after a last discard and a restart");
	ck_assert_uint_eq(gf_engine_quarantine_count(eng), 1);
	ck_assert_uint_eq(gf_engine_order_count(eng), 1);
	st_end(&s, eng);
}
END_TEST

/* ---- 4. SLA clocks across restarts ----------------------------------- */

/* The ladder steps heard since the last clear (sla and escalated
 * notices). */
static size_t heard_steps(const heard *h)
{
	return heard_kind(h, GF_NOTICE_SLA) + heard_kind(h, GF_NOTICE_ESCALATED);
}

static const gf_sla_clock *clock_of(const gf_engine *eng, const char *id,
				    const char *name)
{
	return gf_order_clock_named(order_of(eng, id), name);
}

/* A 110 noise call at 09:00 (police-routine): sign due 09:05 with its
 * warning (notify) at 09:04, urge at 09:05, supervise at 09:15 and
 * escalate (reassign) at 09:35. */
START_TEST(sla_clocks_survive_and_steps_fire_once)
{
	st s;
	st_begin(&s, _i, "sla");
	st_listen(&s);
	heard *h = s.h;
	gf_engine *eng = st_open(&s);
	char id[64], lead[64];
	create_free(eng,
		    event_json("110", "C1", 0, "320506001013",
			       "police.public_order.noise", "噪音", NULL),
		    id, lead);
	const gf_time resolve_due = gf_sla_clock_due(clock_of(eng, id, "resolve"));
	/* before and after a restart with the clocks running: the same due
	 * times and timers */
	for (int pass = 0; pass < 2; pass++) {
		const gf_sla_clock *sign = clock_of(eng, id, "sign");
		ck_assert_ptr_nonnull(sign);
		ck_assert_int_eq(gf_sla_clock_state(sign), GF_SLA_RUNNING);
		ck_assert_int_eq(gf_sla_clock_due(sign),
				 T("2026-11-23T09:05:00+08:00"));
		ck_assert_int_eq(gf_sla_clock_due(clock_of(eng, id, "resolve")),
				 resolve_due);
		ck_assert_int_eq(gf_engine_next_deadline(eng),
				 T("2026-11-23T09:04:00+08:00"));
		if (pass == 0)
			eng = st_reopen(&s, eng, "with clocks running");
	}

	/* the warning and the urge fall due */
	memset(h, 0, sizeof(*h));
	set_time(eng, "2026-11-23T09:05:00+08:00");
	ck_assert_uint_eq(heard_steps(h), 2);
	ck_assert_str_eq(h->v[0].step, "notify");
	ck_assert_str_eq(h->v[1].step, "urge");
	ck_assert_str_eq(h->v[1].clock, "sign");
	ck_assert_uint_eq(gf_sla_clock_steps_fired(clock_of(eng, id, "sign")), 2);
	size_t marks = gf_order_sla_mark_count(order_of(eng, id));
	size_t audits = gf_order_audit_count(order_of(eng, id));

	/* reopened, they do not fire again, whatever the host does */
	eng = st_reopen(&s, eng, "after two steps fired");
	memset(h, 0, sizeof(*h));
	nothing_due(eng);
	set_time(eng, "2026-11-23T09:05:00+08:00");
	set_time(eng, "2026-11-23T09:10:00+08:00");
	ck_assert_uint_eq(heard_steps(h), 0);
	ck_assert_uint_eq(gf_order_sla_mark_count(order_of(eng, id)), marks);
	ck_assert_uint_eq(gf_order_audit_count(order_of(eng, id)), audits);
	ck_assert_int_eq(gf_engine_next_deadline(eng),
			 T("2026-11-23T09:15:00+08:00"));
	st_close(&s, eng);

	/* the supervision falls due while the engine is down: it fires once,
	 * at the first call after the open */
	eng = st_open(&s);
	memset(h, 0, sizeof(*h));
	set_time(eng, "2026-11-23T09:20:00+08:00");
	ck_assert_uint_eq(heard_steps(h), 1);
	ck_assert_str_eq(h->v[0].step, "supervise");
	ck_assert_str_eq(h->v[0].order, id);
	eng = st_reopen(&s, eng, "after the supervision");
	memset(h, 0, sizeof(*h));
	nothing_due(eng);
	set_time(eng, "2026-11-23T09:20:00+08:00");
	ck_assert_uint_eq(heard_steps(h), 0);
	ck_assert_uint_eq(gf_sla_clock_steps_fired(clock_of(eng, id, "sign")), 3);
	st_end(&s, eng);
}
END_TEST

/* the pg variants wait on a server */
SU_MAKE_SUITE("store", 60, B_COUNT,
	      restart_resumes_every_order,
	      redelivery_after_restart_is_idempotent,
	      quarantine_survives_restart,
	      sla_clocks_survive_and_steps_fire_once)

GF_TEST_MAIN
