#!/usr/bin/env python3
"""Check an Open Badge credential from this LMS offline, trusting nothing but the root.

    python verify_credential.py root.pem PY-2026-000123.json [status-list.jwt]

Needs only PyJWT and cryptography (`pip install "pyjwt[crypto]"`). It checks that the
credential (a .jwt, or the .json EnvelopedVerifiableCredential from My certificates) is signed
by a school certificate issued by the installation root in root.pem (download it once from
/verify/keys/; for a school that uploaded its own key, its certificate from there), that it
has not been changed, and whether its `validUntil` has passed. Given the school's status list
(the `statusListCredential` URL in the credential, fetched when you are online), it also
checks that list's signature and reads the certificate's bit: 1 means the school withdrew the
certificate or it expired.

Exit status: 0 when the credential is intact and in force, 1 otherwise.
"""

import base64
import gzip
import json
import sys
import time

import jwt
from cryptography import x509

ENVELOPE_PREFIX = "data:application/vc+jwt,"
ALGORITHMS = ["RS256", "ES256"]


def token_of(text: str) -> str:
    text = text.strip()
    if text.startswith("{"):
        return json.loads(text)["id"].removeprefix(ENVELOPE_PREFIX)
    return text


def verified(token: str, anchor: x509.Certificate) -> dict:
    """The claims of a VC-JWT whose x5c chain leads to `anchor` (the installation root, or a
    school's own certificate from /verify/keys/); raises when anything is off."""
    header = jwt.get_unverified_header(token)
    chain = [x509.load_der_x509_certificate(base64.b64decode(c)) for c in header["x5c"]]
    for position, certificate in enumerate(chain):
        if certificate == anchor:
            break
        parent = chain[position + 1] if position + 1 < len(chain) else anchor
        certificate.verify_directly_issued_by(parent)  # raises when it is not
    claims = jwt.decode(
        token, key=chain[0].public_key(), algorithms=ALGORITHMS, options={"verify_exp": False}
    )
    leaf, signed_at = chain[0], claims.get("nbf", 0)
    if (
        not leaf.not_valid_before_utc.timestamp()
        <= signed_at
        <= leaf.not_valid_after_utc.timestamp()
    ):
        raise ValueError("signed outside the school certificate's validity period")
    return claims


def status_bit(status_list: dict, index: int) -> int:
    """Bitstring Status List: GZIP, multibase base64url ('u'), bit 0 = first byte's MSB."""
    encoded = status_list["credentialSubject"]["encodedList"]
    if not encoded.startswith("u"):
        raise ValueError("encodedList is not multibase base64url")
    body = encoded[1:]
    bits = gzip.decompress(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    return (bits[index // 8] >> (7 - index % 8)) & 1


def main(argv: list[str]) -> int:
    if len(argv) not in (3, 4):
        print(__doc__.strip().splitlines()[2].strip(), file=sys.stderr)
        return 2
    with open(argv[1], "rb") as file:
        root = x509.load_pem_x509_certificate(file.read())
    with open(argv[2], encoding="utf-8") as file:
        token = token_of(file.read())
    try:
        credential = verified(token, root)
    except Exception as error:  # any failure means: do not trust it
        print(f"NOT VALID: the signature does not check ({type(error).__name__}: {error})")
        return 1
    print(f"Signature: intact, signed by {credential['issuer']['name']}")
    print(f"Credential: {credential['name']} ({credential['description']})")
    print(f"Valid from: {credential['validFrom']}")
    ok = True
    if "validUntil" in credential:
        expired = credential.get("exp", 0) <= time.time()
        print(f"Valid until: {credential['validUntil']}{' (EXPIRED)' if expired else ''}")
        ok = ok and not expired
    status = credential["credentialStatus"]
    index = int(status["statusListIndex"])
    if len(argv) == 4:
        with open(argv[3], encoding="utf-8") as file:
            status_token = file.read().strip()
        try:
            status_list = verified(status_token, root)
        except Exception as error:
            print(f"NOT VALID: the status list's signature does not check ({error})")
            return 1
        if status_list["issuer"]["id"] != credential["issuer"]["id"]:
            print("NOT VALID: the status list is another issuer's")
            return 1
        if status_list["id"] != status["statusListCredential"]:
            print("NOT VALID: this is not the status list the credential names")
            return 1
        bit = status_bit(status_list, index)
        purpose = status_list["credentialSubject"]["statusPurpose"]
        print(f"Status ({purpose}) bit {index}: {bit}{' (REVOKED)' if bit else ' (in force)'}")
        ok = ok and not bit
    else:
        print(f"Status: not checked; fetch {status['statusListCredential']} and pass it too")
    print("VALID" if ok else "NOT VALID")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
