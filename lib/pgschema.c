/*
 * pgschema.c - the PostgreSQL schema: applying the migrations compiled
 * from sql/ (gf_store_migrate), checking a database's version, and the
 * connection helpers the store (pg.c) shares.
 *
 * Migrations run under an advisory lock, each in its own transaction,
 * and are recorded in gf_schema; a database whose schema is newer than
 * the library is refused, so an old engine never writes into a schema
 * it does not know.
 */
#include "pgschema.h"

#include "migrations.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* A libpq message, without its trailing newline. */
const char *gf__pq_msg(PGconn *c, const PGresult *r)
{
	static _Thread_local char buf[400];
	const char *m = r ? PQresultErrorMessage(r) : PQerrorMessage(c);
	if (!m || !*m)
		m = c ? PQerrorMessage(c) : "unknown error";
	snprintf(buf, sizeof buf, "%s", m);
	size_t n = strlen(buf);
	while (n && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
		buf[--n] = '\0';
	return buf;
}

PGconn *gf__pq_connect(const char *conninfo, unsigned timeout_s)
{
	char t[16];
	snprintf(t, sizeof t, "%u", timeout_s < 2 ? 2 : timeout_s);
	const char *const keys[] = { "connect_timeout",
				     "fallback_application_name", "dbname",
				     NULL };
	const char *const vals[] = { t, "libgridflow", conninfo, NULL };
	return PQconnectdbParams(keys, vals, 1);
}

#define MIGRATE_LOCK "7240217013"

static PGresult *run(const gf__pq_exec *x, const char *sql)
{
	return x->run(x->ud, sql, 0, NULL, 0);
}

/* The migration lock, tried every 100 ms while another engine migrates
 * (each try answers at once, so a silent server is still noticed). */
static int lock_schema(const gf__pq_exec *x, gf__err *err)
{
	for (;;) {
		PGresult *r = run(x, "SELECT pg_try_advisory_lock("
				     MIGRATE_LOCK ")");
		if (PQresultStatus(r) != PGRES_TUPLES_OK ||
		    PQntuples(r) != 1) {
			int rc = gf__err_set(err, GF_EIO, NULL,
					     "PostgreSQL: locking the schema: "
					     "%s",
					     x->msg(x->ud, r));
			PQclear(r);
			return rc;
		}
		int got = PQgetvalue(r, 0, 0)[0] == 't';
		PQclear(r);
		if (got)
			return GF_OK;
		struct timespec ts = { 0, 100000000L };
		while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
			;
	}
}

/* The schema's version as it stands, read without the lock or any DDL,
 * in *v (0: no gf_schema table). */
static int stands_at(const gf__pq_exec *x, int *v, gf__err *err)
{
	PGresult *r = run(x, "SELECT to_regclass('gf_schema') IS NOT NULL");
	int rc = GF_OK;
	*v = 0;
	if (PQresultStatus(r) != PGRES_TUPLES_OK || PQntuples(r) != 1) {
		rc = gf__err_set(err, GF_EIO, NULL,
				 "PostgreSQL: looking for gf_schema: %s",
				 x->msg(x->ud, r));
	} else if (PQgetvalue(r, 0, 0)[0] == 't') {
		PQclear(r);
		r = run(x, "SELECT coalesce(max(version), 0) FROM gf_schema");
		if (PQresultStatus(r) != PGRES_TUPLES_OK || PQntuples(r) != 1)
			rc = gf__err_set(err, GF_EIO, NULL,
					 "PostgreSQL: reading gf_schema: %s",
					 x->msg(x->ud, r));
		else
			*v = atoi(PQgetvalue(r, 0, 0));
	}
	PQclear(r);
	return rc;
}

static int too_new(int have, gf__err *err)
{
	return gf__err_set(err, GF_EVERSION, NULL,
			   "the database's gridflow schema is version %d, "
			   "newer than this library's %d (%s): upgrade "
			   "libgridflow",
			   have, (int)gf__nmigrations, GF_VERSION_STRING);
}

int gf__pg_migrate(const gf__pq_exec *x, int *version, gf__err *err)
{
	PGresult *r;
	int rc, have = 0;

	/* up to date, or newer: nothing to create, so an engine whose role
	 * has no right to create (the deployment migrates apart, see
	 * docs/postgres.md) opens all the same */
	int now;
	if ((rc = stands_at(x, &now, err)))
		return rc;
	if (now >= (int)gf__nmigrations) {
		if (version)
			*version = now;
		return now > (int)gf__nmigrations ? too_new(now, err)
						  : GF_OK;
	}
	if ((rc = lock_schema(x, err)))
		return rc;
	r = run(x, "SET client_min_messages = warning; "
		   "CREATE TABLE IF NOT EXISTS gf_schema ("
		   "version integer PRIMARY KEY, "
		   "library text NOT NULL, "
		   "applied_at timestamptz NOT NULL DEFAULT now())");
	if (PQresultStatus(r) != PGRES_COMMAND_OK) {
		rc = gf__err_set(err, GF_EIO, NULL,
				 "PostgreSQL: creating gf_schema: %s",
				 x->msg(x->ud, r));
		goto out;
	}
	PQclear(r);
	r = run(x, "SELECT coalesce(max(version), 0) FROM gf_schema");
	if (PQresultStatus(r) != PGRES_TUPLES_OK || PQntuples(r) != 1) {
		rc = gf__err_set(err, GF_EIO, NULL,
				 "PostgreSQL: reading gf_schema: %s",
				 x->msg(x->ud, r));
		goto out;
	}
	have = atoi(PQgetvalue(r, 0, 0));
	PQclear(r);
	r = NULL;
	if (have > (int)gf__nmigrations) {
		rc = too_new(have, err);
		goto out;
	}
	for (int v = have + 1; v <= (int)gf__nmigrations; v++) {
		char vs[16];
		const char *p[2] = { vs, GF_VERSION_STRING };
		snprintf(vs, sizeof vs, "%d", v);
		PQclear(run(x, "BEGIN"));
		/* a migration may rewrite big tables: no silence limit */
		r = x->run(x->ud, gf__migrations[v - 1].sql, 0, NULL, 1);
		if (PQresultStatus(r) != PGRES_COMMAND_OK &&
		    PQresultStatus(r) != PGRES_TUPLES_OK) {
			rc = gf__err_set(err, GF_EIO, NULL,
					 "PostgreSQL: migration %s: %s",
					 gf__migrations[v - 1].name,
					 x->msg(x->ud, r));
			PQclear(r);
			r = run(x, "ROLLBACK");
			goto out;
		}
		PQclear(r);
		r = x->run(x->ud, "INSERT INTO gf_schema (version, library) "
				  "VALUES ($1::integer, $2)",
			   2, p, 0);
		if (PQresultStatus(r) != PGRES_COMMAND_OK) {
			rc = gf__err_set(err, GF_EIO, NULL,
					 "PostgreSQL: recording migration "
					 "%d: %s", v, x->msg(x->ud, r));
			PQclear(r);
			r = run(x, "ROLLBACK");
			goto out;
		}
		PQclear(r);
		r = x->run(x->ud, "COMMIT", 0, NULL, 1);
		if (PQresultStatus(r) != PGRES_COMMAND_OK) {
			rc = gf__err_set(err, GF_EIO, NULL,
					 "PostgreSQL: committing migration "
					 "%d: %s", v, x->msg(x->ud, r));
			goto out;
		}
		PQclear(r);
		r = NULL;
		have = v;
	}
out:
	PQclear(r);
	PQclear(run(x, "SELECT pg_advisory_unlock(" MIGRATE_LOCK ")"));
	if (version)
		*version = have;
	return rc;
}

/* For a read-only open: a schema this library can read, untouched. */
int gf__pg_check_version(const gf__pq_exec *x, gf__err *err)
{
	PGresult *r = run(x, "SELECT coalesce(max(version), 0) "
			     "FROM gf_schema");
	int rc = GF_OK;
	if (PQresultStatus(r) != PGRES_TUPLES_OK || PQntuples(r) != 1) {
		rc = gf__err_set(err, GF_EIO, NULL,
				 "PostgreSQL: no gridflow schema to read "
				 "(%s)", x->msg(x->ud, r));
	} else {
		int have = atoi(PQgetvalue(r, 0, 0));
		if (have > (int)gf__nmigrations)
			rc = too_new(have, err);
	}
	PQclear(r);
	return rc;
}

/* gf_store_migrate's statements: blocking, on its own connection. */
static PGresult *blocking_run(void *ud, const char *sql, int n,
			      const char *const *v, int long_ok)
{
	(void)long_ok;
	return n ? PQexecParams(ud, sql, n, NULL, v, NULL, NULL, 0)
		 : PQexec(ud, sql);
}

static const char *blocking_msg(void *ud, const PGresult *r)
{
	return gf__pq_msg(ud, r);
}

int gf_store_schema_version(void)
{
	return (int)gf__nmigrations;
}

int gf_store_migrate(const char *spec, int *version, char *errmsg,
		     size_t errmsg_size)
{
	gf__err err;
	int rc;

	gf__err_clear(&err);
	if (version)
		*version = 0;
	if (errmsg && errmsg_size)
		errmsg[0] = '\0';
	if (!spec || strncmp(spec, "pg:", 3) != 0) {
		rc = gf__err_set(&err, GF_EINVAL, NULL,
				 "gf_store_migrate needs a \"pg:CONNINFO\" "
				 "store");
	} else {
		PGconn *c = gf__pq_connect(spec + 3, 10);
		if (!c) {
			rc = gf__err_set(&err, GF_ENOMEM, NULL,
					 "out of memory connecting");
		} else if (PQstatus(c) != CONNECTION_OK) {
			rc = gf__err_set(&err, GF_EIO, NULL,
					 "PostgreSQL: cannot connect: %s",
					 gf__pq_msg(c, NULL));
		} else {
			gf__pq_exec x = { blocking_run, blocking_msg, c };
			rc = gf__pg_migrate(&x, version, &err);
		}
		PQfinish(c);
	}
	if (rc && errmsg && errmsg_size)
		snprintf(errmsg, errmsg_size, "%s", gf__err_text(&err));
	return rc;
}
