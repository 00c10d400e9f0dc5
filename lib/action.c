/*
 * action.c - actions: the gf_action builder and the reading of JSON
 * action lines into one form, which the state machine then judges.
 */
#include <json.h>
#include <stdio.h>

#include "action.h"
#include "text.h"

void gf__action_clear(gf_action *a)
{
	gf__free(a->ref);
	gf__free(a->actor);
	gf__free(a->role);
	gf__free(a->reason);
	gf__free(a->dept);
	gf__free(a->into);
	gf__free(a->duration);
	gf__free(a->clock);
	gf__free(a->id);
	memset(a, 0, sizeof(*a));
}

int gf_action_new(gf_action **out, gf_op op)
{
	if (!out)
		return GF_EINVAL;
	*out = NULL;
	if (!gf_op_name(op))
		return GF_EINVAL;
	gf_action *a = gf__calloc(1, sizeof(*a));
	if (!a)
		return GF_ENOMEM;
	a->op = op;
	*out = a;
	return GF_OK;
}

void gf_action_free(gf_action *a)
{
	if (!a)
		return;
	gf__action_clear(a);
	gf__free(a);
}

int gf__action_check_text(const gf_action *a, gf__err *err)
{
	const struct {
		const char *field;
		const char *s;
	} text[] = {
		{ "$.ref", a->ref },         { "$.actor.dept", a->actor },
		{ "$.actor.role", a->role }, { "$.reason", a->reason },
		{ "$.dept", a->dept },       { "$.into", a->into },
		{ "$.duration", a->duration }, { "$.clock", a->clock },
		{ "$.id", a->id },
	};
	for (size_t i = 0; i < sizeof(text) / sizeof(text[0]); i++) {
		if (!text[i].s)
			continue;
		size_t n = strlen(text[i].s);
		size_t bad = gf__utf8_valid_prefix(text[i].s, n);
		if (bad != n)
			return gf__err_set(err, GF_EUTF8, text[i].field,
					   "invalid UTF-8 at byte %zu", bad);
	}
	return GF_OK;
}

static int gf__action_str(char **dst, const char *s)
{
	char *d = NULL;
	if (s && !(d = gf__strdup(s)))
		return GF_ENOMEM;
	gf__free(*dst);
	*dst = d;
	return GF_OK;
}

int gf_action_set_ref(gf_action *a, const char *ref)
{
	return a ? gf__action_str(&a->ref, ref) : GF_EINVAL;
}

int gf_action_set_actor(gf_action *a, const char *dept, const char *role)
{
	if (!a)
		return GF_EINVAL;
	if (gf__action_str(&a->actor, dept) || gf__action_str(&a->role, role))
		return GF_ENOMEM;
	return GF_OK;
}

int gf_action_set_reason(gf_action *a, const char *reason)
{
	return a ? gf__action_str(&a->reason, reason) : GF_EINVAL;
}

int gf_action_set_dept(gf_action *a, const char *dept)
{
	return a ? gf__action_str(&a->dept, dept) : GF_EINVAL;
}

int gf_action_set_into(gf_action *a, const char *ref)
{
	return a ? gf__action_str(&a->into, ref) : GF_EINVAL;
}

int gf_action_set_duration(gf_action *a, const char *duration)
{
	return a ? gf__action_str(&a->duration, duration) : GF_EINVAL;
}

int gf_action_set_clock(gf_action *a, const char *clock)
{
	return a ? gf__action_str(&a->clock, clock) : GF_EINVAL;
}

int gf_action_set_satisfaction(gf_action *a, gf_satisfaction s)
{
	if (!a || (s != GF_SATISFACTION_NONE && !gf_satisfaction_name(s)))
		return GF_EINVAL;
	a->satisfaction = s;
	return GF_OK;
}

int gf_action_set_id(gf_action *a, const char *id)
{
	return a ? gf__action_str(&a->id, id) : GF_EINVAL;
}

int gf_action_set_time(gf_action *a, gf_time t)
{
	if (!a)
		return GF_EINVAL;
	a->has_time = 1;
	a->time = t;
	return GF_OK;
}

/* ---- JSON ------------------------------------------------------------- */

#define GF__MAX_ACTION_TEXT 4096

/* Read an optional string member into *dst; GF_OK when absent. */
static int gf__json_str(json_object *obj, const char *key, char **dst,
			gf__err *err)
{
	json_object *v;
	char path[64];
	if (!json_object_object_get_ex(obj, key, &v) || !v)
		return GF_OK;
	snprintf(path, sizeof(path), "$.%s", key);
	if (!json_object_is_type(v, json_type_string))
		return gf__err_set(err, GF_ETYPE, path, "must be a string");
	size_t n = (size_t)json_object_get_string_len(v);
	if (n > GF__MAX_ACTION_TEXT)
		return gf__err_set(err, GF_ETOOBIG, path,
				   "longer than %d bytes",
				   GF__MAX_ACTION_TEXT);
	const char *s = json_object_get_string(v);
	if (memchr(s, '\0', n))
		return gf__err_set(err, GF_EVALUE, path,
				   "contains a NUL character");
	char *d = gf__strndup(s, n);
	if (!d)
		return gf__err_set(err, GF_ENOMEM, NULL, "out of memory");
	gf__free(*dst);
	*dst = d;
	return GF_OK;
}

