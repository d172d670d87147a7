# seconds and nanoseconds since the epoch, and an ISO-8601 stamp
date +%s%N
date -u +%Y-%m-%dT%H:%M:%S.%NZ
