/*
 * engine.c - the pipeline: validate, deduplicate by (channel, source_id),
 * route, store, apply, notify; and the replay of stored records at open.
 * Joining a report to an open order (repeated calls, near duplicates) is
 * link.c's; the SLA timers are ladder.c's, the commits commit.c's.
 *
 * The order of every change is: decide (nothing touched), store the
 * record (the acknowledgement point), apply in memory, notify. A store
 * failure therefore leaves memory as it was, and a crash after the store
 * is repaired by replay at the next open.
 */
#include <json.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "action.h"
#include "config.h"
#include "engine_int.h"
#include "record.h"
#include "sha256.h"
#include "store.h"
#include "text.h"
#include "clock.h"
#include "dedup.h"
#include "dupindex.h"
#include "sla.h"
#include "timer.h"

/* ---- small helpers ------------------------------------------------------ */

static gf_time gf__wall_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (gf_time)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void gf__advance(gf_engine *eng, gf_time t)
{
	if (eng->clock == GF_CLOCK_EVENT && t > eng->now)
		eng->now = t;
}

gf_time gf__now(gf_engine *eng)
{
	if (eng->clock == GF_CLOCK_WALL)
		eng->now = gf__wall_now();
	return eng->now;
}

const char *gf_notice_kind_name(gf_notice_kind k)
{
	static const char *const names[] = {
		NULL, "dispatched", "returned", "reopened", "closed",
		"cancelled", "merged", "quarantined", "warning", "escalated",
		"sla", "linked", "crowd"
	};
	return (unsigned)k < sizeof(names) / sizeof(names[0]) ? names[k]
							      : NULL;
}

gf_notice_kind gf_notice_kind_of(const gf_notice *n) { return n->kind; }
const char *gf_notice_order(const gf_notice *n) { return n->order; }
const char *gf_notice_dept(const gf_notice *n) { return n->dept; }
const char *gf_notice_message(const gf_notice *n) { return n->message; }
gf_time gf_notice_time(const gf_notice *n) { return n->at; }
const char *gf_notice_clock(const gf_notice *n) { return n->clock; }
const char *gf_notice_step(const gf_notice *n) { return n->step; }
gf_time gf_notice_due(const gf_notice *n) { return n->due; }

void gf__notify(gf_engine *eng, gf_notice_kind kind,
		       const char *order, const char *dept, const char *fmt,
		       ...)
{
	if ((!eng->notice && !eng->txn) || eng->replaying)
		return;
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	gf__vtextf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	gf_notice n = { kind, order, dept, msg, eng->now, NULL, NULL,
			GF_TIME_NONE, NULL };
	gf__emit(eng, &n);
}

/* ---- results ------------------------------------------------------------ */

const char *gf_outcome_name(gf_outcome o)
{
	static const char *const names[] = {
		NULL, "created", "linked", "suspected", "idempotent",
		"rejected", "applied", "refused"
	};
	return (unsigned)o < sizeof(names) / sizeof(names[0]) ? names[o]
							      : NULL;
}

static gf_result *gf__result_reset(gf_engine *eng)
{
	gf_result *r = &eng->res;
	gf__buf_reset(&r->ref);
	memset(&r->outcome, 0, sizeof(*r) - offsetof(gf_result, outcome));
	return r;
}

static void gf__result_ref(gf_result *r, const char *ref)
{
	gf__buf_reset(&r->ref);
	if (ref) {
		gf__buf_puts(&r->ref, ref);
		gf__buf_cstr(&r->ref);
		r->has_ref = !r->ref.oom;
	}
}

void gf__result_order(gf_result *r, const gf_order *o)
{
	memcpy(r->order, o->id, sizeof(r->order));
	r->has_order = 1;
	r->lead = o->lead;
	r->rule = o->rule;
	r->state = o->state;
	r->sla = o->sla;
	r->priority = o->priority;
	r->nassist = o->nassist < 16 ? o->nassist : 16;
	for (size_t i = 0; i < r->nassist; i++)
		r->assist[i] = o->assist[i];
}

static void gf__result_error(gf_result *r, gf__err *err)
{
	r->error = err->code;
	snprintf(r->field, sizeof(r->field), "%s", err->field);
	snprintf(r->message, sizeof(r->message), "%s", err->msg);
}

gf_outcome gf_result_outcome(const gf_result *r) { return r->outcome; }
const char *gf_result_ref(const gf_result *r)
{
	return r->has_ref ? r->ref.p : NULL;
}
const char *gf_result_order(const gf_result *r)
{
	return r->has_order ? r->order : NULL;
}
gf_op gf_result_op(const gf_result *r) { return r->op; }
const char *gf_result_lead(const gf_result *r) { return r->lead; }
size_t gf_result_assist_count(const gf_result *r) { return r->nassist; }
const char *gf_result_assist(const gf_result *r, size_t i)
{
	return i < r->nassist ? r->assist[i] : NULL;
}
const char *gf_result_rule(const gf_result *r) { return r->rule; }
gf_state gf_result_state(const gf_result *r) { return r->state; }
const char *gf_result_new_order(const gf_result *r)
{
	return r->new_order[0] ? r->new_order : NULL;
}
int gf_result_error(const gf_result *r) { return r->error; }
const char *gf_result_error_field(const gf_result *r) { return r->field; }
const char *gf_result_error_message(const gf_result *r)
{
	return r->message;
}
uint64_t gf_result_quarantine_id(const gf_result *r) { return r->qid; }
uint64_t gf_result_ticket(const gf_result *r) { return r->ticket; }
const char *gf_result_sla(const gf_result *r) { return r->sla; }
int gf_result_priority(const gf_result *r) { return r->priority; }
const char *gf_result_why(const gf_result *r)
{
	return r->why[0] ? r->why : NULL;
}
const char *gf_result_explain(const gf_result *r) { return r->explain; }
double gf_result_score(const gf_result *r) { return r->score; }
const char *gf_result_reasons(const gf_result *r)
{
	return r->reasons[0] ? r->reasons : NULL;
}

/* ---- indexes ---------------------------------------------------------- */

static int gf__id_reserve(gf_engine *eng, const char *id);
static void gf__id_index(gf_engine *eng, gf_order *o);
static gf_order *gf__lookup_id(const gf_engine *eng, const char *id, size_t n);

/* Room in every index for a new order with id (NULL: none) holding nrefs
 * new reports, so that indexing after a stored record cannot fail. */
int gf__index_reserve(gf_engine *eng, const char *id, size_t nrefs)
{
	if ((id && (gf__vec_reserve(&eng->orders, 1) ||
		    gf__id_reserve(eng, id))) ||
	    gf__map_reserve(&eng->report_by_ref, nrefs))
		return gf__err_set(&eng->err, GF_ENOMEM, NULL, "out of memory");
	return GF_OK;
}

/* Add an order to the indexes; call gf__index_reserve() first. */
static void gf__index_order(gf_engine *eng, gf_order *o)
{
	gf__vec_push(&eng->orders, o);
	o->index = eng->orders.len - 1;
	gf__id_index(eng, o);
	for (size_t i = 0; i < o->nreports; i++) {
		gf_report *r = o->reports[i];
		gf__map_put(&eng->report_by_ref, r->ref, strlen(r->ref), r);
	}
	eng->state_counts[o->state]++;
}

static gf_order *gf__find(const gf_engine *eng, const char *ref)
{
	if (!ref)
		return NULL;
	size_t n = strlen(ref);
	if (memchr(ref, ':', n)) {
		gf_report *r = gf__map_get(&eng->report_by_ref, ref, n);
		return r ? r->order : NULL;
	}
	return gf__lookup_id(eng, ref, n);
}

static gf_order *gf__find_cb(void *ud, const char *ref)
{
	return gf__find(ud, ref);
}

/*
 * Order ids: PREFIX + the local date of t + a sequence of that day,
 * "WO20261123000017". Each day keeps its counter and an array of its
 * orders by sequence, which is the index of ids of this shape: no hash
 * table to grow, and a lookup is an array read. Ids of another shape (a
 * journal written under another prefix) go to the order_by_id map.
 * Replay moves each day's counter past the ids it stores, and a new id
 * is still checked against the index.
 */
typedef struct gf__day {
	char day[9];
	unsigned seq;        /* the last sequence handed out or stored */
	gf_order **by_seq;   /* this engine's orders of the day, by seq - 1 */
	size_t cap;
} gf__day;

static gf__day *gf__day_get(gf_engine *eng, const char *key)
{
	gf__day *d = gf__map_get(&eng->days, key, 8);
	if (d)
		return d;
	d = gf__pool_alloc(&eng->pool, sizeof(*d));
	if (!d)
		return NULL;
	memcpy(d->day, key, 8);
	d->day[8] = '\0';
	d->seq = 0;
	d->by_seq = NULL;
	d->cap = 0;
	if (gf__map_put(&eng->days, d->day, 8, d))
		return NULL;
	return d;
}

/* 1 when id has this engine's shape: its day's key and the sequence. */
static int gf__id_parse(const gf_engine *eng, const char *id, size_t n,
			const char **day, unsigned *seq)
{
	size_t plen = eng->prefix_len;
	if (n < plen + 8 + 6 || n > plen + 8 + 9 ||
	    memcmp(id, eng->prefix, plen) != 0)
		return 0;
	unsigned long v = 0;
	for (size_t i = plen; i < n; i++) {
		if (id[i] < '0' || id[i] > '9')
			return 0;
		if (i >= plen + 8)
			v = v * 10 + (unsigned long)(id[i] - '0');
	}
	if (v == 0 || v > 999999999UL)
		return 0;
	*day = id + plen;
	*seq = (unsigned)v;
	return 1;
}

