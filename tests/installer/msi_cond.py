#!/usr/bin/env python3
"""msi_cond.py: evaluates a Windows Installer condition (the LaunchCondition subset: properties,
integers, = <> < > <= >=, AND OR NOT, parentheses) for given property values; prints 1 or 0.
   msi_cond.py CONDITION NAME=VALUE ...   (a property not given is empty; Installed is empty)"""
import re
import sys

TOKEN = re.compile(r'\s*(?:(\d+)|(<>|<=|>=|=|<|>)|(\()|(\))|([A-Za-z_][A-Za-z0-9_.]*))')


def tokens(text):
    pos, out = 0, []
    text = text.strip()
    while pos < len(text):
        m = TOKEN.match(text, pos)
        if not m or m.end() == pos:
            sys.exit("msi_cond.py: cannot read the condition at: %r" % text[pos:])
        num, op, lp, rp, word = m.groups()
        if num is not None:
            out.append(("num", int(num)))
        elif op:
            out.append(("op", op))
        elif lp:
            out.append(("(", None))
        elif rp:
            out.append((")", None))
        elif word.upper() in ("AND", "OR", "NOT"):
            out.append((word.upper(), None))
        else:
            out.append(("prop", word))
        pos = m.end()
    return out


class Parser:
    def __init__(self, toks, props):
        self.t, self.i, self.p = toks, 0, props

    def peek(self):
        return self.t[self.i][0] if self.i < len(self.t) else None

    def take(self):
        self.i += 1
        return self.t[self.i - 1]

    def expr(self):  # OR has the lowest precedence
        v = self.conj()
        while self.peek() == "OR":
            self.take()
            r = self.conj()
            v = v or r
        return v

    def conj(self):
        v = self.neg()
        while self.peek() == "AND":
            self.take()
            r = self.neg()
            v = v and r
        return v

    def neg(self):
        if self.peek() == "NOT":
            self.take()
            return not self.neg()
        return self.cmp()

    def value(self):
        kind, v = self.take()
        if kind == "num":
            return v
        if kind == "prop":
            raw = self.p.get(v, "")
            return int(raw) if re.fullmatch(r"-?\d+", raw) else raw
        sys.exit("msi_cond.py: value expected")

    def cmp(self):
        if self.peek() == "(":
            self.take()
            v = self.expr()
            if self.take()[0] != ")":
                sys.exit("msi_cond.py: ')' expected")
            return v
        a = self.value()
        if self.peek() != "op":
            return a not in ("", 0)
        op = self.take()[1]
        b = self.value()
        if isinstance(a, str) != isinstance(b, str):
            return op == "<>"  # Windows Installer: mixed types compare unequal
        return {"=": a == b, "<>": a != b, "<": a < b, ">": a > b,
                "<=": a <= b, ">=": a >= b}[op]


def main():
    props = dict(arg.split("=", 1) for arg in sys.argv[2:])
    p = Parser(tokens(sys.argv[1]), props)
    v = p.expr()
    if p.i != len(p.t):
        sys.exit("msi_cond.py: trailing text in the condition")
    print(1 if v else 0)


if __name__ == "__main__":
    main()
