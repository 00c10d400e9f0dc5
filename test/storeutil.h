/*
 * storeutil.h - for the store suites, which run each test against the
 * journal and PostgreSQL (check_store, check_hostile, check_durable), and
 * the PostgreSQL-only ones (check_pg, check_pgtables, check_pgcommit):
 * partitions of a test's own, the store a loop test runs on, notice and
 * durability recorders, event and action builders, and the dump of
 * everything an engine shows, which a reopen must leave as it was. The
 * server and its tables are pgutil.h's. Public API and libpq only: these
 * suites may run against the shared library.
 */
#ifndef GF_STOREUTIL_H
#define GF_STOREUTIL_H

#include "pgutil.h"

/* ---- partitions and time --------------------------------------------- */

/* A partition name: 1 to 32 of [A-Za-z0-9_-]. */
#define PART_SIZE 33

/* A partition of this test alone: its tag, the pid, the clock (a reused
 * pid on the same server) and a counter, so that names never repeat
 * within a process (a sweep makes hundreds: a hash of the clock alone
 * gave two runs one partition now and then). */
static inline const char *part_name(char part[PART_SIZE], const char *tag)
{
	static unsigned n;
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	unsigned long salt = ((unsigned long)ts.tv_sec * 1000003UL ^
			      (unsigned long)ts.tv_nsec) & 0xffffffUL;
	int len = snprintf(part, PART_SIZE, "%.10s-%ld-%06lx-%x", tag,
			   (long)getpid(), salt, n++ & 0xfffffu);
	ck_assert(len > 0 && len < PART_SIZE);
	return part;
}

static inline int64_t clock_ms(clockid_t id)
{
	struct timespec ts;
	clock_gettime(id, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static inline int64_t mono_ms(void)
{
	return clock_ms(CLOCK_MONOTONIC);
}

static inline int64_t wall_ms(void)
{
	return clock_ms(CLOCK_REALTIME);
}

static inline void nap_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
}

/* RFC 3339 to gf_time; it must parse. */
static inline gf_time T(const char *s)
{
	gf_time t;
	ck_assert_int_eq(gf_time_parse(&t, NULL, s, strlen(s)), GF_OK);
	return t;
}

/* Monday 2026-11-23 09:00 +08:00 plus `minute` minutes, as RFC 3339. */
static inline const char *at_min(char buf[40], long minute)
{
	gf_time t = T("2026-11-23T09:00:00+08:00") + (gf_time)minute * 60000;
	gf_time_format(buf, 40, t, 480);
	return buf;
}

/* ---- what the host hears --------------------------------------------- */

/* Strict UTF-8 (no overlongs, surrogates, or code points past U+10FFFF):
 * what a PostgreSQL text column and a JSON reader take. */
static inline int utf8_ok(const char *str, size_t n)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0;
	while (i < n) {
		unsigned c = s[i];
		size_t len;
		unsigned lo = 0x80, hi = 0xBF;
		if (c < 0x80) {
			i++;
			continue;
		} else if (c >= 0xC2 && c <= 0xDF) {
			len = 2;
		} else if (c >= 0xE0 && c <= 0xEF) {
			len = 3;
			lo = c == 0xE0 ? 0xA0 : lo;
			hi = c == 0xED ? 0x9F : hi;
		} else if (c >= 0xF0 && c <= 0xF4) {
			len = 4;
			lo = c == 0xF0 ? 0x90 : lo;
			hi = c == 0xF4 ? 0x8F : hi;
		} else {
			return 0;
		}
		if (n - i < len || s[i + 1] < lo || s[i + 1] > hi)
			return 0;
		for (size_t k = 2; k < len; k++)
			if ((s[i + k] & 0xC0) != 0x80)
				return 0;
		i += len;
	}
	return 1;
}

static inline int cstr_utf8_ok(const char *s)
{
	return !s || utf8_ok(s, strlen(s));
}

#define HEARD_MAX 256

typedef struct heard_note {
	gf_notice_kind kind;
	char order[48];
	char step[16];
	char clock[16];
	char line[800];         /* "kind|order|dept|message", as gf_outbox */
} heard_note;

