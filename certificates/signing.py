"""Signing keys and PDF signatures: what makes a certificate checkable without our web page.

- The installation has one root certificate authority, created once and kept in the database.
- Each school signs with its own key, whose X.509 certificate the root issues on first use; an
  owner may instead upload a PKCS#12 of their own, and may rotate the key. Old keys are never
  deleted: they keep their certificates and validity periods, so what they signed still checks.
- Private keys are stored encrypted (Fernet) with a key derived from the environment setting
  SIGNING_KEY_ENCRYPTION_KEY, never in the clear.
- PDFs are signed PAdES baseline B-B with pyHanko (B-T when SIGNING_TSA_URL names a
  time-stamping server), right after the render, in the worker.
"""

import asyncio
import hashlib
import io
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import timedelta
from functools import cache

from cryptography import x509
from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID
from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Project
from lms.encryption import fernet

from .models import SigningKey

ROOT_KEY_BITS = 3072
SCHOOL_KEY_BITS = 2048
ROOT_VALIDITY = timedelta(days=365 * 30)
# Long enough that a PDF signed near the end of a key's life still checks for years without a
# timestamp; rotation, not expiry, is how a school moves to a new key.
SCHOOL_VALIDITY = timedelta(days=365 * 10)
PKCS12_MAX_BYTES = 100 * 1024
SIGNATURE_FIELD = "Signature"
# Room for the CMS signature: an RSA-4096 signature with a chain of three certificates fits.
SIGNATURE_BYTES_RESERVED = 12 * 1024


class SigningError(Exception):
    """A refused key action; the message is shown to the user as it is."""


# Encryption at rest -----------------------------------------------------------------------


def _fernet() -> Fernet:
    return fernet("lms-signing-keys")


def encrypt_private_key(private_key) -> bytes:
    der = private_key.private_bytes(
        serialization.Encoding.DER,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    return _fernet().encrypt(der)


def decrypt_private_key(token: bytes):
    try:
        der = _fernet().decrypt(bytes(token))
    except InvalidToken as exc:
        raise SigningError(
            _(
                "The signing keys cannot be decrypted: SIGNING_KEY_ENCRYPTION_KEY is not the "
                "key they were stored with."
            )
        ) from exc
    return serialization.load_der_private_key(der, password=None)


# Certificates ---------------------------------------------------------------------------


def fingerprint(certificate: x509.Certificate) -> str:
    return certificate.fingerprint(hashes.SHA256()).hex()


def load_certificate(pem: str) -> x509.Certificate:
    return x509.load_pem_x509_certificate(pem.encode())


def _pem(certificate: x509.Certificate) -> str:
    return certificate.public_bytes(serialization.Encoding.PEM).decode()


def _name(common_name: str, organisation: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, common_name[:64]),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation[:64]),
        ]
    )


def _installation_name() -> str:
    return getattr(settings, "SIGNING_INSTALLATION_NAME", "") or settings.SITE_URL


def _build_certificate(*, subject, issuer, public_key, issuer_key, validity, is_ca, issuer_cert):
    now = timezone.now()
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))  # tolerate small clock differences
        .not_valid_after(now + validity)
        .add_extension(
            x509.BasicConstraints(ca=is_ca, path_length=0 if is_ca else None), critical=True
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
    )
    if is_ca:
        usage = {"key_cert_sign": True, "crl_sign": True}
    else:
        usage = {"digital_signature": True, "content_commitment": True}
    flags = dict.fromkeys(
        (
            "digital_signature",
            "content_commitment",
            "key_encipherment",
            "data_encipherment",
            "key_agreement",
            "key_cert_sign",
            "crl_sign",
            "encipher_only",
            "decipher_only",
        ),
        False,
    )
    builder = builder.add_extension(x509.KeyUsage(**{**flags, **usage}), critical=True)
    authority = issuer_cert.public_key() if issuer_cert is not None else public_key
    builder = builder.add_extension(
        x509.AuthorityKeyIdentifier.from_issuer_public_key(authority), critical=False
    )
    return builder.sign(issuer_key, hashes.SHA256())


def _store(*, kind, project, certificate, private_key, source, actor=None, chain=()):
    return SigningKey.objects.create(
        kind=kind,
        project=project,
        source=source,
        certificate_pem=_pem(certificate),
        chain_pem="".join(_pem(c) for c in chain),
        encrypted_private_key=encrypt_private_key(private_key),
        fingerprint=fingerprint(certificate),
        subject=certificate.subject.rfc4514_string()[:500],
        not_before=certificate.not_valid_before_utc,
        not_after=certificate.not_valid_after_utc,
        created_by=actor,
    )


