/* The log pager ('l'). Placeholder until the logs screen lands. */
#include "tui/app.h"

void app_open_logs(struct app *a, const char *service_id)
{
	(void)a;
	(void)service_id;
}
