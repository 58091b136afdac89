/* The provenance section of the HTML page (render.h): the host, the
 * experiment's settings, each variant's configuration, command line, facts
 * and agent, each workload's effective options, the plan and every run.
 * JSON objects become tables of paths, or columns when they are flat. */
#include <stdio.h>
#include <string.h>

#include "report/render.h"

static int json_scalar(const json_t *j)
{
	return !json_is_object(j) && !json_is_array(j);
}

static void json_scalar_html(FILE *f, const json_t *j)
{
	char b[64];
	if (json_is_string(j))
		html_esc(f, json_string_value(j));
	else if (json_is_integer(j))
		fprintf(f, "%lld", (long long)json_integer_value(j));
	else if (json_is_real(j)) {
		snprintf(b, sizeof(b), "%.10g", json_real_value(j));
		fputs(b, f);
	} else if (json_is_boolean(j))
		fputs(json_is_true(j) ? "true" : "false", f);
	else
		fputs("–", f);
}

/* One row per scalar below j, named by its path ("disk.info.chain[0].format"):
 * deep facts (a qemu-img chain) stay one readable table. */
static void json_rows(FILE *f, const json_t *j, char *path, size_t len, size_t cap, int depth)
{
	const char *key;
	json_t *v;
	size_t i;
	int scalars = 1;
	if (json_is_array(j))
		json_array_foreach(j, i, v) scalars &= json_scalar(v);
	if (depth > 12 || json_scalar(j) || (json_is_array(j) && scalars) ||
	    (json_is_object(j) && json_object_size(j) == 0)) {
		fputs("<tr><th>", f);
		html_esc(f, path);
		fputs("</th><td>", f);
		if (json_is_array(j))
			json_array_foreach(j, i, v)
			{
				fputs(i ? ", " : "", f);
				json_scalar_html(f, v);
			}
		else
			json_scalar_html(f, j);
		fputs("</td></tr>", f);
		return;
	}
	if (json_is_object(j))
		json_object_foreach((json_t *)j, key, v)
		{
			snprintf(path + len, cap - len, "%s%s", len ? "." : "", key);
			json_rows(f, v, path, strlen(path), cap, depth + 1);
		}
	else
		json_array_foreach(j, i, v)
		{
			snprintf(path + len, cap - len, "[%zu]", i);
			json_rows(f, v, path, strlen(path), cap, depth + 1);
		}
	path[len] = '\0';
}

/* A JSON object as HTML: a long flat one (options, host facts) in columns,
 * anything else as a key/value table of paths. */
static void json_html(FILE *f, const json_t *j)
{
	const char *key;
	json_t *v;
	char path[512] = "";
	int flat = json_is_object(j);
	if (!json_is_object(j) && !json_is_array(j)) {
		json_scalar_html(f, j);
		return;
	}
	json_object_foreach((json_t *)j, key, v) flat &= json_scalar(v);
	if (flat && json_object_size(j) > 3) {
		fputs("<div class=\"flat\">", f);
		json_object_foreach((json_t *)j, key, v)
		{
			fputs("<div><b>", f);
			html_esc(f, key);
			fputs("</b> ", f);
			json_scalar_html(f, v);
			fputs("</div>", f);
		}
		fputs("</div>\n", f);
		return;
	}
	fputs("<table class=\"kv\">", f);
	json_rows(f, j, path, 0, sizeof(path), 0);
	fputs("</table>\n", f);
}

void html_provenance_section(const struct html *h)
{
	FILE *f = h->out;
	const json_t *exp = json_object_get(h->exp, "experiment");
	size_t i;
	json_t *v;
	fputs("<section id=\"provenance\"><h2>Provenance</h2>\n<h3>Host</h3>\n", f);
	json_html(f, json_object_get(exp, "host"));
	fputs("<p class=\"meta\">vmbench version of the experiment: <b>", f);
	html_esc(f, html_jstr(exp, "vmbench_version"));
	fputs("</b>; of this report: <b>", f);
	html_esc(f, h->generator);
	fputs("</b></p>\n", f);
	const json_t *cfg = json_object_get(exp, "config");
	if (json_is_object(cfg) && json_object_size(cfg)) {
		fputs("<h3>Experiment settings</h3>\n", f);
		json_html(f, cfg);
	}
	fputs("<h3>Variants</h3>\n<div class=\"cards\">\n", f);
	json_array_foreach(json_object_get(h->exp, "variants"), i, v)
	{
		const char *name = html_jstr(v, "name");
		fputs("<div class=\"card\"><h4>", f);
		html_swatch(h, name);
		html_esc(f, name);
		fputs(" <span class=\"unit\">(target ", f);
		html_esc(f, html_jstr(v, "target"));
		fputs(")</span></h4>\n<p class=\"meta\">effective configuration</p>", f);
		json_html(f, json_object_get(v, "config"));
		fputs("<p class=\"meta\">command line (agent or QEMU argv)</p><pre>", f);
		html_esc(f, *html_jstr(v, "command") ? html_jstr(v, "command") : "(not recorded)");
		fputs("</pre>\n", f);
		const json_t *facts = json_object_get(v, "facts");
		if (facts && !json_is_null(facts)) {
			fputs("<p class=\"meta\">facts (accelerator, boot phases, disk chain)</p>",
			      f);
			json_html(f, facts);
		}
		const json_t *agent = json_object_get(v, "agent");
		if (agent && !json_is_null(agent)) {
			fputs("<details><summary>what the agent saw (hello)</summary>", f);
			json_html(f, agent);
			fputs("</details>\n", f);
		}
		fputs("</div>\n", f);
	}
	fputs("</div>\n", f);
	fputs("<h3>Workloads (effective options)</h3>\n", f);
	for (int w = 0; w < h->a->nworkloads; w++) {
		const struct analysis_workload *aw = &h->a->workloads[w];
		json_t *run;
		json_array_foreach(json_object_get(h->exp, "runs"), i, run)
		{
			if (strcmp(html_jstr(run, "workload"), aw->name))
				continue;
			html_heading(f, "h4", aw->name, aw->type);
			json_html(f, json_object_get(run, "spec"));
			break;
		}
	}
	fputs("<h3>Plan</h3>\n<pre>", f);
	html_esc(f, html_jstr(exp, "plan"));
	fputs("</pre>\n<h3>Runs</h3>\n<details><summary>every run</summary>\n", f);
	html_runs_table(h, 0);
	fputs("</details>\n</section>\n", f);
}
