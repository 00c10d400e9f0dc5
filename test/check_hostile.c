/*
 * check_hostile.c - hostile text through both store backends (a loop
 * test, _i the backend, as in check_store.c): SQL, escapes, format
 * strings, control characters, four-byte UTF-8 and text at its length
 * limit, in every free-text field of events, actions and rejected lines,
 * comes back byte for byte after a reopen (or as the event normaliser
 * leaves it), and every notice stays valid UTF-8.
 */
#include <json-c/json.h>

#include "storeutil.h"

/* Each string as given and as the event normaliser leaves free text
 * (control characters and blanks fold to one space or newline, the ends
 * are trimmed); NULL: unchanged. Action reasons are kept as given. */
static const struct hostile {
	const char *s;
	const char *norm;
} hostile[] = {
	{ "'); DROP TABLE gf_order; --", NULL },
	{ "Robert'); DELETE FROM gf_record WHERE part <> ''; --", NULL },
	{ "\" OR \"1\"=\"1\" /* */ UNION SELECT * FROM gf_partition", NULL },
	{ "back\\slash \\\\ \\x00 \\n \\u0000 \\N E'\\\\'", NULL },
	{ "$1 $2::bytea $$dollar$$ $tag$ :name ? %1", NULL },
	{ "%s%n%x%p%% %1$s %*d", NULL },
	{ "tab\there\rcarriage\r\nnewline\n\n\nend", "tab here carriage\nnewline\n\nend" },
	{ "\x01\x02\x1b[31m ctl \x7f bell\a", "[31m ctl bell" },
	{ "emoji 😀🀄👨‍👩‍👧 and 𠜎𠜱 (four bytes)", NULL },
	{ "中文：小区门口垃圾堆积，多日无人清理！请尽快处理？", NULL },
	{ "<script>alert('x')</script>&amp;&#0;", NULL },
	{ "NULL", NULL },
	{ "\\N", NULL },
};
#define NHOSTILE (sizeof(hostile) / sizeof(hostile[0]))

/* Source ids are printable ASCII without spaces. */
static const char *const hostile_sid[] = {
	"');DROP/**/TABLE/**/gf_order;--",
	"x'\"\\$1%s%n`;|&<>",
	"a:b:c::'--",
	"\\N",
};
#define NHOSTILE_SID (sizeof(hostile_sid) / sizeof(hostile_sid[0]))

static const char *normed(const struct hostile *h)
{
	return h->norm ? h->norm : h->s;
}

/* Every notice heard was valid UTF-8. */
static void heard_utf8(const heard *h, const char *who)
{
	ck_assert_msg(h->bad_utf8 == 0, "%s: %zu notices are not valid UTF-8, "
		      "the first: %s", who, h->bad_utf8, h->first_bad);
}

/* The report's JSON member key.sub (sub may be NULL) as a string, or
 * NULL when absent; copied to buf. */
static const char *report_member(const gf_report *rep, const char *key,
				 const char *sub, char *buf, size_t size)
{
	json_object *root = json_tokener_parse(gf_report_json(rep));
	ck_assert_msg(root != NULL, "report JSON does not parse: %s",
		      gf_report_json(rep));
	json_object *v = NULL;
	const char *out = NULL;
	if (json_object_object_get_ex(root, key, &v) && sub)
		if (!json_object_object_get_ex(v, sub, &v))
			v = NULL;
	if (v && json_object_is_type(v, json_type_string)) {
		size_t n = (size_t)json_object_get_string_len(v);
		ck_assert_uint_lt(n, size);
		memcpy(buf, json_object_get_string(v), n);
		buf[n] = '\0';
		out = buf;
	}
	json_object_put(root);
	return out;
}

/* The report's member key.sub is want. */
static void member_is(const st *s, const gf_report *rep, const char *key,
		      const char *sub, const char *want)
{
	static char buf[20000];
	const char *v = report_member(rep, key, sub, buf, sizeof(buf));
	ck_assert_msg(v && strcmp(v, want) == 0, "%s: %s%s%s [%.200s], want "
		      "[%.200s]", s->name, key, sub ? "." : "", sub ? sub : "",
		      v ? v : "(absent)", want);
}

