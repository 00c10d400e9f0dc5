/*
 * check_textsim.c - signatures of citizen texts for cross-channel
 * deduplication: what normalisation ignores, how far the MinHash
 * estimate is from the exact bigram Jaccard, how reworded duplicates
 * score against other reports, and that any bytes at all are safe.
 */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "testutil.h"
#include "text.h"
#include "textsim.h"

#define S(lit) lit, sizeof(lit) - 1
#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

static gf__textsig sig_of(const char *s)
{
	gf__textsig g;
	gf__textsig_make(&g, s, strlen(s));
	return g;
}

/* A deterministic generator for the random cases (splitmix64). */
static uint64_t rnd(uint64_t *state)
{
	uint64_t z = (*state += 0x9E3779B97F4A7C15ULL);
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
	return z ^ (z >> 31);
}

static unsigned rnd_below(uint64_t *state, unsigned n)
{
	return (unsigned)(rnd(state) % n);
}

static double rnd_unit(uint64_t *state)
{
	return (double)(rnd(state) >> 11) / 9007199254740992.0;
}

static size_t put_utf8(char *out, uint32_t cp)
{
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xC0 | cp >> 6);
		out[1] = (char)(0x80 | (cp & 0x3F));
		return 2;
	}
	out[0] = (char)(0xE0 | cp >> 12);
	out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
	out[2] = (char)(0x80 | (cp & 0x3F));
	return 3;
}

/* ---- normalisation -------------------------------------------------- */

/* Each pair must give the very same signature. */
static const struct {
	const char *a, *b;
} same_text[] = {
	{"小区门口垃圾堆积！", "小区门口 垃圾堆积"},
	{"小区门口，垃圾堆积。", "小区门口垃圾堆积"},
	{"【投诉】长桥街道新家社区３幢", "投诉 长桥街道新家社区3幢"},
	{"ＡＢＣ小区１２３号", "abc小区123号"},
	{"Wi-Fi信号差?", "wifi信号差"},
	{"“噪音”扰民……", "噪音扰民"},
	{"《物业管理条例》第十条", "物业管理条例第十条"},
	{"请尽快处理！！！😡😡", "请尽快处理"},
	{"垃圾\t堆积\r\n\xe3\x80\x80多日\xc2\xa0无人", "垃圾堆积多日无人"},
	{"3幢·2单元——101室", "3幢2单元101室"},
	{"（急）路灯不亮？；：", "急路灯不亮"},
	{"面积约120㎡，温度38℃", "面积约120，温度38"},
	{"① 噪音 ② 油烟", "噪音油烟"},
	{"﻿小区门口", "小区门口"}, /* byte order mark */
	{"小\xe2\x80\x8b区", "小区"},       /* zero-width space */
	{"电话：１３８－００００－００００", "电话13800000000"},
};

START_TEST(normalise_same)
{
	for (size_t i = 0; i < NELEM(same_text); i++) {
		gf__textsig a = sig_of(same_text[i].a);
		gf__textsig b = sig_of(same_text[i].b);
		ck_assert_msg(a.nshingles > 0, "pair %zu", i);
		ck_assert_msg(memcmp(&a, &b, sizeof(a)) == 0, "pair %zu", i);
		ck_assert(gf__textsig_jaccard(&a, &b) == 1.0);
	}
}
END_TEST

/* What normalisation must not merge: digits and other characters. */
static const struct {
	const char *a, *b;
} differ_text[] = {
	{"新家社区3幢门口", "新家社区5幢门口"},
	{"12号楼", "21号楼"},
	{"二〇二〇年", "二二年"}, /* 〇 is a digit, not punctuation */
	{"abc小区", "abd小区"},
	{"水", "火"},
};

START_TEST(normalise_differs)
{
	for (size_t i = 0; i < NELEM(differ_text); i++) {
		gf__textsig a = sig_of(differ_text[i].a);
		gf__textsig b = sig_of(differ_text[i].b);
		ck_assert_msg(gf__textsig_jaccard(&a, &b) < 1.0, "pair %zu", i);
	}
}
END_TEST

/* ---- duplicates against other reports ------------------------------- */

