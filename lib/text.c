/*
 * text.c - strict UTF-8 checking and the normalisation of free text.
 *
 * Both run on every ingested event over most of its bytes, so they work
 * on bytes rather than decoded code points: ASCII is checked eight bytes
 * at a time, and normalisation copies runs of ordinary bytes (CJK text
 * is almost all of them) with one memcpy per run.
 */
#include "text.h"

#define ONES 0x0101010101010101ULL
#define HIGHS 0x8080808080808080ULL

size_t gf__utf8_valid_prefix(const char *str, size_t n)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0;
	while (i < n) {
		unsigned c = s[i];
		if (c < 0x80) {
			if (c == 0)
				return i;
			i++;
			/* Eight ASCII bytes, none of them NUL: the
			 * classic has-zero-byte test rides along. */
			while (i + 8 <= n) {
				uint64_t v;
				memcpy(&v, s + i, 8);
				if ((v | ((v - ONES) & ~v)) & HIGHS)
					break;
				i += 8;
			}
			continue;
		}
		/* Ranges from Unicode 15, table 3-7 (well-formed byte
		 * sequences): they exclude overlong forms, surrogates
		 * and everything above U+10FFFF. */
		unsigned lo = 0x80, hi = 0xBF;
		size_t len;
		if (c < 0xC2) {
			return i;
		} else if (c < 0xE0) {
			len = 2;
		} else if (c < 0xF0) {
			len = 3;
			if (c == 0xE0)
				lo = 0xA0;
			else if (c == 0xED)
				hi = 0x9F;
		} else if (c < 0xF5) {
			len = 4;
			if (c == 0xF0)
				lo = 0x90;
			else if (c == 0xF4)
				hi = 0x8F;
		} else {
			return i;
		}
		if (n - i < len)
			return i;
		if (s[i + 1] < lo || s[i + 1] > hi)
			return i;
		for (size_t k = 2; k < len; k++)
			if ((s[i + k] & 0xC0) != 0x80)
				return i;
		i += len;
	}
	return n;
}

int gf__utf8_valid(const char *s, size_t n)
{
	return gf__utf8_valid_prefix(s, n) == n;
}

size_t gf__utf8_count(const char *str, size_t n)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t count = 0;
	for (size_t i = 0; i < n; i++)
		count += (s[i] & 0xC0) != 0x80;
	return count;
}

/*
 * Byte classes for normalisation: 0 copies as is (ASCII graphics, CJK
 * and every byte of a sequence that needs no change), 1 is an ASCII
 * space or control character, 2 is newline, 3 leads a sequence that may
 * be a Unicode space, a C1 control or a full-width form (C2, E1, E2, E3,
 * EF) and is decoded.
 */
static const unsigned char cls[256] = {
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 3, 3, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 3,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
};

enum { K_PLAIN, K_SPACE, K_NEWLINE };

/*
 * Decode the sequence led by a class-3 byte at s[0] (avail bytes
 * available). Returns its kind and length; for a full-width form the
 * ASCII replacement goes to *ascii.
 */
