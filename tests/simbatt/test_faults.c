/* Injected faults each end in their documented status, never in a hang:
 * no answer (presence cannot be determined: STATUS_NO_SUCH_DEVICE), wrong
 * tag (rejected by the other callbacks), critical flag, sudden capacity
 * drop, stuck reading. */
#include "simbatt_fixture.h"

#define FOREVER 0xFFFFFFFFu

TEST(no_answer_fault_is_no_such_device_everywhere)
{
    sb_t sb;
    ULONG tag;
    BATTERY_STATUS st;
    BATTERY_INFORMATION info;

    SB_START(sb, NULL);
    ULONG old = sb_tag(&sb);
    CHECK_STATUS(sb_set_faults(&sb, SIMBATT_FAULT_NO_ANSWER, 0), STATUS_SUCCESS);
    CHECK_STATUS(sb_query_tag(&sb, 0, &tag), STATUS_NO_SUCH_DEVICE);
    CHECK_STATUS(sb_query_status(&sb, old, &st), STATUS_NO_SUCH_DEVICE);
    CHECK_STATUS(sb_query_info(&sb, old, BatteryInformation, 0, &info, sizeof info, NULL),
                 STATUS_NO_SUCH_DEVICE);
    ULONG bias = 10;
    CHECK_STATUS(sb_set_info(&sb, old, BatteryCriticalBias, &bias, sizeof bias),
                 STATUS_NO_SUCH_DEVICE);
    /* A bounded tag wait ends, with the same status. */
    bk_request_t *r = sb_wait_tag(&sb, 3000, &tag);
    REQUIRE(r);
    CHECK_STATUS(bk_request_wait(r, 10 * SB_SECOND), STATUS_NO_SUCH_DEVICE);
    bk_request_free(r);
    sb_stop(&sb);
}

TEST(no_answer_fault_aborts_a_pending_status_wait)
{
    sb_t sb;
    BATTERY_STATUS out;

    SB_START(sb, NULL);
    bk_request_t *r =
        sb_wait_status(&sb, sb_tag(&sb), FOREVER, BATTERY_POWER_ON_LINE, 0, FOREVER, &out);
    REQUIRE(r);
    sb_advance_ms(&sb, 20);
    CHECK_STATUS(bk_request_status(r, NULL), STATUS_PENDING);
    CHECK_STATUS(sb_set_faults(&sb, SIMBATT_FAULT_NO_ANSWER, 0), STATUS_SUCCESS);
    sb_advance_ms(&sb, 1);
    CHECK_STATUS(bk_request_status(r, NULL), STATUS_NO_SUCH_DEVICE);
    bk_request_free(r);
    sb_stop(&sb);
}

/* docs: the tag changes after lost communication. */
TEST(battery_answering_again_has_a_new_tag)
{
    sb_t sb;
    ULONG tag = 0;

    SB_START(sb, NULL);
    ULONG old = sb_tag(&sb);
    CHECK_STATUS(sb_set_faults(&sb, SIMBATT_FAULT_NO_ANSWER, 0), STATUS_SUCCESS);
    bk_request_t *r = sb_wait_tag(&sb, FOREVER, &tag);
    REQUIRE(r);
    sb_advance_ms(&sb, 20);
    CHECK_STATUS(bk_request_status(r, NULL), STATUS_PENDING);
    CHECK_STATUS(sb_set_faults(&sb, 0, 0), STATUS_SUCCESS);
    sb_advance_ms(&sb, 1);
    CHECK_STATUS(bk_request_status(r, NULL), STATUS_SUCCESS);
    CHECK(tag != BATTERY_TAG_INVALID && tag != old);
    bk_request_free(r);
    sb_stop(&sb);
}

TEST(wrong_tag_fault_answers_a_tag_the_other_callbacks_reject)
{
    sb_t sb;
    BATTERY_STATUS st;
    BATTERY_INFORMATION info;

    SB_START(sb, NULL);
    ULONG real = sb_tag(&sb);
    CHECK_STATUS(sb_set_faults(&sb, SIMBATT_FAULT_WRONG_TAG, 0), STATUS_SUCCESS);
    ULONG wrong = sb_tag(&sb);
    CHECK(wrong != real && wrong != BATTERY_TAG_INVALID);
    CHECK_STATUS(sb_query_status(&sb, wrong, &st), STATUS_NO_SUCH_DEVICE);
    CHECK_STATUS(sb_query_info(&sb, wrong, BatteryInformation, 0, &info, sizeof info, NULL),
                 STATUS_NO_SUCH_DEVICE);
    CHECK_STATUS(sb_set_info(&sb, wrong, BatteryCharge, NULL, 0), STATUS_NO_SUCH_DEVICE);
    /* A status wait on it fails at once instead of waiting. */
    bk_request_t *r = sb_wait_status(&sb, wrong, FOREVER, BATTERY_POWER_ON_LINE, 0, FOREVER, &st);
    REQUIRE(r);
    CHECK_STATUS(bk_request_wait(r, SB_SECOND), STATUS_NO_SUCH_DEVICE);
    bk_request_free(r);
    /* The real tag still names the battery; clearing the fault restores it. */
    CHECK_STATUS(sb_query_status(&sb, real, &st), STATUS_SUCCESS);
    CHECK_STATUS(sb_set_faults(&sb, 0, 0), STATUS_SUCCESS);
    CHECK_EQ(sb_tag(&sb), real);
    sb_stop(&sb);
}

