/*
 * error.c - error codes, their names and descriptions, and the per-call
 * error detail (code, field path, message).
 */
#include <stdio.h>
#include <string.h>

#include "internal.h"

static const struct {
	int code;
	const char *name;
	const char *text;
} gf__errors[] = {
	{ GF_OK, "OK", "success" },
	{ GF_ENOMEM, "ENOMEM", "out of memory" },
	{ GF_EINVAL, "EINVAL", "invalid argument" },
	{ GF_EJSON, "EJSON", "input is not a JSON object" },
	{ GF_EMISSING, "EMISSING", "a required field is missing" },
	{ GF_ETYPE, "ETYPE", "a field has the wrong type" },
	{ GF_EUTF8, "EUTF8", "text is not valid UTF-8" },
	{ GF_ERANGE, "ERANGE", "a number is not finite or out of range" },
	{ GF_EUNKNOWN, "EUNKNOWN", "an unknown channel, category or region" },
	{ GF_ETOOBIG, "ETOOBIG", "a field or the input is too large" },
	{ GF_ETIME, "ETIME", "a timestamp is not RFC 3339 with an offset" },
	{ GF_EVALUE, "EVALUE", "a value has the wrong shape" },
	{ GF_ENOTFOUND, "ENOTFOUND", "not found" },
	{ GF_ESTATE, "ESTATE", "not allowed in the order's state" },
	{ GF_EPERM, "EPERM", "the actor may not do this" },
	{ GF_EIO, "EIO", "store input/output error" },
	{ GF_ECORRUPT, "ECORRUPT", "the store holds a damaged record" },
	{ GF_EBUSY, "EBUSY", "the store is in use by another engine" },
	{ GF_ECONFIG, "ECONFIG", "the configuration has problems" },
	{ GF_EVERSION, "EVERSION", "unsupported version" },
	{ GF_ENOTSUP, "ENOTSUP", "not supported by this build" },
	{ GF_EUSER, "EUSER", "a host callback reported failure" },
	{ GF_EDUPLICATE, "EDUPLICATE", "a unique key is repeated" },
};

#define GF__NERRORS (sizeof(gf__errors) / sizeof(gf__errors[0]))

const char *gf_strerror(int code)
{
	for (size_t i = 0; i < GF__NERRORS; i++)
		if (gf__errors[i].code == code)
			return gf__errors[i].text;
	return "unknown error";
}

const char *gf_errname(int code)
{
	for (size_t i = 0; i < GF__NERRORS; i++)
		if (gf__errors[i].code == code)
			return gf__errors[i].name;
	return "EUNKNOWNCODE";
}

void gf__err_clear(gf__err *e)
{
	e->code = 0;
	e->field[0] = '\0';
	e->msg[0] = '\0';
	e->text[0] = '\0';
}

/* A string cut by snprintf may end inside a UTF-8 sequence: drop such
 * an incomplete last sequence, so that what hosts and the database get
 * is always valid UTF-8 when the input was. */
static void gf__utf8_trim(char *s)
{
	size_t n = strlen(s), i = n, back = 0;
	while (i > 0 && back < 4 && ((unsigned char)s[i - 1] & 0xC0) == 0x80) {
		i--;
		back++;
	}
	if (i == 0)
		return;
	unsigned c = (unsigned char)s[i - 1];
	size_t want = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
	if (want > 1 && back + 1 < want)
		s[i - 1] = '\0';
}

void gf__vtextf(char *buf, size_t size, const char *fmt, va_list ap)
{
	vsnprintf(buf, size, fmt, ap);
	gf__utf8_trim(buf);
}

void gf__textcpy(char *buf, size_t size, const char *s)
{
	if (size == 0)
		return;
	size_t n = strlen(s);
	if (n < size) {
		memcpy(buf, s, n + 1);
		return;
	}
	memcpy(buf, s, size - 1);
	buf[size - 1] = '\0';
	gf__utf8_trim(buf);
}

void gf__textf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	gf__vtextf(buf, size, fmt, ap);
	va_end(ap);
}

int gf__err_setv(gf__err *e, int code, const char *field, const char *fmt,
		 va_list ap)
{
	e->code = code;
	gf__textf(e->field, sizeof(e->field), "%s", field ? field : "");
	gf__vtextf(e->msg, sizeof(e->msg), fmt, ap);
	e->text[0] = '\0';
	return code;
}

int gf__err_set(gf__err *e, int code, const char *field, const char *fmt,
		...)
{
	va_list ap;
	va_start(ap, fmt);
	gf__err_setv(e, code, field, fmt, ap);
	va_end(ap);
	return code;
}

const char *gf__err_text(gf__err *e)
{
	if (e->field[0])
		gf__textf(e->text, sizeof(e->text), "%s: %s", e->field,
			  e->msg);
	else
		gf__textf(e->text, sizeof(e->text), "%s", e->msg);
	return e->text;
}
