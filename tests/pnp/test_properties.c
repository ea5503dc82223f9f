/* IoGetDeviceProperty, IoOpenDeviceRegistryKey and what the PnP manager
 * writes in the registry (bindings, Enum keys). */
#include "pnp_fixture.h"
#include "registry/registry.h"

#include <stdlib.h>

#define ENUM "\\Registry\\Machine\\System\\CurrentControlSet\\Enum\\"

/* The property as UTF-8 ('|' between MULTI_SZ entries). */
static NTSTATUS property(bk_device_t *dev, DEVICE_REGISTRY_PROPERTY p, char *out, size_t len)
{
    WCHAR buf[256];
    ULONG got = 0;
    out[0] = 0;
    NTSTATUS s = IoGetDeviceProperty(bk_device_pdo(dev), p, sizeof buf, buf, &got);
    if (!NT_SUCCESS(s))
        return s;
    size_t chars = got / sizeof(WCHAR), o = 0;
    for (size_t i = 0; i < chars && o + 1 < len; i++) {
        if (buf[i] == 0) {
            if (i + 1 < chars && buf[i + 1] != 0)
                out[o++] = '|';
            continue;
        }
        out[o++] = (char)buf[i];
    }
    out[o] = 0;
    return s;
}

static bk_device_t *started_child(bk_host_t *h)
{
    bk_host_bind(h, "PNPTEST\\DEV_A", fx_fn.service, fx_fn.path);
    if (!NT_SUCCESS(fx_add_bus(h, NULL)) || !NT_SUCCESS(fx_set_children(h, 0x1)))
        return NULL;
    return bk_host_find_device(h, "PNPTEST\\DEV_A\\0");
}

TEST(device_property_answers_from_the_bus_reports)
{
    bk_host_t *h = fx_start();
    char text[512];
    bk_device_t *child = started_child(h);
    REQUIRE(child);
    CHECK_STATUS(property(child, DevicePropertyHardwareID, text, sizeof text), STATUS_SUCCESS);
    CHECK_STR(text, "PNPTEST\\DEV_A|PNPTEST\\DEV_A_REV1");
    CHECK_STATUS(property(child, DevicePropertyCompatibleIDs, text, sizeof text), STATUS_SUCCESS);
    CHECK_STR(text, "PNPTEST\\COMPAT");
    CHECK_STATUS(property(child, DevicePropertyDeviceDescription, text, sizeof text),
                 STATUS_SUCCESS);
    CHECK_STR(text, "PnP test child 0");
    CHECK_STATUS(property(child, DevicePropertyLocationInformation, text, sizeof text),
                 STATUS_SUCCESS);
    CHECK_STR(text, "slot 0");
    CHECK_STATUS(property(child, DevicePropertyEnumeratorName, text, sizeof text), STATUS_SUCCESS);
    CHECK_STR(text, "PNPTEST");
    CHECK_STATUS(property(child, DevicePropertyPhysicalDeviceObjectName, text, sizeof text),
                 STATUS_SUCCESS);
    CHECK_STR(text, "\\Device\\PnpTestChild0_1");
    /* Bound without a class: the System class's software key. */
    CHECK_STATUS(property(child, DevicePropertyDriverKeyName, text, sizeof text), STATUS_SUCCESS);
    CHECK(strncmp(text, "{4d36e97d-e325-11ce-bfc1-08002be10318}\\", 39) == 0);
    CHECK_STATUS(property(child, DevicePropertyClassGuid, text, sizeof text),
                 STATUS_OBJECT_NAME_NOT_FOUND);
    CHECK_EQ(fx_stop(h), 0);
}

TEST(device_property_short_buffer_reports_needed_length)
{
    bk_host_t *h = fx_start();
    bk_device_t *dev = NULL;
    WCHAR small[2];
    ULONG got = 0;
    REQUIRE(NT_SUCCESS(fx_add_fn(h, "PNPTEST\\FN", &dev)));
    /* "PNPTEST\FN" NUL NUL: 12 WCHARs. */
    CHECK_STATUS(IoGetDeviceProperty(bk_device_pdo(dev), DevicePropertyHardwareID, sizeof small,
                                     small, &got),
                 STATUS_BUFFER_TOO_SMALL);
    CHECK_EQ(got, 12 * sizeof(WCHAR));
    got = 0;
    CHECK_STATUS(
        IoGetDeviceProperty(bk_device_pdo(dev), DevicePropertyEnumeratorName, 0, NULL, &got),
        STATUS_BUFFER_TOO_SMALL);
    CHECK_EQ(got, 5 * sizeof(WCHAR)); /* "ROOT" */
    CHECK_EQ(fx_stop(h), 0);
}

