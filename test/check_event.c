/*
 * check_event.c - event validation (JSON and builder), normalisation,
 * JSON rendering and the binary encoding.
 */
#include <json-c/json.h>
#include <math.h>
#include <stdarg.h>
#include <string.h>

#include "testutil.h"
#include "event.h"
#include "text.h"

static const char *const DIR_JSON =
	"{\"version\":\"test-1\","
	"\"regions\":["
	"{\"code\":\"320500000000\",\"name\":\"苏州市\"},"
	"{\"code\":\"320506000000\",\"name\":\"吴中区\"},"
	"{\"code\":\"320506001000\",\"name\":\"长桥街道\"},"
	"{\"code\":\"320506001003\",\"name\":\"某社区居委会\"},"
	"{\"code\":\"320506103000\",\"name\":\"木渎镇\"}],"
	"\"departments\":["
	"{\"id\":\"sz-zhzx\",\"name\":\"指挥中心\",\"region\":\"320500000000\","
	"\"function\":\"command_centre\"}],"
	"\"categories\":["
	"{\"code\":\"city\",\"name\":\"城市管理\"},"
	"{\"code\":\"city.environment\",\"name\":\"市容环境\"},"
	"{\"code\":\"city.environment.garbage\",\"name\":\"垃圾堆积\","
	"\"urgency\":\"normal\"},"
	"{\"code\":\"safety\",\"name\":\"安全\",\"urgency\":\"urgent\"},"
	"{\"code\":\"safety.fire\",\"name\":\"火情\",\"urgency\":\"critical\"},"
	"{\"code\":\"safety.road\",\"name\":\"道路\"}]}";

static gf__dir dir;
static gf__hmac key;
static gf__ev_ctx ctx;

static void report_problem(void *ud, const char *path, const char *msg)
{
	(void)ud;
	fprintf(stderr, "directory problem: %s: %s\n", path, msg);
}

static void setup(void)
{
	gf__dir_init(&dir);
	json_object *root = json_tokener_parse(DIR_JSON);
	ck_assert_ptr_nonnull(root);
	int problems = gf__dir_load(&dir, root, report_problem, NULL);
	json_object_put(root);
	ck_assert_int_eq(problems, 0);
	gf__hmac_init(&key, "test-key", 8);
	ctx.dir = &dir;
	ctx.reporter_key = &key;
	ctx.keep_phone = 0;
	ctx.max_bytes = 65536;
}

static void teardown(void)
{
	gf__dir_free(&dir);
}

/* ---- building test input ------------------------------------------------ */

static const char *const base[][2] = {
	{ "channel", "\"12345\"" },
	{ "source_id", "\"HL20261122000123\"" },
	{ "received_at", "\"2026-11-22T09:15:00+08:00\"" },
	{ "region", "\"320506001003\"" },
	{ "grid", "\"320506001003-02\"" },
	{ "location", "{\"lat\":31.2736,\"lon\":120.6012}" },
	{ "address", "\"吴中区长桥街道某小区3幢\"" },
	{ "category", "\"city.environment.garbage\"" },
	{ "urgency", "\"normal\"" },
	{ "title", "\"小区门口垃圾堆积\"" },
	{ "content", "\"……\"" },
	{ "reporter", "{\"phone\":\"13800000000\"}" },
	{ "attributes", "{}" },
};
#define NBASE (sizeof(base) / sizeof(base[0]))

static char jbuf[80000];

/*
 * The example event of DESIGN.md with changes: pairs of field name and
 * raw JSON value, ending with a NULL name. A NULL value drops the field;
 * names not in the example are appended.
 */
static const char *mk(const char *k, ...)
{
	const char *keys[16], *vals[16];
	size_t n = 0;
	va_list ap;
	va_start(ap, k);
	for (; k && n < 16; k = va_arg(ap, const char *)) {
		keys[n] = k;
		vals[n++] = va_arg(ap, const char *);
	}
	va_end(ap);
	size_t len = 0;
	int first = 1;
	jbuf[len++] = '{';
	for (size_t i = 0; i < NBASE; i++) {
		const char *v = base[i][1];
		for (size_t j = 0; j < n; j++)
			if (!strcmp(keys[j], base[i][0]))
				v = vals[j];
		if (!v)
			continue;
		len += (size_t)snprintf(jbuf + len, sizeof(jbuf) - len,
					"%s\"%s\":%s", first ? "" : ",",
					base[i][0], v);
		first = 0;
	}
	for (size_t j = 0; j < n; j++) {
		int known = 0;
		for (size_t i = 0; i < NBASE; i++)
			known |= !strcmp(keys[j], base[i][0]);
		if (known || !vals[j])
			continue;
		len += (size_t)snprintf(jbuf + len, sizeof(jbuf) - len,
					"%s\"%s\":%s", first ? "" : ",",
					keys[j], vals[j]);
		first = 0;
	}
	ck_assert_uint_lt(len + 2, sizeof(jbuf));
	jbuf[len++] = '}';
	jbuf[len] = '\0';
	return jbuf;
}

/* A JSON string of n copies of c. */
static char *repeat(char c, size_t n)
{
	char *s = malloc(n + 3);
	ck_assert_ptr_nonnull(s);
	s[0] = '"';
	memset(s + 1, c, n);
	s[n + 1] = '"';
	s[n + 2] = '\0';
	return s;
}

static void assert_empty(const gf__ev *ev)
{
	static const gf__ev zero;
	ck_assert_mem_eq(ev, &zero, sizeof(zero));
}

#define REJECT(json, code, field) \
	reject_n(json, strlen(json), code, field, NULL, __LINE__)
#define REJECT_N(json, n, code, field) \
	reject_n(json, n, code, field, NULL, __LINE__)

static void reject_n(const char *json, size_t n, int code, const char *field,
		     const gf__ev_ctx *c, int line)
{
	gf__ev ev;
	gf__err err;
	char *ref = NULL;
	gf__err_clear(&err);
	int rc = gf__ev_parse(&ev, json, n, c ? c : &ctx, &ref, &err);
	ck_assert_msg(rc == code, "line %d: got %s, want %s (%s)", line,
		      gf_errname(rc), gf_errname(code), gf__err_text(&err));
	ck_assert_int_eq(err.code, code);
	ck_assert_msg(strcmp(err.field, field) == 0,
		      "line %d: field \"%s\", want \"%s\" (%s)", line,
		      err.field, field, err.msg);
	ck_assert_msg(err.msg[0] != '\0', "line %d: no message", line);
	ck_assert_msg(!strstr(err.msg, "$."), "line %d: path in message: %s",
		      line, err.msg);
	ck_assert_msg(gf__utf8_valid(err.msg, strlen(err.msg)),
		      "line %d: message is not UTF-8", line);
	assert_empty(&ev);
	gf__free(ref);
}

static void accept(const char *json, gf__ev *ev)
{
	gf__err err;
	gf__err_clear(&err);
	int rc = gf__ev_parse(ev, json, strlen(json), &ctx, NULL, &err);
	ck_assert_msg(rc == GF_OK, "refused: %s %s (%s)", gf_errname(rc),
		      gf__err_text(&err), json);
}

static void hash_of(const char *phone, char out[65])
{
	uint8_t mac[32];
	gf__hmac_run(&key, phone, strlen(phone), mac);
	gf__hex(mac, 32, out);
}

/* ---- accepted events ------------------------------------------------------ */

START_TEST(full_event)
{
	gf__ev ev;
	accept(mk(NULL), &ev);
	ck_assert_int_eq(ev.channel, GF_CHANNEL_12345);
	ck_assert_str_eq(ev.source_id, "HL20261122000123");
	ck_assert_str_eq(ev.ref, "12345:HL20261122000123");
	ck_assert(ev.received_at == INT64_C(1795310100000));
	ck_assert_int_eq(ev.offset_min, 480);
	ck_assert_str_eq(ev.region, "320506001003");
	ck_assert_str_eq(ev.grid, "320506001003-02");
	ck_assert_int_eq(ev.has_location, 1);
	ck_assert(ev.lat == 31.2736 && ev.lon == 120.6012);
	ck_assert_str_eq(ev.address, "吴中区长桥街道某小区3幢");
	ck_assert_str_eq(ev.category, "city.environment.garbage");
	ck_assert_int_eq(ev.urgency, GF_URGENCY_NORMAL);
	ck_assert_str_eq(ev.title, "小区门口垃圾堆积");
	ck_assert_str_eq(ev.content, "……");
	char h[65];
	hash_of("13800000000", h);
	ck_assert_str_eq(ev.reporter, h);
	ck_assert_ptr_null(ev.phone);
	ck_assert_uint_eq(ev.nattrs, 0);
	ck_assert_ptr_null(ev.extra);
	gf__ev_free(&ev);
	assert_empty(&ev);
}
END_TEST