static int gf__json_actor(json_object *obj, gf_action *a, gf__err *err)
{
	json_object *v;
	if (!json_object_object_get_ex(obj, "actor", &v) || !v)
		return GF_OK;
	if (json_object_is_type(v, json_type_object)) {
		int rc = gf__json_str(v, "dept", &a->actor, err);
		if (!rc)
			rc = gf__json_str(v, "role", &a->role, err);
		if (rc && err->field[0] == '$') {
			/* name the member inside actor */
			char path[96];
			snprintf(path, sizeof(path), "$.actor.%s",
				 err->field + 2);
			gf__textcpy(err->field, sizeof(err->field), path);
		}
		return rc;
	}
	if (!json_object_is_type(v, json_type_string))
		return gf__err_set(err, GF_ETYPE, "$.actor",
				   "must be \"dept\", \"dept/role\" or an "
				   "object");
	const char *s = json_object_get_string(v);
	const char *slash = strchr(s, '/');
	gf__free(a->actor);
	gf__free(a->role);
	a->role = NULL;
	a->actor = slash ? gf__strndup(s, (size_t)(slash - s))
			 : gf__strdup(s);
	if (slash)
		a->role = gf__strdup(slash + 1);
	if (!a->actor || (slash && !a->role))
		return gf__err_set(err, GF_ENOMEM, NULL, "out of memory");
	return GF_OK;
}

/* How much of a value an error message quotes. */
static int quote_len(const char *s)
{
	return gf__utf8_quote_len(s, strlen(s), 64);
}

int gf__action_from_object(gf_action *a, json_object *obj, gf__err *err)
{
	json_object *v;
	int rc;

	memset(a, 0, sizeof(*a));
	if (!json_object_object_get_ex(obj, "op", &v) || !v)
		return gf__err_set(err, GF_EMISSING, "$.op",
				   "an action needs an op");
	if (!json_object_is_type(v, json_type_string))
		return gf__err_set(err, GF_ETYPE, "$.op", "must be a string");
	const char *op = json_object_get_string(v);
	a->op = gf_op_from_name(op, (size_t)json_object_get_string_len(v));
	if (a->op == GF_OP_NONE)
		return gf__err_set(err, GF_EVALUE, "$.op",
				   "unknown op \"%.*s\"", quote_len(op), op);

	if ((rc = gf__json_str(obj, "ref", &a->ref, err)) ||
	    (rc = gf__json_actor(obj, a, err)) ||
	    (rc = gf__json_str(obj, "reason", &a->reason, err)) ||
	    (rc = gf__json_str(obj, "dept", &a->dept, err)) ||
	    (rc = gf__json_str(obj, "into", &a->into, err)) ||
	    (rc = gf__json_str(obj, "duration", &a->duration, err)) ||
	    (rc = gf__json_str(obj, "clock", &a->clock, err)) ||
	    (rc = gf__json_str(obj, "id", &a->id, err)))
		return rc;

	if (json_object_object_get_ex(obj, "satisfaction", &v) && v) {
		if (!json_object_is_type(v, json_type_string))
			return gf__err_set(err, GF_ETYPE, "$.satisfaction",
					   "must be a string");
		const char *s = json_object_get_string(v);
		for (int i = GF_SATISFACTION_SATISFIED;
		     i <= GF_SATISFACTION_UNREACHABLE; i++)
			if (strcmp(s, gf_satisfaction_name((gf_satisfaction)i))
			    == 0)
				a->satisfaction = (gf_satisfaction)i;
		if (a->satisfaction == GF_SATISFACTION_NONE)
			return gf__err_set(err, GF_EVALUE, "$.satisfaction",
					   "\"%.*s\" is not satisfied, basic, "
					   "unsatisfied or unreachable",
					   quote_len(s), s);
	}
	if (json_object_object_get_ex(obj, "at", &v) && v) {
		if (!json_object_is_type(v, json_type_string))
			return gf__err_set(err, GF_ETYPE, "$.at",
					   "must be a string");
		const char *s = json_object_get_string(v);
		if (gf_time_parse(&a->time, NULL, s,
				  (size_t)json_object_get_string_len(v)))
			return gf__err_set(err, GF_ETIME, "$.at",
					   "\"%.*s\" is not an RFC 3339 time "
					   "with an offset", quote_len(s), s);
		a->has_time = 1;
	}
	if (!a->ref)
		return gf__err_set(err, GF_EMISSING, "$.ref",
				   "an action names its order");
	return GF_OK;
}

void gf__action_view(const gf_action *a, gf__act *out)
{
	out->op = a->op;
	out->ref = a->ref;
	out->actor = a->actor;
	out->role = a->role;
	out->reason = a->reason;
	out->dept = a->dept;
	out->into = a->into;
	out->duration = a->duration;
	out->clock = a->clock;
	out->satisfaction = a->satisfaction;
}
