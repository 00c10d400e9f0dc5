/*
 * journal.c - the embedded store: an append-only file of checksummed
 * records, replayed at open. docs/journal.md says the same for users.
 *
 * FORMAT (all integers little-endian)
 *
 *   file header, 16 bytes:
 *     0  8  magic "GFJOURN1"
 *     8  4  u32 format version, 1
 *    12  4  u32 CRC-32C of bytes 0..11
 *
 *   then records, back to back until the end of the file:
 *     0  4  u32 n: length of what follows the checksum (type + payload),
 *              1 <= n <= 64 MiB
 *     4  4  u32 CRC-32C over the 4 length bytes, the type and the payload
 *     8  1  u8 record type (the engine's; opaque here)
 *     9  n-1 payload
 *
 *   The checksum covers the length so that a damaged length is caught by
 *   the record it belongs to instead of sending the reader off into the
 *   middle of another record.
 *
 *   The file header's 16 bytes keep this layout in every format version,
 *   so its checksum is checked before its version: a damaged header is
 *   GF_ECORRUPT, and only an intact one from another version GF_EVERSION.
 *
 * OPEN
 *
 *   The file is opened (created, mode 0640, if missing) and locked with
 *   flock(LOCK_EX|LOCK_NB): flock locks belong to the open file
 *   description, so a second open in the same process conflicts just as
 *   one in another process does, and closing an unrelated descriptor of
 *   the same file does not drop the lock (fcntl locks would do both
 *   wrong). A new file gets its header, then fsync of the file and of its
 *   directory, so the file itself survives a crash.
 *
 *   Read-only (gf__store_opts.read_only, an auditor's dump beside the
 *   live engine): the file is opened for reading, without the lock, and
 *   nothing is written: a missing file is an error, a file without its
 *   header holds no records, a torn tail (perhaps a record the live
 *   engine is writing) ends the replay where it starts and is reported
 *   but not cut, and appends fail with GF_EPERM.
 *
 *   Records are read in order and handed to the replay callback. If any
 *   were, the file is fdatasynced before the open returns (GF_EIO if
 *   that fails): the engine counts them durable, and the process that
 *   wrote them may have died with them in the page cache only.
 *
 * TORN TAIL VERSUS CORRUPTION
 *
 *   A crash while appending leaves a prefix of the last record, or, on
 *   file systems that extend the size before the data lands, a run of
 *   zero bytes. Such a tail was never acknowledged (append returns only
 *   after the write), so it is cut off: the file is truncated at the
 *   start of the damaged record and fsynced, and the open reports where
 *   and how much (gf__store_info). A damaged record is taken for a torn
 *   tail when
 *     - everything from its start to the end of the file is zero, or
 *     - fewer than 8 bytes remain, its length (valid) runs past the end
 *       of the file, or its checksum fails and it ends exactly at the end
 *       of the file,
 *     and in the last three cases no record with a valid checksum starts
 *     anywhere after its header. That last test keeps a damaged length in
 *     the middle of the file (which can make a record seem to run to or
 *     past the end) from being "repaired" by cutting off acknowledged
 *     records behind it.
 *   Anything else is corruption: the open fails with GF_ECORRUPT, names
 *   the record's byte offset, and leaves the file untouched for a human.
 *   A length of 0 or over 64 MiB that is not part of a zero tail is
 *   corruption, because this code never writes one. A checksum failure in
 *   the last record is indistinguishable from a torn write and is cut; it
 *   is reported, never silent.
 *
 * APPEND AND SYNC
 *
 *   The file is extended ahead of the records in chunks (1 MiB, doubling
 *   to 64 MiB) with posix_fallocate, so the blocks are reserved and a
 *   full disk is an error at that point, never a SIGBUS later, and the
 *   chunk is mapped MAP_SHARED, after its zeros are written with pwrite
 *   (see map_room). A record is copied into the mapping: its
 *   bytes are then in the page cache, owned by the kernel, before append
 *   returns, so they survive a crash of the process (SIGKILL included)
 *   whatever the sync policy, at the cost of a memcpy instead of a
 *   system call. A clean close truncates the file to its last record.
 *   After a crash the file ends in zeros (the unused part of the chunk);
 *   the open cuts a zero tail that starts at a record boundary silently,
 *   and a record whose checksum fails and that is followed only by zeros
 *   is a torn last record. Where the file system cannot fallocate or
 *   map, records go out with one writev() each instead. Durability against a crash of
 *   the machine follows the policy: GF_SYNC_EVERY fdatasyncs before
 *   append returns; GF_SYNC_INTERVAL fdatasyncs within an append once
 *   sync_interval_ms (0: 100) have passed since the last sync, so an idle
 *   engine should be flushed by its host; GF_SYNC_NEVER leaves it to the
 *   kernel. flush() and close() always fdatasync what is pending.
 *   synced() tells the engine whether every record appended so far is
 *   on stable storage; its durable ticket follows that, whatever the
 *   policy.
 *
 *   If a write or a sync fails, the file is cut back to the end of the
 *   last good record (best effort) and the journal enters a failed state:
 *   every later append and flush returns GF_EIO until it is reopened.
 *   After a failed write we cannot know what reached the disk, and after
 *   a failed fsync Linux may already have dropped the dirty pages, so a
 *   later success would be a lie. Refusing further appends also keeps any
 *   partial record the last one in the file, where the next open cuts it.
 */