/* The attribute with a hostile key. */
#define HOSTILE_KEY "k'); DROP TABLE gf_report; --"

/* A hostile event: every free-text field, an attribute, an unknown
 * field and a reporter name (which must not be kept) hold s. Event n
 * goes to village n, with caller n. */
static char *hostile_event(const char *sid, size_t n, const char *s)
{
	char at[40];
	sb b;
	sb_open(&b);
	fputs("{\"channel\":\"12345\"", b.f);
	sb_member(&b, "source_id", sid);
	fprintf(b.f, ",\"received_at\":\"%s\",\"region\":\"%s\","
		     "\"category\":\"city.environment.garbage\"",
		at_min(at, (long)n), village(n));
	sb_member(&b, "title", s);
	sb_member(&b, "content", s);
	sb_member(&b, "address", s);
	fputs(",\"attributes\":{\"note\":", b.f);
	sb_json(&b, s);
	sb_member(&b, HOSTILE_KEY, s);
	fputc('}', b.f);
	sb_member(&b, "x_remark", s);
	fprintf(b.f, ",\"reporter\":{\"phone\":\"1390000%04zu\"", n);
	sb_member(&b, "name", s);
	fputs("}}", b.f);
	return sb_done(&b);
}

/* What a hostile event's report must show. */
static void check_hostile_report(const st *s, const gf_report *rep,
				 const char *sid, const char *in,
				 const char *norm, int with_extra)
{
	char ref[200];
	snprintf(ref, sizeof(ref), "12345:%s", sid);
	ck_assert_msg(strcmp(gf_report_ref(rep), ref) == 0, "%s: ref [%s]",
		      s->name, gf_report_ref(rep));
	ck_assert_str_eq(gf_report_source_id(rep), sid);
	const struct {
		const char *name, *got;
	} text[3] = {
		{ "title", gf_report_title(rep) },
		{ "content", gf_report_content(rep) },
		{ "address", gf_report_address(rep) },
	};
	for (int i = 0; i < 3; i++)
		ck_assert_msg(strcmp(text[i].got, norm) == 0,
			      "%s: %s [%s], want [%s]", s->name, text[i].name,
			      text[i].got, norm);
	/* attributes and unknown fields are kept as given */
	member_is(s, rep, "attributes", "note", in);
	member_is(s, rep, "attributes", HOSTILE_KEY, in);
	if (with_extra) {
		member_is(s, rep, "x_remark", NULL, in);
		/* a reporter's name is personal data: dropped */
		ck_assert_ptr_null(strstr(gf_report_json(rep), "\"name\""));
		ck_assert_ptr_nonnull(gf_report_reporter(rep));
	}
}

/* The long event: each text field at (or just under) its limit, and the
 * line close to the 64 KiB event limit. */
#define LONG_SID "LONG-1"
#define LONG_ATTRS 36

static void fill_text(char *dst, size_t max, const char *pattern)
{
	/* whole UTF-8 characters only, ending on a non-space */
	size_t n = 0, pl = strlen(pattern);
	while (n + pl <= max) {
		memcpy(dst + n, pattern, pl);
		n += pl;
	}
	for (size_t i = 0; n < max && i < pl; i++) {
		unsigned char c = (unsigned char)pattern[i];
		size_t cl = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
		if (n + cl > max)
			break;
		memcpy(dst + n, pattern + i, cl);
		n += cl;
		i += cl - 1;
	}
	while (n && dst[n - 1] == ' ')
		n--;
	dst[n] = '\0';
}

typedef struct long_text {
	char title[513], address[513], content[16385], attr[1025], extra[7000];
} long_text;

static void make_long_text(long_text *t)
{
	const char *p = "中文😀'); DROP TABLE gf_order; --$1%s%n\\\"𠜎，";
	fill_text(t->title, 512, p);
	fill_text(t->address, 512, p);
	fill_text(t->content, 16384, p);
	fill_text(t->attr, 1024, p);
	fill_text(t->extra, 6000, p);
}

