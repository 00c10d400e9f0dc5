/*
 * engine_int.h - the engine's private state (engine.c only; split out so
 * the struct is readable apart from the pipeline).
 */
#ifndef GF_ENGINE_INT_H
#define GF_ENGINE_INT_H

#include "internal.h"
#include "order.h"
#include "sha256.h"
#include "store.h"
#include "rules.h"
#include "sla.h"
#include "timer.h"

struct json_tokener;

/* A fired timer awaiting its step: deadline, then cookie, decide the
 * order steps are taken in. */
typedef struct gf__fired {
	gf_time at;
	uint64_t cookie;        /* order index << 8 | clock index */
} gf__fired;

struct gf_result {
	gf__buf ref;            /* kept across resets: its memory is reused */
	/* everything from here on is zeroed per call */
	gf_outcome outcome;
	int has_ref;
	int has_order;
	char order[GF__ORDER_ID_MAX];
	gf_op op;
	const char *lead;       /* borrowed from the order */
	const char *rule;
	size_t nassist;
	const char *assist[16];
	const char *sla;
	int priority;
	char why[160];          /* why routing sent it to the desk */
	double score;           /* linked: how sure */
	char reasons[320];      /* linked, suspected: why ("" otherwise) */
	const char *explain;    /* the engine's explain buffer, or NULL */
	gf_state state;
	char new_order[GF__ORDER_ID_MAX];
	int error;
	char field[96];
	char message[320];
	uint64_t qid;
	uint64_t ticket;        /* the last record the call stored, or 0 */
};

/* An action's idempotency key and the answer it got. */
typedef struct gf__akey {
	char *id;
	int code;               /* GF_OK: applied; else the refusal */
	char *field;
	char *msg;
} gf__akey;

struct gf_engine {
	gf_config *cfg;
	const gf__dir *dir;
	gf__store *store;
	gf_clock_mode clock;
	gf_time now;
	gf__hmac key;
	int has_key;
	int keep_phone;
	size_t max_bytes;
	char prefix[9];
	size_t prefix_len;
	gf_notice_cb notice;
	void *notice_data;
	int replaying;          /* no notices while rebuilding */
	int failed;             /* memory and store disagree: reopen */
	int read_only;          /* opened to read: no change is allowed */

	gf__pool pool;          /* orders, reports, audit entries */
	gf__vec orders;         /* gf_order*, creation order */
	gf__map order_by_id;    /* ids not of this engine's shape (see
				 * gf__next_id); the others: days */
	gf__map report_by_ref;  /* "channel:source_id" -> gf_report* */
	struct gf__dupindex *dup; /* open orders for near duplicates, or
				   * NULL without dedup.json "near" */
	gf__map callers;        /* repeat-caller key (gf__dedup_caller_key,
				 * in the pool) -> the newest gf_order* */
	size_t state_counts[GF_STATE_COUNT];
	gf__map days;           /* "yyyymmdd" -> struct gf__day (pool) */
	struct gf__day *day;    /* the day of the last id, and its bounds */
	gf_time day_lo, day_hi;
	int day_off;

	gf__map action_ids;     /* key -> gf__akey* */
	gf__vec action_keys;    /* gf__akey*, owned */

	gf__vec quar;           /* gf_quarantined*, by id - 1, owned */
	gf__map quar_by_digest;
	size_t quar_open;
	uint64_t quar_last;

	gf__buf rec;            /* record being encoded */
	gf__buf scan;           /* the event scanner's strings */
	gf__route_scratch route_scratch;
	int explain;            /* results carry routing explanations */
	gf__buf explain_buf;
	gf__vec old_cfgs;       /* configurations replaced by reloads */
	struct json_tokener *tok;

	/* SLA: the policy set in force (the configuration's, or one rebuilt
	 * from a snapshot in the store), the sets rebuilt (owned), and
	 * whether the store still needs the current set's snapshot */
	const gf__sla *sla;
	gf__vec sla_sets;
	int sla_unsaved;
	int sla_saved_any;      /* the store holds some snapshot */
	uint8_t sla_saved[32];  /* the digest of its latest (zeros: none) */
	gf__timers *timers;
	gf__fired *fired;
	size_t nfired, cfired;
	int firing;             /* inside gf__fire_due */
	int rearm;              /* a timer could not be started: re-arm
				 * every clock before firing */
	/* transactional stores (pg): what the pending batch changed, and
	 * the notices held until it commits (each with its strings in one
	 * allocation); notices [nq_sent, nnq) are not yet in the batch */
	int txn;
	gf__vec touched;        /* gf_order*, since the last commit() */
	gf__vec qtouched;       /* gf_quarantined*, since the last commit() */
	gf_notice *nq;
	size_t nnq, cnq, nq_sent;
	uint64_t ticket;        /* records in the store */
	uint64_t durable;       /* of which known durable */
	gf_time clock_kept;     /* the event clock a replay reaches */
	uint64_t synced;        /* of which the store said were synced, as
				 * the call appended them (ops->synced) */
	gf_sync_policy sync;
	gf_durable_cb durable_cb;
	void *durable_data;
	gf_result res;
	gf__err err;
};

/* engine.c, for ladder.c */
int gf__append(gf_engine *eng, uint8_t type, const void *p, size_t n);
void gf__emit(gf_engine *eng, const gf_notice *n);
void gf__touch(gf_engine *eng, gf_order *o);
void gf__quar_touch(gf_engine *eng, gf_quarantined *q);
int gf__end(gf_engine *eng, int rc, int force);
void gf__nq_free(gf_engine *eng);
int gf__record(gf_engine *eng, uint8_t type);
int gf__poison(gf_engine *eng);
int gf__check_usable(gf_engine *eng);
gf_time gf__now(gf_engine *eng);
void gf__notify(gf_engine *eng, gf_notice_kind kind, const char *order,
		const char *dept, const char *fmt, ...) GF__PRINTF(5, 6);

/* engine.c, for link.c */
int gf__index_reserve(gf_engine *eng, const char *id, size_t nrefs);
void gf__result_order(gf_result *r, const gf_order *o);
int gf__quar_close(gf_engine *eng, uint64_t id, char *reason, gf_time at);

/* link.c: reports joined to open orders, and the duplicate index */
struct gf__dd_item;
void gf__crowd_reason(const gf_order *o, gf_scale to, char *buf,
		      size_t size);
int gf__link_to(gf_engine *eng, gf_order *prev, gf__ev *ev,
		const struct gf__dd_item *item, gf_time now,
		uint64_t released, double score, const char *reasons);
int gf__link_repeat(gf_engine *eng, gf_order *prev, gf__ev *ev,
		    gf_time now, uint64_t released);
/* Enter o into the duplicate index with item (eng->dup set). */
int gf__dup_add(gf_engine *eng, gf_order *o, const struct gf__dd_item *it);
void gf__dup_refresh(gf_engine *eng, gf_order *o);
int gf__dup_rebuild(gf_engine *eng);

/* ladder.c: the SLA policy set in force, timers and ladder steps */
int gf__record_sla(gf_engine *eng);   /* its snapshot, to the store */
int gf__sla_adopt(gf_engine *eng, const char *text, size_t len);
void gf__sla_use_config(gf_engine *eng);
void gf__arm(gf_engine *eng, gf_order *o);
int gf__fire_due(gf_engine *eng, size_t *count);
void gf__warn_unknown_due(gf_engine *eng, const gf_order *o, gf_time at);

#endif
