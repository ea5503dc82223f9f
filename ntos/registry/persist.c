/* Registry persistence: the text file format, loading it at reg_init and
 * saving it atomically (temp file in the same directory, fsync, rename,
 * fsync of the directory), so a crash leaves the old file or the new one,
 * never half of one. Also reg_init/reg_shutdown/reg_flush (which waits for
 * another thread's open batch: batch.c).
 *
 * The format (UTF-8, one item per line; blank lines and ';' comments are
 * ignored):
 *
 *   battkit-registry 1                      first line that is not a comment
 *   [\Registry\Machine\System\Foo]          a key: every later value is in it
 *   @=sz:"default value"                    the key's default (unnamed) value
 *   "Start"=dword:00000003                  REG_DWORD, 8 hex digits
 *   "Big"=qword:0000000000000001            REG_QWORD, 16 hex digits
 *   "Path"=sz:"C:\\x \"q\""                  REG_SZ; escapes \\ \" \xHH
 *   "Env"=expand_sz:"%SystemRoot%"          REG_EXPAND_SZ
 *   "List"=multi_sz:"a","b"                 REG_MULTI_SZ (none: multi_sz:)
 *   "Blob"=hex:01,02,ff                     REG_BINARY (any length, also 0)
 *   "Odd"=hex(7):61,00,00                   any type as raw bytes
 *   end 1a2b3c4d                            last line: CRC-32 of all bytes
 *                                           before it ("end" alone: no check)
 *
 * Strings are the UTF-16 data without its terminating NUL(s); data that is
 * not exactly that shape (no NUL, embedded NULs, lone surrogates) is written
 * as hex(N) so every value round-trips byte for byte. Volatile keys are not
 * written. A file missing its end line (truncated) or failing its checksum
 * is refused with file:line; the host then starts empty and keeps the bad
 * file as <file>.corrupt. */
#include "reg_internal.h"

#include <battkit/host.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#define FORMAT_LINE "battkit-registry 1"

static char *persist_path; /* under the registry lock */
static size_t crash_after = (size_t)-1;

/* ---- CRC-32 (IEEE 802.3, reflected, as zlib computes it) ---- */
static uint32_t crc32_update(uint32_t crc, const void *data, size_t len)
{
    const unsigned char *p = data;
    crc = ~crc;
    while (len--) {
        crc ^= *p++;
        for (int k = 0; k < 8; k++)
            crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
    }
    return ~crc;
}

/* ---- writing ---- */
typedef struct {
    char *p;
    size_t len, cap;
    bool failed;
} text_t;

static void put(text_t *t, const char *s, size_t n)
{
    if (t->failed)
        return;
    if (t->len + n + 1 > t->cap) {
        size_t cap = t->cap ? t->cap : 4096;
        while (cap < t->len + n + 1)
            cap *= 2;
        char *p = realloc(t->p, cap);
        if (!p) {
            t->failed = true;
            return;
        }
        t->p = p;
        t->cap = cap;
    }
    memcpy(t->p + t->len, s, n);
    t->len += n;
    t->p[t->len] = 0;
}

static void puts_(text_t *t, const char *s)
{
    put(t, s, strlen(s));
}

static void putf(text_t *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void putf(text_t *t, const char *fmt, ...)
{
    char buf[64];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    if (n > 0)
        put(t, buf, (size_t)n < sizeof buf ? (size_t)n : sizeof buf - 1);
}

/* A quoted UTF-8 string with \\, \" and \xHH for control characters. */
static void put_quoted(text_t *t, const char *s, size_t len)
{
    put(t, "\"", 1);
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '\\' || c == '"') {
            char e[2] = {'\\', (char)c};
            put(t, e, 2);
        } else if (c < 0x20 || c == 0x7F) {
            putf(t, "\\x%02x", c);
        } else {
            put(t, (const char *)&c, 1);
        }
    }
    put(t, "\"", 1);
}

static void put_utf16_quoted(text_t *t, const WCHAR *w, size_t units)
{
    size_t n = reg_utf16_to_utf8(w, units, NULL, 0);
    char *s = malloc(n + 1);
    if (!s) {
        t->failed = true;
        return;
    }
    reg_utf16_to_utf8(w, units, s, n + 1);
    put_quoted(t, s, n);
    free(s);
}

static void put_hex(text_t *t, const unsigned char *d, ULONG size)
{
    for (ULONG i = 0; i < size; i++)
        putf(t, i ? ",%02x" : "%02x", d[i]);
}

