/* A raw client of battd's wire protocol (daemon/protocol.h), for tests and
 * benchmarks that must do what the library would not: send garbage, hold
 * a thousand connections, time frames. Every receive is bounded. */
#ifndef TESTS_E2E_RAW_H
#define TESTS_E2E_RAW_H

#include "protocol.h"

#include <stdbool.h>
#include <stdint.h>

int raw_connect(const char *socket);
bool raw_send(int fd, uint16_t type, uint32_t id, const void *payload, uint32_t len);
/* Next frame within timeout_ms: 1 got one, 0 timeout, -1 connection closed. */
int raw_recv(int fd, bkp_header_t *h, void *payload, uint32_t size, int timeout_ms);
/* HELLO; true if accepted. */
bool raw_hello(int fd);
/* Opens the first battery interface whose path contains `match`; handle id or 0. */
uint32_t raw_open_battery(int fd, const char *match);
/* IOCTL and its reply (bounded). Returns the NTSTATUS, or 0x7fffffff on no reply. */
int32_t raw_ioctl(int fd, uint32_t id, uint32_t handle, uint32_t code, const void *in,
                  uint32_t in_len, void *out, uint32_t out_len, uint32_t *returned, int timeout_ms);

#endif
