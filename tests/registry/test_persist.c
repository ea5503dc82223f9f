/* Registry persistence: the text format round-trips every value byte for
 * byte, saves are atomic (a crash mid-save leaves the old file), and a
 * damaged file is refused with file:line while the host starts empty. */
#include "reg_fixture.h"

#include <battkit/host.h>

#include <stdlib.h>
#include <sys/stat.h>

#define K "\\Registry\\Machine\\System\\CurrentControlSet\\Services\\simbatt"

typedef struct {
    const char *name;
    ULONG type;
    const void *data;
    ULONG size;
} sample_t;

static const WCHAR sz[] = L"C:\\battkit \"quoted\" \x00fc\x20ac";
static const WCHAR expand[] = L"%SystemRoot%\\x";
static const WCHAR multi[] = L"one\0two\0";     /* canonical: "one\0two\0\0" */
static const WCHAR multi_odd[] = L"a\0\0b\0";   /* an empty string inside */
static const WCHAR unterminated[] = {'a', 'b'}; /* REG_SZ without NUL */
static const WCHAR lone[] = {'x', 0xD800, 0};   /* lone surrogate */
static const WCHAR empty_multi[] = {0};
static const ULONG dword = 0xDEADBEEF;
static const ULONG64 qword = 0x0123456789ABCDEFull;
static const unsigned char blob[] = {0, 1, 0x7f, 0x80, 0xff};
static const unsigned char odd[] = {1, 2, 3};

static const sample_t samples[] = {
    {"Sz", REG_SZ, sz, sizeof sz},
    {"Expand", REG_EXPAND_SZ, expand, sizeof expand},
    {"Multi", REG_MULTI_SZ, multi, sizeof multi},
    {"MultiOdd", REG_MULTI_SZ, multi_odd, sizeof multi_odd},
    {"MultiEmpty", REG_MULTI_SZ, empty_multi, sizeof empty_multi},
    {"Unterminated", REG_SZ, unterminated, sizeof unterminated},
    {"Lone", REG_SZ, lone, sizeof lone},
    {"OddSize", REG_SZ, odd, sizeof odd},
    {"Dword", REG_DWORD, &dword, sizeof dword},
    {"Qword", REG_QWORD, &qword, sizeof qword},
    {"ShortDword", REG_DWORD, odd, 3},
    {"Blob", REG_BINARY, blob, sizeof blob},
    {"EmptyBlob", REG_BINARY, NULL, 0},
    {"None", REG_NONE, odd, sizeof odd},
    {"Custom", 0x12345, blob, sizeof blob},
    {"", REG_SZ, sz, sizeof sz},
    {"name \"with\" \\ and\ttab =", REG_DWORD, &dword, sizeof dword},
    {"\xD0\x91\xD0\xB0\xD1\x82", REG_DWORD, &dword, sizeof dword},
};

static void write_samples(void)
{
    reg_key_t *k = fixture_key(K);
    for (size_t i = 0; k && i < RTL_NUMBER_OF(samples); i++)
        CHECK_STATUS(
            reg_set_value(k, samples[i].name, samples[i].type, samples[i].data, samples[i].size),
            STATUS_SUCCESS);
    reg_close(k);
    reg_close(fixture_key(K "\\Empty Key [with] brackets"));
}

static void check_samples(void)
{
    reg_key_t *k = NULL;
    CHECK_STATUS(reg_open(K, false, &k), STATUS_SUCCESS);
    if (!k)
        return;
    for (size_t i = 0; i < RTL_NUMBER_OF(samples); i++) {
        unsigned char buf[128];
        ULONG type = 0, size = sizeof buf;
        CHECK_STATUS(reg_get_value(k, samples[i].name, &type, buf, &size), STATUS_SUCCESS);
        CHECK_EQ(type, samples[i].type);
        CHECK_EQ(size, samples[i].size);
        if (size == samples[i].size && size && memcmp(buf, samples[i].data, size) != 0)
            bk_test_fail(__FILE__, __LINE__, "value \"%s\" changed", samples[i].name);
    }
    /* Creation order survives too. */
    char name[64];
    CHECK_STATUS(reg_enum_value(k, 0, name, sizeof name, NULL), STATUS_SUCCESS);
    CHECK_STR(name, "Sz");
    reg_close(k);
    CHECK_STATUS(reg_open(K "\\Empty Key [with] brackets", false, &k), STATUS_SUCCESS);
    reg_close(k);
}