/* The value's data as aligned UTF-16 units when it is a canonical string:
 * even size, valid UTF-16, exactly one NUL and that one last. */
static WCHAR *canonical_sz(const reg_value_t *v, size_t *units)
{
    if (v->size < sizeof(WCHAR) || v->size % sizeof(WCHAR))
        return NULL;
    size_t n = v->size / sizeof(WCHAR);
    WCHAR *w = malloc(v->size);
    if (!w)
        return NULL;
    memcpy(w, v->data, v->size);
    bool ok = w[n - 1] == 0 && reg_utf16_valid(w, n - 1);
    for (size_t i = 0; ok && i + 1 < n; i++)
        ok = w[i] != 0;
    if (!ok) {
        free(w);
        return NULL;
    }
    *units = n - 1;
    return w;
}

/* REG_MULTI_SZ in its canonical shape: "s1\0s2\0...\0\0" with every string
 * non-empty, or a single NUL for the empty list. */
static bool put_multi_sz(text_t *t, const reg_value_t *v)
{
    if (v->size < sizeof(WCHAR) || v->size % sizeof(WCHAR))
        return false;
    size_t n = v->size / sizeof(WCHAR);
    WCHAR *w = malloc(v->size);
    if (!w)
        return false;
    memcpy(w, v->data, v->size);
    bool ok = w[n - 1] == 0 && (n == 1 || (n >= 3 && w[n - 2] == 0 && w[0] != 0)) &&
              reg_utf16_valid(w, n);
    for (size_t i = 1; ok && i + 1 < n; i++)
        ok = !(w[i] == 0 && w[i - 1] == 0); /* no empty string inside */
    if (ok) {
        puts_(t, "multi_sz:");
        size_t start = 0;
        for (size_t i = 0; n > 1 && i < n - 1; i++) {
            if (w[i] == 0) {
                if (start)
                    put(t, ",", 1);
                put_utf16_quoted(t, w + start, i - start);
                start = i + 1;
            }
        }
    }
    free(w);
    return ok;
}

static void put_value(text_t *t, const reg_value_t *v)
{
    if (v->name[0])
        put_quoted(t, v->name, strlen(v->name));
    else
        put(t, "@", 1);
    put(t, "=", 1);
    size_t units;
    WCHAR *w;
    if ((v->type == REG_SZ || v->type == REG_EXPAND_SZ) && (w = canonical_sz(v, &units))) {
        puts_(t, v->type == REG_SZ ? "sz:" : "expand_sz:");
        put_utf16_quoted(t, w, units);
        free(w);
    } else if (v->type == REG_MULTI_SZ && put_multi_sz(t, v)) {
        /* written */
    } else if (v->type == REG_DWORD && v->size == 4) {
        uint32_t d;
        memcpy(&d, v->data, 4);
        putf(t, "dword:%08x", d);
    } else if (v->type == REG_QWORD && v->size == 8) {
        uint64_t q;
        memcpy(&q, v->data, 8);
        putf(t, "qword:%016llx", (unsigned long long)q);
    } else if (v->type == REG_BINARY) {
        puts_(t, "hex:");
        put_hex(t, v->data, v->size);
    } else {
        putf(t, "hex(%u):", (unsigned)v->type);
        put_hex(t, v->data, v->size);
    }
    put(t, "\n", 1);
}

static void put_key(text_t *t, const reg_key_t *k, char *path, size_t path_len, size_t path_cap)
{
    if (k->is_volatile)
        return;
    size_t n = strlen(k->name);
    if (path_len + 1 + n + 1 > path_cap) {
        t->failed = true; /* cannot happen: 512 levels of 255 units */
        return;
    }
    path[path_len] = '\\';
    memcpy(path + path_len + 1, k->name, n + 1);
    path_len += 1 + n;
    if (k->parent) { /* the root itself has no section */
        put(t, "[", 1);
        put(t, path, path_len);
        put(t, "]\n", 2);
        for (size_t i = 0; i < k->value_count; i++)
            put_value(t, &k->values[i]);
    }
    for (size_t i = 0; i < k->subkey_count; i++)
        put_key(t, k->subkeys[i], path, path_len, path_cap);
}

static bool write_all(int fd, const char *p, size_t n)
{
    while (n) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return false;
        p += w, n -= (size_t)w;
    }
    return true;
}

static char *dir_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    if (!slash)
        return strdup(".");
    if (slash == path)
        return strdup("/");
    return strndup(path, (size_t)(slash - path));
}