START_TEST(minimal_event_defaults)
{
	gf__ev ev;
	accept("{\"channel\":\"110\",\"source_id\":\"P1\","
	       "\"received_at\":\"2026-11-22T01:15:00Z\","
	       "\"region\":\"320506103000\",\"category\":\"safety.fire\"}",
	       &ev);
	ck_assert_int_eq(ev.channel, GF_CHANNEL_110);
	ck_assert_str_eq(ev.ref, "110:P1");
	ck_assert_int_eq(ev.offset_min, 0);
	/* the category's own default */
	ck_assert_int_eq(ev.urgency, GF_URGENCY_CRITICAL);
	ck_assert_ptr_null(ev.grid);
	ck_assert_int_eq(ev.has_location, 0);
	ck_assert_ptr_null(ev.title);
	ck_assert_ptr_null(ev.content);
	ck_assert_ptr_null(ev.address);
	ck_assert_str_eq(ev.reporter, "");
	ck_assert_ptr_null(ev.attrs);
	gf__ev_free(&ev);

	/* inherited from the parent category; explicit urgency wins;
	 * null optional fields are absent */
	accept(mk("category", "\"safety.road\"", "urgency", NULL, "grid", "null",
		  "location", "null", "title", "null", "reporter", "null",
		  "attributes", "null", NULL),
	       &ev);
	ck_assert_int_eq(ev.urgency, GF_URGENCY_URGENT);
	ck_assert_ptr_null(ev.grid);
	ck_assert_int_eq(ev.has_location, 0);
	ck_assert_ptr_null(ev.title);
	ck_assert_str_eq(ev.reporter, "");
	gf__ev_free(&ev);
	accept(mk("category", "\"safety.road\"", "urgency", "\"normal\"", NULL),
	       &ev);
	ck_assert_int_eq(ev.urgency, GF_URGENCY_NORMAL);
	gf__ev_free(&ev);
	accept(mk("urgency", "\"critical\"", NULL), &ev);
	ck_assert_int_eq(ev.urgency, GF_URGENCY_CRITICAL);
	gf__ev_free(&ev);
}
END_TEST

START_TEST(whitespace_around_object)
{
	gf__ev ev;
	char s[4096];
	snprintf(s, sizeof(s), " \t%s\r\n", mk(NULL));
	accept(s, &ev);
	gf__ev_free(&ev);
}
END_TEST

/* ---- bad JSON ------------------------------------------------------------- */

START_TEST(bad_json)
{
	char s[4096];
	const char *ok = mk(NULL);
	snprintf(s, sizeof(s), "%s x", ok);
	REJECT(s, GF_EJSON, "$");
	snprintf(s, sizeof(s), "%s{}", ok);
	REJECT(s, GF_EJSON, "$");
	snprintf(s, sizeof(s), "%s\n%s", ok, ok);
	REJECT(s, GF_EJSON, "$");
	/* truncated at several points */
	size_t n = strlen(ok);
	REJECT_N(ok, n - 1, GF_EJSON, "$");
	REJECT_N(ok, n / 2, GF_EJSON, "$");
	/* cut inside a character: still truncation, not bad UTF-8 */
	const char *cut = strstr(ok, "吴中区") + 1;
	REJECT_N(ok, (size_t)(cut - ok), GF_EJSON, "$");
	REJECT_N(ok, (size_t)(cut - ok) + 1, GF_EJSON, "$");
	REJECT_N(ok, 1, GF_EJSON, "$");
	REJECT("", GF_EJSON, "$");
	REJECT("   \n", GF_EJSON, "$");
	REJECT("[1,2]", GF_EJSON, "$");
	REJECT("123", GF_EJSON, "$");
	REJECT("\"text\"", GF_EJSON, "$");
	REJECT("null", GF_EJSON, "$");
	REJECT("{\"channel\":\"12345\",}", GF_EJSON, "$");
	REJECT("{\"channel\" \"12345\"}", GF_EJSON, "$");
	REJECT("{\"a\":01}", GF_EJSON, "$");
	REJECT("{\"a\":tru}", GF_EJSON, "$");
}
END_TEST

START_TEST(bad_json_message_has_offset)
{
	gf__ev ev;
	gf__err err;
	const char *s = "{\"channel\":\"12345\"} trailing";
	ck_assert_int_eq(gf__ev_parse(&ev, s, strlen(s), &ctx, NULL, &err),
			 GF_EJSON);
	ck_assert_msg(strstr(err.msg, "byte 20"), "%s", err.msg);
	s = "{\"channel\":\"123";
	ck_assert_int_eq(gf__ev_parse(&ev, s, strlen(s), &ctx, NULL, &err),
			 GF_EJSON);
	ck_assert_msg(strstr(err.msg, "end of input"), "%s", err.msg);
}
END_TEST

START_TEST(too_deep)
{
	char deep[200] = "";
	for (int i = 0; i < 40; i++)
		strcat(deep, "[");
	for (int i = 0; i < 40; i++)
		strcat(deep, "]");
	REJECT(mk("x_deep", deep, NULL), GF_EJSON, "$");
}
END_TEST

START_TEST(not_an_object)
{
	gf__ev ev;
	gf__err err;
	json_object *a = json_object_new_array();
	ck_assert_int_eq(gf__ev_from_object(&ev, a, &ctx, NULL, &err),
			 GF_EJSON);
	ck_assert_str_eq(err.field, "$");
	json_object_put(a);
}
END_TEST

