/* The Zw* registry routines drivers call: OBJECT_ATTRIBUTES paths
 * (absolute and RootDirectory-relative), ZwCreateKey's disposition,
 * ZwQueryValueKey's three information classes and its documented buffer
 * rules, access rights, and handle validity. */
#include "reg_fixture.h"

#include <stdlib.h>

#define SVC  L"\\Registry\\Machine\\System\\CurrentControlSet\\Services\\simbatt"
#define SVC8 "\\Registry\\Machine\\System\\CurrentControlSet\\Services\\simbatt"

static NTSTATUS open_key(const WCHAR *path, HANDLE root, ACCESS_MASK access, HANDLE *h)
{
    UNICODE_STRING name;
    OBJECT_ATTRIBUTES oa;
    RtlInitUnicodeString(&name, path);
    InitializeObjectAttributes(&oa, &name, OBJ_CASE_INSENSITIVE | OBJ_KERNEL_HANDLE, root, NULL);
    return ZwOpenKey(h, access, &oa);
}

static NTSTATUS create_key(const WCHAR *path, HANDLE root, ULONG options, HANDLE *h,
                           ULONG *disposition)
{
    UNICODE_STRING name;
    OBJECT_ATTRIBUTES oa;
    RtlInitUnicodeString(&name, path);
    InitializeObjectAttributes(&oa, &name, OBJ_CASE_INSENSITIVE | OBJ_KERNEL_HANDLE, root, NULL);
    return ZwCreateKey(h, KEY_ALL_ACCESS, &oa, 0, NULL, options, disposition);
}

static NTSTATUS set_dword(HANDLE h, const WCHAR *name, ULONG v)
{
    UNICODE_STRING n;
    RtlInitUnicodeString(&n, name);
    return ZwSetValueKey(h, &n, 0, REG_DWORD, &v, sizeof v);
}

static NTSTATUS query(HANDLE h, const WCHAR *name, KEY_VALUE_INFORMATION_CLASS cls, void *buf,
                      ULONG len, ULONG *result)
{
    UNICODE_STRING n;
    RtlInitUnicodeString(&n, name);
    return ZwQueryValueKey(h, &n, cls, buf, len, result);
}

static ULONG ulong_at(const void *buf, size_t off)
{
    ULONG v;
    memcpy(&v, (const unsigned char *)buf + off, sizeof v);
    return v;
}

/* A service key with "Start" = 3 and "ImagePath" = L"simbatt.so". */
static HANDLE service_key(void)
{
    reg_key_t *k = fixture_key(SVC8);
    reg_set_dword(k, "Start", 3);
    reg_set_string(k, "ImagePath", "simbatt.so");
    return reg_handle_from_key(k);
}

TEST(zw_open_key_opens_an_absolute_path_case_insensitively)
{
    fixture_start(false);
    HANDLE svc = service_key(), h = (HANDLE)1;
    CHECK_STATUS(open_key(L"\\REGISTRY\\MACHINE\\system\\CurrentControlSet\\services\\SIMBATT",
                          NULL, KEY_READ, &h),
                 STATUS_SUCCESS);
    CHECK(h != NULL);
    CHECK_STATUS(ZwClose(h), STATUS_SUCCESS);
    CHECK_STATUS(open_key(SVC L"\\Missing", NULL, KEY_READ, &h), STATUS_OBJECT_NAME_NOT_FOUND);
    CHECK(h == NULL);
    CHECK_STATUS(open_key(L"Registry\\Machine", NULL, KEY_READ, &h), STATUS_OBJECT_PATH_SYNTAX_BAD);
    CHECK_STATUS(ZwClose(svc), STATUS_SUCCESS);
    fixture_stop();
}

TEST(zw_create_key_reports_created_new_key_then_opened_existing_key)
{
    fixture_start(false);
    reg_close(fixture_key(SVC8));
    HANDLE h;
    ULONG disposition = 0;
    CHECK_STATUS(create_key(SVC L"\\Parameters", NULL, REG_OPTION_NON_VOLATILE, &h, &disposition),
                 STATUS_SUCCESS);
    CHECK_EQ(disposition, REG_CREATED_NEW_KEY);
    ZwClose(h);
    CHECK_STATUS(create_key(SVC L"\\parameters", NULL, 0, &h, &disposition), STATUS_SUCCESS);
    CHECK_EQ(disposition, REG_OPENED_EXISTING_KEY);
    ZwClose(h);
    CHECK_STATUS(create_key(SVC L"\\Parameters", NULL, 0, &h, NULL), STATUS_SUCCESS);
    ZwClose(h);
    fixture_stop();
}