/* The notices heard, the first HEARD_MAX kept; n counts them all. */
typedef struct heard {
	size_t n;
	size_t bad_utf8;        /* notices with a string that is not UTF-8 */
	char first_bad[80];
	heard_note v[HEARD_MAX];
} heard;

static inline void on_notice(void *data, const gf_notice *n)
{
	heard *h = data;
	const char *order = gf_notice_order(n), *dept = gf_notice_dept(n);
	const char *step = gf_notice_step(n), *clock = gf_notice_clock(n);
	const char *kind = gf_notice_kind_name(gf_notice_kind_of(n));
	if (!cstr_utf8_ok(gf_notice_message(n)) || !cstr_utf8_ok(order) ||
	    !cstr_utf8_ok(dept)) {
		if (h->bad_utf8++ == 0)
			snprintf(h->first_bad, sizeof(h->first_bad),
				 "%s notice of order %s", kind,
				 order ? order : "-");
	}
	if (h->n < HEARD_MAX) {
		heard_note *v = &h->v[h->n];
		v->kind = gf_notice_kind_of(n);
		snprintf(v->order, sizeof(v->order), "%s", order ? order : "");
		snprintf(v->step, sizeof(v->step), "%s", step ? step : "");
		snprintf(v->clock, sizeof(v->clock), "%s", clock ? clock : "");
		snprintf(v->line, sizeof(v->line), "%s|%s|%s|%s", kind,
			 order ? order : "-", dept ? dept : "-",
			 gf_notice_message(n));
	}
	h->n++;
}

static inline size_t heard_kind(const heard *h, gf_notice_kind k)
{
	size_t c = 0;
	for (size_t i = 0; i < h->n && i < HEARD_MAX; i++)
		c += h->v[i].kind == k;
	return c;
}

typedef struct durables {
	size_t calls;
	uint64_t last;
	int went_back;          /* a call did not move the ticket forward */
} durables;

static inline void on_durable(void *data, uint64_t ticket)
{
	durables *d = data;
	if (ticket <= d->last)
		d->went_back = 1;
	d->last = ticket;
	d->calls++;
}

/* ---- engines --------------------------------------------------------- */

#define REPORTER_KEY "check-store-reporter-key"

/* The example configuration (examples/config), compiled. */
static inline gf_config *example_config(void)
{
	gf_config *cfg;
	ck_assert_int_eq(gf_config_new(&cfg), GF_OK);
	ck_assert_int_eq(gf_config_load_dir(cfg, GF_TEST_EXAMPLE_CONFIG),
			 GF_OK);
	if (gf_config_compile(cfg) == GF_OK)
		return cfg;
	const char *f = "", *p = "", *m = "";
	gf_config_problem(cfg, 0, &f, &p, &m);
	ck_abort_msg("examples/config does not compile (make example-config): "
		     "%zu problems, the first: %s %s %s",
		     gf_config_problem_count(cfg), f, p, m);
	return NULL;
}

/* Options on store (NULL: memory) and part (NULL: "default"): the event
 * clock, and a reporter key, so that the open warns of nothing. */
static inline gf_options su_options(gf_config *cfg, const char *store,
				    const char *part)
{
	gf_options o = GF_OPTIONS_INIT;
	o.config = cfg;
	o.store = store;
	o.partition = part;
	o.clock = GF_CLOCK_EVENT;
	o.reporter_key = (const unsigned char *)REPORTER_KEY;
	o.reporter_key_len = sizeof(REPORTER_KEY) - 1;
	return o;
}

/* Options for the test server's partition part. */
static inline gf_options pg_opts(gf_config *cfg, const char *part)
{
	return su_options(cfg, pg_store(), part);
}

/* Options for a new partition of the test server: its name, for tag, in
 * part; the notices heard in h when not NULL. */
static inline gf_options pg_part(char part[PART_SIZE], const char *tag,
				 gf_config *cfg, heard *h)
{
	gf_options o = pg_opts(cfg, part_name(part, tag));
	if (h) {
		memset(h, 0, sizeof(*h));
		o.notice = on_notice;
		o.notice_data = h;
	}
	return o;
}

static inline gf_engine *open_ok(const gf_options *o)
{
	gf_engine *eng = NULL;
	char err[512];
	int rc = gf_engine_open(&eng, o, err, sizeof(err));
	ck_assert_msg(rc == GF_OK, "open %s, partition %s: %s: %s",
		      o->store ? o->store : "memory",
		      o->partition ? o->partition : "default", gf_errname(rc),
		      err);
	ck_assert_ptr_nonnull(eng);
	return eng;
}

