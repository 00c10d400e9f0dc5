/*
 * config.c - assembling, compiling and sharing a configuration: the
 * files of docs/formats.md, every problem with its file and JSON path,
 * and the reference count that lets engines outlive the caller's handle.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>

#include <json-c/json.h>

#include "config.h"

static const char *const gf__file_names[GF__FILE_COUNT] = {
	"directory.json",
	"rules.json",
	"sla.json",
	"calendar.json",
	"dedup.json",
};

static int gf__file_index(const char *name)
{
	for (int i = 0; i < GF__FILE_COUNT; i++)
		if (strcmp(name, gf__file_names[i]) == 0)
			return i;
	return -1;
}

/* ---- lifetime ------------------------------------------------------- */

int gf_config_new(gf_config **out)
{
	if (!out)
		return GF_EINVAL;
	*out = NULL;
	gf_config *cfg = gf__calloc(1, sizeof(*cfg));
	if (!cfg)
		return GF_ENOMEM;
	cfg->refs = 1;
	gf__vec_init(&cfg->problems);
	gf__vec_init(&cfg->sla_names);
	gf__dir_init(&cfg->dir);
	*out = cfg;
	return GF_OK;
}

/* Engines on other threads may share one configuration, so the count is
 * atomic; everything else about a compiled configuration is read-only. */
gf_config *gf__config_ref(gf_config *cfg)
{
	if (cfg) {
#if defined(__GNUC__)
		__atomic_add_fetch(&cfg->refs, 1, __ATOMIC_RELAXED);
#else
		cfg->refs++;
#endif
	}
	return cfg;
}

static int gf__config_unref(gf_config *cfg)
{
#if defined(__GNUC__)
	return __atomic_sub_fetch(&cfg->refs, 1, __ATOMIC_ACQ_REL);
#else
	return --cfg->refs;
#endif
}

static void gf__texts_free(gf_config *cfg)
{
	for (int i = 0; i < GF__FILE_COUNT; i++) {
		gf__free(cfg->text[i]);
		cfg->text[i] = NULL;
		cfg->text_len[i] = 0;
	}
}

void gf_config_free(gf_config *cfg)
{
	if (!cfg || gf__config_unref(cfg) > 0)
		return;
	gf__texts_free(cfg);
	for (size_t i = 0; i < cfg->problems.len; i++) {
		gf__problem *p = cfg->problems.v[i];
		gf__free(p->file);
		gf__free(p->path);
		gf__free(p->msg);
		gf__free(p);
	}
	gf__vec_free(&cfg->problems);
	gf__dir_free(&cfg->dir);
	gf__rules_free(cfg->rules);
	gf__sla_free(cfg->sla);
	gf__dedup_free(cfg->dedup);
	gf__cal_free(cfg->calendar);
	for (size_t i = 0; i < cfg->sla_names.len; i++)
		gf__free(cfg->sla_names.v[i]);
	gf__vec_free(&cfg->sla_names);
	gf__free(cfg->rules_version);
	gf__free(cfg);
}

/* ---- problems ------------------------------------------------------- */

static void gf__config_vproblem(gf_config *cfg, int warning, const char *file,
				const char *path, const char *fmt, va_list ap)
{
	va_list ap2;
	va_copy(ap2, ap);
	int n = vsnprintf(NULL, 0, fmt, ap);
	gf__problem *p = gf__calloc(1, sizeof(*p));
	char *msg = n >= 0 ? gf__malloc((size_t)n + 1) : NULL;
	if (msg)
		vsnprintf(msg, (size_t)n + 1, fmt, ap2);
	va_end(ap2);
	if (p) {
		p->file = gf__strdup(file);
		p->path = gf__strdup(path);
		p->msg = msg;
		p->warning = warning;
	}
	if (!p || !p->file || !p->path || !msg ||
	    gf__vec_push(&cfg->problems, p) != GF_OK) {
		if (p) {
			gf__free(p->file);
			gf__free(p->path);
			gf__free(p);
		}
		gf__free(msg);
		/* a lost problem must not let the configuration pass */
		cfg->oom = 1;
		return;
	}
	if (!warning)
		cfg->errors++;
}

