/*
 * gridflow - the example host program: replays NDJSON streams of events
 * and actions through an engine, and checks configurations.
 *
 *   gridflow replay --config DIR [--store memory|journal:PATH|pg:CONNINFO]
 *                   [--partition KEY] [--batch N] [--lease MS] [--retry MS]
 *                   [--clock event|wall] [--sync every|never|MS]
 *                   [--reporter-key-file F] [--output F] [--text]
 *                   [--progress] [FILE|-]
 *   gridflow check --config DIR [--json]
 *   gridflow simulate --config DIR --against NEWDIR [--json]
 *                     [--examples N] FILE
 *   gridflow calendar --config DIR add FROM DURATION
 *   gridflow dump --config DIR --store journal:PATH|pg:CONNINFO
 *                 [--partition KEY]
 *   gridflow migrate --store pg:CONNINFO
 *   gridflow version
 *
 * replay writes one NDJSON line per input line (a "decision" for an
 * event, an "action" for an action), then one "summary" line. Rejected
 * events and refused actions are results, not failures: the exit status
 * is non-zero only for usage errors (2) and I/O errors (1).
 */
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "gridflow.h"

static void usage(FILE *f)
{
	fputs("usage: gridflow replay --config DIR\n"
	      "                       [--store memory|journal:PATH|pg:CONNINFO]\n"
	      "                       [--partition KEY] [--batch N] [--lease MS]\n"
	      "                       [--retry MS]\n"
	      "                       [--clock event|wall] [--sync every|never|MS]\n"
	      "                       [--reporter-key-file FILE] [--output FILE]\n"
	      "                       [--text] [--progress] [--explain] [FILE|-]\n"
	      "       gridflow check --config DIR [--json]\n"
	      "       gridflow simulate --config DIR --against NEWDIR [--json]\n"
	      "                         [--examples N] FILE\n"
	      "       gridflow calendar --config DIR add FROM DURATION\n"
	      "       gridflow dump --config DIR --store journal:PATH|pg:CONNINFO\n"
	      "                     [--partition KEY]\n"
	      "       gridflow migrate --store pg:CONNINFO\n"
	      "       gridflow version\n",
	      f);
}

/* ---- JSON output ------------------------------------------------------ */

static void put_json_str(FILE *f, const char *s)
{
	if (!s) {
		fputs("null", f);
		return;
	}
	putc('"', f);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		switch (*p) {
		case '"': fputs("\\\"", f); break;
		case '\\': fputs("\\\\", f); break;
		case '\n': fputs("\\n", f); break;
		case '\r': fputs("\\r", f); break;
		case '\t': fputs("\\t", f); break;
		default:
			if (*p < 0x20)
				fprintf(f, "\\u%04x", *p);
			else
				putc(*p, f);
		}
	}
	putc('"', f);
}

static void put_error(FILE *f, const gf_result *r)
{
	fputs(",\"error\":{\"code\":", f);
	put_json_str(f, gf_errname(gf_result_error(r)));
	fputs(",\"field\":", f);
	put_json_str(f, gf_result_error_field(r));
	fputs(",\"message\":", f);
	put_json_str(f, gf_result_error_message(r));
	putc('}', f);
}

static void put_result(FILE *f, const gf_result *r, unsigned long line)
{
	gf_outcome o = gf_result_outcome(r);
	int action = gf_result_op(r) != GF_OP_NONE ||
		     o == GF_OUTCOME_APPLIED || o == GF_OUTCOME_REFUSED;
	fprintf(f, "{\"type\":\"%s\",\"line\":%lu,\"ref\":",
		action ? "action" : "decision", line);
	put_json_str(f, gf_result_ref(r));
	if (action) {
		fputs(",\"op\":", f);
		put_json_str(f, gf_op_name(gf_result_op(r)));
		fputs(",\"order\":", f);
		put_json_str(f, gf_result_order(r));
		fprintf(f, ",\"ok\":%s", o == GF_OUTCOME_REFUSED ? "false"
								 : "true");
		if (o == GF_OUTCOME_IDEMPOTENT)
			fputs(",\"idempotent\":true", f);
		if (gf_result_order(r)) {
			fputs(",\"state\":", f);
			put_json_str(f, gf_state_name(gf_result_state(r)));
		}
		if (gf_result_new_order(r)) {
			fputs(",\"new_order\":", f);
			put_json_str(f, gf_result_new_order(r));
		}
		if (o == GF_OUTCOME_REFUSED)
			put_error(f, r);
		fputs("}\n", f);
		return;
	}
	fputs(",\"outcome\":", f);
	put_json_str(f, gf_outcome_name(o));
	if (o == GF_OUTCOME_REJECTED) {
		fprintf(f, ",\"quarantine\":%llu",
			(unsigned long long)gf_result_quarantine_id(r));
		put_error(f, r);
		fputs("}\n", f);
		return;
	}
	fputs(",\"order\":", f);
	put_json_str(f, gf_result_order(r));
	fputs(",\"lead\":", f);
	put_json_str(f, gf_result_lead(r));
	fputs(",\"assist\":[", f);
	for (size_t i = 0; i < gf_result_assist_count(r); i++) {
		if (i)
			putc(',', f);
		put_json_str(f, gf_result_assist(r, i));
	}
	fputs("],\"rule\":", f);
	put_json_str(f, gf_result_rule(r));
	if (gf_result_sla(r)) {
		fputs(",\"sla\":", f);
		put_json_str(f, gf_result_sla(r));
	}
	if (gf_result_priority(r))
		fprintf(f, ",\"priority\":%d", gf_result_priority(r));
	if (gf_result_why(r)) {
		fputs(",\"why\":", f);
		put_json_str(f, gf_result_why(r));
	}
	if (gf_result_reasons(r)) {
		fprintf(f, ",\"score\":%.3f,\"reasons\":",
			gf_result_score(r));
		put_json_str(f, gf_result_reasons(r));
	}
	fputs(",\"state\":", f);
	put_json_str(f, gf_state_name(gf_result_state(r)));
	if (gf_result_explain(r))
		fprintf(f, ",\"explain\":%s", gf_result_explain(r));
	fputs("}\n", f);
}

/* ---- counters for the summary ------------------------------------------ */

#define NCODES 32 /* error codes are 0 .. -31 */

struct tally {
	unsigned long lines, blank, events, actions;
	unsigned long outcomes[8];
	unsigned long rejects[NCODES], refusals[NCODES];
	char reject_example[NCODES][200];
	char refusal_example[NCODES][200];
	unsigned long sla[5];   /* ladder steps by kind: notify .. escalate */
	FILE *out;              /* where "sla" lines go */
};

static const char *const sla_steps[5] = { "", "notify", "urge", "supervise",
					  "escalate" };

