# a TCP server and client on 127.0.0.1 with kernel-chosen ports, and a UDP socket
import socket

srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
srv.bind(("127.0.0.1", 0))
srv.listen(1)
port = srv.getsockname()[1]
print("server port", port)
cli = socket.create_connection(("127.0.0.1", port))
conn, peer = srv.accept()
print("client port", cli.getsockname()[1], "server saw", peer[1])
cli.sendall(b"ping")
print("server got", conn.recv(4).decode())
conn.sendall(b"pong")
print("client got", cli.recv(4).decode())
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
u.bind(("127.0.0.1", 0))
print("udp port", u.getsockname()[1])
