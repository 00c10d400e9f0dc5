/*
 * timer.c - a hierarchical timing wheel with millisecond resolution over
 * the whole gf_time range.
 *
 * Layout. Timers live in 32-byte nodes in an array of 4,096-node chunks,
 * named by 24-bit indices; lists are intrusive, circular and doubly
 * linked by index, with sentinel heads that are nodes too (indices below
 * GF__FIRST_NODE), so unlinking never needs to know which list it is in.
 *
 * A wheel has 8 levels of 256 slots, one per byte of the deadline (as an
 * unsigned key, see key()), so it spans every gf_time without an
 * overflow list. It is positioned at a reference instant ref; a timer
 * goes to the level of the highest byte in which its key differs from
 * ref's, in the slot named by its own byte there. So level 0 holds the
 * rest of ref's 256 ms, level 1 the rest of its 65.5 s, level 2 of its
 * 4.7 h, level 3 of its 49.7 days; 90-day SLA clocks start at level 3 or
 * 4 and move down, at most once per level, each time ref reaches the
 * start of their slot (a cascade).
 * The slots are aligned, not circular: at every level the occupied slots
 * lie above ref's byte, so the first occupied slot of the lowest occupied
 * level holds the earliest timers, found with two bit scans.
 *
 * Order. The placement depends on the deadline and ref only, so timers
 * with equal deadlines always share one list; lists are appended at the
 * tail and a cascade walks a list in order, so equal deadlines fire in
 * start order.
 *
 * Two wheels. The main wheel sits at the set's time and holds the future.
 * Timers started already due (at <= the set's time) go to a second wheel
 * positioned at the beginning of time, which the next advance drains
 * first, in deadline order; it is emptied and reset on every advance.
 * Timers started inside a callback at or before the instant being fired
 * go to the due list, which that instant fires last.
 *
 * Memory: nodes 32 bytes each, chunks allocated as the highest index
 * grows; the heads of both wheels fill chunk 0. A freed node is reused
 * only once GF__TIMER_REUSE_DELAY others are free (first in, first out),
 * which keeps stale ids harmless for a long while (see timer.h).
 */
#include "timer.h"

#include "internal.h"

#define GF__LEVELS 8u
#define GF__SLOTS 256u
#define GF__WHEEL_HEADS (GF__LEVELS * GF__SLOTS)
#define GF__MAIN_HEADS 0u
#define GF__LATE_HEADS GF__WHEEL_HEADS
#define GF__DUE_HEAD (2u * GF__WHEEL_HEADS)
#define GF__FIRST_NODE (GF__DUE_HEAD + 1u)

#define GF__IDX_BITS 24u
#define GF__IDX_MASK ((1u << GF__IDX_BITS) - 1u)
#define GF__CHUNK_BITS 12u
#define GF__CHUNK (1u << GF__CHUNK_BITS)
#define GF__NCHUNKS (1u << (GF__IDX_BITS - GF__CHUNK_BITS))

enum { GF__FREE, GF__MAIN, GF__LATE, GF__DUE };

typedef struct gf__tnode {
	int64_t at;
	uint64_t cookie;
	uint32_t next;
	uint32_t prev;
	uint8_t gen;   /* the generation in the id of the current timer */
	uint8_t where; /* GF__FREE, GF__MAIN, GF__LATE or GF__DUE */
	uint8_t pad[6];
} gf__tnode;

_Static_assert(sizeof(gf__tnode) == 32, "two nodes per cache line");
_Static_assert(GF__FIRST_NODE < GF__CHUNK * 2, "heads fit in two chunks");
_Static_assert(GF__TIMERS_MAX == (1u << GF__IDX_BITS) - GF__FIRST_NODE,
	       "timer.h's limit matches the layout");

