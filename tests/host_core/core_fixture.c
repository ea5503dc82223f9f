/* See core_fixture.h. */
#include "core_fixture.h"

DRIVER_OBJECT fixture_driver;

static NTSTATUS complete_invalid(PDEVICE_OBJECT d, PIRP irp)
{
    (void)d;
    irp->IoStatus.Status = STATUS_INVALID_DEVICE_REQUEST;
    IoCompleteRequest(irp, IO_NO_INCREMENT);
    return STATUS_INVALID_DEVICE_REQUEST;
}

void fixture_start(clk_mode_t mode)
{
    clk_init(mode, 0);
    ke_init();
    memset(&fixture_driver, 0, sizeof fixture_driver);
    fixture_driver.Type = IO_TYPE_DRIVER;
    for (int i = 0; i <= IRP_MJ_MAXIMUM_FUNCTION; i++)
        fixture_driver.MajorFunction[i] = complete_invalid;
}

void fixture_stop(void)
{
    ke_shutdown();
}

void fixture_advance_ms(uint64_t ms)
{
    ke_advance_to(clk_now() + ms * 10000);
}

PDEVICE_OBJECT fixture_device(PDRIVER_DISPATCH dispatch, ULONG extension)
{
    PDEVICE_OBJECT dev = NULL;
    if (dispatch)
        fixture_driver.MajorFunction[IRP_MJ_DEVICE_CONTROL] = dispatch;
    IoCreateDevice(&fixture_driver, extension, NULL, FILE_DEVICE_BATTERY, 0, FALSE, &dev);
    dev->Flags &= ~DO_DEVICE_INITIALIZING;
    return dev;
}

void fixture_delete(PDEVICE_OBJECT dev)
{
    IoDeleteDevice(dev);
}

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

int fixture_dies(void (*fn)(void))
{
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        int devnull = open("/dev/null", O_WRONLY);
        dup2(devnull, 2);
        fn();
        _exit(0);
    }
    int status = 0;
    waitpid(pid, &status, 0);
    /* A bugcheck aborts; under AddressSanitizer a bad free may be caught by
     * ASan first, which reports and exits nonzero: either is a death. */
    return (WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT) ||
           (WIFEXITED(status) && WEXITSTATUS(status) != 0);
}
