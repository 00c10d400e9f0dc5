/*
 * check_config.c - the configuration: directory.json and rules.json as
 * docs/formats.md describes them, every problem with its exact file and
 * JSON path, the directory lookups, sla.json's policies as the
 * configuration holds them, and the reference count.
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "testutil.h"
#include "config.h"

/* Children before parents throughout: resolution must not depend on the
 * order in the file. */
static const char VALID_DIR[] =
	"{\"version\": \"t-1\",\n"
	" \"regions\": [\n"
	"  {\"code\": \"320506001003-02\", \"name\": \"某社区第2网格\"},\n"
	"  {\"code\": \"320506001003\", \"name\": \"某社区\", \"level\": \"village\"},\n"
	"  {\"code\": \"320506001000\", \"name\": \"长桥街道\", \"level\": \"town\"},\n"
	"  {\"code\": \"320506103000\", \"name\": \"木渎镇\"},\n"
	"  {\"code\": \"320506000000\", \"name\": \"吴中区\", \"level\": \"district\"},\n"
	"  {\"code\": \"320505000000\", \"name\": \"虎丘区\"},\n"
	"  {\"code\": \"320500000000\", \"name\": \"苏州市\", \"level\": \"city\"}\n"
	" ],\n"
	" \"departments\": [\n"
	"  {\"id\": \"sz-zhzx\", \"name\": \"苏州市社会治理综合指挥中心\",\n"
	"   \"region\": \"320500000000\", \"function\": \"command_centre\"},\n"
	"  {\"id\": \"wz-cb-cg\", \"name\": \"长桥街道城管中队\",\n"
	"   \"region\": \"320506001000\", \"function\": \"urban_mgmt\"},\n"
	"  {\"id\": \"Grid.worker_1\", \"name\": \"网格员\",\n"
	"   \"region\": \"320506001003-02\", \"function\": \"grid_office\"}\n"
	" ],\n"
	" \"categories\": [\n"
	"  {\"code\": \"city.environment.garbage\", \"name\": \"垃圾堆积\", \"urgency\": \"normal\"},\n"
	"  {\"code\": \"city.environment\", \"name\": \"市容环境\"},\n"
	"  {\"code\": \"city\", \"name\": \"城市管理\"},\n"
	"  {\"code\": \"safety.fire.gas.leak\", \"name\": \"燃气泄漏\"},\n"
	"  {\"code\": \"safety.fire.gas\", \"name\": \"燃气\", \"urgency\": \"critical\"},\n"
	"  {\"code\": \"safety.fire\", \"name\": \"火灾\"},\n"
	"  {\"code\": \"safety\", \"name\": \"安全\", \"urgency\": \"urgent\"}\n"
	" ]\n"
	"}\n";

static const char VALID_RULES[] =
	"{\"version\": \"2026-11-22.1\", \"fallback\": \"sz-zhzx\", \"tables\": []}";

/* A directory with one command centre, for tests that vary one array. */
#define CITY_REGION "{\"code\": \"320500000000\", \"name\": \"苏州市\"}"
#define CC_DEPT                                                          \
	"{\"id\": \"sz-zhzx\", \"name\": \"指挥中心\", \"region\": "       \
	"\"320500000000\", \"function\": \"command_centre\"}"

/* ---- helpers -------------------------------------------------------- */

static gf_config *compile_texts(const char *dir, const char *rules, int *rc)
{
	gf_config *cfg = NULL;
	ck_assert_int_eq(gf_config_new(&cfg), GF_OK);
	if (dir)
		ck_assert_int_eq(gf_config_set_file(cfg, "directory.json", dir,
						    strlen(dir)),
				 GF_OK);
	if (rules)
		ck_assert_int_eq(gf_config_set_file(cfg, "rules.json", rules,
						    strlen(rules)),
				 GF_OK);
	*rc = gf_config_compile(cfg);
	return cfg;
}

static const char *dump(const gf_config *cfg)
{
	static char out[8192];
	size_t o = 0;
	out[0] = '\0';
	for (size_t i = 0; i < gf_config_problem_count(cfg); i++) {
		const char *f, *p, *m;
		gf_config_problem(cfg, i, &f, &p, &m);
		int n = snprintf(out + o, sizeof(out) - o, "  %s: %s: %s\n", f,
				 p, m);
		if (n < 0 || (size_t)n >= sizeof(out) - o)
			break;
		o += (size_t)n;
	}
	return out;
}

/* The index of the problem at file and path whose message contains
 * needle, or -1. */
static long find_problem(const gf_config *cfg, const char *file,
			 const char *path, const char *needle)
{
	for (size_t i = 0; i < gf_config_problem_count(cfg); i++) {
		const char *f, *p, *m;
		ck_assert_int_eq(gf_config_problem(cfg, i, &f, &p, &m), GF_OK);
		if (strcmp(f, file) == 0 && strcmp(p, path) == 0 &&
		    strstr(m, needle))
			return (long)i;
	}
	return -1;
}

#define EXPECT_PROBLEM(cfg, file, path, needle)                            \
	ck_assert_msg(find_problem(cfg, file, path, needle) >= 0,          \
		      "expected %s: %s: ...%s...; got:\n%s", file, path,   \
		      needle, dump(cfg))

#define EXPECT_COUNT(cfg, n)                                               \
	ck_assert_msg(gf_config_problem_count(cfg) == (n),                 \
		      "expected %d problems, got:\n%s", (int)(n), dump(cfg))

/* Compiles dir with the valid rules and expects exactly one problem, in
 * directory.json at path, its message containing needle. */
static void expect_one_dir_problem(const char *dir, const char *path,
				   const char *needle)
{
	int rc;
	gf_config *cfg = compile_texts(dir, VALID_RULES, &rc);
	ck_assert_int_eq(rc, GF_ECONFIG);
	EXPECT_PROBLEM(cfg, "directory.json", path, needle);
	EXPECT_COUNT(cfg, 1);
	gf_config_free(cfg);
}

/* A directory holding just these regions, the city's command centre
 * and no categories. */
static char *dir_with_regions(const char *regions)
{
	static char buf[16384];
	snprintf(buf, sizeof(buf),
		 "{\"regions\": [%s], \"departments\": [" CC_DEPT "], "
		 "\"categories\": []}",
		 regions);
	return buf;
}

static char *dir_with_depts(const char *depts)
{
	static char buf[16384];
	snprintf(buf, sizeof(buf),
		 "{\"regions\": [" CITY_REGION ", {\"code\": \"320506000000\", "
		 "\"name\": \"吴中区\"}], \"departments\": [" CC_DEPT "%s], "
		 "\"categories\": []}",
		 depts);
	return buf;
}

static char *dir_with_categories(const char *cats)
{
	static char buf[16384];
	snprintf(buf, sizeof(buf),
		 "{\"regions\": [" CITY_REGION "], \"departments\": [" CC_DEPT
		 "], \"categories\": [%s]}",
		 cats);
	return buf;
}

static const char *parent_code(const gf_config *cfg, const char *code)
{
	const gf__region *r = gf__dir_region(&cfg->dir, code, strlen(code));
	ck_assert_msg(r != NULL, "region %s not loaded", code);
	return r->parent ? r->parent->code : NULL;
}

static gf_urgency urgency_of(const gf_config *cfg, const char *code)
{
	const gf__category *c =
		gf__dir_category(&cfg->dir, code, strlen(code));
	ck_assert_msg(c != NULL, "category %s not loaded", code);
	return c->urgency;
}

/* ---- a valid configuration ------------------------------------------ */

