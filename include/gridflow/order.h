/*
 * gridflow/order.h - work orders, their reports, their audit trail, and
 * the actions that move them through the closed loop.
 *
 *   received -> dispatched -> signed -> in_progress -> resolved
 *            -> verified -> closed (after a callback)
 *
 * with returned (退单, back to the dispatch desk), reopened (a failed
 * verification or an unsatisfied callback), cancelled and merged. The
 * whole table, with who may do what, is in docs/state-machine.md.
 *
 * Pointers to orders, reports and audit entries are owned by the engine.
 * They stay valid until the next call that changes the engine (ingest,
 * apply, quarantine release or discard, close); copy what you keep.
 */
#ifndef GRIDFLOW_ORDER_H
#define GRIDFLOW_ORDER_H

#include "common.h"
#include "event.h"
#include "config.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum gf_state {
	GF_STATE_NONE = 0,
	GF_STATE_RECEIVED = 1,    /**< taken in, not yet dispatched */
	GF_STATE_DISPATCHED = 2,  /**< 派遣: assigned to a lead department */
	GF_STATE_SIGNED = 3,      /**< 签收: the department accepted it */
	GF_STATE_IN_PROGRESS = 4, /**< 处置 under way */
	GF_STATE_RESOLVED = 5,    /**< 办结: the department reports it done */
	GF_STATE_VERIFIED = 6,    /**< 核查: the command centre confirmed it */
	GF_STATE_CLOSED = 7,      /**< 结案 after the callback (回访) */
	GF_STATE_RETURNED = 8,    /**< 退单: back at the desk for re-dispatch */
	GF_STATE_REOPENED = 9,    /**< failed verification or unsatisfied */
	GF_STATE_CANCELLED = 10,  /**< an invalid report, with a reason */
	GF_STATE_MERGED = 11      /**< folded into another order */
} gf_state;
#define GF_STATE_COUNT 12

/** "received", "dispatched", ..., or NULL for an invalid state. */
GF_EXTERN const char *gf_state_name(gf_state s);
/** Non-zero for closed, cancelled and merged: nothing moves them. */
GF_EXTERN int gf_state_is_terminal(gf_state s);

/** The operations an actor may apply; the wire names are in brackets. */
typedef enum gf_op {
	GF_OP_NONE = 0,
	GF_OP_DISPATCH = 1,   /**< "dispatch": the desk designates a department */
	GF_OP_SIGN = 2,       /**< "sign": 签收 */
	GF_OP_HANDLE = 3,     /**< "handle": 处置 begins, with a note */
	GF_OP_RESOLVE = 4,    /**< "resolve": 办结 */
	GF_OP_VERIFY = 5,     /**< "verify": 核查 passed */
	GF_OP_REJECT_VERIFICATION = 6, /**< "reject_verification": reopen */
	GF_OP_CALLBACK = 7,   /**< "callback": 回访 with satisfaction */
	GF_OP_RETURN = 8,     /**< "return": 退单 with a reason */
	GF_OP_EXTEND = 9,     /**< "extend": ask for more time */
	GF_OP_PAUSE = 10,     /**< "pause": waiting on the citizen or others */
	GF_OP_RESUME = 11,    /**< "resume" */
	GF_OP_MERGE = 12,     /**< "merge": fold this order into "into" */
	GF_OP_SPLIT = 13,     /**< "split": a report becomes its own order */
	GF_OP_CANCEL = 14,    /**< "cancel": an invalid report */
	GF_OP_APPROVE_EXTENSION = 15, /**< "approve_extension" */
	GF_OP_REJECT_EXTENSION = 16,  /**< "reject_extension" */
	GF_OP_DISMISS = 17    /**< "dismiss": not a duplicate after all */
} gf_op;

GF_EXTERN const char *gf_op_name(gf_op op);
GF_EXTERN gf_op gf_op_from_name(const char *s, size_t len);

/** Callback (回访) outcomes. */
typedef enum gf_satisfaction {
	GF_SATISFACTION_NONE = 0,        /**< no callback yet */
	GF_SATISFACTION_SATISFIED = 1,   /**< "satisfied": 满意 */
	GF_SATISFACTION_BASIC = 2,       /**< "basic": 基本满意 */
	GF_SATISFACTION_UNSATISFIED = 3, /**< "unsatisfied": reopens */
	GF_SATISFACTION_UNREACHABLE = 4  /**< "unreachable": closes, unrated */
} gf_satisfaction;

