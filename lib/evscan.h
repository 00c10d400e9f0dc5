/*
 * evscan.h - a single-pass scanner for the common shape of an event
 * line, in front of json-c.
 *
 * Building json-c's object tree is most of what an event costs. The
 * scanner reads one JSON object of the event's known fields straight
 * into views, which event.c hands to the same validators the json-c
 * path uses. It accepts only input it is sure of: strict RFC 8259 JSON,
 * the known fields with the expected JSON types, no duplicate keys, no
 * unknown fields, no \u0000 or unpaired surrogates. For anything else it
 * says no, and the caller parses with json-c, which also gives the
 * precise error. So the scanner can change how fast an event is read,
 * never what is accepted or what an error says.
 */
#ifndef GF_EVSCAN_H
#define GF_EVSCAN_H

#include "internal.h"

#define GF__SCAN_MAX_ATTRS 64

typedef enum gf__jtype {
	GF__J_ABSENT = 0,
	GF__J_NULL,
	GF__J_STRING,
	GF__J_NUMBER,
	GF__J_BOOL,
	GF__J_OBJECT
} gf__jtype;

/* A scanned value. Strings are decoded, NUL-terminated copies in the
 * scratch buffer, valid until the buffer is reset or freed. */
typedef struct gf__jval {
	gf__jtype type;
	const char *s;
	size_t n;
	double num; /* GF__J_NUMBER; 0 or 1 for GF__J_BOOL */
} gf__jval;

enum {
	GF__S_CHANNEL, GF__S_SOURCE_ID, GF__S_RECEIVED_AT, GF__S_REGION,
	GF__S_GRID, GF__S_LOCATION, GF__S_CATEGORY, GF__S_URGENCY,
	GF__S_TITLE, GF__S_CONTENT, GF__S_ADDRESS, GF__S_REPORTER,
	GF__S_ATTRIBUTES, GF__S_COUNT
};

typedef struct gf__scan_attr {
	const char *key;
	size_t keylen;
	gf__jval val;
} gf__scan_attr;

typedef struct gf__evscan {
	gf__jval f[GF__S_COUNT];
	gf__jval lat, lon;  /* inside location, when it is an object */
	gf__jval phone;     /* inside reporter */
	size_t nattrs;
	gf__scan_attr attrs[GF__SCAN_MAX_ATTRS];
} gf__evscan;

/*
 * Scan json[0..len). Returns 1 when the input is one event object of the
 * plain shape described above and sc holds its fields; 0 when the caller
 * must use json-c instead; GF_ENOMEM. The input must already be known to
 * be valid UTF-8. scratch is reset and used for the decoded strings.
 */
int gf__evscan_run(gf__evscan *sc, const char *json, size_t len,
		   gf__buf *scratch);

#endif
