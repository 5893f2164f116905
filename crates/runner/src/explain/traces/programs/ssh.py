import socketserver
class H(socketserver.BaseRequestHandler):
    def handle(self):
        data = self.request.recv(1024)
        self.request.sendall("reply")
s = socketserver.TCPServer(("127.0.0.1", 45712), H)
s.handle_request()
