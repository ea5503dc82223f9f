/* Framework queues and requests through the wdftest driver: a sequential
 * queue never delivers two requests at once, a cancelled request is
 * completed once, the preprocess callback sees the IRP first and hands it
 * back, the device's hardware key through WdfRegistry*, and a leaked
 * object is reported by the driver's tag at unload. */
#include "wdf_fixture.h"

#include <dlfcn.h>
#include <string.h>

typedef struct done {
    int calls;
    bk_status_t status;
} done_t;

static void on_done(void *context, bk_status_t status, uint32_t returned)
{
    done_t *d = context;
    (void)returned;
    d->calls++;
    d->status = status;
}

#define START(t)                                                                                   \
    do {                                                                                           \
        if (wt_start(&(t)) != 0) {                                                                 \
            wt_stop(&(t));                                                                         \
            return;                                                                                \
        }                                                                                          \
    } while (0)

TEST(sequential_queue_never_delivers_two_requests_at_once)
{
    wt_t t;
    START(t);
    done_t a = {0}, b = {0};
    bk_request_t *ra, *rb;
    CHECK_STATUS(bk_ioctl_async(t.handle, IOCTL_WDFTEST_HOLD, NULL, 0, NULL, 0, on_done, &a, &ra),
                 STATUS_PENDING);
    CHECK_STATUS(bk_ioctl_async(t.handle, IOCTL_WDFTEST_HOLD, NULL, 0, NULL, 0, on_done, &b, &rb),
                 STATUS_PENDING);
    bk_host_settle(t.host);
    CHECK_EQ(t.hooks.held(), 1); /* the second waits in the queue */
    CHECK(t.hooks.complete_held());
    bk_host_settle(t.host);
    CHECK_EQ(a.calls, 1);
    CHECK_EQ(t.hooks.held(), 1); /* now the second was delivered */
    CHECK_EQ(b.calls, 0);
    CHECK(t.hooks.complete_held());
    bk_host_settle(t.host);
    CHECK_EQ(b.calls, 1);
    CHECK_EQ(t.hooks.max_concurrent(), 1);
    bk_request_free(ra);
    bk_request_free(rb);
    wt_stop(&t);
}

TEST(cancelled_request_the_driver_holds_completes_once_through_evt_request_cancel)
{
    wt_t t;
    START(t);
    done_t a = {0};
    bk_request_t *r;
    CHECK_STATUS(
        bk_ioctl_async(t.handle, IOCTL_WDFTEST_CANCELABLE, NULL, 0, NULL, 0, on_done, &a, &r),
        STATUS_PENDING);
    bk_host_settle(t.host);
    CHECK_EQ(a.calls, 0);
    bk_request_cancel(r);
    bk_request_cancel(r); /* a second cancel finds no cancel routine */
    bk_host_settle(t.host);
    CHECK_EQ(a.calls, 1);
    CHECK_STATUS(a.status, STATUS_CANCELLED);
    CHECK_EQ(t.hooks.cancel_calls(), 1);
    bk_request_free(r);
    wt_stop(&t);
}

TEST(cancelled_request_waiting_in_a_queue_completes_once_and_is_never_delivered)
{
    wt_t t;
    START(t);
    done_t held = {0}, waiting = {0};
    bk_request_t *rh, *rw;
    CHECK_STATUS(
        bk_ioctl_async(t.handle, IOCTL_WDFTEST_HOLD, NULL, 0, NULL, 0, on_done, &held, &rh),
        STATUS_PENDING);
    CHECK_STATUS(
        bk_ioctl_async(t.handle, IOCTL_WDFTEST_HOLD, NULL, 0, NULL, 0, on_done, &waiting, &rw),
        STATUS_PENDING);
    bk_host_settle(t.host);
    bk_request_cancel(rw);
    bk_host_settle(t.host);
    CHECK_EQ(waiting.calls, 1);
    CHECK_STATUS(waiting.status, STATUS_CANCELLED);
    CHECK(t.hooks.complete_held());
    bk_host_settle(t.host);
    CHECK_EQ(held.calls, 1);
    CHECK_EQ(t.hooks.held(), 0); /* the cancelled one never reached the driver */
    CHECK_EQ(waiting.calls, 1);
    bk_request_free(rh);
    bk_request_free(rw);
    wt_stop(&t);
}

TEST(preprocess_callback_sees_the_irp_and_hands_it_back_to_the_queue)
{
    wt_t t;
    START(t);
    unsigned before = t.hooks.preprocessed();
    uint32_t got = 0;
    CHECK_STATUS(bk_ioctl(t.handle, IOCTL_WDFTEST_ECHO, "hello", 5, NULL, 0, &got), STATUS_SUCCESS);
    CHECK_EQ(got, 5);
    CHECK_EQ(t.hooks.preprocessed(), before + 1);
    /* An IOCTL the queue's callback does not know is failed by it. */
    CHECK_STATUS(bk_ioctl(t.handle, CTL_CODE(FILE_DEVICE_UNKNOWN, 0x9FF, METHOD_BUFFERED, 0), NULL,
                          0, NULL, 0, &got),
                 STATUS_INVALID_DEVICE_REQUEST);
    wt_stop(&t);
}

TEST(registry_value_assigned_in_the_hardware_key_reads_back)
{
    wt_t t;
    START(t);
    ULONG in = 0x1234, out = 0;
    uint32_t got = 0;
    CHECK_STATUS(bk_ioctl(t.handle, IOCTL_WDFTEST_REGISTRY, &in, sizeof in, &out, sizeof out, &got),
                 STATUS_SUCCESS);
    CHECK_EQ(got, sizeof out);
    CHECK_EQ(out, 0x1234);
    /* Too short an input buffer: STATUS_BUFFER_TOO_SMALL from the retrieve. */
    CHECK_STATUS(bk_ioctl(t.handle, IOCTL_WDFTEST_REGISTRY, &in, 2, &out, sizeof out, &got),
                 STATUS_BUFFER_TOO_SMALL);
    wt_stop(&t);
}

TEST(object_leaked_by_the_driver_is_reported_by_its_tag_at_unload)
{
    wt_t t;
    START(t);
    bk_close(t.handle);
    t.handle = NULL;
    t.hooks.leak();
    bk_status_t s = bk_host_remove_device(t.host, t.device, 0);
    CHECK(s != STATUS_SUCCESS);
    const char *report = bk_host_last_unload_report(t.host);
    CHECK(report != NULL && strstr(report, WDFTEST_TAG_TEXT) != NULL);
    if (bk_test_failed())
        fprintf(stderr, "report: %s\n", report ? report : "(null)");
    /* The leak stays: the host is not destroyed (that would report it again). */
    if (t.so)
        dlclose(t.so);
    t.so = NULL;
    t.host = NULL;
}
