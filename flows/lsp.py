"""``medpress lsp``: a language server (pygls) for the blog's Markdown posts, over stdio.

On open, on save and on change (debounced: a review starts once typing has paused for ``DEBOUNCE`` seconds) it
reviews the post as the editor holds it, unsaved text included (ReviewOptions.unsaved), with the direct engine:
links are checked against the whole blog on disk. Each finding is a diagnostic with the rule id as its code, the
severity, and the help line. Grammar comes from the warm LanguageTool service (flows.services.lt_service) unless
the client's initializationOptions say ``{"grammar": false}``.

Code actions apply the fixes medpress can spell out: LanguageTool's replacements ("Replace with “x”"), the
"did you mean" link targets and anchors ("Did you mean '/blog/slug/'?"), the approved disclaimer wording (replacing
an altered one, or adding a missing one where its placement says) and CLM004's off-label disclosure.
"""

from __future__ import annotations

import asyncio
import re
from pathlib import Path
from typing import Any

from lsprotocol import types
from pygls.lsp.server import LanguageServer
from pygls.uris import to_fs_path

from checks.model import Finding, Severity
from flows.engine.steps import ReviewOptions, review_plain

DEBOUNCE = 0.4  # seconds of quiet typing before a review
SEVERITY = {Severity.ERROR: types.DiagnosticSeverity.Error, Severity.WARNING: types.DiagnosticSeverity.Warning,
            Severity.INFO: types.DiagnosticSeverity.Information}
REPLACE = re.compile(r"“([^”]*)”")
DID_YOU_MEAN = re.compile(r"Did you mean '([^']+)'\?")
APPROVED = re.compile(r"Use the approved wording: (.+)\Z", re.S)  # an altered disclaimer (checks/disclaimers.py)
ADD_APPROVED = re.compile(r"Add the approved wording( at the (?:end|start) of the post)?: (.+)\Z", re.S)
ADD_IN_SENTENCE = re.compile(r'Add in the same sentence or paragraph: "(.+)"\Z', re.S)  # CLM004's disclosure


class MedpressServer(LanguageServer):
    def __init__(self) -> None:
        super().__init__("medpress", "1")
        self.grammar = True
        self.content: Path | None = None  # initializationOptions "content", else found from each post's path
        self._pending: dict[str, asyncio.Task[None]] = {}


def content_dir_of(path: Path, given: Path | None) -> Path | None:
    """The content folder: as configured, else the folder holding the post's ``posts/`` ancestor."""
    if given is not None:
        return given
    for parent in path.parents:
        if parent.name == "posts":
            return parent.parent
    return None


def to_range(finding: Finding, lines: list[str]) -> types.Range:
    """The finding's 1-based, end-exclusive line and code-point column as an LSP range (0-based, UTF-16)."""
    if finding.line is None:
        return types.Range(types.Position(0, 0), types.Position(0, 0))
    line = finding.line - 1
    start = _utf16(lines, line, (finding.column or 1) - 1)
    end_line = (finding.end_line or finding.line) - 1
    end = _utf16(lines, end_line, (finding.end_column or finding.column or 1) - 1)
    return types.Range(types.Position(line, start), types.Position(end_line, end))


def _utf16(lines: list[str], line: int, column: int) -> int:
    text = lines[line] if 0 <= line < len(lines) else ""
    return len(text[:column].encode("utf-16-le")) // 2


def diagnostic(finding: Finding, lines: list[str]) -> types.Diagnostic:
    message = finding.message + (f"\nhelp: {finding.suggestion}" if finding.suggestion else "")
    return types.Diagnostic(range=to_range(finding, lines), message=message, severity=SEVERITY[finding.severity],
                            code=finding.rule, source="medpress",
                            data={"suggestion": finding.suggestion, "excerpt": finding.excerpt})


def review_text(server: MedpressServer, uri: str, text: str) -> list[types.Diagnostic] | None:
    """The post's diagnostics, or None when the file is not a post in a content folder."""
    path = Path(to_fs_path(uri) or "")
    content = content_dir_of(path, server.content)
    if content is None or path.suffix != ".md":
        return None
    try:
        rel = path.resolve().relative_to(content.resolve()).as_posix()
    except ValueError:
        return None
    report = review_plain(ReviewOptions(content_dir=content, paths=[path], grammar=server.grammar,
                                        unsaved={rel: text.encode("utf-8")}))
    lines = text.split("\n")
    return [diagnostic(f, lines) for post in report.posts for f in post.findings]


