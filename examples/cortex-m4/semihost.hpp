// Output through semihosting (the debugger or qemu prints it): the firmware's only I/O.
#ifndef SMTPP_FIRMWARE_SEMIHOST_HPP
#define SMTPP_FIRMWARE_SEMIHOST_HPP

/// Writes a NUL-terminated string (SYS_WRITE0).
void semihost_write(const char* s);

#endif