static gf_order *gf__lookup_id(const gf_engine *eng, const char *id, size_t n)
{
	const char *day;
	unsigned seq;
	if (!gf__id_parse(eng, id, n, &day, &seq))
		return gf__map_get(&eng->order_by_id, id, n);
	gf__day *d = gf__map_get(&eng->days, day, 8);
	return d && seq <= d->cap ? d->by_seq[seq - 1] : NULL;
}

/* Room in the id index for id, so that indexing it cannot fail. */
static int gf__id_reserve(gf_engine *eng, const char *id)
{
	const char *day;
	unsigned seq;
	size_t n = strlen(id);
	if (!gf__id_parse(eng, id, n, &day, &seq))
		return gf__map_reserve(&eng->order_by_id, 1);
	gf__day *d = gf__day_get(eng, day);
	if (!d)
		return GF_ENOMEM;
	if (seq <= d->cap)
		return GF_OK;
	size_t cap = d->cap ? d->cap : 256;
	while (cap < seq)
		cap *= 2;
	gf_order **a = gf__realloc(d->by_seq, cap * sizeof(*a));
	if (!a)
		return GF_ENOMEM;
	memset(a + d->cap, 0, (cap - d->cap) * sizeof(*a));
	d->by_seq = a;
	d->cap = cap;
	return GF_OK;
}

/* Index an order by its id; gf__id_reserve() first. Replay also moves
 * the day's counter past it. */
static void gf__id_index(gf_engine *eng, gf_order *o)
{
	const char *day;
	unsigned seq;
	size_t n = strlen(o->id);
	if (!gf__id_parse(eng, o->id, n, &day, &seq)) {
		gf__map_put(&eng->order_by_id, o->id, n, o);
		return;
	}
	gf__day *d = gf__map_get(&eng->days, day, 8);
	d->by_seq[seq - 1] = o;
	if (seq > d->seq)
		d->seq = seq;
}

static int gf__next_id(gf_engine *eng, gf_time t, int offset_min,
		       char out[GF__ORDER_ID_MAX])
{
	if (!eng->day || offset_min != eng->day_off || t < eng->day_lo ||
	    t >= eng->day_hi) {
		char date[40];
		gf_time_format(date, sizeof(date), t, offset_min);
		char key[9] = { date[0], date[1], date[2], date[3], date[5],
				date[6], date[8], date[9], 0 };
		gf__day *d = gf__day_get(eng, key);
		if (!d)
			return GF_ENOMEM;
		const int64_t dayms = 86400000;
		int64_t local = t + (int64_t)offset_min * 60000;
		int64_t into = ((local % dayms) + dayms) % dayms;
		eng->day = d;
		eng->day_off = offset_min;
		eng->day_lo = t - into;
		eng->day_hi = eng->day_lo + dayms;
	}
	size_t plen = eng->prefix_len;
	memcpy(out, eng->prefix, plen);
	memcpy(out + plen, eng->day->day, 8);
	char *num = out + plen + 8;
	do {
		unsigned v = ++eng->day->seq;
		char digits[12];
		int n = 0;
		do {
			digits[n++] = (char)('0' + v % 10);
			v /= 10;
		} while (v);
		while (n < 6)
			digits[n++] = '0';
		for (int i = 0; i < n; i++)
			num[i] = digits[n - 1 - i];
		num[n] = '\0';
	} while (gf__lookup_id(eng, out, strlen(out)));
	return GF_OK;
}

/* Record a change: the point of acknowledgement. Room for the timers
 * the change may start is made first, so that nothing after it fails. */
int gf__record(gf_engine *eng, uint8_t type)
{
	if (eng->rec.oom)
		return gf__err_set(&eng->err, GF_ENOMEM, NULL,
				   "out of memory encoding a record");
	if (gf__timers_reserve(eng->timers, 2 * GF__SLA_MAX_CLOCKS))
		return gf__err_set(&eng->err, GF_ENOMEM, NULL,
				   "out of memory for SLA timers");
	int rc = GF_OK;
	if (eng->sla_unsaved && eng->store->ops->keeps)
		rc = gf__record_sla(eng);
	if (!rc)
		rc = gf__append(eng, type, eng->rec.p, eng->rec.len);
	return rc;
}

/* After a stored record could not be applied (out of memory), memory
 * and store disagree: refuse everything until the engine is reopened,
 * which replays the store. */
int gf__poison(gf_engine *eng)
{
	eng->failed = 1;
	return gf__err_set(&eng->err, GF_ENOMEM, NULL,
			   "out of memory applying a stored change; close and "
			   "reopen the engine to recover it from the store");
}

int gf__check_usable(gf_engine *eng)
{
	gf__err_clear(&eng->err);
	if (eng->failed)
		return gf__err_set(&eng->err, GF_EIO, NULL,
				   "the engine failed earlier; reopen it");
	if (eng->read_only)
		return gf__err_set(&eng->err, GF_EPERM, NULL,
				   "the engine was opened read-only");
	return GF_OK;
}

/* ---- quarantine ----------------------------------------------------- */

static void gf__quar_free(gf_quarantined *q)
{
	if (!q)
		return;
	gf__free(q->field);
	gf__free(q->msg);
	gf__free(q->ref);
	gf__free(q->raw);
	gf__free(q->closed_reason);
	gf__free(q);
}

/* A quarantine entry from its record, not yet linked in. */
static gf_quarantined *gf__quar_build(const gf__rec_quar *r)
{
	gf_quarantined *q = gf__calloc(1, sizeof(*q));
	if (!q)
		return NULL;
	q->id = r->id;
	q->at = r->at;
	memcpy(q->digest, r->digest, sizeof(q->digest));
	q->code = r->code;
	q->field = gf__strdup(r->field);
	q->msg = gf__strdup(r->msg);
	q->ref = r->ref ? gf__strdup(r->ref) : NULL;
	q->raw = gf__malloc(r->raw_len + 1);
	q->raw_len = r->raw_len;
	q->open = 1;
	q->closed_at = GF_TIME_NONE;
	if (!q->field || !q->msg || (r->ref && !q->ref) || !q->raw) {
		gf__quar_free(q);
		return NULL;
	}
	memcpy(q->raw, r->raw, r->raw_len);
	q->raw[r->raw_len] = '\0';
	return q;
}

static int gf__quar_reserve(gf_engine *eng)
{
	if (gf__vec_reserve(&eng->quar, 1) ||
	    gf__map_reserve(&eng->quar_by_digest, 1))
		return gf__err_set(&eng->err, GF_ENOMEM, NULL, "out of memory");
	return GF_OK;
}

/* Link a built entry in; call gf__quar_reserve() first. */
static void gf__quar_link(gf_engine *eng, gf_quarantined *q)
{
	gf__vec_push(&eng->quar, q);
	gf__map_put(&eng->quar_by_digest, (const char *)q->digest,
		    sizeof(q->digest), q);
	eng->quar_open++;
	if (q->id > eng->quar_last)
		eng->quar_last = q->id;
}

static gf_quarantined *gf__quar_get(const gf_engine *eng, uint64_t id)
{
	/* ids are dense and in order: 1, 2, 3, ... */
	if (id == 0 || id > eng->quar.len)
		return NULL;
	gf_quarantined *q = eng->quar.v[id - 1];
	return q->id == id ? q : NULL;
}

/* Close an open entry at `at`. reason is taken over (NULL: it was
 * released by a repaired event); closing cannot fail once the entry is
 * found. */
int gf__quar_close(gf_engine *eng, uint64_t id, char *reason, gf_time at)
{
	gf_quarantined *q = gf__quar_get(eng, id);
	if (!q || !q->open) {
		gf__free(reason);
		return GF_ECORRUPT;
	}
	q->open = 0;
	q->closed_reason = reason;
	q->closed_at = at; /* released or discarded: when, for the audit */
	eng->quar_open--;
	gf__quar_touch(eng, q);
	return GF_OK;
}

/* Keep a rejected input. The same bytes delivered again are the same
 * entry, so re-feeding a stream after a crash adds nothing. */
static int gf__quarantine(gf_engine *eng, const char *raw, size_t len,
			  const char *ref, gf__err *why)
{
	gf_result *res = &eng->res;
	res->outcome = GF_OUTCOME_REJECTED;
	gf__result_ref(res, ref);
	gf__result_error(res, why);

	gf__rec_quar r;
	memset(&r, 0, sizeof(r));
	gf__sha256(raw, len, r.digest);
	gf_quarantined *old = gf__map_get(&eng->quar_by_digest,
					  (const char *)r.digest,
					  sizeof(r.digest));
	if (old) {
		res->qid = old->id;
		return why->code;
	}
	r.id = eng->quar_last + 1;
	r.at = gf__now(eng);
	r.code = why->code;
	r.field = why->field;
	r.msg = why->msg;
	r.ref = ref;
	r.raw = raw;
	r.raw_len = len;
	gf__buf_reset(&eng->rec);
	gf__rec_quar_encode(&r, &eng->rec);
	gf__err stored = *why;
	gf_quarantined *q = gf__quar_build(&r);
	if (!q)
		return gf__err_set(&eng->err, GF_ENOMEM, NULL, "out of memory");
	int rc = gf__quar_reserve(eng);
	if (!rc)
		rc = gf__record(eng, GF__REC_QUARANTINE);
	if (rc) {
		gf__quar_free(q);
		return rc;
	}
	gf__quar_link(eng, q);
	gf__quar_touch(eng, q);
	res->qid = r.id;
	eng->err = stored;
	gf__notify(eng, GF_NOTICE_QUARANTINED, NULL, NULL,
		   "event %s rejected (%s): %s", ref ? ref : "(no ref)",
		   gf_errname(why->code), gf__err_text(why));
	return why->code;
}

size_t gf_engine_quarantine_count(const gf_engine *eng)
{
	return eng->quar_open;
}

