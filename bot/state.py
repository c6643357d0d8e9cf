"""The long-lived objects every handler needs, kept in ``bot_data`` behind one typed accessor."""

from __future__ import annotations

from dataclasses import dataclass

from telegram.ext import CallbackContext

from .quota import QuestionQuota
from .service import IndexService
from .settings import Settings

_KEY = "newsbot"


@dataclass
class BotState:
    settings: Settings
    service: IndexService
    quota: QuestionQuota

    def is_admin(self, user_id: int | None) -> bool:
        return user_id is not None and user_id in self.settings.admins


def install(bot_data: dict, state: BotState) -> None:
    bot_data[_KEY] = state


def bot_state(context: CallbackContext) -> BotState:
    return context.bot_data[_KEY]


def uninstall(bot_data: dict) -> BotState | None:
    return bot_data.pop(_KEY, None)
