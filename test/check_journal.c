/*
 * check_journal.c - the store interface: spec parsing, the memory backend
 * and the journal file (round trips, torn tails, corruption, locking,
 * sync policies, write failures and process crashes).
 */
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#if defined(__linux__)
#include <sys/syscall.h>
#endif

#include "crc32c.h"
#include "store.h"
#include "testutil.h"

#if defined(__linux__)
/*
 * fdatasync as the journal sees it: counted, and failing with EIO while
 * fail_syncs is set. This binary links the static library, so this
 * definition takes the place of libc's for the journal's calls; the
 * real call is the system call itself.
 */
#define GF_TEST_SYNC_HOOK 1
static int syncs, fail_syncs;

int fdatasync(int fd)
{
	syncs++;
	if (fail_syncs) {
		errno = EIO;
		return -1;
	}
	return (int)syscall(SYS_fdatasync, fd);
}
#endif

/* ---- fixtures and helpers -------------------------------------------- */

static char tmpdir[64];

static void dir_setup(void)
{
	snprintf(tmpdir, sizeof tmpdir, "/tmp/gf-journal-XXXXXX");
	if (mkdtemp(tmpdir) == NULL) {
		perror("mkdtemp");
		abort();
	}
}

static void dir_teardown(void)
{
	DIR *d = opendir(tmpdir);
	struct dirent *e;
	char p[512];

	if (d == NULL)
		return;
	while ((e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		snprintf(p, sizeof p, "%s/%s", tmpdir, e->d_name);
		unlink(p);
	}
	closedir(d);
	rmdir(tmpdir);
}

static const char *path_for(const char *name)
{
	static char p[256];

	snprintf(p, sizeof p, "%s/%s", tmpdir, name);
	return p;
}

static uint8_t *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf;
	long n;

	ck_assert_ptr_nonnull(f);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc((size_t)n + 1);
	ck_assert_ptr_nonnull(buf);
	ck_assert_uint_eq(fread(buf, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	*len = (size_t)n;
	return buf;
}

static void spit(const char *path, const void *p, size_t n)
{
	FILE *f = fopen(path, "wb");

	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(fwrite(p, 1, n, f), n);
	ck_assert_int_eq(fclose(f), 0);
}

static uint64_t file_size(const char *path)
{
	struct stat st;

	ck_assert_int_eq(stat(path, &st), 0);
	return (uint64_t)st.st_size;
}

static uint64_t mix(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdu;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53u;
	x ^= x >> 33;
	return x;
}

/* Record i of a deterministic stream: type and payload. Sizes are mostly
 * small, now and then empty or tens of kilobytes. buf holds 70000. */
static size_t gen(uint64_t i, uint8_t *type, uint8_t *buf)
{
	uint64_t h = mix(i + 1);
	size_t n;

	*type = (uint8_t)h;
	switch ((h >> 8) % 16) {
	case 0:
		n = 0;
		break;
	case 1:
		n = (size_t)((h >> 16) % 70000);
		break;
	default:
		n = (size_t)((h >> 16) % 600);
		break;
	}
	for (size_t k = 0; k < n; k += 8) {
		uint64_t w = mix(h ^ (k + 7));
		for (size_t b = 0; b < 8 && k + b < n; b++)
			buf[k + b] = (uint8_t)(w >> (8 * b));
	}
	return n;
}

enum { GENMAX = 70000 };

/* What the replay callback saw, checked against gen() as it goes. */
typedef struct seen {
	uint64_t count;
	uint64_t first;      /* index in gen() of the first expected record */
	int mismatch;        /* first index that differed, +1 */
	uint64_t fail_at;    /* fail on this record (count), +1; 0: never */
	int fail_code;
	int set_msg;
	uint8_t *buf;
} seen;

static int check_gen(void *ud, uint8_t type, const uint8_t *p, size_t n,
		     gf__err *err)
{
	seen *s = ud;
	uint8_t t;
	size_t want;

	if (s->fail_at != 0 && s->count + 1 == s->fail_at) {
		if (s->set_msg)
			return gf__err_set(err, s->fail_code, NULL,
					   "host says no");
		return s->fail_code;
	}
	want = gen(s->first + s->count, &t, s->buf);
	if (!s->mismatch && (t != type || want != n ||
			     (n > 0 && memcmp(p, s->buf, n) != 0)))
		s->mismatch = (int)s->count + 1;
	s->count++;
	return 0;
}

static void seen_init(seen *s)
{
	memset(s, 0, sizeof *s);
	s->buf = malloc(GENMAX);
	ck_assert_ptr_nonnull(s->buf);
}

static gf__store_opts opts_for(gf_sync_policy sync, seen *s)
{
	gf__store_opts o;

	memset(&o, 0, sizeof o);
	o.sync = sync;
	o.replay = check_gen;
	o.replay_ud = s;
	return o;
}

static char spec_buf[300];

static const char *spec_of(const char *path)
{
	snprintf(spec_buf, sizeof spec_buf, "journal:%s", path);
	return spec_buf;
}

/* Appends records [from, to) of the gen() stream. */
static void append_range(gf__store *st, uint64_t from, uint64_t to)
{
	uint8_t *buf = malloc(GENMAX);
	gf__err err;

	ck_assert_ptr_nonnull(buf);
	for (uint64_t i = from; i < to; i++) {
		uint8_t type;
		size_t n = gen(i, &type, buf);
		int rc = st->ops->append(st, type, buf, n, &err);
		ck_assert_msg(rc == GF_OK, "append %llu: %s",
			      (unsigned long long)i, err.msg);
	}
	free(buf);
}

/* Offset in the file where record i of the stream begins. */
static uint64_t offset_of(uint64_t i)
{
	uint8_t *buf = malloc(GENMAX);
	uint64_t off = 16;

	ck_assert_ptr_nonnull(buf);
	for (uint64_t k = 0; k < i; k++) {
		uint8_t t;
		off += 9 + gen(k, &t, buf);
	}
	free(buf);
	return off;
}

/* Write a journal holding records [0, n) and close it. */
static void make_journal(const char *path, uint64_t n)
{
	seen s;
	gf__store_opts o;
	gf__store *st;
	gf__store_info info;
	gf__err err;
	int rc;

	seen_init(&s);
	o = opts_for(GF_SYNC_NEVER, &s);
	rc = gf__store_open(&st, spec_of(path), &o, &info, &err);
	ck_assert_msg(rc == GF_OK, "%s", err.msg);
	ck_assert_uint_eq(info.records, 0);
	append_range(st, 0, n);
	st->ops->close(st);
	free(s.buf);
	ck_assert_uint_eq(file_size(path), offset_of(n));
}

/* Opens path expecting success, checks the replay saw records [0, n)
 * exactly, returns the store open. */
static gf__store *reopen_expect(const char *path, uint64_t n,
				gf__store_info *info)
{
	seen s;
	gf__store_opts o;
	gf__store *st = NULL;
	gf__err err;
	int rc;

	seen_init(&s);
	o = opts_for(GF_SYNC_EVERY, &s);
	rc = gf__store_open(&st, spec_of(path), &o, info, &err);
	ck_assert_msg(rc == GF_OK, "reopen: %d %s", rc, err.msg);
	ck_assert_ptr_nonnull(st);
	ck_assert_uint_eq(s.count, n);
	ck_assert_uint_eq(info->records, n);
	ck_assert_msg(s.mismatch == 0, "record %d replayed wrong",
		      s.mismatch - 1);
	free(s.buf);
	return st;
}

/* Opens path expecting GF_ECORRUPT whose message contains want, and the
 * file left exactly as it was. */
static void expect_corrupt(const char *path, const char *want)
{
	size_t before_len, after_len;
	uint8_t *before = slurp(path, &before_len);
	uint8_t *after;
	seen s;
	gf__store_opts o;
	gf__store *st = (gf__store *)&s;
	gf__err err;
	int rc;

	seen_init(&s);
	o = opts_for(GF_SYNC_EVERY, &s);
	rc = gf__store_open(&st, spec_of(path), &o, NULL, &err);
	ck_assert_msg(rc == GF_ECORRUPT, "want ECORRUPT, got %d (%s)", rc,
		      rc ? err.msg : "ok");
	ck_assert_ptr_null(st);
	ck_assert_msg(strstr(err.msg, want) != NULL, "message \"%s\" lacks "
		      "\"%s\"", err.msg, want);
	after = slurp(path, &after_len);
	ck_assert_uint_eq(before_len, after_len);
	ck_assert(memcmp(before, after, before_len) == 0);
	free(before);
	free(after);
	free(s.buf);
}

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

/* ---- store specs and the memory backend ------------------------------ */

START_TEST(test_memory)
{
	gf__store *st = NULL;
	gf__store_info info;
	gf__err err;
	seen s;
	gf__store_opts o;

	seen_init(&s);
	o = opts_for(GF_SYNC_EVERY, &s);
	ck_assert_int_eq(gf__store_open(&st, "memory", &o, &info, &err),
			 GF_OK);
	ck_assert_str_eq(st->ops->name, "memory");
	ck_assert_uint_eq(info.records, 0);
	ck_assert_uint_eq(info.torn_bytes, 0);
	ck_assert_int_eq(st->ops->append(st, 3, "abc", 3, &err), GF_OK);
	ck_assert_int_eq(st->ops->append(st, 0, NULL, 0, &err), GF_OK);
	ck_assert_int_eq(st->ops->flush(st, &err), GF_OK);
	st->ops->close(st);
	ck_assert_uint_eq(s.count, 0);

	/* NULL is the engine's default and means memory. */
	ck_assert_int_eq(gf__store_open(&st, NULL, NULL, NULL, &err), GF_OK);
	ck_assert_str_eq(st->ops->name, "memory");
	st->ops->close(st);
	free(s.buf);
}
END_TEST

START_TEST(test_specs)
{
	gf__store *st = (gf__store *)&st;
	gf__err err;

	ck_assert_int_eq(gf__store_open(&st, "journal:", NULL, NULL, &err),
			 GF_EINVAL);
	ck_assert_ptr_null(st);
	ck_assert(strstr(err.msg, "path") != NULL);

	/* a pg: spec carries a password: a failed connection never
	 * echoes it */
	ck_assert_int_eq(gf__store_open(&st, "pg:host=/nonexistent/gf-dir "
					"password=hunter2",
					NULL, NULL, &err), GF_EIO);
	ck_assert_ptr_null(st);
	ck_assert(strstr(err.msg, "PostgreSQL: cannot connect") != NULL);
	ck_assert(strstr(err.msg, "hunter2") == NULL);

	ck_assert_int_eq(gf__store_open(&st, "foo", NULL, NULL, &err),
			 GF_EINVAL);
	ck_assert(strstr(err.msg, "\"foo\"") != NULL);
	ck_assert_int_eq(gf__store_open(&st, "", NULL, NULL, &err),
			 GF_EINVAL);
	ck_assert_int_eq(gf__store_open(&st, "Memory", NULL, NULL, &err),
			 GF_EINVAL);
	ck_assert_int_eq(gf__store_open(&st, "journal", NULL, NULL, &err),
			 GF_EINVAL);
	/* A mistyped connection URI must not be echoed with its password. */
	ck_assert_int_eq(gf__store_open(&st, "postgres://u:hunter2@db/x",
					NULL, NULL, &err), GF_EINVAL);
	ck_assert(strstr(err.msg, "hunter2") == NULL);
	ck_assert(strstr(err.msg, "\"postgres\"") != NULL);
	ck_assert_ptr_null(st);

	/* A journal in a directory that does not exist. */
	ck_assert_int_eq(gf__store_open(&st, spec_of(path_for("no/such")),
					NULL, NULL, &err), GF_EIO);
	ck_assert(strstr(err.msg, "No such file") != NULL);
	/* A directory is not a journal. */
	ck_assert_int_eq(gf__store_open(&st, spec_of(tmpdir), NULL, NULL,
					&err), GF_EIO);
	ck_assert_ptr_null(st);
}
END_TEST

/* ---- journal: header, round trips ---------------------------------- */

START_TEST(test_header_created)
{
	const char *path = path_for("new.journal");
	gf__store *st;
	gf__store_info info;
	gf__err err;
	uint8_t *b;
	size_t len;
	struct stat sb;

	ck_assert_int_eq(gf__store_open(&st, spec_of(path), NULL, &info,
					&err), GF_OK);
	ck_assert_str_eq(st->ops->name, "journal");
	ck_assert_uint_eq(info.records, 0);
	ck_assert_uint_eq(info.torn_bytes, 0);
	/* The header is on disk before any record is appended. */
	b = slurp(path, &len);
	ck_assert_uint_eq(len, 16);
	ck_assert(memcmp(b, "GFJOURN1", 8) == 0);
	ck_assert_uint_eq(b[8], 1);
	ck_assert_uint_eq(b[9] | b[10] | b[11], 0);
	ck_assert_uint_eq((uint32_t)b[12] | (uint32_t)b[13] << 8 |
			  (uint32_t)b[14] << 16 | (uint32_t)b[15] << 24,
			  gf__crc32c(0, b, 12));
	free(b);
	ck_assert_int_eq(stat(path, &sb), 0);
	ck_assert_uint_eq(sb.st_mode & 0077 & ~(mode_t)0040, 0);
	st->ops->close(st);

	st = reopen_expect(path, 0, &info);
	ck_assert_uint_eq(info.torn_bytes, 0);
	st->ops->close(st);
	ck_assert_uint_eq(file_size(path), 16);

	/* A relative path (its directory is "."), in a child that can
	 * change directory without disturbing the other tests. */
	{
		pid_t pid = fork();
		int status;

		ck_assert_int_ge(pid, 0);
		if (pid == 0) {
			if (chdir(tmpdir) != 0 ||
			    gf__store_open(&st, "journal:rel.journal", NULL,
					   NULL, &err) != GF_OK)
				_exit(1);
			st->ops->close(st);
			_exit(0);
		}
		ck_assert_int_eq(waitpid(pid, &status, 0), pid);
		ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
		ck_assert_uint_eq(file_size(path_for("rel.journal")), 16);
	}
}
END_TEST

/* Replays of records that are slices of one big buffer. */
typedef struct bigseen {
	size_t i;
	int bad;
	const uint8_t *big;
	const size_t *sizes;
} bigseen;

static int check_big(void *ud, uint8_t type, const uint8_t *p, size_t n,
		     gf__err *err)
{
	bigseen *c = ud;

	(void)err;
	if (type != (uint8_t)c->i || n != c->sizes[c->i] ||
	    (n > 0 && memcmp(p, c->big, n) != 0))
		c->bad = 1;
	c->i++;
	return 0;
}

START_TEST(test_roundtrip)
{
	const char *path = path_for("rt.journal");
	gf__store_info info;
	gf__store *st;

	make_journal(path, 3000);
	st = reopen_expect(path, 3000, &info);
	ck_assert_uint_eq(info.torn_bytes, 0);
	append_range(st, 3000, 3500);
	st->ops->close(st);
	st = reopen_expect(path, 3500, &info);
	st->ops->close(st);
	ck_assert_uint_eq(file_size(path), offset_of(3500));
}
END_TEST

/* Records larger than the 1 MiB read window, between small ones, and
 * records that straddle the window's edge. */
START_TEST(test_big_records)
{
	const char *path = path_for("big.journal");
	static const size_t sizes[] = { 10, 3u << 20, 5, (1u << 20) - 9,
					1u << 20, 0, (1u << 20) + 1, 77,
					(1u << 20) - 100, 300 };
	size_t count = sizeof sizes / sizeof sizes[0];
	uint8_t *big = malloc(3u << 20);
	bigseen c = { 0, 0, big, sizes };
	gf__store_opts o;
	gf__store_info info;
	gf__store *st;
	gf__err err;

	ck_assert_ptr_nonnull(big);
	for (size_t i = 0; i < (3u << 20); i++)
		big[i] = (uint8_t)mix(i);
	ck_assert_int_eq(gf__store_open(&st, spec_of(path), NULL, NULL, &err),
			 GF_OK);
	for (size_t i = 0; i < count; i++)
		ck_assert_int_eq(st->ops->append(st, (uint8_t)i, big, sizes[i],
						 &err), GF_OK);
	st->ops->close(st);

	memset(&o, 0, sizeof o);
	o.replay = check_big;
	o.replay_ud = &c;
	ck_assert_int_eq(gf__store_open(&st, spec_of(path), &o, &info, &err),
			 GF_OK);
	ck_assert_uint_eq(info.records, count);
	ck_assert_uint_eq(c.i, count);
	ck_assert_int_eq(c.bad, 0);
	st->ops->close(st);
	free(big);
}
END_TEST

START_TEST(test_too_big)
{
	const char *path = path_for("toobig.journal");
	size_t limit = (64u << 20) - 1;
	uint8_t *p = malloc(64u << 20);
	gf__store_info info;
	gf__store *st;
	gf__err err;

	ck_assert_ptr_nonnull(p);
	memset(p, 0x5a, 64u << 20);
	make_journal(path, 3);
	st = reopen_expect(path, 3, &info);
	ck_assert_int_eq(st->ops->append(st, 1, p, limit + 1, &err),
			 GF_ETOOBIG);
	/* Refusing an oversized record is not an I/O failure. */
	append_range(st, 3, 4);
	ck_assert_int_eq(st->ops->append(st, 1, p, limit, &err), GF_OK);
	st->ops->close(st);
	ck_assert_uint_eq(file_size(path), offset_of(4) + 9 + limit);
	free(p);
}
END_TEST

/* ---- journal: bad headers --------------------------------------------- */

static void header_bytes(uint8_t h[16], uint32_t version)
{
	memcpy(h, "GFJOURN1", 8);
	put32(h + 8, version);
	put32(h + 12, gf__crc32c(0, h, 12));
}

START_TEST(test_bad_header)
{
	const char *path = path_for("bad.journal");
	const char *text = "hello, this is not a journal at all\n";
	uint8_t h[16 + 30];
	gf__store *st = NULL;
	gf__err err;

	spit(path, text, strlen(text));
	expect_corrupt(path, "not a gridflow journal");

	/* Short, but not a prefix of our header. */
	spit(path, "GFX", 3);
	expect_corrupt(path, "not a gridflow journal");

	/* A version from the future. */
	header_bytes(h, 2);
	spit(path, h, 16);
	ck_assert_int_eq(gf__store_open(&st, spec_of(path), NULL, NULL, &err),
			 GF_EVERSION);
	ck_assert_ptr_null(st);
	ck_assert(strstr(err.msg, "version 2") != NULL);
	ck_assert_uint_eq(file_size(path), 16);

	/* A damaged header checksum. */
	header_bytes(h, 1);
	h[13] ^= 0x40;
	spit(path, h, 16);
	expect_corrupt(path, "header checksum mismatch");
}
END_TEST

/* A bit flipped in the header's version field is damage, which the
 * checksum catches: it must not pass for a journal of a newer format
 * (GF_EVERSION tells the operator to upgrade, GF_ECORRUPT to restore). */
START_TEST(test_header_version_damaged)
{
	const char *path = path_for("hv.journal");
	uint8_t *bytes;
	size_t len;

	make_journal(path, 3);
	bytes = slurp(path, &len);
	for (int b = 0; b < 32; b++) {
		bytes[8 + b / 8] ^= (uint8_t)(1u << (b % 8));
		spit(path, bytes, len);
		bytes[8 + b / 8] ^= (uint8_t)(1u << (b % 8));
		expect_corrupt(path, "header checksum mismatch");
	}
	free(bytes);
}
END_TEST

/* A crash while the header of a new journal was written leaves a prefix
 * of it, or zeros: the journal starts over. */
START_TEST(test_partial_header)
{
	const char *path = path_for("partial.journal");
	uint8_t h[64];
	gf__store_info info;
	gf__store *st;

	for (size_t cut = 1; cut < 16; cut++) {
		header_bytes(h, 1);
		spit(path, h, cut);
		st = reopen_expect(path, 0, &info);
		ck_assert_uint_eq(info.torn_offset, 0);
		ck_assert_uint_eq(info.torn_bytes, cut);
		append_range(st, 0, 2);
		st->ops->close(st);
		st = reopen_expect(path, 2, &info);
		ck_assert_uint_eq(info.torn_bytes, 0);
		st->ops->close(st);
	}
	memset(h, 0, sizeof h);
	spit(path, h, sizeof h);
	st = reopen_expect(path, 0, &info);
	ck_assert_uint_eq(info.torn_bytes, sizeof h);
	st->ops->close(st);
	ck_assert_uint_eq(file_size(path), 16);
}
END_TEST

/* ---- journal: torn tails ---------------------------------------------- */

/* After a torn tail was cut at `at`: the file ends there, and the
 * journal takes a new record that survives a reopen. */
static void after_cut(const char *path, uint64_t keep, uint64_t at)
{
	gf__store_info info;
	gf__store *st;

	ck_assert_uint_eq(file_size(path), at);
	st = reopen_expect(path, keep, &info);
	ck_assert_uint_eq(info.torn_bytes, 0);
	append_range(st, keep, keep + 1);
	st->ops->close(st);
	st = reopen_expect(path, keep + 1, &info);
	ck_assert_uint_eq(info.torn_bytes, 0);
	st->ops->close(st);
}

START_TEST(test_torn_every_offset)
{
	const char *orig = path_for("torn-orig.journal");
	const char *path = path_for("torn.journal");
	uint64_t n = 6, last, end;
	uint8_t *bytes;
	size_t len;

	make_journal(orig, n);
	bytes = slurp(orig, &len);
	last = offset_of(n - 1);
	end = offset_of(n);
	ck_assert_uint_eq(len, end);
	ck_assert_uint_gt(end - last, 20);
	for (uint64_t cut = last; cut < end; cut++) {
		gf__store_info info;
		gf__store *st;

		spit(path, bytes, (size_t)cut);
		st = reopen_expect(path, n - 1, &info);
		st->ops->close(st);
		if (cut == last) {
			ck_assert_uint_eq(info.torn_bytes, 0);
		} else {
			ck_assert_uint_eq(info.torn_offset, last);
			ck_assert_uint_eq(info.torn_bytes, cut - last);
		}
		after_cut(path, n - 1, last);
	}
	free(bytes);
}
END_TEST

/* The last record complete in length but with damaged contents: what a
 * crash leaves when the size made it to disk and some data did not. */
START_TEST(test_torn_last_checksum)
{
	const char *orig = path_for("tc-orig.journal");
	const char *path = path_for("tc.journal");
	uint64_t n = 5, last, end;
	uint8_t *bytes;
	size_t len;

	make_journal(orig, n);
	bytes = slurp(orig, &len);
	last = offset_of(n - 1);
	end = offset_of(n);
	/* Every byte of the last record but its length. */
	for (uint64_t at = last + 4; at < end; at++) {
		gf__store_info info;
		gf__store *st;

		bytes[at] ^= 0x01;
		spit(path, bytes, len);
		bytes[at] ^= 0x01;
		st = reopen_expect(path, n - 1, &info);
		st->ops->close(st);
		ck_assert_uint_eq(info.torn_offset, last);
		ck_assert_uint_eq(info.torn_bytes, end - last);
		after_cut(path, n - 1, last);
	}
	/* The data never written: zeros after a good length. */
	memset(bytes + last + 4, 0, (size_t)(end - last - 4));
	spit(path, bytes, len);
	{
		gf__store_info info;
		gf__store *st = reopen_expect(path, n - 1, &info);
		st->ops->close(st);
		ck_assert_uint_eq(info.torn_bytes, end - last);
		after_cut(path, n - 1, last);
	}
	free(bytes);
}
END_TEST

/* A copy into the mapped window cut short by a crash: the last record's
 * end is zeros, and so is the rest of the window behind it. */
START_TEST(test_torn_record_before_zeros)
{
	const char *orig = path_for("tz-orig.journal");
	const char *path = path_for("tz.journal");
	uint64_t n = 4, last;
	uint8_t *bytes, *buf;
	size_t len, tail = 8192;
	gf__store_info info;
	gf__store *st;

	make_journal(orig, n);
	bytes = slurp(orig, &len);
	last = offset_of(n - 1);
	buf = calloc(1, len + tail);
	ck_assert_ptr_nonnull(buf);
	memcpy(buf, bytes, len);
	memset(buf + last + (len - last) / 2, 0, len - last - (len - last) / 2);
	spit(path, buf, len + tail);
	st = reopen_expect(path, n - 1, &info);
	st->ops->close(st);
	ck_assert_uint_eq(info.torn_offset, last);
	ck_assert_uint_eq(info.torn_bytes, len + tail - last);
	after_cut(path, n - 1, last);
	/* but a stray byte in the zeros behind it is corruption */
	buf[len + 100] = 1;
	spit(path, buf, len + tail);
	expect_corrupt(path, "checksum mismatch");
	free(buf);
	free(bytes);
}
END_TEST

START_TEST(test_zero_tail)
{
	const char *orig = path_for("z-orig.journal");
	const char *path = path_for("z.journal");
	static const size_t zeros[] = { 1, 3, 7, 8, 9, 100, 4096, 3u << 20 };
	uint64_t n = 4, end;
	uint8_t *bytes, *buf;
	size_t len;

	make_journal(orig, n);
	bytes = slurp(orig, &len);
	end = offset_of(n);
	buf = calloc(1, len + (3u << 20));
	ck_assert_ptr_nonnull(buf);
	memcpy(buf, bytes, len);
	for (size_t k = 0; k < sizeof zeros / sizeof zeros[0]; k++) {
		gf__store_info info;
		gf__store *st;

		spit(path, buf, len + zeros[k]);
		st = reopen_expect(path, n, &info);
		st->ops->close(st);
		/* zeros from a record boundary on are the unused end of a
		 * mapped window: cut, and not reported as a torn record */
		ck_assert_uint_eq(info.torn_bytes, 0);
		after_cut(path, n, end);
	}
	/* Zeros with one stray byte are not a torn tail. */
	buf[len + 5000] = 1;
	spit(path, buf, len + 6000);
	expect_corrupt(path, "bad length 0");
	free(buf);
	free(bytes);
}
END_TEST

/* ---- journal: corruption before the end ------------------------------ */

START_TEST(test_corrupt_checksum)
{
	const char *orig = path_for("cc-orig.journal");
	const char *path = path_for("cc.journal");
	uint64_t n = 6;
	uint8_t *bytes;
	size_t len;
	char want[64];

	make_journal(orig, n);
	bytes = slurp(orig, &len);
	/* Each byte (but the length) of records 0 and 3, and the type. */
	for (uint64_t r = 0; r < n - 1; r += 3) {
		uint64_t at0 = offset_of(r), at1 = offset_of(r + 1);

		snprintf(want, sizeof want,
			 "record at offset %llu: checksum mismatch",
			 (unsigned long long)at0);
		for (uint64_t at = at0 + 4; at < at1; at++) {
			bytes[at] ^= 0x80;
			spit(path, bytes, len);
			bytes[at] ^= 0x80;
			expect_corrupt(path, want);
		}
	}
	/* The whole message, path included. */
	bytes[offset_of(2) + 9] ^= 1;
	spit(path, bytes, len);
	{
		gf__store *st;
		gf__err err;
		char full[512];

		ck_assert_int_eq(gf__store_open(&st, spec_of(path), NULL, NULL,
						&err), GF_ECORRUPT);
		snprintf(full, sizeof full, "journal %s: record at offset "
			 "%llu: checksum mismatch", path,
			 (unsigned long long)offset_of(2));
		ck_assert_str_eq(err.msg, full);
	}
	free(bytes);
}
END_TEST

START_TEST(test_corrupt_length)
{
	const char *orig = path_for("cl-orig.journal");
	const char *path = path_for("cl.journal");
	uint64_t n = 6, r = 2, at, end;
	uint32_t len0;
	uint8_t *bytes;
	size_t len;
	char want[64];

	make_journal(orig, n);
	bytes = slurp(orig, &len);
	at = offset_of(r);
	end = offset_of(n);
	len0 = (uint32_t)(offset_of(r + 1) - at - 8);
	snprintf(want, sizeof want, "record at offset %llu: ",
		 (unsigned long long)at);
	{
		/* Each a different way for a length to go wrong: shorter,
		 * longer, zero, huge, reaching exactly the end of the file,
		 * running past it, every single bit flipped. */
		uint32_t lens[64 + 7];
		size_t k = 0;

		lens[k++] = len0 - 1;
		lens[k++] = len0 + 1;
		lens[k++] = 0;
		lens[k++] = 0xffffffffu;
		lens[k++] = (64u << 20) + 1;
		lens[k++] = (uint32_t)(end - at - 8);
		lens[k++] = (uint32_t)(end - at);
		for (int b = 0; b < 32; b++)
			lens[k++] = len0 ^ (1u << b);
		for (size_t i = 0; i < k; i++) {
			put32(bytes + at, lens[i]);
			spit(path, bytes, len);
			expect_corrupt(path, want);
		}
		put32(bytes + at, len0);
	}
	/* The same in the first record. */
	snprintf(want, sizeof want, "record at offset 16: ");
	bytes[16 + 3] ^= 0x02;
	spit(path, bytes, len);
	expect_corrupt(path, want);
	free(bytes);
}
END_TEST

/* The second-to-last record damaged: the last one is intact behind it,
 * so this is not a torn tail even though only one record follows. */
START_TEST(test_corrupt_before_last)
{
	const char *orig = path_for("cb-orig.journal");
	const char *path = path_for("cb.journal");
	uint64_t n = 4, at;
	uint8_t *bytes;
	size_t len;
	char want[64];

	make_journal(orig, n);
	bytes = slurp(orig, &len);
	at = offset_of(n - 2);
	snprintf(want, sizeof want, "record at offset %llu: ",
		 (unsigned long long)at);
	/* A length that swallows the last record ends exactly at the end
	 * of the file, and one that runs past it. */
	put32(bytes + at, (uint32_t)(len - at - 8));
	spit(path, bytes, len);
	expect_corrupt(path, want);
	put32(bytes + at, (uint32_t)(len - at + 100));
	spit(path, bytes, len);
	expect_corrupt(path, want);
	free(bytes);
}
END_TEST

/* The same when the last record has type 0 and no payload: past its
 * length it is the checksum and a zero byte, so most of it looks like
 * the zeros at the end of the file. It is an acknowledged record all the
 * same, and the damage before it is corruption, not a torn tail to cut.
 * With and without the zeros of an unused window behind it. */
START_TEST(test_corrupt_before_empty_record)
{
	const char *orig = path_for("ce-orig.journal");
	const char *path = path_for("ce.journal");
	const uint32_t len0 = 101;      /* type + 100 bytes of payload */
	const size_t tail = 4096;
	uint8_t payload[100], *bytes, *buf;
	gf__store *st;
	gf__err err;
	size_t len;

	memset(payload, 0x41, sizeof payload);
	ck_assert_int_eq(gf__store_open(&st, spec_of(orig), NULL, NULL, &err),
			 GF_OK);
	ck_assert_int_eq(st->ops->append(st, 7, payload, sizeof payload,
					 &err), GF_OK);
	ck_assert_int_eq(st->ops->append(st, 0, NULL, 0, &err), GF_OK);
	st->ops->close(st);
	bytes = slurp(orig, &len);
	ck_assert_uint_eq(len, 16 + 8 + len0 + 9);
	buf = calloc(1, len + tail);
	ck_assert_ptr_nonnull(buf);
	memcpy(buf, bytes, len);
	for (int z = 0; z < 2; z++) {
		size_t size = len + (z ? tail : 0);
		/* every single bit flipped, a length ending exactly at the
		 * end of the file and one running past it */
		uint32_t lens[32 + 2];
		size_t k = 0;

		for (int b = 0; b < 32; b++)
			lens[k++] = len0 ^ (1u << b);
		lens[k++] = (uint32_t)(size - 16 - 8);
		lens[k++] = (uint32_t)(size - 16);
		for (size_t i = 0; i < k; i++) {
			put32(buf + 16, lens[i]);
			spit(path, buf, size);
			expect_corrupt(path, "record at offset 16: ");
		}
		put32(buf + 16, len0);
	}
	free(buf);
	free(bytes);
}
END_TEST

/* ---- journal: locking ------------------------------------------------- */

START_TEST(test_lock)
{
	const char *path = path_for("lock.journal");
	gf__store *a, *b = (gf__store *)&b;
	gf__err err;
	pid_t pid;
	int status;

	ck_assert_int_eq(gf__store_open(&a, spec_of(path), NULL, NULL, &err),
			 GF_OK);
	/* flock belongs to the open file description: a second open in
	 * the same process conflicts. */
	ck_assert_int_eq(gf__store_open(&b, spec_of(path), NULL, NULL, &err),
			 GF_EBUSY);
	ck_assert_ptr_null(b);
	ck_assert(strstr(err.msg, "is in use by another process") != NULL);
	ck_assert(strstr(err.msg, path) != NULL);
	/* The refused open closed its descriptor without dropping a's
	 * lock (an fcntl lock would have been lost here). */
	ck_assert_int_eq(gf__store_open(&b, spec_of(path), NULL, NULL, &err),
			 GF_EBUSY);

	/* Another process. */
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		gf__store *c;
		gf__err e2;
		_exit(gf__store_open(&c, spec_of(path), NULL, NULL, &e2) ==
		      GF_EBUSY ? 0 : 1);
	}
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);

	append_range(a, 0, 3);
	a->ops->close(a);
	ck_assert_int_eq(gf__store_open(&b, spec_of(path), NULL, NULL, &err),
			 GF_OK);
	b->ops->close(b);
}
END_TEST

