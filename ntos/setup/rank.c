/* rank.c: how Windows ranks drivers, as docs "How Windows Ranks Drivers"
 * and "Overview of the Driver Selection Process" describe it. A rank is
 * 0xSSGGTHHH: signature score SS, feature score GG, identifier score THHH;
 * the lowest rank wins, then the newest DriverVer date, then the highest
 * DriverVer version. battkit checks no signatures: a package installed with
 * BK_SETUP_TRUSTED (the shipped drivers, like Windows' inbox drivers) counts
 * as signed, any other as unsigned. */
#include "setup_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

uint32_t setup_rank_base(unsigned signature, unsigned feature)
{
    return ((uint32_t)(signature & 0xFF) << 24) | ((uint32_t)(feature & 0xFF) << 16);
}

uint32_t setup_identifier_score(bool device_compat, unsigned pos, bool inf_compat, unsigned k)
{
    /* docs (Identifier Score): 0x0000 + position for device hardware ID vs
     * INF hardware ID; 0x1000 + position for device hardware ID vs INF
     * compatible ID; 0x2000 + position for device compatible ID vs INF
     * hardware ID; 0x3000 + j + k * 0x100 for compatible vs compatible. */
    uint32_t type = (device_compat ? 2u : 0u) + (inf_compat ? 1u : 0u);
    uint32_t hhh = type == 3 ? pos + k * 0x100u : pos;
    if (hhh > 0xFFF)
        hhh = 0xFFF;
    return (type << 12) | hhh;
}

uint32_t setup_parse_date(const char *text)
{
    unsigned m, d, y;
    char tail;
    if (!text || sscanf(text, "%u/%u/%u%c", &m, &d, &y, &tail) != 3 || m < 1 || m > 12 || d < 1 ||
        d > 31 || y > 9999)
        return 0;
    return y * 10000u + m * 100u + d;
}

uint64_t setup_parse_version(const char *text)
{
    unsigned part[4] = {0};
    int n = 0;
    const char *p = text;
    if (!p || !*p)
        return 0;
    while (n < 4) {
        char *end;
        unsigned long v = strtoul(p, &end, 10);
        if (end == p || v > 0xFFFF)
            return 0;
        part[n++] = (unsigned)v;
        if (*end != '.')
            break;
        p = end + 1;
    }
    return ((uint64_t)part[0] << 48) | ((uint64_t)part[1] << 32) | ((uint64_t)part[2] << 16) |
           part[3];
}

ULONG setup_binding_score(ULONG rank, bool device_compat, unsigned pos)
{
    /* The Rank value carries 0x1000 when the ID is a compatible ID of the
     * models entry; the device side adds its own type and position. */
    return (rank & 0xFFFF0000u) |
           setup_identifier_score(device_compat, pos, (rank & 0x1000u) != 0, 0);
}

int setup_candidate_compare(const setup_candidate_t *a, const setup_candidate_t *b)
{
    /* For a device reporting this ID, the identifier scores of a and b
     * differ only by the models entry side: a hardware ID entry beats a
     * compatible one; among compatible entries, the earlier position k
     * (docs: compatible-compatible scores add k * 0x100). */
    uint64_t ra = ((uint64_t)a->rank_base << 8) | (a->inf_compat ? 0x80u : 0) |
                  (a->compat_index > 0x7F ? 0x7F : a->compat_index);
    uint64_t rb = ((uint64_t)b->rank_base << 8) | (b->inf_compat ? 0x80u : 0) |
                  (b->compat_index > 0x7F ? 0x7F : b->compat_index);
    if (ra != rb)
        return ra < rb ? -1 : 1;
    /* docs: equal ranks: the most recent date, then the highest version. */
    if (a->date != b->date)
        return a->date > b->date ? -1 : 1;
    if (a->version != b->version)
        return a->version > b->version ? -1 : 1;
    return setup_strcasecmp(a->inf, b->inf); /* docs: "any"; battkit: by name */
}

void setup_candidate_free(setup_candidate_t *c)
{
    free(c->id);
    free(c->inf);
    free(c->service);
    free(c->image_path);
    free(c->section);
    free(c->class_guid);
    free(c->description);
    free(c->date_text);
    free(c->version_text);
    memset(c, 0, sizeof(*c));
}
