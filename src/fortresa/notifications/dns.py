"""The DNS records the sending domain publishes (SPF, DKIM, DMARC) and a checker that
looks them up and says what is missing, wrong or unaligned."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import dns.exception
import dns.resolver

from fortresa.notifications.config import EmailConfig
from fortresa.notifications.dkim import SigningKey, public_key_text, signing_keys

OK = "ok"
MISSING = "missing"
WRONG = "wrong"
UNALIGNED = "unaligned"


@dataclass(frozen=True)
class DnsRecord:
    name: str
    type: str
    value: str
    purpose: str


@dataclass(frozen=True)
class Finding:
    record: str
    name: str
    status: str
    detail: str

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def spf_value(config: EmailConfig) -> str:
    return " ".join(["v=spf1", *config.spf_mechanisms, "-all"])


def dmarc_value(config: EmailConfig) -> str:
    parts = [f"v=DMARC1; p={config.dmarc_policy}"]
    if config.dmarc_rua:
        parts.append(f"rua={config.dmarc_rua}")
    parts.append("adkim=r; aspf=r; pct=100")
    return "; ".join(parts)


def expected_records(config: EmailConfig, domain: str) -> list[DnsRecord]:
    records = [DnsRecord(domain, "TXT", spf_value(config), "spf")]
    for key in signing_keys(config):
        records.append(
            DnsRecord(f"{key.selector}._domainkey.{domain}", "TXT", key.public_record(), "dkim")
        )
    records.append(DnsRecord(f"_dmarc.{domain}", "TXT", dmarc_value(config), "dmarc"))
    return records


def make_resolver(nameserver: str = "") -> dns.resolver.Resolver:
    """The system resolver, or one asking only ``host[:port]``."""
    if not nameserver:
        return dns.resolver.Resolver()
    resolver = dns.resolver.Resolver(configure=False)
    host, _sep, port = (
        nameserver.rpartition(":") if nameserver.count(":") == 1 else (nameserver, "", "")
    )
    resolver.nameservers = [host]
    resolver.port = int(port) if port else 53
    resolver.lifetime = 5.0
    return resolver


def txt_records(resolver: dns.resolver.Resolver, name: str) -> list[str]:
    try:
        answer = resolver.resolve(name, "TXT")
    except (dns.resolver.NXDOMAIN, dns.resolver.NoAnswer):
        return []
    return [b"".join(rdata.strings).decode("utf-8", "replace") for rdata in answer]


def tags(value: str) -> dict[str, str]:
    result = {}
    for part in value.split(";"):
        name, sep, tag_value = part.strip().partition("=")
        if sep:
            result[name.strip().lower()] = "".join(tag_value.split())
    return result


def organisational(domain: str) -> str:
    """A close enough organisational domain: the last two labels."""
    return ".".join(domain.lower().rstrip(".").split(".")[-2:])


def _check_spf(resolver: dns.resolver.Resolver, config: EmailConfig, domain: str) -> Finding:
    spf = [v for v in txt_records(resolver, domain) if v.lower().startswith("v=spf1")]
    if not spf:
        return Finding("spf", domain, MISSING, f"publish TXT {spf_value(config)!r}")
    if len(spf) > 1:
        return Finding("spf", domain, WRONG, "more than one SPF record (receivers reject both)")
    terms = spf[0].lower().split()
    absent = [m for m in config.spf_mechanisms if m.lower() not in terms]
    if absent:
        return Finding("spf", domain, WRONG, f"does not allow the relay: add {' '.join(absent)}")
    if terms[-1] not in ("-all", "~all"):
        return Finding("spf", domain, WRONG, "must end with -all (or ~all), not allow everyone")
    return Finding("spf", domain, OK, spf[0])


def _check_dkim(resolver: dns.resolver.Resolver, key: SigningKey, domain: str) -> Finding:
    name = f"{key.selector}._domainkey.{domain}"
    published = [tags(v) for v in txt_records(resolver, name)]
    if not published:
        return Finding("dkim", name, MISSING, f"publish TXT {key.public_record()!r}")
    record = published[0]
    if record.get("k", "rsa") != key.algorithm:
        return Finding(
            "dkim", name, WRONG, f"key type {record.get('k', 'rsa')}, expected {key.algorithm}"
        )
    if record.get("p") != public_key_text(key):
        return Finding("dkim", name, WRONG, "public key does not match the signing key")
    return Finding("dkim", name, OK, f"{key.algorithm} key matches")


def _find_dmarc(resolver: dns.resolver.Resolver, domain: str) -> tuple[str, dict[str, str] | None]:
    for candidate in dict.fromkeys([domain, organisational(domain)]):
        name = f"_dmarc.{candidate}"
        for value in txt_records(resolver, name):
            if value.lower().replace(" ", "").startswith("v=dmarc1"):
                return name, tags(value)
    return f"_dmarc.{domain}", None


def _aligned(a: str, b: str, mode: str) -> bool:
    if mode == "s":
        return a.lower() == b.lower()
    return organisational(a) == organisational(b)


def check_domain(
    domain: str, *, config: EmailConfig, resolver: dns.resolver.Resolver
) -> list[Finding]:
    """Every finding about ``domain``; any status but ``ok`` is a problem."""
    try:
        findings = [_check_spf(resolver, config, domain)]
        findings += [_check_dkim(resolver, key, domain) for key in signing_keys(config)]
        dmarc_name, dmarc = _find_dmarc(resolver, config.from_address.rsplit("@", 1)[1])
    except dns.exception.DNSException as exc:
        return [Finding("dns", domain, MISSING, f"lookup failed: {exc}")]
    if dmarc is None:
        findings.append(
            Finding("dmarc", dmarc_name, MISSING, f"publish TXT {dmarc_value(config)!r}")
        )
    elif dmarc.get("p") not in ("quarantine", "reject"):
        findings.append(
            Finding(
                "dmarc", dmarc_name, WRONG, f"policy p={dmarc.get('p')}, use quarantine or reject"
            )
        )
    elif not dmarc.get("rua"):
        findings.append(
            Finding("dmarc", dmarc_name, WRONG, "no rua=: nobody receives the aggregate reports")
        )
    else:
        findings.append(Finding("dmarc", dmarc_name, OK, f"p={dmarc['p']}"))
    from_domain = config.from_address.rsplit("@", 1)[1]
    modes = dmarc or {}
    for record, signing_domain, mode in (
        ("dkim-alignment", config.domain, modes.get("adkim", "r")),
        ("spf-alignment", domain, modes.get("aspf", "r")),
    ):
        if _aligned(from_domain, signing_domain, mode):
            findings.append(
                Finding(
                    record, from_domain, OK, f"From {from_domain} aligned with {signing_domain}"
                )
            )
        else:
            findings.append(
                Finding(
                    record,
                    from_domain,
                    UNALIGNED,
                    f"From {from_domain} is not aligned with {signing_domain} ({mode})",
                )
            )
    return findings
