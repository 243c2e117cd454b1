"""The rules' plain-text equations (``LearningRule.equation``, as ``tpneuro rules`` prints them) as LaTeX math.

The registry keeps one text per rule; this turns it into math for the documentation, so the equation is
written once. The text uses a small vocabulary: subscripts and superscripts as in LaTeX (``t_{i-1}``,
``W_{i+1}^T``), ``*`` for the element-wise product, ``||x||`` for a norm, ``h~`` for a noisy h, Greek
letters and functions by name, ``;`` and two spaces between statements, and English words for what is
not an equation (``Q_i fixed random``), which become upright text.

>>> equation_to_latex("t_i = h_i + Q_i (t_L - h_L),  Q_i fixed random")
't_i = h_i + Q_i (t_L - h_L),\\\\qquad Q_i \\\\ \\\\mathrm{fixed\\\\ random}'
"""
from __future__ import annotations

import re

GREEK = ("alpha", "beta", "gamma", "delta", "epsilon", "eta", "lambda", "mu", "sigma", "tau")
FUNCTIONS = ("tanh", "min", "max", "exp", "log")
# Multi-letter names that are symbols, not words: learning rate.
SYMBOLS = {"lr": r"\mathrm{lr}"}

_TOKEN = re.compile(r"""
    (?P<word>[A-Za-z]+)
  | (?P<norm>\|\|)
  | (?P<space>\s+)
  | (?P<other>.)
""", re.VERBOSE)


SHORT_WORDS = ("by", "of", "to", "in", "on", "at", "is", "an", "or")


def _is_prose(word: str) -> bool:
    return (len(word) > 2 and word not in GREEK and word not in FUNCTIONS) or word in SHORT_WORDS


def equation_to_latex(text: str) -> str:
    """LaTeX for a rule's equation text (see the module docstring for the vocabulary)."""
    statements = [s.strip() for s in re.split(r";\s*|,\s{2,}", text)]
    separators = re.findall(r";\s*|,\s{2,}", text)
    out = _statement(statements[0])
    for sep, statement in zip(separators, statements[1:]):
        out += (r",\qquad " if sep.startswith(",") else r"\qquad ") + _statement(statement)
    return out


def _statement(text: str) -> str:
    tokens = [(m.lastgroup, m.group()) for m in _TOKEN.finditer(text)]
    out: list[str] = []
    norm_open = False
    i = 0
    while i < len(tokens):
        kind, value = tokens[i]
        if kind == "word" and _is_prose(value):            # a run of words (a colon may end one): upright text
            words = []
            while i < len(tokens) and tokens[i][0] == "word" and _is_prose(tokens[i][1]):
                words.append(tokens[i][1])
                i += 1
                if i < len(tokens) and tokens[i][1] == ":":
                    words[-1] += ":"
                    i += 1
                if i + 1 < len(tokens) and tokens[i][0] == "space" and tokens[i + 1][0] == "word" \
                        and _is_prose(tokens[i + 1][1]):
                    i += 1
            text_run = r"\mathrm{" + r"\ ".join(words) + "}"
            before = r"\ " if "".join(out).strip() else ""
            after = r"\ " if i < len(tokens) and "".join(v for _, v in tokens[i:]).strip() else ""
            out.append(before + text_run + after)
            while i < len(tokens) and tokens[i][0] == "space":
                i += 1
            continue
        if kind == "word":
            out.append(_word(value, tokens[i + 1][1] if i + 1 < len(tokens) else ""))
        elif kind == "norm":
            out.append(r"\lVert " if not norm_open else r"\rVert")
            norm_open = not norm_open
        elif value == "*":
            out.append(r"\odot")
        elif value == "~":
            out[-1] = r"\tilde{" + out[-1] + "}"
        else:
            out.append(value)
        i += 1
    return " ".join("".join(out).split())


def _word(word: str, following: str) -> str:
    if word in GREEK:
        return "\\" + word + (" " if following.isalnum() else "")
    if word in FUNCTIONS:
        return "\\" + word
    if word in SYMBOLS:
        return SYMBOLS[word]
    if word.startswith("d") and len(word) == 2 and word[1].isupper():      # dW: a change of W
        return r"\Delta " + word[1]
    return word