static void tally_result(struct tally *t, const gf_result *r)
{
	gf_outcome o = gf_result_outcome(r);
	if ((unsigned)o < 8)
		t->outcomes[o]++;
	int code = -gf_result_error(r);
	if (code <= 0 || code >= NCODES)
		return;
	if (o == GF_OUTCOME_REJECTED) {
		if (!t->rejects[code]++)
			snprintf(t->reject_example[code], 200, "%s: %s",
				 gf_result_error_field(r),
				 gf_result_error_message(r));
	} else if (o == GF_OUTCOME_REFUSED) {
		if (!t->refusals[code]++)
			snprintf(t->refusal_example[code], 200, "%s: %s",
				 gf_result_error_field(r),
				 gf_result_error_message(r));
	}
}

static void level_counts(gf_engine *eng, size_t by_level[8])
{
	memset(by_level, 0, 8 * sizeof(size_t));
	for (size_t i = 0; i < gf_engine_order_count(eng); i++) {
		gf_level l = gf_order_level(gf_engine_order_at(eng, i));
		if ((unsigned)l < 8)
			by_level[l]++;
	}
}

static void put_summary(FILE *f, gf_engine *eng, const struct tally *t)
{
	size_t states[GF_STATE_COUNT], by_level[8];
	gf_engine_state_counts(eng, states);
	level_counts(eng, by_level);
	fprintf(f, "{\"type\":\"summary\",\"lines\":%lu,\"events\":%lu,"
		   "\"actions\":%lu,\"outcomes\":{",
		t->lines, t->events, t->actions);
	int first = 1;
	for (int o = 1; o < 8; o++) {
		fprintf(f, "%s\"%s\":%lu", first ? "" : ",",
			gf_outcome_name((gf_outcome)o), t->outcomes[o]);
		first = 0;
	}
	fprintf(f, "},\"orders\":{\"total\":%zu,\"by_state\":{",
		gf_engine_order_count(eng));
	first = 1;
	for (int s = 1; s < GF_STATE_COUNT; s++) {
		fprintf(f, "%s\"%s\":%zu", first ? "" : ",",
			gf_state_name((gf_state)s), states[s]);
		first = 0;
	}
	fputs("},\"by_level\":{", f);
	first = 1;
	for (int l = 1; l <= GF_LEVEL_GRID; l++) {
		fprintf(f, "%s\"%s\":%zu", first ? "" : ",",
			gf_level_name((gf_level)l), by_level[l]);
		first = 0;
	}
	fputs("}},\"rejects\":{\"by_code\":{", f);
	first = 1;
	for (int c = 1; c < NCODES; c++) {
		if (!t->rejects[c])
			continue;
		fprintf(f, "%s\"%s\":%lu", first ? "" : ",", gf_errname(-c),
			t->rejects[c]);
		first = 0;
	}
	fputs("}},\"refusals\":{\"by_code\":{", f);
	first = 1;
	for (int c = 1; c < NCODES; c++) {
		if (!t->refusals[c])
			continue;
		fprintf(f, "%s\"%s\":%lu", first ? "" : ",", gf_errname(-c),
			t->refusals[c]);
		first = 0;
	}
	fputs("}},\"sla\":{", f);
	for (int k = 1; k < 5; k++)
		fprintf(f, "%s\"%s\":%lu", k > 1 ? "," : "", sla_steps[k],
			t->sla[k]);
	fprintf(f, "},\"quarantine_open\":%zu}\n",
		gf_engine_quarantine_count(eng));
}

/* SLA clocks by name: stopped on time or late, and still running. */
static void put_sla_text(FILE *f, gf_engine *eng, const struct tally *t)
{
	enum { MAXC = 16 };
	const char *name[MAXC];
	unsigned long on[MAXC], late[MAXC], run[MAXC], over[MAXC];
	size_t nn = 0;
	gf_time now = gf_engine_now(eng);
	for (size_t i = 0; i < gf_engine_order_count(eng); i++) {
		const gf_order *o = gf_engine_order_at(eng, i);
		for (size_t j = 0; j < gf_order_clock_count(o); j++) {
			const gf_sla_clock *c = gf_order_clock(o, j);
			if (gf_sla_clock_state(c) == GF_SLA_IDLE)
				continue;
			size_t k = 0;
			while (k < nn && strcmp(name[k], gf_sla_clock_name(c)))
				k++;
			if (k == nn) {
				if (nn == MAXC)
					continue;
				name[nn] = gf_sla_clock_name(c);
				on[nn] = late[nn] = run[nn] = over[nn] = 0;
				nn++;
			}
			int ot = gf_sla_clock_on_time(c, now);
			if (gf_sla_clock_state(c) == GF_SLA_STOPPED) {
				if (ot == 1)
					on[k]++;
				else if (ot == 0)
					late[k]++;
			} else {
				run[k]++;
				if (ot == 0)
					over[k]++;
			}
		}
	}
	fprintf(f, "sla:     ladder steps %lu notify, %lu urge (催办), "
		   "%lu supervise (督办), %lu escalate\n",
		t->sla[1], t->sla[2], t->sla[3], t->sla[4]);
	for (size_t k = 0; k < nn; k++) {
		unsigned long done = on[k] + late[k];
		fprintf(f, "  %-8s %6lu stopped, %5.1f%% on time; %lu running, "
			   "%lu of them overdue\n",
			name[k], done,
			done ? 100.0 * (double)on[k] / (double)done : 0.0,
			run[k], over[k]);
	}
}

