/*
 * crc32c.h - CRC-32C (Castagnoli), the journal's record checksum.
 * Uses the SSE4.2 instruction when the CPU has it, slicing-by-8 otherwise.
 */
#ifndef GF_CRC32C_H
#define GF_CRC32C_H

#include <stddef.h>
#include <stdint.h>

/* Continue a CRC: start with crc = 0. */
uint32_t gf__crc32c(uint32_t crc, const void *p, size_t n);

#endif