static char *long_event(const long_text *t)
{
	sb b;
	sb_open(&b);
	fputs("{\"channel\":\"12345\",\"source_id\":\"" LONG_SID "\","
	      "\"received_at\":\"2026-11-23T10:00:00+08:00\","
	      "\"region\":\"320506004013\","
	      "\"category\":\"city.environment.garbage\"", b.f);
	sb_member(&b, "title", t->title);
	sb_member(&b, "address", t->address);
	sb_member(&b, "content", t->content);
	fputs(",\"attributes\":{", b.f);
	for (int i = 0; i < LONG_ATTRS; i++) {
		fprintf(b.f, "%s\"a%02d\":", i ? "," : "", i);
		sb_json(&b, t->attr);
	}
	fputc('}', b.f);
	sb_member(&b, "x_long", t->extra);
	fputc('}', b.f);
	return sb_done(&b);
}

static void check_long_report(const st *s, const gf_report *rep,
			      const long_text *t)
{
	ck_assert_msg(strcmp(gf_report_title(rep), t->title) == 0,
		      "%s: long title differs", s->name);
	ck_assert_msg(strcmp(gf_report_address(rep), t->address) == 0,
		      "%s: long address differs", s->name);
	ck_assert_msg(strcmp(gf_report_content(rep), t->content) == 0,
		      "%s: long content differs (%zu bytes, want %zu)", s->name,
		      strlen(gf_report_content(rep)), strlen(t->content));
	for (int i = 0; i < LONG_ATTRS; i++) {
		char key[16];
		snprintf(key, sizeof(key), "a%02d", i);
		member_is(s, rep, "attributes", key, t->attr);
	}
	member_is(s, rep, "x_long", NULL, t->extra);
}

/* Event n through the C API, every text field holding text. */
static void create_c_event(gf_engine *eng, const char *sid, size_t n,
			   const char *text, char *id)
{
	gf_event *ev;
	ck_assert_int_eq(gf_event_new(&ev), GF_OK);
	gf_event_set_channel(ev, "12345");
	gf_event_set_source_id(ev, sid);
	gf_event_set_received_time(ev, T("2026-11-23T09:00:00+08:00") +
					       (gf_time)n * 60000,
				   480);
	gf_event_set_region(ev, village(n));
	gf_event_set_category(ev, "city.environment.garbage");
	gf_event_set_title(ev, text);
	gf_event_set_content(ev, text);
	gf_event_set_address(ev, text);
	char phone[16];
	snprintf(phone, sizeof(phone), "1390000%04zu", n);
	gf_event_set_reporter_phone(ev, phone);
	gf_event_set_attr_string(ev, "note", text);
	gf_event_set_attr_string(ev, HOSTILE_KEY, text);
	const gf_result *r;
	int rc = gf_engine_ingest(eng, ev, &r);
	ck_assert_msg(rc == GF_OK, "C event %s: %s: %s", sid, gf_errname(rc),
		      gf_engine_errmsg(eng));
	ck_assert_int_eq(gf_result_outcome(r), GF_OUTCOME_CREATED);
	snprintf(id, 64, "%s", gf_result_order(r));
	gf_event_free(ev);
}

