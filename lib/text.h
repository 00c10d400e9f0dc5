/*
 * text.h - UTF-8 checking and the normalisation of free text.
 */
#ifndef GF_TEXT_H
#define GF_TEXT_H

#include "internal.h"

/* 1 when s[0..n) is valid UTF-8: shortest forms only, no surrogates,
 * nothing above U+10FFFF, no NUL bytes. */
int gf__utf8_valid(const char *s, size_t n);

/* The length of the longest valid prefix of s[0..n) by the same rules:
 * n when all of it is valid, else the offset of the first bad byte. */
size_t gf__utf8_valid_prefix(const char *s, size_t n);

/* How much of s[0..n) an error message quotes with "%.*s": at most max
 * bytes, cut before a broken or cut character, so that the message
 * stays valid UTF-8. */
int gf__utf8_quote_len(const char *s, size_t n, size_t max);

/* Number of code points in valid UTF-8 s[0..n). */
size_t gf__utf8_count(const char *s, size_t n);

/*
 * Normalise free text for storage and display: full-width digits and
 * Latin letters become ASCII, the ideographic space U+3000 and every
 * Unicode space become ' ', control characters (C0, DEL, C1) other than
 * newline become ' ', runs of spaces fold to one, each line is trimmed
 * and runs of blank lines fold to one; the whole is trimmed. Chinese
 * punctuation, full-width forms included (，！？：；（）), is kept as
 * written: it carries meaning for a reader. Input must be
 * valid UTF-8; the output is appended to out. Returns GF_OK/GF_ENOMEM.
 */
int gf__text_normalize(const char *s, size_t n, gf__buf *out);

/* The same into out, which must hold n bytes (normalising never
 * lengthens text); returns the length written. No NUL is added. */
size_t gf__text_normalize_to(const char *s, size_t n, char *out);

/* 1 when k[0..kl) occurs in s[0..n) (s may be NULL: 0). */
int gf__text_has(const char *s, size_t n, const char *k, size_t kl);

/* Trim ASCII and ideographic spaces from both ends, in place view. */
void gf__text_trim(const char **s, size_t *n);

#endif
