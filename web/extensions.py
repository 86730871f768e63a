"""Flask extensions that are not the app's own (each is wired with `init_app`)."""

from flask_wtf.csrf import CSRFProtect

csrf = CSRFProtect()
