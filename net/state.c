#include "net/state.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/fs.h"
#include "common/json.h"
#include "common/lock.h"
#include "common/paths.h"

#define NET_STATE_MAX (64 << 20)

char *net_state_path(const char *name, struct gk_err *err)
{
	_cleanup_free_ char *dir = gk_strdup_printf("%s/net", gk_run_dir());
	if (gk_mkdir_p(dir, 0700, err) < 0)
		return NULL;
	return gk_strdup_printf("%s/%s", dir, name);
}

int net_state_lock(const char *name, struct gk_err *err)
{
	_cleanup_free_ char *file = gk_strdup_printf("%s.lock", name);
	_cleanup_free_ char *path = net_state_path(file, err);
	if (!path)
		return -1;
	return gk_lock(path, GK_LOCK_EXCLUSIVE, err);
}

int net_state_read(const char *file, json_object **out, struct gk_err *err)
{
	_cleanup_free_ char *path = net_state_path(file, err);
	if (!path)
		return -1;
	if (access(path, F_OK) < 0 && errno == ENOENT) {
		*out = json_object_new_object();
		return 0;
	}
	if (gk_json_read_file(path, NET_STATE_MAX, out, err) < 0)
		return -1;
	if (!json_object_is_type(*out, json_type_object)) {
		json_object_put(*out);
		*out = NULL;
		return gk_err_set(err, 0, "%s: not a JSON object", path);
	}
	return 0;
}

int net_write_file(const char *path, const void *data, size_t len, mode_t mode, struct gk_err *err)
{
	_cleanup_free_ char *tmp = gk_strdup_printf("%s.tmp-%d", path, getpid());
	_cleanup_close_ int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	if (fd < 0)
		return gk_err_set(err, errno, "create %s", tmp);
	if (fchmod(fd, mode) < 0 || write(fd, data, len) != (ssize_t)len) {
		int saved = errno;
		unlink(tmp);
		return gk_err_set(err, saved, "write %s", tmp);
	}
	if (rename(tmp, path) < 0) {
		int saved = errno;
		unlink(tmp);
		return gk_err_set(err, saved, "rename %s", path);
	}
	return 0;
}

int net_state_write_path(const char *path, json_object *obj, struct gk_err *err)
{
	const char *text = json_object_to_json_string_ext(obj, JSON_C_TO_STRING_PRETTY);
	return net_write_file(path, text, strlen(text), 0600, err);
}

int net_state_write(const char *file, json_object *obj, struct gk_err *err)
{
	_cleanup_free_ char *path = net_state_path(file, err);
	if (!path)
		return -1;
	return net_state_write_path(path, obj, err);
}