START_TEST(hostile_text_in_events_survives_reopen)
{
	st s;
	st_begin(&s, _i, "hostile-ev");
	st_listen(&s);
	gf_engine *eng = st_open(&s);
	char id[NHOSTILE * 2 + NHOSTILE_SID + 1][64];
	char sid[NHOSTILE * 2 + NHOSTILE_SID + 1][160];
	size_t n = 0;

	/* through JSON: every field at once */
	for (size_t i = 0; i < NHOSTILE; i++, n++) {
		snprintf(sid[n], sizeof(sid[n]), "H-%zu", i);
		create_free(eng, hostile_event(sid[n], n, hostile[i].s), id[n],
			    NULL);
	}
	/* through the C API */
	for (size_t i = 0; i < NHOSTILE; i++, n++) {
		snprintf(sid[n], sizeof(sid[n]), "C-%zu", i);
		create_c_event(eng, sid[n], n, hostile[i].s, id[n]);
	}
	/* hostile source ids */
	for (size_t i = 0; i < NHOSTILE_SID; i++, n++) {
		snprintf(sid[n], sizeof(sid[n]), "%s", hostile_sid[i]);
		create_free(eng, hostile_event(sid[n], n, "x"), id[n], NULL);
	}
	/* the long one, close to every limit */
	long_text *lt = malloc(sizeof(*lt));
	ck_assert_ptr_nonnull(lt);
	make_long_text(lt);
	char *lj = long_event(lt);
	ck_assert_uint_gt(strlen(lj), 60000);
	ck_assert_uint_le(strlen(lj), 65536);
	create_free(eng, lj, NULL, NULL);

	for (int pass = 0; pass < 2; pass++) {
		size_t k = 0;
		/* JSON events have the unknown field and the name; C ones not */
		for (int extra = 1; extra >= 0; extra--)
			for (size_t i = 0; i < NHOSTILE; i++, k++)
				check_hostile_report(
					&s, gf_order_report(order_of(eng, id[k]), 0),
					sid[k], hostile[i].s, normed(&hostile[i]),
					extra);
		for (size_t i = 0; i < NHOSTILE_SID; i++, k++) {
			char ref[200];
			snprintf(ref, sizeof(ref), "12345:%s", hostile_sid[i]);
			const gf_order *ord = order_of(eng, ref);
			ck_assert_str_eq(gf_order_id(ord), id[k]);
			check_hostile_report(&s, gf_order_report(ord, 0),
					     hostile_sid[i], "x", "x", 1);
		}
		check_long_report(&s,
				  gf_order_report(order_of(eng, "12345:" LONG_SID), 0),
				  lt);
		if (pass == 0)
			eng = st_reopen(&s, eng, "after hostile events");
	}
	heard_utf8(s.h, s.name);
	free(lt);
	st_end(&s, eng);
}
END_TEST

/* The audit reason of the latest entry of an order. */
static const char *last_reason(const gf_engine *eng, const char *id)
{
	const gf_order *o = order_of(eng, id);
	return gf_audit_reason(gf_order_audit(o, gf_order_audit_count(o) - 1));
}

/* Apply {"op","ref","actor"} as JSON, with the members extra (raw JSON,
 * may be NULL), then an "id" and a "reason" where not NULL, escaped. */
static int act_text(gf_engine *eng, const char *op, const char *ref,
		    const char *actor, const char *extra, const char *key,
		    const char *reason, const gf_result **r)
{
	sb b;
	sb_open(&b);
	fprintf(b.f, "{\"op\":\"%s\",\"ref\":\"%s\",\"actor\":\"%s\"", op, ref,
		actor);
	if (extra)
		fprintf(b.f, ",%s", extra);
	if (key)
		sb_member(&b, "id", key);
	if (reason)
		sb_member(&b, "reason", reason);
	fputc('}', b.f);
	char *j = sb_done(&b);
	int rc = act_json(eng, j, r);
	free(j);
	return rc;
}

