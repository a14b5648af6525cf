"""Versioned prompt templates, shipped as TOML files in ``argentier/prompts/``.

Each file holds ``name`` (its file name), ``version``, an optional ``description``, and the ``system`` and
``user`` texts with ``$variable`` placeholders (``$$`` is a literal dollar sign). The name and version of the
template travel with every recorded call, so a change of wording is visible in the call ledger.

>>> prompt = load_prompt("classify_label")
>>> prompt.name, sorted(prompt.variables)
('classify_label', ['labels', 'text'])
>>> [message.role for message in prompt.render(labels="a, b", text="Some text.")]
['system', 'user']
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from string import Template

from argentier.core.llm._types import Message
from argentier.errors import InputError

_PROMPT_NAME = re.compile(r"^[a-z0-9_]+$")
_KEYS = {"name", "version", "description", "system", "user"}


@dataclass(frozen=True)
class PromptTemplate:
    """A named, versioned pair of system and user texts with ``$variable`` placeholders.

    >>> template = PromptTemplate("greet", "1", "You are terse.", "Say hello to $who.")
    >>> template.render(who="the auditors")[1].content
    'Say hello to the auditors.'
    """

    name: str
    version: str
    system: str
    user: str
    description: str = ""

    def __post_init__(self) -> None:
        for part in ("system", "user"):
            if not Template(getattr(self, part)).is_valid():
                raise ValueError(
                    f"prompt {self.name!r} v{self.version}: invalid placeholder in {part} (write $$ for a $)"
                )

    @property
    def variables(self) -> frozenset[str]:
        """The placeholder names that :meth:`render` needs."""
        return frozenset(Template(self.system).get_identifiers() + Template(self.user).get_identifiers())

    def render(self, **variables: object) -> list[Message]:
        """The messages with every placeholder filled (values are turned into strings with ``str``).

        A missing or an unknown variable is an :class:`InputError` naming the prompt and the variables, so a
        typo cannot silently send a prompt with a hole in it.

        >>> PromptTemplate("p", "1", "", "Total: $amount").render(amount=12)
        [Message(role='user', content='Total: 12')]
        """
        missing = sorted(self.variables - variables.keys())
        unknown = sorted(variables.keys() - self.variables)
        if missing or unknown:
            problems = []
            if missing:
                problems.append(f"missing variable(s) {', '.join(missing)}")
            if unknown:
                problems.append(f"unknown variable(s) {', '.join(unknown)}")
            raise InputError(f"prompt {self.name!r} v{self.version}: {'; '.join(problems)}")
        values = {key: str(value) for key, value in variables.items()}
        messages = []
        if self.system.strip():
            messages.append(Message("system", Template(self.system).substitute(values)))
        messages.append(Message("user", Template(self.user).substitute(values)))
        return messages

    def to_dict(self) -> dict[str, str]:
        return {
            "name": self.name,
            "version": self.version,
            "description": self.description,
            "system": self.system,
            "user": self.user,
        }


def _prompt_files():  # noqa: ANN202 - an importlib.resources Traversable
    return resources.files("argentier").joinpath("prompts")


@lru_cache(maxsize=None)
def load_prompt(name: str) -> PromptTemplate:
    """The prompt template shipped as ``argentier/prompts/<name>.toml``.

    >>> load_prompt("grounded_answer").version
    '1'
    """
    if not _PROMPT_NAME.match(name):
        raise InputError(f"invalid prompt name {name!r}: use lower-case letters, digits and underscores")
    resource = _prompt_files().joinpath(f"{name}.toml")
    if not resource.is_file():
        raise InputError(f"no prompt named {name!r}; available: {', '.join(list_prompts())}")
    try:
        data = tomllib.loads(resource.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise InputError(f"prompt file {name}.toml is not valid TOML: {exc}") from None
    unknown = set(data) - _KEYS
    if unknown or not {"name", "version", "user"} <= set(data):
        raise InputError(
            f"prompt file {name}.toml needs name, version and user (and may have system, description);"
            f" unknown keys: {', '.join(sorted(unknown)) or 'none'}"
        )
    if data["name"] != name:
        raise InputError(f"prompt file {name}.toml declares name {data['name']!r}")
    return PromptTemplate(
        name=name,
        version=str(data["version"]),
        system=data.get("system", ""),
        user=data["user"],
        description=data.get("description", ""),
    )


def list_prompts() -> list[str]:
    """The names of the shipped prompt templates.

    >>> {"classify_label", "grounded_answer", "repair_json"} <= set(list_prompts())
    True
    """
    return sorted(
        entry.name[: -len(".toml")] for entry in _prompt_files().iterdir() if entry.name.endswith(".toml")
    )


def number_passages(passages: Sequence[str]) -> str:
    """Source passages as the numbered list the grounded prompts expect: ``[1] ...``, ``[2] ...``.

    >>> print(number_passages(["Payment is due in 45 days.", "Late fees are 2% a month."]))
    [1] Payment is due in 45 days.
    <BLANKLINE>
    [2] Late fees are 2% a month.
    """
    if isinstance(passages, str):
        raise TypeError("number_passages() takes a sequence of passages, not a single string")
    return "\n\n".join(f"[{number}] {passage.strip()}" for number, passage in enumerate(passages, start=1))