/* Read-only: beside the live writer, without its lock; a missing file is
 * an error and stays missing; a torn tail is reported and left as it is;
 * nothing can be appended. */
START_TEST(test_read_only)
{
	const char *path = path_for("ro.journal");
	const char *gone = path_for("ro-missing.journal");
	gf__store *w, *r = (gf__store *)&r;
	gf__store_opts o;
	gf__store_info info;
	gf__err err;
	seen s;
	uint8_t *before, *after;
	size_t before_len, after_len;
	struct stat sb;

	seen_init(&s);
	o = opts_for(GF_SYNC_NEVER, &s);
	o.read_only = 1;
	ck_assert_int_ne(gf__store_open(&r, spec_of(gone), &o, &info, &err),
			 GF_OK);
	ck_assert_ptr_null(r);
	ck_assert(strstr(err.msg, gone) != NULL);
	ck_assert_int_eq(stat(gone, &sb), -1);

	/* a live writer holds the lock and has appended 5 records */
	ck_assert_int_eq(gf__store_open(&w, spec_of(path), NULL, NULL, &err),
			 GF_OK);
	append_range(w, 0, 5);
	ck_assert_int_eq(gf__store_open(&r, spec_of(path), &o, &info, &err),
			 GF_OK);
	ck_assert_uint_eq(s.count, 5);
	ck_assert_uint_eq(info.records, 5);
	ck_assert_int_eq(s.mismatch, 0);
	ck_assert_int_eq(r->ops->append(r, 1, "x", 1, &err), GF_EPERM);
	ck_assert(strstr(err.msg, "read-only") != NULL);
	ck_assert_int_eq(r->ops->flush(r, &err), GF_OK);
	r->ops->close(r);
	/* the writer goes on, its lock untouched */
	append_range(w, 5, 7);
	ck_assert_int_eq(gf__store_open(&r, spec_of(path), NULL, NULL, &err),
			 GF_EBUSY);
	w->ops->close(w);

	/* a torn last record: replayed up to it, reported, not cut */
	before = slurp(path, &before_len);
	ck_assert_uint_eq(before_len, offset_of(7));
	before[offset_of(6) + 6] ^= 0x01;
	spit(path, before, before_len);
	free(s.buf);
	seen_init(&s);
	o.replay_ud = &s;
	ck_assert_int_eq(gf__store_open(&r, spec_of(path), &o, &info, &err),
			 GF_OK);
	ck_assert_uint_eq(s.count, 6);
	ck_assert_uint_eq(info.torn_offset, offset_of(6));
	ck_assert_uint_eq(info.torn_bytes, offset_of(7) - offset_of(6));
	r->ops->close(r);
	after = slurp(path, &after_len);
	ck_assert_uint_eq(after_len, before_len);
	ck_assert(memcmp(before, after, before_len) == 0);
	/* the owner cuts it */
	r = reopen_expect(path, 6, &info);
	r->ops->close(r);
	ck_assert_uint_eq(file_size(path), offset_of(6));
	free(before);
	free(after);
	free(s.buf);
}
END_TEST

