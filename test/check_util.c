/*
 * check_util.c - the shared utilities: the string map (growth,
 * tombstones, reservation), buffers and their binary encodings read back
 * by the bounded reader, and the pool with interned strings.
 */
#include <stdint.h>

#include "testutil.h"
#include "internal.h"

START_TEST(map_put_get_del_grow)
{
	gf__map m;
	gf__map_init(&m);
	enum { N = 20000 };
	static char keys[N][16];
	for (int i = 0; i < N; i++) {
		snprintf(keys[i], sizeof(keys[i]), "k%d", i);
		ck_assert_int_eq(gf__map_put(&m, keys[i], strlen(keys[i]),
					     keys[i]), GF_OK);
	}
	ck_assert_uint_eq(m.count, N);
	for (int i = 0; i < N; i++)
		ck_assert_ptr_eq(gf__map_get(&m, keys[i], strlen(keys[i])),
				 keys[i]);
	ck_assert_ptr_null(gf__map_get(&m, "k-1", 3));
	/* replace keeps the count */
	ck_assert_int_eq(gf__map_put(&m, keys[5], strlen(keys[5]), keys[6]),
			 GF_OK);
	ck_assert_uint_eq(m.count, N);
	ck_assert_ptr_eq(gf__map_get(&m, keys[5], strlen(keys[5])), keys[6]);
	/* delete every other one; the rest stay reachable past tombstones */
	for (int i = 0; i < N; i += 2)
		ck_assert_ptr_nonnull(gf__map_del(&m, keys[i], strlen(keys[i])));
	ck_assert_ptr_null(gf__map_del(&m, keys[0], strlen(keys[0])));
	ck_assert_uint_eq(m.count, N / 2);
	for (int i = 1; i < N; i += 2)
		ck_assert_ptr_nonnull(gf__map_get(&m, keys[i], strlen(keys[i])));
	for (int i = 0; i < N; i += 2)
		ck_assert_ptr_null(gf__map_get(&m, keys[i], strlen(keys[i])));
	/* iteration sees each live entry once */
	size_t it = 0, seen = 0;
	const char *k;
	size_t kl;
	void *v;
	while (gf__map_next(&m, &it, &k, &kl, &v))
		seen++;
	ck_assert_uint_eq(seen, N / 2);
	gf__map_free(&m);
}
END_TEST

START_TEST(map_reserve_means_no_growth)
{
	gf__map m;
	gf__map_init(&m);
	static char keys[1000][16];
	ck_assert_int_eq(gf__map_reserve(&m, 1000), GF_OK);
	gf__map_slot *slots = m.slots;
	size_t cap = m.cap;
	for (int i = 0; i < 1000; i++) {
		snprintf(keys[i], sizeof(keys[i]), "%d", i);
		ck_assert_int_eq(gf__map_put(&m, keys[i], strlen(keys[i]),
					     keys[i]), GF_OK);
	}
	/* no reallocation happened: puts after a reserve cannot fail */
	ck_assert_ptr_eq(m.slots, slots);
	ck_assert_uint_eq(m.cap, cap);
	gf__map_free(&m);
}
END_TEST

START_TEST(keys_with_the_same_bytes_differ_by_length)
{
	gf__map m;
	gf__map_init(&m);
	const char *s = "abcabc";
	gf__map_put(&m, s, 3, (void *)"three");
	gf__map_put(&m, s, 6, (void *)"six");
	ck_assert_str_eq(gf__map_get(&m, "abc", 3), "three");
	ck_assert_str_eq(gf__map_get(&m, "abcabc", 6), "six");
	ck_assert_ptr_null(gf__map_get(&m, "ab", 2));
	gf__map_free(&m);
}
END_TEST

START_TEST(buffer_encodings_read_back)
{
	gf__buf b;
	gf__buf_init(&b);
	static const uint64_t vs[] = { 0, 1, 127, 128, 16383, 16384,
				       UINT32_MAX, UINT64_MAX };
	static const int64_t ss[] = { 0, -1, 1, INT64_MIN, INT64_MAX,
				      -1795310100000LL };
	for (size_t i = 0; i < sizeof(vs) / sizeof(vs[0]); i++)
		gf__buf_varint(&b, vs[i]);
	for (size_t i = 0; i < sizeof(ss) / sizeof(ss[0]); i++)
		gf__buf_svarint(&b, ss[i]);
	gf__buf_u32(&b, 0xdeadbeef);
	gf__buf_u64(&b, 0x0123456789abcdefULL);
	gf__buf_f64(&b, -31.2736);
	gf__buf_str(&b, NULL);
	gf__buf_str(&b, "");
	gf__buf_str(&b, "垃圾堆积");
	ck_assert(!b.oom);

	gf__rd r;
	gf__rd_init(&r, b.p, b.len);
	for (size_t i = 0; i < sizeof(vs) / sizeof(vs[0]); i++)
		ck_assert(gf__rd_varint(&r) == vs[i]);
	for (size_t i = 0; i < sizeof(ss) / sizeof(ss[0]); i++)
		ck_assert(gf__rd_svarint(&r) == ss[i]);
	ck_assert_uint_eq(gf__rd_u32(&r), 0xdeadbeef);
	ck_assert(gf__rd_u64(&r) == 0x0123456789abcdefULL);
	ck_assert(gf__rd_f64(&r) == -31.2736);
	char *s = gf__rd_strdup(&r);
	ck_assert_ptr_null(s);
	s = gf__rd_strdup(&r);
	ck_assert_str_eq(s, "");
	gf__free(s);
	s = gf__rd_strdup(&r);
	ck_assert_str_eq(s, "垃圾堆积");
	gf__free(s);
	ck_assert(!r.bad);
	ck_assert(r.p == r.end);
	/* reading past the end is caught, never performed */
	ck_assert_uint_eq(gf__rd_u8(&r), 0);
	ck_assert(r.bad);

	/* a truncated record fails at every cut */
	for (size_t cut = 0; cut < b.len; cut++) {
		gf__rd_init(&r, b.p, cut);
		for (size_t i = 0; i < sizeof(vs) / sizeof(vs[0]); i++)
			gf__rd_varint(&r);
		for (size_t i = 0; i < sizeof(ss) / sizeof(ss[0]); i++)
			gf__rd_svarint(&r);
		gf__rd_u32(&r);
		gf__rd_u64(&r);
		gf__rd_f64(&r);
		const char *p;
		size_t n;
		gf__rd_strref(&r, &p, &n);
		gf__rd_strref(&r, &p, &n);
		gf__rd_strref(&r, &p, &n);
		ck_assert_msg(r.bad, "cut at %zu not noticed", cut);
	}
	gf__buf_free(&b);
}
END_TEST

