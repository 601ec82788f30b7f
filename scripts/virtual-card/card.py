#!/usr/bin/python3
"""A virtual smart card for the card-reading test, plugged into vpcd (the
virtual reader of vsmartcard) on 127.0.0.1:PORT.

  card.py PORT mynumber   answers SELECT of the JPKI AP (D392F000260100000001)
                          with 90 00, as a マイナンバーカード does
  card.py PORT other      a plain ISO 7816 card (vsmartcard's own), which has
                          no JPKI AP and answers 6A 82

Runs until killed; killing it takes the card off the reader.
"""
import sys

# Debian 12's vsmartcard-vpicc installs its module one folder deeper than
# Python looks, and imports PyCrypto's `Crypto`, which Debian ships as
# pycryptodome's `Cryptodome` (python3-pycryptodome).
sys.path.append("/usr/lib/python3/site-packages/virtualsmartcard")
import Cryptodome  # noqa: E402

sys.modules.setdefault("Crypto", Cryptodome)
from virtualsmartcard.VirtualSmartcard import VirtualICC  # noqa: E402

JPKI_AID = bytes.fromhex("D392F000260100000001")


def main():
    port, kind = int(sys.argv[1]), sys.argv[2]
    icc = VirtualICC(None, "iso7816", "127.0.0.1", port)
    if kind == "mynumber":
        plain = icc.os.execute

        def execute(apdu):
            # CLA INS P1 Lc AID: SELECT by DF name (P2 says what to answer).
            if len(apdu) >= 5 + len(JPKI_AID) and apdu[1] == 0xA4 and apdu[2] == 0x04 and apdu[5:5 + apdu[4]] == JPKI_AID:
                return b"\x90\x00"
            return plain(apdu)

        icc.os.execute = execute
    elif kind != "other":
        sys.exit("kind must be mynumber or other")
    icc.run()


if __name__ == "__main__":
    main()
