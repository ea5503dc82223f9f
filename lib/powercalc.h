/* SYSTEM_POWER_STATUS from per-battery readings: the one rule battd and the
 * client library's embedded mode share (reference 7.1). Pure computation;
 * gathering the readings is the caller's business. */
#ifndef BATTKIT_POWERCALC_H
#define BATTKIT_POWERCALC_H

#include <stddef.h>
#include <stdint.h>

typedef enum bkc_reading_state {
    BKC_BATTERY_ABSENT = 0, /* empty slot: QUERY_TAG found no battery */
    BKC_BATTERY_OK = 1,     /* tag, BATTERY_INFORMATION and BATTERY_STATUS read */
    BKC_BATTERY_ERROR = 2,  /* present but could not be read */
} bkc_reading_state_t;

typedef struct bkc_battery_reading {
    bkc_reading_state_t state;
    uint32_t capabilities;  /* BATTERY_INFORMATION.Capabilities */
    uint32_t full_capacity; /* FullChargedCapacity: mWh, or relative */
    uint32_t power_state;   /* BATTERY_STATUS */
    uint32_t capacity;
    int32_t rate;
} bkc_battery_reading_t;

/* The Win32 SYSTEM_POWER_STATUS fields. */
typedef struct bkc_power_status {
    uint8_t ac_line_status;
    uint8_t battery_flag;
    uint8_t battery_life_percent;
    uint8_t system_status_flag;
    uint32_t battery_life_time;
    uint32_t battery_full_life_time;
} bkc_power_status_t;

void bkc_compute_power_status(const bkc_battery_reading_t *batteries, size_t count,
                              bkc_power_status_t *out);

#endif
