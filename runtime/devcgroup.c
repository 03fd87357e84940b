/* Device rules for v1 and cgroup2 (see devcgroup.h).
 *
 * No library builds device programs (libbpf loads programs, it does not
 * write them), so the program is assembled here from the rule table, the way
 * runc and crun do: a prologue loads the request, then one block per rule
 * returns 1 (allow) when the request matches it, and the end returns 0. */
#include "runtime/devcgroup.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/bpf.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/fs.h"

const struct rt_dev_rule rt_dev_default_rules[] = {
    {'c', -1, -1, "m"}, {'b', -1, -1, "m"}, {'c', 1, 3, "rwm"},	   {'c', 1, 5, "rwm"},
    {'c', 1, 7, "rwm"}, {'c', 1, 8, "rwm"}, {'c', 1, 9, "rwm"},	   {'c', 5, 0, "rwm"},
    {'c', 5, 1, "rwm"}, {'c', 5, 2, "rwm"}, {'c', 136, -1, "rwm"},
};
const size_t rt_dev_default_count = sizeof(rt_dev_default_rules) / sizeof(rt_dev_default_rules[0]);

static void format_number(char *buf, size_t size, int n)
{
	if (n < 0)
		snprintf(buf, size, "*");
	else
		snprintf(buf, size, "%d", n);
}

char *rt_dev_rule_v1(const struct rt_dev_rule *r)
{
	char major[16], minor[16];
	format_number(major, sizeof(major), r->major);
	format_number(minor, sizeof(minor), r->minor);
	return gk_strdup_printf("%c %s:%s %s", r->type, major, minor, r->access);
}

/* ---- the program ---- */

/* Registers once the prologue has run. */
enum { R_TYPE = 2, R_ACCESS = 3, R_MAJOR = 4, R_MINOR = 5, R_SCRATCH = 6 };

/* Room for the prologue, 8 instructions per rule and the end. */
#define MAX_RULES 64
#define MAX_INSNS (8 + 8 * MAX_RULES + 2)

struct program {
	struct bpf_insn insn[MAX_INSNS];
	size_t n;
};

static void emit(struct program *p, __u8 code, __u8 dst, __u8 src, __s16 off, __s32 imm)
{
	p->insn[p->n++] =
	    (struct bpf_insn){.code = code, .dst_reg = dst, .src_reg = src, .off = off, .imm = imm};
}

static unsigned access_bits(const char *access)
{
	unsigned bits = 0;
	for (const char *c = access; *c; c++)
		bits |= *c == 'r'   ? BPF_DEVCG_ACC_READ
			: *c == 'w' ? BPF_DEVCG_ACC_WRITE
			: *c == 'm' ? BPF_DEVCG_ACC_MKNOD
				    : 0;
	return bits;
}

/* The request, from struct bpf_cgroup_dev_ctx in r1: its device type, the
 * access asked for, major and minor. */
static void emit_prologue(struct program *p)
{
	emit(p, BPF_LDX | BPF_MEM | BPF_W, R_TYPE, BPF_REG_1, 0, 0);
	emit(p, BPF_ALU64 | BPF_MOV | BPF_X, R_ACCESS, R_TYPE, 0, 0);
	emit(p, BPF_ALU64 | BPF_AND | BPF_K, R_TYPE, 0, 0, 0xffff);
	emit(p, BPF_ALU64 | BPF_RSH | BPF_K, R_ACCESS, 0, 0, 16);
	emit(p, BPF_LDX | BPF_MEM | BPF_W, R_MAJOR, BPF_REG_1, 4, 0);
	emit(p, BPF_LDX | BPF_MEM | BPF_W, R_MINOR, BPF_REG_1, 8, 0);
}

/* One rule: each test that fails jumps past the block's end, to the next
 * rule; a request that passes them all is allowed. The jumps' offsets are
 * filled in once the block's length is known. */
