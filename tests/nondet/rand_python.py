# Python's random sources: os.urandom, secrets, SystemRandom, the default Random, uuid4
import os
import random
import secrets
import uuid

print("urandom", os.urandom(8).hex())
print("secrets", secrets.token_hex(8), secrets.randbelow(1000000))
print("SystemRandom", random.SystemRandom().random())
print("random", random.random(), random.randint(0, 10**9))
print("uuid4", uuid.uuid4())
