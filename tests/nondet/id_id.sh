# who the program runs as
id
id -u
id -G
id -un
