/*
 * version.c - the library's own version, which may differ from the
 * headers a program was compiled with.
 */
#include "internal.h"

const char *gf_version(void)
{
	return GF_VERSION_STRING;
}

int gf_version_number(void)
{
	return GF_VERSION_NUMBER;
}
