#!/usr/bin/env python3
"""multiprocessing.Pool(4) mapping over 100 items: imap_unordered prints results in the order
the workers finish them, with the pid of the worker that did each (both vary natively);
map() must give the ordered results. Ends with a summary line."""
import multiprocessing as mp
import os


def work(n):
    acc = 0
    for i in range(2000 + (n % 7) * 300):
        acc = (acc * 31 + i + n) % 1000003
    return n, n * n, acc, os.getpid()


def main():
    with mp.Pool(4) as pool:
        pids = []
        for n, sq, acc, pid in pool.imap_unordered(work, range(100), chunksize=1):
            print(f"item {n} square {sq} acc {acc} pid {pid}", flush=True)
            if pid not in pids:
                pids.append(pid)
        ordered = pool.map(work, range(100))
    assert [r[1] for r in ordered] == [n * n for n in range(100)]
    print(f"workers {len(pids)} first-seen order {pids}")
    print(f"map sum {sum(r[1] for r in ordered)} parent {os.getpid()}")


if __name__ == "__main__":
    main()