TEST(critical_fault_forces_the_critical_bit_and_notifies)
{
    sb_t sb;
    BATTERY_STATUS out, st;

    SB_START(sb, NULL);
    sb_set_status(&sb, BATTERY_DISCHARGING, 20000, 11000, -9000);
    bk_request_t *r =
        sb_wait_status(&sb, sb_tag(&sb), FOREVER, BATTERY_DISCHARGING, 0, FOREVER, &out);
    REQUIRE(r);
    sb_advance_ms(&sb, 20);
    CHECK_STATUS(bk_request_status(r, NULL), STATUS_PENDING);
    CHECK_STATUS(sb_set_faults(&sb, SIMBATT_FAULT_CRITICAL, 0), STATUS_SUCCESS);
    sb_advance_ms(&sb, 1);
    CHECK_STATUS(bk_request_status(r, NULL), STATUS_SUCCESS);
    CHECK_EQ(out.PowerState, BATTERY_DISCHARGING | BATTERY_CRITICAL);
    bk_request_free(r);
    CHECK_STATUS(sb_query_status(&sb, sb_tag(&sb), &st), STATUS_SUCCESS);
    CHECK(st.PowerState & BATTERY_CRITICAL);
    CHECK_EQ(sb_state(&sb).Battery.Status.PowerState, BATTERY_DISCHARGING); /* stored: unchanged */
    sb_stop(&sb);
}

TEST(capacity_drop_takes_percent_of_full_charge_at_once)
{
    sb_t sb;
    BATTERY_STATUS out, st;

    SB_START(sb, NULL);
    sb_set_status(&sb, BATTERY_DISCHARGING, 36000, 11000, -9000);
    bk_request_t *r =
        sb_wait_status(&sb, sb_tag(&sb), FOREVER, BATTERY_DISCHARGING, 20000, FOREVER, &out);
    REQUIRE(r);
    sb_advance_ms(&sb, 20);
    CHECK_STATUS(bk_request_status(r, NULL), STATUS_PENDING);
    CHECK_STATUS(sb_set_faults(&sb, 0, 50), STATUS_SUCCESS); /* 36000 - 24000 */
    sb_advance_ms(&sb, 1);
    CHECK_STATUS(bk_request_status(r, NULL), STATUS_SUCCESS);
    CHECK_EQ(out.Capacity, 12000);
    bk_request_free(r);
    CHECK_STATUS(sb_set_faults(&sb, 0, 100), STATUS_SUCCESS);
    CHECK_STATUS(sb_query_status(&sb, sb_tag(&sb), &st), STATUS_SUCCESS);
    CHECK_EQ(st.Capacity, 0);          /* clamped */
    CHECK_EQ(sb_state(&sb).Faults, 0); /* one-time: nothing stays in force */

    CHECK_STATUS(sb_set_faults(&sb, 0, 101), STATUS_INVALID_PARAMETER);
    sb_set_status(&sb, BATTERY_DISCHARGING, BATTERY_UNKNOWN_CAPACITY, 11000, -9000);
    CHECK_STATUS(sb_set_faults(&sb, 0, 10), STATUS_INVALID_DEVICE_STATE);
    sb_stop(&sb);
}

TEST(stuck_reading_freezes_the_status_and_its_notifications)
{
    sb_t sb;
    BATTERY_STATUS out, st;

    SB_START(sb, NULL);
    sb_set_status(&sb, BATTERY_DISCHARGING, 30000, 11000, -9000);
    CHECK_STATUS(sb_set_faults(&sb, SIMBATT_FAULT_STUCK, 0), STATUS_SUCCESS);
    bk_request_t *r =
        sb_wait_status(&sb, sb_tag(&sb), FOREVER, BATTERY_DISCHARGING, 20000, FOREVER, &out);
    REQUIRE(r);
    ULONG before = sb_state(&sb).NotifyCount;
    sb_set_status(&sb, BATTERY_POWER_ON_LINE | BATTERY_CHARGING, 10000, 12000, 20000);
    CHECK_STATUS(sb_query_status(&sb, sb_tag(&sb), &st), STATUS_SUCCESS);
    CHECK_EQ(st.PowerState, BATTERY_DISCHARGING);
    CHECK_EQ(st.Capacity, 30000);
    CHECK_EQ(st.Rate, -9000);
    CHECK_EQ(sb_state(&sb).NotifyCount, before);
    sb_advance_ms(&sb, 20);
    CHECK_STATUS(bk_request_status(r, NULL), STATUS_PENDING);
    /* Unstuck: the reading catches up and the wait hears of it. */
    CHECK_STATUS(sb_set_faults(&sb, 0, 0), STATUS_SUCCESS);
    sb_advance_ms(&sb, 1);
    CHECK_STATUS(bk_request_status(r, NULL), STATUS_SUCCESS);
    CHECK_EQ(out.PowerState, BATTERY_POWER_ON_LINE | BATTERY_CHARGING);
    CHECK_EQ(out.Capacity, 10000);
    bk_request_free(r);
    sb_stop(&sb);
}

TEST(undefined_fault_bits_are_refused)
{
    sb_t sb;

    SB_START(sb, NULL);
    CHECK_STATUS(sb_set_faults(&sb, 0x100, 0), STATUS_INVALID_PARAMETER);
    CHECK_STATUS(sb_set_faults(&sb, SIMBATT_FAULT_NO_ANSWER | 0x80000000u, 0),
                 STATUS_INVALID_PARAMETER);
    CHECK_EQ(sb_state(&sb).Faults, 0);
    SIMBATT_FAULTS f = {0, 0};
    CHECK_STATUS(sb_ctl(&sb, IOCTL_SIMBATT_SET_FAULTS, &f, 4), STATUS_INVALID_BUFFER_SIZE);
    sb_stop(&sb);
}
