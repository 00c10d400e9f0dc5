/*
 * check_crc32c.c - CRC-32C against published vectors and a bit-at-a-time
 * reference, for both the table and the SSE4.2 paths.
 *
 * The implementation file is included so that its static pieces (the
 * tables and both paths) can be tested one by one; nothing else from the
 * library is needed.
 */
#include "crc32c.c"

#include <stdlib.h>

#include "testutil.h"

/* The definition, one bit at a time. */
static uint32_t crc_ref(uint32_t crc, const uint8_t *p, size_t n)
{
	crc = ~crc;
	for (size_t i = 0; i < n; i++) {
		crc ^= p[i];
		for (int b = 0; b < 8; b++)
			crc = (crc >> 1) ^ (0x82F63B78u & (0u - (crc & 1u)));
	}
	return ~crc;
}

static uint64_t rng_next(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

START_TEST(test_vectors)
{
	uint8_t buf[32];

	ck_assert_uint_eq(gf__crc32c(0, "123456789", 9), 0xE3069283u);
	ck_assert_uint_eq(gf__crc32c(0, NULL, 0), 0);
	ck_assert_uint_eq(gf__crc32c(0x12345678u, NULL, 0), 0x12345678u);
	/* RFC 3720, appendix B.4. */
	memset(buf, 0, sizeof buf);
	ck_assert_uint_eq(gf__crc32c(0, buf, 32), 0x8A9136AAu);
	memset(buf, 0xff, sizeof buf);
	ck_assert_uint_eq(gf__crc32c(0, buf, 32), 0x62A8AB43u);
	for (int i = 0; i < 32; i++)
		buf[i] = (uint8_t)i;
	ck_assert_uint_eq(gf__crc32c(0, buf, 32), 0x46DD794Eu);
	for (int i = 0; i < 32; i++)
		buf[i] = (uint8_t)(31 - i);
	ck_assert_uint_eq(gf__crc32c(0, buf, 32), 0x113FDB5Cu);
	/* Continuing a CRC equals computing it in one go. */
	ck_assert_uint_eq(gf__crc32c(gf__crc32c(0, "1234", 4), "56789", 5),
			  0xE3069283u);
}
END_TEST

START_TEST(test_tables)
{
	uint32_t t[8][256];

	for (uint32_t i = 0; i < 256; i++) {
		uint32_t c = i;
		for (int b = 0; b < 8; b++)
			c = (c >> 1) ^ (0x82F63B78u & (0u - (c & 1u)));
		t[0][i] = c;
	}
	for (int k = 1; k < 8; k++)
		for (int i = 0; i < 256; i++)
			t[k][i] = (t[k - 1][i] >> 8) ^
				  t[0][t[k - 1][i] & 0xff];
	for (int k = 0; k < 8; k++)
		for (int i = 0; i < 256; i++)
			ck_assert_msg(t[k][i] == crc_table[k][i],
				      "table %d entry %d", k, i);
}
END_TEST

/* Every length up to 300 and then some long ones, at every alignment,
 * in one piece and split at a random point. */
static void compare_all(uint32_t (*impl)(uint32_t, const uint8_t *, size_t),
			const char *name)
{
	enum { MAX = 70000 };
	uint8_t *buf = malloc(MAX + 8);
	uint64_t seed = 0x9E3779B97F4A7C15u;
	static const size_t longs[] = { 511, 512, 513, 4095, 4096, 65537,
					MAX };

	ck_assert_ptr_nonnull(buf);
	for (size_t i = 0; i < MAX + 8; i++)
		buf[i] = (uint8_t)rng_next(&seed);
	for (size_t len = 0; len < 300 + sizeof longs / sizeof longs[0];
	     len++) {
		size_t n = len < 300 ? len : longs[len - 300];
		for (size_t align = 0; align < 8; align++) {
			const uint8_t *p = buf + align;
			uint32_t want = crc_ref(0, p, n);
			uint32_t got = ~impl(~0u, p, n);
			size_t cut = n > 0 ? (size_t)(rng_next(&seed) % n) : 0;
			uint32_t first = ~impl(~0u, p, cut);
			uint32_t whole = ~impl(~first, p + cut, n - cut);

			ck_assert_msg(got == want, "%s: len %zu align %zu: "
				      "%08x, want %08x", name, n, align, got,
				      want);
			ck_assert_msg(whole == want, "%s: len %zu split %zu",
				      name, n, cut);
			ck_assert_uint_eq(gf__crc32c(0, p, n), want);
		}
	}
	free(buf);
}

START_TEST(test_software)
{
	compare_all(crc_sw, "table");
}
END_TEST

START_TEST(test_hardware)
{
#ifdef GF__CRC32C_HW
	if (!__builtin_cpu_supports("sse4.2")) {
		printf("check_crc32c: no SSE4.2 here, hardware path untested\n");
		return;
	}
	compare_all(crc_hw, "sse4.2");
#endif
}
END_TEST

static Suite *make_suite(void)
{
	Suite *s = suite_create("crc32c");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_vectors);
	tcase_add_test(tc, test_tables);
	tcase_add_test(tc, test_software);
	tcase_add_test(tc, test_hardware);
	suite_add_tcase(s, tc);
	return s;
}

GF_TEST_MAIN
