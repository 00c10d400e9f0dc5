/*
 * action.h - the gf_action builder and JSON action lines.
 */
#ifndef GF_ACTION_H
#define GF_ACTION_H

#include "internal.h"
#include "order.h"

struct json_object;

struct gf_action {
	gf_op op;
	char *ref;
	char *actor;
	char *role;
	char *reason;
	char *dept;
	char *into;
	char *duration;
	char *clock;
	gf_satisfaction satisfaction;
	char *id;
	int has_time;
	gf_time time;
};

/* Free the members and zero a. */
void gf__action_clear(gf_action *a);

/* GF_EUTF8 naming the first of a's strings that is not valid UTF-8
 * ("$.reason", as the JSON field), else GF_OK. The JSON path checks its
 * whole line; this is for actions the host built with gf_action_set_*,
 * whose strings would otherwise reach the store as they are (a
 * PostgreSQL text column refuses them, and the batch with them). */
int gf__action_check_text(const gf_action *a, gf__err *err);

/* Read a JSON action object into a (zeroed first; clear it after, even
 * on failure). Refusals name the field: GF_EMISSING "$.op", GF_ETYPE
 * "$.actor", GF_EVALUE "$.satisfaction", GF_ETIME "$.at", ... */
int gf__action_from_object(gf_action *a, struct json_object *obj,
			   gf__err *err);

/* The view the state machine reads (strings borrowed from a). */
void gf__action_view(const gf_action *a, gf__act *out);

#endif
