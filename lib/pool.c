/*
 * pool.c - an arena for what lives as long as its engine, and interned
 * strings. An engine keeps every order it made; allocating them one by
 * one from the general allocator cost more than validating the event.
 */
#include "internal.h"

#define GF__POOL_BLOCK ((size_t)64 << 10)

struct gf__pool_block {
	gf__pool_block *next;
	size_t used;
	size_t cap;
	/* data follows, 16-byte aligned */
};

#define GF__POOL_HEAD ((sizeof(gf__pool_block) + 15) & ~(size_t)15)

void gf__pool_init(gf__pool *p)
{
	p->head = NULL;
	gf__map_init(&p->interned);
}

void gf__pool_free(gf__pool *p)
{
	gf__pool_block *b = p->head;
	while (b) {
		gf__pool_block *next = b->next;
		gf__free(b);
		b = next;
	}
	gf__map_free(&p->interned);
	gf__pool_init(p);
}

void *gf__pool_alloc(gf__pool *p, size_t n)
{
	n = (n + 7) & ~(size_t)7;
	gf__pool_block *b = p->head;
	if (!b || b->cap - b->used < n) {
		/* a large request gets a block of its own, behind the current
		 * one, so the current block's free space is not lost */
		size_t cap = n > GF__POOL_BLOCK / 4 ? n : GF__POOL_BLOCK;
		gf__pool_block *nb = gf__malloc(GF__POOL_HEAD + cap);
		if (!nb)
			return NULL;
		nb->used = 0;
		nb->cap = cap;
		if (b && cap != GF__POOL_BLOCK) {
			nb->next = b->next;
			b->next = nb;
		} else {
			nb->next = b;
			p->head = nb;
		}
		b = nb;
	}
	void *r = (char *)b + GF__POOL_HEAD + b->used;
	b->used += n;
	return r;
}

char *gf__pool_strdup(gf__pool *p, const char *s)
{
	size_t n = strlen(s);
	char *d = gf__pool_alloc(p, n + 1);
	if (d)
		memcpy(d, s, n + 1);
	return d;
}

const char *gf__pool_intern(gf__pool *p, const char *s)
{
	size_t n = strlen(s);
	const char *have = gf__map_get(&p->interned, s, n);
	if (have)
		return have;
	char *d = gf__pool_alloc(p, n + 1);
	if (!d)
		return NULL;
	memcpy(d, s, n + 1);
	if (gf__map_put(&p->interned, d, n, d))
		return NULL;
	return d;
}