#include "store.h"

#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "crc32c.h"

#define JOURNAL_MAGIC "GFJOURN1"
#define JOURNAL_VERSION 1u
#define FILE_HEADER 16u
#define REC_HEADER 8u
#define MAX_RECORD (64u << 20)   /* type + payload */
#define READ_CHUNK ((size_t)1 << 20)
#define DEFAULT_INTERVAL_MS 100u
#define MAP_FIRST_CHUNK ((size_t)1 << 20)
#define MAP_MAX_CHUNK ((size_t)64 << 20)

typedef struct journal {
	gf__store base;
	int fd;
	int failed;           /* see APPEND AND SYNC above */
	int read_only;        /* see OPEN above */
	int dirty;            /* appended since the last sync */
	uint64_t synced_end;  /* end of the records known on stable storage */
	gf_sync_policy sync;
	uint64_t interval_ns;
	uint64_t last_sync_ns;
	uint64_t end;         /* end of the last good record */
	char *path;
	/* the mapped window records are copied into (see APPEND AND SYNC) */
	int no_map;           /* fallocate or mmap unavailable: writev */
	uint8_t *map;
	uint64_t map_off;     /* file offset of map[0], page-aligned */
	size_t map_len;
	uint64_t alloc_end;   /* file size reserved by fallocate */
	size_t chunk;         /* size of the next window */
} journal;

/* A window onto the file for replay: reads in large chunks so that a
 * journal of millions of small records costs few system calls. */
typedef struct reader {
	int fd;
	uint64_t size;   /* file size when the open began */
	uint8_t *buf;
	size_t cap;
	uint64_t off;    /* file offset of buf[0] */
	size_t len;      /* bytes of buf that hold file data */
} reader;

static void put_le32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

static uint32_t get_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

/* The path as messages show it: the message buffer is 320 bytes and the
 * offset after the path matters more than the path's start. Cut on a
 * UTF-8 boundary, since messages end up in JSON output. */
static const char *shown_path(const journal *j, const char **ellipsis)
{
	size_t len = strlen(j->path);
	const char *p = j->path;

	*ellipsis = "";
	if (len > 160) {
		p += len - 160;
		while ((*p & 0xC0) == 0x80)
			p++;
		*ellipsis = "...";
	}
	return p;
}

#define PATHFMT "%s%s"

static const char *errno_text(int e, char *buf, size_t size)
{
#if defined(__GLIBC__) && defined(_GNU_SOURCE)
	return strerror_r(e, buf, size);
#else
	if (strerror_r(e, buf, size) != 0)
		snprintf(buf, size, "error %d", e);
	return buf;
#endif
}

/* GF_EIO naming the path, what failed and errno's text. */
static int io_error(const journal *j, gf__err *err, const char *what, int e)
{
	char tmp[128];
	const char *ell;
	const char *p = shown_path(j, &ell);

	return gf__err_set(err, GF_EIO, NULL, "journal " PATHFMT ": %s: %s",
			   ell, p, what, errno_text(e, tmp, sizeof tmp));
}

/* GF_ECORRUPT naming the record's offset; the detail is a format. */
static int corrupt(const journal *j, gf__err *err, int code, uint64_t off,
		   const char *fmt, ...) GF__PRINTF(5, 6);

