#include "run/fate.h"

#include <errno.h>
#include <stddef.h>

const char *const run_fate_names[] = {"transient", "permanent", "unavailable", NULL};

enum run_fate run_fate_of(int err)
{
	if (err < 0)
		err = -err;
	switch (err) {
	case ENOTSUP:
#if EOPNOTSUPP != ENOTSUP
	case EOPNOTSUPP:
#endif
		return RUN_UNAVAILABLE;
	case ENOENT:
	case ENOTDIR:
	case EACCES:
	case EPERM:
	case EROFS:
	case EISDIR:
	case ENAMETOOLONG:
	case ELOOP:
	case ENOSPC:
	case EDQUOT:
	case EFBIG:
	case EINVAL:
		return RUN_PERMANENT;
	default:
		return RUN_TRANSIENT;
	}
}
