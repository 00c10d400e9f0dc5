/*
 * pg.c - the PostgreSQL store: the engine's records in gf_record, and
 * beside them, in the same transactions, the rows hosts query (orders,
 * reports, audit trail, clocks, quarantine, outbox). libpq only.
 *
 * ONE PARTITION, ONE ENGINE
 *   An engine owns one region partition (`part`) by a lease row in
 *   gf_partition. Acquiring it bumps the row's token; every transaction
 *   starts with gf_fence(part, token), which fails once another engine
 *   has taken the partition over, so a stalled former owner can never
 *   write behind its successor's back.
 *
 * RECORDS AND TICKETS
 *   Records of a partition are numbered 1, 2, 3, ... (seq). At open the
 *   engine replays them in that order; the tables are not read back.
 *   A record's seq is the ticket a host sees.
 *
 * GROUP COMMIT
 *   append() and commit() queue statements; a batch goes out as one
 *   transaction in pipeline mode (BEGIN, fence, the statements, COMMIT,
 *   one sync), in chunks so neither side's socket buffer can fill while
 *   the other waits. It goes when the engine forces it, when batch_max
 *   records wait, or when the oldest has waited batch_delay_ms.
 *
 * RECONNECTION
 *   When the connection drops, the batch is kept and the connection is
 *   retried with backoff (50 ms doubling to 2 s) for up to retry_ms.
 *   Once back, max(seq) tells whether the lost reply's transaction
 *   committed (the batch's last seq is there) or not (the batch is sent
 *   again); a transaction is all or nothing, so there is no third case.
 *   (part, seq) and (part, channel, source_id) are keys: nothing can be
 *   stored twice. The connection is non-blocking: a server silent for a
 *   quarter of retry_ms is a lost connection too, and the new connection
 *   ends the old server process before it looks.
 */
#include "store.h"
#include "pgschema.h"

#include <libpq-fe.h>

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* ---- statements ------------------------------------------------------ */

enum {
	S_FENCE, S_RECORD, S_ORDER, S_REPORT, S_AUDIT, S_CLOCK, S_QUAR,
	S_OUTBOX, S_NOTIFY, S_COUNT
};

/*
 * The statements, each prepared at connect. A table's rows are described
 * once, and two statements are made of it: NAME stores one row (its
 * parameters are the row's values) and NAME_n stores many (each parameter
 * an array of one column's values, sent in binary, unnested). A batch
 * sends each table's rows as one NAME_n, so that the server starts one
 * statement per table and batch instead of one per row.
 *
 * types: one letter per column, how its parameter is typed: t text,
 * i integer, b bigint, s smallint, d double precision, o boolean,
 * x bytea (sent in binary), T a time (ms since the epoch, a bigint,
 * through gf_ms()). nkey: how many leading columns are the key of an
 * upsert, whose later row in a batch replaces an earlier one (0: rows
 * only ever added). fence and notify are not tables: sql is theirs.
 */
static const struct {
	const char *name;
	const char *table;
	const char *cols;
	const char *types;
	int nkey;
	const char *conflict;   /* or, without a table, the statement */
} stmts[S_COUNT] = {
	{ "gf_fence", NULL, NULL, "tbi", 0,
	  "SELECT gf_fence($1, $2::bigint, $3::integer)" },
	{ "gf_record", "gf_record", "part, seq, type, body", "tbsx", 0, "" },
	{ "gf_order", "gf_order",
	  "part, order_id, state, lead, level, region, category, urgency, "
	  "priority, scale, rule, sla, rules_version, report_count, "
	  "caller_count, merged_into, suspected_of, created_at, updated_at, "
	  "due_at",
	  "ttttttttittttiittTTT", 2,
	  "ON CONFLICT (part, order_id) DO UPDATE SET state = EXCLUDED.state, "
	  "lead = EXCLUDED.lead, level = EXCLUDED.level, "
	  "region = EXCLUDED.region, category = EXCLUDED.category, "
	  "urgency = EXCLUDED.urgency, priority = EXCLUDED.priority, "
	  "scale = EXCLUDED.scale, rule = EXCLUDED.rule, sla = EXCLUDED.sla, "
	  "rules_version = EXCLUDED.rules_version, "
	  "created_at = EXCLUDED.created_at, "
	  "report_count = EXCLUDED.report_count, "
	  "caller_count = EXCLUDED.caller_count, "
	  "merged_into = EXCLUDED.merged_into, "
	  "suspected_of = EXCLUDED.suspected_of, "
	  "updated_at = EXCLUDED.updated_at, due_at = EXCLUDED.due_at" },
	/* a report moved by a merge or split changes order; the same one
	 * stored twice changes nothing */
	{ "gf_report", "gf_report",
	  "part, channel, source_id, order_id, n, received_at, region, "
	  "category, title, content, address, grid, lat, lon, reporter, event",
	  "ttttiTttttttddtt", 3,
	  "ON CONFLICT (part, channel, source_id) DO UPDATE SET "
	  "order_id = EXCLUDED.order_id, n = EXCLUDED.n "
	  "WHERE gf_report.order_id <> EXCLUDED.order_id "
	  "OR gf_report.n <> EXCLUDED.n" },
	{ "gf_audit", "gf_audit",
	  "part, order_id, n, at, what, actor_dept, actor_role, from_state, "
	  "to_state, reason, lead",
	  "ttiTttttttt", 0, "" },
	{ "gf_clock", "gf_clock",
	  "part, order_id, name, state, started, due, warning, stopped, "
	  "paused_ms, extensions, runs, steps_fired",
	  "ttttTTTTbiii", 3,
	  "ON CONFLICT (part, order_id, name) DO UPDATE SET "
	  "state = EXCLUDED.state, started = EXCLUDED.started, "
	  "due = EXCLUDED.due, warning = EXCLUDED.warning, "
	  "stopped = EXCLUDED.stopped, paused_ms = EXCLUDED.paused_ms, "
	  "extensions = EXCLUDED.extensions, runs = EXCLUDED.runs, "
	  "steps_fired = EXCLUDED.steps_fired" },
	/* made, or closed (discarded, or released by a repaired event) */
	{ "gf_quar", "gf_quarantine",
	  "part, id, at, code, error, field, message, ref, raw, digest, open, "
	  "closed_reason, closed_at",
	  "tbTittttxxotT", 2,
	  "ON CONFLICT (part, id) DO UPDATE SET open = EXCLUDED.open, "
	  "closed_reason = EXCLUDED.closed_reason, "
	  "closed_at = EXCLUDED.closed_at" },
	{ "gf_outbox", "gf_outbox",
	  "part, id, at, kind, order_id, dept, message, clock, step, due",
	  "tbTttttttT", 0, "" },
	{ "gf_notify", NULL, NULL, "t", 0, "SELECT pg_notify('gf_outbox', $1)" },
};

#define MAXP 20
#define CHUNK 256       /* statements in flight before reading results */
#define OID_BYTEA 17
#define OID_TEXT 25

static int nparams(int kind)
{
	return (int)strlen(stmts[kind].types);
}

/* Parameters that are bytea go in binary. */
static int is_binary(int kind, int i)
{
	return stmts[kind].types[i] == 'x';
}

/* The SQL of a table's statement for one row (rows 0) or many (1), into
 * sql; 0, or -1 if it does not fit. */