static int corrupt(const journal *j, gf__err *err, int code, uint64_t off,
		   const char *fmt, ...)
{
	char what[96];
	const char *ell;
	const char *p = shown_path(j, &ell);
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof what, fmt, ap);
	va_end(ap);
	return gf__err_set(err, code, NULL,
			   "journal " PATHFMT ": record at offset %llu: %s",
			   ell, p, (unsigned long long)off, what);
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static int sync_fd(int fd)
{
	int rc;

	do {
#if defined(__APPLE__)
		/* fsync on macOS stops at the drive's cache. */
		rc = fcntl(fd, F_FULLFSYNC);
#else
		rc = fdatasync(fd);
#endif
	} while (rc != 0 && errno == EINTR);
	return rc;
}

/* ---- replay ----------------------------------------------------------- */

/* Points *out at file bytes [at, at + k); the caller keeps at + k within
 * r->size. Valid until the next call. */
static int rd_get(const journal *j, reader *r, uint64_t at, size_t k,
		  const uint8_t **out, gf__err *err)
{
	if (at >= r->off && at + k <= r->off + r->len) {
		*out = r->buf + (at - r->off);
		return GF_OK;
	}
	if (at >= r->off && at < r->off + r->len) {
		size_t keep = (size_t)(r->off + r->len - at);
		memmove(r->buf, r->buf + (at - r->off), keep);
		r->len = keep;
	} else {
		r->len = 0;
	}
	r->off = at;
	if (k > r->cap) {
		size_t cap = r->cap;
		uint8_t *nb;

		while (cap < k)
			cap *= 2;
		nb = gf__realloc(r->buf, cap);
		if (nb == NULL)
			return gf__err_set(err, GF_ENOMEM, NULL,
					   "out of memory reading a journal "
					   "record of %zu bytes", k);
		r->buf = nb;
		r->cap = cap;
	}
	while (r->len < k) {
		uint64_t left = r->size - (r->off + r->len);
		size_t want = r->cap - r->len;
		ssize_t got;

		if (want > left)
			want = (size_t)left;
		got = pread(r->fd, r->buf + r->len, want,
			    (off_t)(r->off + r->len));
		if (got < 0) {
			if (errno == EINTR)
				continue;
			return io_error(j, err, "read failed", errno);
		}
		if (got == 0)
			return io_error(j, err, "file shrank while being read",
					EIO);
		r->len += (size_t)got;
	}
	*out = r->buf + (at - r->off);
	return GF_OK;
}

/* 1 if every byte from `from` to the end of the file is zero. */
static int zero_to_eof(const journal *j, reader *r, uint64_t from,
		       gf__err *err)
{
	while (from < r->size) {
		uint64_t left = r->size - from;
		size_t k = left < READ_CHUNK ? (size_t)left : READ_CHUNK;
		const uint8_t *p;
		int rc = rd_get(j, r, from, k, &p, err);

		if (rc != GF_OK)
			return rc;
		for (size_t i = 0; i < k; i++)
			if (p[i] != 0)
				return 0;
		from += k;
	}
	return 1;
}

/* Checks the record at `at` whose length has already been read as n and
 * fits in the file. 1 if its checksum holds. */
static int record_ok(const journal *j, reader *r, uint64_t at, uint32_t n,
		     const uint8_t **rec, gf__err *err)
{
	uint32_t crc;
	int rc = rd_get(j, r, at, REC_HEADER + (size_t)n, rec, err);

	if (rc != GF_OK)
		return rc;
	crc = gf__crc32c(0, *rec, 4);
	crc = gf__crc32c(crc, *rec + REC_HEADER, n);
	return crc == get_le32(*rec + 4);
}

static int zero_tail_start(const journal *j, reader *r, uint64_t *out,
			   gf__err *err);

/* 1 if a whole record with a valid checksum starts at or after `from`.
 * A chance match needs a plausible length and a 1-in-2^32 checksum hit at
 * the same offset. No record starts inside the zeros at the end (its
 * length is not zero), so the scan stops where they begin; but the rest
 * of one may lie in them (type 0, no payload, a checksum ending in zero
 * bytes), so a start just before them is still tried. */