typedef struct gf__wheel {
	uint64_t ref;       /* key of the reference instant */
	uint32_t head;      /* index of the sentinel of level 0, slot 0 */
	uint32_t levels;    /* bit L: level L has a timer */
	uint64_t bits[GF__LEVELS][GF__SLOTS / 64]; /* occupied slots */
	size_t count;
	/* The earliest deadline, exact while min_ok, and how many timers
	 * have it (0: not known). Kept so that next() is O(1) at rest. */
	gf_time min;
	size_t min_n;
	int min_ok;
} gf__wheel;

struct gf__timers {
	gf__wheel main;
	gf__wheel late;
	gf_time now;   /* the set's time */
	gf_time cur;   /* while firing: the instant being fired */
	int firing;
	size_t count;
	uint32_t top;  /* indices >= top were never used */
	uint32_t nchunks;
	uint32_t free_head, free_tail; /* FIFO linked by next; 0 ends it */
	size_t nfree;
	gf__tnode *chunk[GF__NCHUNKS];
};

/* ---- keys, bits ------------------------------------------------------ */

#define GF__BIAS 0x8000000000000000ull

/* gf_time as an unsigned number of the same order. */
static inline uint64_t key(gf_time at)
{
	return (uint64_t)at ^ GF__BIAS;
}

static inline gf_time unkey(uint64_t k)
{
	if (k >= GF__BIAS)
		return (gf_time)(k - GF__BIAS);
	return (gf_time)k - INT64_MAX - 1;
}

#if defined(__GNUC__)
static inline unsigned top_bit(uint64_t x) /* x != 0 */
{
	return 63u - (unsigned)__builtin_clzll(x);
}
static inline unsigned low_bit(uint64_t x) /* x != 0 */
{
	return (unsigned)__builtin_ctzll(x);
}
#else
static inline unsigned top_bit(uint64_t x)
{
	unsigned n = 0;
	while (x >>= 1)
		n++;
	return n;
}
static inline unsigned low_bit(uint64_t x)
{
	unsigned n = 0;
	while (!(x & 1u)) {
		x >>= 1;
		n++;
	}
	return n;
}
#endif

/* ---- nodes and lists ----------------------------------------------- */

static inline gf__tnode *node(const gf__timers *t, uint32_t i)
{
	return &t->chunk[i >> GF__CHUNK_BITS][i & (GF__CHUNK - 1u)];
}

static inline void list_init(gf__timers *t, uint32_t h)
{
	gf__tnode *n = node(t, h);
	n->next = n->prev = h;
}

static inline void list_append(gf__timers *t, uint32_t h, uint32_t i)
{
	gf__tnode *n = node(t, i), *hn = node(t, h);
	uint32_t tail = hn->prev;
	n->prev = tail;
	n->next = h;
	node(t, tail)->next = i;
	hn->prev = i;
}

/* Unlinks i (whose next and prev are left as they were). */
static inline void list_unlink(gf__timers *t, uint32_t i)
{
	gf__tnode *n = node(t, i);
	node(t, n->prev)->next = n->next;
	node(t, n->next)->prev = n->prev;
}

/* ---- wheels ---------------------------------------------------------- */

static void wheel_init(gf__timers *t, gf__wheel *w, uint32_t head,
		       gf_time ref)
{
	memset(w, 0, sizeof(*w));
	w->head = head;
	w->ref = key(ref);
	w->min = INT64_MAX;
	w->min_ok = 1;
	for (uint32_t h = head; h < head + GF__WHEEL_HEADS; h++)
		list_init(t, h);
}

static inline unsigned first_slot(const uint64_t b[GF__SLOTS / 64])
{
	for (unsigned k = 0; k < GF__SLOTS / 64; k++)
		if (b[k])
			return k * 64u + low_bit(b[k]);
	return GF__SLOTS;
}

/* Appends node i to its slot: the level of the highest byte in which its
 * key differs from ref (every key is >= ref). */
static inline void wheel_link(gf__timers *t, gf__wheel *w, uint32_t i,
			      uint64_t k)
{
	uint64_t x = k ^ w->ref;
	unsigned lvl = x ? top_bit(x) >> 3 : 0;
	unsigned s = (unsigned)(k >> (lvl * 8u)) & (GF__SLOTS - 1u);
	list_append(t, w->head + lvl * GF__SLOTS + s, i);
	w->bits[lvl][s >> 6] |= 1ull << (s & 63u);
	w->levels |= 1u << lvl;
}

