/* The ramp of a density experiment (density.h says what it measures).
 *
 * Each instance is a run/instance.h instance of its own, named VARIANT-I,
 * started through the same lifecycle as the runner's variants (setup, exec,
 * the hello) and left idle. Stopping sends every agent "bye" first, so that
 * guests power off together, then releases each. Signals: run/stopsig.h; a
 * second one ends vmbench at once, after writing KSM's settings back. */
#include "density/density.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/facts.h"
#include "density/ksm.h"
#include "run/instance.h"
#include "run/stopsig.h"
#include "stats/summary.h"
#include "store/density_store.h"
#include "telemetry/meminfo.h"
#include "util/err.h"
#include "util/timeutil.h"
#include "util/units.h"

#define KSM_POLL_NS (250 * 1000000LL)
#define MAX_PIDS 65536
#define MIB(kib) ((double)(kib) / 1024.0)

struct inst {
	struct instance in;
	char name[PLAN_NAME_MAX + 16];
};

struct sample {
	struct meminfo mi;
	int64_t used; /* KiB, meminfo_used() */
};

struct ramp {
	const struct density_opts *o;
	const struct density_run_opts *ro;
	struct plan_variant *pv;
	int ksm_on;
	const char *ksm;
	struct inst *in;
	int n; /* instances launched (and running) */
	int64_t t0;
	struct sample base;
	int64_t reserve; /* KiB */
	struct store *st;
	struct density_store *ds;
	int64_t exp_id;
	int64_t *variant_id; /* 0 until the variant is stored */
	json_t *note;	     /* what the experiment's config keeps of the ramp */
	int mergeable;	     /* -1 unknown, 0 none of the instances' memory, 1 some */
	pid_t *pids;	     /* scratch: the instances' processes */
};

static double since(int64_t t0)
{
	return (double)(vb_now_ns() - t0) / 1e9;
}

static int sample_take(struct sample *s)
{
	int r = meminfo_read(NULL, &s->mi);
	if (r == 0)
		s->used = meminfo_used(&s->mi);
	return r;
}

/* Samples every settle-interval until host used changed by less than
 * settle-pct percent over settle-samples consecutive intervals, or the
 * timeout. *stable says which; the last sample is in *s. */
static int settle(const struct density_opts *o, struct sample *s, int *stable, double *secs,
		  int64_t t0_ramp, json_t *ksm_samples)
{
	int64_t t0 = vb_now_ns();
	struct sample prev;
	int r, calm = 0;
	*stable = 0;
	if ((r = sample_take(&prev)) < 0)
		return r;
	*s = prev;
	for (;;) {
		if (stopsig_nap(o->settle_interval_ns) < 0)
			return -EINTR;
		if ((r = sample_take(s)) < 0)
			return r;
		struct ksm_stats ks;
		if (ksm_samples && ksm_stats_read(&ks) == 0) /* the burndown goes on */
			json_array_append_new(ksm_samples, json_pack("[f,I]", since(t0_ramp),
								     (json_int_t)ks.pages_sharing));
		double limit = o->settle_pct / 100.0 * (double)(s->used > 1024 ? s->used : 1024);
		calm = fabs((double)(s->used - prev.used)) < limit ? calm + 1 : 0;
		prev = *s;
		if (calm >= o->settle_samples) {
			*stable = 1;
			break;
		}
		if (vb_now_ns() - t0 >= o->settle_timeout_ns)
			break;
	}
	*secs = since(t0);
	return 0;
}

/* Every process of the running instances: their telemetry_pids and all
 * their descendants. */
static int ramp_pids(struct ramp *rp)
{
	int nroots = 0;
	pid_t roots[4096];
	for (int i = 0; i < rp->n && nroots < 4096; i++) {
		struct inst *x = &rp->in[i];
		if (!x->in.started || !x->in.t.ops->telemetry_pids)
			continue;
		pid_t p[64];
		int k = x->in.t.ops->telemetry_pids(&x->in.t, p, 64);
		for (int j = 0; j < k && nroots < 4096; j++)
			roots[nroots++] = p[j];
	}
	return proc_tree(roots, nroots, rp->pids, MAX_PIDS);
}