START_TEST(test_valid_compiles)
{
	int rc;
	gf_config *cfg = compile_texts(VALID_DIR, VALID_RULES, &rc);
	ck_assert_msg(rc == GF_OK, "rc %d, problems:\n%s", rc, dump(cfg));
	EXPECT_COUNT(cfg, 0);
	ck_assert_uint_eq(gf_config_region_count(cfg), 7);
	ck_assert_uint_eq(gf_config_department_count(cfg), 3);
	ck_assert_uint_eq(gf_config_category_count(cfg), 7);
	ck_assert_str_eq(gf_config_directory_version(cfg), "t-1");
	ck_assert_str_eq(gf_config_rules_version(cfg), "2026-11-22.1");
	ck_assert_ptr_nonnull(cfg->fallback);
	ck_assert_str_eq(cfg->fallback->id, "sz-zhzx");

	/* every level of the chain, whatever the order in the file */
	ck_assert_str_eq(parent_code(cfg, "320506001003-02"), "320506001003");
	ck_assert_str_eq(parent_code(cfg, "320506001003"), "320506001000");
	ck_assert_str_eq(parent_code(cfg, "320506001000"), "320506000000");
	ck_assert_str_eq(parent_code(cfg, "320506103000"), "320506000000");
	ck_assert_str_eq(parent_code(cfg, "320506000000"), "320500000000");
	ck_assert_str_eq(parent_code(cfg, "320505000000"), "320500000000");
	ck_assert_ptr_null(parent_code(cfg, "320500000000"));

	const gf__region *grid =
		gf__dir_region(&cfg->dir, "320506001003-02", 15);
	ck_assert_int_eq(grid->level, GF_LEVEL_GRID);
	ck_assert_str_eq(grid->name, "某社区第2网格");
	ck_assert_ptr_null(gf__dir_region(&cfg->dir, "320506001003-0", 14));
	ck_assert_ptr_null(gf__dir_region(&cfg->dir, "320599000000", 12));

	const char *name, *region, *function;
	gf_level level;
	ck_assert_int_eq(gf_config_department(cfg, "wz-cb-cg", &name, &region,
					      &function, &level),
			 GF_OK);
	ck_assert_str_eq(name, "长桥街道城管中队");
	ck_assert_str_eq(region, "320506001000");
	ck_assert_str_eq(function, "urban_mgmt");
	ck_assert_int_eq(level, GF_LEVEL_TOWN);
	ck_assert_int_eq(gf_config_department(cfg, "Grid.worker_1", NULL, NULL,
					      NULL, &level),
			 GF_OK);
	ck_assert_int_eq(level, GF_LEVEL_GRID);
	ck_assert_int_eq(gf_config_department(cfg, "sz-zhzx", NULL, NULL, NULL,
					      &level),
			 GF_OK);
	ck_assert_int_eq(level, GF_LEVEL_CITY);
	ck_assert_int_eq(gf_config_department(cfg, "nobody", NULL, NULL, NULL,
					      NULL),
			 GF_ENOTFOUND);
	ck_assert_int_eq(gf_config_department(cfg, NULL, NULL, NULL, NULL,
					      NULL),
			 GF_EINVAL);

	const gf__dept *cc = gf__dir_dept(&cfg->dir, "sz-zhzx", 7);
	const gf__dept *cg = gf__dir_dept(&cfg->dir, "wz-cb-cg", 8);
	ck_assert(gf__dept_is_command_centre(cc));
	ck_assert(!gf__dept_is_command_centre(cg));
	ck_assert(!gf__dept_is_command_centre(NULL));
	ck_assert_ptr_eq(cg->region,
			 gf__dir_region(&cfg->dir, "320506001000", 12));

	const gf__category *leak =
		gf__dir_category(&cfg->dir, "safety.fire.gas.leak", 20);
	ck_assert_ptr_nonnull(leak);
	ck_assert_str_eq(leak->parent->code, "safety.fire.gas");
	ck_assert_str_eq(leak->name, "燃气泄漏");
	ck_assert_ptr_null(gf__dir_category(&cfg->dir, "safety.fir", 10));
	ck_assert_ptr_null(
		gf__dir_category(&cfg->dir, "city", 4)->parent);
	gf_config_free(cfg);
}
END_TEST

START_TEST(test_category_urgency_inherits)
{
	int rc;
	gf_config *cfg = compile_texts(VALID_DIR, VALID_RULES, &rc);
	ck_assert_int_eq(rc, GF_OK);
	ck_assert_int_eq(urgency_of(cfg, "city"), GF_URGENCY_NORMAL);
	ck_assert_int_eq(urgency_of(cfg, "city.environment"),
			 GF_URGENCY_NORMAL);
	ck_assert_int_eq(urgency_of(cfg, "safety"), GF_URGENCY_URGENT);
	/* the parent comes after the child in the file */
	ck_assert_int_eq(urgency_of(cfg, "safety.fire"), GF_URGENCY_URGENT);
	ck_assert_int_eq(urgency_of(cfg, "safety.fire.gas"),
			 GF_URGENCY_CRITICAL);
	ck_assert_int_eq(urgency_of(cfg, "safety.fire.gas.leak"),
			 GF_URGENCY_CRITICAL);
	gf_config_free(cfg);

	/* a child's own urgency wins over its parent's, in either
	 * direction */
	cfg = compile_texts(
		dir_with_categories(
			"{\"code\": \"a.b\", \"name\": \"x\", \"urgency\": \"normal\"},"
			"{\"code\": \"a\", \"name\": \"x\", \"urgency\": \"critical\"},"
			"{\"code\": \"a.b.c\", \"name\": \"x\"},"
			"{\"code\": \"a.d\", \"name\": \"x\"}"),
		VALID_RULES, &rc);
	ck_assert_msg(rc == GF_OK, "%s", dump(cfg));
	ck_assert_int_eq(urgency_of(cfg, "a"), GF_URGENCY_CRITICAL);
	ck_assert_int_eq(urgency_of(cfg, "a.b"), GF_URGENCY_NORMAL);
	ck_assert_int_eq(urgency_of(cfg, "a.b.c"), GF_URGENCY_NORMAL);
	ck_assert_int_eq(urgency_of(cfg, "a.d"), GF_URGENCY_CRITICAL);
	gf_config_free(cfg);
}
END_TEST

/* ---- region codes ---------------------------------------------------- */

static const struct {
	const char *code;
	gf_level level;
} code_levels[] = {
	{ "320000000000", GF_LEVEL_PROVINCE },
	{ "110000000000", GF_LEVEL_PROVINCE },
	{ "320500000000", GF_LEVEL_CITY },
	{ "320506000000", GF_LEVEL_DISTRICT },
	{ "320282000000", GF_LEVEL_DISTRICT },
	{ "320506001000", GF_LEVEL_TOWN },
	{ "320506103000", GF_LEVEL_TOWN },
	{ "441900003000", GF_LEVEL_TOWN }, /* Dongguan: towns under the city */
	{ "320506010000", GF_LEVEL_TOWN },
	{ "320506001003", GF_LEVEL_VILLAGE },
	{ "320506001200", GF_LEVEL_VILLAGE },
	{ "320506001003-02", GF_LEVEL_GRID },
	{ "320506001003-A", GF_LEVEL_GRID },
	{ "320506001003-abcdefABCDEF0123", GF_LEVEL_GRID }, /* 16 */
	{ "320506001003-abcdefABCDEF01234", GF_LEVEL_NONE }, /* 17 */
	{ "32050600100", GF_LEVEL_NONE },   /* 11 digits */
	{ "3205060010031", GF_LEVEL_NONE }, /* 13 digits */
	{ "32050600100A", GF_LEVEL_NONE },
	{ "3205O6001003", GF_LEVEL_NONE },  /* a letter O */
	{ "000000000000", GF_LEVEL_NONE },
	{ "001000000000", GF_LEVEL_NONE },
	{ "320506001003-", GF_LEVEL_NONE },
	{ "320506001003-0_2", GF_LEVEL_NONE },
	{ "320506001003-0 2", GF_LEVEL_NONE },
	{ "320506001003_02", GF_LEVEL_NONE },
	{ "320506001003--2", GF_LEVEL_NONE },
	{ "320506001000-01", GF_LEVEL_NONE }, /* a grid under a town */
	{ "320506001003-网格", GF_LEVEL_NONE },
	{ "", GF_LEVEL_NONE },
	{ " 32050600100", GF_LEVEL_NONE },
};

START_TEST(test_region_code_level)
{
	const char *code = code_levels[_i].code;
	ck_assert_msg(gf__region_code_level(code, strlen(code)) ==
			      code_levels[_i].level,
		      "%s: got %d, want %d", code,
		      gf__region_code_level(code, strlen(code)),
		      code_levels[_i].level);
}
END_TEST

START_TEST(test_region_code_level_len)
{
	/* the length given counts, not the NUL */
	ck_assert_int_eq(gf__region_code_level("320506001003-02", 12),
			 GF_LEVEL_VILLAGE);
	ck_assert_int_eq(gf__region_code_level("320506001003-02", 13),
			 GF_LEVEL_NONE);
	ck_assert_int_eq(gf__region_code_level("320500000000", 11),
			 GF_LEVEL_NONE);
	ck_assert_int_eq(gf__region_code_level(NULL, 12), GF_LEVEL_NONE);
	ck_assert_int_eq(gf__region_code_level("3205000000\0000", 12),
			 GF_LEVEL_NONE);
}
END_TEST

START_TEST(test_level_names)
{
	ck_assert_str_eq(gf_level_name(GF_LEVEL_PROVINCE), "province");
	ck_assert_str_eq(gf_level_name(GF_LEVEL_CITY), "city");
	ck_assert_str_eq(gf_level_name(GF_LEVEL_DISTRICT), "district");
	ck_assert_str_eq(gf_level_name(GF_LEVEL_TOWN), "town");
	ck_assert_str_eq(gf_level_name(GF_LEVEL_VILLAGE), "village");
	ck_assert_str_eq(gf_level_name(GF_LEVEL_GRID), "grid");
	ck_assert_ptr_null(gf_level_name(GF_LEVEL_NONE));
	ck_assert_ptr_null(gf_level_name((gf_level)7));
}
END_TEST

static gf__region region_of(const char *code)
{
	gf__region r;
	memset(&r, 0, sizeof(r));
	r.code = (char *)(uintptr_t)code;
	r.code_len = strlen(code);
	r.level = gf__region_code_level(code, r.code_len);
	return r;
}

