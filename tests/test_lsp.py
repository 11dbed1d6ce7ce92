"""`medpress lsp` driven by a real LSP client (pytest-lsp) over stdio: open a post, diagnostics at the right ranges,
apply a code action, updated diagnostics."""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

import pytest
import pytest_lsp
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient

from tests.conftest import CONTENT

MEDPRESS = Path(sys.executable).with_name("medpress")
FOLDER = Path(tempfile.mkdtemp(prefix="medpress-lsp-test-"))
POST = ("---\ntitle: Aftercare\nslug: aftercare\ndate: 2024-05-01\n---\nRest for a day and read [the guide]"
        "(/blog/microneedling-after-care/) first.\n\nThis article is for general education and is not medical "
        "advice. Talk to a qualified healthcare provider about your own health before you start any treatment.\n")


@pytest_lsp.fixture(config=ClientServerConfig(server_command=[str(MEDPRESS), "lsp"]))
async def client(lsp_client: LanguageClient):
    content = FOLDER / "content"
    if not content.exists():
        shutil.copytree(CONTENT, content)
    await lsp_client.initialize_session(types.InitializeParams(
        capabilities=types.ClientCapabilities(), initialization_options={"grammar": False}))
    yield
    await lsp_client.shutdown_session()
    shutil.rmtree(FOLDER, ignore_errors=True)


def _apply(text: str, edit: types.TextEdit) -> str:
    lines = text.split("\n")  # ASCII text: UTF-16 columns are code points

    def offset(position: types.Position) -> int:
        return sum(len(line) + 1 for line in lines[:position.line]) + position.character

    return text[:offset(edit.range.start)] + edit.new_text + text[offset(edit.range.end):]


async def _diagnostics(client: LanguageClient, uri: str) -> list[types.Diagnostic]:
    await client.wait_for_notification(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    return list(client.diagnostics[uri])


@pytest.mark.asyncio
async def test_diagnostics_code_action_and_updated_diagnostics(client: LanguageClient) -> None:
    path = FOLDER / "content" / "posts" / "aftercare.md"
    path.write_text(POST)
    uri = path.as_uri()
    client.text_document_did_open(types.DidOpenTextDocumentParams(
        text_document=types.TextDocumentItem(uri=uri, language_id="markdown", version=1, text=POST)))
    found = await _diagnostics(client, uri)
    [link] = [d for d in found if d.code == "LNK001"]
    assert link.severity == types.DiagnosticSeverity.Error and link.source == "medpress"
    assert "no post with slug 'microneedling-after-care'" in link.message
    assert "help: Did you mean '/blog/microneedling-aftercare/'?" in link.message
    line = POST.split("\n")[link.range.start.line]
    assert link.range.start.line == 5  # the post's sixth line, where the link is
    assert "/blog/microneedling-after-care/" in line[link.range.start.character:link.range.end.character]

    actions = await client.text_document_code_action_async(types.CodeActionParams(
        text_document=types.TextDocumentIdentifier(uri=uri), range=link.range,
        context=types.CodeActionContext(diagnostics=[link])))
    assert actions, "a quick fix for the did-you-mean link"
    [action] = [a for a in actions if isinstance(a, types.CodeAction)]
    assert action.title == "LNK001: Change to /blog/microneedling-aftercare/"
    assert action.edit is not None and action.edit.changes is not None
    fixed = POST
    for edit in action.edit.changes[uri]:
        fixed = _apply(fixed, edit)
    assert "(/blog/microneedling-aftercare/)" in fixed and "after-care" not in fixed

    # The fix, as the editor sends it (unsaved): reviewed after the debounce, the finding is gone
    client.text_document_did_change(types.DidChangeTextDocumentParams(
        text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=2),
        content_changes=[types.TextDocumentContentChangeWholeDocument(text=fixed)]))
    updated = await _diagnostics(client, uri)
    assert not [d for d in updated if d.code == "LNK001"], [d.message for d in updated]
    assert [d.code for d in updated] == [d.code for d in found if d.code != "LNK001"]  # the others stay

    # A new mistake, typed and saved: reviewed again
    broken = fixed.replace("(/blog/microneedling-aftercare/)", "(/blog/lip-filer-guide/)")
    path.write_text(broken)
    client.text_document_did_change(types.DidChangeTextDocumentParams(
        text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=3),
        content_changes=[types.TextDocumentContentChangeWholeDocument(text=broken)]))
    client.text_document_did_save(types.DidSaveTextDocumentParams(text_document=types.TextDocumentIdentifier(uri)))
    again = await _diagnostics(client, uri)
    assert any(d.code == "LNK001" and "/blog/lip-filler-guide/" in d.message for d in again)


@pytest.mark.asyncio
async def test_the_missing_disclaimer_is_added_by_its_code_action(client: LanguageClient) -> None:
    text = POST.split("\n\nThis article")[0].replace("[the guide](/blog/microneedling-after-care/)", "the leaflet")
    text += "\n"
    path = FOLDER / "content" / "posts" / "no-disclaimer.md"
    path.write_text(text)
    uri = path.as_uri()
    client.text_document_did_open(types.DidOpenTextDocumentParams(
        text_document=types.TextDocumentItem(uri=uri, language_id="markdown", version=1, text=text)))
    found = await _diagnostics(client, uri)
    [missing] = [d for d in found if d.code == "DSC001"]
    assert "help: Add the approved wording at the end of the post:" in missing.message
    actions = await client.text_document_code_action_async(types.CodeActionParams(
        text_document=types.TextDocumentIdentifier(uri=uri), range=missing.range,
        context=types.CodeActionContext(diagnostics=[missing])))
    [action] = [a for a in actions or [] if isinstance(a, types.CodeAction)]
    assert action.title == "DSC001: Add the approved wording"
    assert action.edit is not None and action.edit.changes is not None
    fixed = text
    for edit in action.edit.changes[uri]:
        fixed = _apply(fixed, edit)
    assert fixed.startswith(text) and fixed.rstrip().endswith("before you start any treatment.")
    client.text_document_did_change(types.DidChangeTextDocumentParams(
        text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=2),
        content_changes=[types.TextDocumentContentChangeWholeDocument(text=fixed)]))
    updated = await _diagnostics(client, uri)
    assert not [d for d in updated if d.code.startswith("DSC")], [d.message for d in updated]  # type: ignore[union-attr]