NTSTATUS reg_save_locked(const char *path)
{
    NTSTATUS status = STATUS_UNSUCCESSFUL;
    text_t t = {0};
    size_t path_cap = 512 * (4 * REG_MAX_KEY_NAME + 1);
    char *keypath = malloc(path_cap);
    char *tmp = malloc(strlen(path) + 5);
    char *dir = dir_of(path);
    int fd = -1, dfd = -1;
    if (!keypath || !tmp || !dir)
        goto out;
    sprintf(tmp, "%s.tmp", path);
    puts_(&t, "; battkit host registry (see ntos/registry/persist.c for the format).\n"
              "; Written atomically by the host; the end line checks everything above "
              "it.\n" FORMAT_LINE "\n");
    put_key(&t, reg_root_locked(), keypath, 0, path_cap);
    if (t.failed)
        goto out;
    putf(&t, "end %08x\n", crc32_update(0, t.p, t.len));
    if (t.failed)
        goto out;

    if (unlink(tmp) != 0 && errno != ENOENT)
        bk_log(BK_LOG_WARN, "registry: cannot remove %s: %s", tmp, strerror(errno));
    /* 0600: values hold secrets (nutbatt's Password), and battd runs as root. */
    fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) {
        bk_log(BK_LOG_ERROR, "registry: cannot create %s: %s", tmp, strerror(errno));
        goto out;
    }
    if (crash_after != (size_t)-1) {
        /* Test hook: the machine "dies" here, before the rename. */
        size_t n = crash_after < t.len ? crash_after : t.len;
        crash_after = (size_t)-1;
        write_all(fd, t.p, n);
        goto out;
    }
    if (!write_all(fd, t.p, t.len) || fsync(fd) != 0) {
        bk_log(BK_LOG_ERROR, "registry: cannot write %s: %s", tmp, strerror(errno));
        goto out_unlink;
    }
    if (close(fd) != 0) {
        fd = -1;
        bk_log(BK_LOG_ERROR, "registry: cannot write %s: %s", tmp, strerror(errno));
        goto out_unlink;
    }
    fd = -1;
    if (rename(tmp, path) != 0) {
        bk_log(BK_LOG_ERROR, "registry: cannot rename %s to %s: %s", tmp, path, strerror(errno));
        goto out_unlink;
    }
    /* The rename is durable only once the directory is. */
    dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd < 0 || fsync(dfd) != 0)
        bk_log(BK_LOG_WARN, "registry: cannot sync directory %s: %s", dir, strerror(errno));
    status = STATUS_SUCCESS;
    goto out;
out_unlink:
    unlink(tmp);
out:
    if (dfd >= 0)
        close(dfd);
    if (fd >= 0)
        close(fd);
    free(dir);
    free(tmp);
    free(keypath);
    free(t.p);
    return status;
}

/* ---- reading ---- */
typedef struct {
    const char *file;
    unsigned line;
    char *err;
    size_t err_len;
} parse_t;