/*
 * A report, the same incident reworded (as another channel would take it
 * down), and a different report of the same kind, mostly from the same
 * street or estate. Character bigrams are a blunt tool on texts this
 * short, so the separation is clear but not wide. The exact bigram
 * Jaccard (computed in Python when the table was made) and the
 * estimate, as dup / other:
 *
 *   exact      estimate
 *   .44 / .10  .50 / .09   estate, rubbish
 *   .25 / .09  .31 / .06   night-time building noise
 *   .38 / .06  .41 / .09   traffic lights at a junction
 *   .44 / .24  .38 / .25   car park leak vs service charge, same estate
 *   .38 / .11  .38 / .19   restaurant fumes vs a shop, same road
 *   .37 / .12  .44 / .16   lift breakdown vs roof leak, same estate
 *   .73 / .11  .72 / .09   an address with and without the city
 *   .40 / .23  .34 / .19   a fight vs hawkers at the same market gate
 *   .32 / .00  .25 / .00   longer complaint, renovation noise
 *
 * means: exact .41 / .12, estimate .41 / .13. No single threshold
 * splits every pair (a duplicate at .25 next to another report at
 * .24), so each pair is held to its own order with a margin, loosely to
 * a floor and a ceiling, and the means to the real separation, with
 * about two standard deviations to spare (sd of one estimate near
 * J = .4 is sqrt(.24 / 32) = .09; of a mean of nine, .03).
 */
static const struct {
	const char *report, *dup, *other;
} triples[] = {
	{"长桥街道新家社区3幢门口垃圾堆积多日无人清理",
	 "新家社区3幢门口垃圾堆了好几天没人清理",
	 "新家社区5幢楼道电动车充电"},
	{"幸福小区北门夜间施工噪音扰民，凌晨两点还在作业",
	 "幸福小区北门工地半夜施工，噪音太大影响休息",
	 "幸福小区南门路灯不亮，晚上出行不便"},
	{"人民路与解放路交叉口红绿灯坏了，车辆拥堵",
	 "解放路人民路路口红绿灯坏了，交通拥堵严重",
	 "人民路公交站台广告牌松动有坠落危险"},
	{"金色家园小区地下车库漏水严重，物业不处理",
	 "金色家园地下车库漏水很严重，物业一直不管",
	 "金色家园小区物业费上涨不合理"},
	{"东环路12号餐馆油烟直排，居民楼里全是油烟味",
	 "东环路12号饭店油烟直排，楼上居民家里都是油烟味",
	 "东环路18号商铺占道经营"},
	{"星湖街道阳光花园7栋电梯故障，老人被困电梯内",
	 "阳光花园7栋电梯又坏了，有老人被困在里面",
	 "阳光花园9栋楼顶漏水"},
	{"苏州市姑苏区平江路88号",
	 "姑苏区平江路88号",
	 "姑苏区十全街126号"},
	{"光明路菜市场门口有人打架，已经有人受伤，请派警察过来",
	 "光明路菜市场门口两伙人打架有人受伤了快来人",
	 "光明路菜市场门口流动摊贩占道经营"},
	{"我家楼上每天晚上十一点以后还在装修，电钻声音很大，严重影响休息，"
	 "物业也不管",
	 "楼上住户晚上十一点后还在装修，电钻噪音很大，根本没法睡觉，物业不管",
	 "小区里的健身器材损坏很久了，一直没有维修，存在安全隐患，"
	 "希望尽快更换"},
};

START_TEST(duplicates_score_higher)
{
	double dup_sum = 0, other_sum = 0;
	for (size_t i = 0; i < NELEM(triples); i++) {
		gf__textsig r = sig_of(triples[i].report);
		gf__textsig d = sig_of(triples[i].dup);
		gf__textsig o = sig_of(triples[i].other);
		double jd = gf__textsig_jaccard(&r, &d);
		double jo = gf__textsig_jaccard(&r, &o);
		ck_assert_msg(jd >= 0.2, "triple %zu: dup %.3f", i, jd);
		ck_assert_msg(jo <= 0.3, "triple %zu: other %.3f", i, jo);
		ck_assert_msg(jd >= jo + 0.1, "triple %zu: %.3f vs %.3f", i,
			      jd, jo);
		/* symmetric */
		ck_assert(gf__textsig_jaccard(&d, &r) == jd);
		dup_sum += jd;
		other_sum += jo;
	}
	double n = (double)NELEM(triples);
	ck_assert_msg(dup_sum / n >= 0.35, "mean dup %.3f", dup_sum / n);
	ck_assert_msg(other_sum / n <= 0.18, "mean other %.3f", other_sum / n);
}
END_TEST

