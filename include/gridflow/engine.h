/*
 * gridflow/engine.h - the engine: ingest events, apply actions, query.
 *
 * A gf_engine is used by one thread at a time. Scale out with one engine
 * per region partition. Every call that changes the engine writes its
 * effect to the store before it returns: what the engine acknowledged
 * (GF_OK, or a rejected event that went to quarantine) survives a crash
 * of the process; what it did not acknowledge left no trace.
 */
#ifndef GRIDFLOW_ENGINE_H
#define GRIDFLOW_ENGINE_H

#include "common.h"
#include "event.h"
#include "config.h"
#include "order.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct gf_engine gf_engine;

/** Clock modes. */
typedef enum gf_clock_mode {
	GF_CLOCK_WALL = 0,  /**< the system's real-time clock */
	GF_CLOCK_EVENT = 1  /**< set by the host and by event timestamps */
} gf_clock_mode;

/** When the journal is flushed to disk. */
typedef enum gf_sync_policy {
	GF_SYNC_EVERY = 0,    /**< fdatasync after every record (default) */
	GF_SYNC_INTERVAL = 1, /**< at most every sync_interval_ms */
	GF_SYNC_NEVER = 2     /**< leave it to the kernel */
} gf_sync_policy;

/* ---- notices ------------------------------------------------------- */

typedef enum gf_notice_kind {
	GF_NOTICE_DISPATCHED = 1,  /**< an order went to a department */
	GF_NOTICE_RETURNED = 2,    /**< a department returned an order */
	GF_NOTICE_REOPENED = 3,    /**< verification failed or unsatisfied */
	GF_NOTICE_CLOSED = 4,      /**< an order closed */
	GF_NOTICE_CANCELLED = 5,
	GF_NOTICE_MERGED = 6,
	GF_NOTICE_QUARANTINED = 7, /**< an event was rejected and kept */
	GF_NOTICE_WARNING = 8,     /**< something the operator should see */
	GF_NOTICE_ESCALATED = 9,   /**< an SLA ladder escalated an order */
	GF_NOTICE_SLA = 10,        /**< an SLA ladder step: notify, urge,
				    *   supervise */
	GF_NOTICE_LINKED = 11,     /**< a report joined an existing order (a
				    *   repeated call, a duplicate) */
	GF_NOTICE_CROWD = 12       /**< an order's distinct callers reached a
				    *   crowd threshold: its scale and urgency
				    *   rose */
} gf_notice_kind;

typedef struct gf_notice gf_notice;

/** "dispatched", "returned", ... */
GF_EXTERN const char *gf_notice_kind_name(gf_notice_kind k);
/* Accessors; the notice and its strings are valid only during the
 * callback. Order and dept are NULL when they do not apply. */
GF_EXTERN gf_notice_kind gf_notice_kind_of(const gf_notice *n);
GF_EXTERN const char *gf_notice_order(const gf_notice *n);
GF_EXTERN const char *gf_notice_dept(const gf_notice *n);
GF_EXTERN const char *gf_notice_message(const gf_notice *n);
GF_EXTERN gf_time gf_notice_time(const gf_notice *n);
/** For "sla" and "escalated": the clock ("resolve"), the step ("notify",
 * "urge", "supervise", "escalate") and the clock's due time; NULL and
 * GF_TIME_NONE otherwise. */
GF_EXTERN const char *gf_notice_clock(const gf_notice *n);
GF_EXTERN const char *gf_notice_step(const gf_notice *n);
GF_EXTERN gf_time gf_notice_due(const gf_notice *n);

/**
 * Called after a change is stored, once per notice. It must not call
 * back into the engine that raised it. Reporter phone numbers never
 * appear in notices.
 */
typedef void (*gf_notice_cb)(void *data, const gf_notice *n);