TEST(zw_create_key_creates_only_the_last_key_of_the_path)
{
    fixture_start(false);
    HANDLE h = (HANDLE)1;
    ULONG disposition = 0;
    CHECK_STATUS(create_key(L"\\Registry\\Machine\\A\\B\\C", NULL, 0, &h, &disposition),
                 STATUS_OBJECT_NAME_NOT_FOUND);
    CHECK(h == NULL);
    reg_key_t *k = NULL;
    CHECK_STATUS(reg_open("\\Registry\\Machine\\A", false, &k), STATUS_OBJECT_NAME_NOT_FOUND);
    fixture_stop();
}

TEST(zw_open_key_with_root_directory_is_relative_to_that_key)
{
    fixture_start(false);
    reg_close(fixture_key(SVC8 "\\Parameters\\Deep"));
    HANDLE svc, params, same;
    CHECK_STATUS(open_key(SVC, NULL, KEY_ALL_ACCESS, &svc), STATUS_SUCCESS);
    CHECK_STATUS(open_key(L"Parameters\\Deep", svc, KEY_READ, &params), STATUS_SUCCESS);
    ZwClose(params);
    CHECK_STATUS(open_key(L"\\Parameters", svc, KEY_READ, &params), STATUS_OBJECT_PATH_SYNTAX_BAD);
    /* An empty relative name opens the root key itself again. */
    CHECK_STATUS(open_key(L"", svc, KEY_READ, &same), STATUS_SUCCESS);
    CHECK_STATUS(set_dword(svc, L"Start", 2), STATUS_SUCCESS);
    ULONG got;
    unsigned char buf[32];
    CHECK_STATUS(query(same, L"Start", KeyValuePartialInformation, buf, sizeof buf, &got),
                 STATUS_SUCCESS);
    CHECK_EQ(ulong_at(buf, 12), 2);
    ZwClose(same);
    /* Relative creation needs KEY_CREATE_SUB_KEY on the parent handle. */
    HANDLE ro, child;
    CHECK_STATUS(open_key(SVC, NULL, KEY_READ, &ro), STATUS_SUCCESS);
    CHECK_STATUS(create_key(L"Enum", ro, 0, &child, NULL), STATUS_ACCESS_DENIED);
    CHECK_STATUS(create_key(L"Enum", svc, 0, &child, NULL), STATUS_SUCCESS);
    ZwClose(child);
    CHECK_STATUS(create_key(L"Enum", ro, 0, &child, NULL), STATUS_SUCCESS); /* exists: opened */
    ZwClose(child);
    ZwClose(ro);
    ZwClose(svc);
    CHECK_STATUS(open_key(L"Parameters", svc, KEY_READ, &params), STATUS_INVALID_HANDLE);
    fixture_stop();
}

TEST(zw_query_value_key_partial_information_returns_type_and_data)
{
    fixture_start(false);
    HANDLE h = service_key();
    unsigned char buf[64];
    ULONG got = 0;
    CHECK_STATUS(query(h, L"start", KeyValuePartialInformation, buf, sizeof buf, &got),
                 STATUS_SUCCESS);
    CHECK_EQ(got, 16);
    CHECK_EQ(ulong_at(buf, 4), REG_DWORD); /* Type */
    CHECK_EQ(ulong_at(buf, 8), 4);         /* DataLength */
    CHECK_EQ(ulong_at(buf, 12), 3);        /* Data */
    PKEY_VALUE_PARTIAL_INFORMATION info = (PKEY_VALUE_PARTIAL_INFORMATION)buf;
    CHECK_EQ(info->DataLength, 4);
    ZwClose(h);
    fixture_stop();
}

