# the command line from the issue, verbatim
python3 -c 'import random,uuid;print(random.random(),uuid.uuid4())'
