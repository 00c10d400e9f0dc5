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
	GF_OP_CANCEL = 14     /**< "cancel": an invalid report */
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
 *   extend       duration ("3d", "2wd", ...), reason
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

#ifdef __cplusplus
}
#endif
#endif /* GRIDFLOW_ORDER_H */