/* An object parsed elsewhere gets the same UTF-8 checks as text. */
START_TEST(from_object_checks_utf8)
{
	static const struct {
		const char *json, *field;
	} cases[] = {
		{ "{\"channel\":\"12345\",\"title\":\"a\xff\"}", "$.title" },
		{ "{\"channel\":\"9\xc0\xaf\"}", "$.channel" },
		{ "{\"x\xed\xa0\x80\":1}", "$" },
		{ "{\"reporter\":{\"name\":\"\xe4\xb8\"}}", "$.reporter.name" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		json_object *o = json_tokener_parse(cases[i].json);
		ck_assert_ptr_nonnull(o);
		gf__ev ev;
		gf__err err;
		char *ref = NULL;
		ck_assert_int_eq(gf__ev_from_object(&ev, o, &ctx, &ref, &err),
				 GF_EUTF8);
		ck_assert_str_eq(err.field, cases[i].field);
		ck_assert_ptr_null(ref);
		assert_empty(&ev);
		json_object_put(o);
	}
}
END_TEST

START_TEST(from_object_matches_parse)
{
	const char *s = mk("x_extra", "[1,\"two\"]", NULL);
	gf__ev a, b;
	accept(s, &a);
	json_object *o = json_tokener_parse(s);
	gf__err err;
	ck_assert_int_eq(gf__ev_from_object(&b, o, &ctx, NULL, &err), GF_OK);
	json_object_put(o);
	gf__buf ea, eb;
	gf__buf_init(&ea);
	gf__buf_init(&eb);
	gf__ev_encode(&a, &ea);
	gf__ev_encode(&b, &eb);
	ck_assert_uint_eq(ea.len, eb.len);
	ck_assert_mem_eq(ea.p, eb.p, ea.len);
	gf__buf_free(&ea);
	gf__buf_free(&eb);
	gf__ev_free(&a);
	gf__ev_free(&b);
}
END_TEST

/* ---- missing and ill-typed fields ---------------------------------------- */

START_TEST(missing_required)
{
	static const char *const req[] = { "channel", "source_id",
					   "received_at", "region",
					   "category" };
	for (size_t i = 0; i < 5; i++) {
		char path[32];
		snprintf(path, sizeof(path), "$.%s", req[i]);
		REJECT(mk(req[i], NULL, NULL), GF_EMISSING, path);
		REJECT(mk(req[i], "null", NULL), GF_EMISSING, path);
	}
	REJECT("{}", GF_EMISSING, "$.channel");
}
END_TEST

START_TEST(wrong_types)
{
	REJECT(mk("channel", "12345", NULL), GF_ETYPE, "$.channel");
	REJECT(mk("source_id", "123", NULL), GF_ETYPE, "$.source_id");
	REJECT(mk("received_at", "1795310100000", NULL), GF_ETYPE,
	       "$.received_at");
	REJECT(mk("region", "320506001003", NULL), GF_ETYPE, "$.region");
	REJECT(mk("grid", "[]", NULL), GF_ETYPE, "$.grid");
	REJECT(mk("location", "\"31.27,120.60\"", NULL), GF_ETYPE,
	       "$.location");
	REJECT(mk("location", "[31.27,120.60]", NULL), GF_ETYPE, "$.location");
	REJECT(mk("location", "{\"lat\":\"31.27\",\"lon\":120.6}", NULL),
	       GF_ETYPE, "$.location.lat");
	REJECT(mk("location", "{\"lat\":31.27,\"lon\":true}", NULL), GF_ETYPE,
	       "$.location.lon");
	REJECT(mk("category", "{}", NULL), GF_ETYPE, "$.category");
	REJECT(mk("urgency", "2", NULL), GF_ETYPE, "$.urgency");
	REJECT(mk("title", "42", NULL), GF_ETYPE, "$.title");
	REJECT(mk("content", "[\"a\"]", NULL), GF_ETYPE, "$.content");
	REJECT(mk("address", "false", NULL), GF_ETYPE, "$.address");
	REJECT(mk("reporter", "\"13800000000\"", NULL), GF_ETYPE,
	       "$.reporter");
	REJECT(mk("reporter", "{\"phone\":13800000000}", NULL), GF_ETYPE,
	       "$.reporter.phone");
	REJECT(mk("attributes", "[]", NULL), GF_ETYPE, "$.attributes");
	REJECT(mk("attributes", "{\"floor\":{\"n\":3}}", NULL), GF_ETYPE,
	       "$.attributes.floor");
	REJECT(mk("attributes", "{\"ok\":1,\"tags\":[\"a\"]}", NULL), GF_ETYPE,
	       "$.attributes.tags");
}
END_TEST

/* ---- UTF-8 ---------------------------------------------------------------- */

START_TEST(bad_utf8)
{
	REJECT(mk("title", "\"垃圾\xff堆积\"", NULL), GF_EUTF8, "$.title");
	/* overlong '/' and a CESU-8 surrogate */
	REJECT(mk("content", "\"a\xc0\xaf\"", NULL), GF_EUTF8, "$.content");
	REJECT(mk("address", "\"\xed\xa0\x80\"", NULL), GF_EUTF8, "$.address");
	/* truncated sequence at the end of a string */
	REJECT(mk("title", "\"垃\xe5\x9c\"", NULL), GF_EUTF8, "$.title");
	/* a bad key: top level, and inside attributes */
	REJECT(mk("x\xfe", "1", NULL), GF_EUTF8, "$");
	REJECT(mk("attributes", "{\"fl\xc3\":1}", NULL), GF_EUTF8,
	       "$.attributes");
	REJECT(mk("attributes", "{\"floor\":\"\xf8\"}", NULL), GF_EUTF8,
	       "$.attributes.floor");
	REJECT(mk("x_note", "{\"deep\":[\"ok\",\"\xe4\"]}", NULL), GF_EUTF8,
	       "$.x_note.deep[1]");
	/* bad UTF-8 in input that is not JSON either: the encoding is
	 * reported, for the whole input */
	REJECT("{\"title\":\"\xff", GF_EUTF8, "$");
	/* a raw NUL byte */
	const char *ok = mk(NULL);
	char s[4096];
	size_t n = strlen(ok);
	memcpy(s, ok, n);
	s[n - 1] = '\0';
	s[n] = '}';
	REJECT_N(s, n + 1, GF_EUTF8, "$");
}
END_TEST

START_TEST(escaped_nul)
{
	/* \u0000 is well-formed JSON: free text turns it into a space;
	 * an attribute value, kept verbatim, refuses it; a lone
	 * surrogate escape becomes U+FFFD in json-c. */
	gf__ev ev;
	accept(mk("title", "\"a\\u0000b\"", NULL), &ev);
	ck_assert_str_eq(ev.title, "a b");
	gf__ev_free(&ev);
	REJECT(mk("attributes", "{\"k\":\"a\\u0000b\"}", NULL), GF_EUTF8,
	       "$.attributes.k");
	REJECT(mk("source_id", "\"HL\\u00001\"", NULL), GF_EVALUE,
	       "$.source_id");
	accept(mk("title", "\"\\ud800x\"", NULL), &ev);
	ck_assert(gf__utf8_valid(ev.title, strlen(ev.title)));
	gf__ev_free(&ev);
}
END_TEST

/* json-c cuts a key at an escaped NUL: "channel\u0000x" would be read as
 * the channel, "fl\u0000oor" kept as "fl". Such a key is refused, at the
 * path of the object that holds it. */
START_TEST(escaped_nul_in_keys)
{
	REJECT(mk("channel", NULL, "channel\\u0000x", "\"12345\"", NULL),
	       GF_EUTF8, "$");
	REJECT(mk("attributes", "{\"fl\\u0000oor\":1}", NULL), GF_EUTF8,
	       "$.attributes");
	REJECT(mk("x_note\\u0000", "1", NULL), GF_EUTF8, "$");
	REJECT(mk("x_note", "{\"a\":[0,{\"b\\u0000\":1}]}", NULL),
	       GF_EUTF8, "$.x_note.a[1]");
	REJECT(mk("reporter", "{\"phone\\u0000\":\"13800000000\"}", NULL),
	       GF_EUTF8, "$.reporter");
	/* an escaped backslash before u0000 is no NUL, in keys or values */
	gf__ev ev;
	accept(mk("x_a\\\\u0000", "\"\\\\u0000 \\\" \\u0000\"", NULL),
	       &ev);
	ck_assert_ptr_nonnull(ev.extra);
	ck_assert_ptr_nonnull(strstr(ev.extra, "x_a\\\\u0000"));
	gf__ev_free(&ev);
}
END_TEST

/* ---- numbers and coordinates --------------------------------------------- */

START_TEST(coordinates)
{
	REJECT(mk("location", "{\"lat\":NaN,\"lon\":120.6}", NULL), GF_ERANGE,
	       "$.location.lat");
	REJECT(mk("location", "{\"lat\":31.2,\"lon\":Infinity}", NULL),
	       GF_ERANGE, "$.location.lon");
	REJECT(mk("location", "{\"lat\":-Infinity,\"lon\":1}", NULL),
	       GF_ERANGE, "$.location.lat");
	REJECT(mk("location", "{\"lat\":1e400,\"lon\":1}", NULL), GF_ERANGE,
	       "$.location.lat");
	REJECT(mk("location", "{\"lat\":90.0001,\"lon\":1}", NULL), GF_ERANGE,
	       "$.location.lat");
	REJECT(mk("location", "{\"lat\":-91,\"lon\":1}", NULL), GF_ERANGE,
	       "$.location.lat");
	REJECT(mk("location", "{\"lat\":0,\"lon\":-180.1}", NULL), GF_ERANGE,
	       "$.location.lon");
	REJECT(mk("location", "{\"lat\":0,\"lon\":181}", NULL), GF_ERANGE,
	       "$.location.lon");
	REJECT(mk("location", "{\"lon\":120.6}", NULL), GF_EMISSING,
	       "$.location.lat");
	REJECT(mk("location", "{\"lat\":null,\"lon\":120.6}", NULL),
	       GF_EMISSING, "$.location.lat");
	REJECT(mk("location", "{\"lat\":31.2}", NULL), GF_EMISSING,
	       "$.location.lon");
	REJECT(mk("location", "{}", NULL), GF_EMISSING, "$.location.lat");

	gf__ev ev;
	accept(mk("location", "{\"lat\":-90,\"lon\":180}", NULL), &ev);
	ck_assert(ev.lat == -90 && ev.lon == 180);
	gf__ev_free(&ev);
	accept(mk("location", "{\"lat\":31,\"lon\":-180.0,\"acc\":5}", NULL),
	       &ev);
	ck_assert(ev.lat == 31 && ev.lon == -180);
	gf__ev_free(&ev);
}
END_TEST

START_TEST(non_finite_elsewhere)
{
	REJECT(mk("attributes", "{\"depth\":NaN}", NULL), GF_ERANGE,
	       "$.attributes.depth");
	REJECT(mk("attributes", "{\"depth\":-Infinity}", NULL), GF_ERANGE,
	       "$.attributes.depth");
	/* kept unknown fields must stay readable JSON */
	REJECT(mk("x_m", "{\"a\":[1,NaN]}", NULL), GF_ERANGE, "$.x_m.a[1]");
	REJECT(mk("x_n", "Infinity", NULL), GF_ERANGE, "$.x_n");
}
END_TEST

/* json-c clamps integers past 64 bits to INT64_MIN or UINT64_MAX: such a
 * number is refused rather than kept as another one. */
START_TEST(integers_beyond_64_bits)
{
	REJECT(mk("attributes", "{\"n\":123456789012345678901234567890}",
		  NULL),
	       GF_ERANGE, "$.attributes.n");
	REJECT(mk("attributes", "{\"n\":-123456789012345678901234567890}",
		  NULL),
	       GF_ERANGE, "$.attributes.n");
	REJECT(mk("x_m", "{\"a\":[1,100000000000000000000000]}", NULL),
	       GF_ERANGE, "$.x_m.a[1]");
	REJECT(mk("location", "{\"lat\":1,\"lon\":-1000000000000000000000}",
		  NULL),
	       GF_ERANGE, "$.location.lon");

	/* within 64 bits, and with an exponent, numbers read exactly */
	gf__ev ev;
	accept(mk("attributes",
		  "{\"a\":18446744073709551614,\"b\":-9223372036854775807,"
		  "\"c\":1.2345678901234568e29}",
		  NULL),
	       &ev);
	ck_assert_uint_eq(ev.nattrs, 3);
	ck_assert(ev.attrs[0].num == 18446744073709551614.0);
	ck_assert(ev.attrs[1].num == -9223372036854775807.0);
	ck_assert(ev.attrs[2].num == 1.2345678901234568e29);
	gf__ev_free(&ev);
}
END_TEST

/* ---- unknown names ------------------------------------------------------- */

START_TEST(unknown_names)
{
	REJECT(mk("channel", "\"999\"", NULL), GF_EUNKNOWN, "$.channel");
	REJECT(mk("channel", "\"Grid\"", NULL), GF_EUNKNOWN, "$.channel");
	REJECT(mk("channel", "\"\"", NULL), GF_EUNKNOWN, "$.channel");
	REJECT(mk("category", "\"city.environment.noise\"", NULL), GF_EUNKNOWN,
	       "$.category");
	REJECT(mk("category", "\"citi\"", NULL), GF_EUNKNOWN, "$.category");
	REJECT(mk("region", "\"320506001999\"", "grid", NULL, NULL),
	       GF_EUNKNOWN, "$.region");
	REJECT(mk("region", "\"320599\"", "grid", NULL, NULL), GF_EUNKNOWN,
	       "$.region");
}
END_TEST

START_TEST(every_channel)
{
	static const char *const names[] = { "12345", "110", "petition",
					     "grid", "mediation" };
	for (int i = 0; i < 5; i++) {
		char v[32], ref[64];
		snprintf(v, sizeof(v), "\"%s\"", names[i]);
		gf__ev ev;
		accept(mk("channel", v, NULL), &ev);
		ck_assert_int_eq(ev.channel, i + 1);
		snprintf(ref, sizeof(ref), "%s:HL20261122000123", names[i]);
		ck_assert_str_eq(ev.ref, ref);
		gf__ev_free(&ev);
		ck_assert_str_eq(gf_channel_name((gf_channel)(i + 1)),
				 names[i]);
		ck_assert_int_eq(gf_channel_from_name(names[i],
						      strlen(names[i])),
				 i + 1);
	}
	ck_assert_ptr_null(gf_channel_name(GF_CHANNEL_NONE));
	ck_assert_ptr_null(gf_channel_name((gf_channel)6));
	ck_assert_int_eq(gf_channel_from_name("1234", 4), GF_CHANNEL_NONE);
	ck_assert_int_eq(gf_channel_from_name("123456", 6), GF_CHANNEL_NONE);
	ck_assert_int_eq(gf_channel_from_name("12345", 4), GF_CHANNEL_NONE);
	ck_assert_int_eq(gf_channel_from_name(NULL, 0), GF_CHANNEL_NONE);
	ck_assert_str_eq(gf_urgency_name(GF_URGENCY_URGENT), "urgent");
	ck_assert_ptr_null(gf_urgency_name((gf_urgency)3));
}
END_TEST

/* ---- shapes ----------------------------------------------------------------- */

START_TEST(bad_shapes)
{
	REJECT(mk("source_id", "\"\"", NULL), GF_EVALUE, "$.source_id");
	REJECT(mk("source_id", "\"HL 1\"", NULL), GF_EVALUE, "$.source_id");
	REJECT(mk("source_id", "\"HL\\t1\"", NULL), GF_EVALUE, "$.source_id");
	REJECT(mk("source_id", "\"工单1\"", NULL), GF_EVALUE, "$.source_id");
	REJECT(mk("region", "\"32050600100A\"", NULL), GF_EVALUE, "$.region");
	REJECT(mk("region", "\"3205060010\"", NULL), GF_EVALUE, "$.region");
	REJECT(mk("region", "\"3205\"", NULL), GF_EVALUE, "$.region");
	REJECT(mk("region", "\"320506001003-02\"", NULL), GF_EVALUE,
	       "$.region");
	REJECT(mk("region", "\"３２０５０６００１００３\"", NULL), GF_EVALUE,
	       "$.region");
	REJECT(mk("grid", "\"320506001003_02\"", NULL), GF_EVALUE, "$.grid");
	REJECT(mk("grid", "\"320506001003-\"", NULL), GF_EVALUE, "$.grid");
	REJECT(mk("grid", "\"320506001003-0123456789abcdefg\"", NULL),
	       GF_EVALUE, "$.grid");
	REJECT(mk("grid", "\"320506001003-0 2\"", NULL), GF_EVALUE, "$.grid");
	/* a well-formed grid of another village */
	REJECT(mk("grid", "\"320506001004-01\"", NULL), GF_EVALUE, "$.grid");
	REJECT(mk("category", "\"City.environment\"", NULL), GF_EVALUE,
	       "$.category");
	REJECT(mk("category", "\"city..garbage\"", NULL), GF_EVALUE,
	       "$.category");
	REJECT(mk("category", "\".city\"", NULL), GF_EVALUE, "$.category");
	REJECT(mk("category", "\"city.\"", NULL), GF_EVALUE, "$.category");
	REJECT(mk("category", "\"\"", NULL), GF_EVALUE, "$.category");
	REJECT(mk("category", "\"city/env\"", NULL), GF_EVALUE, "$.category");
	REJECT(mk("urgency", "\"high\"", NULL), GF_EVALUE, "$.urgency");
	REJECT(mk("urgency", "\"Urgent\"", NULL), GF_EVALUE, "$.urgency");
	REJECT(mk("attributes", "{\"\":1}", NULL), GF_EVALUE, "$.attributes");
}
END_TEST

START_TEST(grid_need_not_be_in_directory)
{
	gf__ev ev;
	accept(mk("grid", "\"320506001003-NEW7\"", NULL), &ev);
	ck_assert_str_eq(ev.grid, "320506001003-NEW7");
	gf__ev_free(&ev);
	accept(mk("grid", "\"320506001003-0123456789abcdef\"", NULL), &ev);
	gf__ev_free(&ev);
}
END_TEST

START_TEST(source_id_may_hold_colon)
{
	gf__ev ev;
	accept(mk("source_id", "\"A:B/C-1_2.3\"", NULL), &ev);
	ck_assert_str_eq(ev.ref, "12345:A:B/C-1_2.3");
	gf__ev_free(&ev);
}
END_TEST

/* ---- sizes ------------------------------------------------------------- */

START_TEST(oversize)
{
	char *s;
	s = repeat('a', GF__MAX_TITLE + 1);
	REJECT(mk("title", s, NULL), GF_ETOOBIG, "$.title");
	free(s);
	s = repeat('c', GF__MAX_CONTENT + 1);
	REJECT(mk("content", s, NULL), GF_ETOOBIG, "$.content");
	free(s);
	s = repeat('d', GF__MAX_ADDRESS + 1);
	REJECT(mk("address", s, NULL), GF_ETOOBIG, "$.address");
	free(s);
	s = repeat('S', GF__MAX_SOURCE_ID + 1);
	REJECT(mk("source_id", s, NULL), GF_ETOOBIG, "$.source_id");
	free(s);
	s = repeat('a', GF__MAX_CATEGORY + 1);
	REJECT(mk("category", s, NULL), GF_ETOOBIG, "$.category");
	free(s);
	s = repeat('9', GF__MAX_GRID + 1);
	REJECT(mk("grid", s, NULL), GF_ETOOBIG, "$.grid");
	free(s);
	s = repeat('1', 200);
	char rep[300];
	snprintf(rep, sizeof(rep), "{\"phone\":%s}", s);
	REJECT(mk("reporter", rep, NULL), GF_ETOOBIG, "$.reporter.phone");
	free(s);
	/* the limits themselves are fine */
	gf__ev ev;
	s = repeat('a', GF__MAX_TITLE);
	accept(mk("title", s, NULL), &ev);
	ck_assert_uint_eq(strlen(ev.title), GF__MAX_TITLE);
	gf__ev_free(&ev);
	free(s);
	s = repeat('S', GF__MAX_SOURCE_ID);
	accept(mk("source_id", s, NULL), &ev);
	gf__ev_free(&ev);
	free(s);
}
END_TEST

START_TEST(oversize_measured_on_input)
{
	/* 600 bytes of spaces normalise to one character, but the input
	 * is over the limit */
	char s[700];
	s[0] = '"';
	memset(s + 1, ' ', 600);
	strcpy(s + 601, "x\"");
	REJECT(mk("title", s, NULL), GF_ETOOBIG, "$.title");
}
END_TEST

START_TEST(oversize_input)
{
	gf__ev_ctx small = ctx;
	small.max_bytes = 200;
	const char *s = mk(NULL);
	ck_assert_uint_gt(strlen(s), 200);
	reject_n(s, strlen(s), GF_ETOOBIG, "$", &small, __LINE__);
	/* checked before anything else: even not-JSON is too big */
	char junk[300];
	memset(junk, '\xff', sizeof(junk));
	reject_n(junk, sizeof(junk), GF_ETOOBIG, "$", &small, __LINE__);
}
END_TEST

START_TEST(oversize_attributes)
{
	char a[4096];
	size_t n = 0;
	n += (size_t)snprintf(a + n, sizeof(a) - n, "{");
	for (int i = 0; i <= GF__MAX_ATTRS; i++)
		n += (size_t)snprintf(a + n, sizeof(a) - n, "%s\"k%d\":%d",
				      i ? "," : "", i, i);
	snprintf(a + n, sizeof(a) - n, "}");
	REJECT(mk("attributes", a, NULL), GF_ETOOBIG, "$.attributes");

	char k[200];
	char *longkey = repeat('k', GF__MAX_ATTR_KEY + 1);
	snprintf(k, sizeof(k), "{%s:1}", longkey);
	REJECT(mk("attributes", k, NULL), GF_ETOOBIG, "$.attributes");
	free(longkey);

	char *v = repeat('v', GF__MAX_ATTR_VALUE + 1);
	char *obj = malloc(strlen(v) + 16);
	sprintf(obj, "{\"note\":%s}", v);
	REJECT(mk("attributes", obj, NULL), GF_ETOOBIG, "$.attributes.note");
	free(obj);
	free(v);
}
END_TEST

START_TEST(oversize_extra)
{
	char *v = repeat('x', GF__MAX_EXTRA);
	REJECT(mk("x_blob", v, NULL), GF_ETOOBIG, "$");
	free(v);
	/* just under the limit is kept */
	v = repeat('x', GF__MAX_EXTRA - 20);
	gf__ev ev;
	accept(mk("x_blob", v, NULL), &ev);
	ck_assert_ptr_nonnull(ev.extra);
	ck_assert_uint_le(strlen(ev.extra), GF__MAX_EXTRA);
	gf__ev_free(&ev);
	free(v);
}
END_TEST

/* ---- time ------------------------------------------------------------------ */

START_TEST(bad_times)
{
	gf__ev ev;
	gf__err err;
	const char *s = mk("received_at", "\"2026-11-22T09:15:00\"", NULL);
	ck_assert_int_eq(gf__ev_parse(&ev, s, strlen(s), &ctx, NULL, &err),
			 GF_ETIME);
	ck_assert_str_eq(err.field, "$.received_at");
	ck_assert_msg(strstr(err.msg, "offset"), "%s", err.msg);

	REJECT(mk("received_at", "\"2026-02-30T09:15:00+08:00\"", NULL),
	       GF_ETIME, "$.received_at");
	REJECT(mk("received_at", "\"2026-11-22 09:15:00+08:00\"", NULL),
	       GF_ETIME, "$.received_at");
	REJECT(mk("received_at", "\"2026-11-22T24:00:00+08:00\"", NULL),
	       GF_ETIME, "$.received_at");
	REJECT(mk("received_at", "\"yesterday\"", NULL), GF_ETIME,
	       "$.received_at");
	REJECT(mk("received_at", "\"\"", NULL), GF_ETIME, "$.received_at");
	REJECT(mk("received_at", "\"1969-12-31T23:59:59Z\"", NULL), GF_ETIME,
	       "$.received_at");
	s = mk("received_at", "\"2026-02-30T09:15:00+08:00\"", NULL);
	ck_assert_int_eq(gf__ev_parse(&ev, s, strlen(s), &ctx, NULL, &err),
			 GF_ETIME);
	ck_assert_msg(!strstr(err.msg, "offset"), "%s", err.msg);
}
END_TEST

/* ---- normalisation ------------------------------------------------------- */

START_TEST(normalises_text)
{
	gf__ev ev;
	accept(mk("title", "\"\xe3\x80\x80ＡＢＣ１２３\xe3\x80\x80垃圾\\t堆积  \"",
		  "content", "\"  第一行\\r\\n\\n\\n\\n  第二行\\u0001结束 \"",
		  "address", "\"３幢\xe3\x80\x80１单元\"", NULL),
	       &ev);
	ck_assert_str_eq(ev.title, "ABC123 垃圾 堆积");
	ck_assert_str_eq(ev.content, "第一行\n\n第二行 结束");
	ck_assert_str_eq(ev.address, "3幢 1单元");
	gf__ev_free(&ev);
	/* text that normalises to nothing is absent */
	accept(mk("title", "\" \xe3\x80\x80\\t \"", "content", "\"\"", NULL),
	       &ev);
	ck_assert_ptr_null(ev.title);
	ck_assert_ptr_null(ev.content);
	gf__ev_free(&ev);
}
END_TEST

START_TEST(region_padding)
{
	gf__ev ev;
	accept(mk("region", "\"320506\"", "grid", NULL, NULL), &ev);
	ck_assert_str_eq(ev.region, "320506000000");
	gf__ev_free(&ev);
	accept(mk("region", "\"320506001\"", "grid", NULL, NULL), &ev);
	ck_assert_str_eq(ev.region, "320506001000");
	gf__ev_free(&ev);
	/* the grid is compared with the padded code */
	REJECT(mk("region", "\"320506001\"", NULL), GF_EVALUE, "$.grid");
}
END_TEST

START_TEST(phone_normalisation)
{
	static const char *const same[] = {
		"13800000000", "+86 138-0000-0000", "0086 13800000000",
		"(138) 0000 0000", "１３８００００００００", "+86１３８\xe3\x80\x80"
		"0000\xe3\x80\x80" "0000", "+8613800000000",
	};
	char want[65];
	hash_of("13800000000", want);
	for (size_t i = 0; i < sizeof(same) / sizeof(same[0]); i++) {
		char rep[128];
		snprintf(rep, sizeof(rep), "{\"phone\":\"%s\"}", same[i]);
		gf__ev ev;
		accept(mk("reporter", rep, NULL), &ev);
		ck_assert_msg(strcmp(ev.reporter, want) == 0, "%s", same[i]);
		ck_assert_ptr_null(ev.phone);
		gf__ev_free(&ev);
	}
	/* other countries keep their '+' */
	gf__ev ev;
	accept(mk("reporter", "{\"phone\":\"+1 (212) 555-0100\"}", NULL), &ev);
	hash_of("+12125550100", want);
	ck_assert_str_eq(ev.reporter, want);
	gf__ev_free(&ev);
	/* short service numbers; empty is absent; other members dropped */
	accept(mk("reporter", "{\"phone\":\"110\",\"name\":\"张三\"}", NULL),
	       &ev);
	hash_of("110", want);
	ck_assert_str_eq(ev.reporter, want);
	ck_assert_ptr_null(ev.extra);
	gf__ev_free(&ev);
	accept(mk("reporter", "{\"phone\":\" \"}", NULL), &ev);
	ck_assert_str_eq(ev.reporter, "");
	gf__ev_free(&ev);
	accept(mk("reporter", "{}", NULL), &ev);
	ck_assert_str_eq(ev.reporter, "");
	gf__ev_free(&ev);

	REJECT(mk("reporter", "{\"phone\":\"12\"}", NULL), GF_EVALUE,
	       "$.reporter.phone");
	REJECT(mk("reporter", "{\"phone\":\"+86\"}", NULL), GF_EVALUE,
	       "$.reporter.phone");
	REJECT(mk("reporter", "{\"phone\":\"138abc\"}", NULL), GF_EVALUE,
	       "$.reporter.phone");
	REJECT(mk("reporter", "{\"phone\":\"138+0000\"}", NULL), GF_EVALUE,
	       "$.reporter.phone");
	REJECT(mk("reporter", "{\"phone\":\"123456789012345678901\"}", NULL),
	       GF_EVALUE, "$.reporter.phone");
}
END_TEST

START_TEST(phone_not_in_messages)
{
	gf__ev ev;
	gf__err err;
	const char *s = mk("reporter", "{\"phone\":\"1380000abcd\"}", NULL);
	ck_assert_int_eq(gf__ev_parse(&ev, s, strlen(s), &ctx, NULL, &err),
			 GF_EVALUE);
	ck_assert_ptr_null(strstr(err.msg, "1380000"));
}
END_TEST

START_TEST(phone_keys_and_keeping)
{
	gf__ev ev;
	gf__ev_ctx keep = ctx;
	gf__err err;
	keep.keep_phone = 1;
	const char *s = mk("reporter", "{\"phone\":\"+86 138-0000-0000\"}", NULL);
	ck_assert_int_eq(gf__ev_parse(&ev, s, strlen(s), &keep, NULL, &err),
			 GF_OK);
	ck_assert_str_eq(ev.phone, "13800000000");
	ck_assert_uint_eq(strlen(ev.reporter), 64);
	gf__ev_free(&ev);

	gf__ev_ctx nokey = ctx;
	nokey.reporter_key = NULL;
	ck_assert_int_eq(gf__ev_parse(&ev, s, strlen(s), &nokey, NULL, &err),
			 GF_OK);
	ck_assert_str_eq(ev.reporter, "");
	ck_assert_ptr_null(ev.phone);
	gf__ev_free(&ev);
	/* an invalid phone is refused even when it would be dropped */
	s = mk("reporter", "{\"phone\":\"x\"}", NULL);
	reject_n(s, strlen(s), GF_EVALUE, "$.reporter.phone", &nokey, __LINE__);
}
END_TEST

/* ---- attributes and unknown fields ------------------------------------ */

START_TEST(attributes)
{
	gf__ev ev;
	accept(mk("attributes",
		  "{\"floor\":3,\"note\":\"东门\",\"night\":true,\"gone\":null,"
		  "\"ratio\":0.25,\"big\":12345678901234,\"off\":false}",
		  NULL),
	       &ev);
	ck_assert_uint_eq(ev.nattrs, 6);
	ck_assert_str_eq(ev.attrs[0].key, "floor");
	ck_assert_int_eq(ev.attrs[0].kind, GF__ATTR_NUMBER);
	ck_assert(ev.attrs[0].num == 3);
	ck_assert_str_eq(ev.attrs[1].key, "note");
	ck_assert_int_eq(ev.attrs[1].kind, GF__ATTR_STRING);
	ck_assert_str_eq(ev.attrs[1].str, "东门");
	ck_assert_str_eq(ev.attrs[2].key, "night");
	ck_assert_int_eq(ev.attrs[2].kind, GF__ATTR_BOOL);
	ck_assert(ev.attrs[2].num == 1);
	ck_assert_str_eq(ev.attrs[3].key, "ratio");
	ck_assert(ev.attrs[3].num == 0.25);
	ck_assert(ev.attrs[4].num == 12345678901234.0);
	ck_assert_str_eq(ev.attrs[5].key, "off");
	ck_assert(ev.attrs[5].num == 0);
	gf__ev_free(&ev);
}
END_TEST

START_TEST(unknown_fields_kept)
{
	gf__ev ev;
	accept(mk("x_note", "\"备注/a\"", "nested",
		  "{\"a\":[1,2.50,{\"b\":null}]}", "flag", "true", "nil",
		  "null", NULL),
	       &ev);
	ck_assert_str_eq(ev.extra, "{\"x_note\":\"备注/a\",\"nested\":{\"a\":"
				   "[1,2.50,{\"b\":null}]},\"flag\":true,"
				   "\"nil\":null}");
	gf__ev_free(&ev);
}
END_TEST

/* ---- error order and refs ------------------------------------------------ */

START_TEST(first_error_wins)
{
	REJECT(mk("channel", "\"999\"", "title", "1", NULL), GF_EUNKNOWN,
	       "$.channel");
	REJECT(mk("region", "\"x\"", "category", "\"nope\"", NULL), GF_EVALUE,
	       "$.region");
	REJECT(mk("category", "\"nope\"", "urgency", "\"x\"", NULL),
	       GF_EUNKNOWN, "$.category");
	REJECT(mk("title", "1", "content", "2", NULL), GF_ETYPE, "$.title");
	REJECT(mk("grid", "\"bad\"", "location", "1", NULL), GF_EVALUE,
	       "$.grid");
	REJECT(mk("location", "1", "category", NULL, NULL), GF_ETYPE,
	       "$.location");
	REJECT(mk("reporter", "1", "attributes", "1", NULL), GF_ETYPE,
	       "$.reporter");
	REJECT(mk("attributes", "1", "x_n", "NaN", NULL), GF_ETYPE,
	       "$.attributes");
	REJECT(mk("received_at", "\"x\"", "region", NULL, NULL), GF_ETIME,
	       "$.received_at");
}
END_TEST

static char *ref_of(const char *json, int want)
{
	gf__ev ev;
	gf__err err;
	char *ref = (char *)"untouched";
	int rc = gf__ev_parse(&ev, json, strlen(json), &ctx, &ref, &err);
	ck_assert_msg(rc == want, "%s %s", gf_errname(rc), gf__err_text(&err));
	if (rc == GF_OK)
		gf__ev_free(&ev);
	return ref;
}

START_TEST(ref_on_rejection)
{
	char *r = ref_of(mk("category", "\"nope\"", NULL), GF_EUNKNOWN);
	ck_assert_str_eq(r, "12345:HL20261122000123");
	gf__free(r);
	r = ref_of(mk("channel", "\"999\"", NULL), GF_EUNKNOWN);
	ck_assert_str_eq(r, "999:HL20261122000123");
	gf__free(r);
	r = ref_of(mk(NULL), GF_OK);
	ck_assert_str_eq(r, "12345:HL20261122000123");
	gf__free(r);
	r = ref_of(mk("source_id", NULL, NULL), GF_EMISSING);
	ck_assert_ptr_null(r);
	r = ref_of(mk("source_id", "7", NULL), GF_ETYPE);
	ck_assert_ptr_null(r);
	r = ref_of(mk("source_id", "\"a\\nb\"", NULL), GF_EVALUE);
	ck_assert_ptr_null(r);
	r = ref_of("{\"channel\":\"110\",\"source_id\":\"X\"", GF_EJSON);
	ck_assert_ptr_null(r);
}
END_TEST

/* ---- builder ---------------------------------------------------------------- */

static void fill_builder(gf_event *b)
{
	ck_assert_int_eq(gf_event_set_channel(b, "12345"), GF_OK);
	ck_assert_int_eq(gf_event_set_source_id(b, "HL20261122000123"), GF_OK);
	ck_assert_int_eq(gf_event_set_received_at(b, "2026-11-22T09:15:00+08:00"),
			 GF_OK);
	ck_assert_int_eq(gf_event_set_region(b, "320506001003"), GF_OK);
	ck_assert_int_eq(gf_event_set_grid(b, "320506001003-02"), GF_OK);
	ck_assert_int_eq(gf_event_set_location(b, 31.2736, 120.6012), GF_OK);
	ck_assert_int_eq(gf_event_set_address(b, "吴中区长桥街道某小区3幢"),
			 GF_OK);
	ck_assert_int_eq(gf_event_set_category(b, "city.environment.garbage"),
			 GF_OK);
	ck_assert_int_eq(gf_event_set_urgency(b, "normal"), GF_OK);
	ck_assert_int_eq(gf_event_set_title(b, "\xe3\x80\x80小区门口垃圾堆积 "),
			 GF_OK);
	ck_assert_int_eq(gf_event_set_content(b, "……"), GF_OK);
	ck_assert_int_eq(gf_event_set_reporter_phone(b, "+86 13800000000"),
			 GF_OK);
	ck_assert_int_eq(gf_event_set_attr_number(b, "floor", 1), GF_OK);
	ck_assert_int_eq(gf_event_set_attr_string(b, "note", "东门"), GF_OK);
	ck_assert_int_eq(gf_event_set_attr_bool(b, "night", 1), GF_OK);
	/* setting again replaces in place, keeping the first position */
	ck_assert_int_eq(gf_event_set_attr_number(b, "floor", 3), GF_OK);
}

static void expect_same_encoding(const gf__ev *a, const gf__ev *b)
{
	gf__buf ea, eb;
	gf__buf_init(&ea);
	gf__buf_init(&eb);
	ck_assert_int_eq(gf__ev_encode(a, &ea), GF_OK);
	ck_assert_int_eq(gf__ev_encode(b, &eb), GF_OK);
	ck_assert_uint_eq(ea.len, eb.len);
	ck_assert_mem_eq(ea.p, eb.p, ea.len);
	gf__buf_free(&ea);
	gf__buf_free(&eb);
}

START_TEST(builder_matches_json)
{
	gf_event *b;
	ck_assert_int_eq(gf_event_new(&b), GF_OK);
	fill_builder(b);
	gf__ev from_b, from_j;
	gf__err err;
	char *ref = NULL;
	ck_assert_int_eq(gf__ev_from_builder(&from_b, b, &ctx, &ref, &err),
			 GF_OK);
	ck_assert_str_eq(ref, "12345:HL20261122000123");
	gf__free(ref);
	accept(mk("attributes", "{\"floor\":3,\"note\":\"东门\",\"night\":true}",
		  NULL),
	       &from_j);
	expect_same_encoding(&from_b, &from_j);
	ck_assert_str_eq(from_b.ref, from_j.ref);
	gf__ev_free(&from_b);

	/* received_time is the same instant as the text */
	ck_assert_int_eq(gf_event_set_received_time(b, INT64_C(1795310100000),
						    480),
			 GF_OK);
	ck_assert_int_eq(gf__ev_from_builder(&from_b, b, &ctx, NULL, &err),
			 GF_OK);
	expect_same_encoding(&from_b, &from_j);
	gf__ev_free(&from_b);
	gf__ev_free(&from_j);

	/* reset forgets everything */
	gf_event_reset(b);
	ck_assert_int_eq(gf__ev_from_builder(&from_b, b, &ctx, &ref, &err),
			 GF_EMISSING);
	ck_assert_str_eq(err.field, "$.channel");
	ck_assert_ptr_null(ref);
	assert_empty(&from_b);
	fill_builder(b);
	ck_assert_int_eq(gf__ev_from_builder(&from_b, b, &ctx, NULL, &err),
			 GF_OK);
	gf__ev_free(&from_b);
	gf_event_free(b);
	gf_event_free(NULL);
}
END_TEST

static void builder_reject(gf_event *b, int code, const char *field, int line)
{
	gf__ev ev;
	gf__err err;
	gf__err_clear(&err);
	int rc = gf__ev_from_builder(&ev, b, &ctx, NULL, &err);
	ck_assert_msg(rc == code, "line %d: got %s, want %s (%s)", line,
		      gf_errname(rc), gf_errname(code), gf__err_text(&err));
	ck_assert_msg(strcmp(err.field, field) == 0, "line %d: field %s",
		      line, err.field);
	assert_empty(&ev);
}
#define BREJECT(b, code, field) builder_reject(b, code, field, __LINE__)

START_TEST(builder_rules)
{
	gf_event *b;
	ck_assert_int_eq(gf_event_new(&b), GF_OK);
	fill_builder(b);
	gf_event_set_title(b, "垃圾\xff");
	BREJECT(b, GF_EUTF8, "$.title");
	gf_event_set_title(b, NULL);
	gf_event_set_content(b, "\xed\xa0\x80");
	BREJECT(b, GF_EUTF8, "$.content");
	gf_event_set_content(b, NULL);
	gf_event_set_attr_string(b, "note", "\xc0\xaf");
	BREJECT(b, GF_EUTF8, "$.attributes.note");
	gf_event_set_attr_string(b, "note", NULL);
	gf_event_set_attr_number(b, "k\xff", 1);
	BREJECT(b, GF_EUTF8, "$.attributes");
	gf_event_set_attr_string(b, "k\xff", NULL);
	gf_event_set_attr_number(b, "depth", NAN);
	BREJECT(b, GF_ERANGE, "$.attributes.depth");
	gf_event_set_attr_string(b, "depth", NULL);
	gf_event_set_location(b, NAN, 1);
	BREJECT(b, GF_ERANGE, "$.location.lat");
	gf_event_set_location(b, 1, 180.5);
	BREJECT(b, GF_ERANGE, "$.location.lon");
	gf_event_set_location(b, 1, 2);
	gf_event_set_received_time(b, 0, 1440);
	BREJECT(b, GF_ETIME, "$.received_at");
	gf_event_set_received_time(b, -1, 0);
	BREJECT(b, GF_ETIME, "$.received_at");
	gf_event_set_received_time(b, INT64_C(253402300800000), 0);
	BREJECT(b, GF_ETIME, "$.received_at");
	/* the last of text and instant counts */
	gf_event_set_received_at(b, "2026-11-22T09:15:00");
	BREJECT(b, GF_ETIME, "$.received_at");
	gf_event_set_received_time(b, 0, 0);
	gf_event_set_channel(b, "sms");
	BREJECT(b, GF_EUNKNOWN, "$.channel");
	gf_event_set_channel(b, "grid");
	gf_event_set_region(b, "320506");
	BREJECT(b, GF_EVALUE, "$.grid");
	gf_event_set_grid(b, NULL);
	gf_event_set_category(b, NULL);
	BREJECT(b, GF_EMISSING, "$.category");
	gf_event_set_category(b, "safety.fire");
	gf_event_set_urgency(b, NULL);
	gf_event_set_reporter_phone(b, "abc");
	BREJECT(b, GF_EVALUE, "$.reporter.phone");
	gf_event_set_reporter_phone(b, NULL);
	for (int i = 0; i < GF__MAX_ATTRS; i++) {
		char k[16];
		snprintf(k, sizeof(k), "a%d", i);
		gf_event_set_attr_bool(b, k, i & 1);
	}
	BREJECT(b, GF_ETOOBIG, "$.attributes");
	for (int i = 0; i < GF__MAX_ATTRS; i++) {
		char k[16];
		snprintf(k, sizeof(k), "a%d", i);
		gf_event_set_attr_string(b, k, NULL);
	}
	gf__ev ev;
	gf__err err;
	ck_assert_int_eq(gf__ev_from_builder(&ev, b, &ctx, NULL, &err), GF_OK);
	ck_assert_int_eq(ev.channel, GF_CHANNEL_GRID);
	ck_assert_str_eq(ev.region, "320506000000");
	ck_assert(ev.received_at == 0);
	ck_assert_int_eq(ev.urgency, GF_URGENCY_CRITICAL);
	ck_assert_str_eq(ev.reporter, "");
	ck_assert_uint_eq(ev.nattrs, 2);
	ck_assert_str_eq(ev.attrs[0].key, "floor");
	ck_assert_str_eq(ev.attrs[1].key, "night");
	ck_assert_str_eq(ev.title ? "" : "none", "none");
	gf__ev_free(&ev);
	gf_event_free(b);
}
END_TEST

/* Broken UTF-8 in any field is the same error through the builder as in
 * JSON: EUTF8 on the field's path, not the field's own shape error. */
START_TEST(builder_bad_utf8_like_json)
{
	static const struct {
		const char *field, *json, *path;
		int (*set)(gf_event *, const char *);
	} cases[] = {
		{ "channel", "\"12\xff\"", "$.channel", gf_event_set_channel },
		{ "source_id", "\"HL\xc0\xaf" "1\"", "$.source_id",
		  gf_event_set_source_id },
		{ "received_at", "\"2026-11-22T09:15:00+08:00\xe4\"",
		  "$.received_at", gf_event_set_received_at },
		{ "region", "\"3205060010\xed\xa0\x80\"", "$.region",
		  gf_event_set_region },
		{ "grid", "\"320506001003-\xff\"", "$.grid", gf_event_set_grid },
		{ "category", "\"city.\xf8\"", "$.category",
		  gf_event_set_category },
		{ "urgency", "\"urgent\xff\"", "$.urgency",
		  gf_event_set_urgency },
		{ "title", "\"\xff\"", "$.title", gf_event_set_title },
	};
	gf_event *b;
	ck_assert_int_eq(gf_event_new(&b), GF_OK);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		fill_builder(b);
		REJECT(mk(cases[i].field, cases[i].json, NULL), GF_EUTF8,
		       cases[i].path);
		/* the JSON value without its quotes */
		char bad[64];
		size_t n = strlen(cases[i].json) - 2;
		memcpy(bad, cases[i].json + 1, n);
		bad[n] = '\0';
		ck_assert_int_eq(cases[i].set(b, bad), GF_OK);
		builder_reject(b, GF_EUTF8, cases[i].path, (int)i);
		gf_event_reset(b);
	}
	fill_builder(b);
	REJECT(mk("reporter", "{\"phone\":\"138\xff\"}", NULL), GF_EUTF8,
	       "$.reporter.phone");
	gf_event_set_reporter_phone(b, "138\xff");
	BREJECT(b, GF_EUTF8, "$.reporter.phone");
	/* the encoding is looked at before any field's shape, as in JSON */
	gf_event_set_reporter_phone(b, "13800000000");
	gf_event_set_channel(b, "sms");
	gf_event_set_title(b, "\xff");
	REJECT(mk("channel", "\"sms\"", "title", "\"\xff\"", NULL), GF_EUTF8,
	       "$.title");
	BREJECT(b, GF_EUTF8, "$.title");
	gf_event_free(b);
}
END_TEST

