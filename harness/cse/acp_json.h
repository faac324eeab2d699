/* The body of an m2m:acp resource (TS-0004 Table 7.4.2.1-3; rule: §6.3.5.27, short names
 * §8.2.3) as an acp_policy: pv/pvs -> acr[] -> acor, acop, acaf, acco[] (actw, acip.ipv4/ipv6
 * pooled into the rule), acod[].chty. */
#ifndef M2M_ACP_JSON_H
#define M2M_ACP_JSON_H
#include <jansson.h>
#include "acp.h"

/* acp is the object inside "m2m:acp". need_pvs: CREATE (pv and pvs mandatory, pvs with at
 * least one rule). NULL with a reason in err when malformed. */
acp_policy *acp_policy_from_json(const json_t *acp, const char *id, int need_pvs, char *err, size_t errlen);

#endif
