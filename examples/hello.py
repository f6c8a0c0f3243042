"""Hello, sanddb (Python): open a database, write, read the latest state and
the state as of an earlier version.

    python3 hello.py [DIR]      (default: ./hello-db)
"""
import sys

import sanddb

path = sys.argv[1] if len(sys.argv) > 1 else "hello-db"
with sanddb.open(path) as db:  # creates the directory if missing
    v1 = db.put("greeting", "hello")  # every write returns its version
    v2 = db.put("greeting", "hello, world")
    print(f"v{v2}: {db.get('greeting').decode()}")  # the latest state
    print(f"v{v1}: {db.get('greeting', at=v1).decode()}")  # as of v1
