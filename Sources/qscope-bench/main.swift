print("qscope-bench")
