/* Helpers for the ACPI bus tests: evaluating a method on a child PDO with
 * a real IRP (IoBuildDeviceIoControlRequest, as a function driver does),
 * reading elements of the returned package, and registering for Notify
 * through the ACPI interface. The test thread runs at PASSIVE_LEVEL. */
#ifndef BK_TEST_ACPI_UTIL_H
#define BK_TEST_ACPI_UTIL_H

#include <wdm.h>
#include <acpiioct.h>
#include <wdmguid.h>

/* IOCTL_ACPI_EVAL_METHOD with an ACPI_EVAL_INPUT_BUFFER (or the integer
 * form when has_arg). Returns the IRP's status; *info = Information. */
NTSTATUS acpi_eval(PDEVICE_OBJECT pdo, const char name[4], int has_arg, ULONG arg, void *out,
                   ULONG out_len, ULONG_PTR *info);
/* Any input buffer, any code. */
NTSTATUS acpi_ioctl(PDEVICE_OBJECT pdo, ULONG code, const void *in, ULONG in_len, void *out,
                    ULONG out_len, ULONG_PTR *info);
/* Element i of a returned package (walks with ACPI_METHOD_NEXT_ARGUMENT);
 * NULL past the end. */
PACPI_METHOD_ARGUMENT acpi_element(void *out, ULONG i);
/* The integer element i, or 0xDEADBEEF when it is not an integer. */
ULONG acpi_int(void *out, ULONG i);
/* Evaluates a method returning one integer; 0xDEADBEEF on failure. */
ULONG acpi_eval_int(PDEVICE_OBJECT pdo, const char name[4]);

/* Notify values received through RegisterForDeviceNotifications. */
typedef struct acpi_notes {
    int count;
    ULONG value[64];
} acpi_notes_t;
/* Queries GUID_ACPI_INTERFACE_STANDARD with IRP_MN_QUERY_INTERFACE. */
NTSTATUS acpi_query_interface(PDEVICE_OBJECT pdo, PACPI_INTERFACE_STANDARD iface);
NTSTATUS acpi_listen(PDEVICE_OBJECT pdo, PACPI_INTERFACE_STANDARD iface, acpi_notes_t *notes);
void acpi_unlisten(PDEVICE_OBJECT pdo, PACPI_INTERFACE_STANDARD iface);
int acpi_notes_has(const acpi_notes_t *notes, ULONG value);

#endif
