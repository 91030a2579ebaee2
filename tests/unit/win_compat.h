/* Forced into every unit test on Windows (tests/CMakeLists.txt): the few
 * POSIX calls the tests use to make scratch folders. */
#ifndef EXRQOI_TEST_WIN_COMPAT_H
#define EXRQOI_TEST_WIN_COMPAT_H
#ifdef _WIN32
#include <direct.h>
#include <io.h>
#include <stdlib.h>
#include <string.h>

static inline char *exrqoi_test_mkdtemp(char *templ)
{
    if (_mktemp_s(templ, strlen(templ) + 1) != 0 || _mkdir(templ) != 0) return NULL;
    return templ;
}
#define mkdtemp exrqoi_test_mkdtemp
#endif
#endif
