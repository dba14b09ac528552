// A fuzz target with deliberate bugs, built only by tools/fuzz-selftest.sh to prove that
// `tools/fuzz.sh --ci` fails and prints a reproducer that replays. Never part of fuzz/.
//  - an input starting with "SEED-TRAP" traps (a crashing seed already in the corpus, as a
//    regression input that is no longer fixed would); left out with -DSELFTEST_NO_TRAP;
//  - an input starting with "FIND" reads past a heap buffer (ASan): the fuzzer has to find
//    it from the seeds, one byte comparison at a time.
#include <cstddef>
#include <cstdint>
#include <cstring>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
#ifndef SELFTEST_NO_TRAP
    if (size >= 9 && std::memcmp(data, "SEED-TRAP", 9) == 0) __builtin_trap();
#endif
    if (size >= 1 && data[0] == 'F')
        if (size >= 2 && data[1] == 'I')
            if (size >= 3 && data[2] == 'N')
                if (size >= 4 && data[3] == 'D') {
                    char* heap = new char[4];
                    std::memcpy(heap, data, 4);
                    volatile char past = heap[size];  // heap-buffer-overflow for size >= 4
                    (void)past;
                    delete[] heap;
                }
    return 0;
}