def installation_root() -> SigningKey:
    """The current installation root, created on first use."""
    root = SigningKey.objects.filter(kind=SigningKey.Kind.ROOT, retired_at__isnull=True).first()
    if root is not None:
        return root
    key = rsa.generate_private_key(public_exponent=65537, key_size=ROOT_KEY_BITS)
    name = _name(f"{_installation_name()} certificates root", _installation_name())
    certificate = _build_certificate(
        subject=name,
        issuer=name,
        public_key=key.public_key(),
        issuer_key=key,
        validity=ROOT_VALIDITY,
        is_ca=True,
        issuer_cert=None,
    )
    try:
        with transaction.atomic():
            return _store(
                kind=SigningKey.Kind.ROOT,
                project=None,
                certificate=certificate,
                private_key=key,
                source=SigningKey.Source.GENERATED,
            )
    except IntegrityError:
        # Another worker created it a moment ago; theirs is the root.
        return SigningKey.objects.get(kind=SigningKey.Kind.ROOT, retired_at__isnull=True)


def _new_school_key(project: Project, actor=None) -> SigningKey:
    root = installation_root()
    root_cert = load_certificate(root.certificate_pem)
    key = rsa.generate_private_key(public_exponent=65537, key_size=SCHOOL_KEY_BITS)
    certificate = _build_certificate(
        subject=_name(f"{project.name} (certificate signing)", project.name),
        issuer=root_cert.subject,
        public_key=key.public_key(),
        issuer_key=_loaded_private_key(root),
        validity=SCHOOL_VALIDITY,
        is_ca=False,
        issuer_cert=root_cert,
    )
    return _store(
        kind=SigningKey.Kind.SCHOOL,
        project=project,
        certificate=certificate,
        private_key=key,
        source=SigningKey.Source.GENERATED,
        actor=actor,
    )


def school_key(project: Project) -> SigningKey:
    """The school's current signing key, created (and certified by the root) on first use."""
    current = SigningKey.objects.filter(project=project, retired_at__isnull=True).first()
    if current is not None:
        return current
    try:
        with transaction.atomic():
            return _new_school_key(project)
    except IntegrityError:
        return SigningKey.objects.get(project=project, retired_at__isnull=True)


@transaction.atomic
def signing_key_rotate(*, project: Project, actor) -> SigningKey:
    """Retire the school's current key and make a new one. The old one is kept: what it
    signed still verifies, and it stays published with its validity period."""
    current = (
        SigningKey.objects.select_for_update().filter(project=project, retired_at__isnull=True)
    ).first()
    if current is not None:
        current.retired_at = timezone.now()
        current.save(update_fields=["retired_at"])
    return _new_school_key(project, actor=actor)


@transaction.atomic
def signing_key_upload(*, project: Project, data: bytes, password: str, actor) -> SigningKey:
    """Make an owner's own key and certificate (a PKCS#12 file) the school's signing key."""
    if len(data) > PKCS12_MAX_BYTES:
        raise SigningError(_("The file is too large for a PKCS#12 key file."))
    try:
        key, certificate, extra = pkcs12.load_key_and_certificates(
            data, password.encode() if password else None
        )
    except (ValueError, TypeError) as exc:
        raise SigningError(
            _("This is not a PKCS#12 (.p12, .pfx) file, or the password is wrong.")
        ) from exc
    if key is None or certificate is None:
        raise SigningError(_("The PKCS#12 file must hold a private key and its certificate."))
    if isinstance(key, rsa.RSAPrivateKey):
        if key.key_size < 2048:
            raise SigningError(_("An RSA key must be at least 2048 bits long."))
    elif not (isinstance(key, ec.EllipticCurvePrivateKey) and key.curve.name == "secp256r1"):
        raise SigningError(_("The key must be RSA (2048 bits or more) or ECDSA P-256."))
    if certificate.public_key().public_numbers() != key.public_key().public_numbers():
        raise SigningError(_("The certificate in the file does not belong to its key."))
    now = timezone.now()
    if not certificate.not_valid_before_utc <= now <= certificate.not_valid_after_utc:
        raise SigningError(_("The certificate in the file is not valid today."))
    if SigningKey.objects.filter(fingerprint=fingerprint(certificate)).exists():
        raise SigningError(_("This certificate is already one of the signing keys."))
    current = (
        SigningKey.objects.select_for_update().filter(project=project, retired_at__isnull=True)
    ).first()
    if current is not None:
        current.retired_at = now
        current.save(update_fields=["retired_at"])
    return _store(
        kind=SigningKey.Kind.SCHOOL,
        project=project,
        certificate=certificate,
        private_key=key,
        source=SigningKey.Source.UPLOADED,
        actor=actor,
        chain=list(extra or ()),
    )


