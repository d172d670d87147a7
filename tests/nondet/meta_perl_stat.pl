# perl's stat list for every input, and -M (age in days relative to the script's start)
use strict;
use warnings;
for my $n (sort grep { !/^\./ } do { opendir(my $d, "tree") or die; readdir $d }) {
  my @s = stat("tree/$n");
  printf "%s dev %d ino %d mode %o nlink %d size %d atime %d mtime %d ctime %d blksize %d blocks %d age %.9f\n",
    $n, @s[0, 1, 2, 3, 7, 8, 9, 10, 11, 12], -M "tree/$n";
}
