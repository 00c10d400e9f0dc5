/*
 * fixture.h - a small configuration and helpers for the engine-level
 * suites. Public API only: these suites also run against the shared
 * library.
 */
#ifndef GF_FIXTURE_H
#define GF_FIXTURE_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "gridflow.h"
#include "testutil.h"

static const char fx_directory[] =
	"{\"version\":\"fixture-1\",\"regions\":["
	"{\"code\":\"320500000000\",\"name\":\"苏州市\"},"
	"{\"code\":\"320506000000\",\"name\":\"吴中区\"},"
	"{\"code\":\"320506001000\",\"name\":\"长桥街道\"},"
	"{\"code\":\"320506001001\",\"name\":\"新家社区居委会\"},"
	"{\"code\":\"320506001002\",\"name\":\"龙西社区居委会\"},"
	"{\"code\":\"320506001001-01\",\"name\":\"新家社区第1网格\"},"
	"{\"code\":\"320506103000\",\"name\":\"木渎镇\"},"
	"{\"code\":\"320506103001\",\"name\":\"金山社区居委会\"},"
	"{\"code\":\"320508000000\",\"name\":\"姑苏区\"},"
	"{\"code\":\"320508001000\",\"name\":\"平江街道\"},"
	"{\"code\":\"320508001001\",\"name\":\"平江社区居委会\"}],"
	"\"departments\":["
	"{\"id\":\"sz-zhzx\",\"name\":\"苏州市社会治理综合指挥中心\",\"region\":\"320500000000\",\"function\":\"command_centre\"},"
	"{\"id\":\"wz-zhzx\",\"name\":\"吴中区社会治理综合指挥中心\",\"region\":\"320506000000\",\"function\":\"command_centre\"},"
	"{\"id\":\"gs-zhzx\",\"name\":\"姑苏区社会治理综合指挥中心\",\"region\":\"320508000000\",\"function\":\"command_centre\"},"
	"{\"id\":\"t-cq-cg\",\"name\":\"长桥街道城管中队\",\"region\":\"320506001000\",\"function\":\"urban_mgmt\"},"
	"{\"id\":\"t-cq-pcs\",\"name\":\"长桥派出所\",\"region\":\"320506001000\",\"function\":\"police\"},"
	"{\"id\":\"t-md-cg\",\"name\":\"木渎镇城管中队\",\"region\":\"320506103000\",\"function\":\"urban_mgmt\"},"
	"{\"id\":\"d-wz-xf\",\"name\":\"吴中区信访局\",\"region\":\"320506000000\",\"function\":\"petition\"}],"
	"\"categories\":["
	"{\"code\":\"city\",\"name\":\"城市管理\"},"
	"{\"code\":\"city.environment\",\"name\":\"市容环境\"},"
	"{\"code\":\"city.environment.garbage\",\"name\":\"垃圾堆积\"},"
	"{\"code\":\"police\",\"name\":\"公安\"},"
	"{\"code\":\"police.fight\",\"name\":\"打架斗殴\",\"urgency\":\"urgent\"},"
	"{\"code\":\"dispute\",\"name\":\"矛盾纠纷\"},"
	"{\"code\":\"dispute.07\",\"name\":\"劳动人事\"},"
	"{\"code\":\"dispute.07.wage_arrears\",\"name\":\"拖欠工资\",\"urgency\":\"urgent\"}]}";

static const char fx_rules[] =
	"{\"version\":\"fixture-rules-1\",\"fallback\":\"sz-zhzx\",\"tables\":[]}";

/* The fixture directory with the given rules.json and sla.json (NULL:
 * none); the configuration must compile. */
