#!/usr/bin/env python3
"""Differential oracle for smtpp's MAIL/RCPT path and parameter grammar.

An independent recogniser written from the RFC ABNF alone (not from smtpp's parser):
  RFC 5321 §4.1.2 (Reverse-path, Forward-path, A-d-l, Mailbox, Local-part, esmtp-param),
  §4.1.3 (address-literal), §4.5.3.1 (size limits); RFC 1870 §6 (SIZE); RFC 6152 and
  RFC 3030 §3 (BODY); RFC 3461 §4 (xtext, NOTIFY, ORCPT, RET, ENVID); RFC 4954 §5 (AUTH=);
  RFC 6531 §3.3 (UTF-8 extensions of sub-domain, atext, qtext, esmtp-value) and §3.4
  (SMTPUTF8 parameter); RFC 6533 §3 (utf-8-addr-xtext).
A generator writes valid lines and every single-octet mutation of them (replace, delete,
insert); each case goes to smtpp (tests/oracle/verdict.cpp) and the two verdicts
(accepted / refused) must agree. Refusal reasons are not compared: only the language.

Usage: grammar_oracle.py VERDICT_BINARY [--seed N] [--lines N]
Exit status 0 when every verdict agrees; 1 with the first disagreements printed.
"""
import random
import subprocess
import sys