static int valid_record_after(const journal *j, reader *r, uint64_t from,
			      gf__err *err)
{
	uint64_t zeros;
	int zrc = zero_tail_start(j, r, &zeros, err);
	if (zrc != GF_OK)
		return zrc;
	for (uint64_t q = from; q < zeros && q + REC_HEADER < r->size; q++) {
		const uint8_t *h;
		uint32_t n;
		int rc = rd_get(j, r, q, REC_HEADER, &h, err);

		if (rc != GF_OK)
			return rc;
		n = get_le32(h);
		if (n == 0 || n > MAX_RECORD || n > r->size - q - REC_HEADER)
			continue;
		rc = record_ok(j, r, q, n, &h, err);
		if (rc != 0)
			return rc;
	}
	return 0;
}

/* Cut the file at `at`. torn: a damaged record was there (reported);
 * otherwise only zeros were, the unused end of the last window. */
static int cut_tail(journal *j, reader *r, uint64_t at, int torn,
		    gf__store_info *info, gf__err *err)
{
	/* read-only: reported, and left for the owner to cut */
	if (!j->read_only) {
		if (ftruncate(j->fd, (off_t)at) != 0)
			return io_error(j, err, "cannot cut off its torn tail",
					errno);
		if (sync_fd(j->fd) != 0)
			return io_error(j, err, "cannot sync after cutting "
					"its torn tail", errno);
	}
	if (torn) {
		info->torn_offset = at;
		info->torn_bytes = r->size - at;
	}
	j->end = at;
	return GF_OK;
}

/* Where the zeros at the end of the file begin (the file size if the
 * last byte is not zero). */
static int zero_tail_start(const journal *j, reader *r, uint64_t *out,
			   gf__err *err)
{
	uint64_t end = r->size;
	while (end > FILE_HEADER) {
		size_t k = end - FILE_HEADER < READ_CHUNK
				   ? (size_t)(end - FILE_HEADER)
				   : READ_CHUNK;
		const uint8_t *p;
		int rc = rd_get(j, r, end - k, k, &p, err);
		if (rc != GF_OK)
			return rc;
		for (size_t i = k; i > 0; i--)
			if (p[i - 1] != 0) {
				*out = end - k + i;
				return GF_OK;
			}
		end -= k;
	}
	*out = end;
	return GF_OK;
}

/*
 * The record at `at` does not check out. plausible: its length was
 * readable and in range (or too few bytes were left to hold one). what:
 * the message should it be corruption rather than a torn tail.
 */
static int damaged(journal *j, reader *r, uint64_t at, int plausible,
		   const char *what, gf__store_info *info, gf__err *err)
{
	int rc = zero_to_eof(j, r, at, err);

	if (rc < 0)
		return rc;
	if (rc == 1)
		return cut_tail(j, r, at, 0, info, err);
	if (!plausible)
		return corrupt(j, err, GF_ECORRUPT, at, "%s", what);
	rc = valid_record_after(j, r, at + REC_HEADER, err);
	if (rc < 0)
		return rc;
	if (rc == 1)
		return corrupt(j, err, GF_ECORRUPT, at, "%s", what);
	return cut_tail(j, r, at, 1, info, err);
}

static int replay(journal *j, reader *r, const gf__store_opts *opts,
		  gf__store_info *info, gf__err *err)
{
	uint64_t pos = FILE_HEADER;

	while (pos < r->size) {
		uint64_t left = r->size - pos;
		const uint8_t *h;
		uint32_t n;
		int rc;

		if (left < REC_HEADER)
			return damaged(j, r, pos, 1, "header cut short", info,
				       err);
		rc = rd_get(j, r, pos, REC_HEADER, &h, err);
		if (rc != GF_OK)
			return rc;
		n = get_le32(h);
		if (n == 0 || n > MAX_RECORD) {
			char what[48];

			snprintf(what, sizeof what, "bad length %lu",
				 (unsigned long)n);
			return damaged(j, r, pos, 0, what, info, err);
		}
		if (n > left - REC_HEADER) {
			char what[64];

			snprintf(what, sizeof what, "length %lu runs past the "
				 "end of the file", (unsigned long)n);
			return damaged(j, r, pos, 1, what, info, err);
		}
		rc = record_ok(j, r, pos, n, &h, err);
		if (rc < 0)
			return rc;
		if (rc == 0) {
			/* last record: ends at the end of the file, or only
			 * the zeros of an unused window follow it */
			if (n < left - REC_HEADER) {
				rc = zero_to_eof(j, r, pos + REC_HEADER + n,
						 err);
				if (rc < 0)
					return rc;
				if (rc == 0)
					return corrupt(j, err, GF_ECORRUPT, pos,
						       "checksum mismatch");
			}
			return damaged(j, r, pos, 1, "checksum mismatch", info,
				       err);
		}
		if (opts->replay != NULL) {
			gf__err_clear(err);
			rc = opts->replay(opts->replay_ud, h[REC_HEADER],
					  h + REC_HEADER + 1, n - 1, err);
			if (rc != 0) {
				if (err->code == 0)
					corrupt(j, err, rc, pos,
						"replay failed");
				return rc;
			}
		}
		info->records++;
		pos += REC_HEADER + n;
	}
	j->end = pos;
	return GF_OK;
}

