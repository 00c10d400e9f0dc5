/*
 * internal.h - what every module of the library shares: the allocator,
 * error detail, byte buffers and readers, a string-keyed hash map and a
 * pointer vector. Nothing here is exported; every name is gf__.
 */
#ifndef GF_INTERNAL_H
#define GF_INTERNAL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "gridflow.h"

#if defined(__GNUC__)
#  define GF__PRINTF(f, a) __attribute__((format(printf, f, a)))
#  define GF__UNLIKELY(x) __builtin_expect(!!(x), 0)
#  define GF__LIKELY(x) __builtin_expect(!!(x), 1)
/* a hint to load p's cache line, for reads whose misses can overlap */
#  define GF__PREFETCH(p) __builtin_prefetch(p)
#else
#  define GF__PRINTF(f, a)
#  define GF__UNLIKELY(x) (x)
#  define GF__LIKELY(x) (x)
#  define GF__PREFETCH(p) ((void)(p))
#endif

/* The assisting departments (会办) an order, a routing decision, a plan
 * or a record holds at most. */
#define GF__MAX_ASSIST 16

/* ---- allocator (alloc.c) -------------------------------------------- */

void *gf__malloc(size_t n);
void *gf__calloc(size_t n, size_t size);
/* n == 0 frees p and returns NULL (the hook's realloc never sees 0). */
void *gf__realloc(void *p, size_t n);
void gf__free(void *p);
char *gf__strdup(const char *s);
/* Copies n bytes and adds a NUL. */
char *gf__strndup(const char *s, size_t n);

/* ---- error detail (error.c) ----------------------------------------- */

/*
 * The detail of the last failure: a code, the offending field as a JSON
 * path ("$.location.lat"; "" when none) and a message that does not
 * repeat the path. Set with gf__err_set(); read whole with
 * gf__err_text() ("$.location.lat: not a finite number").
 */
typedef struct gf__err {
	int code;
	char field[96];
	char msg[320];
	char text[448];
} gf__err;

void gf__err_clear(gf__err *e);
/* Sets code, field and message; returns code so callers can
 * `return gf__err_set(...)`. field may be NULL. */
int gf__err_set(gf__err *e, int code, const char *field, const char *fmt,
		...) GF__PRINTF(4, 5);
/* snprintf into a fixed buffer, cut back to whole UTF-8 characters when
 * it did not fit: what hosts and the database get stays valid UTF-8. */
void gf__textf(char *buf, size_t size, const char *fmt, ...)
	GF__PRINTF(3, 4);
void gf__vtextf(char *buf, size_t size, const char *fmt, va_list ap);
/* gf__textf(buf, size, "%s", s) without the format: cut the same way. */
void gf__textcpy(char *buf, size_t size, const char *s);
int gf__err_setv(gf__err *e, int code, const char *field, const char *fmt,
		 va_list ap);
/* "field: message", or the message alone when there is no field. */
const char *gf__err_text(gf__err *e);

/* ---- byte buffer and reader (buf.c) --------------------------------- */

typedef struct gf__buf {
	char *p;
	size_t len;
	size_t cap;
	int oom; /* an append failed; the buffer holds a prefix */
} gf__buf;

void gf__buf_init(gf__buf *b);
void gf__buf_free(gf__buf *b);
void gf__buf_reset(gf__buf *b);     /* len = 0, keeps memory */
/* Room for extra more bytes (and a NUL). The growing half is in buf.c;
 * the writers below are inline because records are made of many small
 * writes on the ingestion path. */
int gf__buf_grow(gf__buf *b, size_t extra);
static inline int gf__buf_reserve(gf__buf *b, size_t extra)
{
	if (GF__LIKELY(!b->oom && b->len + extra + 1 <= b->cap &&
		       extra < b->cap))
		return GF_OK;
	return gf__buf_grow(b, extra);
}
static inline int gf__buf_put(gf__buf *b, const void *p, size_t n)
{
	if (gf__buf_reserve(b, n))
		return GF_ENOMEM;
	if (n)
		memcpy(b->p + b->len, p, n);
	b->len += n;
	return GF_OK;
}
static inline int gf__buf_putc(gf__buf *b, char c)
{
	if (gf__buf_reserve(b, 1))
		return GF_ENOMEM;
	b->p[b->len++] = c;
	return GF_OK;
}
int gf__buf_puts(gf__buf *b, const char *s);
int gf__buf_printf(gf__buf *b, const char *fmt, ...) GF__PRINTF(2, 3);
/* A JSON string with quotes and escapes; s must be valid UTF-8. NULL
 * writes null. */