START_TEST(hostile_text_in_actions_survives_reopen)
{
	st s;
	st_begin(&s, _i, "hostile-ac");
	st_listen(&s);
	gf_engine *eng = st_open(&s);
	char id[4][64], lead[4][64];
	const gf_result *r;
	for (int i = 0; i < 4; i++) {
		char sid[16];
		snprintf(sid, sizeof(sid), "A%d", i);
		create_free(eng,
			    /* one village each: none may be taken for a
			     * duplicate of another */
			    event_json("12345", sid, i, village((size_t)i),
				       i == 3 ? "service.legal.s04"
					      : "city.environment.garbage",
				       NULL, NULL),
			    id[i], lead[i]);
	}
	/* a handling note per hostile string: JSON and C API in turn */
	act_ok(eng, "sign", id[0], lead[0], 10, NULL);
	size_t first = gf_order_audit_count(order_of(eng, id[0]));
	for (size_t i = 0; i < NHOSTILE; i++) {
		int rc = i % 2 == 0 ? act_text(eng, "handle", id[0], lead[0],
					       NULL, NULL, hostile[i].s, &r)
				    : apply_op(eng, GF_OP_HANDLE, id[0], lead[0],
					       NULL, hostile[i].s, NULL, &r);
		ck_assert_int_eq(rc, GF_OK);
		ck_assert_str_eq(last_reason(eng, id[0]), hostile[i].s);
	}
	/* the longest reason an action may carry: 4096 bytes of Chinese,
	 * emoji and SQL, under a hostile idempotency key */
	char longr[4097];
	fill_text(longr, 4096, "拒绝'); DROP TABLE gf_audit; --😀\\\"$1%n");
	const char *hkey = "'); DROP TABLE gf_record; -- 😀\\";
	ck_assert_int_eq(act_text(eng, "pause", id[0], lead[0], NULL, hkey,
				  longr, &r),
			 GF_OK);
	ck_assert_int_eq(gf_result_outcome(r), GF_OUTCOME_APPLIED);
	ck_assert_str_eq(last_reason(eng, id[0]), longr);
	/* a return carries its reason into the notice too */
	ck_assert_int_eq(apply_op(eng, GF_OP_RETURN, id[1], lead[1], NULL,
				  hostile[0].s, NULL, &r),
			 GF_OK);
	ck_assert_str_eq(last_reason(eng, id[1]), hostile[0].s);
	/* an extension request and its refusal, both with hostile reasons */
	act_ok(eng, "sign", id[3], lead[3], 20, NULL);
	ck_assert_int_eq(act_text(eng, "extend", id[3], lead[3],
				  "\"duration\":\"1wd\"", NULL, hostile[6].s, &r),
			 GF_OK);
	ck_assert_str_eq(last_reason(eng, id[3]), hostile[6].s);
	ck_assert_int_eq(act_text(eng, "reject_extension", id[3], DESK, NULL,
				  NULL, hostile[7].s, &r),
			 GF_OK);
	ck_assert_str_eq(last_reason(eng, id[3]), hostile[7].s);

	for (int pass = 0; pass < 2; pass++) {
		const gf_order *ord = order_of(eng, id[0]);
		for (size_t i = 0; i < NHOSTILE; i++)
			ck_assert_msg(strcmp(gf_audit_reason(gf_order_audit(
						     ord, first + i)),
					     hostile[i].s) == 0,
				      "%s: reason %zu differs", s.name, i);
		ck_assert_str_eq(last_reason(eng, id[0]), longr);
		ck_assert_str_eq(last_reason(eng, id[1]), hostile[0].s);
		ck_assert_str_eq(last_reason(eng, id[3]), hostile[7].s);
		if (pass == 0)
			eng = st_reopen(&s, eng, "after hostile actions");
	}
	/* the hostile key still holds after the restart */
	ck_assert_int_eq(apply_op(eng, GF_OP_RESUME, id[0], lead[0], NULL, NULL,
				  hkey, &r),
			 GF_OK);
	ck_assert_int_eq(gf_result_outcome(r), GF_OUTCOME_IDEMPOTENT);
	ck_assert_int_ne(gf_order_paused(order_of(eng, id[0])), 0);
	/* last, as it may fail the engine: a cancellation with the longest
	 * reason, which its notice quotes */
	int rc = apply_op(eng, GF_OP_CANCEL, id[2], DESK, NULL, longr, NULL, &r);
	ck_assert_msg(rc == GF_OK, "%s: cancel with a 4096-byte reason: %s: %s",
		      s.name, gf_errname(rc), gf_engine_errmsg(eng));
	ck_assert_str_eq(last_reason(eng, id[2]), longr);
	eng = st_reopen(&s, eng, "after a long cancellation reason");
	ck_assert_str_eq(last_reason(eng, id[2]), longr);
	heard_utf8(s.h, s.name);
	st_end(&s, eng);
}
END_TEST

