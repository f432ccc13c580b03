/* The interactive console: placeholder until the event loop lands. */
#include "tui/cli.h"

int cmd_console(struct cli *cli, int argc, char **argv)
{
	(void)cli, (void)argc, (void)argv;
	cli_error("the console is not built yet; try `glovebox ls`");
	return GB_EXIT_ERROR;
}
