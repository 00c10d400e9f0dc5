/*
 * alloc.c - the allocator hook, the library's only global state.
 */
#include <stdlib.h>

#include "internal.h"

static struct {
	void *(*malloc_fn)(size_t);
	void *(*calloc_fn)(size_t, size_t);
	void *(*realloc_fn)(void *, size_t);
	void (*free_fn)(void *);
} gf__allocator = { malloc, calloc, realloc, free };

int gf_set_allocator(void *(*malloc_fn)(size_t),
		     void *(*calloc_fn)(size_t, size_t),
		     void *(*realloc_fn)(void *, size_t),
		     void (*free_fn)(void *))
{
	if (!malloc_fn || !calloc_fn || !realloc_fn || !free_fn)
		return GF_EINVAL;
	gf__allocator.malloc_fn = malloc_fn;
	gf__allocator.calloc_fn = calloc_fn;
	gf__allocator.realloc_fn = realloc_fn;
	gf__allocator.free_fn = free_fn;
	return GF_OK;
}

void *gf__malloc(size_t n)
{
	return gf__allocator.malloc_fn(n ? n : 1);
}

void *gf__calloc(size_t n, size_t size)
{
	if (n == 0 || size == 0)
		n = size = 1;
	return gf__allocator.calloc_fn(n, size);
}

void *gf__realloc(void *p, size_t n)
{
	if (n == 0) {
		gf__allocator.free_fn(p);
		return NULL;
	}
	return gf__allocator.realloc_fn(p, n);
}

void gf__free(void *p)
{
	if (p)
		gf__allocator.free_fn(p);
}

char *gf__strndup(const char *s, size_t n)
{
	char *d = gf__malloc(n + 1);
	if (!d)
		return NULL;
	memcpy(d, s, n);
	d[n] = '\0';
	return d;
}

char *gf__strdup(const char *s)
{
	return s ? gf__strndup(s, strlen(s)) : NULL;
}