START_TEST(builder_bad_arguments)
{
	gf_event *b;
	ck_assert_int_eq(gf_event_new(NULL), GF_EINVAL);
	ck_assert_int_eq(gf_event_set_channel(NULL, "x"), GF_EINVAL);
	ck_assert_int_eq(gf_event_set_location(NULL, 1, 2), GF_EINVAL);
	ck_assert_int_eq(gf_event_set_received_time(NULL, 1, 2), GF_EINVAL);
	ck_assert_int_eq(gf_event_new(&b), GF_OK);
	ck_assert_int_eq(gf_event_set_attr_string(b, NULL, "x"), GF_EINVAL);
	ck_assert_int_eq(gf_event_set_attr_number(b, NULL, 1), GF_EINVAL);
	ck_assert_int_eq(gf_event_set_attr_bool(NULL, "k", 1), GF_EINVAL);
	gf_event_reset(NULL);
	gf_event_free(b);
}
END_TEST

/* ---- encoding ------------------------------------------------------------- */

static void round_trip(const gf__ev *ev)
{
	gf__buf b;
	gf__buf_init(&b);
	ck_assert_int_eq(gf__ev_encode(ev, &b), GF_OK);
	ck_assert_int_eq((unsigned char)b.p[0], 1);
	gf__rd rd;
	gf__rd_init(&rd, b.p, b.len);
	gf__ev back;
	ck_assert_int_eq(gf__ev_decode(&back, &rd), GF_OK);
	ck_assert(!rd.bad);
	ck_assert_ptr_eq(rd.p, rd.end);

	ck_assert_int_eq(back.channel, ev->channel);
	ck_assert_str_eq(back.source_id, ev->source_id);
	ck_assert_str_eq(back.ref, ev->ref);
	ck_assert(back.received_at == ev->received_at);
	ck_assert_int_eq(back.offset_min, ev->offset_min);
	ck_assert_str_eq(back.region, ev->region);
	ck_assert_pstr_eq(back.grid, ev->grid);
	ck_assert_int_eq(back.has_location, ev->has_location);
	ck_assert(back.lat == ev->lat && back.lon == ev->lon);
	ck_assert_pstr_eq(back.address, ev->address);
	ck_assert_str_eq(back.category, ev->category);
	ck_assert_int_eq(back.urgency, ev->urgency);
	ck_assert_pstr_eq(back.title, ev->title);
	ck_assert_pstr_eq(back.content, ev->content);
	ck_assert_str_eq(back.reporter, ev->reporter);
	ck_assert_pstr_eq(back.phone, ev->phone);
	ck_assert_uint_eq(back.nattrs, ev->nattrs);
	for (size_t i = 0; i < ev->nattrs; i++) {
		ck_assert_str_eq(back.attrs[i].key, ev->attrs[i].key);
		ck_assert_int_eq(back.attrs[i].kind, ev->attrs[i].kind);
		ck_assert_pstr_eq(back.attrs[i].str, ev->attrs[i].str);
		ck_assert(back.attrs[i].num == ev->attrs[i].num);
	}
	ck_assert_pstr_eq(back.extra, ev->extra);
	expect_same_encoding(ev, &back);
	gf__ev_free(&back);
	gf__buf_free(&b);
}

