/*
 * check_order.c - the work-order state machine through the public API:
 * the closed loop, authorisation, illegal transitions, returns, reopens,
 * cancellation, merge and split, pause, extension, and the audit trail.
 */
#include "fixture.h"

static gf_engine *eng;
static fx_notices notices;

static void setup(void)
{
	memset(&notices, 0, sizeof(notices));
	eng = fx_open(NULL, &notices);
}

static void teardown(void)
{
	gf_engine_close(eng);
	eng = NULL;
}

static const gf_order *order(const char *ref)
{
	const gf_order *o = gf_engine_order_find(eng, ref);
	ck_assert_ptr_nonnull(o);
	return o;
}

/* Apply and expect a code; a refusal must change nothing. */
static void act_expect(const char *json, int want)
{
	char ref[64] = "";
	const char *p = strstr(json, "\"ref\":\"");
	if (p)
		sscanf(p + 7, "%63[^\"]", ref);
	const gf_order *o = ref[0] ? gf_engine_order_find(eng, ref) : NULL;
	gf_state before = o ? gf_order_state(o) : GF_STATE_NONE;
	size_t audit = o ? gf_order_audit_count(o) : 0;
	const gf_result *r;
	int rc = gf_engine_apply_json(eng, json, strlen(json), &r);
	ck_assert_msg(rc == want, "%s: got %s (%s), want %s", json,
		      gf_errname(rc), gf_engine_errmsg(eng), gf_errname(want));
	ck_assert_ptr_nonnull(r);
	if (want != GF_OK) {
		ck_assert_int_eq(gf_result_outcome(r), GF_OUTCOME_REFUSED);
		ck_assert_int_eq(gf_result_error(r), want);
		ck_assert_str_ne(gf_result_error_message(r), "");
		if (o) {
			ck_assert_int_eq(gf_order_state(o), before);
			ck_assert_uint_eq(gf_order_audit_count(o), audit);
		}
	} else {
		ck_assert_int_eq(gf_result_outcome(r), GF_OUTCOME_APPLIED);
	}
}

#define ACT(json) act_expect(json, GF_OK)

START_TEST(closed_loop_with_audit)
{
	const char *id = fx_create(eng, "HL1", 0);
	const gf_order *o = order(id);
	ck_assert_int_eq(gf_order_state(o), GF_STATE_DISPATCHED);
	ck_assert_str_eq(gf_order_lead(o), "sz-zhzx");
	ck_assert_str_eq(gf_order_rule(o), "fallback");
	ck_assert_int_eq(gf_order_level(o), GF_LEVEL_CITY);
	ck_assert_int_eq(notices.count[GF_NOTICE_DISPATCHED], 1);

	ACT("{\"op\":\"dispatch\",\"ref\":\"12345:HL1\",\"actor\":\"sz-zhzx\","
	    "\"dept\":\"t-cq-cg\",\"at\":\"2026-11-23T09:05:00+08:00\"}");
	ck_assert_str_eq(gf_order_lead(order(id)), "t-cq-cg");
	ck_assert_int_eq(gf_order_level(order(id)), GF_LEVEL_TOWN);
	ck_assert_int_eq(notices.count[GF_NOTICE_DISPATCHED], 2);
	ACT("{\"op\":\"sign\",\"ref\":\"12345:HL1\",\"actor\":\"t-cq-cg\","
	    "\"at\":\"2026-11-23T09:20:00+08:00\"}");
	ACT("{\"op\":\"handle\",\"ref\":\"12345:HL1\",\"actor\":\"t-cq-cg\","
	    "\"reason\":\"已安排保洁员清运\"}");
	ACT("{\"op\":\"resolve\",\"ref\":\"12345:HL1\",\"actor\":\"t-cq-cg\","
	    "\"reason\":\"垃圾已清运完毕\",\"at\":\"2026-11-23T11:00:00+08:00\"}");
	ACT("{\"op\":\"verify\",\"ref\":\"12345:HL1\",\"actor\":\"sz-zhzx\"}");
	ACT("{\"op\":\"callback\",\"ref\":\"12345:HL1\",\"actor\":\"sz-zhzx/operator\","
	    "\"satisfaction\":\"satisfied\",\"at\":\"2026-11-23T15:00:00+08:00\"}");
	o = order(id);
	ck_assert_int_eq(gf_order_state(o), GF_STATE_CLOSED);
	ck_assert_int_eq(gf_order_satisfaction(o), GF_SATISFACTION_SATISFIED);
	ck_assert_int_eq(notices.count[GF_NOTICE_CLOSED], 1);

	/* create, dispatch (system), then the six actions */
	static const struct {
		const char *what, *dept;
		gf_state from, to;
	} want[] = {
		{ "create", "system", GF_STATE_NONE, GF_STATE_RECEIVED },
		{ "dispatch", "system", GF_STATE_RECEIVED, GF_STATE_DISPATCHED },
		{ "dispatch", "sz-zhzx", GF_STATE_DISPATCHED, GF_STATE_DISPATCHED },
		{ "sign", "t-cq-cg", GF_STATE_DISPATCHED, GF_STATE_SIGNED },
		{ "handle", "t-cq-cg", GF_STATE_SIGNED, GF_STATE_IN_PROGRESS },
		{ "resolve", "t-cq-cg", GF_STATE_IN_PROGRESS, GF_STATE_RESOLVED },
		{ "verify", "sz-zhzx", GF_STATE_RESOLVED, GF_STATE_VERIFIED },
		{ "callback", "sz-zhzx", GF_STATE_VERIFIED, GF_STATE_CLOSED },
	};
	ck_assert_uint_eq(gf_order_audit_count(o), 8);
	for (size_t i = 0; i < 8; i++) {
		const gf_audit *a = gf_order_audit(o, i);
		ck_assert_str_eq(gf_audit_what(a), want[i].what);
		ck_assert_str_eq(gf_audit_actor_dept(a), want[i].dept);
		ck_assert_int_eq(gf_audit_from(a), want[i].from);
		ck_assert_int_eq(gf_audit_to(a), want[i].to);
	}
	ck_assert_str_eq(gf_audit_reason(gf_order_audit(o, 5)),
			 "垃圾已清运完毕");
	/* who held the order after each entry */
	ck_assert_ptr_null(gf_audit_lead(gf_order_audit(o, 0)));
	ck_assert_str_eq(gf_audit_lead(gf_order_audit(o, 1)), "sz-zhzx");
	ck_assert_str_eq(gf_audit_lead(gf_order_audit(o, 2)), "t-cq-cg");
	ck_assert_str_eq(gf_audit_lead(gf_order_audit(o, 7)), "t-cq-cg");
	ck_assert_str_eq(gf_audit_actor_role(gf_order_audit(o, 3)), "handler");
	ck_assert_str_eq(gf_audit_actor_role(gf_order_audit(o, 7)), "operator");
	/* times follow the actions' "at" on the event clock */
	gf_time t;
	ck_assert_int_eq(gf_time_parse(&t, NULL, "2026-11-23T09:20:00+08:00",
				       25), GF_OK);
	ck_assert(gf_audit_time(gf_order_audit(o, 3)) == t);
	ck_assert_ptr_null(gf_order_audit(o, 8));
	/* terminal: nothing moves it */
	act_expect("{\"op\":\"cancel\",\"ref\":\"12345:HL1\",\"actor\":\"sz-zhzx\","
		   "\"reason\":\"x\"}", GF_ESTATE);
}
END_TEST

