#!/usr/bin/python3
# A simulated APC PDU: snmpd's pass_persist handler for the PowerNet outlet OIDs (numeric, as
# docs/fencing.md lists them). Usage (snmpd.conf): pass_persist .1.3.6.1.4.1.318 pdu_sim.py NAME MODEL DIR
#   MODEL: rpdu | ms6 | msp | ms     DIR: the PDU's state directory:
#   DIR/names          "N name" lines: the outlets (all start on unless DIR/outlet.N says 2)
#   DIR/outlet.N       1 = on, 2 = off (written on every switch)
#   DIR/set.log        appended per SET: "NAME set N VALUE" (shared between PDUs when DIR/log is set)
# Fault switches (files in DIR, checked on every request):
#   slow       seconds to sleep before each answer      refuse_set  every SET is not-writable
#   stuck.N    outlet N accepts SETs but never switches refuse_on   SETs switching on are refused
#   delay      seconds an outlet takes to switch after a SET
#   stamp      (present) each SET log line starts with its time, CLOCK_REALTIME seconds
import os
import sys
import time

NAME, MODEL, DIR = sys.argv[1], sys.argv[2], sys.argv[3]
APC = (1, 3, 6, 1, 4, 1, 318)
LOG = open(os.path.join(DIR, "log")).read().strip() if os.path.exists(os.path.join(DIR, "log")) \
    else os.path.join(DIR, "set.log")


def outlets():
    result = []
    with open(os.path.join(DIR, "names")) as f:
        for line in f:
            parts = line.strip().split(None, 1)
            if parts:
                result.append((int(parts[0]), parts[1] if len(parts) > 1 else "Outlet %s" % parts[0]))
    return result


def path(name):
    return os.path.join(DIR, name)


def state(n):
    pending = path("pending.%d" % n)
    if os.path.exists(pending):
        value, due = open(pending).read().split()
        if time.time() >= float(due):
            write_state(n, int(value))
            os.unlink(pending)
    try:
        return int(open(path("outlet.%d" % n)).read())
    except FileNotFoundError:
        return 1


def write_state(n, value):
    tmp = path("outlet.%d.tmp" % n)
    with open(tmp, "w") as f:
        f.write("%d\n" % value)
    os.rename(tmp, path("outlet.%d" % n))


# Columns per model: (oid prefix, kind) where kind is name / status / control.
def columns():
    if MODEL == "rpdu":
        return [(APC + (1, 1, 12, 3, 3, 1, 1, 2), "name"), (APC + (1, 1, 12, 3, 3, 1, 1, 4), "control"),
                (APC + (1, 1, 12, 3, 5, 1, 1, 2), "name"), (APC + (1, 1, 12, 3, 5, 1, 1, 4), "status")]
    if MODEL == "ms6":
        return [(APC + (1, 1, 4, 4, 2, 1, 3), "status"), (APC + (1, 1, 4, 4, 2, 1, 4), "name"),
                (APC + (1, 1, 12, 3, 3, 1, 1, 4), "control")]
    if MODEL == "msp":  # unit 1 only: .S.1.N
        return [(APC + (1, 1, 6, 5, 1, 1, 5, 1, 1), "control"), (APC + (1, 1, 6, 7, 1, 1, 4, 1, 1), "name"),
                (APC + (1, 1, 6, 7, 1, 1, 5, 1, 1), "status")]
    return [(APC + (1, 1, 4, 4, 2, 1, 3), "control"), (APC + (1, 1, 4, 4, 2, 1, 4), "name")]


def table():
    rows = {}
    for prefix, kind in columns():
        for n, name in outlets():
            rows[prefix + (n,)] = (kind, n, name)
    return rows


def fmt(oid):
    return "." + ".".join(str(x) for x in oid)


def parse(text):
    return tuple(int(x) for x in text.strip().strip(".").split(".") if x != "")


def answer(oid, row):
    kind, n, name = row
    if kind == "name":
        return "%s\nstring\n%s\n" % (fmt(oid), name)
    return "%s\ninteger\n%d\n" % (fmt(oid), state(n))


def do_set(oid, typed_value):
    rows = table()
    row = rows.get(oid)
    if row is None or row[0] not in ("control",):
        return "not-writable\n"
    vtype, _, value = typed_value.partition(" ")
    if vtype != "integer":
        return "wrong-type\n"
    value = int(value)
    n = row[1]
    off_value = 3 if MODEL == "msp" else 2
    with open(LOG, "a") as log:
        stamp = "%.6f " % time.time() if os.path.exists(path("stamp")) else ""
        log.write("%s%s set %d %d\n" % (stamp, NAME, n, value))
    if os.path.exists(path("refuse_set")) or (value == 1 and os.path.exists(path("refuse_on"))):
        return "not-writable\n"
    reboot_value = None if MODEL in ("msp", "ms") else 3
    if value not in (1, off_value, reboot_value):
        return "wrong-value\n"
    if os.path.exists(path("stuck.%d" % n)):
        return "DONE\n"
    if value == reboot_value:  # reboot: off, then on after the delay
        write_state(n, 2)
        value = 1
    target = 1 if value == 1 else 2
    delay = float(open(path("delay")).read()) if os.path.exists(path("delay")) else 0.0
    if delay > 0:
        with open(path("pending.%d" % n), "w") as f:
            f.write("%d %f\n" % (target, time.time() + delay))
    else:
        write_state(n, target)
    return "DONE\n"


def main():
    out = sys.stdout
    while True:
        cmd = sys.stdin.readline()
        if not cmd:
            return
        cmd = cmd.strip()
        if not cmd:  # snmpd follows a set with an empty line
            continue
        if cmd == "PING":
            out.write("PONG\n")
            out.flush()
            continue
        oid = parse(sys.stdin.readline())
        typed = sys.stdin.readline().strip() if cmd == "set" else ""
        if os.path.exists(path("slow")):
            time.sleep(float(open(path("slow")).read()))
        rows = table()
        if cmd == "get":
            out.write(answer(oid, rows[oid]) if oid in rows else "NONE\n")
        elif cmd == "getnext":
            later = sorted(k for k in rows if k > oid)
            out.write(answer(later[0], rows[later[0]]) if later else "NONE\n")
        elif cmd == "set":
            out.write(do_set(oid, typed))
        else:
            out.write("NONE\n")
        out.flush()


main()