def fixes(diag: types.Diagnostic, lines: list[str]) -> list[tuple[str, types.Range, str]]:
    """(title, range, new text) for each fix the diagnostic's help line spells out."""
    data: dict[str, Any] = diag.data if isinstance(diag.data, dict) else {}
    suggestion = str(data.get("suggestion") or "")
    where = diag.range
    if suggestion.startswith("Replace with "):
        return [(f"Replace with “{r}”", where, r) for r in REPLACE.findall(suggestion)]
    meant = DID_YOU_MEAN.search(suggestion)
    if meant:
        current = _text_in(where, lines)
        excerpt = str(data.get("excerpt") or "")
        replaced = current.replace(excerpt, meant[1], 1) if excerpt and excerpt in current else meant[1]
        return [(f"Change to {meant[1]}", where, replaced)]
    wording = APPROVED.match(suggestion)
    if wording:
        return [("Use the approved wording", where, wording[1])]
    missing = ADD_APPROVED.match(suggestion)
    if missing:
        return [("Add the approved wording", *_insertion(lines, missing[1] or "", missing[2]))]
    disclosure = ADD_IN_SENTENCE.match(suggestion)
    if disclosure:
        return [("Add the disclosure", types.Range(where.end, where.end), " " + disclosure[1])]
    return []


def _insertion(lines: list[str], placement: str, text: str) -> tuple[types.Range, str]:
    """Where a missing disclaimer goes: after the front matter (start), else at the end of the post."""
    if "start" in placement and lines and lines[0].strip() == "---":
        close = next((n for n in range(1, len(lines)) if lines[n].strip() in ("---", "...")), None)
        if close is not None:
            at = types.Position(close + 1, 0)
            return types.Range(at, at), f"{text}\n\n"
    last = len(lines) - 1
    end = types.Position(last, len(lines[last].encode("utf-16-le")) // 2)
    before = "" if lines[last] == "" else "\n"
    gap = "" if last > 0 and lines[last] == "" and lines[last - 1] == "" else "\n"
    return types.Range(end, end), f"{before}{gap}{text}\n"


def _text_in(where: types.Range, lines: list[str]) -> str:
    def offset(position: types.Position) -> int:
        text = lines[position.line] if position.line < len(lines) else ""
        return len(text.encode("utf-16-le")[: position.character * 2].decode("utf-16-le"))

    start, end = where.start, where.end
    if start.line == end.line:
        line = lines[start.line] if start.line < len(lines) else ""
        return line[offset(start):offset(end)]
    middle = lines[start.line + 1:end.line]
    return "\n".join([lines[start.line][offset(start):], *middle, lines[end.line][:offset(end)]])


def build() -> MedpressServer:
    server = MedpressServer()

    @server.feature(types.INITIALIZE)
    def initialize(ls: MedpressServer, params: types.InitializeParams) -> None:
        options = params.initialization_options if isinstance(params.initialization_options, dict) else {}
        ls.grammar = bool(options.get("grammar", True))
        if options.get("content"):
            ls.content = Path(str(options["content"]))

    async def publish(ls: MedpressServer, uri: str, delay: float = 0.0) -> None:
        if delay:
            await asyncio.sleep(delay)
        text = ls.workspace.get_text_document(uri).source
        loop = asyncio.get_running_loop()
        try:
            found = await loop.run_in_executor(None, review_text, ls, uri, text)
        except Exception as err:  # a failed review is a message, never a dead server
            ls.window_show_message(types.ShowMessageParams(types.MessageType.Error, f"medpress: review failed: {err}"))
            return
        if found is not None and ls.workspace.get_text_document(uri).source == text:  # not stale
            ls.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=uri, diagnostics=found))

    def schedule(ls: MedpressServer, uri: str, delay: float) -> None:
        previous = ls._pending.pop(uri, None)
        if previous is not None:
            previous.cancel()  # typing again: only the last change is reviewed
        ls._pending[uri] = asyncio.ensure_future(publish(ls, uri, delay))

    @server.feature(types.TEXT_DOCUMENT_DID_OPEN)
    async def did_open(ls: MedpressServer, params: types.DidOpenTextDocumentParams) -> None:
        schedule(ls, params.text_document.uri, 0.0)

    @server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
    async def did_change(ls: MedpressServer, params: types.DidChangeTextDocumentParams) -> None:
        schedule(ls, params.text_document.uri, DEBOUNCE)

    @server.feature(types.TEXT_DOCUMENT_DID_SAVE)
    async def did_save(ls: MedpressServer, params: types.DidSaveTextDocumentParams) -> None:
        schedule(ls, params.text_document.uri, 0.0)

    @server.feature(types.TEXT_DOCUMENT_CODE_ACTION,
                    types.CodeActionOptions(code_action_kinds=[types.CodeActionKind.QuickFix]))
    def code_action(ls: MedpressServer, params: types.CodeActionParams) -> list[types.CodeAction]:
        uri = params.text_document.uri
        lines = ls.workspace.get_text_document(uri).source.split("\n")
        actions = []
        for diag in params.context.diagnostics:
            if diag.source != "medpress":
                continue
            for title, where, new_text in fixes(diag, lines):
                edit = types.WorkspaceEdit(changes={uri: [types.TextEdit(range=where, new_text=new_text)]})
                actions.append(types.CodeAction(title=f"{diag.code}: {title}", kind=types.CodeActionKind.QuickFix,
                                                diagnostics=[diag], edit=edit, is_preferred=len(actions) == 0))
        return actions

    return server


def main() -> int:
    build().start_io()
    return 0
