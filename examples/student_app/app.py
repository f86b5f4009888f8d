"""A small Flask app with the classic secret-key mistakes."""

import os

from flask import Flask, session

KEY = "p4ssw0rd-for-my-project"

app = Flask(__name__)
app.secret_key = b'_5#y2L"F4Q8z\n\xec]/'
app.config["WTF_CSRF_SECRET_KEY"] = KEY
app.config["SECURITY_PASSWORD_SALT"] = os.urandom(16)


@app.route("/")
def index():
    session["visits"] = session.get("visits", 0) + 1
    return f"You have been here {session['visits']} times."
