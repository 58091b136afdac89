/* Where a unit test's golden files are, and whether to rewrite them: one
 * place for every test that compares with tests/golden/.
 *
 *   golden_find_dir(dir, sizeof(dir), __FILE__, "qemu", NULL);
 *
 * gives $VB_GOLDEN_DIR (with "/ENV_SUB" appended when env_sub is not NULL)
 * or tests/golden/SUB next to the test's source; golden_regen() is true
 * under VB_REGEN_GOLDEN=1 (any value but "" and "0"). */
#ifndef VB_TESTS_GOLDEN_H
#define VB_TESTS_GOLDEN_H

#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static inline void golden_find_dir(char *dir, size_t n, const char *src, const char *sub,
				   const char *env_sub)
{
	const char *env = getenv("VB_GOLDEN_DIR");
	if (env && *env) {
		snprintf(dir, n, "%s%s%s", env, env_sub ? "/" : "", env_sub ? env_sub : "");
		return;
	}
	char file[PATH_MAX];
	snprintf(file, sizeof(file), "%s", src);
	snprintf(dir, n, "%s/../golden/%s", dirname(file), sub);
}

static inline int golden_regen(void)
{
	const char *e = getenv("VB_REGEN_GOLDEN");
	return e && *e && strcmp(e, "0") != 0;
}

#endif