START_TEST(encode_round_trip)
{
	gf__ev ev;
	gf__ev_ctx keep = ctx;
	gf__err err;
	keep.keep_phone = 1;
	const char *s = mk("attributes",
			   "{\"floor\":3,\"note\":\"东门\",\"night\":false,"
			   "\"ratio\":-0.1}",
			   "x_note", "{\"k\":[1,\"二\"]}", NULL);
	ck_assert_int_eq(gf__ev_parse(&ev, s, strlen(s), &keep, NULL, &err),
			 GF_OK);
	ck_assert_ptr_nonnull(ev.phone);
	ck_assert_ptr_nonnull(ev.extra);
	round_trip(&ev);
	gf__ev_free(&ev);

	accept("{\"channel\":\"mediation\",\"source_id\":\"M-1\","
	       "\"received_at\":\"1970-01-01T00:00:00.001-05:00\","
	       "\"region\":\"320500000000\",\"category\":\"city\"}",
	       &ev);
	ck_assert(ev.received_at == 18000001);
	round_trip(&ev);
	gf__ev_free(&ev);
}
END_TEST

static gf__ev sample_event(void)
{
	gf__ev ev;
	accept(mk("attributes", "{\"floor\":3,\"note\":\"东门\",\"b\":true}",
		  "x_note", "\"kept\"", NULL),
	       &ev);
	return ev;
}

