/* test_corpus.c: battinf verify over tests/inf/corpus. Each INF states its
 * verdict in leading comments ("; expect: ok" or "; expect: error|warning
 * LINE text"); the diagnostics must be exactly those. Plus a megabyte of
 * garbage (generated here, deterministic), a UTF-16LE copy and a locale run. */
#include "test_util.h"
#include "verify.h"

#include <dirent.h>

#define MAX_EXPECT 8

typedef struct expect {
    bk_severity_t sev;
    int line;
    char text[256];
    bool matched;
} expect_t;

typedef struct expects {
    expect_t e[MAX_EXPECT];
    size_t n;
    bool ok;
} expects_t;

/* Reads the "; expect:" lines among the leading comment lines. */
static int read_expects(const char *path, expects_t *x)
{
    memset(x, 0, sizeof(*x));
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    char line[512];
    while (fgets(line, sizeof(line), f) && line[0] == ';') {
        char sev[16], text[256];
        int lno, n = 0;
        line[strcspn(line, "\r\n")] = '\0';
        if (!strncmp(line, "; expect: ok", 12)) {
            x->ok = true;
        } else if (sscanf(line, "; expect: %15s %d %n", sev, &lno, &n) == 2 && n > 0 &&
                   x->n < MAX_EXPECT) {
            snprintf(text, sizeof(text), "%s", line + n);
            expect_t *e = &x->e[x->n++];
            e->sev = !strcmp(sev, "error") ? BK_SEV_ERROR : BK_SEV_WARNING;
            e->line = lno;
            memcpy(e->text, text, sizeof(e->text));
        }
    }
    fclose(f);
    return x->ok || x->n ? 0 : -1;
}

