/*
 * geoindex.c - a grid of cells over an equirectangular projection, for
 * the open orders' points (the contract and the projection's error are
 * in geoindex.h).
 *
 * Layout. Entries are 16-byte nodes (id, position in the cell, next,
 * the caller's tag) in an array of 4,096-node chunks, named by 32-bit
 * indices; 0 is "none".
 * A cell is a circular singly linked list of its nodes in insertion
 * order, held by its tail (whose next is the head): appending is O(1)
 * and one index per cell is enough. The occupied cells sit in an
 * open-addressing table of 12-byte slots (row, column, tail), linear
 * probing, tail 0 marking a free slot. Removal shifts the following
 * slots back instead of leaving tombstones, so a sliding window of
 * orders, opening and closing in ever new cells, never clutters the
 * table. Removed nodes go to a free list and are reused first.
 *
 * Why lists rather than an array per cell: at 1,000,000 points a cell
 * of 100 m holds one or two, and an allocation per cell would cost more
 * than the entries (a malloc header alone is 8-16 bytes). The price was
 * a cache miss per node walked: at 1,000,000 open orders in 250 m cells,
 * about a quarter of the dedup bench's time, until the relayout below.
 * gf__geo_within spares the caller's miss on the entries outside the
 * radius's box.
 *
 * Relayout. To spare most of those misses, after as many inserts as a
 * quarter of what the index holds the nodes are copied into new chunks
 * cell by cell, the cells in row order and each cell's circle in its
 * order, so that the three cells of a row of a walk are one run of
 * memory until new nodes arrive. Each node is copied about four times in
 * its life (a sliding window inserts as many as it removes), and nothing
 * a caller sees changes, the order of a walk included. Without the
 * memory for the copy, the nodes stay where they are. At 1,000,000 open
 * orders the walk went from 24% of the dedup bench's profile to 12%.
 *
 * The position in the cell (16 bits each way) is kept only so that
 * gf__geo_remove can tell apart two points of one id in one cell.
 */
#include <math.h>
#include <stdlib.h>

#include "geoindex.h"

#include "internal.h"

#define GF__GEO_CHUNK_BITS 12u
#define GF__GEO_CHUNK (1u << GF__GEO_CHUNK_BITS)
#define GF__GEO_MIN_CAP 16u
/* Smaller indexes fit in the cache anyway: never laid out again. */
#define GF__GEO_RELAYOUT_MIN 4096u

/* Rows and columns are this much longer than cell_m, to absorb rounding
 * in the grid and in the distance (see geoindex.h). */
#define GF__GEO_SLACK 1e-6

/* The band of latitudes the columns are sized for: |ref_lat| + 1, but
 * never the pole itself, where a degree of longitude has no length. */
#define GF__GEO_BAND_DEG 1.0
#define GF__GEO_BAND_MAX_DEG 89.0

#define GF__GEO_PI 3.14159265358979323846

typedef struct gf__geonode {
	uint32_t id;
	uint32_t pos;  /* row offset << 16 | column offset, in 1/65536 */
	uint32_t next; /* in the cell's circle; in the free list: next free */
	uint32_t tag;
} gf__geonode;

typedef struct gf__geoslot {
	uint32_t row;  /* int32_t row and column, stored as unsigned */
	uint32_t col;
	uint32_t tail; /* the cell's last node; 0: a free slot */
} gf__geoslot;

_Static_assert(sizeof(gf__geonode) == 16, "16 bytes per entry");
_Static_assert(sizeof(gf__geoslot) == 12, "12 bytes per table slot");

struct gf__geoindex {
	double cell_m;
	double ref_lat;
	double band;         /* |ref_lat| + 1, at most GF__GEO_BAND_MAX_DEG */
	double rows_per_deg; /* of latitude */
	double cols_per_deg; /* of longitude */

	gf__geoslot *slots;
	size_t cap;    /* 0 or a power of two */
	size_t ncells; /* occupied slots */