static void put_text(FILE *f, gf_engine *eng, const struct tally *t,
		     double secs)
{
	size_t states[GF_STATE_COUNT], by_level[8];
	gf_engine_state_counts(eng, states);
	level_counts(eng, by_level);
	size_t total = gf_engine_order_count(eng);

	fprintf(f, "\n%lu lines in %.2f s (%.0f lines/s): %lu events, "
		   "%lu actions\n",
		t->lines, secs, secs > 0 ? (double)t->lines / secs : 0.0,
		t->events, t->actions);
	fprintf(f, "events:  %lu created, %lu linked, %lu suspected, "
		   "%lu re-delivered (idempotent), %lu rejected\n",
		t->outcomes[GF_OUTCOME_CREATED], t->outcomes[GF_OUTCOME_LINKED],
		t->outcomes[GF_OUTCOME_SUSPECTED],
		t->outcomes[GF_OUTCOME_IDEMPOTENT],
		t->outcomes[GF_OUTCOME_REJECTED]);
	fprintf(f, "actions: %lu applied, %lu refused\n",
		t->outcomes[GF_OUTCOME_APPLIED],
		t->outcomes[GF_OUTCOME_REFUSED]);
	put_sla_text(f, eng, t);

	fprintf(f, "\nwork orders by state (%zu in all)\n", total);
	for (int s = 1; s < GF_STATE_COUNT; s++)
		if (states[s])
			fprintf(f, "  %-12s %7zu  %5.1f%%\n",
				gf_state_name((gf_state)s), states[s],
				100.0 * (double)states[s] / (double)total);
	/* how new orders were routed: the rule that routed each at creation
	 * (its second audit entry), so later dispatches do not count */
	{
		enum { TOP = 12 };
		const char *names[512];
		size_t counts[512], nn = 0, other = 0;
		for (size_t i = 0; i < total; i++) {
			const gf_order *o = gf_engine_order_at(eng, i);
			const gf_audit *a = gf_order_audit(o, 1);
			const char *rule = a ? gf_audit_reason(a) : "";
			size_t k = 0;
			while (k < nn && strcmp(names[k], rule) != 0)
				k++;
			if (k == nn) {
				if (nn == 512) {
					other++;
					continue;
				}
				names[nn] = rule;
				counts[nn++] = 0;
			}
			counts[k]++;
		}
		/* a few passes of selection: only the top few are shown */
		fprintf(f, "\nrouting at creation: %zu rules used\n", nn);
		for (int shown = 0; shown < TOP && shown < (int)nn; shown++) {
			size_t best = (size_t)shown;
			for (size_t k = (size_t)shown + 1; k < nn; k++)
				if (counts[k] > counts[best])
					best = k;
			const char *tn = names[shown];
			size_t tc = counts[shown];
			names[shown] = names[best];
			counts[shown] = counts[best];
			names[best] = tn;
			counts[best] = tc;
			fprintf(f, "  %-28s %7zu  %5.1f%%%s\n", names[shown],
				counts[shown],
				100.0 * (double)counts[shown] / (double)total,
				strcmp(names[shown], "fallback") == 0
					? "  (to the desk)"
					: "");
		}
		if (other)
			fprintf(f, "  (and %zu orders under further rules)\n",
				other);
	}
	fputs("\nwork orders by level of the lead department\n", f);
	for (int l = 1; l <= GF_LEVEL_GRID; l++)
		if (by_level[l])
			fprintf(f, "  %-12s %7zu  %5.1f%%\n",
				gf_level_name((gf_level)l), by_level[l],
				100.0 * (double)by_level[l] / (double)total);
	if (t->outcomes[GF_OUTCOME_REJECTED]) {
		fputs("\nrejected events (kept in quarantine), by reason\n", f);
		for (int c = 1; c < NCODES; c++)
			if (t->rejects[c])
				fprintf(f, "  %-10s %5lu  e.g. %s\n",
					gf_errname(-c), t->rejects[c],
					t->reject_example[c]);
	}
	if (t->outcomes[GF_OUTCOME_REFUSED]) {
		fputs("\nrefused actions (nothing changed), by reason\n", f);
		for (int c = 1; c < NCODES; c++)
			if (t->refusals[c])
				fprintf(f, "  %-10s %5lu  e.g. %s\n",
					gf_errname(-c), t->refusals[c],
					t->refusal_example[c]);
	}
	fprintf(f, "\nquarantine: %zu open entries\n",
		gf_engine_quarantine_count(eng));
}

/* ---- line keys --------------------------------------------------------- */

/*
 * Every line gets a key from its bytes and how often the same bytes came
 * before: "L<hash>#<n>". The engine uses it as the idempotency key of an
 * action line without an "id", so that feeding the same file again (after
 * a crash, say) applies each action line once and refuses it the same way.
 */
struct linekeys {
	uint64_t *hash;
	unsigned *count;
	size_t cap, used;
};

static uint64_t fnv1a(const char *p, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ULL;
	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)p[i]) * 0x100000001b3ULL;
	return h ? h : 1;
}

static unsigned linekeys_next(struct linekeys *k, uint64_t h)
{
	if (k->used * 2 >= k->cap) {
		size_t cap = k->cap ? k->cap * 2 : 1024;
		uint64_t *nh = calloc(cap, sizeof(*nh));
		unsigned *nc = calloc(cap, sizeof(*nc));
		if (!nh || !nc) {
			fputs("gridflow: out of memory\n", stderr);
			exit(1);
		}
		for (size_t i = 0; i < k->cap; i++) {
			if (!k->hash[i])
				continue;
			size_t j = (size_t)k->hash[i] & (cap - 1);
			while (nh[j])
				j = (j + 1) & (cap - 1);
			nh[j] = k->hash[i];
			nc[j] = k->count[i];
		}
		free(k->hash);
		free(k->count);
		k->hash = nh;
		k->count = nc;
		k->cap = cap;
	}
	size_t j = (size_t)h & (k->cap - 1);
	while (k->hash[j] && k->hash[j] != h)
		j = (j + 1) & (k->cap - 1);
	if (!k->hash[j]) {
		k->hash[j] = h;
		k->used++;
	}
	return ++k->count[j];
}

/* ---- commands ------------------------------------------------------------ */

static int load_config(const char *dir, gf_config **out, int quiet)
{
	gf_config *cfg;
	if (gf_config_new(&cfg))
		return -1;
	int rc = gf_config_load_dir(cfg, dir);
	if (rc == GF_OK || rc == GF_EIO)
		rc = gf_config_compile(cfg);
	if (rc && !quiet) {
		size_t n = gf_config_problem_count(cfg);
		for (size_t i = 0; i < n; i++) {
			const char *file, *path, *msg;
			if (gf_config_problem_is_warning(cfg, i))
				continue;
			gf_config_problem(cfg, i, &file, &path, &msg);
			fprintf(stderr, "%s/%s: %s: %s\n", dir, file, path,
				msg);
		}
	}
	*out = cfg;
	return rc;
}

static int cmd_check(int argc, char **argv)
{
	const char *dir = NULL;
	int json = 0;
	for (int i = 0; i < argc; i++) {
		if (strcmp(argv[i], "--config") == 0 && i + 1 < argc)
			dir = argv[++i];
		else if (strcmp(argv[i], "--json") == 0)
			json = 1;
		else {
			usage(stderr);
			return 2;
		}
	}
	if (!dir) {
		usage(stderr);
		return 2;
	}
	gf_config *cfg;
	int rc = load_config(dir, &cfg, 1);
	size_t n = gf_config_problem_count(cfg), warnings = 0;
	for (size_t i = 0; i < n; i++) {
		const char *file, *path, *msg;
		int warn = gf_config_problem_is_warning(cfg, i);
		warnings += warn != 0;
		gf_config_problem(cfg, i, &file, &path, &msg);
		if (json) {
			fprintf(stdout, "{\"type\":\"%s\",\"file\":",
				warn ? "warning" : "problem");
			put_json_str(stdout, file);
			fputs(",\"path\":", stdout);
			put_json_str(stdout, path);
			fputs(",\"message\":", stdout);
			put_json_str(stdout, msg);
			fputs("}\n", stdout);
		} else {
			printf("%s%s: %s: %s\n", warn ? "warning: " : "", file,
			       path, msg);
		}
	}
	size_t errors = n - warnings;
	if (json)
		printf("{\"type\":\"summary\",\"problems\":%zu,\"warnings\":%zu,"
		       "\"regions\":%zu,\"departments\":%zu,\"categories\":%zu,"
		       "\"rules_version\":\"%s\"}\n",
		       errors, warnings, gf_config_region_count(cfg),
		       gf_config_department_count(cfg),
		       gf_config_category_count(cfg),
		       gf_config_rules_version(cfg));
	else if (errors == 0)
		printf("%s: ok: %zu regions, %zu departments, %zu "
		       "categories, rule set \"%s\"%s\n",
		       dir, gf_config_region_count(cfg),
		       gf_config_department_count(cfg),
		       gf_config_category_count(cfg),
		       gf_config_rules_version(cfg),
		       warnings ? " (with warnings above)" : "");
	else
		printf("%s: %zu problem%s, %zu warning%s\n", dir, errors,
		       errors == 1 ? "" : "s", warnings,
		       warnings == 1 ? "" : "s");
	gf_config_free(cfg);
	return rc == GF_OK ? 0 : 1;
}