TEST(zw_query_value_key_buffer_too_small_below_the_fixed_part)
{
    fixture_start(false);
    HANDLE h = service_key();
    unsigned char buf[64];
    memset(buf, 0xAA, sizeof buf);
    ULONG got = 0;
    /* docs: STATUS_BUFFER_TOO_SMALL: no data written, ResultLength = size needed. */
    CHECK_STATUS(query(h, L"ImagePath", KeyValuePartialInformation, buf, 11, &got),
                 STATUS_BUFFER_TOO_SMALL);
    CHECK_EQ(got, 12 + sizeof(L"simbatt.so"));
    CHECK_EQ(buf[0], 0xAA);
    CHECK_STATUS(query(h, L"ImagePath", KeyValuePartialInformation, NULL, 0, &got),
                 STATUS_BUFFER_TOO_SMALL);
    CHECK_EQ(got, 12 + sizeof(L"simbatt.so"));
    ZwClose(h);
    fixture_stop();
}

TEST(zw_query_value_key_buffer_overflow_returns_partial_and_length)
{
    fixture_start(false);
    HANDLE h = service_key();
    unsigned char buf[64];
    memset(buf, 0xAA, sizeof buf);
    ULONG got = 0;
    /* docs: STATUS_BUFFER_OVERFLOW: only partial data written, ResultLength
     * = size needed. The fixed part is there; the data is not. */
    CHECK_STATUS(query(h, L"ImagePath", KeyValuePartialInformation, buf, 16, &got),
                 STATUS_BUFFER_OVERFLOW);
    CHECK_EQ(got, 12 + sizeof(L"simbatt.so"));
    CHECK_EQ(ulong_at(buf, 4), REG_SZ);
    CHECK_EQ(ulong_at(buf, 8), sizeof(L"simbatt.so"));
    CHECK_EQ(buf[12], 0xAA);
    /* Retrying with ResultLength bytes succeeds. */
    unsigned char *big = malloc(got);
    REQUIRE(big);
    ULONG got2 = 0;
    CHECK_STATUS(query(h, L"ImagePath", KeyValuePartialInformation, big, got, &got2),
                 STATUS_SUCCESS);
    CHECK_EQ(got2, got);
    CHECK(memcmp(big + 12, L"simbatt.so", sizeof(L"simbatt.so")) == 0);
    free(big);
    ZwClose(h);
    fixture_stop();
}

TEST(zw_query_value_key_basic_and_full_information_layouts)
{
    fixture_start(false);
    HANDLE h = service_key();
    unsigned char buf[128];
    ULONG got = 0;
    /* Basic: TitleIndex, Type, NameLength, Name (the stored case). */
    CHECK_STATUS(query(h, L"STARt", KeyValueBasicInformation, buf, sizeof buf, &got),
                 STATUS_SUCCESS);
    CHECK_EQ(got, 12 + 10);
    CHECK_EQ(ulong_at(buf, 4), REG_DWORD);
    CHECK_EQ(ulong_at(buf, 8), 10);
    CHECK(memcmp(buf + 12, L"Start", 10) == 0);
    /* A cut name is still partial data: BUFFER_OVERFLOW. */
    CHECK_STATUS(query(h, L"Start", KeyValueBasicInformation, buf, 16, &got),
                 STATUS_BUFFER_OVERFLOW);
    CHECK_EQ(got, 22);
    /* Full: TitleIndex, Type, DataOffset, DataLength, NameLength, Name, data
     * at a ULONG boundary after the name. */
    CHECK_STATUS(query(h, L"Start", KeyValueFullInformation, buf, sizeof buf, &got),
                 STATUS_SUCCESS);
    ULONG data_offset = ulong_at(buf, 8);
    CHECK_EQ(data_offset, 32); /* 20 + 10 -> 32 */
    CHECK_EQ(ulong_at(buf, 12), 4);
    CHECK_EQ(ulong_at(buf, 16), 10);
    CHECK(memcmp(buf + 20, L"Start", 10) == 0);
    CHECK_EQ(ulong_at(buf, data_offset), 3);
    CHECK_EQ(got, 36);
    CHECK_STATUS(query(h, L"Start", KeyValueFullInformation, buf, 19, &got),
                 STATUS_BUFFER_TOO_SMALL);
    CHECK_STATUS(query(h, L"Start", (KEY_VALUE_INFORMATION_CLASS)7, buf, sizeof buf, &got),
                 STATUS_INVALID_PARAMETER);
    ZwClose(h);
    fixture_stop();
}

