/* PLACEHOLDER until the real engine lands: replace this whole file. */
#include "engines/engine.h"
static const char *ph_unavailable(void) { return "not built yet"; }
const struct engine_ops psync_engine = { .name = "psync", .unavailable = ph_unavailable };