static int stmt_sql(char *sql, size_t size, int kind, int rows)
{
	static const struct {
		char type;
		const char *pre, *post;
	} as[] = {
		{ 'i', "", "::integer" }, { 'b', "", "::bigint" },
		{ 's', "", "::smallint" }, { 'd', "", "::double precision" },
		{ 'o', "", "::boolean" }, { 'x', "", "::bytea" },
		{ 'T', "gf_ms(", "::bigint)" },
	};
	const char *types = stmts[kind].types;
	size_t n = 0;
	int np = nparams(kind);
#define PUT(...)                                                       \
	do {                                                           \
		int w_ = snprintf(sql + n, size - n, __VA_ARGS__);     \
		if (w_ < 0 || (size_t)w_ >= size - n)                  \
			return -1;                                     \
		n += (size_t)w_;                                       \
	} while (0)
	if (!stmts[kind].table) {
		PUT("%s", stmts[kind].conflict);
		return 0;
	}
	PUT("INSERT INTO %s (%s) %s", stmts[kind].table, stmts[kind].cols,
	    rows ? "SELECT " : "VALUES (");
	for (int i = 0; i < np; i++) {
		const char *pre = "", *post = "";
		for (size_t k = 0; k < sizeof as / sizeof as[0]; k++)
			if (as[k].type == types[i]) {
				pre = as[k].pre;
				post = as[k].post;
			}
		PUT("%s%s%s%d%s", i ? ", " : "", pre, rows ? "u.c" : "$",
		    i + 1, post);
	}
	if (rows) {
		PUT(" FROM unnest(");
		for (int i = 0; i < np; i++)
			PUT("%s$%d::%s[]", i ? ", " : "", i + 1,
			    types[i] == 'x' ? "bytea" : "text");
		PUT(") AS u(");
		for (int i = 0; i < np; i++)
			PUT("%sc%d", i ? ", " : "", i + 1);
		PUT(")");
	} else {
		PUT(")");
	}
	if (stmts[kind].conflict[0])
		PUT(" %s", stmts[kind].conflict);
#undef PUT
	return 0;
}

/* A queued statement: its parameters live in the batch's data buffer
 * (offsets, as the buffer may move); len -1 is NULL. */
typedef struct qstmt {
	uint8_t kind;
	size_t off[MAXP];
	int len[MAXP];
} qstmt;

typedef struct pgstore {
	gf__store base;
	PGconn *conn;
	char *conninfo;
	char part[33];
	char owner[128];
	long long token;
	unsigned batch_max, batch_delay_ms, lease_ms, retry_ms;
	uint64_t seq;           /* last record appended */
	uint64_t committed;     /* last record known committed */
	uint64_t outbox_id;
	/* the batch */
	qstmt *q;
	size_t nq, cq;
	gf__buf data;
	uint64_t first_seq;     /* first record of the batch (0: none) */
	int64_t opened_ms;      /* monotonic time the batch began */
	int64_t renewed_ms;     /* the lease was renewed by then at least */
	uint64_t first_outbox;  /* its first notice's id (0: no notice) */
	int oom;                /* queueing failed: the batch is lost */
	int read_only;          /* no lease, no writes */
	/* the connection's server process, to end it when the connection
	 * is abandoned as stalled */
	int stalled;            /* the server went silent: abandoned */
	unsigned silence_ms;    /* how long a reply may take to start */
	int long_ok;            /* this one may take longer (a migration) */
	int backend_pid;
	char backend_start[48];
	/* the batch as sent (plan()): its rows by table, an upsert's
	 * later row in place of its earlier ones; a table with several
	 * rows goes as one statement of arrays (arr, at aoff/alen) */
	uint32_t *ix;           /* 2 * cix: the rows, then sorting room */
	size_t cix;
	struct unit {
		uint8_t kind;
		uint8_t many;   /* the table's arrays, else row q */
		uint32_t q;
	} *units;
	size_t nunits;
	gf__buf arr;
	size_t aoff[S_COUNT][MAXP];
	int alen[S_COUNT][MAXP];
	/* the statement being filled */
	qstmt *cur;
	int np;
	char num[32];
} pgstore;

static int64_t mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* In how many ms the lease is half gone, when a transaction's fence
 * renews it (<= 0: now). */
static int64_t renew_in(const pgstore *s)
{
	return s->renewed_ms + (int64_t)s->lease_ms / 2 - mono_ms();
}

/* ---- waiting for the server ----------------------------------------- */

/* The connection works and has not been abandoned. */
static int conn_ok(pgstore *s)
{
	return PQstatus(s->conn) == CONNECTION_OK && !s->stalled;
}

static const char *pq_msg(pgstore *s, const PGresult *r)
{
	static _Thread_local char buf[96];
	if (!s->stalled)
		return gf__pq_msg(s->conn, r);
	snprintf(buf, sizeof buf,
		 "no reply from the server for %u ms (stalled, or waiting "
		 "on a lock)",
		 s->silence_ms);
	return buf;
}

/*
 * The connection is non-blocking, so that a server or network that stops
 * answering cannot hold a call forever: send what is queued and wait
 * until a result can be read without blocking. 0, or -1 when the
 * connection failed, or stayed silent (nothing sent or received) for
 * silence_ms; the connection is then abandoned (conn_ok() is false) and
 * the batch goes through reconnection like a dropped one.
 */
static int pq_ready(pgstore *s)
{
	/* a wait that may run long (s->long_ok) is looked at each minute */
	unsigned silence = s->long_ok ? 60000 : s->silence_ms;
	int64_t until = mono_ms() + silence;
	for (;;) {
		int f = PQflush(s->conn);
		if (f < 0)
			return -1;
		if (f == 0 && !PQisBusy(s->conn))
			return 0;
		int64_t left = until - mono_ms();
		if (left <= 0 && s->long_ok) {
			until = mono_ms() + silence;
			continue;
		}
		if (left <= 0) {
			s->stalled = 1;
			return -1;
		}
		struct pollfd p = { PQsocket(s->conn),
				    (short)(POLLIN | (f ? POLLOUT : 0)), 0 };
		int n = poll(&p, 1, (int)left);
		if (n < 0 && errno != EINTR)
			return -1;
		if (n <= 0)
			continue;
		until = mono_ms() + silence; /* it moved */
		if ((p.revents & (POLLIN | POLLERR | POLLHUP)) &&
		    !PQconsumeInput(s->conn))
			return -1;
	}
}

/* PQgetResult that cannot block past silence_ms: NULL at the end of a
 * statement's results, or when the connection failed or stalled. */
static PGresult *get_result(pgstore *s)
{
	if (s->stalled)
		return NULL;
	if (pq_ready(s) && (s->stalled || PQstatus(s->conn) == CONNECTION_OK))
		return NULL;
	return PQgetResult(s->conn);
}

/* The results of what was sent last, until the end: the last one (the
 * caller's), or NULL when the connection failed or stalled. */
static PGresult *last_result(pgstore *s)
{
	PGresult *last = NULL, *r;
	while ((r = get_result(s)) != NULL) {
		PQclear(last);
		last = r;
	}
	if (!conn_ok(s)) {
		PQclear(last);
		return NULL;
	}
	return last;
}

/* ---- errors ---------------------------------------------------------- */

/* Connection-level failures, worth a reconnect: class 08, and the
 * server shutting down or restarting. */
static int transient(const char *state)
{
	/* no SQLSTATE: not a statement's error, the connection's */
	if (!state || !state[0])
		return 1;
	return strncmp(state, "08", 2) == 0 || strcmp(state, "57P01") == 0 ||
	       strcmp(state, "57P02") == 0 || strcmp(state, "57P03") == 0;
}

