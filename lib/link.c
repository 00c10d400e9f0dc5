/*
 * link.c - joining a report to an open order: a repeated call (重复来电)
 * or a near duplicate (dedup.c scores it, dupindex.c finds it) becomes
 * one of the order's reports, with its reasons, its record and the crowd
 * signal; and the duplicate index kept as a rebuild from the orders
 * would make it, after a merge, a split, a reload or a replay.
 */
#include <stdio.h>
#include <string.h>

#include "config.h"
#include "engine_int.h"
#include "dedup.h"
#include "dupindex.h"
#include "record.h"

/* The scale an order's distinct callers call for, when above the one it
 * has (dedup.json "crowd"); 0 otherwise. */
static unsigned gf__crowd_scale(const gf__dedup *d, const gf_order *o)
{
	if (!d)
		return 0;
	gf_scale to = gf__scale_for(o->callers, d->crowd_group,
				    d->crowd_major);
	return to > o->scale ? (unsigned)to : 0;
}

void gf__crowd_reason(const gf_order *o, gf_scale to, char *buf,
		      size_t size)
{
	snprintf(buf, size, "%u distinct callers: %s", o->callers,
		 gf__scale_words(to));
}

/* o's item for the duplicate index: its reports folded in order, as the
 * live path folds them when they are linked. */
static void gf__dup_item_of(const gf__dedup *d, const gf_order *o,
			    gf__dd_item *it)
{
	gf__dd_item more;
	gf__dd_item_make(it, d, &o->reports[0]->ev);
	for (size_t k = 1; k < o->nreports; k++) {
		gf__dd_item_make(&more, d, &o->reports[k]->ev);
		gf__dd_item_fold(it, &more);
	}
}

int gf__dup_add(gf_engine *eng, gf_order *o, const gf__dd_item *it)
{
	/* the directory's copy of the code: configurations live as long as
	 * the engine; one gone from the directory keeps the order's */
	const gf__category *c = gf__dir_category(eng->dir, o->category,
						 strlen(o->category));
	return gf__dupindex_add(eng->dup, o, it, c ? c->code : o->category);
}

/* o in the duplicate index as a rebuild would put it: out when ended,
 * else made again from its reports. After a merge or a split (reports
 * moved), or a repeated call to an order that had aged out. */
void gf__dup_refresh(gf_engine *eng, gf_order *o)
{
	if (!eng->dup || !o)
		return;
	gf__dupindex_drop(eng->dup, o);
	if (gf_state_is_terminal(o->state) || !o->nreports)
		return;
	gf__dd_item it;
	gf__dup_item_of(eng->cfg->dedup, o, &it);
	if (gf__dup_add(eng, o, &it))
		gf__notify(eng, GF_NOTICE_WARNING, o->id, NULL,
			   "out of memory: order %s is not in the duplicate "
			   "index; later reports will not be matched to it",
			   o->id);
}

/*
 * Link ev to prev (a repeated call, a near duplicate) with score and
 * reasons: the report joins prev, stored first. item is ev's for the
 * duplicate index, or NULL (made here when needed). 0 when linked (the
 * result is filled), or an error (ev freed).
 */