START_TEST(decode_truncated)
{
	gf__ev ev = sample_event();
	gf__buf b;
	gf__buf_init(&b);
	gf__ev_encode(&ev, &b);
	for (size_t n = 0; n < b.len; n++) {
		gf__rd rd;
		gf__ev back;
		gf__rd_init(&rd, b.p, n);
		int rc = gf__ev_decode(&back, &rd);
		ck_assert_msg(rc == GF_ECORRUPT, "prefix %zu: %d", n, rc);
		ck_assert(rd.bad);
		assert_empty(&back);
	}
	gf__buf_free(&b);
	gf__ev_free(&ev);
}
END_TEST

START_TEST(decode_garbage)
{
	gf__ev ev = sample_event();
	gf__buf b;
	gf__buf_init(&b);
	gf__ev_encode(&ev, &b);
	gf__ev back;
	gf__rd rd;

	b.p[0] = 2; /* a layout this build does not know */
	gf__rd_init(&rd, b.p, b.len);
	ck_assert_int_eq(gf__ev_decode(&back, &rd), GF_ECORRUPT);
	b.p[0] = 1;
	b.p[1] = 9; /* no such channel */
	gf__rd_init(&rd, b.p, b.len);
	ck_assert_int_eq(gf__ev_decode(&back, &rd), GF_ECORRUPT);
	b.p[1] = 1;

	/* flip bytes one at a time: decoding may succeed or not, but must
	 * never crash or leak (ASan and valgrind watch this) */
	unsigned seed = 12345;
	for (size_t i = 0; i < b.len; i++) {
		for (int v = 0; v < 4; v++) {
			char saved = b.p[i];
			seed = seed * 1103515245u + 12345u;
			b.p[i] = (char)(seed >> 16);
			gf__rd_init(&rd, b.p, b.len);
			int rc = gf__ev_decode(&back, &rd);
			ck_assert(rc == GF_OK || rc == GF_ECORRUPT);
			if (rc == GF_OK)
				gf__ev_free(&back);
			else
				assert_empty(&back);
			b.p[i] = saved;
		}
	}
	gf__buf_free(&b);
	gf__ev_free(&ev);
}
END_TEST

