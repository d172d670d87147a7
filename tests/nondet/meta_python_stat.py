# os.stat of every input and a file made here; os.statvfs of the work dir
import os

with open("made.txt", "w") as f:
    f.write("made\n")
for name in sorted(os.listdir("tree")) + ["../made.txt"]:
    s = os.stat(os.path.join("tree", name))
    print(name, s.st_dev, s.st_ino, s.st_nlink, s.st_blocks, s.st_atime_ns, s.st_mtime_ns, s.st_ctime_ns)
v = os.statvfs(".")
print("statvfs", v.f_bsize, v.f_blocks, v.f_bfree, v.f_files, v.f_ffree, v.f_fsid)
