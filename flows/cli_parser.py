"""An argparse parser that helps: "did you mean" for commands, choices and options, and a subcommand's own usage
when one of its options is wrong (argparse 3.11 reports a subcommand's unknown option with the top-level usage)."""

from __future__ import annotations

import argparse
import difflib
import re
import sys
from collections.abc import Iterable, Sequence
from typing import NoReturn


def did_you_mean(word: str, known: Iterable[str]) -> str:
    """" (did you mean 'x'?)" for the closest known word, or ""."""
    close = difflib.get_close_matches(word, list(known), n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


class HelpfulParser(argparse.ArgumentParser):
    def parse_known_args(self, args: Sequence[str] | None = None,  # type: ignore[override]
                         namespace: argparse.Namespace | None = None) -> tuple[argparse.Namespace, list[str]]:
        parsed, extras = super().parse_known_args(args, namespace)
        if self._is_subcommand() and extras:  # this parser's own usage, not the top level's
            self.error("unrecognized arguments: " + " ".join(extras) + self._option_hint(extras))
        return parsed, extras

    def error(self, message: str) -> NoReturn:
        choice = re.search(r"invalid choice: '([^']*)' \(choose from (.*)\)", message)
        if choice:
            known = re.findall(r"'([^']*)'", choice[2])
            message += did_you_mean(choice[1], known)
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog}: error: {message}\n")

    def _is_subcommand(self) -> bool:
        return " " in self.prog  # "medpress review": a subcommand's parser

    def _option_hint(self, extras: list[str]) -> str:
        options = [option for action in self._actions for option in action.option_strings]
        for extra in extras:
            if extra.startswith("--"):
                hint = did_you_mean(extra.split("=", 1)[0], options)
                if hint:
                    return hint
        return ""