static inline void wheel_clear_slot(gf__wheel *w, unsigned lvl, unsigned s)
{
	uint64_t *b = w->bits[lvl];
	b[s >> 6] &= ~(1ull << (s & 63u));
	if (!(b[0] | b[1] | b[2] | b[3]))
		w->levels &= ~(1u << lvl);
}

static inline void wheel_put(gf__timers *t, gf__wheel *w, uint32_t i,
			     gf_time at)
{
	wheel_link(t, w, i, key(at));
	if (w->count++ == 0) {
		w->min = at;
		w->min_n = 1;
		w->min_ok = 1;
	} else if (w->min_ok) {
		if (at < w->min) {
			w->min = at;
			w->min_n = 1;
		} else if (at == w->min && w->min_n) {
			w->min_n++;
		}
	}
}

/* The earliest deadline in w, computed: O(1) when the earliest slot is
 * at level 0 (a slot there is one instant), a walk of that slot above.
 * Sets *n to how many timers have it (0: not counted). */
static gf_time wheel_scan(const gf__timers *t, const gf__wheel *w,
			  size_t *n)
{
	*n = 0;
	if (!w->count)
		return INT64_MAX;
	unsigned lvl = low_bit(w->levels);
	unsigned s = first_slot(w->bits[lvl]);
	if (lvl == 0)
		return unkey((w->ref & ~(uint64_t)(GF__SLOTS - 1u)) | s);
	uint32_t h = w->head + lvl * GF__SLOTS + s;
	gf_time m = INT64_MAX;
	for (uint32_t i = node(t, h)->next; i != h;) {
		const gf__tnode *nd = node(t, i);
		if (nd->at < m) {
			m = nd->at;
			*n = 1;
		} else if (nd->at == m) {
			(*n)++;
		}
		i = nd->next;
	}
	return m;
}

static inline gf_time wheel_min(const gf__timers *t, const gf__wheel *w)
{
	size_t n;
	return w->min_ok ? w->min : wheel_scan(t, w, &n);
}

static void wheel_refresh(const gf__timers *t, gf__wheel *w)
{
	w->min = wheel_scan(t, w, &w->min_n);
	w->min_ok = 1;
}

static void wheel_unlink(gf__timers *t, gf__wheel *w, uint32_t i)
{
	const gf__tnode *n = node(t, i);
	gf_time at = n->at;
	list_unlink(t, i);
	if (n->prev == n->next) {
		/* the list is left with its head alone: only a head can be
		 * its own neighbour */
		uint32_t off = n->prev - w->head;
		wheel_clear_slot(w, off / GF__SLOTS, off % GF__SLOTS);
	}
	if (--w->count == 0) {
		w->min = INT64_MAX;
		w->min_ok = 1;
	} else if (w->min_ok && at == w->min) {
		if (w->min_n > 1) {
			w->min_n--;
		} else {
			w->min_ok = 0;
			/* cheap when the earliest slot is at level 0 */
			if (!(w->levels & 1u))
				return;
			wheel_refresh(t, w);
		}
	}
}

/*
 * Moves w to its earliest instant at or before lim (a key) and returns 1,
 * with that instant's timers alone in its level-0 slot; or, when it has
 * none, moves w to lim and returns 0. Every move keeps the placement of
 * the timers not cascaded: ref only moves within the range of the
 * earliest occupied slot or up to its start, so the bytes above that
 * level stay ref's.
 */