TEST(zw_query_value_key_missing_value_is_object_name_not_found)
{
    fixture_start(false);
    HANDLE h = service_key();
    unsigned char buf[32];
    ULONG got = 99;
    CHECK_STATUS(query(h, L"Nope", KeyValuePartialInformation, buf, sizeof buf, &got),
                 STATUS_OBJECT_NAME_NOT_FOUND);
    CHECK_EQ(got, 0);
    ZwClose(h);
    fixture_stop();
}

TEST(zw_set_value_key_round_trips_and_null_name_is_the_default_value)
{
    fixture_start(false);
    HANDLE h = service_key();
    ULONG64 q = 0x1122334455667788ull;
    UNICODE_STRING n;
    RtlInitUnicodeString(&n, L"Big");
    CHECK_STATUS(ZwSetValueKey(h, &n, 0, REG_QWORD, &q, sizeof q), STATUS_SUCCESS);
    CHECK_STATUS(ZwSetValueKey(h, NULL, 0, REG_DWORD, &q, 4), STATUS_SUCCESS);
    CHECK_STATUS(ZwSetValueKey(h, &n, 0, REG_QWORD, NULL, 8), STATUS_INVALID_PARAMETER);
    unsigned char buf[32];
    ULONG got;
    CHECK_STATUS(query(h, L"Big", KeyValuePartialInformation, buf, sizeof buf, &got),
                 STATUS_SUCCESS);
    CHECK_EQ(ulong_at(buf, 4), REG_QWORD);
    CHECK(memcmp(buf + 12, &q, 8) == 0);
    CHECK_STATUS(ZwQueryValueKey(h, NULL, KeyValuePartialInformation, buf, sizeof buf, &got),
                 STATUS_SUCCESS);
    CHECK_EQ(ulong_at(buf, 12), 0x55667788);
    reg_key_t *k = NULL;
    REQUIRE(NT_SUCCESS(reg_open(SVC8, false, &k)));
    ULONG v = 0;
    CHECK_STATUS(reg_get_dword(k, "", &v), STATUS_SUCCESS);
    CHECK_EQ(v, 0x55667788);
    reg_close(k);
    ZwClose(h);
    fixture_stop();
}

TEST(zw_delete_value_key_removes_it_and_missing_is_object_name_not_found)
{
    fixture_start(false);
    HANDLE h = service_key();
    UNICODE_STRING n;
    RtlInitUnicodeString(&n, L"START");
    CHECK_STATUS(ZwDeleteValueKey(h, &n), STATUS_SUCCESS);
    CHECK_STATUS(ZwDeleteValueKey(h, &n), STATUS_OBJECT_NAME_NOT_FOUND);
    ZwClose(h);
    fixture_stop();
}

TEST(key_access_rights_are_enforced_per_handle)
{
    fixture_start(false);
    HANDLE svc = service_key(), ro, wo, gr;
    CHECK_STATUS(open_key(SVC, NULL, KEY_READ, &ro), STATUS_SUCCESS);
    CHECK_STATUS(open_key(SVC, NULL, KEY_SET_VALUE, &wo), STATUS_SUCCESS);
    CHECK_STATUS(open_key(SVC, NULL, GENERIC_READ, &gr), STATUS_SUCCESS);
    unsigned char buf[32];
    ULONG got;
    UNICODE_STRING n;
    RtlInitUnicodeString(&n, L"Start");
    CHECK_STATUS(set_dword(ro, L"Start", 1), STATUS_ACCESS_DENIED);
    CHECK_STATUS(ZwDeleteValueKey(ro, &n), STATUS_ACCESS_DENIED);
    CHECK_STATUS(query(ro, L"Start", KeyValuePartialInformation, buf, sizeof buf, &got),
                 STATUS_SUCCESS);
    CHECK_STATUS(query(gr, L"Start", KeyValuePartialInformation, buf, sizeof buf, &got),
                 STATUS_SUCCESS);
    CHECK_STATUS(query(wo, L"Start", KeyValuePartialInformation, buf, sizeof buf, &got),
                 STATUS_ACCESS_DENIED);
    CHECK_STATUS(set_dword(wo, L"Start", 1), STATUS_SUCCESS);
    /* A manager's handle carries the access its caller asked for. */
    HANDLE mgr = reg_handle_from_key_access(fixture_key(SVC8), KEY_READ);
    CHECK_STATUS(set_dword(mgr, L"Start", 1), STATUS_ACCESS_DENIED);
    CHECK_STATUS(query(mgr, L"Start", KeyValuePartialInformation, buf, sizeof buf, &got),
                 STATUS_SUCCESS);
    ZwClose(mgr);
    ZwClose(ro);
    ZwClose(wo);
    ZwClose(gr);
    ZwClose(svc);
    fixture_stop();
}