void gf__config_problem(gf_config *cfg, const char *file, const char *path,
			const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	gf__config_vproblem(cfg, 0, file, path, fmt, ap);
	va_end(ap);
}

void gf__config_warning(gf_config *cfg, const char *file, const char *path,
			const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	gf__config_vproblem(cfg, 1, file, path, fmt, ap);
	va_end(ap);
}

size_t gf_config_problem_count(const gf_config *cfg)
{
	return cfg ? cfg->problems.len : 0;
}

int gf_config_problem_is_warning(const gf_config *cfg, size_t i)
{
	if (!cfg || i >= cfg->problems.len)
		return 0;
	return ((const gf__problem *)cfg->problems.v[i])->warning;
}

int gf_config_problem(const gf_config *cfg, size_t i, const char **file,
		      const char **path, const char **message)
{
	if (!cfg || i >= cfg->problems.len)
		return GF_ENOTFOUND;
	const gf__problem *p = cfg->problems.v[i];
	if (file)
		*file = p->file;
	if (path)
		*path = p->path;
	if (message)
		*message = p->msg;
	return GF_OK;
}

/* ---- files ---------------------------------------------------------- */

static int gf__set_text(gf_config *cfg, int fi, const char *text, size_t len)
{
	/* the NUL lets json-c finish a document that ends in a number */
	char *copy = gf__strndup(text ? text : "", len);
	if (!copy)
		return GF_ENOMEM;
	gf__free(cfg->text[fi]);
	cfg->text[fi] = copy;
	cfg->text_len[fi] = len;
	cfg->unreadable[fi] = 0;
	return GF_OK;
}

int gf_config_set_file(gf_config *cfg, const char *name, const char *text,
		       size_t len)
{
	if (!cfg || !name || (!text && len) || cfg->compiled)
		return GF_EINVAL;
	int fi = gf__file_index(name);
	if (fi < 0)
		return GF_EINVAL;
	return gf__set_text(cfg, fi, text, len);
}

static void gf__unreadable(gf_config *cfg, int fi, const char *path, int err)
{
	char why[128];
	if (strerror_r(err, why, sizeof(why)) != 0)
		snprintf(why, sizeof(why), "error %d", err);
	gf__config_problem(cfg, gf__file_names[fi], "$", "cannot read %s: %s",
			   path, why);
	cfg->unreadable[fi] = 1;
}

/* Reads one file; a missing one is left for compile to report. */
static int gf__read_file(gf_config *cfg, int fi, const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		if (errno == ENOENT)
			return GF_OK;
		gf__unreadable(cfg, fi, path, errno);
		return GF_EIO;
	}
	gf__buf b;
	gf__buf_init(&b);
	int rc = GF_OK;
	for (;;) {
		if (gf__buf_reserve(&b, 65536) != GF_OK) {
			rc = GF_ENOMEM;
			break;
		}
		size_t n = fread(b.p + b.len, 1, b.cap - b.len - 1, f);
		b.len += n;
		if (n == 0) {
			if (ferror(f)) {
				/* e.g. EISDIR: fopen opens a directory */
				gf__unreadable(cfg, fi, path, errno);
				rc = GF_EIO;
			}
			break;
		}
	}
	fclose(f);
	if (rc == GF_OK)
		rc = gf__set_text(cfg, fi, b.p, b.len);
	gf__buf_free(&b);
	return rc;
}

int gf_config_load_dir(gf_config *cfg, const char *dir)
{
	if (!cfg || !dir || cfg->compiled)
		return GF_EINVAL;
	int rc = GF_OK;
	for (int fi = 0; fi < GF__FILE_COUNT; fi++) {
		gf__buf path;
		gf__buf_init(&path);
		size_t dl = strlen(dir);
		int r = gf__buf_puts(&path, dir);
		if (!r && dl && dir[dl - 1] != '/')
			r = gf__buf_putc(&path, '/');
		if (!r)
			r = gf__buf_puts(&path, gf__file_names[fi]);
		r = r ? GF_ENOMEM : gf__read_file(cfg, fi, gf__buf_cstr(&path));
		gf__buf_free(&path);
		/* keep going: the other file's problems are worth seeing too;
		 * running out of memory outranks an unreadable file */
		if (r == GF_ENOMEM)
			return r;
		if (r && !rc)
			rc = r;
	}
	return rc;
}

