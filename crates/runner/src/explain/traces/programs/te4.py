data = b"x"
msg = data + "hello "
