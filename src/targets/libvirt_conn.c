/* The libvirt connection of target=libvirt (see libvirt.h). */
#include <errno.h>
#include <libvirt/virterror.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "targets/libvirt.h"
#include "util/err.h"

/* libvirt prints every error to stderr by default; vmbench reports it once,
 * where it knows what to say about it */
static void lv_quiet(void *arg, virErrorPtr e)
{
	(void)arg;
	(void)e;
}

static void *event_loop(void *arg)
{
	(void)arg;
	for (;;)
		if (virEventRunDefaultImpl() < 0)
			vb_warn("libvirt's event loop: %s", lv_lasterr());
	return NULL;
}

int lv_events_start(void)
{
	static pthread_mutex_t once = PTHREAD_MUTEX_INITIALIZER;
	static int started = 0, result = 0;
	pthread_mutex_lock(&once);
	if (!started) {
		started = 1;
		virSetErrorFunc(NULL, lv_quiet);
		if (virEventRegisterDefaultImpl() < 0) {
			result = vb_err(-EIO, "libvirt: cannot start its event loop: %s",
					lv_lasterr());
		} else {
			/* stop signals go to the thread that waits for the guest
			 * (its poll returns EINTR), never to the event thread */
			sigset_t block, old;
			sigemptyset(&block);
			sigaddset(&block, SIGINT);
			sigaddset(&block, SIGTERM);
			sigaddset(&block, SIGHUP);
			pthread_sigmask(SIG_BLOCK, &block, &old);
			pthread_t th;
			pthread_attr_t a;
			pthread_attr_init(&a);
			pthread_attr_setdetachstate(&a, PTHREAD_CREATE_DETACHED);
			int e = pthread_create(&th, &a, event_loop, NULL);
			pthread_attr_destroy(&a);
			pthread_sigmask(SIG_SETMASK, &old, NULL);
			if (e)
				result = vb_err(-e, "cannot start libvirt's event thread: %s",
						strerror(e));
		}
	}
	pthread_mutex_unlock(&once);
	return result;
}

const char *lv_lasterr(void)
{
	const char *m = virGetLastErrorMessage();
	return m ? m : "";
}

int lv_uri_is_remote(const char *uri)
{
	const char *sep = strstr(uri, "://");
	if (!sep)
		return 0;
	const char *host = sep + 3;
	return *host && *host != '/';
}

/* qemu+ssh://[USER@]HOST[:PORT]/system[?keyfile=K&no_verify=1...] */
int lv_uri_ssh(const char *uri, struct vb_ssh *s)
{
	memset(s, 0, sizeof(*s));
	if (strncmp(uri, "qemu+ssh://", 11) != 0)
		return vb_err(-EINVAL,
			      "uri='%s': only qemu+ssh:// reaches another host (with "
			      "qemu+ssh://USER@HOST/system)",
			      uri);
	const char *a = uri + 11, *slash = strchr(a, '/');
	if (!slash)
		return vb_err(-EINVAL, "uri='%s' has no path (qemu+ssh://USER@HOST/system)", uri);
	char spec[512];
	snprintf(spec, sizeof(spec), "%.*s", (int)(slash - a), a);
	if (vb_ssh_parse(spec, s) < 0)
		return vb_err(-EINVAL, "uri='%s': '%s' is not [USER@]HOST[:PORT]", uri, spec);
	const char *q = strchr(slash, '?');
	while (q && *q) {
		q++;
		size_t len = strcspn(q, "&");
		if (!strncmp(q, "keyfile=", 8))
			snprintf(s->keyfile, sizeof(s->keyfile), "%.*s", (int)(len - 8), q + 8);
		else if (!strncmp(q, "no_verify=1", 11))
			s->no_verify = 1;
		q += len;
	}
	return 0;
}

