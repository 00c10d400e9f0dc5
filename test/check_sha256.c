/*
 * check_sha256.c - SHA-256 against FIPS 180-4 examples, HMAC-SHA-256
 * against RFC 4231.
 */
#include <string.h>

#include "testutil.h"
#include "sha256.h"

static void hex_of(const uint8_t *p, size_t n, char *out)
{
	gf__hex(p, n, out);
}

static void check_sha(const void *msg, size_t n, const char *want)
{
	uint8_t d[32];
	char h[65];
	gf__sha256(msg, n, d);
	hex_of(d, 32, h);
	ck_assert_str_eq(h, want);
}

START_TEST(sha_empty)
{
	check_sha("", 0,
		  "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}
END_TEST

START_TEST(sha_abc)
{
	check_sha("abc", 3,
		  "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}
END_TEST

START_TEST(sha_two_blocks)
{
	const char *m = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
	check_sha(m, strlen(m),
		  "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
	m = "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmno"
	    "ijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu";
	check_sha(m, strlen(m),
		  "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1");
}
END_TEST

START_TEST(sha_million_a)
{
	gf__sha256_ctx c;
	uint8_t d[32], chunk[1000];
	char h[65];
	memset(chunk, 'a', sizeof(chunk));
	gf__sha256_init(&c);
	for (int i = 0; i < 1000; i++)
		gf__sha256_update(&c, chunk, sizeof(chunk));
	gf__sha256_final(&c, d);
	hex_of(d, 32, h);
	ck_assert_str_eq(h,
		"cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}
END_TEST

/* Padding edge cases: 55, 56, 63, 64 and 65 bytes, fed in every split. */
START_TEST(sha_incremental_splits)
{
	uint8_t msg[200];
	for (size_t i = 0; i < sizeof(msg); i++)
		msg[i] = (uint8_t)(i * 7 + 3);
	size_t lens[] = { 0, 1, 55, 56, 57, 63, 64, 65, 127, 128, 200 };
	for (size_t li = 0; li < sizeof(lens) / sizeof(lens[0]); li++) {
		size_t n = lens[li];
		uint8_t one[32];
		gf__sha256(msg, n, one);
		for (size_t cut = 0; cut <= n; cut++) {
			gf__sha256_ctx c;
			uint8_t two[32];
			gf__sha256_init(&c);
			gf__sha256_update(&c, msg, cut);
			gf__sha256_update(&c, msg + cut, n - cut);
			gf__sha256_final(&c, two);
			ck_assert_mem_eq(one, two, 32);
		}
	}
}
END_TEST

static void check_hmac(const void *key, size_t kl, const void *msg, size_t ml,
		       const char *want)
{
	gf__hmac k;
	uint8_t d[32];
	char h[65];
	gf__hmac_init(&k, key, kl);
	gf__hmac_run(&k, msg, ml, d);
	hex_of(d, 32, h);
	ck_assert_int_eq(strncmp(h, want, strlen(want)), 0);
	/* The prepared key is not used up by a run. */
	gf__hmac_run(&k, msg, ml, d);
	hex_of(d, 32, h);
	ck_assert_int_eq(strncmp(h, want, strlen(want)), 0);
}

START_TEST(hmac_rfc4231)
{
	uint8_t key[131], data[50];
	memset(key, 0x0b, 20);
	check_hmac(key, 20, "Hi There", 8,
		   "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
	check_hmac("Jefe", 4, "what do ya want for nothing?", 28,
		   "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
	memset(key, 0xaa, 20);
	memset(data, 0xdd, 50);
	check_hmac(key, 20, data, 50,
		   "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe");
	for (int i = 0; i < 25; i++)
		key[i] = (uint8_t)(i + 1);
	memset(data, 0xcd, 50);
	check_hmac(key, 25, data, 50,
		   "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b");
	memset(key, 0x0c, 20);
	check_hmac(key, 20, "Test With Truncation", 20,
		   "a3b6167473100ee06e0c796c2955552b");
	memset(key, 0xaa, 131);
	const char *m6 = "Test Using Larger Than Block-Size Key - Hash Key First";
	check_hmac(key, 131, m6, strlen(m6),
		   "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
	const char *m7 = "This is a test using a larger than block-size key and a "
			 "larger than block-size data. The key needs to be hashed "
			 "before being used by the HMAC algorithm.";
	check_hmac(key, 131, m7, strlen(m7),
		   "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2");
}
END_TEST

/* The hardware path (when this CPU has one) and portable C agree on
 * every length around the block and padding boundaries, and the RFC
 * vectors pass on the portable path too. */
START_TEST(hw_and_portable_agree)
{
	gf__hmac probe;
	gf__hmac_init(&probe, "k", 1);
	int hw = probe.inner.hw;
	ck_assert_int_eq(probe.outer.hw, hw);
	uint8_t msg[300];
	for (size_t i = 0; i < sizeof(msg); i++)
		msg[i] = (uint8_t)(i * 31 + 7);
	for (size_t n = 0; n <= sizeof(msg); n++) {
		gf__sha256_ctx a, b;
		uint8_t da[32], db[32];
		gf__sha256_init(&a);
		gf__sha256_init(&b);
		ck_assert_int_eq(a.hw, 0);
		b.hw = hw;
		gf__sha256_update(&a, msg, n);
		gf__sha256_update(&b, msg, n);
		gf__sha256_final(&a, da);
		gf__sha256_final(&b, db);
		ck_assert_mem_eq(da, db, 32);
	}
	gf__hmac k;
	uint8_t d[32];
	char h[65];
	gf__hmac_init(&k, "Jefe", 4);
	k.inner.hw = k.outer.hw = 0;
	gf__hmac_run(&k, "what do ya want for nothing?", 28, d);
	gf__hex(d, 32, h);
	ck_assert_str_eq(h,
		"5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}
END_TEST

START_TEST(hmac_key_matters)
{
	gf__hmac a, b;
	uint8_t da[32], db[32];
	gf__hmac_init(&a, "key-one", 7);
	gf__hmac_init(&b, "key-two", 7);
	gf__hmac_run(&a, "13800000000", 11, da);
	gf__hmac_run(&b, "13800000000", 11, db);
	ck_assert_int_ne(memcmp(da, db, 32), 0);
}
END_TEST

START_TEST(hex_format)
{
	uint8_t p[] = { 0x00, 0x0f, 0xa5, 0xff };
	char h[9];
	gf__hex(p, 4, h);
	ck_assert_str_eq(h, "000fa5ff");
	gf__hex(p, 0, h);
	ck_assert_str_eq(h, "");
}
END_TEST

static Suite *make_suite(void)
{
	Suite *s = suite_create("sha256");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, sha_empty);
	tcase_add_test(tc, sha_abc);
	tcase_add_test(tc, sha_two_blocks);
	tcase_add_test(tc, sha_million_a);
	tcase_add_test(tc, sha_incremental_splits);
	tcase_add_test(tc, hmac_rfc4231);
	tcase_add_test(tc, hw_and_portable_agree);
	tcase_add_test(tc, hmac_key_matters);
	tcase_add_test(tc, hex_format);
	suite_add_tcase(s, tc);
	return s;
}

GF_TEST_MAIN
