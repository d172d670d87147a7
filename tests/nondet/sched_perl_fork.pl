# four forked perl children printing at once
use strict;
use warnings;
$| = 1;
pipe(my $r, my $w) or die;
my @kids;
for my $c (0 .. 3) {
  my $pid = fork();
  die "fork: $!" unless defined $pid;
  if ($pid == 0) {
    close $w;
    my $go = <$r>;    # start together
    for my $i (0 .. 9) {
      print "child $c line $i\n";
      my $x = 0;
      $x += $_ for 1 .. 2000;
    }
    exit 0;
  }
  push @kids, $pid;
}
close $r;
close $w;
waitpid($_, 0) for @kids;
print "all children done\n";