START_TEST(test_region_covers)
{
	gf__region prov = region_of("320000000000");
	gf__region city = region_of("320500000000");
	gf__region other_city = region_of("320600000000");
	gf__region dist = region_of("320506000000");
	gf__region town = region_of("320506010000");
	gf__region town2 = region_of("320506011000");
	gf__region vil = region_of("320506010003");
	gf__region grid = region_of("320506010003-02");
	gf__region grid2 = region_of("320506010003-03");
	gf__region town_again = region_of("320506010000");

	ck_assert(gf__region_covers(&prov, &grid));
	ck_assert(gf__region_covers(&city, &town));
	ck_assert(gf__region_covers(&city, &city));
	ck_assert(gf__region_covers(&dist, &vil));
	ck_assert(gf__region_covers(&town, &grid));
	ck_assert(gf__region_covers(&vil, &grid));
	ck_assert(gf__region_covers(&town, &town_again));
	ck_assert(!gf__region_covers(&town, &city));
	ck_assert(!gf__region_covers(&grid, &vil));
	ck_assert(!gf__region_covers(&grid, &grid2));
	ck_assert(!gf__region_covers(&other_city, &town));
	/* "320506010" is not a prefix of "320506011000" even though the
	 * town's code without its trailing zeros, "32050601", is */
	ck_assert(!gf__region_covers(&town, &town2));
	ck_assert(!gf__region_covers(&town2, &vil));
	ck_assert(!gf__region_covers(NULL, &town));
	ck_assert(!gf__region_covers(&town, NULL));

	/* a level left unset is taken from the code */
	gf__region bare = city;
	bare.level = GF_LEVEL_NONE;
	ck_assert(gf__region_covers(&bare, &vil));
}
END_TEST

/* ---- syntax and types ------------------------------------------------ */

START_TEST(test_syntax_error_line_col)
{
	int rc;
	gf_config *cfg = compile_texts("{\n  \"regions\": [\n    {\"code\": tru}\n",
				       VALID_RULES, &rc);
	ck_assert_int_eq(rc, GF_ECONFIG);
	EXPECT_PROBLEM(cfg, "directory.json", "$", "line 3, column 17");
	/* the rules still get checked, but not against a directory that
	 * could not be read: no "unknown department" */
	EXPECT_COUNT(cfg, 1);
	gf_config_free(cfg);

	/* columns count characters, not bytes */
	cfg = compile_texts("{\"regions\": [\"吴中\" x]}", VALID_RULES, &rc);
	EXPECT_PROBLEM(cfg, "directory.json", "$", "line 1, column 19");
	gf_config_free(cfg);

	/* a byte order mark is skipped and not counted */
	cfg = compile_texts("\xEF\xBB\xBF{\"a\": }", VALID_RULES, &rc);
	EXPECT_PROBLEM(cfg, "directory.json", "$", "line 1, column 7");
	EXPECT_COUNT(cfg, 1);
	gf_config_free(cfg);

	cfg = compile_texts(VALID_DIR, "{\"fallback\": \"sz-zhzx\"} x", &rc);
	EXPECT_PROBLEM(cfg, "rules.json", "$", "line 1, column 25");
	EXPECT_COUNT(cfg, 1);
	gf_config_free(cfg);

	cfg = compile_texts(VALID_DIR, "{\"fallback\": \"sz-", &rc);
	EXPECT_PROBLEM(cfg, "rules.json", "$", "line 1, column 18");
	gf_config_free(cfg);

	cfg = compile_texts(VALID_DIR, "", &rc);
	ck_assert_int_eq(rc, GF_ECONFIG);
	EXPECT_PROBLEM(cfg, "rules.json", "$", "line 1, column 1");
	gf_config_free(cfg);
}
END_TEST

START_TEST(test_embedded_nul)
{
	/* json-c stops at a NUL: the text after it must not be lost */
	static const char text[] = "{\"fallback\": \"sz-zhzx\"}\0garbage";
	gf_config *cfg;
	ck_assert_int_eq(gf_config_new(&cfg), GF_OK);
	ck_assert_int_eq(gf_config_set_file(cfg, "directory.json", VALID_DIR,
					    strlen(VALID_DIR)),
			 GF_OK);
	ck_assert_int_eq(gf_config_set_file(cfg, "rules.json", text,
					    sizeof(text) - 1),
			 GF_OK);
	ck_assert_int_eq(gf_config_compile(cfg), GF_ECONFIG);
	EXPECT_PROBLEM(cfg, "rules.json", "$", "line 1, column 24");
	gf_config_free(cfg);

	static const char dir[] =
		"{\"regions\": [{\"code\": \"320500000000\", \"name\": \"a\\u0000b\"}],"
		" \"departments\": [], \"categories\": []}";
	int rc;
	cfg = compile_texts(dir, NULL, &rc);
	EXPECT_PROBLEM(cfg, "directory.json", "$.regions[0].name", "NUL");
	gf_config_free(cfg);
}
END_TEST

START_TEST(test_root_not_object)
{
	int rc;
	gf_config *cfg = compile_texts("[1, 2]", "\"sz-zhzx\"", &rc);
	ck_assert_int_eq(rc, GF_ECONFIG);
	EXPECT_PROBLEM(cfg, "directory.json", "$",
		       "expected an object, got an array");
	EXPECT_PROBLEM(cfg, "rules.json", "$",
		       "expected an object, got \"sz-zhzx\"");
	EXPECT_COUNT(cfg, 2);
	gf_config_free(cfg);

	cfg = compile_texts("null", "42", &rc);
	EXPECT_PROBLEM(cfg, "directory.json", "$", "got null");
	EXPECT_PROBLEM(cfg, "rules.json", "$", "got 42");
	EXPECT_COUNT(cfg, 2);
	gf_config_free(cfg);
}
END_TEST

START_TEST(test_missing_arrays)
{
	int rc;
	gf_config *cfg = compile_texts("{\"version\": 3}", VALID_RULES, &rc);
	ck_assert_int_eq(rc, GF_ECONFIG);
	EXPECT_PROBLEM(cfg, "directory.json", "$.regions",
		       "required field is missing");
	EXPECT_PROBLEM(cfg, "directory.json", "$.departments",
		       "required field is missing");
	EXPECT_PROBLEM(cfg, "directory.json", "$.categories",
		       "required field is missing");
	EXPECT_PROBLEM(cfg, "directory.json", "$.version",
		       "expected a string, got 3");
	/* the directory was read, so the fallback is looked up and is
	 * unknown */
	EXPECT_PROBLEM(cfg, "rules.json", "$.fallback",
		       "unknown department \"sz-zhzx\"");
	EXPECT_COUNT(cfg, 5);
	ck_assert_str_eq(gf_config_directory_version(cfg), "");
	gf_config_free(cfg);
}
END_TEST

START_TEST(test_wrong_types)
{
	int rc;
	gf_config *cfg = compile_texts(
		"{\"regions\": {\"code\": \"320500000000\"},"
		" \"departments\": \"none\", \"categories\": null}",
		VALID_RULES, &rc);
	ck_assert_int_eq(rc, GF_ECONFIG);
	EXPECT_PROBLEM(cfg, "directory.json", "$.regions",
		       "expected an array, got an object");
	EXPECT_PROBLEM(cfg, "directory.json", "$.departments",
		       "expected an array, got \"none\"");
	EXPECT_PROBLEM(cfg, "directory.json", "$.categories",
		       "expected an array, got null");
	gf_config_free(cfg);

	cfg = compile_texts(
		"{\"regions\": [" CITY_REGION ", 7, {\"code\": 320506000000, "
		"\"name\": \"吴中区\"}, {\"code\": \"320506001000\"}, "
		"{\"code\": \"320505000000\", \"name\": [], \"level\": 3}],"
		" \"departments\": [" CC_DEPT ", \"x\", {\"id\": true, "
		"\"name\": \"n\", \"region\": \"320500000000\", \"function\": "
		"\"police\"}],"
		" \"categories\": [[], {\"code\": \"a\", \"name\": \"\"}, "
		"{\"code\": \"b\", \"name\": \"b\", \"urgency\": 1.5}]}",
		VALID_RULES, &rc);
	ck_assert_int_eq(rc, GF_ECONFIG);
	EXPECT_PROBLEM(cfg, "directory.json", "$.regions[1]",
		       "expected an object, got 7");
	EXPECT_PROBLEM(cfg, "directory.json", "$.regions[2].code",
		       "expected a string, got 320506000000");
	EXPECT_PROBLEM(cfg, "directory.json", "$.regions[3].name",
		       "required field is missing");
	EXPECT_PROBLEM(cfg, "directory.json", "$.regions[4].name",
		       "expected a string, got an array");
	EXPECT_PROBLEM(cfg, "directory.json", "$.regions[4].level",
		       "expected a string, got 3");
	EXPECT_PROBLEM(cfg, "directory.json", "$.departments[1]",
		       "expected an object, got \"x\"");
	EXPECT_PROBLEM(cfg, "directory.json", "$.departments[2].id",
		       "expected a string, got true");
	EXPECT_PROBLEM(cfg, "directory.json", "$.categories[0]",
		       "expected an object, got an array");
	EXPECT_PROBLEM(cfg, "directory.json", "$.categories[1].name",
		       "must not be empty");
	EXPECT_PROBLEM(cfg, "directory.json", "$.categories[2].urgency",
		       "expected a string, got 1.5");
	EXPECT_COUNT(cfg, 10);
	/* only the good entries were kept */
	ck_assert_uint_eq(gf_config_region_count(cfg), 1);
	ck_assert_uint_eq(gf_config_department_count(cfg), 1);
	ck_assert_uint_eq(gf_config_category_count(cfg), 0);
	gf_config_free(cfg);
}
END_TEST

