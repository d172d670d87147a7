# perl's rand without srand (seeded from the OS), and its hash order (salted too)
use strict;
use warnings;
print "rand ", rand(), "\n";
print "int rand ", int(rand(1000000)), "\n";
my %h = map { $_ => 1 } qw(alpha bravo charlie delta echo foxtrot golf hotel india juliet);
print "keys ", join(" ", keys %h), "\n";