/* Open, trying again every nap ms while the store is busy (a dead
 * holder's lease runs) for up to wait ms; returns the last code. */
static inline int open_when_free(gf_engine **eng, const gf_options *o,
				 char *err, size_t size, int64_t wait, long nap)
{
	int64_t end = mono_ms() + wait;
	for (;;) {
		int rc = gf_engine_open(eng, o, err, size);
		if (rc != GF_EBUSY || mono_ms() >= end)
			return rc;
		nap_ms(nap);
	}
}

/* ---- children -------------------------------------------------------- */

/* The engine of a child that dies holding it: kept reachable, so that
 * valgrind, which checks the child's leaks too, sees a crash and not a
 * leak. */
static inline gf_engine **child_engine(void)
{
	static gf_engine *eng;
	return &eng;
}

/* Fork a child that runs fn(arg, fd) and _exit()s. It is not the test's
 * process: it reports by one byte on fd, not by Check. Returns that byte
 * (0 when the child wrote none); reap(*pid) collects the child. */
static inline char fork_child(void (*fn)(const void *, int), const void *arg,
			      pid_t *pid)
{
	int fds[2];
	ck_assert_int_eq(pipe(fds), 0);
	fflush(NULL);
	*pid = fork();
	ck_assert_int_ge(*pid, 0);
	if (*pid == 0) {
		close(fds[0]);
		fn(arg, fds[1]);
		_exit(127);
	}
	close(fds[1]);
	char said = 0;
	if (read(fds[0], &said, 1) != 1)
		said = 0;
	close(fds[0]);
	return said;
}

/* Wait for a child; its wait status. */
static inline int reap(pid_t pid)
{
	int status;
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	return status;
}

/* ---- events and actions ---------------------------------------------- */

/* A growable string on open_memstream; free() what sb_done returns. */
typedef struct sb {
	FILE *f;
	char *p;
	size_t len;
} sb;

static inline void sb_open(sb *b)
{
	b->p = NULL;
	b->len = 0;
	b->f = open_memstream(&b->p, &b->len);
	ck_assert_ptr_nonnull(b->f);
}

static inline char *sb_done(sb *b)
{
	ck_assert_int_eq(fclose(b->f), 0);
	return b->p;
}

/* s as a JSON string: quotes, backslashes and control characters
 * escaped, everything else (UTF-8 included) as is. */
static inline void sb_json(sb *b, const char *s)
{
	fputc('"', b->f);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p == '"' || *p == '\\')
			fprintf(b->f, "\\%c", *p);
		else if (*p < 0x20)
			fprintf(b->f, "\\u%04x", *p);
		else
			fputc(*p, b->f);
	}
	fputc('"', b->f);
}

/* ,"key":s with s as a JSON string. */
static inline void sb_member(sb *b, const char *key, const char *s)
{
	fprintf(b->f, ",\"%s\":", key);
	sb_json(b, s);
}

/* An event line with the optional text fields (NULL: absent). */
static inline char *event_json(const char *ch, const char *sid, long minute,
			       const char *region, const char *category,
			       const char *title, const char *phone)
{
	char at[40];
	sb b;
	sb_open(&b);
	fprintf(b.f, "{\"channel\":\"%s\"", ch);
	sb_member(&b, "source_id", sid);
	fprintf(b.f, ",\"received_at\":\"%s\",\"region\":\"%s\","
		     "\"category\":\"%s\"",
		at_min(at, minute), region, category);
	if (title)
		sb_member(&b, "title", title);
	if (phone)
		fprintf(b.f, ",\"reporter\":{\"phone\":\"%s\"}", phone);
	fputc('}', b.f);
	return sb_done(&b);
}

/* Villages of Wuzhong district: events that must each make a new order
 * go to different ones, so that no two can be taken for duplicates
 * (dedup.json compares orders of one village when there is no point). */
#define NVILLAGE 38

