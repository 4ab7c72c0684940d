"""The accuracy report: markdown tables per configuration and category, and a chart."""

from __future__ import annotations

from pathlib import Path

_COLUMNS = (
    ("n", "n", "{:d}"),
    ("pass_rate", "godkända", "{:.0%}"),
    ("figure_accuracy", "siffror", "{:.0%}"),
    ("keyword_coverage", "nyckelord", "{:.0%}"),
    ("correct_refusal_rate", "rätt vägran", "{:.0%}"),
    ("false_refusal_rate", "fel vägran", "{:.0%}"),
    ("citation_accuracy", "citat", "{:.0%}"),
    ("recall@5", "R@5", "{:.2f}"),
    ("recall@10", "R@10", "{:.2f}"),
    ("latency_ms_median", "median ms", "{:.0f}"),
    ("latency_ms_p95", "p95 ms", "{:.0f}"),
)


def _cell(value, fmt: str) -> str:
    return "–" if value is None else fmt.format(value)


def summary_table(summary: dict[str, dict]) -> str:
    """One row per configuration, overall."""
    head = "| konfiguration | " + " | ".join(label for _, label, _ in _COLUMNS) + " |"
    rule = "|---" * (len(_COLUMNS) + 1) + "|"
    rows = [
        f"| {config} | " + " | ".join(_cell(s["overall"].get(key), fmt) for key, _, fmt in _COLUMNS) + " |"
        for config, s in summary.items()
    ]
    return "\n".join([head, rule, *rows])


def category_table(config_summary: dict) -> str:
    head = "| kategori | " + " | ".join(label for _, label, _ in _COLUMNS) + " |"
    rule = "|---" * (len(_COLUMNS) + 1) + "|"
    rows = [
        f"| {category} | " + " | ".join(_cell(s.get(key), fmt) for key, _, fmt in _COLUMNS) + " |"
        for category, s in config_summary["by_category"].items()
    ]
    return "\n".join([head, rule, *rows])


def set_table(sets: dict[str, dict], held_out: list[str]) -> str:
    """One row per question set and category: where the engine was developed, and where not."""
    keys = (("n", "n", "{:d}"), ("pass_rate", "godkända", "{:.0%}"), ("figure_accuracy", "siffror", "{:.0%}"),
            ("keyword_coverage", "nyckelord", "{:.0%}"), ("correct_refusal_rate", "rätt vägran", "{:.0%}"),
            ("false_refusal_rate", "fel vägran", "{:.0%}"), ("citation_accuracy", "citat", "{:.0%}"))
    head = "| frågor | kategori | " + " | ".join(label for _, label, _ in keys) + " |"
    rule = "|---" * (len(keys) + 2) + "|"
    rows = []
    for name, s in sets.items():
        label = f"{name} (hållen utanför)" if name in held_out else name
        rows.append(f"| **{label}** | alla | " + " | ".join(_cell(s["overall"].get(k), f) for k, _, f in keys) + " |")
        for category, c in s["by_category"].items():
            rows.append(f"| {label} | {category} | " + " | ".join(_cell(c.get(k), f) for k, _, f in keys) + " |")
    return "\n".join([head, rule, *rows])


def write_report(
    summary: dict[str, dict], meta: dict, path: Path, chart: str | None = None, by_set: dict | None = None
) -> None:
    lines = [
        "# granska: träffsäkerhet",
        "",
        f"Frågor: `{meta['questions']}` ({meta['n']} st). Maskin: {meta['machine']}.",
        "",
        "## Sammanfattning",
        "",
        summary_table(summary),
        "",
    ]
    if chart:
        lines += [f"![Andel godkända per kategori och konfiguration]({chart})", ""]
    for config, config_summary in summary.items():
        lines += [f"## {config}", "", category_table(config_summary), ""]
        if by_set and len(by_set.get(config, {})) > 1:
            lines += [f"### {config} per frågeuppsättning", "",
                      "Hållna utanför: frågor om dokument som inga regler eller vikter har tagits fram på.", "",
                      set_table(by_set[config], meta.get("held_out_sets", [])), ""]
    Path(path).write_text("\n".join(lines), encoding="utf-8")


def write_chart(summary: dict[str, dict], path: Path) -> None:
    """Grouped bars: pass rate per category, one bar per configuration."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    configs = list(summary)
    categories = sorted({c for s in summary.values() for c in s["by_category"]})
    width = 0.8 / max(len(configs), 1)
    fig, ax = plt.subplots(figsize=(10, 4.5), dpi=100)
    for i, config in enumerate(configs):
        values = [summary[config]["by_category"].get(c, {}).get("pass_rate") or 0 for c in categories]
        ax.bar([x + i * width for x in range(len(categories))], values, width, label=config)
    ax.set_xticks([x + width * (len(configs) - 1) / 2 for x in range(len(categories))])
    ax.set_xticklabels(categories, rotation=20, ha="right")
    ax.set_ylim(0, 1)
    ax.set_ylabel("andel godkända")
    ax.set_title("granska: andel godkända svar per kategori")
    ax.legend()
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
