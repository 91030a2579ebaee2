/* The tool's POSIX helpers (see sys.h). */
#ifndef _WIN32
#define _GNU_SOURCE 1
#include "tools/sys.h"

#include <dirent.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

void tool_sys_init(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    signal(SIGPIPE, SIG_IGN);
}

bool tool_sys_is_terminal(int fd) { return isatty(fd); }
FILE *tool_sys_fopen_read(const char *path) { return fopen(path, "rb"); }
int tool_sys_mkdir(const char *path) { return mkdir(path, 0777); }

double tool_sys_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

void tool_sys_remove_prefixed(const char *dir, const char *prefix)
{
    DIR *d = opendir(*dir ? dir : "./");
    if (!d) return;
    struct dirent *e;
    while ((e = readdir(d)) != NULL)
        if (!strncmp(e->d_name, prefix, strlen(prefix))) {
            char full[8400];
            snprintf(full, sizeof full, "%s%s", dir, e->d_name);
            unlink(full);
        }
    closedir(d);
}

static sigset_t watched;
static void (*on_interrupt)(int sig);

static void *watch(void *arg)
{
    (void)arg;
    int sig = 0;
    while (sigwait(&watched, &sig) != 0) {
    }
    on_interrupt(sig);
    /* die of the signal, so the caller (a shell loop) sees the interruption */
    signal(sig, SIG_DFL);
    sigset_t one;
    sigemptyset(&one);
    sigaddset(&one, sig);
    pthread_sigmask(SIG_UNBLOCK, &one, NULL);
    raise(sig);
    _exit(128 + sig);
}

void tool_sys_watch_interrupts(void (*on)(int sig))
{
    on_interrupt = on;
    sigemptyset(&watched);
    sigaddset(&watched, SIGINT);
    sigaddset(&watched, SIGTERM);
    sigaddset(&watched, SIGHUP);
    pthread_sigmask(SIG_BLOCK, &watched, NULL);
    pthread_t t;
    if (pthread_create(&t, NULL, watch, NULL) == 0) pthread_detach(t);
}

const char *tool_sys_signal_name(int sig)
{
    return sig == SIGINT ? "SIGINT" : sig == SIGTERM ? "SIGTERM" : sig == SIGHUP ? "SIGHUP" : "a signal";
}

#else
typedef int tool_sys_posix_unused;
#endif