/* A transaction the server gave up on through no fault of the batch: a
 * lock it waited on past lock_timeout (a DBA's maintenance), a deadlock
 * or serialization failure (class 40), a statement cancelled or past
 * statement_timeout. Nothing of it committed: sent again, on the same
 * connection, until retry_ms. */
static int retryable(const char *state)
{
	return strncmp(state, "40", 2) == 0 || strcmp(state, "55P03") == 0 ||
	       strcmp(state, "57014") == 0;
}

/* ---- queueing -------------------------------------------------------- */

static void q_begin(pgstore *s, int kind)
{
	s->cur = NULL;
	s->np = 0;
	if (s->oom)
		return;
	if (s->nq == s->cq) {
		size_t nc = s->cq ? 2 * s->cq : 64;
		qstmt *nv = gf__realloc(s->q, nc * sizeof *nv);
		if (!nv) {
			s->oom = 1;
			return;
		}
		s->q = nv;
		s->cq = nc;
	}
	s->cur = &s->q[s->nq++];
	s->cur->kind = (uint8_t)kind;
}

static void q_bytes(pgstore *s, const void *p, size_t n)
{
	if (!s->cur || s->np >= MAXP)
		return;
	int i = s->np++;
	if (!p) {
		s->cur->len[i] = -1;
		s->cur->off[i] = 0;
		return;
	}
	if (n > INT32_MAX - 1 || gf__buf_reserve(&s->data, n + 1)) {
		s->oom = 1;
		s->cur = NULL;
		s->nq--;
		return;
	}
	s->cur->off[i] = s->data.len;
	s->cur->len[i] = (int)n;
	memcpy(s->data.p + s->data.len, p, n);
	s->data.len += n;
	s->data.p[s->data.len++] = '\0';
}

static void q_str(pgstore *s, const char *v)
{
	q_bytes(s, v, v ? strlen(v) : 0);
}

static void q_int(pgstore *s, long long v)
{
	char b[24];
	int n = snprintf(b, sizeof b, "%lld", v);
	q_bytes(s, b, (size_t)n);
}

static void q_time(pgstore *s, gf_time t)
{
	if (t == GF_TIME_NONE)
		q_bytes(s, NULL, 0);
	else
		q_int(s, (long long)t);
}

static void q_double(pgstore *s, double v, int have)
{
	char b[40];
	if (!have) {
		q_bytes(s, NULL, 0);
		return;
	}
	int n = snprintf(b, sizeof b, "%.9g", v);
	q_bytes(s, b, (size_t)n);
}


static void batch_clear(pgstore *s)
{
	s->nq = 0;
	gf__buf_reset(&s->data);
	s->first_seq = 0;
	s->first_outbox = 0;
	s->oom = 0;
}

/* ---- connection ------------------------------------------------------ */

static int prepare_all(pgstore *s, gf__err *err)
{
	for (int i = 0; i < S_COUNT; i++) {
		for (int rows = 0; rows <= (stmts[i].table != NULL); rows++) {
			char name[32], sql[2560];
			snprintf(name, sizeof name, "%s%s", stmts[i].name,
				 rows ? "_n" : "");
			if (stmt_sql(sql, sizeof sql, i, rows))
				return gf__err_set(err, GF_EIO, NULL,
						   "PostgreSQL: statement %s "
						   "is too long",
						   name);
			PGresult *r = PQsendPrepare(s->conn, name, sql,
						    nparams(i), NULL)
					      ? last_result(s)
					      : NULL;
			int ok = PQresultStatus(r) == PGRES_COMMAND_OK;
			if (!ok) {
				int rc = gf__err_set(
					err, GF_EIO, NULL,
					"PostgreSQL: preparing %s: %s", name,
					pq_msg(s, r));
				PQclear(r);
				return rc;
			}
			PQclear(r);
		}
	}
	return GF_OK;
}

/* Statements outside any batch (several when n is 0, else one with n
 * text parameters); the last result is the caller's. */
static PGresult *exec1(pgstore *s, const char *sql, int n,
		       const char *const *v)
{
	if (!conn_ok(s))
		return NULL;
	int sent = n ? PQsendQueryParams(s->conn, sql, n, NULL, v, NULL, NULL,
					 0)
		     : PQsendQuery(s->conn, sql);
	return sent ? last_result(s) : NULL;
}

/* The schema code's statements (gf__pq_exec), on the store's connection
 * and its silence limit, which long_ok lifts. */
static PGresult *schema_run(void *ud, const char *sql, int n,
			    const char *const *v, int long_ok)
{
	pgstore *s = ud;
	s->long_ok = long_ok;
	PGresult *r = exec1(s, sql, n, v);
	s->long_ok = 0;
	return r;
}

static const char *schema_msg(void *ud, const PGresult *r)
{
	return pq_msg(ud, r);
}

/* ---- the lease ------------------------------------------------------- */

static int lease_acquire(pgstore *s, gf__err *err)
{
	char ms[16];
	snprintf(ms, sizeof ms, "%u", s->lease_ms);
	const char *p3[3] = { s->part, s->owner, ms };
	int rc;

	PGresult *r = exec1(s, "SELECT gf_take($1, $2, $3::integer)", 3, p3);
	if (PQresultStatus(r) != PGRES_TUPLES_OK || PQntuples(r) != 1) {
		rc = gf__err_set(err, GF_EIO, NULL,
				 "PostgreSQL: taking the partition lease: %s",
				 pq_msg(s, r));
		PQclear(r);
		return rc;
	}
	if (!PQgetisnull(r, 0, 0)) {
		s->token = atoll(PQgetvalue(r, 0, 0));
		PQclear(r);
		return GF_OK;
	}
	PQclear(r);
	r = exec1(s,
		  "SELECT owner, ceil(extract(epoch FROM lease_until - "
		  "clock_timestamp()) * 1000)::bigint FROM gf_partition "
		  "WHERE part = $1",
		  1, p3);
	if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1)
		rc = gf__err_set(err, GF_EBUSY, "partition",
				 "partition \"%s\" is held by engine %s for "
				 "another %s ms (its lease); open it after "
				 "that engine closes or its lease lapses",
				 s->part, PQgetvalue(r, 0, 0),
				 PQgetvalue(r, 0, 1));
	else
		rc = gf__err_set(err, GF_EBUSY, "partition",
				 "partition \"%s\" is held by another engine",
				 s->part);
	PQclear(r);
	return rc;
}

/* ---- replay ---------------------------------------------------------- */

static uint64_t be64(const char *p)
{
	uint64_t v = 0;
	for (int i = 0; i < 8; i++)
		v = v << 8 | (uint8_t)p[i];
	return v;
}

