"""Find and read the policy folder; validation itself is checks.policy's (pure) job."""

from __future__ import annotations

from pathlib import Path

from checks.policy import OPTIONAL_FILES, REQUIRED_FILES, Policy, PolicyError, policy_from_texts
from checks.registry import RULE_IDS

# medpress's own policy, used when a content folder has none of its own: package data (flows/data/policy, in the
# repository a link to content/policy), so an installed medpress has it too. Resolved: messages name the real folder.
DEFAULT_POLICY_DIR = (Path(__file__).parent.parent / "data" / "policy").resolve()


def has_own_policy(content_dir: Path) -> bool:
    return (content_dir / "policy" / REQUIRED_FILES[0]).is_file()


def policy_dir_for(content_dir: Path, policy_dir: Path | None = None) -> Path:
    if policy_dir is not None:
        return policy_dir
    return content_dir / "policy" if has_own_policy(content_dir) else DEFAULT_POLICY_DIR


def read_policy_texts(folder: Path) -> dict[str, str]:
    texts = {}
    for name in REQUIRED_FILES:
        path = folder / name
        try:
            texts[name] = path.read_text(encoding="utf-8")
        except FileNotFoundError as err:
            raise PolicyError(str(path), "", "policy file is missing") from err
        except (OSError, UnicodeDecodeError) as err:
            raise PolicyError(str(path), "", f"cannot be read: {err}") from err
    for name in OPTIONAL_FILES:
        path = folder / name
        try:
            texts[name] = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            continue
        except (OSError, UnicodeDecodeError) as err:
            raise PolicyError(str(path), "", f"cannot be read: {err}") from err
    return texts


def load_policy(folder: Path) -> Policy:
    """The validated policy in ``folder``; a PolicyError names the file (with its folder) and key."""
    try:
        return policy_from_texts(read_policy_texts(folder), RULE_IDS)
    except PolicyError as err:
        if err.file in REQUIRED_FILES or err.file in OPTIONAL_FILES:
            raise PolicyError(str(folder / err.file), err.key, err.detail, err.line) from err
        raise