static inline const char *village(size_t n)
{
	static const char *const v[NVILLAGE] = {
		"320506001012", "320506001013", "320506001014", "320506001015",
		"320506001016", "320506001017", "320506001018", "320506001019",
		"320506001020", "320506001021", "320506001022", "320506001023",
		"320506001025", "320506001036", "320506001040", "320506001041",
		"320506001042", "320506001043", "320506001044", "320506001045",
		"320506003001", "320506003002", "320506003003", "320506003004",
		"320506003005", "320506003006", "320506003007", "320506003008",
		"320506003009", "320506003012", "320506004005", "320506004006",
		"320506004007", "320506004009", "320506004010", "320506004011",
		"320506004012", "320506004013",
	};
	ck_assert_uint_lt(n, NVILLAGE);
	return v[n];
}

/* An event and an action as JSON literals, at hhmm on day (YYYY-MM-DD)
 * +08:00; rest: more members of the action, each with its comma. */
#define EVENT_LIT(day, ch, sid, hhmm, region, cat, title)                 \
	"{\"channel\":\"" ch "\",\"source_id\":\"" sid "\","              \
	"\"received_at\":\"" day "T" hhmm ":00+08:00\",\"region\":\""      \
	region "\",\"category\":\"" cat "\",\"title\":\"" title "\","     \
	"\"reporter\":{\"phone\":\"13800000001\"}}"
#define ACTION_LIT(day, op, ref, actor, rest, hhmm)                       \
	"{\"op\":\"" op "\",\"ref\":\"" ref "\",\"actor\":\"" actor "\","  \
	rest "\"at\":\"" day "T" hhmm ":00+08:00\"}"

/* Wuzhong district's command centre in the example configuration. */
#define DESK "d320506-zhzx"

/* Ingest an event line; the result is checked by the caller. */
static inline int ingest(gf_engine *eng, const char *json, const gf_result **r)
{
	return gf_engine_ingest_json(eng, json, strlen(json), r);
}

/* Ingest an event that must make a new order; its id and lead go to id
 * and lead (64 bytes each, either may be NULL). Returns the ticket. */
static inline uint64_t create(gf_engine *eng, const char *json, char *id,
			      char *lead)
{
	const gf_result *r;
	int rc = ingest(eng, json, &r);
	ck_assert_msg(rc == GF_OK, "ingest %s: %s: %s", json, gf_errname(rc),
		      gf_engine_errmsg(eng));
	ck_assert_msg(gf_result_outcome(r) == GF_OUTCOME_CREATED,
		      "ingest %s: %s, not created", json,
		      gf_outcome_name(gf_result_outcome(r)));
	if (id)
		snprintf(id, 64, "%s", gf_result_order(r));
	if (lead)
		snprintf(lead, 64, "%s", gf_result_lead(r));
	return gf_result_ticket(r);
}

/* Apply an action given as printf-style JSON. */
static inline int actf(gf_engine *eng, const gf_result **out, const char *fmt,
		       ...) __attribute__((format(printf, 3, 4)));

static inline int actf(gf_engine *eng, const gf_result **out, const char *fmt,
		       ...)
{
	char buf[8192];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	ck_assert(n > 0 && (size_t)n < sizeof(buf));
	const gf_result *r = NULL;
	int rc = gf_engine_apply_json(eng, buf, (size_t)n, &r);
	if (out)
		*out = r;
	return rc;
}

/* An action that must apply: {"op","ref","actor","at"} plus extra. */
static inline void act_ok(gf_engine *eng, const char *op, const char *ref,
			  const char *actor, long minute, const char *extra)
{
	char at[40];
	const gf_result *r;
	int rc = actf(eng, &r,
		      "{\"op\":\"%s\",\"ref\":\"%s\",\"actor\":\"%s\","
		      "\"at\":\"%s\"%s%s}",
		      op, ref, actor, at_min(at, minute), extra ? "," : "",
		      extra ? extra : "");
	ck_assert_msg(rc == GF_OK, "%s %s by %s: %s: %s", op, ref, actor,
		      gf_errname(rc), gf_engine_errmsg(eng));
	ck_assert_int_eq(gf_result_outcome(r), GF_OUTCOME_APPLIED);
	ck_assert_uint_gt(gf_result_ticket(r), 0);
}

/* Apply op to ref by actor through the C API, with dept, reason and key
 * (the action's id) where not NULL; returns the code. */
