/* CreateFile, CloseHandle, DeviceIoControl (synchronous and overlapped),
 * GetOverlappedResult, CancelIo and CancelIoEx over the transport in use,
 * with the Win32 rules of the SDK pages (reference 7.3): what may be NULL,
 * when the call returns FALSE, what the OVERLAPPED holds. */
#include "internal.h"

#include <stdlib.h>

/* ---- I/O records ---- */
void bkc_io_release_locked(bkc_io_t *io)
{
    if (--io->refs > 0)
        return;
    if (io->tp->io_free)
        io->tp->io_free(io);
    bkc_object_release_locked(&io->file->obj);
    free(io);
}

static void unlink_io(bkc_io_t *io)
{
    if (io->next) {
        io->prev->next = io->next;
        io->next->prev = io->prev;
        io->next = io->prev = NULL;
    }
}

void bkc_io_complete_locked(bkc_io_t *io, NTSTATUS status, uint32_t returned)
{
    if (io->done)
        return;
    io->done = true;
    /* docs: error completions transfer nothing; warnings (partial data) do. */
    io->status = status;
    io->returned = NT_ERROR(status) ? 0 : returned;
    unlink_io(io);
    if (io->ov) {
        io->ov->InternalHigh = io->returned;
        io->ov->Internal = (ULONG_PTR)(uint32_t)status;
        if (io->ov->hEvent)
            bkc_event_set_handle_locked(io->ov->hEvent);
    }
    pthread_cond_broadcast(&bkc_cond);
    bkc_io_release_locked(io); /* the in-flight reference */
}

/* ---- files ---- */
static void file_destroy(bkc_object_t *obj)
{
    free(obj);
}

static uint32_t access_from_win32(DWORD desired)
{
    uint32_t a = 0;
    if (desired & (GENERIC_READ | GENERIC_ALL | FILE_READ_DATA))
        a |= FILE_READ_DATA;
    if (desired & (GENERIC_WRITE | GENERIC_ALL | FILE_WRITE_DATA))
        a |= FILE_WRITE_DATA;
    return a;
}

static HANDLE create_file(const char *path, DWORD desired, DWORD disposition, DWORD flags)
{
    if (!path || !*path) {
        bkc_set_error(ERROR_PATH_NOT_FOUND);
        return INVALID_HANDLE_VALUE;
    }
    if (disposition != OPEN_EXISTING) {
        /* Devices exist or not: the documented flow opens them OPEN_EXISTING. */
        bkc_set_error(ERROR_INVALID_PARAMETER);
        return INVALID_HANDLE_VALUE;
    }
    uint32_t generation;
    const bkc_transport_t *tp = bkc_transport(&generation);
    if (!tp)
        return INVALID_HANDLE_VALUE;
    bkc_file_t *f = calloc(1, sizeof *f);
    if (!f) {
        bkc_set_error(ERROR_NOT_ENOUGH_MEMORY);
        return INVALID_HANDLE_VALUE;
    }
    f->obj.kind = BKC_FILE;
    f->obj.destroy = file_destroy;
    f->overlapped = (flags & FILE_FLAG_OVERLAPPED) != 0;
    f->generation = generation;
    f->tp = tp;
    f->pending.next = f->pending.prev = &f->pending;
    char *native = bkc_path_to_native(path);
    if (!native) {
        free(f);
        bkc_set_error(ERROR_NOT_ENOUGH_MEMORY);
        return INVALID_HANDLE_VALUE;
    }
    NTSTATUS s = tp->open(native, access_from_win32(desired), &f->remote, &f->access);
    free(native);
    if (!NT_SUCCESS(s)) {
        free(f);
        bkc_set_status(s);
        return INVALID_HANDLE_VALUE;
    }
    HANDLE h = bkc_handle_insert(&f->obj);
    if (!h) {
        tp->close(f->remote);
        free(f);
        bkc_set_error(ERROR_NO_SYSTEM_RESOURCES);
        return INVALID_HANDLE_VALUE;
    }
    bkc_set_error(ERROR_SUCCESS);
    return h;
}

