/*
 * pgutil.h - the PostgreSQL test server for the store suites, its
 * tables read back through libpq (parameterised statements only), and
 * the check that a partition's tables say what the engine says.
 * Public API and libpq only. storeutil.h includes it.
 *
 * Without GF_TEST_PG every test that needs the server fails, saying so
 * (a pg store left untested must not look like a pass): make check and
 * test/run.sh start a throwaway server with test/pgtmp.sh.
 */
#ifndef GF_PGUTIL_H
#define GF_PGUTIL_H

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <libpq-fe.h>

#include "fixture.h"

/* ---- the test server ------------------------------------------------- */

/* GF_TEST_PG, the test server's libpq conninfo. */
static inline const char *pg_conninfo(void)
{
	const char *c = getenv("GF_TEST_PG");
	if (!c || !*c)
		ck_abort_msg("GF_TEST_PG is not set: the PostgreSQL tests need "
			     "a server (make check and test/run.sh start one; "
			     "by hand: export GF_TEST_PGDIR=/tmp/pgX; export "
			     "GF_TEST_PG=$(test/pgtmp.sh start $GF_TEST_PGDIR))");
	return c;
}

/* GF_TEST_PGDIR, where test/pgtmp.sh started the server: the tests that
 * stop and start it need it. */
static inline const char *pg_dir(void)
{
	pg_conninfo();
	const char *d = getenv("GF_TEST_PGDIR");
	if (!d || !*d)
		ck_abort_msg("GF_TEST_PGDIR is not set: the reconnection tests "
			     "stop and start the server with test/pgtmp.sh and "
			     "need its directory");
	return d;
}

/* "pg:CONNINFO", the test server's store spec (static). */
static inline const char *pg_store(void)
{
	static char s[1024];
	snprintf(s, sizeof(s), "pg:%s", pg_conninfo());
	return s;
}

/* ---- SQL ------------------------------------------------------------- */

static inline PGconn *db_connect(const char *conninfo)
{
	PGconn *c = PQconnectdb(conninfo);
	ck_assert_ptr_nonnull(c);
	ck_assert_msg(PQstatus(c) == CONNECTION_OK, "connect: %s",
		      PQerrorMessage(c));
	return c;
}

static inline PGconn *db(void)
{
	return db_connect(pg_conninfo());
}

/* A statement with text parameters; it must give rows or be done. */
static inline PGresult *qx(PGconn *c, int binary, const char *sql, int n,
			   const char *const *p)
{
	PGresult *r = PQexecParams(c, sql, n, NULL, p, NULL, NULL, binary);
	ExecStatusType how = PQresultStatus(r);
	ck_assert_msg(how == PGRES_TUPLES_OK || how == PGRES_COMMAND_OK,
		      "%s: %s", sql, PQresultErrorMessage(r));
	return r;
}

static inline PGresult *q(PGconn *c, const char *sql, int n,
			  const char *const *p)
{
	return qx(c, 0, sql, n, p);
}

static inline void q_do(PGconn *c, const char *sql, int n,
			const char *const *p)
{
	PQclear(q(c, sql, n, p));
}

/* A statement made by printf, without parameters: for the names of
 * databases, functions and triggers, which cannot be parameters. */
