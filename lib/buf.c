/*
 * buf.c - growable byte buffers, bounded readers, pointer vectors.
 */
#include <stdio.h>

#include "internal.h"

void gf__buf_init(gf__buf *b)
{
	b->p = NULL;
	b->len = b->cap = 0;
	b->oom = 0;
}

void gf__buf_free(gf__buf *b)
{
	gf__free(b->p);
	gf__buf_init(b);
}

void gf__buf_reset(gf__buf *b)
{
	b->len = 0;
	b->oom = 0;
}

int gf__buf_grow(gf__buf *b, size_t extra)
{
	if (b->oom)
		return GF_ENOMEM;
	/* one byte more than asked, so gf__buf_cstr never reallocates */
	if (b->len + extra + 1 <= b->cap && extra < b->cap)
		return GF_OK;
	if (extra > SIZE_MAX / 2 - b->len) {
		b->oom = 1;
		return GF_ENOMEM;
	}
	size_t cap = b->cap ? b->cap : 64;
	while (cap < b->len + extra + 1)
		cap *= 2;
	char *p = gf__realloc(b->p, cap);
	if (!p) {
		b->oom = 1;
		return GF_ENOMEM;
	}
	b->p = p;
	b->cap = cap;
	return GF_OK;
}

int gf__buf_puts(gf__buf *b, const char *s)
{
	return gf__buf_put(b, s, strlen(s));
}

int gf__buf_printf(gf__buf *b, const char *fmt, ...)
{
	va_list ap;
	char small[256];
	va_start(ap, fmt);
	int n = vsnprintf(small, sizeof(small), fmt, ap);
	va_end(ap);
	if (n < 0)
		return GF_EINVAL;
	if ((size_t)n < sizeof(small))
		return gf__buf_put(b, small, (size_t)n);
	if (gf__buf_reserve(b, (size_t)n))
		return GF_ENOMEM;
	va_start(ap, fmt);
	vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
	return GF_OK;
}

int gf__buf_json_str(gf__buf *b, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	if (!s)
		return gf__buf_put(b, "null", 4);
	if (gf__buf_reserve(b, n + 2))
		return GF_ENOMEM;
	b->p[b->len++] = '"';
	size_t run = 0; /* bytes copied as they are, flushed in one memcpy */
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c >= 0x20 && c != '"' && c != '\\') {
			run++;
			continue;
		}
		if (gf__buf_put(b, s + i - run, run))
			return GF_ENOMEM;
		run = 0;
		char esc[6] = { '\\', 0, 0, 0, 0, 0 };
		size_t elen = 2;
		switch (c) {
		case '"': esc[1] = '"'; break;
		case '\\': esc[1] = '\\'; break;
		case '\n': esc[1] = 'n'; break;
		case '\r': esc[1] = 'r'; break;
		case '\t': esc[1] = 't'; break;
		case '\b': esc[1] = 'b'; break;
		case '\f': esc[1] = 'f'; break;
		default:
			esc[1] = 'u';
			esc[2] = '0';
			esc[3] = '0';
			esc[4] = hex[c >> 4];
			esc[5] = hex[c & 15];
			elen = 6;
		}
		if (gf__buf_put(b, esc, elen))
			return GF_ENOMEM;
	}
	if (gf__buf_put(b, s + n - run, run))
		return GF_ENOMEM;
	return gf__buf_putc(b, '"');
}

int gf__buf_u32(gf__buf *b, uint32_t v)
{
	unsigned char x[4] = { (unsigned char)v, (unsigned char)(v >> 8),
			       (unsigned char)(v >> 16),
			       (unsigned char)(v >> 24) };
	return gf__buf_put(b, x, 4);
}

int gf__buf_u64(gf__buf *b, uint64_t v)
{
	unsigned char x[8];
	for (int i = 0; i < 8; i++)
		x[i] = (unsigned char)(v >> (8 * i));
	return gf__buf_put(b, x, 8);
}

int gf__buf_f64(gf__buf *b, double v)
{
	uint64_t u;
	memcpy(&u, &v, sizeof(u));
	return gf__buf_u64(b, u);
}