/* ---- JSON rendering ------------------------------------------------------- */

START_TEST(to_json_renders_all)
{
	gf__ev ev;
	accept(mk("attributes", "{\"floor\":3,\"note\":\"东\\\"门\","
				"\"night\":true,\"ratio\":0.1}",
		  "x_note", "{\"k\":[1,\"二\"]}", NULL),
	       &ev);
	gf__buf b;
	gf__buf_init(&b);
	ck_assert_int_eq(gf__ev_to_json(&ev, &b), GF_OK);
	const char *s = gf__buf_cstr(&b);
	char want[4096];
	snprintf(want, sizeof(want),
		 "{\"channel\":\"12345\",\"source_id\":\"HL20261122000123\","
		 "\"received_at\":\"2026-11-22T09:15:00+08:00\","
		 "\"region\":\"320506001003\",\"grid\":\"320506001003-02\","
		 "\"location\":{\"lat\":31.2736,\"lon\":120.6012},"
		 "\"address\":\"吴中区长桥街道某小区3幢\","
		 "\"category\":\"city.environment.garbage\","
		 "\"urgency\":\"normal\",\"title\":\"小区门口垃圾堆积\","
		 "\"content\":\"……\",\"reporter\":{\"hash\":\"%s\"},"
		 "\"attributes\":{\"floor\":3,\"note\":\"东\\\"门\","
		 "\"night\":true,\"ratio\":0.1},"
		 "\"x_note\":{\"k\":[1,\"二\"]}}",
		 ev.reporter);
	ck_assert_str_eq(s, want);
	gf__buf_free(&b);
	gf__ev_free(&ev);
}
END_TEST