static inline int apply_op(gf_engine *eng, gf_op op, const char *ref,
			   const char *actor, const char *dept,
			   const char *reason, const char *key,
			   const gf_result **r)
{
	gf_action *a;
	ck_assert_int_eq(gf_action_new(&a, op), GF_OK);
	gf_action_set_ref(a, ref);
	gf_action_set_actor(a, actor, NULL);
	if (dept)
		gf_action_set_dept(a, dept);
	if (reason)
		gf_action_set_reason(a, reason);
	if (key)
		gf_action_set_id(a, key);
	int rc = gf_engine_apply(eng, a, r);
	gf_action_free(a);
	return rc;
}

static inline const gf_order *order_of(const gf_engine *eng, const char *ref)
{
	const gf_order *o = gf_engine_order_find(eng, ref);
	ck_assert_msg(o != NULL, "no order %s", ref);
	return o;
}

/* create() on json that it frees (from event_json() and the like). */
static inline uint64_t create_free(gf_engine *eng, char *json, char *id,
				   char *lead)
{
	uint64_t t = create(eng, json, id, lead);
	free(json);
	return t;
}

/* ingest() on json that it frees. */
static inline int ingest_free(gf_engine *eng, char *json, const gf_result **r)
{
	int rc = ingest(eng, json, r);
	free(json);
	return rc;
}

static inline int act_json(gf_engine *eng, const char *json,
			   const gf_result **r)
{
	return gf_engine_apply_json(eng, json, strlen(json), r);
}

/* A call that found its work done (a re-delivery, a repeated key): it
 * answers, in *r, for order id (NULL: any) and stores nothing. r is
 * read after the call, which is an argument beside it. */
static inline void idempotent(int rc, const gf_result *const *r,
			      const char *id)
{
	ck_assert_int_eq(rc, GF_OK);
	ck_assert_int_eq(gf_result_outcome(*r), GF_OUTCOME_IDEMPOTENT);
	if (id)
		ck_assert_str_eq(gf_result_order(*r), id);
	ck_assert_uint_eq(gf_result_ticket(*r), 0);
}

/* A fixture event on channel 12345: source id, minute past 09:00. */
static inline int ingest_sid(gf_engine *eng, const char *sid, int minute)
{
	char buf[1024];
	const gf_result *r;
	fx_event(buf, sizeof(buf), "12345", sid, minute, "320506001001",
		 "city.environment.garbage");
	return ingest(eng, buf, &r);
}

/* ---- the engine's whole visible state, as text ----------------------- */

/* Bytes, with what is not printable ASCII or UTF-8 escaped. */
static inline void put_bytes(FILE *f, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '\\')
			fputs("\\\\", f);
		else if (c < 0x20 || c == 0x7F)
			fprintf(f, "\\x%02x", c);
		else
			fputc(c, f);
	}
}

static inline void put_str(FILE *f, const char *label, const char *s)
{
	fprintf(f, " %s=", label);
	if (!s) {
		fputs("(null)", f);
		return;
	}
	fputc('[', f);
	put_bytes(f, s, strlen(s));
	fputc(']', f);
}

static inline void put_time(FILE *f, const char *label, gf_time t)
{
	fprintf(f, " %s=%lld", label, (long long)t);
}

static inline void dump_report(FILE *f, size_t i, const gf_report *r)
{
	double lat = 0, lon = 0;
	int have = gf_report_location(r, &lat, &lon);
	fprintf(f, "  report %zu", i);
	put_str(f, "ref", gf_report_ref(r));
	fprintf(f, " channel=%d", (int)gf_report_channel(r));
	put_str(f, "source_id", gf_report_source_id(r));
	put_time(f, "received", gf_report_received_at(r));
	fprintf(f, " offset=%d", gf_report_offset(r));
	put_str(f, "region", gf_report_region(r));
	put_str(f, "category", gf_report_category(r));
	put_str(f, "title", gf_report_title(r));
	put_str(f, "content", gf_report_content(r));
	put_str(f, "address", gf_report_address(r));
	put_str(f, "grid", gf_report_grid(r));
	if (have)
		fprintf(f, " location=%.17g,%.17g", lat, lon);
	put_str(f, "reporter", gf_report_reporter(r));
	put_str(f, "json", gf_report_json(r));
	fputc('\n', f);
}

