"""Charts drawn on the server as plain SVG geometry: no chart library, nothing fetched by the browser."""

from dataclasses import dataclass

WIDTH, HEIGHT, PAD = 560, 180, 28


@dataclass
class Series:
    name: str
    css_class: str
    values: list


def line_chart(labels, series):
    """Geometry for a line chart of one or more series over shared x labels."""
    peak = max([1] + [v for s in series for v in s.values])
    count = max(1, len(labels) - 1)

    def point(index, value):
        x = PAD + (WIDTH - 2 * PAD) * index / count
        y = HEIGHT - PAD - (HEIGHT - 2 * PAD) * value / peak
        return round(x, 1), round(y, 1)

    lines = []
    for s in series:
        points = [point(i, v) for i, v in enumerate(s.values)]
        lines.append({"name": s.name, "css_class": s.css_class, "points": " ".join(f"{x},{y}" for x, y in points),
                      "dots": [{"x": x, "y": y, "value": v, "label": labels[i]}
                               for i, ((x, y), v) in enumerate(zip(points, s.values))]})
    return {"width": WIDTH, "height": HEIGHT, "pad": PAD, "peak": peak, "lines": lines,
            "first": labels[0] if labels else "", "last": labels[-1] if labels else ""}


def bar_chart(items, maximum=100):
    """Geometry for a bar chart of (label, value, css_class) items on a 0..maximum scale."""
    slot = (WIDTH - 2 * PAD) / max(1, len(items))
    bars = []
    for index, (label, value, css_class) in enumerate(items):
        height = (HEIGHT - 2 * PAD) * min(value or 0, maximum) / maximum
        bars.append({"x": round(PAD + index * slot + slot * 0.15, 1), "y": round(HEIGHT - PAD - height, 1),
                     "width": round(slot * 0.7, 1), "height": round(height, 1), "label": label, "value": value,
                     "css_class": css_class})
    return {"width": WIDTH, "height": HEIGHT, "pad": PAD, "bars": bars, "maximum": maximum}