static unsigned char *read_key(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	unsigned char *buf = malloc(4096);
	*len = buf ? fread(buf, 1, 4096, f) : 0;
	fclose(f);
	while (*len && (buf[*len - 1] == '\n' || buf[*len - 1] == '\r'))
		(*len)--;
	return buf;
}

static double now_secs(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* An SLA ladder step as a "type":"sla" line (docs/formats.md). */
static void put_sla(FILE *f, const gf_notice *n)
{
	char at[40], due[40];
	gf_time_format(at, sizeof(at), gf_notice_time(n), 480);
	fputs("{\"type\":\"sla\",\"order\":", f);
	put_json_str(f, gf_notice_order(n));
	fputs(",\"clock\":", f);
	put_json_str(f, gf_notice_clock(n));
	fputs(",\"step\":", f);
	put_json_str(f, gf_notice_step(n));
	fputs(",\"at\":", f);
	put_json_str(f, at);
	fputs(",\"due\":", f);
	if (gf_notice_due(n) == GF_TIME_NONE) {
		fputs("null", f);
	} else {
		gf_time_format(due, sizeof(due), gf_notice_due(n), 480);
		put_json_str(f, due);
	}
	fputs(",\"dept\":", f);
	put_json_str(f, gf_notice_dept(n));
	fputs(",\"message\":", f);
	put_json_str(f, gf_notice_message(n));
	fputs("}\n", f);
}

static void on_notice(void *data, const gf_notice *n)
{
	struct tally *t = data;
	gf_notice_kind k = gf_notice_kind_of(n);
	if (k == GF_NOTICE_WARNING)
		fprintf(stderr, "gridflow: warning: %s\n",
			gf_notice_message(n));
	if ((k == GF_NOTICE_SLA || k == GF_NOTICE_ESCALATED) && t) {
		const char *step = gf_notice_step(n);
		for (int i = 1; i < 5; i++)
			if (step && strcmp(step, sla_steps[i]) == 0)
				t->sla[i]++;
		if (t->out)
			put_sla(t->out, n);
	}
}

/* A whole number option value: decimal digits only, from min to UINT_MAX
 * (atoi would take "5x" for 5 and wrap "4294967297" round to 1). Says
 * what is wrong, naming the option, and returns -1 when it is not. */
static int parse_uint(const char *opt, const char *v, unsigned min,
		      const char *what, unsigned *out)
{
	char *end;
	errno = 0;
	unsigned long n = v[0] >= '0' && v[0] <= '9' ? strtoul(v, &end, 10)
						    : 0;
	if (v[0] < '0' || v[0] > '9' || *end || errno || n < min ||
	    n > UINT_MAX) {
		fprintf(stderr, "gridflow: %s %s: expected %s, a whole number "
				"from %u to %u\n",
			opt, v, what, min, UINT_MAX);
		return -1;
	}
	*out = (unsigned)n;
	return 0;
}

static int cmd_replay(int argc, char **argv)
{
	const char *dir = NULL, *input = "-", *output = NULL, *keyfile = NULL;
	gf_options opts = GF_OPTIONS_INIT;
	int text = 0, progress = 0, explain = 0;
	opts.store = "memory";
	for (int i = 0; i < argc; i++) {
		const char *a = argv[i];
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (strcmp(a, "--config") == 0 && v) {
			dir = v;
			i++;
		} else if (strcmp(a, "--store") == 0 && v) {
			opts.store = v;
			i++;
		} else if (strcmp(a, "--partition") == 0 && v) {
			opts.partition = v;
			i++;
		} else if (strcmp(a, "--batch") == 0 && v) {
			if (parse_uint(a, v, 1, "N", &opts.batch_max))
				return 2;
			i++;
		} else if ((strcmp(a, "--lease") == 0 ||
			    strcmp(a, "--retry") == 0) && v) {
			if (parse_uint(a, v, 1, "MS", a[2] == 'l'
							      ? &opts.lease_ms
							      : &opts.retry_ms))
				return 2;
			i++;
		} else if (strcmp(a, "--clock") == 0 && v) {
			if (strcmp(v, "event") == 0)
				opts.clock = GF_CLOCK_EVENT;
			else if (strcmp(v, "wall") == 0)
				opts.clock = GF_CLOCK_WALL;
			else {
				fprintf(stderr, "gridflow: --clock event|wall\n");
				return 2;
			}
			i++;
		} else if (strcmp(a, "--sync") == 0 && v) {
			if (strcmp(v, "every") == 0)
				opts.sync = GF_SYNC_EVERY;
			else if (strcmp(v, "never") == 0)
				opts.sync = GF_SYNC_NEVER;
			else if (v[0] >= '0' && v[0] <= '9') {
				if (parse_uint(a, v, 1, "MS",
					       &opts.sync_interval_ms))
					return 2;
				opts.sync = GF_SYNC_INTERVAL;
			} else {
				fprintf(stderr,
					"gridflow: --sync every|never|MS\n");
				return 2;
			}
			i++;
		} else if (strcmp(a, "--reporter-key-file") == 0 && v) {
			keyfile = v;
			i++;
		} else if (strcmp(a, "--output") == 0 && v) {
			output = v;
			i++;
		} else if (strcmp(a, "--text") == 0) {
			text = 1;
		} else if (strcmp(a, "--progress") == 0) {
			progress = 1;
		} else if (strcmp(a, "--explain") == 0) {
			explain = 1;
		} else if (a[0] == '-' && a[1]) {
			usage(stderr);
			return 2;
		} else {
			input = a;
		}
	}
	if (!dir) {
		usage(stderr);
		return 2;
	}

	gf_config *cfg;
	if (load_config(dir, &cfg, 0)) {
		gf_config_free(cfg);
		return 2;
	}
	unsigned char *key = NULL;
	size_t keylen = 0;
	if (keyfile) {
		key = read_key(keyfile, &keylen);
		if (!key || !keylen) {
			fprintf(stderr, "gridflow: cannot read key %s\n",
				keyfile);
			free(key);
			gf_config_free(cfg);
			return 1;
		}
	} else if (getenv("GRIDFLOW_REPORTER_KEY")) {
		key = (unsigned char *)strdup(getenv("GRIDFLOW_REPORTER_KEY"));
		keylen = key ? strlen((char *)key) : 0;
	}
	opts.config = cfg;
	opts.reporter_key = key;
	opts.reporter_key_len = keylen;
	static struct tally t;
	opts.notice = on_notice;
	opts.notice_data = &t;

	FILE *in = strcmp(input, "-") == 0 ? stdin : fopen(input, "rb");
	if (!in) {
		fprintf(stderr, "gridflow: %s: %s\n", input, strerror(errno));
		free(key);
		gf_config_free(cfg);
		return 1;
	}
	FILE *out = output ? fopen(output, "w") : stdout;
	if (!out) {
		fprintf(stderr, "gridflow: %s: %s\n", output, strerror(errno));
		if (in != stdin)
			fclose(in);
		free(key);
		gf_config_free(cfg);
		return 1;
	}

	gf_engine *eng;
	char err[512];
	int rc = gf_engine_open(&eng, &opts, err, sizeof(err));
	gf_config_free(cfg);
	free(key);
	if (rc) {
		fprintf(stderr, "gridflow: cannot open engine: %s (%s)\n", err,
			gf_errname(rc));
		if (in != stdin)
			fclose(in);
		if (out != stdout)
			fclose(out);
		return 1;
	}
	gf_engine_set_explain(eng, explain);
	t.out = out;

	struct linekeys keys = { NULL, NULL, 0, 0 };
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	int status = 0;
	int tty = isatty(2);
	double start = now_secs();
	while ((n = getline(&line, &cap, in)) > 0) {
		t.lines++;
		size_t len = (size_t)n;
		while (len && (line[len - 1] == '\n' || line[len - 1] == '\r'))
			len--;
		if (len == 0) {
			t.blank++;
			continue;
		}
		const gf_result *r;
		char lkey[48];
		uint64_t h = fnv1a(line, len);
		snprintf(lkey, sizeof(lkey), "L%016llx#%u", (unsigned long long)h,
			 linekeys_next(&keys, h));
		rc = gf_engine_submit_json_keyed(eng, line, len, lkey, &r);
		if (!r) {
			/* nothing acknowledged: stop, the input is intact */
			fprintf(stderr, "gridflow: line %lu: %s (%s)\n",
				t.lines, gf_engine_errmsg(eng), gf_errname(rc));
			status = 1;
			break;
		}
		if (gf_result_op(r) != GF_OP_NONE ||
		    gf_result_outcome(r) == GF_OUTCOME_REFUSED)
			t.actions++;
		else
			t.events++;
		tally_result(&t, r);
		put_result(out, r, t.lines);
		if (progress && t.lines % (tty ? 2000 : 50000) == 0) {
			double s = now_secs() - start;
			fprintf(stderr, "%s  %lu lines, %zu orders, %.0f lines/s%s",
				tty ? "\r" : "", t.lines,
				gf_engine_order_count(eng),
				s > 0 ? (double)t.lines / s : 0.0,
				tty ? " " : "\n");
		}
	}
	if (ferror(in)) {
		fprintf(stderr, "gridflow: reading %s: %s\n", input,
			strerror(errno));
		status = 1;
	}
	/* under group commit the last batch (and its notices) goes now, so
	 * that the summary is the last line and counts everything */
	if (!status && (rc = gf_engine_flush(eng)) != GF_OK) {
		fprintf(stderr, "gridflow: storing the last changes: %s (%s)\n",
			gf_engine_errmsg(eng), gf_errname(rc));
		status = 1;
	}
	double secs = now_secs() - start;
	if (progress && tty)
		fputs("\r\033[K", stderr);
	put_summary(out, eng, &t);
	if (text)
		put_text(stderr, eng, &t, secs);
	free(line);
	free(keys.hash);
	free(keys.count);
	if (gf_engine_close(eng)) {
		fprintf(stderr, "gridflow: closing the store failed\n");
		status = 1;
	}
	if (in != stdin)
		fclose(in);
	if (fflush(out) || (out != stdout && fclose(out))) {
		fprintf(stderr, "gridflow: writing output: %s\n",
			strerror(errno));
		status = 1;
	}
	return status;
}

/* ,"name":"<RFC 3339>" or ,"name":null */
static void put_time_field(FILE *f, const char *name, gf_time t)
{
	char b[40];
	fprintf(f, ",\"%s\":", name);
	if (t == GF_TIME_NONE) {
		fputs("null", f);
		return;
	}
	gf_time_format(b, sizeof(b), t, 480);
	put_json_str(f, b);
}

/* Every order with its reports and audit trail, then the open
 * quarantine: one NDJSON line each, in creation order. */
static void dump_order(FILE *f, const gf_order *o)
{
	char t[40];
	fputs("{\"type\":\"order\",\"id\":", f);
	put_json_str(f, gf_order_id(o));
	fputs(",\"state\":", f);
	put_json_str(f, gf_state_name(gf_order_state(o)));
	fputs(",\"lead\":", f);
	put_json_str(f, gf_order_lead(o));
	fputs(",\"level\":", f);
	put_json_str(f, gf_level_name(gf_order_level(o)));
	fputs(",\"rule\":", f);
	put_json_str(f, gf_order_rule(o));
	fputs(",\"category\":", f);
	put_json_str(f, gf_order_category(o));
	fputs(",\"region\":", f);
	put_json_str(f, gf_order_region(o));
	fputs(",\"urgency\":", f);
	put_json_str(f, gf_urgency_name(gf_order_urgency(o)));
	gf_time_format(t, sizeof(t), gf_order_created_at(o), 480);
	fputs(",\"created_at\":", f);
	put_json_str(f, t);
	fputs(",\"satisfaction\":", f);
	put_json_str(f, gf_satisfaction_name(gf_order_satisfaction(o)));
	fprintf(f, ",\"returns\":%u,\"reopens\":%u,\"extensions\":%u,"
		   "\"paused\":%s,\"merged_into\":",
		gf_order_return_count(o), gf_order_reopen_count(o),
		gf_order_extension_count(o),
		gf_order_paused(o) ? "true" : "false");
	put_json_str(f, gf_order_merged_into(o));
	fputs(",\"suspected_of\":", f);
	put_json_str(f, gf_order_suspected_of(o));
	fputs(",\"scale\":", f);
	put_json_str(f, gf_scale_name(gf_order_scale(o)));
	fprintf(f, ",\"callers\":%u", gf_order_caller_count(o));
	fputs(",\"sla\":", f);
	put_json_str(f, gf_order_sla(o));
	fprintf(f, ",\"priority\":%d,\"assist\":[", gf_order_priority(o));
	for (size_t i = 0; i < gf_order_assist_count(o); i++) {
		if (i)
			putc(',', f);
		put_json_str(f, gf_order_assist(o, i));
	}
	fputs("],\"rules_version\":", f);
	put_json_str(f, gf_order_rules_version(o));
	fputs(",\"reports\":[", f);
	for (size_t i = 0; i < gf_order_report_count(o); i++) {
		if (i)
			putc(',', f);
		fputs(gf_report_json(gf_order_report(o, i)), f);
	}
	fputs("],\"audit\":[", f);
	for (size_t i = 0; i < gf_order_audit_count(o); i++) {
		const gf_audit *a = gf_order_audit(o, i);
		gf_time_format(t, sizeof(t), gf_audit_time(a), 480);
		fputs(i ? ",{\"at\":" : "{\"at\":", f);
		put_json_str(f, t);
		fputs(",\"what\":", f);
		put_json_str(f, gf_audit_what(a));
		fputs(",\"dept\":", f);
		put_json_str(f, gf_audit_actor_dept(a));
		fputs(",\"role\":", f);
		put_json_str(f, gf_audit_actor_role(a));
		fputs(",\"from\":", f);
		put_json_str(f, gf_state_name(gf_audit_from(a)));
		fputs(",\"to\":", f);
		put_json_str(f, gf_state_name(gf_audit_to(a)));
		fputs(",\"reason\":", f);
		put_json_str(f, gf_audit_reason(a));
		fputs(",\"lead\":", f);
		put_json_str(f, gf_audit_lead(a));
		putc('}', f);
	}
	fputs("],\"clocks\":[", f);
	for (size_t i = 0; i < gf_order_clock_count(o); i++) {
		const gf_sla_clock *c = gf_order_clock(o, i);
		fputs(i ? ",{\"name\":" : "{\"name\":", f);
		put_json_str(f, gf_sla_clock_name(c));
		fputs(",\"state\":", f);
		put_json_str(f, gf_sla_state_name(gf_sla_clock_state(c)));
		put_time_field(f, "started", gf_sla_clock_started(c));
		put_time_field(f, "warning", gf_sla_clock_warning(c));
		put_time_field(f, "due", gf_sla_clock_due(c));
		put_time_field(f, "stopped", gf_sla_clock_stopped(c));
		fprintf(f, ",\"paused_ms\":%lld,\"extensions\":%u,"
			   "\"runs\":%u,\"steps\":%u",
			(long long)gf_sla_clock_paused_ms(c),
			gf_sla_clock_extensions(c), gf_sla_clock_runs(c),
			gf_sla_clock_steps_fired(c));
		fputs(",\"pending\":", f);
		put_json_str(f, gf_sla_clock_pending(c));
		putc('}', f);
	}
	fputs("],\"sla_marks\":[", f);
	for (size_t i = 0; i < gf_order_sla_mark_count(o); i++) {
		const gf_sla_mark *m = gf_order_sla_mark(o, i);
		fputs(i ? ",{\"clock\":" : "{\"clock\":", f);
		put_json_str(f, gf_sla_mark_clock(m));
		fputs(",\"what\":", f);
		put_json_str(f, gf_sla_mark_what(m));
		put_time_field(f, "at", gf_sla_mark_time(m));
		put_time_field(f, "due", gf_sla_mark_due(m));
		putc('}', f);
	}
	fputs("]}\n", f);
}

/* Create or upgrade a database's schema (gf_engine_open does it too). */
static int cmd_migrate(int argc, char **argv)
{
	if (argc != 2 || strcmp(argv[0], "--store") != 0) {
		usage(stderr);
		return 2;
	}
	char msg[512];
	int version;
	int rc = gf_store_migrate(argv[1], &version, msg, sizeof msg);
	if (rc) {
		fprintf(stderr, "gridflow: migrate: %s\n", msg);
		return rc == GF_EINVAL ? 2 : 1;
	}
	printf("{\"type\":\"migrate\",\"schema\":%d,\"library\":%d}\n",
	       version, gf_store_schema_version());
	return 0;
}

static int cmd_dump(int argc, char **argv)
{
	const char *dir = NULL;
	gf_options opts = GF_OPTIONS_INIT;
	for (int i = 0; i + 1 < argc; i += 2) {
		if (strcmp(argv[i], "--config") == 0)
			dir = argv[i + 1];
		else if (strcmp(argv[i], "--store") == 0)
			opts.store = argv[i + 1];
		else if (strcmp(argv[i], "--partition") == 0)
			opts.partition = argv[i + 1];
		else {
			usage(stderr);
			return 2;
		}
	}
	if (!dir || !opts.store || argc % 2) {
		usage(stderr);
		return 2;
	}
	gf_config *cfg;
	if (load_config(dir, &cfg, 0)) {
		gf_config_free(cfg);
		return 2;
	}
	opts.config = cfg;
	opts.clock = GF_CLOCK_EVENT;
	/* reading changes nothing: no lease, no rows, beside a live engine */
	opts.read_only = 1;
	gf_engine *eng;
	char err[512];
	int rc = gf_engine_open(&eng, &opts, err, sizeof(err));
	gf_config_free(cfg);
	if (rc) {
		fprintf(stderr, "gridflow: cannot open engine: %s (%s)\n", err,
			gf_errname(rc));
		return 1;
	}
	for (size_t i = 0; i < gf_engine_order_count(eng); i++)
		dump_order(stdout, gf_engine_order_at(eng, i));
	for (size_t i = 0; i < gf_engine_quarantine_count(eng); i++) {
		const gf_quarantined *q = gf_engine_quarantine_at(eng, i);
		printf("{\"type\":\"quarantine\",\"id\":%llu,\"code\":",
		       (unsigned long long)gf_quarantined_id(q));
		put_json_str(stdout, gf_errname(gf_quarantined_error(q)));
		fputs(",\"field\":", stdout);
		put_json_str(stdout, gf_quarantined_field(q));
		fputs(",\"message\":", stdout);
		put_json_str(stdout, gf_quarantined_message(q));
		fputs("}\n", stdout);
	}
	gf_engine_close(eng);
	return fflush(stdout) ? 1 : 0;
}

/* ---- calendar ------------------------------------------------------------ */

/* gridflow calendar --config DIR add FROM DURATION: the due time, for
 * platform staff checking a deadline and for tests. */
static int cmd_calendar(int argc, char **argv)
{
	const char *dir = NULL, *from = NULL, *duration = NULL;
	int i = 0;
	if (argc >= 2 && strcmp(argv[0], "--config") == 0) {
		dir = argv[1];
		i = 2;
	}
	if (!dir || argc - i != 3 || strcmp(argv[i], "add") != 0) {
		usage(stderr);
		return 2;
	}
	from = argv[i + 1];
	duration = argv[i + 2];
	gf_config *cfg;
	if (load_config(dir, &cfg, 0)) {
		gf_config_free(cfg);
		return 2;
	}
	gf_time t, due;
	int off;
	int rc = gf_time_parse(&t, &off, from, strlen(from));
	if (rc) {
		fprintf(stderr, "gridflow: %s is not an RFC 3339 time with an "
				"offset\n", from);
		gf_config_free(cfg);
		return 2;
	}
	rc = gf_config_due(cfg, t, duration, &due);
	gf_config_free(cfg);
	if (rc == GF_EVALUE) {
		fprintf(stderr, "gridflow: %s is not a duration such as 30m, "
				"2h, 3d, 4wh or 5wd\n", duration);
		return 2;
	}
	if (rc == GF_ENOTFOUND) {
		fprintf(stderr, "gridflow: working durations need "
				"calendar.json in %s\n", dir);
		return 2;
	}
	if (rc) {
		fprintf(stderr, "gridflow: %s from %s falls outside the years "
				"calendar.json covers (%s)\n",
			duration, from, gf_errname(rc));
		return 1;
	}
	char out[40];
	gf_time_format(out, sizeof(out), due, off);
	printf("%s\n", out);
	return 0;
}

/* ---- simulate -------------------------------------------------------------- */

/* Counts under the current and the candidate rule set, by key. */
struct tcount {
	char *key;
	unsigned long old, neu;
};

struct tally2 {
	struct tcount *v;
	size_t len, cap;
	size_t *slot;   /* open addressing over v's indexes, +1; 0 empty */
	size_t nslot;
};

static struct tcount *tally2_get(struct tally2 *t, const char *key)
{
	uint64_t h = fnv1a(key, strlen(key));
	if (t->len * 2 >= t->nslot) {
		size_t n = t->nslot ? t->nslot * 2 : 256;
		size_t *slot = calloc(n, sizeof(*slot));
		if (!slot)
			exit(1);
		for (size_t i = 0; i < t->len; i++) {
			uint64_t g = fnv1a(t->v[i].key, strlen(t->v[i].key));
			size_t j = (size_t)g & (n - 1);
			while (slot[j])
				j = (j + 1) & (n - 1);
			slot[j] = i + 1;
		}
		free(t->slot);
		t->slot = slot;
		t->nslot = n;
	}
	size_t j = (size_t)h & (t->nslot - 1);
	while (t->slot[j]) {
		struct tcount *c = &t->v[t->slot[j] - 1];
		if (strcmp(c->key, key) == 0)
			return c;
		j = (j + 1) & (t->nslot - 1);
	}
	if (t->len == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 128;
		t->v = realloc(t->v, t->cap * sizeof(*t->v));
		if (!t->v)
			exit(1);
	}
	struct tcount *c = &t->v[t->len];
	c->key = strdup(key);
	c->old = c->neu = 0;
	t->slot[j] = ++t->len;
	return c;
}

static void tally2_free(struct tally2 *t)
{
	for (size_t i = 0; i < t->len; i++)
		free(t->v[i].key);
	free(t->v);
	free(t->slot);
}

static int cmp_change(const void *a, const void *b)
{
	const struct tcount *x = a, *y = b;
	long dx = labs((long)x->neu - (long)x->old);
	long dy = labs((long)y->neu - (long)y->old);
	if (dx != dy)
		return dx < dy ? 1 : -1;
	return strcmp(x->key, y->key);
}

/* Whether the members of the JSON object in s (not those of the values
 * nested in it) include key, written plainly: an action has "op" at its
 * top, as gf_engine_submit_json tells them apart, while an event may
 * well carry an "op" among its attributes. */
static int has_top_key(const char *s, size_t n, const char *key)
{
	size_t klen = strlen(key);
	int depth = 0;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (c == '{' || c == '[') {
			depth++;
		} else if (c == '}' || c == ']') {
			depth--;
		} else if (c == '"') {
			size_t start = ++i;
			while (i < n && s[i] != '"')
				i += s[i] == '\\' ? 2 : 1;
			if (i >= n)
				return 0;
			size_t j = i + 1;
			while (j < n && (s[j] == ' ' || s[j] == '\t' ||
					 s[j] == '\r' || s[j] == '\n'))
				j++;
			if (depth == 1 && j < n && s[j] == ':' &&
			    i - start == klen && memcmp(s + start, key, klen) == 0)
				return 1;
		}
	}
	return 0;
}

