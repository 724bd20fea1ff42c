"""Usage: zip-check.py <file.zip> [name-to-read]

Prints what Python's zipfile sees: the entry count, the names, whether every CRC checks out
(testzip reads every entry; skipped with a name to read, for multi-GiB archives), and the bytes
of one entry as hex.
"""
import json
import sys
import zipfile

path = sys.argv[1]
with zipfile.ZipFile(path) as z:
    names = z.namelist()
    out = {"count": len(names), "names": names[:50] + names[-50:] if len(names) > 100 else names}
    if len(sys.argv) > 2:
        out["read"] = z.read(sys.argv[2]).hex()
    else:
        out["bad"] = z.testzip()
print(json.dumps(out))
