/*
 * dupindex.c - the window of open orders for near-duplicate matching
 * (dupindex.h).
 *
 * Entries live in one array, reused through a free list, each named by
 * its index and a generation. Located entries are in a grid
 * (geoindex.c) of cells as wide as the largest radius; every entry is
 * also in its village's list, which serves reports without a point. A
 * ring of (index, generation, time) in order of entry drives expiry: the
 * head leaves once its latest report is older than the largest window,
 * and goes to the tail with its new time when a report came since it
 * entered (else an order kept fresh would hold every later one). The
 * ring is not in time order (a merge or a split enters an order again at
 * the tail; a rebuild enters them in creation order), so expiry only
 * frees memory: gf__dupindex_best skips every entry out of the window
 * by itself, and the answer does not depend on where an entry sits.
 */
#include "dupindex.h"

#include <stdio.h>

#include "geoindex.h"
#include "order.h"

typedef struct gf__dentry {
	gf_order *o;            /* NULL: free */
	gf__dd_item it;
	uint32_t gen;
} gf__dentry;

/* A village's entries, those with a point and those without apart: a
 * report with a point looks only at the second (the grid finds the
 * first), so it touches no entry it will not score. */
typedef struct gf__vlist {
	uint32_t *ids;
	size_t n, cap;
} gf__vlist;

typedef struct gf__village {
	char key[13];
	gf__vlist loc, unloc;
} gf__village;

typedef struct gf__ring_slot {
	uint32_t id, gen;
	gf_time at;             /* the entry's time when it took this slot */
} gf__ring_slot;

struct gf__dupindex {
	const gf__near *near;
	gf__dentry *e;
	uint32_t n, cap;        /* used slots of e (live or free) */
	uint32_t *free;
	size_t nfree, cfree;
	size_t live;
	gf__geoindex *geo;      /* made at the first point */
	gf__map villages;       /* key (in the gf__village) -> gf__village* */
	gf__vec village_list;   /* every gf__village, to free them */
	gf__ring_slot *ring;
	size_t head, len, rcap;
	uint32_t *cand;
	size_t ccap;
};

int gf__dupindex_new(gf__dupindex **out, const gf__near *n)
{
	gf__dupindex *x = gf__calloc(1, sizeof(*x));
	if (!x)
		return GF_ENOMEM;
	x->near = n;
	gf__map_init(&x->villages);
	gf__vec_init(&x->village_list);
	*out = x;
	return GF_OK;
}

void gf__dupindex_free(gf__dupindex *x)
{
	if (!x)
		return;
	for (size_t i = 0; i < x->village_list.len; i++) {
		gf__village *v = x->village_list.v[i];
		gf__free(v->loc.ids);
		gf__free(v->unloc.ids);
		gf__free(v);
	}
	gf__vec_free(&x->village_list);
	gf__map_free(&x->villages);
	gf__geo_free(x->geo);
	gf__free(x->e);
	gf__free(x->free);
	gf__free(x->ring);
	gf__free(x->cand);
	gf__free(x);
}

static int gf__grow(void **p, size_t *cap, size_t need, size_t size)
{
	if (need <= *cap)
		return GF_OK;
	size_t c = *cap ? *cap * 2 : 64;
	while (c < need)
		c *= 2;
	void *q = gf__realloc(*p, c * size);
	if (!q)
		return GF_ENOMEM;
	*p = q;
	*cap = c;
	return GF_OK;
}

static gf__village *gf__village_get(gf__dupindex *x, const char *key,
				    int make)
{
	gf__village *v = gf__map_get(&x->villages, key, strlen(key));
	if (v || !make)
		return v;
	v = gf__calloc(1, sizeof(*v));
	if (!v)
		return NULL;
	memcpy(v->key, key, sizeof(v->key));
	v->key[12] = '\0';
	if (gf__vec_reserve(&x->village_list, 1) ||
	    gf__map_put(&x->villages, v->key, strlen(v->key), v)) {
		gf__free(v);
		return NULL;
	}
	gf__vec_push(&x->village_list, v);
	return v;
}

static int gf__dupindex_reserve(gf__dupindex *x)
{
	size_t cap = x->cap, rcap = x->rcap;
	if ((!x->nfree && gf__grow((void **)&x->e, &cap, (size_t)x->n + 1,
				   sizeof(*x->e))) ||
	    gf__grow((void **)&x->ring, &rcap, x->len + 1,
		     sizeof(*x->ring)))
		return GF_ENOMEM;
	if (x->ring != NULL && rcap != x->rcap && x->len) {
		/* the ring wrapped in the old capacity: unwrap it */
		size_t old = x->rcap;
		size_t tail = x->head + x->len;
		if (tail > old)
			memcpy(x->ring + old, x->ring, (tail - old) *
							       sizeof(*x->ring));
	}
	x->cap = (uint32_t)cap;
	x->rcap = rcap;
	return GF_OK;
}