static int replay(pgstore *s, const gf__store_opts *opts,
		  gf__store_info *info, gf__err *err)
{
	const char *p1[1] = { s->part };
	int rc = GF_OK;

	if (!PQsendQueryParams(s->conn,
			       "SELECT seq, type, body FROM gf_record "
			       "WHERE part = $1 ORDER BY seq",
			       1, NULL, p1, NULL, NULL, 1) ||
	    !PQsetSingleRowMode(s->conn))
		return gf__err_set(err, GF_EIO, NULL,
				   "PostgreSQL: reading the records: %s",
				   pq_msg(s, NULL));
	PGresult *r;
	while ((r = get_result(s)) != NULL) {
		ExecStatusType st = PQresultStatus(r);
		if (st == PGRES_SINGLE_TUPLE && !rc) {
			uint64_t seq = be64(PQgetvalue(r, 0, 0));
			const char *t = PQgetvalue(r, 0, 1);
			uint8_t type = (uint8_t)t[1];
			if (seq != s->seq + 1) {
				rc = gf__err_set(err, GF_ECORRUPT, NULL,
						 "PostgreSQL: partition \"%s\" "
						 "has record %llu after %llu: "
						 "records are missing",
						 s->part,
						 (unsigned long long)seq,
						 (unsigned long long)s->seq);
			} else {
				s->seq = seq;
				info->records++;
				if (opts->replay)
					rc = opts->replay(
						opts->replay_ud, type,
						(const uint8_t *)PQgetvalue(
							r, 0, 2),
						(size_t)PQgetlength(r, 0, 2),
						err);
				if (rc == GF_ECORRUPT)
					gf__err_set(err, GF_ECORRUPT, NULL,
						    "PostgreSQL: partition "
						    "\"%s\", record %llu: %s",
						    s->part,
						    (unsigned long long)seq,
						    gf__err_text(err));
			}
		} else if (st != PGRES_SINGLE_TUPLE &&
			   st != PGRES_TUPLES_OK && !rc) {
			rc = gf__err_set(err, GF_EIO, NULL,
					 "PostgreSQL: reading the records: %s",
					 pq_msg(s, r));
		}
		PQclear(r);
	}
	if (!rc && !conn_ok(s))
		rc = gf__err_set(err, GF_EIO, NULL,
				 "PostgreSQL: reading the records: %s",
				 pq_msg(s, NULL));
	s->committed = s->seq;
	if (rc)
		return rc;
	PGresult *o = exec1(s,
			    "SELECT coalesce(max(id), 0) FROM gf_outbox "
			    "WHERE part = $1",
			    1, p1);
	if (PQresultStatus(o) != PGRES_TUPLES_OK || PQntuples(o) != 1) {
		rc = gf__err_set(err, GF_EIO, NULL,
				 "PostgreSQL: reading the outbox: %s",
				 pq_msg(s, o));
	} else {
		s->outbox_id = strtoull(PQgetvalue(o, 0, 0), NULL, 10);
	}
	PQclear(o);
	return rc;
}

/* ---- sending a batch ------------------------------------------------- */

/* Read one statement's result in pipeline mode. 0, or -1 with the first
 * failure's message and SQLSTATE kept. */
static int read_one(pgstore *s, char *why, size_t whylen, char *state)
{
	PGresult *r = get_result(s);
	int rc = 0;
	if (!r) {
		if (!why[0])
			snprintf(why, whylen, "%s", pq_msg(s, NULL));
		return -1;
	}
	ExecStatusType st = PQresultStatus(r);
	if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK &&
	    st != PGRES_PIPELINE_SYNC) {
		if (!why[0]) {
			const char *ss = PQresultErrorField(r, PG_DIAG_SQLSTATE);
			snprintf(state, 6, "%s", ss ? ss : "");
			snprintf(why, whylen, "%s",
				 st == PGRES_PIPELINE_ABORTED
					 ? "pipeline aborted"
					 : pq_msg(s, r));
		}
		rc = -1;
	}
	int sync = st == PGRES_PIPELINE_SYNC;
	PQclear(r);
	/* each statement's results end with a NULL; a sync has none */
	if (!sync) {
		while ((r = get_result(s)) != NULL)
			PQclear(r);
	}
	return rc;
}

static int send_stmt(pgstore *s, const qstmt *q)
{
	const char *v[MAXP];
	int fmt[MAXP];
	int n = nparams(q->kind);
	for (int i = 0; i < n; i++) {
		v[i] = q->len[i] < 0 ? NULL : s->data.p + q->off[i];
		fmt[i] = is_binary(q->kind, i);
	}
	return PQsendQueryPrepared(s->conn, stmts[q->kind].name, n, v, q->len,
				   fmt, 0);
}

/* ---- the batch as sent ---------------------------------------------- */

static void put32(char *p, uint32_t v)
{
	p[0] = (char)(v >> 24);
	p[1] = (char)(v >> 16);
	p[2] = (char)(v >> 8);
	p[3] = (char)v;
}

/* The order of rows a and b of one table by their upsert keys, 0 for
 * the same key. */
static int key_cmp(const pgstore *s, uint32_t a, uint32_t b)
{
	const qstmt *x = &s->q[a], *y = &s->q[b];
	for (int i = 0; i < stmts[x->kind].nkey; i++) {
		int lx = x->len[i], ly = y->len[i];
		if (lx != ly)
			return lx < ly ? -1 : 1;
		int c = lx > 0 ? memcmp(s->data.p + x->off[i],
					s->data.p + y->off[i], (size_t)lx)
			       : 0;
		if (c)
			return c;
	}
	return 0;
}

/* Rows v[0..n) sorted by key, then by their place in the batch (a merge
 * sort, stable; tmp has room for n). */
static void sort_rows(const pgstore *s, uint32_t *v, uint32_t *tmp,
		      size_t n)
{
	if (n < 2)
		return;
	size_t h = n / 2, i = 0, j = h, k = 0;
	sort_rows(s, v, tmp, h);
	sort_rows(s, v + h, tmp, n - h);
	while (i < h && j < n)
		tmp[k++] = key_cmp(s, v[i], v[j]) <= 0 ? v[i++] : v[j++];
	while (i < h)
		tmp[k++] = v[i++];
	while (j < n)
		tmp[k++] = v[j++];
	memcpy(v, tmp, n * sizeof *v);
}

/*
 * The m rows v of table kind as one array per column, in PostgreSQL's
 * binary array format (dimensions, then each element's length, -1 for
 * NULL, and bytes), into arr at aoff/alen. A text element ends at its
 * first NUL, as a text parameter does. 0, or -1 without the memory.
 */
static int build_arrays(pgstore *s, int kind, const uint32_t *v, size_t m)
{
	int np = nparams(kind);
	size_t need = 0;
	for (int c = 0; c < np; c++) {
		need += 20;
		for (size_t r = 0; r < m; r++) {
			int len = s->q[v[r]].len[c];
			need += 4 + (len > 0 ? (size_t)len : 0);
		}
	}
	if (need > INT32_MAX || gf__buf_reserve(&s->arr, need))
		return -1;
	for (int c = 0; c < np; c++) {
		size_t at = s->arr.len;
		int hasnull = 0, bin = is_binary(kind, c);
		s->arr.len += 20;
		for (size_t r = 0; r < m; r++) {
			const qstmt *q = &s->q[v[r]];
			const char *p = s->data.p + q->off[c];
			int len = q->len[c];
			if (len > 0 && !bin)
				len = (int)strnlen(p, (size_t)len);
			put32(s->arr.p + s->arr.len,
			      len < 0 ? UINT32_MAX : (uint32_t)len);
			s->arr.len += 4;
			if (len < 0) {
				hasnull = 1;
			} else if (len > 0) {
				memcpy(s->arr.p + s->arr.len, p, (size_t)len);
				s->arr.len += (size_t)len;
			}
		}
		char *h = s->arr.p + at;
		put32(h, 1);                    /* dimensions */
		put32(h + 4, (uint32_t)hasnull);
		put32(h + 8, bin ? OID_BYTEA : OID_TEXT);
		put32(h + 12, (uint32_t)m);     /* elements */
		put32(h + 16, 1);               /* lower bound */
		s->aoff[kind][c] = at;
		s->alen[kind][c] = (int)(s->arr.len - at);
	}
	return 0;
}

