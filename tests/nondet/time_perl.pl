# perl's clocks: time, localtime, gmtime, Time::HiRes, $^T (the script's start time)
use strict;
use warnings;
use POSIX qw(strftime);
use Time::HiRes ();
print "time ", time, "\n";
print "localtime ", scalar localtime, "\n";
print "gmtime ", strftime("%Y-%m-%dT%H:%M:%SZ", gmtime), "\n";
printf "hires %.6f\n", Time::HiRes::time();
my @t = Time::HiRes::gettimeofday();
print "gettimeofday @t\n";
printf "clock_gettime monotonic %.9f\n", Time::HiRes::clock_gettime(Time::HiRes::CLOCK_MONOTONIC());
print "script start $^T\n";