const char *gf__buf_cstr(gf__buf *b)
{
	if (gf__buf_reserve(b, 0))
		return NULL;
	b->p[b->len] = '\0';
	return b->p;
}

/* ---- reader ---------------------------------------------------------- */

void gf__rd_init(gf__rd *r, const void *p, size_t n)
{
	r->p = p;
	r->end = r->p + n;
	r->bad = 0;
}

static int gf__rd_need(gf__rd *r, size_t n)
{
	if (r->bad || (size_t)(r->end - r->p) < n) {
		r->bad = 1;
		return 0;
	}
	return 1;
}

uint8_t gf__rd_u8(gf__rd *r)
{
	if (!gf__rd_need(r, 1))
		return 0;
	return *r->p++;
}

uint32_t gf__rd_u32(gf__rd *r)
{
	if (!gf__rd_need(r, 4))
		return 0;
	uint32_t v = (uint32_t)r->p[0] | (uint32_t)r->p[1] << 8 |
		     (uint32_t)r->p[2] << 16 | (uint32_t)r->p[3] << 24;
	r->p += 4;
	return v;
}

uint64_t gf__rd_u64(gf__rd *r)
{
	if (!gf__rd_need(r, 8))
		return 0;
	uint64_t v = 0;
	for (int i = 7; i >= 0; i--)
		v = v << 8 | r->p[i];
	r->p += 8;
	return v;
}

uint64_t gf__rd_varint(gf__rd *r)
{
	uint64_t v = 0;
	for (unsigned shift = 0; shift < 64; shift += 7) {
		if (!gf__rd_need(r, 1))
			return 0;
		uint8_t c = *r->p++;
		v |= (uint64_t)(c & 0x7f) << shift;
		if (!(c & 0x80))
			return v;
	}
	r->bad = 1;
	return 0;
}

int64_t gf__rd_svarint(gf__rd *r)
{
	uint64_t u = gf__rd_varint(r);
	return (int64_t)(u >> 1) ^ -(int64_t)(u & 1);
}

double gf__rd_f64(gf__rd *r)
{
	uint64_t u = gf__rd_u64(r);
	double v;
	memcpy(&v, &u, sizeof(v));
	return v;
}

int gf__rd_strref(gf__rd *r, const char **out, size_t *len)
{
	uint64_t n = gf__rd_varint(r);
	*out = NULL;
	*len = 0;
	if (r->bad || n == 0)
		return 0;
	n--;
	if (!gf__rd_need(r, (size_t)n) || n > SIZE_MAX - 1)
		return 0;
	*out = (const char *)r->p;
	*len = (size_t)n;
	r->p += n;
	return 1;
}

char *gf__rd_strdup(gf__rd *r)
{
	const char *s;
	size_t n;
	if (!gf__rd_strref(r, &s, &n))
		return NULL;
	char *d = gf__strndup(s, n);
	if (!d)
		r->bad = 1;
	return d;
}

/* ---- vector ------------------------------------------------------------ */

void gf__vec_init(gf__vec *v)
{
	v->v = NULL;
	v->len = v->cap = 0;
}

void gf__vec_free(gf__vec *v)
{
	gf__free(v->v);
	gf__vec_init(v);
}

int gf__vec_reserve(gf__vec *v, size_t extra)
{
	if (v->len + extra <= v->cap)
		return GF_OK;
	size_t cap = v->cap ? v->cap : 16;
	while (cap < v->len + extra)
		cap *= 2;
	void **n = gf__realloc(v->v, cap * sizeof(*n));
	if (!n)
		return GF_ENOMEM;
	v->v = n;
	v->cap = cap;
	return GF_OK;
}

int gf__vec_push(gf__vec *v, void *p)
{
	if (v->len == v->cap) {
		size_t cap = v->cap ? v->cap * 2 : 16;
		void **n = gf__realloc(v->v, cap * sizeof(*n));
		if (!n)
			return GF_ENOMEM;
		v->v = n;
		v->cap = cap;
	}
	v->v[v->len++] = p;
	return GF_OK;
}
