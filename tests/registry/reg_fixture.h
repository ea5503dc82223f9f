/* Shared by the registry tests: a fresh registry per test (in memory or on
 * a file in a private temp directory) and small file helpers. */
#ifndef REG_FIXTURE_H
#define REG_FIXTURE_H

#include "private.h"
#include "registry/registry.h"
#include "registry/reg_internal.h"
#include "bk_test.h"

/* A new temp directory for this test; the registry file path in it. */
const char *fixture_dir(void);
const char *fixture_file(void);
/* Starts a registry (on fixture_file() when persistent). */
void fixture_start(bool persistent);
void fixture_stop(void);
/* Whole-file helpers; read returns a malloc'd NUL-terminated copy. */
char *fixture_read(const char *path, size_t *len);
void fixture_write(const char *path, const char *data, size_t len);
bool fixture_exists(const char *path);
/* Opens (creating) a key, REQUIRE-style: returns NULL after a failed CHECK. */
reg_key_t *fixture_key(const char *path);

#endif