const gf_quarantined *gf_engine_quarantine_at(const gf_engine *eng,
					      size_t i)
{
	/* open entries are few; a scan keeps one list and no second index */
	for (size_t k = 0; k < eng->quar.len; k++) {
		gf_quarantined *q = eng->quar.v[k];
		if (q->open && i-- == 0)
			return q;
	}
	return NULL;
}

uint64_t gf_quarantined_id(const gf_quarantined *q) { return q->id; }
const char *gf_quarantined_raw(const gf_quarantined *q, size_t *len)
{
	if (len)
		*len = q->raw_len;
	return q->raw;
}
int gf_quarantined_error(const gf_quarantined *q) { return q->code; }
const char *gf_quarantined_field(const gf_quarantined *q)
{
	return q->field;
}
const char *gf_quarantined_message(const gf_quarantined *q)
{
	return q->msg;
}
gf_time gf_quarantined_time(const gf_quarantined *q) { return q->at; }

/* ---- events ------------------------------------------------------------- */

static void gf__fill_ev_ctx(const gf_engine *eng, gf__ev_ctx *ctx)
{
	memset(ctx, 0, sizeof(*ctx));
	ctx->tok = eng->tok;
	ctx->scratch = (gf__buf *)&eng->scan;
	ctx->dir = eng->dir;
	ctx->reporter_key = eng->has_key ? &eng->key : NULL;
	ctx->keep_phone = eng->keep_phone;
	ctx->max_bytes = eng->max_bytes;
}

/* ---- routing ------------------------------------------------------------ */

/* node: ev's directory entry when the engine's current directory just
 * validated it (NULL: look it up, as a re-route after a reload must). */
static int gf__route_event(gf_engine *eng, const gf__ev *ev,
			   const gf__region *node,
			   const char *const *exclude, size_t nexclude,
			   gf__route_out *out, gf__buf *explain)
{
	gf__route_in in;
	in.channel = ev->channel;
	in.urgency = ev->urgency;
	in.category = ev->category;
	in.region = ev->region;
	in.region_node = node ? node : gf__dir_region(eng->dir, ev->region, 12);
	in.title = ev->title;
	in.content = ev->content;
	in.attrs = ev->attrs;
	in.nattrs = ev->nattrs;
	in.received_at = ev->received_at;
	in.offset_min = ev->offset_min;
	in.exclude = exclude;
	in.nexclude = nexclude;
	if (explain)
		gf__buf_reset(explain);
	int rc = gf__rules_route(eng->cfg->rules, eng->dir, &in, out,
				 &eng->route_scratch, explain);
	if (rc)
		return gf__err_set(&eng->err, rc, NULL, "out of memory routing");
	return GF_OK;
}

/* Routing for the state machine: returns and splits. */
static int gf__reroute_cb(void *ud, const gf__ev *ev,
			  const char *const *exclude, size_t nexclude,
			  const char **lead, gf_level *level, const char **rule,
			  gf__plan *more)
{
	gf_engine *eng = ud;
	gf__route_out ro;
	int rc = gf__route_event(eng, ev, NULL, exclude, nexclude, &ro, NULL);
	if (rc)
		return rc;
	if (more) {
		/* what a new order gets besides its lead (gf__accept) */
		more->sla = ro.sla;
		more->priority = ro.priority;
		more->version = eng->cfg->rules_version;
		more->nassist = ro.nassist;
		for (size_t i = 0; i < more->nassist; i++)
			more->assist[i] = ro.assist[i]->id;
	}
	if (!ro.lead)
		return 0;
	*lead = ro.lead->id;
	*level = ro.level ? ro.level : ro.lead->level;
	*rule = ro.rule;
	return 1;
}

/* A repeat-caller entry: the newest order of a key (in the pool). */
typedef struct gf__caller {
	gf_order *order;
	char key[];
} gf__caller;

/* The entry for a key, made (and room for it in the map) if new: *fresh
 * is the entry to add after the record, NULL when one exists already. */
static int gf__caller_reserve(gf_engine *eng, const char *key, size_t len,
			      gf__caller **have, gf__caller **fresh)
{
	*fresh = NULL;
	*have = gf__map_get(&eng->callers, key, len);
	if (*have)
		return GF_OK;
	gf__caller *c = gf__pool_alloc(&eng->pool, sizeof(*c) + len + 1);
	if (!c || gf__map_reserve(&eng->callers, 1))
		return gf__err_set(&eng->err, GF_ENOMEM, NULL,
				   "out of memory");
	c->order = NULL;
	memcpy(c->key, key, len + 1);
	*fresh = c;
	return GF_OK;
}

/* The order now newest for the key (entries from gf__caller_reserve). */
static void gf__caller_set(gf_engine *eng, gf__caller *have,
			   gf__caller *fresh, size_t len, gf_order *o)
{
	if (have) {
		have->order = o;
	} else if (fresh) {
		fresh->order = o;
		gf__map_put(&eng->callers, fresh->key, len, fresh); /* room */
	}
}

/* The order a caller's entry stands for: the one it was merged into
 * when the desk merged it (merges go into open orders, so the chain
 * ends); NULL when that is not found. */
static gf_order *gf__caller_order(const gf_engine *eng, const gf__caller *c)
{
	gf_order *o = c->order;
	for (size_t n = 0; o && o->state == GF_STATE_MERGED && o->merged_into;
	     n++) {
		if (n > eng->orders.len)
			return NULL;
		o = gf__lookup_id(eng, o->merged_into,
				  strlen(o->merged_into));
	}
	return o;
}

/* A split report's caller calls about the new order from now on, which
 * holds the report: the entry for its key (room for it made here,
 * before the record; *cklen 0 when there is none). */
static int gf__split_caller_reserve(gf_engine *eng, const gf__plan *p,
				    char *ckey, size_t *cklen,
				    gf__caller **have, gf__caller **fresh)
{
	*cklen = 0;
	*have = *fresh = NULL;
	if (p->op != GF_OP_SPLIT || !p->report)
		return GF_OK;
	gf_report *r = gf__map_get(&eng->report_by_ref, p->report,
				   strlen(p->report));
	if (r)
		*cklen = gf__dedup_caller_key(eng->cfg->dedup, &r->ev, ckey);
	return *cklen ? gf__caller_reserve(eng, ckey, *cklen, have, fresh)
		      : GF_OK;
}


