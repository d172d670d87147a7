# os.walk top-down over the input tree
import os

for top, dirs, files in os.walk("tree"):
    print(top, "dirs:", " ".join(dirs), "files:", " ".join(files))
