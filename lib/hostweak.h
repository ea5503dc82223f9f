/* The embedding API as weak references: libbattkit-client never forces the
 * host library on a program that only talks to battd. A program that
 * creates a host links libbattkit-ntos, and these then resolve to it. */
#ifndef BKC_HOSTWEAK_H
#define BKC_HOSTWEAK_H

#include <battkit/host.h>

#pragma weak bk_host_list_interfaces
#pragma weak bk_host_free_list
#pragma weak bk_host_open
#pragma weak bk_close
#pragma weak bk_ioctl
#pragma weak bk_ioctl_async
#pragma weak bk_request_cancel
#pragma weak bk_request_wait
#pragma weak bk_request_status
#pragma weak bk_request_free
#pragma weak bk_host_settle
#pragma weak bk_host_watch_interfaces
#pragma weak bk_host_unwatch_interfaces
#pragma weak bk_host_advance
#pragma weak bk_host_now_ns
#pragma weak bk_host_is_virtual
#pragma weak bk_platform_set_ac
#pragma weak bk_platform_set_present
#pragma weak bk_platform_set_faults
#pragma weak bk_platform_set_load_w
#pragma weak bk_platform_set_soc
#pragma weak bk_platform_set_temperature
#pragma weak bk_host_power_state
#pragma weak bk_host_get_dc_policy
#pragma weak bk_host_set_dc_policy

/* Nonzero when a host library is linked into this program. */
static inline int bkc_host_linked(void)
{
    return bk_host_open != NULL && bk_ioctl_async != NULL;
}

#endif
