# perl sockets on 127.0.0.1 with kernel-chosen ports
use strict;
use warnings;
use IO::Socket::INET;
my $srv = IO::Socket::INET->new(LocalAddr => '127.0.0.1', LocalPort => 0, Listen => 1, Proto => 'tcp') or die "listen: $!";
print "server port ", $srv->sockport, "\n";
my $cli = IO::Socket::INET->new(PeerAddr => '127.0.0.1', PeerPort => $srv->sockport, Proto => 'tcp') or die "connect: $!";
my $conn = $srv->accept;
print "client port ", $cli->sockport, " server saw ", $conn->peerport, "\n";