START_TEST(only_the_assigned_department_handles)
{
	fx_create(eng, "HL2", 0);
	ACT("{\"op\":\"dispatch\",\"ref\":\"12345:HL2\",\"actor\":\"sz-zhzx\","
	    "\"dept\":\"t-cq-cg\"}");
	act_expect("{\"op\":\"sign\",\"ref\":\"12345:HL2\",\"actor\":\"t-md-cg\"}",
		   GF_EPERM);
	act_expect("{\"op\":\"return\",\"ref\":\"12345:HL2\",\"actor\":\"t-cq-pcs\","
		   "\"reason\":\"不归我们管\"}", GF_EPERM);
	ACT("{\"op\":\"sign\",\"ref\":\"12345:HL2\",\"actor\":\"t-cq-cg\"}");
	act_expect("{\"op\":\"resolve\",\"ref\":\"12345:HL2\",\"actor\":\"sz-zhzx\"}",
		   GF_EPERM);
	act_expect("{\"op\":\"extend\",\"ref\":\"12345:HL2\",\"actor\":\"t-md-cg\","
		   "\"duration\":\"2wd\",\"reason\":\"r\"}", GF_EPERM);
	ACT("{\"op\":\"resolve\",\"ref\":\"12345:HL2\",\"actor\":\"t-cq-cg\"}");
}
END_TEST

START_TEST(only_the_command_centre_verifies_closes_cancels)
{
	fx_create(eng, "HL3", 0);
	ACT("{\"op\":\"dispatch\",\"ref\":\"12345:HL3\",\"actor\":\"sz-zhzx\","
	    "\"dept\":\"t-cq-cg\"}");
	ACT("{\"op\":\"sign\",\"ref\":\"12345:HL3\",\"actor\":\"t-cq-cg\"}");
	ACT("{\"op\":\"resolve\",\"ref\":\"12345:HL3\",\"actor\":\"t-cq-cg\"}");
	act_expect("{\"op\":\"verify\",\"ref\":\"12345:HL3\",\"actor\":\"t-cq-cg\"}",
		   GF_EPERM);
	/* a command centre of another district does not cover 320506 */
	act_expect("{\"op\":\"verify\",\"ref\":\"12345:HL3\",\"actor\":\"gs-zhzx\"}",
		   GF_EPERM);
	act_expect("{\"op\":\"cancel\",\"ref\":\"12345:HL3\",\"actor\":\"t-cq-cg\","
		   "\"reason\":\"无效\"}", GF_EPERM);
	act_expect("{\"op\":\"dispatch\",\"ref\":\"12345:HL3\",\"actor\":\"t-cq-cg\","
		   "\"dept\":\"t-md-cg\"}", GF_EPERM);
	/* the district's own centre does */
	ACT("{\"op\":\"verify\",\"ref\":\"12345:HL3\",\"actor\":\"wz-zhzx\"}");
	act_expect("{\"op\":\"callback\",\"ref\":\"12345:HL3\",\"actor\":\"t-cq-cg\","
		   "\"satisfaction\":\"satisfied\"}", GF_EPERM);
}
END_TEST

