/* A crash during an install leaves the old state or the new one, never
 * half: the test hook fails the install at each step (everything undone),
 * and a child process is killed at each step (the next start finds the old
 * registry file and store, or the new ones). */
#include "setup_fixture.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define REPORT 16384

static const fx_pkg_t v1 = {.name = "fna",
                            .model = "SETUPTEST\\Dev",
                            .install_lines = "AddReg = Sw",
                            .sections = "[Sw]\nHKLM,Software\\battkit-test,V,,\"one\"\n"};
static const fx_pkg_t v2 = {.name = "fna",
                            .model = "SETUPTEST\\Dev, SETUPTEST\\Compat",
                            .driver_ver = "02/02/2025,2.0.0.0",
                            .install_lines = "AddReg = Sw",
                            .sections = "[Sw]\nHKLM,Software\\battkit-test,V,,\"two\"\n"};

static int fail_at(void *context, int point)
{
    return point == *(int *)context;
}

TEST(a_failure_at_any_step_before_the_commit_leaves_the_old_state)
{
    fx_t fx;
    char report[REPORT];
    REQUIRE(fx_begin(&fx));
    const char *inf = fx_package(&fx, &v1);
    /* Fresh install, then an update, each failed at every step. */
    for (int round = 0; round < 2; round++) {
        if (round == 1) {
            CHECK_STATUS(bk_host_install_inf(fx.host, inf, report, sizeof report), 0);
            fx_package(&fx, &v2);
        }
        char *before = fx_state(&fx);
        for (int point = BK_SETUP_AT_FILES_STAGED; point <= BK_SETUP_AT_REGISTRY_HALF_APPLIED;
             point++) {
            bk_setup_set_fault_hook(fail_at, &point);
            CHECK_STATUS(bk_host_install_inf(fx.host, inf, report, sizeof report),
                         STATUS_UNSUCCESSFUL);
            bk_setup_set_fault_hook(NULL, NULL);
            char *after = fx_state(&fx);
            if (!fx_same("state", before, after))
                bk_test_fail(__FILE__, __LINE__, "round %d, point %d", round, point);
            free(after);
        }
        free(before);
    }
    /* The commit point is past undoing: the new state. */
    int point = BK_SETUP_AT_COMMITTED;
    bk_setup_set_fault_hook(fail_at, &point);
    CHECK_STATUS(bk_host_install_inf(fx.host, inf, report, sizeof report), 0);
    bk_setup_set_fault_hook(NULL, NULL);
    char *v = fx_reg_string("\\Registry\\Machine\\Software\\battkit-test", "V");
    CHECK_STR(v, "two");
    free(v);
    fx_done(&fx);
}

/* The child blocks at `point` after telling the parent, which kills it. */
struct stop {
    int point, tell, wait;
};

static int stop_here(void *context, int point)
{
    struct stop *s = context;
    if (point != s->point)
        return 0;
    char c = 1, got;
    if (write(s->tell, &c, 1) != 1)
        _exit(3);
    if (read(s->wait, &got, 1) < 0) /* never answered: killed here */
        _exit(4);
    _exit(5);
}

static void run_child(fx_t *fx, const char *inf, struct stop *s)
{
    char report[REPORT];
    bk_host_t *h = bk_host_create(&(bk_host_options_t){
        .virtual_time = 1, .registry_file = fx->registry, .driver_dir = PNPTEST_DRIVER_DIR});
    if (!h)
        _exit(6);
    bk_host_set_driver_store(h, fx->store);
    bk_setup_set_fault_hook(stop_here, s);
    bk_host_install_inf(h, inf, report, sizeof report);
    _exit(7); /* the hook never stopped it */
}

/* Installs in a child killed at `point`; returns the state a new host
 * finds (after its gc, which bk_host_list_installed runs). */
static char *killed_at(fx_t *fx, const char *inf, int point)
{
    int tell[2], wait_pipe[2];
    if (pipe(tell) != 0 || pipe(wait_pipe) != 0)
        return NULL;
    bk_host_destroy(fx->host); /* no host (and no threads) across fork */
    fx->host = NULL;
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        close(tell[0]);
        close(wait_pipe[1]);
        struct stop s = {.point = point, .tell = tell[1], .wait = wait_pipe[0]};
        run_child(fx, inf, &s);
    }
    close(tell[1]);
    close(wait_pipe[0]);
    char c = 0;
    ssize_t n = read(tell[0], &c, 1);
    CHECK_EQ(n, 1); /* it reached the point */
    kill(pid, SIGKILL);
    int status = 0;
    waitpid(pid, &status, 0);
    CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
    close(tell[0]);
    close(wait_pipe[1]);
    fx_restart(fx);
    bk_installed_driver_t *list;
    bk_host_free_installed(list, bk_host_list_installed(fx->host, &list));
    return fx_state(fx);
}

TEST(killing_the_installer_at_any_step_leaves_the_old_or_the_new_state)
{
    fx_t fx;
    char report[REPORT];
    REQUIRE(fx_begin(&fx));
    const char *inf = fx_package(&fx, &v1);
    CHECK_STATUS(bk_host_install_inf(fx.host, inf, report, sizeof report), 0);
    char *old_state = fx_state(&fx);
    fx_package(&fx, &v2);
    /* What the update looks like when it completes. */
    CHECK_STATUS(bk_host_install_inf(fx.host, inf, report, sizeof report), 0);
    char *new_state = fx_state(&fx);
    fx_package(&fx, &v1);
    CHECK_STATUS(bk_host_install_inf(fx.host, inf, report, sizeof report), 0);
    char *again = fx_state(&fx);
    REQUIRE(fx_same("state", old_state, again));
    fx_package(&fx, &v2);

    for (int point = BK_SETUP_AT_FILES_STAGED; point <= BK_SETUP_AT_COMMITTED; point++) {
        char *state = killed_at(&fx, inf, point);
        REQUIRE(state);
        const char *want = point == BK_SETUP_AT_COMMITTED ? new_state : old_state;
        if (!fx_same(point == BK_SETUP_AT_COMMITTED ? "new state" : "old state", want, state))
            bk_test_fail(__FILE__, __LINE__, "killed at point %d", point);
        free(state);
        if (point == BK_SETUP_AT_COMMITTED)
            break;
    }
    free(old_state);
    free(new_state);
    free(again);
    fx_done(&fx);
}
