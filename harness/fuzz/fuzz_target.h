/* The entry point libFuzzer calls with each input; every target here defines it. */
#ifndef M2M_FUZZ_TARGET_H
#define M2M_FUZZ_TARGET_H
#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#endif