/* Turn a validated event into an order (or find it is a re-delivery). */
static int gf__accept(gf_engine *eng, gf__ev *ev, uint64_t released)
{
	gf_result *res = &eng->res;
	gf__result_ref(res, ev->ref);

	gf_report *seen = gf__map_get(&eng->report_by_ref, ev->ref,
				      strlen(ev->ref));
	if (seen) {
		/* at-least-once delivery: the same (channel, source_id) */
		res->outcome = GF_OUTCOME_IDEMPOTENT;
		gf__result_order(res, seen->order);
		gf__ev_free(ev);
		if (released) {
			gf__rec_discard d = { released, gf__now(eng),
					      "the event is already ingested"
			};
			char *why = gf__strdup(d.reason);
			if (!why)
				return gf__err_set(&eng->err, GF_ENOMEM, NULL,
						   "out of memory");
			gf__buf_reset(&eng->rec);
			gf__rec_discard_encode(&d, &eng->rec);
			int rc = gf__record(eng, GF__REC_QDISCARD);
			if (rc) {
				gf__free(why);
				return rc;
			}
			gf__quar_close(eng, released, why, d.at);
		}
		return GF_OK;
	}

	gf__advance(eng, ev->received_at);
	int frc = gf__fire_due(eng, NULL);
	if (frc) {
		gf__ev_free(ev);
		return frc;
	}
	gf_time now = gf__now(eng);
	char ckey[GF__CALLER_KEY_MAX];
	size_t cklen = gf__dedup_caller_key(eng->cfg->dedup, ev, ckey);
	if (cklen) {
		gf__caller *prev = gf__map_get(&eng->callers, ckey, cklen);
		gf_order *to = prev ? gf__caller_order(eng, prev) : NULL;
		int lrc = to ? gf__link_repeat(eng, to, ev, now, released) : 1;
		if (lrc == 0)
			prev->order = to; /* as a replay of the link sets it */
		if (lrc <= 0)
			return lrc;
	}
	/* near duplicates: link when confident, flag in the grey band */
	gf__dd_item item;
	gf_order *suspect = NULL;
	char why[240];
	double score = 0;
	if (eng->dup) {
		const gf__dedup *d = eng->cfg->dedup;
		gf__dd_parts parts;
		gf__dupindex_expire(eng->dup, now);
		gf__dd_item_make(&item, d, ev);
		gf_order *best = gf__dupindex_best(eng->dup, d, &item, now,
						   &score, &parts);
		/* worded only when read: suspect_at <= link_at */
		if (best && score >= d->near.suspect_at)
			gf__dd_reasons(&parts, item.region, ev->grid, why,
				       sizeof(why));
		if (best && score >= d->near.link_at) {
			/* the caller's order now: a later call repeats it */
			gf__caller *have = NULL, *fresh = NULL;
			if (cklen && gf__caller_reserve(eng, ckey, cklen,
							&have, &fresh)) {
				gf__ev_free(ev);
				return GF_ENOMEM;
			}
			int lrc = gf__link_to(eng, best, ev, &item, now,
					      released, score, why);
			if (!lrc)
				gf__caller_set(eng, have, fresh, cklen, best);
			return lrc;
		}
		if (best && score >= d->near.suspect_at)
			suspect = best;
	}
	gf__route_out ro;
	int rrc = gf__route_event(eng, ev, ev->region_node, NULL, 0, &ro,
				  eng->explain ? &eng->explain_buf : NULL);
	if (rrc) {
		gf__ev_free(ev);
		return rrc;
	}
	const gf__dept *lead = ro.lead ? ro.lead : eng->cfg->fallback;
	gf__rec_event r;
	memset(&r, 0, sizeof(r));
	char id[GF__ORDER_ID_MAX];
	if (gf__next_id(eng, ev->received_at, ev->offset_min, id)) {
		gf__ev_free(ev);
		return gf__err_set(&eng->err, GF_ENOMEM, NULL,
				   "out of memory");
	}
	char swhy[300];
	if (suspect)
		snprintf(swhy, sizeof(swhy), "may repeat %s: %s", suspect->id,
			 why);
	r.outcome = suspect ? GF_OUTCOME_SUSPECTED : GF_OUTCOME_CREATED;
	r.why = suspect ? swhy : NULL;
	r.candidate = suspect ? suspect->id : NULL;
	r.at = now;
	r.order = id;
	r.lead = lead->id;
	r.level = ro.level ? ro.level : lead->level;
	r.rule = ro.rule;
	r.sla = ro.sla;
	r.priority = ro.priority;
	r.version = eng->cfg->rules_version;
	r.nassist = ro.nassist;
	for (size_t i = 0; i < ro.nassist; i++)
		r.assist[i] = ro.assist[i]->id;
	r.released = released;
	r.ev = ev;
	gf__buf_reset(&eng->rec);
	if (eng->store->ops->keeps)
		gf__rec_event_encode(&r, &eng->rec);

	/* build before storing, so that only indexing can fail after */
	gf_order *o;
	/* every string here is the configuration's, which the engine holds
	 * as long as it lives */
	gf__routing rt = { r.lead, r.level, r.rule, r.sla, r.priority,
			   r.assist, r.nassist, r.version, eng->sla };
	if (gf__order_create(&o, &eng->pool, id, ev, now, &rt, 1)) {
		gf__ev_free(ev);
		return gf__err_set(&eng->err, GF_ENOMEM, NULL,
				   "out of memory");
	}
	if (suspect && gf__order_suspect(o, &eng->pool, now, suspect->id,
					 swhy)) {
		gf__order_release(o);
		return gf__err_set(&eng->err, GF_ENOMEM, NULL,
				   "out of memory");
	}
	int rc = gf__index_reserve(eng, id, 1);
	gf__caller *have = NULL, *fresh = NULL;
	if (!rc && cklen)
		rc = gf__caller_reserve(eng, ckey, cklen, &have, &fresh);
	if (!rc)
		rc = gf__record(eng, GF__REC_EVENT);
	if (rc) {
		gf__order_release(o);
		return rc;
	}
	gf__index_order(eng, o);
	gf__caller_set(eng, have, fresh, cklen, o);
	gf__arm(eng, o);
	gf__touch(eng, o);
	if (eng->dup && gf__dup_add(eng, o, &item))
		gf__notify(eng, GF_NOTICE_WARNING, o->id, NULL,
			   "out of memory: order %s is not in the duplicate "
			   "index; later reports will not be matched to it",
			   o->id);
	if (released)
		gf__quar_close(eng, released, NULL, now);
	res->outcome = suspect ? GF_OUTCOME_SUSPECTED : GF_OUTCOME_CREATED;
	if (suspect) {
		res->score = score;
		gf__textcpy(res->reasons, sizeof(res->reasons), swhy);
	}
	gf__result_order(res, o);
	if (!ro.lead)
		gf__textcpy(res->why, sizeof(res->why), ro.why);
	if (eng->explain && !eng->explain_buf.oom &&
	    gf__buf_cstr(&eng->explain_buf))
		res->explain = eng->explain_buf.p;
	for (size_t i = 0; i < ro.nunresolved; i++)
		gf__notify(eng, GF_NOTICE_WARNING, o->id, NULL,
			   "routing order %s: assist %s resolves to nothing in "
			   "%s", o->id, ro.unresolved[i], o->region);
	if (!ro.lead && strncmp(ro.why, "no rule", 7) != 0)
		gf__notify(eng, GF_NOTICE_WARNING, o->id, o->lead,
			   "routing order %s: %s; it went to the desk", o->id,
			   ro.why);
	gf__notify(eng, GF_NOTICE_DISPATCHED, o->id, o->lead,
		   "order %s (%s) dispatched to %s by rule %s", o->id,
		   o->category, o->lead, o->rule);
	gf__warn_unknown_due(eng, o, now);
	return GF_OK;
}

/* Validation failed: keep the input in quarantine. */
static int gf__reject(gf_engine *eng, const char *json, size_t len,
		      char *ref, int code)
{
	if (code == GF_ENOMEM) {
		gf__free(ref);
		return code;
	}
	gf__err why = eng->err;
	int rc = gf__quarantine(eng, json, len, ref, &why);
	gf__free(ref);
	return rc;
}

static int gf__ingest_text(gf_engine *eng, const char *json, size_t len,
			   uint64_t released)
{
	gf__ev_ctx ctx;
	gf__ev ev;
	char *ref = NULL;
	gf__fill_ev_ctx(eng, &ctx);
	int rc = gf__ev_parse(&ev, json, len, &ctx, &ref, &eng->err);
	if (rc) {
		if (released) {
			/* a failed repair stays in quarantine as it was */
			eng->res.outcome = GF_OUTCOME_REJECTED;
			gf__result_ref(&eng->res, ref);
			gf__result_error(&eng->res, &eng->err);
			eng->res.qid = released;
			gf__free(ref);
			return rc;
		}
		return gf__reject(eng, json, len, ref, rc);
	}
	gf__free(ref);
	return gf__accept(eng, &ev, released);
}

int gf_engine_ingest_json(gf_engine *eng, const char *json, size_t len,
			  const gf_result **out)
{
	if (out)
		*out = NULL;
	if (!eng || (!json && len))
		return GF_EINVAL;
	int rc = gf__check_usable(eng);
	if (rc)
		return rc;
	gf__result_reset(eng);
	rc = gf__ingest_text(eng, json ? json : "", len, 0);
	rc = gf__end(eng, rc, 0);
	if (out && rc != GF_ENOMEM && rc != GF_EIO && !eng->failed)
		*out = &eng->res;
	return rc;
}

int gf_engine_ingest(gf_engine *eng, const gf_event *b,
		     const gf_result **out)
{
	if (out)
		*out = NULL;
	if (!eng || !b)
		return GF_EINVAL;
	int rc = gf__check_usable(eng);
	if (rc)
		return rc;
	gf__result_reset(eng);
	gf__ev_ctx ctx;
	gf__ev ev;
	char *ref = NULL;
	gf__fill_ev_ctx(eng, &ctx);
	rc = gf__ev_from_builder(&ev, b, &ctx, &ref, &eng->err);
	if (rc) {
		/* keep what the host gave, as the JSON event it stands for,
		 * so that it can be told from other rejected built events,
		 * repaired, and retried as it is */
		gf__buf j;
		gf__buf_init(&j);
		gf__ev_builder_json(b, &j);
		if (j.oom) {
			gf__free(ref);
			rc = gf__err_set(&eng->err, GF_ENOMEM, NULL,
					 "out of memory");
		} else {
			rc = gf__reject(eng, j.p, j.len, ref, rc);
		}
		gf__buf_free(&j);
	} else {
		gf__free(ref);
		rc = gf__accept(eng, &ev, 0);
	}
	rc = gf__end(eng, rc, 0);
	if (out && rc != GF_ENOMEM && rc != GF_EIO && !eng->failed)
		*out = &eng->res;
	return rc;
}

/* ---- actions ------------------------------------------------------------ */

static void gf__action_notices(gf_engine *eng, const gf_order *o,
			       const gf__plan *p)
{
	switch (p->op) {
	case GF_OP_DISPATCH:
		gf__notify(eng, GF_NOTICE_DISPATCHED, o->id, o->lead,
			   "order %s dispatched to %s by %s", o->id, o->lead,
			   p->actor);
		break;
	case GF_OP_RETURN:
		gf__notify(eng, GF_NOTICE_RETURNED, o->id, p->actor,
			   "order %s returned by %s: %s", o->id, p->actor,
			   p->reason ? p->reason : "");
		break;
	case GF_OP_REJECT_VERIFICATION:
	case GF_OP_CALLBACK:
		if (o->state == GF_STATE_REOPENED)
			gf__notify(eng, GF_NOTICE_REOPENED, o->id, o->lead,
				   "order %s reopened (%s)", o->id,
				   p->op == GF_OP_CALLBACK
					   ? "unsatisfied callback"
					   : "verification failed");
		else
			gf__notify(eng, GF_NOTICE_CLOSED, o->id, o->lead,
				   "order %s closed: %s", o->id,
				   gf_satisfaction_name(o->satisfaction));
		break;
	case GF_OP_CANCEL:
		gf__notify(eng, GF_NOTICE_CANCELLED, o->id, o->lead,
			   "order %s cancelled: %s", o->id,
			   p->reason ? p->reason : "");
		break;
	case GF_OP_MERGE: {
		gf__notify(eng, GF_NOTICE_MERGED, o->id, NULL,
			   "order %s merged into %s", o->id, p->into);
		/* the merge made the absorbing order a crowd, or a larger
		 * one: told as a link's crowd is, with the entry's reason */
		const gf_order *into = p->scale ? gf__find(eng, p->into)
						: NULL;
		const gf_audit *last = into && into->naudit
					       ? &into->audit[into->naudit - 1]
					       : NULL;
		if (last && strcmp(last->what, "crowd") == 0)
			gf__notify(eng, GF_NOTICE_CROWD, into->id, into->lead,
				   "order %s: %s", into->id, last->reason);
		break;
	}
	default:
		break;
	}
}

