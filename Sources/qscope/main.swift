print("qscope")
