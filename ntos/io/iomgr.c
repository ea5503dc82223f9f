/* I/O manager start and stop. */
#include "../private.h"

void io_init(void)
{
}

void io_shutdown(void)
{
}