	gf__geonode **chunk;
	size_t nchunks;
	size_t chunk_cap;
	uint32_t top;  /* nodes from top on were never used */
	uint32_t free_head;
	size_t count;
	size_t inserts; /* since the last relayout */
};

/* ---- the grid -------------------------------------------------------- */

typedef struct gf__geopt {
	int32_t row;
	int32_t col;
	uint32_t pos;
} gf__geopt;

static int valid(double lat, double lon)
{
	/* written so that NaN fails every comparison */
	return lat >= -90.0 && lat <= 90.0 && lon >= -180.0 && lon <= 180.0;
}

/* One axis: the cell number of x (in cells) and the offset in it. */
static int32_t axis(double x, uint32_t *off)
{
	double f = floor(x);
	double frac = (x - f) * 65536.0;
	/* frac is in [0, 65536); the clamp is for rounding at the top */
	*off = frac >= 65535.0 ? 65535u : (uint32_t)frac;
	return (int32_t)f;
}

static int locate(const gf__geoindex *g, double lat, double lon,
		  gf__geopt *p)
{
	if (!valid(lat, lon))
		return 0;
	uint32_t oy, ox;
	p->row = axis(lat * g->rows_per_deg, &oy);
	p->col = axis(lon * g->cols_per_deg, &ox);
	p->pos = oy << 16 | ox;
	return 1;
}

int gf__geo_cell(const gf__geoindex *g, double lat, double lon,
		 int32_t *row, int32_t *col)
{
	gf__geopt p;
	if (!locate(g, lat, lon, &p))
		return GF_EINVAL;
	*row = p.row;
	*col = p.col;
	return GF_OK;
}

/* ---- nodes ----------------------------------------------------------- */

static inline gf__geonode *node(const gf__geoindex *g, uint32_t i)
{
	return &g->chunk[i >> GF__GEO_CHUNK_BITS][i & (GF__GEO_CHUNK - 1u)];
}

/* Makes sure one node can be taken without allocating. */
static int node_reserve(gf__geoindex *g)
{
	if (g->free_head)
		return GF_OK;
	if (g->top == 0)
		return GF_ENOMEM; /* every 32-bit index is in use */
	if ((g->top >> GF__GEO_CHUNK_BITS) < g->nchunks)
		return GF_OK;
	if (g->nchunks == g->chunk_cap) {
		size_t cap = g->chunk_cap ? g->chunk_cap * 2 : 16;
		gf__geonode **c = gf__realloc(g->chunk, cap * sizeof(*c));
		if (!c)
			return GF_ENOMEM;
		g->chunk = c;
		g->chunk_cap = cap;
	}
	gf__geonode *c = gf__malloc(GF__GEO_CHUNK * sizeof(*c));
	if (!c)
		return GF_ENOMEM;
	g->chunk[g->nchunks++] = c;
	return GF_OK;
}

/* After node_reserve. */
static uint32_t node_take(gf__geoindex *g)
{
	uint32_t i = g->free_head;
	if (i) {
		g->free_head = node(g, i)->next;
		return i;
	}
	/* top wraps to 0 after the last index: node_reserve then refuses */
	return g->top++;
}

static void node_release(gf__geoindex *g, uint32_t i)
{
	node(g, i)->next = g->free_head;
	g->free_head = i;
}

/* ---- the table of cells --------------------------------------------- */

static inline size_t home(const gf__geoindex *g, uint32_t row, uint32_t col)
{
	/* the finaliser of MurmurHash3: neighbouring cells differ in the
	 * low bits of one half only */
	uint64_t h = (uint64_t)row << 32 | col;
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ULL;
	h ^= h >> 33;
	return (size_t)h & (g->cap - 1u);
}

/* The slot of the cell, or NULL, probing from its home h. */
static gf__geoslot *cell_at(const gf__geoindex *g, size_t h, int32_t row,
			    int32_t col)
{
	uint32_t r = (uint32_t)row, c = (uint32_t)col;
	size_t mask = g->cap - 1u;
	for (size_t i = h;; i = (i + 1u) & mask) {
		gf__geoslot *s = &g->slots[i];
		if (!s->tail)
			return NULL;
		if (s->row == r && s->col == c)
			return s;
	}
}