int lv_open(const char *uri, virConnectPtr *conn)
{
	int r = lv_events_start();
	if (r < 0)
		return r;
	*conn = virConnectOpen(uri);
	if (*conn) {
		/* a remote host that dies is noticed in seconds, not at TCP's pace */
		if (lv_uri_is_remote(uri))
			virConnectSetKeepAlive(*conn, 5, 3);
		return 0;
	}
	const char *m = lv_lasterr();
	const char *fix;
	if (lv_uri_is_remote(uri))
		fix = "check that the host is reachable with ssh without a password (BatchMode; "
		      "give the key with ?keyfile=PATH) and that libvirtd runs there";
	else if (strstr(m, "No such file") || strstr(m, "Connection refused") ||
		 strstr(m, "libvirt-sock"))
		fix = "libvirtd is not running: start it (systemctl start libvirtd, or "
		      "libvirtd -d), or give another uri=";
	else if (strstr(m, "ermission denied"))
		fix = "run vmbench as root or as a member of the libvirt group";
	else
		fix = "check the URI (e.g. qemu:///system or qemu+ssh://USER@HOST/system)";
	return vb_err(-ECONNREFUSED, "libvirt: cannot connect to '%s': %s; %s", uri, m, fix);
}

/* ---- lifecycle events ------------------------------------------------------ */

static const char *stopped_why(int detail)
{
	switch (detail) {
	case VIR_DOMAIN_EVENT_STOPPED_SHUTDOWN: return "the guest shut down";
	case VIR_DOMAIN_EVENT_STOPPED_DESTROYED: return "the domain was destroyed";
	case VIR_DOMAIN_EVENT_STOPPED_CRASHED: return "the guest crashed";
	case VIR_DOMAIN_EVENT_STOPPED_FAILED: return "QEMU failed (the host's libvirt log says why)";
	default: return "the domain stopped";
	}
}

static int on_lifecycle(virConnectPtr conn, virDomainPtr dom, int event, int detail, void *opaque)
{
	(void)conn;
	(void)dom;
	struct lv_watch *w = opaque;
	int end = 0;
	pthread_mutex_lock(&w->lock);
	switch (event) {
	case VIR_DOMAIN_EVENT_STOPPED:
		if (!w->cause[0])
			snprintf(w->cause, sizeof(w->cause), "libvirt: %s", stopped_why(detail));
		end = 1;
		break;
	case VIR_DOMAIN_EVENT_CRASHED:
		snprintf(w->cause, sizeof(w->cause), "libvirt: the guest crashed%s",
			 detail == VIR_DOMAIN_EVENT_CRASHED_PANICKED ? " (kernel panic)" : "");
		end = 1;
		break;
	case VIR_DOMAIN_EVENT_SUSPENDED:
		if (detail == VIR_DOMAIN_EVENT_SUSPENDED_IOERROR) {
			snprintf(w->cause, sizeof(w->cause),
				 "libvirt: the guest was paused by an I/O error on its disk "
				 "(a full filesystem under the image?)");
			w->permanent = 1;
			end = 1;
		} else if (detail != VIR_DOMAIN_EVENT_SUSPENDED_PAUSED) {
			snprintf(w->cause, sizeof(w->cause), "libvirt: the guest was paused");
			end = 1;
		}
		break;
	default:
		break;
	}
	if (end && !w->ended) {
		w->ended = 1;
		pthread_mutex_unlock(&w->lock);
		if (w->on_end)
			w->on_end(w->arg);
		return 0;
	}
	pthread_mutex_unlock(&w->lock);
	return 0;
}

/* libvirt is done with the callback: none is running or will run */
static void watch_released(void *opaque)
{
	struct lv_watch *w = opaque;
	__atomic_store_n(&w->released, 1, __ATOMIC_RELEASE);
}

