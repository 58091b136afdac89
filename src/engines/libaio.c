/* PLACEHOLDER until the real engine lands: replace this whole file. */
#include "engines/engine.h"
static const char *ph_unavailable(void) { return "not built yet"; }
const struct engine_ops libaio_engine = { .name = "libaio", .unavailable = ph_unavailable };