/* ---- journal: the replay callback ----------------------------------- */

START_TEST(test_replay_error)
{
	const char *path = path_for("cb.journal");
	gf__store *st = (gf__store *)&st;
	gf__store_info info;
	gf__err err;
	seen s;
	gf__store_opts o;
	char want[64];

	make_journal(path, 10);
	seen_init(&s);
	o = opts_for(GF_SYNC_EVERY, &s);

	/* The callback's own message is kept. */
	s.fail_at = 4;
	s.fail_code = GF_EUSER;
	s.set_msg = 1;
	ck_assert_int_eq(gf__store_open(&st, spec_of(path), &o, &info, &err),
			 GF_EUSER);
	ck_assert_ptr_null(st);
	ck_assert_uint_eq(s.count, 3);
	ck_assert_int_eq(err.code, GF_EUSER);
	ck_assert_str_eq(err.msg, "host says no");

	/* A bare code gets a message naming the record. */
	free(s.buf);
	seen_init(&s);
	s.fail_at = 7;
	s.fail_code = GF_ENOMEM;
	ck_assert_int_eq(gf__store_open(&st, spec_of(path), &o, &info, &err),
			 GF_ENOMEM);
	ck_assert_int_eq(err.code, GF_ENOMEM);
	snprintf(want, sizeof want, "record at offset %llu: replay failed",
		 (unsigned long long)offset_of(6));
	ck_assert_msg(strstr(err.msg, want) != NULL, "%s", err.msg);
	free(s.buf);

	/* The failed opens released the lock and changed nothing. */
	ck_assert_uint_eq(file_size(path), offset_of(10));
	st = reopen_expect(path, 10, &info);
	st->ops->close(st);

	/* No callback at all: records are counted and skipped. */
	ck_assert_int_eq(gf__store_open(&st, spec_of(path), NULL, &info, &err),
			 GF_OK);
	ck_assert_uint_eq(info.records, 10);
	st->ops->close(st);
}
END_TEST