/*
 * The limit of text alone: a different problem at the same long address
 * shares most bigrams with a report, often more than a reworded
 * duplicate does (exact .52 against .31 here; 二期 and 2期 do not even
 * match). Callers must weigh the category, place and time too, or
 * compare the texts with the address removed. Held here so that the
 * behaviour is known, not because it is wanted.
 */
START_TEST(shared_address_dominates)
{
	gf__textsig r = sig_of("A市A3区观沙岭街道麓谷明珠小区停水三天");
	gf__textsig d = sig_of("麓谷明珠小区已经停水三天了，没人管");
	gf__textsig o = sig_of("A3区观沙岭街道麓谷明珠小区门口占道经营");
	ck_assert(gf__textsig_jaccard(&r, &d) >= 0.25);
	ck_assert(gf__textsig_jaccard(&r, &o) > gf__textsig_jaccard(&r, &d));
}
END_TEST

/* ---- estimation accuracy -------------------------------------------- */

/* Thirty characters of citizen reports: few enough that random strings
 * over them share bigrams, so every level of similarity occurs. */
static const char pool_text[] =
	"小区门口垃圾堆积多日无人清理噪音扰民道路社街楼水电停车物业费";
#define NPOOL 30

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return x < y ? -1 : x > y;
}

/* The distinct shingles of a string of symbols < nsym, as the library
 * defines them: bigrams, or one unigram for a single symbol. */
static size_t shingle_set(const unsigned *s, size_t n, unsigned nsym,
			  uint32_t *out)
{
	size_t m = 0;
	if (n == 1)
		out[m++] = nsym * nsym + s[0];
	for (size_t i = 0; i + 1 < n; i++)
		out[m++] = s[i] * nsym + s[i + 1];
	qsort(out, m, sizeof(*out), cmp_u32);
	size_t u = 0;
	for (size_t i = 0; i < m; i++)
		if (u == 0 || out[u - 1] != out[i])
			out[u++] = out[i];
	return u;
}

#define MAXSYM 4096

static double exact_jaccard(const unsigned *a, size_t na, const unsigned *b,
			    size_t nb, unsigned nsym)
{
	uint32_t x[MAXSYM], y[MAXSYM];
	size_t nx = shingle_set(a, na, nsym, x);
	size_t ny = shingle_set(b, nb, nsym, y);
	size_t i = 0, j = 0, both = 0;
	while (i < nx && j < ny) {
		if (x[i] == y[j]) {
			both++;
			i++;
			j++;
		} else if (x[i] < y[j]) {
			i++;
		} else {
			j++;
		}
	}
	size_t any = nx + ny - both;
	return any ? (double)both / (double)any : 0.0;
}

static size_t pool_encode(const unsigned *s, size_t n, char *out)
{
	for (size_t i = 0; i < n; i++)
		memcpy(out + 3 * i, pool_text + 3 * s[i], 3);
	return 3 * n;
}

/*
 * 500 pairs: a random string of 2 to 120 characters and a copy edited
 * at a random rate (substitutions, deletions, insertions), so the exact
 * Jaccard spreads over [0, 1]. Measured: mean absolute error 0.042,
 * mean error +0.002 (over 20000 such pairs 0.041 and -0.000, where 32
 * independent hash functions gave 0.050).
 */
