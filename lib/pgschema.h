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
/* Bring the schema to this library's version; *version (may be NULL)
 * gets the version now there. GF_OK, GF_EIO, GF_EVERSION. */
int gf__pg_migrate(PGconn *c, int *version, gf__err *err);
/* For a read-only open: a schema this library can read, untouched. */
int gf__pg_check_version(PGconn *c, gf__err *err);

#endif
