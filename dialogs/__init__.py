"""Every step-by-step flow of the bot, one aiogram-dialog ``Dialog`` per module."""