/*
 * Lay the batch out as it is sent (units): the rows by table, and of an
 * upsert's rows with one key only the last, which sets every column an
 * earlier one would (a statement may not touch a row twice); a table
 * with several rows as one statement of arrays. The tables have no
 * foreign keys or triggers, so their order does not matter. 0, or -1
 * without the memory: the batch then goes as queued, a statement per
 * row, which stores the same.
 */
static int plan(pgstore *s)
{
	size_t n = s->nq;
	if (n > UINT32_MAX / 2)
		return -1;
	if (s->cix < n) {
		uint32_t *nv = gf__realloc(s->ix, 2 * n * sizeof *nv);
		if (!nv)
			return -1;
		s->ix = nv;
		struct unit *nu = gf__realloc(s->units, n * sizeof *nu);
		if (!nu)
			return -1;
		s->units = nu;
		s->cix = n;
	}
	size_t start[S_COUNT + 1] = { 0 }, fill[S_COUNT];
	for (size_t i = 0; i < n; i++)
		start[s->q[i].kind + 1]++;
	for (int k = 0; k < S_COUNT; k++)
		start[k + 1] += start[k];
	memcpy(fill, start, sizeof fill);
	for (size_t i = 0; i < n; i++)
		s->ix[fill[s->q[i].kind]++] = (uint32_t)i;
	gf__buf_reset(&s->arr);
	s->nunits = 0;
	for (int k = 0; k < S_COUNT; k++) {
		uint32_t *v = s->ix + start[k];
		size_t m = start[k + 1] - start[k];
		if (stmts[k].nkey && m > 1) {
			sort_rows(s, v, s->ix + n, m);
			size_t w = 0;
			for (size_t r = 0; r < m; r++)
				if (r + 1 == m || key_cmp(s, v[r], v[r + 1]))
					v[w++] = v[r];
			m = w;
		}
		if (m > 1 && build_arrays(s, k, v, m) == 0) {
			s->units[s->nunits++] =
				(struct unit){ (uint8_t)k, 1, 0 };
			continue;
		}
		for (size_t r = 0; r < m; r++)
			s->units[s->nunits++] =
				(struct unit){ (uint8_t)k, 0, v[r] };
	}
	return 0;
}

static int send_unit(pgstore *s, const struct unit *u)
{
	if (!u->many)
		return send_stmt(s, &s->q[u->q]);
	const char *v[MAXP];
	int fmt[MAXP];
	char name[32];
	int n = nparams(u->kind);
	for (int i = 0; i < n; i++) {
		v[i] = s->arr.p + s->aoff[u->kind][i];
		fmt[i] = 1;
	}
	snprintf(name, sizeof name, "%s_n", stmts[u->kind].name);
	return PQsendQueryPrepared(s->conn, name, n, v, s->alen[u->kind], fmt,
				   0);
}

/* One attempt: 0 committed; -1 failed (why, state say how). */
static int send_batch(pgstore *s, char *why, size_t whylen, char *state)
{
	char token[24], lease[16];
	const char *fence[3] = { s->part, token, lease };
	size_t sent = 0, read = 0;
	int bad = 0;

	why[0] = '\0';
	state[0] = '\0';
	snprintf(token, sizeof token, "%lld", s->token);
	snprintf(lease, sizeof lease, "%u", s->lease_ms);
	if (!conn_ok(s) ||
	    !PQenterPipelineMode(s->conn)) {
		snprintf(why, whylen, "%s", pq_msg(s, NULL));
		return -1;
	}
	/* BEGIN, fence, statements, (notify), COMMIT, then the sync */
	int planned = plan(s) == 0;
	size_t nst = planned ? s->nunits : s->nq;
	size_t total = nst + 3 + (s->first_outbox ? 1 : 0);
	for (size_t i = 0; i < total && !bad; i++) {
		int ok;
		if (i == 0)
			ok = PQsendQueryParams(s->conn, "BEGIN", 0, NULL, NULL,
					       NULL, NULL, 0);
		else if (i == 1)
			ok = PQsendQueryPrepared(s->conn, "gf_fence", 3, fence,
						 NULL, NULL, 0);
		else if (i - 2 < nst)
			ok = planned ? send_unit(s, &s->units[i - 2])
				     : send_stmt(s, &s->q[i - 2]);
		else if (s->first_outbox && i == total - 2) {
			const char *p1[1] = { s->part };
			ok = PQsendQueryPrepared(s->conn, "gf_notify", 1, p1,
						 NULL, NULL, 0);
		} else
			ok = PQsendQueryParams(s->conn, "COMMIT", 0, NULL,
					       NULL, NULL, NULL, 0);
		if (!ok) {
			snprintf(why, whylen, "%s", pq_msg(s, NULL));
			bad = 1;
			break;
		}
		sent++;
		/* keep at most CHUNK statements unread */
		if (sent - read >= CHUNK && i + 1 < total) {
			/* what is not sent yet goes as the results are
			 * awaited (pq_ready) */
			if (!PQsendFlushRequest(s->conn) ||
			    PQflush(s->conn) < 0) {
				snprintf(why, whylen, "%s",
					 pq_msg(s, NULL));
				bad = 1;
				break;
			}
			while (read < sent) {
				if (read_one(s, why, whylen, state))
					bad = 1;
				read++;
				if (!conn_ok(s))
					break;
			}
			if (!conn_ok(s))
				break;
		}
	}
	if (conn_ok(s) &&
	    (!PQpipelineSync(s->conn))) {
		if (!why[0])
			snprintf(why, whylen, "%s", pq_msg(s, NULL));
		bad = 1;
	}
	while (read < sent && conn_ok(s)) {
		if (read_one(s, why, whylen, state))
			bad = 1;
		read++;
	}
	/* the sync */
	if (conn_ok(s)) {
		PGresult *r = get_result(s);
		if (!r || PQresultStatus(r) != PGRES_PIPELINE_SYNC) {
			/* where the sync should be, a server going down
			 * says "terminating connection" (57P01) before
			 * libpq has seen the socket close */
			const char *ss =
				r ? PQresultErrorField(r, PG_DIAG_SQLSTATE)
				  : NULL;
			if (!why[0])
				snprintf(why, whylen, "%s",
					 pq_msg(s, r));
			if (!state[0] || (ss && transient(ss)))
				snprintf(state, 6, "%s", ss ? ss : "");
			bad = 1;
		}
		PQclear(r);
	}
	if (!conn_ok(s)) {
		if (!why[0])
			snprintf(why, whylen, "%s", pq_msg(s, NULL));
		state[0] = '\0';  /* the connection: transient */
		return -1;
	}
	PQexitPipelineMode(s->conn);
	/* a failed statement skipped the COMMIT: leave the failed
	 * transaction, so that the session can still release the lease */
	if (bad && PQtransactionStatus(s->conn) != PQTRANS_IDLE)
		PQclear(exec1(s, "ROLLBACK", 0, NULL));
	return bad ? -1 : 0;
}

/* Where the partition ends in the database: its last record and last
 * notice, and whether its lease token is still ours. One statement, so
 * one snapshot: records past ours are another engine's only if the
 * token moved on. */
typedef struct stored {
	long long seq;
	long long outbox;
	int ours;
} stored;