static bool check_file(const char *name)
{
    char path[4096];
    snprintf(path, sizeof(path), "%s/%s", BK_INF_CORPUS_DIR, name);
    expects_t x;
    if (read_expects(path, &x)) {
        bk_test_fail(__FILE__, __LINE__, "%s: no '; expect:' line", name);
        return false;
    }
    bk_diags_t d = {0};
    size_t errors = battinf_verify_file(path, NULL, &d);
    bool good = true;
    for (size_t i = 0; i < d.count; i++) {
        const bk_diag_t *g = &d.items[i];
        size_t j;
        for (j = 0; j < x.n; j++) {
            expect_t *e = &x.e[j];
            if (!e->matched && e->sev == g->severity && e->line == g->line &&
                strstr(g->message, e->text)) {
                e->matched = true;
                break;
            }
        }
        if (j == x.n) {
            bk_test_fail(__FILE__, __LINE__, "%s: unexpected %s:%d: %s: %s", name, g->file, g->line,
                         bk_severity_name(g->severity), g->message);
            good = false;
        }
    }
    bool want_error = false;
    for (size_t j = 0; j < x.n; j++) {
        want_error |= x.e[j].sev == BK_SEV_ERROR;
        if (!x.e[j].matched) {
            bk_test_fail(__FILE__, __LINE__, "%s: expected %s at line %d: %s (not reported)", name,
                         bk_severity_name(x.e[j].sev), x.e[j].line, x.e[j].text);
            good = false;
        }
    }
    if ((errors > 0) != want_error) {
        bk_test_fail(__FILE__, __LINE__, "%s: verdict %zu errors, expected %s", name, errors,
                     want_error ? "errors" : "none");
        good = false;
    }
    bk_diags_free(&d);
    return good;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

TEST(corpus_verdicts_and_lines_are_as_each_file_expects)
{
    DIR *dir = opendir(BK_INF_CORPUS_DIR);
    REQUIRE(dir);
    char *names[256];
    size_t n = 0;
    struct dirent *e;
    while ((e = readdir(dir)) != NULL && n < 256) {
        size_t len = strlen(e->d_name);
        if (len > 4 && !strcmp(e->d_name + len - 4, ".inf"))
            names[n++] = strdup(e->d_name);
    }
    closedir(dir);
    qsort(names, n, sizeof(names[0]), by_name);
    static const char *required[] = {
        "battery.inf",           "simbatt.inf",
        "missing_classguid.inf", "wrong_service_type.inf",
        "undefined_string.inf",  "unknown_section.inf",
        "continuation_eof.inf",  "quoted_strings.inf",
        "localized.inf",
    };
    for (size_t r = 0; r < sizeof(required) / sizeof(required[0]); r++) {
        bool found = false;
        for (size_t i = 0; i < n; i++)
            found |= !strcmp(names[i], required[r]);
        if (!found)
            bk_test_fail(__FILE__, __LINE__, "corpus lacks %s", required[r]);
    }
    size_t passed = 0;
    for (size_t i = 0; i < n; i++) {
        passed += check_file(names[i]);
        free(names[i]);
    }
    CHECK_EQ(passed, n);
    CHECK(n >= 20);
}

/* xorshift64*: the same megabyte on every run and machine. */
static uint64_t prng_state;
static uint64_t prng(void)
{
    prng_state ^= prng_state >> 12;
    prng_state ^= prng_state << 25;
    prng_state ^= prng_state >> 27;
    return prng_state * 2685821657736338717ull;
}

#define MEGABYTE (1u << 20)

TEST(megabyte_of_random_bytes_is_refused_as_binary_at_its_first_control_byte)
{
    unsigned char *buf = malloc(MEGABYTE);
    REQUIRE(buf);
    prng_state = 0x9E3779B97F4A7C15ull;
    for (size_t i = 0; i < MEGABYTE; i++)
        buf[i] = (unsigned char)(prng() >> 56);
    REQUIRE(!(buf[0] == 0xFF && buf[1] == 0xFE) && !(buf[0] == 0xFE && buf[1] == 0xFF));
    /* The line holding the first byte that is no text character. */
    int line = 1;
    for (size_t i = 0; i < MEGABYTE; i++) {
        unsigned char c = buf[i];
        if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r' && c != '\f') || c == 0x7F)
            break;
        line += c == '\n' || (c == '\r' && buf[i + 1] != '\n');
    }
    bk_diags_t d = {0};
    size_t errors =
        battinf_verify_buffer(BK_INF_CORPUS_DIR "/garbage.inf", buf, MEGABYTE, NULL, &d);
    CHECK_EQ(errors, 1);
    CHECK(find_diag(&d, BK_SEV_ERROR, line, "binary data") != NULL);
    bk_diags_free(&d);
    free(buf);
}

TEST(megabyte_of_random_text_is_refused_after_a_bounded_number_of_problems)
{
    static const char alphabet[] = "abcXYZ019 \t\n\n[]\"\"%%;,,==\\._{}-";
    char *buf = malloc(MEGABYTE);
    REQUIRE(buf);
    prng_state = 0x0123456789ABCDEFull;
    for (size_t i = 0; i < MEGABYTE; i++)
        buf[i] = alphabet[prng() % (sizeof(alphabet) - 1)];
    bk_diags_t d = {0};
    size_t errors =
        battinf_verify_buffer(BK_INF_CORPUS_DIR "/garbage.inf", buf, MEGABYTE, NULL, &d);
    /* Refused after a bounded number of problems, each with its line. */
    CHECK(errors > 0);
    CHECK(d.count > 0 && d.count <= 202);
    REQUIRE(d.count > 0);
    const bk_diag_t *last = &d.items[d.count - 1];
    CHECK(strstr(last->message, "is this an INF file at all") != NULL);
    for (size_t i = 1; i < d.count; i++)
        CHECK(d.items[i].line >= d.items[i - 1].line);
    bk_diags_free(&d);
    free(buf);
}

static unsigned char *read_all(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    unsigned char *buf = malloc(1u << 16);
    *n = buf ? fread(buf, 1, 1u << 16, f) : 0;
    fclose(f);
    return buf;
}

TEST(utf16le_copy_of_a_good_inf_verifies_clean)
{
    size_t n;
    unsigned char *src = read_all(BK_INF_CORPUS_DIR "/battery.inf", &n);
    REQUIRE(src);
    unsigned char *u16 = malloc(2 * n + 2);
    REQUIRE(u16);
    u16[0] = 0xFF;
    u16[1] = 0xFE;
    for (size_t i = 0; i < n; i++) { /* the file is ASCII */
        u16[2 + 2 * i] = src[i];
        u16[3 + 2 * i] = 0;
    }
    bk_diags_t d = {0};
    CHECK_EQ(
        battinf_verify_buffer(BK_INF_CORPUS_DIR "/battery-utf16.inf", u16, 2 * n + 2, NULL, &d), 0);
    CHECK_EQ(d.count, 0);
    dump_diags(&d);
    bk_diags_free(&d);
    free(u16);
    free(src);
}

TEST(localized_inf_verifies_clean_in_german_and_uses_german_strings)
{
    battinf_options_t opt = {.locale = "0407"};
    bk_diags_t d = {0};
    CHECK_EQ(battinf_verify_file(BK_INF_CORPUS_DIR "/localized.inf", &opt, &d), 0);
    CHECK_EQ(d.count, 0);
    bk_inf_options_t io = {.locale = "0407"};
    bk_inf_t *inf = bk_inf_open(BK_INF_CORPUS_DIR "/localized.inf", &io, &d);
    REQUIRE(inf);
    const bk_inf_manufacturer_t *m = bk_inf_manufacturer_at(inf, 0);
    REQUIRE(m && m->nmodels == 1);
    CHECK_STR(m->model[0].description, "Akku mit ACPI-Steuerungsmethode");
    bk_inf_close(inf);
    bk_diags_free(&d);
}

TEST(verify_of_a_missing_file_is_an_error_on_line_1)
{
    bk_diags_t d = {0};
    CHECK_EQ(battinf_verify_file(BK_INF_CORPUS_DIR "/no-such-file.inf", NULL, &d), 1);
    CHECK(find_diag(&d, BK_SEV_ERROR, 1, "cannot open"));
    bk_diags_free(&d);
}
