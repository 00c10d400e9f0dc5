/*
 * check_pgstore.c - the PostgreSQL store through its own interface
 * (store.h), for what an engine's calls cannot time: an engine sends
 * statements of its own around the store's, and those find a lost
 * connection first. Internal: linked against the static library only.
 *
 * Needs the test server GF_TEST_PG names (make check starts one).
 */
#include "storeutil.h"
#include "store.h"

/* Whoever holds part, or "none". */
static const char *holder(PGconn *c, char *out, size_t size,
			  const char *part)
{
	return part_s(c, out, size,
		      "SELECT coalesce(owner, 'none') FROM gf_partition "
		      "WHERE part = $1",
		      part);
}

/*
 * The store's connection is lost after its last statement (the server
 * restarted, say), and the store is closed: it finds out only when it
 * hands the lease on, and does so once more on a new connection, so that
 * a host reopening at once need not wait for the lease to lapse (30 s).
 * (It gave up, and the partition stayed held.)
 */
START_TEST(a_close_after_a_lost_connection_hands_the_partition_on)
{
	char part[PART_SIZE], spec[1200], app[64], owner[64];
	snprintf(app, sizeof(app), "gfpgstore%d", (int)getpid());
	snprintf(spec, sizeof(spec), "%s application_name=%s", pg_store(),
		 app);
	gf__store_opts so;
	memset(&so, 0, sizeof(so));
	so.sync = GF_SYNC_EVERY;
	so.partition = part_name(part, "closelost");
	so.lease_ms = 30000;
	so.retry_ms = 5000;
	gf__store *store;
	gf__store_info info;
	gf__err err;
	int rc = gf__store_open(&store, spec, &so, &info, &err);
	ck_assert_msg(rc == GF_OK, "%s", err.msg);
	PGconn *c = db();
	ck_assert_str_ne(holder(c, owner, sizeof(owner), part), "none");
	end_backends(app);
	store->ops->close(store);
	ck_assert_str_eq(holder(c, owner, sizeof(owner), part), "none");
	PQfinish(c);
}
END_TEST

SU_MAKE_SUITE("pgstore", 60, 1,
	      a_close_after_a_lost_connection_hands_the_partition_on)

GF_TEST_MAIN
