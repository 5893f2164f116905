import socket
s = socket.socket()
print "listening"
