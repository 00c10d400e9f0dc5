/*
 * check_pg.c - what only the PostgreSQL store does, read back with libpq:
 * the schema, and who may write to a partition.
 *
 *   migrations  fresh schema, a no-op rerun, a newer schema refused by
 *               gf_store_migrate and open
 *   lease       one engine per partition; a dead holder's lease lapses
 *   fencing     a former holder is fenced off
 *
 * The tables against the engine are in check_pgtables.c, the outbox,
 * group commit and server restarts in check_pgcommit.c. Each test works
 * in its own partition (its own database for the migration test), so
 * runs never see each other. Needs the server GF_TEST_PG names
 * (test/run.sh starts one); without it every test fails and says so.
 */
#include "storeutil.h"

/* ---- 1. migrations --------------------------------------------------- */

/* conninfo with dbname replaced (a URI or key=value string). */
static void with_dbname(char *out, size_t size, const char *dbname)
{
	char *err = NULL;
	PQconninfoOption *opts = PQconninfoParse(pg_conninfo(), &err);
	ck_assert_msg(opts != NULL, "GF_TEST_PG: %s", err ? err : "?");
	size_t len = 0;
	out[0] = '\0';
	for (PQconninfoOption *o = opts; o->keyword; o++) {
		const char *v = strcmp(o->keyword, "dbname") == 0 ? dbname
								   : o->val;
		if (!v)
			continue;
		len += (size_t)snprintf(out + len, size - len, "%s='",
					o->keyword);
		for (const char *s = v; *s && len + 3 < size; s++) {
			if (*s == '\'' || *s == '\\')
				out[len++] = '\\';
			out[len++] = *s;
		}
		len += (size_t)snprintf(out + len, size - len, "' ");
	}
	if (!strstr(out, "dbname="))
		len += (size_t)snprintf(out + len, size - len, "dbname='%s'",
					dbname);
	ck_assert_uint_lt(len, size);
	PQconninfoFree(opts);
}

/* The message names both schema versions. */
static void names_both(const char *who, const char *err, const char *newer,
		       const char *have)
{
	ck_assert_msg(strstr(err, newer) && strstr(err, have),
		      "%s message does not name both %s and %s: %s", who,
		      newer, have, err);
}