/* ---- compiling ------------------------------------------------------ */

static void gf__line_col(const char *t, size_t start, size_t off,
			 unsigned long *line, unsigned long *col)
{
	size_t ls = start;
	*line = 1;
	for (size_t i = start; i < off; i++) {
		if (t[i] == '\n') {
			(*line)++;
			ls = i + 1;
		}
	}
	/* columns count characters, as editors show them, not bytes */
	*col = 1;
	for (size_t i = ls; i < off; i++)
		if (((unsigned char)t[i] & 0xC0) != 0x80)
			(*col)++;
}

/*
 * Parses file fi. Returns the root object, or NULL after recording why
 * not (missing, invalid JSON, not an object).
 */
static struct json_object *gf__parse(gf_config *cfg, int fi)
{
	const char *file = gf__file_names[fi];
	const char *text = cfg->text[fi];
	size_t len = cfg->text_len[fi];
	if (!text) {
		if (!cfg->unreadable[fi] && fi != GF__FILE_SLA &&
		    fi != GF__FILE_CALENDAR && fi != GF__FILE_DEDUP)
			gf__config_problem(cfg, file, "$", "file is missing");
		return NULL;
	}
	/* editors on Windows like to start UTF-8 with a byte order mark */
	size_t skip = len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0;
	if (len - skip >= INT_MAX) {
		gf__config_problem(cfg, file, "$",
				   "file is too large (%zu bytes)", len);
		return NULL;
	}
	json_tokener *tok = json_tokener_new();
	if (!tok) {
		cfg->oom = 1;
		return NULL;
	}
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT |
					    JSON_TOKENER_VALIDATE_UTF8);
	/* len + 1 takes in the copy's NUL, which ends a trailing number */
	struct json_object *root =
		json_tokener_parse_ex(tok, text + skip, (int)(len - skip + 1));
	enum json_tokener_error err = json_tokener_get_error(tok);
	size_t end = skip + json_tokener_get_parse_end(tok);
	json_tokener_free(tok);

	const char *why = NULL;
	if (err != json_tokener_success) {
		why = json_tokener_error_desc(err);
	} else {
		/* json-c stops at a NUL and reports success: the rest is
		 * checked here */
		while (end < len && (text[end] == ' ' || text[end] == '\t' ||
				     text[end] == '\n' || text[end] == '\r'))
			end++;
		if (end < len)
			why = "unexpected text after the JSON value";
	}
	if (why) {
		unsigned long line, col;
		if (end > len)
			end = len;
		gf__line_col(text, skip, end, &line, &col);
		gf__config_problem(cfg, file, "$",
				   "invalid JSON at line %lu, column %lu: %s",
				   line, col, why);
		json_object_put(root);
		return NULL;
	}
	if (!json_object_is_type(root, json_type_object)) {
		char show[GF__JSON_SHOW_SIZE];
		gf__config_problem(cfg, file, "$", "expected an object, got %s",
				   gf__json_show(root, show, sizeof(show)));
		json_object_put(root);
		return NULL;
	}
	return root;
}

typedef struct gf__report_ctx {
	gf_config *cfg;
	const char *file;
} gf__report_ctx;

static void gf__report(void *ud, const char *path, const char *msg)
{
	gf__report_ctx *ctx = ud;
	gf__config_problem(ctx->cfg, ctx->file, path, "%s", msg);
}

static void gf__report_rules(void *ud, const char *path, const char *msg,
			     int warning)
{
	gf__report_ctx *ctx = ud;
	if (warning)
		gf__config_warning(ctx->cfg, ctx->file, path, "%s", msg);
	else
		gf__config_problem(ctx->cfg, ctx->file, path, "%s", msg);
}

/* calendar.json, optional: working time for durations and "day".
 * Returns its root, which the SLA snapshot takes in (the caller puts
 * it), or NULL. */
