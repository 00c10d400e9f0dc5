/*
 * record.c - binary layouts of store records. Each begins with a layout
 * version byte so a later library can still read what an earlier one
 * wrote; a version it does not know is corruption to it, never a guess.
 */
#include "record.h"

#define GF__REC_V1 1
/* event records from v2 on carry the routing's SLA policy, priority and
 * rule-set version */
#define GF__REC_V2 2
/* event records from v3 on carry why a report was linked, from v4 on
 * the order a suspected duplicate may repeat */
#define GF__REC_V3 3
#define GF__REC_V4 4
/* from v5 on: the scale a link raised its order to (0: unchanged) */
#define GF__REC_V5 5
/* action records: v2 adds the clock and the grant of an extension, v3
 * the scale a merge raised the absorbing order to (0: unchanged). A v1
 * or v2 merge raised none when it was applied, and replays so. v4 adds
 * a split's routing besides its lead (SLA policy, priority, rule-set
 * version, assists); a split of an older layout gave the new order the
 * old one's, and replays so. */

int gf__rec_event_encode(const gf__rec_event *r, gf__buf *b)
{
	gf__buf_u8(b, GF__REC_V5);
	gf__buf_u8(b, (uint8_t)r->outcome);
	gf__buf_svarint(b, r->at);
	gf__buf_str(b, r->order);
	gf__buf_str(b, r->lead);
	gf__buf_u8(b, (uint8_t)r->level);
	gf__buf_str(b, r->rule);
	gf__buf_str(b, r->sla);
	gf__buf_svarint(b, r->priority);
	gf__buf_str(b, r->version);
	gf__buf_str(b, r->why);
	gf__buf_str(b, r->candidate);
	gf__buf_u8(b, (uint8_t)r->scale);
	gf__buf_varint(b, r->nassist);
	for (size_t i = 0; i < r->nassist; i++)
		gf__buf_str(b, r->assist[i]);
	gf__buf_varint(b, r->released);
	gf__ev_encode(r->ev, b);
	return b->oom ? GF_ENOMEM : GF_OK;
}

int gf__rec_action_encode(const gf__rec_action *r, gf__buf *b)
{
	const gf__plan *p = &r->plan;
	gf__buf_u8(b, GF__REC_V4);
	gf__buf_u8(b, (uint8_t)p->op);
	gf__buf_svarint(b, p->at);
	gf__buf_str(b, r->order);
	gf__buf_str(b, r->id);
	gf__buf_str(b, p->actor);
	gf__buf_str(b, p->role);
	gf__buf_str(b, p->reason);
	gf__buf_u8(b, (uint8_t)p->to);
	gf__buf_str(b, p->lead);
	gf__buf_u8(b, (uint8_t)p->level);
	gf__buf_str(b, p->rule);
	gf__buf_u8(b, (uint8_t)p->satisfaction);
	gf__buf_str(b, p->duration);
	gf__buf_str(b, p->into);
	gf__buf_str(b, p->report);
	gf__buf_str(b, p->new_order);
	gf__buf_str(b, p->clock);
	gf__buf_u8(b, (uint8_t)(p->grant != 0));
	gf__buf_u8(b, (uint8_t)p->scale);
	/* V4: a split's routing besides its lead */
	gf__buf_u8(b, (uint8_t)(p->routed != 0));
	if (p->routed) {
		gf__buf_str(b, p->sla);
		gf__buf_svarint(b, p->priority);
		gf__buf_str(b, p->version);
		gf__buf_varint(b, p->nassist);
		for (size_t i = 0; i < p->nassist; i++)
			gf__buf_str(b, p->assist[i]);
	}
	return b->oom ? GF_ENOMEM : GF_OK;
}

int gf__rec_step_encode(const gf__rec_step *r, gf__buf *b)
{
	gf__buf_u8(b, GF__REC_V1);
	gf__buf_svarint(b, r->at);
	gf__buf_str(b, r->order);
	gf__buf_u8(b, (uint8_t)r->clock);
	gf__buf_u8(b, (uint8_t)r->step);
	gf__buf_str(b, r->reason);
	gf__buf_str(b, r->lead);
	gf__buf_u8(b, (uint8_t)r->level);
	gf__buf_u8(b, (uint8_t)(r->copy != 0));
	return b->oom ? GF_ENOMEM : GF_OK;
}

