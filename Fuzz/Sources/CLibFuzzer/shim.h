#include <stddef.h>
#include <stdint.h>

// libFuzzer's driver (libclang_rt.fuzzer_no_main, linked by tools/fuzz/run.sh): parses the flags, then calls `test`
// on every input it generates or reads.
int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*test)(const uint8_t *data, size_t size));