HANDLE WINAPI CreateFileW(LPCWSTR lpFileName, DWORD dwDesiredAccess, DWORD dwShareMode,
                          LPSECURITY_ATTRIBUTES lpSecurityAttributes, DWORD dwCreationDisposition,
                          DWORD dwFlagsAndAttributes, HANDLE hTemplateFile)
{
    (void)dwShareMode, (void)lpSecurityAttributes, (void)hTemplateFile;
    if (!lpFileName) {
        bkc_set_error(ERROR_PATH_NOT_FOUND);
        return INVALID_HANDLE_VALUE;
    }
    char *path = bkc_utf16_to_utf8(lpFileName);
    if (!path) {
        bkc_set_error(ERROR_INVALID_NAME);
        return INVALID_HANDLE_VALUE;
    }
    HANDLE h = create_file(path, dwDesiredAccess, dwCreationDisposition, dwFlagsAndAttributes);
    free(path);
    return h;
}

HANDLE WINAPI CreateFileA(LPCSTR lpFileName, DWORD dwDesiredAccess, DWORD dwShareMode,
                          LPSECURITY_ATTRIBUTES lpSecurityAttributes, DWORD dwCreationDisposition,
                          DWORD dwFlagsAndAttributes, HANDLE hTemplateFile)
{
    (void)dwShareMode, (void)lpSecurityAttributes, (void)hTemplateFile;
    return create_file(lpFileName, dwDesiredAccess, dwCreationDisposition, dwFlagsAndAttributes);
}

static size_t cancel_matching(bkc_file_t *f, LPOVERLAPPED ov, bool this_thread);

/* A file from a handle, refused once its transport has been replaced. */
static bkc_file_t *get_file(HANDLE h)
{
    bkc_file_t *f = (bkc_file_t *)bkc_handle_get(h, BKC_FILE);
    if (f && f->generation != bkc_transport_generation()) {
        bkc_object_release(&f->obj);
        bkc_set_error(ERROR_INVALID_HANDLE);
        return NULL;
    }
    return f;
}

BOOL WINAPI CloseHandle(HANDLE hObject)
{
    bkc_object_t *obj = bkc_handle_remove(hObject, 0);
    if (!obj)
        return FALSE;
    switch (obj->kind) {
    case BKC_FILE: {
        bkc_file_t *f = (bkc_file_t *)obj;
        /* docs: closing the handle cancels its outstanding I/O (cleanup);
         * overlapped requests still complete, with ERROR_OPERATION_ABORTED.
         * Cancel them first, then close: the close itself then has nothing
         * left to complete while it walks its requests. */
        if (f->generation == bkc_transport_generation()) {
            cancel_matching(f, NULL, false);
            f->tp->close(f->remote);
        }
        f->closed = true;
        break;
    }
    case BKC_WATCH: {
        bkc_watch_t *w = (bkc_watch_t *)obj;
        if (w->generation == bkc_transport_generation() && w->tp)
            w->tp->watch_stop(w);
        break;
    }
    case BKC_DEVINFO:
        /* SetupDiDestroyDeviceInfoList owns these; accept the close anyway. */
        break;
    default:
        break;
    }
    bkc_object_release(obj);
    bkc_run_deferred();
    return TRUE;
}

/* ---- DeviceIoControl ---- */
static bkc_io_t *new_io(bkc_file_t *f, void *out, DWORD out_len, LPOVERLAPPED ov)
{
    bkc_io_t *io = calloc(1, sizeof *io);
    if (!io)
        return NULL;
    io->file = f;
    io->tp = f->tp;
    io->out = out;
    io->out_len = out_len;
    io->ov = ov;
    io->thread = pthread_self();
    io->refs = 1;
    return io;
}

/* Sets the last error for a finished request; TRUE only for success. */
static BOOL finish(NTSTATUS status, uint32_t returned, LPDWORD bytes)
{
    if (bytes)
        *bytes = NT_ERROR(status) ? 0 : returned;
    if (NT_SUCCESS(status)) {
        bkc_set_error(ERROR_SUCCESS);
        return TRUE;
    }
    bkc_set_status(status); /* STATUS_BUFFER_OVERFLOW: ERROR_MORE_DATA with the partial count */
    return FALSE;
}