/**
 * Called when changes become durable: every change whose ticket (see
 * gf_result_ticket()) is at most `ticket` is now on stable storage. Under
 * group commit (gf_options.batch_max > 1) this is the acknowledgement a
 * host forwards upstream. With the journal it follows the syncs: before
 * each call returns under GF_SYNC_EVERY; under GF_SYNC_INTERVAL at the
 * end of a call whose appends synced; and, under every policy, at
 * gf_engine_flush() and at gf_engine_close() (before it returns). It must
 * not call back into the engine.
 */
typedef void (*gf_durable_cb)(void *data, uint64_t ticket);

/* ---- options ------------------------------------------------------- */

#define GF_OPTIONS_VERSION 2

/**
 * Options for gf_engine_open(). Initialise with GF_OPTIONS_INIT (or
 * gf_options_init()) and set what you need; fields are only ever added
 * at the end, under a new GF_OPTIONS_VERSION.
 */
typedef struct gf_options {
	unsigned version;        /**< GF_OPTIONS_VERSION */
	/** The compiled configuration; the engine takes a reference. */
	gf_config *config;
	/** "memory" (default when NULL), "journal:PATH" or "pg:CONNINFO"
	 * (a libpq connection string or URI). */
	const char *store;
	gf_sync_policy sync;
	unsigned sync_interval_ms;  /**< for GF_SYNC_INTERVAL; 0 means 100 */
	gf_clock_mode clock;
	/** Key for the reporter-phone HMAC (SHA-256). Without a key, phone
	 * numbers are dropped and a warning notice says so at open. */
	const unsigned char *reporter_key;
	size_t reporter_key_len;
	/** Non-zero keeps the raw phone number as well. PII: think twice. */
	int keep_phone;
	gf_notice_cb notice;
	void *notice_data;
	/** Largest event accepted, in bytes of JSON; 0 means 65536. */
	size_t max_event_bytes;
	/** Order-id prefix, up to 8 ASCII letters or digits; NULL means
	 * "WO". Engines sharing one database use distinct prefixes. */
	const char *order_prefix;

	/* ---- version 2: shared PostgreSQL stores ---- */

	/** The region partition this engine owns in the database: 1 to 32
	 * ASCII letters, digits, '-' or '_', such as a district's code
	 * ("320508"). NULL means "default". The engine holds it by a lease
	 * (GF_EBUSY while another live engine holds it). Ignored by the
	 * memory and journal stores. */
	const char *partition;
	/** Group commit (pg): changes per transaction. 0 or 1 commits
	 * before every call returns; above 1, calls return their decision
	 * at once and gf_options.durable reports when they are stored. */
	unsigned batch_max;
	/** Group commit: a change waits at most this long (ms) for its
	 * batch; 0 means 10. Each call checks it, and under the wall clock
	 * gf_engine_next_deadline() includes it, so a host on an event loop
	 * commits through gf_engine_run_timers(); gf_engine_flush() commits
	 * at once. */
	unsigned batch_delay_ms;
	/** The partition lease (pg), renewed once half of it has gone by a
	 * commit, a flush or any call; 0 means 30000 ms. Under the wall
	 * clock gf_engine_next_deadline() includes the renewal, so a host
	 * running gf_engine_run_timers() keeps it; otherwise an idle host
	 * calls gf_engine_flush() well within it. Another engine may take
	 * the partition over once it lapses. */
	unsigned lease_ms;
	/** How long (ms) a lost connection is retried, with backoff, before
	 * calls fail with GF_EIO; 0 means 30000. A server silent for a
	 * quarter of it counts as a lost connection. */
	unsigned retry_ms;
	gf_durable_cb durable;
	void *durable_data;
	/** Non-zero opens to read: the store is replayed into memory and
	 * every call that would change it fails with GF_EPERM. Nothing is
	 * written and nothing is locked, so an auditor's dump can run beside
	 * the live engine; the state is the store's as of the open. With
	 * PostgreSQL no lease is taken (not even the schema is touched);
	 * a journal is opened for reading, must exist, and a record being
	 * written as the open reads ends the replay without being cut. */
	int read_only;
} gf_options;

