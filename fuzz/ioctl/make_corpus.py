#!/usr/bin/env python3
"""Writes fuzz/ioctl/corpus: request lists for fuzz_ioctl as an application
sends them (poclass.h layouts), every battery IOCTL and every query level on
both drivers, plus simbatt's control codes. Layout: fuzz_ioctl.c's header."""
import os
import struct
import sys

TAG, INFO, STATUS, SET, SOURCE_CHANGE = 0, 1, 2, 3, 4
SIM_SET_STATUS, SIM_SET_INFO, SIM_SET_STRING, SIM_SET_DATE, SIM_SET_GRAN = 5, 6, 7, 8, 9
SIM_SET_TEMP, SIM_SET_ETA, SIM_INSERT, SIM_REMOVE, SIM_FAULTS, SIM_GET = 10, 11, 12, 13, 14, 15
SIM_ATTACH, SIM_DETACH, ACPI_EVAL, ACPI_EVAL_EX, ACPI_ENUM = 16, 17, 18, 19, 20
CMBATT, SIMBATT, CMBATT_RO, SIMBATT_RO = 0, 1, 2, 3
FILL_TAG, WAIT = 4, 8


def req(handle, code, payload=b"", out=0, in_len=None, flags=0, advance=0, raw=None):
    head = struct.pack("<BBHH", handle | flags | advance << 4, 0xFF if raw is not None else code,
                       len(payload) if in_len is None else in_len, out)
    return head + (struct.pack("<I", raw) if raw is not None else b"") + payload


def per_driver(h):
    s = [req(h, TAG, struct.pack("<I", 0), 4)]
    for lvl in range(9):
        s.append(req(h, INFO, struct.pack("<III", 0, lvl, 0), 128, flags=FILL_TAG))
    s.append(req(h, INFO, struct.pack("<IIi", 0, 3, -5000), 4, flags=FILL_TAG))
    s.append(req(h, INFO, struct.pack("<III", 0, 4, 0), 2, flags=FILL_TAG))  # partial string
    s.append(req(h, STATUS, struct.pack("<IIIII", 0, 0, 0, 0, 0), 16, flags=FILL_TAG))
    return s


seeds = {
    "cmbatt_every_level": per_driver(CMBATT),
    "simbatt_every_level": per_driver(SIMBATT),
    "status_waits": [
        req(CMBATT, STATUS, struct.pack("<IIIII", 0, 0xFFFFFFFF, 1, 1, 1), 16, flags=FILL_TAG | WAIT),
        req(SIMBATT, STATUS, struct.pack("<IIIII", 0, 5000, 0, 0, 0xFFFFFFFF), 16,
            flags=FILL_TAG | WAIT),
        req(CMBATT, TAG, struct.pack("<I", 0xFFFFFFFF), 4, flags=WAIT),
    ],
    "set_levels": [req(h, SET, struct.pack("<III", 0, lvl, 100) + bytes(16), 0, flags=FILL_TAG)
                   for h in (CMBATT, SIMBATT) for lvl in range(6)],
    "read_only_set": [req(CMBATT_RO, SET, struct.pack("<III", 0, 0, 10), flags=FILL_TAG),
                      req(SIMBATT_RO, SIM_GET, out=256)],
    "stale_tags": [req(h, c, struct.pack("<III", 12345, 0, 0), 64) for h in (0, 1)
                   for c in (INFO, STATUS, SET)],
    "short_buffers": [req(h, c, bytes(n), out) for h in (0, 1) for c in (TAG, INFO, STATUS, SET)
                      for n, out in ((0, 0), (3, 3), (1, 64), (12, 1))],
    "simbatt_controls": [
        req(SIMBATT, SIM_GET, out=256), req(SIMBATT, SIM_DETACH),
        req(SIMBATT, SIM_SET_STATUS, struct.pack("<IIIi", 1, 20000, 12000, 0)),
        req(SIMBATT, SIM_SET_STRING, struct.pack("<I", 4) + "NAME\0".encode("utf-16-le")),
        req(SIMBATT, SIM_SET_DATE, struct.pack("<BBH", 15, 1, 2024)),
        req(SIMBATT, SIM_SET_GRAN, struct.pack("<I", 1) + struct.pack("<II", 10, 30000)),
        req(SIMBATT, SIM_SET_TEMP, struct.pack("<I", 2981)),
        req(SIMBATT, SIM_SET_ETA, struct.pack("<I", 3600)),
        req(SIMBATT, SIM_REMOVE), req(SIMBATT, TAG, struct.pack("<I", 10), 4, flags=WAIT),
        req(SIMBATT, SIM_INSERT), req(SIMBATT, SIM_FAULTS, bytes(16)),
        req(SIMBATT, SIM_ATTACH, "BAT1".encode().ljust(32, b"\0")),
    ] + per_driver(SIMBATT),
    "unknown_codes": [req(CMBATT, 0, bytes(8), 8, raw=0x00294050),
                      req(SIMBATT, 0, bytes(8), 8, raw=0x00294051),  # METHOD_IN_DIRECT
                      req(CMBATT, SOURCE_CHANGE, bytes(16), 16),
                      req(CMBATT, ACPI_EVAL, struct.pack("<I4s", 0x42696F41, b"_BST"), 64),
                      req(SIMBATT, 0, bytes(4), 4, raw=0x00220000)],
    # acpiioct.h layouts: a battery handle's unknown codes go down cmbatt's
    # stack to the ACPI bus driver's PDO.
    "acpi_methods": [req(CMBATT, ACPI_EVAL, struct.pack("<I4s", 0x42696541, m), out)
                     for m in (b"_BST", b"_BIX", b"_BIF", b"_STA", b"_UID", b"_XYZ")
                     for out in (0, 12, 256)] + [
        req(CMBATT, ACPI_EVAL, struct.pack("<I4sI", 0x49696541, b"_BTP", 30000), 64),
        req(CMBATT, ACPI_EVAL, struct.pack("<I4sI", 0x53696541, b"_BTP", 4) + b"abcd", 64),
        req(CMBATT, ACPI_EVAL, struct.pack("<I4sII", 0x43696541, b"_BTP", 8, 1) +
            struct.pack("<HHI", 0, 4, 1000), 64),
        req(CMBATT, ACPI_EVAL_EX, struct.pack("<I", 0x41696541) + b"\\_SB.BAT0._BST".ljust(256, b"\0"),
            256),
        req(CMBATT, ACPI_ENUM, struct.pack("<III", 0x48696541, 1, 0), 512),
        req(CMBATT, ACPI_ENUM, struct.pack("<III", 0x48696541, 2, 6) + b"_BST\0\0", 512),
    ],
    "time_passes": [req(CMBATT, STATUS, struct.pack("<IIIII", 0, 0, 0, 0, 0), 16, flags=FILL_TAG,
                        advance=15)] * 3,
}

out = os.path.join(os.path.dirname(os.path.abspath(sys.argv[0])), "corpus")
os.makedirs(out, exist_ok=True)
for name, reqs in seeds.items():
    with open(os.path.join(out, name), "wb") as f:
        f.write(b"".join(reqs))
