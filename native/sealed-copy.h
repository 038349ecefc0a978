#ifndef CAISSON_SEALED_COPY_H
#define CAISSON_SEALED_COPY_H

#ifdef __cplusplus
extern "C" {
#endif

/* A sealed, executable memfd named `name` holding the binary at `path`; -errno on failure. */
int cs_sealed_copy(const char *path, const char *name);

#ifdef __cplusplus
}
#endif

#endif
