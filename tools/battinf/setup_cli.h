/* setup_cli.h: battinf's install, uninstall and list commands (install.c). */
#ifndef BATTINF_SETUP_CLI_H
#define BATTINF_SETUP_CLI_H

/* cmd: "install", "uninstall" or "list"; argv: what follows it. Returns
 * the exit status: 0 done, 1 refused or failed, 2 usage or no host. */
int battinf_setup_main(const char *cmd, int argc, char **argv);

#endif