/* ---- regions ---------------------------------------------------------- */

START_TEST(test_bad_region_code)
{
	expect_one_dir_problem(
		dir_with_regions(CITY_REGION ", {\"code\": \"3205060\", "
					     "\"name\": \"x\"}"),
		"$.regions[1].code", "bad region code \"3205060\"");
	expect_one_dir_problem(
		dir_with_regions(CITY_REGION ", {\"code\": \"320506001003-0/2\", "
					     "\"name\": \"x\"}"),
		"$.regions[1].code", "bad region code \"320506001003-0/2\"");
	/* a long code is quoted, cut, and its quotes escaped */
	expect_one_dir_problem(
		dir_with_regions(
			CITY_REGION ", {\"code\": \"\\\"0123456789012345678901234567"
				    "8901234567890123456789012345678901234567890\","
				    " \"name\": \"x\"}"),
		"$.regions[1].code",
		"bad region code \"\\\"012345678901234567890123456789012345"
		"678901234567890123456789012\"...");
}
END_TEST

START_TEST(test_region_level_mismatch)
{
	expect_one_dir_problem(
		dir_with_regions(CITY_REGION ", {\"code\": \"320506000000\", "
					     "\"name\": \"x\", \"level\": \"city\"}"),
		"$.regions[1].level",
		"level \"city\" does not match code 320506000000, which is a "
		"district");
	expect_one_dir_problem(
		dir_with_regions(CITY_REGION ", {\"code\": \"320506000000\", "
					     "\"name\": \"x\", \"level\": \"county\"}"),
		"$.regions[1].level", "unknown level \"county\"");
}
END_TEST

START_TEST(test_region_duplicate)
{
	int rc;
	gf_config *cfg = compile_texts(
		dir_with_regions(CITY_REGION ", {\"code\": \"320506000000\", "
			"\"name\": \"x\"}, {\"code\": \"320506001000\", "
			"\"name\": \"t\"}, {\"code\": \"320506000000\", "
			"\"name\": \"y\"}"),
		VALID_RULES, &rc);
	ck_assert_int_eq(rc, GF_ECONFIG);
	EXPECT_PROBLEM(cfg, "directory.json", "$.regions[3].code",
		       "duplicate of $.regions[1]");
	EXPECT_PROBLEM(cfg, "directory.json", "$.regions[3].code",
		       "320506000000");
	EXPECT_COUNT(cfg, 1);
	/* the first one stays */
	ck_assert_str_eq(
		gf__dir_region(&cfg->dir, "320506000000", 12)->name, "x");
	gf_config_free(cfg);
}
END_TEST

START_TEST(test_region_missing_parent)
{
	/* a town of another city: nothing up its chain is present */
	expect_one_dir_problem(
		dir_with_regions(CITY_REGION ", {\"code\": \"320606001000\", "
					     "\"name\": \"x\"}"),
		"$.regions[1].code", "no parent region: 320606000000 is missing");
	/* a grid names its village first */
	expect_one_dir_problem(
		dir_with_regions(CITY_REGION ", {\"code\": \"330506001003-01\", "
					     "\"name\": \"g\"}"),
		"$.regions[1].code", "no parent region: 330506001003 is missing");
	/* the top level is the shallowest present, even when it is listed
	 * last: here the city is the stray one */
	expect_one_dir_problem(
		dir_with_regions("{\"code\": \"330100000000\", \"name\": \"杭州\"},"
				 CITY_REGION ", {\"code\": \"320000000000\", "
				 "\"name\": \"江苏\"}"),
		"$.regions[0].code", "no parent region: 330000000000 is missing");
}
END_TEST

START_TEST(test_region_parent_nearest_present)
{
	int rc;
	/* several top regions at the same level are fine; a town whose
	 * district is absent hangs from the nearest ancestor present; a
	 * town of a city without districts names the city directly */
	gf_config *cfg = compile_texts(
		dir_with_regions(CITY_REGION ", {\"code\": \"441900000000\", "
			"\"name\": \"东莞\"}, {\"code\": \"441900003000\", "
			"\"name\": \"东城街道\"}, {\"code\": \"320507001000\", "
			"\"name\": \"x\"}, {\"code\": \"320507001003-1\", "
			"\"name\": \"g\"}"),
		VALID_RULES, &rc);
	ck_assert_msg(rc == GF_OK, "%s", dump(cfg));
	ck_assert_ptr_null(parent_code(cfg, "320500000000"));
	ck_assert_ptr_null(parent_code(cfg, "441900000000"));
	ck_assert_str_eq(parent_code(cfg, "441900003000"), "441900000000");
	ck_assert_str_eq(parent_code(cfg, "320507001000"), "320500000000");
	ck_assert_str_eq(parent_code(cfg, "320507001003-1"), "320507001000");
	gf_config_free(cfg);
}
END_TEST

/* ---- departments ------------------------------------------------------ */

START_TEST(test_dept_unknown_region)
{
	expect_one_dir_problem(
		dir_with_depts(", {\"id\": \"a\", \"name\": \"n\", \"region\": "
			       "\"320599000000\", \"function\": \"police\"}"),
		"$.departments[1].region", "unknown region \"320599000000\"");
}
END_TEST

START_TEST(test_dept_bad_fields)
{
	expect_one_dir_problem(
		dir_with_depts(", {\"id\": \"a b\", \"name\": \"n\", \"region\": "
			       "\"320506000000\", \"function\": \"police\"}"),
		"$.departments[1].id", "bad department id \"a b\"");
	/* 64 characters are allowed, 65 are not */
	int rc;
	gf_config *cfg = compile_texts(
		dir_with_depts(
			", {\"id\": \"abcdefghijklmnopqrstuvwxyz0123456789-_."
			"ABCDEFGHIJKLMNOPQRSTUVWXY\", \"name\": \"n\", \"region\": "
			"\"320506000000\", \"function\": \"police\"}"),
		VALID_RULES, &rc);
	ck_assert_msg(rc == GF_OK, "%s", dump(cfg));
	gf_config_free(cfg);
	expect_one_dir_problem(
		dir_with_depts(
			", {\"id\": \"abcdefghijklmnopqrstuvwxyz0123456789-_."
			"ABCDEFGHIJKLMNOPQRSTUVWXYZ\", \"name\": \"n\", \"region\": "
			"\"320506000000\", \"function\": \"police\"}"),
		"$.departments[1].id", "bad department id");
	expect_one_dir_problem(
		dir_with_depts(", {\"id\": \"\", \"name\": \"n\", \"region\": "
			       "\"320506000000\", \"function\": \"police\"}"),
		"$.departments[1].id", "bad department id \"\"");
	expect_one_dir_problem(
		dir_with_depts(", {\"id\": \"p\", \"name\": \"n\", \"region\": "
			       "\"320506000000\", \"function\": \"Police\"}"),
		"$.departments[1].function", "bad function \"Police\"");
	expect_one_dir_problem(
		dir_with_depts(", {\"id\": \"p\", \"region\": "
			       "\"320506000000\", \"function\": \"police\"}"),
		"$.departments[1].name", "required field is missing");
	expect_one_dir_problem(
		dir_with_depts(", {\"id\": \"p\", \"name\": \"n\", "
			       "\"function\": \"police\"}"),
		"$.departments[1].region", "required field is missing");
	expect_one_dir_problem(
		dir_with_depts(", {\"id\": \"sz-zhzx\", \"name\": \"n\", \"region\": "
			       "\"320506000000\", \"function\": \"police\"}"),
		"$.departments[1].id", "duplicate of $.departments[0]");
}
END_TEST

/* ---- categories -------------------------------------------------------- */

