/*
 * testutil.h - shared by the Check suites: a main() that runs one suite,
 * and paths to the example configuration and the shared data.
 */
#ifndef GF_TESTUTIL_H
#define GF_TESTUTIL_H

#include <check.h>
#include <stdio.h>
#include <stdlib.h>

#ifndef GF_TEST_SHARED_DIR
#define GF_TEST_SHARED_DIR "../shared"
#endif

/* Run from the repository root (the Makefile does). */
#define GF_TEST_EXAMPLE_CONFIG "examples/config"

/* Each suite file defines make_suite() and ends with GF_TEST_MAIN. The
 * closing line "N passed, N failed" is read by CI and by test/run.sh. */
#define GF_TEST_MAIN                                                     \
	int main(void)                                                   \
	{                                                                \
		SRunner *sr = srunner_create(make_suite());              \
		srunner_run_all(sr, CK_NORMAL);                          \
		int run = srunner_ntests_run(sr);                        \
		int failed = srunner_ntests_failed(sr);                  \
		srunner_free(sr);                                        \
		printf("%d passed, %d failed\n", run - failed, failed);  \
		return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;        \
	}

#endif
