"""``mdnet stats --html``: one self-contained page with inline SVG charts. Pure (returns text).

No scripts, no fonts, no network: the page opens from a file anywhere, prints well and
stays readable without colour (every bar has its number).
"""

from __future__ import annotations

import colorsys
from html import escape

from mdnet.features.stats import Ranked, Stats

PALETTE = ("#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2", "#edc948", "#b07aa1", "#ff9da7", "#9c755f",
           "#bab0ac")  # fmt: skip
_CSS = """
body { font: 15px/1.5 -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif; color: #1f2933;
       background: #f5f7fa; margin: 0; }
main { max-width: 960px; margin: 0 auto; padding: 32px 20px 48px; }
h1 { font-size: 26px; margin: 0 0 4px; } h2 { font-size: 18px; margin: 32px 0 12px; }
.sub { color: #616e7c; margin: 0 0 24px; }
.cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(170px, 1fr)); gap: 12px; }
.card { background: #fff; border-radius: 10px; padding: 14px 16px; box-shadow: 0 1px 3px rgba(0,0,0,.08); }
.card b { display: block; font-size: 26px; } .card span { color: #616e7c; font-size: 13px; }
.panel { background: #fff; border-radius: 10px; padding: 16px; box-shadow: 0 1px 3px rgba(0,0,0,.08); }
.legend { display: flex; flex-wrap: wrap; gap: 6px 16px; margin-top: 8px; font-size: 13px; }
.legend i { display: inline-block; width: 11px; height: 11px; border-radius: 2px; margin-right: 5px; }
table { border-collapse: collapse; width: 100%; font-size: 14px; }
th, td { text-align: left; padding: 6px 8px; border-bottom: 1px solid #e4e7eb; }
th { color: #616e7c; font-weight: 600; } td.n { text-align: right; font-variant-numeric: tabular-nums; }
.two { display: grid; grid-template-columns: 1fr 1fr; gap: 16px; }
@media (max-width: 700px) { .two { grid-template-columns: 1fr; } }
.muted { color: #9aa5b1; }
"""


def colour_of(categories: tuple[str, ...]) -> dict[str, str]:
    """One colour per category, never shared: by the categories' sorted order (the same category gets the
    same colour whatever its rank this time), :data:`PALETTE` first, then as many more as are needed."""
    ordered = sorted(set(categories))
    palette = list(PALETTE)
    step = 0
    while len(palette) < len(ordered):  # hues around the wheel by the golden angle: never two alike
        hue = (step * 137.508 + 17) % 360
        lightness = (0.42, 0.55, 0.66)[step % 3]
        step += 1
        colour = _hsl(hue, 0.55, lightness)
        if colour not in palette:
            palette.append(colour)
    return {c: palette[i] for i, c in enumerate(ordered)}


def _hsl(hue: float, saturation: float, lightness: float) -> str:
    red, green, blue = colorsys.hls_to_rgb(hue / 360, lightness, saturation)
    return "#" + "".join(f"{round(x * 255):02x}" for x in (red, green, blue))


def month_chart(stats: Stats) -> str:
    """A stacked bar per month, by category, with the total above each bar."""
    colours = colour_of(stats.categories)
    width, height, left, bottom, top = 900, 280, 36, 28, 20
    peak = max((sum(stats.per_month[m].values()) for m in stats.months), default=0) or 1
    slot = (width - left) / max(1, len(stats.months))
    bar = slot * 0.62
    scale = (height - bottom - top) / peak
    parts = [f'<svg viewBox="0 0 {width} {height}" role="img" aria-label="Interactions per month" '
             f'xmlns="http://www.w3.org/2000/svg" style="width:100%;height:auto">']  # fmt: skip
    for step in range(5):
        value = peak * step / 4
        y = height - bottom - value * scale
        parts.append(f'<line x1="{left}" x2="{width}" y1="{y:.1f}" y2="{y:.1f}" stroke="#e4e7eb"/>'
                     f'<text x="{left - 6}" y="{y + 4:.1f}" font-size="11" fill="#9aa5b1" '
                     f'text-anchor="end">{value:.0f}</text>')  # fmt: skip
    for index, month in enumerate(stats.months):
        x = left + index * slot + (slot - bar) / 2
        y = height - bottom
        for category, count in stats.per_month[month].items():
            h = count * scale
            y -= h
            parts.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar:.1f}" height="{h:.1f}" rx="2" '
                         f'fill="{colours[category]}"><title>{escape(month)} {escape(category)}: {count}'
                         f'</title></rect>')  # fmt: skip
        total = sum(stats.per_month[month].values())
        if total:
            parts.append(f'<text x="{x + bar / 2:.1f}" y="{y - 5:.1f}" font-size="11" fill="#3e4c59" '
                         f'text-anchor="middle">{total}</text>')  # fmt: skip
        parts.append(f'<text x="{x + bar / 2:.1f}" y="{height - 9}" font-size="11" fill="#616e7c" '
                     f'text-anchor="middle">{escape(month[2:])}</text>')  # fmt: skip
    parts.append("</svg>")
    legend = "".join(f'<span><i style="background:{colours[c]}"></i>{escape(c)}</span>' for c in stats.categories)
    return "".join(parts) + f'<div class="legend">{legend}</div>'