static inline void dump_audit(FILE *f, size_t i, const gf_audit *a)
{
	fprintf(f, "  audit %zu", i);
	put_time(f, "at", gf_audit_time(a));
	put_str(f, "what", gf_audit_what(a));
	put_str(f, "dept", gf_audit_actor_dept(a));
	put_str(f, "role", gf_audit_actor_role(a));
	fprintf(f, " from=%d to=%d", (int)gf_audit_from(a),
		(int)gf_audit_to(a));
	put_str(f, "reason", gf_audit_reason(a));
	put_str(f, "lead", gf_audit_lead(a));
	fputc('\n', f);
}

static inline void dump_clock(FILE *f, size_t i, const gf_sla_clock *c)
{
	fprintf(f, "  clock %zu", i);
	put_str(f, "name", gf_sla_clock_name(c));
	fprintf(f, " state=%d", (int)gf_sla_clock_state(c));
	put_time(f, "started", gf_sla_clock_started(c));
	put_time(f, "due", gf_sla_clock_due(c));
	put_time(f, "warning", gf_sla_clock_warning(c));
	put_time(f, "stopped", gf_sla_clock_stopped(c));
	fprintf(f, " paused_ms=%lld extensions=%u runs=%u steps=%u on_time=%d",
		(long long)gf_sla_clock_paused_ms(c),
		gf_sla_clock_extensions(c), gf_sla_clock_runs(c),
		gf_sla_clock_steps_fired(c),
		gf_sla_clock_on_time(c, T("2026-12-01T12:00:00+08:00")));
	put_str(f, "pending", gf_sla_clock_pending(c));
	fputc('\n', f);
}

static inline void dump_order(FILE *f, const gf_order *o)
{
	fputs("order", f);
	put_str(f, "id", gf_order_id(o));
	put_str(f, "state", gf_state_name(gf_order_state(o)));
	put_str(f, "lead", gf_order_lead(o));
	fprintf(f, " level=%d", (int)gf_order_level(o));
	put_str(f, "rule", gf_order_rule(o));
	put_str(f, "category", gf_order_category(o));
	put_str(f, "region", gf_order_region(o));
	fprintf(f, " urgency=%d", (int)gf_order_urgency(o));
	put_time(f, "created", gf_order_created_at(o));
	put_time(f, "updated", gf_order_updated_at(o));
	fprintf(f, " satisfaction=%d returns=%u reopens=%u extensions=%u "
		   "paused=%d scale=%d callers=%u priority=%d",
		(int)gf_order_satisfaction(o), gf_order_return_count(o),
		gf_order_reopen_count(o), gf_order_extension_count(o),
		gf_order_paused(o), (int)gf_order_scale(o),
		gf_order_caller_count(o), gf_order_priority(o));
	put_str(f, "suspected_of", gf_order_suspected_of(o));
	put_str(f, "merged_into", gf_order_merged_into(o));
	put_str(f, "sla", gf_order_sla(o));
	put_str(f, "rules_version", gf_order_rules_version(o));
	for (size_t i = 0; i < gf_order_assist_count(o); i++)
		put_str(f, "assist", gf_order_assist(o, i));
	fputc('\n', f);
	for (size_t i = 0; i < gf_order_report_count(o); i++)
		dump_report(f, i, gf_order_report(o, i));
	for (size_t i = 0; i < gf_order_audit_count(o); i++)
		dump_audit(f, i, gf_order_audit(o, i));
	for (size_t i = 0; i < gf_order_clock_count(o); i++)
		dump_clock(f, i, gf_order_clock(o, i));
	for (size_t i = 0; i < gf_order_sla_mark_count(o); i++) {
		const gf_sla_mark *m = gf_order_sla_mark(o, i);
		fprintf(f, "  mark %zu", i);
		put_str(f, "clock", gf_sla_mark_clock(m));
		put_str(f, "what", gf_sla_mark_what(m));
		put_time(f, "at", gf_sla_mark_time(m));
		put_time(f, "due", gf_sla_mark_due(m));
		fputc('\n', f);
	}
}