static int wheel_step(gf__timers *t, gf__wheel *w, uint64_t lim,
		      uint64_t *inst)
{
	for (;;) {
		if (!w->levels)
			break;
		unsigned lvl = low_bit(w->levels);
		unsigned s = first_slot(w->bits[lvl]);
		unsigned sh = lvl * 8u;
		uint64_t above = lvl == GF__LEVELS - 1u ? 0 : ~0ull << (sh + 8u);
		uint64_t b = (w->ref & above) | ((uint64_t)s << sh);
		if (b > lim)
			break;
		w->ref = b;
		if (lvl == 0) {
			*inst = b;
			return 1;
		}
		/* cascade: every timer of the slot shares ref's bytes from lvl
		 * up, so it goes to a lower level */
		uint32_t h = w->head + lvl * GF__SLOTS + s;
		gf__tnode *hn = node(t, h);
		uint32_t i = hn->next;
		hn->next = hn->prev = h;
		wheel_clear_slot(w, lvl, s);
		while (i != h) {
			gf__tnode *nd = node(t, i);
			uint32_t nx = nd->next;
			wheel_link(t, w, i, key(nd->at));
			i = nx;
		}
	}
	if (lim > w->ref)
		w->ref = lim;
	return 0;
}

/* ---- node allocation ---------------------------------------------- */

static int chunk_alloc(gf__timers *t)
{
	gf__tnode *c = gf__malloc(sizeof(gf__tnode) * GF__CHUNK);
	if (!c)
		return GF_ENOMEM;
	t->chunk[t->nchunks++] = c;
	return GF_OK;
}

static uint32_t node_alloc(gf__timers *t)
{
	uint32_t i;
	if (t->nfree <= GF__TIMER_REUSE_DELAY && t->top <= GF__IDX_MASK &&
	    ((t->top >> GF__CHUNK_BITS) < t->nchunks || chunk_alloc(t) == 0)) {
		i = t->top++;
		node(t, i)->gen = 0;
		return i;
	}
	if (!t->nfree)
		return 0;
	i = t->free_head;
	t->free_head = node(t, i)->next;
	if (!t->free_head)
		t->free_tail = 0;
	t->nfree--;
	return i;
}

int gf__timers_reserve(gf__timers *t, size_t n)
{
	if (t->nfree > GF__TIMER_REUSE_DELAY + n)
		return GF_OK;
	uint64_t need = (uint64_t)t->top + n;
	if (need > (uint64_t)GF__IDX_MASK + 1u)
		return t->nfree >= n ? GF_OK : GF_ENOMEM;
	while (need && ((need - 1) >> GF__CHUNK_BITS) >= t->nchunks)
		if (chunk_alloc(t))
			return GF_ENOMEM;
	return GF_OK;
}

static void node_release(gf__timers *t, uint32_t i)
{
	gf__tnode *n = node(t, i);
	n->where = GF__FREE;
	n->gen++;
	n->next = 0;
	if (t->free_tail)
		node(t, t->free_tail)->next = i;
	else
		t->free_head = i;
	t->free_tail = i;
	t->nfree++;
}

static inline gf__timer_id make_id(const gf__tnode *n, uint32_t i)
{
	return ((uint32_t)n->gen << GF__IDX_BITS) | i;
}

/* ---- the set ------------------------------------------------------- */

int gf__timers_new(gf__timers **out, gf_time now)
{
	*out = NULL;
	gf__timers *t = gf__calloc(1, sizeof(*t));
	if (!t)
		return GF_ENOMEM;
	if (chunk_alloc(t) || chunk_alloc(t)) {
		gf__timers_free(t);
		return GF_ENOMEM;
	}
	t->now = now;
	t->top = GF__FIRST_NODE;
	wheel_init(t, &t->main, GF__MAIN_HEADS, now);
	wheel_init(t, &t->late, GF__LATE_HEADS, INT64_MIN);
	list_init(t, GF__DUE_HEAD);
	*out = t;
	return GF_OK;
}

void gf__timers_free(gf__timers *t)
{
	if (!t)
		return;
	for (uint32_t c = 0; c < t->nchunks; c++)
		gf__free(t->chunk[c]);
	gf__free(t);
}