int gf__dupindex_add(gf__dupindex *x, gf_order *o, const gf__dd_item *it,
		     const char *category)
{
	if (gf__dupindex_reserve(x))
		return GF_ENOMEM;
	gf__village *v = gf__village_get(x, it->region, 1);
	gf__vlist *l = v ? (it->has_loc ? &v->loc : &v->unloc) : NULL;
	if (!l || gf__grow((void **)&l->ids, &l->cap, l->n + 1,
			   sizeof(*l->ids)))
		return GF_ENOMEM;
	uint32_t id = x->nfree ? x->free[x->nfree - 1] : x->n;
	if (it->has_loc) {
		if (!x->geo && gf__geo_new(&x->geo, x->near->max_radius_m,
					   it->lat))
			return GF_ENOMEM;
		int rc = gf__geo_insert(x->geo, id,
					gf__near_tag(x->near, category),
					it->lat, it->lon);
		if (rc)
			return rc == GF_ENOMEM ? rc : GF_OK;
	}
	gf__dentry *e = &x->e[id];
	if (x->nfree) {
		x->nfree--;
	} else {
		x->n++;
		e->gen = 0; /* a slot never used */
	}
	e->o = o;
	e->it = *it;
	e->it.category = category;
	l->ids[l->n++] = id;
	x->ring[(x->head + x->len) % x->rcap] =
		(gf__ring_slot){ id, e->gen, e->it.at };
	x->len++;
	x->live++;
	o->dd_entry = id + 1;
	return GF_OK;
}

void gf__dupindex_fold(gf__dupindex *x, gf_order *o,
		       const gf__dd_item *more)
{
	if (o->dd_entry)
		gf__dd_item_fold(&x->e[o->dd_entry - 1].it, more);
}

static void gf__remove(gf__dupindex *x, uint32_t id)
{
	gf__dentry *e = &x->e[id];
	if (e->it.has_loc && x->geo)
		gf__geo_remove(x->geo, id, e->it.lat, e->it.lon);
	gf__village *v = gf__village_get(x, e->it.region, 0);
	gf__vlist *l = v ? (e->it.has_loc ? &v->loc : &v->unloc) : NULL;
	if (l) {
		size_t k = 0;
		while (k < l->n && l->ids[k] != id)
			k++;
		if (k < l->n) {
			memmove(&l->ids[k], &l->ids[k + 1],
				(l->n - k - 1) * sizeof(*l->ids));
			l->n--;
		}
	}
	e->o->dd_entry = 0;
	e->o = NULL;
	e->gen++;
	x->live--;
	/* room for it was made when the slot was first used */
	if (!gf__grow((void **)&x->free, &x->cfree, x->nfree + 1,
		      sizeof(*x->free)))
		x->free[x->nfree++] = id;
}

void gf__dupindex_drop(gf__dupindex *x, gf_order *o)
{
	if (o->dd_entry)
		gf__remove(x, o->dd_entry - 1);
}

void gf__dupindex_expire(gf__dupindex *x, gf_time now)
{
	int64_t w = x->near->max_window_ms;
	size_t turns = x->len; /* each slot looked at once at most */
	while (x->len && turns--) {
		gf__ring_slot s = x->ring[x->head];
		gf__dentry *e = &x->e[s.id];
		int live = e->o && e->gen == s.gen;
		if (live && e->it.at + w >= now && e->it.at == s.at)
			break; /* the oldest in the window: done */
		x->head = (x->head + 1) % x->rcap;
		x->len--;
		if (!live)
			continue; /* left already */
		if (e->it.at + w >= now) {
			/* a later report since it took its slot: to the
			 * tail with that time (the slot it left is free),
			 * so that an order kept fresh does not hold back
			 * every order entered after it */
			s.at = e->it.at;
			x->ring[(x->head + x->len) % x->rcap] = s;
			x->len++;
			continue;
		}
		gf__remove(x, s.id);
	}
}

/* The grid again, its columns sized at lat, with every located entry.
 * GF_OK, or GF_ENOMEM with the grid as it was. */
static int gf__regrid(gf__dupindex *x, double lat)
{
	gf__geoindex *g;
	if (gf__geo_new(&g, x->near->max_radius_m, lat))
		return GF_ENOMEM;
	for (uint32_t id = 0; id < x->n; id++) {
		const gf__dentry *e = &x->e[id];
		if (!e->o || !e->it.has_loc)
			continue;
		if (gf__geo_insert(g, id, gf__near_tag(x->near,
							e->it.category),
				   e->it.lat, e->it.lon) == GF_ENOMEM) {
			gf__geo_free(g);
			return GF_ENOMEM;
		}
	}
	gf__geo_free(x->geo);
	x->geo = g;
	return GF_OK;
}

