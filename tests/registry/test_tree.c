/* The registry's key tree through the reg_* API: paths, case rules,
 * enumeration order, value types and sizes, deletion, thread safety. */
#include "reg_fixture.h"

#include <pthread.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#define SVC "\\Registry\\Machine\\System\\CurrentControlSet\\Services\\simbatt"

TEST(reg_open_create_makes_every_missing_key_and_open_finds_it)
{
    fixture_start(false);
    reg_key_t *k = NULL;
    CHECK_STATUS(reg_open(SVC, false, &k), STATUS_OBJECT_NAME_NOT_FOUND);
    CHECK(k == NULL);
    CHECK_STATUS(reg_open(SVC "\\Parameters", true, &k), STATUS_SUCCESS);
    reg_close(k);
    CHECK_STATUS(reg_open("\\Registry\\Machine\\System\\CurrentControlSet", false, &k),
                 STATUS_SUCCESS);
    reg_close(k);
    CHECK_STATUS(reg_open(SVC "\\Parameters", false, &k), STATUS_SUCCESS);
    reg_close(k);
    fixture_stop();
}

TEST(key_and_value_names_are_case_insensitive)
{
    fixture_start(false);
    reg_key_t *k = fixture_key(SVC);
    REQUIRE(k);
    CHECK_STATUS(reg_set_dword(k, "Start", 3), STATUS_SUCCESS);
    reg_close(k);
    CHECK_STATUS(
        reg_open("\\REGISTRY\\machine\\SYSTEM\\currentcontrolset\\SERVICES\\SimBatt", false, &k),
        STATUS_SUCCESS);
    ULONG v = 0;
    CHECK_STATUS(reg_get_dword(k, "START", &v), STATUS_SUCCESS);
    CHECK_EQ(v, 3);
    /* Setting "START" replaces "Start": one value, not two. */
    CHECK_STATUS(reg_set_dword(k, "START", 4), STATUS_SUCCESS);
    char name[32];
    CHECK_STATUS(reg_enum_value(k, 0, name, sizeof name, NULL), STATUS_SUCCESS);
    CHECK_STR(name, "Start");
    CHECK_STATUS(reg_enum_value(k, 1, name, sizeof name, NULL), STATUS_NO_MORE_ENTRIES);
    reg_close(k);
    fixture_stop();
}

TEST(case_insensitivity_covers_latin1_and_cyrillic_names)
{
    fixture_start(false);
    reg_key_t *k = fixture_key("\\Registry\\Machine\\Ünïcode\\Батарея");
    REQUIRE(k);
    reg_close(k);
    CHECK_STATUS(reg_open("\\Registry\\Machine\\üNÏCODE\\БАТАРЕЯ", false, &k), STATUS_SUCCESS);
    reg_close(k);
    fixture_stop();
}

TEST(subkeys_enumerate_sorted_ignoring_case_values_in_creation_order)
{
    fixture_start(false);
    reg_key_t *k = fixture_key("\\Registry\\Machine\\Order");
    REQUIRE(k);
    const char *keys[] = {"delta", "Alpha", "charlie", "Bravo"};
    for (int i = 0; i < 4; i++) {
        char path[64];
        snprintf(path, sizeof path, "\\Registry\\Machine\\Order\\%s", keys[i]);
        reg_close(fixture_key(path));
        CHECK_STATUS(reg_set_dword(k, keys[i], (ULONG)i), STATUS_SUCCESS);
    }
    const char *sorted[] = {"Alpha", "Bravo", "charlie", "delta"};
    char name[32];
    ULONG type = 0;
    for (ULONG i = 0; i < 4; i++) {
        CHECK_STATUS(reg_enum_subkey(k, i, name, sizeof name), STATUS_SUCCESS);
        CHECK_STR(name, sorted[i]);
        CHECK_STATUS(reg_enum_value(k, i, name, sizeof name, &type), STATUS_SUCCESS);
        CHECK_STR(name, keys[i]);
        CHECK_EQ(type, REG_DWORD);
    }
    CHECK_STATUS(reg_enum_subkey(k, 4, name, sizeof name), STATUS_NO_MORE_ENTRIES);
    CHECK_STATUS(reg_enum_value(k, 4, name, sizeof name, &type), STATUS_NO_MORE_ENTRIES);
    CHECK_STATUS(reg_enum_subkey(k, 0, name, 5), STATUS_BUFFER_OVERFLOW); /* "Alpha" + NUL */
    reg_close(k);
    fixture_stop();
}

