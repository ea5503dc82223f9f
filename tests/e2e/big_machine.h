/* The 500-battery machine of issue 15 (test_e2e, bench_metrics): battery i
 * holds 10000 + i mWh, so a total counts every battery or is wrong. */
#ifndef BIG_MACHINE_H
#define BIG_MACHINE_H

#define BIG_BATTERIES 500

/* Writes DIR/big.ini; its path (static storage), NULL on a write error. */
const char *write_big_machine(const char *dir);

#endif
