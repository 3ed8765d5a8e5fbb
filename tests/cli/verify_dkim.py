"""Verifies the DKIM signature of each message file given, with dkimpy (an independent
implementation), answering the key lookup with the test key's record. Prints one line per file:
`ok` or `fail`."""

import sys

import dkim

PUBLIC = open(sys.argv[1]).read().strip()


def dns(name, timeout=5):
    if name == b"s1._domainkey.acme.test.":
        return f"v=DKIM1; k=rsa; p={PUBLIC}".encode()
    return None


for path in sys.argv[2:]:
    with open(path, "rb") as message:
        print("ok" if dkim.verify(message.read(), dnsfunc=dns) else "fail")