/* Apply a decided (or replayed) plan to the order named in the record. */
static int gf__apply_plan(gf_engine *eng, gf_order *o, const gf__plan *p,
			  gf_order **created)
{
	gf_order *into = NULL;
	if (p->op == GF_OP_MERGE) {
		into = gf__find(eng, p->into);
		if (!into)
			return GF_ECORRUPT;
	}
	gf_state before = o->state;
	*created = NULL;
	int rc = gf__order_apply(o, &eng->pool, p, eng->sla, into, created);
	if (rc)
		return rc;
	eng->state_counts[before]--;
	eng->state_counts[o->state]++;
	if (*created)
		gf__index_order(eng, *created); /* reserved by the caller */
	return GF_OK;
}

/*
 * Idempotency keys of actions. A key once answered gets the same answer
 * again, applied or refused, across restarts: the answer is stored with
 * the record. The key's copy and the index room are made before the
 * record is stored, so linking after it cannot fail.
 */
static void gf__akey_free(gf__akey *k)
{
	if (!k)
		return;
	gf__free(k->id);
	gf__free(k->field);
	gf__free(k->msg);
	gf__free(k);
}

static int gf__key_prepare(gf_engine *eng, const char *id, int code,
			   const char *field, const char *msg,
			   gf__akey **out)
{
	*out = NULL;
	if (!id)
		return GF_OK;
	gf__akey *k = gf__calloc(1, sizeof(*k));
	if (k) {
		k->code = code;
		k->id = gf__strdup(id);
		k->field = gf__strdup(field ? field : "");
		k->msg = gf__strdup(msg ? msg : "");
	}
	if (!k || !k->id || !k->field || !k->msg ||
	    gf__vec_reserve(&eng->action_keys, 1) ||
	    gf__map_reserve(&eng->action_ids, 1)) {
		gf__akey_free(k);
		return gf__err_set(&eng->err, GF_ENOMEM, NULL, "out of memory");
	}
	*out = k;
	return GF_OK;
}

static void gf__key_link(gf_engine *eng, gf__akey *k)
{
	if (!k)
		return;
	gf__vec_push(&eng->action_keys, k);
	gf__map_put(&eng->action_ids, k->id, strlen(k->id), k);
}

static int gf__refuse(gf_engine *eng, int code)
{
	eng->res.outcome = GF_OUTCOME_REFUSED;
	gf__result_error(&eng->res, &eng->err);
	return code;
}

/* Refuse an action; one with a key has its refusal stored, so that the
 * key keeps its answer when the same input is fed again. */
static int gf__refuse_action(gf_engine *eng, const gf_action *a,
			     const gf_order *o, int code)
{
	gf__refuse(eng, code);
	if (!a->id)
		return code;
	gf__err why = eng->err;
	gf__rec_refusal r = { a->id, o ? o->id : NULL, a->op, gf__now(eng),
			      code, why.field, why.msg };
	gf__buf_reset(&eng->rec);
	gf__rec_refusal_encode(&r, &eng->rec);
	gf__akey *k;
	int rc = gf__key_prepare(eng, a->id, code, why.field, why.msg, &k);
	if (!rc)
		rc = gf__record(eng, GF__REC_REFUSAL);
	if (rc) {
		gf__akey_free(k);
		return rc;
	}
	gf__key_link(eng, k);
	eng->err = why;
	return code;
}

static int gf__do_action(gf_engine *eng, const gf_action *a)
{
	gf_result *res = &eng->res;
	res->outcome = GF_OUTCOME_REFUSED;
	res->op = a->op;
	gf__result_ref(res, a->ref);
	/* the clock moves first: steps due by the action's time come before
	 * it, and the result shows the order as the action found it */
	if (a->has_time)
		gf__advance(eng, a->time);
	int frc = gf__fire_due(eng, NULL);
	if (frc)
		return frc;
	gf_order *o = gf__find(eng, a->ref);
	if (o)
		gf__result_order(res, o);
	gf__akey *seen = a->id ? gf__map_get(&eng->action_ids, a->id,
					     strlen(a->id))
			       : NULL;
	if (seen && seen->code == GF_OK) {
		res->outcome = GF_OUTCOME_IDEMPOTENT;
		return GF_OK;
	}
	if (seen) {
		gf__err_set(&eng->err, seen->code, seen->field, "%s",
			    seen->msg);
		return gf__refuse(eng, seen->code);
	}
	if (!a->ref || !*a->ref)
		return gf__refuse_action(eng, a, NULL,
					 gf__err_set(&eng->err, GF_EMISSING,
						     "$.ref",
						     "an action names its "
						     "order"));
	if (!o)
		return gf__refuse_action(eng, a, NULL,
					 gf__err_set(&eng->err, GF_ENOTFOUND,
						     "$.ref",
						     "no order \"%s\"",
						     a->ref));

	gf__act view;
	gf__action_view(a, &view);
	gf__plan_ctx ctx = { eng->dir, eng->cfg->fallback, gf__find_cb, eng,
			     gf__reroute_cb,
			     gf__rules_return_limit(eng->cfg->rules),
			     gf__rules_return_window(eng->cfg->rules),
			     eng->cfg->dedup ? eng->cfg->dedup->crowd_group : 0,
			     eng->cfg->dedup ? eng->cfg->dedup->crowd_major
					     : 0 };
	gf__plan plan;
	int rc = gf__order_plan(o, &view, gf__now(eng), &ctx, &plan,
				&eng->err);
	if (rc)
		return gf__refuse_action(eng, a, o, rc);
	char new_id[GF__ORDER_ID_MAX];
	if (plan.op == GF_OP_SPLIT) {
		gf_report *r = gf__map_get(&eng->report_by_ref, plan.report,
					   strlen(plan.report));
		if (gf__next_id(eng, plan.at, r->ev.offset_min, new_id))
			return gf__err_set(&eng->err, GF_ENOMEM, NULL,
					   "out of memory");
		plan.new_order = new_id;
	}

	gf__rec_action rec = { plan, o->id, a->id };
	gf__buf_reset(&eng->rec);
	if (eng->store->ops->keeps)
		gf__rec_action_encode(&rec, &eng->rec);
	gf__akey *key;
	if ((rc = gf__key_prepare(eng, a->id, GF_OK, NULL, NULL, &key)))
		return rc;
	char ckey[GF__CALLER_KEY_MAX];
	size_t cklen;
	gf__caller *have, *fresh;
	rc = gf__index_reserve(eng, plan.op == GF_OP_SPLIT ? plan.new_order
							   : NULL, 0);
	if (!rc)
		rc = gf__split_caller_reserve(eng, &plan, ckey, &cklen, &have,
					      &fresh);
	if (!rc)
		rc = gf__record(eng, GF__REC_ACTION);
	if (rc) {
		gf__akey_free(key);
		return rc;
	}
	gf_order *created;
	if (gf__apply_plan(eng, o, &plan, &created)) {
		gf__akey_free(key);
		return gf__poison(eng);
	}
	if (created)
		gf__caller_set(eng, have, fresh, cklen, created);
	gf__key_link(eng, key);
	gf__arm(eng, o);
	gf__arm(eng, created);
	gf__touch(eng, o);
	gf__touch(eng, created);
	if (plan.op == GF_OP_MERGE && plan.into)
		gf__touch(eng, gf__find(eng, plan.into));
	if (plan.op == GF_OP_MERGE || plan.op == GF_OP_SPLIT) {
		/* reports moved: the orders' entries as a rebuild makes
		 * them */
		gf__dup_refresh(eng, o);
		gf__dup_refresh(eng, created);
		if (plan.op == GF_OP_MERGE && plan.into)
			gf__dup_refresh(eng, gf__find(eng, plan.into));
	} else if (eng->dup && gf_state_is_terminal(o->state)) {
		gf__dupindex_drop(eng->dup, o);
	}
	gf__warn_unknown_due(eng, o, plan.at);

	res->outcome = GF_OUTCOME_APPLIED;
	gf__result_order(res, o);
	if (created) {
		snprintf(res->new_order, sizeof(res->new_order), "%s",
			 created->id);
		gf__notify(eng, GF_NOTICE_DISPATCHED, created->id,
			   created->lead,
			   "order %s split from %s, dispatched to %s",
			   created->id, o->id, created->lead);
	}
	gf__action_notices(eng, o, &plan);
	return GF_OK;
}

int gf_engine_apply(gf_engine *eng, const gf_action *a, const gf_result **out)
{
	if (out)
		*out = NULL;
	if (!eng || !a)
		return GF_EINVAL;
	int rc = gf__check_usable(eng);
	if (rc)
		return rc;
	gf__result_reset(eng);
	/* refused as it stands: with its key unreadable, the refusal
	 * cannot be stored under it */
	rc = gf__action_check_text(a, &eng->err);
	rc = rc ? gf__refuse(eng, rc) : gf__do_action(eng, a);
	rc = gf__end(eng, rc, 0);
	if (out && rc != GF_ENOMEM && rc != GF_EIO && !eng->failed)
		*out = &eng->res;
	return rc;
}

static int gf__act_object(gf_engine *eng, json_object *obj,
			  const char *key)
{
	gf_action a;
	int rc = gf__action_from_object(&a, obj, &eng->err);
	if (!rc && !a.id && key && !(a.id = gf__strdup(key)))
		rc = gf__err_set(&eng->err, GF_ENOMEM, NULL, "out of memory");
	if (rc) {
		eng->res.op = a.op;
		gf__result_ref(&eng->res, a.ref);
		gf__action_clear(&a);
		return rc == GF_ENOMEM ? rc : gf__refuse(eng, rc);
	}
	rc = gf__do_action(eng, &a);
	gf__action_clear(&a);
	return rc;
}