def ranked_bars(rows: tuple[Ranked, ...], colour: str) -> str:
    """Horizontal bars, one per contact, with the count at the end."""
    if not rows:
        return '<p class="muted">Nobody yet.</p>'
    peak = max(r.interactions for r in rows) or 1
    row_h, label_w, width = 26, 170, 420
    height = row_h * len(rows)
    parts = [f'<svg viewBox="0 0 {width} {height}" xmlns="http://www.w3.org/2000/svg" '
             f'style="width:100%;height:auto" role="img">']  # fmt: skip
    for index, row in enumerate(rows):
        y = index * row_h
        length = (width - label_w - 40) * row.interactions / peak
        parts.append(f'<text x="0" y="{y + 17}" font-size="13" fill="#1f2933">{escape(row.name[:24])}</text>'
                     f'<rect x="{label_w}" y="{y + 5}" width="{max(length, 2):.1f}" height="15" rx="3" '
                     f'fill="{colour}"/><text x="{label_w + max(length, 2) + 6:.1f}" y="{y + 17}" '
                     f'font-size="12" fill="#3e4c59">{row.interactions}</text>')  # fmt: skip
    parts.append("</svg>")
    return "".join(parts)


def render_html(stats: Stats, title: str = "Network health") -> str:
    median = "–" if stats.median_days_between is None else f"{stats.median_days_between:g} days"
    cards = [(str(stats.total), "interactions"), (f"{stats.contacted} / {stats.contacts}", "contacts touched"),
             (median, "median between touches"), (str(len(stats.dormant)), "dormant (past their maximum)"),
             (str(stats.never_contacted), "never contacted")]  # fmt: skip
    card_html = "".join(f'<div class="card"><b>{escape(v)}</b><span>{escape(k)}</span></div>' for v, k in cards)
    if stats.dormant:
        rows = "".join(
            f"<tr><td>{escape(d.name)}</td><td>{escape(d.category or '')}</td><td>{d.last_contact}</td>"
            f'<td class="n">{d.days_since}</td><td>{escape(d.maximum)}</td></tr>'
            for d in stats.dormant
        )
        dormant = ("<table><tr><th>Name</th><th>Category</th><th>Last contact</th><th>Days</th>"
                   f"<th>Maximum</th></tr>{rows}</table>")  # fmt: skip
    else:
        dormant = '<p class="muted">Nobody is past their maximum window. Well kept.</p>'
    medians = "".join(
        f'<tr><td>{escape(c)}</td><td class="n">{v:g}</td></tr>' for c, v in stats.median_by_category.items()
    )
    median_table = f"<table><tr><th>Category</th><th>Median days between touches</th></tr>{medians}</table>"
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(title)}</title><style>{_CSS}</style></head>
<body><main>
<h1>{escape(title)}</h1>
<p class="sub">{stats.since} to {stats.until} · from the notes' logs · made by mdnet</p>
<div class="cards">{card_html}</div>
<h2>Interactions per month, by category</h2>
<div class="panel">{month_chart(stats)}</div>
<div class="two">
<div><h2>Most contacted</h2><div class="panel">{ranked_bars(stats.most, "#59a14f")}</div></div>
<div><h2>Least contacted</h2><div class="panel">{ranked_bars(stats.least, "#e15759")}</div></div>
</div>
<h2>Gone dormant</h2>
<div class="panel">{dormant}</div>
<h2>Rhythm</h2>
<div class="panel">{median_table if medians else '<p class="muted">Not enough touches yet.</p>'}</div>
</main></body></html>
"""
