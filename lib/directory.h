/*
 * directory.h - regions, departments and the category taxonomy, as
 * loaded from directory.json, and the lookups the engine makes on them.
 */
#ifndef GF_DIRECTORY_H
#define GF_DIRECTORY_H

#include "internal.h"

typedef struct gf__region gf__region;
struct gf__region {
	char *code;         /* 12 digits, or a grid code "<12 digits>-<suffix>" */
	size_t code_len;
	char *name;
	gf_level level;
	const gf__region *parent; /* nearest ancestor present, or NULL */
	/* the first department here of each function, by function id
	 * (gf__dir_function_id); NULL when no department sits here */
	const struct gf__dept **by_function;
};

typedef struct gf__dept {
	char *id;
	size_t id_len;
	char *name;
	char *function;     /* "urban_mgmt", "police", "command_centre", ... */
	const gf__region *region;
	gf_level level;     /* region->level */
} gf__dept;

typedef struct gf__category {
	char *code;         /* dotted: "city.environment.garbage" */
	size_t code_len;
	char *name;
	gf_urgency urgency; /* default urgency of events in this category */
	const struct gf__category *parent; /* "city.environment", or NULL */
} gf__category;

typedef struct gf__dir {
	char *version;
	gf__vec regions;     /* gf__region*, in file order */
	gf__vec depts;       /* gf__dept* */
	gf__vec categories;  /* gf__category* */
	gf__map region_by_code;
	gf__map dept_by_id;
	gf__map category_by_code;
	/* "<12-digit region code>|<function>" -> the first gf__dept of that
	 * function at that region, for gf__dir_role; the map owns its keys */
	gf__map dept_by_role;
	/* function names -> id + 1 (keys are the first department's
	 * function strings), for the per-region arrays */
	gf__map function_ids;
	size_t nfunctions;
} gf__dir;

/* The function name that marks the command centre's departments: only
 * they dispatch, verify, call back, close, cancel, merge and split. */
#define GF__FUNCTION_COMMAND_CENTRE "command_centre"

void gf__dir_init(gf__dir *d);
void gf__dir_free(gf__dir *d);

/* Lookups by exact key; NULL when absent. */
const gf__region *gf__dir_region(const gf__dir *d, const char *code,
				 size_t len);
const gf__dept *gf__dir_dept(const gf__dir *d, const char *id, size_t len);
const gf__category *gf__dir_category(const gf__dir *d, const char *code,
				     size_t len);

/* The level a 12-digit code denotes by its trailing zeros (320500000000
 * is a city, 320506000000 a district, 320506001000 a town, anything else
 * a village); a code "<12 digits>-<1..16 of [0-9A-Za-z]>" is a grid.
 * GF_LEVEL_NONE when the shape is wrong. */
gf_level gf__region_code_level(const char *code, size_t len);

/*
 * The department a role names for a region: the one of `function` whose
 * region is region12's ancestor at `level` (city, district, town or
 * village; the first in directory.json order when there are several), or
 * NULL. region12 is a 12-digit code. A hash lookup with no allocation:
 * routing calls it for every role target of every hit.
 */
const gf__dept *gf__dir_role(const gf__dir *d, const char *region12,
			     gf_level level, const char *function,
			     size_t function_len);

/* 1 when a is b or an ancestor of b (by code prefix). */
int gf__region_covers(const gf__region *a, const gf__region *b);

/* A function's id (0 .. nfunctions-1), or -1 when no department has it. */
int gf__dir_function_id(const gf__dir *d, const char *function, size_t len);

/* gf__dir_role for a region already looked up, and a function id: a walk
 * up the parents and an array read, no hashing. */
const struct gf__dept *gf__dir_role_at(const gf__region *r, gf_level level,
				       int function_id);

/* 1 when dept belongs to the command centre. */
int gf__dept_is_command_centre(const gf__dept *dept);

/*
 * Load a parsed directory.json into d. Every problem is reported through
 * report(ud, json_path, message) and loading goes on, so that one pass
 * finds them all. Returns the number of problems (0 on success) or
 * GF_ENOMEM.
 */
struct json_object;
typedef void (*gf__problem_fn)(void *ud, const char *path, const char *msg);
int gf__dir_load(gf__dir *d, struct json_object *root, gf__problem_fn report,
		 void *ud);

/* A short rendering of a JSON value for problem messages: a string quoted
 * and escaped (cut after 64 bytes), a number or literal as written, "an
 * object", "an array". buf must hold GF__JSON_SHOW_SIZE bytes. */
#define GF__JSON_SHOW_SIZE 400
const char *gf__json_show(struct json_object *v, char *buf, size_t size);

/* A loader's problems: each goes to report(ud, path, message) (report may
 * be NULL) and is counted. */
typedef struct gf__problems {
	gf__problem_fn report;
	void *ud;
	int count;
} gf__problems;

void gf__problem_report(gf__problems *p, const char *path, const char *fmt,
			...) GF__PRINTF(3, 4);
/* "expected <want>, got <the value shown>" */
void gf__problem_expected(gf__problems *p, const char *path, const char *want,
			  struct json_object *got);

/* Every key of object v must be one of keys (NULL-terminated): a typo
 * ("pausible") is a problem naming the keys that level takes, not a
 * silent default. */
void gf__problem_unknown_keys(gf__problems *p, const char *path,
			      struct json_object *v, const char *const *keys);

/* Whether key is one of keys (NULL-terminated). */
int gf__key_known(const char *const *keys, const char *key);

/* A path written with vsnprintf: paths fit their buffers, keys being cut
 * at GF__KEY_SHOWN bytes, but the compiler cannot know it and would warn
 * of truncation at every snprintf. */
void gf__json_pathf(char *out, size_t size, const char *fmt, ...)
	GF__PRINTF(3, 4);

/* The bytes of a key written into a path at most. */
#define GF__KEY_SHOWN 64

/*
 * out = base ".key", or base "[\"key\"]" when key is not a plain name
 * (empty, or with dots, spaces, non-ASCII...), so that every path reads
 * back to one member. A key longer than GF__KEY_SHOWN bytes is cut (at a
 * character boundary) and marked with "...".
 */
void gf__json_path_key(char *out, size_t size, const char *base,
		       const char *key);

#endif