BOOL WINAPI DeviceIoControl(HANDLE hDevice, DWORD dwIoControlCode, LPVOID lpInBuffer,
                            DWORD nInBufferSize, LPVOID lpOutBuffer, DWORD nOutBufferSize,
                            LPDWORD lpBytesReturned, LPOVERLAPPED lpOverlapped)
{
    bkc_file_t *f = get_file(hDevice);
    if (!f)
        return FALSE;
    BOOL ok = FALSE;
    /* docs: without FILE_FLAG_OVERLAPPED the OVERLAPPED is ignored and the
     * call is synchronous; a synchronous call needs lpBytesReturned; an
     * overlapped handle needs a valid OVERLAPPED. */
    bool async = f->overlapped;
    if ((nInBufferSize && !lpInBuffer) || (nOutBufferSize && !lpOutBuffer) ||
        (async && !lpOverlapped) || (!async && !lpBytesReturned)) {
        bkc_set_error(ERROR_INVALID_PARAMETER);
        goto out;
    }
    if (lpBytesReturned)
        *lpBytesReturned = 0;
    bkc_io_t *io = new_io(f, lpOutBuffer, nOutBufferSize, async ? lpOverlapped : NULL);
    if (!io) {
        bkc_set_error(ERROR_NOT_ENOUGH_MEMORY);
        goto out;
    }
    pthread_mutex_lock(&bkc_lock);
    f->obj.refs++; /* held by the request until it is freed */
    io->refs++;    /* ours, until we have looked at the result */
    if (async) {
        /* docs: the event is reset when the operation starts. */
        lpOverlapped->Internal = (ULONG_PTR)(uint32_t)STATUS_PENDING;
        lpOverlapped->InternalHigh = 0;
    }
    io->next = &f->pending;
    io->prev = f->pending.prev;
    f->pending.prev->next = io;
    f->pending.prev = io;
    pthread_mutex_unlock(&bkc_lock);
    if (async && lpOverlapped->hEvent)
        ResetEvent(lpOverlapped->hEvent);

    NTSTATUS s = f->tp->ioctl_start(f->remote, io, dwIoControlCode, lpInBuffer, nInBufferSize);
    pthread_mutex_lock(&bkc_lock);
    if (s != STATUS_PENDING) {
        /* Refused before it started: no completion will come. */
        unlink_io(io);
        if (async)
            lpOverlapped->Internal = (ULONG_PTR)(uint32_t)s;
        io->done = true;
        bkc_io_release_locked(io);
        bkc_io_release_locked(io);
        pthread_mutex_unlock(&bkc_lock);
        bkc_set_status(s);
        goto out;
    }
    if (!async) {
        f->tp->wait(io, &(bkc_deadline_t){.infinite = true});
        /* Not done: virtual time with nothing left to fire, and the driver
         * kept the request even when cancelled. */
        NTSTATUS status = io->done ? io->status : STATUS_CANCELLED;
        uint32_t returned = io->done ? io->returned : 0;
        if (!io->done)
            io->out = NULL, io->out_len = 0;
        bkc_io_release_locked(io);
        pthread_mutex_unlock(&bkc_lock);
        ok = finish(status, returned, lpBytesReturned);
        goto out;
    }
    if (io->done) {
        /* Completed before we returned: report it synchronously (docs allow
         * either; the OVERLAPPED and event are filled as well). */
        NTSTATUS status = io->status;
        uint32_t returned = io->returned;
        bkc_io_release_locked(io);
        pthread_mutex_unlock(&bkc_lock);
        ok = finish(status, returned, lpBytesReturned);
        goto out;
    }
    bkc_io_release_locked(io);
    pthread_mutex_unlock(&bkc_lock);
    f->tp->need_async();
    bkc_set_error(ERROR_IO_PENDING);
out:
    bkc_object_release(&f->obj);
    bkc_run_deferred();
    return ok;
}

