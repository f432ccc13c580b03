#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>

#include "api/core/jobs.h"
#include "api/engine/jsonout.h"

char *job_list_json(const struct job_list *l, bool pretty, bool ascii)
{
	json_t *arr = json_array();
	for (size_t i = 0; i < l->n; i++) {
		const struct job *j = &l->v[i];
		json_t *o = json_object();
		json_object_set_new(o, "id", jsonout_text(j->id));
		json_object_set_new(o, "name", jsonout_text(j->name));
		json_object_set_new(o, "image", jsonout_text(j->image));
		json_object_set_new(o, "owner", jsonout_text(j->owner));
		json_object_set_new(o, "class", jsonout_text(j->class_name));
		json_object_set_new(o, "replicas_running", json_integer((json_int_t)j->running));
		json_object_set_new(o, "replicas_desired", json_integer((json_int_t)j->desired));
		json_object_set_new(o, "state", json_string(job_state_name(j->state)));
		json_object_set_new(o, "reason", jsonout_text(j->reason));
		json_object_set_new(o, "exit_code", j->has_exit_code ? json_integer(j->exit_code) : json_null());
		json_object_set_new(o, "cpu_percent", j->sampled ? json_real(j->cpu_percent) : json_null());
		json_object_set_new(o, "cpu_limit", j->cpu_limit > 0 ? json_real(j->cpu_limit) : json_null());
		json_object_set_new(o, "mem_bytes", j->sampled ? json_integer((json_int_t)j->mem_used) : json_null());
		json_object_set_new(o, "mem_limit", j->mem_limit > 0 ? json_integer(j->mem_limit) : json_null());
		json_object_set_new(o, "created_at", jsonout_time(j->created_ns));
		json_array_append_new(arr, o);
	}
	char *out = json_dumps(arr, JSON_PRESERVE_ORDER | (pretty ? JSON_INDENT(2) : JSON_COMPACT) |
	                                (ascii ? JSON_ENSURE_ASCII : 0));
	json_decref(arr);
	if (!out) {
		fputs("glovebox: out of memory\n", stderr);
		abort();
	}
	return out;
}