#define GF_OPTIONS_INIT \
	{ GF_OPTIONS_VERSION, NULL, NULL, GF_SYNC_EVERY, 0, GF_CLOCK_WALL, \
	  NULL, 0, 0, NULL, NULL, 0, NULL, NULL, 0, 0, 0, 0, NULL, NULL, 0 }

/** The layout of version 1 (before the PostgreSQL fields), still
 * accepted by gf_engine_open() and gf_options_init(). */
typedef struct gf_options_v1 {
	unsigned version;
	gf_config *config;
	const char *store;
	gf_sync_policy sync;
	unsigned sync_interval_ms;
	gf_clock_mode clock;
	const unsigned char *reporter_key;
	size_t reporter_key_len;
	int keep_phone;
	gf_notice_cb notice;
	void *notice_data;
	size_t max_event_bytes;
	const char *order_prefix;
} gf_options_v1;

/** Fill opts with the defaults of the given version; GF_EVERSION if this
 * library does not know that version. */
GF_EXTERN int gf_options_init(gf_options *opts, unsigned version);

/* ---- engine life --------------------------------------------------- */

/**
 * Open an engine. With a journal store the journal is replayed first, so
 * the engine resumes with every order as it was; a torn last record (a
 * crash mid-write) is cut off with a warning notice, and a damaged record
 * anywhere else fails with GF_ECORRUPT and its offset in the message.
 *
 * @param[out] out   the engine, freed with gf_engine_close()
 * @param[out] errmsg if not NULL and the open fails, a static-size
 *                   message is copied here (up to errmsg_size bytes)
 * @return GF_OK, GF_EINVAL/GF_EVERSION (options), GF_ECONFIG (the
 *         configuration has problems), GF_EIO, GF_EBUSY, GF_ECORRUPT.
 */
GF_EXTERN int gf_engine_open(gf_engine **out, const gf_options *opts,
			     char *errmsg, size_t errmsg_size);

/** Flush and close; NULL is harmless. Returns the flush's result. After
 * a successful flush the durable callback hears of the last changes
 * before the engine is freed. */
GF_EXTERN int gf_engine_close(gf_engine *eng);

/**
 * Route from now on by cfg's rule set (and directory), a new version;
 * orders keep the routing they had, and their audit trails say which rule
 * and version routed them. A configuration with problems is refused with
 * GF_ECONFIG and the engine keeps the rule set it had. The engine takes
 * a reference to cfg and keeps the old configuration until it closes.
 */
GF_EXTERN int gf_engine_reload(gf_engine *eng, gf_config *cfg);

/** Make results of new orders carry their routing explanation (off by
 * default: the fast path builds no strings). */
GF_EXTERN int gf_engine_set_explain(gf_engine *eng, int on);

/**
 * Make every change so far durable now, whatever the sync policy or
 * batch (and renew a PostgreSQL lease). GF_OK, GF_EIO (the store stayed
 * unreachable: the changes after gf_engine_durable_ticket() are lost,
 * and the engine must be reopened) or GF_EBUSY (another engine took the
 * partition over).
 */
GF_EXTERN int gf_engine_flush(gf_engine *eng);

/** The highest ticket known durable. After an open, every change the
 * store replayed (it is synced before the open returns). */
GF_EXTERN uint64_t gf_engine_durable_ticket(const gf_engine *eng);

/**
 * Create or upgrade the PostgreSQL schema named by spec ("pg:CONNINFO")
 * to this library's version; gf_engine_open() does the same. GF_OK,
 * GF_EINVAL (not a pg: spec), GF_EIO (cannot connect, or a statement
 * failed), GF_EVERSION (the database was made by a newer library), and
 * GF_ENOTSUP without PostgreSQL support. *version (may be NULL) receives
 * the schema version now in the database.
 */
