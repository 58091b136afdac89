#include <string.h>

#include "engines/engine.h"

#define VB_ENGINE(n) extern const struct engine_ops n##_engine;
#include "engines/engine_list.h"
#undef VB_ENGINE

static const struct engine_ops *const all[] = {
#define VB_ENGINE(n) &n##_engine,
#include "engines/engine_list.h"
#undef VB_ENGINE
	NULL,
};

const struct engine_ops *const *engine_all(void)
{
	return all;
}

const struct engine_ops *engine_find(const char *name)
{
	for (int i = 0; all[i]; i++)
		if (strcmp(all[i]->name, name) == 0)
			return all[i];
	return NULL;
}
