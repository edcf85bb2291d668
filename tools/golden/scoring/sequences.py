# Writes a small synthetic sequence file (`uid item1 ... itemN`): 400 users walking 40 items mostly one step
# forward, so a trained SASRec has a pattern to learn. Seeded; the same file every run.
import random

random.seed(7)
with open("sequences.txt", "w") as out:
    for user in range(1, 401):
        item = random.randint(1, 40)
        items = [item]
        for _ in range(random.randint(3, 14)):
            item = item % 40 + 1 if random.random() < 0.8 else random.randint(1, 40)
            items.append(item)
        out.write(" ".join(str(v) for v in [user] + items) + "\n")