static inline void q_dof(PGconn *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static inline void q_dof(PGconn *c, const char *fmt, ...)
{
	char sql[1024];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(sql, sizeof(sql), fmt, ap);
	va_end(ap);
	ck_assert(n > 0 && (size_t)n < sizeof(sql));
	q_do(c, sql, 0, NULL);
}

/* One value (row 0, column 0) as a number; the query must give a row. */
static inline long long q_ll(PGconn *c, const char *sql, int n,
			     const char *const *p)
{
	PGresult *r = q(c, sql, n, p);
	ck_assert_msg(PQntuples(r) == 1, "%s: %d rows", sql, PQntuples(r));
	ck_assert_msg(!PQgetisnull(r, 0, 0), "%s: NULL", sql);
	long long v = atoll(PQgetvalue(r, 0, 0));
	PQclear(r);
	return v;
}

/* One value as text into out ("" for none or NULL). */
static inline const char *q_s(PGconn *c, char *out, size_t size,
			      const char *sql, int n, const char *const *p)
{
	PGresult *r = q(c, sql, n, p);
	out[0] = '\0';
	if (PQntuples(r) >= 1 && !PQgetisnull(r, 0, 0))
		snprintf(out, size, "%s", PQgetvalue(r, 0, 0));
	PQclear(r);
	return out;
}

/* End the server processes of the connections named app. */
static inline void end_backends(const char *app)
{
	PGconn *c = db();
	const char *p1[1] = { app };
	long long n = q_ll(c,
			   "SELECT count(pg_terminate_backend(pid, 5000)) FROM "
			   "pg_stat_activity WHERE application_name = $1",
			   1, p1);
	PQfinish(c);
	ck_assert_int_ge(n, 1);
}

/* q_ll with the partition as $1. */
static inline long long part_ll(PGconn *c, const char *sql, const char *part)
{
	const char *p[1] = { part };
	return q_ll(c, sql, 1, p);
}

/* q_s with the partition as $1. */
static inline const char *part_s(PGconn *c, char *out, size_t size,
				 const char *sql, const char *part)
{
	const char *p[1] = { part };
	return q_s(c, out, size, sql, 1, p);
}

/* count(what) over the rows of table in part where cond holds (NULL:
 * all); cond may use $1, the partition. */
static inline long long part_count(PGconn *c, const char *what,
				   const char *table, const char *part,
				   const char *cond)
{
	char sql[512];
	snprintf(sql, sizeof(sql),
		 "SELECT count(%s) FROM %s WHERE part = $1%s%s", what, table,
		 cond ? " AND " : "", cond ? cond : "");
	return part_ll(c, sql, part);
}

static inline long long rows(PGconn *c, const char *table, const char *part,
			     const char *cond)
{
	return part_count(c, "*", table, part, cond);
}

/* Each of names is in the catalog, where sql counts the rows named $1. */
static inline void relations_exist(PGconn *c, const char *sql,
				   const char *const *names, size_t n,
				   const char *when)
{
	for (size_t i = 0; i < n; i++) {
		const char *p[1] = { names[i] };
		ck_assert_msg(q_ll(c, sql, 1, p) == 1, "%s: no %s", when,
			      names[i]);
	}
}

static inline long long ll_at(PGresult *r, int row, int col)
{
	return atoll(PQgetvalue(r, row, col));
}

static inline const char *str_at(PGresult *r, int row, int col)
{
	return PQgetisnull(r, row, col) ? NULL : PQgetvalue(r, row, col);
}

static inline void assert_same(const char *what, const char *db_v,
			       const char *eng_v)
{
	ck_assert_msg((!db_v && !eng_v) ||
			      (db_v && eng_v && strcmp(db_v, eng_v) == 0),
		      "%s: database \"%s\", engine \"%s\"", what,
		      db_v ? db_v : "(null)", eng_v ? eng_v : "(null)");
}

/* Epoch ms of a timestamptz column, or -1 for NULL. */
#define MS(col)                                                           \
	"coalesce(round(extract(epoch FROM " col ") * 1000)::bigint, -1)"

/* A time as MS() gives it. */
static inline long long ms_or_none(gf_time t)
{
	return t == GF_TIME_NONE ? -1 : (long long)t;
}

/* ---- a partition's tables against the engine ------------------------- */

static inline void assert_order_row(PGconn *c, const char *part,
				    const gf_order *ord)
{
	const char *p2[2] = { part, gf_order_id(ord) };
	PGresult *res = q(c, "SELECT state, lead, region, report_count, "
			     "category, level, " MS("created_at") ", "
			     MS("updated_at") ", " MS("due_at")
			     " FROM gf_order WHERE part = $1 AND order_id = $2",
			  2, p2);
	ck_assert_int_eq(PQntuples(res), 1);
	assert_same("state", str_at(res, 0, 0),
		    gf_state_name(gf_order_state(ord)));
	assert_same("lead", str_at(res, 0, 1), gf_order_lead(ord));
	assert_same("region", str_at(res, 0, 2), gf_order_region(ord));
	ck_assert_int_eq(ll_at(res, 0, 3),
			 (long long)gf_order_report_count(ord));
	assert_same("category", str_at(res, 0, 4), gf_order_category(ord));
	assert_same("level", str_at(res, 0, 5),
		    gf_level_name(gf_order_level(ord)));
	ck_assert_int_eq(ll_at(res, 0, 6), gf_order_created_at(ord));
	ck_assert_int_eq(ll_at(res, 0, 7), gf_order_updated_at(ord));
	/* due_at: the earliest due time of a running clock */
	gf_time due = GF_TIME_NONE;
	for (size_t k = 0; k < gf_order_clock_count(ord); k++) {
		const gf_sla_clock *ck = gf_order_clock(ord, k);
		gf_time d = gf_sla_clock_due(ck);
		if (gf_sla_clock_state(ck) == GF_SLA_RUNNING &&
		    d != GF_TIME_NONE && (due == GF_TIME_NONE || d < due))
			due = d;
	}
	ck_assert_int_eq(ll_at(res, 0, 8), ms_or_none(due));
	PQclear(res);
}

/* Report k of ord, under ord, at its place n = k when positions. */
static inline void assert_report_row(PGconn *c, const char *part,
				     const gf_order *ord, size_t k,
				     int positions)
{
	const gf_report *rep = gf_order_report(ord, k);
	const char *id = gf_order_id(ord);
	const char *p3[3] = { part, gf_channel_name(gf_report_channel(rep)),
			      gf_report_source_id(rep) };
	PGresult *res = q(c, "SELECT order_id, n, title, region, category, "
			     "reporter, " MS("received_at") " FROM gf_report "
			     "WHERE part = $1 AND channel = $2 AND "
			     "source_id = $3",
			  3, p3);
	ck_assert_msg(PQntuples(res) == 1, "no row for report %s",
		      gf_report_ref(rep));
	assert_same("report order", str_at(res, 0, 0), id);
	ck_assert_msg(!positions || ll_at(res, 0, 1) == (long long)k,
		      "report %s of %s: n %lld in gf_report, %zu in the engine",
		      gf_report_ref(rep), id, ll_at(res, 0, 1), k);
	assert_same("title", str_at(res, 0, 2), gf_report_title(rep));
	assert_same("report region", str_at(res, 0, 3), gf_report_region(rep));
	assert_same("report category", str_at(res, 0, 4),
		    gf_report_category(rep));
	assert_same("reporter", str_at(res, 0, 5), gf_report_reporter(rep));
	ck_assert_int_eq(ll_at(res, 0, 6), gf_report_received_at(rep));
	PQclear(res);
}

/* ord's audit trail, entry for entry, in order. */
static inline void assert_audit_rows(PGconn *c, const char *part,
				     const gf_order *ord)
{
	const char *p2[2] = { part, gf_order_id(ord) };
	PGresult *res = q(c, "SELECT n, what, actor_dept, actor_role, "
			     "from_state, to_state, reason, lead, " MS("at")
			     " FROM gf_audit WHERE part = $1 AND order_id = $2 "
			     "ORDER BY n",
			  2, p2);
	ck_assert_int_eq(PQntuples(res), (int)gf_order_audit_count(ord));
	for (int k = 0; k < PQntuples(res); k++) {
		const gf_audit *au = gf_order_audit(ord, (size_t)k);
		ck_assert_int_eq(ll_at(res, k, 0), k);
		assert_same("what", str_at(res, k, 1), gf_audit_what(au));
		assert_same("actor", str_at(res, k, 2),
			    gf_audit_actor_dept(au));
		assert_same("role", str_at(res, k, 3), gf_audit_actor_role(au));
		assert_same("from", str_at(res, k, 4),
			    gf_state_name(gf_audit_from(au)));
		assert_same("to", str_at(res, k, 5),
			    gf_state_name(gf_audit_to(au)));
		assert_same("reason", str_at(res, k, 6), gf_audit_reason(au));
		assert_same("audit lead", str_at(res, k, 7), gf_audit_lead(au));
		ck_assert_int_eq(ll_at(res, k, 8), gf_audit_time(au));
	}
	PQclear(res);
}

/* ord's clocks, each of its policy. */
static inline void assert_clock_rows(PGconn *c, const char *part,
				     const gf_order *ord)
{
	const char *p2[2] = { part, gf_order_id(ord) };
	PGresult *res = q(c, "SELECT name, state, " MS("started") ", "
			     MS("due") ", runs, steps_fired FROM gf_clock "
			     "WHERE part = $1 AND order_id = $2 ORDER BY name",
			  2, p2);
	ck_assert_int_eq(PQntuples(res), (int)gf_order_clock_count(ord));
	for (int k = 0; k < PQntuples(res); k++) {
		const gf_sla_clock *ck =
			gf_order_clock_named(ord, str_at(res, k, 0));
		ck_assert_msg(ck != NULL, "clock %s", str_at(res, k, 0));
		assert_same("clock state", str_at(res, k, 1),
			    gf_sla_state_name(gf_sla_clock_state(ck)));
		ck_assert_int_eq(ll_at(res, k, 2),
				 ms_or_none(gf_sla_clock_started(ck)));
		ck_assert_int_eq(ll_at(res, k, 3),
				 ms_or_none(gf_sla_clock_due(ck)));
		ck_assert_int_eq(ll_at(res, k, 4), gf_sla_clock_runs(ck));
		ck_assert_int_eq(ll_at(res, k, 5),
				 gf_sla_clock_steps_fired(ck));
	}
	PQclear(res);
}

/*
 * Every row of the partition's gf_order, gf_report, gf_audit and gf_clock
 * against the engine: each order, each report under its order (at its
 * place, with positions), each audit entry in order, each clock. The
 * reconnection tests leave positions to reports_follow_merge_and_split,
 * so that a fault there does not hide theirs.
 */
static inline void assert_tables(PGconn *c, const char *part,
				 const gf_engine *eng, int positions)
{
	size_t nreports = 0, naudit = 0;
	ck_assert_int_eq(rows(c, "gf_order", part, NULL),
			 (long long)gf_engine_order_count(eng));
	for (size_t i = 0; i < gf_engine_order_count(eng); i++) {
		const gf_order *ord = gf_engine_order_at(eng, i);
		assert_order_row(c, part, ord);
		for (size_t k = 0; k < gf_order_report_count(ord); k++)
			assert_report_row(c, part, ord, k, positions);
		assert_audit_rows(c, part, ord);
		assert_clock_rows(c, part, ord);
		nreports += gf_order_report_count(ord);
		naudit += gf_order_audit_count(ord);
	}
	ck_assert_int_eq(rows(c, "gf_report", part, NULL), (long long)nreports);
	ck_assert_int_eq(rows(c, "gf_audit", part, NULL), (long long)naudit);
}

#endif
