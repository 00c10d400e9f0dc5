/*
 * geoindex.h - a spatial index of the open work orders' points, for
 * cross-channel deduplication: the candidates for a new report are the
 * open orders within a radius (250 m, say) of its point.
 *
 * A grid of cells about cell_m metres square; gf__geo_near returns what
 * the 3 x 3 cells around a point hold, a small superset of what lies
 * within cell_m of it, which the caller then filters by distance.
 *
 * Projection. Equirectangular, with one scale for the whole index: a
 * degree of latitude is 111,195 m (R = 6371008.8 m) everywhere, a degree
 * of longitude 111,195 m x cos(phi). An engine serves one city, so one
 * phi is exact enough: the true east-west scale at ref_lat +- 1 degree
 * differs from the one at ref_lat by about tan(ref_lat) x 1.75%, 1.1%
 * at Suzhou's 31.3 N (cos 32.3 / cos 31.3 = 0.9892, cos 30.3 / cos 31.3
 * = 1.0105). Columns are sized with phi = |ref_lat| + 1 degree, the
 * poleward edge of that band, where a degree of longitude is shortest:
 * so a column is at least cell_m wide at every latitude of the band, and
 * the guarantee of gf__geo_near holds across it, at the price of columns
 * 1.1% (at ref_lat) to 2.1% (at the equatorward edge) wider than
 * cell_m, hence as many more candidates. Rows and columns are also
 * 1e-6 longer than cell_m, which absorbs rounding in the grid and in
 * gf__geo_distance_m, and at the band's very edge the curvature of the
 * parallels up to cell_m of ~25 km.
 *
 * Where the guarantee ends. Beyond the band (|lat| > |ref_lat| + 1) a
 * column is narrower than cell_m by the ratio of the cosines, so points
 * east or west of a query by nearly cell_m may be missed; nothing else
 * changes, and nothing fails anywhere on the globe. The grid does not
 * wrap at the antimeridian: +180 and -180 are different columns, and
 * points on either side of it are never neighbours (no city served
 * straddles it). Near the poles (ref_lat beyond +-88) the columns are
 * sized for 89 degrees and meridians converge within a cell, so there
 * the guarantee holds for rows only.
 *
 * Costs: insert O(1) amortised, remove O(points in the cell), near
 * O(points in 9 cells). Memory: 16 bytes per entry in chunks of 4,096,
 * plus 12 bytes per slot of a table of the occupied cells kept at most
 * 3/4 full (at 1,000,000 points over 8,500 km^2: 19.2 bytes per entry
 * in all with cell_m 250, 28.6 with cell_m 100). An emptied cell leaves
 * the table at once, and
 * a table that fell under 1/8 full shrinks when a new cell comes; removed
 * entries are reused by later inserts, so memory follows the peak of
 * live entries, not the number ever inserted.
 *
 * Thread rules: none; an index belongs to one engine and is used by one
 * thread at a time. gf__geo_near and the accessors only read.
 */
#ifndef GF_GEOINDEX_H
#define GF_GEOINDEX_H

#include <stddef.h>
#include <stdint.h>

typedef struct gf__geoindex gf__geoindex;

/* The mean Earth radius (IUGG) that the grid and the distance use. */
#define GF__GEO_EARTH_RADIUS_M 6371008.8

/* The smallest cell: finer grids would overflow the 32-bit cell
 * numbers near the poles and serve no deduplication. */
#define GF__GEO_CELL_MIN_M 1.0

/* At most this many entries at once: entries are numbered in 32 bits. */
#define GF__GEO_MAX_ENTRIES ((size_t)UINT32_MAX)

/*
 * A grid of square cells of cell_m metres (>= GF__GEO_CELL_MIN_M,
 * finite), on an equirectangular projection fixed at reference latitude
 * ref_lat (degrees in [-90, 90]; see the top of this file for the scale
 * and its error at +-1 degree). GF_OK, or GF_ENOMEM / GF_EINVAL with
 * *out = NULL. The caller owns *out and frees it with gf__geo_free.
 */