GF_EXTERN int gf_store_migrate(const char *spec, int *version,
			       char *errmsg, size_t errmsg_size);
/** The schema version this library creates. */
GF_EXTERN int gf_store_schema_version(void);

/**
 * The last error's message, naming the field by JSON path where there is
 * one ("$.location.lat: not a finite number"). Valid until the next call
 * on eng. Never NULL.
 */
GF_EXTERN const char *gf_engine_errmsg(const gf_engine *eng);

/* ---- clock --------------------------------------------------------- */

/** The engine's current time. */
GF_EXTERN gf_time gf_engine_now(const gf_engine *eng);
/**
 * With GF_CLOCK_EVENT, move the clock to t and fire the SLA steps due by
 * then (see gf_engine_run_timers, whose errors it returns). The clock
 * never goes back: an earlier t is ignored, and a reopen resumes where
 * the last flush or close left it (a time that only this call or a
 * refused input reached is kept by them in a record of its own).
 * GF_EINVAL with the wall clock.
 */
GF_EXTERN int gf_engine_set_time(gf_engine *eng, gf_time t);

/* ---- SLA timers ---------------------------------------------------- */

/**
 * The earliest time an SLA clock needs the engine (a warning, a due time,
 * a ladder step), or, under the wall clock, a group-commit batch is due
 * (batch_delay_ms) or a PostgreSQL lease is half gone (the renewal), or
 * INT64_MAX when nothing is waiting. A host on an
 * event loop arms one timer for it and calls gf_engine_run_timers() when
 * it expires (and again after each call that changes the engine). Every
 * ingest and apply also runs what is due first.
 */
GF_EXTERN gf_time gf_engine_next_deadline(const gf_engine *eng);

/**
 * Fire every ladder step due by the engine's time (the wall clock, or the
 * event clock). Each is stored before its notice goes out, so a step
 * fires once even across a crash; steps that fell due while the process
 * was down fire at the first call after open. *fired (may be NULL)
 * receives how many fired. GF_OK, or the store's error (GF_EIO,
 * GF_ENOMEM): the steps not stored are tried again at the next call.
 */
GF_EXTERN int gf_engine_run_timers(gf_engine *eng, size_t *fired);

/* ---- results ------------------------------------------------------- */

typedef enum gf_outcome {
	GF_OUTCOME_CREATED = 1,    /**< a new order */
	GF_OUTCOME_LINKED = 2,     /**< a duplicate joined an existing order */
	GF_OUTCOME_SUSPECTED = 3,  /**< a new order flagged as a duplicate */
	GF_OUTCOME_IDEMPOTENT = 4, /**< seen before; nothing changed */
	GF_OUTCOME_REJECTED = 5,   /**< invalid; kept in quarantine */
	GF_OUTCOME_APPLIED = 6,    /**< an action took effect */
	GF_OUTCOME_REFUSED = 7     /**< an action was refused; nothing changed */
} gf_outcome;

GF_EXTERN const char *gf_outcome_name(gf_outcome o);

/**
 * The result of an ingestion or an action. Owned by the engine, valid
 * until the next ingest/apply/release call on it.
 */
typedef struct gf_result gf_result;

GF_EXTERN gf_outcome gf_result_outcome(const gf_result *r);
/** "channel:source_id" of the event, or the action's ref; NULL if the
 * input had none readable. */