static gf_engine *sim_engine(const char *dir, char *version, size_t vsize)
{
	gf_config *cfg;
	if (load_config(dir, &cfg, 0)) {
		gf_config_free(cfg);
		return NULL;
	}
	snprintf(version, vsize, "%s", gf_config_rules_version(cfg));
	gf_options o = GF_OPTIONS_INIT;
	o.config = cfg;
	o.clock = GF_CLOCK_EVENT;
	gf_engine *eng = NULL;
	char err[256];
	if (gf_engine_open(&eng, &o, err, sizeof(err)))
		fprintf(stderr, "gridflow: %s: %s\n", dir, err);
	gf_config_free(cfg);
	return eng;
}

static void sim_table(const char *title, struct tally2 *t, size_t top)
{
	qsort(t->v, t->len, sizeof(*t->v), cmp_change);
	/* the slot index is stale after sorting; only printing follows */
	printf("\n%s (largest changes first)\n", title);
	printf("  %-36s %9s %9s %9s\n", "", "current", "candidate", "change");
	for (size_t i = 0; i < t->len && i < top; i++)
		printf("  %-36s %9lu %9lu %+9ld\n", t->v[i].key, t->v[i].old,
		       t->v[i].neu, (long)t->v[i].neu - (long)t->v[i].old);
	if (t->len > top)
		printf("  ... %zu more\n", t->len - top);
}

