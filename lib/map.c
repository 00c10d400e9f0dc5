/*
 * map.c - a string-keyed hash map with open addressing and linear
 * probing. Keys are not copied: they live in the values, which saves an
 * allocation per entry on the ingestion path.
 */
#include "internal.h"

/* A tombstone marks a deleted slot so probe chains stay intact. */
static const char gf__tomb[1];

uint64_t gf__hash(const void *p, size_t n)
{
	/* FNV-1a over 8-byte words with a final avalanche: keys are short
	 * (ids, refs, codes), so this is cheaper than a block hash and the
	 * mix spreads the low bits the table uses. */
	const unsigned char *s = p;
	uint64_t h = 0xcbf29ce484222325ULL ^ n;
	while (n >= 8) {
		uint64_t w;
		memcpy(&w, s, 8);
		h = (h ^ w) * 0x100000001b3ULL;
		h ^= h >> 29;
		s += 8;
		n -= 8;
	}
	while (n--) {
		h = (h ^ *s++) * 0x100000001b3ULL;
	}
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ULL;
	h ^= h >> 33;
	return h;
}

void gf__map_init(gf__map *m)
{
	m->slots = NULL;
	m->cap = m->count = m->tombs = 0;
}

void gf__map_free(gf__map *m)
{
	gf__free(m->slots);
	gf__map_init(m);
}

static gf__map_slot *gf__map_find(const gf__map *m, const char *key,
				  size_t len, uint64_t h)
{
	if (!m->cap)
		return NULL;
	size_t mask = m->cap - 1;
	for (size_t i = (size_t)h & mask;; i = (i + 1) & mask) {
		gf__map_slot *s = &m->slots[i];
		if (!s->key)
			return NULL;
		if (s->key != gf__tomb && s->hash == h && s->len == len &&
		    memcmp(s->key, key, len) == 0)
			return s;
	}
}

void *gf__map_get(const gf__map *m, const char *key, size_t len)
{
	gf__map_slot *s = gf__map_find(m, key, len, gf__hash(key, len));
	return s ? s->val : NULL;
}

/* Rehash into a table that holds count + extra entries under a 3/4
 * load; tombstones are dropped on the way. */
static int gf__map_rehash(gf__map *m, size_t extra)
{
	size_t cap = 16;
	while ((m->count + extra) * 4 > cap * 3 / 2)
		cap *= 2;
	/* a large map that must grow grows four-fold: a rehash walks cold
	 * memory, and an engine's report index only ever grows */
	if (cap > m->cap && m->cap >= 65536 && cap < m->cap * 4)
		cap = m->cap * 4;
	if (cap < m->cap)
		cap = m->cap;
	gf__map_slot *slots = gf__calloc(cap, sizeof(*slots));
	if (!slots)
		return GF_ENOMEM;
	for (size_t i = 0; i < m->cap; i++) {
		gf__map_slot *s = &m->slots[i];
		if (!s->key || s->key == gf__tomb)
			continue;
		size_t j = (size_t)s->hash & (cap - 1);
		while (slots[j].key)
			j = (j + 1) & (cap - 1);
		slots[j] = *s;
	}
	gf__free(m->slots);
	m->slots = slots;
	m->cap = cap;
	m->tombs = 0;
	return GF_OK;
}

int gf__map_put(gf__map *m, const char *key, size_t len, void *val)
{
	uint64_t h = gf__hash(key, len);
	gf__map_slot *s = gf__map_find(m, key, len, h);
	if (s) {
		s->key = key;
		s->val = val;
		return GF_OK;
	}
	/* keep the load (live + tombstones) under 3/4 */
	if ((m->count + m->tombs + 1) * 4 > m->cap * 3 &&
	    gf__map_rehash(m, 1))
		return GF_ENOMEM;
	size_t mask = m->cap - 1;
	size_t i = (size_t)h & mask;
	while (m->slots[i].key && m->slots[i].key != gf__tomb)
		i = (i + 1) & mask;
	if (m->slots[i].key == gf__tomb)
		m->tombs--;
	m->slots[i].key = key;
	m->slots[i].len = len;
	m->slots[i].hash = h;
	m->slots[i].val = val;
	m->count++;
	return GF_OK;
}

int gf__map_reserve(gf__map *m, size_t extra)
{
	if ((m->count + m->tombs + extra) * 4 <= m->cap * 3)
		return GF_OK;
	return gf__map_rehash(m, extra);
}

void *gf__map_del(gf__map *m, const char *key, size_t len)
{
	gf__map_slot *s = gf__map_find(m, key, len, gf__hash(key, len));
	if (!s)
		return NULL;
	void *v = s->val;
	s->key = gf__tomb;
	s->val = NULL;
	m->count--;
	m->tombs++;
	return v;
}

int gf__map_next(const gf__map *m, size_t *it, const char **key,
		 size_t *len, void **val)
{
	while (*it < m->cap) {
		gf__map_slot *s = &m->slots[(*it)++];
		if (s->key && s->key != gf__tomb) {
			if (key)
				*key = s->key;
			if (len)
				*len = s->len;
			if (val)
				*val = s->val;
			return 1;
		}
	}
	return 0;
}
