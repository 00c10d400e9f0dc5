/*
 * migrations.h - the PostgreSQL schema's migrations, sql/NNN_*.sql,
 * compiled into the library (the Makefile generates their C file), so
 * that an engine can create or upgrade its schema wherever it runs.
 * Migration i (1-based) takes the schema from version i-1 to i.
 */
#ifndef GF_MIGRATIONS_H
#define GF_MIGRATIONS_H

#include <stddef.h>

typedef struct gf__migration {
	const char *name;       /* the file's name */
	const char *sql;
} gf__migration;

extern const gf__migration gf__migrations[];
extern const size_t gf__nmigrations;

#endif
