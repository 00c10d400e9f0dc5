/*
 * evscan.c - the single-pass event scanner (see evscan.h for why, and
 * for the promise that it never changes what is accepted).
 *
 * Every "return 0" below means "not sure: let json-c decide".
 */
#include <locale.h>
#include <stdlib.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "evscan.h"

/* The deepest nesting of arrays and objects, the event object itself
 * counted, that json-c accepts: its tokener, made with a depth of 16
 * (GF__EV_MAX_DEPTH in event.c), refuses a 16th level. */
#define GF__SCAN_DEPTH 15

typedef struct scanner {
	const char *p;
	const char *end;
	char *out;      /* scratch: decoded strings, never reallocated */
	size_t used;
	size_t cap;
} scanner;

static void ws(scanner *s)
{
	while (s->p < s->end && (*s->p == ' ' || *s->p == '\t' ||
				 *s->p == '\n' || *s->p == '\r'))
		s->p++;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static int hex4(scanner *s, unsigned *out)
{
	if (s->end - s->p < 4)
		return 0;
	unsigned v = 0;
	for (int i = 0; i < 4; i++) {
		int h = hexval(s->p[i]);
		if (h < 0)
			return 0;
		v = v << 4 | (unsigned)h;
	}
	s->p += 4;
	*out = v;
	return 1;
}

static void put_utf8(scanner *s, unsigned cp)
{
	char *o = s->out + s->used;
	if (cp < 0x80) {
		o[0] = (char)cp;
		s->used += 1;
	} else if (cp < 0x800) {
		o[0] = (char)(0xC0 | cp >> 6);
		o[1] = (char)(0x80 | (cp & 0x3F));
		s->used += 2;
	} else if (cp < 0x10000) {
		o[0] = (char)(0xE0 | cp >> 12);
		o[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		o[2] = (char)(0x80 | (cp & 0x3F));
		s->used += 3;
	} else {
		o[0] = (char)(0xF0 | cp >> 18);
		o[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
		o[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
		o[3] = (char)(0x80 | (cp & 0x3F));
		s->used += 4;
	}
}

/* Past the bytes a string copies as they are: not '"', '\\' or a control
 * character. Sixteen at a time where SSE2 is there (every x86-64). */
static const char *plain_run(const char *p, const char *end)
{
#if defined(__SSE2__)
	const __m128i quote = _mm_set1_epi8('"');
	const __m128i bslash = _mm_set1_epi8('\\');
	const __m128i ctl = _mm_set1_epi8(0x1F);
	while (end - p >= 16) {
		__m128i c = _mm_loadu_si128((const __m128i *)(const void *)p);
		__m128i hit = _mm_or_si128(
			_mm_or_si128(_mm_cmpeq_epi8(c, quote),
				     _mm_cmpeq_epi8(c, bslash)),
			_mm_cmpeq_epi8(_mm_min_epu8(c, ctl), c));
		unsigned mask = (unsigned)_mm_movemask_epi8(hit);
		if (mask)
			return p + __builtin_ctz(mask);
		p += 16;
	}
#endif
	while (p < end && (unsigned char)*p >= 0x20 && *p != '"' && *p != '\\')
		p++;
	return p;
}

/* A string at s->p (on the opening quote), decoded into scratch. An
 * escape never yields more bytes than it takes (\uHHHH: 6 in, at most 3
 * out; a surrogate pair: 12 in, 4 out), so scratch of twice the input
 * always has room for the strings and their terminators. */
static int string(scanner *s, gf__jval *v)
{
	s->p++;
	size_t start = s->used;
	for (;;) {
		const char *run = s->p;
		s->p = plain_run(s->p, s->end);
		size_t n = (size_t)(s->p - run);
		memcpy(s->out + s->used, run, n);
		s->used += n;
		if (s->p >= s->end)
			return 0;
		char c = *s->p++;
		if (c == '"')
			break;
		if (c != '\\')
			return 0; /* a raw control character */
		if (s->p >= s->end)
			return 0;
		c = *s->p++;
		switch (c) {
		case '"': case '\\': case '/':
			s->out[s->used++] = c;
			break;
		case 'b': s->out[s->used++] = '\b'; break;
		case 'f': s->out[s->used++] = '\f'; break;
		case 'n': s->out[s->used++] = '\n'; break;
		case 'r': s->out[s->used++] = '\r'; break;
		case 't': s->out[s->used++] = '\t'; break;
		case 'u': {
			unsigned cu, lo;
			if (!hex4(s, &cu) || cu == 0 ||
			    (cu >= 0xDC00 && cu <= 0xDFFF))
				return 0;
			if (cu >= 0xD800 && cu <= 0xDBFF) {
				if (s->end - s->p < 6 || s->p[0] != '\\' ||
				    s->p[1] != 'u')
					return 0;
				s->p += 2;
				if (!hex4(s, &lo) || lo < 0xDC00 || lo > 0xDFFF)
					return 0;
				cu = 0x10000 + ((cu - 0xD800) << 10) +
				     (lo - 0xDC00);
			}
			put_utf8(s, cu);
			break;
		}
		default:
			return 0;
		}
	}
	v->type = GF__J_STRING;
	v->s = s->out + start;
	v->n = s->used - start;
	s->out[s->used++] = '\0';
	return 1;
}

/*
 * Decimal to double, exactly as strtod rounds, for the common case only:
 * at most 15 significant digits and a power of ten within 10^22. Then the
 * digits and the power are both exact doubles and one multiplication or
 * division rounds correctly (Clinger's fast path). 0 when it does not
 * apply.
 */
static int fast_decimal(const char *b, const char *e, double *out)
{
	static const double pow10[] = {
		1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
		1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22
	};
	int neg = 0, digits = 0, exp10 = 0;
	uint64_t m = 0;
	const char *p = b;
	if (*p == '-') {
		neg = 1;
		p++;
	}
	while (p < e && *p == '0')
		p++; /* leading zeros are not significant */
	for (; p < e && *p >= '0' && *p <= '9'; p++) {
		m = m * 10 + (uint64_t)(*p - '0');
		digits++;
	}
	if (p < e && *p == '.') {
		p++;
		for (; p < e && *p >= '0' && *p <= '9'; p++) {
			if (m == 0 && *p == '0') {
				exp10--;
				continue;
			}
			m = m * 10 + (uint64_t)(*p - '0');
			digits++;
			exp10--;
		}
	}
	if (digits > 15)
		return 0;
	if (p < e && (*p == 'e' || *p == 'E')) {
		p++;
		int eneg = 0, ev = 0;
		if (*p == '+' || *p == '-')
			eneg = *p++ == '-';
		for (; p < e; p++) {
			if (ev > 1000)
				return 0;
			ev = ev * 10 + (*p - '0');
		}
		exp10 += eneg ? -ev : ev;
	}
	double v = (double)m;
	if (m == 0)
		v = 0;
	else if (exp10 >= 0 && exp10 <= 22)
		v *= pow10[exp10];
	else if (exp10 < 0 && exp10 >= -22)
		v /= pow10[-exp10];
	else
		return 0;
	*out = neg ? -v : v;
	return 1;
}

/* A number by RFC 8259's grammar. Integers of up to 15 digits are
 * converted exactly here, short decimals by fast_decimal(); others go
 * through strtod, and only where the locale's decimal point is '.', as
 * json-c's conversion assumes. */
static int number(scanner *s, gf__jval *v)
{
	const char *b = s->p;
	int neg = 0, frac = 0;
	if (s->p < s->end && *s->p == '-') {
		neg = 1;
		s->p++;
	}
	if (s->p >= s->end)
		return 0;
	if (*s->p == '0') {
		s->p++;
	} else if (*s->p >= '1' && *s->p <= '9') {
		while (s->p < s->end && *s->p >= '0' && *s->p <= '9')
			s->p++;
	} else {
		return 0;
	}
	size_t idigits = (size_t)(s->p - b) - (size_t)neg;
	if (s->p < s->end && *s->p == '.') {
		frac = 1;
		s->p++;
		if (s->p >= s->end || *s->p < '0' || *s->p > '9')
			return 0;
		while (s->p < s->end && *s->p >= '0' && *s->p <= '9')
			s->p++;
	}
	if (s->p < s->end && (*s->p == 'e' || *s->p == 'E')) {
		frac = 1;
		s->p++;
		if (s->p < s->end && (*s->p == '+' || *s->p == '-'))
			s->p++;
		if (s->p >= s->end || *s->p < '0' || *s->p > '9')
			return 0;
		while (s->p < s->end && *s->p >= '0' && *s->p <= '9')
			s->p++;
	}
	v->type = GF__J_NUMBER;
	if (!frac) {
		if (idigits > 15)
			return 0;
		int64_t x = 0;
		for (const char *q = b + neg; q < s->p; q++)
			x = x * 10 + (*q - '0');
		v->num = (double)(neg ? -x : x);
		return 1;
	}
	if (fast_decimal(b, s->p, &v->num))
		return 1;
	char buf[64];
	size_t n = (size_t)(s->p - b);
	const struct lconv *lc = localeconv();
	if (n >= sizeof(buf) || !lc || strcmp(lc->decimal_point, ".") != 0)
		return 0;
	memcpy(buf, b, n);
	buf[n] = '\0';
	v->num = strtod(buf, NULL);
	return 1;
}

static int literal(scanner *s, const char *word, size_t n)
{
	if ((size_t)(s->end - s->p) < n || memcmp(s->p, word, n) != 0)
		return 0;
	s->p += n;
	return 1;
}

/* A scalar: string, number, true, false or null. */
static int scalar(scanner *s, gf__jval *v)
{
	if (s->p >= s->end)
		return 0;
	switch (*s->p) {
	case '"':
		return string(s, v);
	case 't':
		v->type = GF__J_BOOL;
		v->num = 1;
		return literal(s, "true", 4);
	case 'f':
		v->type = GF__J_BOOL;
		v->num = 0;
		return literal(s, "false", 5);
	case 'n':
		v->type = GF__J_NULL;
		return literal(s, "null", 4);
	default:
		return number(s, v);
	}
}

/* Any value, read only to get past it. depth is the nesting level of
 * the object or array that holds it (the event object is 1), so an
 * object or array here is one level deeper. */
static int skip(scanner *s, int depth)
{
	gf__jval v;
	if (s->p >= s->end)
		return 0;
	char open = *s->p;
	if (open != '{' && open != '[')
		return scalar(s, &v);
	if (depth >= GF__SCAN_DEPTH)
		return 0;
	char close = open == '{' ? '}' : ']';
	s->p++;
	ws(s);
	if (s->p < s->end && *s->p == close) {
		s->p++;
		return 1;
	}
	for (;;) {
		if (open == '{') {
			if (s->p >= s->end || *s->p != '"' || !string(s, &v))
				return 0;
			ws(s);
			if (s->p >= s->end || *s->p++ != ':')
				return 0;
			ws(s);
		}
		if (!skip(s, depth + 1))
			return 0;
		ws(s);
		if (s->p >= s->end)
			return 0;
		char c = *s->p++;
		if (c == close)
			return 1;
		if (c != ',')
			return 0;
		ws(s);
	}
}

/*
 * An object whose members are handed to member(): it returns 1 to go on,
 * 0 to give up. Keys are decoded strings.
 */
typedef int (*member_fn)(scanner *s, gf__evscan *sc, const gf__jval *key);

static int object(scanner *s, gf__evscan *sc, member_fn member)
{
	s->p++;
	ws(s);
	if (s->p < s->end && *s->p == '}') {
		s->p++;
		return 1;
	}
	for (;;) {
		gf__jval key;
		if (s->p >= s->end || *s->p != '"' || !string(s, &key))
			return 0;
		ws(s);
		if (s->p >= s->end || *s->p++ != ':')
			return 0;
		ws(s);
		if (!member(s, sc, &key))
			return 0;
		ws(s);
		if (s->p >= s->end)
			return 0;
		char c = *s->p++;
		if (c == '}')
			return 1;
		if (c != ',')
			return 0;
		ws(s);
	}
}

static int is_key(const gf__jval *k, const char *name, size_t n)
{
	return k->n == n && memcmp(k->s, name, n) == 0;
}

static int location_member(scanner *s, gf__evscan *sc, const gf__jval *key)
{
	gf__jval *dst = is_key(key, "lat", 3)   ? &sc->lat
			: is_key(key, "lon", 3) ? &sc->lon
						: NULL;
	if (!dst)
		return skip(s, 2);
	if (dst->type != GF__J_ABSENT)
		return 0;
	return scalar(s, dst) && dst->type == GF__J_NUMBER;
}

static int reporter_member(scanner *s, gf__evscan *sc, const gf__jval *key)
{
	if (!is_key(key, "phone", 5))
		return skip(s, 2);
	if (sc->phone.type != GF__J_ABSENT)
		return 0;
	return scalar(s, &sc->phone) && (sc->phone.type == GF__J_STRING ||
					 sc->phone.type == GF__J_NULL);
}

static int attribute_member(scanner *s, gf__evscan *sc, const gf__jval *key)
{
	if (sc->nattrs == GF__SCAN_MAX_ATTRS || memchr(key->s, '\0', key->n))
		return 0;
	for (size_t i = 0; i < sc->nattrs; i++)
		if (sc->attrs[i].keylen == key->n &&
		    memcmp(sc->attrs[i].key, key->s, key->n) == 0)
			return 0;
	gf__scan_attr *a = &sc->attrs[sc->nattrs];
	if (!scalar(s, &a->val))
		return 0;
	a->key = key->s;
	a->keylen = key->n;
	sc->nattrs++;
	return 1;
}

static int field_of(const gf__jval *k)
{
	static const struct {
		const char *name;
		size_t n;
	} names[GF__S_COUNT] = {
		{ "channel", 7 }, { "source_id", 9 }, { "received_at", 11 },
		{ "region", 6 }, { "grid", 4 }, { "location", 8 },
		{ "category", 8 }, { "urgency", 7 }, { "title", 5 },
		{ "content", 7 }, { "address", 7 }, { "reporter", 8 },
		{ "attributes", 10 },
	};
	for (int i = 0; i < GF__S_COUNT; i++)
		if (is_key(k, names[i].name, names[i].n))
			return i;
	return -1;
}

static int event_member(scanner *s, gf__evscan *sc, const gf__jval *key)
{
	int i = field_of(key);
	if (i < 0 || sc->f[i].type != GF__J_ABSENT)
		return 0; /* unknown fields and duplicates: json-c's job */
	gf__jval *v = &sc->f[i];
	if (s->p < s->end && *s->p == '{') {
		member_fn m = i == GF__S_LOCATION     ? location_member
			      : i == GF__S_REPORTER   ? reporter_member
			      : i == GF__S_ATTRIBUTES ? attribute_member
						      : NULL;
		if (!m || !object(s, sc, m))
			return 0;
		v->type = GF__J_OBJECT;
		if (i == GF__S_LOCATION && (sc->lat.type != GF__J_NUMBER ||
					    sc->lon.type != GF__J_NUMBER))
			return 0;
		return 1;
	}
	if (!scalar(s, v))
		return 0;
	/* a null is an absent field; any other type is an error the json-c
	 * path words */
	return v->type == GF__J_NULL ||
	       (v->type == GF__J_STRING && i != GF__S_LOCATION &&
		i != GF__S_REPORTER && i != GF__S_ATTRIBUTES);
}

int gf__evscan_run(gf__evscan *sc, const char *json, size_t len,
		   gf__buf *scratch)
{
	memset(sc->f, 0, sizeof(sc->f));
	memset(&sc->lat, 0, sizeof(sc->lat));
	memset(&sc->lon, 0, sizeof(sc->lon));
	memset(&sc->phone, 0, sizeof(sc->phone));
	sc->nattrs = 0;
	gf__buf_reset(scratch);
	if (len > SIZE_MAX / 2 - 16 || gf__buf_reserve(scratch, 2 * len + 16))
		return GF_ENOMEM;
	scanner s = { json, json + len, scratch->p, 0, scratch->cap };
	ws(&s);
	if (s.p >= s.end || *s.p != '{')
		return 0;
	if (!object(&s, sc, event_member))
		return 0;
	ws(&s);
	return s.p == s.end;
}
