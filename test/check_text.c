/*
 * check_text.c - UTF-8 validation edge cases and free-text normalisation.
 */
#include <string.h>

#include "testutil.h"
#include "text.h"

#define S(lit) lit, sizeof(lit) - 1

START_TEST(utf8_accepts)
{
	ck_assert(gf__utf8_valid(S("")));
	ck_assert(gf__utf8_valid(S("plain ASCII, long enough for words")));
	ck_assert(gf__utf8_valid(S("\xc2\x80")));             /* U+0080 */
	ck_assert(gf__utf8_valid(S("\xdf\xbf")));             /* U+07FF */
	ck_assert(gf__utf8_valid(S("\xe0\xa0\x80")));         /* U+0800 */
	ck_assert(gf__utf8_valid(S("\xed\x9f\xbf")));         /* U+D7FF */
	ck_assert(gf__utf8_valid(S("\xee\x80\x80")));         /* U+E000 */
	ck_assert(gf__utf8_valid(S("\xef\xbf\xbf")));         /* U+FFFF */
	ck_assert(gf__utf8_valid(S("\xf0\x90\x80\x80")));     /* U+10000 */
	ck_assert(gf__utf8_valid(S("\xf4\x8f\xbf\xbf")));     /* U+10FFFF */
	ck_assert(gf__utf8_valid(S("小区门口垃圾堆积，请尽快处理。")));
	ck_assert(gf__utf8_valid(S("mixed 中文 and 😀 emoji")));
}
END_TEST

START_TEST(utf8_rejects)
{
	/* overlong forms */
	ck_assert(!gf__utf8_valid(S("\xc0\xaf")));
	ck_assert(!gf__utf8_valid(S("\xc1\xbf")));
	ck_assert(!gf__utf8_valid(S("\xe0\x80\xaf")));
	ck_assert(!gf__utf8_valid(S("\xe0\x9f\xbf")));
	ck_assert(!gf__utf8_valid(S("\xf0\x80\x80\xaf")));
	ck_assert(!gf__utf8_valid(S("\xf0\x8f\xbf\xbf")));
	/* surrogates U+D800, U+DFFF */
	ck_assert(!gf__utf8_valid(S("\xed\xa0\x80")));
	ck_assert(!gf__utf8_valid(S("\xed\xbf\xbf")));
	/* above U+10FFFF */
	ck_assert(!gf__utf8_valid(S("\xf4\x90\x80\x80")));
	ck_assert(!gf__utf8_valid(S("\xf5\x80\x80\x80")));
	ck_assert(!gf__utf8_valid(S("\xff")));
	ck_assert(!gf__utf8_valid(S("\xfe")));
	/* lone continuation, truncated sequences */
	ck_assert(!gf__utf8_valid(S("\x80")));
	ck_assert(!gf__utf8_valid(S("abc\xbf")));
	ck_assert(!gf__utf8_valid(S("\xe4\xb8")));
	ck_assert(!gf__utf8_valid(S("\xf0\x9f\x98")));
	ck_assert(!gf__utf8_valid(S("\xe4\xb8x")));
	ck_assert(!gf__utf8_valid(S("\xc2")));
	/* a truncated character at the very end of a long ASCII run */
	ck_assert(!gf__utf8_valid(S("0123456789abcdef0123456789\xe4")));
	/* NUL bytes, also inside the eight-byte fast path */
	ck_assert(!gf__utf8_valid(S("\0")));
	ck_assert(!gf__utf8_valid(S("abcdefghijk\0mnopqrstuvwxyz")));
	ck_assert(!gf__utf8_valid(S("abcdefg\0")));
}
END_TEST

START_TEST(utf8_valid_prefix_offsets)
{
	ck_assert_uint_eq(gf__utf8_valid_prefix(S("abc")), 3);
	ck_assert_uint_eq(gf__utf8_valid_prefix(S("abcdefghij\xff")), 10);
	ck_assert_uint_eq(gf__utf8_valid_prefix(S("中\xe6\x96")), 3);
	ck_assert_uint_eq(gf__utf8_valid_prefix(S("0123456789\0abc")), 10);
	/* every position of the bad byte in a long run, to cover the
	 * fast path's alignment */
	for (size_t at = 0; at < 40; at++) {
		char buf[48];
		memset(buf, 'a', sizeof(buf));
		buf[at] = '\xff';
		ck_assert_uint_eq(gf__utf8_valid_prefix(buf, sizeof(buf)), at);
		buf[at] = '\0';
		ck_assert_uint_eq(gf__utf8_valid_prefix(buf, sizeof(buf)), at);
	}
}
END_TEST

START_TEST(utf8_count)
{
	ck_assert_uint_eq(gf__utf8_count(S("")), 0);
	ck_assert_uint_eq(gf__utf8_count(S("abc")), 3);
	ck_assert_uint_eq(gf__utf8_count(S("垃圾堆积")), 4);
	ck_assert_uint_eq(gf__utf8_count(S("a😀b\xc2\xa0")), 4);
}
END_TEST