TEST(bad_and_closed_handles_are_invalid_handle)
{
    fixture_start(false);
    HANDLE h = service_key();
    CHECK_STATUS(ZwClose(h), STATUS_SUCCESS);
    CHECK_STATUS(ZwClose(h), STATUS_INVALID_HANDLE);
    CHECK_STATUS(ZwClose(NULL), STATUS_INVALID_HANDLE);
    CHECK_STATUS(ZwClose((HANDLE)(uintptr_t)0x1234), STATUS_INVALID_HANDLE);
    CHECK_STATUS(set_dword(h, L"X", 1), STATUS_INVALID_HANDLE);
    unsigned char buf[16];
    ULONG got = 5;
    CHECK_STATUS(query(h, L"Start", KeyValuePartialInformation, buf, sizeof buf, &got),
                 STATUS_INVALID_HANDLE);
    UNICODE_STRING n;
    RtlInitUnicodeString(&n, L"Start");
    CHECK_STATUS(ZwDeleteValueKey(h, &n), STATUS_INVALID_HANDLE);
    /* A new handle may reuse the slot; the old value stays invalid. */
    HANDLE again = service_key();
    CHECK(again != h);
    CHECK_STATUS(set_dword(h, L"X", 1), STATUS_INVALID_HANDLE);
    CHECK_STATUS(set_dword(again, L"X", 1), STATUS_SUCCESS);
    ZwClose(again);
    fixture_stop();
}

TEST(handle_survives_key_deletion_and_reports_key_deleted)
{
    fixture_start(false);
    HANDLE h = service_key();
    CHECK_STATUS(reg_delete_key(SVC8), STATUS_SUCCESS);
    CHECK_STATUS(set_dword(h, L"X", 1), STATUS_KEY_DELETED);
    unsigned char buf[16];
    ULONG got;
    CHECK_STATUS(query(h, L"Start", KeyValuePartialInformation, buf, sizeof buf, &got),
                 STATUS_KEY_DELETED);
    CHECK_STATUS(ZwClose(h), STATUS_SUCCESS);
    fixture_stop();
}

TEST(volatile_keys_are_not_persisted_and_children_must_be_volatile)
{
    fixture_start(true);
    HANDLE vol, child;
    ULONG disposition;
    reg_close(fixture_key(SVC8));
    CHECK_STATUS(create_key(SVC L"\\Runtime", NULL, REG_OPTION_VOLATILE, &vol, &disposition),
                 STATUS_SUCCESS);
    CHECK_STATUS(set_dword(vol, L"Pid", 42), STATUS_SUCCESS);
    CHECK_STATUS(create_key(L"Child", vol, REG_OPTION_NON_VOLATILE, &child, NULL),
                 STATUS_CHILD_MUST_BE_VOLATILE);
    CHECK_STATUS(create_key(L"Child", vol, REG_OPTION_VOLATILE, &child, NULL), STATUS_SUCCESS);
    ZwClose(child);
    CHECK_STATUS(create_key(L"Link", NULL, 2 /* REG_OPTION_CREATE_LINK */, &child, NULL),
                 STATUS_INVALID_PARAMETER);
    ZwClose(vol);
    reg_shutdown();
    reg_init(fixture_file());
    reg_key_t *k = NULL;
    CHECK_STATUS(reg_open(SVC8, false, &k), STATUS_SUCCESS);
    reg_close(k);
    CHECK_STATUS(reg_open(SVC8 "\\Runtime", false, &k), STATUS_OBJECT_NAME_NOT_FOUND);
    fixture_stop();
}

TEST(handles_from_a_previous_registry_are_invalid_after_restart)
{
    fixture_start(false);
    HANDLE h = service_key(); /* never closed: shutdown closes it and warns */
    reg_shutdown();
    reg_init(NULL);
    CHECK_STATUS(ZwClose(h), STATUS_INVALID_HANDLE);
    fixture_stop();
}
