/*
 * gridflow/config.h - the configuration: directory, taxonomy, routing.
 *
 * A configuration is assembled from named files (DESIGN.md section 4),
 * read from a directory or given as strings, then compiled. Compiling
 * checks everything and collects every problem, each with its file and
 * JSON path, so that one run of `gridflow check` shows them all. A
 * compiled configuration is immutable and may be shared by several
 * engines; each engine holds a reference until it closes.
 *
 * Files read by this version:
 *   directory.json  regions, departments, category taxonomy (required)
 *   rules.json      routing: decision tables and the fallback desk
 *                   (required)
 *   sla.json        SLA policy names (needed when rules name policies)
 *   calendar.json   the working calendar (needed for "day" conditions
 *                   and working-time durations)
 */
#ifndef GRIDFLOW_CONFIG_H
#define GRIDFLOW_CONFIG_H

#include "common.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct gf_config gf_config;

/** Create an empty configuration. Free it with gf_config_free(). */
GF_EXTERN int gf_config_new(gf_config **out);

/**
 * Drop the caller's reference. Engines opened on it keep their own, so it
 * is safe to free a configuration right after gf_engine_open(). NULL is
 * harmless.
 */
GF_EXTERN void gf_config_free(gf_config *cfg);

/**
 * Give the text of one file, e.g. name "directory.json". The text is
 * copied. Returns GF_EINVAL for an unknown name or after compilation.
 */
GF_EXTERN int gf_config_set_file(gf_config *cfg, const char *name,
				 const char *text, size_t len);

/**
 * Read every known file present in directory dir. A missing required
 * file is reported by gf_config_compile(), not here. Returns GF_EIO when
 * a file exists but cannot be read (the message names it).
 */
GF_EXTERN int gf_config_load_dir(gf_config *cfg, const char *dir);

/**
 * Parse and check all files. Returns GF_OK, or GF_ECONFIG when there are
 * problems other than warnings; such a configuration cannot open an
 * engine. Compiling twice returns the first result.
 */
GF_EXTERN int gf_config_compile(gf_config *cfg);

/** Number of problems found by gf_config_compile() (or loading). */
GF_EXTERN size_t gf_config_problem_count(const gf_config *cfg);

/**
 * Problem i: the file ("rules.json"), the JSON path ("$.fallback") and a
 * message. The strings live as long as cfg. Returns GF_ENOTFOUND when i
 * is out of range. Any out-parameter may be NULL.
 */
GF_EXTERN int gf_config_problem(const gf_config *cfg, size_t i,
				const char **file, const char **path,
				const char **message);

/**
 * Non-zero when problem i is a warning: reported (a rule that can never
 * match, a role that resolves to nothing in some regions) but not in the
 * way of using the configuration. gf_config_compile() fails only on the
 * others.
 */
GF_EXTERN int gf_config_problem_is_warning(const gf_config *cfg, size_t i);

/** The version strings of directory.json and rules.json ("" if none). */
GF_EXTERN const char *gf_config_directory_version(const gf_config *cfg);
GF_EXTERN const char *gf_config_rules_version(const gf_config *cfg);

/**
 * The due time of a duration started at from, on the configuration's
 * working calendar (calendar.json; docs/calendar.md gives the rules):
 * "30m", "2h", "3d" are natural time; "4wh" working hours; "5wd" working
 * days counted from the day after receipt, due at the end of the last
 * working period. GF_EVALUE for a bad duration, GF_ENOTFOUND for a
 * working duration without calendar.json, GF_ERANGE beyond the years the
 * calendar covers.
 */
GF_EXTERN int gf_config_due(const gf_config *cfg, gf_time from,
			    const char *duration, gf_time *due);

/** Counts of what the directory holds, for summaries. */
GF_EXTERN size_t gf_config_region_count(const gf_config *cfg);
GF_EXTERN size_t gf_config_department_count(const gf_config *cfg);
GF_EXTERN size_t gf_config_category_count(const gf_config *cfg);

/**
 * Region levels. A region's level comes from the shape of its code: the
 * 12-digit statistical code ending in zeros names a province, city,
 * district or town; a grid extends a village's code with "-" and a suffix.
 */
typedef enum gf_level {
	GF_LEVEL_NONE = 0,
	GF_LEVEL_PROVINCE = 1,
	GF_LEVEL_CITY = 2,
	GF_LEVEL_DISTRICT = 3,
	GF_LEVEL_TOWN = 4,
	GF_LEVEL_VILLAGE = 5,
	GF_LEVEL_GRID = 6
} gf_level;

/** "province", "city", "district", "town", "village", "grid", or NULL. */
GF_EXTERN const char *gf_level_name(gf_level level);

/**
 * Look up a department: its name, region code, function and the level of
 * its region. Strings live as long as cfg. Returns GF_ENOTFOUND if there
 * is no department with that id. Any out-parameter may be NULL.
 */
GF_EXTERN int gf_config_department(const gf_config *cfg, const char *id,
				   const char **name, const char **region,
				   const char **function, gf_level *level);

#ifdef __cplusplus
}
#endif
#endif /* GRIDFLOW_CONFIG_H */
