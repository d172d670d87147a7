# Python's directory listings: os.listdir, os.scandir, glob (none of them sort)
import glob
import os

print("listdir", " ".join(os.listdir("tree")))
print("scandir", " ".join(e.name for e in os.scandir("tree")))
print("glob", " ".join(glob.glob("tree/*")))