GF_EXTERN const char *gf_satisfaction_name(gf_satisfaction s);

/* ---- actions ------------------------------------------------------- */

/** An action under construction. Owned by the caller. */
typedef struct gf_action gf_action;

/** Create an action of the given op. Free with gf_action_free(). */
GF_EXTERN int gf_action_new(gf_action **out, gf_op op);
GF_EXTERN void gf_action_free(gf_action *a);

/*
 * Setters; strings are copied, NULL clears. Which ones an op needs:
 *   every op     ref, actor
 *   dispatch     dept (the department designated)
 *   return, cancel, reject_verification   reason (required)
 *   callback     satisfaction
 *   extend       duration ("3d", "2wd", ...), reason; clock (optional)
 *   approve_extension  clock (optional: the one with a request)
 *   reject_extension   reason; clock (optional)
 *   merge        into (a ref of the order that absorbs this one)
 *   split        ref names the report to take out
 * A ref is an order id ("WO20261122000001") or a report
 * ("12345:HL20261122000123"); for split it must be a report.
 */
GF_EXTERN int gf_action_set_ref(gf_action *a, const char *ref);
/** The actor: a department id and a role ("handler", "operator",
 * "supervisor", "leader"); a NULL role means "handler" for a handling
 * department and "operator" for the command centre. */
GF_EXTERN int gf_action_set_actor(gf_action *a, const char *dept,
				  const char *role);
GF_EXTERN int gf_action_set_reason(gf_action *a, const char *reason);
GF_EXTERN int gf_action_set_dept(gf_action *a, const char *dept);
GF_EXTERN int gf_action_set_into(gf_action *a, const char *ref);
GF_EXTERN int gf_action_set_duration(gf_action *a, const char *duration);
GF_EXTERN int gf_action_set_satisfaction(gf_action *a, gf_satisfaction s);
/** The SLA clock an extension concerns ("resolve", ...). */
GF_EXTERN int gf_action_set_clock(gf_action *a, const char *clock);
/** An idempotency key: an action whose key was already applied is not
 * applied again (its result says "idempotent"). */
GF_EXTERN int gf_action_set_id(gf_action *a, const char *id);
/** When the action happened; with the event clock it advances the clock.
 * Without it the engine's clock is used. */
GF_EXTERN int gf_action_set_time(gf_action *a, gf_time t);

/* ---- orders -------------------------------------------------------- */

typedef struct gf_order gf_order;
typedef struct gf_report gf_report;
typedef struct gf_audit gf_audit;

GF_EXTERN const char *gf_order_id(const gf_order *o);
GF_EXTERN gf_state gf_order_state(const gf_order *o);
/** The lead department's id; the desk while at the desk. */
GF_EXTERN const char *gf_order_lead(const gf_order *o);
/** Handling level: the level of the lead department's region. */
GF_EXTERN gf_level gf_order_level(const gf_order *o);
/** The id of the rule that chose the lead: a rule of rules.json,
 * "fallback" (no rule did), "manual" (the desk dispatched it) or "return"
 * (returned to the desk). */
GF_EXTERN const char *gf_order_rule(const gf_order *o);
GF_EXTERN const char *gf_order_category(const gf_order *o);
GF_EXTERN const char *gf_order_region(const gf_order *o);
GF_EXTERN gf_urgency gf_order_urgency(const gf_order *o);
GF_EXTERN gf_time gf_order_created_at(const gf_order *o);
GF_EXTERN gf_time gf_order_updated_at(const gf_order *o);
GF_EXTERN gf_satisfaction gf_order_satisfaction(const gf_order *o);
GF_EXTERN unsigned gf_order_return_count(const gf_order *o);
GF_EXTERN unsigned gf_order_reopen_count(const gf_order *o);
GF_EXTERN unsigned gf_order_extension_count(const gf_order *o);
/** Non-zero while paused (awaiting the citizen or another agency). */
GF_EXTERN int gf_order_paused(const gf_order *o);
/** Event scale (GB/T 31000): how many distinct callers an order has. */
typedef enum gf_scale {
	GF_SCALE_INDIVIDUAL = 1,  /**< "individual": 个体 */
	GF_SCALE_GROUP = 2,       /**< "group": 一般群体性 */
	GF_SCALE_MAJOR_GROUP = 3  /**< "major_group": 重大群体性 */
} gf_scale;