TEST(persistence_round_trips_every_value_byte_for_byte)
{
    fixture_start(true);
    write_samples();
    reg_shutdown(); /* saves */
    reg_init(fixture_file());
    check_samples();
    /* And once more: load then save then load gives the same file. */
    size_t n1, n2;
    char *first = fixture_read(fixture_file(), &n1);
    CHECK_STATUS(reg_flush(), STATUS_SUCCESS);
    char *second = fixture_read(fixture_file(), &n2);
    REQUIRE(first && second);
    CHECK_EQ(n1, n2);
    CHECK(memcmp(first, second, n1) == 0);
    free(first);
    free(second);
    fixture_stop();
}

TEST(save_writes_the_documented_text_format)
{
    fixture_start(true);
    reg_key_t *k = fixture_key(K);
    REQUIRE(k);
    reg_set_dword(k, "Start", 3);
    reg_set_string(k, "ImagePath", "simbatt.so");
    reg_set_string(k, NULL, "def");
    static const WCHAR list[] = L"a\0b\0";
    reg_set_value(k, "List", REG_MULTI_SZ, list, sizeof list);
    reg_set_value(k, "Bin", REG_BINARY, "\x01\xff", 2);
    ULONG64 q = 1;
    reg_set_value(k, "Q", REG_QWORD, &q, sizeof q);
    reg_close(k);
    CHECK_STATUS(bk_registry_flush(), STATUS_SUCCESS);
    char *text = fixture_read(fixture_file(), NULL);
    REQUIRE(text);
    CHECK(strstr(text, "\nbattkit-registry 1\n") != NULL);
    CHECK(strstr(text, "\n[" K "]\n") != NULL);
    CHECK(strstr(text, "\n\"Start\"=dword:00000003\n") != NULL);
    CHECK(strstr(text, "\n\"ImagePath\"=sz:\"simbatt.so\"\n") != NULL);
    CHECK(strstr(text, "\n@=sz:\"def\"\n") != NULL);
    CHECK(strstr(text, "\n\"List\"=multi_sz:\"a\",\"b\"\n") != NULL);
    CHECK(strstr(text, "\n\"Bin\"=hex:01,ff\n") != NULL);
    CHECK(strstr(text, "\n\"Q\"=qword:0000000000000001\n") != NULL);
    const char *end = strstr(text, "\nend ");
    CHECK(end && strlen(end) == 14); /* "\nend " + 8 hex + "\n" */
    free(text);
    fixture_stop();
}

TEST(registry_save_is_atomic)
{
    fixture_start(true);
    reg_key_t *k = fixture_key(K);
    REQUIRE(k);
    reg_set_dword(k, "Generation", 1);
    CHECK_STATUS(reg_flush(), STATUS_SUCCESS);
    size_t old_len;
    char *old = fixture_read(fixture_file(), &old_len);
    REQUIRE(old);

    /* The machine dies 40 bytes into writing generation 2. */
    reg_set_dword(k, "Generation", 2);
    reg_set_dword(k, "Extra", 9);
    reg_close(k);
    reg_test_crash_next_save(40);
    CHECK(!NT_SUCCESS(reg_flush()));
    char tmp[400];
    snprintf(tmp, sizeof tmp, "%s.tmp", fixture_file());
    CHECK(fixture_exists(tmp)); /* half-written temp file left behind */
    size_t now_len;
    char *now = fixture_read(fixture_file(), &now_len);
    REQUIRE(now);
    CHECK_EQ(now_len, old_len);
    CHECK(memcmp(now, old, old_len) == 0); /* the old file, untouched */
    free(now);
    free(old);
    reg_test_crash(); /* no final save, as after a crash */

    /* Restart: the old content comes back, the leftover temp is ignored. */
    reg_init(fixture_file());
    CHECK_STATUS(reg_open(K, false, &k), STATUS_SUCCESS);
    ULONG v = 0;
    CHECK_STATUS(reg_get_dword(k, "Generation", &v), STATUS_SUCCESS);
    CHECK_EQ(v, 1);
    CHECK_STATUS(reg_get_dword(k, "Extra", &v), STATUS_OBJECT_NAME_NOT_FOUND);
    /* The next complete save replaces the file and leaves no temp. */
    reg_set_dword(k, "Generation", 3);
    reg_close(k);
    CHECK_STATUS(reg_flush(), STATUS_SUCCESS);
    CHECK(!fixture_exists(tmp));
    reg_test_crash();
    reg_init(fixture_file());
    CHECK_STATUS(reg_open(K, false, &k), STATUS_SUCCESS);
    CHECK_STATUS(reg_get_dword(k, "Generation", &v), STATUS_SUCCESS);
    CHECK_EQ(v, 3);
    reg_close(k);
    fixture_stop();
}

