import socket
name = raw_input("name: ")
