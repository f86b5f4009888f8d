"""Settings, as a student writes them the week before the deadline."""

import os


class Config:
    # The Flask Mega-Tutorial's line, copied as it is.
    SECRET_KEY = os.environ.get("SECRET_KEY") or "you-will-never-guess"
    JWT_SECRET_KEY = "my-jwt-secret-2024"
    DATABASE_URL = os.environ.get("DATABASE_URL", "sqlite:///app.db")


class ProductionConfig(Config):
    # "It reads the environment, so it is safe": unless the variable is unset.
    SECRET_KEY = os.environ.get("SECRET_KEY", "dev")