START_TEST(illegal_transitions_change_nothing)
{
	fx_create(eng, "HL4", 0);
	act_expect("{\"op\":\"verify\",\"ref\":\"12345:HL4\",\"actor\":\"sz-zhzx\"}",
		   GF_ESTATE);
	act_expect("{\"op\":\"callback\",\"ref\":\"12345:HL4\",\"actor\":\"sz-zhzx\","
		   "\"satisfaction\":\"satisfied\"}", GF_ESTATE);
	act_expect("{\"op\":\"resolve\",\"ref\":\"12345:HL4\",\"actor\":\"sz-zhzx\"}",
		   GF_ESTATE);
	ACT("{\"op\":\"sign\",\"ref\":\"12345:HL4\",\"actor\":\"sz-zhzx\"}");
	act_expect("{\"op\":\"sign\",\"ref\":\"12345:HL4\",\"actor\":\"sz-zhzx\"}",
		   GF_ESTATE);
	act_expect("{\"op\":\"dispatch\",\"ref\":\"12345:HL4\",\"actor\":\"sz-zhzx\","
		   "\"dept\":\"t-cq-cg\"}", GF_ESTATE);
	act_expect("{\"op\":\"resume\",\"ref\":\"12345:HL4\",\"actor\":\"sz-zhzx\"}",
		   GF_ESTATE);
	/* the desk may handle an order itself (直接办结) */
	ACT("{\"op\":\"resolve\",\"ref\":\"12345:HL4\",\"actor\":\"sz-zhzx\","
	    "\"reason\":\"政策咨询，已当场答复\"}");
}
END_TEST

