/* The default state directory and the files battkit keeps in it; no host
 * state, so user tools link it alone (include/battkit/state_dir.h). */
#include <battkit/state_dir.h>

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int bk_state_dir(char *dir, size_t len)
{
    const char *env = getenv("BATTKIT_STATE_DIR");
    const char *xdg = getenv("XDG_STATE_HOME");
    const char *home = getenv("HOME");
    int n;
    if (env && *env)
        n = snprintf(dir, len, "%s", env);
    else if (geteuid() == 0)
        n = snprintf(dir, len, "/var/lib/battkit");
    else if (xdg && *xdg == '/')
        n = snprintf(dir, len, "%s/battkit", xdg);
    else if (home && *home == '/')
        n = snprintf(dir, len, "%s/.local/state/battkit", home);
    else
        n = snprintf(dir, len, "/tmp/battkit-%u", (unsigned)geteuid());
    return n < 0 || (size_t)n >= len ? -1 : 0;
}

int bk_default_history_file(char *file, size_t len)
{
    char dir[4096];
    if (bk_state_dir(dir, sizeof dir) != 0)
        return -1;
    int n = snprintf(file, len, "%s/history.db", dir);
    return n < 0 || (size_t)n >= len ? -1 : 0;
}
