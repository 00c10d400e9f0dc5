/*
 * store.c - picks a store backend from its spec, and the memory backend.
 *
 * The memory backend keeps nothing: the engine already holds its whole
 * state in memory, so a store that only has to survive as long as the
 * process needs no copy of the records.
 */
#include "store.h"

#include <string.h>

static int memory_append(gf__store *s, uint8_t type, const void *p,
			 size_t n, gf__err *err)
{
	(void)s;
	(void)type;
	(void)p;
	(void)n;
	(void)err;
	return GF_OK;
}

static int memory_flush(gf__store *s, gf__err *err)
{
	(void)s;
	(void)err;
	return GF_OK;
}

static void memory_close(gf__store *s)
{
	gf__free(s);
}

static const gf__store_ops memory_ops = {
	"memory", 0, memory_append, memory_flush, memory_close, NULL, NULL,
	NULL,
};

int gf__memory_open(gf__store **out, gf__err *err)
{
	gf__store *s;

	*out = NULL;
	s = gf__malloc(sizeof *s);
	if (s == NULL)
		return gf__err_set(err, GF_ENOMEM, NULL,
				   "out of memory opening the memory store");
	s->ops = &memory_ops;
	*out = s;
	return GF_OK;
}

int gf__store_open(gf__store **out, const char *spec,
		   const gf__store_opts *opts, gf__store_info *info,
		   gf__err *err)
{
	static const gf__store_opts defaults = { GF_SYNC_EVERY, 0, NULL, NULL,
						 NULL, 0, 0, 0, 0, 0 };
	gf__store_info scratch;
	const char *colon;
	size_t kind;

	*out = NULL;
	if (info == NULL)
		info = &scratch;
	memset(info, 0, sizeof *info);
	if (opts == NULL)
		opts = &defaults;

	/* NULL is what gf_options.store defaults to. */
	if (spec == NULL || strcmp(spec, "memory") == 0)
		return gf__memory_open(out, err);
	if (strncmp(spec, "journal:", 8) == 0) {
		if (spec[8] == '\0')
			return gf__err_set(err, GF_EINVAL, NULL,
					   "store \"journal:\" needs a path, "
					   "as in journal:/var/lib/gridflow/"
					   "district.journal");
		return gf__journal_open(out, spec + 8, opts, info, err);
	}
	/* A pg: spec may carry a password: never echo it. */
	if (strncmp(spec, "pg:", 3) == 0)
		return gf__pg_open(out, spec + 3, opts, info, err);
	/* Likewise quote only the part before a colon, in case the caller
	 * passed a bare connection URI. */
	colon = strchr(spec, ':');
	kind = colon != NULL ? (size_t)(colon - spec) : strlen(spec);
	if (kind > 64)
		kind = 64;
	return gf__err_set(err, GF_EINVAL, NULL,
			   "unknown store \"%.*s\": expected memory, "
			   "journal:PATH or pg:CONNINFO",
			   (int)kind, spec);
}
