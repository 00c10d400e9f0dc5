/*
 * gridflow/event.h - building an event with C calls.
 *
 * Hosts that hold parsed data need not write JSON: they fill a gf_event
 * with setters and hand it to gf_engine_ingest(). The event is validated
 * there, by the same rules as JSON input (DESIGN.md section 4), so a
 * setter only records what it is given and fails only on a bad argument.
 */
#ifndef GRIDFLOW_EVENT_H
#define GRIDFLOW_EVENT_H

#include "common.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Intake channels. */
typedef enum gf_channel {
	GF_CHANNEL_NONE = 0,
	GF_CHANNEL_12345 = 1,     /**< "12345": government service hotline */
	GF_CHANNEL_110 = 2,       /**< "110": police call-and-dispatch */
	GF_CHANNEL_PETITION = 3,  /**< "petition": 信访 */
	GF_CHANNEL_GRID = 4,      /**< "grid": grid-worker patrol */
	GF_CHANNEL_MEDIATION = 5  /**< "mediation": people's mediation */
} gf_channel;

/** Urgency, lowest first. */
typedef enum gf_urgency {
	GF_URGENCY_NORMAL = 0,
	GF_URGENCY_URGENT = 1,
	GF_URGENCY_CRITICAL = 2
} gf_urgency;

/** The wire name of a channel ("12345", "110", ...), or NULL if invalid. */
GF_EXTERN const char *gf_channel_name(gf_channel c);
/** The channel named by s (len bytes), or GF_CHANNEL_NONE. */
GF_EXTERN gf_channel gf_channel_from_name(const char *s, size_t len);
/** "normal", "urgent", "critical", or NULL if invalid. */
GF_EXTERN const char *gf_urgency_name(gf_urgency u);

/** An event under construction. Owned by the caller. */
typedef struct gf_event gf_event;

/** Create an empty event. *out is freed with gf_event_free(). */
GF_EXTERN int gf_event_new(gf_event **out);
/** Free an event; NULL is harmless. */
GF_EXTERN void gf_event_free(gf_event *ev);
/** Forget every field, keeping the allocation, to build the next event. */
GF_EXTERN void gf_event_reset(gf_event *ev);

/*
 * Setters. Strings are copied; the caller keeps its own. A NULL string
 * clears the field. Each returns GF_OK or GF_ENOMEM (GF_EINVAL for a
 * NULL event or key). Content is checked only at ingestion.
 */
GF_EXTERN int gf_event_set_channel(gf_event *ev, const char *channel);
GF_EXTERN int gf_event_set_source_id(gf_event *ev, const char *source_id);
/** received_at as RFC 3339 text: checked at ingestion like JSON input. */
GF_EXTERN int gf_event_set_received_at(gf_event *ev, const char *rfc3339);
/** received_at as an instant and the reporter's UTC offset in minutes. */
GF_EXTERN int gf_event_set_received_time(gf_event *ev, gf_time t,
					 int offset_min);
GF_EXTERN int gf_event_set_region(gf_event *ev, const char *region);
GF_EXTERN int gf_event_set_grid(gf_event *ev, const char *grid);
GF_EXTERN int gf_event_set_location(gf_event *ev, double lat, double lon);
GF_EXTERN int gf_event_set_address(gf_event *ev, const char *address);
GF_EXTERN int gf_event_set_category(gf_event *ev, const char *category);
/** "normal", "urgent" or "critical"; absent means the category default. */
GF_EXTERN int gf_event_set_urgency(gf_event *ev, const char *urgency);
GF_EXTERN int gf_event_set_title(gf_event *ev, const char *title);
GF_EXTERN int gf_event_set_content(gf_event *ev, const char *content);
/** The reporter's phone: kept only as a keyed hash unless the engine was
 * opened with keep_phone (see gf_options). */
GF_EXTERN int gf_event_set_reporter_phone(gf_event *ev, const char *phone);
/** Attributes, as in the JSON "attributes" object. Setting a key again
 * replaces its value. */
GF_EXTERN int gf_event_set_attr_string(gf_event *ev, const char *key,
				       const char *value);
GF_EXTERN int gf_event_set_attr_number(gf_event *ev, const char *key,
				       double value);
GF_EXTERN int gf_event_set_attr_bool(gf_event *ev, const char *key,
				     int value);

#ifdef __cplusplus
}
#endif
#endif /* GRIDFLOW_EVENT_H */