ALPHA = set(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")
DIGIT = set(b"0123456789")
HEX = set(b"0123456789ABCDEFabcdef")
HEXUPPER = set(b"0123456789ABCDEF")
ATEXT = ALPHA | DIGIT | set(b"!#$%&'*+-/=?^_`{|}~")


class Reject(Exception):
    pass


def utf8_len(s, i):
    """Length of the well-formed UTF-8 sequence (RFC 3629 §4) at s[i] (non-ASCII), or 0."""
    b = s[i]
    if 0xC2 <= b <= 0xDF:
        n, lo, hi = 2, 0x80, 0xBF
    elif b == 0xE0:
        n, lo, hi = 3, 0xA0, 0xBF
    elif 0xE1 <= b <= 0xEC or 0xEE <= b <= 0xEF:
        n, lo, hi = 3, 0x80, 0xBF
    elif b == 0xED:
        n, lo, hi = 3, 0x80, 0x9F
    elif b == 0xF0:
        n, lo, hi = 4, 0x90, 0xBF
    elif 0xF1 <= b <= 0xF3:
        n, lo, hi = 4, 0x80, 0xBF
    elif b == 0xF4:
        n, lo, hi = 4, 0x80, 0x8F
    else:
        return 0
    if i + n > len(s) or not lo <= s[i + 1] <= hi:
        return 0
    for k in range(2, n):
        if not 0x80 <= s[i + k] <= 0xBF:
            return 0
    return n


def valid_utf8(s):
    i = 0
    while i < len(s):
        if s[i] < 0x80:
            i += 1
            continue
        n = utf8_len(s, i)
        if n == 0:
            return False
        i += n
    return True


# ---- RFC 5321 §4.1.2 / §4.1.3 with RFC 6531 §3.3 ------------------------------------------

def sub_domain(s, utf8):
    # sub-domain = Let-dig [Ldh-str]; Ldh-str = *( ALPHA / DIGIT / "-" ) Let-dig
    if not s:
        return False
    if all(c < 0x80 for c in s):
        if s[0] not in ALPHA | DIGIT or s[-1] not in ALPHA | DIGIT:
            return False
        return all(c in ALPHA | DIGIT or c == 0x2D for c in s)
    # RFC 6531 §3.3: sub-domain =/ U-label (RFC 5890): letters, digits, hyphens and
    # non-ASCII characters, at least one non-ASCII, no hyphen at either end.
    if not utf8 or not valid_utf8(s) or s[0] == 0x2D or s[-1] == 0x2D:
        return False
    return all(c >= 0x80 or c in ALPHA | DIGIT or c == 0x2D for c in s)


def domain(s, utf8):
    return bool(s) and all(sub_domain(p, utf8) for p in s.split(b"."))


def snum(s):
    return 1 <= len(s) <= 3 and all(c in DIGIT for c in s) and int(s) <= 255


def ipv4(s):
    parts = s.split(b".")
    return len(parts) == 4 and all(snum(p) for p in parts)


def hexes(s):
    # [IPv6-hex *(":" IPv6-hex)] -> number of groups, or -1
    if not s:
        return 0
    groups = s.split(b":")
    if all(1 <= len(g) <= 4 and all(c in HEX for c in g) for g in groups):
        return len(groups)
    return -1


def ipv6(s):
    # IPv6-full / IPv6-comp / IPv6v4-full / IPv6v4-comp (§4.1.3)
    v4 = False
    head = s
    if b"." in s:
        k = s.rfind(b":")
        if k < 0 or not ipv4(s[k + 1:]):
            return False
        v4 = True
        head = s[:k + 1]  # keeps the ':' before the IPv4 part
        if head.endswith(b"::"):
            head = head  # "::" then IPv4
        else:
            head = head[:-1]
    limit = 6 if not v4 else 4
    if b"::" in head:
        if head.count(b"::") != 1:
            return False
        a, b = head.split(b"::")
        na, nb = hexes(a), hexes(b)
        return na >= 0 and nb >= 0 and na + nb <= limit
    n = hexes(head)
    return n == (8 if not v4 else 6)


def ldh_str(s):
    return bool(s) and s[-1] in ALPHA | DIGIT and all(c in ALPHA | DIGIT or c == 0x2D for c in s)


def address_literal(s):
    if len(s) < 3 or s[0] != 0x5B or s[-1] != 0x5D:
        return False
    body = s[1:-1]
    if ipv4(body):
        return True
    k = body.find(b":")
    if k < 0:
        return False
    tag, rest = body[:k], body[k + 1:]
    if tag.lower() == b"ipv6":
        return ipv6(rest)
    # General-address-literal = Standardized-tag ":" 1*dcontent; Standardized-tag = Ldh-str
    return ldh_str(tag) and len(rest) >= 1 and all(33 <= c <= 90 or 94 <= c <= 126 for c in rest)


def dot_string(s, utf8):
    if not s:
        return False
    for atom in s.split(b"."):
        if not atom:
            return False
        for c in atom:
            if c >= 0x80:
                if not utf8:
                    return False
            elif c not in ATEXT:
                return False
    return not utf8 or valid_utf8(s)


def quoted_string(s, utf8):
    if len(s) < 2 or s[0] != 0x22 or s[-1] != 0x22:
        return False
    i, body = 0, s[1:-1]
    while i < len(body):
        c = body[i]
        if c == 0x5C:
            if i + 1 >= len(body) or not 32 <= body[i + 1] <= 126:
                return False
            i += 2
            continue
        if c >= 0x80:
            if not utf8:
                return False
            n = utf8_len(body, i)
            if n == 0:
                return False
            i += n
            continue
        if not (32 <= c <= 33 or 35 <= c <= 91 or 93 <= c <= 126):
            return False
        i += 1
    return True


def split_mailbox(s):
    # A Dot-string holds no '@'; a Quoted-string ends at its closing DQUOTE.
    i = 0
    if s[:1] == b'"':
        i = 1
        while i < len(s) and s[i] != 0x22:
            i += 2 if s[i] == 0x5C else 1
        i += 1
    k = s.find(b"@", i)
    if k < 0:
        return None
    return s[:k], s[k + 1:]


def mailbox(s, utf8):
    parts = split_mailbox(s)
    if parts is None:
        return False
    local, dom = parts
    if not (dot_string(local, utf8) or quoted_string(local, utf8)):
        return False
    if not (domain(dom, utf8) or address_literal(dom)):
        return False
    # §4.5.3.1.1 / §4.5.3.1.2 size limits
    return len(local) <= 64 and len(dom) <= 255


def path(s, utf8):
    # Path = "<" [ A-d-l ":" ] Mailbox ">"
    if len(s) < 2 or s[0] != 0x3C or s[-1] != 0x3E:
        return False
    inner = s[1:-1]
    if inner.startswith(b"@"):
        k = inner.find(b":")
        if k < 0:
            return False
        adl, inner = inner[:k], inner[k + 1:]
        for at in adl.split(b","):
            if len(at) < 2 or at[0] != 0x40 or not domain(at[1:], utf8):
                return False
    return mailbox(inner, utf8) and len(s) <= 256  # §4.5.3.1.3


# ---- parameters -----------------------------------------------------------------------------

def xtext(v):
    """RFC 3461 §4 xtext -> decoded bytes; refuses decoded controls (CVE-2020-28021)."""
    out, i = bytearray(), 0
    while i < len(v):
        c = v[i]
        if c == 0x2B:
            h = v[i + 1:i + 3]
            if len(h) != 2 or not all(x in HEXUPPER for x in h):
                raise Reject
            d = int(h, 16)
            if d < 0x20 or d >= 0x7F:
                raise Reject
            out.append(d)
            i += 3
            continue
        if not 33 <= c <= 126 or c == 0x3D:
            raise Reject
        out.append(c)
        i += 1
    return bytes(out)


def utf8_addr_xtext(v):
    """RFC 6533 §3 utf-8-addr-xtext -> decoded UTF-8 bytes."""
    out, i = bytearray(), 0
    while i < len(v):
        c = v[i]
        if c == 0x5C:
            if v[i + 1:i + 3] != b"x{":
                raise Reject
            k = v.find(b"}", i + 3)
            h = v[i + 3:k].upper() if k > 0 else b""  # ABNF literals are case-insensitive
            if k < 0 or not 2 <= len(h) <= 6 or not all(x in HEXUPPER for x in h):
                raise Reject
            cp = int(h, 16)
            # HEXPOINT: 2 digits "0"/"1" %x31-39, "10", "20", "2B", "3D", "7F", "5C" or
            # HEXDIG8 HEXDIG; 3 to 5 digits with a non-zero first digit (surrogates excluded
            # in 4); 6 digits "10" 4HEXDIG.
            if len(h) == 2:
                ok = (h[0] in b"01" and h[1] in b"123456789") or h in (b"10", b"20", b"2B", b"3D", b"7F", b"5C") \
                    or h[0] in b"89ABCDEF"
            elif len(h) == 6:
                ok = h[:2] == b"10"
            else:
                ok = h[0] != 0x30 and not (len(h) == 4 and 0xD800 <= cp <= 0xDFFF)
            # Controls are grammatical but refused, as in xtext (CVE-2020-28021).
            if not ok or cp < 0x20 or cp == 0x7F:
                raise Reject
            out += chr(cp).encode()
            i = k + 1
            continue
        if not 33 <= c <= 126 or c in (0x2B, 0x3D):
            raise Reject
        out.append(c)
        i += 1
    return bytes(out)


KEYWORDS_MAIL = {b"SIZE", b"BODY", b"SMTPUTF8", b"RET", b"ENVID", b"AUTH"}
KEYWORDS_RCPT = {b"NOTIFY", b"ORCPT"}


def known_value(verb, kw, val, utf8):
    if kw == b"SIZE":  # RFC 1870 §6: size-value ::= 1*20DIGIT, must fit in 64 bits
        if val is None or not 1 <= len(val) <= 20 or not all(c in DIGIT for c in val) or int(val) >= 2**64:
            raise Reject
    elif kw == b"BODY":  # RFC 6152 §2, RFC 3030 §3
        if val is None or val.upper() not in (b"7BIT", b"8BITMIME", b"BINARYMIME"):
            raise Reject
    elif kw == b"SMTPUTF8":  # RFC 6531 §3.4: no value
        if val is not None:
            raise Reject
    elif kw == b"RET":  # RFC 3461 §4.3
        if val is None or val.upper() not in (b"FULL", b"HDRS"):
            raise Reject
    elif kw == b"ENVID":  # RFC 3461 §4.4: xtext, at most 100 characters
        if val is None or len(val) > 100:
            raise Reject
        xtext(val)
    elif kw == b"AUTH":  # RFC 4954 §5: xtext decoding to addr-spec or "<>"
        if val is None:
            raise Reject
        d = xtext(val)
        if d != b"<>" and not mailbox(d, False):
            raise Reject
    elif kw == b"NOTIFY":  # RFC 3461 §4.1
        if val is None:
            raise Reject
        items = val.upper().split(b",")
        if items == [b"NEVER"]:
            return
        if len(set(items)) != len(items) or not all(x in (b"SUCCESS", b"FAILURE", b"DELAY") for x in items):
            raise Reject
    elif kw == b"ORCPT":  # RFC 3461 §4.2: addr-type ";" xtext; at most 500 characters
        if val is None or len(val) > 500:
            raise Reject
        k = val.find(b";")
        if k <= 0:
            raise Reject
        atype, addr = val[:k], val[k + 1:]
        if not all(c in ATEXT for c in atype) or not addr:
            raise Reject
        if atype.lower() == b"utf-8":  # RFC 6533 §3: must decode to a mailbox
            if not mailbox(utf8_addr_xtext(addr), True):
                raise Reject
        else:
            xtext(addr)


def params(verb, s, utf8, utf8_line):
    seen = set()
    for p in s.split(b" "):
        if not p:
            raise Reject
        k = p.find(b"=")
        kw, val = (p, None) if k < 0 else (p[:k], p[k + 1:])
        # esmtp-keyword = (ALPHA / DIGIT) *(ALPHA / DIGIT / "-")
        if not kw or kw[0] not in ALPHA | DIGIT or not all(c in ALPHA | DIGIT or c == 0x2D for c in kw):
            raise Reject
        if val is not None:
            # esmtp-value = 1*(%d33-60 / %d62-126), RFC 6531 §3.3: / UTF8-non-ascii
            if not val or not all(33 <= c <= 126 and c != 0x3D or c >= 0x80 for c in val):
                raise Reject
            if any(c >= 0x80 for c in val) and (not utf8 or not valid_utf8(val)):
                raise Reject
        up = kw.upper()
        known = KEYWORDS_MAIL if verb == b"MAIL" else KEYWORDS_RCPT
        if up in known:
            if up in seen:
                raise Reject
            seen.add(up)
            if val is not None and any(c >= 0x80 for c in val):
                raise Reject  # every known value is ASCII
            known_value(verb, up, val, utf8)
    return seen


def accepts(line, utf8):
    """The recogniser: True when `line` is a valid MAIL or RCPT command line."""
    if len(line) > 512 or not line.endswith(b"\r\n"):  # §4.5.3.1.4
        return False
    body = line[:-2]
    if any(c in (0, 0x0A, 0x0D) for c in body):
        return False
    # smtpp tolerates trailing blanks before CRLF (documented at command::argument; RFC 5321
    # §4.1.1 asks receivers to be tolerant of them).
    body = body.rstrip(b" \t")
    verb = body[:4].upper()
    if verb == b"MAIL":
        head = b"MAIL FROM:"
    elif verb == b"RCPT":
        head = b"RCPT TO:"
    else:
        return False
    if body[:len(head)].upper() != head:
        return False
    rest = body[len(head):]
    # The path ends at the first '>' outside a Quoted-string and an address literal
    # (dcontent holds '>', '"' and '@').
    i, q, lit = 0, False, False
    while i < len(rest):
        c = rest[i]
        if lit:
            lit = c != 0x5D
        elif q and c == 0x5C:
            i += 2
            continue
        elif c == 0x22:
            q = not q
        elif c == 0x5B and not q:
            lit = True
        elif c == 0x3E and not q:
            break
        i += 1
    k = i
    if k >= len(rest):
        return False
    p, tail = rest[:k + 1], rest[k + 1:]
    non_ascii_path = any(c >= 0x80 for c in p)
    try:
        seen = set()
        if tail:
            if tail[0] != 0x20:
                return False
            seen = params(verb, tail[1:], utf8, non_ascii_path)
    except Reject:
        return False
    if non_ascii_path:
        # RFC 6531 §3.4: UTF-8 in MAIL needs the SMTPUTF8 parameter; RCPT needs a
        # transaction opened with it (the verdict driver's 'u' mode).
        if not utf8 or (verb == b"MAIL" and b"SMTPUTF8" not in seen):
            return False
    if verb == b"MAIL" and p == b"<>":
        return True
    if verb == b"RCPT" and p.lower() == b"<postmaster>":
        return True
    return path(p, utf8)


# ---- generator ------------------------------------------------------------------------------

def gen_label(r, utf8):
    if utf8 and r.random() < 0.15:
        return r.choice(["é", "пример", "例え", "xn", "bücher"]).encode() + r.choice([b"", b"a", b"-1"])
    n = r.randint(1, 8)
    s = bytes(r.choice(b"abcxyz0189") for _ in range(n))
    if n > 2 and r.random() < 0.3:
        s = s[:1] + b"-" + s[2:]
    return s


def gen_domain(r, utf8):
    return b".".join(gen_label(r, utf8) for _ in range(r.randint(1, 3)))


def gen_literal(r):
    k = r.randint(0, 4)
    if k == 0:
        return b"[" + b".".join(str(r.randint(0, 255)).encode() for _ in range(4)) + b"]"
    if k == 1:
        return b"[IPv6:" + b":".join(b"%x" % r.randint(0, 0xFFFF) for _ in range(8)) + b"]"
    if k == 2:
        return b"[IPv6:2001:db8::" + b"%x" % r.randint(0, 0xFFFF) + b"]"
    if k == 3:
        return b"[IPv6:::ffff:192.0.2." + str(r.randint(0, 255)).encode() + b"]"
    return b"[" + r.choice([b"x", b"1a", b"a-b", b"9"]) + b":" + r.choice([b"y", b"abc", b"1.2", b"~!"]) + b"]"


def gen_local(r, utf8):
    k = r.random()
    if k < 0.15:
        return b'"' + r.choice([b"a b", b"x\\\"y", b"", b"q@r", b"a\\\\"]) + b'"'
    if utf8 and k < 0.3:
        return r.choice(["用户", "jöran", "a.é"]).encode()
    return b".".join(bytes(r.choice(b"abz09!#$%&'*+-/=?^_`{|}~") for _ in range(r.randint(1, 6)))
                     for _ in range(r.randint(1, 2)))


def gen_mailbox(r, utf8):
    dom = gen_literal(r) if r.random() < 0.2 else gen_domain(r, utf8)
    return gen_local(r, utf8) + b"@" + dom


def xtext_encode(s):
    return b"".join(bytes([c]) if 33 <= c <= 126 and c not in (0x2B, 0x3D) else b"+%02X" % c for c in s)


def gen_params(r, verb, utf8):
    ps = []
    if verb == b"MAIL":
        pool = [
            lambda: b"SIZE=" + str(r.choice([0, 1, 1000, 2**64 - 1])).encode(),
            lambda: b"BODY=" + r.choice([b"7BIT", b"8BITMIME", b"BINARYMIME", b"8bitmime"]),
            lambda: b"RET=" + r.choice([b"FULL", b"HDRS"]),
            lambda: b"ENVID=" + xtext_encode(r.choice([b"QQ314159", b"a+b=c", b"x y"])),
            lambda: b"AUTH=" + r.choice([b"<>", xtext_encode(gen_mailbox(r, False))]),
            lambda: b"X-EXT" + r.choice([b"", b"=v1"]),
        ]
    else:
        pool = [
            lambda: b"NOTIFY=" + r.choice([b"NEVER", b"SUCCESS", b"SUCCESS,FAILURE", b"DELAY,FAILURE,SUCCESS"]),
            lambda: r.choice([b"ORCPT=rfc822;" + xtext_encode(gen_mailbox(r, False)),
                              b"ORCPT=utf-8;" + r.choice([b"a@b.example", b"j\\x{F6}r@b.example", b"a\\x{2B}b@c"])]),
            lambda: b"X-EXT" + r.choice([b"", b"=v1"]),
        ]
    for f in r.sample(pool, r.randint(0, min(3, len(pool)))):
        ps.append(f())
    return ps


def gen_line(r, utf8):
    verb = r.choice([b"MAIL", b"RCPT"])
    if verb == b"MAIL":
        p = b"<>" if r.random() < 0.1 else None
    else:
        p = b"<Postmaster>" if r.random() < 0.05 else None
    if p is None:
        route = b""
        if r.random() < 0.2:
            route = b",".join(b"@" + gen_domain(r, utf8) for _ in range(r.randint(1, 2))) + b":"
        p = b"<" + route + gen_mailbox(r, utf8) + b">"
    ps = gen_params(r, verb, utf8)
    if verb == b"MAIL" and utf8 and any(c >= 0x80 for c in p):
        ps.append(b"SMTPUTF8")
    head = b"MAIL FROM:" if verb == b"MAIL" else b"RCPT TO:"
    return head + p + b"".join(b" " + x for x in ps) + b"\r\n"


MUTANTS = b"\x00\t\r\n \"+,-.:;<=>@[\\]aZ09x{}\x7f\x80\xa9\xc3\xe9\xff"


def mutations(line):
    body = line[:-2]
    for i in range(len(body)):
        for b in MUTANTS:
            if b != body[i]:
                yield body[:i] + bytes([b]) + body[i + 1:] + b"\r\n"
        yield body[:i] + body[i + 1:] + b"\r\n"
    for i in range(len(body) + 1):
        for b in b" .@<>:":
            yield body[:i] + bytes([b]) + body[i:] + b"\r\n"


def main():
    if len(sys.argv) < 2:
        print(__doc__)
        return 2
    seed, count = 1, 600
    args = sys.argv[2:]
    while args:
        if args[0] == "--seed":
            seed = int(args[1])
        elif args[0] == "--lines":
            count = int(args[1])
        args = args[2:]
    r = random.Random(seed)
    cases = []
    fixed = [
        (b"RCPT TO:<@\xc3\xa9.example:a@b.example>\r\n", True),   # RFC 6531 §3.3 U-label in A-d-l
        (b"MAIL FROM:<a@[1a:x]>\r\n", False),                      # Standardized-tag = Ldh-str
        (b"MAIL FROM:<a@b> AUTH=abc\r\n", False),                  # RFC 4954 §5
        (b"RCPT TO:<a@b> ORCPT=utf-8;ab\r\n", False),              # RFC 6533 §3
    ]
    valid = [x for x in fixed]
    for _ in range(count):
        u = r.random() < 0.5
        valid.append((gen_line(r, u), u))
    for line, u in valid:
        cases.append((line, u))
        for m in mutations(line):
            cases.append((m, u))
    cases = list(dict.fromkeys(cases))
    feed = "".join(("u " if u else "a ") + line.hex() + "\n" for line, u in cases)
    res = subprocess.run([sys.argv[1]], input=feed.encode(), stdout=subprocess.PIPE, check=True)
    verdicts = res.stdout.decode().split("\n")
    bad = []
    gen_refused = 0
    for (line, u), v in zip(cases, verdicts):
        mine = accepts(line, u)
        theirs = v == "ok"
        if mine != theirs:
            bad.append((line, u, mine, v))
    for line, u in valid[len(fixed):]:
        if not accepts(line, u):
            gen_refused += 1
    accepted = sum(1 for v in verdicts if v == "ok")
    print(f"grammar oracle: {len(cases)} lines ({len(valid)} generated, seed {seed}), "
          f"smtpp accepted {accepted}, disagreements {len(bad)}, generated lines the recogniser refused {gen_refused}")
    for line, u, mine, v in bad[:40]:
        print(f"  {'utf8' if u else 'ascii'} {line!r}: oracle {'accepts' if mine else 'refuses'}, smtpp {v}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
