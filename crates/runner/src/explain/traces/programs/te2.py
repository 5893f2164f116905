import socket
a, b = socket.socketpair()
a.send("hi")