int gf__geo_new(gf__geoindex **out, double cell_m, double ref_lat);

/* Frees the index and everything in it. NULL is a no-op. */
void gf__geo_free(gf__geoindex *g);

/*
 * Add id (e.g. an order's index) at a point, with a tag that
 * gf__geo_within filters by (the caller's: a group of categories, say);
 * the same id may be added at several points, or twice at one. GF_OK, GF_ENOMEM (the index is
 * unchanged; memory it had grown stays for later inserts; also when
 * GF__GEO_MAX_ENTRIES are held) or GF_EINVAL
 * (not finite, lat outside [-90, 90], lon outside [-180, 180]).
 * An insert that needs no new memory (its cell exists or the table has
 * room, and a removed entry is there to reuse) cannot fail.
 */
int gf__geo_insert(gf__geoindex *g, uint32_t id, uint32_t tag, double lat,
		   double lon);

/*
 * Remove id at that point (the point it was inserted with): 1 if found,
 * 0 if not (also for invalid coordinates). Points match when they fall
 * in the same cell at the same 1/65,536 of it each way (4 mm at 250 m):
 * of the entries of id that match, the earliest inserted goes. Never
 * allocates.
 */
int gf__geo_remove(gf__geoindex *g, uint32_t id, double lat, double lon);

/*
 * The ids in the cell of (lat, lon) and its 8 neighbours, written to
 * out (up to max; out may be NULL when max is 0); returns how many
 * exist, which may exceed max. With cell_m >= the matching radius every
 * id within the radius (by gf__geo_distance_m) is among them, when both
 * points lie within the band of the projection (|lat| <= |ref_lat| + 1).
 * An id added at several points near by comes once per point.
 *
 * Order: cells from south to north, in a row from west to east; in a
 * cell, by insertion (a removal keeps the order of the rest). The same
 * calls give the same output. Invalid coordinates return 0.
 */
size_t gf__geo_near(const gf__geoindex *g, double lat, double lon,
		    uint32_t *out, size_t max);

/* Metres in a degree of latitude on the flat earth of the callers'
 * scoring (a degree of longitude: that times cos(lat)). */
#define GF__GEO_FLAT_M_PER_DEG 111195.0

/*
 * What gf__geo_near returns, less the ids inserted with another tag than
 * tag and those that lie further than radius_m north, south, east or
 * west of (lat, lon) on the flat earth at lat: the box a caller's
 * distance test starts with, checked on the positions and tags the
 * cells keep, so that ids outside it cost no look-up. Rounding lets in
 * ids up to 2/65536 of a cell beyond the box, never keeps one out. Same
 * order and arguments as gf__geo_near.
 */
size_t gf__geo_within(const gf__geoindex *g, double lat, double lon,
		      double radius_m, uint32_t tag, uint32_t *out,
		      size_t max);

/* Great-circle distance in metres (haversine, R = 6371008.8 m). */
double gf__geo_distance_m(double lat1, double lon1, double lat2,
			  double lon2);

/*
 * The cell of a point, as its row (south to north) and column (west to
 * east) numbers: for tests and diagnostics. GF_OK, or GF_EINVAL for
 * invalid coordinates (row and col untouched).
 */
int gf__geo_cell(const gf__geoindex *g, double lat, double lon,
		 int32_t *row, int32_t *col);

/*
 * 1 when lat lies within the band of the projection (|lat| <= |ref_lat|
 * + 1, the columns' guarantee above), or when the band is as wide as it
 * gets (ref_lat beyond +-88): then an index made at ref_lat = lat would
 * give a query there no more. 0 for invalid latitudes.
 */
int gf__geo_covers(const gf__geoindex *g, double lat);

/* Entries held, occupied cells, and bytes allocated (for the bench and
 * memory tests). */
size_t gf__geo_count(const gf__geoindex *g);
size_t gf__geo_cells(const gf__geoindex *g);
size_t gf__geo_memory(const gf__geoindex *g);

#endif
