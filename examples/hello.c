/* hello.c - the README's example: one event in, one work order out. */
#include <stdio.h>
#include <string.h>
#include <gridflow.h>

int main(int argc, char **argv)
{
	gf_config *cfg;
	gf_engine *eng;
	const gf_result *res;
	char err[256];
	const char *ev = "{\"channel\":\"12345\",\"source_id\":\"HL1\","
		"\"received_at\":\"2026-11-23T09:15:00+08:00\","
		"\"region\":\"320506001012\",\"category\":\"city.environment.garbage\","
		"\"title\":\"小区门口垃圾堆积\"}";

	gf_config_new(&cfg);
	gf_config_load_dir(cfg, argc > 1 ? argv[1] : "examples/config");
	if (gf_config_compile(cfg) != GF_OK)
		return fprintf(stderr, "configuration has problems\n"), 1;
	gf_options opts = GF_OPTIONS_INIT;
	opts.config = cfg;             /* the engine takes its own reference */
	opts.clock = GF_CLOCK_EVENT;
	if (gf_engine_open(&eng, &opts, err, sizeof(err)) != GF_OK)
		return fprintf(stderr, "open: %s\n", err), 1;
	gf_config_free(cfg);
	if (gf_engine_ingest_json(eng, ev, strlen(ev), &res) != GF_OK)
		return fprintf(stderr, "%s\n", gf_engine_errmsg(eng)), 1;
	printf("order %s %s to %s\n", gf_result_order(res),
	       gf_state_name(gf_result_state(res)), gf_result_lead(res));
	return gf_engine_close(eng);
}