/* The ids to score for it, in x->cand (those with a point only within
 * radius_m north, south, east and west, and with categories of its
 * tag); their number. */
static size_t gf__candidates(gf__dupindex *x, const gf__dd_item *it,
			     double radius_m)
{
	size_t n = 0;
	if (it->has_loc && x->geo) {
		/* The grid's columns are as wide as the radius only up to a
		 * degree poleward of the point it was made at: the first
		 * the index ever held, which may lie anywhere (a report at
		 * (0, 0), say), and which a rebuild chooses otherwise. A
		 * report beyond that band gets the grid made again at its
		 * latitude, so that no candidate east or west of it goes
		 * missing, live or rebuilt. Each time the band grows by
		 * more than a degree: at most 89 times. Without the memory,
		 * the old grid serves. */
		if (!gf__geo_covers(x->geo, it->lat))
			(void)gf__regrid(x, it->lat);
		uint32_t tag = gf__near_tag(x->near, it->category);
		for (;;) {
			n = gf__geo_within(x->geo, it->lat, it->lon, radius_m,
					   tag, x->cand, x->ccap);
			if (n <= x->ccap ||
			    gf__grow((void **)&x->cand, &x->ccap, n,
				     sizeof(*x->cand)))
				break;
		}
		if (n > x->ccap)
			n = x->ccap;
	}
	gf__village *v = gf__village_get(x, it->region, 0);
	/* with a point, the grid found the located entries already */
	for (int pass = it->has_loc ? 1 : 0; v && pass < 2; pass++) {
		const gf__vlist *l = pass ? &v->unloc : &v->loc;
		if (!l->n)
			continue;
		if (gf__grow((void **)&x->cand, &x->ccap, n + l->n,
			     sizeof(*x->cand)))
			break;
		memcpy(x->cand + n, l->ids, l->n * sizeof(*l->ids));
		n += l->n;
	}
	return n;
}

gf_order *gf__dupindex_best(gf__dupindex *x, const gf__dedup *d,
			    const gf__dd_item *it, gf_time now, double *score,
			    gf__dd_parts *bp)
{
	int64_t w = x->near->max_window_ms;
	gf__dd_query q;
	gf__dd_query_init(&q, d, it);
	gf_order *best;
	double bs;
	gf__dd_parts parts;
again:;
	size_t n = gf__candidates(x, it, q.radius_m);
	uint32_t best_id = 0;
	best = NULL;
	bs = -1;
	/* the entries lie anywhere: ask for all of them (what the score
	 * reads first spans two lines) before reading one, so that their
	 * cache misses overlap instead of coming one after another */
	for (size_t k = 0; k < n; k++) {
		const char *p = (const char *)&x->e[x->cand[k]];
		GF__PREFETCH(p);
		GF__PREFETCH(p + 64);
	}
	for (size_t k = 0; k < n; k++) {
		gf__dentry *e = &x->e[x->cand[k]];
		/* out of the window by now, though expiry has not reached
		 * it yet (it sits behind a fresher entry in the ring): a
		 * rebuild leaves it out, so it is no candidate here either */
		if (!e->o || e->it.at + w < now)
			continue;
		double s = gf__dedup_score(d, &q, &e->it, &parts);
		if (s < 0)
			continue;
		if (s > bs || (s == bs && best && e->o->index < best->index)) {
			bs = s;
			best = e->o;
			best_id = x->cand[k];
			*bp = parts;
		}
	}
	/* Ended orders leave the index as they end (gf__dupindex_drop), so
	 * no candidate's state is read: at a million open orders that read
	 * was a cache miss per candidate, a sixth of the whole ingest. The
	 * winner's is, and should one have stayed, it leaves now and the
	 * candidates are scored again without it. */
	if (best && gf_state_is_terminal(best->state)) {
		gf__remove(x, best_id);
		goto again;
	}
	*score = best ? bs : 0;
	return best;
}

size_t gf__dupindex_count(const gf__dupindex *x) { return x->live; }

size_t gf__dupindex_memory(const gf__dupindex *x)
{
	size_t m = sizeof(*x) + x->cap * sizeof(*x->e) +
		   x->cfree * sizeof(*x->free) +
		   x->rcap * sizeof(*x->ring) + x->ccap * sizeof(*x->cand);
	for (size_t i = 0; i < x->village_list.len; i++) {
		const gf__village *v = x->village_list.v[i];
		m += sizeof(*v) + (v->loc.cap + v->unloc.cap) *
					  sizeof(*v->loc.ids);
	}
	return m + (x->geo ? gf__geo_memory(x->geo) : 0);
}