/* The slot of the cell, or NULL. */
static gf__geoslot *cell_find(const gf__geoindex *g, int32_t row,
			      int32_t col)
{
	if (!g->ncells)
		return NULL;
	return cell_at(g, home(g, (uint32_t)row, (uint32_t)col), row, col);
}

/* Moves the occupied slots into a table of cap slots. */
static int rehash(gf__geoindex *g, size_t cap)
{
	gf__geoslot *slots = gf__calloc(cap, sizeof(*slots));
	if (!slots)
		return GF_ENOMEM;
	gf__geoslot *old = g->slots;
	size_t oldcap = g->cap;
	g->slots = slots;
	g->cap = cap;
	for (size_t i = 0; i < oldcap; i++) {
		if (!old[i].tail)
			continue;
		size_t j = home(g, old[i].row, old[i].col);
		while (slots[j].tail)
			j = (j + 1u) & (cap - 1u);
		slots[j] = old[i];
	}
	gf__free(old);
	return GF_OK;
}

/* The table size for n cells at a load of at most 3/8, so that it
 * neither grows nor shrinks again soon. */
static size_t cap_for(size_t n)
{
	size_t cap = GF__GEO_MIN_CAP;
	while (n * 8u > cap * 3u)
		cap *= 2u;
	return cap;
}

/* Makes sure a new cell can be added without allocating: the load stays
 * at most 3/4. A table under 1/8 full shrinks, if memory allows. */
static int cell_reserve(gf__geoindex *g)
{
	if ((g->ncells + 1u) * 4u > g->cap * 3u)
		return rehash(g, cap_for(g->ncells + 1u));
	if (g->cap > GF__GEO_MIN_CAP * 4u && g->ncells * 8u < g->cap)
		(void)rehash(g, cap_for(g->ncells + 1u)); /* may fail: fine */
	return GF_OK;
}

/* A new cell, after cell_reserve; its tail is set by the caller. */
static gf__geoslot *cell_add(gf__geoindex *g, int32_t row, int32_t col)
{
	uint32_t r = (uint32_t)row, c = (uint32_t)col;
	size_t i = home(g, r, c);
	while (g->slots[i].tail)
		i = (i + 1u) & (g->cap - 1u);
	g->slots[i].row = r;
	g->slots[i].col = c;
	g->ncells++;
	return &g->slots[i];
}

/* Frees slot s by shifting back the slots that probed past it. */
static void cell_del(gf__geoindex *g, gf__geoslot *s)
{
	size_t mask = g->cap - 1u;
	size_t i = (size_t)(s - g->slots);
	for (size_t j = (i + 1u) & mask;; j = (j + 1u) & mask) {
		gf__geoslot *t = &g->slots[j];
		if (!t->tail)
			break;
		size_t h = home(g, t->row, t->col);
		/* t may move to i when i lies cyclically in [h, j) */
		if (((j - h) & mask) >= ((j - i) & mask)) {
			g->slots[i] = *t;
			i = j;
		}
	}
	g->slots[i].tail = 0;
	g->ncells--;
}

/* ---- relayout -------------------------------------------------------- */

/* A cell's place in row order: row, then column, as one unsigned key
 * (the sign bits flipped, so that -1 sorts before 0). */
typedef struct cellkey {
	uint64_t key;
	size_t slot;
} cellkey;

static uint64_t cell_key(const gf__geoslot *s)
{
	return (uint64_t)(s->row ^ 0x80000000u) << 32 | (s->col ^ 0x80000000u);
}

/* Sorts n keys by key: a radix sort, least significant byte first, a
 * pass skipped when all its digits are equal (a city's rows and columns
 * differ only in their low bits). Returns the array that holds them
 * sorted: a or tmp. */