/* ---- header --------------------------------------------------------- */

static void make_header(uint8_t h[FILE_HEADER])
{
	memcpy(h, JOURNAL_MAGIC, 8);
	put_le32(h + 8, JOURNAL_VERSION);
	put_le32(h + 12, gf__crc32c(0, h, 12));
}

/* fsync the directory holding the journal so that its entry, not just
 * its contents, survives a crash. */
static int sync_dir(const journal *j, gf__err *err)
{
	const char *slash = strrchr(j->path, '/');
	char *dir;
	int fd, rc = 0, e = 0;

	if (slash == NULL)
		dir = gf__strdup(".");
	else if (slash == j->path)
		dir = gf__strdup("/");
	else
		dir = gf__strndup(j->path, (size_t)(slash - j->path));
	if (dir == NULL)
		return gf__err_set(err, GF_ENOMEM, NULL,
				   "out of memory opening a journal");
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		rc = -1;
		e = errno;
	} else {
		do
			rc = fsync(fd);
		while (rc != 0 && errno == EINTR);
		/* Some file systems cannot fsync a directory and say so. */
		if (rc != 0 && errno == EINVAL)
			rc = 0;
		e = errno;
		close(fd);
	}
	gf__free(dir);
	if (rc != 0)
		return io_error(j, err, "cannot sync its directory", e);
	return GF_OK;
}

static int write_header(journal *j, gf__err *err)
{
	uint8_t h[FILE_HEADER];
	size_t done = 0;

	make_header(h);
	if (ftruncate(j->fd, 0) != 0)
		return io_error(j, err, "cannot truncate", errno);
	while (done < FILE_HEADER) {
		ssize_t w = pwrite(j->fd, h + done, FILE_HEADER - done,
				   (off_t)done);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return io_error(j, err, "cannot write the header",
					errno);
		}
		done += (size_t)w;
	}
	if (sync_fd(j->fd) != 0)
		return io_error(j, err, "cannot sync the header", errno);
	return sync_dir(j, err);
}

/*
 * A missing header is written; a file that holds only a prefix of the
 * header or only zeros is what a crash during that first write leaves,
 * and is started over (reported as a torn tail at offset 0).
 */
static int check_header(journal *j, reader *r, gf__store_info *info,
			gf__err *err)
{
	uint8_t want[FILE_HEADER];
	const uint8_t *h;
	const char *ell;
	const char *p = shown_path(j, &ell);
	int rc, fresh = 0;

	make_header(want);
	if (r->size == 0) {
		fresh = 1;
	} else {
		size_t k = r->size < FILE_HEADER ? (size_t)r->size
						 : FILE_HEADER;
		rc = rd_get(j, r, 0, k, &h, err);
		if (rc != GF_OK)
			return rc;
		if (memcmp(h, JOURNAL_MAGIC, k < 8 ? k : 8) != 0 ||
		    (k < FILE_HEADER && memcmp(h, want, k) != 0)) {
			rc = zero_to_eof(j, r, 0, err);
			if (rc < 0)
				return rc;
			if (rc == 0)
				return gf__err_set(err, GF_ECORRUPT, NULL,
						   "journal " PATHFMT
						   ": not a gridflow journal",
						   ell, p);
			fresh = 1;
		} else if (k < FILE_HEADER) {
			fresh = 1;
		}
	}
	if (fresh) {
		rc = j->read_only ? GF_OK : write_header(j, err);
		if (rc != GF_OK)
			return rc;
		if (r->size > 0) {
			info->torn_offset = 0;
			info->torn_bytes = r->size;
		}
		r->size = FILE_HEADER;
		r->len = 0;
		return GF_OK;
	}
	/* The checksum first: these 16 bytes keep their layout in every
	 * format version, so a checksum that fails means damage, and a
	 * flipped bit in the version must not ask for an upgrade. */
	if (get_le32(h + 12) != gf__crc32c(0, h, 12))
		return gf__err_set(err, GF_ECORRUPT, NULL,
				   "journal " PATHFMT ": header checksum "
				   "mismatch", ell, p);
	if (get_le32(h + 8) != JOURNAL_VERSION)
		return gf__err_set(err, GF_EVERSION, NULL,
				   "journal " PATHFMT ": format version %u; "
				   "this build reads version %u",
				   ell, p, get_le32(h + 8), JOURNAL_VERSION);
	return GF_OK;
}