int gf__rec_sla_encode(const gf__rec_sla *r, gf__buf *b)
{
	gf__buf_u8(b, GF__REC_V1);
	gf__buf_svarint(b, r->at);
	gf__buf_varint(b, r->len);
	gf__buf_put(b, r->text, r->len);
	return b->oom ? GF_ENOMEM : GF_OK;
}

int gf__rec_clock_encode(gf_time at, gf__buf *b)
{
	gf__buf_u8(b, GF__REC_V1);
	gf__buf_svarint(b, at);
	return b->oom ? GF_ENOMEM : GF_OK;
}

int gf__rec_quar_encode(const gf__rec_quar *r, gf__buf *b)
{
	gf__buf_u8(b, GF__REC_V1);
	gf__buf_varint(b, r->id);
	gf__buf_svarint(b, r->at);
	gf__buf_put(b, r->digest, sizeof(r->digest));
	gf__buf_svarint(b, r->code);
	gf__buf_str(b, r->field);
	gf__buf_str(b, r->msg);
	gf__buf_str(b, r->ref);
	gf__buf_strn(b, r->raw, r->raw_len);
	return b->oom ? GF_ENOMEM : GF_OK;
}

int gf__rec_discard_encode(const gf__rec_discard *r, gf__buf *b)
{
	gf__buf_u8(b, GF__REC_V1);
	gf__buf_varint(b, r->id);
	gf__buf_svarint(b, r->at);
	gf__buf_str(b, r->reason);
	return b->oom ? GF_ENOMEM : GF_OK;
}

int gf__rec_refusal_encode(const gf__rec_refusal *r, gf__buf *b)
{
	gf__buf_u8(b, GF__REC_V1);
	gf__buf_str(b, r->id);
	gf__buf_str(b, r->order);
	gf__buf_u8(b, (uint8_t)r->op);
	gf__buf_svarint(b, r->at);
	gf__buf_svarint(b, r->code);
	gf__buf_str(b, r->field);
	gf__buf_str(b, r->msg);
	return b->oom ? GF_ENOMEM : GF_OK;
}

/* ---- decoding ------------------------------------------------------------ */

void gf__rec_scratch_free(gf__rec_scratch *sc)
{
	for (size_t i = 0; i < sc->n; i++)
		gf__free(sc->s[i]);
	sc->n = 0;
}

/* A NUL-terminated copy kept in scratch; NULL for a NULL string. */
static const char *gf__rd_keep(gf__rd *rd, gf__rec_scratch *sc)
{
	const char *s;
	size_t n;
	if (!gf__rd_strref(rd, &s, &n))
		return NULL;
	if (sc->n == sizeof(sc->s) / sizeof(sc->s[0])) {
		rd->bad = 1;
		return NULL;
	}
	char *d = gf__strndup(s, n);
	if (!d) {
		rd->bad = 1;
		sc->oom = 1;
		return NULL;
	}
	sc->s[sc->n++] = d;
	return d;
}

static int gf__rd_version(gf__rd *rd)
{
	return gf__rd_u8(rd) == GF__REC_V1 && !rd->bad;
}

int gf__rec_event_decode(gf__rec_event *r, const uint8_t *p, size_t n,
			 gf__rec_scratch *sc)
{
	gf__rd rd;
	gf__rd_init(&rd, p, n);
	uint8_t layout = gf__rd_u8(&rd);
	if (rd.bad || layout < GF__REC_V1 || layout > GF__REC_V5)
		return GF_ECORRUPT;
	r->outcome = (gf_outcome)gf__rd_u8(&rd);
	r->at = gf__rd_svarint(&rd);
	r->order = gf__rd_keep(&rd, sc);
	r->lead = gf__rd_keep(&rd, sc);
	r->level = (gf_level)gf__rd_u8(&rd);
	r->rule = gf__rd_keep(&rd, sc);
	r->sla = NULL;
	r->priority = 0;
	r->version = NULL;
	if (layout >= GF__REC_V2) {
		r->sla = gf__rd_keep(&rd, sc);
		r->priority = (int)gf__rd_svarint(&rd);
		r->version = gf__rd_keep(&rd, sc);
	}
	r->why = layout >= GF__REC_V3 ? gf__rd_keep(&rd, sc) : NULL;
	r->candidate = layout >= GF__REC_V4 ? gf__rd_keep(&rd, sc) : NULL;
	r->scale = layout >= GF__REC_V5 ? gf__rd_u8(&rd) : 0;
	if (r->scale > GF_SCALE_MAJOR_GROUP)
		return GF_ECORRUPT;
	uint64_t na = gf__rd_varint(&rd);
	if (na > GF__MAX_ASSIST)
		return GF_ECORRUPT;
	r->nassist = (size_t)na;
	for (size_t i = 0; i < r->nassist; i++)
		r->assist[i] = gf__rd_keep(&rd, sc);
	r->released = gf__rd_varint(&rd);
	if (rd.bad || !r->order || !r->lead || !r->rule)
		return GF_ECORRUPT;
	int rc = gf__ev_decode(r->ev, &rd);
	if (rc)
		return rc == GF_ENOMEM ? rc : GF_ECORRUPT;
	return rd.bad || rd.p != rd.end ? GF_ECORRUPT : GF_OK;
}

