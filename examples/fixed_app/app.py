"""The same app, with its keys read from the environment.

Generate a key once and keep it out of the source, for example in the
deployment's settings or in a .env file that is not committed:

    python -c 'import secrets; print(secrets.token_hex())'
"""

import os

from flask import Flask, session

app = Flask(__name__)
app.secret_key = os.environ["SECRET_KEY"]
app.config["WTF_CSRF_SECRET_KEY"] = os.environ["WTF_CSRF_SECRET_KEY"]
app.config["SECURITY_PASSWORD_SALT"] = os.environ["SECURITY_PASSWORD_SALT"]


@app.route("/")
def index():
    session["visits"] = session.get("visits", 0) + 1
    return f"You have been here {session['visits']} times."