static void sim_json_counts(const char *name, const struct tally2 *t)
{
	printf(",\"%s\":{", name);
	for (size_t i = 0; i < t->len; i++) {
		if (i)
			putchar(',');
		put_json_str(stdout, t->v[i].key);
		printf(":[%lu,%lu]", t->v[i].old, t->v[i].neu);
	}
	putchar('}');
}

static int cmd_simulate(int argc, char **argv)
{
	const char *dir = NULL, *against = NULL, *input = NULL;
	int json = 0;
	long nexamples = 10;
	for (int i = 0; i < argc; i++) {
		if (strcmp(argv[i], "--config") == 0 && i + 1 < argc)
			dir = argv[++i];
		else if (strcmp(argv[i], "--against") == 0 && i + 1 < argc)
			against = argv[++i];
		else if (strcmp(argv[i], "--examples") == 0 && i + 1 < argc) {
			unsigned ne;
			if (parse_uint(argv[i], argv[i + 1], 0, "N", &ne))
				return 2;
			nexamples = (long)ne;
			i++;
		} else if (strcmp(argv[i], "--json") == 0)
			json = 1;
		else if (argv[i][0] == '-' && argv[i][1]) {
			usage(stderr);
			return 2;
		} else
			input = argv[i];
	}
	if (!dir || !against || !input) {
		usage(stderr);
		return 2;
	}
	char v_old[128], v_new[128];
	gf_engine *a = sim_engine(dir, v_old, sizeof(v_old));
	gf_engine *b = a ? sim_engine(against, v_new, sizeof(v_new)) : NULL;
	if (!a || !b) {
		gf_engine_close(a);
		return 2;
	}
	FILE *in = strcmp(input, "-") == 0 ? stdin : fopen(input, "rb");
	if (!in) {
		fprintf(stderr, "gridflow: %s: %s\n", input, strerror(errno));
		gf_engine_close(a);
		gf_engine_close(b);
		return 1;
	}
	struct tally2 rules = { 0 }, depts = { 0 }, levels = { 0 };
	unsigned long events = 0, moved = 0, skipped = 0, lines = 0;
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	if (!json)
		printf("simulate: %s (rule set \"%s\") against %s (\"%s\") on %s\n",
		       dir, v_old, against, v_new, input);
	if (json)
		printf("{\"type\":\"simulate\",\"examples\":[");
	else
		printf("\norders that move (first %ld)\n", nexamples);
	while ((n = getline(&line, &cap, in)) > 0) {
		lines++;
		size_t len = (size_t)n;
		while (len && (line[len - 1] == '\n' || line[len - 1] == '\r'))
			len--;
		/* history is replayed for routing only: actions do not route */
		if (!len || has_top_key(line, len, "op"))
			continue;
		const gf_result *ra, *rb;
		if (gf_engine_ingest_json(a, line, len, &ra) != GF_OK ||
		    gf_result_outcome(ra) != GF_OUTCOME_CREATED) {
			skipped++;
			continue;
		}
		char lead_a[80], rule_a[80], lev_a[16];
		snprintf(lead_a, sizeof(lead_a), "%s", gf_result_lead(ra));
		snprintf(rule_a, sizeof(rule_a), "%s", gf_result_rule(ra));
		const gf_order *oa = gf_engine_order_find(a, gf_result_order(ra));
		snprintf(lev_a, sizeof(lev_a), "%s",
			 gf_level_name(gf_order_level(oa)));
		if (gf_engine_ingest_json(b, line, len, &rb) != GF_OK ||
		    gf_result_outcome(rb) != GF_OUTCOME_CREATED) {
			skipped++;
			continue;
		}
		events++;
		const gf_order *ob = gf_engine_order_find(b, gf_result_order(rb));
		tally2_get(&rules, rule_a)->old++;
		tally2_get(&rules, gf_result_rule(rb))->neu++;
		tally2_get(&depts, lead_a)->old++;
		tally2_get(&depts, gf_result_lead(rb))->neu++;
		tally2_get(&levels, lev_a)->old++;
		tally2_get(&levels, gf_level_name(gf_order_level(ob)))->neu++;
		if (strcmp(lead_a, gf_result_lead(rb)) != 0) {
			if ((long)moved < nexamples) {
				if (json) {
					printf("%s{\"ref\":", moved ? "," : "");
					put_json_str(stdout, gf_result_ref(rb));
					printf(",\"from\":{\"lead\":");
					put_json_str(stdout, lead_a);
					printf(",\"rule\":");
					put_json_str(stdout, rule_a);
					printf("},\"to\":{\"lead\":");
					put_json_str(stdout, gf_result_lead(rb));
					printf(",\"rule\":");
					put_json_str(stdout, gf_result_rule(rb));
					printf("}}");
				} else {
					printf("  %-28s %s (%s) -> %s (%s)\n",
					       gf_result_ref(rb), lead_a, rule_a,
					       gf_result_lead(rb),
					       gf_result_rule(rb));
				}
			}
			moved++;
		}
	}
	if (in != stdin)
		fclose(in);
	free(line);
	if (json) {
		printf("],\"current\":");
		put_json_str(stdout, v_old);
		printf(",\"candidate\":");
		put_json_str(stdout, v_new);
		printf(",\"events\":%lu,\"moved\":%lu,\"skipped\":%lu", events,
		       moved, skipped);
		sim_json_counts("by_rule", &rules);
		sim_json_counts("by_department", &depts);
		sim_json_counts("by_level", &levels);
		printf("}\n");
	} else {
		printf("\n%lu events routed under both (%lu lines, %lu skipped: "
		       "rejected or repeated); %lu orders (%.1f%%) would go to "
		       "another department\n",
		       events, lines, skipped, moved,
		       events ? 100.0 * (double)moved / (double)events : 0.0);
		sim_table("by level", &levels, 10);
		sim_table("by rule", &rules, 25);
		sim_table("by department", &depts, 25);
	}
	tally2_free(&rules);
	tally2_free(&depts);
	tally2_free(&levels);
	gf_engine_close(a);
	gf_engine_close(b);
	return 0;
}

