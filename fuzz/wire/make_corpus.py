#!/usr/bin/env python3
"""Writes fuzz/wire/corpus: client sessions as battctl and lib/ send them
(protocol.h layouts), for the wire fuzzer to start from. Byte 0: 1 =
privileged peer; bytes 1-2: read size - 1 (little-endian); then frames."""
import os
import struct
import sys

HELLO, ENUM, WATCH, OPEN, CLOSE, IOCTL, CANCEL, POWER_STATUS = 1, 2, 3, 4, 5, 6, 7, 8
ADVANCE, SIM, POLICY_GET, POLICY_SET, SETUP, POWER_STATE = 9, 10, 11, 12, 13, 14
DC_POLICY_GET, DC_POLICY_SET = 15, 16
QUERY_TAG, QUERY_INFO, SET_INFO, QUERY_STATUS = 0x294040, 0x294044, 0x298048, 0x29404C
BATTERY = "\\\\?\\ACPI#PNP0C0A#0#{72631e54-78a4-11d0-bcf7-00aa00b7b32a}"
GUID_DEVICE_BATTERY = struct.pack("<IHH8B", 0x72631E54, 0x78A4, 0x11D0,
                                  0xBC, 0xF7, 0x00, 0xAA, 0x00, 0xB7, 0xB3, 0x2A)


def frame(kind, rid, payload=b""):
    return struct.pack("<IHHI", len(payload), kind, 0, rid) + payload


def hello():
    return frame(HELLO, 1, struct.pack("<IHH", 0x50574B42, 1, 0))


def open_battery(rid=3, access=1):
    return frame(OPEN, rid, struct.pack("<I", access) + BATTERY.encode() + b"\0")


def ioctl(rid, code, data=b"", out=64, handle=1):
    return frame(IOCTL, rid, struct.pack("<IIII", handle, code, out, len(data)) + data)


def session(frames, privileged=False, chunk=65536):
    return bytes([1 if privileged else 0]) + struct.pack("<H", chunk - 1) + b"".join(frames)


query = [hello(), frame(ENUM, 2, GUID_DEVICE_BATTERY), open_battery(),
         ioctl(4, QUERY_TAG, struct.pack("<I", 0), 4)]
seeds = {
    "hello": session([hello()]),
    "enum_open_tag": session(query),
    "info_levels": session(query + [ioctl(10 + lvl, QUERY_INFO, struct.pack("<IIi", 1, lvl, 0), 128)
                                    for lvl in range(9)]),
    "status_wait_then_cancel": session(query + [
        ioctl(5, QUERY_STATUS, struct.pack("<IIIII", 1, 0xFFFFFFFF, 0, 0, 0xFFFFFFFF), 16),
        frame(CANCEL, 6, struct.pack("<I", 5))]),
    "status_wait_left_pending": session(query + [
        ioctl(5, QUERY_STATUS, struct.pack("<IIIII", 1, 0xFFFFFFFF, 1, 1, 1), 16),
        ioctl(6, QUERY_TAG, struct.pack("<I", 0xFFFFFFFF), 4)]),
    "watch_and_close": session([hello(), frame(WATCH, 2, GUID_DEVICE_BATTERY), open_battery(),
                                frame(CLOSE, 4, struct.pack("<I", 1)),
                                frame(CANCEL, 5, struct.pack("<I", 2))]),
    "power_and_policy": session([hello(), frame(POWER_STATUS, 2), frame(POWER_STATE, 3),
                                 frame(POLICY_GET, 4), frame(DC_POLICY_GET, 5)]),
    "byte_at_a_time": session(query, chunk=1),
    "privileged_sim": session(query + [
        frame(SIM, 7, struct.pack("<iiII", 1, 0, 0, 0)),
        frame(SIM, 8, struct.pack("<IiII", 2, 0, 0, 0) + b"BAT0\0"),
        frame(SIM, 9, struct.pack("<IiII", 5, 1500, 0, 0) + b"BAT0\0"),
        frame(ADVANCE, 10, struct.pack("<Q", 60 * 10**9)),
        frame(SIM, 11, struct.pack("<IiII", 2, 1, 0, 0) + b"BAT0\0"),
        ioctl(12, QUERY_TAG, struct.pack("<I", 1000), 4)], privileged=True),
    "privileged_write": session([hello(), open_battery(access=3),
                                 ioctl(4, SET_INFO, struct.pack("<IiI", 1, 0, 100), 0),
                                 frame(POLICY_SET, 5, struct.pack("<IIII", 10, 5, 0, 0)),
                                 frame(SETUP, 6, struct.pack("<II", 3, 0) + b"\0")],
                                privileged=True),
}

out = os.path.join(os.path.dirname(os.path.abspath(sys.argv[0])), "corpus")
os.makedirs(out, exist_ok=True)
for name, data in seeds.items():
    with open(os.path.join(out, name), "wb") as f:
        f.write(data)
