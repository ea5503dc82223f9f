/* Device and file objects: creation, deletion, reference counts and device
 * stacks. A device object's memory (object + extension + host extension) is
 * one pool block freed when the last reference goes after IoDeleteDevice. */
#include "../private.h"

#include <stdio.h>

#define DEVICE_TAG 'veDI'
#define FILE_TAG 'liFI'

static pthread_mutex_t ob_lock = PTHREAD_MUTEX_INITIALIZER;
static LIST_ENTRY named_devices = {&named_devices, &named_devices};
static size_t live_devices;

size_t ob_live_devices(void)
{
    return live_devices;
}

NTSTATUS NTAPI IoCreateDevice(PDRIVER_OBJECT DriverObject, ULONG DeviceExtensionSize,
                              PUNICODE_STRING DeviceName, DEVICE_TYPE DeviceType,
                              ULONG DeviceCharacteristics, BOOLEAN Exclusive,
                              PDEVICE_OBJECT *DeviceObject)
{
    KE_ASSERT_IRQL_LE(PASSIVE_LEVEL);
    *DeviceObject = NULL;
    size_t ext = ALIGN_UP_BY(DeviceExtensionSize, 16);
    size_t name_bytes = DeviceName ? DeviceName->Length : 0;
    size_t total = ALIGN_UP_BY(sizeof(DEVICE_OBJECT), 16) + ext + sizeof(DEVOBJ_EXTENSION) +
                   name_bytes + sizeof(WCHAR);
    UCHAR *mem = ex_alloc(NonPagedPoolNx, total, DEVICE_TAG, true, __builtin_return_address(0));
    if (!mem)
        return STATUS_INSUFFICIENT_RESOURCES;
    PDEVICE_OBJECT dev = (PDEVICE_OBJECT)mem;
    DEVOBJ_EXTENSION *dx = (DEVOBJ_EXTENSION *)(mem + ALIGN_UP_BY(sizeof(DEVICE_OBJECT), 16) + ext);
    dev->Type = IO_TYPE_DEVICE;
    dev->Size = (USHORT)sizeof(DEVICE_OBJECT);
    dev->ReferenceCount = 1; /* the creator's: dropped by IoDeleteDevice */
    dev->DriverObject = DriverObject;
    dev->DeviceExtension = DeviceExtensionSize ? mem + ALIGN_UP_BY(sizeof(DEVICE_OBJECT), 16) : NULL;
    dev->DeviceType = DeviceType;
    dev->Characteristics = DeviceCharacteristics;
    dev->StackSize = 1;
    dev->Flags = DO_DEVICE_INITIALIZING | (Exclusive ? DO_EXCLUSIVE : 0);
    dev->DeviceObjectExtension = dx;
    dx->DeviceObject = dev;
    InitializeListHead(&dx->NamedLink);
    pthread_mutex_lock(&ob_lock);
    if (DeviceName && DeviceName->Length) {
        for (PLIST_ENTRY e = named_devices.Flink; e != &named_devices; e = e->Flink) {
            DEVOBJ_EXTENSION *other = CONTAINING_RECORD(e, DEVOBJ_EXTENSION, NamedLink);
            if (RtlEqualUnicodeString(&other->Name, DeviceName, TRUE)) {
                pthread_mutex_unlock(&ob_lock);
                ex_free(mem, DEVICE_TAG, true);
                return STATUS_OBJECT_NAME_COLLISION;
            }
        }
        dx->Name.Buffer = (PWSTR)(dx + 1);
        memcpy(dx->Name.Buffer, DeviceName->Buffer, name_bytes);
        dx->Name.Length = (USHORT)name_bytes;
        dx->Name.MaximumLength = (USHORT)(name_bytes + sizeof(WCHAR));
        InsertTailList(&named_devices, &dx->NamedLink);
        dev->Flags |= DO_DEVICE_HAS_NAME;
    }
    dev->NextDevice = DriverObject->DeviceObject;
    DriverObject->DeviceObject = dev;
    live_devices++;
    pthread_mutex_unlock(&ob_lock);
    *DeviceObject = dev;
    return STATUS_SUCCESS;
}

static void free_device(PDEVICE_OBJECT dev)
{
    pthread_mutex_lock(&ob_lock);
    live_devices--;
    pthread_mutex_unlock(&ob_lock);
    ex_free(dev, DEVICE_TAG, true);
}

void NTAPI IoDeleteDevice(PDEVICE_OBJECT DeviceObject)
{
    KE_ASSERT_IRQL_LE(PASSIVE_LEVEL);
    DEVOBJ_EXTENSION *dx = DeviceObject->DeviceObjectExtension;
    pthread_mutex_lock(&ob_lock);
    if (dx->DeletePending) {
        pthread_mutex_unlock(&ob_lock);
        KeBugCheckEx(0x0000001E, (ULONG_PTR)DeviceObject, 0, 0, 0); /* deleted twice */
    }
    dx->DeletePending = true;
    if (!IsListEmpty(&dx->NamedLink))
        RemoveEntryList(&dx->NamedLink);
    InitializeListHead(&dx->NamedLink);
    PDEVICE_OBJECT *link = &DeviceObject->DriverObject->DeviceObject;
    while (*link && *link != DeviceObject)
        link = &(*link)->NextDevice;
    if (*link)
        *link = DeviceObject->NextDevice;
    pthread_mutex_unlock(&ob_lock);
    ObDereferenceObject(DeviceObject);
}

