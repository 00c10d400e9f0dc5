/*
 * pgschema.h - the PostgreSQL schema and connection helpers (pgschema.c),
 * for the store (pg.c).
 */
#ifndef GF_PGSCHEMA_H
#define GF_PGSCHEMA_H

#include "internal.h"

#include <libpq-fe.h>

/* A libpq error message (of r, else of c) without its newline, in a
 * thread-local buffer valid until the next call. */
const char *gf__pq_msg(PGconn *c, const PGresult *r);
/* Connect (blocking) with libgridflow's defaults: a connect timeout of
 * timeout_s seconds (2 at least) and an application name, both
 * overridable by conninfo. */
PGconn *gf__pq_connect(const char *conninfo, unsigned timeout_s);
/* How the schema code runs a statement on its caller's connection: sql
 * (several statements when n is 0, else one with n text parameters v);
 * the last result, the caller's to clear, or NULL when the connection
 * failed or stayed silent too long. long_ok: the statement may run long
 * (a migration) and must not be cut off for silence. msg: why r (or the
 * connection) failed. */
typedef struct gf__pq_exec {
	PGresult *(*run)(void *ud, const char *sql, int n,
			 const char *const *v, int long_ok);
	const char *(*msg)(void *ud, const PGresult *r);
	void *ud;
} gf__pq_exec;

/* Bring the schema to this library's version; *version (may be NULL)
 * gets the version now there. GF_OK, GF_EIO, GF_EVERSION. */
int gf__pg_migrate(const gf__pq_exec *x, int *version, gf__err *err);
/* For a read-only open: a schema this library can read, untouched. */
int gf__pg_check_version(const gf__pq_exec *x, gf__err *err);

#endif
