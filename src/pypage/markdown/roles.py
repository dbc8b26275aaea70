"""markdown-it plugin: MyST roles, ``{name}`content` `` in running text.

Modules that give a role its meaning register a handler in ``ROLES``; the handler turns the role
into the inline tokens that replace it (a link, a formula, …), so later rules (links, fragments)
see them as if the author had written them. A role nobody handles is a located warning and stays
literal code, so nothing is dropped silently.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markdown_it.token import Token
from mdit_py_plugins.myst_role import myst_role_plugin

from pypage.errors import did_you_mean


@dataclass(frozen=True, kw_only=True)
class Role:
    name: str
    content: str
    line: int  # 1-based line of the paragraph it is in, for messages
    token: Token = field(repr=False)


# name -> handler(role, state) -> the inline tokens that replace it.
Handler = Callable[[Role, StateCore], list[Token]]
ROLES: dict[str, Handler] = {}


def roles_plugin(md: MarkdownIt) -> None:
    """Reads ``report`` (records a located diagnostic) from the parser's env. Register it after
    the links plugin: the rule runs right after inline parsing, before links are rewritten."""
    md.use(myst_role_plugin)

    def _roles_rule(state: StateCore) -> None:
        for block in state.tokens:
            if block.type != "inline" or not block.children:
                continue
            if not any(child.type == "myst_role" for child in block.children):
                continue
            line = (block.map[0] if block.map else 0) + 1
            children: list[Token] = []
            for child in block.children:
                if child.type != "myst_role":
                    children.append(child)
                    continue
                name = str(child.meta.get("name", ""))
                handler = ROLES.get(name)
                if handler is None:
                    state.env["report"](
                        line,
                        1,
                        f"unknown role '{{{name}}}'{did_you_mean(name, ROLES)}: shown as code",
                        hint="roles are " + ", ".join(f"{{{n}}}" for n in sorted(ROLES))
                        if ROLES
                        else None,
                        severity="warning",
                    )
                    children.append(child)
                    continue
                role = Role(name=name, content=child.content, line=line, token=child)
                children.extend(handler(role, state))
            block.children = children

    md.core.ruler.after("inline", "pypage_roles", _roles_rule)