static struct json_object *gf__compile_calendar(gf_config *cfg)
{
	struct json_object *root = gf__parse(cfg, GF__FILE_CALENDAR);
	if (!root)
		return NULL;
	gf__report_ctx ctx = { cfg, gf__file_names[GF__FILE_CALENDAR] };
	int rc = gf__cal_load(&cfg->calendar, root, gf__report, &ctx);
	if (rc == GF_ENOMEM)
		cfg->oom = 1;
	return root;
}

/* sla.json, optional: the policies, whose names rules refer to. calroot
 * is calendar.json's root (or NULL), for the snapshot. */
static void gf__compile_sla(gf_config *cfg, struct json_object *calroot)
{
	struct json_object *root = gf__parse(cfg, GF__FILE_SLA);
	if (!root)
		return;
	cfg->sla_present = 1;
	gf__report_ctx ctx = { cfg, gf__file_names[GF__FILE_SLA] };
	int rc = gf__sla_load(&cfg->sla, root, cfg->calendar, calroot,
			      gf__report, &ctx);
	json_object_put(root);
	if (rc == GF_ENOMEM) {
		cfg->oom = 1;
		return;
	}
	/* every policy the set holds, problems or not: a rule naming one
	 * whose clocks are wrong should not be reported as well */
	if (gf__vec_reserve(&cfg->sla_names, cfg->sla->npolicies) != GF_OK) {
		cfg->oom = 1;
		return;
	}
	for (size_t i = 0; i < cfg->sla->npolicies; i++) {
		char *n = gf__strdup(cfg->sla->policies[i].id);
		if (!n) {
			cfg->oom = 1;
			return;
		}
		(void)gf__vec_push(&cfg->sla_names, n); /* reserved */
	}
}

/* dedup.json, optional: without it only re-deliveries are recognised. */
static void gf__compile_dedup(gf_config *cfg)
{
	struct json_object *root = gf__parse(cfg, GF__FILE_DEDUP);
	if (!root)
		return;
	gf__report_ctx ctx = { cfg, gf__file_names[GF__FILE_DEDUP] };
	int rc = gf__dedup_load(&cfg->dedup, root, cfg->calendar, gf__report,
				&ctx);
	json_object_put(root);
	if (rc == GF_ENOMEM)
		cfg->oom = 1;
}

/* Returns 1 when the directory was read (its departments can be used to
 * check the rules, even if some entries had problems). */
static int gf__compile_directory(gf_config *cfg)
{
	struct json_object *root = gf__parse(cfg, GF__FILE_DIRECTORY);
	if (!root)
		return 0;
	gf__report_ctx ctx = { cfg, gf__file_names[GF__FILE_DIRECTORY] };
	int rc = gf__dir_load(&cfg->dir, root, gf__report, &ctx);
	json_object_put(root);
	if (rc == GF_ENOMEM) {
		cfg->oom = 1;
		return 0;
	}
	return 1;
}

static void gf__rules_type(gf_config *cfg, const char *path,
			   const char *want, struct json_object *v)
{
	char show[GF__JSON_SHOW_SIZE];
	gf__config_problem(cfg, gf__file_names[GF__FILE_RULES], path,
			   "expected %s, got %s", want,
			   gf__json_show(v, show, sizeof(show)));
}