static inline gf_config *fx_config_with(const char *rules, const char *sla)
{
	gf_config *cfg;
	ck_assert_int_eq(gf_config_new(&cfg), GF_OK);
	ck_assert_int_eq(gf_config_set_file(cfg, "directory.json",
					    fx_directory, strlen(fx_directory)),
			 GF_OK);
	ck_assert_int_eq(gf_config_set_file(cfg, "rules.json", rules,
					    strlen(rules)),
			 GF_OK);
	if (sla)
		ck_assert_int_eq(gf_config_set_file(cfg, "sla.json", sla,
						    strlen(sla)),
				 GF_OK);
	if (gf_config_compile(cfg) != GF_OK) {
		for (size_t i = 0; i < gf_config_problem_count(cfg); i++) {
			const char *f, *p, *m;
			gf_config_problem(cfg, i, &f, &p, &m);
			fprintf(stderr, "fixture config: %s %s %s\n", f, p, m);
		}
		ck_abort_msg("fixture config does not compile");
	}
	return cfg;
}

static inline gf_config *fx_config(void)
{
	return fx_config_with(fx_rules, NULL);
}

/* Notices seen, for assertions. */
typedef struct fx_notices {
	int count[16];
	char last[16][256];
} fx_notices;

static inline void fx_on_notice(void *data, const gf_notice *n)
{
	fx_notices *s = data;
	int k = (int)gf_notice_kind_of(n);
	if (k >= 0 && k < 16) {
		s->count[k]++;
		snprintf(s->last[k], sizeof(s->last[k]), "%s",
			 gf_notice_message(n));
	}
}

/* Open an engine on the fixture with the event clock. store may be NULL
 * (memory). */
static inline gf_engine *fx_open(const char *store, fx_notices *notices)
{
	gf_config *cfg = fx_config();
	gf_options o = GF_OPTIONS_INIT;
	static const unsigned char key[] = "fixture-reporter-key";
	o.config = cfg;
	o.store = store;
	o.clock = GF_CLOCK_EVENT;
	o.sync = GF_SYNC_NEVER;
	o.reporter_key = key;
	o.reporter_key_len = sizeof(key) - 1;
	o.notice = notices ? fx_on_notice : NULL;
	o.notice_data = notices;
	gf_engine *eng;
	char err[256];
	int rc = gf_engine_open(&eng, &o, err, sizeof(err));
	gf_config_free(cfg);
	ck_assert_msg(rc == GF_OK, "open: %s", err);
	return eng;
}

/* An event line: channel, source id, minute of 2026-11-23 09:00 +08:00,
 * region, category. */
static inline const char *fx_event(char *buf, size_t size, const char *ch,
				   const char *sid, int minute,
				   const char *region, const char *category)
{
	snprintf(buf, size,
		 "{\"channel\":\"%s\",\"source_id\":\"%s\","
		 "\"received_at\":\"2026-11-23T%02d:%02d:00+08:00\","
		 "\"region\":\"%s\",\"category\":\"%s\","
		 "\"title\":\"小区门口垃圾堆积\",\"content\":\"垃圾多日无人清理。\","
		 "\"reporter\":{\"phone\":\"138-0000-0001\"}}",
		 ch, sid, 9 + minute / 60, minute % 60, region, category);
	return buf;
}

/* Ingest an event that must be created; returns the order id (static). */
static inline const char *fx_create(gf_engine *eng, const char *sid,
				    int minute)
{
	static char id[64];
	char buf[1024];
	const gf_result *r;
	fx_event(buf, sizeof(buf), "12345", sid, minute, "320506001001",
		 "city.environment.garbage");
	int rc = gf_engine_ingest_json(eng, buf, strlen(buf), &r);
	ck_assert_msg(rc == GF_OK, "ingest %s: %s", sid,
		      gf_engine_errmsg(eng));
	ck_assert_int_eq(gf_result_outcome(r), GF_OUTCOME_CREATED);
	snprintf(id, sizeof(id), "%s", gf_result_order(r));
	return id;
}

/* Apply a JSON action; returns the code. */
static inline int fx_act(gf_engine *eng, const char *json)
{
	const gf_result *r;
	return gf_engine_apply_json(eng, json, strlen(json), &r);
}

/* A fresh temporary directory; the caller removes it with fx_rmdir. */
static inline char *fx_tmpdir(void)
{
	char *d = strdup("/tmp/gf-test-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(d));
	return d;
}

static inline void fx_rmdir(char *d)
{
	char cmd[512];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", d);
	ck_assert_int_eq(system(cmd), 0);
	free(d);
}

#endif
