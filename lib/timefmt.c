/*
 * timefmt.c - RFC 3339 timestamps to and from gf_time.
 *
 * Parsing is strict on purpose: an event's time decides its SLA clocks,
 * so "2026-11-22 09:15" or a time without an offset is refused instead
 * of guessed. Accepted: YYYY-MM-DD('T'|'t')HH:MM:SS[.fraction] then 'Z',
 * 'z' or +HH:MM / -HH:MM with the offset at most 23:59. Years 1970 to
 * 9999 only (as written, before applying the offset): older dates are
 * data-entry errors in this domain, and the bound keeps every field
 * arithmetic far from overflow. Leap seconds (:60) are refused, as
 * gf_time has no way to represent them. Calendar arithmetic is the
 * proleptic Gregorian days-from-civil algorithm (H. Hinnant), so no
 * libc time zone, locale or timegm is involved.
 */
#include "internal.h"

#define MS_PER_DAY INT64_C(86400000)
#define MAX_OFFSET_MIN (23 * 60 + 59)

static int64_t days_from_civil(int64_t y, int m, int d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	int64_t yoe = y - era * 400;
	int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static void civil_from_days(int64_t z, int64_t *y, int *m, int *d)
{
	z += 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	int64_t doe = z - era * 146097;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = yoe + era * 400 + (*m <= 2);
}

static int is_leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int days_in_month(int y, int m)
{
	static const unsigned char dim[12] = { 31, 28, 31, 30, 31, 30,
					       31, 31, 30, 31, 30, 31 };
	return m == 2 && is_leap(y) ? 29 : dim[m - 1];
}

/* n digits at s, or -1 if any is not a digit. */
static int digits(const char *s, int n)
{
	int v = 0;
	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

int gf_time_parse(gf_time *out, int *offset_min, const char *s, size_t len)
{
	if (!out || !s)
		return GF_EINVAL;
	/* The shortest form is "YYYY-MM-DDTHH:MM:SSZ". */
	if (len < 20 || s[4] != '-' || s[7] != '-' ||
	    (s[10] != 'T' && s[10] != 't') || s[13] != ':' || s[16] != ':')
		return GF_ETIME;
	int year = digits(s, 4), mon = digits(s + 5, 2), day = digits(s + 8, 2);
	int hour = digits(s + 11, 2), min = digits(s + 14, 2);
	int sec = digits(s + 17, 2);
	if (year < 1970 || mon < 1 || mon > 12 || day < 1 ||
	    day > days_in_month(year, mon) || hour < 0 || hour > 23 ||
	    min < 0 || min > 59 || sec < 0 || sec > 59)
		return GF_ETIME;
	size_t pos = 19;
	int ms = 0;
	if (s[pos] == '.') {
		size_t start = ++pos;
		while (pos < len && s[pos] >= '0' && s[pos] <= '9') {
			/* Digits past the third are truncated, not rounded:
			 * rounding could carry into the next second. */
			if (pos - start < 3)
				ms = ms * 10 + (s[pos] - '0');
			pos++;
		}
		if (pos == start)
			return GF_ETIME;
		for (size_t k = pos - start; k < 3; k++)
			ms *= 10;
	}
	if (pos >= len)
		return GF_ETIME;
	int off;
	if (s[pos] == 'Z' || s[pos] == 'z') {
		if (pos + 1 != len)
			return GF_ETIME;
		off = 0;
	} else if (s[pos] == '+' || s[pos] == '-') {
		if (len - pos != 6 || s[pos + 3] != ':')
			return GF_ETIME;
		int oh = digits(s + pos + 1, 2), om = digits(s + pos + 4, 2);
		if (oh < 0 || oh > 23 || om < 0 || om > 59)
			return GF_ETIME;
		off = oh * 60 + om;
		if (s[pos] == '-')
			off = -off;
	} else {
		return GF_ETIME;
	}
	int64_t days = days_from_civil(year, mon, day);
	int64_t secs = ((days * 24 + hour) * 60 + min) * 60 + sec;
	*out = secs * 1000 + ms - (int64_t)off * 60000;
	if (offset_min)
		*offset_min = off;
	return GF_OK;
}

/* Write v as at least `width` digits, returning the new end. */
static char *put_num(char *p, int64_t v, int width)
{
	char tmp[24];
	int n = 0;
	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v > 0);
	while (n < width)
		tmp[n++] = '0';
	while (n > 0)
		*p++ = tmp[--n];
	return p;
}

size_t gf_time_format(char *buf, size_t size, gf_time t, int offset_min)
{
	if (!buf || size == 0)
		return 0;
	/* No error channel here: an offset no RFC 3339 text can carry is
	 * written as UTC rather than as something unparseable. */
	if (offset_min < -MAX_OFFSET_MIN || offset_min > MAX_OFFSET_MIN)
		offset_min = 0;
	int64_t shift = (int64_t)offset_min * 60000;
	int64_t local;
	if ((shift > 0 && t > INT64_MAX - shift) ||
	    (shift < 0 && t < INT64_MIN - shift)) {
		local = t;
		offset_min = 0;
	} else {
		local = t + shift;
	}
	int64_t days = local / MS_PER_DAY;
	int64_t rem = local % MS_PER_DAY;
	if (rem < 0) {
		rem += MS_PER_DAY;
		days--;
	}
	int64_t year;
	int mon, day;
	civil_from_days(days, &year, &mon, &day);
	int ms = (int)(rem % 1000);
	int64_t s = rem / 1000;

	char tmp[64], *p = tmp;
	if (year < 0) {
		*p++ = '-';
		year = -year;
	}
	p = put_num(p, year, 4);
	*p++ = '-';
	p = put_num(p, mon, 2);
	*p++ = '-';
	p = put_num(p, day, 2);
	*p++ = 'T';
	p = put_num(p, s / 3600, 2);
	*p++ = ':';
	p = put_num(p, s / 60 % 60, 2);
	*p++ = ':';
	p = put_num(p, s % 60, 2);
	if (ms) {
		*p++ = '.';
		p = put_num(p, ms, 3);
	}
	if (offset_min == 0) {
		*p++ = 'Z';
	} else {
		int a = offset_min < 0 ? -offset_min : offset_min;
		*p++ = offset_min < 0 ? '-' : '+';
		p = put_num(p, a / 60, 2);
		*p++ = ':';
		p = put_num(p, a % 60, 2);
	}
	size_t n = (size_t)(p - tmp);
	if (n >= size)
		n = size - 1;
	memcpy(buf, tmp, n);
	buf[n] = '\0';
	return n;
}