static int stored_end(pgstore *s, stored *st)
{
	const char *p1[1] = { s->part };
	PGresult *r = exec1(s,
			    "SELECT (SELECT coalesce(max(seq), 0) FROM "
			    "gf_record WHERE part = $1), (SELECT "
			    "coalesce(max(id), 0) FROM gf_outbox WHERE part = "
			    "$1), (SELECT token FROM gf_partition WHERE part = "
			    "$1)",
			    1, p1);
	int rc = -1;
	if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1) {
		st->seq = atoll(PQgetvalue(r, 0, 0));
		st->outbox = atoll(PQgetvalue(r, 0, 1));
		st->ours = !PQgetisnull(r, 0, 2) &&
			   atoll(PQgetvalue(r, 0, 2)) == s->token;
		rc = 0;
	}
	PQclear(r);
	return rc;
}

/* Did the batch commit, by what the database holds? Its records, or
 * without records its notices, say so; a batch of neither (the fence,
 * upserts) can only be sent again, which is harmless. */
static int batch_stored(const pgstore *s, const stored *st)
{
	if (s->first_seq)
		return st->seq >= (long long)s->seq;
	return s->first_outbox && st->outbox >= (long long)s->outbox_id;
}

static void nap_ms(unsigned ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };
	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
}

/* Note which server process serves the connection (its pid and start),
 * so that a later connection can end it. */
static void identify(pgstore *s)
{
	PGresult *r = exec1(s,
			    "SELECT pg_backend_pid(), (extract(epoch FROM "
			    "backend_start) * 1000000)::bigint FROM "
			    "pg_stat_activity WHERE pid = pg_backend_pid()",
			    0, NULL);
	s->backend_pid = 0;
	if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1) {
		s->backend_pid = atoi(PQgetvalue(r, 0, 0));
		snprintf(s->backend_start, sizeof s->backend_start, "%s",
			 PQgetvalue(r, 0, 1));
	}
	PQclear(r);
}

/* A server process's answers go nowhere (the warning of a termination
 * that timed out, say): the errors that matter come as results. */
static void no_notices(void *arg, const char *message)
{
	(void)arg;
	(void)message;
}

/* The connection made ready for use: non-blocking, quiet. */
static int conn_init(pgstore *s, gf__err *err)
{
	s->stalled = 0;
	if (PQsetnonblocking(s->conn, 1))
		return gf__err_set(err, GF_EIO, NULL,
				   "PostgreSQL: %s", pq_msg(s, NULL));
	PQsetNoticeProcessor(s->conn, no_notices, NULL);
	identify(s);
	return GF_OK;
}

/* And prepared (unless read-only: the schema may be older than the
 * statements). */
static int conn_setup(pgstore *s, gf__err *err)
{
	int rc = conn_init(s, err);
	return rc || s->read_only ? rc : prepare_all(s, err);
}

/*
 * A new connection in place of a dropped or abandoned one. The old
 * server process may live on (a network that lost the connection, a
 * server that stopped answering) with the batch's transaction open, its
 * rows locked: it is ended, waiting up to silence_ms, before anything
 * is read or sent again. 0, or -1 (pq_msg says why).
 */
static int reconnect(pgstore *s, unsigned budget_ms, gf__err *err)
{
	int old = s->backend_pid;
	char start[sizeof s->backend_start], pid[16], wait[16];
	memcpy(start, s->backend_start, sizeof start);
	s->backend_pid = 0;
	s->stalled = 0;
	/* a new connection rather than PQreset: its connect timeout is what
	 * is left of retry_ms */
	PQfinish(s->conn);
	s->conn = gf__pq_connect(s->conninfo, (budget_ms + 999) / 1000);
	if (!conn_ok(s) || conn_setup(s, err))
		return -1;
	if (old && old != s->backend_pid) {
		const char *p3[3] = { pid, start, wait };
		snprintf(pid, sizeof pid, "%d", old);
		snprintf(wait, sizeof wait, "%u", s->silence_ms);
		PQclear(exec1(s,
			      "SELECT pg_terminate_backend(pid, $3::bigint) "
			      "FROM pg_stat_activity WHERE pid = $1::integer "
			      "AND (extract(epoch FROM backend_start) * "
			      "1000000)::bigint = $2::bigint",
			      3, p3));
	}
	return conn_ok(s) ? 0 : -1;
}

static int taken_over(pgstore *s, gf__err *err)
{
	batch_clear(s);
	return gf__err_set(err, GF_EBUSY, "partition",
			   "PostgreSQL: partition \"%s\" was taken over by "
			   "another engine while the connection was down; "
			   "the changes after ticket %llu may not be stored "
			   "(feed them to its new owner again: that is safe)",
			   s->part, (unsigned long long)s->committed);
}

/* Send the batch until it is committed, the error is not the
 * connection's, or the connection stays down past retry_ms. */
static int flush_batch(pgstore *s, gf__err *err)
{
	char why[400], state[6];
	int64_t start = mono_ms();
	/* the fence renews the lease when half of it is gone: then it will
	 * have by the time this transaction runs */
	int renews = renew_in(s) <= 0;
	unsigned backoff = 50;
	int resent = 0;

	if (s->oom) {
		batch_clear(s);
		return gf__err_set(err, GF_ENOMEM, NULL,
				   "out of memory queueing a PostgreSQL batch; "
				   "its changes are lost (reopen the engine)");
	}
	for (;;) {
		if (send_batch(s, why, sizeof why, state) == 0)
			break;
		if (strcmp(state, "GFL01") == 0) {
			batch_clear(s);
			return gf__err_set(err, GF_EBUSY, "partition",
					   "PostgreSQL: %s", why);
		}
		if (resent && strcmp(state, "23505") == 0) {
			/* the abandoned connection's transaction committed
			 * after all, while this one waited on its keys */
			stored st;
			if (stored_end(s, &st) == 0) {
				if (!st.ours)
					return taken_over(s, err);
				if (batch_stored(s, &st))
					break;
			}
		}
		if (conn_ok(s) && retryable(state) &&
		    mono_ms() - start + backoff < (int64_t)s->retry_ms) {
			nap_ms(backoff);
			backoff = backoff * 2 > 2000 ? 2000 : backoff * 2;
			continue;
		}
		if (conn_ok(s) && !transient(state)) {
			batch_clear(s);
			return gf__err_set(err, GF_EIO, NULL,
					   "PostgreSQL: storing a batch "
					   "(SQLSTATE %s): %s",
					   state[0] ? state : "?", why);
		}
		/* the connection: try again until retry_ms */
		for (;;) {
			if (mono_ms() - start >= (int64_t)s->retry_ms) {
				batch_clear(s);
				return gf__err_set(
					err, GF_EIO, NULL,
					"PostgreSQL unreachable for %u ms; "
					"the changes after ticket %llu may "
					"not be stored (reopen and feed them "
					"again: that is safe): %s",
					s->retry_ms,
					(unsigned long long)s->committed, why);
			}
			nap_ms(backoff);
			backoff = backoff * 2 > 2000 ? 2000 : backoff * 2;
			int64_t left = (int64_t)s->retry_ms -
				       (mono_ms() - start);
			if (reconnect(s, left > 0 ? (unsigned)left : 0,
				      err) == 0)
				break;
			snprintf(why, sizeof why, "%s", pq_msg(s, NULL));
		}
		resent = 1;
		/* did the lost reply's transaction commit? (if this check
		 * fails too, the batch goes again: its keys stop a second
		 * copy, and 23505 brings it back here) */
		stored st;
		if (stored_end(s, &st))
			continue;
		/* another engine took the partition over while the
		 * connection was down: what lies past our records is its
		 * work, and whether the batch committed first cannot be
		 * told; its changes are the new owner's to replay if so */
		if (!st.ours)
			return taken_over(s, err);
		if (batch_stored(s, &st))
			break;          /* it did */
		if ((uint64_t)st.seq != s->committed) {
			batch_clear(s);
			return gf__err_set(err, GF_ECORRUPT, NULL,
					   "PostgreSQL: partition \"%s\" ends "
					   "at record %lld, expected %llu",
					   s->part, st.seq,
					   (unsigned long long)s->committed);
		}
		/* it did not: send it again, a batch without records too
		 * (its fence renews the lease; its notices were lost) */
	}
	s->committed = s->seq;
	batch_clear(s);
	s->opened_ms = mono_ms();
	if (renews)
		s->renewed_ms = s->opened_ms;
	return GF_OK;
}

