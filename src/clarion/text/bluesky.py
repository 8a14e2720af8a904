"""Bluesky's text rules: the text actually sent, its facets, and its length.

Bluesky links nothing by itself: a post carries "facets", byte ranges of its
UTF-8 text marked as a link, a mention or a tag. `prepare` does what the
official app (bluesky-social/social-app) does with what a person types:

1. Detection, as `RichText.detectFacets` of @atproto/api:
   - links: `http(s)://` and everything up to the next whitespace, or a bare
     domain of letters and digits (no hyphen) whose top-level domain is in the
     IANA list (the `tlds` package), with its path; one trailing `.,;:!?` and
     then an unmatched `)` are left out; a bare domain links to `https://`.
     A scheme in capitals ("HTTPS://") is not linked, as in the app.
   - tags: `#` (or its full-width form) after whitespace or at the start, up to whitespace or a
     zero-width character, not only digits and punctuation, trailing
     punctuation left out, at most 64 graphemes; and cashtags (`$ABC`, up to
     five characters) as tags "$ABC".
   - mentions: `@handle.domain` after whitespace, `(` or at the start, whose
     top-level domain is known (or `.test`). The handle is resolved to a DID
     when sending, so mentions are listed apart from `facets`.
2. Link shortening, as the app's `shortenLinks` with `toShortUrl`: a
   `http(s)://` link is shown as its host plus path, query and fragment (as
   the WHATWG URL parser normalises them: host lowercased and in punycode,
   default port dropped, non-ASCII percent-encoded), cut to 13 characters and
   "..." when that is longer than 15; the facet still points at the full URL.
   Clarion shortens because a post should look as if made in the app, and
   because Bluesky counts graphemes of what is sent: a long URL would
   otherwise eat the 300-grapheme limit. A bare domain is left as written.

Limits: 300 graphemes (extended grapheme clusters, `regex`'s `\\X`, as ICU
counts them) and 3000 UTF-8 bytes of the text sent.

Where this differs from the app, on purpose or by necessity:
- a facet partly over a link (a mention inside a URL's path) is dropped
  rather than squeezed by the shortening (the app's RichText.delete also
  miscounts bytes there, which is not copied either);
- a bare domain starting with "http" ("httpbin.org") is linked, as in the app,
  but to "https://httpbin.org" (the app gives a URI without scheme);
- a host the WHATWG parser would take but Python's IDNA mapping refuses, and
  IPv6 hosts, keep their link unshortened.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

from clarion.text.entities import grapheme_count

if TYPE_CHECKING:
    import regex

    from clarion.networks import Measured

MAX_GRAPHEMES = 300
MAX_BYTES = 3000

LINK = "app.bsky.richtext.facet#link"
TAG = "app.bsky.richtext.facet#tag"


@dataclass(frozen=True)
class Mention:
    """An `@handle` in the sent text: its DID is looked up when sending."""

    byte_start: int
    byte_end: int
    handle: str


@dataclass(frozen=True)
class BlueskyText:
    """What is sent to Bluesky for one post."""

    text: str
    # app.bsky.richtext.facet objects (links and tags), by byteStart.
    facets: tuple[dict[str, Any], ...]
    mentions: tuple[Mention, ...]
    graphemes: int
    bytes: int

    @property
    def too_long(self) -> bool:
        return self.graphemes > MAX_GRAPHEMES or self.bytes > MAX_BYTES


def prepare(text: str) -> BlueskyText:
    """The text Bluesky receives for `text`, with its facets and length."""
    links = _links(text)
    others: list[tuple[int, int, str, str]] = []  # start, end, kind, value
    for start, end, handle in _mentions(text):
        others.append((start, end, "mention", handle))
    for start, end, tag in _tags(text):
        others.append((start, end, TAG, tag))
    # A facet partly over a link (a mention inside its path) cannot follow the
    # shortening: dropped. One around a link (a tag holding one) follows it.
    others = [
        item
        for item in others
        if all(_encloses(item, link) or not _overlap(item, link) for link in links)
    ]

    # Shorten the links left to right, mapping every position to the new text.
    pieces: list[str] = []
    shift: list[tuple[int, int]] = []  # (old position, change in length from there)
    done = 0
    delta = 0
    entities: list[tuple[int, int, str, str]] = []
    for start, end, uri in links:
        shown = to_short_url(text[start:end])
        pieces.append(text[done:start])
        new_start = start + delta
        pieces.append(shown)
        entities.append((new_start, new_start + len(shown), LINK, uri))
        delta += len(shown) - (end - start)
        shift.append((end, delta))
        done = end
    pieces.append(text[done:])
    sent = "".join(pieces)

    def moved(position: int) -> int:
        change = 0
        for old, new_delta in shift:
            if position >= old:
                change = new_delta
        return position + change

    entities.extend((moved(start), moved(end), kind, value) for start, end, kind, value in others)
    entities.sort(key=lambda entity: entity[0])

    ascii_text = sent.isascii()
    facets: list[dict[str, Any]] = []
    mentions: list[Mention] = []
    for start, end, kind, value in entities:
        if ascii_text:
            byte_start, byte_end = start, end
        else:
            byte_start = len(sent[:start].encode("utf-8"))
            byte_end = byte_start + len(sent[start:end].encode("utf-8"))
        if kind == "mention":
            mentions.append(Mention(byte_start, byte_end, value))
            continue
        feature = {"$type": kind, "uri": value} if kind == LINK else {"$type": kind, "tag": value}
        facets.append(
            {"index": {"byteStart": byte_start, "byteEnd": byte_end}, "features": [feature]}
        )
    return BlueskyText(
        text=sent,
        facets=tuple(facets),
        mentions=tuple(mentions),
        graphemes=grapheme_count(sent),
        bytes=len(sent.encode("utf-8")),
    )


def mentions(text: str) -> list[str]:
    """The handles Bluesky links in `text` (without "@"), in order."""
    return [handle for _, _, handle in _mentions(text)]


def links(text: str) -> list[str]:
    """The URIs Bluesky links in `text`, in order."""
    return [uri for _, _, uri in _links(text)]


def hashtags(text: str) -> list[str]:
    """The tags Bluesky makes of `text` (without "#"; cashtags as "$ABC")."""
    return [tag for _, _, tag in _tags(text)]


def is_valid_domain(domain: str) -> bool:
    """Whether `domain` ends with "." and a known top-level domain.

    As the app's `isValidDomain`: the list is lowercase and the test is
    case-sensitive, so "EXAMPLE.COM" is not a domain.
    """
    _, dot, tld = domain.rpartition(".")
    return bool(dot) and tld in _tlds()


# --- detection --------------------------------------------------------------

# JavaScript's \s (what @atproto/api's regexes mean by whitespace).
_JS_SPACE = "\t\n\v\f\r \u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"
_ZERO_WIDTH = "\u00ad\u2060\u200a\u200b\u200c\u200d\u20e2"

_SPACES = frozenset(
    "\t\n\v\f\r \u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a"
    "\u2028\u2029\u202f\u205f\u3000\ufeff"
)

# The regexes of @atproto/api start with "(^|\s|\()" (or "(^|\s)"): a match
# begins after whitespace, "(" or at the start. They are run from each place
# that can begin one (found with str.find or a short regex), which finds what
# their scan of the whole text finds, faster.

# MENTION_REGEX after its "@": \b is ASCII in JavaScript, hence re.ASCII.
_HANDLE = re.compile(r"[a-zA-Z0-9.-]+\b", re.ASCII)
# URL_REGEX (flags gim): "i" spelled out so that only ASCII letters match.
_URL = re.compile(
    rf"(^|[{_JS_SPACE}(])"
    rf"((?P<scheme>[hH][tT][tT][pP][sS]?://[^{_JS_SPACE}]+)"
    rf"|(?P<domain>[a-zA-Z][a-zA-Z0-9]*(?:\.[a-zA-Z0-9]+)+)[^{_JS_SPACE}]*)"
)
# What a link needs: a dot and a letter or digit, or "://" and something.
_LINK_HINT = re.compile(rf"\.[a-zA-Z0-9]|://[^{_JS_SPACE}]")
_SPACE = re.compile(f"[{_JS_SPACE}]")
_HASH = re.compile("[#\uff03]")
# CASHTAG_REGEX after its "$".
_TICKER = re.compile(rf"[A-Za-z][A-Za-z0-9]{{0,4}}(?=[{_JS_SPACE}]|\Z|[.,;:!?)\"'\u2019])")
_MAX_TAG_GRAPHEMES = 64


def _after_space(text: str, at: int, also: str = "") -> bool:
    return at == 0 or text[at - 1] in _SPACES or text[at - 1] in also


def _mentions(text: str) -> list[tuple[int, int, str]]:
    found = []
    at = text.find("@")
    while at != -1:
        following = at + 1
        if _after_space(text, at, "("):
            match = _HANDLE.match(text, at + 1)
            if match:
                handle = match.group(0)
                if is_valid_domain(handle) or handle.endswith(".test"):
                    found.append((at, match.end(), handle))
                following = match.end()
        at = text.find("@", following)
    return found


def _links(text: str) -> list[tuple[int, int, str]]:
    found: list[tuple[int, int, str]] = []
    position = 0
    size = len(text)
    while (hint := _LINK_HINT.search(text, position)) is not None:
        # The run of non-whitespace holding the hint, and the character before.
        at = hint.start()
        start = at
        while start > 0 and text[start - 1] not in _SPACES:
            start -= 1
        after = _SPACE.search(text, at)
        end = after.start() if after else size
        offset = max(start - 1, 0)
        found.extend(_run_links(text, offset, end))
        position = end
    return found


def _run_links(text: str, offset: int, end: int) -> list[tuple[int, int, str]]:
    found = []
    for match in _URL.finditer(text[offset:end]):
        start, stop = match.span(2)
        start += offset
        stop += offset
        uri = match.group(2)
        if not uri.startswith("http"):
            domain = match.group("domain")
            if not domain or not is_valid_domain(domain):
                continue
            uri = f"https://{uri}"
        elif match.group("scheme") is None:
            uri = f"https://{uri}"  # "httpbin.org": see the module docs
        if uri[-1] in ".,;:!?":
            uri = uri[:-1]
            stop -= 1
        if uri.endswith(")") and "(" not in uri:
            uri = uri[:-1]
            stop -= 1
        found.append((start, stop, uri))
    return found


def _tags(text: str) -> list[tuple[int, int, str]]:
    found = []
    if "#" in text or "\uff03" in text:
        patterns = _tag_patterns()
        end = 0
        for sign in _HASH.finditer(text):
            at = sign.start()
            if at < end or not _after_space(text, at):
                continue
            end = at + 1
            match = patterns.tag.match(text, at + 1)
            if not match:
                continue
            end = match.end()
            tag = patterns.trailing_punctuation.sub("", match.group(0))
            if not tag or (
                len(tag) > _MAX_TAG_GRAPHEMES and grapheme_count(tag) > _MAX_TAG_GRAPHEMES
            ):
                continue
            found.append((at, at + 1 + len(tag), tag))
    if "$" in text:
        at = text.find("$")
        while at != -1:
            following = at + 1
            if _after_space(text, at, "("):
                ticker_match = _TICKER.match(text, at + 1)
                if ticker_match:
                    ticker = ticker_match.group(0).upper()
                    found.append((at, at + 1 + len(ticker), f"${ticker}"))
                    following = ticker_match.end()
            at = text.find("$", following)
    return found


@dataclass(frozen=True)
class _TagPatterns:
    tag: regex.Pattern[str]
    trailing_punctuation: regex.Pattern[str]


@functools.cache
def _tag_patterns() -> _TagPatterns:
    # \p{P}, which `re` lacks; imported when a text first has a "#".
    import regex

    blank = _JS_SPACE + _ZERO_WIDTH
    # TAG_REGEX after its "#": JavaScript's \d (with the u flag) is [0-9].
    return _TagPatterns(
        tag=regex.compile(rf"(?!\ufe0f)[^{blank}]*[^0-9{blank}\p{{P}}]+[^{blank}]*"),
        trailing_punctuation=regex.compile(r"\p{P}+\Z"),
    )


def _overlap(item: tuple[int, int, str, str], link: tuple[int, int, str]) -> bool:
    return item[0] < link[1] and link[0] < item[1]


def _encloses(item: tuple[int, int, str, str], link: tuple[int, int, str]) -> bool:
    return item[0] <= link[0] and link[1] <= item[1]


# --- link shortening --------------------------------------------------------


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


# --- top-level domains ------------------------------------------------------


@functools.cache
def _tlds() -> frozenset[str]:
    return frozenset(_TLDS.split())


# The IANA list of top-level domains as the npm package `tlds` 1.261.0 has it
# (what @atproto/api's isValidDomain uses), Unicode for internationalised ones.
_TLDS = """
aaa aarp abb abbott abbvie abc able abogado abudhabi ac
academy accenture accountant accountants aco actor ad ads
adult ae aeg aero aetna af afl africa ag agakhan agency ai
aig airbus airforce airtel akdn al alibaba alipay allfinanz
allstate ally alsace alstom am amazon americanexpress
americanfamily amex amfam amica amsterdam analytics android
anquan anz ao aol apartments app apple aq aquarelle ar arab
aramco archi army arpa art arte as asda asia associates at
athleta attorney au auction audi audible audio auspost
author auto autos aw aws ax axa az azure ba baby baidu
banamex band bank bar barcelona barclaycard barclays
barefoot bargains baseball basketball bauhaus bayern bb bbc
bbt bbva bcg bcn bd be beats beauty beer berlin best bestbuy
bet bf bg bh bharti bi bible bid bike bing bingo bio biz bj
black blackfriday blockbuster blog bloomberg blue bm bms bmw
bn bnpparibas bo boats boehringer bofa bom bond boo book
booking bosch bostik boston bot boutique box br bradesco
bridgestone broadway broker brother brussels bs bt build
builders business buy buzz bv bw by bz bzh ca cab cafe cal
call calvinklein cam camera camp canon capetown capital
capitalone car caravan cards care career careers cars casa
case cash casino cat catering catholic cba cbn cbre cc cd
center ceo cern cf cfa cfd cg ch chanel channel charity
chase chat cheap chintai christmas chrome church ci cipriani
circle cisco citadel citi citic city ck cl claims cleaning
click clinic clinique clothing cloud club clubmed cm cn co
coach codes coffee college cologne com commbank community
company compare computer comsec condos construction
consulting contact contractors cooking cool coop corsica
country coupon coupons courses cpa cr credit creditcard
creditunion cricket crown crs cruise cruises cu cuisinella
cv cw cx cy cymru cyou cz dad dance data date dating datsun
day dclk dds de deal dealer deals degree delivery dell
deloitte delta democrat dental dentist desi design dev dhl
diamonds diet digital direct directory discount discover
dish diy dj dk dm dnp do docs doctor dog domains dot
download drive dtv dubai dupont durban dvag dvr dz earth eat
ec eco edeka edu education ee eg email emerck energy
engineer engineering enterprises epson equipment er ericsson
erni es esq estate et eu eurovision eus events exchange
expert exposed express extraspace fage fail fairwinds faith
family fan fans farm farmers fashion fast fedex feedback
ferrari ferrero fi fidelity fido film final finance
financial fire firestone firmdale fish fishing fit fitness
fj fk flickr flights flir florist flowers fly fm fo foo food
football ford forex forsale forum foundation fox fr free
fresenius frl frogans frontier ftr fujitsu fun fund
furniture futbol fyi ga gal gallery gallo gallup game games
gap garden gay gb gbiz gd gdn ge gea gent genting george gf
gg ggee gh gi gift gifts gives giving gl glass gle global
globo gm gmail gmbh gmo gmx gn godaddy gold goldpoint golf
goo goodyear goog google gop got gov gp gq gr grainger
graphics gratis green gripe grocery group gs gt gu gucci
guge guide guitars guru gw gy hair hamburg hangout haus hbo
hdfc hdfcbank health healthcare help helsinki here hermes
hiphop hisamitsu hitachi hiv hk hkt hm hn hockey holdings
holiday homedepot homegoods homes homesense honda horse
hospital host hosting hot hotels hotmail house how hr hsbc
ht hu hughes hyatt hyundai ibm icbc ice icu id ie ieee ifm
ikano il im imamat imdb immo immobilien in inc industries
infiniti info ing ink institute insurance insure int
international intuit investments io ipiranga iq ir irish is
ismaili ist istanbul it itau itv jaguar java jcb je jeep
jetzt jewelry jio jll jm jmp jnj jo jobs joburg jot joy jp
jpmorgan jprs juegos juniper kaufen kddi ke kerryhotels
kerryproperties kfh kg kh ki kia kids kim kindle kitchen
kiwi km kn koeln komatsu kosher kp kpmg kpn kr krd kred
kuokgroup kw ky kyoto kz la lacaixa lamborghini lamer land
landrover lanxess lasalle lat latino latrobe law lawyer lb
lc lds lease leclerc lefrak legal lego lexus lgbt li lidl
life lifeinsurance lifestyle lighting like lilly limited
limo lincoln link live living lk llc llp loan loans locker
locus lol london lotte lotto love lpl lplfinancial lr ls lt
ltd ltda lu lundbeck luxe luxury lv ly ma madrid maif maison
makeup man management mango map market marketing markets
marriott marshalls mattel mba mc mckinsey md me med media
meet melbourne meme memorial men menu merckmsd mg mh miami
microsoft mil mini mint mit mitsubishi mk ml mlb mls mm mma
mn mo mobi mobile moda moe moi mom monash money monster
mormon mortgage moscow moto motorcycles mov movie mp mq mr
ms msd mt mtn mtr mu museum music mv mw mx my mz na nab
nagoya name navy nba nc ne nec net netbank netflix network
neustar new news next nextdirect nexus nf nfl ng ngo nhk ni
nico nike nikon ninja nissan nissay nl no nokia norton now
nowruz nowtv np nr nra nrw ntt nu nyc nz obi observer office
okinawa olayan olayangroup ollo om omega one ong onl online
ooo open oracle orange org organic origins osaka otsuka ott
ovh pa page panasonic paris pars partners parts party pay
pccw pe pet pf pfizer pg ph pharmacy phd philips phone photo
photography photos physio pics pictet pictures pid pin ping
pink pioneer pizza pk pl place play playstation plumbing
plus pm pn pnc pohl poker politie porn post pr praxi press
prime pro prod productions prof progressive promo properties
property protection pru prudential ps pt pub pw pwc py qa
qpon quebec quest racing radio re read realestate realtor
realty recipes red redumbrella rehab reise reisen reit
reliance ren rent rentals repair report republican rest
restaurant review reviews rexroth rich richardli ricoh ril
rio rip ro rocks rodeo rogers room rs rsvp ru rugby ruhr run
rw rwe ryukyu sa saarland safe safety sakura sale salon
samsclub samsung sandvik sandvikcoromant sanofi sap sarl sas
save saxo sb sbi sbs sc scb schaeffler schmidt scholarships
school schule schwarz science scot sd se search seat secure
security seek select sener services seven sew sex sexy sfr
sg sh shangrila sharp shell shia shiksha shoes shop shopping
shouji show si silk sina singles site sj sk ski skin sky
skype sl sling sm smart smile sn sncf so soccer social
softbank software sohu solar solutions song sony soy spa
space sport spot sr srl ss st stada staples star statebank
statefarm stc stcgroup stockholm storage store stream studio
study style su sucks supplies supply support surf surgery
suzuki sv swatch swiss sx sy sydney systems sz tab taipei
talk taobao target tatamotors tatar tattoo tax taxi tc tci
td tdk team tech technology tel temasek tennis teva tf tg th
thd theater theatre tiaa tickets tienda tips tires tirol tj
tjmaxx tjx tk tkmaxx tl tm tmall tn to today tokyo tools top
toray toshiba total tours town toyota toys tr trade trading
training travel travelers travelersinsurance trust trv tt
tube tui tunes tushu tv tvs tw tz ua ubank ubs ug uk unicom
university uno uol ups us uy uz va vacations vana vanguard
vc ve vegas ventures verisign vermögensberater
vermögensberatung versicherung vet vg vi viajes video vig
viking villas vin vip virgin visa vision viva vivo
vlaanderen vn vodka volvo vote voting voto voyage vu wales
walmart walter wang wanggou watch watches weather
weatherchannel webcam weber website wed wedding weibo weir
wf whoswho wien wiki williamhill win windows wine winners
wme wolterskluwer woodside work works world wow ws wtc wtf
xbox xerox xihuan xin xxx xyz yachts yahoo yamaxun yandex ye
yodobashi yoga yokohama you youtube yt yun za zappos zara
zero zip zm zone zuerich zw ελ ευ бг бел дети ею католик ком
мкд мон москва онлайн орг рус рф сайт срб укр қаз հայ ישראל
קום ابوظبي ارامكو الاردن البحرين الجزائر السعودية العليان
المغرب امارات ایران بارت بازار بيتك بھارت تونس سودان سورية
شبكة عراق عرب عمان فلسطين قطر كاثوليك كوم مصر مليسيا
موريتانيا موقع همراه پاکستان ڀارت कॉम नेट भारत भारतम् भारोत
संगठन বাংলা ভারত ভাৰত ਭਾਰਤ ભારત ଭାରତ இந்தியா இலங்கை
சிங்கப்பூர் భారత్ ಭಾರತ ഭാരതം ලංකා คอม ไทย ລາວ გე みんな
アマゾン クラウド グーグル コム ストア セール ファッション
ポイント 世界 中信 中国 中國 中文网 亚马逊 企业 佛山 信息
健康 八卦 公司 公益 台湾 台灣 商城 商店 商标 嘉里 嘉里大酒店
在线 大拿 天主教 娱乐 家電 广东 微博 慈善 我爱你 手机 招聘
政务 政府 新加坡 新闻 时尚 書籍 机构 淡马锡 游戏 澳門 点看
移动 组织机构 网址 网店 网站 网络 联通 谷歌 购物 通販 集团
電訊盈科 飞利浦 食品 餐厅 香格里拉 香港 닷넷 닷컴 삼성 한국
"""


def measure(text: str, spoiler: str | None, account: object) -> Measured:
    """Bluesky's rule, for the registry: graphemes and bytes of the text as sent."""
    from clarion.networks import Measured

    prepared = prepare(text)
    return Measured(prepared.text, prepared.graphemes, MAX_GRAPHEMES, prepared.bytes, MAX_BYTES)
