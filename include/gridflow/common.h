/*
 * gridflow/common.h - version, export macro, error codes, allocator, time.
 *
 * Everything in this header is usable before any engine exists.
 * Copyright (c) 2026 the libgridflow authors. MIT licence, see LICENSE.
 */
#ifndef GRIDFLOW_COMMON_H
#define GRIDFLOW_COMMON_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The one source of the version. The Makefile reads GF_VERSION_MAJOR from
 * here to build the SONAME: same major, same ABI. */
#define GF_VERSION_MAJOR 0
#define GF_VERSION_MINOR 1
#define GF_VERSION_PATCH 0
#define GF_VERSION_STRING "0.1.0"
#define GF_VERSION_NUMBER \
	(GF_VERSION_MAJOR * 10000 + GF_VERSION_MINOR * 100 + GF_VERSION_PATCH)
/* True when the headers in use are at least version (MAJ, MIN, PAT). */
#define GF_VERSION_CHECK(maj, min, pat) \
	(GF_VERSION_NUMBER >= ((maj) * 10000 + (min) * 100 + (pat)))

#if defined(_WIN32)
#  define GF_EXTERN __declspec(dllexport)
#elif defined(__GNUC__) && __GNUC__ >= 4
#  define GF_EXTERN __attribute__((visibility("default")))
#else
#  define GF_EXTERN
#endif

/**
 * Error codes. 0 is success; every failure is negative. Codes between
 * -1 and -99 belong to the library; -100 and below are never produced by
 * it and are free for hosts wrapping the library.
 *
 * The input-validation codes (GF_EJSON .. GF_EVALUE) each name one class
 * of malformed input; the engine's message (gf_engine_errmsg) and the
 * result's error field name the offending field by its JSON path.
 */
typedef enum gf_error {
	GF_OK = 0,
	GF_ENOMEM = -1,    /**< an allocation failed */
	GF_EINVAL = -2,    /**< a bad argument from the calling program */
	GF_EJSON = -3,     /**< input is not a JSON object */
	GF_EMISSING = -4,  /**< a required field is absent */
	GF_ETYPE = -5,     /**< a field has the wrong JSON type */
	GF_EUTF8 = -6,     /**< a string is not valid UTF-8 */
	GF_ERANGE = -7,    /**< a number is NaN, infinite or out of range */
	GF_EUNKNOWN = -8,  /**< an unknown channel, category, region, ... */
	GF_ETOOBIG = -9,   /**< a field or the whole input is over its limit */
	GF_ETIME = -10,    /**< a timestamp is not RFC 3339 with an offset */
	GF_EVALUE = -11,   /**< a value has the wrong shape (region code, ...) */
	GF_ENOTFOUND = -12, /**< no order, report or entry by that name */
	GF_ESTATE = -13,   /**< the action is not legal in the order's state */
	GF_EPERM = -14,    /**< the actor may not perform the action */
	GF_EIO = -15,      /**< reading or writing the store failed */
	GF_ECORRUPT = -16, /**< the store holds a damaged record */
	GF_EBUSY = -17,    /**< the store is in use by another engine */
	GF_ECONFIG = -18,  /**< the configuration has problems */
	GF_EVERSION = -19, /**< a struct or file version this build can't read */
	GF_ENOTSUP = -20,  /**< a feature this build does not have */
	GF_EUSER = -21,    /**< a host callback reported failure */
	GF_EDUPLICATE = -22 /**< a key that must be unique is repeated */
} gf_error;

/**
 * A static English description of an error code ("a required field is
 * absent"). Never NULL; unknown codes get "unknown error".
 */
GF_EXTERN const char *gf_strerror(int code);

/**
 * The stable short name of an error code ("EMISSING"), as written in the
 * NDJSON output's error.code. Never NULL; unknown codes get "EUNKNOWNCODE".
 */
GF_EXTERN const char *gf_errname(int code);

/** The library's version string, e.g. "0.1.0": may differ from the header's. */
GF_EXTERN const char *gf_version(void);
/** The library's version number, GF_VERSION_NUMBER of the build. */
GF_EXTERN int gf_version_number(void);

/**
 * Replace the allocator. Call it once, before any other gf_ function, or
 * not at all: memory allocated by one allocator must be freed by it. All
 * four functions must be given; realloc(p, 0) is never called, and
 * free(NULL) must be harmless. Returns GF_EINVAL if one is NULL. This is
 * the library's only global state.
 */
GF_EXTERN int gf_set_allocator(void *(*malloc_fn)(size_t),
			       void *(*calloc_fn)(size_t, size_t),
			       void *(*realloc_fn)(void *, size_t),
			       void (*free_fn)(void *));

/** Time: milliseconds since 1970-01-01T00:00:00Z. */
typedef int64_t gf_time;

/** "No time": a deadline that is unknown or an event that has not
 * happened. */
#define GF_TIME_NONE INT64_MIN

/**
 * Parse an RFC 3339 timestamp with an explicit offset ("Z" or "+08:00").
 * Fractional seconds are accepted and truncated to milliseconds.
 * @param[out] out      the instant
 * @param[out] offset_min the offset east of UTC in minutes (may be NULL)
 * @return GF_OK, or GF_ETIME for anything else (no offset, bad fields).
 */
GF_EXTERN int gf_time_parse(gf_time *out, int *offset_min, const char *s,
			    size_t len);

/**
 * Format t as RFC 3339 at the given offset, e.g. "2026-11-22T09:15:00+08:00"
 * (milliseconds are written only when not zero). buf must hold at least
 * 32 bytes. Returns the length written, not counting the NUL.
 */
GF_EXTERN size_t gf_time_format(char *buf, size_t size, gf_time t,
				int offset_min);

#ifdef __cplusplus
}
#endif
#endif /* GRIDFLOW_COMMON_H */