GF_EXTERN const char *gf_result_ref(const gf_result *r);
/** The order's id; NULL for a rejected event. */
GF_EXTERN const char *gf_result_order(const gf_result *r);
/** The action's op, or GF_OP_NONE for an event. */
GF_EXTERN gf_op gf_result_op(const gf_result *r);
GF_EXTERN const char *gf_result_lead(const gf_result *r);
GF_EXTERN size_t gf_result_assist_count(const gf_result *r);
GF_EXTERN const char *gf_result_assist(const gf_result *r, size_t i);
GF_EXTERN const char *gf_result_rule(const gf_result *r);
/** The order's state after the call. */
GF_EXTERN gf_state gf_result_state(const gf_result *r);
/** A split's new order id, else NULL. */
GF_EXTERN const char *gf_result_new_order(const gf_result *r);
/** For rejected and refused: the error code, the field's JSON path
 * ("$.received_at", "" when no single field is at fault), the message.
 * Code 0 and empty strings otherwise. */
GF_EXTERN int gf_result_error(const gf_result *r);
GF_EXTERN const char *gf_result_error_field(const gf_result *r);
GF_EXTERN const char *gf_result_error_message(const gf_result *r);
/** For a rejected event, its quarantine id; 0 otherwise. */
GF_EXTERN uint64_t gf_result_quarantine_id(const gf_result *r);
/**
 * The change's ticket: the store position of the last record it wrote,
 * increasing over the store's life; 0 when the call stored nothing (an
 * idempotent re-delivery, a refusal without a key). The change is durable
 * once gf_engine_durable_ticket() reaches it.
 */
GF_EXTERN uint64_t gf_result_ticket(const gf_result *r);
/** The order's SLA policy name and priority (NULL and 0 when none). */
GF_EXTERN const char *gf_result_sla(const gf_result *r);
GF_EXTERN int gf_result_priority(const gf_result *r);
/** For a new order routing sent to the fallback desk: why ("no rule
 * matched", "role:town.fire resolves to nothing in 320506001012", ...);
 * NULL otherwise. */
GF_EXTERN const char *gf_result_why(const gf_result *r);
/** For a linked event: how sure the engine is that it repeats its order
 * (0..1; 1 for a repeated call) and why, e.g. "repeated call: same
 * caller, same family city.environment, same village 320506001012, 35
 * min after the last report"; 0 and NULL otherwise. */
GF_EXTERN double gf_result_score(const gf_result *r);
GF_EXTERN const char *gf_result_reasons(const gf_result *r);
/** With gf_engine_set_explain() on, the routing explanation of a new
 * order: a JSON array of the rules looked at, each with "table", "rule",
 * "hit" and "why"; NULL otherwise. */
GF_EXTERN const char *gf_result_explain(const gf_result *r);

/* ---- ingestion and actions ----------------------------------------- */

/**
 * Ingest one event given as JSON text (one NDJSON line, without or with
 * its newline).
 *
 * @return GF_OK when accepted (created, linked, suspected, idempotent);
 *   an input-validation code (GF_EJSON ... GF_EVALUE) when rejected, in
 *   which case the event is in quarantine and the result says so;
 *   GF_EIO, GF_ENOMEM when nothing could be recorded (not acknowledged:
 *   deliver it again); with PostgreSQL also GF_EBUSY (another engine
 *   took the partition over) and GF_ECORRUPT, after which, as after a
 *   failed commit's GF_EIO, the engine must be reopened. A GF_ENOMEM
 *   can fail the engine too (its uncommitted batch is dropped and later
 *   calls return GF_EIO): then reopen it and deliver again what came
 *   after gf_engine_durable_ticket(). *out is set
 *   only when the call succeeded or the input was rejected or refused:
 *   check it for NULL; out may be NULL.
 */
GF_EXTERN int gf_engine_ingest_json(gf_engine *eng, const char *json,
				    size_t len, const gf_result **out);

/** Ingest an event built with C calls; same contract. ev is not kept. */
GF_EXTERN int gf_engine_ingest(gf_engine *eng, const gf_event *ev,
			       const gf_result **out);

/**
 * Apply an action. Returns GF_OK when applied (or idempotent), and a
 * negative code when refused: GF_ENOTFOUND, GF_ESTATE, GF_EPERM,
 * GF_EMISSING/GF_EVALUE for a missing or bad argument. A refused action
 * changes nothing.
 */