/* Parse one line as JSON; NULL when it is not an object. */
static json_object *gf__parse_object(gf_engine *eng, const char *json,
				     size_t len)
{
	if (len > eng->max_bytes || len > INT32_MAX ||
	    !gf__utf8_valid(json, len))
		return NULL;
	json_tokener_reset(eng->tok);
	json_object *obj = json_tokener_parse_ex(eng->tok, json, (int)len);
	if (!obj)
		return NULL;
	size_t used = json_tokener_get_parse_end(eng->tok);
	while (used < len && (json[used] == ' ' || json[used] == '\t' ||
			      json[used] == '\r' || json[used] == '\n'))
		used++;
	if (used != len || !json_object_is_type(obj, json_type_object)) {
		json_object_put(obj);
		return NULL;
	}
	return obj;
}

int gf_engine_apply_json(gf_engine *eng, const char *json, size_t len,
			 const gf_result **out)
{
	if (out)
		*out = NULL;
	if (!eng || (!json && len))
		return GF_EINVAL;
	int rc = gf__check_usable(eng);
	if (rc)
		return rc;
	gf__result_reset(eng);
	json_object *obj = gf__parse_object(eng, json ? json : "", len);
	if (!obj) {
		gf__err_set(&eng->err, GF_EJSON, "$",
			    "an action must be one JSON object of valid "
			    "UTF-8, at most %zu bytes", eng->max_bytes);
		rc = gf__refuse(eng, GF_EJSON);
	} else {
		/* json-c cut any key at an escaped NUL: "ref\u0000x" would
		 * name the order */
		rc = gf__ev_nul_key(&eng->err, json, len)
			     ? gf__refuse(eng, GF_EUTF8)
			     : gf__act_object(eng, obj, NULL);
		json_object_put(obj);
	}
	rc = gf__end(eng, rc, 0);
	if (out && rc != GF_ENOMEM && rc != GF_EIO && !eng->failed)
		*out = &eng->res;
	return rc;
}

int gf_engine_submit_json(gf_engine *eng, const char *json, size_t len,
			  const gf_result **out)
{
	return gf_engine_submit_json_keyed(eng, json, len, NULL, out);
}

int gf_engine_submit_json_keyed(gf_engine *eng, const char *json, size_t len,
				const char *key, const gf_result **out)
{
	if (out)
		*out = NULL;
	if (!eng || (!json && len))
		return GF_EINVAL;
	int rc = gf__check_usable(eng);
	if (rc)
		return rc;
	gf__result_reset(eng);
	if (!json)
		json = "";
	{
		/* most lines are plain events: try the scanner first */
		gf__ev_ctx ctx;
		gf__ev ev;
		char *ref = NULL;
		gf__fill_ev_ctx(eng, &ctx);
		rc = gf__ev_parse_fast(&ev, json, len, &ctx, &ref, &eng->err);
		if (rc == 1) {
			gf__free(ref);
			rc = gf__end(eng, gf__accept(eng, &ev, 0), 0);
			if (out && rc != GF_ENOMEM && rc != GF_EIO &&
			    !eng->failed)
				*out = &eng->res;
			return rc;
		}
		if (rc == GF_ENOMEM)
			return rc;
	}
	json_object *obj = gf__parse_object(eng, json, len);
	if (!obj) {
		/* not an object: an event that the validator rejects with
		 * the precise reason */
		rc = gf__ingest_text(eng, json, len, 0);
	} else if (json_object_object_get_ex(obj, "op", NULL)) {
		rc = gf__ev_nul_key(&eng->err, json, len)
			     ? gf__refuse(eng, GF_EUTF8)
			     : gf__act_object(eng, obj, key);
		json_object_put(obj);
	} else {
		gf__ev_ctx ctx;
		gf__ev ev;
		char *ref = NULL;
		gf__fill_ev_ctx(eng, &ctx);
		rc = gf__ev_nul_key(&eng->err, json, len)
			     ? GF_EUTF8
			     : gf__ev_from_object(&ev, obj, &ctx, &ref,
						  &eng->err);
		json_object_put(obj);
		if (rc) {
			rc = gf__reject(eng, json, len, ref, rc);
		} else {
			gf__free(ref);
			rc = gf__accept(eng, &ev, 0);
		}
	}
	rc = gf__end(eng, rc, 0);
	if (out && rc != GF_ENOMEM && rc != GF_EIO && !eng->failed)
		*out = &eng->res;
	return rc;
}

/* ---- quarantine repair ------------------------------------------------ */

int gf_engine_quarantine_release(gf_engine *eng, uint64_t id,
				 const char *json, size_t len,
				 const gf_result **out)
{
	if (out)
		*out = NULL;
	if (!eng)
		return GF_EINVAL;
	int rc = gf__check_usable(eng);
	if (rc)
		return rc;
	gf__result_reset(eng);
	gf_quarantined *q = gf__quar_get(eng, id);
	if (!q || !q->open)
		return gf__err_set(&eng->err, GF_ENOTFOUND, NULL,
				   "no open quarantine entry %llu",
				   (unsigned long long)id);
	if (!json) {
		json = q->raw;
		len = q->raw_len;
	}
	rc = gf__ingest_text(eng, json, len, id);
	rc = gf__end(eng, rc, 0);
	if (out && rc != GF_ENOMEM && rc != GF_EIO && !eng->failed)
		*out = &eng->res;
	return rc;
}

int gf_engine_quarantine_discard(gf_engine *eng, uint64_t id,
				 const char *reason)
{
	if (!eng)
		return GF_EINVAL;
	int rc = gf__check_usable(eng);
	if (rc)
		return rc;
	gf_quarantined *q = gf__quar_get(eng, id);
	if (!q || !q->open)
		return gf__err_set(&eng->err, GF_ENOTFOUND, NULL,
				   "no open quarantine entry %llu",
				   (unsigned long long)id);
	if (!reason || !*reason)
		return gf__err_set(&eng->err, GF_EMISSING, "reason",
				   "discarding evidence needs a reason");
	gf__rec_discard d = { id, gf__now(eng), reason };
	char *why = gf__strdup(reason);
	if (!why)
		return gf__err_set(&eng->err, GF_ENOMEM, NULL, "out of memory");
	gf__buf_reset(&eng->rec);
	gf__rec_discard_encode(&d, &eng->rec);
	if ((rc = gf__record(eng, GF__REC_QDISCARD))) {
		gf__free(why);
		return gf__end(eng, rc, 0);
	}
	gf__quar_close(eng, id, why, d.at);
	return gf__end(eng, GF_OK, 0);
}

/* ---- replay ------------------------------------------------------------- */

static int gf__replay_event(gf_engine *eng, const uint8_t *p, size_t n,
			    gf__err *err)
{
	gf__rec_scratch sc = { { 0 }, 0, 0 };
	gf__ev ev;
	gf__rec_event r;
	memset(&ev, 0, sizeof(ev));
	r.ev = &ev;
	int rc = gf__rec_event_decode(&r, p, n, &sc);
	if (rc && sc.oom)
		rc = GF_ENOMEM;
	if (rc)
		goto out;
	rc = GF_ECORRUPT;
	if (gf__map_get(&eng->report_by_ref, ev.ref, strlen(ev.ref)))
		goto out;
	char ckey[GF__CALLER_KEY_MAX];
	size_t cklen = gf__dedup_caller_key(eng->cfg->dedup, &ev, ckey);
	gf__caller *have = NULL, *fresh = NULL;
	if (r.outcome == GF_OUTCOME_LINKED) {
		gf_order *to = gf__lookup_id(eng, r.order, strlen(r.order));
		gf_report *rep;
		if (!to)
			goto out;
		if ((rc = gf__index_reserve(eng, NULL, 1)) ||
		    (cklen && (rc = gf__caller_reserve(eng, ckey, cklen,
						       &have, &fresh))) ||
		    (rc = gf__order_link(to, &eng->pool, &ev, r.at,
					 r.why ? r.why : "", &rep)))
			goto out;
		gf__map_put(&eng->report_by_ref, rep->ref, strlen(rep->ref),
			    rep);
		gf__caller_set(eng, have, fresh, cklen, to);
		if (r.scale > (unsigned)to->scale) {
			char why[96];
			gf__crowd_reason(to, (gf_scale)r.scale, why,
					 sizeof(why));
			gf__order_crowd(to, &eng->pool, r.at,
					(gf_scale)r.scale, why);
		}
		if (r.released &&
		    (rc = gf__quar_close(eng, r.released, NULL, r.at)))
			goto out;
		gf__advance(eng, r.at);
		goto out;
	}
	if ((r.outcome != GF_OUTCOME_CREATED &&
	     (r.outcome != GF_OUTCOME_SUSPECTED || !r.candidate)) ||
	    gf__lookup_id(eng, r.order, strlen(r.order)))
		goto out;
	gf_order *o;
	if ((rc = gf__index_reserve(eng, r.order, 1)))
		goto out;
	if (cklen && (rc = gf__caller_reserve(eng, ckey, cklen, &have,
					      &fresh)))
		goto out;
	gf__routing rt = { r.lead, r.level, r.rule, r.sla, r.priority,
			   r.assist, r.nassist, r.version, eng->sla };
	if ((rc = gf__order_create(&o, &eng->pool, r.order, &ev, r.at, &rt,
				   0)))
		goto out;
	gf__index_order(eng, o);
	gf__caller_set(eng, have, fresh, cklen, o);
	if (r.outcome == GF_OUTCOME_SUSPECTED &&
	    (rc = gf__order_suspect(o, &eng->pool, r.at, r.candidate,
				    r.why ? r.why : "")))
		goto out;
	if (r.released && (rc = gf__quar_close(eng, r.released, NULL, r.at)))
		goto out;
	gf__advance(eng, r.at);
out:
	gf__ev_free(&ev);
	gf__rec_scratch_free(&sc);
	if (rc == GF_ECORRUPT)
		gf__err_set(err, rc, NULL, "an event record does not fit the "
				       "state rebuilt so far");
	return rc;
}