static cellkey *cell_sort(cellkey *a, cellkey *tmp, size_t n)
{
	for (unsigned shift = 0; n && shift < 64; shift += 8) {
		size_t count[256] = { 0 };
		for (size_t i = 0; i < n; i++)
			count[(a[i].key >> shift) & 0xFFu]++;
		if (count[(a[0].key >> shift) & 0xFFu] == n)
			continue;
		size_t sum = 0;
		for (size_t d = 0; d < 256; d++) {
			size_t c = count[d];
			count[d] = sum;
			sum += c;
		}
		for (size_t i = 0; i < n; i++)
			tmp[count[(a[i].key >> shift) & 0xFFu]++] = a[i];
		cellkey *t = a;
		a = tmp;
		tmp = t;
	}
	return a;
}

/* Each cell's nodes, contiguous, in new chunks (see the top of the file);
 * nodes are renumbered from 1, the free list is gone. */
static void relayout(gf__geoindex *g)
{
	size_t nodes = g->count + 1u; /* and node 0, "none" */
	size_t nchunks = (nodes + GF__GEO_CHUNK - 1u) >> GF__GEO_CHUNK_BITS;
	/* the cells in row order, so that the three cells of a row of a
	 * walk are one run */
	cellkey *order = gf__malloc(2 * g->ncells * sizeof(*order));
	gf__geonode **chunk = gf__malloc(g->chunk_cap * sizeof(*chunk));
	size_t made = 0;
	while (order && chunk && made < nchunks) {
		chunk[made] = gf__malloc(GF__GEO_CHUNK * sizeof(gf__geonode));
		if (!chunk[made])
			break;
		made++;
	}
	if (made < nchunks) {
		while (made)
			gf__free(chunk[--made]);
		gf__free(chunk);
		gf__free(order);
		return;
	}
	size_t nc = 0;
	for (size_t k = 0; k < g->cap; k++)
		if (g->slots[k].tail) {
			order[nc].key = cell_key(&g->slots[k]);
			order[nc++].slot = k;
		}
	const cellkey *sorted = cell_sort(order, order + g->ncells, nc);
	uint32_t top = 1;
	for (size_t c = 0; c < nc; c++) {
		gf__geoslot *s = &g->slots[sorted[c].slot];
		uint32_t i = s->tail, first = top;
		do {
			i = node(g, i)->next;
			gf__geonode *d = &chunk[top >> GF__GEO_CHUNK_BITS]
					       [top & (GF__GEO_CHUNK - 1u)];
			*d = *node(g, i);
			d->next = top + 1u;
			top++;
		} while (i != s->tail);
		chunk[(top - 1u) >> GF__GEO_CHUNK_BITS]
		     [(top - 1u) & (GF__GEO_CHUNK - 1u)].next = first;
		s->tail = top - 1u;
	}
	gf__free(order);
	for (size_t c = 0; c < g->nchunks; c++)
		gf__free(g->chunk[c]);
	gf__free(g->chunk);
	g->chunk = chunk;
	g->nchunks = nchunks;
	g->top = top;
	g->free_head = 0;
}

/* ---- the index ------------------------------------------------------- */

int gf__geo_new(gf__geoindex **out, double cell_m, double ref_lat)
{
	*out = NULL;
	/* written so that NaN fails */
	if (!isfinite(cell_m) || !(cell_m >= GF__GEO_CELL_MIN_M) ||
	    !(ref_lat >= -90.0 && ref_lat <= 90.0))
		return GF_EINVAL;
	gf__geoindex *g = gf__calloc(1, sizeof(*g));
	if (!g)
		return GF_ENOMEM;
	const double m_per_deg = GF__GEO_EARTH_RADIUS_M * GF__GEO_PI / 180.0;
	double band = fabs(ref_lat) + GF__GEO_BAND_DEG;
	if (band > GF__GEO_BAND_MAX_DEG)
		band = GF__GEO_BAND_MAX_DEG;
	double side = cell_m * (1.0 + GF__GEO_SLACK);
	g->cell_m = cell_m;
	g->ref_lat = ref_lat;
	g->band = band;
	g->rows_per_deg = m_per_deg / side;
	g->cols_per_deg = m_per_deg * cos(band * GF__GEO_PI / 180.0) / side;
	g->top = 1; /* node 0 is "none" */
	*out = g;
	return GF_OK;
}