/* ---- journal: sync policies ------------------------------------------ */

static void sync_policy_roundtrip(gf_sync_policy pol, unsigned interval,
				  const char *name)
{
	const char *path = path_for(name);
	gf__store_opts o;
	gf__store_info info;
	gf__store *st;
	gf__err err;
	seen s;

	seen_init(&s);
	o = opts_for(pol, &s);
	o.sync_interval_ms = interval;
	ck_assert_int_eq(gf__store_open(&st, spec_of(path), &o, &info, &err),
			 GF_OK);
	append_range(st, 0, 50);
	ck_assert_int_eq(st->ops->flush(st, &err), GF_OK);
	/* Flush with nothing pending. */
	ck_assert_int_eq(st->ops->flush(st, &err), GF_OK);
	if (pol == GF_SYNC_INTERVAL) {
		/* Let the interval pass so an append syncs. */
		struct timespec ts = { 0, 3 * 1000000 };
		nanosleep(&ts, NULL);
	}
	append_range(st, 50, 120);
	st->ops->close(st);
	st = reopen_expect(path, 120, &info);
	st->ops->close(st);
	free(s.buf);
}

START_TEST(test_sync_policies)
{
	gf__store_opts o;
	gf__store *st = (gf__store *)&st;
	gf__err err;

	sync_policy_roundtrip(GF_SYNC_EVERY, 0, "every.journal");
	sync_policy_roundtrip(GF_SYNC_INTERVAL, 1, "interval1.journal");
	sync_policy_roundtrip(GF_SYNC_INTERVAL, 0, "interval0.journal");
	sync_policy_roundtrip(GF_SYNC_NEVER, 0, "never.journal");

	memset(&o, 0, sizeof o);
	o.sync = (gf_sync_policy)7;
	ck_assert_int_eq(gf__store_open(&st, spec_of(path_for("x.journal")),
					&o, NULL, &err), GF_EINVAL);
	ck_assert_ptr_null(st);
}
END_TEST

