/*
 * check_geoindex.c - the spatial index for deduplication (lib/geoindex.c):
 * no point within the radius is ever missed, the candidates are a small
 * superset, the order and removal rules against a model, the edges of
 * the grid and of the globe, distances, memory at a million points and
 * in a sliding window, and out-of-memory.
 *
 * Under valgrind (or with GF_TEST_QUICK set) the big cases shrink, to
 * keep the suite within seconds there.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#if defined(__has_include)
#  if __has_include(<valgrind/valgrind.h>)
#    include <valgrind/valgrind.h>
#    define GF_TEST_HAVE_VALGRIND 1
#  endif
#endif

#include "internal.h"
#include "geoindex.h"
#include "failalloc.h"
#include "testutil.h"

#define PI 3.14159265358979323846
#define R_EARTH 6371008.8
#define M_PER_DEG (R_EARTH * PI / 180.0)
#define SUZHOU_LAT 31.2990
#define SUZHOU_LON 120.5853

/* Check records every passing ck_assert: the loops that check many
 * times use these, which speak only on failure. */
#define REQUIRE(c)                                                      \
	do {                                                            \
		if (!(c))                                               \
			ck_abort_msg("%s:%d: %s", __FILE__, __LINE__, #c); \
	} while (0)
#define REQUIRE_EQ(a, b)                                                \
	do {                                                            \
		long long a_ = (long long)(a), b_ = (long long)(b);     \
		if (a_ != b_)                                           \
			ck_abort_msg("%s:%d: %s == %s: %lld != %lld",   \
				     __FILE__, __LINE__, #a, #b, a_, b_); \
	} while (0)

static int quick(void)
{
#ifdef GF_TEST_HAVE_VALGRIND
	if (RUNNING_ON_VALGRIND)
		return 1;
#endif
	return getenv("VALGRIND") != NULL || getenv("GF_TEST_QUICK") != NULL;
}

static uint64_t rng_next(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static double rng_unit(uint64_t *s) /* [0, 1) */
{
	return (double)(rng_next(s) >> 11) * 0x1p-53;
}

static double rng_in(uint64_t *s, double lo, double hi)
{
	return lo + (hi - lo) * rng_unit(s);
}

static gf__geoindex *geo_new(double cell_m, double ref_lat)
{
	gf__geoindex *g;
	ck_assert_int_eq(gf__geo_new(&g, cell_m, ref_lat), GF_OK);
	ck_assert_ptr_nonnull(g);
	return g;
}

/* Is id among the first n of v? */
static int has_id(const uint32_t *v, size_t n, uint32_t id)
{
	for (size_t i = 0; i < n; i++)
		if (v[i] == id)
			return 1;
	return 0;
}

/* ---- distance ------------------------------------------------------ */

/* The spherical law of cosines: another formula for the same distance,
 * good to a few metres at these scales. */
static double cosines_m(double a, double b, double c, double d)
{
	const double r = PI / 180.0;
	double x = sin(a * r) * sin(c * r) +
		   cos(a * r) * cos(c * r) * cos((d - b) * r);
	return R_EARTH * acos(x > 1.0 ? 1.0 : x);
}

START_TEST(distance_of_known_pairs)
{
	/* one degree of latitude, anywhere: R x pi / 180 */
	ck_assert_double_eq_tol(gf__geo_distance_m(0, 0, 1, 0), 111195.0802,
				1e-3);
	ck_assert_double_eq_tol(gf__geo_distance_m(31, 120, 32, 120),
				111195.0802, 1e-3);
	ck_assert_double_eq_tol(gf__geo_distance_m(-45, -70, -44, -70),
				111195.0802, 1e-3);
	/* one degree of longitude at 60 N is about half of that */
	ck_assert_double_eq_tol(gf__geo_distance_m(60, 10, 60, 11),
				55597.5, 0.1 * 55597.5 / 100);
	/* a quarter and a half of a great circle */
	ck_assert_double_eq_tol(gf__geo_distance_m(0, 0, 90, 0),
				R_EARTH * PI / 2, 1e-3);
	ck_assert_double_eq_tol(gf__geo_distance_m(0, 0, 0, 180),
				R_EARTH * PI, 1e-3);
	/* the haversine is ill-conditioned at the antipodes (asin near 1):
	 * 0.19 m off there, of no matter for a radius of metres */
	ck_assert_double_eq_tol(gf__geo_distance_m(10, -179.5, -10, 0.5),
				R_EARTH * PI, 1.0);
	ck_assert_double_eq(gf__geo_distance_m(31.3, 120.6, 31.3, 120.6), 0);
	/* across the antimeridian: a short hop, not half the world */
	ck_assert_double_lt(gf__geo_distance_m(10, 179.9999, 10, -179.9999),
			    25.0);

	/* Suzhou (centre) to Shanghai People's Square: 84,783.5 m by the
	 * haversine with this R (computed apart, in double precision) */
	double d = gf__geo_distance_m(SUZHOU_LAT, SUZHOU_LON, 31.2304,
				      121.4737);
	ck_assert_double_eq_tol(d, 84783.53, 84783.53 * 0.001);
	ck_assert_double_eq_tol(d, 84783.53, 0.01);
	ck_assert_double_eq_tol(d, cosines_m(SUZHOU_LAT, SUZHOU_LON, 31.2304,
					     121.4737), 1.0);
	ck_assert_double_eq(d, gf__geo_distance_m(31.2304, 121.4737,
						  SUZHOU_LAT, SUZHOU_LON));
	/* 250 m, the deduplication radius, to the centimetre */
	double dlat = 250.0 / M_PER_DEG;
	ck_assert_double_eq_tol(gf__geo_distance_m(31.3, 120.6, 31.3 + dlat,
						   120.6), 250.0, 0.01);
}
END_TEST

/* ---- completeness --------------------------------------------------- */

/* The Suzhou-sized box of the brief. */
#define BOX_LAT0 30.7
#define BOX_LAT1 32.05
#define BOX_LON0 119.9
#define BOX_LON1 121.4

typedef struct pt {
	double lat, lon;
} pt;

/* Ten crowded spots inside the box, for box_point. */
static void make_spots(uint64_t *rng, pt spots[10])
{
	for (int k = 0; k < 10; k++) {
		spots[k].lat = rng_in(rng, BOX_LAT0 + 0.05, BOX_LAT1 - 0.05);
		spots[k].lon = rng_in(rng, BOX_LON0 + 0.05, BOX_LON1 - 0.05);
	}
}

/* A point of the box: 4 in 5 uniform, the rest crowded around ten
 * hotspots (a few km across), so that some cells hold many points. */
static pt box_point(uint64_t *s, const pt *spots)
{
	pt p;
	if (rng_unit(s) < 0.8) {
		p.lat = rng_in(s, BOX_LAT0, BOX_LAT1);
		p.lon = rng_in(s, BOX_LON0, BOX_LON1);
	} else {
		const pt *c = &spots[rng_next(s) % 10];
		p.lat = c->lat + rng_in(s, -0.02, 0.02);
		p.lon = c->lon + rng_in(s, -0.02, 0.02);
	}
	return p;
}

/* A point d metres from p at bearing b (radians), on the local plane. */
static pt offset(pt p, double d, double b)
{
	pt q;
	q.lat = p.lat + d * cos(b) / M_PER_DEG;
	q.lon = p.lon + d * sin(b) / (M_PER_DEG * cos(p.lat * PI / 180.0));
	return q;
}

/*
 * For every query, gf__geo_near must return every indexed point within
 * r = cell_m by gf__geo_distance_m (checked by brute force), and exactly
 * the points of the 3 x 3 cells (by gf__geo_cell).
 *
 * Measured (20,000 points, 2,000 queries, half of them within 300 m of
 * an indexed point, half anywhere; seed as below):
 *   cell_m 250: 7,120 candidates for 2,988 points within 250 m: 2.38 per
 *               true one; 2.91 for the queries anywhere, which is the
 *               area of 9 cells over a circle of r (9/pi = 2.86) with
 *               columns 1.1-2.1% wider; 2.07 near a point (crowded);
 *   cell_m 100: 1,532 candidates for 660, 2.32 per one (3.05 anywhere,
 *               2.09 near a point).
 */
START_TEST(near_misses_nothing_within_the_radius)
{
	static const double cells[] = { 250.0, 100.0 };
	const double cell_m = cells[_i];
	const size_t npts = quick() ? 5000 : 20000;
	const size_t nq = quick() ? 500 : 2000;
	uint64_t rng = 0x5EED5EED12345ull;
	pt spots[10];
	make_spots(&rng, spots);
	pt *p = malloc(npts * sizeof(*p));
	int32_t *row = malloc(npts * sizeof(*row));
	int32_t *col = malloc(npts * sizeof(*col));
	uint32_t *out = malloc(npts * sizeof(*out));
	unsigned char *seen = calloc(npts, 1);
	ck_assert(p && row && col && out && seen);

	gf__geoindex *g = geo_new(cell_m, SUZHOU_LAT);
	for (size_t i = 0; i < npts; i++) {
		p[i] = box_point(&rng, spots);
		REQUIRE_EQ(gf__geo_insert(g, (uint32_t)i, 0, p[i].lat, p[i].lon),
			   GF_OK);
		REQUIRE_EQ(gf__geo_cell(g, p[i].lat, p[i].lon, &row[i],
					&col[i]), GF_OK);
	}
	ck_assert_uint_eq(gf__geo_count(g), npts);

	/* by kind of query: 0 near an indexed point, 1 anywhere */
	size_t cand[2] = { 0, 0 }, hits[2] = { 0, 0 };
	const double strip = cell_m / M_PER_DEG * 1.001;
	for (size_t k = 0; k < nq; k++) {
		pt q;
		if (k % 2)
			q = box_point(&rng, spots);
		else
			q = offset(p[rng_next(&rng) % npts],
				   rng_in(&rng, 0, 300.0),
				   rng_in(&rng, 0, 2 * PI));
		size_t n = gf__geo_near(g, q.lat, q.lon, out, npts);
		REQUIRE(n <= npts);
		cand[k % 2] += n;
		for (size_t j = 0; j < n; j++) {
			REQUIRE(!seen[out[j]]); /* each point once */
			seen[out[j]] = 1;
		}
		int32_t qr, qc;
		REQUIRE_EQ(gf__geo_cell(g, q.lat, q.lon, &qr, &qc), GF_OK);
		size_t in_cells = 0;
		for (size_t i = 0; i < npts; i++) {
			int near = abs(row[i] - qr) <= 1 && abs(col[i] - qc) <= 1;
			in_cells += (size_t)near;
			REQUIRE_EQ(seen[i], near);
			/* the latitude alone rules out most: a great circle
			 * is never shorter than its change of latitude */
			if (fabs(p[i].lat - q.lat) > strip)
				continue;
			if (gf__geo_distance_m(q.lat, q.lon, p[i].lat,
					       p[i].lon) <= cell_m) {
				hits[k % 2]++;
				if (!seen[i])
					ck_abort_msg("query %zu (%.7f, %.7f) "
						     "misses point %zu (%.7f, "
						     "%.7f)", k, q.lat, q.lon,
						     i, p[i].lat, p[i].lon);
			}
		}
		REQUIRE_EQ(in_cells, n);
		for (size_t j = 0; j < n; j++)
			seen[out[j]] = 0;
	}
	size_t candidates = cand[0] + cand[1], within = hits[0] + hits[1];
	printf("geoindex: cell %.0f m, %zu points, %zu queries: %zu "
	       "candidates for %zu within the radius (%.2f per one; "
	       "%.2f for queries anywhere, %.2f near a point)\n",
	       cell_m, npts, nq, candidates, within,
	       (double)candidates / (double)within,
	       (double)cand[1] / (double)hits[1],
	       (double)cand[0] / (double)hits[0]);
	ck_assert_uint_gt(hits[0], nq / 20);
	/* a small superset: 9 cells over a circle is 9/pi = 2.86, with
	 * columns 1-2% wider; allow for the noise of a sample */
	ck_assert_double_lt((double)candidates / (double)within, 3.5);
	if (hits[1] >= 200)
		ck_assert_double_lt((double)cand[1] / (double)hits[1], 3.5);
	gf__geo_free(g);
	free(p);
	free(row);
	free(col);
	free(out);
	free(seen);
}
END_TEST

/*
 * gf__geo_within keeps, of what gf__geo_near returns (in its order),
 * every point of the query's tag (points have three) inside the
 * flat-earth box of the radius (the box the dedup
 * scorer tests first: 111,195 m a degree of latitude, that times
 * cos(lat) of longitude, at the query's latitude), for radii up to the
 * cell and below it, and lets in only points within a hair of the box.
 * Queries sit on indexed points, near them and anywhere.
 */
START_TEST(within_keeps_the_box_and_drops_the_rest)
{
	const double cell_m = 250.0;
	const size_t npts = quick() ? 4000 : 12000;
	const size_t nq = quick() ? 400 : 1500;
	uint64_t rng = 0xB0B0CAFE5EEDull;
	pt spots[10];
	make_spots(&rng, spots);
	pt *p = malloc(npts * sizeof(*p));
	uint32_t *near = malloc(npts * sizeof(*near));
	uint32_t *in = malloc(npts * sizeof(*in));
	ck_assert(p && near && in);
	gf__geoindex *g = geo_new(cell_m, SUZHOU_LAT);
	for (size_t i = 0; i < npts; i++) {
		p[i] = box_point(&rng, spots);
		REQUIRE_EQ(gf__geo_insert(g, (uint32_t)i, (uint32_t)(i % 3),
					  p[i].lat, p[i].lon),
			   GF_OK);
	}
	static const double radii[] = { 250.0, 150.0, 40.0, 0.0 };
	size_t kept = 0, all = 0;
	for (size_t k = 0; k < nq; k++) {
		pt q = k % 3 == 0 ? p[rng_next(&rng) % npts]
		       : k % 3 == 1 ? offset(p[rng_next(&rng) % npts],
					     rng_in(&rng, 0, 300.0),
					     rng_in(&rng, 0, 2 * PI))
				    : box_point(&rng, spots);
		double r = radii[k % 4];
		uint32_t tag = (uint32_t)(k / 4 % 3);
		size_t nn = gf__geo_near(g, q.lat, q.lon, near, npts);
		size_t nw = gf__geo_within(g, q.lat, q.lon, r, tag, in, npts);
		REQUIRE(nw <= nn);
		all += nn;
		kept += nw;
		double mx = 111195.0 * cos(q.lat * PI / 180.0);
		/* a subsequence of near: every point in the box, and only
		 * points within a hair of it (2/65536 of a cell) */
		size_t j = 0;
		for (size_t i = 0; i < nn; i++) {
			const pt *c = &p[near[i]];
			double dy = fabs(c->lat - q.lat) * 111195.0;
			double dx = fabs(c->lon - q.lon) * mx;
			int inside = dy <= r && dx <= r;
			int mine = near[i] % 3 == tag;
			int kept_it = j < nw && in[j] == near[i];
			if (kept_it)
				j++;
			if (inside && mine && !kept_it)
				ck_abort_msg("query %zu (%.7f, %.7f), r %.0f: "
					     "point %u (%.7f, %.7f) is in the "
					     "box and dropped",
					     k, q.lat, q.lon, r, near[i],
					     c->lat, c->lon);
			if (kept_it && !mine)
				ck_abort_msg("query %zu, tag %u: point %u of "
					     "tag %u kept",
					     k, tag, near[i], near[i] % 3);
			if (kept_it && (dy > r + 0.05 || dx > r + 0.05))
				ck_abort_msg("query %zu, r %.0f: point %u is "
					     "%.2f m and %.2f m off, kept",
					     k, r, near[i], dy, dx);
		}
		REQUIRE_EQ(j, nw);
	}
	/* the box of the cell's radius is 4/9 of the 3 x 3 cells, and a
	 * third of the points have the tag */
	ck_assert_uint_lt(kept, all * 2 / 10);
	ck_assert_uint_gt(kept, 0);
	/* invalid points and radii: nothing */
	ck_assert_uint_eq(gf__geo_within(g, 91.0, 0, 100.0, 0, in, npts), 0);
	ck_assert_uint_eq(gf__geo_within(g, p[0].lat, p[0].lon, -1.0, 0, in,
					 npts), 0);
	ck_assert_uint_eq(gf__geo_within(g, p[0].lat, p[0].lon, NAN, 0, in,
					 npts), 0);
	gf__geo_free(g);
	free(p);
	free(near);
	free(in);
}
END_TEST

/* The worst cases of the grid: a pair exactly r apart east-west at the
 * poleward edge of the band (where a degree of longitude is shortest),
 * and north-south anywhere, at random offsets to the cell lines. */
START_TEST(pairs_r_apart_at_the_edge_of_the_band)
{
	const double r = 250.0, ref = SUZHOU_LAT;
	const int trials = quick() ? 2000 : 20000;
	uint64_t rng = 99;
	uint32_t out[64];
	gf__geoindex *g = geo_new(r, ref);
	for (int t = 0; t < trials; t++) {
		int ew = t % 2;
		double lat = ew ? ref + 0.9999 : rng_in(&rng, ref - 1, ref + 1);
		if (ew && t % 4 == 1)
			lat = -lat; /* the same, mirrored south */
		double lon = rng_in(&rng, 120.0, 121.0), lat2 = lat, lon2 = lon;
		if (ew) {
			/* same latitude: sin(r/2R) = cos(lat) sin(dlon/2) */
			double dl = 2 * asin(sin(r / (2 * R_EARTH)) /
					     cos(lat * PI / 180.0));
			lon2 = lon + dl * 180.0 / PI;
		} else {
			lat2 = lat + r / M_PER_DEG;
		}
		if (t % 3 == 0) { /* and the other way round */
			double x = lat, y = lon;
			lat = lat2;
			lon = lon2;
			lat2 = x;
			lon2 = y;
		}
		double d = gf__geo_distance_m(lat, lon, lat2, lon2);
		REQUIRE(fabs(d - r) < 1e-6);
		REQUIRE_EQ(gf__geo_insert(g, (uint32_t)t, 0, lat2, lon2), GF_OK);
		size_t n = gf__geo_near(g, lat, lon, out, 64);
		REQUIRE(n <= 64);
		/* found, even when rounding put it a hair beyond r */
		REQUIRE(has_id(out, n, (uint32_t)t));
		REQUIRE_EQ(gf__geo_remove(g, (uint32_t)t, lat2, lon2), 1);
	}
	ck_assert_uint_eq(gf__geo_count(g), 0);
	ck_assert_uint_eq(gf__geo_cells(g), 0);
	gf__geo_free(g);
}
END_TEST

/* ---- order and removal against a model ----------------------------- */

typedef struct mentry {
	uint32_t id;
	int pt;          /* index into the point set */
	int32_t row, col;
} mentry;

/*
 * Random inserts and removes of a few ids at a set of points in 5 x 5
 * cells, many of them twice at one point, checked after every step
 * against the rules: near returns the entries of the 3 x 3 cells, by
 * row, then column, then insertion; remove takes the earliest matching
 * entry and keeps the order of the rest; an emptied cell is gone.
 */
START_TEST(order_and_removal_follow_the_rules)
{
	enum { NPT = 48, MAXN = 400 };
	const int steps = quick() ? 4000 : 30000;
	static mentry m[MAXN];
	static pt pts[NPT];
	static int32_t prow[NPT], pcol[NPT];
	size_t n = 0;
	uint64_t rng = 7 + (uint64_t)_i;
	gf__geoindex *g = geo_new(_i ? 100.0 : 250.0, SUZHOU_LAT);
	double cell = _i ? 100.0 : 250.0;
	for (int k = 0; k < NPT; k++) {
		/* on a 1 m lattice, so no two share a cell's 1/65536 */
		double dy = floor(rng_in(&rng, -2.5, 2.5) * cell);
		double dx = floor(rng_in(&rng, -2.5, 2.5) * cell);
		pts[k].lat = SUZHOU_LAT + dy / M_PER_DEG;
		pts[k].lon = SUZHOU_LON + dx / (M_PER_DEG * 0.85);
		int dup = 0;
		for (int j = 0; j < k; j++)
			dup |= pts[j].lat == pts[k].lat &&
			       pts[j].lon == pts[k].lon;
		if (dup) {
			k--;
			continue;
		}
		ck_assert_int_eq(gf__geo_cell(g, pts[k].lat, pts[k].lon,
					      &prow[k], &pcol[k]), GF_OK);
	}
	uint32_t out[MAXN], want[MAXN];
	for (int s = 0; s < steps; s++) {
		uint64_t k = rng_next(&rng) % 100;
		if (k < (n < MAXN / 2 ? 55u : 45u) && n < MAXN) {
			uint32_t id = (uint32_t)(rng_next(&rng) % 12);
			int p = (int)(rng_next(&rng) % NPT);
			REQUIRE_EQ(gf__geo_insert(g, id, 0, pts[p].lat, pts[p].lon),
				   GF_OK);
			m[n].id = id;
			m[n].pt = p;
			m[n].row = prow[p];
			m[n].col = pcol[p];
			n++;
		} else {
			/* an entry that exists, or a guess */
			uint32_t id;
			int p;
			if (n && k < 85) {
				size_t e = rng_next(&rng) % n;
				id = m[e].id;
				p = m[e].pt;
			} else {
				id = (uint32_t)(rng_next(&rng) % 14);
				p = (int)(rng_next(&rng) % NPT);
			}
			size_t e = 0;
			while (e < n && !(m[e].id == id && m[e].pt == p))
				e++;
			REQUIRE_EQ(gf__geo_remove(g, id, pts[p].lat, pts[p].lon),
				   e < n);
			if (e < n) {
				memmove(&m[e], &m[e + 1],
					(n - e - 1) * sizeof(m[0]));
				n--;
			}
		}
		REQUIRE_EQ(gf__geo_count(g), n);
		size_t cells = 0;
		for (size_t e = 0; e < n; e++) {
			size_t f = 0;
			while (f < e && !(m[f].row == m[e].row &&
					  m[f].col == m[e].col))
				f++;
			cells += f == e;
		}
		REQUIRE_EQ(gf__geo_cells(g), cells);
		int q = (int)(rng_next(&rng) % NPT);
		size_t w = 0;
		for (int32_t dr = -1; dr <= 1; dr++)
			for (int32_t dc = -1; dc <= 1; dc++)
				for (size_t e = 0; e < n; e++)
					if (m[e].row == prow[q] + dr &&
					    m[e].col == pcol[q] + dc)
						want[w++] = m[e].id;
		size_t got = gf__geo_near(g, pts[q].lat, pts[q].lon, out, MAXN);
		REQUIRE_EQ(got, w);
		REQUIRE(memcmp(out, want, w * sizeof(out[0])) == 0);
		/* a short buffer gets the head of the same list */
		if (w > 3) {
			uint32_t few[3];
			REQUIRE_EQ(gf__geo_near(g, pts[q].lat, pts[q].lon, few,
						3), w);
			REQUIRE(memcmp(few, want, sizeof(few)) == 0);
		}
	}
	gf__geo_free(g);
}
END_TEST

/*
 * The same rules at thousands of entries, where the index lays its nodes
 * out again cell by cell (after as many inserts as a quarter of what it
 * holds): a window of up to 6,000 entries over 8 x 8 cells, the oldest
 * removed as new ones come and others removed from the middle of their
 * cells; near must give every entry of the 3 x 3 cells by row, column
 * and insertion, before and after each relayout.
 */
START_TEST(order_survives_relayout)
{
	enum { WIN = 6000, SPAN = 8 };
	const uint32_t total = quick() ? 12000 : 30000;
	const double cell = 250.0;
	pt *pts = malloc(total * sizeof(*pts));
	int32_t *row = malloc(total * sizeof(*row));
	int32_t *col = malloc(total * sizeof(*col));
	unsigned char *live = calloc(total, 1);
	uint32_t *out = malloc(total * sizeof(*out));
	uint32_t *want = malloc(total * sizeof(*want));
	ck_assert(pts && row && col && live && out && want);
	uint64_t rng = 4096;
	gf__geoindex *g = geo_new(cell, SUZHOU_LAT);
	size_t n = 0;
	uint32_t oldest = 0;
	for (uint32_t i = 0; i < total; i++) {
		pts[i].lat = SUZHOU_LAT +
			     rng_in(&rng, 0, SPAN * cell) / M_PER_DEG;
		pts[i].lon = SUZHOU_LON + rng_in(&rng, 0, SPAN * cell) /
						  (M_PER_DEG * 0.85);
		REQUIRE_EQ(gf__geo_cell(g, pts[i].lat, pts[i].lon, &row[i],
					&col[i]), GF_OK);
		REQUIRE_EQ(gf__geo_insert(g, i, 0, pts[i].lat, pts[i].lon),
			   GF_OK);
		live[i] = 1;
		n++;
		/* one in seven times, an entry from the middle goes too */
		if (rng_next(&rng) % 7 == 0) {
			uint32_t v = oldest + (uint32_t)(rng_next(&rng) %
							 (i - oldest + 1));
			if (live[v]) {
				REQUIRE_EQ(gf__geo_remove(g, v, pts[v].lat,
							  pts[v].lon), 1);
				live[v] = 0;
				n--;
			}
		}
		while (n > WIN) {
			if (live[oldest]) {
				REQUIRE_EQ(gf__geo_remove(g, oldest,
							  pts[oldest].lat,
							  pts[oldest].lon), 1);
				live[oldest] = 0;
				n--;
			}
			oldest++;
		}
		REQUIRE_EQ(gf__geo_count(g), n);
		if (i % 97)
			continue;
		uint32_t q = oldest + (uint32_t)(rng_next(&rng) %
						 (i - oldest + 1));
		size_t w = 0;
		for (int32_t dr = -1; dr <= 1; dr++)
			for (int32_t dc = -1; dc <= 1; dc++)
				for (uint32_t e = oldest; e <= i; e++)
					if (live[e] && row[e] == row[q] + dr &&
					    col[e] == col[q] + dc)
						want[w++] = e;
		size_t got = gf__geo_near(g, pts[q].lat, pts[q].lon, out,
					  total);
		REQUIRE_EQ(got, w);
		REQUIRE(memcmp(out, want, w * sizeof(out[0])) == 0);
	}
	gf__geo_free(g);
	free(pts);
	free(row);
	free(col);
	free(live);
	free(out);
	free(want);
}
END_TEST

START_TEST(insert_remove_insert_the_same_id)
{
	gf__geoindex *g = geo_new(250.0, SUZHOU_LAT);
	uint32_t out[16];
	const double la = SUZHOU_LAT, lo = SUZHOU_LON;
	const double la2 = la + 20.0 / M_PER_DEG; /* 20 m north */
	/* nothing to remove in an empty index */
	ck_assert_int_eq(gf__geo_remove(g, 7, la, lo), 0);
	ck_assert_uint_eq(gf__geo_near(g, la, lo, NULL, 0), 0);

	ck_assert_int_eq(gf__geo_insert(g, 7, 0, la, lo), GF_OK);
	ck_assert_uint_eq(gf__geo_near(g, la, lo, out, 16), 1);
	ck_assert_uint_eq(out[0], 7);
	ck_assert_int_eq(gf__geo_remove(g, 8, la, lo), 0);   /* other id */
	ck_assert_int_eq(gf__geo_remove(g, 7, la2, lo), 0);  /* other point */
	ck_assert_int_eq(gf__geo_remove(g, 7, la, lo), 1);
	ck_assert_int_eq(gf__geo_remove(g, 7, la, lo), 0);   /* gone */
	ck_assert_uint_eq(gf__geo_count(g), 0);
	ck_assert_uint_eq(gf__geo_cells(g), 0);
	ck_assert_uint_eq(gf__geo_near(g, la, lo, out, 16), 0);
	ck_assert_int_eq(gf__geo_insert(g, 7, 0, la, lo), GF_OK);
	ck_assert_uint_eq(gf__geo_near(g, la, lo, out, 16), 1);
	ck_assert_uint_eq(out[0], 7);

	/* one id at two points, and twice at one: once per entry */
	ck_assert_int_eq(gf__geo_insert(g, 8, 0, la, lo), GF_OK);
	ck_assert_int_eq(gf__geo_insert(g, 7, 0, la2, lo), GF_OK);
	ck_assert_int_eq(gf__geo_insert(g, 7, 0, la, lo), GF_OK);
	ck_assert_uint_eq(gf__geo_near(g, la, lo, out, 16), 4);
	ck_assert_uint_eq(out[0], 7);
	ck_assert_uint_eq(out[1], 8);
	ck_assert_uint_eq(out[2], 7);
	ck_assert_uint_eq(out[3], 7);
	/* the earliest of the two at (la, lo) goes: 8 comes first now */
	ck_assert_int_eq(gf__geo_remove(g, 7, la, lo), 1);
	ck_assert_uint_eq(gf__geo_near(g, la, lo, out, 16), 3);
	ck_assert_uint_eq(out[0], 8);
	ck_assert_uint_eq(out[1], 7);
	ck_assert_uint_eq(out[2], 7);
	ck_assert_int_eq(gf__geo_remove(g, 7, la2, lo), 1);
	ck_assert_int_eq(gf__geo_remove(g, 7, la2, lo), 0);
	ck_assert_int_eq(gf__geo_remove(g, 7, la, lo), 1);
	ck_assert_int_eq(gf__geo_remove(g, 8, la, lo), 1);
	ck_assert_uint_eq(gf__geo_count(g), 0);
	ck_assert_uint_eq(gf__geo_cells(g), 0);

	/* removal from the head, the middle and the tail keeps the order */
	for (uint32_t i = 1; i <= 10; i++)
		ck_assert_int_eq(gf__geo_insert(g, i, 0, la, lo), GF_OK);
	ck_assert_int_eq(gf__geo_remove(g, 1, la, lo), 1);
	ck_assert_int_eq(gf__geo_remove(g, 5, la, lo), 1);
	ck_assert_int_eq(gf__geo_remove(g, 10, la, lo), 1);
	ck_assert_int_eq(gf__geo_insert(g, 1, 0, la, lo), GF_OK);
	static const uint32_t want[] = { 2, 3, 4, 6, 7, 8, 9, 1 };
	ck_assert_uint_eq(gf__geo_near(g, la, lo, out, 16), 8);
	for (size_t i = 0; i < 8; i++)
		ck_assert_uint_eq(out[i], want[i]);
	gf__geo_free(g);
}
END_TEST

/* ---- edges of the grid and the globe -------------------------------- */

/* The least double x in (lo, hi] whose cell differs from lo's along one
 * axis (rows when lon is fixed, columns when lat is). */
static double boundary(const gf__geoindex *g, double lo, double hi,
		       int along_lat, double other)
{
	int32_t r0, c0, r, c;
	double la = along_lat ? lo : other, lx = along_lat ? other : lo;
	ck_assert_int_eq(gf__geo_cell(g, la, lx, &r0, &c0), GF_OK);
	while (nextafter(lo, hi) < hi) {
		double mid = lo + (hi - lo) / 2;
		if (mid <= lo || mid >= hi)
			mid = nextafter(lo, hi);
		ck_assert_int_eq(gf__geo_cell(g, along_lat ? mid : other,
					      along_lat ? other : mid, &r, &c),
				 GF_OK);
		if (r == r0 && c == c0)
			lo = mid;
		else
			hi = mid;
	}
	return hi;
}

START_TEST(points_on_cell_boundaries)
{
	const double cell = 250.0;
	gf__geoindex *g = geo_new(cell, SUZHOU_LAT);
	const double dlat = cell / M_PER_DEG;
	const double dlon = cell / (M_PER_DEG * cos(SUZHOU_LAT * PI / 180));
	/* a row line and a column line near the centre of Suzhou */
	double bl = boundary(g, SUZHOU_LAT, SUZHOU_LAT + 1.5 * dlat, 1,
			     SUZHOU_LON);
	double bo = boundary(g, SUZHOU_LON, SUZHOU_LON + 1.5 * dlon, 0, bl);
	int32_t r1, c1, r0, c0;
	ck_assert_int_eq(gf__geo_cell(g, bl, bo, &r1, &c1), GF_OK);
	ck_assert_int_eq(gf__geo_cell(g, nextafter(bl, 0), nextafter(bo, 0),
				      &r0, &c0), GF_OK);
	/* a point on a line belongs to the cell north and east of it */
	ck_assert_int_eq(r1, r0 + 1);
	ck_assert_int_eq(c1, c0 + 1);

	/* points on the lines, a hair on either side, and almost a cell
	 * away on either side: from each, every one within 250 m */
	pt p[32];
	size_t np = 0;
	const double ys[] = { 0, -1, 1 }, ks[] = { -0.999, 0.999 };
	for (int a = 0; a < 3; a++)
		for (int b = 0; b < 3; b++) {
			double y = ys[a] == 0 ? bl : nextafter(bl, bl + ys[a]);
			double x = ys[b] == 0 ? bo : nextafter(bo, bo + ys[b]);
			p[np].lat = y;
			p[np++].lon = x;
		}
	for (int a = 0; a < 2; a++) {
		p[np].lat = bl + ks[a] * dlat;
		p[np++].lon = bo;
		p[np].lat = bl;
		p[np++].lon = bo + ks[a] * dlon;
		p[np].lat = bl + ks[a] * dlat * 0.7;
		p[np++].lon = bo + ks[a] * dlon * 0.7;
		p[np].lat = bl + ks[a] * dlat * 0.7;
		p[np++].lon = bo - ks[a] * dlon * 0.7;
	}
	for (size_t i = 0; i < np; i++)
		ck_assert_int_eq(gf__geo_insert(g, (uint32_t)i, 0, p[i].lat,
						p[i].lon), GF_OK);
	uint32_t out[64];
	for (size_t i = 0; i < np; i++) {
		size_t n = gf__geo_near(g, p[i].lat, p[i].lon, out, 64);
		ck_assert_uint_le(n, np);
		for (size_t j = 0; j < np; j++)
			if (gf__geo_distance_m(p[i].lat, p[i].lon, p[j].lat,
					       p[j].lon) <= cell)
				ck_assert_msg(has_id(out, n, (uint32_t)j),
					      "%zu misses %zu", i, j);
	}
	/* each removable at exactly its point */
	for (size_t i = 0; i < np; i++)
		ck_assert_int_eq(gf__geo_remove(g, (uint32_t)i, p[i].lat,
						p[i].lon), 1);
	ck_assert_uint_eq(gf__geo_cells(g), 0);
	gf__geo_free(g);
}
END_TEST

START_TEST(zero_and_negative_coordinates)
{
	/* around (0, 0) the cell lines are the equator and the prime
	 * meridian: four points 10 m apart sit in four cells */
	gf__geoindex *g = geo_new(250.0, 0.0);
	static const double q[4][2] = {
		{ 5e-5, 5e-5 }, { 5e-5, -5e-5 }, { -5e-5, 5e-5 }, { -5e-5, -5e-5 },
	};
	int32_t rr[4], cc[4];
	for (uint32_t i = 0; i < 4; i++) {
		ck_assert_int_eq(gf__geo_insert(g, i, 0, q[i][0], q[i][1]), GF_OK);
		gf__geo_cell(g, q[i][0], q[i][1], &rr[i], &cc[i]);
	}
	ck_assert_int_eq(rr[0], 0);
	ck_assert_int_eq(cc[0], 0);
	ck_assert_int_eq(rr[3], -1);
	ck_assert_int_eq(cc[3], -1);
	ck_assert_uint_eq(gf__geo_cells(g), 4);
	uint32_t out[8];
	ck_assert_uint_eq(gf__geo_near(g, 0.0, 0.0, out, 8), 4);
	ck_assert_uint_eq(gf__geo_near(g, -0.0, -0.0, out, 8), 4);
	/* south-west cell first, north-east last */
	ck_assert_uint_eq(out[0], 3);
	ck_assert_uint_eq(out[3], 0);
	for (uint32_t i = 0; i < 4; i++)
		ck_assert_uint_eq(gf__geo_near(g, q[i][0], q[i][1], out, 8), 4);
	/* -0.0 is 0.0 */
	ck_assert_int_eq(gf__geo_insert(g, 9, 0, -0.0, -0.0), GF_OK);
	ck_assert_int_eq(gf__geo_remove(g, 9, 0.0, 0.0), 1);
	gf__geo_free(g);

	/* a southern, western city (Santiago, 33.45 S 70.67 W): the same
	 * completeness, with negative numbers throughout */
	g = geo_new(250.0, -33.45);
	uint64_t rng = 5;
	enum { N = 3000 };
	static pt p[N];
	static uint32_t near[N];
	for (uint32_t i = 0; i < N; i++) {
		p[i].lat = rng_in(&rng, -33.55, -33.35);
		p[i].lon = rng_in(&rng, -70.8, -70.55);
		ck_assert_int_eq(gf__geo_insert(g, i, 0, p[i].lat, p[i].lon),
				 GF_OK);
	}
	size_t hits = 0;
	for (uint32_t i = 0; i < N; i++) {
		size_t n = gf__geo_near(g, p[i].lat, p[i].lon, near, N);
		for (uint32_t j = 0; j < N; j++)
			if (fabs(p[i].lat - p[j].lat) < 0.003 &&
			    gf__geo_distance_m(p[i].lat, p[i].lon, p[j].lat,
					       p[j].lon) <= 250.0) {
				REQUIRE(has_id(near, n, j));
				hits++;
			}
	}
	ck_assert_uint_gt(hits, N); /* not only each point itself */
	gf__geo_free(g);
}
END_TEST

START_TEST(antimeridian_and_poles)
{
	/* Documented: the grid does not wrap at +-180, so points 22 m apart
	 * across it are not neighbours; nothing breaks there or at the
	 * poles. */
	gf__geoindex *g = geo_new(250.0, 10.0);
	static const double p[][2] = {
		{ 10, 180 }, { 10, -180 }, { 10, 179.9999 }, { 10, -179.9999 },
		{ 90, 0 }, { -90, 0 }, { 90, 180 }, { 89.9999, -180 },
		{ -90, -180 }, { 0, 180 }, { 0, -180 },
	};
	const size_t np = sizeof(p) / sizeof(p[0]);
	for (size_t i = 0; i < np; i++)
		ck_assert_int_eq(gf__geo_insert(g, (uint32_t)i, 0, p[i][0],
						p[i][1]), GF_OK);
	uint32_t out[16];
	for (size_t i = 0; i < np; i++) {
		size_t n = gf__geo_near(g, p[i][0], p[i][1], out, 16);
		ck_assert(has_id(out, n, (uint32_t)i));
	}
	size_t n = gf__geo_near(g, 10, 180, out, 16);
	ck_assert_uint_eq(n, 2);
	ck_assert(has_id(out, n, 2));  /* 11 m west: found */
	ck_assert(!has_id(out, n, 1)); /* the same place, as -180: not */
	ck_assert(!has_id(out, n, 3)); /* 11 m east, across: not */
	n = gf__geo_near(g, 10, -180, out, 16);
	ck_assert_uint_eq(n, 2);
	ck_assert(has_id(out, n, 3));
	/* the north pole at longitudes 0 and 180 is one place, but two
	 * cells far apart */
	n = gf__geo_near(g, 90, 0, out, 16);
	ck_assert(!has_id(out, n, 6));
	for (size_t i = 0; i < np; i++)
		ck_assert_int_eq(gf__geo_remove(g, (uint32_t)i, p[i][0],
						p[i][1]), 1);
	ck_assert_uint_eq(gf__geo_count(g), 0);
	ck_assert_uint_eq(gf__geo_cells(g), 0);
	gf__geo_free(g);

	/* an index for a polar reference works too (the columns are sized
	 * for 89 degrees) */
	static const double refs[] = { 90.0, -90.0, 89.5, 0.0 };
	for (size_t k = 0; k < 4; k++) {
		g = geo_new(1.0, refs[k]);
		for (size_t i = 0; i < np; i++)
			ck_assert_int_eq(gf__geo_insert(g, (uint32_t)i, 0, p[i][0],
							p[i][1]), GF_OK);
		for (size_t i = 0; i < np; i++) {
			n = gf__geo_near(g, p[i][0], p[i][1], out, 16);
			ck_assert(has_id(out, n, (uint32_t)i));
		}
		gf__geo_free(g);
	}
}
END_TEST

START_TEST(invalid_arguments)
{
	gf__geoindex *g = (gf__geoindex *)1;
	static const double bad_cells[] = { 0.0, -250.0, 0.5, NAN, INFINITY,
					    -INFINITY };
	for (size_t i = 0; i < sizeof(bad_cells) / sizeof(bad_cells[0]);
	     i++) {
		ck_assert_int_eq(gf__geo_new(&g, bad_cells[i], 31.0), GF_EINVAL);
		ck_assert_ptr_null(g);
	}
	static const double bad_refs[] = { 90.5, -91.0, NAN, INFINITY };
	for (size_t i = 0; i < 4; i++) {
		g = (gf__geoindex *)1;
		ck_assert_int_eq(gf__geo_new(&g, 250.0, bad_refs[i]), GF_EINVAL);
		ck_assert_ptr_null(g);
	}
	g = geo_new(1e12, 31.0); /* one cell for the whole globe */
	ck_assert_int_eq(gf__geo_insert(g, 1, 0, 31.0, 120.0), GF_OK);
	ck_assert_int_eq(gf__geo_insert(g, 2, 0, -31.0, -60.0), GF_OK);
	ck_assert_uint_eq(gf__geo_near(g, 0, 0, NULL, 0), 2);
	gf__geo_free(g);

	g = geo_new(250.0, SUZHOU_LAT);
	static const double bad[][2] = {
		{ NAN, 120 }, { 31, NAN }, { INFINITY, 120 }, { 31, -INFINITY },
		{ 90.000001, 120 }, { -90.000001, 120 }, { 31, 180.000001 },
		{ 31, -180.000001 }, { 1e300, 0 },
	};
	const size_t nb = sizeof(bad) / sizeof(bad[0]);
	int32_t r = 12345, c = 6789;
	uint32_t out[4];
	for (size_t i = 0; i < nb; i++) {
		ck_assert_int_eq(gf__geo_insert(g, 1, 0, bad[i][0], bad[i][1]),
				 GF_EINVAL);
		ck_assert_int_eq(gf__geo_remove(g, 1, bad[i][0], bad[i][1]), 0);
		ck_assert_uint_eq(gf__geo_near(g, bad[i][0], bad[i][1], out, 4),
				  0);
		ck_assert_int_eq(gf__geo_cell(g, bad[i][0], bad[i][1], &r, &c),
				 GF_EINVAL);
		ck_assert_int_eq(r, 12345);
		ck_assert_int_eq(c, 6789);
	}
	ck_assert_uint_eq(gf__geo_count(g), 0);
	/* the ends of the ranges are valid */
	static const double ends[][2] = {
		{ 90, 180 }, { -90, -180 }, { 90, -180 }, { -90, 180 },
	};
	for (size_t i = 0; i < 4; i++)
		ck_assert_int_eq(gf__geo_insert(g, 1, 0, ends[i][0], ends[i][1]),
				 GF_OK);
	ck_assert_uint_eq(gf__geo_count(g), 4);
	gf__geo_free(g);
	gf__geo_free(NULL);
}
END_TEST

/* ---- memory --------------------------------------------------------- */

/* A city of ~8,500 km^2 around Suzhou: 0.8 x 1.0 degrees = 89 x 95 km. */
#define CITY_LAT0 30.9
#define CITY_LAT1 31.7
#define CITY_LON0 120.1
#define CITY_LON1 121.1

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/*
 * Measured at 1,000,000 points (gcc -O2, one core of the build host):
 *   cell 250 m: 19.2 bytes per entry (16 a node, 3.1 the table of 134,374
 *               cells), near 1.8 us a query, 67 candidates;
 *   cell 100 m: 28.6 bytes per entry (583,212 cells: a table of 2^20
 *               slots), near 0.7 us, 10.7 candidates.
 */
START_TEST(memory_per_entry_at_a_million)
{
	static const double cells[] = { 250.0, 100.0 };
	const double cell_m = cells[_i];
	const size_t n = quick() ? 200000 : 1000000;
	uint64_t rng = 2026;
	gf__geoindex *g = geo_new(cell_m, 31.3);
	for (size_t i = 0; i < n; i++)
		REQUIRE_EQ(gf__geo_insert(g, (uint32_t)i, 0,
					  rng_in(&rng, CITY_LAT0, CITY_LAT1),
					  rng_in(&rng, CITY_LON0, CITY_LON1)),
			   GF_OK);
	ck_assert_uint_eq(gf__geo_count(g), n);
	size_t mem = gf__geo_memory(g);
	double per = (double)mem / (double)n;

	const int nq = 100000;
	static uint32_t out[4096];
	size_t cand = 0;
	double t0 = now_s();
	for (int k = 0; k < nq; k++)
		cand += gf__geo_near(g, rng_in(&rng, CITY_LAT0, CITY_LAT1),
				     rng_in(&rng, CITY_LON0, CITY_LON1), out,
				     4096);
	double us = (now_s() - t0) * 1e6 / nq;
	printf("geoindex: cell %.0f m, %zu entries in %zu cells: %zu bytes, "
	       "%.1f per entry; near %.2f us, %.1f candidates\n",
	       cell_m, n, gf__geo_cells(g), mem, per, us,
	       (double)cand / nq);
	ck_assert_double_lt(per, 48.0);
	ck_assert_double_lt(per, 32.0); /* the design's target */
	gf__geo_free(g);
}
END_TEST

/*
 * A sliding window of open orders: each insert beyond the window closes
 * the oldest. In the first variant the window stays over the city; in
 * the second it drifts across it, so cells empty behind it and new ones
 * open ahead (the table must reclaim them). Memory must stay within 2x
 * of what it was when the window first filled.
 */
START_TEST(memory_is_bounded_in_a_sliding_window)
{
	const size_t total = quick() ? 200000 : 1000000;
	const size_t win = total / 10;
	const int drift = _i;
	uint64_t rng = 31337;
	pt *ring = malloc(win * sizeof(*ring));
	ck_assert_ptr_nonnull(ring);
	gf__geoindex *g = geo_new(250.0, 31.3);
	size_t first = 0, peak = 0;
	for (size_t i = 0; i < total; i++) {
		pt p;
		p.lat = rng_in(&rng, CITY_LAT0, CITY_LAT1);
		if (drift) {
			/* a band a tenth of the city wide, moving east */
			double x = (double)i / (double)total * 0.9;
			p.lon = CITY_LON0 + x + rng_in(&rng, 0.0, 0.1);
		} else {
			p.lon = rng_in(&rng, CITY_LON0, CITY_LON1);
		}
		if (i >= win) {
			const pt *o = &ring[i % win];
			REQUIRE_EQ(gf__geo_remove(g, (uint32_t)(i - win),
						  o->lat, o->lon), 1);
		}
		ring[i % win] = p;
		REQUIRE_EQ(gf__geo_insert(g, (uint32_t)i, 0, p.lat, p.lon), GF_OK);
		size_t mem = gf__geo_memory(g);
		if (i + 1 == win)
			first = mem;
		if (mem > peak)
			peak = mem;
	}
	ck_assert_uint_eq(gf__geo_count(g), win);
	printf("geoindex: window %zu of %zu (%s): %zu bytes when first full, "
	       "%zu at the peak\n", win, total, drift ? "drifting" : "fixed",
	       first, peak);
	ck_assert_uint_le(peak, 2 * first);
	/* emptied, then one insert: the table shrinks back */
	for (size_t i = total - win; i < total; i++) {
		const pt *o = &ring[i % win];
		REQUIRE_EQ(gf__geo_remove(g, (uint32_t)i, o->lat, o->lon), 1);
	}
	ck_assert_uint_eq(gf__geo_count(g), 0);
	ck_assert_uint_eq(gf__geo_cells(g), 0);
	ck_assert_int_eq(gf__geo_insert(g, 1, 0, 31.3, 120.6), GF_OK);
	ck_assert_uint_le(gf__geo_memory(g), first);
	gf__geo_free(g);
	free(ring);
}
END_TEST

/* ---- out of memory -------------------------------------------------- */

#define OOM_N 12000

/* The i-th point: crowded enough that cells hold several, spread enough
 * that the table grows several times. */
static pt oom_point(uint32_t i)
{
	uint64_t s = 0x9E3779B97F4A7C15ull * (i + 1u);
	pt p;
	p.lat = rng_in(&s, 31.0, 31.6);
	p.lon = rng_in(&s, 120.3, 121.0);
	return p;
}

/* Inserts OOM_N points; an insert that fails must leave the index as it
 * was, and is retried once memory is back. An insert may also succeed
 * with an allocation refused: the relayout's, which is skipped and
 * changes nothing. Returns how many allocations were refused and seen,
 * either way. */
static long oom_scenario(void)
{
	gf__geoindex *g = (gf__geoindex *)1;
	long failed = 0;
	int rc = gf__geo_new(&g, 250.0, 31.3);
	if (rc) {
		ck_assert_int_eq(rc, GF_ENOMEM);
		ck_assert_ptr_null(g);
		alloc_left = -1;
		ck_assert_int_eq(gf__geo_new(&g, 250.0, 31.3), GF_OK);
		failed++;
	}
	static uint32_t before[512], after[512];
	for (uint32_t i = 0; i < OOM_N; i++) {
		pt p = oom_point(i);
		size_t count = gf__geo_count(g), cells = gf__geo_cells(g);
		/* only an insert with no allocation left can fail */
		size_t nb = alloc_left == 0
			? gf__geo_near(g, p.lat, p.lon, before, 512) : 0;
		long refused = alloc_failures;
		rc = gf__geo_insert(g, i, 0, p.lat, p.lon);
		if (!rc && alloc_failures > refused) {
			/* the relayout went without: all is there */
			REQUIRE_EQ(gf__geo_count(g), count + 1);
			size_t na = gf__geo_near(g, p.lat, p.lon, after, 512);
			REQUIRE(na <= 512 && has_id(after, na, i));
			failed++;
			alloc_left = -1;
		}
		if (rc) {
			REQUIRE_EQ(rc, GF_ENOMEM);
			REQUIRE_EQ(gf__geo_count(g), count);
			REQUIRE_EQ(gf__geo_cells(g), cells);
			size_t na = gf__geo_near(g, p.lat, p.lon, after, 512);
			REQUIRE_EQ(na, nb);
			REQUIRE(nb <= 512);
			REQUIRE(memcmp(before, after, nb * sizeof(*after)) == 0);
			REQUIRE_EQ(gf__geo_remove(g, i, p.lat, p.lon), 0);
			failed++;
			alloc_left = -1;
			REQUIRE_EQ(gf__geo_insert(g, i, 0, p.lat, p.lon), GF_OK);
		}
	}
	REQUIRE_EQ(gf__geo_count(g), OOM_N);
	/* removal never allocates, even with none left */
	long left = alloc_left, asked = alloc_count;
	alloc_left = 0;
	for (uint32_t i = 0; i < OOM_N; i += 2) {
		pt p = oom_point(i);
		REQUIRE_EQ(gf__geo_remove(g, i, p.lat, p.lon), 1);
	}
	REQUIRE_EQ(alloc_count, asked);
	/* and inserts into the freed entries need none either (a relayout
	 * asks, goes without, and is not one of the scenario's to sweep) */
	for (uint32_t i = 0; i < OOM_N; i += 2) {
		pt p = oom_point(i + 1); /* an occupied cell */
		REQUIRE_EQ(gf__geo_insert(g, i, 0, p.lat, p.lon), GF_OK);
	}
	REQUIRE_EQ(gf__geo_count(g), OOM_N);
	alloc_count = asked;
	alloc_left = left;
	/* every point still there, found and removable */
	for (uint32_t i = 1; i < OOM_N; i += 2) {
		pt p = oom_point(i);
		size_t n = gf__geo_near(g, p.lat, p.lon, after, 512);
		REQUIRE(n <= 512 && has_id(after, n, i));
		REQUIRE_EQ(gf__geo_remove(g, i, p.lat, p.lon), 1);
		REQUIRE_EQ(gf__geo_remove(g, i - 1, p.lat, p.lon), 1);
	}
	REQUIRE_EQ(gf__geo_count(g), 0);
	REQUIRE_EQ(gf__geo_cells(g), 0);
	gf__geo_free(g);
	return failed;
}

START_TEST(out_of_memory_leaves_the_index_as_it_was)
{
	ck_assert_int_eq(gf_set_allocator(t_malloc, t_calloc, t_realloc, free),
			 GF_OK);
	alloc_left = -1;
	alloc_count = 0;
	ck_assert_int_eq(oom_scenario(), 0);
	long total = alloc_count;
	ck_assert_int_gt(total, 8);
	for (long n = 0; n < total; n++) {
		alloc_left = n;
		ck_assert_int_eq(oom_scenario(), 1);
	}
	alloc_left = -1;
	ck_assert_int_eq(gf_set_allocator(malloc, calloc, realloc, free),
			 GF_OK);
}
END_TEST

static Suite *make_suite(void)
{
	Suite *s = suite_create("geoindex");
	TCase *tc = tcase_create("near");
	tcase_add_test(tc, distance_of_known_pairs);
	tcase_add_loop_test(tc, near_misses_nothing_within_the_radius, 0, 2);
	tcase_add_test(tc, within_keeps_the_box_and_drops_the_rest);
	tcase_add_test(tc, pairs_r_apart_at_the_edge_of_the_band);
	tcase_add_loop_test(tc, order_and_removal_follow_the_rules, 0, 2);
	tcase_add_test(tc, order_survives_relayout);
	tcase_set_timeout(tc, 300);
	suite_add_tcase(s, tc);
	TCase *te = tcase_create("edges");
	tcase_add_test(te, insert_remove_insert_the_same_id);
	tcase_add_test(te, points_on_cell_boundaries);
	tcase_add_test(te, zero_and_negative_coordinates);
	tcase_add_test(te, antimeridian_and_poles);
	tcase_add_test(te, invalid_arguments);
	tcase_add_test(te, out_of_memory_leaves_the_index_as_it_was);
	tcase_set_timeout(te, 300);
	suite_add_tcase(s, te);
	TCase *tm = tcase_create("memory");
	tcase_add_loop_test(tm, memory_per_entry_at_a_million, 0, 2);
	tcase_add_loop_test(tm, memory_is_bounded_in_a_sliding_window, 0, 2);
	tcase_set_timeout(tm, 300);
	suite_add_tcase(s, tm);
	return s;
}

GF_TEST_MAIN
