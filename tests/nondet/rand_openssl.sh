# openssl's random generator
openssl rand -hex 16
openssl rand -base64 12
