/*
 * sha256.c - SHA-256 (FIPS 180-4) and HMAC-SHA-256 (RFC 2104).
 *
 * Written for short inputs: a reporter's phone number is hashed once per
 * event, so the HMAC key's padded blocks are compressed once, in
 * gf__hmac_init, and every MAC after that starts from the saved states.
 */
#include "sha256.h"

#include <string.h>

/* x86-64 CPUs since about 2017 (Goldmont, Zen, Ice Lake) compute
 * SHA-256 rounds in hardware, about ten times faster than portable C.
 * Hashing a phone number per event is a visible share of ingestion, so
 * the library uses them when present. Only gf__hmac_init looks for them:
 * CPUID can cost microseconds under a hypervisor, and a key is prepared
 * once, while plain hashing (gf__sha256) is rare. */
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define GF__SHA_NI 1
#include <cpuid.h>
#include <immintrin.h>
#endif

static const uint32_t K[64] = {
	0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b,
	0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01,
	0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7,
	0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc,
	0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152,
	0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147,
	0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc,
	0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
	0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819,
	0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116, 0x1e376c08,
	0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f,
	0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208,
	0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2
};

#define ROR(x, n) (((x) >> (n)) | ((x) << (32 - (n))))

static uint32_t load_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

static void store_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static void compress(uint32_t h[8], const uint8_t *block)
{
	uint32_t w[64];
	for (int i = 0; i < 16; i++)
		w[i] = load_be32(block + 4 * i);
	for (int i = 16; i < 64; i++) {
		uint32_t s0 = ROR(w[i - 15], 7) ^ ROR(w[i - 15], 18) ^
			      (w[i - 15] >> 3);
		uint32_t s1 = ROR(w[i - 2], 17) ^ ROR(w[i - 2], 19) ^
			      (w[i - 2] >> 10);
		w[i] = w[i - 16] + s0 + w[i - 7] + s1;
	}
	uint32_t a = h[0], b = h[1], c = h[2], d = h[3];
	uint32_t e = h[4], f = h[5], g = h[6], k = h[7];
	for (int i = 0; i < 64; i++) {
		uint32_t S1 = ROR(e, 6) ^ ROR(e, 11) ^ ROR(e, 25);
		uint32_t ch = (e & f) ^ (~e & g);
		uint32_t t1 = k + S1 + ch + K[i] + w[i];
		uint32_t S0 = ROR(a, 2) ^ ROR(a, 13) ^ ROR(a, 22);
		uint32_t maj = (a & b) ^ (a & c) ^ (b & c);
		uint32_t t2 = S0 + maj;
		k = g;
		g = f;
		f = e;
		e = d + t1;
		d = c;
		c = b;
		b = a;
		a = t1 + t2;
	}
	h[0] += a;
	h[1] += b;
	h[2] += c;
	h[3] += d;
	h[4] += e;
	h[5] += f;
	h[6] += g;
	h[7] += k;
}

#ifdef GF__SHA_NI
static int cpu_has_sha_ni(void)
{
	unsigned a, b, c, d;
	if (!__get_cpuid(1, &a, &b, &c, &d) || !(c & (1u << 19)) ||
	    !(c & (1u << 9)))
		return 0; /* SSE4.1 and SSSE3 */
	if (!__get_cpuid_count(7, 0, &a, &b, &c, &d))
		return 0;
	return (b >> 29) & 1;
}

/* Intel's SHA extensions work on the state as ABEF and CDGH halves and
 * do four rounds per two sha256rnds2 instructions; the message schedule
 * for group g+3 is begun by sha256msg1 at group g and finished by
 * sha256msg2 at group g+2. */
__attribute__((target("sha,sse4.1,ssse3")))
static void compress_ni(uint32_t h[8], const uint8_t *block)
{
	const __m128i bswap = _mm_set_epi64x(0x0c0d0e0f08090a0bLL,
					     0x0405060700010203LL);
	__m128i tmp = _mm_loadu_si128((const __m128i *)&h[0]);
	__m128i s1 = _mm_loadu_si128((const __m128i *)&h[4]);
	tmp = _mm_shuffle_epi32(tmp, 0xB1);       /* CDAB */
	s1 = _mm_shuffle_epi32(s1, 0x1B);         /* EFGH */
	__m128i s0 = _mm_alignr_epi8(tmp, s1, 8); /* ABEF */
	s1 = _mm_blend_epi16(s1, tmp, 0xF0);      /* CDGH */
	const __m128i abef = s0, cdgh = s1;
	__m128i m[4];
	/* Unrolled, the branches vanish and m[] lives in registers. */
#pragma GCC unroll 16
	for (int g = 0; g < 16; g++) {
		if (g < 4)
			m[g] = _mm_shuffle_epi8(
				_mm_loadu_si128((const __m128i *)(block + 16 * g)),
				bswap);
		__m128i msg = _mm_add_epi32(
			m[g & 3], _mm_loadu_si128((const __m128i *)&K[4 * g]));
		s1 = _mm_sha256rnds2_epu32(s1, s0, msg);
		if (g >= 3 && g < 15) {
			__m128i t = _mm_alignr_epi8(m[g & 3], m[(g - 1) & 3], 4);
			m[(g + 1) & 3] = _mm_add_epi32(m[(g + 1) & 3], t);
			m[(g + 1) & 3] =
				_mm_sha256msg2_epu32(m[(g + 1) & 3], m[g & 3]);
		}
		msg = _mm_shuffle_epi32(msg, 0x0E);
		s0 = _mm_sha256rnds2_epu32(s0, s1, msg);
		if (g >= 1 && g < 13)
			m[(g - 1) & 3] =
				_mm_sha256msg1_epu32(m[(g - 1) & 3], m[g & 3]);
	}
	s0 = _mm_add_epi32(s0, abef);
	s1 = _mm_add_epi32(s1, cdgh);
	tmp = _mm_shuffle_epi32(s0, 0x1B);    /* FEBA */
	s1 = _mm_shuffle_epi32(s1, 0xB1);     /* DCHG */
	s0 = _mm_blend_epi16(tmp, s1, 0xF0);  /* DCBA */
	s1 = _mm_alignr_epi8(s1, tmp, 8);     /* ABEF */
	_mm_storeu_si128((__m128i *)&h[0], s0);
	_mm_storeu_si128((__m128i *)&h[4], s1);
}
#endif

