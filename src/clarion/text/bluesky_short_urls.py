"""How the Bluesky app shows a link: `toShortUrl` of social-app, behind its `shortenLinks`.

A `http(s)://` link is shown as its host plus path, query and fragment (as
the WHATWG URL parser normalises them: host lowercased and in punycode,
default port dropped, non-ASCII percent-encoded), cut to 13 characters and
"..." when that is longer than 15; the facet still points at the full URL.
A bare domain is left as written.

Where this differs from the app: a host the WHATWG parser would take but
Python's IDNA mapping refuses, and IPv6 hosts, keep their link unshortened.
"""

from __future__ import annotations

import functools
import re
from urllib.parse import unquote


@functools.lru_cache(maxsize=1024)
def to_short_url(url: str) -> str:
    """How the app shows a link: `toShortUrl` of social-app.

    Host, then path, query and fragment, the whole cut to the host plus 13
    characters and "..." when path, query and fragment pass 15 characters. Not
    a `http(s)` URL (a bare domain), or one the WHATWG parser refuses: as is.
    """
    parsed = _parse_url(url)
    if parsed is None:
        return url
    host, rest = parsed
    if len(rest) > 15:
        return f"{host}{rest[:13]}..."
    return host + rest


_SCHEME = re.compile(r"(https?):[/\\]*")
_DEFAULT_PORTS = {"http": 80, "https": 443}
_FORBIDDEN_HOST = frozenset("\x00\t\n\r #/:<>?@[\\]^|%\x7f") | frozenset(map(chr, range(0x20)))
# WHATWG percent-encode sets (besides C0 controls and non-ASCII).
_PATH_ESCAPED = frozenset(' "#<>?`{}')
_QUERY_ESCAPED = frozenset(" \"#<>'")
_FRAGMENT_ESCAPED = frozenset(' "<>`')


def _parse_url(url: str) -> tuple[str, str] | None:
    """(host, path + search + hash) as the WHATWG URL parser gives them."""
    url = url.strip("".join(map(chr, range(0x21))))
    scheme_match = _SCHEME.match(url)
    if scheme_match is None:
        return None
    scheme = scheme_match.group(1)
    rest = url[scheme_match.end() :]
    authority_end = len(rest)
    for stop in "/\\?#":
        found = rest.find(stop)
        if found != -1:
            authority_end = min(authority_end, found)
    authority, rest = rest[:authority_end], rest[authority_end:]
    host_port = authority.rpartition("@")[2]
    if host_port.startswith("["):
        return None  # IPv6: left as written (see the module docs)
    host_text, colon, port_text = host_port.rpartition(":")
    if not colon:
        host_text, port_text = host_port, ""
    host = _parse_host(host_text)
    if host is None:
        return None
    if port_text:
        if not port_text.isascii() or not port_text.isdigit() or int(port_text) > 65535:
            return None
        if int(port_text) != _DEFAULT_PORTS[scheme]:
            host += f":{int(port_text)}"

    fragment = None
    if "#" in rest:
        rest, _, fragment = rest.partition("#")
    query = None
    if "?" in rest:
        rest, _, query = rest.partition("?")
    shown = _parse_path(rest)
    if query:
        shown += "?" + _percent_encode(query, _QUERY_ESCAPED)
    if fragment:
        shown += "#" + _percent_encode(fragment, _FRAGMENT_ESCAPED)
    return host, shown


def _parse_host(text: str) -> str | None:
    host = unquote(text, errors="strict") if "%" in text else text
    if not host or any(c in _FORBIDDEN_HOST for c in host):
        return None
    if host.isascii():
        host = host.lower()
    else:
        ascii_host = _to_ascii(host)
        if ascii_host is None:
            return None
        host = ascii_host
    labels = host.split(".")
    if labels[-1] == "" and len(labels) > 1:
        labels = labels[:-1]
    if _NUMBER.fullmatch(labels[-1]):
        return _ipv4(labels)
    return host


_PLAIN_PATH = re.compile(r"/[!$-;=@-\[\]^_a-z|~]*")
_NUMBER = re.compile(r"0[xX][0-9a-fA-F]*|[0-9]+")


def _ipv4(labels: list[str]) -> str | None:
    numbers = []
    for label in labels:
        if not _NUMBER.fullmatch(label):
            return None
        if label[:2] in ("0x", "0X"):
            numbers.append(int(label[2:] or "0", 16))
        elif len(label) > 1 and label.startswith("0"):
            numbers.append(int(label, 8) if all(c in "01234567" for c in label) else -1)
        else:
            numbers.append(int(label))
    if len(numbers) > 4 or any(n < 0 for n in numbers):
        return None
    if any(n > 255 for n in numbers[:-1]) or numbers[-1] >= 256 ** (5 - len(numbers)):
        return None
    address = numbers[-1]
    for index, number in enumerate(numbers[:-1]):
        address += number * 256 ** (3 - index)
    return ".".join(str((address >> shift) & 0xFF) for shift in (24, 16, 8, 0))


def _to_ascii(host: str) -> str | None:
    """UTS #46 processing (non-transitional), then punycode for each label."""
    import idna

    try:
        mapped = idna.uts46_remap(host, std3_rules=False, transitional=False)
        labels = mapped.split(".")
        # CheckJoiners: a zero-width (non-)joiner is refused (outside the
        # scripts with a virama, which links do not use).
        if any("\u200c" in label or "\u200d" in label for label in labels):
            return None
        labels = [
            label if label.isascii() else "xn--" + label.encode("punycode").decode("ascii")
            for label in labels
        ]
    except (idna.IDNAError, UnicodeError):
        return None
    result = ".".join(labels).lower()
    if not result or any(c in _FORBIDDEN_HOST for c in result):
        return None
    return result


def _parse_path(path: str) -> str:
    if not path or path == "/":
        return ""  # pathname "/", which toShortUrl leaves out
    if _PLAIN_PATH.fullmatch(path) and "/." not in path and "%2e" not in path.lower():
        return path  # nothing to encode, no dot segment
    segments: list[str] = []
    raw = re.split(r"[/\\]", path[1:])
    for index, segment in enumerate(raw):
        last = index == len(raw) - 1
        lowered = segment.lower()
        if lowered in ("..", ".%2e", "%2e.", "%2e%2e"):
            if segments:
                segments.pop()
            if last:
                segments.append("")
        elif lowered in (".", "%2e"):
            if last:
                segments.append("")
        else:
            segments.append(_percent_encode(segment, _PATH_ESCAPED))
    pathname = "/" + "/".join(segments)
    return "" if pathname == "/" else pathname


def _percent_encode(text: str, escaped: frozenset[str]) -> str:
    if text.isascii() and not any(c in escaped or c < " " or c == "\x7f" for c in text):
        return text
    out = []
    for c in text:
        if c in escaped or c < " " or c > "~":
            out.append("".join(f"%{byte:02X}" for byte in c.encode("utf-8", "surrogatepass")))
        else:
            out.append(c)
    return "".join(out)
