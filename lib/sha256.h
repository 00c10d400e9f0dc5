/*
 * sha256.h - SHA-256 and HMAC-SHA-256 (FIPS 180-4, RFC 2104), for the
 * keyed hashes of reporter phone numbers and quarantine content keys.
 */
#ifndef GF_SHA256_H
#define GF_SHA256_H

#include <stddef.h>
#include <stdint.h>

typedef struct gf__sha256_ctx {
	uint32_t h[8];
	uint64_t total;
	uint8_t block[64];
	size_t used;
	int hw; /* compress with the CPU's SHA extensions (see gf__hmac_init) */
} gf__sha256_ctx;

void gf__sha256_init(gf__sha256_ctx *c);
void gf__sha256_update(gf__sha256_ctx *c, const void *p, size_t n);
void gf__sha256_final(gf__sha256_ctx *c, uint8_t out[32]);
void gf__sha256(const void *p, size_t n, uint8_t out[32]);

/* An HMAC key prepared once: the inner and outer states after the
 * padded key block, so each MAC costs two compressions for short input. */
typedef struct gf__hmac {
	gf__sha256_ctx inner;
	gf__sha256_ctx outer;
} gf__hmac;

void gf__hmac_init(gf__hmac *k, const void *key, size_t keylen);
void gf__hmac_run(const gf__hmac *k, const void *msg, size_t n,
		  uint8_t out[32]);

/* Lower-case hex of n bytes into out (2n+1 bytes with the NUL). */
void gf__hex(const uint8_t *p, size_t n, char *out);

#endif