START_TEST(estimate_accuracy)
{
	unsigned a[128], b[400];
	char ta[3 * 128], tb[3 * 400];
	uint64_t rng = 20240611;
	double abs_sum = 0, sum = 0;
	int npairs = 500;
	ck_assert_uint_eq(strlen(pool_text), 3 * NPOOL);
	for (int t = 0; t < npairs; t++) {
		size_t na = 2 + rnd_below(&rng, 119), nb = 0;
		for (size_t i = 0; i < na; i++)
			a[i] = rnd_below(&rng, NPOOL);
		double p = rnd_unit(&rng);
		for (size_t i = 0; i < na; i++) {
			double r = rnd_unit(&rng);
			if (r < p / 3) {
				b[nb++] = rnd_below(&rng, NPOOL);
			} else if (r < 2 * p / 3) {
				continue; /* deleted */
			} else if (r < p) {
				b[nb++] = rnd_below(&rng, NPOOL);
				b[nb++] = a[i];
			} else {
				b[nb++] = a[i];
			}
		}
		if (nb == 0)
			b[nb++] = rnd_below(&rng, NPOOL);
		gf__textsig sa, sb;
		gf__textsig_make(&sa, ta, pool_encode(a, na, ta));
		gf__textsig_make(&sb, tb, pool_encode(b, nb, tb));
		double est = gf__textsig_jaccard(&sa, &sb);
		double exact = exact_jaccard(a, na, b, nb, NPOOL);
		ck_assert(est >= 0.0 && est <= 1.0);
		/* equal sets, equal signatures; disjoint sets agree only by
		 * a 16-bit accident */
		if (exact == 1.0)
			ck_assert(est == 1.0);
		if (exact == 0.0)
			ck_assert(est <= 1.0 / GF__MINHASH_K);
		abs_sum += fabs(est - exact);
		sum += est - exact;
	}
	double mae = abs_sum / npairs, bias = sum / npairs;
	ck_assert_msg(mae < 0.08, "mean absolute error %.4f", mae);
	ck_assert_msg(fabs(bias) < 0.03, "mean error %+.4f", bias);
}
END_TEST

/* ---- long texts: the sampled shingle set ---------------------------- */

/* Random text over 600 ideographs: some 3000 distinct bigrams, far past
 * the 512 the shingle set keeps. */
static size_t long_text(uint64_t *rng, unsigned *sym, size_t n, char *out)
{
	size_t len = 0;
	for (size_t i = 0; i < n; i++) {
		sym[i] = rnd_below(rng, 600);
		len += put_utf8(out + len, 0x4E00 + 3 * sym[i]);
	}
	return len;
}

START_TEST(long_texts)
{
	unsigned a[3000], b[3150], c[3000];
	char ta[3 * 3000], tb[3 * 3150], tc[3 * 3000];
	uint64_t rng = 7;
	size_t la = long_text(&rng, a, 3000, ta);
	size_t lc = long_text(&rng, c, 3000, tc);
	/* b: a with 150 other characters in the middle */
	memcpy(b, a, 1500 * sizeof(a[0]));
	for (size_t i = 1500; i < 1650; i++)
		b[i] = rnd_below(&rng, 600);
	memcpy(b + 1650, a + 1500, 1500 * sizeof(a[0]));
	size_t lb = 0;
	for (size_t i = 0; i < 3150; i++)
		lb += put_utf8(tb + lb, 0x4E00 + 3 * b[i]);

	gf__textsig sa, sb, sc, sa2;
	gf__textsig_make(&sa, ta, la);
	gf__textsig_make(&sb, tb, lb);
	gf__textsig_make(&sc, tc, lc);
	gf__textsig_make(&sa2, ta, la);
	ck_assert_uint_eq(sa.nshingles, GF__TEXTSIG_MAX_SHINGLES);
	ck_assert(memcmp(&sa, &sa2, sizeof(sa)) == 0);

	double jab = exact_jaccard(a, 3000, b, 3150, 600);
	double jac = exact_jaccard(a, 3000, c, 3000, 600);
	ck_assert(jab > 0.85 && jac < 0.05); /* the construction */
	/* Measured: estimate .94 for exact .95, and 0 for .003. */
	ck_assert_msg(fabs(gf__textsig_jaccard(&sa, &sb) - jab) < 0.2,
		      "%.3f vs exact %.3f", gf__textsig_jaccard(&sa, &sb), jab);
	ck_assert(gf__textsig_jaccard(&sa, &sc) <= 0.1);
}
END_TEST

/* ---- determinism ---------------------------------------------------- */

/* Fold signatures by value, not by bytes, so the check is the same on a
 * big-endian machine. */
static uint64_t fold_sig(uint64_t h, const gf__textsig *g)
{
	for (int i = 0; i < GF__MINHASH_K; i++)
		h = (h ^ g->mh[i]) * 0x100000001B3ULL;
	return (h ^ g->nshingles) * 0x100000001B3ULL;
}

/*
 * Any change to normalisation, shingling or hashing changes these, and
 * then every stored signature is stale: update them only on purpose.
 */
