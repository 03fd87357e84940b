#include "units.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

int gk_parse_bytes(const char *s, int64_t *out, struct gk_err *err)
{
	const char *p = s;
	if (!isdigit((unsigned char)*p))
		return gk_err_set(err, 0, "invalid size: '%s'", s);
	char *end;
	errno = 0;
	double num = strtod(p, &end);
	if (errno || end == p)
		return gk_err_set(err, 0, "invalid size: '%s'", s);
	/* strtod accepts exponents and hex; Docker's grammar is digits[.digits] only. */
	for (const char *q = p; q < end; q++)
		if (!isdigit((unsigned char)*q) && *q != '.')
			return gk_err_set(err, 0, "invalid size: '%s'", s);
	p = end;
	if (*p == ' ')
		p++;
	double mult = 1;
	const char *units = "kmgtp";
	const char *u = *p ? strchr(units, tolower((unsigned char)*p)) : NULL;
	if (u) {
		for (const char *k = units; k <= u; k++)
			mult *= 1024;
		p++;
	}
	if (*p == 'i' || *p == 'I')
		p++;
	if (*p == 'b' || *p == 'B')
		p++;
	if (*p)
		return gk_err_set(err, 0, "invalid size: '%s'", s);
	double v = num * mult;
	if (v >= 9.2e18)
		return gk_err_set(err, 0, "invalid size: '%s': too large", s);
	*out = (int64_t)v;
	return 0;
}

struct duration_unit {
	const char *name;
	int64_t ns;
};

static const struct duration_unit duration_units[] = {
    {"ns", 1},
    {"us", 1000},
    {"\xc2\xb5s", 1000}, /* U+00B5 micro sign */
    {"\xce\xbcs", 1000}, /* U+03BC Greek mu */
    {"ms", 1000000},
    {"s", 1000000000LL},
    {"m", 60LL * 1000000000LL},
    {"h", 3600LL * 1000000000LL},
};

int gk_parse_duration(const char *s, int64_t *out_ns, struct gk_err *err)
{
	const char *p = s;
	int neg = 0;
	if (*p == '-' || *p == '+')
		neg = (*p++ == '-');
	if (strcmp(p, "0") == 0) {
		*out_ns = 0;
		return 0;
	}
	if (!*p)
		return gk_err_set(err, 0, "invalid duration \"%s\"", s);
	long double total = 0;
	while (*p) {
		const char *start = p;
		long double whole = 0, frac = 0, scale = 1;
		int digits = 0;
		while (isdigit((unsigned char)*p)) {
			whole = whole * 10 + (*p++ - '0');
			digits++;
		}
		if (*p == '.') {
			p++;
			while (isdigit((unsigned char)*p)) {
				frac = frac * 10 + (*p++ - '0');
				scale *= 10;
				digits++;
			}
		}
		if (!digits || p == start)
			return gk_err_set(err, 0, "invalid duration \"%s\"", s);
		const struct duration_unit *unit = NULL;
		size_t best = 0;
		for (size_t i = 0; i < sizeof(duration_units) / sizeof(duration_units[0]); i++) {
			size_t n = strlen(duration_units[i].name);
			if (strncmp(p, duration_units[i].name, n) == 0 && n > best) {
				unit = &duration_units[i];
				best = n;
			}
		}
		if (!unit)
			return gk_err_set(err, 0,
					  *p ? "unknown unit in duration \"%s\""
					     : "missing unit in duration \"%s\"",
					  s);
		p += best;
		total += (whole + frac / scale) * (long double)unit->ns;
		if (total > 9223372036854775807.0L)
			return gk_err_set(err, 0, "invalid duration \"%s\": out of range", s);
	}
	*out_ns = (int64_t)(neg ? -total : total);
	return 0;
}

/* Append the fractional part of v / unit with trailing zeros dropped. */
static int format_fraction(char *buf, size_t len, uint64_t v, uint64_t unit, const char *suffix)
{
	uint64_t whole = v / unit, frac = v % unit;
	if (!frac)
		return snprintf(buf, len, "%llu%s", (unsigned long long)whole, suffix);
	int width = 0;
	for (uint64_t u = unit; u > 1; u /= 10)
		width++;
	char digits[24]; /* width <= 9: unit is at most 1e9 */
	for (int i = width - 1; i >= 0; i--, frac /= 10)
		digits[i] = (char)('0' + frac % 10);
	digits[width] = '\0';
	for (int i = width - 1; i > 0 && digits[i] == '0'; i--)
		digits[i] = '\0';
	return snprintf(buf, len, "%llu.%s%s", (unsigned long long)whole, digits, suffix);
}