static bool fail(parse_t *ps, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static bool fail(parse_t *ps, const char *fmt, ...)
{
    int n = snprintf(ps->err, ps->err_len, "%s:%u: ", ps->file, ps->line);
    if (n < 0 || (size_t)n >= ps->err_len)
        return false;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(ps->err + n, ps->err_len - (size_t)n, fmt, ap);
    va_end(ap);
    return false;
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Parses a quoted string at *p into a malloc'd UTF-8 string (NUL
 * terminated, *len bytes). */
static bool parse_quoted(parse_t *ps, const char **p, char **out, size_t *len)
{
    const char *s = *p;
    if (*s != '"')
        return fail(ps, "expected a quoted string");
    s++;
    size_t cap = strlen(s) + 1, n = 0;
    char *buf = malloc(cap);
    if (!buf)
        return fail(ps, "out of memory");
    for (;;) {
        char c = *s++;
        if (c == 0) {
            free(buf);
            return fail(ps, "unterminated string");
        }
        if (c == '"')
            break;
        if (c == '\\') {
            char e = *s++;
            if (e == '\\' || e == '"') {
                c = e;
            } else if (e == 'x' && hexval(s[0]) >= 0 && hexval(s[1]) >= 0) {
                int v = hexval(s[0]) * 16 + hexval(s[1]);
                s += 2;
                if (v == 0 || v >= 0x80) {
                    free(buf);
                    return fail(ps, "\\x%02x: only \\x01..\\x7f may be escaped", v);
                }
                c = (char)v;
            } else {
                free(buf);
                return fail(ps, "unknown escape \\%c", e ? e : '0');
            }
        } else if ((unsigned char)c < 0x20) {
            free(buf);
            return fail(ps, "control character in a string (write it as \\x%02x)", c);
        }
        buf[n++] = c;
    }
    buf[n] = 0;
    if (reg_utf8_check(buf, n) < 0) {
        free(buf);
        return fail(ps, "string is not valid UTF-8");
    }
    *p = s;
    *out = buf;
    *len = n;
    return true;
}

/* Appends the UTF-16 form of s (and a NUL) to a growing byte buffer. */
static bool append_utf16(unsigned char **data, size_t *size, const char *s, size_t len)
{
    size_t units = reg_utf8_to_utf16(s, len, NULL) + 1;
    unsigned char *d = realloc(*data, *size + units * sizeof(WCHAR));
    if (!d)
        return false;
    WCHAR *w = malloc(units * sizeof(WCHAR));
    if (!w) {
        *data = d;
        return false;
    }
    reg_utf8_to_utf16(s, len, w);
    w[units - 1] = 0;
    memcpy(d + *size, w, units * sizeof(WCHAR));
    free(w);
    *data = d;
    *size += units * sizeof(WCHAR);
    return true;
}

static bool parse_hex_bytes(parse_t *ps, const char *s, unsigned char **data, size_t *size)
{
    size_t cap = strlen(s) / 3 + 1;
    unsigned char *d = malloc(cap);
    size_t n = 0;
    if (!d)
        return fail(ps, "out of memory");
    while (*s) {
        if (n && *s++ != ',') {
            free(d);
            return fail(ps, "expected ',' between hex bytes");
        }
        int hi = hexval(s[0]), lo = hi >= 0 ? hexval(s[1]) : -1;
        if (hi < 0 || lo < 0) {
            free(d);
            return fail(ps, "expected two hex digits");
        }
        d[n++] = (unsigned char)(hi * 16 + lo);
        s += 2;
    }
    *data = d;
    *size = n;
    return true;
}

static bool parse_number(parse_t *ps, const char *s, size_t digits, uint64_t *out)
{
    uint64_t v = 0;
    size_t n = 0;
    for (; s[n]; n++) {
        int h = hexval(s[n]);
        if (h < 0 || n >= digits)
            return fail(ps, "expected %zu hex digits", digits);
        v = v * 16 + (uint64_t)h;
    }
    if (n != digits)
        return fail(ps, "expected %zu hex digits", digits);
    *out = v;
    return true;
}

/* name=type:payload into `key`. */
static bool parse_value(parse_t *ps, reg_key_t *key, const char *line)
{
    const char *p = line;
    char *name = NULL;
    size_t name_len;
    unsigned char *data = NULL;
    size_t size = 0;
    ULONG type;
    bool ok = false;
    if (*p == '@') {
        name = strdup("");
        p++;
        if (!name)
            return fail(ps, "out of memory");
    } else if (!parse_quoted(ps, &p, &name, &name_len)) {
        return false;
    }
    if (*p++ != '=') {
        fail(ps, "expected '=' after the value name");
        goto out;
    }
    if (reg_find_value_locked(key, name)) {
        fail(ps, "value \"%s\" appears twice in one key", name);
        goto out;
    }
    const char *colon = strchr(p, ':');
    if (!colon) {
        fail(ps, "expected type:data after '='");
        goto out;
    }
    size_t tlen = (size_t)(colon - p);
    const char *d = colon + 1;
#define IS(word) (tlen == sizeof(word) - 1 && memcmp(p, word, tlen) == 0)
    if (IS("sz") || IS("expand_sz")) {
        type = IS("sz") ? REG_SZ : REG_EXPAND_SZ;
        char *s;
        size_t len;
        if (!parse_quoted(ps, &d, &s, &len))
            goto out;
        bool appended = append_utf16(&data, &size, s, len);
        free(s);
        if (!appended) {
            fail(ps, "out of memory");
            goto out;
        }
        if (*d) {
            fail(ps, "unexpected text after the string");
            goto out;
        }
    } else if (IS("multi_sz")) {
        type = REG_MULTI_SZ;
        while (*d) {
            char *s;
            size_t len;
            if (size && *d++ != ',') {
                fail(ps, "expected ',' between strings");
                goto out;
            }
            if (!parse_quoted(ps, &d, &s, &len))
                goto out;
            bool appended = len && append_utf16(&data, &size, s, len);
            free(s);
            if (!appended) {
                fail(ps, len ? "out of memory" : "empty string in a multi_sz list");
                goto out;
            }
        }
        if (!append_utf16(&data, &size, "", 0)) {
            fail(ps, "out of memory");
            goto out;
        }
    } else if (IS("dword") || IS("qword")) {
        uint64_t v;
        type = IS("dword") ? REG_DWORD : REG_QWORD;
        size = type == REG_DWORD ? 4 : 8;
        if (!parse_number(ps, d, size * 2, &v))
            goto out;
        data = malloc(size);
        if (!data) {
            fail(ps, "out of memory");
            goto out;
        }
        if (type == REG_DWORD) {
            uint32_t v32 = (uint32_t)v;
            memcpy(data, &v32, 4);
        } else {
            memcpy(data, &v, 8);
        }
    } else if (IS("hex") || (tlen > 5 && memcmp(p, "hex(", 4) == 0 && p[tlen - 1] == ')')) {
        type = REG_BINARY;
        if (!IS("hex")) {
            char *end;
            errno = 0;
            unsigned long t = strtoul(p + 4, &end, 10);
            if (end != p + tlen - 1 || errno || t > 0xFFFFFFFFul || !(p[4] >= '0' && p[4] <= '9')) {
                fail(ps, "bad type number in hex(N)");
                goto out;
            }
            type = (ULONG)t;
        }
        if (!parse_hex_bytes(ps, d, &data, &size))
            goto out;
    } else {
        fail(ps, "unknown value type \"%.*s\"", (int)tlen, p);
        goto out;
    }
#undef IS
    if (size > 0xFFFFFFFFu) {
        fail(ps, "value too large");
        goto out;
    }
    NTSTATUS s = reg_set_value_locked(key, name, type, data, (ULONG)size);
    if (!NT_SUCCESS(s)) {
        fail(ps, "value \"%s\" refused (0x%08x)", name, (unsigned)s);
        goto out;
    }
    ok = true;
out:
    free(name);
    free(data);
    return ok;
}

/* "[\Registry\Machine\...]": opens (creating) the key in the new tree. */
static bool parse_key(parse_t *ps, reg_key_t *root, const char *line, reg_key_t **key)
{
    size_t n = strlen(line);
    if (n < 2 || line[n - 1] != ']')
        return fail(ps, "expected ']' at the end of the key line");
    char *path = strndup(line + 1, n - 2);
    if (!path)
        return fail(ps, "out of memory");
    static const char machine[] = "\\Registry\\Machine", user[] = "\\Registry\\User";
    const char *rest = NULL;
    for (int i = 0; i < 2 && !rest; i++) {
        const char *prefix = i ? user : machine;
        size_t pl = strlen(prefix);
        char head[sizeof machine];
        if (strlen(path) < pl)
            continue;
        memcpy(head, path, pl);
        head[pl] = 0;
        if (reg_name_compare(head, prefix) == 0 && (path[pl] == 0 || path[pl] == '\\'))
            rest = path + 10; /* after "\Registry\" */
    }
    bool ok = false;
    if (!rest) {
        fail(ps, "key \"%s\" is not under \\Registry\\Machine or \\Registry\\User", path);
    } else {
        NTSTATUS s = reg_lookup_locked(root, rest, REG_LOOKUP_CREATE_ALL, false, key, NULL);
        if (!NT_SUCCESS(s))
            fail(ps, "bad key path \"%s\" (0x%08x)", path, (unsigned)s);
        else
            ok = true;
    }
    free(path);
    return ok;
}

reg_key_t *reg_load_file(const char *path, char *err, size_t err_len)
{
    parse_t ps = {.file = path, .line = 0, .err = err, .err_len = err_len};
    err[0] = 0;
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, err_len, "%s: cannot open: %s", path, strerror(errno));
        return NULL;
    }
    reg_key_t *root = reg_new_root(), *key = NULL;
    char *line = NULL;
    size_t cap = 0;
    uint32_t crc = 0;
    bool header = false, ended = false, ok = root != NULL;
    if (!root)
        fail(&ps, "out of memory");
    ssize_t got;
    while (ok && (got = getline(&line, &cap, f)) >= 0) {
        ps.line++;
        size_t len = (size_t)got;
        if (ended) {
            ok = fail(&ps, "text after the end line");
            break;
        }
        if (memchr(line, 0, len)) {
            ok = fail(&ps, "NUL byte in the file");
            break;
        }
        uint32_t crc_before = crc; /* the end line checks the lines before it */
        crc = crc32_update(crc, line, len);
        char *text = line;
        size_t tl = len;
        if (tl && text[tl - 1] == '\n')
            text[--tl] = 0;
        if (tl && text[tl - 1] == '\r')
            text[--tl] = 0;
        if (tl >= 3 && memcmp(text, "end", 3) == 0 && (tl == 3 || text[3] == ' ')) {
            if (!header) {
                ok = fail(&ps, "end line before the format line");
            } else if (text[3] == ' ') {
                uint64_t want;
                ok = parse_number(&ps, text + 4, 8, &want);
                if (ok && (uint32_t)want != crc_before)
                    ok = fail(&ps,
                              "checksum mismatch (file %08x, content %08x): the file was "
                              "damaged or edited",
                              (unsigned)want, (unsigned)crc_before);
            }
            ended = true;
            continue;
        }
        if (tl == 0 || text[0] == ';')
            continue;
        if (!header) {
            if (strcmp(text, FORMAT_LINE) != 0)
                ok = fail(&ps, "not a battkit registry file (expected \"" FORMAT_LINE "\")");
            header = true;
        } else if (text[0] == '[') {
            if (key)
                reg_unref_locked(key);
            key = NULL;
            ok = parse_key(&ps, root, text, &key);
        } else if (!key) {
            ok = fail(&ps, "a value before any [key] line");
        } else {
            ok = parse_value(&ps, key, text);
        }
    }
    if (ok && ferror(f))
        ok = fail(&ps, "read error: %s", strerror(errno));
    if (ok && !ended) {
        ps.line++;
        ok = fail(&ps, header ? "file ends without its end line (truncated?)"
                              : "empty file: no \"" FORMAT_LINE "\" line");
    }
    free(line);
    fclose(f);
    if (key)
        reg_unref_locked(key);
    if (!ok) {
        reg_free_key(root);
        return NULL;
    }
    return root;
}

