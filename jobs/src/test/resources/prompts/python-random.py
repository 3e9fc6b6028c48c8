# Writes python-random.txt: what CPython's random module draws, for PythonRandomTest.
# Run: python3 python-random.py > python-random.txt
import random
import sys

print("# CPython %d.%d.%d random.Random(seed), written by python-random.py" % sys.version_info[:3])
for seed in [0, 1, 1234, -1234, 2**32, 2**40 + 5, 2**63 - 1, -2**63]:
    r = random.Random(seed)
    words = [r.getrandbits(32) for _ in range(630)]
    print("words", seed, " ".join(str(w) for w in words[:5] + words[622:630]))
for n, k in [(1, 1), (5, 5), (6, 6), (21, 5), (22, 5), (7473, 5), (7473, 6), (100, 30), (1000, 300)]:
    r = random.Random(1234)
    print("sample", n, k, " | ".join(",".join(map(str, r.sample(range(n), k))) for _ in range(3)))
# lm-evaluation-harness's GSM8K: one Random(1234) for the task, 5 of the 7,473 train rows per test row, in order
r = random.Random(1234)
for i in range(1319):
    print("gsm8k", i, ",".join(map(str, r.sample(range(7473), 5))))