START_TEST(signature_is_pinned)
{
	gf__textsig g = sig_of("长桥街道新家社区3幢门口垃圾堆积多日无人清理");
	ck_assert_uint_eq(g.nshingles, 21);
	ck_assert_uint_eq(g.mh[0], 21838);
	ck_assert_uint_eq(g.mh[1], 5088);
	ck_assert_uint_eq(g.mh[31], 3918);

	/* and a digest over short, single-character and sampled texts */
	char big[3 * 3000];
	unsigned sym[3000];
	uint64_t rng = 99;
	size_t lbig = long_text(&rng, sym, 3000, big);
	const char *texts[] = {"水", "小区门口垃圾堆积", "ABC123",
			       "А市Ελλάδα", "😀小区"};
	uint64_t h = 0xCBF29CE484222325ULL;
	for (size_t i = 0; i < NELEM(texts); i++) {
		gf__textsig t = sig_of(texts[i]);
		h = fold_sig(h, &t);
	}
	gf__textsig_make(&g, big, lbig);
	h = fold_sig(h, &g);
	ck_assert_msg(h == 0x680df6cebc4e4984ULL, "digest 0x%016llx",
		      (unsigned long long)h);
}
END_TEST

/* ---- empty, tiny and malformed input -------------------------------- */

START_TEST(empty_texts)
{
	static const char *empties[] = {
		"", "！？。，、……", " \t\r\n\xe3\x80\x80", "【】《》“”‘’（）",
		"😀😀🎉", "---...!!!", "￥％＆＊", "\xff\xfe\x80",
	};
	gf__textsig zero, full = sig_of("小区门口垃圾堆积");
	memset(&zero, 0, sizeof(zero));
	for (size_t i = 0; i < NELEM(empties); i++) {
		gf__textsig e = sig_of(empties[i]);
		ck_assert_msg(e.nshingles == 0, "text %zu", i);
		ck_assert_msg(memcmp(&e, &zero, sizeof(e)) == 0, "text %zu", i);
		ck_assert(gf__textsig_jaccard(&e, &e) == 0.0);
		ck_assert(gf__textsig_jaccard(&e, &full) == 0.0);
		ck_assert(gf__textsig_jaccard(&full, &e) == 0.0);
	}
	/* NULL is fine with length 0 */
	gf__textsig e;
	gf__textsig_make(&e, NULL, 0);
	ck_assert_uint_eq(e.nshingles, 0);
}
END_TEST

START_TEST(single_character)
{
	gf__textsig a = sig_of("水"), b = sig_of("（水！）");
	gf__textsig c = sig_of("水水");
	ck_assert_uint_eq(a.nshingles, 1);
	ck_assert(memcmp(&a, &b, sizeof(a)) == 0);
	ck_assert(gf__textsig_jaccard(&a, &a) == 1.0);
	/* a unigram is not the bigram 水水 */
	ck_assert_uint_eq(c.nshingles, 1);
	ck_assert(gf__textsig_jaccard(&a, &c) == 0.0);
}
END_TEST

/* Ill-formed sequences vanish, and what is around them joins up. */
static const struct {
	const char *bad;
	size_t n;
	const char *clean;
} bad_utf8[] = {
	{S("小\xff区门口"), "小区门口"},
	{S("小区门口\xe4\xb8"), "小区门口"},           /* truncated */
	{S("小区\xc0\xaf门口"), "小区门口"},           /* overlong '/' */
	{S("小区\xed\xa0\x80门口"), "小区门口"},       /* surrogate */
	{S("小区\xf4\x90\x80\x80门口"), "小区门口"},   /* > U+10FFFF */
	{S("小区\x80\xbf门口"), "小区门口"},           /* lone tails */
	{S("小区\xe5\xb0门口"), "小区门口"},           /* cut off */
	{S("小区\0门口"), "小区门口"},                 /* NUL */
};

START_TEST(invalid_utf8_skipped)
{
	for (size_t i = 0; i < NELEM(bad_utf8); i++) {
		gf__textsig a, b = sig_of(bad_utf8[i].clean);
		gf__textsig_make(&a, bad_utf8[i].bad, bad_utf8[i].n);
		ck_assert_msg(memcmp(&a, &b, sizeof(a)) == 0, "case %zu", i);
	}
}
END_TEST

/*
 * Random bytes, mostly high ones so that sequences are nearly valid:
 * the signature must equal that of the bytes left once each ill-formed
 * sequence start is cut out by the library's own validator, which is
 * what "skipped" means.
 */