START_TEST(test_category_problems)
{
	expect_one_dir_problem(
		dir_with_categories(
			"{\"code\": \"city\", \"name\": \"c\"},"
			"{\"code\": \"city.environment.garbage\", \"name\": \"g\"}"),
		"$.categories[1].code",
		"missing parent category \"city.environment\"");
	expect_one_dir_problem(
		dir_with_categories("{\"code\": \"a.b\", \"name\": \"c\"}"),
		"$.categories[0].code", "missing parent category \"a\"");
	expect_one_dir_problem(
		dir_with_categories("{\"code\": \"City\", \"name\": \"c\"}"),
		"$.categories[0].code", "bad category code \"City\"");
	expect_one_dir_problem(
		dir_with_categories("{\"code\": \"city\", \"name\": \"c\"},"
				    "{\"code\": \"city..x\", \"name\": \"c\"}"),
		"$.categories[1].code", "bad category code \"city..x\"");
	expect_one_dir_problem(
		dir_with_categories("{\"code\": \"city\", \"name\": \"c\"},"
				    "{\"code\": \"city.\", \"name\": \"c\"}"),
		"$.categories[1].code", "bad category code \"city.\"");
	expect_one_dir_problem(
		dir_with_categories("{\"code\": \"city\", \"name\": \"c\", "
				    "\"urgency\": \"high\"}"),
		"$.categories[0].urgency", "unknown urgency \"high\"");
	expect_one_dir_problem(
		dir_with_categories("{\"code\": \"city\", \"name\": \"c\"},"
				    "{\"code\": \"city\", \"name\": \"d\"}"),
		"$.categories[1].code", "duplicate of $.categories[0]");
}
END_TEST

/* Categories "aaaaaaa.aaaaaaa....<last>": fifteen 7-byte segments and a
 * last one of last_len bytes, with every parent, as a categories list. */
static const char *deep_categories(size_t last_len)
{
	static char out[8192];
	char code[256];
	size_t n = 0;
	for (int i = 0; i < 15; i++) {
		memcpy(code + n, "aaaaaaa.", 8);
		n += 8;
	}
	memset(code + n, 'b', last_len);
	n += last_len;
	code[n] = '\0';
	size_t o = (size_t)snprintf(out, sizeof(out),
				    "{\"code\": \"%s\", \"name\": \"c\"}", code);
	for (size_t i = 7; i < 15 * 8; i += 8)
		o += (size_t)snprintf(out + o, sizeof(out) - o,
				      ",{\"code\": \"%.*s\", \"name\": \"c\"}",
				      (int)i, code);
	return out;
}

START_TEST(test_category_code_length)
{
	int rc;
	/* 15 * 8 + 8 = 128 bytes: the longest code allowed */
	gf_config *cfg = compile_texts(dir_with_categories(deep_categories(8)),
				       VALID_RULES, &rc);
	ck_assert_msg(rc == GF_OK, "%s", dump(cfg));
	ck_assert_uint_eq(gf_config_category_count(cfg), 16);
	ck_assert_int_eq(
		gf__dir_category(&cfg->dir,
				 "aaaaaaa.aaaaaaa.aaaaaaa.aaaaaaa.aaaaaaa."
				 "aaaaaaa.aaaaaaa.aaaaaaa.aaaaaaa.aaaaaaa."
				 "aaaaaaa.aaaaaaa.aaaaaaa.aaaaaaa.aaaaaaa",
				 119)->code_len,
		119);
	gf_config_free(cfg);
	expect_one_dir_problem(dir_with_categories(deep_categories(9)),
			       "$.categories[0].code", "bad category code");
}
END_TEST

/* ---- rules.json ---------------------------------------------------------- */

START_TEST(test_rules_fallback)
{
	int rc;
	gf_config *cfg = compile_texts(VALID_DIR, "{\"fallback\": \"nobody\"}",
				       &rc);
	ck_assert_int_eq(rc, GF_ECONFIG);
	EXPECT_PROBLEM(cfg, "rules.json", "$.fallback",
		       "unknown department \"nobody\"");
	EXPECT_COUNT(cfg, 1);
	ck_assert_str_eq(gf_config_rules_version(cfg), "");
	/* a configuration with problems answers no lookups */
	ck_assert_int_eq(gf_config_department(cfg, "sz-zhzx", NULL, NULL, NULL,
					      NULL),
			 GF_ENOTFOUND);
	gf_config_free(cfg);

	cfg = compile_texts(VALID_DIR, "{\"fallback\": \"wz-cb-cg\"}", &rc);
	ck_assert_int_eq(rc, GF_ECONFIG);
	EXPECT_PROBLEM(cfg, "rules.json", "$.fallback",
		       "department \"wz-cb-cg\" is not a command centre");
	EXPECT_PROBLEM(cfg, "rules.json", "$.fallback", "\"urban_mgmt\"");
	EXPECT_COUNT(cfg, 1);
	gf_config_free(cfg);

	cfg = compile_texts(VALID_DIR, "{\"version\": \"v\"}", &rc);
	EXPECT_PROBLEM(cfg, "rules.json", "$.fallback",
		       "required field is missing");
	EXPECT_COUNT(cfg, 1);
	gf_config_free(cfg);

	cfg = compile_texts(VALID_DIR, "{\"fallback\": [\"sz-zhzx\"], "
				       "\"version\": false}", &rc);
	EXPECT_PROBLEM(cfg, "rules.json", "$.fallback",
		       "expected a string, got an array");
	EXPECT_PROBLEM(cfg, "rules.json", "$.version",
		       "expected a string, got false");
	EXPECT_COUNT(cfg, 2);
	gf_config_free(cfg);
}
END_TEST

START_TEST(test_rules_tables)
{
	int rc;
	gf_config *cfg = compile_texts(
		VALID_DIR,
		"{\"fallback\": \"sz-zhzx\", \"tables\": [{\"hit_policy\": \"first\"}]}",
		&rc);
	/* tables are compiled now (check_rules tests them): a table without
	 * its id and rules is reported at its own path */
	ck_assert_int_eq(rc, GF_ECONFIG);
	long i = find_problem(cfg, "rules.json", "$.tables[0].id", "");
	ck_assert_msg(i >= 0, "%s", dump(cfg));
	gf_config_free(cfg);

	cfg = compile_texts(VALID_DIR,
			    "{\"fallback\": \"sz-zhzx\", \"tables\": {}}", &rc);
	EXPECT_PROBLEM(cfg, "rules.json", "$.tables",
		       "expected an array, got an object");
	EXPECT_COUNT(cfg, 1);
	gf_config_free(cfg);

	/* absent tables are fine, so is an empty list */
	cfg = compile_texts(VALID_DIR, "{\"fallback\": \"sz-zhzx\"}", &rc);
	ck_assert_msg(rc == GF_OK, "%s", dump(cfg));
	gf_config_free(cfg);
}
END_TEST

/* ---- files and lifetime ----------------------------------------------- */

START_TEST(test_missing_files)
{
	int rc;
	gf_config *cfg = compile_texts(VALID_DIR, NULL, &rc);
	ck_assert_int_eq(rc, GF_ECONFIG);
	EXPECT_PROBLEM(cfg, "rules.json", "$", "file is missing");
	EXPECT_COUNT(cfg, 1);
	gf_config_free(cfg);

	cfg = compile_texts(NULL, VALID_RULES, &rc);
	ck_assert_int_eq(rc, GF_ECONFIG);
	EXPECT_PROBLEM(cfg, "directory.json", "$", "file is missing");
	EXPECT_COUNT(cfg, 1);
	gf_config_free(cfg);

	cfg = compile_texts(NULL, NULL, &rc);
	EXPECT_PROBLEM(cfg, "directory.json", "$", "file is missing");
	EXPECT_PROBLEM(cfg, "rules.json", "$", "file is missing");
	EXPECT_COUNT(cfg, 2);
	gf_config_free(cfg);
}
END_TEST

START_TEST(test_many_problems_one_pass)
{
	int rc;
	gf_config *cfg = compile_texts(
		"{\"version\": \"x\", \"regions\": [" CITY_REGION ","
		" {\"code\": \"32050600000\", \"name\": \"a\"},"
		" {\"code\": \"320506000000\", \"name\": \"b\", \"level\": \"town\"},"
		" {\"code\": \"320500000000\", \"name\": \"c\"},"
		" {\"code\": \"330506000000\", \"name\": \"d\"}],"
		" \"departments\": [" CC_DEPT ","
		" {\"id\": \"x y\", \"name\": \"n\", \"region\": \"320599000000\","
		"  \"function\": \"Bad\"}],"
		" \"categories\": [{\"code\": \"a.b\", \"name\": \"n\","
		"  \"urgency\": \"soon\"}, {\"code\": \"c.d\", \"name\": \"n\"}]}",
		"{\"fallback\": \"sz-zhzx\", \"tables\": [1]}", &rc);
	ck_assert_int_eq(rc, GF_ECONFIG);
	EXPECT_PROBLEM(cfg, "directory.json", "$.regions[1].code",
		       "bad region code");
	EXPECT_PROBLEM(cfg, "directory.json", "$.regions[2].level",
		       "does not match");
	EXPECT_PROBLEM(cfg, "directory.json", "$.regions[3].code",
		       "duplicate of $.regions[0]");
	EXPECT_PROBLEM(cfg, "directory.json", "$.regions[4].code",
		       "no parent region: 330500000000 is missing");
	EXPECT_PROBLEM(cfg, "directory.json", "$.departments[1].id", "x y");
	EXPECT_PROBLEM(cfg, "directory.json", "$.departments[1].region",
		       "320599000000");
	EXPECT_PROBLEM(cfg, "directory.json", "$.departments[1].function",
		       "Bad");
	EXPECT_PROBLEM(cfg, "directory.json", "$.categories[0].urgency",
		       "soon");
	EXPECT_PROBLEM(cfg, "directory.json", "$.categories[1].code",
		       "missing parent category \"c\"");
	EXPECT_PROBLEM(cfg, "rules.json", "$.tables[0]", "");
	EXPECT_COUNT(cfg, 10);
	/* problems come in order: directory.json first, and within it in
	 * the order of the file's arrays */
	const char *file, *path;
	gf_config_problem(cfg, 0, &file, &path, NULL);
	ck_assert_str_eq(file, "directory.json");
	ck_assert_str_eq(path, "$.regions[1].code");
	gf_config_problem(cfg, 9, &file, &path, NULL);
	ck_assert_str_eq(file, "rules.json");
	ck_assert_int_eq(gf_config_problem(cfg, 10, &file, NULL, NULL),
			 GF_ENOTFOUND);
	gf_config_free(cfg);
}
END_TEST