struct tree_mem {
	int64_t pss;	       /* KiB */
	int64_t merging_pages; /* /proc/PID/ksm_stat, summed */
	int64_t profit;	       /* bytes, summed (-1: unknown) */
	int nprocs, nmergeable, nmerge_any, known;
};

static void tree_mem(struct ramp *rp, struct tree_mem *m)
{
	int n = ramp_pids(rp);
	memset(m, 0, sizeof(*m));
	for (int i = 0; i < n; i++) {
		int64_t kib;
		struct proc_ksm k;
		if (proc_pss_kib(rp->pids[i], &kib) == 0) {
			m->pss += kib;
			m->nprocs++;
		}
		if (proc_ksm_read(rp->pids[i], &k) == 0) {
			m->merging_pages += k.merging_pages;
			if (k.profit > 0)
				m->profit += k.profit;
			m->nmergeable += k.mergeable == 1;
			m->nmerge_any += k.merge_any == 1;
			m->known += k.mergeable >= 0;
		}
	}
}

/* Waits until KSM's pages_sharing changes by under ksm-change-pct between
 * two full scans (the first compared scan starts after this call), or
 * ksm-timeout. Samples of pages_sharing go to samples as [t, pages]. */
static int ksm_converge(struct ramp *rp, json_t *samples, struct ksm_stats *st, int *converged,
			double *secs, int *scans)
{
	const struct density_opts *o = rp->o;
	int64_t t0 = vb_now_ns(), last_sample = 0;
	int r;
	*converged = 0;
	if ((r = ksm_stats_read(st)) < 0)
		return r;
	int64_t first = st->full_scans;
	/* the scan running now began before the last launch: two more */
	int64_t want = st->full_scans + 2, prev = -1;
	for (;;) {
		if (stopsig_nap(KSM_POLL_NS) < 0)
			return -EINTR;
		if ((r = ksm_stats_read(st)) < 0)
			return r;
		int64_t now = vb_now_ns();
		if (now - last_sample >= VB_NSEC_PER_SEC) {
			json_array_append_new(samples, json_pack("[f,I]", since(rp->t0),
								 (json_int_t)st->pages_sharing));
			last_sample = now;
		}
		if (st->full_scans >= want) {
			double d = fabs((double)(st->pages_sharing - prev));
			if (prev >= 0 &&
			    d <= o->ksm_change_pct / 100.0 * (double)(prev > 1 ? prev : 1)) {
				*converged = 1;
				break;
			}
			prev = st->pages_sharing;
			want = st->full_scans + 1;
		}
		if (now - t0 >= o->ksm_timeout_ns)
			break;
	}
	json_array_append_new(samples,
			      json_pack("[f,I]", since(rp->t0), (json_int_t)st->pages_sharing));
	*secs = since(t0);
	*scans = (int)(st->full_scans - first);
	return 0;
}

/* Other QEMUs, vmbenches and container runtimes change host memory too: the
 * steps where some ran are noted (and said once), since used and
 * MemAvailable then include them; PSS does not. */
static void foreign_check(struct ramp *rp)
{
	static const char *const names[] = {"qemu-system", "vmbench", "crun",
					    "podman",	   "conmon",  NULL};
	pid_t self = getpid(), found[32];
	int nours = proc_tree(&self, 1, rp->pids, MAX_PIDS);
	int n = proc_find_comm(names, rp->pids, nours, found, 32);
	if (n == 0)
		return;
	json_t *list = json_object_get(rp->note, "interference");
	if (!list) {
		list = json_array();
		json_object_set_new(rp->note, "interference", list);
		char pids[256] = "";
		size_t used = 0;
		for (int i = 0; i < n && used < sizeof(pids); i++)
			used += (size_t)snprintf(pids + used, sizeof(pids) - used, "%s%d",
						 i ? " " : "", (int)found[i]);
		if (!rp->ro->quiet)
			vb_warn("other QEMU, vmbench or container runtime processes are running "
				"(PIDs %s): host used and MemAvailable include what they do; PSS "
				"counts this experiment's instances only",
				pids);
	}
	json_t *pids = json_array();
	for (int i = 0; i < n; i++)
		json_array_append_new(pids, json_integer(found[i]));
	json_array_append_new(list, json_pack("{s:i,s:o}", "n", rp->n, "pids", pids));
}

