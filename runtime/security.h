/* The security floor of every container (see shared/reference/security-floor.md):
 * Docker's default capabilities, masked and read-only paths, no_new_privs and
 * the default seccomp profile. All of these run in the container's first
 * process (or an exec'd process) after pivot_root, in this order:
 *   rt_mask_paths() -> rt_caps_bound() -> user switch -> rt_caps_set()
 *   -> prctl(NO_NEW_PRIVS) -> rt_seccomp_load()
 * and then execve. */
#ifndef RT_SECURITY_H
#define RT_SECURITY_H

#include <stddef.h>
#include <stdint.h>

#include "common/err.h"

struct rt_security {
	char **cap_add;	 /* "NET_ADMIN", "CAP_SYS_TIME", "ALL" ... (NULL-terminated or NULL) */
	char **cap_drop; /* same names; "ALL" drops every default */
	int privileged;	 /* all capabilities, no masks, no seccomp */
};

/* Docker's 14 default capabilities, as a bitmask of CAP_* numbers. */
uint64_t rt_caps_default(void);
/* Defaults + cap_add - cap_drop (all caps when privileged). Unknown names are
 * an error naming the capability. */
int rt_caps_compute(const struct rt_security *sec, uint64_t *mask, struct gk_err *err);
/* Drop every capability not in `mask` from the bounding set (up to the
 * kernel's cap_last_cap). Permitted and effective stay as they are, so the
 * caller can still switch user with CAP_SETUID/CAP_SETGID that `mask` may
 * lack. Capabilities outside the caller's own bounding set are left out here
 * and in rt_caps_set() (they cannot be had). */
int rt_caps_bound(uint64_t mask, struct gk_err *err);
/* Permitted = effective = `mask` (within the bounding set), inheritable and
 * ambient empty (Docker since CVE-2022-24769). After a setuid() to a non-root
 * user (without PR_SET_KEEPCAPS) the kernel has cleared permitted and
 * effective: rt_caps_set(0) then is Docker's result for non-root users
 * (CapEff 0, CapBnd = mask). */
int rt_caps_set(uint64_t mask, struct gk_err *err);
/* rt_caps_bound() then rt_caps_set(): for a process that stays root. */
int rt_caps_apply(uint64_t mask, struct gk_err *err);
/* The highest capability number the running kernel knows (cap_last_cap). */
int rt_caps_last(void);

/* Mask Docker's masked paths (bind /dev/null over files, empty read-only tmpfs
 * over directories) and remount the read-only paths, in the current mount
 * namespace whose root is the container's root. Skips what does not exist. */
int rt_mask_paths(struct gk_err *err);

/* Load the default seccomp filter (libseccomp): default EPERM, Docker's
 * allowlist; clone with CLONE_NEW* refused, clone3 ENOSYS. Call last before
 * execve, after no_new_privs. */
int rt_seccomp_load_default(uint64_t caps_mask, struct gk_err *err);
/* The same filter compiled to BPF (malloc'd *bpf, *len bytes), so it can be
 * built ahead (while the parent sets up the cgroup) and loaded last with
 * rt_seccomp_load_bpf(). */
int rt_seccomp_compile_default(uint64_t caps_mask, void **bpf, size_t *len, struct gk_err *err);
int rt_seccomp_load_bpf(const void *bpf, size_t len, struct gk_err *err);

#endif
