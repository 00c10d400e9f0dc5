/*
 * check_dupindex.c - the window of open orders for near duplicates
 * (dupindex.c), driven directly: orders and items made by hand, so that
 * a test can break what the engine keeps true (an ended order leaves
 * the index as it ends) and see what matching does then. Internal:
 * linked against the static library only.
 */
#include <json.h>

#include "testutil.h"
#include "dupindex.h"
#include "order.h"

#define LAT 31.2736
#define LON 120.6012
#define AT0 1763859600000 /* 2025-11-23T09:00:00+08:00 */

static void no_problem(void *ud, const char *path, const char *msg)
{
	(void)ud;
	ck_abort_msg("dedup.json: %s: %s", path, msg);
}

static gf__dedup *near_rules(void)
{
	json_object *root = json_tokener_parse(
		"{\"version\":\"t\",\"near\":{\"window\":\"2h\","
		"\"radius_m\":250,\"link_at\":0.75,\"suspect_at\":0.5}}");
	ck_assert_ptr_nonnull(root);
	gf__dedup *d = NULL;
	ck_assert_int_eq(gf__dedup_load(&d, root, NULL, no_problem, NULL), 0);
	json_object_put(root);
	return d;
}

/* A report metres north of the point, minutes after AT0. */
static void item(gf__dd_item *it, double metres, int minutes,
		 const char *category, const char *text)
{
	memset(it, 0, sizeof(*it));
	it->at = AT0 + (gf_time)minutes * 60000;
	it->lat = LAT + metres / 111195.0;
	it->lon = LON;
	it->has_loc = 1;
	memcpy(it->region, "320506001001", 13);
	it->category = category;
	it->nsigs = 1;
	gf__textsig_make(&it->sig[0], text, strlen(text));
}

#define GARBAGE "city.environment.garbage"
#define TEXT "新家社区3幢门口垃圾堆积多日无人清理"

/*
 * Matching reads no candidate's order (ended orders leave as they end):
 * only the winner's state. Should an ended one have stayed, it is not
 * the answer: it leaves then, and the next best is.
 */
START_TEST(an_ended_winner_leaves_and_the_next_best_wins)
{
	gf__dedup *d = near_rules();
	gf__dupindex *x;
	ck_assert_int_eq(gf__dupindex_new(&x, &d->near), GF_OK);
	gf_order a, b;
	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	a.state = b.state = GF_STATE_DISPATCHED;
	a.index = 0;
	b.index = 1;
	gf__dd_item ia, ib, q;
	item(&ia, 0, 0, GARBAGE, TEXT);      /* the closer, the better */
	item(&ib, 120, 0, GARBAGE, TEXT);
	ck_assert_int_eq(gf__dupindex_add(x, &a, &ia, GARBAGE), GF_OK);
	ck_assert_int_eq(gf__dupindex_add(x, &b, &ib, GARBAGE), GF_OK);
	item(&q, 10, 5, GARBAGE, TEXT);
	double score;
	gf__dd_parts parts;
	ck_assert_ptr_eq(gf__dupindex_best(x, d, &q, q.at, &score, &parts),
			 &a);
	ck_assert_uint_eq(gf__dupindex_count(x), 2);

	a.state = GF_STATE_CLOSED; /* behind the index's back */
	ck_assert_ptr_eq(gf__dupindex_best(x, d, &q, q.at, &score, &parts),
			 &b);
	ck_assert_uint_eq(gf__dupindex_count(x), 1);
	ck_assert_uint_eq(a.dd_entry, 0);
	/* and when the only one ends too, none */
	b.state = GF_STATE_CANCELLED;
	ck_assert_ptr_null(gf__dupindex_best(x, d, &q, q.at, &score,
					     &parts));
	ck_assert_uint_eq(gf__dupindex_count(x), 0);
	gf__dupindex_free(x);
	gf__dedup_free(d);
}
END_TEST

/*
 * The grid is made at the first point the index ever holds, and its
 * columns are as wide as the radius only within a degree of that
 * latitude. A first report at (0, 0) (a device without a fix), or any
 * report far from the city, must not make the city's candidates east
 * or west of a report by nearly the radius go missing: a rebuild, whose
 * first point is another, would find them.
 */
