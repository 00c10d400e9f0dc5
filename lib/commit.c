/*
 * commit.c - the engine's side of its store's transactions: the
 * records a call appends and their tickets, the orders it changed and
 * the notices it raised, held until the store commits them (a
 * transactional store writes the notices to its outbox in the same
 * transaction), and the durable ticket a host acknowledges by.
 *
 * With the journal (or memory) a record is stored when append returns,
 * and notices go out at once. With PostgreSQL every call ends in
 * gf__end(): the store queues the call's rows, commits when its batch is
 * due, and only then do the call's notices reach the host.
 */
#include "engine_int.h"
#include "record.h"

#include <string.h>

/* A notice goes to the host at once, or, with a transactional store,
 * into the pending batch's outbox rows and to the host once the batch
 * commits. */
void gf__emit(gf_engine *eng, const gf_notice *n)
{
	if (eng->replaying)
		return;
	if (!eng->txn) {
		if (eng->notice)
			eng->notice(eng->notice_data, n);
		return;
	}
	const char *s[6] = { n->order, n->dept, n->message, n->clock,
			     n->step, NULL };
	size_t len = 0;
	for (int i = 0; i < 5; i++)
		len += s[i] ? strlen(s[i]) + 1 : 0;
	if (eng->nnq == eng->cnq) {
		size_t nc = eng->cnq ? 2 * eng->cnq : 16;
		gf_notice *nv = gf__realloc(eng->nq, nc * sizeof(*nv));
		if (!nv)
			goto lost;
		eng->nq = nv;
		eng->cnq = nc;
	}
	char *blob = gf__malloc(len ? len : 1);
	if (!blob)
		goto lost;
	gf_notice *q = &eng->nq[eng->nnq++];
	*q = *n;
	q->blob = blob;
	const char **f[5] = { &q->order, &q->dept, &q->message, &q->clock,
			      &q->step };
	for (int i = 0; i < 5; i++) {
		if (!s[i])
			continue;
		size_t l = strlen(s[i]) + 1;
		memcpy(blob, s[i], l);
		*f[i] = blob;
		blob += l;
	}
	if (!q->message)
		q->message = "";
	return;
lost:
	/* the batch would commit the change without its outbox row, and the
	 * host would never hear of it: the batch must not commit (gf__end
	 * drops it and the call fails; a reopen replays what committed) */
	eng->failed = 1;
}

void gf__nq_free(gf_engine *eng)
{
	for (size_t i = 0; i < eng->nnq; i++)
		gf__free(eng->nq[i].blob);
	eng->nnq = 0;
	eng->nq_sent = 0;
}

void gf__touch(gf_engine *eng, gf_order *o)
{
	if (!eng->txn || !o || o->touched || eng->replaying)
		return;
	if (gf__vec_push(&eng->touched, o)) {
		/* its rows would be stale: refuse until reopened */
		eng->failed = 1;
		return;
	}
	o->touched = 1;
}

/* A quarantine entry was made or closed: its row goes with the commit. */
void gf__quar_touch(gf_engine *eng, gf_quarantined *q)
{
	if (!eng->txn || q->touched || eng->replaying)
		return;
	if (gf__vec_push(&eng->qtouched, q)) {
		eng->failed = 1;
		return;
	}
	q->touched = 1;
}

/* Store one record; the ticket counts it. */
int gf__append(gf_engine *eng, uint8_t type, const void *p, size_t n)
{
	const gf__store_ops *ops = eng->store->ops;
	int rc = ops->append(eng->store, type, p, n, &eng->err);
	if (!rc) {
		eng->ticket++;
		eng->res.ticket = eng->ticket;
		/* a record of an input is dated by the clock it moved (a
		 * step or a snapshot by its own time, at most that) */
		if (type != GF__REC_STEP && type != GF__REC_SLA &&
		    eng->now > eng->clock_kept)
			eng->clock_kept = eng->now;
		/* asked after each record, since a call's later records may
		 * come after the sync (GF_SYNC_INTERVAL); gf__end reports it */
		if (ops->synced && ops->synced(eng->store))
			eng->synced = eng->ticket;
	}
	return rc;
}

static void gf__set_durable(gf_engine *eng, uint64_t t)
{
	if (t <= eng->durable)
		return;
	eng->durable = t;
	if (eng->durable_cb)
		eng->durable_cb(eng->durable_data, t);
}

/* The orders and entries listed for the batch are its now. */
static void gf__untouch(gf_engine *eng)
{
	for (size_t i = 0; i < eng->touched.len; i++)
		((gf_order *)eng->touched.v[i])->touched = 0;
	eng->touched.len = 0;
	for (size_t i = 0; i < eng->qtouched.len; i++)
		((gf_quarantined *)eng->qtouched.v[i])->touched = 0;
	eng->qtouched.len = 0;
}

/* The call failed the engine after its records joined the batch: a
 * change whose rows or notices could not be held (gf__touch, gf__emit),
 * or a stored change that could not be applied (gf__poison). Committing would store records
 * without the rows they imply, rows a reopen takes as written, so the
 * batch never commits: the store drops it at close, and a reopen
 * replays what committed before. The call says so; no result, no
 * notice, no durable ticket. */
static int gf__drop_batch(gf_engine *eng, int rc)
{
	gf__untouch(eng);
	gf__nq_free(eng);
	if (rc == GF_ENOMEM || rc == GF_EIO)
		return rc;
	return gf__err_set(&eng->err, GF_ENOMEM, NULL,
			   "out of memory holding a change's rows or "
			   "notices; its batch is not stored: close and "
			   "reopen the engine");
}

/* The end of a call that may have stored something: with a
 * transactional store its batch takes the call's changes and may
 * commit; then the held notices go out. A commit failure fails the
 * engine (memory is ahead of the store) and is the call's result.
 * Without one, force follows a successful flush: everything is durable.
 * Otherwise a store that syncs by itself said which records it synced
 * (gf__append), whatever the policy; the memory store has only the
 * policy to go by. */
int gf__end(gf_engine *eng, int rc, int force)
{
	if (!eng->txn) {
		if (force || (!eng->store->ops->synced &&
			      eng->sync == GF_SYNC_EVERY))
			gf__set_durable(eng, eng->ticket);
		else
			gf__set_durable(eng, eng->synced);
		return rc;
	}
	if (eng->failed)
		return gf__drop_batch(eng, rc);
	gf__commit c = { (gf_order *const *)eng->touched.v, eng->touched.len,
			 eng->nq + eng->nq_sent, eng->nnq - eng->nq_sent,
			 force, (gf_quarantined *const *)eng->qtouched.v,
			 eng->qtouched.len };
	gf__err cerr;
	gf__err_clear(&cerr);
	int crc = eng->store->ops->commit(eng->store, &c, &cerr);
	gf__untouch(eng);
	eng->nq_sent = eng->nnq;
	if (crc < 0) {
		gf__nq_free(eng);
		eng->failed = 1;
		eng->err = cerr;
		return crc;
	}
	if (crc == 1) {
		for (size_t i = 0; i < eng->nnq; i++)
			if (eng->notice)
				eng->notice(eng->notice_data, &eng->nq[i]);
		gf__nq_free(eng);
		gf__set_durable(eng, eng->ticket);
	}
	return rc;
}

uint64_t gf_engine_durable_ticket(const gf_engine *eng)
{
	return eng ? eng->durable : 0;
}
