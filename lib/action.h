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

/* Read a JSON action object into a (zeroed first; clear it after, even
 * on failure). Refusals name the field: GF_EMISSING "$.op", GF_ETYPE
 * "$.actor", GF_EVALUE "$.satisfaction", GF_ETIME "$.at", ... */
int gf__action_from_object(gf_action *a, struct json_object *obj,
			   gf__err *err);

/* The view the state machine reads (strings borrowed from a). */
void gf__action_view(const gf_action *a, gf__act *out);

#endif
