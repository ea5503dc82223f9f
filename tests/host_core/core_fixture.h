/* A bare host for core tests: clock + dispatcher, no PnP, and a driver
 * object made by hand so IoCreateDevice and IoCallDriver have an owner. */
#ifndef CORE_FIXTURE_H
#define CORE_FIXTURE_H

#include "private.h"
#include "bk_test.h"

extern DRIVER_OBJECT fixture_driver;
void fixture_start(clk_mode_t mode);
void fixture_stop(void);
/* Advances virtual time by ms milliseconds. */
void fixture_advance_ms(uint64_t ms);
PDEVICE_OBJECT fixture_device(PDRIVER_DISPATCH dispatch, ULONG extension);
void fixture_delete(PDEVICE_OBJECT dev);

/* Runs fn in a child process; returns 1 if it aborted (a bugcheck or an
 * IRQL assertion), 0 if it returned normally. */
int fixture_dies(void (*fn)(void));
#endif
