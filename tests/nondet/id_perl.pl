# identity as perl sees it: pids, uname, user ids, cwd, home, umask
use strict;
use warnings;
use Cwd qw(getcwd);
use POSIX qw(uname);
print "pid $$ ppid ", getppid(), "\n";
print "uname ", join(" ", uname()), "\n";
print "uid $< euid $> gid $(\n";
print "cwd ", getcwd(), "\n";
print "home ", $ENV{HOME} // "(unset)", "\n";
printf "umask %04o\n", umask;