TEST(truncated_file_is_refused_host_starts_empty_and_keeps_it_aside)
{
    fixture_start(true);
    reg_key_t *k = fixture_key(K);
    REQUIRE(k);
    reg_set_dword(k, "Start", 3);
    reg_close(k);
    CHECK_STATUS(reg_flush(), STATUS_SUCCESS);
    reg_test_crash();
    size_t len;
    char *text = fixture_read(fixture_file(), &len);
    REQUIRE(text);
    /* Cut right after a complete line: everything parses, but the end line
     * (and whatever followed) is gone. */
    const char *start = strstr(text, "\"Start\"=dword:00000003\n");
    REQUIRE(start);
    size_t cut = (size_t)(start - text) + strlen("\"Start\"=dword:00000003\n");
    fixture_write(fixture_file(), text, cut);
    char tmp[400];
    snprintf(tmp, sizeof tmp, "%s.tmp", fixture_file());
    fixture_write(tmp, text, 20); /* and a leftover half temp file */

    char err[512];
    CHECK(reg_load_file(fixture_file(), err, sizeof err) == NULL);
    char want[400];
    int lines = 0;
    for (size_t i = 0; i < cut; i++)
        lines += text[i] == '\n';
    snprintf(want, sizeof want, "%s:%d: file ends without its end line", fixture_file(), lines + 1);
    CHECK(strncmp(err, want, strlen(want)) == 0);
    if (strncmp(err, want, strlen(want)) != 0)
        printf("  got: %s\n  want: %s\n", err, want);

    reg_init(fixture_file()); /* logs the refusal */
    CHECK_STATUS(reg_open(K, false, &k), STATUS_OBJECT_NAME_NOT_FOUND);
    char aside[400];
    snprintf(aside, sizeof aside, "%s.corrupt", fixture_file());
    size_t kept_len;
    char *kept = fixture_read(aside, &kept_len);
    CHECK(kept && kept_len == cut && memcmp(kept, text, cut) == 0);
    free(kept);
    free(text);
    fixture_stop();
}

typedef struct {
    const char *what;
    const char *text;
    int line;
    const char *message;
} corrupt_t;

static const corrupt_t corrupt[] = {
    {"wrong magic", "battkit-registry 2\nend\n", 1, "not a battkit registry file"},
    {"empty", "", 1, "empty file"},
    {"value before key", "battkit-registry 1\n\"A\"=dword:00000001\nend\n", 2,
     "a value before any [key] line"},
    {"unknown type", "battkit-registry 1\n[\\Registry\\Machine\\A]\n\"A\"=word:1\nend\n", 3,
     "unknown value type \"word\""},
    {"short dword", "battkit-registry 1\n[\\Registry\\Machine\\A]\n\"A\"=dword:1\nend\n", 3,
     "expected 8 hex digits"},
    {"bad hex", "battkit-registry 1\n[\\Registry\\Machine\\A]\n\"A\"=hex:01,0g\nend\n", 3,
     "expected two hex digits"},
    {"unterminated", "battkit-registry 1\n[\\Registry\\Machine\\A]\n\"A=sz:\"x\"\nend\n", 3,
     "expected '='"},
    {"outside machine", "battkit-registry 1\n[\\Registry\\Software\\A]\nend\n", 2,
     "is not under \\Registry\\Machine or \\Registry\\User"},
    {"twice", "battkit-registry 1\n[\\Registry\\Machine\\A]\n@=sz:\"\"\n@=sz:\"\"\nend\n", 4,
     "appears twice"},
    {"after end", "battkit-registry 1\nend\n[\\Registry\\Machine\\A]\n", 3,
     "text after the end line"},
    {"checksum", "battkit-registry 1\n[\\Registry\\Machine\\A]\nend 00000000\n", 3,
     "checksum mismatch"},
    {"bad utf8", "battkit-registry 1\n[\\Registry\\Machine\\A]\n\"\xC3\"=dword:00000001\nend\n", 3,
     "not valid UTF-8"},
    {"bad escape", "battkit-registry 1\n[\\Registry\\Machine\\A]\n\"\\q\"=dword:00000001\nend\n", 3,
     "unknown escape"},
    {"bad key", "battkit-registry 1\n[\\Registry\\Machine\\A\\\\B]\nend\n", 2, "bad key path"},
};

