#!/usr/bin/env python3
"""Writes the redaction corpus: fake secrets planted where real files put them, and look-alikes.

usage: gen_redaction_corpus.py DATA_DIR OUTPUT

Reads DATA_DIR/redaction-formats.tsv (token formats), redaction-contexts.tsv (where secrets appear)
and redaction-lookalikes.tsv (text that must stay as it is), and writes OUTPUT, one case a line,
tab-separated, with \\n, \\t and \\\\ escaped:

    TP  format  context  input  secret     the secret must be gone from the redacted input
    FP  kind    context  input             the redacted input must equal the input

The output depends on the data files and the seed only, so a test run and a re-run agree. Every
secret is drawn at random from its format: none is a real credential.
"""
import base64
import random
import sys

SEED = 20260801
# Contexts drawn for each format, besides the bare ones every shape-only token gets.
NAMED_PER_FORMAT = 22
BARE_PER_FORMAT = 8
# Contexts each look-alike value is planted in.
CONTEXTS_PER_VALUE = 9
# One name in this many is long: more than 16 words and 128 bytes.
LONG_NAME_EVERY = 25

# Key-name endings, as words, by format kind.
SUFFIXES = {
    "token": [["token"], ["api", "key"], ["secret"], ["access", "token"], ["auth", "token"],
              ["api", "token"], ["secret", "key"], ["key"], ["pat"], ["credentials"],
              ["private", "key"], ["client", "secret"]],
    "password": [["password"], ["pass"], ["pwd"], ["passwd"], ["secret"], ["db", "password"],
                 ["password"], ["passphrase"]],
}
LONG_PREFIX = ("acme corp production eu west primary cluster blue green deployment pipeline "
               "stage three service account for nightly batch jobs").split()


def unescape(s):
    out, i = [], 0
    while i < len(s):
        if s[i] == "\\" and i + 1 < len(s):
            out.append({"n": "\n", "t": "\t", "\\": "\\"}.get(s[i + 1], "\\" + s[i + 1]))
            i += 2
        else:
            out.append(s[i])
            i += 1
    return "".join(out)


def escape(s):
    return s.replace("\\", "\\\\").replace("\n", "\\n").replace("\t", "\\t")


def read_tsv(path, fields):
    rows = []
    with open(path, encoding="utf-8") as f:
        for lineno, line in enumerate(f, 1):
            line = line.rstrip("\n")
            if not line or line.startswith("#"):
                continue
            cols = line.split("\t")
            if len(cols) != fields:
                sys.exit(f"{path}:{lineno}: expected {fields} tab-separated fields")
            rows.append(cols)
    return rows


def parse_class(shape, i):
    """Parses [...] at shape[i]; returns (characters, index after ])."""
    chars, i = [], i + 1
    while shape[i] != "]":
        c = shape[i]
        if c == "\\":
            c, i = shape[i + 1], i + 1
        if shape[i + 1] == "-" and shape[i + 2] != "]":
            hi = shape[i + 2]
            chars.extend(chr(x) for x in range(ord(c), ord(hi) + 1))
            i += 3
        else:
            chars.append(c)
            i += 1
    return chars, i + 1


def parse_count(shape, i):
    """Parses an optional {n} or {m,n} at shape[i]; returns ((lo, hi), index after it)."""
    if i < len(shape) and shape[i] == "{":
        end = shape.index("}", i)
        parts = shape[i + 1:end].split(",")
        lo = int(parts[0])
        return (lo, int(parts[1]) if len(parts) > 1 else lo), end + 1
    return (1, 1), i


def draw(shape, rng):
    """Draws one string from a format shape: literals, [class]{m,n} and (a|b)."""
    out, i = [], 0
    while i < len(shape):
        c = shape[i]
        if c == "[":
            chars, i = parse_class(shape, i)
            (lo, hi), i = parse_count(shape, i)
            out.extend(rng.choice(chars) for _ in range(rng.randint(lo, hi)))
        elif c == "(":
            end = shape.index(")", i)
            out.append(rng.choice(shape[i + 1:end].split("|")))
            i = end + 1
        elif c == "\\":
            out.append(shape[i + 1])
            i += 2
        else:
            out.append(c)
            i += 1
    return "".join(out)


def split_shape(shape):
    """Splits "prefix^rest" (^ outside brackets): the prefix is planted but is no secret."""
    depth = 0
    for i, c in enumerate(shape):
        if c == "[":
            depth += 1
        elif c == "]":
            depth -= 1
        elif c == "^" and depth == 0 and (i == 0 or shape[i - 1] != "\\"):
            return shape[:i], shape[i + 1:]
    return "", shape


def draw_token(shape, rng):
    """Draws (planted, secret): like real tokens, the secret starts with neither base64
    padding nor a dash; planted is the secret after the shape's literal prefix, if any."""
    prefix, rest = split_shape(shape)
    while True:
        token = draw(rest, rng)
        if token[0] not in "=-":
            return prefix + token, token


def sample(rng, population, k):
    return rng.sample(population, min(k, len(population)))


def words_of(ident):
    return [w for w in ident.replace("-", "_").split("_") if w]