int gf__rec_action_decode(gf__rec_action *r, const uint8_t *p, size_t n,
			  gf__rec_scratch *sc)
{
	gf__plan *pl = &r->plan;
	gf__rd rd;
	gf__rd_init(&rd, p, n);
	memset(r, 0, sizeof(*r));
	uint8_t layout = gf__rd_u8(&rd);
	if (rd.bad || layout < GF__REC_V1 || layout > GF__REC_V4)
		return GF_ECORRUPT;
	pl->op = (gf_op)gf__rd_u8(&rd);
	pl->at = gf__rd_svarint(&rd);
	r->order = gf__rd_keep(&rd, sc);
	r->id = gf__rd_keep(&rd, sc);
	pl->actor = gf__rd_keep(&rd, sc);
	const char *role = gf__rd_keep(&rd, sc);
	pl->reason = gf__rd_keep(&rd, sc);
	pl->to = (gf_state)gf__rd_u8(&rd);
	pl->lead = gf__rd_keep(&rd, sc);
	pl->level = (gf_level)gf__rd_u8(&rd);
	pl->rule = gf__rd_keep(&rd, sc);
	pl->satisfaction = (gf_satisfaction)gf__rd_u8(&rd);
	pl->duration = gf__rd_keep(&rd, sc);
	pl->into = gf__rd_keep(&rd, sc);
	pl->report = gf__rd_keep(&rd, sc);
	pl->new_order = gf__rd_keep(&rd, sc);
	if (layout >= GF__REC_V2) {
		pl->clock = gf__rd_keep(&rd, sc);
		pl->grant = gf__rd_u8(&rd) != 0;
	}
	unsigned scale = layout >= GF__REC_V3 ? gf__rd_u8(&rd) : 0;
	if (scale > GF_SCALE_MAJOR_GROUP ||
	    (scale && pl->op != GF_OP_MERGE))
		return GF_ECORRUPT;
	pl->scale = (gf_scale)scale;
	pl->routed = layout >= GF__REC_V4 && gf__rd_u8(&rd) != 0;
	if (pl->routed) {
		if (pl->op != GF_OP_SPLIT)
			return GF_ECORRUPT;
		pl->sla = gf__rd_keep(&rd, sc);
		pl->priority = (int)gf__rd_svarint(&rd);
		pl->version = gf__rd_keep(&rd, sc);
		uint64_t na = gf__rd_varint(&rd);
		if (na > GF__MAX_ASSIST)
			return GF_ECORRUPT;
		pl->nassist = (size_t)na;
		for (size_t i = 0; i < pl->nassist; i++)
			if (!(pl->assist[i] = gf__rd_keep(&rd, sc)))
				return GF_ECORRUPT;
	}
	if (rd.bad || rd.p != rd.end || !r->order || !pl->actor || !role ||
	    !gf_op_name(pl->op) || !gf_state_name(pl->to))
		return GF_ECORRUPT;
	/* roles are static names in memory */
	pl->role = gf__role_name(role, strlen(role));
	return pl->role ? GF_OK : GF_ECORRUPT;
}

