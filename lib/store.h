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

typedef struct gf__store gf__store;

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

#endif