TEST(get_value_too_small_is_buffer_overflow_with_needed_size)
{
    fixture_start(false);
    reg_key_t *k = fixture_key(SVC);
    REQUIRE(k);
    unsigned char blob[10] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
    CHECK_STATUS(reg_set_value(k, "Blob", REG_BINARY, blob, sizeof blob), STATUS_SUCCESS);
    unsigned char out[10] = {0};
    ULONG type = 0, size = 4;
    CHECK_STATUS(reg_get_value(k, "Blob", &type, out, &size), STATUS_BUFFER_OVERFLOW);
    CHECK_EQ(size, 10);
    CHECK_EQ(type, REG_BINARY);
    CHECK_EQ(out[0], 0); /* nothing copied */
    size = 0;
    CHECK_STATUS(reg_get_value(k, "Blob", NULL, NULL, &size), STATUS_BUFFER_OVERFLOW);
    CHECK_EQ(size, 10);
    size = sizeof out;
    CHECK_STATUS(reg_get_value(k, "Blob", &type, out, &size), STATUS_SUCCESS);
    CHECK_EQ(size, 10);
    CHECK(memcmp(out, blob, 10) == 0);
    CHECK_STATUS(reg_get_value(k, "Missing", &type, out, &size), STATUS_OBJECT_NAME_NOT_FOUND);
    reg_close(k);
    fixture_stop();
}

TEST(reg_sz_is_stored_as_utf16_with_its_terminating_nul)
{
    fixture_start(false);
    reg_key_t *k = fixture_key(SVC);
    REQUIRE(k);
    CHECK_STATUS(reg_set_string(k, "ImagePath", "a\xC3\xBC\xE2\x82\xAC"), STATUS_SUCCESS);
    WCHAR w[8] = {0};
    ULONG type = 0, size = sizeof w;
    CHECK_STATUS(reg_get_value(k, "ImagePath", &type, w, &size), STATUS_SUCCESS);
    CHECK_EQ(type, REG_SZ);
    CHECK_EQ(size, 4 * sizeof(WCHAR));
    CHECK_EQ(w[0], 'a');
    CHECK_EQ(w[1], 0xFC);
    CHECK_EQ(w[2], 0x20AC);
    CHECK_EQ(w[3], 0);
    char s[16];
    CHECK_STATUS(reg_get_string(k, "ImagePath", s, sizeof s), STATUS_SUCCESS);
    CHECK_STR(s, "a\xC3\xBC\xE2\x82\xAC");
    CHECK_STATUS(reg_get_string(k, "ImagePath", s, 6), STATUS_BUFFER_OVERFLOW); /* 6 + NUL */
    CHECK_STATUS(reg_get_string(k, "ImagePath", s, 7), STATUS_SUCCESS);
    reg_close(k);
    fixture_stop();
}

TEST(get_string_reads_expand_sz_and_data_without_terminator)
{
    fixture_start(false);
    reg_key_t *k = fixture_key(SVC);
    REQUIRE(k);
    const WCHAR raw[] = {'%', 'X', '%'}; /* no NUL: Windows accepts such data */
    CHECK_STATUS(reg_set_value(k, "E", REG_EXPAND_SZ, raw, sizeof raw), STATUS_SUCCESS);
    char s[8];
    CHECK_STATUS(reg_get_string(k, "E", s, sizeof s), STATUS_SUCCESS);
    CHECK_STR(s, "%X%");
    reg_close(k);
    fixture_stop();
}

TEST(typed_getters_refuse_other_types_with_object_type_mismatch)
{
    fixture_start(false);
    reg_key_t *k = fixture_key(SVC);
    REQUIRE(k);
    CHECK_STATUS(reg_set_string(k, "S", "3"), STATUS_SUCCESS);
    CHECK_STATUS(reg_set_dword(k, "D", 3), STATUS_SUCCESS);
    ULONG v = 7;
    char s[8];
    CHECK_STATUS(reg_get_dword(k, "S", &v), STATUS_OBJECT_TYPE_MISMATCH);
    CHECK_EQ(v, 7);
    CHECK_STATUS(reg_get_string(k, "D", s, sizeof s), STATUS_OBJECT_TYPE_MISMATCH);
    ULONG64 q = 1;
    CHECK_STATUS(reg_set_value(k, "Q", REG_QWORD, &q, sizeof q), STATUS_SUCCESS);
    CHECK_STATUS(reg_get_dword(k, "Q", &v), STATUS_OBJECT_TYPE_MISMATCH);
    reg_close(k);
    fixture_stop();
}