static int store_variant(struct ramp *rp, struct inst *x, json_t *hello)
{
	if (*rp->variant_id)
		return 0;
	json_t *cfg = plan_variant_config(rp->pv);
	int r = store_variant_add(rp->st, rp->exp_id, rp->pv->name, rp->pv->target->name, cfg,
				  x ? x->in.t.provenance : NULL, hello, x ? x->in.t.facts : NULL,
				  rp->variant_id);
	json_decref(cfg);
	return r;
}

/* What one instance of the variant is, in words, from its options: seed 001
 * compares a VM of a cloud image with a system container of the same
 * image's root, which the target's name alone does not tell apart from a
 * VM of the built-in guest or a container of the agent alone. */
static json_t *instance_words(const struct plan_variant *pv)
{
	json_t *cfg = plan_variant_config(pv);
	const char *rt = json_string_value(json_object_get(cfg, "runtime"));
	const char *rootfs = json_string_value(json_object_get(cfg, "rootfs"));
	const char *guest = json_string_value(json_object_get(cfg, "guest"));
	const char *mem = json_string_value(json_object_get(cfg, "mem"));
	char buf[PATH_MAX + 128] = "";
	if (rt && !strcmp(rt, "lxc") && rootfs && *rootfs)
		snprintf(buf, sizeof(buf), "LXC system container, systemd booted, rootfs=%s",
			 rootfs);
	else if (rt)
		snprintf(buf, sizeof(buf), "runtime=%s, the agent alone", rt);
	else if (guest || !strcmp(pv->target->name, "qemu"))
		snprintf(buf, sizeof(buf), "VM, guest=%s%s%s", guest ? guest : "builtin",
			 mem ? ", mem=" : "", mem ? mem : "");
	json_decref(cfg);
	return json_string(buf);
}

/* Starts instance i and waits for its hello; its launch time is from
 * exec() to the hello. Returns 0, or < 0 with the reason in vb_errmsg(). */
static int launch(struct ramp *rp, int i)
{
	struct inst *x = &rp->in[i];
	snprintf(x->name, sizeof(x->name), "%s-%d", rp->pv->name, i + 1);
	instance_init(&x->in, rp->pv->target, rp->pv->opts, x->name, "instance");
	int r = instance_start(&x->in, rp->ksm_on && rp->o->merge_any ? INSTANCE_MERGEABLE : 0);
	if (r < 0)
		return r;
	return store_variant(rp, x, x->in.hello);
}

/* Says bye to every agent first (guests power off side by side), then
 * releases every instance. */
static void stop_all(struct ramp *rp, int count)
{
	for (int i = 0; i < count; i++)
		instance_bye(&rp->in[i].in);
	for (int i = 0; i < count; i++)
		instance_release(&rp->in[i].in);
}

static double median_of(const double *v, int n)
{
	struct summary sm;
	if (n <= 0)
		return NAN;
	summary_compute(v, n, &sm);
	return sm.median;
}

/* Refuses what KSM cannot merge, before anything starts. */
static int ksm_variant_check(const struct plan_variant *pv)
{
	const struct opt_def *d = opt_find(pv->target->options, "hugepages");
	if (d && d->type == OPT_T_BOOL && *OPT_PTR(pv->opts, d, int))
		return vb_err(-EINVAL,
			      "variant '%s': ksm=on with hugepages=on cannot work: KSM merges only "
			      "anonymous private pages, and guest RAM from hugetlbfs is neither; "
			      "use hugepages=off or ksm=off",
			      pv->name);
	return 0;
}

/* After the first launch with KSM on: can KSM merge anything of it? */
static int ksm_instance_check(struct ramp *rp)
{
	struct inst *x = &rp->in[0];
	const char *prov = x->in.t.provenance ? x->in.t.provenance : "";
	if (strstr(prov, "mem-merge=off") || strstr(prov, "merge=off"))
		return vb_err(-EINVAL,
			      "variant '%s': ksm=on, but QEMU runs with mem-merge=off (or a memory "
			      "backend with merge=off), so KSM cannot merge its guest RAM",
			      rp->pv->name);
	struct tree_mem m;
	tree_mem(rp, &m);
	if (m.known == 0) {
		rp->mergeable = -1;
		return 0;
	}
	rp->mergeable = m.nmergeable > 0;
	if (!rp->mergeable && !rp->ro->quiet)
		vb_warn(
		    "variant '%s' (target %s): none of the instance's %d processes has memory "
		    "KSM may merge (KSM merges only memory marked with madvise(MADV_MERGEABLE), "
		    "as QEMU marks guest RAM); set merge-any=on to mark all of it",
		    rp->pv->name, rp->pv->target->name, m.nprocs);
	return 0;
}

