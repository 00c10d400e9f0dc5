/*
 * event.h - events: the builder behind gf_event_*, strict validation of
 * JSON and built events into one normalised form (gf__ev), its JSON
 * rendering and its binary encoding for store records.
 */
#ifndef GF_EVENT_H
#define GF_EVENT_H

#include "internal.h"
#include "directory.h"
#include "sha256.h"

struct json_object;

/* Size limits, in bytes of UTF-8 as given in the input (before
 * normalisation, so that whether an event fits does not depend on the
 * normaliser's details). */
#define GF__MAX_SOURCE_ID 128
#define GF__MAX_CATEGORY 128
#define GF__MAX_GRID 64
#define GF__MAX_TITLE 512
#define GF__MAX_ADDRESS 512
#define GF__MAX_CONTENT 16384
#define GF__MAX_PHONE 32
#define GF__MAX_ATTRS 64
#define GF__MAX_ATTR_KEY 64
#define GF__MAX_ATTR_VALUE 1024
#define GF__MAX_EXTRA 8192   /* the unknown fields, as JSON text */

typedef enum gf__attr_kind {
	GF__ATTR_STRING = 1,
	GF__ATTR_NUMBER = 2,
	GF__ATTR_BOOL = 3
} gf__attr_kind;

typedef struct gf__attr {
	char *key;
	gf__attr_kind kind;
	char *str;     /* GF__ATTR_STRING */
	double num;    /* GF__ATTR_NUMBER; 0/1 for GF__ATTR_BOOL */
} gf__attr;

/* A validated, normalised event. Every string is NUL-terminated;
 * optional ones are NULL when absent. The strings and the attrs array
 * all live in one allocation, mem, freed by gf__ev_free: never free or
 * replace a member on its own. Moving the struct by value is fine. */
typedef struct gf__ev {
	gf_channel channel;
	char *source_id;
	char *ref;             /* "channel:source_id" */
	gf_time received_at;
	int offset_min;        /* the offset written in received_at */
	char region[13];       /* 12 digits */
	/* its directory entry, found by validation; NULL for a decoded
	 * event. Not stored: valid only with the directory that checked it */
	const gf__region *region_node;
	char *grid;
	int has_location;
	double lat, lon;
	char *address;
	char *category;
	gf_urgency urgency;    /* given, or the category's default */
	char *title;
	char *content;
	char reporter[65];     /* hex HMAC of the phone, "" when none */
	char *phone;           /* raw, only when the engine keeps phones */
	gf__attr *attrs;
	size_t nattrs;
	char *extra;           /* unknown fields as a JSON object text, or NULL */
	void *mem;             /* the one allocation behind the pointers above */
} gf__ev;

/* What validation needs from the engine. */
typedef struct gf__ev_ctx {
	const gf__dir *dir;
	const gf__hmac *reporter_key; /* NULL: phone numbers are dropped */
	int keep_phone;
	size_t max_bytes;             /* of the JSON text */
	/* a tokener from gf__ev_tokener_new() to reuse, or NULL */
	struct json_tokener *tok;
	/* a buffer for the scanner to reuse (see evscan.h), or NULL */
	gf__buf *scratch;
} gf__ev_ctx;

/* The tokener every JSON line is parsed with: strict, and at most
 * GF__EV_MAX_DEPTH levels deep. Free with json_tokener_free(). */
struct json_tokener *gf__ev_tokener_new(void);

void gf__ev_free(gf__ev *ev);  /* frees the members, not ev itself */

/*
 * Parse and validate one JSON event. On failure returns the code of the
 * error class (GF_EJSON, GF_EMISSING, GF_ETYPE, GF_EUTF8, GF_ERANGE,
 * GF_EUNKNOWN, GF_ETOOBIG, GF_ETIME, GF_EVALUE, or GF_ENOMEM), fills err
 * with the field's JSON path and a message, and leaves ev empty; if the
 * channel and source id could be read, *ref_out gets a fresh
 * "channel:source_id" even on failure (caller frees; may be NULL).
 */
int gf__ev_parse(gf__ev *ev, const char *json, size_t len,
		 const gf__ev_ctx *ctx, char **ref_out, gf__err *err);

/*
 * Only the fast way (evscan.h): 1 when the event was accepted (ev and
 * *ref_out filled as by gf__ev_parse), 0 when the caller must use
 * gf__ev_parse or json-c, GF_ENOMEM. Accepts nothing gf__ev_parse would
 * not, and never an action line (its "op" is not an event field).
 */
int gf__ev_parse_fast(gf__ev *ev, const char *json, size_t len,
		      const gf__ev_ctx *ctx, char **ref_out, gf__err *err);

/* The same from an already parsed object (used when one NDJSON line is
 * parsed once and found to be an event). json-c has cut any key at an
 * escaped NUL by then: check the text first with gf__ev_nul_key. */
int gf__ev_from_object(gf__ev *ev, struct json_object *obj,
		       const gf__ev_ctx *ctx, char **ref_out, gf__err *err);

/* 1, with err set (EUTF8, the path of the object holding it), when a key
 * in the JSON text json-c accepted holds an escaped NUL, which json-c
 * would cut the key at; else 0. gf__ev_parse checks this itself. */
int gf__ev_nul_key(gf__err *err, const char *json, size_t len);

/* The same for an event built with gf_event_* calls. */
int gf__ev_from_builder(gf__ev *ev, const gf_event *b, const gf__ev_ctx *ctx,
			char **ref_out, gf__err *err);

/* Render as one JSON object (no newline), appended to out. */
int gf__ev_to_json(const gf__ev *ev, gf__buf *out);

/* An event built with gf_event_* calls as the JSON event it stands for,
 * every field as given (invalid, perhaps): what the quarantine keeps of
 * a rejected built event, so that two of them are two entries and a
 * retry (gf_engine_quarantine_release with no text) sees the same
 * fields. Appended to out; out->oom says whether it failed. */
void gf__ev_builder_json(const gf_event *b, gf__buf *out);

/* Binary encoding for store records; decode fills ev (owned). Decoding
 * does not consult the directory: a stored event stays valid even if
 * the configuration changed. */
int gf__ev_encode(const gf__ev *ev, gf__buf *out);
int gf__ev_decode(gf__ev *ev, gf__rd *rd);

#endif
