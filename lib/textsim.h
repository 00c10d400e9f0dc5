/*
 * textsim.h - signatures of short texts for near-duplicate detection:
 * b-bit MinHash (estimated Jaccard similarity of character bigram sets)
 * over a normalisation that ignores punctuation, spacing and full-width
 * forms. Used to match the same citizen report arriving through
 * different channels (12345, 110, grid workers) in other words.
 */
#ifndef GF_TEXTSIM_H
#define GF_TEXTSIM_H

#include <stddef.h>
#include <stdint.h>

#define GF__MINHASH_K 32

/* At most this many distinct shingles are kept while a signature is
 * made: they give nshingles, which is capped here too, and they are
 * thrown again when the first throw leaves MinHash bins empty. A longer
 * text keeps a sample chosen by the shingles' hashes, so two long texts
 * sample (and throw again) their common shingles alike. MinHash sees
 * every shingle whatever the length. */
#define GF__TEXTSIG_MAX_SHINGLES 512

/* A compact signature of a text: 32 b-bit (16-bit) MinHash values over
 * its character shingles. Kept twice per open order in the duplicate
 * index, so no wider than it must be. */
typedef struct gf__textsig {
	uint16_t mh[GF__MINHASH_K];
	uint16_t nshingles;   /* distinct shingles seen (capped), 0: empty text */
} gf__textsig;

/* Signature of UTF-8 text (any length; invalid UTF-8 bytes are skipped).
 * Normalises first: full-width ASCII to half-width, ASCII letters to
 * lower case, and drops whitespace, punctuation (ASCII and CJK/full-width
 * punctuation such as ，。！？、；：“”‘’（）【】《》…—), and symbols, so
 * that "小区门口垃圾堆积！" and "小区门口 垃圾堆积" are the same text.
 * Digits are kept (house numbers matter). Shingles: overlapping character
 * bigrams of the normalised text (a 1-character text gives one unigram
 * shingle). Deterministic: the same text gives the same signature on
 * every machine (no seeds from time/addresses; fixed hash constants).
 *
 * A text with nothing left after normalising (only punctuation, say)
 * gets the all-zero signature, nshingles 0, which matches nothing.
 * text may be NULL when len is 0. Every byte of *sig is written,
 * padding included, so signatures may be compared or hashed with
 * memcmp. No allocation; about 7 KiB of stack. Thread-safe: no state
 * outside sig. */
void gf__textsig_make(gf__textsig *sig, const char *text, size_t len);

/* Estimated Jaccard similarity of the two shingle sets, in [0, 1]: the
 * fraction of equal MinHash values. Two empty texts: 0. Either empty:
 * 0 too. Unbiased; the mean absolute error measured 0.02 (texts of 2
 * to 8 characters) to 0.055 (100 to 300); a single value is a multiple
 * of 1/32, so thresholds should sit well clear of that noise. */
double gf__textsig_jaccard(const gf__textsig *a, const gf__textsig *b);

/* Numbers that say where: digits followed by a unit (号, 幢 or 栋, 单元,
 * 弄, 组, 室), each as unit << 24 | value (values above
 * GF__PLACE_VALUE_MAX are capped there). "11月23号" is a date and "1号线"
 * a metro line: neither counts. A 号 right after a village group's or a
 * lane's number ("8组41号", "120弄3号") numbers a house within that group
 * or lane, not a door on a street: it is GF__PLACE_GROUP_NO or
 * GF__PLACE_LANE_NO, so that "滨河路120号" and "8组41号", two ways to say
 * where one spot is, do not read as two different street numbers. */
enum {
	GF__PLACE_NO = 1,
	GF__PLACE_BUILDING = 2,
	GF__PLACE_ENTRANCE = 3,
	GF__PLACE_LANE = 4,
	GF__PLACE_GROUP = 5,
	GF__PLACE_ROOM = 6,
	GF__PLACE_GROUP_NO = 7,
	GF__PLACE_LANE_NO = 8
};
#define GF__PLACE_VALUE_MAX 0xFFFFFFu

/* The distinct place numbers of UTF-8 text (normalised as for
 * gf__textsig_make: full-width digits count, spaces and punctuation
 * between the digits and the unit do not), in order of appearance, at
 * most max of them into out; returns how many. No allocation. */
size_t gf__text_place_numbers(const char *text, size_t len, uint32_t *out,
			      size_t max);

/* A 64-bit hash of the normalised text (as for gf__textsig_make), 0 for
 * a text with nothing left after normalising. Deterministic. */
uint64_t gf__text_hash(const char *text, size_t len);

#endif
