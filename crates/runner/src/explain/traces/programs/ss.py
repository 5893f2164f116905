import socketserver
class H(socketserver.BaseRequestHandler):
    def handle(self):
        pass
a = socketserver.TCPServer(("", 45710), H)
b = socketserver.TCPServer(("", 45710), H)