/* ---- life cycle ---- */
void reg_test_crash_next_save(size_t bytes)
{
    crash_after = bytes;
}

void reg_init(const char *persist_file)
{
    reg_handles_init();
    reg_lock();
    reg_replace_tree_locked(NULL);
    free(persist_path);
    persist_path = persist_file ? strdup(persist_file) : NULL;
    struct stat st;
    if (persist_path && stat(persist_path, &st) == 0) {
        char err[512];
        reg_key_t *loaded = reg_load_file(persist_path, err, sizeof err);
        if (loaded) {
            reg_replace_tree_locked(loaded);
            bk_log(BK_LOG_INFO, "registry: loaded %s", persist_path);
        } else {
            /* Never lose the user's file: set it aside, start empty. */
            char *aside = malloc(strlen(persist_path) + 9);
            if (aside) {
                sprintf(aside, "%s.corrupt", persist_path);
                if (rename(persist_path, aside) != 0)
                    bk_log(BK_LOG_WARN, "registry: cannot move %s aside: %s", persist_path,
                           strerror(errno));
            }
            bk_log(BK_LOG_ERROR,
                   "registry: %s; starting with an empty registry (the file is "
                   "kept as %s)",
                   err, aside ? aside : "is");
            free(aside);
        }
    } else if (persist_path && errno != ENOENT) {
        bk_log(BK_LOG_ERROR, "registry: cannot read %s: %s; starting empty", persist_path,
               strerror(errno));
    }
    reg_unlock();
}

NTSTATUS reg_flush(void)
{
    KE_ASSERT_IRQL_LE(PASSIVE_LEVEL);
    /* Another thread's batch is written whole or not at all. */
    reg_batch_hold();
    reg_lock();
    NTSTATUS s = persist_path ? reg_save_locked(persist_path) : STATUS_SUCCESS;
    reg_unlock();
    reg_batch_release();
    return s;
}

static void drop_everything(bool save)
{
    if (save && persist_path && !NT_SUCCESS(reg_flush()))
        bk_log(BK_LOG_ERROR, "registry: final save to %s failed", persist_path);
    reg_handles_shutdown();
    reg_lock();
    size_t open = reg_replace_tree_locked(NULL);
    free(persist_path);
    persist_path = NULL;
    reg_unlock();
    if (open)
        bk_log(BK_LOG_WARN,
               "registry: %zu key(s) still open at shutdown (reg_open without "
               "reg_close)",
               open);
}

void reg_shutdown(void)
{
    drop_everything(true);
}

void reg_test_crash(void)
{
    drop_everything(false);
}

bk_status_t bk_registry_flush(void)
{
    return reg_flush();
}