START_TEST(json_strings_are_escaped)
{
	gf__buf b;
	gf__buf_init(&b);
	const char s[] = "a\"b\\c\n\x01\x1f/垃";
	gf__buf_json_str(&b, s, sizeof(s) - 1);
	gf__buf_putc(&b, ' ');
	gf__buf_json_str(&b, NULL, 0);
	ck_assert_str_eq(gf__buf_cstr(&b),
			 "\"a\\\"b\\\\c\\n\\u0001\\u001f/垃\" null");
	gf__buf_reset(&b);
	gf__buf_printf(&b, "%s-%d-%0300d", "x", 7, 1);
	ck_assert_uint_eq(b.len, 4 + 300);
	gf__buf_free(&b);
}
END_TEST

/* A string cut to fit its buffer keeps whole UTF-8 characters, with or
 * without a format, at every size. */
START_TEST(texts_are_cut_at_whole_characters)
{
	const char *s = "ab垃圾c桶"; /* 1 1 3 3 1 3 bytes */
	/* what each size keeps: the longest prefix of whole characters
	 * that fits with its NUL */
	static const char *const keep[] = {
		"", "", "a", "ab", "ab", "ab", "ab垃", "ab垃", "ab垃",
		"ab垃圾", "ab垃圾c", "ab垃圾c", "ab垃圾c", "ab垃圾c桶",
		"ab垃圾c桶"
	};
	for (size_t size = 1; size < sizeof(keep) / sizeof(keep[0]); size++) {
		char a[32], b[32];
		memset(a, 'x', sizeof(a));
		memset(b, 'y', sizeof(b));
		gf__textf(a, size, "%s", s);
		gf__textcpy(b, size, s);
		ck_assert_msg(strcmp(a, keep[size]) == 0,
			      "textf, size %zu: \"%s\"", size, a);
		ck_assert_msg(strcmp(b, keep[size]) == 0,
			      "textcpy, size %zu: \"%s\"", size, b);
		ck_assert_int_eq(b[size], 'y'); /* nothing written past */
	}
	char z[1] = { 'z' };
	gf__textcpy(z, 0, s);
	ck_assert_int_eq(z[0], 'z');
}
END_TEST

START_TEST(pool_allocates_and_interns)
{
	gf__pool p;
	gf__pool_init(&p);
	void *prev = NULL;
	for (int i = 0; i < 50000; i++) {
		char *x = gf__pool_alloc(&p, (size_t)(i % 37) + 1);
		ck_assert_ptr_nonnull(x);
		ck_assert_int_eq((int)((uintptr_t)x % 8), 0);
		memset(x, 0xab, (size_t)(i % 37) + 1);
		ck_assert_ptr_ne(x, prev);
		prev = x;
	}
	/* a request larger than a block gets one of its own */
	char *big = gf__pool_alloc(&p, 1 << 20);
	ck_assert_ptr_nonnull(big);
	memset(big, 1, 1 << 20);
	const char *a = gf__pool_intern(&p, "sz-zhzx");
	char tmp[16];
	strcpy(tmp, "sz-zhzx");
	ck_assert_ptr_eq(gf__pool_intern(&p, tmp), a);
	ck_assert_ptr_ne(gf__pool_intern(&p, "sz-cg"), a);
	ck_assert_str_eq(gf__pool_strdup(&p, "长桥街道"), "长桥街道");
	gf__pool_free(&p);
}
END_TEST

static Suite *make_suite(void)
{
	Suite *s = suite_create("util");
	TCase *tc = tcase_create("util");
	tcase_add_test(tc, map_put_get_del_grow);
	tcase_add_test(tc, map_reserve_means_no_growth);
	tcase_add_test(tc, keys_with_the_same_bytes_differ_by_length);
	tcase_add_test(tc, buffer_encodings_read_back);
	tcase_add_test(tc, json_strings_are_escaped);
	tcase_add_test(tc, texts_are_cut_at_whole_characters);
	tcase_add_test(tc, pool_allocates_and_interns);
	suite_add_tcase(s, tc);
	return s;
}

GF_TEST_MAIN