static void expect_norm(const char *in, size_t n, const char *want)
{
	gf__buf b;
	gf__buf_init(&b);
	ck_assert_int_eq(gf__text_normalize(in, n, &b), GF_OK);
	ck_assert_uint_eq(b.len, strlen(want));
	ck_assert_mem_eq(b.p, want, b.len);
	ck_assert_int_eq(b.p[b.len], '\0');
	gf__buf_free(&b);
}

START_TEST(normalize_fullwidth)
{
	/* full-width digits and letters become ASCII */
	expect_norm(S("ＡＢＣ１２３ｘｙｚ"), "ABC123xyz");
	expect_norm(S("３幢１单元"), "3幢1单元");
	/* full-width punctuation is Chinese punctuation: kept as written */
	expect_norm(S("垃圾堆积，无人清理！请问：何时处理？（急）；～"),
		    "垃圾堆积，无人清理！请问：何时处理？（急）；～");
	expect_norm(S("＠＃［］｀｛｝"), "＠＃［］｀｛｝");
	/* the edges of the letter and digit ranges */
	expect_norm(S("／０９：＠ＡＺＺ［｀ａｚ｛"), "／09：＠AZZ［｀az｛");
	/* U+FF5F and beyond, and CJK punctuation outside that block,
	 * are kept */
	expect_norm(S("｟。、《》“”【】"), "｟。、《》“”【】");
}
END_TEST

START_TEST(normalize_spaces)
{
	/* ideographic space, NBSP, en/em spaces, thin space, tabs fold */
	expect_norm(S("小区\xe3\x80\x80\xe3\x80\x80门口"), "小区 门口");
	expect_norm(S("a\xc2\xa0\xe2\x80\x83\xe2\x80\x89\tb"), "a b");
	expect_norm(S("a \xe2\x80\xaf b\xe2\x81\x9f" "c\xe1\x9a\x80" "d"),
		    "a b c d");
	/* other E2-led characters are text, not spaces */
	expect_norm(S("a—b…c“d”"), "a—b…c“d”");
	/* leading and trailing space of every kind goes */
	expect_norm(S("\xe3\x80\x80 \t 垃圾 \xc2\xa0\n"), "垃圾");
	expect_norm(S("   \xe3\x80\x80  "), "");
	expect_norm(S(""), "");
}
END_TEST

START_TEST(normalize_controls)
{
	/* C0, DEL and C1 become spaces; CR is a control, so CRLF is LF */
	expect_norm(S("a\x01" "b\x7f" "c\xc2\x85" "d\xc2\x9f" "e"),
		    "a b c d e");
	expect_norm(S("line1\r\nline2"), "line1\nline2");
	expect_norm(S("a\0b"), "a b");
}
END_TEST

START_TEST(normalize_lines)
{
	expect_norm(S("  one  \n   two   "), "one\ntwo");
	expect_norm(S("one\n\n\n\n  \n two"), "one\n\ntwo");
	expect_norm(S("\n\n one\n\n"), "one");
	expect_norm(S("a  \xe3\x80\x80  \n\xe3\x80\x80 b"), "a\nb");
}
END_TEST

START_TEST(normalize_appends)
{
	gf__buf b;
	gf__buf_init(&b);
	gf__buf_puts(&b, "x:");
	ck_assert_int_eq(gf__text_normalize(S(" ｙ "), &b), GF_OK);
	ck_assert_uint_eq(b.len, 3);
	ck_assert_str_eq(gf__buf_cstr(&b), "x:y");
	gf__buf_free(&b);
}
END_TEST

/* Invalid input breaks the contract but must not crash or overrun. */
START_TEST(normalize_truncated_input)
{
	expect_norm(S("ab\xe3\x80"), "ab\xe3\x80");
	expect_norm(S("ab\xef"), "ab\xef");
	expect_norm(S("ab\xc2"), "ab\xc2");
}
END_TEST

START_TEST(trim)
{
	const char *s = "\xe3\x80\x80 \t\r\n 小区 门口 \n\xe3\x80\x80";
	size_t n = strlen(s);
	gf__text_trim(&s, &n);
	ck_assert_uint_eq(n, strlen("小区 门口"));
	ck_assert_mem_eq(s, "小区 门口", n);
	s = " \xe3\x80\x80 ";
	n = strlen(s);
	gf__text_trim(&s, &n);
	ck_assert_uint_eq(n, 0);
	s = "x";
	n = 1;
	gf__text_trim(&s, &n);
	ck_assert_uint_eq(n, 1);
}
END_TEST

static Suite *make_suite(void)
{
	Suite *s = suite_create("text");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, utf8_accepts);
	tcase_add_test(tc, utf8_rejects);
	tcase_add_test(tc, utf8_valid_prefix_offsets);
	tcase_add_test(tc, utf8_count);
	tcase_add_test(tc, normalize_fullwidth);
	tcase_add_test(tc, normalize_spaces);
	tcase_add_test(tc, normalize_controls);
	tcase_add_test(tc, normalize_lines);
	tcase_add_test(tc, normalize_appends);
	tcase_add_test(tc, normalize_truncated_input);
	tcase_add_test(tc, trim);
	suite_add_tcase(s, tc);
	return s;
}

GF_TEST_MAIN
