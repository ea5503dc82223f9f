/* battc is an export driver. Windows' loader requires an image entry point
 * even for export drivers, though it never calls it for one loaded as an
 * import; battkit's loader maps battc.so as an export driver and calls no
 * entry at all, so this file is empty in the Linux build. */
#ifdef _WIN32
#include <ntddk.h>

DRIVER_INITIALIZE DriverEntry;

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(DriverObject);
    UNREFERENCED_PARAMETER(RegistryPath);
    return STATUS_SUCCESS;
}
#else
typedef int battc_entry_windows_only; /* keeps the translation unit non-empty */
#endif