START_TEST(bad_arguments_name_the_field)
{
	fx_create(eng, "HL5", 0);
	const gf_result *r;
	struct {
		const char *json;
		int code;
		const char *field;
	} cases[] = {
		{ "{\"op\":\"sign\",\"ref\":\"12345:NOPE\",\"actor\":\"sz-zhzx\"}",
		  GF_ENOTFOUND, "$.ref" },
		{ "{\"op\":\"sign\",\"actor\":\"sz-zhzx\"}", GF_EMISSING, "$.ref" },
		{ "{\"op\":\"sign\",\"ref\":\"12345:HL5\"}", GF_EMISSING, "$.actor" },
		{ "{\"op\":\"sign\",\"ref\":\"12345:HL5\",\"actor\":\"nobody\"}",
		  GF_EUNKNOWN, "$.actor" },
		{ "{\"op\":\"sign\",\"ref\":\"12345:HL5\",\"actor\":\"sz-zhzx/boss\"}",
		  GF_EVALUE, "$.actor.role" },
		{ "{\"op\":\"sign\",\"ref\":\"12345:HL5\",\"actor\":7}", GF_ETYPE,
		  "$.actor" },
		{ "{\"op\":\"fly\",\"ref\":\"12345:HL5\",\"actor\":\"sz-zhzx\"}",
		  GF_EVALUE, "$.op" },
		{ "{\"op\":\"sign\",\"ref\":\"12345:HL5\",\"actor\":\"sz-zhzx\","
		  "\"at\":\"2026-11-23 09:00\"}", GF_ETIME, "$.at" },
		{ "{\"op\":\"dispatch\",\"ref\":\"12345:HL5\",\"actor\":\"sz-zhzx\"}",
		  GF_EMISSING, "$.dept" },
		{ "{\"op\":\"dispatch\",\"ref\":\"12345:HL5\",\"actor\":\"sz-zhzx\","
		  "\"dept\":\"nowhere\"}", GF_EUNKNOWN, "$.dept" },
		{ "{\"op\":\"cancel\",\"ref\":\"12345:HL5\",\"actor\":\"sz-zhzx\"}",
		  GF_EMISSING, "$.reason" },
		{ "{\"op\":\"callback\",\"ref\":\"12345:HL5\",\"actor\":\"sz-zhzx\","
		  "\"satisfaction\":\"meh\"}", GF_EVALUE, "$.satisfaction" },
		{ "{\"op\":\"sign\",\"ref\":\"12345:HL5\",\"actor\":{\"dept\":3}}",
		  GF_ETYPE, "$.actor.dept" },
		{ "not json", GF_EJSON, "$" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int rc = gf_engine_apply_json(eng, cases[i].json,
					      strlen(cases[i].json), &r);
		ck_assert_msg(rc == cases[i].code, "%s: %s", cases[i].json,
			      gf_errname(rc));
		ck_assert_str_eq(gf_result_error_field(r), cases[i].field);
		ck_assert_int_eq(gf_result_outcome(r), GF_OUTCOME_REFUSED);
	}
	ck_assert_int_eq(gf_order_state(order("12345:HL5")),
			 GF_STATE_DISPATCHED);
	ck_assert_uint_eq(gf_order_audit_count(order("12345:HL5")), 2);
}
END_TEST

START_TEST(return_rules)
{
	/* With no decision tables every order starts at the desk; once the
	 * desk designates a handler, that handler may not return it
	 * (Weifang 12345 rules, art. 22). Returns that re-route are in
	 * check_routing. */
	const char *id = fx_create(eng, "HL6", 0);
	ACT("{\"op\":\"dispatch\",\"ref\":\"12345:HL6\",\"actor\":\"sz-zhzx\","
	    "\"dept\":\"t-cq-pcs\"}");
	act_expect("{\"op\":\"return\",\"ref\":\"12345:HL6\",\"actor\":\"t-cq-pcs\"}",
		   GF_EMISSING);
	act_expect("{\"op\":\"return\",\"ref\":\"12345:HL6\",\"actor\":\"t-cq-pcs\","
		   "\"reason\":\"不属于公安职责，建议转城管\"}", GF_ESTATE);
	const gf_order *o = order(id);
	ck_assert_str_eq(gf_order_lead(o), "t-cq-pcs");
	ck_assert_uint_eq(gf_order_return_count(o), 0);
	/* only the lead may try, and an outsider learns nothing */
	act_expect("{\"op\":\"return\",\"ref\":\"12345:HL6\",\"actor\":\"t-cq-cg\","
		   "\"reason\":\"r\"}", GF_EPERM);
	/* the desk may re-dispatch (改派) while it is not signed */
	ACT("{\"op\":\"dispatch\",\"ref\":\"12345:HL6\",\"actor\":\"sz-zhzx\","
	    "\"dept\":\"t-cq-cg\"}");
	ck_assert_str_eq(gf_order_lead(order(id)), "t-cq-cg");
	ACT("{\"op\":\"sign\",\"ref\":\"12345:HL6\",\"actor\":\"t-cq-cg\"}");
	ACT("{\"op\":\"handle\",\"ref\":\"12345:HL6\",\"actor\":\"t-cq-cg\"}");
	/* no return once handling has begun, whoever dispatched it */
	act_expect("{\"op\":\"return\",\"ref\":\"12345:HL6\",\"actor\":\"t-cq-cg\","
		   "\"reason\":\"r\"}", GF_ESTATE);
}
END_TEST

START_TEST(reopen_after_failed_verification_or_unsatisfied_callback)
{
	const char *id = fx_create(eng, "HL7", 0);
	ACT("{\"op\":\"sign\",\"ref\":\"12345:HL7\",\"actor\":\"sz-zhzx\"}");
	ACT("{\"op\":\"resolve\",\"ref\":\"12345:HL7\",\"actor\":\"sz-zhzx\"}");
	act_expect("{\"op\":\"reject_verification\",\"ref\":\"12345:HL7\","
		   "\"actor\":\"sz-zhzx\"}", GF_EMISSING);
	ACT("{\"op\":\"reject_verification\",\"ref\":\"12345:HL7\","
	    "\"actor\":\"sz-zhzx\",\"reason\":\"现场核查垃圾仍在\"}");
	ck_assert_int_eq(gf_order_state(order(id)), GF_STATE_REOPENED);
	ck_assert_uint_eq(gf_order_reopen_count(order(id)), 1);
	ACT("{\"op\":\"resolve\",\"ref\":\"12345:HL7\",\"actor\":\"sz-zhzx\"}");
	ACT("{\"op\":\"verify\",\"ref\":\"12345:HL7\",\"actor\":\"sz-zhzx\"}");
	ACT("{\"op\":\"callback\",\"ref\":\"12345:HL7\",\"actor\":\"sz-zhzx\","
	    "\"satisfaction\":\"unsatisfied\"}");
	ck_assert_int_eq(gf_order_state(order(id)), GF_STATE_REOPENED);
	ck_assert_uint_eq(gf_order_reopen_count(order(id)), 2);
	ck_assert_int_eq(notices.count[GF_NOTICE_REOPENED], 2);
	ACT("{\"op\":\"resolve\",\"ref\":\"12345:HL7\",\"actor\":\"sz-zhzx\"}");
	ACT("{\"op\":\"verify\",\"ref\":\"12345:HL7\",\"actor\":\"sz-zhzx\"}");
	ACT("{\"op\":\"callback\",\"ref\":\"12345:HL7\",\"actor\":\"sz-zhzx\","
	    "\"satisfaction\":\"unreachable\"}");
	ck_assert_int_eq(gf_order_state(order(id)), GF_STATE_CLOSED);
	ck_assert_int_eq(gf_order_satisfaction(order(id)),
			 GF_SATISFACTION_UNREACHABLE);
}
END_TEST

START_TEST(cancel_needs_a_reason)
{
	const char *id = fx_create(eng, "HL8", 0);
	ACT("{\"op\":\"cancel\",\"ref\":\"12345:HL8\",\"actor\":\"sz-zhzx\","
	    "\"reason\":\"无效诉求：测试来电\"}");
	ck_assert_int_eq(gf_order_state(order(id)), GF_STATE_CANCELLED);
	ck_assert_str_eq(gf_audit_reason(gf_order_audit(order(id), 2)),
			 "无效诉求：测试来电");
	ck_assert_int_eq(notices.count[GF_NOTICE_CANCELLED], 1);
}
END_TEST

START_TEST(merge_and_split)
{
	char a[64], b[64];
	snprintf(a, sizeof(a), "%s", fx_create(eng, "HL9", 0));
	snprintf(b, sizeof(b), "%s", fx_create(eng, "HL10", 5));
	act_expect("{\"op\":\"merge\",\"ref\":\"12345:HL10\",\"actor\":\"sz-zhzx\"}",
		   GF_EMISSING);
	act_expect("{\"op\":\"merge\",\"ref\":\"12345:HL10\",\"actor\":\"sz-zhzx\","
		   "\"into\":\"12345:HL10\"}", GF_EVALUE);
	act_expect("{\"op\":\"merge\",\"ref\":\"12345:HL10\",\"actor\":\"t-cq-cg\","
		   "\"into\":\"12345:HL9\"}", GF_EPERM);
	ACT("{\"op\":\"merge\",\"ref\":\"12345:HL10\",\"actor\":\"sz-zhzx\","
	    "\"into\":\"12345:HL9\"}");
	ck_assert_int_eq(gf_order_state(order(b)), GF_STATE_MERGED);
	ck_assert_str_eq(gf_order_merged_into(order(b)), a);
	ck_assert_uint_eq(gf_order_report_count(order(b)), 0);
	ck_assert_uint_eq(gf_order_report_count(order(a)), 2);
	/* the merged report now names the surviving order */
	ck_assert_str_eq(gf_order_id(order("12345:HL10")), a);
	ck_assert_int_eq(notices.count[GF_NOTICE_MERGED], 1);

	/* split the report back out: a new order with fresh routing */
	const gf_result *r;
	const char *js = "{\"op\":\"split\",\"ref\":\"12345:HL10\",\"actor\":\"sz-zhzx\"}";
	ck_assert_int_eq(gf_engine_apply_json(eng, js, strlen(js), &r), GF_OK);
	ck_assert_ptr_nonnull(gf_result_new_order(r));
	char c[64];
	snprintf(c, sizeof(c), "%s", gf_result_new_order(r));
	ck_assert_str_ne(c, a);
	ck_assert_str_ne(c, b);
	ck_assert_uint_eq(gf_order_report_count(order(a)), 1);
	ck_assert_str_eq(gf_order_id(order("12345:HL10")), c);
	ck_assert_int_eq(gf_order_state(order(c)), GF_STATE_DISPATCHED);
	ck_assert_str_eq(gf_report_ref(gf_order_report(order(c), 0)),
			 "12345:HL10");
	ck_assert_uint_eq(gf_engine_order_count(eng), 3);
	/* a lone report cannot be split off */
	act_expect("{\"op\":\"split\",\"ref\":\"12345:HL10\",\"actor\":\"sz-zhzx\"}",
		   GF_ESTATE);
	act_expect("{\"op\":\"split\",\"ref\":\"12345:HL9\",\"actor\":\"sz-zhzx\"}",
		   GF_ESTATE);
	size_t counts[GF_STATE_COUNT];
	gf_engine_state_counts(eng, counts);
	ck_assert_uint_eq(counts[GF_STATE_DISPATCHED], 2);
	ck_assert_uint_eq(counts[GF_STATE_MERGED], 1);
}
END_TEST

START_TEST(pause_resume_extend)
{
	const char *id = fx_create(eng, "HL11", 0);
	ACT("{\"op\":\"sign\",\"ref\":\"12345:HL11\",\"actor\":\"sz-zhzx\"}");
	act_expect("{\"op\":\"pause\",\"ref\":\"12345:HL11\",\"actor\":\"sz-zhzx\"}",
		   GF_EMISSING);
	ACT("{\"op\":\"pause\",\"ref\":\"12345:HL11\",\"actor\":\"sz-zhzx\","
	    "\"reason\":\"等待市民补充材料\"}");
	ck_assert(gf_order_paused(order(id)));
	act_expect("{\"op\":\"resolve\",\"ref\":\"12345:HL11\",\"actor\":\"sz-zhzx\"}",
		   GF_ESTATE);
	act_expect("{\"op\":\"pause\",\"ref\":\"12345:HL11\",\"actor\":\"sz-zhzx\","
		   "\"reason\":\"again\"}", GF_ESTATE);
	act_expect("{\"op\":\"extend\",\"ref\":\"12345:HL11\",\"actor\":\"sz-zhzx\","
		   "\"duration\":\"3 days\",\"reason\":\"r\"}", GF_EVALUE);
	act_expect("{\"op\":\"extend\",\"ref\":\"12345:HL11\",\"actor\":\"sz-zhzx\","
		   "\"reason\":\"r\"}", GF_EMISSING);
	ACT("{\"op\":\"extend\",\"ref\":\"12345:HL11\",\"actor\":\"sz-zhzx\","
	    "\"duration\":\"3wd\",\"reason\":\"需协调多部门\"}");
	ck_assert_uint_eq(gf_order_extension_count(order(id)), 1);
	ACT("{\"op\":\"resume\",\"ref\":\"12345:HL11\",\"actor\":\"sz-zhzx\"}");
	ck_assert(!gf_order_paused(order(id)));
	ACT("{\"op\":\"resolve\",\"ref\":\"12345:HL11\",\"actor\":\"sz-zhzx\"}");
}
END_TEST

START_TEST(action_ids_are_idempotent)
{
	const char *id = fx_create(eng, "HL12", 0);
	const char *js = "{\"op\":\"sign\",\"ref\":\"12345:HL12\",\"actor\":\"sz-zhzx\","
			 "\"id\":\"act-1\"}";
	const gf_result *r;
	ck_assert_int_eq(gf_engine_apply_json(eng, js, strlen(js), &r), GF_OK);
	ck_assert_int_eq(gf_result_outcome(r), GF_OUTCOME_APPLIED);
	size_t audit = gf_order_audit_count(order(id));
	ck_assert_int_eq(gf_engine_apply_json(eng, js, strlen(js), &r), GF_OK);
	ck_assert_int_eq(gf_result_outcome(r), GF_OUTCOME_IDEMPOTENT);
	ck_assert_uint_eq(gf_order_audit_count(order(id)), audit);
}
END_TEST

START_TEST(builder_actions)
{
	const char *id = fx_create(eng, "HL13", 0);
	gf_action *a;
	const gf_result *r;
	ck_assert_int_eq(gf_action_new(&a, GF_OP_NONE), GF_EINVAL);
	ck_assert_int_eq(gf_action_new(&a, GF_OP_DISPATCH), GF_OK);
	gf_action_set_ref(a, id);
	gf_action_set_actor(a, "sz-zhzx", "supervisor");
	gf_action_set_dept(a, "t-cq-cg");
	ck_assert_int_eq(gf_engine_apply(eng, a, &r), GF_OK);
	ck_assert_str_eq(gf_result_lead(r), "t-cq-cg");
	ck_assert_str_eq(gf_audit_actor_role(gf_order_audit(order(id), 2)),
			 "supervisor");
	gf_action_free(a);
	ck_assert_int_eq(gf_action_new(&a, GF_OP_CALLBACK), GF_OK);
	ck_assert_int_eq(gf_action_set_satisfaction(a, (gf_satisfaction)9),
			 GF_EINVAL);
	gf_action_free(a);
	gf_action_free(NULL);
}
END_TEST

/* Refused with code on field, changing nothing. */
static void act_field(const char *json, int code, const char *field)
{
	const gf_result *r;
	act_expect(json, code);
	/* again, for the result (a refusal changes nothing) */
	ck_assert_int_eq(gf_engine_apply_json(eng, json, strlen(json), &r),
			 code);
	ck_assert_msg(strcmp(gf_result_error_field(r), field) == 0,
		      "%s: %s refused on %s (%s), want %s", json,
		      gf_errname(code), gf_result_error_field(r),
		      gf_result_error_message(r), field);
}

/* "system" is the engine's own role (creation, links, ladder steps): no
 * actor may claim it, in JSON or through the builder. */
START_TEST(no_actor_is_the_system)
{
	const char *id = fx_create(eng, "HL14", 0);
	act_field("{\"op\":\"cancel\",\"ref\":\"12345:HL14\","
		  "\"actor\":\"sz-zhzx/system\",\"reason\":\"重复工单\"}",
		  GF_EVALUE, "$.actor.role");
	act_field("{\"op\":\"cancel\",\"ref\":\"12345:HL14\",\"actor\":"
		  "{\"dept\":\"sz-zhzx\",\"role\":\"system\"},"
		  "\"reason\":\"重复工单\"}",
		  GF_EVALUE, "$.actor.role");
	gf_action *a;
	const gf_result *r;
	ck_assert_int_eq(gf_action_new(&a, GF_OP_CANCEL), GF_OK);
	gf_action_set_ref(a, id);
	gf_action_set_reason(a, "重复工单");
	gf_action_set_actor(a, "sz-zhzx", "system");
	ck_assert_int_eq(gf_engine_apply(eng, a, &r), GF_EVALUE);
	ck_assert_str_eq(gf_result_error_field(r), "$.actor.role");
	ck_assert_int_eq(gf_order_state(order(id)), GF_STATE_DISPATCHED);
	ck_assert_uint_eq(gf_order_audit_count(order(id)), 2);
	/* a leader may */
	gf_action_set_actor(a, "sz-zhzx", "leader");
	ck_assert_int_eq(gf_engine_apply(eng, a, &r), GF_OK);
	const gf_audit *e = gf_order_audit(order(id), 2);
	ck_assert_str_eq(gf_audit_what(e), "cancel");
	ck_assert_str_eq(gf_audit_actor_role(e), "leader");
	gf_action_free(a);
}
END_TEST

/* Garbage goes to the town's urban management under "ext" (the command
 * centre approves extensions), fights to its police under "free"
 * (granted as asked); the rest stays with the centre, without clocks. */
static const char ext_rules[] =
	"{\"version\":\"ext-rules\",\"fallback\":\"sz-zhzx\",\"tables\":["
	"{\"id\":\"main\",\"hit_policy\":\"first\",\"rules\":["
	"{\"id\":\"garbage\",\"when\":{\"category\":[\"city.environment\"]},"
	" \"then\":{\"lead\":\"role:town.urban_mgmt\",\"sla\":\"ext\"}},"
	"{\"id\":\"fight\",\"when\":{\"category\":[\"police\"]},"
	" \"then\":{\"lead\":\"role:town.police\",\"sla\":\"free\"}}]}]}";

static const char ext_sla[] =
	"{\"version\":\"ext-sla\",\"policies\":{"
	"\"ext\":{\"clocks\":{\"resolve\":{\"due\":\"3d\",\"ladder\":[],"
	" \"extension\":{\"max\":2,\"longest\":\"2d\","
	"  \"approver\":\"command_centre\"}}}},"
	"\"free\":{\"clocks\":{\"resolve\":{\"due\":\"3d\",\"ladder\":[],"
	" \"extension\":{\"max\":2,\"longest\":\"2d\","
	"  \"approver\":\"none\"}}}}}}";

/* The engine again, on store (NULL: memory), with ext_rules and
 * ext_sla. */
static void open_ext_on(const char *store)
{
	gf_engine_close(eng);
	gf_config *cfg = fx_config_with(ext_rules, ext_sla);
	gf_options o = GF_OPTIONS_INIT;
	o.config = cfg;
	o.store = store;
	o.clock = GF_CLOCK_EVENT;
	o.sync = GF_SYNC_NEVER;
	char err[256];
	int rc = gf_engine_open(&eng, &o, err, sizeof(err));
	gf_config_free(cfg);
	ck_assert_msg(rc == GF_OK, "open: %s", err);
}

static void open_ext(void) { open_ext_on(NULL); }

/* approve_extension and reject_extension: authority first, as for every
 * op. A department of no approving function is refused on $.actor
 * whatever the order's state and whether a request is pending; only an
 * approver learns those. An order whose clocks name no approver (none,
 * "none") has the command centre's. */
START_TEST(extension_decisions_check_authority_first)
{
	open_ext();
	char buf[1024];
	const gf_result *r;
	fx_event(buf, sizeof(buf), "12345", "HX1", 0, "320506001001",
		 "city.environment.garbage");
	ck_assert_int_eq(gf_engine_ingest_json(eng, buf, strlen(buf), &r),
			 GF_OK);
	ck_assert_str_eq(gf_result_lead(r), "t-cq-cg");
	/* nothing pending */
	act_field("{\"op\":\"approve_extension\",\"ref\":\"12345:HX1\","
		  "\"actor\":\"t-cq-cg\"}", GF_EPERM, "$.actor");
	act_field("{\"op\":\"approve_extension\",\"ref\":\"12345:HX1\","
		  "\"actor\":\"sz-zhzx\"}", GF_ESTATE, "$.op");
	ACT("{\"op\":\"sign\",\"ref\":\"12345:HX1\",\"actor\":\"t-cq-cg\"}");
	ACT("{\"op\":\"extend\",\"ref\":\"12345:HX1\",\"actor\":\"t-cq-cg\","
	    "\"duration\":\"1d\",\"reason\":\"需协调\"}");
	/* pending */
	act_field("{\"op\":\"approve_extension\",\"ref\":\"12345:HX1\","
		  "\"actor\":\"t-cq-cg\"}", GF_EPERM, "$.actor");
	act_field("{\"op\":\"reject_extension\",\"ref\":\"12345:HX1\","
		  "\"actor\":\"t-cq-pcs\",\"reason\":\"不行\"}", GF_EPERM,
		  "$.actor");
	ACT("{\"op\":\"reject_extension\",\"ref\":\"12345:HX1\","
	    "\"actor\":\"sz-zhzx\",\"reason\":\"不需要\"}");
	ACT("{\"op\":\"cancel\",\"ref\":\"12345:HX1\",\"actor\":\"sz-zhzx\","
	    "\"reason\":\"重复\"}");
	/* ended: the handler still learns nothing; the centre is told */
	act_field("{\"op\":\"approve_extension\",\"ref\":\"12345:HX1\","
		  "\"actor\":\"t-cq-cg\"}", GF_EPERM, "$.actor");
	act_field("{\"op\":\"reject_extension\",\"ref\":\"12345:HX1\","
		  "\"actor\":\"t-cq-cg\",\"reason\":\"r\"}", GF_EPERM,
		  "$.actor");
	act_field("{\"op\":\"approve_extension\",\"ref\":\"12345:HX1\","
		  "\"actor\":\"sz-zhzx\"}", GF_ESTATE, "$.op");

	/* approver "none", and no clocks at all: the centre's */
	fx_event(buf, sizeof(buf), "12345", "HX2", 5, "320506001001",
		 "police.fight");
	ck_assert_int_eq(gf_engine_ingest_json(eng, buf, strlen(buf), &r),
			 GF_OK);
	ck_assert_str_eq(gf_result_lead(r), "t-cq-pcs");
	act_field("{\"op\":\"approve_extension\",\"ref\":\"12345:HX2\","
		  "\"actor\":\"t-cq-pcs\"}", GF_EPERM, "$.actor");
	act_field("{\"op\":\"approve_extension\",\"ref\":\"12345:HX2\","
		  "\"actor\":\"sz-zhzx\"}", GF_ESTATE, "$.op");
	fx_event(buf, sizeof(buf), "12345", "HX3", 10, "320506001001",
		 "dispute.07.wage_arrears");
	ck_assert_int_eq(gf_engine_ingest_json(eng, buf, strlen(buf), &r),
			 GF_OK);
	ck_assert_uint_eq(gf_order_clock_count(order("12345:HX3")), 0);
	act_field("{\"op\":\"reject_extension\",\"ref\":\"12345:HX3\","
		  "\"actor\":\"t-cq-cg\",\"reason\":\"r\"}", GF_EPERM,
		  "$.actor");
	act_field("{\"op\":\"reject_extension\",\"ref\":\"12345:HX3\","
		  "\"actor\":\"sz-zhzx\",\"reason\":\"r\"}", GF_ESTATE,
		  "$.op");
}
END_TEST

/* A split report is routed afresh, and routing decides the SLA policy
 * and the priority as it decides the lead: a fight split out of a
 * garbage order runs the fight's clocks, not the garbage order's, and a
 * reopen of the journal gives the same order. */
static void split_fight(const char *store, char *n, size_t size)
{
	char buf[1024];
	const gf_result *r;
	open_ext_on(store);
	if (!n)
		return;
	fx_event(buf, sizeof(buf), "12345", "HY1", 0, "320506001001",
		 "city.environment.garbage");
	ck_assert_int_eq(gf_engine_ingest_json(eng, buf, strlen(buf), &r),
			 GF_OK);
	ck_assert_str_eq(gf_result_sla(r), "ext");
	fx_event(buf, sizeof(buf), "110", "HY2", 5, "320506001001",
		 "police.fight");
	ck_assert_int_eq(gf_engine_ingest_json(eng, buf, strlen(buf), &r),
			 GF_OK);
	ck_assert_str_eq(gf_result_sla(r), "free");
	ACT("{\"op\":\"merge\",\"ref\":\"110:HY2\",\"actor\":\"sz-zhzx\","
	    "\"into\":\"12345:HY1\"}");
	const char *js = "{\"op\":\"split\",\"ref\":\"110:HY2\","
			 "\"actor\":\"sz-zhzx\"}";
	ck_assert_int_eq(gf_engine_apply_json(eng, js, strlen(js), &r), GF_OK);
	snprintf(n, size, "%s", gf_result_new_order(r));
}

static void assert_split_fight(const char *n)
{
	const gf_order *o = order(n);
	ck_assert_str_eq(gf_order_rule(o), "fight");
	ck_assert_str_eq(gf_order_lead(o), "t-cq-pcs");
	ck_assert_ptr_nonnull(gf_order_sla(o));
	ck_assert_str_eq(gf_order_sla(o), "free");
	/* the fight's policy grants extensions as asked */
	ACT("{\"op\":\"sign\",\"ref\":\"110:HY2\",\"actor\":\"t-cq-pcs\"}");
	ACT("{\"op\":\"extend\",\"ref\":\"110:HY2\",\"actor\":\"t-cq-pcs\","
	    "\"duration\":\"1d\",\"reason\":\"需调查\"}");
	ck_assert_int_eq(gf_sla_clock_extensions(gf_order_clock_named(o,
								      "resolve")),
			 1);
}

START_TEST(a_split_report_is_routed_afresh_with_its_policy)
{
	char *dir = fx_tmpdir();
	char store[512], n[64];
	snprintf(store, sizeof(store), "journal:%s/j", dir);
	split_fight(store, n, sizeof(n));
	const gf_order *o = order(n);
	ck_assert_str_eq(gf_order_rule(o), "fight");
	ck_assert_str_eq(gf_order_sla(o), "free");
	/* after a reopen, the same */
	split_fight(store, NULL, 0);
	assert_split_fight(n);
	gf_engine_close(eng);
	eng = fx_open(NULL, &notices);
	fx_rmdir(dir);
}
END_TEST

static Suite *make_suite(void)
{
	Suite *s = suite_create("order");
	TCase *tc = tcase_create("state machine");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, closed_loop_with_audit);
	tcase_add_test(tc, only_the_assigned_department_handles);
	tcase_add_test(tc, only_the_command_centre_verifies_closes_cancels);
	tcase_add_test(tc, illegal_transitions_change_nothing);
	tcase_add_test(tc, bad_arguments_name_the_field);
	tcase_add_test(tc, return_rules);
	tcase_add_test(tc, reopen_after_failed_verification_or_unsatisfied_callback);
	tcase_add_test(tc, cancel_needs_a_reason);
	tcase_add_test(tc, merge_and_split);
	tcase_add_test(tc, pause_resume_extend);
	tcase_add_test(tc, action_ids_are_idempotent);
	tcase_add_test(tc, builder_actions);
	tcase_add_test(tc, no_actor_is_the_system);
	tcase_add_test(tc, extension_decisions_check_authority_first);
	tcase_add_test(tc, a_split_report_is_routed_afresh_with_its_policy);
	suite_add_tcase(s, tc);
	return s;
}

GF_TEST_MAIN