void NTAPI ObReferenceObject(PVOID Object)
{
    PDEVICE_OBJECT dev = Object;
    if (dev->Type == IO_TYPE_DEVICE)
        __atomic_add_fetch(&dev->ReferenceCount, 1, __ATOMIC_SEQ_CST);
    else if (((PFILE_OBJECT)Object)->Type == IO_TYPE_FILE)
        __atomic_add_fetch(&((PFILE_OBJECT)Object)->ReferenceCount, 1, __ATOMIC_SEQ_CST);
    else
        KeBugCheckEx(0x18 /* REFERENCE_BY_POINTER */, (ULONG_PTR)Object, 0, 0, 0);
}

void NTAPI ObDereferenceObject(PVOID Object)
{
    PDEVICE_OBJECT dev = Object;
    if (dev->Type == IO_TYPE_FILE) {
        /* A file object holds one reference on its device; freeing the file
         * object drops it. */
        PFILE_OBJECT file = Object;
        if (__atomic_sub_fetch(&file->ReferenceCount, 1, __ATOMIC_SEQ_CST) > 0)
            return;
        PDEVICE_OBJECT target = file->DeviceObject;
        file->Type = 0;
        ex_free(file, FILE_TAG, true);
        ObDereferenceObject(target);
        return;
    }
    if (dev->Type != IO_TYPE_DEVICE) {
        fprintf(stderr, "ObDereferenceObject: %p is not an object\n", Object);
        KeBugCheckEx(0x18 /* REFERENCE_BY_POINTER */, (ULONG_PTR)Object, 0, 0, 0);
    }
    LONG left = __atomic_sub_fetch(&dev->ReferenceCount, 1, __ATOMIC_SEQ_CST);
    if (left < 0)
        KeBugCheckEx(0x18, (ULONG_PTR)Object, (ULONG_PTR)left, 0, 0);
    if (left == 0) {
        if (!dev->DeviceObjectExtension->DeletePending)
            KeBugCheckEx(0x18, (ULONG_PTR)Object, 0, 1, 0); /* last ref before delete */
        free_device(dev);
    }
}

PFILE_OBJECT ob_create_file(PDEVICE_OBJECT device, ACCESS_MASK access)
{
    PFILE_OBJECT file = ex_alloc(NonPagedPoolNx, sizeof(FILE_OBJECT), FILE_TAG, true, NULL);
    if (!file)
        return NULL;
    file->Type = IO_TYPE_FILE;
    file->Size = sizeof(FILE_OBJECT);
    file->DeviceObject = device;
    file->GrantedAccess = access;
    file->ReferenceCount = 1;
    ObReferenceObject(device);
    return file;
}

/* ---- stacks ---- */
static PDEVICE_OBJECT top_of(PDEVICE_OBJECT dev)
{
    while (dev->AttachedDevice)
        dev = dev->AttachedDevice;
    return dev;
}

PDEVICE_OBJECT NTAPI IoAttachDeviceToDeviceStack(PDEVICE_OBJECT SourceDevice,
                                                 PDEVICE_OBJECT TargetDevice)
{
    pthread_mutex_lock(&ob_lock);
    PDEVICE_OBJECT top = top_of(TargetDevice);
    if (top->DeviceObjectExtension->DeletePending) {
        pthread_mutex_unlock(&ob_lock);
        return NULL;
    }
    top->AttachedDevice = SourceDevice;
    SourceDevice->StackSize = (CCHAR)(top->StackSize + 1);
    SourceDevice->AlignmentRequirement = top->AlignmentRequirement;
    SourceDevice->DeviceObjectExtension->AttachedTo = top;
    __atomic_add_fetch(&top->ReferenceCount, 1, __ATOMIC_SEQ_CST);
    pthread_mutex_unlock(&ob_lock);
    return top;
}

void NTAPI IoDetachDevice(PDEVICE_OBJECT TargetDevice)
{
    pthread_mutex_lock(&ob_lock);
    PDEVICE_OBJECT above = TargetDevice->AttachedDevice;
    if (above) {
        above->DeviceObjectExtension->AttachedTo = NULL;
        TargetDevice->AttachedDevice = NULL;
    }
    pthread_mutex_unlock(&ob_lock);
    if (above)
        ObDereferenceObject(TargetDevice);
}

PDEVICE_OBJECT NTAPI IoGetAttachedDeviceReference(PDEVICE_OBJECT DeviceObject)
{
    pthread_mutex_lock(&ob_lock);
    PDEVICE_OBJECT top = top_of(DeviceObject);
    __atomic_add_fetch(&top->ReferenceCount, 1, __ATOMIC_SEQ_CST);
    pthread_mutex_unlock(&ob_lock);
    return top;
}

PDEVICE_OBJECT NTAPI IoGetLowerDeviceObject(PDEVICE_OBJECT DeviceObject)
{
    pthread_mutex_lock(&ob_lock);
    PDEVICE_OBJECT lower = DeviceObject->DeviceObjectExtension->AttachedTo;
    if (lower)
        __atomic_add_fetch(&lower->ReferenceCount, 1, __ATOMIC_SEQ_CST);
    pthread_mutex_unlock(&ob_lock);
    return lower;
}

PDEVICE_OBJECT ob_lower_device(PDEVICE_OBJECT device)
{
    return device->DeviceObjectExtension->AttachedTo;
}

PDEVICE_OBJECT ob_lookup_named_device(PCUNICODE_STRING name)
{
    PDEVICE_OBJECT found = NULL;
    pthread_mutex_lock(&ob_lock);
    for (PLIST_ENTRY e = named_devices.Flink; e != &named_devices; e = e->Flink) {
        DEVOBJ_EXTENSION *dx = CONTAINING_RECORD(e, DEVOBJ_EXTENSION, NamedLink);
        if (RtlEqualUnicodeString(&dx->Name, name, TRUE)) {
            found = dx->DeviceObject;
            __atomic_add_fetch(&found->ReferenceCount, 1, __ATOMIC_SEQ_CST);
            break;
        }
    }
    pthread_mutex_unlock(&ob_lock);
    return found;
}