START_TEST(random_bytes)
{
	static const unsigned char alphabet[] = {
		0x00, 0x20, 0x31, 0x41, 0x61, 0x7F, 0x80, 0x8F, 0x9F, 0xA0,
		0xBF, 0xC0, 0xC2, 0xDF, 0xE0, 0xE3, 0xE4, 0xE5, 0xE9, 0xED,
		0xEF, 0xF0, 0xF4, 0xF5, 0xFF, 0xB8, 0x80, 0xAD,
	};
	uint64_t rng = 1234;
	char raw[300], clean[300];
	for (int t = 0; t < 3000; t++) {
		size_t n = rnd_below(&rng, sizeof(raw));
		for (size_t i = 0; i < n; i++)
			raw[i] = (char)(rnd_below(&rng, 4) == 0
					? rnd(&rng) & 0xFF
					: alphabet[rnd_below(&rng,
							     NELEM(alphabet))]);
		size_t m = 0, i = 0;
		while (i < n) {
			size_t ok = gf__utf8_valid_prefix(raw + i, n - i);
			memcpy(clean + m, raw + i, ok);
			m += ok;
			i += ok + (i + ok < n); /* drop the bad byte */
		}
		gf__textsig a, b;
		gf__textsig_make(&a, raw, n);
		gf__textsig_make(&b, clean, m);
		ck_assert_msg(memcmp(&a, &b, sizeof(a)) == 0, "case %d", t);
		ck_assert(a.nshingles <= n);
		ck_assert(gf__textsig_jaccard(&a, &a) ==
			  (a.nshingles ? 1.0 : 0.0));
	}
}
END_TEST

/* ---- real messages (optional) --------------------------------------- */

#define MESSAGES GF_TEST_SHARED_DIR \
	"/data/raw/tipdm2020c_gov_messages/attachment3_messages_with_votes.csv"

/* Next CSV field (RFC 4180 quoting) from *p; *end_row set at a row's
 * last field. Unquotes into place and returns the field's length. */
static size_t csv_field(char **p, char *end, char **field, int *end_row)
{
	char *s = *p, *o = s;
	*field = s;
	if (s < end && *s == '"') {
		s++;
		while (s < end) {
			if (*s == '"' && s + 1 < end && s[1] == '"') {
				*o++ = '"';
				s += 2;
			} else if (*s == '"') {
				s++;
				break;
			} else {
				*o++ = *s++;
			}
		}
	} else {
		while (s < end && *s != ',' && *s != '\n' && *s != '\r')
			*o++ = *s++;
	}
	size_t len = (size_t)(o - *field);
	*end_row = s >= end || *s != ',';
	if (s < end && *s == ',')
		s++;
	else
		while (s < end && (*s == '\r' || *s == '\n'))
			s++;
	*p = s;
	return len;
}

START_TEST(real_titles)
{
	FILE *f = fopen(MESSAGES, "rb");
	if (!f) {
		printf("real_titles: %s absent, skipped\n", MESSAGES);
		return;
	}
	ck_assert(fseek(f, 0, SEEK_END) == 0);
	long size = ftell(f);
	ck_assert(size > 0 && fseek(f, 0, SEEK_SET) == 0);
	char *buf = malloc((size_t)size);
	ck_assert_ptr_nonnull(buf);
	ck_assert_uint_eq(fread(buf, 1, (size_t)size, f), (size_t)size);
	fclose(f);

	char *p = buf, *end = buf + size, *field;
	int end_row = 0, row = 0, col = 0, titles = 0, empty = 0;
	while (p < end && titles < 200) {
		size_t len = csv_field(&p, end, &field, &end_row);
		/* header row skipped; 留言主题 is the third column */
		if (row > 0 && col == 2) {
			gf__textsig a, b;
			gf__textsig_make(&a, field, len);
			gf__textsig_make(&b, field, len);
			ck_assert(memcmp(&a, &b, sizeof(a)) == 0);
			if (a.nshingles > 0)
				ck_assert(gf__textsig_jaccard(&a, &b) == 1.0);
			else
				empty++;
			titles++;
		}
		col++;
		if (end_row) {
			row++;
			col = 0;
		}
	}
	free(buf);
	ck_assert_int_eq(titles, 200);
	/* Real titles can be punctuation only: row 66 is "）". Such a
	 * text has an empty signature and matches nothing, itself too. */
	ck_assert_int_le(empty, 2);
}
END_TEST