static int gf__replay_action(gf_engine *eng, const uint8_t *p, size_t n,
			     gf__err *err)
{
	gf__rec_scratch sc = { { 0 }, 0, 0 };
	gf__rec_action r;
	int rc = gf__rec_action_decode(&r, p, n, &sc);
	if (rc && sc.oom)
		rc = GF_ENOMEM;
	gf_order *o = rc ? NULL : gf__find(eng, r.order);
	if (!rc && !o)
		rc = GF_ECORRUPT;
	gf_order *created;
	gf__akey *key = NULL;
	if (!rc)
		rc = gf__key_prepare(eng, r.id, GF_OK, NULL, NULL, &key);
	if (!rc)
		rc = gf__index_reserve(eng, r.plan.new_order, 0);
	char ckey[GF__CALLER_KEY_MAX];
	size_t cklen = 0;
	gf__caller *have = NULL, *fresh = NULL;
	if (!rc)
		rc = gf__split_caller_reserve(eng, &r.plan, ckey, &cklen,
					      &have, &fresh);
	if (!rc)
		rc = gf__apply_plan(eng, o, &r.plan, &created);
	if (!rc && created)
		gf__caller_set(eng, have, fresh, cklen, created);
	if (!rc)
		gf__key_link(eng, key);
	else
		gf__akey_free(key);
	if (!rc)
		gf__advance(eng, r.plan.at);
	gf__rec_scratch_free(&sc);
	if (rc == GF_ECORRUPT)
		gf__err_set(err, rc, NULL, "an action record does not fit the "
				       "state rebuilt so far");
	return rc;
}

static int gf__replay(void *ud, uint8_t type, const uint8_t *p, size_t n,
		      gf__err *err)
{
	gf_engine *eng = ud;
	gf__rec_scratch sc = { { 0 }, 0, 0 };
	int rc;
	switch (type) {
	case GF__REC_EVENT:
		return gf__replay_event(eng, p, n, err);
	case GF__REC_ACTION:
		return gf__replay_action(eng, p, n, err);
	case GF__REC_QUARANTINE: {
		gf__rec_quar r;
		rc = gf__rec_quar_decode(&r, p, n, &sc);
		if (!rc && r.id != eng->quar_last + 1)
			rc = GF_ECORRUPT;
		gf_quarantined *q = NULL;
		if (!rc && (rc = gf__quar_reserve(eng)) == GF_OK &&
		    !(q = gf__quar_build(&r)))
			rc = GF_ENOMEM;
		if (!rc) {
			gf__quar_link(eng, q);
			gf__advance(eng, r.at);
		}
		break;
	}
	case GF__REC_REFUSAL: {
		gf__rec_refusal r;
		gf__akey *k = NULL;
		rc = gf__rec_refusal_decode(&r, p, n, &sc);
		if (!rc && gf__map_get(&eng->action_ids, r.id, strlen(r.id)))
			rc = GF_ECORRUPT;
		if (!rc)
			rc = gf__key_prepare(eng, r.id, r.code, r.field, r.msg,
					     &k);
		if (!rc) {
			gf__key_link(eng, k);
			gf__advance(eng, r.at);
		}
		break;
	}
	case GF__REC_STEP: {
		gf__rec_step r;
		rc = gf__rec_step_decode(&r, p, n, &sc);
		gf_order *o = rc ? NULL : gf__find(eng, r.order);
		if (!rc && (!o || r.clock >= o->nclocks ||
			    !gf__clock_step_fits(o, r.clock, r.step, r.at)))
			rc = GF_ECORRUPT;
		if (!rc) {
			gf_state before = o->state;
			rc = gf__order_step(o, &eng->pool, r.clock, r.step,
					    r.at, r.reason, r.lead, r.level,
					    r.copy);
			if (!rc) {
				eng->state_counts[before]--;
				eng->state_counts[o->state]++;
				gf__advance(eng, r.at);
			}
		}
		break;
	}
	case GF__REC_CLOCK: {
		gf_time at;
		rc = gf__rec_clock_decode(&at, p, n);
		if (!rc)
			gf__advance(eng, at);
		break;
	}
	case GF__REC_SLA: {
		gf__rec_sla r;
		rc = gf__rec_sla_decode(&r, p, n);
		if (!rc)
			rc = gf__sla_adopt(eng, r.text, r.len);
		break;
	}
	case GF__REC_QDISCARD: {
		gf__rec_discard r;
		rc = gf__rec_discard_decode(&r, p, n, &sc);
		char *why = rc ? NULL : gf__strdup(r.reason);
		if (!rc && !why)
			rc = GF_ENOMEM;
		if (!rc)
			rc = gf__quar_close(eng, r.id, why, r.at);
		if (!rc)
			gf__advance(eng, r.at);
		break;
	}
	default:
		rc = GF_ECORRUPT;
	}
	if (rc == GF_ECORRUPT && sc.oom)
		rc = GF_ENOMEM; /* a decoder's copy failed, not the record */
	gf__rec_scratch_free(&sc);
	if (rc == GF_ECORRUPT)
		gf__err_set(err, rc, NULL, "record of type %u is damaged or "
				       "does not fit the state", type);
	return rc;
}

/* ---- life --------------------------------------------------------------- */

int gf_options_init(gf_options *opts, unsigned version)
{
	if (!opts)
		return GF_EINVAL;
	gf_options init = GF_OPTIONS_INIT;
	if (version == 1) {
		/* a version-1 caller's struct is the first part of ours */
		init.version = 1;
		memcpy(opts, &init, sizeof(gf_options_v1));
		return GF_OK;
	}
	if (version != GF_OPTIONS_VERSION)
		return GF_EVERSION;
	*opts = init;
	return GF_OK;
}

static int gf__open_fail(gf_engine *eng, int rc, char *errmsg, size_t size)
{
	if (errmsg && size)
		snprintf(errmsg, size, "%s", gf__err_text(&eng->err));
	gf_engine_close(eng);
	return rc;
}

int gf_engine_open(gf_engine **out, const gf_options *opts, char *errmsg,
		   size_t errmsg_size)
{
	if (errmsg && errmsg_size)
		errmsg[0] = '\0';
	if (!out || !opts)
		return GF_EINVAL;
	*out = NULL;
	gf_options v2 = GF_OPTIONS_INIT;
	if (opts->version == 1) {
		memcpy(&v2, opts, sizeof(gf_options_v1));
		v2.version = GF_OPTIONS_VERSION;
		opts = &v2;
	}
	if (opts->version != GF_OPTIONS_VERSION) {
		if (errmsg && errmsg_size)
			snprintf(errmsg, errmsg_size,
				 "options version %u, this library knows %u",
				 opts->version, GF_OPTIONS_VERSION);
		return GF_EVERSION;
	}
	gf_engine *eng = gf__calloc(1, sizeof(*eng));
	if (!eng)
		return GF_ENOMEM;
	gf__vec_init(&eng->orders);
	gf__pool_init(&eng->pool);
	gf__map_init(&eng->days);
	gf__map_init(&eng->order_by_id);
	gf__map_init(&eng->report_by_ref);
	gf__map_init(&eng->callers);
	gf__map_init(&eng->action_ids);
	gf__vec_init(&eng->action_keys);
	gf__vec_init(&eng->quar);
	gf__map_init(&eng->quar_by_digest);
	gf__buf_init(&eng->rec);
	gf__buf_init(&eng->scan);
	gf__buf_init(&eng->explain_buf);
	gf__vec_init(&eng->old_cfgs);
	gf__vec_init(&eng->sla_sets);
	gf__buf_init(&eng->res.ref);

	if (!opts->config || !opts->config->compiled ||
	    opts->config->result != GF_OK) {
		gf__err_set(&eng->err, GF_ECONFIG, "config",
			    "a compiled configuration without problems is "
			    "required");
		return gf__open_fail(eng, GF_ECONFIG, errmsg, errmsg_size);
	}
	eng->cfg = gf__config_ref(opts->config);
	eng->dir = &eng->cfg->dir;
	eng->clock = opts->clock;
	if (opts->clock != GF_CLOCK_WALL && opts->clock != GF_CLOCK_EVENT) {
		gf__err_set(&eng->err, GF_EINVAL, "clock", "unknown clock");
		return gf__open_fail(eng, GF_EINVAL, errmsg, errmsg_size);
	}
	eng->max_bytes = opts->max_event_bytes ? opts->max_event_bytes
					       : 65536;
	const char *prefix = opts->order_prefix ? opts->order_prefix : "WO";
	size_t plen = strlen(prefix);
	int prefix_ok = plen >= 1 && plen < sizeof(eng->prefix);
	for (size_t i = 0; prefix_ok && i < plen; i++)
		prefix_ok = (prefix[i] >= 'A' && prefix[i] <= 'Z') ||
			    (prefix[i] >= 'a' && prefix[i] <= 'z') ||
			    (prefix[i] >= '0' && prefix[i] <= '9');
	if (!prefix_ok) {
		gf__err_set(&eng->err, GF_EINVAL, "order_prefix",
			    "1 to 8 ASCII letters or digits");
		return gf__open_fail(eng, GF_EINVAL, errmsg, errmsg_size);
	}
	memcpy(eng->prefix, prefix, plen + 1);
	eng->prefix_len = plen;
	if (opts->reporter_key && opts->reporter_key_len) {
		gf__hmac_init(&eng->key, opts->reporter_key,
			      opts->reporter_key_len);
		eng->has_key = 1;
	}
	eng->keep_phone = opts->keep_phone;
	eng->notice = opts->notice;
	eng->notice_data = opts->notice_data;
	eng->tok = gf__ev_tokener_new();
	if (!eng->tok) {
		gf__err_set(&eng->err, GF_ENOMEM, NULL, "out of memory");
		return gf__open_fail(eng, GF_ENOMEM, errmsg, errmsg_size);
	}

	if (gf__timers_new(&eng->timers, 0)) {
		gf__err_set(&eng->err, GF_ENOMEM, NULL, "out of memory");
		return gf__open_fail(eng, GF_ENOMEM, errmsg, errmsg_size);
	}
	gf__store_opts so = { opts->sync, opts->sync_interval_ms, gf__replay,
			      eng, opts->partition, opts->batch_max,
			      opts->batch_delay_ms, opts->lease_ms,
			      opts->retry_ms, opts->read_only };
	eng->read_only = opts->read_only != 0;
	eng->sync = opts->sync;
	eng->durable_cb = opts->durable;
	eng->durable_data = opts->durable_data;
	gf__vec_init(&eng->touched);
	gf__vec_init(&eng->qtouched);
	gf__store_info info = { 0, 0, 0 };
	eng->replaying = 1;
	int rc = gf__store_open(&eng->store, opts->store ? opts->store
							 : "memory",
				&so, &info, &eng->err);
	eng->replaying = 0;
	if (rc)
		return gf__open_fail(eng, rc, errmsg, errmsg_size);
	/* the store synced what it replayed (journal_setup) */
	eng->ticket = eng->durable = eng->synced = info.records;
	eng->clock_kept = eng->now;
	if (eng->store->ops->commit && !eng->read_only) {
		/* the tables hold every order as replayed */
		gf__pg_mark_saved((gf_order *const *)eng->orders.v,
				  eng->orders.len);
		eng->txn = 1;
	}
	if (eng->clock == GF_CLOCK_WALL)
		eng->now = gf__wall_now();
	/* clocks run on from the store: each running one gets its timer; a
	 * step that fell due while the process was down fires at the first
	 * call that runs timers */
	gf__sla_use_config(eng);
	for (size_t i = 0; i < eng->orders.len; i++)
		gf__arm(eng, eng->orders.v[i]);
	if (gf__dup_rebuild(eng)) {
		gf__err_set(&eng->err, GF_ENOMEM, NULL, "out of memory");
		return gf__open_fail(eng, GF_ENOMEM, errmsg, errmsg_size);
	}
	if (eng->rearm) {
		gf__err_set(&eng->err, GF_ENOMEM, NULL,
			    "out of memory for SLA timers");
		return gf__open_fail(eng, GF_ENOMEM, errmsg, errmsg_size);
	}
	if (info.torn_bytes)
		gf__notify(eng, GF_NOTICE_WARNING, NULL, NULL,
			   "journal: cut %llu bytes of a torn last record at "
			   "offset %llu (a crash mid-write; that change was "
			   "never acknowledged)",
			   (unsigned long long)info.torn_bytes,
			   (unsigned long long)info.torn_offset);
	if (!eng->has_key)
		gf__notify(eng, GF_NOTICE_WARNING, NULL, NULL,
			   "no reporter key: phone numbers are dropped, and "
			   "repeat callers cannot be recognised");
	/* with an outbox, the open's warnings are stored before they go out */
	if (eng->txn && eng->nnq && (rc = gf__end(eng, GF_OK, 1)) != GF_OK)
		return gf__open_fail(eng, rc, errmsg, errmsg_size);
	*out = eng;
	return GF_OK;
}