START_TEST(migrations)
{
	char dbname[64], admin[1024], ci[1024], spec[1100], err[512];
	snprintf(dbname, sizeof(dbname), "gf_mig_%d_%ld", (int)getpid(),
		 (long)(wall_ms() % 10000000));
	with_dbname(admin, sizeof(admin), "postgres");
	with_dbname(ci, sizeof(ci), dbname);
	snprintf(spec, sizeof(spec), "pg:%s", ci);
	PGconn *a = db_connect(admin);
	q_dof(a, "CREATE DATABASE %s", dbname);

	/* a fresh database gets this library's schema */
	int want = gf_store_schema_version(), v = -1;
	ck_assert_int_ge(want, 1);
	ck_assert_int_eq(gf_store_migrate(spec, &v, err, sizeof(err)), GF_OK);
	ck_assert_int_eq(v, want);
	PGconn *c = db_connect(ci);
	ck_assert_int_eq(q_ll(c, "SELECT max(version) FROM gf_schema", 0,
			      NULL),
			 want);
	ck_assert_int_eq(q_ll(c, "SELECT count(*) FROM gf_schema", 0, NULL),
			 want);
	static const char *const tables[] = {
		"gf_partition", "gf_record", "gf_order", "gf_report",
		"gf_audit", "gf_clock", "gf_quarantine", "gf_outbox",
		"gf_overdue",
	};
	relations_exist(c, "SELECT count(*) FROM pg_class WHERE relname = $1",
			tables, sizeof(tables) / sizeof(tables[0]),
			"after the migration");
	char before[256], after[256];
	const char *state_sql =
		"SELECT (SELECT string_agg(version || '@' || applied_at, ',' "
		"ORDER BY version) FROM gf_schema) || ' ' || "
		"'gf_order'::regclass::oid || ' ' || "
		"'gf_outbox'::regclass::oid || ' ' || "
		"'gf_outbox_take'::regproc::oid";
	q_s(c, before, sizeof(before), state_sql, 0, NULL);

	/* again: nothing to do, nothing done */
	v = -1;
	ck_assert_int_eq(gf_store_migrate(spec, &v, err, sizeof(err)), GF_OK);
	ck_assert_int_eq(v, want);
	q_s(c, after, sizeof(after), state_sql, 0, NULL);
	ck_assert_str_eq(before, after);
	/* and an engine opens on it */
	gf_config *cfg = fx_config();
	gf_options o = pg_opts(cfg, "mig");
	o.store = spec;
	gf_engine *eng = open_ok(&o);
	ck_assert_int_eq(ingest_sid(eng, "M1", 0), GF_OK);
	ck_assert_int_eq(gf_engine_close(eng), GF_OK);
	q_s(c, after, sizeof(after), state_sql, 0, NULL);
	ck_assert_str_eq(before, after);

	/* an engine whose role may use the tables but not create anything
	 * (since PostgreSQL 15 nobody may create in public by default; the
	 * deployment migrates apart, with DDL rights) opens and writes */
	char role[64], rspec[1200];
	snprintf(role, sizeof(role), "gf_engine_%d", (int)getpid());
	q_do(a, "SET client_min_messages = warning", 0, NULL);
	q_dof(a, "DROP ROLE IF EXISTS %s", role);
	q_dof(a, "CREATE ROLE %s LOGIN", role);
	q_dof(c, "GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN "
		 "SCHEMA public TO %s", role);
	snprintf(rspec, sizeof(rspec), "%s user=%s", spec, role);
	gf_options orole = o;
	orole.store = rspec;
	eng = open_ok(&orole);
	ck_assert_int_eq(ingest_sid(eng, "M2", 1), GF_OK);
	ck_assert_int_eq(gf_engine_close(eng), GF_OK);
	ck_assert_int_eq(q_ll(c, "SELECT count(*) FROM gf_report WHERE "
				 "part = 'mig'", 0, NULL),
			 2);
	/* and a migration with that role finds nothing to do */
	err[0] = '\0';
	ck_assert_int_eq(gf_store_migrate(rspec, &v, err, sizeof(err)), GF_OK);
	ck_assert_int_eq(v, want);
	q_s(c, after, sizeof(after), state_sql, 0, NULL);
	ck_assert_str_eq(before, after);

	/* a schema kept locked (a long transaction of a DBA's): the open,
	 * to write or to read, gives up after a quarter of retry_ms rather
	 * than wait with it; once the lock is gone it opens */
	q_do(c, "BEGIN", 0, NULL);
	q_do(c, "LOCK TABLE gf_schema IN ACCESS EXCLUSIVE MODE", 0, NULL);
	for (int ro = 0; ro < 2; ro++) {
		gf_options ol = o;
		ol.retry_ms = 1000;
		ol.read_only = ro;
		eng = NULL;
		err[0] = '\0';
		int64_t t0 = mono_ms();
		int rc = gf_engine_open(&eng, &ol, err, sizeof(err));
		int64_t took = mono_ms() - t0;
		ck_assert_msg(rc == GF_EIO, "open (read-only %d) on a locked "
			      "schema: %s: %s", ro, gf_errname(rc), err);
		ck_assert_ptr_null(eng);
		ck_assert_msg(strstr(err, "no reply") != NULL, "%s", err);
		ck_assert_msg(took >= 200 && took < 3000,
			      "gave up after %lld ms", (long long)took);
	}
	q_do(c, "COMMIT", 0, NULL);
	eng = open_ok(&o);
	ck_assert_int_eq(gf_engine_close(eng), GF_OK);

	/* a database made by a newer library is refused by both */
	char newer[16], have[16];
	snprintf(newer, sizeof(newer), "%d", want + 7);
	snprintf(have, sizeof(have), "%d", want);
	const char *p1[1] = { newer };
	q_do(c, "INSERT INTO gf_schema (version, library) "
		"VALUES ($1::integer, '99.0.0')",
	     1, p1);
	v = -1;
	err[0] = '\0';
	ck_assert_int_eq(gf_store_migrate(spec, &v, err, sizeof(err)),
			 GF_EVERSION);
	ck_assert_int_eq(v, want + 7);
	names_both("the", err, newer, have);
	err[0] = '\0';
	eng = NULL;
	ck_assert_int_eq(gf_engine_open(&eng, &o, err, sizeof(err)),
			 GF_EVERSION);
	ck_assert_ptr_null(eng);
	names_both("open's", err, newer, have);
	/* and by an engine without DDL rights, as such */
	err[0] = '\0';
	ck_assert_int_eq(gf_engine_open(&eng, &orole, err, sizeof(err)),
			 GF_EVERSION);
	names_both("a plain role's open", err, newer, have);
	/* and nothing of the schema was touched */
	ck_assert_int_eq(q_ll(c, "SELECT count(*) FROM gf_order", 0, NULL), 2);
	gf_config_free(cfg);

	/* not a pg: spec */
	ck_assert_int_eq(gf_store_migrate("memory", &v, err, sizeof(err)),
			 GF_EINVAL);
	ck_assert_int_eq(v, 0);
	ck_assert_str_ne(err, "");
	ck_assert_int_eq(gf_store_migrate("journal:/tmp/x.journal", NULL,
					  NULL, 0),
			 GF_EINVAL);
	ck_assert_int_eq(gf_store_migrate(NULL, NULL, err, sizeof(err)),
			 GF_EINVAL);
	/* a pg: spec nobody answers */
	ck_assert_int_eq(gf_store_migrate("pg:host=/nonexistent-gf-dir "
					  "dbname=x connect_timeout=2",
					  NULL, err, sizeof(err)),
			 GF_EIO);

	PQfinish(c);
	q_dof(a, "DROP DATABASE %s WITH (FORCE)", dbname);
	q_dof(a, "DROP ROLE %s", role);
	PQfinish(a);
}
END_TEST