int gf__rec_quar_decode(gf__rec_quar *r, const uint8_t *p, size_t n,
			gf__rec_scratch *sc)
{
	gf__rd rd;
	gf__rd_init(&rd, p, n);
	memset(r, 0, sizeof(*r));
	if (!gf__rd_version(&rd))
		return GF_ECORRUPT;
	r->id = gf__rd_varint(&rd);
	r->at = gf__rd_svarint(&rd);
	for (size_t i = 0; i < sizeof(r->digest); i++)
		r->digest[i] = gf__rd_u8(&rd);
	r->code = (int)gf__rd_svarint(&rd);
	r->field = gf__rd_keep(&rd, sc);
	r->msg = gf__rd_keep(&rd, sc);
	r->ref = gf__rd_keep(&rd, sc);
	/* raw input may hold any bytes, even NUL: keep it by reference */
	gf__rd_strref(&rd, &r->raw, &r->raw_len);
	if (rd.bad || rd.p != rd.end || !r->field || !r->msg || !r->raw)
		return GF_ECORRUPT;
	return GF_OK;
}

int gf__rec_discard_decode(gf__rec_discard *r, const uint8_t *p, size_t n,
			   gf__rec_scratch *sc)
{
	gf__rd rd;
	gf__rd_init(&rd, p, n);
	memset(r, 0, sizeof(*r));
	if (!gf__rd_version(&rd))
		return GF_ECORRUPT;
	r->id = gf__rd_varint(&rd);
	r->at = gf__rd_svarint(&rd);
	r->reason = gf__rd_keep(&rd, sc);
	if (rd.bad || rd.p != rd.end || !r->reason)
		return GF_ECORRUPT;
	return GF_OK;
}

int gf__rec_refusal_decode(gf__rec_refusal *r, const uint8_t *p, size_t n,
			   gf__rec_scratch *sc)
{
	gf__rd rd;
	gf__rd_init(&rd, p, n);
	memset(r, 0, sizeof(*r));
	if (!gf__rd_version(&rd))
		return GF_ECORRUPT;
	r->id = gf__rd_keep(&rd, sc);
	r->order = gf__rd_keep(&rd, sc);
	r->op = (gf_op)gf__rd_u8(&rd);
	r->at = gf__rd_svarint(&rd);
	r->code = (int)gf__rd_svarint(&rd);
	r->field = gf__rd_keep(&rd, sc);
	r->msg = gf__rd_keep(&rd, sc);
	if (rd.bad || rd.p != rd.end || !r->id || !r->field || !r->msg ||
	    r->code >= 0)
		return GF_ECORRUPT;
	return GF_OK;
}

int gf__rec_step_decode(gf__rec_step *r, const uint8_t *p, size_t n,
			gf__rec_scratch *sc)
{
	gf__rd rd;
	gf__rd_init(&rd, p, n);
	memset(r, 0, sizeof(*r));
	if (!gf__rd_version(&rd))
		return GF_ECORRUPT;
	r->at = gf__rd_svarint(&rd);
	r->order = gf__rd_keep(&rd, sc);
	r->clock = gf__rd_u8(&rd);
	r->step = gf__rd_u8(&rd);
	r->reason = gf__rd_keep(&rd, sc);
	r->lead = gf__rd_keep(&rd, sc);
	r->level = (gf_level)gf__rd_u8(&rd);
	r->copy = gf__rd_u8(&rd) != 0;
	if (rd.bad || rd.p != rd.end || !r->order || !r->reason)
		return GF_ECORRUPT;
	return GF_OK;
}

int gf__rec_clock_decode(gf_time *at, const uint8_t *p, size_t n)
{
	gf__rd rd;
	gf__rd_init(&rd, p, n);
	if (!gf__rd_version(&rd))
		return GF_ECORRUPT;
	*at = gf__rd_svarint(&rd);
	return rd.bad || rd.p != rd.end ? GF_ECORRUPT : GF_OK;
}

int gf__rec_sla_decode(gf__rec_sla *r, const uint8_t *p, size_t n)
{
	gf__rd rd;
	gf__rd_init(&rd, p, n);
	memset(r, 0, sizeof(*r));
	if (!gf__rd_version(&rd))
		return GF_ECORRUPT;
	r->at = gf__rd_svarint(&rd);
	uint64_t len = gf__rd_varint(&rd);
	if (rd.bad || len != (uint64_t)(rd.end - rd.p))
		return GF_ECORRUPT;
	r->text = (const char *)rd.p;
	r->len = (size_t)len;
	return GF_OK;
}
