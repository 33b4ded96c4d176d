#!/usr/bin/env python3
"""Writes the structured seeds of the `evaluate` and `tui` targets (seeds/evaluate,
seeds/tui) in the byte format the `arbitrary` crate (1.x) decodes: little-endian
integers, enum variants as a u32 scaled to the variant count, Option and Vec items
behind a byte whose low bit says "one more". Only fixed-size fields are used, so no
length has to be encoded. Check a seed with `cargo fuzz fmt <target> <file>`.

Indices (scenarios, list entries) are taken modulo the list lengths at run time, so a
seed stays valid when scenarios are added; it may just start elsewhere."""

import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))


def u8(x):
    return bytes([x & 0xFF])


def u16(x):
    return struct.pack("<H", x)


def u32(x):
    return struct.pack("<I", x)


def variant(k, n):
    """The u32 that derive(Arbitrary) maps to variant k of n."""
    x = -(-k * 2**32 // n)
    assert (x * n) >> 32 == k
    return u32(x)


def some(b):
    return b"\x01" + b


NONE = b"\x00"


def seq(items):
    """A Vec decoded with arbitrary_iter: 'more' byte before each item, then a stop."""
    return b"".join(b"\x01" + i for i in items) + b"\x00"


# ---- evaluate ----------------------------------------------------------------
def field(i):
    return variant(0, 4) + u16(i)


def any_(i):
    return variant(1, 4) + u16(i)


def edited(i, edit):
    return variant(2, 4) + u16(i) + edit


TRUNCATE = lambda n: variant(2, 6) + u8(n)
UPPER = variant(3, 6)
LOWER = variant(4, 6)
JOIN = lambda j: variant(5, 6) + u16(j)


def one(s, kind=0):
    return variant(0, 2) + s + u8(kind)


def many(items):
    return variant(1, 2) + seq(s + u8(k) for s, k in items)


def evaluate_input(scenario, base=None, principal=None, action=None, resource=None,
                   account=None, drop=0, context=(), render=True):
    def opt(x):
        return NONE if x is None else some(x)

    if account is None:
        acc = NONE
    elif account == "remove":
        acc = some(NONE)
    else:
        acc = some(some(account))
    req = (opt(None if base is None else u8(base)) + opt(principal) + opt(action)
           + opt(resource) + acc + u32(drop) + seq(k + v for k, v in context))
    return u8(scenario) + req + u8(1 if render else 0)


EVALUATE = {
    # A scenario's own first request, unchanged.
    "own-request": evaluate_input(0, base=0),
    # Another request, principal upper-cased, first context key dropped, a source IP added.
    "edited-principal-source-ip": evaluate_input(
        1, base=2, principal=edited(3, UPPER), drop=1,
        context=[(field(0), one(field(10)))]),
    # No base: every field picked, two multi-valued keys and a number.
    "picked-multivalued": evaluate_input(
        3, principal=field(5), action=field(2), resource=field(7), account=field(1),
        context=[(field(12), many([(field(3), 0), (any_(40), 0)])),
                 (field(20), many([])),
                 (field(9), one(field(6), 1))]),
    # A truncated resource ARN and a key joined from two policy strings.
    "truncated-resource": evaluate_input(
        5, base=1, resource=edited(2, TRUNCATE(20)),
        context=[(edited(4, JOIN(77)), one(any_(123)))]),
    # The resource account removed, keys lower-cased, bool-typed values.
    "no-resource-account": evaluate_input(
        6, base=0, account="remove", drop=0xFFFFFFFF,
        context=[(edited(8, LOWER), one(field(1), 2)), (field(8), one(field(2), 2))],
        render=False),
}

# ---- tui ---------------------------------------------------------------------
N_EVENT = 7  # Key, Type, TypeSnippet, Paste, PasteSnippet, Mouse, Draw
N_CODE = 5  # Binding, Json, Char, Named, F
SHIFT, CTRL, ALT = 1, 2, 4
NAMED = ["Enter", "Esc", "Backspace", "Delete", "Tab", "BackTab", "Left", "Right", "Up",
         "Down", "Home", "End", "PageUp", "PageDown", "Insert", "Null", "CapsLock"]
SNIPPET_CONDITION_IP = 8
SNIPPET_EFFECT_DENY = 0
SNIPPET_VARIABLE = 15
SNIPPET_ARN = 16
SNIPPET_SOURCE_IP_KEY = 17
SNIPPET_IP = 18
SNIPPET_ACTION = 19


def key_named(name, mods=0):
    return variant(0, N_EVENT) + variant(3, N_CODE) + u8(NAMED.index(name)) + u8(mods) + u8(0)


def key_char(c, mods=0):
    return variant(0, N_EVENT) + variant(2, N_CODE) + u32(ord(c)) + u8(mods) + u8(0)


def key_f(n, mods=0):
    return variant(0, N_EVENT) + variant(4, N_CODE) + u8(n) + u8(mods) + u8(0)


def type_snippet(i):
    return variant(2, N_EVENT) + u8(i)


def paste_snippet(i):
    return variant(4, N_EVENT) + u8(i)


def mouse(kind, col, row):
    # kind % 9: 0/1 down, 2 up, 3 drag, 4 moved, 5 scroll down, 6 scroll up
    return variant(5, N_EVENT) + u8(kind) + u16(col) + u16(row) + u8(0)


DRAW = variant(6, N_EVENT)


def tui_input(scenario, w, h, events):
    # `events` is the last field: decoded with arbitrary_take_rest_iter (same
    # "more" bytes).
    return u8(scenario) + u16(w) + u16(h) + seq(events)


TUI = {
    # Move into a statement, type a Condition, draw, undo, draw.
    "edit-policy-undo": tui_input(1, 120, 40, [
        key_named("Down"), key_named("Down"), key_named("Down"), key_named("End"),
        key_named("Enter"), type_snippet(SNIPPET_CONDITION_IP), DRAW,
        key_char("z", CTRL), DRAW]),
    # The request form: replace a field, add a context key, presets, next request.
    "request-form-presets": tui_input(2, 100, 30, [
        key_named("Tab"), key_named("Down"), key_named("End"),
        *[key_named("Backspace")] * 6, type_snippet(SNIPPET_ACTION), key_char("a", CTRL),
        type_snippet(SNIPPET_SOURCE_IP_KEY), key_named("Enter"), type_snippet(SNIPPET_IP),
        key_f(3), key_f(3), DRAW, key_char("n", CTRL), key_char("p", CTRL)]),
    # The trace tree: select, expand, collapse, deciding-only, jump to the source,
    # clicks and the wheel.
    "trace-navigation": tui_input(0, 160, 50, [
        key_named("Tab"), key_named("Tab"), key_named("Down"), key_named("Down"),
        key_named("Right"), key_named("Down"), key_named("Left"), key_named("PageDown"),
        key_char("f", CTRL), DRAW, key_named("Enter"), mouse(0, 130, 20), mouse(5, 130, 20),
        mouse(6, 20, 10), mouse(0, 20, 10), DRAW]),
    # Policies: add, cycle the type, placement, rename, delete.
    "policy-management": tui_input(11, 80, 24, [
        key_f(4), key_f(6), key_f(6), key_f(7), key_char("x"), key_named("Enter"),
        key_f(5), key_char("p"), key_char("1"), key_named("Enter"), DRAW,
        key_f(2), key_f(2, SHIFT), key_f(8), key_char("y"), DRAW]),
    # Overlays: help, the save prompt (Enter is turned into Esc), quit questions.
    "overlays-tiny-screen": tui_input(9, 20, 5, [
        key_f(1), DRAW, key_char("?"), key_char("s", CTRL), key_char("a"),
        key_named("Backspace"), key_named("Enter"), key_named("Delete"),
        key_char("q", CTRL), key_char("n"), DRAW]),
    # Broken JSON: the results go stale, then the paste is undone.
    "paste-breaks-json": tui_input(14, 60, 15, [
        key_named("Down"), paste_snippet(SNIPPET_VARIABLE), paste_snippet(SNIPPET_ARN),
        key_char("{"), DRAW, key_char("z", CTRL), key_char("z", CTRL),
        key_char("y", CTRL)]),
}


def write(target, seeds):
    out = os.path.join(HERE, "seeds", target)
    os.makedirs(out, exist_ok=True)
    for name, data in seeds.items():
        with open(os.path.join(out, name), "wb") as f:
            f.write(data)


if __name__ == "__main__":
    write("evaluate", EVALUATE)
    write("tui", TUI)
