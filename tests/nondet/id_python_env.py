# environment-derived facts Python programs use
import getpass
import locale
import os
import socket
import time

print("user", getpass.getuser(), "home", os.path.expanduser("~"))
print("hostname", socket.gethostname(), "fqdn", socket.getfqdn())
print("cwd", os.getcwd())
print("tzname", time.tzname, "timezone", time.timezone)
print("encoding", locale.getpreferredencoding(False), "LANG", os.environ.get("LANG"))
print("env", sorted(os.environ))
