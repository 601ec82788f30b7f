/* Wine 8's bcryptprimitives.dll lacks ProcessPrng, which Rust's std (1.78+)
 * imports for its random numbers on Windows. This test-only stand-in, put in
 * the Wine prefix's system32 and loaded as a native DLL, answers it from
 * RtlGenRandom (advapi32's SystemFunction036), Windows' own CSPRNG entry.
 * Real Windows 10/11 has ProcessPrng; nothing of this ships. */
#include <windows.h>

BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length);

BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T length)
{
    while (length > 0) {
        ULONG chunk = length > 0x10000000 ? 0x10000000 : (ULONG)length;
        if (!SystemFunction036(data, chunk)) return FALSE;
        data += chunk;
        length -= chunk;
    }
    return TRUE;
}