static void ramp_say(struct ramp *rp, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void ramp_say(struct ramp *rp, const char *fmt, ...)
{
	if (rp->ro->quiet)
		return;
	va_list ap;
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fflush(stderr);
}

/* Measures a step and stores it. */
static int measure(struct ramp *rp, const double *launches, int nlaunch, int64_t t_last)
{
	const struct density_opts *o = rp->o;
	struct sample s;
	int stable = 0, r;
	double secs = 0;
	json_t *kj = NULL;
	json_t *samples = rp->ksm_on ? json_array() : NULL;
	if ((r = settle(o, &s, &stable, &secs, rp->t0, samples)) < 0) {
		json_decref(samples);
		return r;
	}
	if (rp->ksm_on) {
		struct ksm_stats ks;
		int converged = 1, scans = 0, stable2 = 1;
		double ksecs = 0, s2 = 0;
		const char *why = NULL;
		if (rp->mergeable == 0 && !o->merge_any) {
			why = "nothing of the instances is mergeable";
			r = ksm_stats_read(&ks);
		} else {
			r = ksm_converge(rp, samples, &ks, &converged, &ksecs, &scans);
			/* merging frees memory: let used settle again */
			if (r == 0)
				r = settle(o, &s, &stable2, &s2, rp->t0, samples);
		}
		if (r < 0) {
			json_decref(samples);
			return r;
		}
		struct tree_mem m;
		tree_mem(rp, &m);
		kj = ksm_stats_json(&ks);
		json_object_set_new(kj, "converged", json_boolean(converged));
		json_object_set_new(kj, "ksm_s", json_real(ksecs));
		json_object_set_new(kj, "full_scans_waited", json_integer(scans));
		json_object_set_new(kj, "instances_merging_pages", json_integer(m.merging_pages));
		if (m.known)
			json_object_set_new(kj, "mergeable_processes", json_integer(m.nmergeable));
		if (m.profit > 0)
			json_object_set_new(kj, "instances_profit", json_integer(m.profit));
		if (why)
			json_object_set_new(kj, "why", json_string(why));
		json_object_set_new(kj, "samples", samples);
		json_object_set_new(kj, "t_s", json_real(since(rp->t0)));
		stable = stable && converged && stable2;
		secs += s2;
		if (!converged && !rp->ro->quiet)
			vb_warn("variant '%s', n=%d: KSM did not converge within ksm-timeout "
				"(%d full scans in %.0f s; pages_sharing %lld)",
				rp->pv->name, rp->n, scans, ksecs, (long long)ks.pages_sharing);
	}
	struct tree_mem m;
	tree_mem(rp, &m);
	foreign_check(rp);
	double used = MIB(s.used - rp->base.used);
	double avail = MIB(rp->base.mi.available - s.mi.available);
	double pss = MIB(m.pss);
	struct density_step_row row = {
	    .experiment_id = rp->exp_id,
	    .variant = rp->pv->name,
	    .ksm = rp->ksm,
	    .n = rp->n,
	    .used_mib = used,
	    .available_mib = avail,
	    .pss_mib = pss,
	    .per_instance_mib = used / rp->n,
	    .launch_s_median = median_of(launches, nlaunch),
	    .settle_s = (double)(vb_now_ns() - t_last) / 1e9,
	    .stable = stable,
	    .ksm_json = kj,
	};
	r = density_store_step_add(rp->ds, &row);
	ramp_say(rp,
		 "  n=%-4d used %+8.1f MiB (%6.1f/inst)  MemAvailable %+8.1f (%6.1f/inst)  "
		 "PSS %8.1f (%6.1f/inst)  launch %.2fs  %s %.0fs",
		 rp->n, used, used / rp->n, -avail, -avail / rp->n, pss, pss / rp->n,
		 row.launch_s_median, stable ? "settled in" : "NOT STABLE after", row.settle_s);
	if (kj)
		ramp_say(rp, "  KSM sharing %lld pages, %lld full scans",
			 (long long)json_integer_value(json_object_get(kj, "pages_sharing")),
			 (long long)json_integer_value(json_object_get(kj, "full_scans")));
	ramp_say(rp, "\n");
	json_decref(kj);
	return r;
}

/* One ramp: baseline, steps, teardown, KSM restored. Fills rp->note. */
static int ramp_run(struct ramp *rp)
{
	const struct density_opts *o = rp->o;
	int r = 0, failed = 0, skipped = 0;
	char stopped[1024] = "";
	double *step_launch = calloc((size_t)o->count + 1, sizeof(double));
	rp->in = calloc((size_t)o->count, sizeof(*rp->in));
	rp->pids = calloc(MAX_PIDS, sizeof(pid_t));
	rp->n = 0;
	rp->mergeable = -1;
	json_object_set_new(rp->note, "target", json_string(rp->pv->target->name));
	json_object_set_new(rp->note, "instance", instance_words(rp->pv));
	if (!rp->in || !rp->pids || !step_launch) {
		r = -ENOMEM;
		goto out_free;
	}
	const char *why = rp->pv->target->probe ? rp->pv->target->probe() : NULL;
	if (why) {
		snprintf(stopped, sizeof(stopped), "target %s is unavailable here: %s",
			 rp->pv->target->name, why);
		vb_warn("variant '%s' skipped: %s", rp->pv->name, stopped);
		skipped = 1;
		goto out_free;
	}
	if (rp->ksm_on) {
		json_object_set_new(rp->note, "ksm_before", ksm_settings_json());
		if ((r = ksm_begin(o->ksm_pages_to_scan, o->ksm_sleep_ms)) < 0)
			goto out_free;
		json_object_set_new(rp->note, "ksm_during", ksm_settings_json());
	}
	ramp_say(rp, "density: variant '%s' (target %s), KSM %s: measuring the baseline\n",
		 rp->pv->name, rp->pv->target->name, rp->ksm);
	int stable;
	double secs;
	if ((r = settle(o, &rp->base, &stable, &secs, 0, NULL)) < 0)
		goto out_stop;
	rp->t0 = vb_now_ns();
	foreign_check(rp);
	json_object_set_new(rp->note, "baseline",
			    json_pack("{s:f,s:f,s:f,s:b}", "used_mib", MIB(rp->base.used),
				      "available_mib", MIB(rp->base.mi.available), "total_mib",
				      MIB(rp->base.mi.total), "stable", stable));
	if (rp->ksm_on) {
		struct ksm_stats ks;
		if (ksm_stats_read(&ks) == 0)
			json_object_set_new(rp->note, "ksm_baseline", ksm_stats_json(&ks));
	}
	ramp_say(rp, "  baseline: used %.0f MiB, available %.0f MiB of %.0f; reserve %.0f MiB\n",
		 MIB(rp->base.used), MIB(rp->base.mi.available), MIB(rp->base.mi.total),
		 MIB(rp->reserve));

	while (rp->n < o->count && !stopsig_pending() && !failed) {
		int group = rp->n < o->first ? 1 : (int)o->step;
		if (group > o->count - rp->n)
			group = (int)(o->count - rp->n);
		int nlaunch = 0;
		int64_t t_last = vb_now_ns();
		for (int k = 0; k < group && !stopsig_pending(); k++) {
			struct meminfo mi;
			if ((r = meminfo_read(NULL, &mi)) < 0)
				goto out_stop;
			/* what one more instance is likely to take, from those so far */
			int64_t est = 0;
			if (rp->n > 0) {
				int64_t u = (meminfo_used(&mi) - rp->base.used) / rp->n;
				int64_t a = (rp->base.mi.available - mi.available) / rp->n;
				est = u > a ? u : a;
				if (est < 0)
					est = 0;
			}
			if (mi.available - est < rp->reserve) {
				snprintf(stopped, sizeof(stopped),
					 "MemAvailable %.0f MiB less about %.0f MiB for one more "
					 "instance "
					 "would fall under the reserve of %.0f MiB",
					 MIB(mi.available), MIB(est), MIB(rp->reserve));
				break;
			}
			int was_quiet = vb_err_set_quiet(1);
			r = launch(rp, rp->n);
			vb_err_set_quiet(was_quiet);
			if (r < 0) {
				char msg[768];
				snprintf(msg, sizeof(msg), "%s", vb_errmsg());
				int unavailable = rp->in[rp->n].in.fate == RUN_UNAVAILABLE;
				instance_release(&rp->in[rp->n].in);
				r = 0;
				if (stopsig_pending())
					break;
				snprintf(stopped, sizeof(stopped),
					 "instance %d failed to launch: %s", rp->n + 1, msg);
				if (unavailable && rp->n == 0) { /* not here: skipped */
					vb_warn("variant '%s', KSM %s skipped: %s", rp->pv->name,
						rp->ksm, msg);
					skipped = 1;
				} else {
					vb_err(-EIO, "variant '%s', KSM %s: %s", rp->pv->name,
					       rp->ksm, stopped);
					failed = 1;
				}
				break;
			}
			rp->n++;
			step_launch[nlaunch++] = rp->in[rp->n - 1].in.launch_s;
			t_last = vb_now_ns();
			if ((r = density_store_launch_add(rp->ds, rp->exp_id, rp->pv->name, rp->ksm,
							  rp->n, rp->in[rp->n - 1].in.launch_s)) < 0)
				goto out_stop;
			if (rp->n == 1 && rp->ksm_on && (r = ksm_instance_check(rp)) < 0) {
				/* KSM cannot merge it: nothing to measure either */
				snprintf(stopped, sizeof(stopped), "%s", vb_errmsg());
				failed = 1;
				nlaunch = 0;
				r = 0;
				break;
			}
		}
		if (nlaunch == 0 || stopsig_pending())
			break;
		if ((r = measure(rp, step_launch, nlaunch, t_last)) < 0)
			break;
		if (failed)
			break;
		if (stopped[0])
			break;
	}
	if (!stopped[0]) {
		if (stopsig_pending())
			snprintf(stopped, sizeof(stopped), "interrupted by signal %d",
				 stopsig_pending());
		else if (r == 0)
			snprintf(stopped, sizeof(stopped), "reached count=%lld",
				 (long long)o->count);
	}
out_stop:
	if (r == -EINTR && !stopped[0])
		snprintf(stopped, sizeof(stopped), "interrupted by signal %d", stopsig_pending());
	if (r < 0 && r != -EINTR && !stopped[0])
		snprintf(stopped, sizeof(stopped), "%s", vb_errmsg());
	if (!*rp->variant_id)
		store_variant(rp, NULL, NULL);
	ramp_say(rp, "  stopping %d instance%s (%s)\n", rp->n, rp->n == 1 ? "" : "s", stopped);
	stop_all(rp, (int)o->count);
	if (ksm_active()) {
		int rr = ksm_end();
		json_t *after = ksm_settings_json();
		json_object_set_new(rp->note, "ksm_after", after);
		json_object_set_new(rp->note, "ksm_restored", json_boolean(rr == 0));
		if (rr < 0)
			r = rr;
		else
			ramp_say(rp, "  KSM settings restored and verified (run=%s)\n",
				 json_string_value(json_object_get(after, "run")));
	}
out_free:
	json_object_set_new(rp->note, "reached", json_integer(rp->n));
	json_object_set_new(rp->note, "stopped", json_string(stopped));
	json_object_set_new(rp->note, "failed", json_boolean(failed || (r < 0 && r != -EINTR)));
	if (skipped) /* unavailable here: not a failure (density.h) */
		json_object_set_new(rp->note, "skipped", json_true());
	free(step_launch);
	free(rp->in);
	free(rp->pids);
	rp->in = NULL;
	rp->pids = NULL;
	if (r == -EINTR)
		return 1;
	return r < 0 ? r : failed || stopsig_pending() ? 1 : skipped ? DENSITY_SKIPPED : 0;
}

int density_run(struct plan *p, const struct density_opts *o, struct store *st,
		const struct density_run_opts *ro, int64_t *exp_id)
{
	int r;
	if (p->nv == 0)
		return vb_err(-EINVAL, "a density experiment needs a variant (a target to launch)");
	if (p->nw)
		return vb_err(-EINVAL, "a density experiment launches idle instances: it runs no "
				       "workloads");
	if (o->ksm != DENSITY_KSM_OFF) {
		for (int i = 0; i < p->nv; i++)
			if ((r = ksm_variant_check(&p->v[i])) < 0)
				return r;
		const char *why = ksm_unavailable();
		if (why)
			return vb_err(-ENOTSUP, "ksm=%s: %s", density_ksm_names[o->ksm], why);
		/* a vmbench killed during a KSM ramp left KSM changed: fix it now */
		if ((r = ksm_recover()) < 0)
			return r;
	}
	struct meminfo mi;
	if ((r = meminfo_read(NULL, &mi)) < 0)
		return r;
	int64_t reserve = (int64_t)(o->reserve / 1024);
	if (!o->reserve) {
		reserve = mi.total / 10;
		if (reserve < 1024 * 1024)
			reserve = 1024 * 1024;
	}
	if (mi.available < reserve)
		return vb_err(-ENOMEM,
			      "MemAvailable is %.0f MiB, already under the reserve of %.0f MiB: "
			      "nothing can be launched (lower reserve=)",
			      MIB(mi.available), MIB(reserve));

	struct density_store *ds;
	if ((r = density_store_open(st, &ds)) < 0)
		return r;
	/* a second signal does not wait for the teardown: the instances die
	 * with us (PDEATHSIG), KSM's settings are written back first */
	struct stopsig_saved sigs = {0};
	stopsig_install(&sigs, STOPSIG_SECOND_KILLS, ksm_restore_async);

	const char *name = strcmp(p->exp.name, "experiment") ? p->exp.name : "density";
	json_t *host = facts_collect();
	r = store_experiment_begin(st, name, p->text, host, exp_id);
	json_decref(host);
	json_t *notes = json_array();
	json_t *cfg =
	    json_pack("{s:s,s:{s:o,s:f,s:o}}", "kind", "density", "density", "options",
		      opt_to_json(density_options, o), "reserve_mib", MIB(reserve), "ramps", notes);
	if (r == 0)
		r = store_experiment_set_config(st, *exp_id, cfg);
	if (r == 0)
		store_experiment_end(st, *exp_id, "running");
	int any_failed = 0, any_skipped = 0;
	for (int v = 0; v < p->nv && r >= 0 && !stopsig_pending(); v++) {
		int64_t variant_id = 0;
		for (int k = DENSITY_KSM_OFF; k <= DENSITY_KSM_ON && !stopsig_pending(); k++) {
			if (o->ksm != DENSITY_KSM_BOTH && o->ksm != k)
				continue;
			struct ramp rp = {
			    .o = o,
			    .ro = ro,
			    .pv = &p->v[v],
			    .ksm_on = k == DENSITY_KSM_ON,
			    .ksm = density_ksm_names[k],
			    .reserve = reserve,
			    .st = st,
			    .ds = ds,
			    .exp_id = *exp_id,
			    .variant_id = &variant_id,
			    .note = json_pack("{s:s,s:s}", "variant", p->v[v].name, "ksm",
					      density_ksm_names[k]),
			};
			int rr = ramp_run(&rp);
			json_array_append_new(notes, rp.note);
			store_experiment_set_config(st, *exp_id, cfg);
			if (rr < 0) {
				r = rr;
				break;
			}
			any_failed |= rr == 1;
			any_skipped |= rr == DENSITY_SKIPPED;
		}
	}
	if (ksm_active()) { /* every path above ends it; this is the last guard */
		int rr = ksm_end();
		if (rr < 0)
			r = rr;
	}
	json_decref(cfg);
	if (*exp_id > 0)
		store_experiment_end(st, *exp_id,
				     stopsig_pending()	   ? "interrupted"
				     : r < 0 || any_failed ? "failed"
							   : "done");
	if (stopsig_pending() && !ro->quiet)
		vb_warn("interrupted by signal %d; the steps measured so far are stored",
			stopsig_pending());
	density_store_close(ds);
	stopsig_restore(&sigs);
	if (r < 0)
		return r;
	return any_failed || stopsig_pending() ? 1 : any_skipped ? DENSITY_SKIPPED : 0;
}