def published_keys():
    """Every root and school key with its validity period, for the public keys page."""
    return SigningKey.objects.select_related("project").order_by(
        "kind", "project__name", "-created_at"
    )


# Loaded keys, cached per process ----------------------------------------------------------


@dataclass(frozen=True)
class LoadedKey:
    private_key: object
    certificate: x509.Certificate
    chain: tuple  # the signing certificate's issuers, up to and including the root
    signer: object  # pyhanko SimpleSigner


_cache: dict[tuple[int, str], LoadedKey] = {}
_cache_lock = threading.Lock()


def _loaded_private_key(key: SigningKey):
    return decrypt_private_key(key.encrypted_private_key)


def _chain_of(key: SigningKey) -> tuple:
    chain = []
    if key.chain_pem:
        chain += x509.load_pem_x509_certificates(key.chain_pem.encode())
    if key.source == SigningKey.Source.GENERATED and key.kind == SigningKey.Kind.SCHOOL:
        issuer = load_certificate(key.certificate_pem).issuer
        root = next(
            (
                candidate
                for candidate in SigningKey.objects.filter(kind=SigningKey.Kind.ROOT)
                if load_certificate(candidate.certificate_pem).subject == issuer
            ),
            None,
        )
        if root is not None:
            chain.append(load_certificate(root.certificate_pem))
    return tuple(chain)


@cache
def _signer_class():
    # pyHanko is imported lazily: only workers that sign and the verify page need it.
    from pyhanko.sign import signers
    from pyhanko.sign.general import get_pyca_cryptography_hash

    class CachedKeySigner(signers.SimpleSigner):
        """pyHanko's SimpleSigner parses its private key again for every signature (about
        150 ms for RSA, twice per PDF); this one keeps the parsed key of the process cache."""

        def __init__(self, *args, private_key, **kwargs):
            super().__init__(*args, **kwargs)
            self._private_key = private_key

            # One CMS template per kind of signature this signer has made (see CmsTemplate).
            self._templates: dict[tuple, CmsTemplate | None] = {}

        def sign_raw(self, data: bytes, digest_algorithm: str) -> bytes:
            hash_algorithm = get_pyca_cryptography_hash(digest_algorithm)
            if isinstance(self._private_key, rsa.RSAPrivateKey):
                return self._private_key.sign(data, padding.PKCS1v15(), hash_algorithm)
            return self._private_key.sign(data, ec.ECDSA(hash_algorithm))

        async def async_sign(
            self,
            data_digest: bytes,
            digest_algorithm: str,
            dry_run=False,
            use_pades=False,
            timestamper=None,
            signed_attr_settings=None,
            is_pdf_sig=True,
            encap_content_info=None,
        ):
            from asn1crypto import cms

            # Only the plain detached signature of a PDF is templated: a dry run, a
            # timestamp or encapsulated content go through pyHanko every time.
            plain = not dry_run and timestamper is None and encap_content_info is None
            kind = (digest_algorithm.lower(), bool(use_pades), bool(is_pdf_sig))
            template = self._templates.get(kind) if plain else None
            if template is not None:
                return cms.ContentInfo.load(template.fill(data_digest, self.sign_raw))
            result = await super().async_sign(
                data_digest,
                digest_algorithm,
                dry_run=dry_run,
                use_pades=use_pades,
                timestamper=timestamper,
                signed_attr_settings=signed_attr_settings,
                is_pdf_sig=is_pdf_sig,
                encap_content_info=encap_content_info,
            )
            if plain and kind not in self._templates:
                self._templates[kind] = CmsTemplate.of(
                    result,
                    data_digest,
                    deterministic=isinstance(self._private_key, rsa.RSAPrivateKey),
                )
            return result

    return CachedKeySigner