TEST(set_value_replaces_type_and_data_and_empty_name_is_the_default_value)
{
    fixture_start(false);
    reg_key_t *k = fixture_key(SVC);
    REQUIRE(k);
    CHECK_STATUS(reg_set_dword(k, "X", 1), STATUS_SUCCESS);
    CHECK_STATUS(reg_set_string(k, "X", "one"), STATUS_SUCCESS);
    ULONG type = 0, size = 0;
    CHECK_STATUS(reg_get_value(k, "X", &type, NULL, &size), STATUS_BUFFER_OVERFLOW);
    CHECK_EQ(type, REG_SZ);
    CHECK_STATUS(reg_set_string(k, NULL, "default"), STATUS_SUCCESS);
    char s[16];
    CHECK_STATUS(reg_get_string(k, "", s, sizeof s), STATUS_SUCCESS);
    CHECK_STR(s, "default");
    CHECK_STATUS(reg_set_value(k, "Empty", REG_BINARY, NULL, 0), STATUS_SUCCESS);
    size = 0;
    CHECK_STATUS(reg_get_value(k, "Empty", &type, NULL, &size), STATUS_SUCCESS);
    CHECK_EQ(size, 0);
    reg_close(k);
    fixture_stop();
}

TEST(delete_value_removes_it_and_a_second_delete_is_not_found)
{
    fixture_start(false);
    reg_key_t *k = fixture_key(SVC);
    REQUIRE(k);
    reg_set_dword(k, "A", 1);
    reg_set_dword(k, "B", 2);
    CHECK_STATUS(reg_delete_value(k, "a"), STATUS_SUCCESS);
    CHECK_STATUS(reg_delete_value(k, "A"), STATUS_OBJECT_NAME_NOT_FOUND);
    char name[8];
    CHECK_STATUS(reg_enum_value(k, 0, name, sizeof name, NULL), STATUS_SUCCESS);
    CHECK_STR(name, "B");
    reg_close(k);
    fixture_stop();
}

TEST(delete_key_is_recursive_and_open_keys_report_key_deleted)
{
    fixture_start(false);
    reg_key_t *deep = fixture_key(SVC "\\Parameters\\Deep");
    reg_key_t *top = fixture_key(SVC);
    REQUIRE(deep && top);
    reg_set_dword(deep, "V", 1);
    CHECK_STATUS(reg_delete_key(SVC), STATUS_SUCCESS);
    reg_key_t *k = NULL;
    CHECK_STATUS(reg_open(SVC "\\Parameters", false, &k), STATUS_OBJECT_NAME_NOT_FOUND);
    CHECK_STATUS(reg_open(SVC, false, &k), STATUS_OBJECT_NAME_NOT_FOUND);
    ULONG v;
    CHECK_STATUS(reg_get_dword(deep, "V", &v), STATUS_KEY_DELETED);
    CHECK_STATUS(reg_set_dword(top, "V", 1), STATUS_KEY_DELETED);
    char name[8];
    CHECK_STATUS(reg_enum_subkey(top, 0, name, sizeof name), STATUS_KEY_DELETED);
    reg_close(deep);
    reg_close(top);
    /* A new key of the same name starts empty. */
    k = fixture_key(SVC);
    CHECK_STATUS(reg_enum_subkey(k, 0, name, sizeof name), STATUS_NO_MORE_ENTRIES);
    reg_close(k);
    CHECK_STATUS(reg_delete_key(SVC "\\Nope"), STATUS_OBJECT_NAME_NOT_FOUND);
    fixture_stop();
}

