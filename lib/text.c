/*
 * text.c - strict UTF-8 checking and the normalisation of free text.
 *
 * Both run on every ingested event over most of its bytes, so they work
 * on bytes rather than decoded code points: ASCII is checked eight bytes
 * at a time, and normalisation copies runs of ordinary bytes (CJK text
 * is almost all of them) with one memcpy per run.
 */
#include "text.h"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#define ONES 0x0101010101010101ULL
#define HIGHS 0x8080808080808080ULL

/* Skip ASCII other than NUL from s[i]: returns the index of the first
 * byte that is NUL or not ASCII, or n. */
static size_t skip_ascii(const unsigned char *s, size_t i, size_t n)
{
#if defined(__SSE2__)
	const __m128i zero = _mm_setzero_si128();
	while (n - i >= 16) {
		__m128i v = _mm_loadu_si128((const __m128i *)(s + i));
		unsigned m = (unsigned)_mm_movemask_epi8(
			_mm_or_si128(v, _mm_cmpeq_epi8(v, zero)));
		if (m)
			return i + (size_t)__builtin_ctz(m);
		i += 16;
	}
#else
	/* Eight bytes at a time, none of them NUL: the classic
	 * has-zero-byte test rides along with the high-bit test. */
	while (n - i >= 8) {
		uint64_t v;
		memcpy(&v, s + i, 8);
		if ((v | ((v - ONES) & ~v)) & HIGHS)
			break;
		i += 8;
	}
#endif
	while (i < n && s[i] != 0 && s[i] < 0x80)
		i++;
	return i;
}

size_t gf__utf8_valid_prefix(const char *str, size_t n)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0;
	while (i < n) {
		unsigned c = s[i];
		if (c < 0x80) {
			if (c == 0)
				return i;
			i = skip_ascii(s, i + 1, n);
			continue;
		}
		/* Three-byte sequences led by E1..EC, EE or EF have no
		 * special second-byte range: that is all of CJK, so Chinese
		 * text takes this short path. */
		if (c >= 0xE1 && c <= 0xEF && c != 0xED) {
			if (n - i < 3 || (s[i + 1] & 0xC0) != 0x80 ||
			    (s[i + 2] & 0xC0) != 0x80)
				return i;
			i += 3;
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
			else
				hi = 0x9F; /* 0xED: no surrogates */
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

int gf__utf8_quote_len(const char *s, size_t n, size_t max)
{
	return (int)gf__utf8_valid_prefix(s, n < max ? n : max);
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
	default:
		/* 0xEF: full-width digits and Latin letters (U+FF10..FF19,
		 * U+FF21..FF3A, U+FF41..FF5A) become ASCII. Full-width
		 * punctuation (，！？：；（）) is the ordinary punctuation of
		 * Chinese text and stays as the citizen wrote it. */
		if (b1 == 0xBC && ((b2 >= 0x90 && b2 <= 0x99) ||
				   (b2 >= 0xA1 && b2 <= 0xBA))) {
			*ascii = (unsigned char)(b2 - 0x60);
			return K_PLAIN;
		}
		if (b1 == 0xBD && b2 >= 0x81 && b2 <= 0x9A) {
			*ascii = (unsigned char)(b2 - 0x20);
			return K_PLAIN;
		}
		return K_PLAIN;
	}
}

size_t gf__text_normalize_to(const char *str, size_t n, char *base)
{
	const unsigned char *s = (const unsigned char *)str;
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
	return (size_t)(o - base);
}

int gf__text_normalize(const char *s, size_t n, gf__buf *out)
{
	/* Normalising never lengthens the text, so one reservation covers
	 * the output and its NUL. */
	if (gf__buf_reserve(out, n + 1) != GF_OK)
		return GF_ENOMEM;
	out->len += gf__text_normalize_to(s, n, out->p + out->len);
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

/* Whether k occurs in s; memmem is not standard C. The search runs on
 * the keyword's last byte, which for Chinese text is one of 64
 * continuation bytes rather than one of a few lead bytes, and looks at
 * the byte before it ahead of a full compare. */
int gf__text_has(const char *s, size_t n, const char *k, size_t kl)
{
	if (!s || kl > n)
		return 0;
	const char *p = s + kl - 1, *end = s + n;
	char last = k[kl - 1];
	while (p < end) {
		p = memchr(p, last, (size_t)(end - p));
		if (!p)
			return 0;
		if (kl == 1 || (p[-1] == k[kl - 2] &&
				memcmp(p - (kl - 1), k, kl - 2) == 0))
			return 1;
		p++;
	}
	return 0;
}
