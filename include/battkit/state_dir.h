/* Where battkit keeps its state unless told otherwise: the one place
 * battd, battinf (registry, driver store) and battctl report (history)
 * take their default paths from (ntos/state_dir.c, library bk_state_dir,
 * which needs nothing but libc). */
#ifndef BATTKIT_STATE_DIR_H
#define BATTKIT_STATE_DIR_H

#include <stddef.h>

/* $BATTKIT_STATE_DIR, else /var/lib/battkit for root, else
 * $XDG_STATE_HOME/battkit, else $HOME/.local/state/battkit, else
 * /tmp/battkit-UID. 0, or -1 when it does not fit. */
int bk_state_dir(char *dir, size_t len);
/* STATE/history.db, battd's history database (docs/history.md). */
int bk_default_history_file(char *file, size_t len);

#endif
