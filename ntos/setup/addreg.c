/* addreg.c: what an AddReg entry writes (docs: INF AddReg Directive): the
 * registry type from the flags (FLG_ADDREG_TYPE_*, or a custom type in the
 * high word with FLG_ADDREG_BINVALUETYPE), the data from the value fields
 * (strings, a number, hex bytes), FLG_ADDREG_APPEND for REG_MULTI_SZ; and
 * where an HKLM/HKCR entry lands. HKR is resolved by the caller. */
#include "setup_internal.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#define FLG_ADDREG_KEYONLY_COMMON 0x00002000u
#define FLG_ADDREG_TYPE_MASK      0xFFFF0001u

static bool parse_number(const char *s, ULONG *out)
{
    char *end;
    while (isspace((unsigned char)*s))
        s++;
    if (!*s)
        return false;
    bool neg = *s == '-';
    unsigned long long v = strtoull(neg ? s + 1 : s, &end, 0);
    if (*end || v > 0xFFFFFFFFull)
        return false;
    *out = neg ? (ULONG)(0u - (ULONG)v) : (ULONG)v;
    return true;
}

/* docs: binary data is a list of hex bytes ("1,0,2,3" or "01,ff"). */
static unsigned char *hex_bytes(const bk_inf_reg_t *reg, ULONG *size)
{
    unsigned char *out = malloc(reg->nvalues ? reg->nvalues : 1);
    if (!out)
        return NULL;
    for (size_t i = 0; i < reg->nvalues; i++) {
        char *end;
        unsigned long v = strtoul(reg->values[i], &end, 16);
        if (end == reg->values[i] || *end || v > 0xFF) {
            free(out);
            return NULL;
        }
        out[i] = (unsigned char)v;
    }
    *size = (ULONG)reg->nvalues;
    return out;
}

static void *multi_append(const bk_inf_reg_t *reg, bool append, const void *existing,
                          ULONG existing_size, ULONG existing_type, ULONG *size)
{
    setup_strv_t v = {0};
    if (append && existing && existing_type == REG_MULTI_SZ) {
        const WCHAR *w = existing;
        size_t units = existing_size / sizeof(WCHAR);
        for (size_t i = 0; i < units && w[i];) {
            size_t n = 0;
            while (i + n < units && w[i + n])
                n++;
            char *s = malloc(n * 3 + 1);
            if (s) {
                rtl_utf16_to_utf8(w + i, n, s, n * 3 + 1);
                setup_strv_add(&v, s);
                free(s);
            }
            i += n + 1;
        }
    }
    for (size_t i = 0; i < reg->nvalues; i++) {
        /* docs: an appended string already there is not added again. */
        if (append)
            setup_strv_add_unique(&v, reg->values[i]);
        else
            setup_strv_add(&v, reg->values[i]);
    }
    void *w = setup_wide_multi(&v, size);
    setup_strv_free(&v);
    return w;
}

bool setup_addreg_data(const bk_inf_reg_t *reg, ULONG *type, void **data, ULONG *size,
                       const void *existing, ULONG existing_size, ULONG existing_type)
{
    uint32_t f = reg->flags;
    *data = NULL;
    *size = 0;
    if (f & (BK_FLG_ADDREG_DELVAL | BK_FLG_ADDREG_KEYONLY | FLG_ADDREG_KEYONLY_COMMON))
        return false;
    uint32_t t = f & FLG_ADDREG_TYPE_MASK;
    const char *first = reg->nvalues ? reg->values[0] : "";
    switch (t) {
    case BK_FLG_ADDREG_TYPE_SZ:
    case BK_FLG_ADDREG_TYPE_EXPAND_SZ:
        *type = t == BK_FLG_ADDREG_TYPE_SZ ? REG_SZ : REG_EXPAND_SZ;
        *data = setup_wide(first, size);
        break;
    case BK_FLG_ADDREG_TYPE_MULTI_SZ:
        *type = REG_MULTI_SZ;
        *data = multi_append(reg, (f & BK_FLG_ADDREG_APPEND) != 0, existing, existing_size,
                             existing_type, size);
        break;
    case BK_FLG_ADDREG_TYPE_DWORD: {
        ULONG v = 0;
        *type = REG_DWORD;
        if (reg->nvalues > 1) {
            /* docs: a REG_DWORD may be given as its bytes, low byte first. */
            unsigned char *b = hex_bytes(reg, size);
            if (!b || *size > 4) {
                free(b);
                return false;
            }
            memcpy(&v, b, *size);
            free(b);
        } else if (!parse_number(first, &v)) {
            return false;
        }
        *data = malloc(sizeof v);
        if (*data)
            memcpy(*data, &v, sizeof v);
        *size = sizeof v;
        break;
    }
    default:
        if (t == BK_FLG_ADDREG_TYPE_NONE)
            *type = REG_NONE;
        else if (t == BK_FLG_ADDREG_TYPE_BINARY)
            *type = REG_BINARY;
        else if (t & 1u)
            *type = (ULONG)(t >> 16); /* docs: a custom type in the high word */
        else
            return false; /* a string type with an unknown high word */
        *data = hex_bytes(reg, size);
        if (!*data)
            return false;
        break;
    }
    return *data != NULL;
}

char *setup_addreg_absolute(const bk_inf_reg_t *reg)
{
    const char *sub = reg->subkey;
    while (*sub == '\\')
        sub++;
    const char *root;
    switch (reg->root) {
    case BK_INF_HKLM:
        root = "\\Registry\\Machine";
        break;
    case BK_INF_HKCR:
        root = "\\Registry\\Machine\\Software\\Classes";
        break;
    default:
        return NULL;
    }
    char *p = *sub ? setup_printf("%s\\%s", root, sub) : strdup(root);
    if (p) {
        size_t n = strlen(p);
        while (n && p[n - 1] == '\\')
            p[--n] = 0;
    }
    return p;
}