/* The field and message of every open quarantine entry are text. */
static void quarantine_is_utf8(const st *s, const gf_engine *eng)
{
	for (size_t i = 0; i < gf_engine_quarantine_count(eng); i++) {
		const gf_quarantined *q = gf_engine_quarantine_at(eng, i);
		ck_assert_msg(cstr_utf8_ok(gf_quarantined_field(q)) &&
				      cstr_utf8_ok(gf_quarantined_message(q)),
			      "%s: quarantine entry %llu has a field or "
			      "message that is not UTF-8: [%s] [%s]",
			      s->name, (unsigned long long)gf_quarantined_id(q),
			      gf_quarantined_field(q),
			      gf_quarantined_message(q));
	}
}

/* Some open entry holds exactly the bytes of raw. */
static int raw_kept(const gf_engine *eng, const char *raw)
{
	for (size_t k = 0; k < gf_engine_quarantine_count(eng); k++) {
		size_t len;
		const char *got =
			gf_quarantined_raw(gf_engine_quarantine_at(eng, k), &len);
		if (len == strlen(raw) && memcmp(got, raw, len) == 0)
			return 1;
	}
	return 0;
}

START_TEST(hostile_text_in_rejected_events_survives_reopen)
{
	st s;
	st_begin(&s, _i, "hostile-q");
	st_listen(&s);
	gf_engine *eng = st_open(&s);
	const gf_result *r;
	/* each hostile string as a whole (bad) line, and inside an event
	 * whose category is unknown */
	for (size_t i = 0; i < NHOSTILE; i++) {
		ck_assert_int_eq(ingest(eng, hostile[i].s, &r), GF_EJSON);
		char *j = hostile_event("QH", i, hostile[i].s);
		char *cat = strstr(j, "city.environment.garbage");
		ck_assert_ptr_nonnull(cat);
		memcpy(cat, "city.environment.garbagf", 24);
		ck_assert_int_eq(ingest_free(eng, j, &r), GF_EUNKNOWN);
	}
	/* an unknown channel, quoted in the message, in Chinese */
	const char *chan = "{\"channel\":\"微信公众号投诉渠道（测试）'); DROP TABLE gf_quarantine; --\","
			   "\"source_id\":\"QX\",\"received_at\":\"2026-11-23T09:00:00+08:00\","
			   "\"region\":\"320506001012\",\"category\":\"city\"}";
	ck_assert_int_eq(ingest(eng, chan, &r), GF_EUNKNOWN);
	size_t open = gf_engine_quarantine_count(eng);
	ck_assert_uint_eq(open, 2 * NHOSTILE + 1);
	/* discards with hostile reasons */
	for (size_t i = 0; i < 3; i++)
		ck_assert_int_eq(gf_engine_quarantine_discard(
					 eng,
					 gf_quarantined_id(
						 gf_engine_quarantine_at(eng, 0)),
					 hostile[i].s),
				 GF_OK);
	for (int pass = 0; pass < 2; pass++) {
		ck_assert_uint_eq(gf_engine_quarantine_count(eng), open - 3);
		quarantine_is_utf8(&s, eng);
		/* the raw bytes of each whole-line reject, as given */
		for (size_t i = 3; i < NHOSTILE; i++)
			ck_assert_msg(raw_kept(eng, hostile[i].s),
				      "%s: raw line %zu is not kept", s.name, i);
		if (pass == 0)
			eng = st_reopen(&s, eng, "after hostile rejects");
	}
	/* last, as it may fail the engine: an unknown field with a long
	 * Chinese name holding NaN. The error names the field by its JSON
	 * path, which must stay whole characters however long the name */
	const char *nan = "{\"channel\":\"12345\",\"source_id\":\"QN\","
			  "\"received_at\":\"2026-11-23T09:00:00+08:00\","
			  "\"region\":\"320506001012\",\"category\":\"city\","
			  "\"a备注备注备注备注备注备注备注备注备注备注备注备注备注备注备注"
			  "备注备注备注备注备注\":NaN}";
	int rc = ingest(eng, nan, &r);
	ck_assert_msg(rc == GF_ERANGE, "%s: a NaN under a long name: %s: %s",
		      s.name, gf_errname(rc), gf_engine_errmsg(eng));
	ck_assert_msg(cstr_utf8_ok(gf_result_error_field(r)),
		      "%s: the error's field is not UTF-8: [%s]", s.name,
		      gf_result_error_field(r));
	eng = st_reopen(&s, eng, "after a reject with a long path");
	ck_assert_uint_eq(gf_engine_quarantine_count(eng), open - 2);
	quarantine_is_utf8(&s, eng);
	heard_utf8(s.h, s.name);
	st_end(&s, eng);
}
END_TEST

