/* uses_tickcount64.c: imports a Vista+ function on purpose; xpcheck must report it. */
#include <stdio.h>
#include <windows.h>

/* Declared here because _WIN32_WINNT=0x0501 hides it, as it should for our real code. */
__declspec(dllimport) ULONGLONG WINAPI GetTickCount64(void);

int main(void)
{
    printf("%llu\n", (unsigned long long)GetTickCount64());
    return 0;
}