int gf__buf_json_str(gf__buf *b, const char *s, size_t n);
/* Binary encodings for store records: little-endian fixed, LEB128. */
static inline int gf__buf_u8(gf__buf *b, uint8_t v)
{
	return gf__buf_putc(b, (char)v);
}
int gf__buf_u32(gf__buf *b, uint32_t v);
int gf__buf_u64(gf__buf *b, uint64_t v);
static inline int gf__buf_varint(gf__buf *b, uint64_t v)
{
	if (gf__buf_reserve(b, 10))
		return GF_ENOMEM;
	unsigned char *o = (unsigned char *)b->p + b->len;
	size_t n = 0;
	while (v >= 0x80) {
		o[n++] = (unsigned char)(v | 0x80);
		v >>= 7;
	}
	o[n++] = (unsigned char)v;
	b->len += n;
	return GF_OK;
}
static inline int gf__buf_svarint(gf__buf *b, int64_t v)
{
	return gf__buf_varint(b, ((uint64_t)v << 1) ^ (uint64_t)(v >> 63));
}
int gf__buf_f64(gf__buf *b, double v);
/* varint length then bytes; lengths are stored +1 so that 0 means NULL. */
static inline int gf__buf_strn(gf__buf *b, const char *s, size_t n)
{
	if (!s)
		return gf__buf_varint(b, 0);
	if (gf__buf_varint(b, (uint64_t)n + 1))
		return GF_ENOMEM;
	return gf__buf_put(b, s, n);
}
static inline int gf__buf_str(gf__buf *b, const char *s)
{
	return gf__buf_strn(b, s, s ? strlen(s) : 0);
}
/* Make p a NUL-terminated string (the NUL is not counted in len). */
const char *gf__buf_cstr(gf__buf *b);

typedef struct gf__rd {
	const uint8_t *p;
	const uint8_t *end;
	int bad; /* a read went past the end or found garbage */
} gf__rd;

void gf__rd_init(gf__rd *r, const void *p, size_t n);
uint8_t gf__rd_u8(gf__rd *r);
uint32_t gf__rd_u32(gf__rd *r);
uint64_t gf__rd_u64(gf__rd *r);
uint64_t gf__rd_varint(gf__rd *r);
int64_t gf__rd_svarint(gf__rd *r);
double gf__rd_f64(gf__rd *r);
/* A string written by gf__buf_str: returns a fresh NUL-terminated copy
 * (NULL for a NULL string; sets bad on allocation failure). */
char *gf__rd_strdup(gf__rd *r);
/* The same without copying: *out points into the record, not
 * NUL-terminated. Returns 0 for a NULL string, 1 otherwise. */
int gf__rd_strref(gf__rd *r, const char **out, size_t *len);

/* ---- hash map: string key -> pointer (map.c) ------------------------ */

/*
 * Open addressing, linear probing, power-of-two capacity. The map does
 * not copy keys: a key must stay valid (and unchanged) while its entry
 * exists; usually it lives inside the value.
 */
typedef struct gf__map_slot {
	const char *key;
	size_t len;
	uint64_t hash;
	void *val;
} gf__map_slot;

typedef struct gf__map {
	gf__map_slot *slots;
	size_t cap;   /* 0 or a power of two */
	size_t count;
	size_t tombs;
} gf__map;

uint64_t gf__hash(const void *p, size_t n);
void gf__map_init(gf__map *m);
void gf__map_free(gf__map *m); /* frees the table, not keys or values */
void *gf__map_get(const gf__map *m, const char *key, size_t len);
/* Insert or replace. GF_OK or GF_ENOMEM. */
int gf__map_put(gf__map *m, const char *key, size_t len, void *val);
/* Make room for extra more entries, so that as many puts of new keys
 * cannot fail. GF_OK or GF_ENOMEM. */
int gf__map_reserve(gf__map *m, size_t extra);
/* Returns the removed value or NULL. */
void *gf__map_del(gf__map *m, const char *key, size_t len);
/* Iterate: start with *it = 0; returns 0 at the end. */
int gf__map_next(const gf__map *m, size_t *it, const char **key,
		 size_t *len, void **val);

/* ---- pointer vector (buf.c) ----------------------------------------- */

typedef struct gf__vec {
	void **v;
	size_t len;
	size_t cap;
} gf__vec;

void gf__vec_init(gf__vec *v);
void gf__vec_free(gf__vec *v); /* frees the array, not the elements */
int gf__vec_push(gf__vec *v, void *p);
/* Make room for extra more elements, so that as many pushes cannot fail. */
int gf__vec_reserve(gf__vec *v, size_t extra);

/* ---- pool: an arena with interned strings (pool.c) ------------------ */

/*
 * Memory for what lives as long as its engine: orders, reports, audit
 * entries. Allocation bumps a pointer in 64 KiB blocks; nothing is freed
 * before gf__pool_free. Interned strings (department ids, rule ids, roles)
 * are stored once and compared by pointer.
 */
typedef struct gf__pool_block gf__pool_block;

typedef struct gf__pool {
	gf__pool_block *head;
	gf__map interned;
} gf__pool;

void gf__pool_init(gf__pool *p);
void gf__pool_free(gf__pool *p);
/* 8-byte aligned, uninitialised; NULL when out of memory. */
void *gf__pool_alloc(gf__pool *p, size_t n);
/* A copy; NULL when out of memory (s must not be NULL). */
char *gf__pool_strdup(gf__pool *p, const char *s);
/* The one stored copy of s; NULL when out of memory. */
const char *gf__pool_intern(gf__pool *p, const char *s);

#endif /* GF_INTERNAL_H */
