/* Human sizes and durations, parsed and printed exactly as Docker and Compose do. */
#ifndef GK_UNITS_H
#define GK_UNITS_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "err.h"

/* Docker's RAMInBytes (and the Compose byte-value syntax): "512m", "1.5g",
 * "1gb", "1 GiB", "100" (bytes). Binary multiples; case-insensitive. */
int gk_parse_bytes(const char *s, int64_t *out, struct gk_err *err);

/* Go's time.ParseDuration (Compose durations): "1m30s", "250ms", "1.5h",
 * "-2s", "0". Units ns, us, µs, ms, s, m, h. Result in nanoseconds. */
int gk_parse_duration(const char *s, int64_t *out_ns, struct gk_err *err);

/* Go's Duration.String(): "1m30s", "250ms", "0s". */
void gk_format_duration(int64_t ns, char *buf, size_t len);

/* Docker's HumanSizeWithPrecision: decimal units, "%.*g" ("4.86MB", "1.2kB"). */
void gk_human_size(double bytes, int precision, char *buf, size_t len);

/* Docker's HumanDuration: "Less than a second", "About a minute", "3 hours". */
void gk_human_duration(int64_t seconds, char *buf, size_t len);

/* RFC 3339 with nanoseconds in UTC, as Docker's JSON timestamps. */
void gk_format_time(const struct timespec *ts, char *buf, size_t len);
/* Go's time.Time.String() in UTC, as the CLI's --format json CreatedAt of
 * `docker ps` and `docker images`: "2023-11-14 22:13:20 +0000 UTC". */
void gk_format_time_cli(time_t t, char *buf, size_t len);
/* Parse what gk_format_time (or Docker/OCI "created") writes. */
int gk_parse_time(const char *s, struct timespec *out);

#endif