void gf__geo_free(gf__geoindex *g)
{
	if (!g)
		return;
	for (size_t c = 0; c < g->nchunks; c++)
		gf__free(g->chunk[c]);
	gf__free(g->chunk);
	gf__free(g->slots);
	gf__free(g);
}

int gf__geo_insert(gf__geoindex *g, uint32_t id, uint32_t tag, double lat,
		   double lon)
{
	gf__geopt p;
	if (!locate(g, lat, lon, &p))
		return GF_EINVAL;
	/* everything that may fail comes first: nothing changes until both
	 * a node and the cell's slot are sure */
	if (node_reserve(g))
		return GF_ENOMEM;
	gf__geoslot *s = cell_find(g, p.row, p.col);
	if (!s) {
		if (cell_reserve(g))
			return GF_ENOMEM;
		s = cell_add(g, p.row, p.col);
	}
	uint32_t i = node_take(g);
	gf__geonode *n = node(g, i);
	n->id = id;
	n->pos = p.pos;
	n->tag = tag;
	if (s->tail) {
		gf__geonode *t = node(g, s->tail);
		n->next = t->next;
		t->next = i;
	} else {
		n->next = i;
	}
	s->tail = i;
	g->count++;
	if (++g->inserts * 4u >= g->count && g->count >= GF__GEO_RELAYOUT_MIN) {
		relayout(g);
		g->inserts = 0;
	}
	return GF_OK;
}

int gf__geo_remove(gf__geoindex *g, uint32_t id, double lat, double lon)
{
	gf__geopt p;
	if (!locate(g, lat, lon, &p))
		return 0;
	gf__geoslot *s = cell_find(g, p.row, p.col);
	if (!s)
		return 0;
	/* walk the circle from the head, keeping the previous node */
	uint32_t prev = s->tail, i = node(g, prev)->next;
	for (;;) {
		gf__geonode *n = node(g, i);
		if (n->id == id && n->pos == p.pos)
			break;
		if (i == s->tail)
			return 0;
		prev = i;
		i = n->next;
	}
	if (prev == i) {
		cell_del(g, s); /* its only node */
	} else {
		node(g, prev)->next = node(g, i)->next;
		if (s->tail == i)
			s->tail = prev;
	}
	node_release(g, i);
	g->count--;
	return 1;
}

/* What the 3 x 3 cells around p hold, less what lies further than ry
 * rows' or rx columns' 1/65536 from p, and, when any_tag is 0, what
 * has another tag than tag. */
static size_t walk(const gf__geoindex *g, const gf__geopt *p, int64_t ry,
		   int64_t rx, int any_tag, uint32_t tag, uint32_t *out,
		   size_t max)
{
	int64_t qy = p->pos >> 16, qx = p->pos & 0xFFFFu;
	size_t n = 0;
	/* The nine cells' slots lie anywhere in the table, their tails
	 * anywhere in the chunks, and each list is followed node by node:
	 * ask for the slots, then the tails, then each list's first lines
	 * (its run since the last relayout), each round all nine at once,
	 * so that their cache misses overlap instead of coming one after
	 * another. */
	size_t h[9];
	for (int k = 0; k < 9; k++) {
		h[k] = home(g, (uint32_t)(p->row + k / 3 - 1),
			    (uint32_t)(p->col + k % 3 - 1));
		GF__PREFETCH(&g->slots[h[k]]);
	}
	const gf__geoslot *cell[9];
	for (int k = 0; k < 9; k++) {
		cell[k] = cell_at(g, h[k], p->row + k / 3 - 1,
				  p->col + k % 3 - 1);
		if (cell[k])
			GF__PREFETCH(node(g, cell[k]->tail));
	}
	for (int k = 0; k < 9; k++) {
		if (!cell[k])
			continue;
		uint32_t head = node(g, cell[k]->tail)->next;
		/* a cache line holds four nodes; a run stays in its chunk */
		for (uint32_t a = 0; a < 12; a += 4)
			if ((head & (GF__GEO_CHUNK - 1u)) + a < GF__GEO_CHUNK)
				GF__PREFETCH(node(g, head + a));
	}
	for (int32_t dr = -1; dr <= 1; dr++) {
		for (int32_t dc = -1; dc <= 1; dc++) {
			const gf__geoslot *s = cell[(dr + 1) * 3 + dc + 1];
			if (!s)
				continue;
			uint32_t i = s->tail;
			do {
				i = node(g, i)->next;
				const gf__geonode *nd = node(g, i);
				if (!any_tag && nd->tag != tag)
					continue;
				int64_t y = (int64_t)dr * 65536 +
					    (int64_t)(nd->pos >> 16) - qy;
				int64_t x = (int64_t)dc * 65536 +
					    (int64_t)(nd->pos & 0xFFFFu) - qx;
				if (y > ry || y < -ry || x > rx || x < -rx)
					continue;
				if (n < max)
					out[n] = nd->id;
				n++;
			} while (i != s->tail);
		}
	}
	return n;
}

