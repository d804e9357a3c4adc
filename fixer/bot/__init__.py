"""`outplace bot`: commit the fixes to a branch, one commit per rule, and open or refresh one pull
request on GitHub (or GitHub Enterprise).

The bot is a front end like the CLI: it drives the runner and reads `FileResult`s and `Finding`s,
never LibCST. `git.py` runs git, `forge.py` talks to GitHub's REST API, `body.py` writes the pull
request, `flow.py` decides what to do. The token never appears in anything they print or raise.
"""

from fixer.bot.flow import BotOptions, BotResult, Operation, run_bot

__all__ = ["BotOptions", "BotResult", "Operation", "run_bot"]
