#ifndef CAISSON_TRAMPOLINE_H
#define CAISSON_TRAMPOLINE_H

#ifdef __cplusplus
extern "C" {
#endif

/* A sealed, executable memfd holding the caisson-exec binary at `path`; -errno on failure. */
int cs_trampoline_memfd(const char *path);

#ifdef __cplusplus
}
#endif

#endif
