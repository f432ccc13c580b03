/* Triage actions in the console: remove and scale a job. Placeholder until they land. */
#include "tui/app.h"

void app_remove_job(struct app *a, const char *service_id)
{
	(void)a;
	(void)service_id;
}

void app_scale_job(struct app *a, const char *service_id, uint64_t replicas)
{
	(void)a;
	(void)service_id;
	(void)replicas;
}