static void gf__compile_rules(gf_config *cfg, int have_dir)
{
	const char *file = gf__file_names[GF__FILE_RULES];
	struct json_object *root = gf__parse(cfg, GF__FILE_RULES), *v;
	const char *version = "";
	if (!root)
		goto done;

	if (json_object_object_get_ex(root, "version", &v)) {
		if (json_object_is_type(v, json_type_string))
			version = json_object_get_string(v);
		else
			gf__rules_type(cfg, "$.version", "a string", v);
	}

	if (!json_object_object_get_ex(root, "fallback", &v)) {
		gf__config_problem(cfg, file, "$.fallback",
				   "required field is missing");
	} else if (!json_object_is_type(v, json_type_string)) {
		gf__rules_type(cfg, "$.fallback", "a string", v);
	} else if (have_dir) {
		/* without a readable directory every id would look unknown */
		char show[GF__JSON_SHOW_SIZE];
		const gf__dept *d = gf__dir_dept(
			&cfg->dir, json_object_get_string(v),
			(size_t)json_object_get_string_len(v));
		gf__json_show(v, show, sizeof(show));
		if (!d)
			gf__config_problem(cfg, file, "$.fallback",
					   "unknown department %s", show);
		else if (!gf__dept_is_command_centre(d))
			gf__config_problem(
				cfg, file, "$.fallback",
				"department %s is not a command centre: its "
				"function is \"%s\", not "
				"\"" GF__FUNCTION_COMMAND_CENTRE "\"",
				show, d->function);
		else
			cfg->fallback = d;
	}

	if (have_dir) {
		/* the tables name departments, roles and categories: without
		 * a readable directory every one of them would look unknown */
		gf__report_ctx ctx = { cfg, file };
		int rc = gf__rules_load(&cfg->rules, root, &cfg->dir,
					cfg->calendar,
					(const char *const *)cfg->sla_names.v,
					cfg->sla_names.len, cfg->sla_present,
					gf__report_rules, &ctx);
		if (rc == GF_ENOMEM)
			cfg->oom = 1;
	}

done:
	cfg->rules_version = gf__strdup(version);
	if (!cfg->rules_version)
		cfg->oom = 1;
	json_object_put(root);
}

int gf_config_compile(gf_config *cfg)
{
	if (!cfg)
		return GF_EINVAL;
	if (cfg->compiled)
		return cfg->result;
	/* the rules name departments and SLA policies: those come first */
	int have_dir = gf__compile_directory(cfg);
	struct json_object *calroot = gf__compile_calendar(cfg);
	gf__compile_sla(cfg, calroot);
	json_object_put(calroot);
	gf__compile_dedup(cfg);
	gf__compile_rules(cfg, have_dir);
	/* compiled configurations never read their texts again */
	gf__texts_free(cfg);
	if (cfg->oom)
		cfg->result = GF_ENOMEM;
	else if (cfg->errors)
		cfg->result = GF_ECONFIG;
	else
		cfg->result = GF_OK;
	cfg->compiled = 1;
	return cfg->result;
}

/* ---- what a compiled configuration holds ---------------------------- */

const char *gf_config_directory_version(const gf_config *cfg)
{
	return cfg && cfg->dir.version ? cfg->dir.version : "";
}

const char *gf_config_rules_version(const gf_config *cfg)
{
	return cfg && cfg->rules_version ? cfg->rules_version : "";
}

size_t gf_config_region_count(const gf_config *cfg)
{
	return cfg ? cfg->dir.regions.len : 0;
}

size_t gf_config_department_count(const gf_config *cfg)
{
	return cfg ? cfg->dir.depts.len : 0;
}

size_t gf_config_category_count(const gf_config *cfg)
{
	return cfg ? cfg->dir.categories.len : 0;
}

int gf_config_due(const gf_config *cfg, gf_time from, const char *duration,
		  gf_time *due)
{
	if (!cfg || !duration || !due)
		return GF_EINVAL;
	gf__duration d;
	if (gf__duration_parse(&d, duration, strlen(duration)))
		return GF_EVALUE;
	/* natural time needs no calendar; working time does */
	if (!cfg->calendar && d.unit != GF__DUR_MINUTES &&
	    d.unit != GF__DUR_HOURS && d.unit != GF__DUR_DAYS)
		return GF_ENOTFOUND;
	return gf__cal_add(cfg->calendar, from, d, due);
}

int gf_config_department(const gf_config *cfg, const char *id,
			 const char **name, const char **region,
			 const char **function, gf_level *level)
{
	if (!cfg || !id)
		return GF_EINVAL;
	if (!cfg->compiled || cfg->result != GF_OK)
		return GF_ENOTFOUND;
	const gf__dept *d = gf__dir_dept(&cfg->dir, id, strlen(id));
	if (!d)
		return GF_ENOTFOUND;
	if (name)
		*name = d->name;
	if (region)
		*region = d->region->code;
	if (function)
		*function = d->function;
	if (level)
		*level = d->level;
	return GF_OK;
}