GF_EXTERN const char *gf_scale_name(gf_scale s);
/** The order's scale: it rises when its distinct callers reach
 * dedup.json's crowd thresholds, and never falls. */
GF_EXTERN gf_scale gf_order_scale(const gf_order *o);
/** Distinct callers (reporter hashes) among the order's reports. */
GF_EXTERN unsigned gf_order_caller_count(const gf_order *o);
/** For a suspected duplicate (dedup.json "near", the grey band), the id
 * of the order it may repeat, until the desk merges it ("merge") or
 * dismisses the suspicion ("dismiss"); else NULL. */
GF_EXTERN const char *gf_order_suspected_of(const gf_order *o);
/** For a merged order, the id of the order that absorbed it; else NULL. */
GF_EXTERN const char *gf_order_merged_into(const gf_order *o);
/** The SLA policy routing gave it (a name in sla.json), or NULL. */
GF_EXTERN const char *gf_order_sla(const gf_order *o);
/** The priority routing gave it, 1 (highest) to 5, or 0 for none. */
GF_EXTERN int gf_order_priority(const gf_order *o);
/** Assisting departments (会办) routing named, in order. */
GF_EXTERN size_t gf_order_assist_count(const gf_order *o);
GF_EXTERN const char *gf_order_assist(const gf_order *o, size_t i);
/** The version of the rule set that routed it ("" when none was given). */
GF_EXTERN const char *gf_order_rules_version(const gf_order *o);

GF_EXTERN size_t gf_order_report_count(const gf_order *o);
/** Report i in the order of arrival, or NULL when out of range. */
GF_EXTERN const gf_report *gf_order_report(const gf_order *o, size_t i);

/** "channel:source_id", the report's reference. */
GF_EXTERN const char *gf_report_ref(const gf_report *r);
GF_EXTERN gf_channel gf_report_channel(const gf_report *r);
GF_EXTERN const char *gf_report_source_id(const gf_report *r);
GF_EXTERN gf_time gf_report_received_at(const gf_report *r);
/** The reporter's UTC offset in minutes, as given in received_at. */
GF_EXTERN int gf_report_offset(const gf_report *r);
GF_EXTERN const char *gf_report_region(const gf_report *r);
GF_EXTERN const char *gf_report_category(const gf_report *r);
/** Title, content, address, grid: normalised text, or NULL if absent. */
GF_EXTERN const char *gf_report_title(const gf_report *r);
GF_EXTERN const char *gf_report_content(const gf_report *r);
GF_EXTERN const char *gf_report_address(const gf_report *r);
GF_EXTERN const char *gf_report_grid(const gf_report *r);
/** Location; returns 0 and leaves lat/lon alone when there is none. */
GF_EXTERN int gf_report_location(const gf_report *r, double *lat,
				 double *lon);
/** The reporter's keyed hash (hex), or NULL when there was no phone. */
GF_EXTERN const char *gf_report_reporter(const gf_report *r);
/** The event as JSON, with normalised fields and the input's unknown
 * fields and attributes kept. */
GF_EXTERN const char *gf_report_json(const gf_report *r);

GF_EXTERN size_t gf_order_audit_count(const gf_order *o);
/** Audit entry i, oldest first, or NULL when out of range. */
GF_EXTERN const gf_audit *gf_order_audit(const gf_order *o, size_t i);

GF_EXTERN gf_time gf_audit_time(const gf_audit *e);
/** What happened: an op name, or "create", "link", "merged_from". */
GF_EXTERN const char *gf_audit_what(const gf_audit *e);
GF_EXTERN const char *gf_audit_actor_dept(const gf_audit *e);
GF_EXTERN const char *gf_audit_actor_role(const gf_audit *e);
GF_EXTERN gf_state gf_audit_from(const gf_audit *e);
GF_EXTERN gf_state gf_audit_to(const gf_audit *e);
/** The reason or note given, or "" when none. */
GF_EXTERN const char *gf_audit_reason(const gf_audit *e);
/** The department holding the order after this entry (the one it was
 * dispatched or returned to), or NULL for the creation entry. */
GF_EXTERN const char *gf_audit_lead(const gf_audit *e);

/* ---- SLA clocks ---------------------------------------------------- */