static inline void dump_quarantined(FILE *f, const gf_quarantined *q)
{
	size_t len = 0;
	const char *raw = gf_quarantined_raw(q, &len);
	fprintf(f, "quarantined id=%llu error=%d",
		(unsigned long long)gf_quarantined_id(q),
		gf_quarantined_error(q));
	put_str(f, "field", gf_quarantined_field(q));
	put_str(f, "message", gf_quarantined_message(q));
	put_time(f, "at", gf_quarantined_time(q));
	fprintf(f, " raw(%zu)=[", len);
	put_bytes(f, raw, len);
	fputs("]\n", f);
}

/* Everything the public API shows of the engine's orders and quarantine;
 * free() it. */
static inline char *dump_engine(const gf_engine *eng)
{
	sb b;
	sb_open(&b);
	size_t counts[GF_STATE_COUNT];
	gf_engine_state_counts(eng, counts);
	fprintf(b.f, "orders=%zu quarantine=%zu next_deadline=%lld states=",
		gf_engine_order_count(eng), gf_engine_quarantine_count(eng),
		(long long)gf_engine_next_deadline(eng));
	for (size_t i = 0; i < GF_STATE_COUNT; i++)
		fprintf(b.f, "%zu,", counts[i]);
	fputc('\n', b.f);
	for (size_t i = 0; i < gf_engine_order_count(eng); i++) {
		const gf_order *o = gf_engine_order_at(eng, i);
		ck_assert_ptr_nonnull(o);
		dump_order(b.f, o);
	}
	ck_assert_ptr_null(gf_engine_order_at(eng, gf_engine_order_count(eng)));
	for (size_t i = 0; i < gf_engine_quarantine_count(eng); i++)
		dump_quarantined(b.f, gf_engine_quarantine_at(eng, i));
	return sb_done(&b);
}

/* Assert two dumps are equal, naming the first line that differs. */
static inline void same_state(const char *who, const char *before,
			      const char *after, const char *when)
{
	if (strcmp(before, after) == 0)
		return;
	const char *a = before, *b = after;
	int line = 1;
	while (*a && *a == *b) {
		if (*a == '\n') {
			line++;
			before = a + 1;
			after = b + 1;
		}
		a++;
		b++;
	}
	int na = (int)strcspn(before, "\n"), nb = (int)strcspn(after, "\n");
	ck_abort_msg("%s: the engine differs %s, at line %d:\n"
		     "  before: %.*s\n  after:  %.*s",
		     who, when, line, na > 1500 ? 1500 : na, before,
		     nb > 1500 ? 1500 : nb, after);
}

static inline int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The short form, as gf_order's columns have it: "id state lead\n" for
 * every order, by id (bytewise). */
static inline void eng_orders(const gf_engine *eng, char *out, size_t size)
{
	size_t n = gf_engine_order_count(eng), len = 0;
	char **lines = calloc(n ? n : 1, sizeof(*lines));
	ck_assert_ptr_nonnull(lines);
	for (size_t i = 0; i < n; i++) {
		const gf_order *o = gf_engine_order_at(eng, i);
		char l[256];
		snprintf(l, sizeof(l), "%s %s %s\n", gf_order_id(o),
			 gf_state_name(gf_order_state(o)), gf_order_lead(o));
		lines[i] = strdup(l);
	}
	qsort(lines, n, sizeof(*lines), cmp_str);
	out[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		len += (size_t)snprintf(out + len, size - len, "%s", lines[i]);
		free(lines[i]);
	}
	free(lines);
	ck_assert_uint_lt(len, size);
}

/* The same from gf_order. */
static inline void db_orders(PGconn *c, const char *part, char *out,
			     size_t size)
{
	part_s(c, out, size,
	       "SELECT string_agg(order_id || ' ' || state || ' ' || "
	       "coalesce(lead, '-') || E'\\n', '' ORDER BY order_id "
	       "COLLATE \"C\") FROM gf_order WHERE part = $1",
	       part);
}

/* ---- the store a loop test runs on ----------------------------------- */

enum { B_JOURNAL = 0, B_PG = 1, B_COUNT = 2 };

/* _i of a loop test: the journal (a file in a temporary directory) or the
 * test server (in a partition of the test's own, so that tests never see
 * each other's rows). o are the options the test opens with: the event
 * clock, a reporter key, the journal flushed at close only; a test
 * changes them before it opens. */