/* ---- append, flush, close ------------------------------------------- */

static int read_only_error(const journal *j, gf__err *err)
{
	const char *ell;
	const char *p = shown_path(j, &ell);

	return gf__err_set(err, GF_EPERM, NULL,
			   "journal " PATHFMT " was opened read-only", ell, p);
}

static int failed_error(const journal *j, gf__err *err)
{
	const char *ell;
	const char *p = shown_path(j, &ell);

	return gf__err_set(err, GF_EIO, NULL,
			   "journal " PATHFMT " is in a failed state after "
			   "an earlier write error; reopen it", ell, p);
}

/* After a failed write or sync: hide whatever part of the record got
 * out, and refuse further writes (see APPEND AND SYNC above). */
static void unmap(journal *j)
{
	if (j->map)
		(void)munmap(j->map, j->map_len);
	j->map = NULL;
	j->map_len = 0;
}

static void fail(journal *j, uint64_t good_end)
{
	unmap(j);
	j->failed = 1;
	if (ftruncate(j->fd, (off_t)good_end) == 0)
		(void)lseek(j->fd, (off_t)good_end, SEEK_SET);
	j->end = good_end;
}

static int sync_now(journal *j, gf__err *err)
{
	if (sync_fd(j->fd) != 0)
		return io_error(j, err, "fdatasync failed", errno);
	j->dirty = 0;
	j->synced_end = j->end;
	j->last_sync_ns = now_ns();
	return GF_OK;
}

static int writev_all(int fd, struct iovec *iov, int cnt)
{
	while (cnt > 0) {
		ssize_t w = writev(fd, iov, cnt);
		size_t done;

		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (w == 0) {
			errno = EIO;
			return -1;
		}
		done = (size_t)w;
		while (cnt > 0 && done >= iov->iov_len) {
			done -= iov->iov_len;
			iov++;
			cnt--;
		}
		if (cnt > 0) {
			iov->iov_base = (char *)iov->iov_base + done;
			iov->iov_len -= done;
		}
	}
	return 0;
}

/*
 * Make the mapped window hold [j->end, j->end + need). Returns GF_OK,
 * or 1 when the caller must write instead (from now on).
 */
static int map_room(journal *j, size_t need)
{
	if (j->map && j->end + need <= j->map_off + j->map_len)
		return GF_OK;
	long pg = sysconf(_SC_PAGESIZE);
	uint64_t page = pg > 0 ? (uint64_t)pg : 4096;
	uint64_t off = j->end & ~(page - 1);
	uint64_t len = j->chunk;
	while (len < j->end - off + need)
		len *= 2;
	if (off + len > j->alloc_end) {
		/* No room to reserve (a full disk, a size limit) or no
		 * fallocate here: write instead, where a failure has its
		 * partial record cut and the journal fails as it should. */
		if (posix_fallocate(j->fd, (off_t)j->alloc_end,
				    (off_t)(off + len - j->alloc_end)) != 0) {
			j->no_map = 1;
			return 1;
		}
		/* Write the window's zeros now, in large pieces: the pages
		 * are then in the page cache and their extents written, so
		 * the copies into the mapping take cheap faults instead of
		 * one zero-fill and extent conversion per page. */
		static const uint8_t zeros[1 << 16];
		for (uint64_t at = j->alloc_end; at < off + len;) {
			size_t k = off + len - at < sizeof(zeros)
					   ? (size_t)(off + len - at)
					   : sizeof(zeros);
			ssize_t w = pwrite(j->fd, zeros, k, (off_t)at);
			if (w <= 0) {
				j->no_map = 1;
				return 1;
			}
			at += (uint64_t)w;
		}
		j->alloc_end = off + len;
	}
	unmap(j);
	void *m = mmap(NULL, (size_t)len, PROT_READ | PROT_WRITE,
		       MAP_SHARED,
		       j->fd, (off_t)off);
	if (m == MAP_FAILED) {
		j->no_map = 1;
		return 1;
	}
	j->map = m;
	j->map_off = off;
	j->map_len = (size_t)len;
	if (j->chunk < MAP_MAX_CHUNK)
		j->chunk *= 2;
	return GF_OK;
}

