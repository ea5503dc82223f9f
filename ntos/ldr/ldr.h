/* The loader's view of a module (a driver or export driver shared object). */
#ifndef NTOS_LDR_H
#define NTOS_LDR_H

#include "../private.h"
#include <limits.h>

typedef struct ldr_module {
    char service[64];
    char path[PATH_MAX];
    void *handle;
    uintptr_t base, end;   /* mapped address range, for pool attribution */
    PDRIVER_OBJECT driver; /* NULL for export drivers such as battc */
    bool export_driver;
    UNICODE_STRING registry_path;
    WCHAR registry_path_buf[160];
    WCHAR driver_name[80];
    WCHAR service_w[64];
} ldr_module_t;

void ldr_set_driver_dir(const char *dir);
const char *ldr_driver_dir(void);
/* Loads (or finds) a driver by service name; path NULL = built-in table. */
NTSTATUS ldr_load_driver(const char *service, const char *path, PDRIVER_OBJECT *out);
/* Calls DriverUnload, then fails with a by-tag report if pool is left. */
NTSTATUS ldr_unload_driver(PDRIVER_OBJECT drv, char *report, size_t report_len);
ldr_module_t *ldr_find(const char *service);
/* Hook the host sets so installed (INF) services resolve to their image. */
extern bool (*ldr_service_image_path)(const char *service, char *buf, size_t len);
void ldr_forget(ldr_module_t *m);
int ldr_module_count(void);
ldr_module_t *ldr_module_at(int i);

#endif
