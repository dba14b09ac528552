// Start-up code and semihosting for the smtpp Cortex-M4 example (no C library start-up
// files, no heap, no static constructors: the firmware has none).
#include <cstdint>

#include "semihost.hpp"

extern "C" {
extern std::uint32_t __data_load, __data_start, __data_end, __bss_start, __bss_end, __stack_top;
int firmware_main();

// Semihosting call (Arm semihosting spec: BKPT 0xAB, operation in r0, argument in r1).
int semihost_call(int op, const void* arg) {
    int result;
    __asm__ volatile("mov r0, %1\n\tmov r1, %2\n\tbkpt 0xAB\n\tmov %0, r0"
                     : "=r"(result)
                     : "r"(op), "r"(arg)
                     : "r0", "r1", "memory");
    return result;
}

[[noreturn]] void semihost_exit(int code) {
    // SYS_EXIT with ADP_Stopped_ApplicationExit (0x20026), or RunTimeErrorUnknown (0x20023):
    // qemu exits with 0 or 1.
    semihost_call(0x18, reinterpret_cast<const void*>(code == 0 ? 0x20026 : 0x20023));
    for (;;) {
    }
}

[[noreturn]] void Reset_Handler() {
    for (std::uint32_t *src = &__data_load, *dst = &__data_start; dst < &__data_end;) *dst++ = *src++;
    for (std::uint32_t* dst = &__bss_start; dst < &__bss_end;) *dst++ = 0;
    semihost_exit(firmware_main());
}

[[noreturn]] void Fault_Handler() {
    semihost_write("fault\n");
    semihost_exit(3);
}

__attribute__((section(".vectors"), used)) const void* const vector_table[16] = {
    &__stack_top,
    reinterpret_cast<const void*>(&Reset_Handler),
    reinterpret_cast<const void*>(&Fault_Handler),  // NMI
    reinterpret_cast<const void*>(&Fault_Handler),  // HardFault
    reinterpret_cast<const void*>(&Fault_Handler),  // MemManage
    reinterpret_cast<const void*>(&Fault_Handler),  // BusFault
    reinterpret_cast<const void*>(&Fault_Handler),  // UsageFault
};
}

void semihost_write(const char* s) { semihost_call(0x04, s); }  // SYS_WRITE0