static void emit_rule(struct program *p, const struct rt_dev_rule *r)
{
	size_t jumps[4], nj = 0;
	jumps[nj++] = p->n;
	emit(p, BPF_JMP | BPF_JNE | BPF_K, R_TYPE, 0, 0,
	     r->type == 'b' ? BPF_DEVCG_DEV_BLOCK : BPF_DEVCG_DEV_CHAR);
	/* every access asked for must be one the rule grants */
	emit(p, BPF_ALU64 | BPF_MOV | BPF_X, R_SCRATCH, R_ACCESS, 0, 0);
	emit(p, BPF_ALU64 | BPF_AND | BPF_K, R_SCRATCH, 0, 0, (__s32)~access_bits(r->access));
	jumps[nj++] = p->n;
	emit(p, BPF_JMP | BPF_JNE | BPF_K, R_SCRATCH, 0, 0, 0);
	if (r->major >= 0) {
		jumps[nj++] = p->n;
		emit(p, BPF_JMP | BPF_JNE | BPF_K, R_MAJOR, 0, 0, r->major);
	}
	if (r->minor >= 0) {
		jumps[nj++] = p->n;
		emit(p, BPF_JMP | BPF_JNE | BPF_K, R_MINOR, 0, 0, r->minor);
	}
	emit(p, BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_0, 0, 0, 1);
	emit(p, BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
	for (size_t i = 0; i < nj; i++)
		p->insn[jumps[i]].off = (__s16)(p->n - jumps[i] - 1);
}

static void emit_deny(struct program *p)
{
	emit(p, BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_0, 0, 0, 0);
	emit(p, BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
}

static int sys_bpf(int cmd, union bpf_attr *attr)
{
	return (int)syscall(SYS_bpf, cmd, attr, sizeof(*attr));
}

static int prog_load(const struct program *p, char *log, size_t log_size)
{
	union bpf_attr attr;
	memset(&attr, 0, sizeof(attr));
	attr.prog_type = BPF_PROG_TYPE_CGROUP_DEVICE;
	attr.insns = (__u64)(uintptr_t)p->insn;
	attr.insn_cnt = (__u32)p->n;
	attr.license = (__u64)(uintptr_t) "GPL";
	if (log) {
		attr.log_buf = (__u64)(uintptr_t)log;
		attr.log_size = (__u32)log_size;
		attr.log_level = 1;
	}
	return sys_bpf(BPF_PROG_LOAD, &attr);
}

/* Load it; on failure, load it again with the verifier's log to say why
 * (asking for the log up front would fail any load whose log does not fit). */
static int load_program(const struct program *p, struct gk_err *err)
{
	int fd = prog_load(p, NULL, 0);
	if (fd >= 0)
		return fd;
	int saved = errno;
	char log[16384] = "";
	int again = prog_load(p, log, sizeof(log));
	if (again >= 0)
		close(again);
	return gk_err_set(err, saved, "load the device program%s%.300s", log[0] ? ": " : "", log);
}

int rt_dev_attach_program(const char *dir, const struct rt_dev_rule *rules, size_t n,
			  struct gk_err *err)
{
	if (n > MAX_RULES)
		return gk_err_set(err, E2BIG, "%zu device rules (at most %d)", n, MAX_RULES);
	struct program p = {.n = 0};
	emit_prologue(&p);
	for (size_t i = 0; i < n; i++)
		emit_rule(&p, &rules[i]);
	emit_deny(&p);

	_cleanup_close_ int prog = load_program(&p, err);
	if (prog < 0)
		return -1;
	_cleanup_close_ int cg = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (cg < 0)
		return gk_err_set(err, errno, "open %s", dir);
	union bpf_attr attr;
	memset(&attr, 0, sizeof(attr));
	attr.target_fd = (__u32)cg;
	attr.attach_bpf_fd = (__u32)prog;
	attr.attach_type = BPF_CGROUP_DEVICE;
	attr.attach_flags = BPF_F_ALLOW_MULTI;
	if (sys_bpf(BPF_PROG_ATTACH, &attr) < 0)
		return gk_err_set(err, errno, "attach the device program to %s", dir);
	return 0;
}