START_TEST(test_compile_once_and_arguments)
{
	gf_config *cfg;
	ck_assert_int_eq(gf_config_new(NULL), GF_EINVAL);
	ck_assert_int_eq(gf_config_new(&cfg), GF_OK);
	ck_assert_int_eq(gf_config_set_file(cfg, "nonsense.json", "{}", 2),
			 GF_EINVAL);
	ck_assert_int_eq(gf_config_set_file(cfg, "Directory.json", "{}", 2),
			 GF_EINVAL);
	ck_assert_int_eq(gf_config_set_file(cfg, "directory.json", NULL, 2),
			 GF_EINVAL);
	ck_assert_int_eq(gf_config_set_file(cfg, NULL, "{}", 2), GF_EINVAL);
	/* not compiled yet: nothing to look up */
	ck_assert_int_eq(gf_config_department(cfg, "sz-zhzx", NULL, NULL, NULL,
					      NULL),
			 GF_ENOTFOUND);
	/* a later text replaces an earlier one */
	ck_assert_int_eq(gf_config_set_file(cfg, "rules.json", "[", 1), GF_OK);
	ck_assert_int_eq(gf_config_set_file(cfg, "rules.json", VALID_RULES,
					    strlen(VALID_RULES)),
			 GF_OK);
	ck_assert_int_eq(gf_config_set_file(cfg, "directory.json", VALID_DIR,
					    strlen(VALID_DIR)),
			 GF_OK);
	ck_assert_int_eq(gf_config_compile(cfg), GF_OK);
	ck_assert_int_eq(gf_config_compile(cfg), GF_OK);
	EXPECT_COUNT(cfg, 0);
	ck_assert_int_eq(gf_config_set_file(cfg, "rules.json", "{}", 2),
			 GF_EINVAL);
	ck_assert_int_eq(gf_config_load_dir(cfg, "."), GF_EINVAL);
	ck_assert_int_eq(gf_config_compile(NULL), GF_EINVAL);
	ck_assert_uint_eq(gf_config_problem_count(NULL), 0);
	ck_assert_str_eq(gf_config_directory_version(NULL), "");
	ck_assert_str_eq(gf_config_rules_version(NULL), "");
	gf_config_free(cfg);
	gf_config_free(NULL);

	/* a failed compile stays failed, with the same problems */
	int rc;
	cfg = compile_texts(VALID_DIR, NULL, &rc);
	ck_assert_int_eq(rc, GF_ECONFIG);
	ck_assert_int_eq(gf_config_compile(cfg), GF_ECONFIG);
	EXPECT_COUNT(cfg, 1);
	gf_config_free(cfg);
}
END_TEST

START_TEST(test_refcount)
{
	int rc;
	gf_config *cfg = compile_texts(VALID_DIR, VALID_RULES, &rc);
	ck_assert_int_eq(rc, GF_OK);
	ck_assert_ptr_eq(gf__config_ref(cfg), cfg);
	ck_assert_ptr_eq(gf__config_ref(cfg), cfg);
	ck_assert_int_eq(cfg->refs, 3);
	gf_config_free(cfg);
	gf_config_free(cfg);
	/* the last reference still sees everything (valgrind and ASan
	 * would flag a read of freed memory here) */
	ck_assert_int_eq(cfg->refs, 1);
	const char *name;
	ck_assert_int_eq(gf_config_department(cfg, "sz-zhzx", &name, NULL,
					      NULL, NULL),
			 GF_OK);
	ck_assert_str_eq(name, "苏州市社会治理综合指挥中心");
	gf_config_free(cfg);
	ck_assert_ptr_null(gf__config_ref(NULL));
}
END_TEST

/* ---- reading a directory ---------------------------------------------- */

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "wb");
	ck_assert_msg(f != NULL, "%s: %s", path, strerror(errno));
	ck_assert_uint_eq(fwrite(text, 1, strlen(text), f), strlen(text));
	ck_assert_int_eq(fclose(f), 0);
}

START_TEST(test_load_dir)
{
	char dir[] = "/tmp/gf-config-XXXXXX", path[256];
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/directory.json", dir);
	write_file(path, VALID_DIR);
	snprintf(path, sizeof(path), "%s/rules.json", dir);
	write_file(path, VALID_RULES);

	gf_config *cfg;
	ck_assert_int_eq(gf_config_new(&cfg), GF_OK);
	ck_assert_int_eq(gf_config_load_dir(cfg, dir), GF_OK);
	ck_assert_int_eq(gf_config_compile(cfg), GF_OK);
	ck_assert_uint_eq(gf_config_region_count(cfg), 7);
	gf_config_free(cfg);

	/* with a trailing slash; rules.json gone: reported by compile */
	ck_assert_int_eq(unlink(path), 0);
	char slash[300];
	snprintf(slash, sizeof(slash), "%s/", dir);
	ck_assert_int_eq(gf_config_new(&cfg), GF_OK);
	ck_assert_int_eq(gf_config_load_dir(cfg, slash), GF_OK);
	EXPECT_COUNT(cfg, 0);
	ck_assert_int_eq(gf_config_compile(cfg), GF_ECONFIG);
	EXPECT_PROBLEM(cfg, "rules.json", "$", "file is missing");
	EXPECT_COUNT(cfg, 1);
	gf_config_free(cfg);

	/* present but unreadable (a directory): GF_EIO now, and compile
	 * does not call it missing on top */
	ck_assert_int_eq(mkdir(path, 0700), 0);
	ck_assert_int_eq(gf_config_new(&cfg), GF_OK);
	ck_assert_int_eq(gf_config_load_dir(cfg, dir), GF_EIO);
	EXPECT_PROBLEM(cfg, "rules.json", "$", "cannot read");
	EXPECT_PROBLEM(cfg, "rules.json", "$", "rules.json");
	EXPECT_COUNT(cfg, 1);
	ck_assert_int_eq(gf_config_compile(cfg), GF_ECONFIG);
	EXPECT_COUNT(cfg, 1);
	ck_assert_uint_eq(gf_config_region_count(cfg), 7);
	gf_config_free(cfg);

	ck_assert_int_eq(rmdir(path), 0);
	snprintf(path, sizeof(path), "%s/directory.json", dir);
	ck_assert_int_eq(unlink(path), 0);
	ck_assert_int_eq(rmdir(dir), 0);

	ck_assert_int_eq(gf_config_new(&cfg), GF_OK);
	ck_assert_int_eq(gf_config_load_dir(cfg, NULL), GF_EINVAL);
	ck_assert_int_eq(gf_config_load_dir(cfg, "/nonexistent-gf-dir"), GF_OK);
	ck_assert_int_eq(gf_config_compile(cfg), GF_ECONFIG);
	EXPECT_COUNT(cfg, 2);
	gf_config_free(cfg);
}
END_TEST

START_TEST(test_example_config)
{
	FILE *f = fopen(GF_TEST_EXAMPLE_CONFIG "/directory.json", "rb");
	if (!f) {
		printf("note: " GF_TEST_EXAMPLE_CONFIG
		       "/directory.json is absent; example check skipped\n");
		return;
	}
	fclose(f);
	gf_config *cfg;
	ck_assert_int_eq(gf_config_new(&cfg), GF_OK);
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	ck_assert_int_eq(gf_config_load_dir(cfg, GF_TEST_EXAMPLE_CONFIG), GF_OK);
	int rc = gf_config_compile(cfg);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ck_assert_msg(rc == GF_OK, "rc %d, problems:\n%s", rc, dump(cfg));
	EXPECT_COUNT(cfg, 0);
	ck_assert_uint_gt(gf_config_region_count(cfg), 2000);
	ck_assert_uint_gt(gf_config_department_count(cfg), 0);
	ck_assert_uint_gt(gf_config_category_count(cfg), 0);
	printf("example config: %zu regions, %zu departments, %zu categories "
	       "in %.1f ms\n",
	       gf_config_region_count(cfg), gf_config_department_count(cfg),
	       gf_config_category_count(cfg),
	       (double)(t1.tv_sec - t0.tv_sec) * 1e3 +
		       (double)(t1.tv_nsec - t0.tv_nsec) / 1e6);
	gf_config_free(cfg);
}
END_TEST