static int command(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (strcmp(argv[1], "replay") == 0)
		return cmd_replay(argc - 2, argv + 2);
	if (strcmp(argv[1], "check") == 0)
		return cmd_check(argc - 2, argv + 2);
	if (strcmp(argv[1], "migrate") == 0)
		return cmd_migrate(argc - 2, argv + 2);
	if (strcmp(argv[1], "dump") == 0)
		return cmd_dump(argc - 2, argv + 2);
	if (strcmp(argv[1], "simulate") == 0)
		return cmd_simulate(argc - 2, argv + 2);
	if (strcmp(argv[1], "calendar") == 0)
		return cmd_calendar(argc - 2, argv + 2);
	if (strcmp(argv[1], "version") == 0) {
		printf("gridflow %s\n", gf_version());
		return 0;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "help") == 0) {
		usage(stdout);
		return 0;
	}
	usage(stderr);
	return 2;
}

int main(int argc, char **argv)
{
	int rc = command(argc, argv);
	/* output that did not reach stdout (a full disk, a closed pipe)
	 * makes a command that succeeded otherwise an I/O error; one that
	 * failed has said why already */
	if ((fflush(stdout) || ferror(stdout)) && rc == 0) {
		fprintf(stderr, "gridflow: writing output: %s\n",
			errno ? strerror(errno) : "write error");
		rc = 1;
	}
	return rc;
}
