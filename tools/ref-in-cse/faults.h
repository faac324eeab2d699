/* The fault switches of ref-in-cse: name and what it breaks, ended by a NULL name. */
#ifndef REF_FAULTS_H
#define REF_FAULTS_H
#include "../common/peer_util.h"

extern const peer_fault ref_faults[];
/* The ACP_FAULT_* bits (cse/acp.h) fault sets in access decisions; 0 for the others. */
unsigned ref_fault_acp_bits(const char *fault);

#endif