/* Thousands of regions listed deepest first: every parent is found. */
START_TEST(test_large_directory)
{
	gf__buf b;
	gf__buf_init(&b);
	gf__buf_puts(&b, "{\"regions\": [");
	int first = 1;
	for (int t = 1; t <= 50; t++)
		for (int v = 1; v <= 50; v++)
			for (int g = 1; g <= 4; g++) {
				gf__buf_printf(&b,
					       "%s{\"code\": \"320506%03d%03d-%d\", "
					       "\"name\": \"g\"}",
					       first ? "" : ",", t, v, g);
				first = 0;
			}
	for (int t = 1; t <= 50; t++)
		for (int v = 1; v <= 50; v++)
			gf__buf_printf(&b,
				       ",{\"code\": \"320506%03d%03d\", "
				       "\"name\": \"v\"}",
				       t, v);
	for (int t = 1; t <= 50; t++)
		gf__buf_printf(&b, ",{\"code\": \"320506%03d000\", \"name\": \"t\"}",
			       t);
	gf__buf_puts(&b, ",{\"code\": \"320506000000\", \"name\": \"d\"}"
			 "," CITY_REGION "], \"departments\": [" CC_DEPT "],"
			 " \"categories\": []}");
	ck_assert(!b.oom);
	int rc;
	gf_config *cfg = compile_texts(gf__buf_cstr(&b), VALID_RULES, &rc);
	ck_assert_msg(rc == GF_OK, "%s", dump(cfg));
	ck_assert_uint_eq(gf_config_region_count(cfg), 10000 + 2500 + 52);
	ck_assert_str_eq(parent_code(cfg, "320506050050-4"), "320506050050");
	ck_assert_str_eq(parent_code(cfg, "320506050050"), "320506050000");
	ck_assert_str_eq(parent_code(cfg, "320506050000"), "320506000000");
	gf_config_free(cfg);
	gf__buf_free(&b);
}
END_TEST

/* ---- sla.json -------------------------------------------------------- */

static const char SLA_CAL[] =
	"{\"utc_offset\": \"+08:00\", "
	"\"working_periods\": [[\"09:00\", \"12:00\"], [\"13:30\", \"17:30\"]], "
	"\"weekend\": [\"saturday\", \"sunday\"], \"years\": [2026], "
	"\"holidays\": [], \"workdays\": []}";

static const char SLA_GOOD[] =
	"{\"version\": \"s-1\", \"defaults\": {\"warn_ratio\": 0.8, "
	"\"ladder\": [{\"at\": \"warning\", \"do\": \"notify\"}, "
	"{\"at\": \"due+1wd\", \"do\": \"escalate\"}]},\n"
	" \"policies\": {\"complaint\": {\"clocks\": {\"sign\": {\"due\": "
	"\"2wh\"}, \"resolve\": {\"due\": \"15wd\", \"extension\": "
	"{\"longest\": \"15wd\", \"approver\": \"none\"}}}},\n"
	"  \"consult\": {\"name\": \"咨询\"}}}";

/* The resolve clock's due is not a duration. */
static const char SLA_BAD_CLOCK[] =
	"{\"policies\": {\"complaint\": {\"clocks\": {\"resolve\": "
	"{\"due\": \"15 days\"}}}}}";

/* Rules whose only table names the policy "complaint". */
static const char SLA_RULES[] =
	"{\"fallback\": \"sz-zhzx\", \"tables\": [{\"id\": \"main\", "
	"\"hit_policy\": \"first\", \"rules\": [{\"id\": \"r\", "
	"\"when\": {\"category\": [\"city\"]}, \"then\": {\"lead\": "
	"\"dept:wz-cb-cg\", \"sla\": \"complaint\"}}]}]}";

static gf_config *compile_sla(const char *rules, const char *sla,
			      const char *calendar, int *rc)
{
	gf_config *cfg = NULL;
	ck_assert_int_eq(gf_config_new(&cfg), GF_OK);
	ck_assert_int_eq(gf_config_set_file(cfg, "directory.json", VALID_DIR,
					    strlen(VALID_DIR)),
			 GF_OK);
	ck_assert_int_eq(gf_config_set_file(cfg, "rules.json", rules,
					    strlen(rules)),
			 GF_OK);
	if (sla)
		ck_assert_int_eq(gf_config_set_file(cfg, "sla.json", sla,
						    strlen(sla)),
				 GF_OK);
	if (calendar)
		ck_assert_int_eq(gf_config_set_file(cfg, "calendar.json",
						    calendar, strlen(calendar)),
				 GF_OK);
	*rc = gf_config_compile(cfg);
	return cfg;
}

START_TEST(test_sla_policies)
{
	int rc;
	gf_config *cfg = compile_sla(SLA_RULES, SLA_GOOD, SLA_CAL, &rc);
	ck_assert_msg(rc == GF_OK, "%s", dump(cfg));
	ck_assert_ptr_nonnull(cfg->sla);
	ck_assert_int_eq(cfg->sla_present, 1);
	ck_assert_str_eq(cfg->sla->version, "s-1");
	ck_assert_uint_eq(cfg->sla->npolicies, 2);
	ck_assert_ptr_eq(cfg->sla->cal, cfg->calendar);
	ck_assert_uint_eq(cfg->sla_names.len, 2);
	ck_assert_str_eq(cfg->sla_names.v[0], "complaint");
	ck_assert_str_eq(cfg->sla_names.v[1], "consult");
	const gf__sla_policy *p = gf__sla_policy_get(cfg->sla, "complaint");
	ck_assert_ptr_nonnull(p);
	ck_assert_uint_eq(p->nclocks, 2);
	ck_assert_ptr_null(p->clocks[1].approver);
	ck_assert_uint_eq(p->clocks[1].nsteps, 2);
	/* the snapshot holds both files, and rebuilds the same set */
	ck_assert_ptr_nonnull(strstr(cfg->sla->text,
				     "\"calendar\":{\"utc_offset\":\"+08:00\""));
	gf__sla *s;
	ck_assert_int_eq(gf__sla_from_snapshot(&s, cfg->sla->text,
					       cfg->sla->text_len),
			 GF_OK);
	ck_assert_mem_eq(s->digest, cfg->sla->digest, 32);
	gf__sla_free(s);
	gf_config_free(cfg);

	/* no sla.json: no set, and rules may not name policies */
	cfg = compile_sla(VALID_RULES, NULL, SLA_CAL, &rc);
	ck_assert_int_eq(rc, GF_OK);
	ck_assert_ptr_null(cfg->sla);
	ck_assert_int_eq(cfg->sla_present, 0);
	gf_config_free(cfg);
	cfg = compile_sla(SLA_RULES, NULL, NULL, &rc);
	ck_assert_int_eq(rc, GF_ECONFIG);
	ck_assert_ptr_null(cfg->sla);
	EXPECT_PROBLEM(cfg, "rules.json", "$.tables[0].rules[0].then.sla",
		       "sla.json is missing");
	EXPECT_COUNT(cfg, 1);
	gf_config_free(cfg);

	/* not JSON: said once, and no set */
	cfg = compile_sla(VALID_RULES, "{\"policies\":", NULL, &rc);
	ck_assert_int_eq(rc, GF_ECONFIG);
	ck_assert_ptr_null(cfg->sla);
	EXPECT_PROBLEM(cfg, "sla.json", "$", "invalid JSON");
	EXPECT_COUNT(cfg, 1);
	gf_config_free(cfg);
}
END_TEST

START_TEST(test_sla_problems)
{
	int rc;
	/* a bad clock is the only problem: the rule naming its policy is
	 * not reported as well */
	gf_config *cfg = compile_sla(SLA_RULES, SLA_BAD_CLOCK, NULL, &rc);
	ck_assert_int_eq(rc, GF_ECONFIG);
	EXPECT_PROBLEM(cfg, "sla.json",
		       "$.policies.complaint.clocks.resolve.due",
		       "bad duration \"15 days\"");
	EXPECT_COUNT(cfg, 1);
	ck_assert_ptr_nonnull(cfg->sla);
	gf_config_free(cfg);

	/* working time needs calendar.json */
	cfg = compile_sla(SLA_RULES, SLA_GOOD, NULL, &rc);
	ck_assert_int_eq(rc, GF_ECONFIG);
	EXPECT_PROBLEM(cfg, "sla.json",
		       "$.policies.complaint.clocks.sign.due",
		       "working durations need calendar.json");
	EXPECT_PROBLEM(cfg, "sla.json",
		       "$.policies.complaint.clocks.resolve.due",
		       "working durations need calendar.json");
	EXPECT_PROBLEM(cfg, "sla.json",
		       "$.policies.complaint.clocks.resolve.extension.longest",
		       "working durations need calendar.json");
	EXPECT_PROBLEM(cfg, "sla.json", "$.defaults.ladder[1].at",
		       "working durations need calendar.json");
	EXPECT_COUNT(cfg, 4);
	gf_config_free(cfg);

	/* problems in both optional files, each under its own name */
	cfg = compile_sla(VALID_RULES, "{\"version\": 2, \"policies\": {}}",
			  "{\"utc_offset\": \"+8\"}", &rc);
	ck_assert_int_eq(rc, GF_ECONFIG);
	EXPECT_PROBLEM(cfg, "sla.json", "$.version", "expected a string");
	EXPECT_PROBLEM(cfg, "calendar.json", "$.utc_offset", "bad offset");
	gf_config_free(cfg);
}
END_TEST