TEST(corrupt_file_is_reported_with_file_and_line)
{
    fixture_start(false);
    char path[400];
    snprintf(path, sizeof path, "%s/bad.txt", fixture_dir());
    for (size_t i = 0; i < RTL_NUMBER_OF(corrupt); i++) {
        fixture_write(path, corrupt[i].text, strlen(corrupt[i].text));
        char err[512], want[512];
        CHECK(reg_load_file(path, err, sizeof err) == NULL);
        snprintf(want, sizeof want, "%s:%d: ", path, corrupt[i].line);
        if (strncmp(err, want, strlen(want)) != 0 || !strstr(err, corrupt[i].message))
            bk_test_fail(__FILE__, __LINE__, "%s: got \"%s\", want \"%s...%s\"", corrupt[i].what,
                         err, want, corrupt[i].message);
    }
    fixture_stop();
}

TEST(a_megabyte_of_garbage_is_refused_on_its_first_line)
{
    fixture_start(false);
    char path[400];
    snprintf(path, sizeof path, "%s/garbage.txt", fixture_dir());
    size_t n = 1 << 20;
    char *junk = malloc(n);
    REQUIRE(junk);
    uint32_t x = 12345;
    for (size_t i = 0; i < n; i++) {
        x = x * 1103515245u + 12345u;
        junk[i] = (char)(x >> 16);
    }
    fixture_write(path, junk, n);
    free(junk);
    char err[512], want[512];
    CHECK(reg_load_file(path, err, sizeof err) == NULL);
    snprintf(want, sizeof want, "%s:1: ", path);
    CHECK(strncmp(err, want, strlen(want)) == 0);
    fixture_stop();
}

TEST(end_line_without_checksum_accepts_a_hand_written_file)
{
    fixture_start(false);
    static const char text[] = "; written by hand\n"
                               "battkit-registry 1\n"
                               "[\\registry\\machine\\System\\Hand]\n"
                               "\"Start\"=dword:00000002\n"
                               "\"Path\"=sz:\"a\\\\b \\\"c\\\" \\x09\"\n"
                               "end\n";
    fixture_write(fixture_file(), text, sizeof text - 1);
    reg_shutdown();
    reg_init(fixture_file());
    reg_key_t *k = NULL;
    CHECK_STATUS(reg_open("\\Registry\\Machine\\System\\Hand", false, &k), STATUS_SUCCESS);
    ULONG v = 0;
    char s[32];
    CHECK_STATUS(reg_get_dword(k, "Start", &v), STATUS_SUCCESS);
    CHECK_EQ(v, 2);
    CHECK_STATUS(reg_get_string(k, "Path", s, sizeof s), STATUS_SUCCESS);
    CHECK_STR(s, "a\\b \"c\" \t");
    reg_close(k);
    fixture_stop();
}

TEST(flush_without_a_file_succeeds_and_writes_nothing)
{
    fixture_start(false);
    reg_close(fixture_key(K));
    CHECK_STATUS(reg_flush(), STATUS_SUCCESS);
    CHECK(!fixture_exists(fixture_file()));
    fixture_stop();
}

TEST(missing_file_starts_an_empty_registry_and_shutdown_creates_it)
{
    fixture_start(true);
    reg_key_t *k = NULL;
    CHECK_STATUS(reg_open(K, false, &k), STATUS_OBJECT_NAME_NOT_FOUND);
    CHECK(!fixture_exists(fixture_file()));
    reg_close(fixture_key(K));
    reg_shutdown();
    CHECK(fixture_exists(fixture_file()));
    reg_init(fixture_file());
    CHECK_STATUS(reg_open(K, false, &k), STATUS_SUCCESS);
    reg_close(k);
    fixture_stop();
}

/* The registry holds secrets (nutbatt's Password from the machine file);
 * battd writes it as root, so a 0644 file handed them to every user. */
TEST(registry_file_holding_a_password_is_not_readable_by_others)
{
    fixture_start(true);
    mode_t old = umask(022); /* a root shell's usual umask */
    reg_key_t *k = fixture_key(K "\\Parameters");
    CHECK_STATUS(reg_set_string(k, "Password", "s3cret"), STATUS_SUCCESS);
    reg_close(k);
    CHECK_STATUS(reg_flush(), STATUS_SUCCESS);
    struct stat st;
    REQUIRE(stat(fixture_file(), &st) == 0);
    CHECK_EQ(st.st_mode & 07777, 0600);
    /* An existing file another tool left 0644 is replaced by a 0600 one. */
    REQUIRE(chmod(fixture_file(), 0644) == 0);
    CHECK_STATUS(reg_flush(), STATUS_SUCCESS);
    REQUIRE(stat(fixture_file(), &st) == 0);
    CHECK_EQ(st.st_mode & 07777, 0600);
    umask(old);
    fixture_stop();
}
