/*
 * rules.h - routing by decision tables (docs/formats.md, "rules.json").
 *
 * A rule set is compiled once from rules.json against a directory (and
 * the SLA policy names of sla.json), with every problem reported by file
 * and JSON path, and indexed so that an evaluation looks only at the
 * rules that can match the event's channel and category. It is immutable
 * afterwards and may be shared by engines on several threads; everything
 * an evaluation writes lives in the caller's gf__route_scratch.
 */
#ifndef GF_RULES_H
#define GF_RULES_H

#include "internal.h"
#include "directory.h"
#include "event.h"

#define GF__MAX_UNRESOLVED 8

typedef struct gf__ruleset gf__ruleset;

/* What a problem report needs: (ud, path, message, warning). Warnings
 * (a rule shadowed under "first", regions where a role resolves to
 * nothing) are reported but do not make the configuration unusable. */
typedef void (*gf__rules_problem_fn)(void *ud, const char *path,
				     const char *msg, int warning);

/*
 * Compile the decision tables and "returns" of a parsed rules.json
 * (root; "version" and "fallback" are the caller's). cal: calendar.json,
 * or NULL (then "day" conditions are problems). sla_names: the
 * policy names of sla.json (nsla of them; sla_present 0 when there is
 * no sla.json, so that any "sla" is a problem). Returns the number of
 * errors (0: *out is usable) or GF_ENOMEM; *out is set whenever the
 * return is not GF_ENOMEM, and freed with gf__rules_free.
 */
struct json_object;
struct gf__calendar;
int gf__rules_load(gf__ruleset **out, struct json_object *root,
		   const gf__dir *dir, const struct gf__calendar *cal,
		   const char *const *sla_names, size_t nsla, int sla_present,
		   gf__rules_problem_fn report, void *ud);
void gf__rules_free(gf__ruleset *rs);

/* The settings of "returns". */
unsigned gf__rules_return_limit(const gf__ruleset *rs);
gf_time gf__rules_return_window(const gf__ruleset *rs); /* ms */
size_t gf__rules_count(const gf__ruleset *rs);           /* all tables */

/* What routing looks at. Strings are borrowed. */
typedef struct gf__route_in {
	gf_channel channel;
	gf_urgency urgency;
	const char *category;
	const char *region;       /* 12 digits */
	const gf__region *region_node; /* its directory entry, or NULL */
	const char *title;        /* normalised; NULL when absent */
	const char *content;
	const gf__attr *attrs;
	size_t nattrs;
	gf_time received_at;
	int offset_min;           /* local time of day is taken at this offset */
	/* departments that returned the order: a hit whose lead is one of
	 * them does not count, and evaluation goes on */
	const char *const *exclude;
	size_t nexclude;
} gf__route_in;

typedef struct gf__route_out {
	const gf__dept *lead;     /* NULL: the fallback desk */
	const char *rule;         /* the lead's rule id, or "fallback" */
	const char *table;        /* its table id, or NULL */
	const char *sla;          /* a policy name, or NULL */
	gf_level level;           /* GF_LEVEL_NONE: the lead's own */
	int priority;             /* 0: none given */
	size_t nassist;
	const gf__dept *assist[GF__MAX_ASSIST];
	/* why the desk got it, when lead is NULL: "no rule matched",
	 * "role:town.fire resolves to nothing in 320506001012", ... */
	char why[160];
	/* assist targets that resolved to nothing, as written in the rule */
	size_t nunresolved;
	const char *unresolved[GF__MAX_UNRESOLVED];
} gf__route_out;

/* Per-evaluation working memory, owned by the caller and reused. */
typedef struct gf__route_scratch {
	uint8_t *kw;              /* keyword present? 0 unknown, 1 no, 2 yes */
	size_t kwcap;
} gf__route_scratch;

void gf__route_scratch_free(gf__route_scratch *s);

/*
 * Route one event. explain, when not NULL, receives a JSON array: one
 * object per rule looked at, {"table","rule","hit":bool,"why":"..."}
 * (why names the first condition that failed, or the target that did
 * not resolve). Returns GF_OK or GF_ENOMEM.
 */
int gf__rules_route(const gf__ruleset *rs, const gf__dir *dir,
		    const gf__route_in *in, gf__route_out *out,
		    gf__route_scratch *scratch, gf__buf *explain);

/* Roles resolve through gf__dir_role (directory.h). */

#endif