/* A configuration directory whose sla.json has a bad clock is refused,
 * with the problem's file and path. */
START_TEST(test_sla_bad_clock_dir)
{
	char dir[] = "/tmp/gf-config-XXXXXX", path[256];
	ck_assert_ptr_nonnull(mkdtemp(dir));
	static const char *const names[] = { "directory.json", "rules.json",
					     "sla.json", "calendar.json" };
	const char *texts[] = { VALID_DIR, SLA_RULES, SLA_BAD_CLOCK,
				SLA_CAL };
	for (int i = 0; i < 4; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		write_file(path, texts[i]);
	}
	gf_config *cfg;
	ck_assert_int_eq(gf_config_new(&cfg), GF_OK);
	ck_assert_int_eq(gf_config_load_dir(cfg, dir), GF_OK);
	ck_assert_int_eq(gf_config_compile(cfg), GF_ECONFIG);
	EXPECT_COUNT(cfg, 1);
	const char *file, *p, *msg;
	ck_assert_int_eq(gf_config_problem(cfg, 0, &file, &p, &msg), GF_OK);
	ck_assert_str_eq(file, "sla.json");
	ck_assert_str_eq(p, "$.policies.complaint.clocks.resolve.due");
	ck_assert_ptr_nonnull(strstr(msg, "bad duration \"15 days\""));
	gf_config_free(cfg);
	for (int i = 0; i < 4; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		ck_assert_int_eq(unlink(path), 0);
	}
	ck_assert_int_eq(rmdir(dir), 0);
}
END_TEST

/* ---- out of memory ---------------------------------------------------- */

/* The allocation numbered fail_at (from 0) fails; the others succeed,
 * so every recovery path runs with the allocator working again after. */
static long alloc_count, fail_at = -1;

static int alloc_fails(void)
{
	return alloc_count++ == fail_at;
}

static void *fail_malloc(size_t n)
{
	return alloc_fails() ? NULL : malloc(n);
}

static void *fail_calloc(size_t n, size_t s)
{
	return alloc_fails() ? NULL : calloc(n, s);
}

static void *fail_realloc(void *p, size_t n)
{
	return alloc_fails() ? NULL : realloc(p, n);
}

START_TEST(test_out_of_memory)
{
	/* Each allocation in turn fails: the result is GF_ENOMEM or the
	 * right answer, never a crash, a leak, or a configuration that
	 * passes with its problem lost. */
	ck_assert_int_eq(gf_set_allocator(fail_malloc, fail_calloc,
					  fail_realloc, free),
			 GF_OK);
	const char *rules = "{\"fallback\": \"wz-cb-cg\"}";
	long injected = 0;
	for (fail_at = 0;; fail_at++) {
		gf_config *cfg = NULL;
		alloc_count = 0;
		int rc = gf_config_new(&cfg);
		if (rc == GF_OK)
			rc = gf_config_set_file(cfg, "directory.json", VALID_DIR,
						strlen(VALID_DIR));
		if (rc == GF_OK)
			rc = gf_config_set_file(cfg, "rules.json", rules,
						strlen(rules));
		if (rc == GF_OK)
			rc = gf_config_compile(cfg);
		int failed = alloc_count > fail_at;
		ck_assert_msg(rc == GF_ENOMEM || rc == GF_ECONFIG,
			      "failing allocation %ld: rc %d", fail_at, rc);
		if (rc == GF_ECONFIG) {
			EXPECT_PROBLEM(cfg, "rules.json", "$.fallback",
				       "not a command centre");
			EXPECT_COUNT(cfg, 1);
		}
		gf_config_free(cfg);
		if (!failed)
			break;
		injected++;
	}
	fail_at = -1;
	ck_assert_int_eq(gf_set_allocator(malloc, calloc, realloc, free),
			 GF_OK);
	/* the valid directory alone takes more than fifty */
	ck_assert_int_gt(injected, 50);
}
END_TEST

START_TEST(test_out_of_memory_sla)
{
	/* the same with sla.json and calendar.json: the set's problem is
	 * never lost, and the names rules use are all there or the
	 * result is GF_ENOMEM */
	ck_assert_int_eq(gf_set_allocator(fail_malloc, fail_calloc,
					  fail_realloc, free),
			 GF_OK);
	static const char sla[] =
		"{\"policies\": {\"complaint\": {\"clocks\": {\"sign\": "
		"{\"due\": \"2wh\"}, \"resolve\": {\"due\": \"15 days\"}}}}}";
	long injected = 0;
	for (fail_at = 0;; fail_at++) {
		gf_config *cfg = NULL;
		alloc_count = 0;
		int rc = gf_config_new(&cfg);
		if (rc == GF_OK)
			rc = gf_config_set_file(cfg, "directory.json", VALID_DIR,
						strlen(VALID_DIR));
		if (rc == GF_OK)
			rc = gf_config_set_file(cfg, "rules.json", SLA_RULES,
						strlen(SLA_RULES));
		if (rc == GF_OK)
			rc = gf_config_set_file(cfg, "sla.json", sla,
						strlen(sla));
		if (rc == GF_OK)
			rc = gf_config_set_file(cfg, "calendar.json", SLA_CAL,
						strlen(SLA_CAL));
		if (rc == GF_OK)
			rc = gf_config_compile(cfg);
		int failed = alloc_count > fail_at;
		ck_assert_msg(rc == GF_ENOMEM || rc == GF_ECONFIG,
			      "failing allocation %ld: rc %d", fail_at, rc);
		if (rc == GF_ECONFIG) {
			EXPECT_PROBLEM(cfg, "sla.json",
				       "$.policies.complaint.clocks.resolve.due",
				       "bad duration");
			EXPECT_COUNT(cfg, 1);
			ck_assert_ptr_nonnull(cfg->sla);
		}
		gf_config_free(cfg);
		if (!failed)
			break;
		injected++;
	}
	fail_at = -1;
	ck_assert_int_eq(gf_set_allocator(malloc, calloc, realloc, free),
			 GF_OK);
	ck_assert_int_gt(injected, 80);
}
END_TEST

static Suite *make_suite(void)
{
	Suite *s = suite_create("config");
	TCase *tc = tcase_create("config");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_valid_compiles);
	tcase_add_test(tc, test_category_urgency_inherits);
	tcase_add_loop_test(tc, test_region_code_level, 0,
			    (int)(sizeof(code_levels) / sizeof(code_levels[0])));
	tcase_add_test(tc, test_region_code_level_len);
	tcase_add_test(tc, test_level_names);
	tcase_add_test(tc, test_region_covers);
	tcase_add_test(tc, test_syntax_error_line_col);
	tcase_add_test(tc, test_embedded_nul);
	tcase_add_test(tc, test_root_not_object);
	tcase_add_test(tc, test_missing_arrays);
	tcase_add_test(tc, test_wrong_types);
	tcase_add_test(tc, test_bad_region_code);
	tcase_add_test(tc, test_region_level_mismatch);
	tcase_add_test(tc, test_region_duplicate);
	tcase_add_test(tc, test_region_missing_parent);
	tcase_add_test(tc, test_region_parent_nearest_present);
	tcase_add_test(tc, test_dept_unknown_region);
	tcase_add_test(tc, test_dept_bad_fields);
	tcase_add_test(tc, test_category_problems);
	tcase_add_test(tc, test_category_code_length);
	tcase_add_test(tc, test_rules_fallback);
	tcase_add_test(tc, test_rules_tables);
	tcase_add_test(tc, test_missing_files);
	tcase_add_test(tc, test_many_problems_one_pass);
	tcase_add_test(tc, test_compile_once_and_arguments);
	tcase_add_test(tc, test_refcount);
	tcase_add_test(tc, test_load_dir);
	tcase_add_test(tc, test_example_config);
	tcase_add_test(tc, test_large_directory);
	tcase_add_test(tc, test_sla_policies);
	tcase_add_test(tc, test_sla_problems);
	tcase_add_test(tc, test_sla_bad_clock_dir);
	tcase_add_test(tc, test_out_of_memory);
	tcase_add_test(tc, test_out_of_memory_sla);
	suite_add_tcase(s, tc);
	return s;
}

GF_TEST_MAIN
