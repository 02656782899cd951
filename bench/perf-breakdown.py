#!/usr/bin/env python3
"""Where a gateway's CPU samples go, by component (docs/benchmarks.md, "Where the CPU goes, by part").

    perf script -i perf.data -F comm,tid,ip,sym,dso | python3 bench/perf-breakdown.py

Each sample goes to the first part its stack names, from the leaf up: kernel time under an
fsync or a pwrite belongs to the ledger, a send under Kestrel to Kestrel. Continuations run
inside the frame that completed them, so only the parts that own their own work are matched
by a managed frame (SQLite, JSON, Prometheus...); the gateway's own async methods are matched
last, or they would claim everything that resumes after a ledger write.
"""
import collections
import re
import sys

PARTS = [
    ("ledger: fsync of the WAL", r"\bfsync\b|FSync|fdatasync"),
    ("ledger: WAL writes (pwrite)", r"pwrite"),
    ("ledger: page reads (pread)", r"pread"),
    ("ledger: SQLite itself", r"libe_sqlite3"),
    ("ledger: Microsoft.Data.Sqlite", r"Microsoft\.Data\.Sqlite|SQLitePCL"),
    ("JSON", r"System\.Text\.Json"),
    ("metrics (prometheus-net)", r"Prometheus"),
    ("logging", r"Microsoft\.Extensions\.Logging"),
    ("HttpClient", r"System\.Net\.Http"),
    ("YARP", r"Yarp\."),
    ("Kestrel", r"Kestrel|System\.IO\.Pipelines"),
    ("sockets", r"System\.Net\.Sockets|SocketAsyncEngine|__send|__libc_recv|epoll"),
    ("ASP.NET Core middleware", r"Microsoft\.AspNetCore"),
    ("runtime: GC, allocation, helpers (libcoreclr)", r"libcoreclr|WKS::|SVR::|gc_heap|GCHeap"),
    ("thread pool", r"ThreadPool|LowLevelLifoSemaphore|WorkerThread"),
    ("gateway code", r"Meterai\.Gateway"),
    ("tasks and continuations", r"System\.Threading\.Tasks|AsyncTaskMethodBuilder|ExecutionContext"),
    ("kernel, no user frame", r"\[kernel\.kallsyms\]"),
]
PATTERNS = [(name, re.compile(pattern)) for name, pattern in PARTS]


def part_of(stack):
    # Kernel frames sit at the leaf of every syscall: they count only when nothing above names a part.
    for frame in stack:
        for name, pattern in PATTERNS[:-1]:
            if pattern.search(frame):
                return name
    name, pattern = PATTERNS[-1]
    return name if any(pattern.search(frame) for frame in stack) else "other"


def main():
    counts = collections.Counter()
    stack = []
    for line in sys.stdin:
        if line.strip() == "":
            if stack:
                counts[part_of(stack)] += 1
            stack = []
        elif line[0] in " \t":
            stack.append(line.strip())
    if stack:
        counts[part_of(stack)] += 1
    total = sum(counts.values())
    if total == 0:
        sys.exit("no samples on stdin (perf script -F comm,tid,ip,sym,dso)")
    ledger = sum(v for k, v in counts.items() if k.startswith("ledger"))
    print(f"{total} samples; the ledger's parts together: {100 * ledger / total:.1f} %\n")
    print("| part | share of samples |")
    print("| --- | ---: |")
    for name, count in counts.most_common():
        print(f"| {name} | {100 * count / total:.1f} % |")


if __name__ == "__main__":
    main()
