import struct
n, = struct.unpack("!I", b"ab")
