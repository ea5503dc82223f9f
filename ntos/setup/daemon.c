/* daemon.c: setup_install_for_daemon, what battd runs for a privileged
 * SETUP request: the same install, uninstall or list on the daemon's own
 * host, so a new binding applies to the running host without a restart and
 * the registry file is written before the reply. */
#include "setup_internal.h"

#include <stdio.h>

static void list_text(bk_host_t *host, setup_report_t *r)
{
    bk_installed_driver_t *list;
    size_t n = bk_host_list_installed(host, &list);
    for (size_t i = 0; i < n; i++) {
        const bk_installed_driver_t *d = &list[i];
        setup_report(r, "%s\t%s\t%s %s\t%s\t%s\t%s%s", d->inf, d->services, d->driver_date,
                     d->driver_version, d->ids, d->store_dir,
                     (d->flags & BK_SETUP_IN_PLACE) ? "in-place" : "stored",
                     (d->flags & BK_SETUP_TRUSTED) ? ",trusted" : "");
    }
    bk_host_free_installed(list, n);
}

bk_status_t setup_install_for_daemon(bk_host_t *host, uint32_t op, const char *arg, uint32_t flags,
                                     char *report, size_t len)
{
    setup_report_t r;
    const uint32_t allowed = BK_SETUP_TRUSTED | BK_SETUP_NO_REBIND;
    switch (op) {
    case BK_SETUP_OP_INSTALL:
        /* In-place installs would let a client make battd load files from
         * any directory it later changes: the store copy is the rule. */
        if ((flags & ~allowed) || !arg || arg[0] != '/')
            return STATUS_INVALID_PARAMETER;
        return bk_host_install_inf_ex(host, arg, flags, report, len);
    case BK_SETUP_OP_UNINSTALL:
        if (flags || !arg || !*arg)
            return STATUS_INVALID_PARAMETER;
        return bk_host_uninstall_driver(host, arg, report, len);
    case BK_SETUP_OP_LIST:
        setup_report_init(&r, report, len);
        list_text(host, &r);
        return STATUS_SUCCESS;
    default:
        return STATUS_INVALID_PARAMETER;
    }
}