static int classify_special(const unsigned char *s, size_t avail,
			    size_t *len, unsigned char *ascii)
{
	*ascii = 0;
	if (s[0] == 0xC2) {
		*len = avail < 2 ? avail : 2;
		/* C1 controls U+0080..U+009F and NO-BREAK SPACE U+00A0. */
		if (avail >= 2 && s[1] >= 0x80 && s[1] <= 0xA0)
			return K_SPACE;
		return K_PLAIN;
	}
	*len = avail < 3 ? avail : 3;
	if (avail < 3)
		return K_PLAIN;
	unsigned b1 = s[1], b2 = s[2];
	switch (s[0]) {
	case 0xE1: /* OGHAM SPACE MARK U+1680 */
		return b1 == 0x9A && b2 == 0x80 ? K_SPACE : K_PLAIN;
	case 0xE2: /* U+2000..200A, U+2028, U+2029, U+202F, U+205F */
		if (b1 == 0x80 && (b2 <= 0x8A || b2 == 0xA8 || b2 == 0xA9 ||
				   b2 == 0xAF))
			return K_SPACE;
		return b1 == 0x81 && b2 == 0x9F ? K_SPACE : K_PLAIN;
	case 0xE3: /* IDEOGRAPHIC SPACE U+3000 */
		return b1 == 0x80 && b2 == 0x80 ? K_SPACE : K_PLAIN;
	default: /* 0xEF: FULLWIDTH U+FF01..U+FF5E map to U+0021..U+007E */
		if (b1 == 0xBC && b2 >= 0x81 && b2 <= 0xBF) {
			*ascii = (unsigned char)(b2 - 0x60);
			return K_PLAIN;
		}
		if (b1 == 0xBD && b2 >= 0x80 && b2 <= 0x9E) {
			*ascii = (unsigned char)(b2 - 0x20);
			return K_PLAIN;
		}
		return K_PLAIN;
	}
}

int gf__text_normalize(const char *str, size_t n, gf__buf *out)
{
	const unsigned char *s = (const unsigned char *)str;
	/* Normalising never lengthens the text, so one reservation covers
	 * the output and the NUL a caller may add with gf__buf_cstr. */
	if (gf__buf_reserve(out, n + 1) != GF_OK)
		return GF_ENOMEM;
	char *base = out->p + out->len;
	char *o = base;
	int started = 0, pend_sp = 0, pend_nl = 0;
	size_t i = 0;
	while (i < n) {
		unsigned c = s[i];
		int kind;
		size_t len = 1;
		unsigned char ascii = 0;
		switch (cls[c]) {
		case 0: {
			size_t j = i + 1;
			while (j < n && cls[s[j]] == 0)
				j++;
			len = j - i;
			kind = K_PLAIN;
			break;
		}
		case 1:
			kind = K_SPACE;
			break;
		case 2:
			kind = K_NEWLINE;
			break;
		default:
			kind = classify_special(s + i, n - i, &len, &ascii);
			break;
		}
		if (kind == K_SPACE) {
			pend_sp = 1;
		} else if (kind == K_NEWLINE) {
			/* Spaces before a newline end a line: dropped. At most
			 * two newlines survive, i.e. one blank line. */
			pend_sp = 0;
			if (pend_nl < 2)
				pend_nl++;
		} else {
			if (started) {
				if (pend_nl) {
					*o++ = '\n';
					if (pend_nl > 1)
						*o++ = '\n';
				} else if (pend_sp) {
					*o++ = ' ';
				}
			}
			pend_sp = pend_nl = 0;
			started = 1;
			if (ascii) {
				*o++ = (char)ascii;
			} else {
				memcpy(o, s + i, len);
				o += len;
			}
		}
		i += len;
	}
	out->len += (size_t)(o - base);
	out->p[out->len] = '\0';
	return GF_OK;
}

static size_t space_at_start(const unsigned char *s, size_t n)
{
	if (n && (s[0] == ' ' || (s[0] >= '\t' && s[0] <= '\r')))
		return 1;
	if (n >= 3 && s[0] == 0xE3 && s[1] == 0x80 && s[2] == 0x80)
		return 3;
	return 0;
}

static size_t space_at_end(const unsigned char *s, size_t n)
{
	if (n && (s[n - 1] == ' ' || (s[n - 1] >= '\t' && s[n - 1] <= '\r')))
		return 1;
	if (n >= 3 && s[n - 3] == 0xE3 && s[n - 2] == 0x80 &&
	    s[n - 1] == 0x80)
		return 3;
	return 0;
}

void gf__text_trim(const char **str, size_t *n)
{
	const unsigned char *s = (const unsigned char *)*str;
	size_t len = *n, k;
	while ((k = space_at_start(s, len)) != 0) {
		s += k;
		len -= k;
	}
	while ((k = space_at_end(s, len)) != 0)
		len -= k;
	*str = (const char *)s;
	*n = len;
}
