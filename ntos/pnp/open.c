/* Opening a device by name: a device interface link, a symbolic link
 * (IoCreateSymbolicLink) or a device name, each reaching the top of the
 * device's stack with IRP_MJ_CREATE. ZwCreateFile makes a file handle of it
 * (the file object type of the handle table), IoGetDeviceObjectPointer
 * (interface.c) and the host's own opens a file object. */
#include "pnp_internal.h"

NTSTATUS io_open_device_by_name(PCUNICODE_STRING name, ACCESS_MASK access, PFILE_OBJECT *file)
{
    KE_ASSERT_IRQL_LE(PASSIVE_LEVEL);
    *file = NULL;
    if (!name || !name->Buffer || name->Length % sizeof(WCHAR))
        return STATUS_OBJECT_NAME_INVALID;
    char path[512 * 3];
    rtl_utf16_to_utf8(name->Buffer, name->Length / sizeof(WCHAR), path, sizeof path);
    PDEVICE_OBJECT top = pnp_reference_interface_target(path);
    if (!top) {
        PDEVICE_OBJECT named = ob_lookup_named_device(name);
        if (named) {
            top = IoGetAttachedDeviceReference(named);
            ObDereferenceObject(named);
        }
    }
    if (!top)
        return STATUS_OBJECT_NAME_NOT_FOUND;
    PFILE_OBJECT f = ob_create_file(top, access);
    ObDereferenceObject(top); /* the file object holds its own reference */
    if (!f)
        return STATUS_INSUFFICIENT_RESOURCES;
    NTSTATUS status = io_send_file_irp(top, f, IRP_MJ_CREATE);
    if (!NT_SUCCESS(status)) {
        ObDereferenceObject(f);
        return status;
    }
    *file = f;
    return STATUS_SUCCESS;
}

/* ---- file handles ---- */

static void file_reference(void *object)
{
    ObReferenceObject(object);
}

static void file_dereference(void *object)
{
    ObDereferenceObject(object);
}

/* The handle was the file's only one: docs, IRP_MJ_CLEANUP goes now and
 * IRP_MJ_CLOSE when the last reference (ObReferenceObjectByHandle's) goes. */
static void file_close_handle(void *object)
{
    PFILE_OBJECT file = object;
    if ((file->Flags & FO_OPENED) && !(file->Flags & FO_CLEANUP_COMPLETE))
        io_send_file_irp(file->DeviceObject, file, IRP_MJ_CLEANUP);
    ObDereferenceObject(file);
}

static struct _OBJECT_TYPE file_type = {
    .name = "File",
    .has_body = true,
    .reference = file_reference,
    .dereference = file_dereference,
    .close_handle = file_close_handle,
};
static POBJECT_TYPE file_type_pointer = &file_type;
POBJECT_TYPE *IoFileObjectType = &file_type_pointer;

size_t io_close_file_handles(void)
{
    return ob_close_handles_of_type(&file_type);
}

/* PASSIVE_LEVEL. Only devices are files here: FILE_OPEN / FILE_OPEN_IF of
 * an existing device succeed (Information FILE_OPENED); a disposition that
 * would create or overwrite is refused, as a device is neither. */
NTSTATUS NTAPI ZwCreateFile(PHANDLE FileHandle, ACCESS_MASK DesiredAccess,
                            POBJECT_ATTRIBUTES ObjectAttributes, PIO_STATUS_BLOCK IoStatusBlock,
                            PLARGE_INTEGER AllocationSize, ULONG FileAttributes, ULONG ShareAccess,
                            ULONG CreateDisposition, ULONG CreateOptions, PVOID EaBuffer,
                            ULONG EaLength)
{
    KE_ASSERT_IRQL_LE(PASSIVE_LEVEL);
    UNREFERENCED_PARAMETER(AllocationSize);
    UNREFERENCED_PARAMETER(FileAttributes);
    UNREFERENCED_PARAMETER(ShareAccess); /* devices here are shared */
    UNREFERENCED_PARAMETER(CreateOptions);
    if (!FileHandle || !ObjectAttributes || !IoStatusBlock || (EaLength && !EaBuffer))
        return STATUS_INVALID_PARAMETER;
    *FileHandle = NULL;
    NTSTATUS status = STATUS_SUCCESS;
    PFILE_OBJECT file = NULL;
    IoStatusBlock->Information = FILE_DOES_NOT_EXIST;
    if (ObjectAttributes->RootDirectory)
        status = STATUS_OBJECT_PATH_SYNTAX_BAD; /* no directories of devices to be relative to */
    else if (CreateDisposition != FILE_OPEN && CreateDisposition != FILE_OPEN_IF)
        status = STATUS_ACCESS_DENIED;
    else
        status = io_open_device_by_name(ObjectAttributes->ObjectName, DesiredAccess, &file);
    if (NT_SUCCESS(status)) {
        HANDLE h = ob_insert_handle(&file_type, file, DesiredAccess);
        if (h) {
            *FileHandle = h;
            IoStatusBlock->Information = FILE_OPENED;
        } else {
            file_close_handle(file);
            status = STATUS_INSUFFICIENT_RESOURCES;
        }
    }
    IoStatusBlock->Status = status;
    return status;
}

/* Any IRQL. docs: the device a file object's I/O goes to, not referenced. */
PDEVICE_OBJECT NTAPI IoGetRelatedDeviceObject(PFILE_OBJECT FileObject)
{
    return FileObject->DeviceObject;
}