/* An open hands back every record it replays as durable (the engine's
 * durable ticket starts there), but the process that wrote them may have
 * died with them in the page cache only: under GF_SYNC_NEVER, between
 * syncs under GF_SYNC_INTERVAL, or in writev mode. The open syncs them,
 * and fails rather than claim what it could not sync. */
#if defined(GF_TEST_SYNC_HOOK)
START_TEST(test_open_syncs_replayed)
{
	const char *path = path_for("os.journal");
	gf__store_info info;
	gf__store *st = (gf__store *)&st;
	gf__err err;
	int rc;

	make_journal(path, 10);
	syncs = 0;
	st = reopen_expect(path, 10, &info);
	ck_assert_uint_eq(info.torn_bytes, 0);
	ck_assert_int_ge(syncs, 1);
	st->ops->close(st);

	fail_syncs = 1;
	rc = gf__store_open(&st, spec_of(path), NULL, &info, &err);
	fail_syncs = 0;
	ck_assert_msg(rc == GF_EIO, "want EIO, got %d (%s)", rc,
		      rc ? err.msg : "ok");
	ck_assert_ptr_null(st);
	ck_assert_msg(strstr(err.msg, "cannot sync") != NULL, "%s", err.msg);
	/* nothing was changed, and the lock went with the failed open */
	ck_assert_uint_eq(file_size(path), offset_of(10));
	st = reopen_expect(path, 10, &info);
	st->ops->close(st);
}
END_TEST
#endif