typedef struct st {
	int backend;
	const char *name;       /* "journal" or "pg", for messages */
	char *dir;              /* journal: the temporary directory */
	char spec[1024];
	char part[PART_SIZE];
	gf_config *cfg;         /* the example configuration */
	gf_options o;
	heard *h;               /* once st_listen() */
	durables d;             /* once st_durables() */
} st;

static inline void st_begin(st *s, int backend, const char *tag)
{
	memset(s, 0, sizeof(*s));
	s->backend = backend;
	s->name = backend == B_PG ? "pg" : "journal";
	if (backend == B_JOURNAL) {
		s->dir = fx_tmpdir();
		snprintf(s->spec, sizeof(s->spec), "journal:%s/store.journal",
			 s->dir);
	} else {
		snprintf(s->spec, sizeof(s->spec), "%s", pg_store());
		part_name(s->part, tag);
	}
	s->cfg = example_config();
	s->o = su_options(s->cfg, s->spec, backend == B_PG ? s->part : NULL);
	s->o.sync = GF_SYNC_NEVER;
	s->h = calloc(1, sizeof(*s->h));
	ck_assert_ptr_nonnull(s->h);
}

/* Hear the engine's notices in s->h. */
static inline void st_listen(st *s)
{
	s->o.notice = on_notice;
	s->o.notice_data = s->h;
}

/* Count durability in s->d. */
static inline void st_durables(st *s)
{
	s->o.durable = on_durable;
	s->o.durable_data = &s->d;
}

static inline gf_engine *st_open(const st *s)
{
	return open_ok(&s->o);
}

static inline void st_close(const st *s, gf_engine *eng)
{
	int rc = gf_engine_close(eng);
	ck_assert_msg(rc == GF_OK, "%s: close: %s", s->name, gf_errname(rc));
}

/* Close, reopen, and check the engine shows exactly what it did. */
static inline gf_engine *st_reopen(const st *s, gf_engine *eng,
				   const char *when)
{
	char *before = dump_engine(eng);
	st_close(s, eng);
	eng = st_open(s);
	char *after = dump_engine(eng);
	same_state(s->name, before, after, when);
	free(before);
	free(after);
	return eng;
}

/* Close eng (unless NULL) and clean up. */
static inline void st_end(st *s, gf_engine *eng)
{
	if (eng)
		st_close(s, eng);
	gf_config_free(s->cfg);
	if (s->dir)
		fx_rmdir(s->dir);
	free(s->h);
	s->dir = NULL;
	s->h = NULL;
}

/* gf_outbox holds every notice h heard, in order. */
static inline void outbox_is_heard(PGconn *c, const char *part, const heard *h)
{
	const char *p[1] = { part };
	PGresult *res = q(c, "SELECT kind || '|' || coalesce(order_id, '-') "
			     "|| '|' || coalesce(dept, '-') || '|' || message "
			     "FROM gf_outbox WHERE part = $1 ORDER BY id",
			  1, p);
	ck_assert_uint_le(h->n, HEARD_MAX);
	ck_assert_int_eq(PQntuples(res), (int)h->n);
	for (int i = 0; i < PQntuples(res); i++)
		ck_assert_str_eq(PQgetvalue(res, i, 0), h->v[i].line);
	PQclear(res);
}

/* ---- suites ---------------------------------------------------------- */

/* A suite of one test case holding tests, each run for _i in [0, loops)
 * (B_COUNT: once per store backend); each test may take timeout s. */
static inline Suite *su_suite(const char *name, double timeout, int loops,
			      const TTest *const *tests, size_t n)
{
	Suite *s = suite_create(name);
	TCase *tc = tcase_create(name);
	tcase_set_timeout(tc, timeout);
	for (size_t i = 0; i < n; i++)
		tcase_add_loop_test(tc, tests[i], 0, loops);
	suite_add_tcase(s, tc);
	return s;
}

/* make_suite() for GF_TEST_MAIN: su_suite() of the tests listed. */
#define SU_MAKE_SUITE(name, timeout, loops, ...)                          \
	static Suite *make_suite(void)                                    \
	{                                                                 \
		const TTest *tests[] = { __VA_ARGS__ };                   \
		return su_suite(name, timeout, loops, tests,              \
				sizeof(tests) / sizeof(tests[0]));        \
	}

#endif