TEST(device_property_needs_a_pdo)
{
    bk_host_t *h = fx_start();
    bk_device_t *dev = NULL;
    WCHAR buf[64];
    ULONG got;
    REQUIRE(NT_SUCCESS(fx_add_fn(h, "PNPTEST\\FN", &dev)));
    PDEVICE_OBJECT fdo = IoGetAttachedDeviceReference(bk_device_pdo(dev));
    CHECK_STATUS(IoGetDeviceProperty(fdo, DevicePropertyHardwareID, sizeof buf, buf, &got),
                 STATUS_INVALID_DEVICE_REQUEST);
    ObDereferenceObject(fdo);
    CHECK_EQ(fx_stop(h), 0);
}

TEST(open_device_registry_key_creates_device_parameters_on_demand)
{
    bk_host_t *h = fx_start();
    bk_device_t *dev = NULL;
    HANDLE key = NULL;
    UNICODE_STRING name;
    ULONG value = 7, read = 0;
    reg_key_t *k;
    REQUIRE(NT_SUCCESS(fx_add_fn(h, "PNPTEST\\FN", &dev)));
    CHECK_STATUS(
        IoOpenDeviceRegistryKey(bk_device_pdo(dev), PLUGPLAY_REGKEY_DEVICE, KEY_ALL_ACCESS, &key),
        STATUS_SUCCESS);
    REQUIRE(key);
    RtlInitUnicodeString(&name, L"Mode");
    CHECK_STATUS(ZwSetValueKey(key, &name, 0, REG_DWORD, &value, sizeof value), STATUS_SUCCESS);
    ZwClose(key);
    REQUIRE(NT_SUCCESS(reg_open(ENUM "ROOT\\PNPTEST\\0000\\Device Parameters", false, &k)));
    CHECK_STATUS(reg_get_dword(k, "Mode", &read), STATUS_SUCCESS);
    CHECK_EQ(read, 7);
    reg_close(k);
    CHECK_STATUS(
        IoOpenDeviceRegistryKey(bk_device_pdo(dev), PLUGPLAY_REGKEY_DRIVER, KEY_READ, &key),
        STATUS_SUCCESS);
    ZwClose(key);
    CHECK_STATUS(reg_open(ENUM "ROOT\\PNPTEST\\0000\\Driver", false, &k), STATUS_SUCCESS);
    reg_close(k);
    CHECK_STATUS(IoOpenDeviceRegistryKey(bk_device_pdo(dev), 0x10, KEY_READ, &key),
                 STATUS_INVALID_PARAMETER);
    CHECK_EQ(fx_stop(h), 0);
}

TEST(enum_key_and_binding_key_are_written)
{
    bk_host_t *h = fx_start();
    char text[512];
    reg_key_t *k;
    CHECK_STATUS(bk_host_bind(h, "PNPTEST\\DEV_A", fx_fn.service, fx_fn.path), STATUS_SUCCESS);
    REQUIRE(NT_SUCCESS(reg_open("\\Registry\\Machine\\System\\CurrentControlSet\\Control\\battkit"
                                "\\Bindings\\PNPTEST#DEV_A",
                                false, &k)));
    CHECK_STATUS(reg_get_string(k, "Service", text, sizeof text), STATUS_SUCCESS);
    CHECK_STR(text, fx_fn.service);
    CHECK_STATUS(reg_get_string(k, "ImagePath", text, sizeof text), STATUS_SUCCESS);
    CHECK_STR(text, fx_fn.path);
    reg_close(k);
    REQUIRE(NT_SUCCESS(fx_add_fn(h, "PNPTEST\\FN", NULL)));
    REQUIRE(NT_SUCCESS(reg_open(ENUM "ROOT\\PNPTEST\\0000", false, &k)));
    CHECK_STATUS(reg_get_string(k, "Service", text, sizeof text), STATUS_SUCCESS);
    CHECK_STR(text, fx_fn.service);
    reg_close(k);
    CHECK_EQ(fx_stop(h), 0);
}
