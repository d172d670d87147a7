# process ids as Python sees them
import os
import subprocess
import threading

print("pid", os.getpid(), "ppid", os.getppid(), "pgrp", os.getpgrp(), "sid", os.getsid(0))
print("native thread id", threading.get_native_id())
t = threading.Thread(target=lambda: print("thread native id", threading.get_native_id()))
t.start()
t.join()
p = subprocess.Popen(["true"])
p.wait()
print("child pid", p.pid)
