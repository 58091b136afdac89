/* Facts of the machine the caller runs on: stored with every experiment
 * (host) and sent in the agent's hello (guest, container or native). */
#ifndef VB_CORE_FACTS_H
#define VB_CORE_FACTS_H

#include <jansson.h>

/* {"hostname","kernel","arch","cpu_model","cores","mem_total_mib"} */
json_t *facts_collect(void);

#endif