/* ---- 2. the lease ---------------------------------------------------- */

/* In a child: open the partition arg with a short lease, store three
 * orders, die without closing. Says 'k' once they are stored; any
 * failure is an exit status. */
static void die_holding(const void *arg, int fd)
{
	gf_config *cfg = fx_config();
	gf_options o = pg_opts(cfg, arg);
	o.lease_ms = 500;
	gf_engine **eng = child_engine();
	if (gf_engine_open(eng, &o, NULL, 0) != GF_OK)
		_exit(2);
	for (int i = 0; i < 3; i++) {
		char sid[16];
		snprintf(sid, sizeof(sid), "D%d", i + 1);
		if (ingest_sid(*eng, sid, i) != GF_OK)
			_exit(3);
	}
	if (write(fd, "k", 1) != 1)
		_exit(4);
	_exit(0);
}

/* Where a partition's lease ends, in ms since the epoch. */
static const char lease_ms_sql[] =
	"SELECT (extract(epoch FROM lease_until) * 1000)::bigint "
	"FROM gf_partition WHERE part = $1";

START_TEST(lease)
{
	char p1[PART_SIZE], p2[PART_SIZE], p3[PART_SIZE], err[512];
	gf_config *cfg = fx_config();
	gf_options o = pg_part(p1, "lease", cfg, NULL);
	gf_options o3 = pg_part(p3, "lease3", cfg, NULL);

	gf_engine *a = open_ok(&o);
	ck_assert_int_eq(ingest_sid(a, "L1", 0), GF_OK);
	/* a second engine on the partition is refused, and told which */
	gf_engine *b = NULL;
	err[0] = '\0';
	ck_assert_int_eq(gf_engine_open(&b, &o, err, sizeof(err)), GF_EBUSY);
	ck_assert_ptr_null(b);
	ck_assert_msg(strstr(err, p1) != NULL, "no partition in: %s", err);
	/* another partition opens beside it */
	gf_options o2 = pg_part(p2, "lease2", cfg, NULL);
	gf_engine *c = open_ok(&o2);
	ck_assert_int_eq(ingest_sid(c, "L1", 0), GF_OK);
	ck_assert_uint_eq(gf_engine_order_count(c), 1);
	/* a clean close hands the partition on at once (the lease would
	 * hold it 30 s) */
	ck_assert_int_eq(gf_engine_close(a), GF_OK);
	b = open_ok(&o);
	ck_assert_uint_eq(gf_engine_order_count(b), 1);
	ck_assert_ptr_nonnull(gf_engine_order_find(b, "12345:L1"));
	gf_engine_close(b);
	gf_engine_close(c);

	/* an idle holder that flushes keeps its partition past the lease:
	 * the lease moves on by more than its length. (Read off the table:
	 * an open tried after the loop races the 300 ms lease, and under
	 * valgrind an open alone can take longer than that.) */
	PGconn *pc = db();
	gf_options o4 = pg_opts(cfg, p2);
	o4.lease_ms = 300;
	c = open_ok(&o4);
	long long held = part_ll(pc, lease_ms_sql, p2);
	for (int i = 0; i < 6; i++) {
		nap_ms(100);
		ck_assert_int_eq(gf_engine_flush(c), GF_OK);
	}
	ck_assert_int_ge(part_ll(pc, lease_ms_sql, p2), held + 300);
	ck_assert_int_eq(ingest_sid(c, "L2", 1), GF_OK);
	gf_engine_close(c);

	/* under the wall clock the renewal is a deadline: an idle holder
	 * that runs its timers when gf_engine_next_deadline() says keeps
	 * its partition without a flush */
	o4.clock = GF_CLOCK_WALL;
	c = open_ok(&o4);
	held = part_ll(pc, lease_ms_sql, p2);
	int64_t until = mono_ms() + 1000;
	int runs = 0;
	while (mono_ms() < until) {
		/* the deadline first: it reads the clock itself, and a now
		 * read before it would add the time between the two */
		gf_time next = gf_engine_next_deadline(c);
		gf_time now = gf_engine_now(c);
		ck_assert_msg(next - now <= 150, "the next deadline is %lld ms "
			      "away, past half the 300 ms lease",
			      (long long)(next - now));
		if (next > now)
			nap_ms((unsigned)(next - now));
		ck_assert_int_eq(gf_engine_run_timers(c, NULL), GF_OK);
		runs++;
	}
	ck_assert_int_le(runs, 40); /* it waits, it does not spin */
	ck_assert_int_ge(part_ll(pc, lease_ms_sql, p2), held + 300);
	gf_engine_close(c);
	PQfinish(pc);

	/* a holder that dies keeps the partition until its lease lapses */
	pid_t pid;
	char said = fork_child(die_holding, p3, &pid);
	/* its orders are stored and it renews nothing: the partition stays
	 * held (tried before reaping it, which valgrind can make slow) */
	int64_t stored = mono_ms();
	gf_engine *d = NULL;
	err[0] = '\0';
	int rc = said ? gf_engine_open(&d, &o3, err, sizeof(err)) : GF_OK;
	int status = reap(pid);
	ck_assert_msg(said == 'k', "the child holding %s failed (status %d)",
		      p3, status);
	ck_assert_msg(rc == GF_EBUSY, "open while the dead holder's lease "
		      "runs: %s: %s", gf_errname(rc), err);
	ck_assert_msg(strstr(err, p3) != NULL, "no partition in: %s", err);
	rc = open_when_free(&d, &o3, err, sizeof(err),
			    5000 - (mono_ms() - stored), 50);
	ck_assert_msg(rc == GF_OK, "the lapsed lease still blocks: %s: %s",
		      gf_errname(rc), err);
	/* the dead holder's stored orders are all there */
	ck_assert_uint_eq(gf_engine_order_count(d), 3);
	for (int i = 1; i <= 3; i++) {
		char ref[32];
		snprintf(ref, sizeof(ref), "12345:D%d", i);
		ck_assert_int_eq(gf_order_state(order_of(d, ref)),
				 GF_STATE_DISPATCHED);
	}
	ck_assert_int_eq(ingest_sid(d, "D4", 4), GF_OK);
	ck_assert_uint_eq(gf_engine_order_count(d), 4);
	gf_engine_close(d);
	gf_config_free(cfg);
}
END_TEST

