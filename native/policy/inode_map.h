// The virtual file metadata model shared by the stat family (fs_meta.cc), the utime family
// (fs_meta.cc) and directory listings (dir_order.cc): one identity per real file — a
// virtual device and inode number — and its virtual timestamps. The design and the reasons
// behind each rule are in inode_map.cc's header comment.
#pragma once
#include <cstdint>
#include <string>
#include <sys/types.h>

namespace det {

class Tracer;

namespace fsmeta {

// What a stat-like result said about a file.
struct RealMeta {
  dev_t dev = 0;
  ino_t ino = 0;
  uint32_t mode = 0;
  int64_t size = 0;
  int64_t mtime = 0, ctime = 0;  // ns since the Unix epoch
  int64_t btime = -1;            // ns; -1: not known
};

// What the tracee is shown instead.
struct VirtualMeta {
  dev_t dev = 0;
  uint64_t ino = 0;
  int64_t atime = 0, mtime = 0, ctime = 0, btime = 0;  // ns
  int64_t nlink = -1;  // >= 0: shown instead of the real link count
};

// A look at the file a call named, from the tracer: asked when the model must tell a
// file from another that got the same inode number after the first was deleted (ext4 and
// xfs reuse numbers at once). Fills the file handle (name_to_handle_at: inode number and
// generation) and the real birth time (-1 if unknown); false when the file cannot be seen.
struct FileProbe {
  virtual bool look(dev_t dev, ino_t ino, std::string* handle, int64_t* btime) = 0;

 protected:
  ~FileProbe() = default;
};

// A stat result seen by `tid` (used to learn the file system type of a new device from the
// tracee's /proc/<tid>/mountinfo). Updates the model and returns the virtual metadata.
VirtualMeta observe(Tracer& tr, pid_t tid, const RealMeta& m, FileProbe* probe);

// utime/utimes/utimensat/futimesat succeeded: `after` is the file's real metadata after
// the call; `atime`/`mtime` point to the virtual times set (nullptr: left as they were).
void set_times(Tracer& tr, pid_t tid, const RealMeta& after, FileProbe* probe, const int64_t* atime,
               const int64_t* mtime);

// A write-like call on a regular file (dev, ino) at its entry stop: the file's data
// changes now. The next observation stamps the change with this moment (not the moment of
// observation) and sees it even when the real mtime did not move (same clock tick).
void note_write(Tracer& tr, dev_t dev, ino_t ino);

// The inode number a directory entry (d_ino on the directory's device) is shown with.
uint64_t entry_ino(Tracer& tr, pid_t tid, dev_t dev, ino_t ino);

// The virtual st_dev of a real device.
dev_t virtual_dev(Tracer& tr, pid_t tid, dev_t real);

// A stable small number for a real mount id (statx STATX_MNT_ID / STATX_MNT_ID_UNIQUE).
uint64_t virtual_mnt_id(uint64_t real, bool unique);

// The logical now for a change (UTIME_NOW, a change first seen): never decreasing.
int64_t logical_now(Tracer& tr);

// Block counts and sizes shown for a file: st_blocks derived from the size (4 KiB
// allocation units), directories 4096 bytes, st_blksize 4096.
constexpr int64_t kBlockSize = 4096;
int64_t virtual_blocks(uint32_t mode, int64_t size);
int64_t virtual_size(uint32_t mode, int64_t size);

// ns <-> (sec, nsec), flooring for times before 1970.
int64_t to_ns(int64_t sec, int64_t nsec);
void from_ns(int64_t ns, int64_t* sec, int64_t* nsec);

}  // namespace fsmeta
}  // namespace det