/* ---- journal: process crashes ---------------------------------------- */

/* A process that appends and exits without closing: everything it
 * appended is there, whatever the sync policy. */
START_TEST(test_exit_without_close)
{
	static const gf_sync_policy pols[] = { GF_SYNC_NEVER,
					       GF_SYNC_INTERVAL,
					       GF_SYNC_EVERY };

	for (size_t k = 0; k < 3; k++) {
		char name[32];
		const char *path;
		gf__store_info info;
		gf__store *st;
		pid_t pid;
		int status;

		snprintf(name, sizeof name, "exit%zu.journal", k);
		path = path_for(name);
		pid = fork();
		ck_assert_int_ge(pid, 0);
		if (pid == 0) {
			gf__store_opts o;
			gf__err err;

			memset(&o, 0, sizeof o);
			o.sync = pols[k];
			o.sync_interval_ms = 100000;
			if (gf__store_open(&st, spec_of(path), &o, NULL,
					   &err) != GF_OK)
				_exit(2);
			append_range(st, 0, 400);
			_exit(0);
		}
		ck_assert_int_eq(waitpid(pid, &status, 0), pid);
		ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
		st = reopen_expect(path, 400, &info);
		ck_assert_uint_eq(info.torn_bytes, 0);
		st->ops->close(st);
	}
}
END_TEST