/*
 * The event clock where a replay would leave it is the time of the last
 * record of an input; an input that stored nothing (gf_engine_set_time
 * without a step, an action refused without a key) moved it further. A
 * flush or close keeps that in a clock record, so that a reopened engine
 * does not go back in time and give the same late input other times
 * than it would have without the restart.
 */
static int gf__keep_clock(gf_engine *eng)
{
	if (eng->clock != GF_CLOCK_EVENT || !eng->store->ops->keeps ||
	    eng->now <= eng->clock_kept)
		return GF_OK;
	gf__buf_reset(&eng->rec);
	gf__rec_clock_encode(eng->now, &eng->rec);
	return gf__record(eng, GF__REC_CLOCK);
}

int gf_engine_close(gf_engine *eng)
{
	if (!eng)
		return GF_OK;
	int rc = GF_OK;
	if (eng->store) {
		/* the last records go out, and the host hears of them while
		 * there is an engine to say so (GF_SYNC_INTERVAL, NEVER);
		 * a failed batch of a transactional store is gone already */
		if (!(eng->txn && eng->failed))
			rc = gf_engine_flush(eng);
		eng->store->ops->close(eng->store);
	}
	gf__nq_free(eng);
	gf__free(eng->nq);
	gf__vec_free(&eng->touched);
	gf__vec_free(&eng->qtouched);
	for (size_t i = 0; i < eng->orders.len; i++)
		gf__order_release(eng->orders.v[i]);
	{
		size_t it = 0;
		void *d;
		while (gf__map_next(&eng->days, &it, NULL, NULL, &d))
			gf__free(((gf__day *)d)->by_seq);
	}
	gf__map_free(&eng->days);
	gf__pool_free(&eng->pool);
	gf__vec_free(&eng->orders);
	gf__map_free(&eng->order_by_id);
	gf__map_free(&eng->report_by_ref);
	gf__map_free(&eng->callers);
	gf__map_free(&eng->action_ids);
	for (size_t i = 0; i < eng->action_keys.len; i++)
		gf__akey_free(eng->action_keys.v[i]);
	gf__vec_free(&eng->action_keys);
	for (size_t i = 0; i < eng->quar.len; i++)
		gf__quar_free(eng->quar.v[i]);
	gf__vec_free(&eng->quar);
	gf__map_free(&eng->quar_by_digest);
	gf__buf_free(&eng->rec);
	gf__buf_free(&eng->scan);
	gf__buf_free(&eng->explain_buf);
	gf__route_scratch_free(&eng->route_scratch);
	for (size_t i = 0; i < eng->old_cfgs.len; i++)
		gf_config_free(eng->old_cfgs.v[i]);
	gf__vec_free(&eng->old_cfgs);
	for (size_t i = 0; i < eng->sla_sets.len; i++)
		gf__sla_free(eng->sla_sets.v[i]);
	gf__vec_free(&eng->sla_sets);
	gf__timers_free(eng->timers);
	gf__free(eng->fired);
	gf__dupindex_free(eng->dup);
	gf__buf_free(&eng->res.ref);
	if (eng->tok)
		json_tokener_free(eng->tok);
	gf_config_free(eng->cfg);
	gf__free(eng);
	return rc;
}

int gf_engine_reload(gf_engine *eng, gf_config *cfg)
{
	if (!eng || !cfg)
		return GF_EINVAL;
	gf__err_clear(&eng->err);
	if (eng->failed)
		return gf__err_set(&eng->err, GF_EIO, NULL,
				   "the engine failed earlier; reopen it");
	if (!cfg->compiled || cfg->result != GF_OK)
		return gf__err_set(&eng->err, GF_ECONFIG, "config",
				   "a compiled configuration without problems "
				   "is required; the engine keeps rule set "
				   "\"%s\"", eng->cfg->rules_version);
	/* orders point at strings of the configurations that routed them:
	 * the old ones stay alive as long as the engine */
	if (gf__vec_push(&eng->old_cfgs, eng->cfg))
		return gf__err_set(&eng->err, GF_ENOMEM, NULL, "out of memory");
	eng->cfg = gf__config_ref(cfg);
	eng->dir = &eng->cfg->dir;
	gf__sla_use_config(eng);
	if (gf__dup_rebuild(eng))
		gf__notify(eng, GF_NOTICE_WARNING, NULL, NULL,
			   "out of memory rebuilding the duplicate index: "
			   "near duplicates are not matched until the next "
			   "reload");
	gf__notify(eng, GF_NOTICE_WARNING, NULL, NULL,
		   "rule set \"%s\" loaded; orders keep the routing they had",
		   cfg->rules_version);
	return gf__end(eng, GF_OK, 0);
}

int gf_engine_set_explain(gf_engine *eng, int on)
{
	if (!eng)
		return GF_EINVAL;
	eng->explain = on != 0;
	return GF_OK;
}

int gf_engine_flush(gf_engine *eng)
{
	if (!eng)
		return GF_EINVAL;
	if (eng->read_only)
		return GF_OK;
	if (eng->txn) {
		int rc = gf__check_usable(eng);
		if (!rc)
			rc = gf__keep_clock(eng);
		return rc ? rc : gf__end(eng, GF_OK, 1);
	}
	gf__err_clear(&eng->err);
	int rc = gf__keep_clock(eng);
	if (!rc)
		rc = eng->store->ops->flush(eng->store, &eng->err);
	return rc ? rc : gf__end(eng, GF_OK, 1);
}

const char *gf_engine_errmsg(const gf_engine *eng)
{
	if (!eng)
		return "no engine";
	return gf__err_text((gf__err *)&eng->err);
}

gf_time gf_engine_now(const gf_engine *eng)
{
	return eng->clock == GF_CLOCK_WALL ? gf__wall_now() : eng->now;
}

int gf_engine_set_time(gf_engine *eng, gf_time t)
{
	if (!eng || eng->clock != GF_CLOCK_EVENT)
		return GF_EINVAL;
	int rc = gf__check_usable(eng);
	if (rc)
		return rc;
	gf__advance(eng, t);
	return gf__end(eng, gf__fire_due(eng, NULL), 0);
}

size_t gf_engine_order_count(const gf_engine *eng)
{
	return eng->orders.len;
}

const gf_order *gf_engine_order_at(const gf_engine *eng, size_t i)
{
	return i < eng->orders.len ? eng->orders.v[i] : NULL;
}

const gf_order *gf_engine_order_find(const gf_engine *eng, const char *ref)
{
	return gf__find(eng, ref);
}

void gf_engine_state_counts(const gf_engine *eng,
			    size_t counts[GF_STATE_COUNT])
{
	memcpy(counts, eng->state_counts, sizeof(eng->state_counts));
}
