"""Our stylesheets parse as their authors meant: every rule closes where it should.

A rule left without its closing brace (as a merge once left Find Partners' button rule) makes a
browser read every later rule as nested in it and ignore them, silently: the Copy link control and
the community members' list lost their styles that way. tinycss2 (already here for WeasyPrint,
the Summary PDF) parses each file as a browser would."""

from __future__ import annotations

from pathlib import Path

import pytest
import tinycss2

CSS = sorted((Path(__file__).resolve().parents[1] / "static" / "css").glob("*.css"))


@pytest.mark.parametrize("path", CSS, ids=[p.name for p in CSS])
def test_every_rule_is_closed_and_none_is_nested_in_a_plain_rule(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.count("{") == text.count("}"), f"{path.name}: unbalanced braces"
    problems: list[str] = []

    def check(rules: list, where: str) -> None:
        for rule in rules:
            if rule.type == "error":
                problems.append(f"{where}line {rule.source_line}: {rule.message}")
            elif rule.type == "qualified-rule":
                inner = [t for t in rule.content if t.type == "{} block"]
                if inner:
                    problems.append(f"{where}line {rule.source_line}: a block inside the rule "
                                    f"'{tinycss2.serialize(rule.prelude).strip()}' (a closing brace missing?)")
            elif rule.type == "at-rule" and rule.content is not None and rule.lower_at_keyword in ("media", "supports", "container", "layer"):
                check(tinycss2.parse_rule_list(rule.content, skip_comments=True, skip_whitespace=True),
                      f"@{rule.lower_at_keyword} ")

    check(tinycss2.parse_stylesheet(text, skip_comments=True, skip_whitespace=True), "")
    assert not problems, f"{path.name}: " + "; ".join(problems)