static void compress_ctx(gf__sha256_ctx *c, const uint8_t *block)
{
#ifdef GF__SHA_NI
	if (c->hw) {
		compress_ni(c->h, block);
		return;
	}
#endif
	compress(c->h, block);
}

void gf__sha256_init(gf__sha256_ctx *c)
{
	static const uint32_t iv[8] = {
		0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
		0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19
	};
	memcpy(c->h, iv, sizeof iv);
	c->total = 0;
	c->used = 0;
	c->hw = 0;
}

void gf__sha256_update(gf__sha256_ctx *c, const void *p, size_t n)
{
	const uint8_t *s = p;
	c->total += n;
	if (c->used) {
		size_t take = 64 - c->used;
		if (take > n)
			take = n;
		memcpy(c->block + c->used, s, take);
		c->used += take;
		s += take;
		n -= take;
		if (c->used < 64)
			return;
		compress_ctx(c, c->block);
		c->used = 0;
	}
	while (n >= 64) {
		compress_ctx(c, s);
		s += 64;
		n -= 64;
	}
	if (n) {
		memcpy(c->block, s, n);
		c->used = n;
	}
}

void gf__sha256_final(gf__sha256_ctx *c, uint8_t out[32])
{
	uint64_t bits = c->total * 8;
	c->block[c->used++] = 0x80;
	if (c->used > 56) {
		memset(c->block + c->used, 0, 64 - c->used);
		compress_ctx(c, c->block);
		c->used = 0;
	}
	memset(c->block + c->used, 0, 56 - c->used);
	for (int i = 0; i < 8; i++)
		c->block[56 + i] = (uint8_t)(bits >> (56 - 8 * i));
	compress_ctx(c, c->block);
	for (int i = 0; i < 8; i++)
		store_be32(out + 4 * i, c->h[i]);
	c->used = 0;
}

void gf__sha256(const void *p, size_t n, uint8_t out[32])
{
	gf__sha256_ctx c;
	gf__sha256_init(&c);
	gf__sha256_update(&c, p, n);
	gf__sha256_final(&c, out);
}

void gf__hmac_init(gf__hmac *k, const void *key, size_t keylen)
{
	uint8_t kb[64], pad[64];
	memset(kb, 0, sizeof kb);
	if (keylen > 64)
		gf__sha256(key, keylen, kb);
	else if (keylen)
		memcpy(kb, key, keylen);
	for (int i = 0; i < 64; i++)
		pad[i] = kb[i] ^ 0x36;
	int hw = 0;
#ifdef GF__SHA_NI
	hw = cpu_has_sha_ni();
#endif
	gf__sha256_init(&k->inner);
	k->inner.hw = hw;
	gf__sha256_update(&k->inner, pad, 64);
	for (int i = 0; i < 64; i++)
		pad[i] = kb[i] ^ 0x5c;
	gf__sha256_init(&k->outer);
	k->outer.hw = hw;
	gf__sha256_update(&k->outer, pad, 64);
	/* The key must not linger on the stack. A volatile pointer keeps the
	 * compiler from dropping the clearing as a dead store. */
	volatile uint8_t *v = kb;
	for (size_t i = 0; i < sizeof kb; i++)
		v[i] = 0;
	v = pad;
	for (size_t i = 0; i < sizeof pad; i++)
		v[i] = 0;
}

void gf__hmac_run(const gf__hmac *k, const void *msg, size_t n,
		  uint8_t out[32])
{
	uint8_t ih[32];
	gf__sha256_ctx c = k->inner;
	gf__sha256_update(&c, msg, n);
	gf__sha256_final(&c, ih);
	c = k->outer;
	gf__sha256_update(&c, ih, sizeof ih);
	gf__sha256_final(&c, out);
}

void gf__hex(const uint8_t *p, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";
	for (size_t i = 0; i < n; i++) {
		out[2 * i] = digits[p[i] >> 4];
		out[2 * i + 1] = digits[p[i] & 15];
	}
	out[2 * n] = '\0';
}
