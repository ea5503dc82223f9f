/* replay.c: runs the fuzz entry point without libFuzzer (gcc builds, CI): every
 * file under the given paths as it is, then deterministic mutations of it
 * (byte flips, syntax characters, BOMs, truncation), so the reader's edges are
 * exercised on every build. Exit status 0 unless a file cannot be read. */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* BK_REPLAY_SAVE=FILE: every input is written there before it runs, so
 * after a crash FILE holds the input that crashed (for the kept corpus). */
static void run_one(const uint8_t *data, size_t size)
{
    const char *save = getenv("BK_REPLAY_SAVE");
    FILE *f = save ? fopen(save, "wb") : NULL;
    if (f) {
        fwrite(data, 1, size, f);
        fclose(f);
    }
    LLVMFuzzerTestOneInput(data, size);
}

#define MUTATIONS 64

static uint64_t state = 0x2545F4914F6CDD1Dull;
static uint64_t next(void)
{
    state ^= state >> 12;
    state ^= state << 25;
    state ^= state >> 27;
    return state * 2685821657736338717ull;
}

static void mutate_and_run(const uint8_t *data, size_t size)
{
    static const uint8_t special[] = "\"\\%;[],=\n\r\t @.";
    uint8_t *buf = malloc(size + 16);
    if (!buf)
        return;
    for (int m = 0; m < MUTATIONS; m++) {
        memcpy(buf, data, size);
        size_t n = size;
        int edits = 1 + (int)(next() % 8);
        for (int e = 0; e < edits && n; e++) {
            size_t at = next() % n;
            switch (next() % 4) {
            case 0: /* flip a byte */
                buf[at] ^= (uint8_t)(1u << (next() % 8));
                break;
            case 1: /* a character with a meaning */
                buf[at] = special[next() % (sizeof(special) - 1)];
                break;
            case 2: /* cut the tail */
                n = at;
                break;
            default: /* duplicate a byte (shifts the rest) */
                if (n < size + 15) {
                    memmove(buf + at + 1, buf + at, n - at);
                    n++;
                }
                break;
            }
        }
        if (m == 0 && n >= 2) { /* one run as "UTF-16" */
            buf[0] = 0xFF;
            buf[1] = 0xFE;
        }
        run_one(buf, n);
    }
    free(buf);
}

static int run_file(const char *path, size_t *count)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "replay: cannot open %s\n", path);
        return -1;
    }
    size_t cap = 1u << 20;
    uint8_t *data = malloc(cap);
    size_t n = data ? fread(data, 1, cap, f) : 0;
    fclose(f);
    if (!data)
        return -1;
    run_one(data, n);
    mutate_and_run(data, n);
    free(data);
    (*count)++;
    return 0;
}

static int run_path(const char *path, size_t *count)
{
    struct stat st;
    if (stat(path, &st) != 0) {
        fprintf(stderr, "replay: cannot open %s\n", path);
        return -1;
    }
    if (!S_ISDIR(st.st_mode))
        return run_file(path, count);
    DIR *d = opendir(path);
    if (!d)
        return -1;
    int rc = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        char child[4096];
        snprintf(child, sizeof(child), "%s/%s", path, e->d_name);
        if (stat(child, &st) == 0 && S_ISREG(st.st_mode))
            rc |= run_file(child, count);
    }
    closedir(d);
    return rc;
}

int main(int argc, char **argv)
{
    size_t count = 0;
    int rc = 0;
    for (int i = 1; i < argc; i++)
        rc |= run_path(argv[i], &count);
    LLVMFuzzerTestOneInput((const uint8_t *)"", 0);
    printf("replayed %zu files, %d mutations each\n", count, MUTATIONS);
    return rc ? 1 : 0;
}