/* Rendering and reading back is a fixed point (apart from the phone,
 * which is rendered as its hash only). */
START_TEST(to_json_reingests)
{
	gf__ev ev, again;
	accept(mk("reporter", NULL, "title", "\" ＡＢ  垃圾\\n\\n\\n堆积\"",
		  "location", "{\"lat\":31.123456789012345,\"lon\":-0.1}",
		  "attributes", "{\"n\":1e-7,\"big\":1e300}", "x", "[true]",
		  NULL),
	       &ev);
	gf__buf b;
	gf__buf_init(&b);
	gf__ev_to_json(&ev, &b);
	accept(gf__buf_cstr(&b), &again);
	expect_same_encoding(&ev, &again);
	gf__buf_free(&b);
	gf__ev_free(&ev);
	gf__ev_free(&again);

	gf__ev_ctx keep = ctx;
	gf__err err;
	keep.keep_phone = 1;
	const char *s = mk(NULL);
	ck_assert_int_eq(gf__ev_parse(&ev, s, strlen(s), &keep, NULL, &err),
			 GF_OK);
	gf__buf_init(&b);
	gf__ev_to_json(&ev, &b);
	json_object *o = json_tokener_parse(gf__buf_cstr(&b));
	ck_assert_ptr_nonnull(o);
	json_object *rep, *ph, *h;
	ck_assert(json_object_object_get_ex(o, "reporter", &rep));
	ck_assert(json_object_object_get_ex(rep, "phone", &ph));
	ck_assert_str_eq(json_object_get_string(ph), "13800000000");
	ck_assert(json_object_object_get_ex(rep, "hash", &h));
	ck_assert_str_eq(json_object_get_string(h), ev.reporter);
	json_object_put(o);
	gf__buf_free(&b);
	gf__ev_free(&ev);
}
END_TEST

/* ---- out of memory -------------------------------------------------------- */

static long alloc_budget = -1; /* allocations left; -1: unlimited */

static void *fail_malloc(size_t n)
{
	if (alloc_budget == 0)
		return NULL;
	if (alloc_budget > 0)
		alloc_budget--;
	return malloc(n);
}

static void *fail_calloc(size_t n, size_t size)
{
	if (alloc_budget == 0)
		return NULL;
	if (alloc_budget > 0)
		alloc_budget--;
	return calloc(n, size);
}

static void *fail_realloc(void *p, size_t n)
{
	if (alloc_budget == 0)
		return NULL;
	if (alloc_budget > 0)
		alloc_budget--;
	return realloc(p, n);
}

/* Every allocation the event code makes may fail: the result is then
 * GF_ENOMEM with nothing leaked and nothing half made. */
START_TEST(out_of_memory)
{
	gf_set_allocator(fail_malloc, fail_calloc, fail_realloc, free);
	const char *s = mk("attributes", "{\"floor\":3,\"note\":\"东门\"}",
			   "x_note", "{\"k\":[1,\"二\"]}", NULL);
	int ok = 0, failures = 0;
	for (long budget = 0; budget < 40 && !ok; budget++) {
		gf__ev ev;
		gf__err err;
		char *ref = NULL;
		alloc_budget = budget;
		int rc = gf__ev_parse(&ev, s, strlen(s), &ctx, &ref, &err);
		alloc_budget = -1;
		ck_assert_msg(rc == GF_OK || rc == GF_ENOMEM, "%d: %s", (int)budget,
			      gf_errname(rc));
		gf__free(ref);
		if (rc == GF_ENOMEM) {
			ck_assert_int_eq(err.code, GF_ENOMEM);
			assert_empty(&ev);
			failures++;
			continue;
		}
		ok = 1;
		gf__buf b;
		gf__buf_init(&b);
		ck_assert_int_eq(gf__ev_encode(&ev, &b), GF_OK);
		for (long db = 0; db < 10; db++) {
			gf__rd rd;
			gf__ev back;
			gf__rd_init(&rd, b.p, b.len);
			alloc_budget = db;
			rc = gf__ev_decode(&back, &rd);
			alloc_budget = -1;
			ck_assert(rc == GF_OK || rc == GF_ENOMEM);
			if (rc == GF_OK) {
				gf__ev_free(&back);
				break;
			}
			assert_empty(&back);
		}
		for (long jb = 0; jb < 10; jb++) {
			gf__buf j;
			gf__buf_init(&j);
			alloc_budget = jb;
			rc = gf__ev_to_json(&ev, &j);
			alloc_budget = -1;
			gf__buf_free(&j);
			if (rc == GF_OK)
				break;
			ck_assert_int_eq(rc, GF_ENOMEM);
		}
		gf__buf_free(&b);
		gf__ev_free(&ev);
	}
	ck_assert(ok);
	ck_assert_int_gt(failures, 0);

	gf_event *bld = NULL;
	ok = 0;
	for (long budget = 0; budget < 60 && !ok; budget++) {
		alloc_budget = budget;
		int rc = gf_event_new(&bld);
		if (rc == GF_OK)
			rc = gf_event_set_channel(bld, "12345");
		if (rc == GF_OK)
			rc = gf_event_set_source_id(bld, "S1");
		if (rc == GF_OK)
			rc = gf_event_set_received_at(bld, "2026-11-22T09:15:00Z");
		if (rc == GF_OK)
			rc = gf_event_set_region(bld, "320506001003");
		if (rc == GF_OK)
			rc = gf_event_set_category(bld, "city");
		if (rc == GF_OK)
			rc = gf_event_set_attr_string(bld, "k", "v");
		gf__ev ev;
		gf__err err;
		if (rc == GF_OK)
			rc = gf__ev_from_builder(&ev, bld, &ctx, NULL, &err);
		alloc_budget = -1;
		ck_assert(rc == GF_OK || rc == GF_ENOMEM);
		if (rc == GF_OK) {
			ok = 1;
			gf__ev_free(&ev);
		}
		gf_event_free(bld);
		bld = NULL;
	}
	ck_assert(ok);
	gf_set_allocator(malloc, calloc, realloc, free);
}
END_TEST

START_TEST(nesting_within_limit)
{
	char deep[64] = "";
	for (int i = 0; i < 12; i++)
		strcat(deep, "[");
	for (int i = 0; i < 12; i++)
		strcat(deep, "]");
	gf__ev ev;
	accept(mk("x_deep", deep, NULL), &ev);
	gf__ev_free(&ev);
}
END_TEST

static Suite *make_suite(void)
{
	Suite *s = suite_create("event");
	TCase *tc = tcase_create("json");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, full_event);
	tcase_add_test(tc, minimal_event_defaults);
	tcase_add_test(tc, whitespace_around_object);
	tcase_add_test(tc, bad_json);
	tcase_add_test(tc, bad_json_message_has_offset);
	tcase_add_test(tc, too_deep);
	tcase_add_test(tc, nesting_within_limit);
	tcase_add_test(tc, not_an_object);
	tcase_add_test(tc, from_object_matches_parse);
	tcase_add_test(tc, from_object_checks_utf8);
	tcase_add_test(tc, missing_required);
	tcase_add_test(tc, wrong_types);
	tcase_add_test(tc, bad_utf8);
	tcase_add_test(tc, escaped_nul);
	tcase_add_test(tc, escaped_nul_in_keys);
	tcase_add_test(tc, coordinates);
	tcase_add_test(tc, non_finite_elsewhere);
	tcase_add_test(tc, integers_beyond_64_bits);
	tcase_add_test(tc, unknown_names);
	tcase_add_test(tc, every_channel);
	tcase_add_test(tc, bad_shapes);
	tcase_add_test(tc, grid_need_not_be_in_directory);
	tcase_add_test(tc, source_id_may_hold_colon);
	tcase_add_test(tc, oversize);
	tcase_add_test(tc, oversize_measured_on_input);
	tcase_add_test(tc, oversize_input);
	tcase_add_test(tc, oversize_attributes);
	tcase_add_test(tc, oversize_extra);
	tcase_add_test(tc, bad_times);
	tcase_add_test(tc, normalises_text);
	tcase_add_test(tc, region_padding);
	tcase_add_test(tc, phone_normalisation);
	tcase_add_test(tc, phone_not_in_messages);
	tcase_add_test(tc, phone_keys_and_keeping);
	tcase_add_test(tc, attributes);
	tcase_add_test(tc, unknown_fields_kept);
	tcase_add_test(tc, first_error_wins);
	tcase_add_test(tc, ref_on_rejection);
	suite_add_tcase(s, tc);

	TCase *tb = tcase_create("builder");
	tcase_add_checked_fixture(tb, setup, teardown);
	tcase_add_test(tb, builder_matches_json);
	tcase_add_test(tb, builder_rules);
	tcase_add_test(tb, builder_bad_utf8_like_json);
	tcase_add_test(tb, builder_bad_arguments);
	suite_add_tcase(s, tb);

	TCase *te = tcase_create("encoding");
	tcase_add_checked_fixture(te, setup, teardown);
	tcase_add_test(te, encode_round_trip);
	tcase_add_test(te, decode_truncated);
	tcase_add_test(te, decode_garbage);
	tcase_add_test(te, to_json_renders_all);
	tcase_add_test(te, to_json_reingests);
	tcase_add_test(te, out_of_memory);
	tcase_set_timeout(te, 60);
	suite_add_tcase(s, te);
	return s;
}

GF_TEST_MAIN
