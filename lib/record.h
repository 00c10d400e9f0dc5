/*
 * record.h - the records the engine sends to its store, one per change
 * that it acknowledges. Every backend stores them as they are (the
 * journal) or maps them to rows (PostgreSQL), and hands them back at
 * open for replay. Layouts are versioned by their first byte.
 */
#ifndef GF_RECORD_H
#define GF_RECORD_H

#include "internal.h"
#include "event.h"
#include "order.h"

enum {
	GF__REC_EVENT = 1,      /* an accepted event: a new order, or a
				 * report linked to an existing one */
	GF__REC_ACTION = 2,     /* an applied action (a plan) */
	GF__REC_QUARANTINE = 3, /* a rejected event kept for repair */
	GF__REC_QDISCARD = 4,   /* a quarantine entry closed unreplayed */
	GF__REC_REFUSAL = 5,    /* a refused action that carried a key */
	GF__REC_STEP = 6,       /* an SLA ladder step fired */
	GF__REC_SLA = 7,        /* the SLA policies in force from here on */
	GF__REC_CLOCK = 8       /* the event clock moved past the records
				 * (gf_engine_set_time, a refused input
				 * without a key): where a replay resumes */
};

typedef struct gf__rec_event {
	gf_outcome outcome;     /* created, linked or suspected */
	gf_time at;
	const char *order;
	const char *lead;
	gf_level level;
	const char *rule;
	const char *sla;        /* or NULL */
	int priority;
	const char *version;    /* the rule set's, or NULL */
	const char *why;        /* linked, suspected: why, or NULL */
	const char *candidate;  /* suspected: the order it may repeat */
	unsigned scale;         /* linked: the scale its order rose to, or 0 */
	size_t nassist;
	const char *assist[GF__MAX_ASSIST];
	uint64_t released;      /* quarantine entry this event repairs, or 0 */
	gf__ev *ev;             /* encode: borrowed; decode: filled, owned */
} gf__rec_event;

typedef struct gf__rec_action {
	gf__plan plan;
	const char *order;
	const char *id;         /* idempotency key, or NULL */
} gf__rec_action;

typedef struct gf__rec_quar {
	uint64_t id;
	gf_time at;
	uint8_t digest[32];     /* SHA-256 of raw: repeated deliveries match */
	int code;
	const char *field;
	const char *msg;
	const char *ref;        /* may be NULL */
	const char *raw;
	size_t raw_len;
} gf__rec_quar;

typedef struct gf__rec_discard {
	uint64_t id;
	gf_time at;
	const char *reason;
} gf__rec_discard;

/* A refusal is stored only for an action with an idempotency key, so
 * that the same key gets the same answer after a restart. */
typedef struct gf__rec_refusal {
	const char *id;
	const char *order;      /* NULL when the ref named no order */
	gf_op op;
	gf_time at;
	int code;
	const char *field;
	const char *msg;
} gf__rec_refusal;

/* An SLA ladder step: clock `clock` of the order fired step `step`;
 * lead is where an escalation sent it (NULL: nowhere). */
typedef struct gf__rec_step {
	gf_time at;
	const char *order;
	unsigned clock;
	unsigned step;
	const char *reason;
	const char *lead;
	gf_level level;
	int copy;
} gf__rec_step;

/* The policy set's snapshot text (len 0: no policies). */
typedef struct gf__rec_sla {
	gf_time at;
	const char *text;       /* decode: points into the record */
	size_t len;
} gf__rec_sla;


int gf__rec_event_encode(const gf__rec_event *r, gf__buf *b);
int gf__rec_action_encode(const gf__rec_action *r, gf__buf *b);
int gf__rec_quar_encode(const gf__rec_quar *r, gf__buf *b);
int gf__rec_discard_encode(const gf__rec_discard *r, gf__buf *b);
int gf__rec_refusal_encode(const gf__rec_refusal *r, gf__buf *b);

/*
 * Decoding: strings point into the record bytes and are NOT
 * NUL-terminated in the record, so decoders copy them into scratch
 * (freed by gf__rec_scratch_free); r->ev of an event record is decoded
 * into the caller's gf__ev. GF_OK or GF_ECORRUPT.
 */
typedef struct gf__rec_scratch {
	char *s[32];
	size_t n;
	int oom;        /* a copy failed: GF_ECORRUPT came from memory */
} gf__rec_scratch;

void gf__rec_scratch_free(gf__rec_scratch *sc);
int gf__rec_event_decode(gf__rec_event *r, const uint8_t *p, size_t n,
			 gf__rec_scratch *sc);
int gf__rec_action_decode(gf__rec_action *r, const uint8_t *p, size_t n,
			  gf__rec_scratch *sc);
int gf__rec_quar_decode(gf__rec_quar *r, const uint8_t *p, size_t n,
			gf__rec_scratch *sc);
int gf__rec_discard_decode(gf__rec_discard *r, const uint8_t *p, size_t n,
			   gf__rec_scratch *sc);
int gf__rec_refusal_decode(gf__rec_refusal *r, const uint8_t *p, size_t n,
			   gf__rec_scratch *sc);

int gf__rec_step_encode(const gf__rec_step *r, gf__buf *b);
int gf__rec_sla_encode(const gf__rec_sla *r, gf__buf *b);
int gf__rec_step_decode(gf__rec_step *r, const uint8_t *p, size_t n,
			gf__rec_scratch *sc);
int gf__rec_sla_decode(gf__rec_sla *r, const uint8_t *p, size_t n);
int gf__rec_clock_encode(gf_time at, gf__buf *b);
int gf__rec_clock_decode(gf_time *at, const uint8_t *p, size_t n);

#endif
