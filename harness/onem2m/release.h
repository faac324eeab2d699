/* oneM2M releases: the values of the Release Version Indicator (rvi) and of
 * supportedReleaseVersions (srv): "1", "2", "2a", "3", "4", "5". One function gives what the
 * harness and both reference peers write for a release, so no call site hard-codes one.
 *
 * TS-0004 §7.3.1.1: "The Release Version Indicator parameter shall be included unless the
 * primitive is being sent to a Release 1 entity." §7.3.2.1: "If the Release Version Indicator
 * is not present in the request the Receiver CSE shall add the Release Version Indicator with
 * value set to 1." and "If the Receiver CSE is the Hosting CSE and it does not support the
 * release value present in the Release Version Indicator then the request shall be rejected
 * with a Response Status Code indicating a "RELEASE_VERSION_NOT_SUPPORTED" error." (4001) */
#ifndef M2M_RELEASE_H
#define M2M_RELEASE_H

/* Ordered codes, so "from Release 3 on" is rel >= M2M_REL_3; 0 = not a release. */
enum { M2M_REL_1 = 10, M2M_REL_2 = 20, M2M_REL_2A = 25, M2M_REL_3 = 30, M2M_REL_4 = 40, M2M_REL_5 = 50 };
#define M2M_REL_DEFAULT M2M_REL_3

/* "1", "2", "2a", "3", "4", "5" -> code; anything else (also "2A", " 3", NULL) -> 0. */
int m2m_release_parse(const char *s);
/* code -> "1" ... "5"; NULL for a code that is no release. */
const char *m2m_release_name(int rel);
/* The rvi a request or response of that release carries: NULL for Release 1 (no rvi: that
 * release has none), else the release's name. */
const char *m2m_release_rvi(int rel);
/* The release a received request is of: no rvi -> Release 1 (§7.3.2.1); an rvi that names no
 * release -> 0 (not supported by anyone: 4001). */
int m2m_release_of_rvi(const char *rvi);
/* Bit of a release in a set of supported releases (registrar_support_release). */
unsigned m2m_release_bit(int rel);
/* The set a Hosting CSE of release rel supports by default: its own release and every
 * release from 2a up to it. Release 1 (requests without rvi) only when rel is Release 1. */
unsigned m2m_release_default_set(int rel);

#endif