/* ---- the store ops --------------------------------------------------- */

static int pg_append(gf__store *st, uint8_t type, const void *p, size_t n,
		     gf__err *err)
{
	pgstore *s = (pgstore *)st;
	uint64_t seq = s->seq + 1;
	size_t before = s->nq;

	if (s->read_only)
		return gf__err_set(err, GF_EPERM, NULL,
				   "the PostgreSQL store was opened read-only");
	if (!s->first_seq) {
		s->first_seq = seq;
		s->opened_ms = mono_ms();
	}
	q_begin(s, S_RECORD);
	q_str(s, s->part);
	q_int(s, (long long)seq);
	q_int(s, type);
	q_bytes(s, p, n);
	/* (a commit that could not queue its rows flushed, which dropped
	 * the batch and cleared oom: it is this record's) */
	if (s->oom) {
		/* nothing of it is queued for good, and the rest stays */
		s->oom = 0;
		s->nq = before;
		if (s->first_seq == seq)
			s->first_seq = 0;
		return gf__err_set(err, GF_ENOMEM, NULL,
				   "out of memory queueing a record");
	}
	s->seq = seq;
	return GF_OK;
}

static void queue_order(pgstore *s, gf_order *o)
{
	gf_time due = GF_TIME_NONE;
	size_t nc = gf_order_clock_count(o);
	for (size_t i = 0; i < nc; i++) {
		const gf_sla_clock *c = gf_order_clock(o, i);
		gf_time d = gf_sla_clock_due(c);
		if (gf_sla_clock_state(c) == GF_SLA_RUNNING &&
		    d != GF_TIME_NONE && (due == GF_TIME_NONE || d < due))
			due = d;
	}
	q_begin(s, S_ORDER);
	q_str(s, s->part);
	q_str(s, gf_order_id(o));
	q_str(s, gf_state_name(gf_order_state(o)));
	q_str(s, gf_order_lead(o));
	q_str(s, gf_level_name(gf_order_level(o)));
	q_str(s, gf_order_region(o));
	q_str(s, gf_order_category(o));
	q_str(s, gf_urgency_name(gf_order_urgency(o)));
	q_int(s, gf_order_priority(o));
	q_str(s, gf_scale_name(gf_order_scale(o)));
	q_str(s, gf_order_rule(o));
	q_str(s, gf_order_sla(o));
	q_str(s, gf_order_rules_version(o));
	q_int(s, (long long)gf_order_report_count(o));
	q_int(s, (long long)gf_order_caller_count(o));
	q_str(s, gf_order_merged_into(o));
	q_str(s, gf_order_suspected_of(o));
	q_time(s, gf_order_created_at(o));
	q_time(s, gf_order_updated_at(o));
	q_time(s, due);

	size_t na = gf_order_audit_count(o);
	for (size_t i = o->saved_audit; i < na; i++) {
		const gf_audit *a = gf_order_audit(o, i);
		q_begin(s, S_AUDIT);
		q_str(s, s->part);
		q_str(s, gf_order_id(o));
		q_int(s, (long long)i);
		q_time(s, gf_audit_time(a));
		q_str(s, gf_audit_what(a));
		q_str(s, gf_audit_actor_dept(a));
		q_str(s, gf_audit_actor_role(a));
		q_str(s, gf_state_name(gf_audit_from(a)));
		q_str(s, gf_state_name(gf_audit_to(a)));
		q_str(s, gf_audit_reason(a));
		q_str(s, gf_audit_lead(a));
	}
	o->saved_audit = (uint32_t)na;

	/* a split takes reports out of the middle and moves the later ones
	 * down: write them all again (the upsert changes only what moved) */
	size_t nr = gf_order_report_count(o);
	if (o->saved_reports > nr)
		o->saved_reports = 0;
	for (size_t i = o->saved_reports; i < nr; i++) {
		const gf_report *r = gf_order_report(o, i);
		double lat = 0, lon = 0;
		int have = gf_report_location(r, &lat, &lon);
		q_begin(s, S_REPORT);
		q_str(s, s->part);
		q_str(s, gf_channel_name(gf_report_channel(r)));
		q_str(s, gf_report_source_id(r));
		q_str(s, gf_order_id(o));
		q_int(s, (long long)i);
		q_time(s, gf_report_received_at(r));
		q_str(s, gf_report_region(r));
		q_str(s, gf_report_category(r));
		q_str(s, gf_report_title(r));
		q_str(s, gf_report_content(r));
		q_str(s, gf_report_address(r));
		q_str(s, gf_report_grid(r));
		q_double(s, lat, have);
		q_double(s, lon, have);
		q_str(s, gf_report_reporter(r));
		q_str(s, gf_report_json(r));
	}
	o->saved_reports = (uint32_t)nr;

	for (size_t i = 0; i < nc; i++) {
		const gf_sla_clock *c = gf_order_clock(o, i);
		q_begin(s, S_CLOCK);
		q_str(s, s->part);
		q_str(s, gf_order_id(o));
		q_str(s, gf_sla_clock_name(c));
		q_str(s, gf_sla_state_name(gf_sla_clock_state(c)));
		q_time(s, gf_sla_clock_started(c));
		q_time(s, gf_sla_clock_due(c));
		q_time(s, gf_sla_clock_warning(c));
		q_time(s, gf_sla_clock_stopped(c));
		q_int(s, (long long)gf_sla_clock_paused_ms(c));
		q_int(s, gf_sla_clock_extensions(c));
		q_int(s, gf_sla_clock_runs(c));
		q_int(s, gf_sla_clock_steps_fired(c));
	}
}

static void queue_quar(pgstore *s, const gf_quarantined *q)
{
	q_begin(s, S_QUAR);
	q_str(s, s->part);
	q_int(s, (long long)q->id);
	q_time(s, q->at);
	q_int(s, q->code);
	q_str(s, gf_errname(q->code));
	q_str(s, q->field);
	q_str(s, q->msg ? q->msg : "");
	q_str(s, q->ref);
	q_bytes(s, q->raw ? q->raw : "", q->raw_len);
	q_bytes(s, q->digest, 32);
	q_str(s, q->open ? "true" : "false");
	q_str(s, q->closed_reason);
	q_time(s, q->open ? GF_TIME_NONE : q->closed_at);
}

static void queue_notice(pgstore *s, const gf_notice *n)
{
	q_begin(s, S_OUTBOX);
	q_str(s, s->part);
	q_int(s, (long long)++s->outbox_id);
	if (!s->first_outbox)
		s->first_outbox = s->outbox_id;
	q_time(s, gf_notice_time(n));
	q_str(s, gf_notice_kind_name(gf_notice_kind_of(n)));
	q_str(s, gf_notice_order(n));
	q_str(s, gf_notice_dept(n));
	q_str(s, gf_notice_message(n) ? gf_notice_message(n) : "");
	q_str(s, gf_notice_clock(n));
	q_str(s, gf_notice_step(n));
	q_time(s, gf_notice_due(n));
}