START_TEST(the_first_point_does_not_narrow_the_grid)
{
	gf__dedup *d = near_rules();
	gf__dupindex *x;
	ck_assert_int_eq(gf__dupindex_new(&x, &d->near), GF_OK);
	gf_order z, b;
	memset(&z, 0, sizeof(z));
	z.state = GF_STATE_DISPATCHED;
	z.index = 0;
	gf__dd_item iz;
	item(&iz, 0, 0, GARBAGE, TEXT);
	iz.lat = 0.0; /* null island, in another village */
	iz.lon = 0.0;
	memcpy(iz.region, "320506001009", 13);
	ck_assert_int_eq(gf__dupindex_add(x, &z, &iz, GARBAGE), GF_OK);
	/* 240 m east of b, across every place b may take in a column */
	const double east = 240.0 / (111195.0 * cos(LAT * 3.141592653589793 /
						    180.0));
	int missed = 0;
	for (int k = 0; k < 100; k++) {
		memset(&b, 0, sizeof(b));
		b.state = GF_STATE_DISPATCHED;
		b.index = 1;
		gf__dd_item ib, q;
		item(&ib, 0, 0, GARBAGE, TEXT);
		ib.lon = LON + k * 0.00003;
		ck_assert_int_eq(gf__dupindex_add(x, &b, &ib, GARBAGE), GF_OK);
		item(&q, 0, 5, GARBAGE, TEXT);
		q.lon = ib.lon + east;
		double score;
		gf__dd_parts parts;
		if (gf__dupindex_best(x, d, &q, q.at, &score, &parts) != &b)
			missed++;
		gf__dupindex_drop(x, &b);
	}
	ck_assert_msg(missed == 0, "%d of 100 reports 240 m east missed",
		      missed);
	gf__dupindex_free(x);
	gf__dedup_free(d);
}
END_TEST

/*
 * An order that keeps getting reports (a repeated call every hour, for
 * days) stays in the window, and first in the ring, where it entered.
 * The orders entered after it must still leave once their latest report
 * is older than the window: memory follows the orders open within the
 * window, not every order since.
 */
START_TEST(an_order_kept_fresh_does_not_keep_the_others)
{
	gf__dedup *d = near_rules(); /* window 2 h */
	gf__dupindex *x;
	ck_assert_int_eq(gf__dupindex_new(&x, &d->near), GF_OK);
	enum { N = 200 };
	static gf_order o[N + 1];
	memset(o, 0, sizeof(o));
	gf__dd_item it;
	item(&it, 0, 0, GARBAGE, TEXT);
	ck_assert_int_eq(gf__dupindex_add(x, &o[0], &it, GARBAGE), GF_OK);
	for (int i = 1; i <= N; i++) {
		gf__dd_item more, other;
		item(&more, 0, 60 * i, GARBAGE, TEXT); /* hourly */
		gf__dupindex_fold(x, &o[0], &more);
		item(&other, 1000.0 * i, 60 * i, GARBAGE, TEXT);
		gf__dupindex_expire(x, other.at);
		o[i].index = (size_t)i;
		ck_assert_int_eq(gf__dupindex_add(x, &o[i], &other, GARBAGE),
				 GF_OK);
	}
	/* the fresh one and those of the last two hours */
	ck_assert_msg(gf__dupindex_count(x) <= 4, "%zu entries for 4",
		      gf__dupindex_count(x));
	ck_assert_uint_ne(o[0].dd_entry, 0);
	ck_assert_uint_eq(o[1].dd_entry, 0);
	gf__dupindex_free(x);
	gf__dedup_free(d);
}
END_TEST

static Suite *make_suite(void)
{
	Suite *s = suite_create("dupindex");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, an_ended_winner_leaves_and_the_next_best_wins);
	tcase_add_test(tc, the_first_point_does_not_narrow_the_grid);
	tcase_add_test(tc, an_order_kept_fresh_does_not_keep_the_others);
	suite_add_tcase(s, tc);
	return s;
}

GF_TEST_MAIN