/* Strings a host put in a gf_action are its own: broken UTF-8 in one is
 * refused by field before anything changes, on every backend (a
 * PostgreSQL text column would refuse it later, with the whole batch,
 * and again after every reopen), and the engine goes on. */
START_TEST(broken_utf8_in_c_actions_is_refused_by_field)
{
	st s;
	st_begin(&s, _i, "badutf8");
	gf_engine *eng = st_open(&s);
	char id[64], lead[64];
	create_free(eng,
		    event_json("12345", "U0", 0, village(0),
			       "city.environment.garbage", NULL, NULL),
		    id, lead);
	const gf_order *o = order_of(eng, id);
	size_t audit = gf_order_audit_count(o);
	const char *const broken[] = {
		"\xe6\x97\xa0\xff bad byte",      /* a stray 0xFF */
		"无法处理\xe6\x97",               /* a cut character */
		"\xc0\xaf overlong slash",        /* an overlong form */
		"\xed\xa0\x80 surrogate",        /* a UTF-16 surrogate */
	};
	const gf_result *r;
	for (size_t i = 0; i < sizeof(broken) / sizeof(broken[0]); i++) {
		int rc = apply_op(eng, GF_OP_CANCEL, id, DESK, NULL, broken[i],
				  NULL, &r);
		ck_assert_msg(rc == GF_EUTF8, "%s: reason %zu: %s", s.name, i,
			      gf_errname(rc));
		ck_assert_ptr_nonnull(r);
		ck_assert_str_eq(gf_result_error_field(r), "$.reason");
	}
	/* the actor's department, the idempotency key */
	ck_assert_int_eq(apply_op(eng, GF_OP_SIGN, id, "d\xff", NULL, NULL,
				  NULL, &r),
			 GF_EUTF8);
	ck_assert_str_eq(gf_result_error_field(r), "$.actor.dept");
	ck_assert_int_eq(apply_op(eng, GF_OP_SIGN, id, lead, NULL, NULL,
				  "key\x80", &r),
			 GF_EUTF8);
	ck_assert_str_eq(gf_result_error_field(r), "$.id");
	/* nothing changed; the order goes on, and all of it is stored */
	ck_assert_uint_eq(gf_order_audit_count(order_of(eng, id)), audit);
	ck_assert_str_eq(gf_state_name(gf_order_state(order_of(eng, id))),
			 "dispatched");
	ck_assert_int_eq(apply_op(eng, GF_OP_CANCEL, id, DESK, NULL,
				  "重复工单，已撤销", NULL, &r),
			 GF_OK);
	eng = st_reopen(&s, eng, "after broken actions");
	o = order_of(eng, id);
	ck_assert_uint_eq(gf_order_audit_count(o), audit + 1);
	ck_assert_str_eq(last_reason(eng, id), "重复工单，已撤销");
	st_end(&s, eng);
}
END_TEST

/* the pg variants wait on a server */
SU_MAKE_SUITE("hostile", 60, B_COUNT,
	      broken_utf8_in_c_actions_is_refused_by_field,
	      hostile_text_in_events_survives_reopen,
	      hostile_text_in_actions_survives_reopen,
	      hostile_text_in_rejected_events_survives_reopen)

GF_TEST_MAIN