TEST(top_level_keys_cannot_be_created_or_deleted)
{
    fixture_start(false);
    reg_key_t *k = NULL;
    CHECK_STATUS(reg_open("\\Registry\\Software", true, &k), STATUS_ACCESS_DENIED);
    CHECK_STATUS(reg_delete_key("\\Registry\\Machine"), STATUS_ACCESS_DENIED);
    CHECK_STATUS(reg_delete_key("\\Registry"), STATUS_ACCESS_DENIED);
    CHECK_STATUS(reg_open("\\Registry\\User", false, &k), STATUS_SUCCESS);
    reg_close(k);
    fixture_stop();
}

TEST(malformed_paths_are_refused_with_the_windows_status)
{
    fixture_start(false);
    reg_key_t *k = NULL;
    CHECK_STATUS(reg_open("Registry\\Machine", true, &k), STATUS_OBJECT_PATH_SYNTAX_BAD);
    CHECK_STATUS(reg_open("\\Device\\Battery", true, &k), STATUS_OBJECT_NAME_NOT_FOUND);
    CHECK_STATUS(reg_open("\\Registry\\Machine\\\\X", true, &k), STATUS_OBJECT_NAME_INVALID);
    CHECK_STATUS(reg_open("\\Registry\\Machine\\X\\", true, &k), STATUS_OBJECT_NAME_INVALID);
    CHECK_STATUS(reg_open("\\Registry\\Machine\\Tab\there", true, &k), STATUS_OBJECT_NAME_INVALID);
    CHECK_STATUS(reg_open("\\Registry\\Machine\\Bad\xC3", true, &k), STATUS_OBJECT_NAME_INVALID);
    char longname[300];
    memset(longname, 'k', 256);
    longname[256] = 0;
    char path[320];
    snprintf(path, sizeof path, "\\Registry\\Machine\\%s", longname);
    CHECK_STATUS(reg_open(path, true, &k), STATUS_OBJECT_NAME_INVALID); /* > 255 */
    path[strlen(path) - 1] = 0;
    CHECK_STATUS(reg_open(path, true, &k), STATUS_SUCCESS); /* exactly 255 */
    reg_close(k);
    /* A refused path creates nothing on the way. */
    CHECK_STATUS(reg_open("\\Registry\\Machine\\Half\\\\X", true, &k), STATUS_OBJECT_NAME_INVALID);
    CHECK_STATUS(reg_open("\\Registry\\Machine\\Half", false, &k), STATUS_OBJECT_NAME_NOT_FOUND);
    fixture_stop();
}

struct writer {
    int id;
};

static void *write_many(void *arg)
{
    struct writer *w = arg;
    reg_key_t *k = NULL;
    if (!NT_SUCCESS(reg_open("\\Registry\\Machine\\Shared", true, &k)))
        return NULL;
    for (int i = 0; i < 200; i++) {
        char name[32];
        snprintf(name, sizeof name, "t%d-%d", w->id, i);
        reg_set_dword(k, name, (ULONG)i);
        reg_close(fixture_key("\\Registry\\Machine\\Shared\\Sub"));
    }
    reg_close(k);
    return NULL;
}

TEST(concurrent_writers_lose_no_value)
{
    fixture_start(false);
    pthread_t t[4];
    struct writer w[4];
    for (int i = 0; i < 4; i++) {
        w[i].id = i;
        pthread_create(&t[i], NULL, write_many, &w[i]);
    }
    for (int i = 0; i < 4; i++)
        pthread_join(t[i], NULL);
    reg_key_t *k = fixture_key("\\Registry\\Machine\\Shared");
    REQUIRE(k);
    ULONG n = 0;
    char name[32];
    while (reg_enum_value(k, n, name, sizeof name, NULL) == STATUS_SUCCESS)
        n++;
    CHECK_EQ(n, 800);
    ULONG v = 0;
    CHECK_STATUS(reg_get_dword(k, "t3-199", &v), STATUS_SUCCESS);
    CHECK_EQ(v, 199);
    reg_close(k);
    fixture_stop();
}

TEST(registry_call_above_passive_level_is_a_bugcheck)
{
    fixture_start(false);
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        if (!freopen("/dev/null", "w", stderr))
            _exit(3); /* the parent sees an exit, not the expected abort */
        ke_set_irql(DISPATCH_LEVEL);
        reg_key_t *k;
        reg_open("\\Registry\\Machine", false, &k);
        _exit(0); /* not reached */
    }
    int status = 0;
    waitpid(pid, &status, 0);
    CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT);
    fixture_stop();
}