/* A process killed at an arbitrary point while appending: every record
 * it acknowledged (reported through the pipe) is replayed, and what
 * follows is at most one torn record. */
START_TEST(test_killed_while_appending)
{
	const char *path = path_for("killed.journal");

	for (int round = 0; round < 5; round++) {
		gf__store_info info;
		gf__store *st;
		uint64_t acked = 0, got;
		int fds[2];
		pid_t pid;
		seen s;
		gf__store_opts o;
		gf__err err;

		unlink(path);
		ck_assert_int_eq(pipe(fds), 0);
		pid = fork();
		ck_assert_int_ge(pid, 0);
		if (pid == 0) {
			uint8_t *buf = malloc(GENMAX);

			close(fds[0]);
			memset(&o, 0, sizeof o);
			o.sync = GF_SYNC_NEVER;
			if (buf == NULL || gf__store_open(&st, spec_of(path),
							  &o, NULL,
							  &err) != GF_OK)
				_exit(2);
			for (uint64_t i = 0;; i++) {
				uint8_t type;
				size_t n = gen(i, &type, buf);
				if (st->ops->append(st, type, buf, n, &err))
					_exit(3);
				if (write(fds[1], &i, sizeof i) != sizeof i)
					_exit(4);
			}
		}
		close(fds[1]);
		/* Let it run for a while, then kill it mid-stream. */
		for (int k = 0; k < 200 + round * 300; k++) {
			if (read(fds[0], &got, sizeof got) != sizeof got)
				break;
			acked = got + 1;
		}
		kill(pid, SIGKILL);
		ck_assert_int_eq(waitpid(pid, NULL, 0), pid);
		while (read(fds[0], &got, sizeof got) == sizeof got)
			acked = got + 1;
		close(fds[0]);

		seen_init(&s);
		o = opts_for(GF_SYNC_EVERY, &s);
		ck_assert_int_eq(gf__store_open(&st, spec_of(path), &o, &info,
						&err), GF_OK);
		ck_assert_uint_ge(info.records, acked);
		ck_assert_uint_eq(s.count, info.records);
		ck_assert_int_eq(s.mismatch, 0);
		ck_assert_uint_eq(file_size(path), offset_of(info.records));
		st->ops->close(st);
		free(s.buf);
	}
}
END_TEST

/* ---- journal: write failures ----------------------------------------- */

/*
 * A file size limit makes writes fail part-way (a short write, then
 * EFBIG): the partial record must vanish and the journal must refuse
 * further appends. Runs in a child so the limit stays there.
 */