GF_EXTERN int gf_engine_apply(gf_engine *eng, const gf_action *a,
			      const gf_result **out);

/** Apply an action given as JSON: {"op":"sign","ref":"...","actor":...}.
 * "actor" is "dept-id", "dept-id/role" or {"dept":..,"role":..}. */
GF_EXTERN int gf_engine_apply_json(gf_engine *eng, const char *json,
				   size_t len, const gf_result **out);

/** One NDJSON line of either kind: an object with "op" is an action,
 * anything else an event (so bad JSON is a rejected event). */
GF_EXTERN int gf_engine_submit_json(gf_engine *eng, const char *json,
				    size_t len, const gf_result **out);

/**
 * As gf_engine_submit_json, with a default idempotency key for an action
 * line that has no "id" of its own (events ignore it: they are keyed by
 * channel and source id). A host replaying a log passes a key derived
 * from the line and its position, so that feeding the same log again
 * after a crash applies each line once; gridflow replay does this.
 */
GF_EXTERN int gf_engine_submit_json_keyed(gf_engine *eng, const char *json,
					  size_t len, const char *key,
					  const gf_result **out);

/* ---- orders -------------------------------------------------------- */

/** Number of orders, in every state. */
GF_EXTERN size_t gf_engine_order_count(const gf_engine *eng);
/** Order i in creation order (0-based), or NULL. See order.h for how
 * long the pointer lives. */
GF_EXTERN const gf_order *gf_engine_order_at(const gf_engine *eng,
					     size_t i);
/** The order with id or holding report ref ("channel:source_id"). */
GF_EXTERN const gf_order *gf_engine_order_find(const gf_engine *eng,
					       const char *ref);
/** Counts of orders by state, indexed by gf_state (GF_STATE_COUNT). */
GF_EXTERN void gf_engine_state_counts(const gf_engine *eng,
				      size_t counts[GF_STATE_COUNT]);

/* ---- quarantine ---------------------------------------------------- */

typedef struct gf_quarantined gf_quarantined;

/** Number of entries still open (neither released nor discarded). */
GF_EXTERN size_t gf_engine_quarantine_count(const gf_engine *eng);
/** Open entry i, oldest first, or NULL. Valid as order pointers are. */
GF_EXTERN const gf_quarantined *gf_engine_quarantine_at(const gf_engine *eng,
							size_t i);
GF_EXTERN uint64_t gf_quarantined_id(const gf_quarantined *q);
/** The input exactly as received; len bytes, not NUL-terminated inside.
 * For an event built with gf_event_* calls, the JSON event its fields
 * stand for, as they were given. */
GF_EXTERN const char *gf_quarantined_raw(const gf_quarantined *q,
					 size_t *len);
GF_EXTERN int gf_quarantined_error(const gf_quarantined *q);
GF_EXTERN const char *gf_quarantined_field(const gf_quarantined *q);
GF_EXTERN const char *gf_quarantined_message(const gf_quarantined *q);
GF_EXTERN gf_time gf_quarantined_time(const gf_quarantined *q);

/**
 * Replay a quarantined event, fixed: json is the corrected event (NULL
 * to retry the original, e.g. after a configuration change). If it is
 * accepted, the entry is released in the same store record as the new
 * order. If it is rejected again, the entry stays and its error is
 * updated in the result. Same returns as gf_engine_ingest_json, plus
 * GF_ENOTFOUND.
 */
GF_EXTERN int gf_engine_quarantine_release(gf_engine *eng, uint64_t id,
					   const char *json, size_t len,
					   const gf_result **out);

/** Close an entry without ingesting it (junk), with a reason for the
 * record. */
GF_EXTERN int gf_engine_quarantine_discard(gf_engine *eng, uint64_t id,
					   const char *reason);

#ifdef __cplusplus
}
#endif
#endif /* GRIDFLOW_ENGINE_H */