/* ---- 3. fencing ------------------------------------------------------ */

START_TEST(fencing)
{
	char part[PART_SIZE];
	gf_config *cfg = fx_config();
	gf_options oa = pg_part(part, "fence", cfg, NULL);
	oa.lease_ms = 300;
	gf_engine *a = open_ok(&oa);
	ck_assert_int_eq(ingest_sid(a, "F1", 0), GF_OK);
	nap_ms(450);

	/* a's lease lapsed while it idled: b takes the partition over */
	gf_options ob = pg_opts(cfg, part);
	gf_engine *b = open_ok(&ob);
	ck_assert_uint_eq(gf_engine_order_count(b), 1);
	ck_assert_int_eq(ingest_sid(b, "F2", 1), GF_OK);

	/* a is fenced off: its next change is refused, and a stays failed */
	int rc = ingest_sid(a, "F3", 2);
	ck_assert_msg(rc == GF_EBUSY, "fenced ingest: %s (%s)", gf_errname(rc),
		      gf_engine_errmsg(a));
	ck_assert_msg(strstr(gf_engine_errmsg(a), part) != NULL,
		      "no partition in: %s", gf_engine_errmsg(a));
	ck_assert_int_ne(ingest_sid(a, "F4", 3), GF_OK);
	ck_assert_int_ne(fx_act(a, "{\"op\":\"dispatch\",\"ref\":\"12345:F1\","
				   "\"actor\":\"sz-zhzx\",\"dept\":\"t-cq-cg\"}"),
			 GF_OK);
	ck_assert_int_ne(gf_engine_flush(a), GF_OK);

	/* nothing of a's attempt reached the database; b's data is whole */
	PGconn *c = db();
	ck_assert_int_eq(rows(c, "gf_record", part, NULL), 2);
	ck_assert_int_eq(part_ll(c, "SELECT max(seq) FROM gf_record WHERE "
				    "part = $1", part), 2);
	char got[512];
	part_s(c, got, sizeof(got),
	       "SELECT string_agg(source_id || '>' || order_id, ',' ORDER BY "
	       "source_id) FROM gf_report WHERE part = $1",
	       part);
	char want[512];
	snprintf(want, sizeof(want), "F1>%s,F2>%s",
		 gf_order_id(order_of(b, "12345:F1")),
		 gf_order_id(order_of(b, "12345:F2")));
	ck_assert_str_eq(got, want);
	ck_assert_int_eq(rows(c, "gf_order", part, NULL), 2);
	long long audits = 0;
	for (size_t i = 0; i < gf_engine_order_count(b); i++)
		audits += (long long)gf_order_audit_count(
			gf_engine_order_at(b, i));
	ck_assert_int_eq(rows(c, "gf_audit", part, NULL), audits);

	/* a's close does not hand b's partition on */
	gf_engine_close(a);
	gf_engine *x = NULL;
	ck_assert_int_eq(gf_engine_open(&x, &ob, NULL, 0), GF_EBUSY);
	ck_assert_int_eq(ingest_sid(b, "F5", 5), GF_OK);
	ck_assert_int_eq(gf_engine_close(b), GF_OK);
	x = open_ok(&ob);
	ck_assert_uint_eq(gf_engine_order_count(x), 3);
	ck_assert_ptr_null(gf_engine_order_find(x, "12345:F3"));
	assert_tables(c, part, x, 1);
	gf_engine_close(x);
	PQfinish(c);
	gf_config_free(cfg);
}
END_TEST

/* waits on leases */
SU_MAKE_SUITE("pg", 60, 1,
	      migrations,
	      lease,
	      fencing)

GF_TEST_MAIN
