/*
 * dupindex.h - the window of open orders that new reports are matched
 * against for near duplicates (dedup.json "near"): one compact entry per
 * open order (its latest report's time, point or village, category,
 * caller and text signature), found through a grid of cells sized to the
 * largest matching radius, or by village for reports without a point.
 *
 * An order leaves when it ends (closed, cancelled, merged) or when its
 * latest report is older than the largest window: memory follows the
 * orders open within the window, not all orders ever made.
 */
#ifndef GF_DUPINDEX_H
#define GF_DUPINDEX_H

#include "internal.h"
#include "dedup.h"

struct gf_order;
typedef struct gf__dupindex gf__dupindex;

int gf__dupindex_new(gf__dupindex **out, const gf__near *n);
void gf__dupindex_free(gf__dupindex *x);

/* Enter order o (not entered yet) with its item, under category (o's
 * category code, a copy that outlives the entry: scoring reads it for
 * every candidate, so one shared copy per code keeps it in the cache).
 * GF_OK, or GF_ENOMEM with the index unchanged. */
int gf__dupindex_add(gf__dupindex *x, struct gf_order *o,
		     const gf__dd_item *it, const char *category);

/* o got another report, whose item is more: o's entry keeps what it
 * adds (gf__dd_item_fold) and its window runs from its time. Nothing
 * when o is not in the index. */
void gf__dupindex_fold(gf__dupindex *x, struct gf_order *o,
		       const gf__dd_item *more);

/* o ended: it leaves the index (nothing when it is not in it). */
void gf__dupindex_drop(gf__dupindex *x, struct gf_order *o);

/* Entries whose latest report is older than now - the largest window
 * leave, as far as the ring's order finds them (memory only: see
 * gf__dupindex_best). */
void gf__dupindex_expire(gf__dupindex *x, gf_time now);

/*
 * The open order that report it repeats best, by gf__dedup_score (ties:
 * the earlier order), with the score and what it is made of (for
 * gf__dd_reasons: most best candidates score below every threshold, and
 * their reasons are never read); NULL when no entry is a candidate.
 * Entries whose latest report is older than now - the largest window
 * are none, whether or not gf__dupindex_expire has removed them yet: a
 * rebuild at open leaves them out, and the live index must answer as
 * the rebuilt one does.
 */
struct gf_order *gf__dupindex_best(gf__dupindex *x, const gf__dedup *d,
				   const gf__dd_item *it, gf_time now,
				   double *score, gf__dd_parts *parts);

size_t gf__dupindex_count(const gf__dupindex *x);
size_t gf__dupindex_memory(const gf__dupindex *x);

#endif
