/*
 * config.h - the compiled configuration shared by engines (refcounted).
 */
#ifndef GF_CONFIG_H
#define GF_CONFIG_H

#include "internal.h"
#include "directory.h"
#include "rules.h"
#include "calendar.h"
#include "sla.h"
#include "dedup.h"

typedef struct gf__problem {
	char *file;
	char *path;
	char *msg;
	int warning;    /* reported, but the configuration is usable */
} gf__problem;

/* Files a configuration may hold; indexes into gf_config.text. */
enum {
	GF__FILE_DIRECTORY = 0,
	GF__FILE_RULES = 1,
	GF__FILE_SLA = 2,       /* optional */
	GF__FILE_CALENDAR = 3,  /* optional */
	GF__FILE_DEDUP = 4,     /* optional */
	GF__FILE_COUNT = 5
};

struct gf_config {
	int refs;
	int compiled;   /* 0 until gf_config_compile() */
	int result;     /* its result, returned again */
	char *text[GF__FILE_COUNT];
	size_t text_len[GF__FILE_COUNT];
	gf__vec problems;          /* gf__problem* */
	int oom;                   /* recording a problem ran out of memory */
	/* the file exists but could not be read: already a problem, so
	 * compiling does not call it missing as well */
	int unreadable[GF__FILE_COUNT];
	gf__dir dir;
	/* rules.json: the decision tables and the desk orders fall back to */
	char *rules_version;
	const gf__dept *fallback;
	gf__ruleset *rules;
	size_t errors;             /* problems that are not warnings */
	gf__calendar *calendar;    /* calendar.json, or NULL */
	/* sla.json: the policy names rules may use, and the policies */
	int sla_present;
	gf__vec sla_names;         /* char*, owned */
	gf__sla *sla;              /* NULL when sla.json is absent or is not
				    * a JSON object */
	gf__dedup *dedup;          /* dedup.json, or NULL: no deduplication
				    * beyond re-deliveries */
};

/* Take another reference (engines do at open). */
gf_config *gf__config_ref(gf_config *cfg);

/* Record a problem: file name, JSON path, message. */
void gf__config_problem(gf_config *cfg, const char *file, const char *path,
			const char *fmt, ...) GF__PRINTF(4, 5);
/* The same as a warning: reported, but the configuration stays usable. */
void gf__config_warning(gf_config *cfg, const char *file, const char *path,
			const char *fmt, ...) GF__PRINTF(4, 5);

#endif