/* Farther than any point of the 3 x 3 cells, in 1/65536 of a cell. */
#define GF__GEO_ALL (2 * 65536)

size_t gf__geo_near(const gf__geoindex *g, double lat, double lon,
		    uint32_t *out, size_t max)
{
	gf__geopt p;
	if (!g->ncells || !locate(g, lat, lon, &p))
		return 0;
	return walk(g, &p, GF__GEO_ALL, GF__GEO_ALL, 1, 0, out, max);
}

size_t gf__geo_within(const gf__geoindex *g, double lat, double lon,
		      double radius_m, uint32_t tag, uint32_t *out,
		      size_t max)
{
	gf__geopt p;
	if (!g->ncells || !locate(g, lat, lon, &p) || !(radius_m >= 0))
		return 0;
	/* metres per 1/65536 of a row and of a column, on the flat earth at
	 * lat; offsets are truncated, so two steps more either way */
	double my = GF__GEO_FLAT_M_PER_DEG / g->rows_per_deg / 65536.0;
	double mx = GF__GEO_FLAT_M_PER_DEG * cos(lat * GF__GEO_PI / 180.0) /
		    g->cols_per_deg / 65536.0;
	double fy = radius_m / my + 2.0;
	double fx = mx > 0 ? radius_m / mx + 2.0 : GF__GEO_ALL;
	return walk(g, &p, fy < GF__GEO_ALL ? (int64_t)fy : GF__GEO_ALL,
		    fx < GF__GEO_ALL ? (int64_t)fx : GF__GEO_ALL, 0, tag, out,
		    max);
}

double gf__geo_distance_m(double lat1, double lon1, double lat2,
			  double lon2)
{
	const double rad = GF__GEO_PI / 180.0;
	double p1 = lat1 * rad, p2 = lat2 * rad;
	double sp = sin((p2 - p1) / 2.0);
	double sl = sin((lon2 - lon1) * rad / 2.0);
	double h = sp * sp + cos(p1) * cos(p2) * sl * sl;
	if (h > 1.0)
		h = 1.0; /* rounding, at the antipodes */
	return 2.0 * GF__GEO_EARTH_RADIUS_M * asin(sqrt(h));
}

int gf__geo_covers(const gf__geoindex *g, double lat)
{
	/* written so that NaN fails */
	if (!(lat >= -90.0 && lat <= 90.0))
		return 0;
	return fabs(lat) <= g->band || g->band >= GF__GEO_BAND_MAX_DEG;
}

size_t gf__geo_count(const gf__geoindex *g)
{
	return g->count;
}

size_t gf__geo_cells(const gf__geoindex *g)
{
	return g->ncells;
}

size_t gf__geo_memory(const gf__geoindex *g)
{
	return sizeof(*g) + g->cap * sizeof(gf__geoslot) +
	       g->chunk_cap * sizeof(gf__geonode *) +
	       g->nchunks * GF__GEO_CHUNK * sizeof(gf__geonode);
}