static int journal_append(gf__store *s, uint8_t type, const void *p,
			  size_t n, gf__err *err)
{
	journal *j = (journal *)s;
	uint64_t before = j->end;
	uint8_t h[REC_HEADER + 1];
	struct iovec iov[2];
	uint32_t crc;
	int rc = GF_OK;

	if (j->read_only)
		return read_only_error(j, err);
	if (j->failed)
		return failed_error(j, err);
	if (n >= MAX_RECORD)
		return gf__err_set(err, GF_ETOOBIG, NULL,
				   "a store record of %zu bytes is over the "
				   "journal's limit of %u", n, MAX_RECORD - 1);
	put_le32(h, (uint32_t)n + 1);
	h[REC_HEADER] = type;
	crc = gf__crc32c(0, h, 4);
	crc = gf__crc32c(crc, h + REC_HEADER, 1);
	crc = gf__crc32c(crc, p, n);
	put_le32(h + 4, crc);
	if (!j->no_map) {
		if (map_room(j, sizeof h + n) == GF_OK) {
			uint8_t *dst = j->map + (j->end - j->map_off);
			memcpy(dst, h, sizeof h);
			if (n)
				memcpy(dst + sizeof h, p, n);
			goto written;
		}
		if (lseek(j->fd, (off_t)j->end, SEEK_SET) < 0)
			return io_error(j, err, "cannot seek", errno);
	}
	iov[0].iov_base = h;
	iov[0].iov_len = sizeof h;
	iov[1].iov_base = (void *)(uintptr_t)p;
	iov[1].iov_len = n;

	if (writev_all(j->fd, iov, n > 0 ? 2 : 1) != 0) {
		rc = io_error(j, err, "write failed", errno);
		fail(j, before);
		return rc;
	}
written:
	j->end += sizeof h + n;
	j->dirty = 1;
	if (j->sync == GF_SYNC_EVERY ||
	    (j->sync == GF_SYNC_INTERVAL &&
	     now_ns() - j->last_sync_ns >= j->interval_ns))
		rc = sync_now(j, err);
	if (rc != GF_OK)
		fail(j, before);
	return rc;
}

static int journal_flush(gf__store *s, gf__err *err)
{
	journal *j = (journal *)s;
	int rc;

	if (j->failed)
		return failed_error(j, err);
	if (!j->dirty)
		return GF_OK;
	rc = sync_now(j, err);
	if (rc != GF_OK)
		j->failed = 1;
	return rc;
}

/* Whether every record appended so far is on stable storage: the
 * engine reports its durable ticket by this, since under
 * GF_SYNC_INTERVAL only the journal knows when an append synced. After
 * a failure, end is back at the last good record, which counts only if
 * a sync covered it. */
static int journal_synced(gf__store *s)
{
	const journal *j = (const journal *)s;

	return j->synced_end == j->end;
}

static void journal_free(journal *j)
{
	unmap(j);
	if (j->fd >= 0)
		close(j->fd);
	gf__free(j->path);
	gf__free(j);
}

static void journal_close(gf__store *s)
{
	journal *j = (journal *)s;

	unmap(j);
	if (j->read_only) {
		journal_free(j);
		return;
	}
	/* drop the unused end of the last window */
	if (!j->failed && j->alloc_end > j->end &&
	    ftruncate(j->fd, (off_t)j->end) == 0)
		j->dirty = 1;
	if (!j->failed && j->dirty)
		(void)sync_fd(j->fd);
	/* Explicit, because a forked child may share the descriptor and
	 * with it the lock. */
	(void)flock(j->fd, LOCK_UN);
	journal_free(j);
}

static const gf__store_ops journal_ops = {
	"journal", 1, journal_append, journal_flush, journal_close, NULL, NULL,
	journal_synced,
};

/* ---- open ------------------------------------------------------------ */

