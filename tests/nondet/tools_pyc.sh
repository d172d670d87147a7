# byte-compiling Python stamps the .pyc with the source's mtime
cp tree/alpha mod.py
python3 -m py_compile mod.py
sha256sum __pycache__/mod.*.pyc
