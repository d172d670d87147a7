# four Python threads appending to one list and printing as they go
import sys
import threading
import time

order = []
lock = threading.Lock()
start = threading.Barrier(4)


def work(n):
    start.wait()
    for i in range(10):
        with lock:
            order.append(n)
            sys.stdout.write(f"thread {n} step {i}\n")
        time.sleep(0.0005)


ts = [threading.Thread(target=work, args=(n,)) for n in range(4)]
for t in ts:
    t.start()
for t in ts:
    t.join()
print("order", "".join(map(str, order)))
