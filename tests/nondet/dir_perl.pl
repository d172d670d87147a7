# perl readdir order
use strict;
use warnings;
opendir(my $d, "tree") or die "tree: $!";
print join(" ", readdir $d), "\n";
closedir $d;
opendir($d, "tree/nested") or die "tree/nested: $!";
print join(" ", readdir $d), "\n";
