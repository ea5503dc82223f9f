/* Shared between the power manager's files (power.c, system.c) only. */
#ifndef NTOS_PO_INTERNAL_H
#define NTOS_PO_INTERNAL_H

#include "../private.h"

/* Drops every PoSetPowerState record (host shutdown). */
void po_forget_all(void);

#endif