int lv_watch_start(struct lv_watch *w, virConnectPtr conn, virDomainPtr dom)
{
	pthread_mutex_init(&w->lock, NULL);
	w->cause[0] = '\0';
	w->ended = w->permanent = 0;
	w->conn = conn;
	w->released = 0;
	w->callback = virConnectDomainEventRegisterAny(conn, dom, VIR_DOMAIN_EVENT_ID_LIFECYCLE,
						       VIR_DOMAIN_EVENT_CALLBACK(on_lifecycle), w,
						       watch_released);
	if (w->callback < 0)
		return vb_err(-EIO, "libvirt: cannot watch the domain's events: %s", lv_lasterr());
	return 0;
}

void lv_watch_stop(struct lv_watch *w)
{
	if (w->callback >= 0 && w->conn &&
	    virConnectDomainEventDeregisterAny(w->conn, w->callback) == 0) {
		/* a callback in flight on the event thread still uses w (and
		 * through on_end the bridge): wait until libvirt lets go of it */
		for (int i = 0; i < 200 && !__atomic_load_n(&w->released, __ATOMIC_ACQUIRE); i++)
			usleep(10000);
	}
	w->callback = -1;
}

void lv_watch_cause(struct lv_watch *w, char *buf, size_t n, int *permanent)
{
	pthread_mutex_lock(&w->lock);
	snprintf(buf, n, "%s", w->cause);
	if (permanent)
		*permanent = w->permanent;
	pthread_mutex_unlock(&w->lock);
}

/* ---- stats ----------------------------------------------------------------- */

json_t *lv_domain_stats(virDomainPtr dom)
{
	virDomainPtr doms[2] = {dom, NULL};
	virDomainStatsRecordPtr *recs = NULL;
	unsigned int what = VIR_DOMAIN_STATS_CPU_TOTAL | VIR_DOMAIN_STATS_VCPU |
			    VIR_DOMAIN_STATS_BLOCK | VIR_DOMAIN_STATS_BALLOON;
	int n = virDomainListGetStats(doms, what, &recs, 0);
	if (n <= 0) {
		virDomainStatsRecordListFree(recs);
		return NULL;
	}
	json_t *o = json_object();
	for (int i = 0; i < recs[0]->nparams; i++) {
		virTypedParameterPtr p = &recs[0]->params[i];
		switch (p->type) {
		case VIR_TYPED_PARAM_INT: json_object_set_new(o, p->field, json_integer(p->value.i)); break;
		case VIR_TYPED_PARAM_UINT: json_object_set_new(o, p->field, json_integer(p->value.ui)); break;
		case VIR_TYPED_PARAM_LLONG: json_object_set_new(o, p->field, json_integer(p->value.l)); break;
		case VIR_TYPED_PARAM_ULLONG:
			json_object_set_new(o, p->field, json_integer((json_int_t)p->value.ul));
			break;
		case VIR_TYPED_PARAM_DOUBLE: json_object_set_new(o, p->field, json_real(p->value.d)); break;
		default: break; /* strings (block names, paths): not figures */
		}
	}
	virDomainStatsRecordListFree(recs);
	return o;
}

/* ---- doctor ---------------------------------------------------------------- */

int lv_doctor(const char *uri, char *buf, size_t n)
{
	if (lv_events_start() < 0) {
		snprintf(buf, n, "%s", vb_errmsg());
		return -EIO;
	}
	virConnectPtr c = virConnectOpenReadOnly(uri);
	if (!c) {
		snprintf(buf, n,
			 "%s does not answer (%s): target=libvirt needs libvirtd (systemctl start "
			 "libvirtd, or libvirtd -d)",
			 uri, lv_lasterr());
		return -ECONNREFUSED;
	}
	unsigned long lib = 0, hv = 0;
	virConnectGetLibVersion(c, &lib);
	virConnectGetVersion(c, &hv);
	snprintf(buf, n, "%s answers: libvirt %lu.%lu.%lu, QEMU %lu.%lu.%lu", uri, lib / 1000000,
		 lib / 1000 % 1000, lib % 1000, hv / 1000000, hv / 1000 % 1000, hv % 1000);
	virConnectClose(c);
	return 0;
}