# Signed attributes that depend on nothing but the key and the document's digest. A signature
# whose attributes are all of these (pyHanko's PAdES B-B without a timestamp) is the same DER
# every time except for the digest and the signature value.
FIXED_SIGNED_ATTRIBUTES = frozenset({"content_type", "message_digest", "signing_certificate_v2"})


@dataclass(frozen=True)
class CmsTemplate:
    """A school's CMS signature as DER, with the places of the digest and the signature value.

    pyHanko builds the CMS (SignedData with the certificates, the signed attributes and the
    signer info) through asn1crypto for every PDF, about two thirds of a signature's time. With
    RSA (PKCS#1 v1.5: the signature always as long as the key) every later signature of the
    same key has the same bytes but for the 32-byte digest and the signature value, so they
    are put in place: the signed attributes with the new digest are signed (as a SET, RFC 5652
    5.4) and both are spliced into the DER. The result is byte for byte what pyHanko makes.
    """

    der: bytes
    attrs_at: int  # where the signed attributes ([0] IMPLICIT SET OF) start
    attrs: bytes
    digest_at: int  # of the message digest, inside `attrs`
    digest_length: int
    signature_at: int
    signature_length: int
    digest_algorithm: str

    @classmethod
    def of(cls, content_info, data_digest: bytes, *, deterministic: bool) -> "CmsTemplate | None":
        """A template from pyHanko's own signature, or None when this one cannot be one."""
        if not deterministic:
            return None  # ECDSA signatures vary in length
        try:
            signer_info = content_info["content"]["signer_infos"][0]
            types = {attr["type"].native for attr in signer_info["signed_attrs"]}
            if types != FIXED_SIGNED_ATTRIBUTES or signer_info["unsigned_attrs"].native:
                return None
            der = content_info.dump()
            attrs = signer_info["signed_attrs"].dump()
            signature = signer_info["signature"].native
            digest_algorithm = signer_info["digest_algorithm"]["algorithm"].native
        except (KeyError, IndexError, TypeError, ValueError):
            return None
        if der.count(attrs) != 1 or der.count(signature) != 1 or attrs.count(data_digest) != 1:
            return None
        return cls(
            der=der,
            attrs_at=der.index(attrs),
            attrs=attrs,
            digest_at=attrs.index(data_digest),
            digest_length=len(data_digest),
            signature_at=der.index(signature),
            signature_length=len(signature),
            digest_algorithm=digest_algorithm,
        )

    def fill(self, data_digest: bytes, sign_raw) -> bytes:
        if len(data_digest) != self.digest_length:
            raise ValueError("digest of another length than the template's")
        attrs = (
            self.attrs[: self.digest_at]
            + data_digest
            + self.attrs[self.digest_at + self.digest_length :]
        )
        # What is signed is the attributes' DER with the SET OF tag, not the [0] of SignerInfo.
        signature = sign_raw(b"\x31" + attrs[1:], self.digest_algorithm)
        if len(signature) != self.signature_length:
            raise ValueError("signature of another length than the template's")
        der = self.der[: self.attrs_at] + attrs + self.der[self.attrs_at + len(attrs) :]
        return (
            der[: self.signature_at] + signature + der[self.signature_at + self.signature_length :]
        )


