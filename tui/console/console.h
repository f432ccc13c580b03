/* The console's entry point, for main(): glovebox console [--refresh SECS], or no command. */
#ifndef GB_TUI_CONSOLE_CONSOLE_H
#define GB_TUI_CONSOLE_CONSOLE_H

#include "api/swarm/session.h"

/* Parses the console's options (argv[0] is "console", or argc is 0), connects and runs the
 * loop until the person quits. Returns the exit code (128+N when signal N ended it). */
int console_main(struct session *session, int argc, char **argv);

#endif