/* The pending request of `f` that uses `ov`, referenced; NULL if none. */
static bkc_io_t *find_io_locked(bkc_file_t *f, LPOVERLAPPED ov)
{
    for (bkc_io_t *io = f->pending.next; io != &f->pending; io = io->next)
        if (io->ov == ov) {
            io->refs++;
            return io;
        }
    return NULL;
}

BOOL WINAPI GetOverlappedResult(HANDLE hFile, LPOVERLAPPED lpOverlapped,
                                LPDWORD lpNumberOfBytesTransferred, BOOL bWait)
{
    if (!lpOverlapped || !lpNumberOfBytesTransferred) {
        bkc_set_error(ERROR_INVALID_PARAMETER);
        return FALSE;
    }
    bkc_file_t *f = get_file(hFile);
    if (!f)
        return FALSE;
    pthread_mutex_lock(&bkc_lock);
    if ((NTSTATUS)(uint32_t)lpOverlapped->Internal == STATUS_PENDING) {
        if (!bWait) {
            pthread_mutex_unlock(&bkc_lock);
            bkc_object_release(&f->obj);
            *lpNumberOfBytesTransferred = 0;
            bkc_set_error(ERROR_IO_INCOMPLETE);
            return FALSE;
        }
        bkc_io_t *io = find_io_locked(f, lpOverlapped);
        if (io) {
            f->tp->wait(io, &(bkc_deadline_t){.infinite = true});
            bkc_io_release_locked(io);
        }
        /* docs: with hEvent set, waiting also leaves the event signalled. */
    }
    NTSTATUS status = (NTSTATUS)(uint32_t)lpOverlapped->Internal;
    uint32_t returned = (uint32_t)lpOverlapped->InternalHigh;
    pthread_mutex_unlock(&bkc_lock);
    bkc_object_release(&f->obj);
    bkc_run_deferred();
    if (status == STATUS_PENDING) {
        /* The request is unknown to this handle (another handle's OVERLAPPED). */
        bkc_set_error(ERROR_INVALID_PARAMETER);
        return FALSE;
    }
    return finish(status, returned, lpNumberOfBytesTransferred);
}

/* Cancels the handle's requests that match; returns how many. */
static size_t cancel_matching(bkc_file_t *f, LPOVERLAPPED ov, bool this_thread)
{
    bkc_io_t *list[256];
    size_t n = 0, total = 0;
    pthread_mutex_lock(&bkc_lock);
    for (bkc_io_t *io = f->pending.next; io != &f->pending; io = io->next) {
        if ((ov && io->ov != ov) || (this_thread && !pthread_equal(io->thread, pthread_self())))
            continue;
        total++;
        if (n < sizeof list / sizeof list[0]) {
            io->refs++;
            list[n++] = io;
        }
    }
    pthread_mutex_unlock(&bkc_lock);
    for (size_t i = 0; i < n; i++)
        f->tp->cancel(list[i]);
    pthread_mutex_lock(&bkc_lock);
    for (size_t i = 0; i < n; i++)
        bkc_io_release_locked(list[i]);
    pthread_mutex_unlock(&bkc_lock);
    return total;
}

BOOL WINAPI CancelIo(HANDLE hFile)
{
    bkc_file_t *f = get_file(hFile);
    if (!f)
        return FALSE;
    /* docs: CancelIo cancels the calling thread's requests on the handle. */
    cancel_matching(f, NULL, true);
    bkc_object_release(&f->obj);
    bkc_run_deferred();
    bkc_set_error(ERROR_SUCCESS);
    return TRUE;
}

BOOL WINAPI CancelIoEx(HANDLE hFile, LPOVERLAPPED lpOverlapped)
{
    bkc_file_t *f = get_file(hFile);
    if (!f)
        return FALSE;
    /* docs: every request on the handle (lpOverlapped NULL) or that one;
     * ERROR_NOT_FOUND when there is nothing to cancel. */
    size_t n = cancel_matching(f, lpOverlapped, false);
    bkc_object_release(&f->obj);
    bkc_run_deferred();
    if (!n) {
        bkc_set_error(ERROR_NOT_FOUND);
        return FALSE;
    }
    bkc_set_error(ERROR_SUCCESS);
    return TRUE;
}
