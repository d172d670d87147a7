# str hashing is salted from the OS's randomness: hash values and set iteration order
words = ["alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel"]
print("hash", hash("det"), hash(b"det"))
print("set", " ".join(set(words)))
print("frozenset", " ".join(frozenset(w.upper() for w in words)))
