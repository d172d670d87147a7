# the kernel's uuid generator and the boot id
cat /proc/sys/kernel/random/uuid
cat /proc/sys/kernel/random/uuid
cat /proc/sys/kernel/random/boot_id