static int journal_setup(journal *j, const gf__store_opts *opts,
			 gf__store_info *info, gf__err *err)
{
	const char *ell;
	const char *p = shown_path(j, &ell);
	struct stat st;
	reader r;
	int rc;

	j->read_only = opts->read_only != 0;
	j->fd = open(j->path,
		     (j->read_only ? O_RDONLY : O_RDWR | O_CREAT) | O_CLOEXEC |
			     O_NOCTTY,
		     0640);
	if (j->fd < 0)
		return io_error(j, err, "cannot open", errno);
	if (!j->read_only && flock(j->fd, LOCK_EX | LOCK_NB) != 0) {
		if (errno == EWOULDBLOCK)
			return gf__err_set(err, GF_EBUSY, NULL,
					   "journal " PATHFMT " is in use by "
					   "another process or engine",
					   ell, p);
		return io_error(j, err, "cannot lock", errno);
	}
	if (fstat(j->fd, &st) != 0)
		return io_error(j, err, "cannot stat", errno);
	if (!S_ISREG(st.st_mode))
		return gf__err_set(err, GF_EINVAL, NULL,
				   "journal " PATHFMT " is not a regular file",
				   ell, p);

	memset(&r, 0, sizeof r);
	r.fd = j->fd;
	r.size = (uint64_t)st.st_size;
	r.cap = READ_CHUNK;
	r.buf = gf__malloc(r.cap);
	if (r.buf == NULL)
		return gf__err_set(err, GF_ENOMEM, NULL,
				   "out of memory opening a journal");
	rc = check_header(j, &r, info, err);
	if (rc == GF_OK)
		rc = replay(j, &r, opts, info, err);
	gf__free(r.buf);
	if (rc != GF_OK)
		return rc;
	/* The engine takes every record replayed for durable (its durable
	 * ticket starts there), but the process that wrote them may have
	 * died with them in the page cache only: under GF_SYNC_NEVER, between
	 * syncs under GF_SYNC_INTERVAL. Make that true, or fail the open. */
	if (!j->read_only && info->records > 0 && sync_fd(j->fd) != 0)
		return io_error(j, err, "cannot sync the records it replayed",
				errno);
	j->synced_end = j->end;
	if (lseek(j->fd, (off_t)j->end, SEEK_SET) < 0)
		return io_error(j, err, "cannot seek", errno);
	j->alloc_end = j->end;
	j->chunk = MAP_FIRST_CHUNK;
	return GF_OK;
}

int gf__journal_open(gf__store **out, const char *path,
		     const gf__store_opts *opts, gf__store_info *info,
		     gf__err *err)
{
	static const gf__store_opts defaults = { GF_SYNC_EVERY, 0, NULL,
						 NULL, NULL, 0, 0, 0, 0, 0 };
	gf__store_info scratch;
	journal *j;
	int rc;

	*out = NULL;
	if (info == NULL)
		info = &scratch;
	memset(info, 0, sizeof *info);
	if (opts == NULL)
		opts = &defaults;
	if (path == NULL || path[0] == '\0')
		return gf__err_set(err, GF_EINVAL, NULL,
				   "a journal needs a file path");
	if (opts->sync != GF_SYNC_EVERY && opts->sync != GF_SYNC_INTERVAL &&
	    opts->sync != GF_SYNC_NEVER)
		return gf__err_set(err, GF_EINVAL, NULL,
				   "unknown sync policy %d", (int)opts->sync);

	j = gf__calloc(1, sizeof *j);
	if (j == NULL)
		return gf__err_set(err, GF_ENOMEM, NULL,
				   "out of memory opening a journal");
	j->base.ops = &journal_ops;
	j->fd = -1;
	j->path = gf__strdup(path);
	if (j->path == NULL) {
		gf__free(j);
		return gf__err_set(err, GF_ENOMEM, NULL,
				   "out of memory opening a journal");
	}
	j->sync = opts->sync;
	j->interval_ns = (uint64_t)(opts->sync_interval_ms != 0
					    ? opts->sync_interval_ms
					    : DEFAULT_INTERVAL_MS) * 1000000u;

	rc = journal_setup(j, opts, info, err);
	if (rc != GF_OK) {
		journal_free(j);
		return rc;
	}
	j->last_sync_ns = now_ns();
	*out = &j->base;
	return GF_OK;
}
