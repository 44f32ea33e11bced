#!/usr/bin/env python3
"""Turns a terminal capture with ANSI colours (`tmux capture-pane -e -p`) into an SVG picture.

Usage: ansi2svg.py CAPTURE.txt OUT.svg [--cols N] [--rows N] [--title TEXT]
Standard library only, so the README assets can be regenerated anywhere.
"""
import argparse
import html
import re

PALETTE = [
    "#1d1f21", "#cc6666", "#b5bd68", "#f0c674", "#81a2be", "#b294bb", "#8abeb7", "#c5c8c6",
    "#666666", "#d54e53", "#b9ca4a", "#e7c547", "#7aa6da", "#c397d8", "#70c0b1", "#eaeaea",
]
FG, BG = "#c5c8c6", "#1d1f21"
SGR = re.compile(r"\x1b\[([0-9;:]*)m")
OTHER = re.compile(r"\x1b(\[[0-9;?]*[A-Za-z]|\][^\x07]*\x07|[()][A-Z0-9])")


def xterm256(n):
    if n < 16:
        return PALETTE[n]
    if n < 232:
        n -= 16
        steps = [0, 95, 135, 175, 215, 255]
        return "#%02x%02x%02x" % (steps[n // 36], steps[(n // 6) % 6], steps[n % 6])
    g = 8 + (n - 232) * 10
    return "#%02x%02x%02x" % (g, g, g)


def apply_sgr(state, params):
    codes = [int(p) if p.isdigit() else 0 for p in re.split("[;:]", params)] if params else [0]
    i = 0
    while i < len(codes):
        c = codes[i]
        if c == 0:
            state.update(fg=None, bg=None, bold=False, rev=False, ul=False, dim=False, it=False)
        elif c == 1:
            state["bold"] = True
        elif c == 2:
            state["dim"] = True
        elif c == 3:
            state["it"] = True
        elif c == 4:
            state["ul"] = True
        elif c == 7:
            state["rev"] = True
        elif c in (22,):
            state["bold"] = state["dim"] = False
        elif c == 23:
            state["it"] = False
        elif c == 24:
            state["ul"] = False
        elif c == 27:
            state["rev"] = False
        elif 30 <= c <= 37:
            state["fg"] = PALETTE[c - 30]
        elif 90 <= c <= 97:
            state["fg"] = PALETTE[c - 90 + 8]
        elif 40 <= c <= 47:
            state["bg"] = PALETTE[c - 40]
        elif 100 <= c <= 107:
            state["bg"] = PALETTE[c - 100 + 8]
        elif c == 39:
            state["fg"] = None
        elif c == 49:
            state["bg"] = None
        elif c in (38, 48) and i + 1 < len(codes):
            key = "fg" if c == 38 else "bg"
            if codes[i + 1] == 5 and i + 2 < len(codes):
                state[key] = xterm256(codes[i + 2])
                i += 2
            elif codes[i + 1] == 2 and i + 4 < len(codes):
                state[key] = "#%02x%02x%02x" % tuple(codes[i + 2:i + 5])
                i += 4
        i += 1


def parse(text):
    rows = []
    state = dict(fg=None, bg=None, bold=False, rev=False, ul=False, dim=False, it=False)
    for line in text.split("\n"):
        cells = []
        pos = 0
        for m in SGR.finditer(line):
            chunk = OTHER.sub("", line[pos:m.start()])
            cells.extend((ch, dict(state)) for ch in chunk)
            apply_sgr(state, m.group(1))
            pos = m.end()
        cells.extend((ch, dict(state)) for ch in OTHER.sub("", line[pos:]))
        rows.append(cells)
    return rows


def render(rows, cols, nrows, title):
    cw, ch, pad, bar = 8.4, 17, 12, 28
    width = int(cols * cw + 2 * pad)
    height = int(nrows * ch + 2 * pad + bar)
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}">',
        f'<rect width="100%" height="100%" rx="8" fill="{BG}"/>',
        '<circle cx="18" cy="14" r="5" fill="#ff5f56"/><circle cx="36" cy="14" r="5" fill="#ffbd2e"/>'
        '<circle cx="54" cy="14" r="5" fill="#27c93f"/>',
        f'<text x="{width / 2}" y="18" fill="#999" font-family="sans-serif" font-size="12" '
        f'text-anchor="middle">{html.escape(title)}</text>',
        '<g font-family="DejaVu Sans Mono, Menlo, Consolas, monospace" font-size="14" xml:space="preserve" style="white-space: pre">',
    ]
    for y, cells in enumerate(rows[:nrows]):
        top = pad + bar + y * ch
        for x, (c, st) in enumerate(cells[:cols]):
            fg, bg = st["fg"] or FG, st["bg"]
            if st["rev"]:
                fg, bg = (st["bg"] or BG), (st["fg"] or FG)
            if bg:
                out.append(f'<rect x="{pad + x * cw:.1f}" y="{top}" width="{cw + 0.5:.1f}" height="{ch}" fill="{bg}"/>')
        x = 0
        while x < min(len(cells), cols):
            c, st = cells[x]
            start = x
            text = ""
            while x < min(len(cells), cols) and cells[x][1] == st:
                text += cells[x][0]
                x += 1
            if not text.strip():
                continue
            lead = len(text) - len(text.lstrip(" "))
            start += lead
            text = text.strip(" ")
            fg = (st["bg"] or BG) if st["rev"] else (st["fg"] or FG)
            attrs = f'fill="{fg}"'
            if st["bold"]:
                attrs += ' font-weight="bold"'
            if st["dim"]:
                attrs += ' opacity="0.7"'
            if st["it"]:
                attrs += ' font-style="italic"'
            if st["ul"]:
                attrs += ' text-decoration="underline"'
            out.append(f'<text x="{pad + start * cw:.1f}" y="{top + ch - 4}" {attrs}>{html.escape(text)}</text>')
    out.append("</g></svg>")
    return "\n".join(out)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("capture")
    ap.add_argument("out")
    ap.add_argument("--cols", type=int, default=120)
    ap.add_argument("--rows", type=int, default=36)
    ap.add_argument("--title", default="runsheet")
    a = ap.parse_args()
    with open(a.capture, encoding="utf-8", errors="replace") as f:
        rows = parse(f.read().rstrip("\n"))
    with open(a.out, "w", encoding="utf-8") as f:
        f.write(render(rows, a.cols, a.rows, a.title))


if __name__ == "__main__":
    main()