int gf__link_to(gf_engine *eng, gf_order *prev, gf__ev *ev,
		const gf__dd_item *item, gf_time now, uint64_t released,
		double score, const char *reasons)
{
	gf_result *res = &eng->res;
	gf__rec_event r;
	memset(&r, 0, sizeof(r));
	r.outcome = GF_OUTCOME_LINKED;
	r.at = now;
	r.order = prev->id;
	r.lead = prev->lead;
	r.level = prev->level;
	r.rule = prev->rule;
	r.why = reasons;
	r.released = released;
	gf_report *rep;
	if (gf__order_link(prev, &eng->pool, ev, now, reasons, &rep)) {
		gf__ev_free(ev);
		return gf__err_set(&eng->err, GF_ENOMEM, NULL,
				   "out of memory");
	}
	/* the report is the order's now: the record encodes it from there */
	r.ev = &rep->ev;
	r.scale = gf__crowd_scale(eng->cfg->dedup, prev);
	gf__buf_reset(&eng->rec);
	if (eng->store->ops->keeps)
		gf__rec_event_encode(&r, &eng->rec);
	int rc = gf__index_reserve(eng, NULL, 1);
	if (!rc)
		rc = gf__record(eng, GF__REC_EVENT);
	if (rc) {
		gf__order_unlink_last(prev);
		return rc;
	}
	gf__map_put(&eng->report_by_ref, rep->ref, strlen(rep->ref), rep);
	gf__touch(eng, prev);
	if (eng->dup && prev->dd_entry) {
		/* later reports may repeat this one: prev keeps what it
		 * adds (gf__dup_rebuild folds the same way) */
		gf__dd_item mine;
		if (!item) {
			gf__dd_item_make(&mine, eng->cfg->dedup, &rep->ev);
			item = &mine;
		}
		gf__dupindex_fold(eng->dup, prev, item);
	} else if (eng->dup) {
		/* a repeated call to an order that had aged out: its new
		 * report brings it back into the window */
		gf__dup_refresh(eng, prev);
	}
	if (r.scale) {
		char why[96];
		gf__crowd_reason(prev, (gf_scale)r.scale, why, sizeof(why));
		gf__order_crowd(prev, &eng->pool, now, (gf_scale)r.scale, why);
		gf__notify(eng, GF_NOTICE_CROWD, prev->id, prev->lead,
			   "order %s: %s", prev->id, why);
	}
	if (released)
		gf__quar_close(eng, released, NULL, now);
	res->outcome = GF_OUTCOME_LINKED;
	res->score = score;
	gf__textcpy(res->reasons, sizeof(res->reasons), reasons);
	gf__result_order(res, prev);
	gf__notify(eng, GF_NOTICE_LINKED, prev->id, prev->lead,
		   "order %s: %s linked (%s)", prev->id, rep->ref,
		   res->reasons);
	return 0;
}

/*
 * A repeated call (重复来电): the same caller about the same kind of
 * problem in the same village, while prev is open and within the window
 * after its last report. 0 when linked, 1 when it is no repeat (the
 * caller goes on), or an error (ev freed).
 */
int gf__link_repeat(gf_engine *eng, gf_order *prev, gf__ev *ev,
		    gf_time now, uint64_t released)
{
	const gf__dedup *d = eng->cfg->dedup;
	if (gf_state_is_terminal(prev->state) || !prev->nreports)
		return 1;
	/* the latest report by its time, not the last one added: a merge
	 * appends the merged order's reports, often older than prev's own */
	gf_time last = prev->reports[0]->ev.received_at;
	for (size_t k = 1; k < prev->nreports; k++)
		if (prev->reports[k]->ev.received_at > last)
			last = prev->reports[k]->ev.received_at;
	gf_time until;
	if (gf__dedup_window_end(d, last, &until) || ev->received_at > until)
		return 1;
	char why[240];
	gf__dedup_repeat_reasons(d, ev, ev->received_at > last
						? ev->received_at - last
						: 0,
				 why, sizeof(why));
	return gf__link_to(eng, prev, ev, NULL, now, released, 1.0, why);
}

/* The duplicate index again, from the orders (after a replay, a reload):
 * every open order, less what has left the window by now. */
int gf__dup_rebuild(gf_engine *eng)
{
	gf__dupindex_free(eng->dup);
	eng->dup = NULL;
	for (size_t i = 0; i < eng->orders.len; i++)
		((gf_order *)eng->orders.v[i])->dd_entry = 0;
	const gf__dedup *d = eng->cfg->dedup;
	if (!d || !d->near.on)
		return GF_OK;
	if (gf__dupindex_new(&eng->dup, &d->near))
		return GF_ENOMEM;
	for (size_t i = 0; i < eng->orders.len; i++) {
		gf_order *o = eng->orders.v[i];
		if (gf_state_is_terminal(o->state) || !o->nreports)
			continue;
		gf__dd_item it;
		gf__dup_item_of(d, o, &it);
		if (gf__dup_add(eng, o, &it))
			return GF_ENOMEM;
	}
	gf__dupindex_expire(eng->dup, eng->now);
	return GF_OK;
}
