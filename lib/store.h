/*
 * store.h - the interface every store backend implements.
 *
 * The engine keeps its state in memory and sends each change to the
 * store as one record: a type byte and an opaque payload (record.c
 * encodes them). A backend makes the record durable (per its policy)
 * before append() returns, and at open hands every stored record back,
 * in order, so the engine rebuilds the same state. The memory backend
 * stores nothing; the journal backend (journal.c) appends to a file; the
 * PostgreSQL backend maps the same records to rows.
 */
#ifndef GF_STORE_H
#define GF_STORE_H

#include "internal.h"
#include "order.h"

typedef struct gf__store gf__store;

/* A notice (engine.h's accessors read it); here because stores with an
 * outbox take them in arrays. */
struct gf_notice {
	gf_notice_kind kind;
	const char *order;
	const char *dept;
	const char *message;
	gf_time at;
	const char *clock;      /* sla, escalated */
	const char *step;
	gf_time due;
	char *blob;             /* a held notice's strings (engine.c) */
};

/* A quarantine entry (engine.h's accessors read it); here because
 * stores with tables write its row. */
struct gf_quarantined {
	uint64_t id;
	gf_time at;
	uint8_t digest[32];
	int code;
	char *field;
	char *msg;
	char *ref;
	char *raw;
	size_t raw_len;
	int open;
	char *closed_reason;    /* NULL: released by a repaired event */
	gf_time closed_at;      /* a discard's time, else GF_TIME_NONE */
	int touched;            /* listed for the next commit() */
};

/* What a call changed beyond its records, for backends that keep tables
 * beside them (PostgreSQL): the orders and quarantine entries changed
 * since the last commit() and the notices raised. */
typedef struct gf__commit {
	gf_order *const *orders;
	size_t norders;
	const gf_notice *notices;
	size_t nnotices;
	int force;              /* commit now: flush, close */
	gf_quarantined *const *quar; /* quarantine entries made or closed */
	size_t nquar;
} gf__commit;

typedef struct gf__store_ops {
	const char *name;
	/* 0 for a store that keeps nothing (memory): the engine then skips
	 * encoding records for it */
	int keeps;
	/* Make one record durable per the sync policy. On failure nothing
	 * of the record may be visible to a later open. */
	int (*append)(gf__store *s, uint8_t type, const void *p, size_t n,
		      gf__err *err);
	/* Force everything appended so far to stable storage. */
	int (*flush)(gf__store *s, gf__err *err);
	/* Flush and release; s is freed. */
	void (*close)(gf__store *s);
	/* Transactional backends (pg), else NULL. The end of a call: the
	 * records appended since the last commit(), with rows for c's orders
	 * and notices (read now: they change later), join the batch, which
	 * is sent when c->force, full or old. 1: the batch committed; 0: it
	 * waits; < 0: an error (GF_EIO: unreachable past the retry time;
	 * GF_EBUSY: the partition was taken over), and the batch is lost. */
	int (*commit)(gf__store *s, const gf__commit *c, gf__err *err);
	/* Transactional backends: in how many ms the waiting batch is due
	 * (0: now), or -1 when none waits. */
	int64_t (*due_in)(gf__store *s);
	/* Backends that sync by themselves as they append (the journal,
	 * whose GF_SYNC_INTERVAL syncs inside an append), else NULL: 1 when
	 * every record appended so far is on stable storage. The engine
	 * reports its durable ticket by it; without it, the memory store's
	 * records count as durable per the sync policy, and a
	 * transactional store's when commit() says so. */
	int (*synced)(gf__store *s);
} gf__store_ops;

struct gf__store {
	const gf__store_ops *ops;
};

/* Called once per stored record during open, in order. A non-zero
 * return stops the open with that code. */
typedef int (*gf__replay_fn)(void *ud, uint8_t type, const uint8_t *p,
			     size_t n, gf__err *err);

typedef struct gf__store_opts {
	gf_sync_policy sync;
	unsigned sync_interval_ms;
	gf__replay_fn replay;
	void *replay_ud;
	/* pg: the partition, group commit and connection limits */
	const char *partition;
	unsigned batch_max;
	unsigned batch_delay_ms;
	unsigned lease_ms;
	unsigned retry_ms;
	int read_only;          /* pg: no migration, no lease, no writes */
} gf__store_opts;

/* What the open found, for notices. */
typedef struct gf__store_info {
	uint64_t records;       /* records replayed */
	uint64_t torn_offset;   /* where a torn tail was cut, if torn_bytes */
	uint64_t torn_bytes;    /* bytes cut off the end (0: none) */
} gf__store_info;

/*
 * Open the store named by spec: "memory" or "journal:PATH". Replays
 * existing records through opts->replay before returning. Errors:
 * GF_EINVAL (bad spec), GF_ENOTSUP (a backend this build lacks, such as
 * "pg:"), GF_EIO, GF_EBUSY (another process holds the journal),
 * GF_ECORRUPT (a damaged record before the end; the message gives its
 * byte offset), or what replay returned.
 */
int gf__store_open(gf__store **out, const char *spec,
		   const gf__store_opts *opts, gf__store_info *info,
		   gf__err *err);

/* Backends. */
int gf__memory_open(gf__store **out, gf__err *err);
int gf__journal_open(gf__store **out, const char *path,
		     const gf__store_opts *opts, gf__store_info *info,
		     gf__err *err);
int gf__pg_open(gf__store **out, const char *conninfo,
		const gf__store_opts *opts, gf__store_info *info,
		gf__err *err);
/* After the engine rebuilt its state from a pg store: every order's
 * rows are in the tables. */
void gf__pg_mark_saved(gf_order *const *orders, size_t n);

#endif
