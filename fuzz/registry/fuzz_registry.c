/* fuzz_registry.c: the host registry file loader (ntos/registry/persist.c)
 * under libFuzzer. Byte 0 bit 0 asks for a correct "end CRC" line to be
 * appended to the rest of the input, so mutations get past the checksum and
 * into the value parsers. A refused file must say FILE:LINE with a line the
 * file has; an accepted one must save (the live tree replaced by it), load
 * again, and save to the same bytes: the format round-trips. */
#include "../fuzz_file.h"
#include "registry/reg_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint32_t crc32_of(const uint8_t *p, size_t n)
{
    uint32_t crc = ~0u;
    while (n--) {
        crc ^= *p++;
        for (int k = 0; k < 8; k++)
            crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
    }
    return ~crc;
}

static char *read_all(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *buf = NULL;
    if (f && fseek(f, 0, SEEK_END) == 0) {
        long n = ftell(f);
        rewind(f);
        buf = n >= 0 ? malloc((size_t)n + 1) : NULL;
        if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
            free(buf);
            buf = NULL;
        }
        *len = (size_t)n;
    }
    if (f)
        fclose(f);
    if (!buf)
        abort();
    return buf;
}

static void save_or_die(reg_key_t *tree, const char *path)
{
    reg_lock();
    reg_replace_tree_locked(tree);
    NTSTATUS s = reg_save_locked(path);
    reg_replace_tree_locked(NULL);
    reg_unlock();
    if (s != STATUS_SUCCESS) {
        fprintf(stderr, "fuzz_registry: a loaded registry does not save (0x%08x)\n", (unsigned)s);
        abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static bool up;
    if (!up) {
        clk_init(CLK_VIRTUAL, 0);
        reg_init(NULL);
        up = true;
    }
    if (size == 0)
        return 0;
    bool seal = data[0] & 1;
    data++, size--;
    uint8_t *text = malloc(size + 16);
    if (!text)
        abort();
    memcpy(text, data, size);
    size_t n = size;
    if (seal)
        n += (size_t)sprintf((char *)text + n, "end %08x\n", crc32_of(text, size));
    const char *file = fuzz_file_path("registry");
    fuzz_file_write(file, text, n);

    char err[1024];
    reg_key_t *tree = reg_load_file(file, err, sizeof err);
    if (!tree) {
        fuzz_file_check_error("fuzz_registry", err, file, fuzz_file_lines(text, n, false));
        free(text);
        return 0;
    }
    /* Round trip: the saved text loads again and saves to the same bytes. */
    char first[300], second[300];
    snprintf(first, sizeof first, "%s", fuzz_file_path("first"));
    snprintf(second, sizeof second, "%s", fuzz_file_path("second"));
    save_or_die(tree, first);
    reg_key_t *again = reg_load_file(first, err, sizeof err);
    if (!again) {
        fprintf(stderr, "fuzz_registry: the registry's own file is refused: %s\n", err);
        abort();
    }
    save_or_die(again, second);
    size_t la, lb;
    char *a = read_all(first, &la), *b = read_all(second, &lb);
    if (la != lb || memcmp(a, b, la) != 0) {
        fprintf(stderr, "fuzz_registry: saving what was loaded changed the file\n");
        abort();
    }
    free(a);
    free(b);
    free(text);
    return 0;
}
