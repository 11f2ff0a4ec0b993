"""articlebot's faces: settings, answers, the CLI, the console and the Telegram bot."""
