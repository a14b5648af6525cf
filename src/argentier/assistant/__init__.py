"""The finance assistant: cited answers over documents, tables and account data, with access control.

>>> from argentier.config import Settings
>>> with Assistant.open(Settings(database_url="sqlite://")) as assistant:
...     _ = assistant.library.add_text("Refunds above EUR 500 need the controller's approval.", title="Refunds")
...     answer = assistant.ask("Who must approve a refund above EUR 500?", log=False)
>>> answer.method, answer.refused, answer.citations[0].document.title
('extractive', False, 'Refunds')
"""

from argentier.assistant._types import REFUSAL_TEXT, Answer, Citation, Highlight, RetrievedPage
from argentier.assistant.answer import DEFAULT_THRESHOLD, Assistant
from argentier.assistant.conversation import (
    ConversationLog,
    ConversationSummary,
    ExchangeRecord,
    rewrite_follow_up,
)

__all__ = [
    "DEFAULT_THRESHOLD",
    "REFUSAL_TEXT",
    "Answer",
    "Assistant",
    "Citation",
    "ConversationLog",
    "ConversationSummary",
    "ExchangeRecord",
    "Highlight",
    "RetrievedPage",
    "rewrite_follow_up",
]