def loaded(key: SigningKey) -> LoadedKey:
    """The decrypted key, ready to sign. Decrypting and parsing once per process keeps the
    signature's cost to the signing itself."""
    cache_key = (key.pk, key.fingerprint)
    with _cache_lock:
        hit = _cache.get(cache_key)
    if hit is not None:
        return hit
    # pyHanko is imported lazily: only workers that sign and the verify page need it.
    from asn1crypto import keys as asn1_keys
    from asn1crypto import x509 as asn1_x509
    from pyhanko_certvalidator.registry import SimpleCertificateStore

    private_key = _loaded_private_key(key)
    certificate = load_certificate(key.certificate_pem)
    chain = _chain_of(key)
    der = private_key.private_bytes(
        serialization.Encoding.DER,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    signer = _signer_class()(
        private_key=private_key,
        # A verifier trusts the root from outside (our keys page), never from the file, so the
        # root is not embedded; the school's certificate and any intermediates are.
        embed_roots=False,
        signing_cert=asn1_x509.Certificate.load(
            certificate.public_bytes(serialization.Encoding.DER)
        ),
        signing_key=asn1_keys.PrivateKeyInfo.load(der),
        cert_registry=SimpleCertificateStore.from_certs(
            [asn1_x509.Certificate.load(c.public_bytes(serialization.Encoding.DER)) for c in chain]
        ),
    )
    value = LoadedKey(private_key, certificate, chain, signer)
    with _cache_lock:
        if len(_cache) > 256:
            _cache.clear()
        _cache[cache_key] = value
    return value


# PDF signatures -------------------------------------------------------------------------


def _outside_event_loop(function, *args, **kwargs):
    """Call one of pyHanko's synchronous functions, which run their own event loop: in a
    thread of its own when this thread already runs a loop (an ASGI server, Playwright)."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return function(*args, **kwargs)
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(function, *args, **kwargs).result()


def sign_pdf(pdf: bytes, *, project: Project, reason: str = "") -> bytes:
    """The PDF with the school's PAdES signature appended (an incremental update)."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers, timestamps

    key = loaded(school_key(project))
    metadata = signers.PdfSignatureMetadata(
        field_name=SIGNATURE_FIELD,
        md_algorithm="sha256",
        subfilter=fields.SigSeedSubFilter.PADES,
        name=project.name,
        reason=reason or None,
        location=settings.SITE_URL,
    )
    timestamper = (
        timestamps.HTTPTimeStamper(settings.SIGNING_TSA_URL, timeout=10)
        if settings.SIGNING_TSA_URL
        else None
    )
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
    output = _outside_event_loop(
        signers.sign_pdf,
        writer,
        metadata,
        signer=key.signer,
        timestamper=timestamper,
        # A fixed reservation spares pyHanko a trial signature to measure it; a timestamp
        # token's size varies by server, so then pyHanko measures.
        bytes_reserved=None if timestamper else SIGNATURE_BYTES_RESERVED,
    )
    return output.getvalue()


@dataclass
class PdfCheck:
    """What a PDF's signature says. `outcome` is one of:

    intact: signed by a key of this installation, unchanged since it was signed;
    modified: a signature is there but the file was changed after signing;
    foreign: intact, but signed by a key that is not one of ours;
    unsigned: a readable PDF without a signature;
    unreadable: not a PDF we can read.
    """

    outcome: str
    signing_key: SigningKey | None = None
    verification_url: str = ""
    signed_at: object = None


def _trust_roots():
    from asn1crypto import x509 as asn1_x509

    roots = SigningKey.objects.filter(kind=SigningKey.Kind.ROOT)
    return [
        asn1_x509.Certificate.load(
            load_certificate(root.certificate_pem).public_bytes(serialization.Encoding.DER)
        )
        for root in roots
    ]


def check_pdf(data: bytes) -> PdfCheck:
    """Check an uploaded PDF's signature; never raises on hostile input."""
    from pyhanko.pdf_utils.misc import PdfError
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko.sign.validation.errors import SignatureValidationError
    from pyhanko.sign.validation.status import SignatureCoverageLevel
    from pyhanko_certvalidator import ValidationContext

    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        signatures = reader.embedded_signatures
    except (PdfError, ValueError, KeyError, TypeError, IndexError, AttributeError, OSError):
        return PdfCheck("unreadable")
    except Exception:  # a parser meets every kind of broken file; none may become a 500
        return PdfCheck("unreadable")
    if not signatures:
        return PdfCheck("unsigned")
    context = ValidationContext(trust_roots=_trust_roots(), allow_fetching=False)
    signature = signatures[0]
    try:
        status = _outside_event_loop(validate_pdf_signature, signature, context, skip_diff=True)
    except (SignatureValidationError, PdfError, ValueError, KeyError, TypeError):
        return PdfCheck("modified")
    except Exception:
        return PdfCheck("modified")
    signing_key = SigningKey.objects.filter(
        fingerprint=hashlib.sha256(status.signing_cert.dump()).hexdigest()
    ).first()
    whole_file = status.coverage == SignatureCoverageLevel.ENTIRE_FILE and len(signatures) == 1
    if not (status.intact and status.valid and whole_file):
        return PdfCheck("modified", signing_key)
    if signing_key is None:
        return PdfCheck("foreign")
    info = reader.trailer_view.get("/Info")
    url = ""
    if info is not None:
        url = str(info.get_object().get("/VerificationURL", "") or "")
    return PdfCheck("intact", signing_key, url, status.signer_reported_dt)


# Raw signatures for credentials (JWS) -----------------------------------------------------


def jws_algorithm(key: LoadedKey) -> str:
    return "RS256" if isinstance(key.private_key, rsa.RSAPrivateKey) else "ES256"
