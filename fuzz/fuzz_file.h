/* fuzz_file.h: what the file-reading fuzz targets share: the input written
 * to a file in a private temp directory (the loaders read by path), and the
 * check that a refusal names that file and a line the file has. */
#ifndef BK_FUZZ_FILE_H
#define BK_FUZZ_FILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* DIR/NAME in a temp directory made on the first call (removed at exit). */
const char *fuzz_file_path(const char *name);
/* Writes data to path (replacing it); aborts when it cannot. */
void fuzz_file_write(const char *path, const void *data, size_t size);
/* Lines the text has: 1 + its line ends (counting a last line without
 * its newline, and the empty one after a final newline). A lone CR ends a
 * line too for readers that take old Mac files (the INI reader). */
unsigned fuzz_file_lines(const void *data, size_t size, bool cr_ends_lines);
/* Aborts unless msg is "FILE:LINE: text" with FILE = file and 1 <= LINE <=
 * lines + 1 (one past the last: where "the file ends" is reported); what
 * names the loader in the report. */
void fuzz_file_check_error(const char *what, const char *msg, const char *file, unsigned lines);

#endif