/*
 * An order's clocks come from its SLA policy (sla.json; docs/sla.md):
 * "sign", "respond", "resolve", "accept", ... Each runs between two
 * milestones of the order, on the working calendar, with pause, extension
 * and an escalation ladder. What they record is what on-time rates are
 * computed from.
 */
typedef struct gf_sla_clock gf_sla_clock;
typedef struct gf_sla_mark gf_sla_mark;

typedef enum gf_sla_state {
	GF_SLA_IDLE = 0,     /**< not started yet */
	GF_SLA_RUNNING = 1,
	GF_SLA_PAUSED = 2,   /**< the order is paused */
	GF_SLA_STOPPED = 3   /**< its end milestone came (or the order ended) */
} gf_sla_state;

/** "idle", "running", "paused", "stopped". */
GF_EXTERN const char *gf_sla_state_name(gf_sla_state s);

GF_EXTERN size_t gf_order_clock_count(const gf_order *o);
/** Clock i in the policy's order, or NULL. */
GF_EXTERN const gf_sla_clock *gf_order_clock(const gf_order *o, size_t i);
/** The clock of that name, or NULL. */
GF_EXTERN const gf_sla_clock *gf_order_clock_named(const gf_order *o,
						   const char *name);

GF_EXTERN const char *gf_sla_clock_name(const gf_sla_clock *c);
GF_EXTERN gf_sla_state gf_sla_clock_state(const gf_sla_clock *c);
/** When the current (or last) run started; GF_TIME_NONE if never. */
GF_EXTERN gf_time gf_sla_clock_started(const gf_sla_clock *c);
/** The due time, extensions and pauses included; GF_TIME_NONE when the
 * clock has not started or the calendar cannot compute it. While paused,
 * the due time as of the pause; for a run stopped while paused with
 * budget left, the due time as if resumed at the stop. */
GF_EXTERN gf_time gf_sla_clock_due(const gf_sla_clock *c);
/** When the warning ratio is reached; GF_TIME_NONE when none. */
GF_EXTERN gf_time gf_sla_clock_warning(const gf_sla_clock *c);
/** When the last run stopped; GF_TIME_NONE while it runs. */
GF_EXTERN gf_time gf_sla_clock_stopped(const gf_sla_clock *c);
/** Natural ms spent paused in the current run. */
GF_EXTERN int64_t gf_sla_clock_paused_ms(const gf_sla_clock *c);
/** Extensions granted in the current run. */
GF_EXTERN unsigned gf_sla_clock_extensions(const gf_sla_clock *c);
/** Runs started (a re-dispatch or a reopen starts a new one). */
GF_EXTERN unsigned gf_sla_clock_runs(const gf_sla_clock *c);
/** The ladder's position: steps fired since the run started or was last
 * extended (an extension starts the ladder over for the new due time, less
 * the steps whose new time has passed; while paused, at the resume). Steps
 * fire in the order of their times, not of sla.json. The marks keep every
 * step. */
GF_EXTERN unsigned gf_sla_clock_steps_fired(const gf_sla_clock *c);
/** For a stopped run: 1 if it stopped by its due time, 0 if late (a run
 * stopped while paused is on time with budget left); for a running one: 0
 * once past due (as of `now`), for a paused one: 0 once its budget is used
 * up, else -1 (not decided yet); -1 for an idle clock or an unknown due
 * time. */
GF_EXTERN int gf_sla_clock_on_time(const gf_sla_clock *c, gf_time now);
/** A pending extension request's duration ("5wd"), or NULL. */
GF_EXTERN const char *gf_sla_clock_pending(const gf_sla_clock *c);

/** The order's clock timeline (KPI inputs), oldest first. */
GF_EXTERN size_t gf_order_sla_mark_count(const gf_order *o);
GF_EXTERN const gf_sla_mark *gf_order_sla_mark(const gf_order *o, size_t i);
GF_EXTERN const char *gf_sla_mark_clock(const gf_sla_mark *m);
/** "start", "pause", "resume", "request", "extend", "deny", "notify",
 * "urge", "supervise", "escalate", "stop". */
GF_EXTERN const char *gf_sla_mark_what(const gf_sla_mark *m);
GF_EXTERN gf_time gf_sla_mark_time(const gf_sla_mark *m);
/** The clock's due time after the mark (GF_TIME_NONE when unknown). */
GF_EXTERN gf_time gf_sla_mark_due(const gf_sla_mark *m);

#ifdef __cplusplus
}
#endif
#endif /* GRIDFLOW_ORDER_H */
