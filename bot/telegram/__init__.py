"""The Telegram face of articlebot (python-telegram-bot v22).

``app`` builds and runs the Application, ``handlers`` answers updates, ``messages``
renders answers as Telegram HTML, ``state`` holds the index being served.
"""
