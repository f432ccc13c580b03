/* The nodes view (':nodes'). Placeholder until the nodes screen lands. */
#include "tui/app.h"

void app_open_nodes(struct app *a)
{
	(void)a;
}