gf__timer_id gf__timers_start(gf__timers *t, gf_time at, uint64_t cookie)
{
	uint32_t i = node_alloc(t);
	if (!i)
		return 0;
	gf__tnode *n = node(t, i);
	n->at = at;
	n->cookie = cookie;
	if (t->firing && at <= t->cur) {
		n->where = GF__DUE;
		list_append(t, GF__DUE_HEAD, i);
	} else if (at <= t->now) {
		n->where = GF__LATE;
		wheel_put(t, &t->late, i, at);
	} else {
		n->where = GF__MAIN;
		wheel_put(t, &t->main, i, at);
	}
	t->count++;
	return make_id(n, i);
}

int gf__timers_cancel(gf__timers *t, gf__timer_id id)
{
	uint32_t i = id & GF__IDX_MASK;
	if (i < GF__FIRST_NODE || i >= t->top)
		return 0;
	gf__tnode *n = node(t, i);
	if (n->where == GF__FREE || n->gen != (uint8_t)(id >> GF__IDX_BITS))
		return 0;
	switch (n->where) {
	case GF__MAIN:
		wheel_unlink(t, &t->main, i);
		break;
	case GF__LATE:
		wheel_unlink(t, &t->late, i);
		break;
	default:
		list_unlink(t, i);
		break;
	}
	node_release(t, i);
	t->count--;
	return 1;
}

/* Fires w's timers due at or before lim, instant by instant; after each
 * instant's slot, the due list (timers started by callbacks at or before
 * that instant). */
static size_t drain(gf__timers *t, gf__wheel *w, gf_time lim,
		    gf__timer_fn fire, void *ud)
{
	size_t fired = 0;
	uint64_t inst;
	while (wheel_step(t, w, key(lim), &inst)) {
		uint32_t h = w->head + (uint32_t)(inst & (GF__SLOTS - 1u));
		t->cur = unkey(inst);
		w->min_ok = 0; /* the earliest instant goes: advance refreshes */
		for (;;) {
			uint32_t i = node(t, h)->next;
			if (i != h) {
				wheel_unlink(t, w, i);
			} else {
				i = node(t, GF__DUE_HEAD)->next;
				if (i == GF__DUE_HEAD)
					break;
				list_unlink(t, i);
			}
			gf__tnode *n = node(t, i);
			gf__timer_id id = make_id(n, i);
			uint64_t cookie = n->cookie;
			gf_time at = n->at;
			node_release(t, i);
			t->count--;
			fire(ud, id, cookie, at);
			fired++;
		}
	}
	return fired;
}

size_t gf__timers_advance(gf__timers *t, gf_time now, gf__timer_fn fire,
			  void *ud)
{
	if (t->firing)
		return 0;
	if (now < t->now)
		now = t->now;
	size_t fired = 0;
	t->firing = 1;
	if (t->late.count) {
		/* timers started already due, up to the set's time; the
		 * callbacks may add more of them, never behind the instant */
		fired += drain(t, &t->late, t->now, fire, ud);
		t->late.ref = key(INT64_MIN);
	}
	fired += drain(t, &t->main, now, fire, ud);
	t->firing = 0;
	t->now = now;
	if (!t->main.min_ok)
		wheel_refresh(t, &t->main);
	if (!t->late.min_ok)
		wheel_refresh(t, &t->late);
	return fired;
}

gf_time gf__timers_next(const gf__timers *t)
{
	gf_time m = wheel_min(t, &t->main);
	gf_time l = wheel_min(t, &t->late);
	if (l < m)
		m = l;
	/* inside a callback: timers started due at or before the instant */
	for (uint32_t i = node(t, GF__DUE_HEAD)->next; i != GF__DUE_HEAD;) {
		const gf__tnode *n = node(t, i);
		if (n->at < m)
			m = n->at;
		i = n->next;
	}
	return m;
}

gf_time gf__timers_now(const gf__timers *t)
{
	return t->now;
}

size_t gf__timers_count(const gf__timers *t)
{
	return t->count;
}

size_t gf__timers_memory(const gf__timers *t)
{
	return sizeof(*t) + (size_t)t->nchunks * GF__CHUNK * sizeof(gf__tnode);
}
