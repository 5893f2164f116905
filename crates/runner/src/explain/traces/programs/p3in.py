x = input("n: ")
