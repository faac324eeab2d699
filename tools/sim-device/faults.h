/* The fault switches of sim-device: name and what it breaks, ended by { NULL, NULL }. */
#ifndef SIM_FAULTS_H
#define SIM_FAULTS_H

typedef struct sim_fault { const char *name; const char *what; } sim_fault;
extern const sim_fault sim_faults[];

#endif