static int pg_commit(gf__store *st, const gf__commit *c, gf__err *err)
{
	pgstore *s = (pgstore *)st;

	for (size_t i = 0; i < c->norders; i++)
		queue_order(s, c->orders[i]);
	for (size_t i = 0; i < c->nnotices; i++)
		queue_notice(s, &c->notices[i]);
	for (size_t i = 0; i < c->nquar; i++)
		queue_quar(s, c->quar[i]);
	/* rows without a record (notices of a reload, say) wait for the
	 * next record or a forced commit; an idle engine past half its
	 * lease renews it (pg_due_in makes that a deadline) */
	if (!s->first_seq && !s->oom && !c->force &&
	    (s->read_only || renew_in(s) > 0))
		return s->nq ? 0 : 1;
	/* a batch may wait for more, but not past the lease's renewal
	 * (a batch_delay_ms longer than half of lease_ms) */
	if (!c->force && !s->oom && s->batch_max > 1 &&
	    s->seq - s->first_seq + 1 < s->batch_max &&
	    mono_ms() - s->opened_ms < (int64_t)s->batch_delay_ms &&
	    renew_in(s) > 0)
		return 0;
	int rc = flush_batch(s, err);
	return rc ? rc : 1;
}

static int pg_flush(gf__store *st, gf__err *err)
{
	gf__commit c = { NULL, 0, NULL, 0, 1, NULL, 0 };
	int rc = pg_commit(st, &c, err);
	return rc < 0 ? rc : GF_OK;
}

static void pg_free(pgstore *s)
{
	if (s->conn)
		PQfinish(s->conn);
	gf__free(s->conninfo);
	gf__free(s->q);
	gf__free(s->ix);
	gf__free(s->units);
	gf__buf_free(&s->data);
	gf__buf_free(&s->arr);
	gf__free(s);
}

static void pg_close(gf__store *st)
{
	pgstore *s = (pgstore *)st;
	/* after an outage, one more try: the host reopening at once should
	 * not have to wait for the lease to lapse */
	gf__err ignored;
	for (int tries = 0; tries < 2 && s->conn && s->token; tries++) {
		if (!conn_ok(s) && reconnect(s, 2000, &ignored))
			break;
		/* a clean close hands the partition on at once */
		char token[24];
		const char *p2[2] = { s->part, token };
		snprintf(token, sizeof token, "%lld", s->token);
		PGresult *r = exec1(s,
				    "UPDATE gf_partition SET owner = NULL, "
				    "lease_until = NULL WHERE part = $1 AND "
				    "token = $2::bigint",
				    2, p2);
		int done = PQresultStatus(r) == PGRES_COMMAND_OK;
		PQclear(r);
		/* the connection was lost under it (the server restarted
		 * since the last statement, say): once more on a new one.
		 * A statement error on a live connection stays an error. */
		if (done || conn_ok(s))
			break;
	}
	pg_free(s);
}

static int64_t pg_due_in(gf__store *st)
{
	pgstore *s = (pgstore *)st;
	int64_t left;
	if (s->read_only)
		return -1;
	/* the lease, renewed at half (rows without a record go with it, or
	 * with the next record or flush); a waiting batch, at its delay or
	 * then, whichever comes first */
	left = renew_in(s);
	if (s->first_seq) {
		int64_t batch = s->opened_ms + (int64_t)s->batch_delay_ms -
				mono_ms();
		if (batch < left)
			left = batch;
	}
	return left > 0 ? left : 0;
}

static const gf__store_ops pg_ops = {
	"pg", 1, pg_append, pg_flush, pg_close, pg_commit, pg_due_in, NULL,
};

void gf__pg_mark_saved(gf_order *const *orders, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		orders[i]->saved_audit = (uint32_t)orders[i]->naudit;
		orders[i]->saved_reports = (uint32_t)orders[i]->nreports;
	}
}

static int part_ok(const char *p)
{
	size_t n = strlen(p);
	if (n < 1 || n > 32)
		return 0;
	for (size_t i = 0; i < n; i++) {
		char c = p[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '-' || c == '_'))
			return 0;
	}
	return 1;
}

int gf__pg_open(gf__store **out, const char *conninfo,
		const gf__store_opts *opts, gf__store_info *info,
		gf__err *err)
{
	const char *part = opts->partition ? opts->partition : "default";
	int rc;

	*out = NULL;
	if (!part_ok(part))
		return gf__err_set(err, GF_EINVAL, "partition",
				   "a partition is 1 to 32 ASCII letters, "
				   "digits, '-' or '_'");
	pgstore *s = gf__calloc(1, sizeof *s);
	if (!s)
		return gf__err_set(err, GF_ENOMEM, NULL, "out of memory");
	s->base.ops = &pg_ops;
	gf__buf_init(&s->data);
	gf__buf_init(&s->arr);
	snprintf(s->part, sizeof s->part, "%s", part);
	s->batch_max = opts->batch_max ? opts->batch_max : 1;
	s->batch_delay_ms = opts->batch_delay_ms ? opts->batch_delay_ms : 10;
	s->lease_ms = opts->lease_ms ? opts->lease_ms : 30000;
	s->retry_ms = opts->retry_ms ? opts->retry_ms : 30000;
	/* a quarter of retry_ms, so that a stalled connection leaves time
	 * to reconnect and send again */
	s->silence_ms = s->retry_ms / 4 > 100 ? s->retry_ms / 4 : 100;
	{
		char host[64] = "";
		(void)gethostname(host, sizeof host - 1);
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		snprintf(s->owner, sizeof s->owner, "%s:%ld:%lx", host,
			 (long)getpid(),
			 (unsigned long)(ts.tv_nsec ^ ts.tv_sec));
	}
	s->conninfo = gf__strdup(conninfo);
	if (!s->conninfo) {
		pg_free(s);
		return gf__err_set(err, GF_ENOMEM, NULL, "out of memory");
	}
	s->conn = gf__pq_connect(conninfo, 10);
	if (!s->conn) {
		pg_free(s);
		return gf__err_set(err, GF_ENOMEM, NULL, "out of memory");
	}
	if (!conn_ok(s)) {
		rc = gf__err_set(err, GF_EIO, NULL,
				 "PostgreSQL: cannot connect: %s",
				 pq_msg(s, NULL));
		pg_free(s);
		return rc;
	}
	s->read_only = opts->read_only != 0;
	/* the schema before the statements that use it */
	gf__pq_exec x = { schema_run, schema_msg, s };
	if ((rc = conn_init(s, err)) ||
	    (rc = s->read_only ? gf__pg_check_version(&x, err)
			       : gf__pg_migrate(&x, NULL, err)) ||
	    (!s->read_only && (rc = prepare_all(s, err)))) {
		pg_free(s);
		return rc;
	}
	if (s->read_only) {
		if ((rc = replay(s, opts, info, err))) {
			pg_free(s);
			return rc;
		}
		*out = &s->base;
		return GF_OK;
	}
	s->renewed_ms = mono_ms();  /* gf_take sets the lease after it */
	/* a replay that took half the lease renews it before the engine
	 * goes to work */
	if ((rc = lease_acquire(s, err)) ||
	    (rc = replay(s, opts, info, err)) ||
	    (renew_in(s) <= 0 && (rc = flush_batch(s, err)))) {
		if (rc != GF_EBUSY && s->token) {
			pg_close(&s->base);
			return rc;
		}
		pg_free(s);
		return rc;
	}
	s->opened_ms = mono_ms();
	*out = &s->base;
	return GF_OK;
}