/* Place numbers: digits and a unit, full-width too; dates, metro lines,
 * floors and bare numbers are not places; at most max, each once. */
START_TEST(place_numbers)
{
	static const struct {
		const char *text;
		size_t n;
		uint32_t want[4];
	} cases[] = {
		{ "人民路12号门口", 1, { GF__PLACE_NO << 24 | 12 } },
		{ "新家社区3幢2单元302室", 3,
		  { GF__PLACE_BUILDING << 24 | 3, GF__PLACE_ENTRANCE << 24 | 2,
		    GF__PLACE_ROOM << 24 | 302 } },
		{ "新家社区３栋 ，楼下", 1, { GF__PLACE_BUILDING << 24 | 3 } },
		/* the house of a group, or of a lane, is not a street's */
		{ "沈家村5组18号", 2,
		  { GF__PLACE_GROUP << 24 | 5, GF__PLACE_GROUP_NO << 24 | 18 } },
		{ "中山路120弄", 1, { GF__PLACE_LANE << 24 | 120 } },
		{ "中山路120弄 3号，对面8号", 3,
		  { GF__PLACE_LANE << 24 | 120, GF__PLACE_LANE_NO << 24 | 3,
		    GF__PLACE_NO << 24 | 8 } },
		{ "5组，18号", 2,
		  { GF__PLACE_GROUP << 24 | 5, GF__PLACE_GROUP_NO << 24 | 18 } },
		{ "第5组门口18号", 2,
		  { GF__PLACE_GROUP << 24 | 5, GF__PLACE_NO << 24 | 18 } },
		{ "11月23号晚上在1号线站口，12楼，约3立方米", 0, { 0 } },
		{ "12号12号，12 号", 1, { GF__PLACE_NO << 24 | 12 } },
		{ "99999999999号", 1,
		  { GF__PLACE_NO << 24 | GF__PLACE_VALUE_MAX } },
		{ "1号2号3号4号5号", 4,
		  { GF__PLACE_NO << 24 | 1, GF__PLACE_NO << 24 | 2,
		    GF__PLACE_NO << 24 | 3, GF__PLACE_NO << 24 | 4 } },
		{ "号幢12", 0, { 0 } },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint32_t got[4] = { 0 };
		size_t n = gf__text_place_numbers(cases[i].text,
						  strlen(cases[i].text), got,
						  4);
		ck_assert_msg(n == cases[i].n, "%s: %zu numbers",
			      cases[i].text, n);
		for (size_t k = 0; k < n; k++)
			ck_assert_msg(got[k] == cases[i].want[k],
				      "%s: [%zu] %08x", cases[i].text, k,
				      (unsigned)got[k]);
	}
	ck_assert_uint_eq(gf__text_place_numbers(NULL, 0, NULL, 0), 0);
}
END_TEST

START_TEST(text_hash_normalises)
{
	const char *a = "新家社区3幢2单元", *b = "新家社区 3 幢（2单元）",
		   *c = "新家社区５幢2单元";
	ck_assert(gf__text_hash(a, strlen(a)) == gf__text_hash(b, strlen(b)));
	ck_assert(gf__text_hash(a, strlen(a)) != gf__text_hash(c, strlen(c)));
	ck_assert(gf__text_hash(a, strlen(a)) != 0);
	ck_assert(gf__text_hash("，。！", strlen("，。！")) == 0);
	ck_assert(gf__text_hash(NULL, 0) == 0);
}
END_TEST

static Suite *make_suite(void)
{
	Suite *s = suite_create("textsim");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, normalise_same);
	tcase_add_test(tc, normalise_differs);
	tcase_add_test(tc, duplicates_score_higher);
	tcase_add_test(tc, shared_address_dominates);
	tcase_add_test(tc, estimate_accuracy);
	tcase_add_test(tc, long_texts);
	tcase_add_test(tc, signature_is_pinned);
	tcase_add_test(tc, empty_texts);
	tcase_add_test(tc, single_character);
	tcase_add_test(tc, invalid_utf8_skipped);
	tcase_add_test(tc, random_bytes);
	tcase_add_test(tc, real_titles);
	tcase_add_test(tc, place_numbers);
	tcase_add_test(tc, text_hash_normalises);
	suite_add_tcase(s, tc);
	return s;
}

GF_TEST_MAIN