START_TEST(test_write_failure)
{
	const char *path = path_for("full.journal");
	uint64_t good = 20, limit;
	gf__store_info info;
	gf__store *st;
	pid_t pid;
	int status;

	make_journal(path, good);
	limit = offset_of(good) + 100;
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		struct rlimit rl;
		uint8_t payload[1000];
		gf__err err;
		int rc;

		signal(SIGXFSZ, SIG_IGN);
		getrlimit(RLIMIT_FSIZE, &rl);
		rl.rlim_cur = (rlim_t)limit;
		if (setrlimit(RLIMIT_FSIZE, &rl) != 0)
			_exit(10);
		if (gf__store_open(&st, spec_of(path), NULL, NULL, &err))
			_exit(11);
		memset(payload, 7, sizeof payload);
		/* 9 + 50 fits; 9 + 1000 does not. */
		if (st->ops->append(st, 1, payload, 50, &err) != GF_OK)
			_exit(12);
		rc = st->ops->append(st, 1, payload, 1000, &err);
		if (rc != GF_EIO || strstr(err.msg, "write failed") == NULL)
			_exit(13);
		/* The partial record is gone again. */
		{
			struct stat sb;
			if (stat(path, &sb) != 0 ||
			    (uint64_t)sb.st_size != offset_of(good) + 59)
				_exit(14);
		}
		/* Even a record that would fit is refused now. */
		rc = st->ops->append(st, 1, payload, 1, &err);
		if (rc != GF_EIO || strstr(err.msg, "failed state") == NULL)
			_exit(15);
		if (st->ops->flush(st, &err) != GF_EIO)
			_exit(16);
		st->ops->close(st);
		_exit(0);
	}
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0,
		      "child failed with %d", WEXITSTATUS(status));
	/* Nothing torn: the 20 records and the 50-byte one. */
	{
		gf__store_opts o;
		gf__err err;

		memset(&o, 0, sizeof o);
		ck_assert_int_eq(gf__store_open(&st, spec_of(path), &o, &info,
						&err), GF_OK);
		ck_assert_uint_eq(info.records, good + 1);
		ck_assert_uint_eq(info.torn_bytes, 0);
		st->ops->close(st);
	}
}
END_TEST

/* ---- journal: replay speed ------------------------------------------- */

static int count_only(void *ud, uint8_t type, const uint8_t *p, size_t n,
		      gf__err *err)
{
	uint64_t *sum = ud;

	(void)err;
	*sum += type + n + (n > 0 ? p[n - 1] : 0);
	return 0;
}

static double seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

#if defined(__has_feature)
#  if __has_feature(address_sanitizer)
#    define GF_TEST_ASAN 1
#  endif
#endif
#if defined(__SANITIZE_ADDRESS__)
#  define GF_TEST_ASAN 1
#endif

/* Not under valgrind (which preloads its vgpreload libraries), a
 * sanitizer or without optimisation. */
static int timing_meaningful(void)
{
#if defined(__OPTIMIZE__) && !defined(GF_TEST_ASAN)
	const char *pre = getenv("LD_PRELOAD");

	return getenv("VALGRIND") == NULL &&
	       (pre == NULL || strstr(pre, "vgpreload") == NULL);
#else
	return 0;
#endif
}

/* A million records of engine-like size replay in well under a second.
 * Timed only in an optimised build without valgrind or sanitizers. */
START_TEST(test_replay_speed)
{
	const char *path = path_for("speed.journal");
	enum { N = 1000000 };
	uint8_t payload[160];
	uint64_t sum = 0, want = 0;
	gf__store_opts o;
	gf__store_info info;
	gf__store *st;
	gf__err err;
	double t0, append_s, replay_s;

	memset(&o, 0, sizeof o);
	o.sync = GF_SYNC_NEVER;
	ck_assert_int_eq(gf__store_open(&st, spec_of(path), &o, NULL, &err),
			 GF_OK);
	t0 = seconds();
	for (uint32_t i = 0; i < N; i++) {
		size_t n = 40 + i % 120;
		memset(payload, (int)(i & 0xff), n);
		want += (uint8_t)i + n + (uint8_t)i;
		ck_assert_int_eq(st->ops->append(st, (uint8_t)i, payload, n,
						 &err), GF_OK);
	}
	append_s = seconds() - t0;
	st->ops->close(st);

	o.replay = count_only;
	o.replay_ud = &sum;
	t0 = seconds();
	ck_assert_int_eq(gf__store_open(&st, spec_of(path), &o, &info, &err),
			 GF_OK);
	replay_s = seconds() - t0;
	st->ops->close(st);
	ck_assert_uint_eq(info.records, N);
	ck_assert_uint_eq(sum, want);
	printf("check_journal: 1e6 records: append %.0f ns each, replay "
	       "%.3f s\n", append_s * 1e9 / N, replay_s);
	if (timing_meaningful())
		ck_assert_msg(replay_s < 0.75, "replay took %.3f s", replay_s);
}
END_TEST

static Suite *make_suite(void)
{
	Suite *s = suite_create("journal");
	TCase *store = tcase_create("store");
	TCase *format = tcase_create("format");
	TCase *damage = tcase_create("damage");
	TCase *life = tcase_create("life");
	TCase *speed = tcase_create("speed");

	tcase_add_unchecked_fixture(store, dir_setup, dir_teardown);
	tcase_add_test(store, test_memory);
	tcase_add_test(store, test_specs);
	suite_add_tcase(s, store);

	tcase_add_unchecked_fixture(format, dir_setup, dir_teardown);
	tcase_set_timeout(format, 60);
	tcase_add_test(format, test_header_created);
	tcase_add_test(format, test_roundtrip);
	tcase_add_test(format, test_big_records);
	tcase_add_test(format, test_too_big);
	tcase_add_test(format, test_bad_header);
	tcase_add_test(format, test_header_version_damaged);
	tcase_add_test(format, test_partial_header);
	suite_add_tcase(s, format);

	tcase_add_unchecked_fixture(damage, dir_setup, dir_teardown);
	tcase_set_timeout(damage, 120);
	tcase_add_test(damage, test_torn_every_offset);
	tcase_add_test(damage, test_torn_last_checksum);
	tcase_add_test(damage, test_zero_tail);
	tcase_add_test(damage, test_torn_record_before_zeros);
	tcase_add_test(damage, test_corrupt_checksum);
	tcase_add_test(damage, test_corrupt_length);
	tcase_add_test(damage, test_corrupt_before_last);
	tcase_add_test(damage, test_corrupt_before_empty_record);
	suite_add_tcase(s, damage);

	tcase_add_unchecked_fixture(life, dir_setup, dir_teardown);
	tcase_set_timeout(life, 60);
	tcase_add_test(life, test_lock);
	tcase_add_test(life, test_read_only);
	tcase_add_test(life, test_replay_error);
	tcase_add_test(life, test_sync_policies);
#if defined(GF_TEST_SYNC_HOOK)
	tcase_add_test(life, test_open_syncs_replayed);
#endif
	tcase_add_test(life, test_exit_without_close);
	tcase_add_test(life, test_killed_while_appending);
	tcase_add_test(life, test_write_failure);
	suite_add_tcase(s, life);

	tcase_add_unchecked_fixture(speed, dir_setup, dir_teardown);
	tcase_set_timeout(speed, 300);
	tcase_add_test(speed, test_replay_speed);
	suite_add_tcase(s, speed);
	return s;
}

GF_TEST_MAIN
