/* The installer tests' fixture: a scratch directory per test (registry file,
 * driver store, packages), test driver packages written from a template
 * (pnp_testfn.so copied as the service's binary), and the snapshots the
 * tests compare: the registry file's bytes and a listing of the store. */
#ifndef SETUP_FIXTURE_H
#define SETUP_FIXTURE_H

#include "bk_test.h"
#include "registry/registry.h"

#include <battkit/host.h>
#include <stdbool.h>

typedef struct fx {
    char dir[256];      /* scratch directory, removed by fx_done */
    char registry[300]; /* dir/registry */
    char store[300];    /* dir/store (created) */
    bk_host_t *host;
} fx_t;

/* A scratch directory and a host on virtual time using its registry file
 * and store, and this build's driver directory. Returns false (after
 * reporting) when something is missing. */
bool fx_begin(fx_t *fx);
/* Destroys the host (checking it is clean) and removes the directory. */
void fx_done(fx_t *fx);
/* Stops and starts the host on the same registry file (a restart). */
void fx_restart(fx_t *fx);

typedef struct fx_pkg {
    const char *name;          /* package and INF stem: "fna" -> fna/fna.inf */
    const char *service;       /* AddService name and binary stem; default = name */
    const char *model;         /* IDs of the models entry: "HW[, COMPAT...]" */
    const char *driver_ver;    /* default "01/01/2025,1.0.0.0" */
    const char *install_lines; /* extra lines of [Inst.NT] ("AddReg=SwReg") */
    const char *hw_lines;      /* lines of [Inst.NT.HW] */
    const char *service_lines; /* extra lines of the service-install section */
    const char *sections;      /* extra sections, appended */
    const char *class_lines;   /* replaces Class/ClassGuid ("" = System class) */
    const char *service_type;  /* ServiceType value, default "1" */
    bool no_nt;                /* [Inst] instead of [Inst.NT] (unsigned, no .nt) */
} fx_pkg_t;

/* Writes fx->dir/<name>/<name>.inf and <service>.so; returns the INF path
 * (static storage per call slot: valid until the fifth next call). */
const char *fx_package(fx_t *fx, const fx_pkg_t *pkg);

/* Files */
void fx_write(const char *path, const char *text);
char *fx_slurp(const char *path); /* malloc'd, NULL if unreadable */
/* The registry file after a flush (malloc'd). */
char *fx_registry_dump(fx_t *fx);
/* "relative/path size hash" per file and "relative/dir/" per directory,
 * sorted (malloc'd). */
char *fx_listing(const char *dir);
/* Both snapshots in one string (malloc'd). */
char *fx_state(fx_t *fx);
/* Prints the first differing line when a != b; returns a == b. */
bool fx_same(const char *what, const char *a, const char *b);

/* Registry reads by path. */
char *fx_reg_string(const char *path, const char *name); /* malloc'd or NULL */
bool fx_reg_exists(const char *path);
#define FX_CCS      "\\Registry\\Machine\\System\\CurrentControlSet"
#define FX_BINDINGS FX_CCS "\\Control\\battkit\\Bindings"
#define FX_STORE    FX_CCS "\\Control\\battkit\\DriverStore"
#define FX_SERVICES FX_CCS "\\Services"
#define FX_ENUM     FX_CCS "\\Enum"

/* The service the device's Enum key names ("" when none; static). */
const char *fx_device_service(bk_device_t *dev);
/* A root device without a service: bound by its hardware ID, if at all. */
bk_device_t *fx_add_root(fx_t *fx, const char *hardware_id, const char *instance);

/* A loaded test driver's knobs (pnptest.h), by the path it was loaded from. */
void fx_knob(const char *so_path, int knob, long value);

#endif