void gk_format_duration(int64_t ns, char *buf, size_t len)
{
	const char *sign = ns < 0 ? "-" : "";
	uint64_t v = ns < 0 ? (uint64_t)(-(ns + 1)) + 1 : (uint64_t)ns;
	char body[64];
	if (v == 0)
		snprintf(body, sizeof(body), "0s");
	else if (v < 1000)
		snprintf(body, sizeof(body), "%lluns", (unsigned long long)v);
	else if (v < 1000000)
		format_fraction(body, sizeof(body), v, 1000, "\xc2\xb5s");
	else if (v < 1000000000ULL)
		format_fraction(body, sizeof(body), v, 1000000, "ms");
	else {
		uint64_t secs_ns = v % 60000000000ULL;
		uint64_t mins = v / 60000000000ULL;
		char secs[40];
		format_fraction(secs, sizeof(secs), secs_ns, 1000000000ULL, "s");
		if (mins >= 60)
			snprintf(body, sizeof(body), "%lluh%llum%s",
				 (unsigned long long)(mins / 60), (unsigned long long)(mins % 60),
				 secs);
		else if (mins > 0)
			snprintf(body, sizeof(body), "%llum%s", (unsigned long long)mins, secs);
		else
			snprintf(body, sizeof(body), "%s", secs);
	}
	snprintf(buf, len, "%s%s", sign, body);
}

void gk_human_size(double bytes, int precision, char *buf, size_t len)
{
	static const char *const units[] = {"B", "kB", "MB", "GB", "TB", "PB", "EB", "ZB", "YB"};
	size_t i = 0;
	while (bytes >= 1000.0 && i < sizeof(units) / sizeof(units[0]) - 1) {
		bytes /= 1000.0;
		i++;
	}
	snprintf(buf, len, "%.*g%s", precision, bytes, units[i]);
}

void gk_human_duration(int64_t seconds, char *buf, size_t len)
{
	double hours_f = (double)seconds / 3600.0;
	int64_t minutes = seconds / 60;
	int64_t hours = (int64_t)(hours_f + 0.5);
	if (seconds < 1)
		snprintf(buf, len, "Less than a second");
	else if (seconds == 1)
		snprintf(buf, len, "1 second");
	else if (seconds < 60)
		snprintf(buf, len, "%lld seconds", (long long)seconds);
	else if (minutes == 1)
		snprintf(buf, len, "About a minute");
	else if (minutes < 60)
		snprintf(buf, len, "%lld minutes", (long long)minutes);
	else if (hours == 1)
		snprintf(buf, len, "About an hour");
	else if (hours < 48)
		snprintf(buf, len, "%lld hours", (long long)hours);
	else if (hours < 24 * 7 * 2)
		snprintf(buf, len, "%lld days", (long long)(hours / 24));
	else if (hours < 24 * 30 * 2)
		snprintf(buf, len, "%lld weeks", (long long)(hours / 24 / 7));
	else if (hours < 24 * 365 * 2)
		snprintf(buf, len, "%lld months", (long long)(hours / 24 / 30));
	else
		snprintf(buf, len, "%lld years", (long long)(hours_f / 24 / 365));
}

void gk_format_time(const struct timespec *ts, char *buf, size_t len)
{
	struct tm tm;
	gmtime_r(&ts->tv_sec, &tm);
	char base[32];
	strftime(base, sizeof(base), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf, len, "%s.%09ldZ", base, ts->tv_nsec);
}

void gk_format_time_cli(time_t t, char *buf, size_t len)
{
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(buf, len, "%Y-%m-%d %H:%M:%S +0000 UTC", &tm);
}

int gk_parse_time(const char *s, struct timespec *out)
{
	struct tm tm = {0};
	const char *p = strptime(s, "%Y-%m-%dT%H:%M:%S", &tm);
	if (!p)
		return -1;
	long nsec = 0;
	if (*p == '.') {
		p++;
		int digits = 0;
		while (isdigit((unsigned char)*p)) {
			if (digits < 9) {
				nsec = nsec * 10 + (*p - '0');
				digits++;
			}
			p++;
		}
		while (digits++ < 9)
			nsec *= 10;
	}
	long offset = 0;
	if (*p == '+' || *p == '-') {
		int sign = *p == '-' ? -1 : 1;
		int hh = 0, mm = 0;
		if (sscanf(p + 1, "%2d:%2d", &hh, &mm) != 2)
			return -1;
		offset = sign * (hh * 3600 + mm * 60);
	} else if (*p != 'Z' && *p != 'z') {
		return -1;
	}
	out->tv_sec = timegm(&tm) - offset;
	out->tv_nsec = nsec;
	return 0;
}