def make_names(ident, suffix, rng):
    """The key name in every case style, for a vendor identifier and suffix words."""
    env_style = ident.isupper() and "_" in ident
    iw = words_of(ident)
    prefix = LONG_PREFIX if rng.randrange(LONG_NAME_EVERY) == 0 else []
    lw = [w.lower() for w in prefix + iw + suffix]
    cap = lambda w: w[:1].upper() + w[1:]
    pascal_suffix = "".join(cap(w) for w in suffix)
    lower_first = "".join([lw[0]] + [cap(w) for w in lw[1:]])
    # Camel case three ways: etsyToken, ETSYToken (the vendor as an acronym), EtsyToken.
    style = rng.randrange(3)
    if env_style:
        camel = ident + pascal_suffix
    elif style == 0:
        camel = lower_first
    elif style == 1:
        camel = "".join(cap(w) for w in (w.lower() for w in prefix)) + \
            "".join(w.upper() for w in iw) + pascal_suffix
        if prefix:
            camel = camel[0].lower() + camel[1:]
    else:
        camel = "".join(cap(w) for w in lw)
    upper = (ident + ("_" if suffix else "") + "_".join(suffix).upper()) if env_style else \
        "_".join(w.upper() for w in lw)
    if prefix and env_style:
        upper = "_".join(w.upper() for w in prefix) + "_" + upper
    return {
        "{n}": "_".join(lw),
        "{N}": upper,
        "{c}": camel,
        "{C}": "".join(cap(w) for w in lw),
        "{k}": "-".join(lw),
        "{d}": ".".join(w.lower() for w in prefix + iw) + "." + "-".join(suffix),
        "{i}": iw[0].lower() if env_style else ident.lower().replace("_", ""),
        "{I}": cap(iw[0].lower()),
    }


def fill(template, names, value=None, b64=None):
    text = template
    for key, name in names.items():
        text = text.replace(key, name)
    if b64 is not None:
        text = text.replace("{b64}", b64)
    if value is not None:
        text = text.replace("{s}", value)
    return text


URL_SAFE = set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: gen_redaction_corpus.py DATA_DIR OUTPUT")
    data, output = sys.argv[1], sys.argv[2]
    formats = read_tsv(f"{data}/redaction-formats.tsv", 4)
    contexts = [(cid, uses, unescape(t))
                for cid, uses, t in read_tsv(f"{data}/redaction-contexts.tsv", 3)]
    lookalikes = read_tsv(f"{data}/redaction-lookalikes.tsv", 3)
    rng = random.Random(SEED)
    by_use = {}
    for ctx in contexts:
        by_use.setdefault(ctx[1], []).append(ctx)
    lines = []

    for fid, kind, idents, shape in formats:
        idents = idents.split(",")
        suffixes = SUFFIXES["password" if kind == "W" else "token"]
        chosen = sample(rng, by_use.get("named", []), NAMED_PER_FORMAT)
        if kind == "P":
            chosen += sample(rng, by_use.get("bare", []), BARE_PER_FORMAT)
        if kind == "W":
            chosen += by_use.get("pw", [])
        for cid, uses, template in chosen:
            token, secret = draw_token(shape, rng)
            if uses == "pw" and not set(token) <= URL_SAFE | set("!@#%^*+="):
                continue
            ident = rng.choice(idents)
            suffix = rng.choice(suffixes)
            if ident.isupper() and "_" in ident and rng.randrange(2):
                suffix = []  # an environment variable that is the secret's own name
            names = make_names(ident, suffix, rng)
            if "{b64}" in template:
                b64 = base64.b64encode(token.encode()).decode()
                text, secret = fill(template, names, token, b64), b64
            else:
                text = fill(template, names, token)
            lines.append(f"TP\t{fid}\t{cid}\t{escape(text)}\t{escape(secret)}")
        if set(draw_token(shape, rng)[0]) <= URL_SAFE:
            for cid, uses, template in sample(rng, by_use.get("url", []), 2):
                token, secret = draw_token(shape, rng)
                text = fill(template, make_names(idents[0], ["token"], rng), token)
                lines.append(f"TP\t{fid}\t{cid}\t{escape(text)}\t{escape(secret)}")

    # Forged markers must not shield the secret after them.
    for i in range(20):
        secret = draw("[A-Za-z0-9]{6}[!@#%][A-Za-z0-9]{8}", rng)
        marker = "[REDACTED " + rng.choice(["x", "kv-secret", "github-token"]) + " " + \
            draw("[0-9a-f]{12}", rng) + "]"
        names = make_names(rng.choice(["app", "api", "db"]), rng.choice(SUFFIXES["token"]), rng)
        cid, _, template = rng.choice(by_use["named"][:12])
        text = fill(template, names, marker + secret)
        lines.append(f"TP\tforged-marker\t{cid}\t{escape(text)}\t{escape(secret)}")

    named_for_values = [c for c in by_use["named"] if "{b64}" not in c[2]]
    for what, kind, text in lookalikes:
        text = unescape(text)
        if what == "line":
            lines.append(f"FP\t{kind}\tline\t{escape(text)}")
            continue
        for cid, _, template in sample(rng, named_for_values, CONTEXTS_PER_VALUE):
            ident = rng.choice(["etsy", "stripe", "github", "acme", "openai", "easypost"])
            names = make_names(ident, rng.choice(SUFFIXES["token"]), rng)
            lines.append(f"FP\t{kind}\t{cid}\t{escape(fill(template, names, fill(text, names)))}")

    with open(output, "w", encoding="utf-8") as f:
        f.write("# generated by tests/tools/gen_redaction_corpus.py from tests/data/redaction-*.tsv;"
                " fake secrets only\n")
        f.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
