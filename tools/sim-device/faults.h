/* The fault switches of sim-device: name and what it breaks (no bits), ended by a NULL name. */
#ifndef SIM_FAULTS_H
#define SIM_FAULTS_H

#include "../common/peer_util.h"

extern const peer_fault sim_faults[];

#endif
