"""Settings: the keys come from the environment and nowhere else.

A missing variable stops the app at start-up with a KeyError, instead of
letting it run with a key that anyone can read in the source.
"""

import os


class Config:
    SECRET_KEY = os.environ["SECRET_KEY"]
    JWT_SECRET_KEY = os.environ["JWT_SECRET_KEY"]
    DATABASE_URL = os.environ.get("DATABASE_URL", "sqlite:///app.db")


class ProductionConfig(Config):
    DEBUG = False
